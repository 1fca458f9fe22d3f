import { InvalidArgumentError } from "../core/errors";
import { HmacSha256Kernel } from "./wasm-hash";

/** Derives per-account salts: salt = HMAC-SHA256(secret, UTF-8 bytes of accountId). */
export class SaltDeriver {
  private readonly kernel: HmacSha256Kernel;

  /** The HMAC key, also given to the native kernel (which derives salts itself). */
  constructor(readonly secret: Uint8Array) {
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
