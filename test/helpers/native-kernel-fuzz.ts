/**
 * Random calls of every native kernel entry point (native/keccak_leaves.c through
 * src/liabilities/native.ts), each checked against the JavaScript kernel: a call either returns
 * exactly what the JavaScript code computes from the same arrays (every byte of every buffer the
 * call was given, and the returned digest) or throws an Error. A crash would kill the process, so
 * test/liabilities/native.test.ts runs this in a child process and names the signal and the seed:
 *
 *   node -r ts-node/register test/helpers/native-kernel-fuzz.ts --seed N --runs N [--addon FILE]
 *   node -r ts-node/register test/helpers/native-kernel-fuzz.ts --regression [--addon FILE]
 *
 * Prints one JSON line of counts. Exits 1 when a call's result differs from the JavaScript
 * kernel's (fast-check's counterexample on stderr), 2 when there is no native kernel to drive.
 * `--addon FILE` (or POR_NATIVE_ADDON=FILE, which reaches it through the mocha test) drives another
 * build of the addon, such as an -fsanitize=address one; POR_FUZZ_TRACE=1 prints each call on
 * stderr before making it, to find the one that crashed.
 *
 * Each call starts from a valid one (random sizes, contents, ranges), then fast-check may: place
 * an array at an offset of a larger, shared or resizable buffer, or as a Buffer; make it shorter
 * or longer, misaligned, of another element type (Uint16Array, Float64Array, DataView, a plain
 * array, undefined...), the same array as another argument, or a view overlapping another's
 * memory; replace a number (-1, 1.5, NaN, 2^32, 2^20, off by one...); or call with positional
 * arguments (the old API), no or extra arguments, a Proxy or inherited options, or a getter that
 * detaches or shrinks one of the buffers while the kernel reads its options.
 */
import fc from "fast-check";
import { createHmac } from "node:crypto";
import * as path from "node:path";
import { gatherRange } from "../../src/liabilities/gather";
import { keccak256Bytes, keccakKernel } from "../../src/liabilities/keccak";
import { hashLeafRange } from "../../src/liabilities/leaves";
import { hashLevelRange } from "../../src/liabilities/levels";
import {
  nativeKernel,
  nativeKernelProblem,
  type GatherArgs,
  type LeafRangeArgs,
  type LevelRangeArgs,
  type NativeKernel,
  type SortArgs,
} from "../../src/liabilities/native";
import { SaltDeriver } from "../../src/liabilities/salt";
import { sortKeysInto } from "../../src/liabilities/sort";

export const ENTRY_POINTS = ["leaves", "level", "gather", "sort", "digest", "hmac"] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** What the child reports: per entry point, calls that returned (and did work) or threw. */
export interface FuzzReport {
  seed: number;
  runs: number;
  calls: Record<EntryPoint, { returned: number; worked: number; threw: number }>;
}

/** An array argument of a valid call: its element type and contents (little-endian bytes). */
interface ArraySpec {
  name: string;
  elem: "u8" | "u32";
  bytes: Uint8Array | null; // null: the argument is null (secret, order)
}

/** A valid call: arrays and numbers, in the order the (old) positional API took them. */
interface ValidCall {
  entry: EntryPoint;
  arrays: ArraySpec[];
  numbers: Array<[string, number]>;
  /** The call does some work (a non-empty range) when it is made as generated. */
  works: boolean;
}

/** Deterministic bytes from a seed (xorshift32): contents need no shrinking. */
function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed | 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

function u32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Uint32Array.from(values).buffer);
}

/** from <= to <= n out of two random naturals. */
function range(n: number, a: number, b: number): [number, number] {
  const from = a % (n + 1);
  return [from, from + (b % (n - from + 1))];
}

