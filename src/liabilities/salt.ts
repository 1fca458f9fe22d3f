import { promises as fs } from "node:fs";
import { InvalidArgumentError } from "../core/errors";
import { fileSystemError } from "../node/files";

// SaltDeriver lives in its own module: hashing workers load it without this file's imports.
export { SaltDeriver } from "./salt-deriver";

/** Environment variable holding the salt secret when no --salt-secret-file is given. */
export const SALT_SECRET_ENV = "POR_SALT_SECRET";

/**
 * The secret salts are derived from: the contents of `file` if given, else $POR_SALT_SECRET.
 * Refuses a missing or empty secret: there is no default and no file looked up implicitly, since
 * anyone who knows the secret can recompute every salt and unmask account ids in published proofs.
 * A file's single trailing newline is not part of the secret.
 */
export async function loadSaltSecret(file: string | undefined, env = process.env): Promise<Uint8Array> {
  let secret: Buffer;
  if (file !== undefined) {
    try {
      secret = await fs.readFile(file);
    } catch (err) {
      throw fileSystemError("read salt secret file", file, err, InvalidArgumentError);
    }
    if (secret.at(-1) === 0x0a) secret = secret.subarray(0, secret.at(-2) === 0x0d ? -2 : -1);
    if (secret.length === 0) throw new InvalidArgumentError(`salt secret file ${file} is empty`);
    return secret;
  }
  const value = env[SALT_SECRET_ENV];
  if (value === undefined) {
    throw new InvalidArgumentError("no salt secret", {
      details: `pass --salt-secret-file FILE or set ${SALT_SECRET_ENV}`,
    });
  }
  if (value === "") throw new InvalidArgumentError(`${SALT_SECRET_ENV} is empty`);
  return Buffer.from(value, "utf8");
}
