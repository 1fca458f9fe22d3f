import type { SaltDeriver } from "./salt";
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
): void {
  const io = kernel.io;
  const { ids, idEnds, salts, hasSalt, balances, leafHashes, idPrefixes, records } = batch;
  for (let i = from; i < to; i++) {
    const start = i === 0 ? 0 : (idEnds[i - 1] as number);
    const end = idEnds[i] as number;
    const w = i * 32;
    if (hasSalt[i] === 0) {
      if (deriver === undefined) throw new Error("BUG: salt missing and no salt secret");
      deriver.deriveInto(ids, start, end, salts, w);
    }
    io.set(ids.subarray(start, end), 0);
    kernel.hash(end - start);
    idPrefixes.set(io.subarray(0, 8), i * 8);
    io.copyWithin(32, 0, 32);
    io.set(salts.subarray(w, w + 32), 0);
    kernel.hash(64);
    io.set(balances.subarray(w, w + 32), 32);
    kernel.hash(64);
    kernel.hash(32);
    leafHashes.set(io.subarray(0, 32), w);
    const r = 36 * i + start;
    const length = end - start;
    records[r] = length & 0xff; // u32 little-endian
    records[r + 1] = (length >>> 8) & 0xff;
    records[r + 2] = (length >>> 16) & 0xff;
    records[r + 3] = length >>> 24;
    records.set(salts.subarray(w, w + 32), r + 4);
    records.set(ids.subarray(start, end), r + 36);
  }
}