const leavesCall: fc.Arbitrary<ValidCall> = fc
  .record({
    rows: fc.array(fc.record({ idLength: fc.nat(150), hasSalt: fc.boolean() }), { maxLength: 10 }),
    secretLength: fc.option(fc.integer({ min: 1, max: 100 })),
    seed: fc.integer(),
    a: fc.nat(),
    b: fc.nat(),
  })
  .map(({ rows, secretLength, seed, a, b }) => {
    const n = rows.length;
    let end = 0;
    const ends = rows.map((r) => (end += r.idLength));
    const [from, to] = range(n, a, b);
    const bytes = (length: number, k: number) => randomBytes(length, seed + k);
    return {
      entry: "leaves",
      arrays: [
        { name: "ids", elem: "u8", bytes: bytes(end, 1) },
        { name: "idEnds", elem: "u32", bytes: u32Bytes(ends) },
        { name: "salts", elem: "u8", bytes: bytes(32 * n, 2) },
        {
          name: "hasSalt",
          elem: "u8",
          bytes: Uint8Array.from(rows, (r) => (secretLength === null || r.hasSalt ? 1 : 0)),
        },
        { name: "balances", elem: "u8", bytes: bytes(32 * n, 3) },
        { name: "leafHashes", elem: "u8", bytes: bytes(32 * n, 4) },
        { name: "idPrefixes", elem: "u8", bytes: bytes(8 * n, 5) },
        { name: "records", elem: "u8", bytes: bytes(36 * n + end, 6) },
        { name: "secret", elem: "u8", bytes: secretLength === null ? null : bytes(secretLength, 7) },
      ],
      numbers: [
        ["from", from],
        ["to", to],
      ],
      works: to > from,
    };
  });

const levelCall: fc.Arbitrary<ValidCall> = fc
  .record({
    count: fc.nat(40),
    sumWords: fc.integer({ min: 1, max: 8 }),
    extraStrideWords: fc.nat(3),
    ordered: fc.boolean(),
    ties: fc.boolean(),
    seed: fc.integer(),
    a: fc.nat(),
    b: fc.nat(),
  })
  .map(({ count, sumWords, extraStrideWords, ordered, ties, seed, a, b }) => {
    const sumBytes = 4 * sumWords;
    const stride = sumBytes + 4 * extraStrideWords;
    const hashes = randomBytes(32 * count, seed);
    if (ties && count > 1) hashes.copyWithin(32, 0, 32); // equal hashes: the first child first
    // Each used sum below half its range: two children never carry out of sumBytes.
    const sums = randomBytes(stride * count, seed + 1);
    for (let i = 0; i < count; i++)
      sums[(i + 1) * stride - sumBytes] = (sums[(i + 1) * stride - sumBytes] as number) & 0x7f;
    const keys = Array.from(randomBytes(count, seed + 2));
    const order = Array.from({ length: count }, (_, i) => i).sort((x, y) => keys[x]! - keys[y]! || x - y);
    const parents = Math.ceil(count / 2);
    const [from, to] = range(parents, a, b);
    return {
      entry: "level",
      arrays: [
        { name: "hashes", elem: "u8", bytes: hashes },
        { name: "sums", elem: "u8", bytes: sums },
        { name: "order", elem: "u32", bytes: ordered ? u32Bytes(order) : null },
        { name: "outHashes", elem: "u8", bytes: randomBytes(32 * parents, seed + 3) },
        { name: "outSums", elem: "u8", bytes: randomBytes(sumBytes * parents, seed + 4) },
      ],
      numbers: [
        ["sumStride", stride],
        ["count", count],
        ["sumBytes", sumBytes],
        ["from", from],
        ["to", to],
      ],
      works: to > from,
    };
  });

const gatherCall: fc.Arbitrary<ValidCall> = fc
  .record({
    rows: fc.nat(30),
    srcStride: fc.integer({ min: 1, max: 40 }),
    w: fc.nat(),
    o: fc.nat(),
    perm: fc.array(fc.nat(), { maxLength: 30 }),
    dstExtra: fc.nat(8),
    d: fc.nat(),
    seed: fc.integer(),
    a: fc.nat(),
    b: fc.nat(),
  })
  .map(({ rows, srcStride, w, o, perm, dstExtra, d, seed, a, b }) => {
    const width = w % (srcStride + 1);
    const srcOffset = o % (srcStride - width + 1);
    const indices = rows === 0 ? [] : perm.map((p) => p % rows);
    const [from, to] = range(indices.length, a, b);
    const dstStride = width + dstExtra;
    return {
      entry: "gather",
      arrays: [
        { name: "src", elem: "u8", bytes: randomBytes(rows * srcStride, seed) },
        { name: "perm", elem: "u32", bytes: u32Bytes(indices) },
        { name: "dst", elem: "u8", bytes: randomBytes((to - from) * dstStride, seed + 1) },
      ],
      numbers: [
        ["srcStride", srcStride],
        ["srcOffset", srcOffset],
        ["width", width],
        ["from", from],
        ["to", to],
        ["dstStride", dstStride],
        ["dstOffset", d % (dstStride - width + 1)],
      ],
      works: to > from && width > 0,
    };
  });

