import { readFileSync } from "node:fs";

/**
 * Direct access to hash-wasm's keccak and sha256 WebAssembly kernels.
 *
 * hash-wasm's public hasher (`createKeccak(256)`, one reused instance) is the fastest correct keccak
 * we measured in Node (the keccak throughput study behind docs/bench.md), but each `digest("binary")` allocates a
 * copy and goes through several JS wrappers. Here the same WebAssembly module is instantiated once
 * per thread and driven through its exports: the caller writes the input straight into the module's
 * I/O buffer and reads the 32-byte digest from the start of that buffer, with no allocation per
 * hash (about 1.4x the wrapped API on our machines). Each kernel is checked against a known digest
 * when it is created, so a change in hash-wasm cannot produce wrong hashes silently.
 */

// lib "es2022" without "dom" has no WebAssembly types; declare the little used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface HashExports {
  memory: { buffer: ArrayBuffer };
  Hash_GetBuffer(): number;
  Hash_Init(bits: number): void;
  Hash_Update(length: number): void;
  Hash_Final(padding: number): void;
  Hash_GetState(): number;
  STATE_SIZE: { value: number };
}

/** Largest input a kernel accepts in one call (hash-wasm's I/O buffer is 16 KiB). */
export const MAX_KERNEL_INPUT = 16 * 1024;

function loadKernel(file: string, name: string): HashExports {
  const source = readFileSync(require.resolve(`hash-wasm/dist/${file}`), "utf8");
  const match = new RegExp(`name:"${name}",data:"([A-Za-z0-9+/=]+)"`).exec(source);
  if (match?.[1] === undefined) throw new Error(`hash-wasm ${file} has no embedded ${name} module`);
  const module = new Wasm.Module(Buffer.from(match[1], "base64"));
  return new Wasm.Instance(module, {}).exports as HashExports;
}

/** One keccak256 kernel. Not reentrant: one per thread, used synchronously. */
export class KeccakKernel {
  /** The kernel's I/O buffer: write up to MAX_KERNEL_INPUT input bytes at 0, call hash(). */
  readonly io: Uint8Array;
  private readonly exports: HashExports;

  constructor() {
    this.exports = loadKernel("keccak.umd.min.js", "sha3");
    this.io = new Uint8Array(this.exports.memory.buffer, this.exports.Hash_GetBuffer(), MAX_KERNEL_INPUT);
    if (this.io.byteOffset % 4 !== 0) throw new Error("keccak kernel buffer is not 4-byte aligned");
    // keccak256("") — catches a swapped module or a SHA3 (0x06) padding.
    if (hexOf(this.digest(new Uint8Array(0))) !== KECCAK_EMPTY)
      throw new Error("keccak kernel self-test failed");
  }

  /** Hashes io[0..length); the digest is left in io[0..32). */
  hash(length: number): void {
    const e = this.exports;
    e.Hash_Init(256);
    e.Hash_Update(length);
    e.Hash_Final(0x01); // keccak padding, not SHA3's 0x06
  }

  /** Convenience for cold paths: keccak256 of `data` as a new array. */
  digest(data: Uint8Array): Uint8Array {
    if (data.length > MAX_KERNEL_INPUT) throw new Error("input too long for the keccak kernel");
    this.io.set(data, 0);
    this.hash(data.length);
    return this.io.slice(0, 32);
  }
}

/**
 * HMAC-SHA256 with a fixed key: the inner and outer states after the key block are computed once
 * and restored for each message, so a MAC costs two compressions per short message.
 */
export class HmacSha256Kernel {
  private readonly exports: HashExports;
  private readonly io: Uint8Array;
  private readonly state: Uint8Array;
  private readonly innerState: Uint8Array;
  private readonly outerState: Uint8Array;

  constructor(key: Uint8Array) {
    const e = loadKernel("sha256.umd.min.js", "sha256");
    this.exports = e;
    this.io = new Uint8Array(e.memory.buffer, e.Hash_GetBuffer(), MAX_KERNEL_INPUT);
    const stateSize = new DataView(e.memory.buffer).getUint32(e.STATE_SIZE.value, true);
    this.state = new Uint8Array(e.memory.buffer, e.Hash_GetState(), stateSize);
    let block = new Uint8Array(64);
    if (key.length > 64) {
      this.io.set(key, 0);
      e.Hash_Init(256);
      e.Hash_Update(key.length);
      e.Hash_Final(0);
      block.set(this.io.subarray(0, 32));
    } else {
      block.set(key);
    }
    this.innerState = this.keyedState(block, 0x36);
    this.outerState = this.keyedState(block, 0x5c);
    block = new Uint8Array(0);
  }

  private keyedState(block: Uint8Array, pad: number): Uint8Array {
    for (let i = 0; i < 64; i++) this.io[i] = (block[i] ?? 0) ^ pad;
    this.exports.Hash_Init(256);
    this.exports.Hash_Update(64);
    return this.state.slice();
  }

  /** HMAC-SHA256(key, message[start..end)) written to out[outOffset..outOffset+32). */
  mac(message: Uint8Array, start: number, end: number, out: Uint8Array, outOffset: number): void {
    const e = this.exports;
    const length = end - start;
    if (length > MAX_KERNEL_INPUT) throw new Error("input too long for the sha256 kernel");
    this.state.set(this.innerState);
    const io = this.io;
    for (let k = start; k < end; k++) io[k - start] = message[k] as number; // no subarray per MAC
    e.Hash_Update(length);
    e.Hash_Final(0);
    // The inner digest is now at io[0..32): feed it to the outer hash in place.
    this.state.set(this.outerState);
    e.Hash_Update(32);
    e.Hash_Final(0);
    for (let k = 0; k < 32; k++) out[outOffset + k] = io[k] as number;
  }
}

const KECCAK_EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
