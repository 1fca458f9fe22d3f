import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { InvalidFileError, PorError } from "../core/errors";
import { asciiEdgeIsSpace, showId, unicodeIdProblem } from "./account-id";
import { parseDecimalAmount } from "./decimal";
import { parseSmallDecimal } from "./decimal-bytes";

/** Longest account id accepted, in UTF-8 bytes. */
export const MAX_ACCOUNT_ID_BYTES = 1024;

/** One customer row of the liabilities CSV. `id` is only valid during the callback. */
export interface CsvRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  /** UTF-8 bytes of the account id. */
  id: Uint8Array;
  /** Balance in base units. */
  balance: bigint;
  /** The row's salt, or undefined when the salt column is absent or empty. */
  salt: Uint8Array | undefined;
}

/**
 * One customer row as the builder's hot loop sees it: one object reused for every row (no
 * allocation per row), fields given as ranges of `source`, valid only during the callback.
 */
export interface RawCsvRow {
  line: number;
  source: Uint8Array;
  idStart: number;
  idEnd: number;
  /** Balance in base units when below 10^15 (exact as a number), else -1 and `bigBalance` is set. */
  smallBalance: number;
  bigBalance: bigint;
  salt: Uint8Array | undefined;
}

export interface CsvResult {
  rows: number;
  /** sha256 of the file's bytes, 0x-prefixed. */
  inputSha256: `0x${string}`;
  bytes: number;
}

const CHUNK_BYTES = 4 << 20;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const QUOTE = 0x22;

/**
 * Streams a liabilities CSV (`account,balance[,salt]` with that header) and calls `onRow` for each
 * customer, converting balances exactly with `decimals`. Refuses, naming the line: a wrong header,
 * a wrong field count, an empty, non-UTF-8 or over-long account id, an id with whitespace at either
 * end or not in Unicode NFC (see account-id.ts), a negative, non-numeric, over-precise or
 * overflowing balance, a malformed salt, blank lines (one blank last line is allowed), and a file
 * without accounts. Fields may be double-quoted (RFC 4180, `""` for a quote) but may not span lines.
 * `afterChunk` runs between input chunks (backpressure for asynchronous consumers).
 */
export async function parseLiabilitiesCsv(
  file: string,
  decimals: number,
  onRow: (row: CsvRow) => void,
  afterChunk?: (bytesRead: number) => Promise<void> | void,
): Promise<CsvResult> {
  return scanLiabilitiesCsv(
    file,
    decimals,
    (row) =>
      onRow({
        line: row.line,
        id: row.source.subarray(row.idStart, row.idEnd),
        balance: row.smallBalance >= 0 ? BigInt(row.smallBalance) : row.bigBalance,
        salt: row.salt,
      }),
    afterChunk,
  );
}