const sortCall: fc.Arbitrary<ValidCall> = fc
  .record({
    count: fc.nat(60),
    keyBytes: fc.integer({ min: 4, max: 36 }),
    extraStride: fc.nat(8),
    tieBits: fc.nat(4),
    seed: fc.integer(),
  })
  .map(({ count, keyBytes, extraStride, tieBits, seed }) => {
    const stride = keyBytes + extraStride;
    const keys = randomBytes(count === 0 ? 0 : (count - 1) * stride + keyBytes, seed);
    // Few distinct first 32 bits make runs the radix passes tie on; copies make equal keys.
    for (let i = 0; i < count; i++) {
      const at = i * stride;
      if (tieBits > 0) keys.set([0, 0, 0, (keys[at + 3] as number) & ((1 << tieBits) - 1)], at);
      if (i % 7 === 3) keys.copyWithin(at, 0, keyBytes);
    }
    return {
      entry: "sort",
      arrays: [
        { name: "keys", elem: "u8", bytes: keys },
        { name: "perm", elem: "u32", bytes: randomBytes(4 * count, seed + 1) },
        { name: "top", elem: "u32", bytes: randomBytes(4 * count, seed + 2) },
      ],
      numbers: [
        ["stride", stride],
        ["keyBytes", keyBytes],
        ["count", count],
      ],
      works: count > 0,
    };
  });

const digestCall: fc.Arbitrary<ValidCall> = fc
  .record({ length: fc.nat(300), seed: fc.integer() })
  .map(({ length, seed }): ValidCall => ({
    entry: "digest",
    arrays: [{ name: "data", elem: "u8", bytes: randomBytes(length, seed) }],
    numbers: [],
    works: true,
  }));

const hmacCall: fc.Arbitrary<ValidCall> = fc
  .record({ keyLength: fc.nat(150), length: fc.nat(300), seed: fc.integer() })
  .map(({ keyLength, length, seed }): ValidCall => ({
    entry: "hmac",
    arrays: [
      { name: "key", elem: "u8", bytes: randomBytes(keyLength, seed) },
      { name: "data", elem: "u8", bytes: randomBytes(length, seed + 1) },
    ],
    numbers: [],
    works: true,
  }));

/** Where an array lives: its own buffer, at an offset, possibly shared or resizable. */
type Home = { before: number; after: number; buffer: "plain" | "shared" | "resizable" | "tracking" | "node" };

const OTHER_TYPES = [
  "u8",
  "u16",
  "u32",
  "i32",
  "u8c",
  "f64",
  "bu64",
  "dataview",
  "plain",
  "arraybuffer",
  "undefined",
  "null",
  "number",
  "string",
  "object",
] as const;

/** A change to one array argument. */
type ArrayChange =
  | { kind: "length"; delta: number } // shorter or longer by `delta` elements (the tail zeros)
  | { kind: "misalign"; by: number } // starts 1 to 3 bytes into its buffer
  | { kind: "type"; as: (typeof OTHER_TYPES)[number] } // same bytes, another type or no array at all
  | { kind: "same"; as: number } // the very array of another argument
  | { kind: "view"; of: number; shift: number }; // a view of another argument's memory, shifted

const arrayChange: fc.Arbitrary<ArrayChange> = fc.oneof(
  fc.record({ kind: fc.constant("length" as const), delta: fc.integer({ min: -8, max: 8 }) }),
  fc.record({ kind: fc.constant("misalign" as const), by: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("type" as const), as: fc.constantFrom(...OTHER_TYPES) }),
  fc.record({ kind: fc.constant("same" as const), as: fc.nat() }),
  fc.record({ kind: fc.constant("view" as const), of: fc.nat(), shift: fc.integer({ min: -48, max: 48 }) }),
);

const NUMBER_VALUES = [
  -1,
  -0,
  1.5,
  NaN,
  Infinity,
  2 ** 32,
  2 ** 32 - 1,
  2 ** 31,
  2 ** 20,
  0,
  1,
  "1",
  undefined,
  null,
  1n,
];
type NumberChange = { kind: "value"; index: number } | { kind: "offBy"; delta: number } | { kind: "twice" };

