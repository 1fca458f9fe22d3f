// Browser-safe (the web pages parse proof packages with it): no Node built-ins.
import { InvalidFileError } from "./errors";

/**
 * Checks the `format` tag of a parsed versioned file (`"por-attestation/1"`…) and returns the object.
 * Readers refuse unknown formats rather than guessing.
 */
export function expectFormat(value: unknown, format: string, source: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidFileError(`${source} is not a JSON object`);
  }
  const record = value as Record<string, unknown>;
  if (record.format !== format) {
    throw new InvalidFileError(`${source} has format ${JSON.stringify(record.format)}`, {
      details: `expected "${format}"`,
    });
  }
  return record;
}
