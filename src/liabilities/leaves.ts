import { nativeKernel, type NativeKernel } from "./native";
import type { SaltDeriver } from "./salt-deriver";
import type { KeccakKernel } from "./wasm-hash";

/**
 * A batch of accounts to turn into leaves. Account i's id is ids[idEnds[i-1] .. idEnds[i]) (from 0
 * for i = 0); salts and balances are 32-byte words. Arrays may live in SharedArrayBuffers so a
 * worker thread can fill the outputs in place.
 */
export interface LeafBatch {
  count: number;
  ids: Uint8Array;
  idEnds: Uint32Array;
  /** In: given salts where hasSalt[i] is 1. Out: every account's salt. */
  salts: Uint8Array;
  hasSalt: Uint8Array;
  /** Balances as uint256 big-endian words. */
  balances: Uint8Array;
  /** Out: leaf hashes. */
  leafHashes: Uint8Array;
  /** Out: the first 8 bytes of keccak256(bytes(accountId)), the key of the account index. */
  idPrefixes: Uint8Array;
  /**
   * Out: the accounts' tree-file records back to back (`u32 idLength`, salt, id bytes), so the
   * main thread writes a batch with one copy. Account i's record starts at 36 * i + its id start.
   */
  records: Uint8Array;
}

export function newLeafBatch(capacity: number, idBytes: number, shared: boolean): LeafBatch {
  const bytes = (n: number) => (shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  return {
    count: 0,
    ids: new Uint8Array(bytes(idBytes)),
    idEnds: new Uint32Array(bytes(capacity * 4)),
    salts: new Uint8Array(bytes(capacity * 32)),
    hasSalt: new Uint8Array(bytes(capacity)),
    balances: new Uint8Array(bytes(capacity * 32)),
    leafHashes: new Uint8Array(bytes(capacity * 32)),
    idPrefixes: new Uint8Array(bytes(capacity * 8)),
    records: new Uint8Array(bytes(capacity * 36 + idBytes)),
  };
}

/**
 * Fills salts (derived where missing), leaf hashes and id prefixes of accounts [from, to):
 *   idHash     = keccak256(bytes(accountId))
 *   commitment = keccak256(abi.encode(salt, idHash))
 *   leaf       = keccak256(bytes.concat(keccak256(abi.encode(commitment, balance))))
 * and the accounts' records. Every encoding is built in place in the kernel's I/O buffer.
 */
export function hashLeafRange(
  kernel: KeccakKernel,
  deriver: SaltDeriver | undefined,
  batch: LeafBatch,
  from: number,
  to: number,
  native: NativeKernel | null = nativeKernel() ?? null, // null: the WebAssembly kernel (tests)
): void {
  if (native) {
    hashLeafRangeNative(native, deriver, batch, from, to);
    return;
  }
  const io = kernel.io;
  const { ids, idEnds, salts, hasSalt, balances, leafHashes, idPrefixes } = batch;
  // Copies are explicit loops over bytes or aligned 32-bit words: a subarray per copy was an
  // allocation per field per row and cost a third of the workers' time.
  const io32 = words(io);
  const salts32 = words(salts);
  const balances32 = words(balances);
  const leaves32 = words(leafHashes);
  const prefixes32 = words(idPrefixes);
  for (let i = from; i < to; i++) {
    const start = i === 0 ? 0 : (idEnds[i - 1] as number);
    const end = idEnds[i] as number;
    const w = i * 8;
    if (hasSalt[i] === 0) {
      if (deriver === undefined) throw new Error("BUG: salt missing and no salt secret");
      deriver.deriveInto(ids, start, end, salts, i * 32);
    }
    for (let k = start; k < end; k++) io[k - start] = ids[k] as number;
    kernel.hash(end - start);
    prefixes32[i * 2] = io32[0] as number;
    prefixes32[i * 2 + 1] = io32[1] as number;
    for (let k = 0; k < 8; k++) {
      io32[8 + k] = io32[k] as number;
      io32[k] = salts32[w + k] as number;
    }
    kernel.hash(64);
    for (let k = 0; k < 8; k++) io32[8 + k] = balances32[w + k] as number;
    kernel.hash(64);
    kernel.hash(32);
    for (let k = 0; k < 8; k++) leaves32[w + k] = io32[k] as number;
    writeRecord(batch, i, start, end);
  }
}

/** hashLeafRange with the native kernel: salts, the four keccaks and the records in one call. */
function hashLeafRangeNative(
  native: NativeKernel,
  deriver: SaltDeriver | undefined,
  batch: LeafBatch,
  from: number,
  to: number,
): void {
  const { ids, idEnds, salts, hasSalt, balances, leafHashes, idPrefixes, records } = batch;
  const secret = deriver?.secret ?? null;
  native.leaves({ ids, idEnds, salts, hasSalt, balances, leafHashes, idPrefixes, records, secret, from, to });
}

/** Account i's record: u32 idLength (little-endian), salt, id; not 4-byte aligned, so bytes. */
function writeRecord(batch: LeafBatch, i: number, start: number, end: number): void {
  const { records, salts, ids } = batch;
  let r = 36 * i + start;
  const length = end - start;
  records[r] = length & 0xff;
  records[r + 1] = (length >>> 8) & 0xff;
  records[r + 2] = (length >>> 16) & 0xff;
  records[r + 3] = length >>> 24;
  r += 4;
  for (let k = i * 32, e = k + 32; k < e; k++) records[r++] = salts[k] as number;
  for (let k = start; k < end; k++) records[r++] = ids[k] as number;
}

/** A 32-bit word view of a 4-byte aligned byte array (the host is little-endian: levels.ts). */
function words(a: Uint8Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
}