const numberChange: fc.Arbitrary<NumberChange> = fc.oneof(
  fc.record({ kind: fc.constant("value" as const), index: fc.nat(NUMBER_VALUES.length - 1) }),
  fc.record({ kind: fc.constant("offBy" as const), delta: fc.constantFrom(-1, 1, 4, 32) }),
  fc.record({ kind: fc.constant("twice" as const) }),
);

/** How the call is made. */
const SHAPES = [
  "normal",
  "proxy",
  "inherited",
  "detach",
  "shrink",
  "positional",
  "none",
  "extra",
  "null",
  "array",
] as const;
type Shape = (typeof SHAPES)[number];

export interface Plan {
  call: ValidCall;
  homes: Home[];
  arrayChanges: Array<{ at: number; change: ArrayChange }>;
  numberChanges: Array<{ at: number; change: NumberChange }>;
  shape: Shape;
  /** Which array a hostile getter detaches or shrinks. */
  victim: number;
}

const home: fc.Arbitrary<Home> = fc.record({
  before: fc.nat(2),
  after: fc.nat(2),
  buffer: fc.constantFrom("plain", "plain", "shared", "resizable", "tracking", "node"),
});

const changes = <T>(change: fc.Arbitrary<T>) =>
  fc.array(fc.record({ at: fc.nat(), change }), { minLength: 1, maxLength: 3 });

const noArrayChange: Plan["arrayChanges"] = [];
const noNumberChange: Plan["numberChanges"] = [];

/** Half the calls as generated (valid unless the shape is wrong), the other half with changes. */
export const planArbitrary: fc.Arbitrary<Plan> = fc
  .record({
    call: fc.oneof(leavesCall, levelCall, gatherCall, sortCall, digestCall, hmacCall),
    homes: fc.array(home, { minLength: 9, maxLength: 9 }),
    changes: fc.oneof(
      { weight: 2, arbitrary: fc.constant({ arrayChanges: noArrayChange, numberChanges: noNumberChange }) },
      {
        weight: 1,
        arbitrary: fc.record({
          arrayChanges: changes(arrayChange),
          numberChanges: fc.constant(noNumberChange),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          arrayChanges: fc.constant(noArrayChange),
          numberChanges: changes(numberChange),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ arrayChanges: changes(arrayChange), numberChanges: changes(numberChange) }),
      },
    ),
    shape: fc.oneof(
      { weight: 12, arbitrary: fc.constant("normal" as const) },
      { weight: 9, arbitrary: fc.constantFrom(...SHAPES) },
    ),
    victim: fc.nat(),
  })
  .map(({ changes: { arrayChanges, numberChanges }, ...plan }) => ({ ...plan, arrayChanges, numberChanges }));

const ELEM_BYTES = { u8: 1, u16: 2, u32: 4, i32: 4, u8c: 1, f64: 8, bu64: 8 } as const;
type Elem = keyof typeof ELEM_BYTES;

function makeView(
  elem: Elem | "dataview" | "node",
  buffer: ArrayBufferLike,
  offset: number,
  length?: number,
): unknown {
  const size = elem === "dataview" || elem === "node" ? 1 : ELEM_BYTES[elem];
  const n = length === undefined ? undefined : Math.floor(length / size);
  switch (elem) {
    case "u8":
      return new Uint8Array(buffer, offset, n);
    case "node":
      return Buffer.from(buffer as ArrayBuffer, offset, n);
    case "u16":
      return new Uint16Array(buffer, offset, n);
    case "u32":
      return new Uint32Array(buffer, offset, n);
    case "i32":
      return new Int32Array(buffer, offset, n);
    case "u8c":
      return new Uint8ClampedArray(buffer, offset, n);
    case "f64":
      return new Float64Array(buffer, offset, n);
    case "bu64":
      return new BigUint64Array(buffer, offset, n);
    case "dataview":
      return new DataView(buffer, offset, n);
  }
}

/** ES2024 resizable buffers (Node 20 has them; the TypeScript lib here is ES2022). */
interface Resizable extends ArrayBuffer {
  readonly resizable: boolean;
  resize(byteLength: number): void;
}
const ResizableBuffer = ArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => Resizable;

function resizableBuffer(byteLength: number, maxByteLength: number): Resizable {
  return new ResizableBuffer(byteLength, { maxByteLength });
}

function isView(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value);
}