/** parseLiabilitiesCsv with the allocation-free RawCsvRow (same checks, same refusals). */
export async function scanLiabilitiesCsv(
  file: string,
  decimals: number,
  onRow: (row: RawCsvRow) => void,
  afterChunk?: (bytesRead: number) => Promise<void> | void,
): Promise<CsvResult> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
  } catch (err) {
    throw new InvalidFileError(`cannot read ${file}`, {
      details: (err as NodeJS.ErrnoException).code,
      cause: err,
    });
  }
  const sha = createHash("sha256");
  const fail = (line: number, message: string): never => {
    throw new InvalidFileError(`${file}:${line}: ${message}`);
  };
  let line = 0;
  let columns = 0;
  let rows = 0;
  let bytes = 0;
  let carry: Buffer = Buffer.alloc(0);
  const saltBuffer = new Uint8Array(32);
  let quoteBuffer: Buffer | undefined;
  let quoteAt = -1;
  // Field ranges of the current line (first three fields), and its reused row object.
  const bounds = new Int32Array(6);
  let ascii = true;
  // A blank line is accepted only as the file's last line: it is refused once another line follows.
  let blankLine = 0;
  const row: RawCsvRow = {
    line: 0,
    source: saltBuffer,
    idStart: 0,
    idEnd: 0,
    smallBalance: 0,
    bigBalance: 0n,
    salt: undefined,
  };

  const handleLine = (buf: Buffer, start: number, end: number): void => {
    line++;
    if (end > start && buf[end - 1] === 0x0d) end--;
    if (line === 1) {
      if (buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3; // BOM
      const header = buf.toString("utf8", start, end).trim().toLowerCase();
      if (header === "account,balance") columns = 2;
      else if (header === "account,balance,salt") columns = 3;
      else
        fail(1, `header must be "account,balance" or "account,balance,salt", got ${JSON.stringify(header)}`);
      return;
    }
    if (blankLine !== 0) fail(blankLine, "blank line (only the file's last line may be blank)");
    if (end === start) {
      blankLine = line;
      return;
    }
    let source: Buffer = buf;
    let fieldCount = 0;
    // The next quote in `buf` is looked up once per quote, not once per line (that would be
    // quadratic in the chunk size).
    if (buf !== quoteBuffer) {
      quoteBuffer = buf;
      quoteAt = buf.indexOf(QUOTE, start);
    } else if (quoteAt !== -1 && quoteAt < start) {
      quoteAt = buf.indexOf(QUOTE, start);
    }
    if (quoteAt !== -1 && quoteAt < end) {
      const parsed = splitQuoted(buf, start, end);
      if (parsed === undefined) return fail(line, "malformed quoted field");
      source = Buffer.concat(parsed);
      let offset = 0;
      for (const f of parsed) {
        if (fieldCount < 3) {
          bounds[2 * fieldCount] = offset;
          bounds[2 * fieldCount + 1] = offset + f.length;
        }
        offset += f.length;
        fieldCount++;
      }
    } else {
      // One pass over the bytes: field boundaries, and whether the line is ASCII (then the id is
      // valid UTF-8 without calling isUtf8 on a new subarray).
      let from = start;
      for (let i = start; i < end; i++) {
        const c = buf[i] as number;
        if (c === COMMA) {
          if (fieldCount < 3) {
            bounds[2 * fieldCount] = from;
            bounds[2 * fieldCount + 1] = i;
          }
          fieldCount++;
          from = i + 1;
        } else if (c >= 0x80) {
          ascii = false;
        }
      }
      if (fieldCount < 3) {
        bounds[2 * fieldCount] = from;
        bounds[2 * fieldCount + 1] = end;
      }
      fieldCount++;
    }
    if (fieldCount !== columns && !(columns === 3 && fieldCount === 2)) {
      fail(line, `expected ${columns} fields, got ${fieldCount}`);
    }
    const idStart = bounds[0] as number;
    const idEnd = bounds[1] as number;
    if (idEnd === idStart) fail(line, "empty account id");
    if (idEnd - idStart > MAX_ACCOUNT_ID_BYTES)
      fail(line, `account id longer than ${MAX_ACCOUNT_ID_BYTES} bytes`);
    // ASCII whitespace bytes are all <= 0x20: one comparison per end in the common case.
    if (
      ((source[idStart] as number) <= 0x20 || (source[idEnd - 1] as number) <= 0x20) &&
      asciiEdgeIsSpace(source, idStart, idEnd)
    ) {
      fail(
        line,
        `account id ${showId(source.toString("utf8", idStart, idEnd))} has leading or trailing whitespace`,
      );
    }
    if (!(source === buf && ascii)) {
      // Some byte of the line (or of a quoted line) is not ASCII: the id may be, else check it.
      let maxByte = 0;
      for (let i = idStart; i < idEnd; i++)
        if ((source[i] as number) > maxByte) maxByte = source[i] as number;
      const problem = maxByte < 0x80 ? undefined : unicodeIdProblem(source, idStart, idEnd, maxByte);
      if (problem !== undefined) fail(line, `account id ${problem}`);
    }
    ascii = true;
    const balStart = bounds[2] as number;
    const balEnd = bounds[3] as number;
    row.smallBalance = parseSmallDecimal(source, balStart, balEnd, decimals);
    if (row.smallBalance < 0) {
      try {
        row.bigBalance = parseDecimalAmount(source.toString("latin1", balStart, balEnd), decimals);
      } catch (err) {
        if (err instanceof PorError) return fail(line, err.message);
        throw err;
      }
    }
    row.salt = undefined;
    if (fieldCount === 3 && (bounds[5] as number) > (bounds[4] as number)) {
      const text = source.toString("latin1", bounds[4], bounds[5]);
      if (!/^0x[0-9a-fA-F]{64}$/.test(text))
        fail(line, `salt ${JSON.stringify(text)} is not a 0x-prefixed 32-byte hex string`);
      Buffer.from(saltBuffer.buffer).write(text.slice(2), 0, 32, "hex");
      row.salt = saltBuffer;
    }
    rows++;
    row.line = line;
    row.source = source;
    row.idStart = idStart;
    row.idEnd = idEnd;
    onRow(row);
  };

  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      sha.update(chunk.subarray(0, bytesRead));
      const buf =
        carry.length > 0
          ? Buffer.concat([carry, chunk.subarray(0, bytesRead)])
          : chunk.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(NEWLINE, start);
        if (nl === -1) break;
        handleLine(buf, start, nl);
        start = nl + 1;
      }
      carry = Buffer.from(buf.subarray(start));
      if (afterChunk) await afterChunk(bytes);
    }
    if (carry.length > 0) handleLine(carry, 0, carry.length);
  } catch (err) {
    if (err instanceof PorError) throw err;
    if ((err as NodeJS.ErrnoException).code !== undefined) {
      throw new InvalidFileError(`cannot read ${file}`, {
        details: (err as NodeJS.ErrnoException).code,
        cause: err,
      });
    }
    throw err;
  } finally {
    await handle.close();
  }
  if (line === 0) throw new InvalidFileError(`${file}: empty file`);
  if (rows === 0) throw new InvalidFileError(`${file}: no accounts after the header`);
  return { rows, inputSha256: `0x${sha.digest("hex")}`, bytes };
}

/** Splits one line with RFC 4180 quoting; undefined if a quote is misplaced or unterminated. */
function splitQuoted(buf: Buffer, start: number, end: number): Buffer[] | undefined {
  const fields: Buffer[] = [];
  let i = start;
  for (;;) {
    if (buf[i] === QUOTE) {
      const parts: Buffer[] = [];
      let from = i + 1;
      for (;;) {
        const q = buf.indexOf(QUOTE, from);
        if (q === -1 || q >= end) return undefined;
        parts.push(buf.subarray(from, q));
        if (buf[q + 1] === QUOTE) {
          parts.push(Buffer.from([QUOTE]));
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(Buffer.concat(parts));
      if (i === end) return fields;
      if (buf[i] !== COMMA) return undefined;
      i++;
    } else {
      let comma = buf.indexOf(COMMA, i);
      if (comma === -1 || comma > end) comma = end;
      const field = buf.subarray(i, comma);
      if (field.includes(QUOTE)) return undefined;
      fields.push(field);
      if (comma === end) return fields;
      i = comma + 1;
    }
  }
}
