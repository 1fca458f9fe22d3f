/**
 * One error base for the whole SDK, after viem's BaseError: a short message a user can act on,
 * optional details, and the underlying cause. The CLI prints `message` (plus details) on one line
 * and exits non-zero; anything that is not a PorError is a bug and keeps its stack.
 */
export class PorError extends Error {
  override readonly name: string = "PorError";
  /** Process exit code the CLI uses for this failure. */
  readonly exitCode: number = 1;

  constructor(
    readonly shortMessage: string,
    options: { details?: string; cause?: unknown } = {},
  ) {
    super(options.details ? `${shortMessage}: ${options.details}` : shortMessage, { cause: options.cause });
    this.details = options.details;
  }

  readonly details: string | undefined;
}

/** A user-supplied value (argument, flag, file field) is malformed or out of range. */
export class InvalidArgumentError extends PorError {
  override readonly name = "InvalidArgumentError";
}

/** A file could not be read, parsed, or has an unknown or wrong `format`. */
export class InvalidFileError extends PorError {
  override readonly name = "InvalidFileError";
}

/** A signing key or keystore is missing, unreadable or wrong. */
export class KeyError extends PorError {
  override readonly name = "KeyError";
}

/** A contract's revert, decoded: the custom error's name, signature and arguments (JSON-ready). */
export interface DecodedRevert {
  /** "StaleAttestation", or "Error" / "Panic" for Solidity's built-in errors. */
  name: string;
  /** "StaleAttestation(uint64,uint64)". */
  signature: string;
  /** By parameter name: integers as decimal strings, addresses checksummed, bytes as hex. */
  args: Record<string, string | boolean>;
}

/**
 * The chain refused a transaction or a call. `message` says why in the user's terms; `revert` keeps
 * the decoded custom error, when there was one, for machine-readable output.
 */
export class ChainError extends PorError {
  override readonly name = "ChainError";
  readonly revert: DecodedRevert | undefined;

  constructor(
    shortMessage: string,
    options: { details?: string; cause?: unknown; revert?: DecodedRevert } = {},
  ) {
    super(shortMessage, options);
    this.revert = options.revert;
  }
}

/** A proof, signature or attestation did not verify. */
export class VerificationError extends PorError {
  override readonly name = "VerificationError";
}

/** The user declined a confirmation or interrupted a prompt (Ctrl-C); exit code 130 as for SIGINT. */
export class CancelledError extends PorError {
  override readonly name = "CancelledError";
  override readonly exitCode: number = 130;
}

/** Throws InvalidArgumentError with `message` unless `condition` holds. */
export function validateArgument(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvalidArgumentError(message);
}