/** One world: the arguments of a plan's call, built afresh (twice: for native and for JavaScript). */
export interface World {
  args: unknown[];
  /** Every buffer the call was given, in a fixed order, to compare afterwards. */
  buffers: ArrayBufferLike[];
}

export function materialize(plan: Plan): World {
  const { call } = plan;
  const specs = call.arrays;
  const values: unknown[] = [];
  const changeOf = new Map<number, ArrayChange>();
  for (const { at, change } of plan.arrayChanges) changeOf.set(at % specs.length, change);
  // Own arrays first, then those that are (views of) another argument's array.
  specs.forEach((spec, i) => {
    const change = changeOf.get(i);
    if (spec.bytes === null && change === undefined) return void (values[i] = null);
    const bytes = spec.bytes ?? new Uint8Array(0);
    const h = plan.homes[i] as Home;
    let elem: Elem | "dataview" | "node" = spec.elem === "u8" && h.buffer === "node" ? "node" : spec.elem;
    let byteLength = bytes.length;
    let misalign = 0;
    if (change?.kind === "length")
      byteLength = Math.max(0, byteLength + change.delta * ELEM_BYTES[spec.elem]);
    if (change?.kind === "misalign") misalign = change.by;
    if (change?.kind === "type") {
      const as = change.as;
      if (as === "undefined" || as === "null" || as === "number" || as === "string" || as === "object") {
        values[i] = { undefined, null: null, number: bytes.length, string: "bytes", object: {} }[as];
        return;
      }
      if (as === "plain") return void (values[i] = Array.from(bytes));
      elem = as === "arraybuffer" ? "u8" : as;
      const size = elem === "dataview" ? 1 : ELEM_BYTES[elem];
      byteLength = Math.ceil(byteLength / size) * size;
    }
    if (change?.kind === "same" || change?.kind === "view") return; // below
    const size = elem === "dataview" || elem === "node" ? 1 : ELEM_BYTES[elem];
    const offset = h.before * 8 + misalign;
    const total = offset + byteLength + h.after * 8;
    const buffer =
      h.buffer === "shared"
        ? new SharedArrayBuffer(total)
        : h.buffer === "resizable" || h.buffer === "tracking"
          ? resizableBuffer(total, total + 64)
          : new ArrayBuffer(total);
    if (offset % size !== 0) {
      values[i] = makeView("u8", buffer, offset, byteLength); // misaligned: a Uint8Array needs no alignment
    } else {
      values[i] = makeView(elem, buffer, offset, h.buffer === "tracking" ? undefined : byteLength);
    }
    if (change?.kind === "type" && change.as === "arraybuffer") values[i] = buffer;
  });
  specs.forEach((spec, i) => {
    const change = changeOf.get(i);
    if (change?.kind !== "same" && change?.kind !== "view") return;
    const targetIndex = (change.kind === "same" ? change.as : change.of) % specs.length;
    const target = values[targetIndex];
    if (!isView(target) || targetIndex === i) {
      values[i] = makeView(spec.elem, new ArrayBuffer(spec.bytes?.length ?? 0), 0);
      return;
    }
    if (change.kind === "same") return void (values[i] = target);
    const size = ELEM_BYTES[spec.elem];
    const buffer = target.buffer;
    let offset = Math.min(Math.max(0, target.byteOffset + change.shift), buffer.byteLength);
    offset -= offset % size;
    const length = Math.min(spec.bytes?.length ?? 0, buffer.byteLength - offset);
    values[i] = makeView(spec.elem, buffer, offset, length);
  });
  // Contents, in argument order: where arguments share memory, the later one's bytes win.
  specs.forEach((spec, i) => {
    const value = values[i];
    if (!isView(value) || spec.bytes === null) return;
    const target = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    target.set(spec.bytes.subarray(0, Math.min(spec.bytes.length, target.length)));
  });
  const buffers: ArrayBufferLike[] = [];
  for (const value of values) {
    const buffer = isView(value) ? value.buffer : value instanceof ArrayBuffer ? value : undefined;
    if (buffer !== undefined && !buffers.includes(buffer)) buffers.push(buffer);
  }

  const numbers: Array<[string, unknown]> = call.numbers.map(([name, n]) => [name, n]);
  for (const { at, change } of plan.numberChanges) {
    const slot = numbers[at % Math.max(1, numbers.length)];
    if (slot === undefined) continue;
    const n = slot[1];
    if (change.kind === "value") slot[1] = NUMBER_VALUES[change.index];
    else if (typeof n === "number") slot[1] = change.kind === "offBy" ? n + change.delta : 2 * n;
  }

  const positional = [...values, ...numbers.map(([, n]) => n)];
  if (call.entry === "digest" || call.entry === "hmac") {
    // Positional by design: the shapes that pass an options object are the wrong calls here.
    const args = {
      normal: positional,
      positional: [{ data: values[0] }],
      none: [],
      extra: [...positional, values[0]],
    };
    return { args: args[plan.shape as keyof typeof args] ?? [null], buffers };
  }
  const options: Record<string, unknown> = {};
  call.arrays.forEach((spec, i) => (options[spec.name] = values[i]));
  for (const [name, n] of numbers) options[name] = n;
  const victim = values[plan.victim % values.length];
  const hostile = (act: (buffer: ArrayBuffer) => void) => {
    // The last key read: the getter runs after the kernel has seen every other property.
    const last = call.numbers[call.numbers.length - 1]?.[0] as string;
    const value = options[last];
    Object.defineProperty(options, last, {
      enumerable: true,
      get() {
        if (isView(victim) && victim.buffer instanceof ArrayBuffer) act(victim.buffer);
        return value;
      },
    });
    return [options];
  };
  switch (plan.shape) {
    case "proxy":
      return { args: [new Proxy(options, {})], buffers };
    case "inherited":
      return { args: [Object.create(options)], buffers };
    case "detach":
      return {
        args: hostile((b) => void (b.byteLength > 0 && structuredClone(b, { transfer: [b] }))),
        buffers,
      };
    case "shrink":
      return {
        args: hostile((b) => (b as Resizable).resizable && (b as Resizable).resize(b.byteLength >> 1)),
        buffers,
      };
    case "positional":
      return { args: positional, buffers };
    case "none":
      return { args: [], buffers };
    case "extra":
      return { args: [options, options], buffers };
    case "null":
      return { args: [null], buffers };
    case "array":
      return { args: [[options]], buffers };
    default:
      return { args: [options], buffers };
  }
}

