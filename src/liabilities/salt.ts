import { promises as fs } from "node:fs";
import { InvalidArgumentError } from "../errors";
import { HmacSha256Kernel } from "./wasm-hash";

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
      throw new InvalidArgumentError(`cannot read salt secret file ${file}`, {
        details: (err as NodeJS.ErrnoException).code,
        cause: err,
      });
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

/** Derives per-account salts: salt = HMAC-SHA256(secret, UTF-8 bytes of accountId). */
export class SaltDeriver {
  private readonly kernel: HmacSha256Kernel;

  constructor(secret: Uint8Array) {
    if (secret.length === 0) throw new InvalidArgumentError("empty salt secret");
    this.kernel = new HmacSha256Kernel(secret);
  }

  /** Writes the salt of the account id bytes id[start..end) to out[offset..offset+32). */
  deriveInto(id: Uint8Array, start: number, end: number, out: Uint8Array, offset: number): void {
    this.kernel.mac(id, start, end, out, offset);
  }

  derive(accountId: string): Uint8Array {
    const id = Buffer.from(accountId, "utf8");
    const out = new Uint8Array(32);
    this.deriveInto(id, 0, id.length, out, 0);
    return out;
  }
}