const derivers = new Map<string, SaltDeriver>();

/** The JavaScript kernel's answer to the same call (it throws for a call it does not take). */
export function reference(entry: EntryPoint, args: unknown[]): unknown {
  if (entry === "digest" || entry === "hmac") {
    if (args.length !== (entry === "digest" ? 1 : 2))
      throw new Error("not a call the JavaScript kernel takes");
    const [a, b] = args as Uint8Array[];
    return entry === "digest"
      ? keccak256Bytes(a as Uint8Array)
      : createHmac("sha256", a as Uint8Array)
          .update(b as Uint8Array)
          .digest();
  }
  const options = args[0];
  if (args.length !== 1 || typeof options !== "object" || options === null || Array.isArray(options))
    throw new Error("not a call the JavaScript kernel takes");
  // The native kernel took these options, so each value is what its parameter's type says.
  switch (entry) {
    case "leaves": {
      // Named one by one: a spread would miss inherited options.
      const { ids, idEnds, salts, hasSalt, balances, leafHashes, idPrefixes, records, secret, from, to } =
        options as LeafRangeArgs;
      const key = secret === null ? undefined : Buffer.from(secret).toString("hex");
      if (key !== undefined && !derivers.has(key)) derivers.set(key, new SaltDeriver(secret as Uint8Array));
      const deriver = key === undefined ? undefined : derivers.get(key);
      const batch = { count: to, ids, idEnds, salts, hasSalt, balances, leafHashes, idPrefixes, records };
      return hashLeafRange(keccakKernel(), deriver, batch, from, to, null);
    }
    case "level": {
      const { hashes, sums, sumStride, order, count, outHashes, outSums, sumBytes, from, to } =
        options as LevelRangeArgs;
      const source = { count, hashes, sums, sumStride, order: order ?? undefined };
      const out = { count: to, hashes: outHashes, sums: outSums, sumBytes };
      return hashLevelRange(keccakKernel(), source, out, from, to);
    }
    case "gather":
      return gatherRange(options as GatherArgs, null);
    case "sort": {
      const { keys, stride, keyBytes, count, perm, top } = options as SortArgs;
      return sortKeysInto(keys, stride, keyBytes, count, perm, top, null);
    }
  }
}

function sameBytes(a: ArrayBufferLike, b: ArrayBufferLike): boolean {
  if (a.byteLength !== b.byteLength) return false;
  // A detached buffer (byteLength 0) takes no view.
  return a.byteLength === 0 || Buffer.compare(new Uint8Array(a), new Uint8Array(b)) === 0;
}

function returnedBytes(value: unknown): string {
  return value instanceof Uint8Array ? Buffer.from(value).toString("hex") : String(value);
}

/** Makes one planned call on `kernel`; throws when it answers otherwise than the JavaScript kernel. */
export function check(kernel: NativeKernel, plan: Plan, report: FuzzReport): void {
  const { entry } = plan.call;
  const counts = report.calls[entry];
  const native = materialize(plan);
  if (process.env.POR_FUZZ_TRACE === "1") process.stderr.write(`${describe(plan)}\n`);
  let result: unknown;
  try {
    result = (kernel[entry] as (...args: unknown[]) => unknown)(...native.args);
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`${entry} threw a non-Error: ${String(err)}`);
    counts.threw++;
    return;
  }
  counts.returned++;
  if (plan.call.works && plan.arrayChanges.length === 0 && plan.numberChanges.length === 0) counts.worked++;
  const js = materialize(plan);
  let expected: unknown;
  try {
    expected = reference(entry, js.args);
  } catch (err) {
    throw new Error(`${entry} returned where the JavaScript kernel throws (${(err as Error).message})`);
  }
  if (returnedBytes(result) !== returnedBytes(expected))
    throw new Error(
      `${entry} returned ${returnedBytes(result)}, the JavaScript kernel ${returnedBytes(expected)}`,
    );
  native.buffers.forEach((buffer, i) => {
    if (!sameBytes(buffer, js.buffers[i] as ArrayBufferLike))
      throw new Error(`${entry} left buffer ${i} other than the JavaScript kernel does`);
  });
}

function describe(plan: Plan): string {
  return JSON.stringify(plan, (_, v: unknown) =>
    v instanceof Uint8Array ? `<${v.length} bytes>` : typeof v === "bigint" ? `${v}n` : v,
  );
}

/** sortKeysInto(keys, 32, 32, 2^20, a, a): perm and top one array overflowed the heap (issue 18). */
export function regression(kernel: NativeKernel): string[] {
  const keys = new Uint8Array(32 * 2 ** 20);
  const a = new Uint32Array(2 ** 20);
  const messages: string[] = [];
  for (const call of [
    () => sortKeysInto(keys, 32, 32, 2 ** 20, a, a, kernel),
    () => kernel.sort({ keys, stride: 32, keyBytes: 32, count: 2 ** 20, perm: a, top: a }),
    // The same through the old positional API.
    () => (kernel.sort as unknown as (...args: unknown[]) => void)(keys, 32, 32, 2 ** 20, a, a),
  ]) {
    try {
      call();
      messages.push("returned");
    } catch (err) {
      messages.push(err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err));
    }
  }
  return messages;
}

function main(argv: string[]): void {
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at < 0 ? undefined : argv[at + 1];
  };
  const addon = option("--addon") ?? process.env.POR_NATIVE_ADDON;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kernel = addon !== undefined ? (require(path.resolve(addon)) as NativeKernel) : nativeKernel();
  if (kernel === undefined) {
    process.stderr.write(`no native kernel to test: ${nativeKernelProblem()}\n`);
    process.exit(2);
  }
  if (argv.includes("--regression")) {
    process.stdout.write(`${JSON.stringify({ regression: regression(kernel) })}\n`);
    return;
  }
  const seed = Number(option("--seed") ?? Date.now() % 2 ** 31);
  const runs = Number(option("--runs") ?? 2000);
  const zero = () => ({ returned: 0, worked: 0, threw: 0 });
  const report: FuzzReport = {
    seed,
    runs,
    calls: { leaves: zero(), level: zero(), gather: zero(), sort: zero(), digest: zero(), hmac: zero() },
  };
  try {
    fc.assert(
      fc.property(planArbitrary, (plan) => check(kernel, plan, report)),
      { seed, numRuns: runs },
    );
  } catch (err) {
    const cause = (err as Error).cause;
    process.stderr.write(`${(err as Error).message}\n${cause instanceof Error ? cause.message : ""}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
