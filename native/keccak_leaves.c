/*
 * Optional native kernel for the liabilities builder (src/liabilities/native.ts): keccak256 in C
 * (keccakf.h), HMAC-SHA256 salts with the SHA-256 of the OpenSSL that Node links and exports for
 * addons (SHA-NI where the CPU has it; no second implementation to keep), called once per batch
 * or range instead of once per hash. The builder falls back to the WebAssembly kernel when this
 * addon is not built; test/liabilities/native.test.ts checks both give the same bytes.
 *
 * Every call is checked before any memory is touched, whoever makes it: each entry point takes
 * one options object whose properties are read first (a getter or Proxy trap is JavaScript that
 * could detach or shrink a buffer, so no pointer is taken until they have all run), then each
 * array must be a typed array of exactly its element type, each number an integer in [0, 2^32),
 * every range must lie inside its array's real byte length, and no output may share memory with
 * another output or an input. Any failed N-API call throws. The bounds are computed in 64 bits
 * from 32-bit operands, so they cannot overflow (see `within`). These checks cost O(1) per call;
 * the loops keep only the per-element bounds they always had (ids, order and perm entries are
 * data). Out of scope: another thread writing a SharedArrayBuffer this call is reading, a data
 * race the builder never makes.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co.: the fast path for two-block messages */
#include <node_api.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keccakf.h"

/* ---- Errors: every failure throws and the entry point returns NULL at once. ---- */

enum { TYPE_ERROR, RANGE_ERROR };

static void vthrow(napi_env env, int kind, const char *fn, const char *format, va_list args) {
  char message[400];
  int n = snprintf(message, sizeof message, "native kernel %s: ", fn);
  if (n < 0 || (size_t)n >= sizeof message) n = 0;
  vsnprintf(message + n, sizeof message - (size_t)n, format, args);
  /* If even throwing fails there is nothing left to do: the call still returns no value. */
  if (kind == RANGE_ERROR) (void)napi_throw_range_error(env, NULL, message);
  else (void)napi_throw_type_error(env, NULL, message);
}

/* Throws "native kernel <fn>: <message>" as a TypeError or RangeError; returns false. */
static bool fail(napi_env env, int kind, const char *fn, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vthrow(env, kind, fn, format, args);
  va_end(args);
  return false;
}

/* fail() for an entry point: `return refuse(...)`. */
static napi_value refuse(napi_env env, int kind, const char *fn, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vthrow(env, kind, fn, format, args);
  va_end(args);
  return NULL;
}

/*
 * A failed N-API call: the JavaScript exception it left pending (a getter that threw) goes up
 * as it is, else an Error naming the call. Never continues.
 */
static bool napi_failed(napi_env env, const char *fn, const char *call) {
  const napi_extended_error_info *info = NULL;
  char message[300];
  /* The error info is only valid until the next N-API call: copy it first. */
  snprintf(message, sizeof message, "native kernel %s: %.*s failed (%s)", fn, (int)strcspn(call, "("), call,
           napi_get_last_error_info(env, &info) == napi_ok && info != NULL && info->error_message != NULL
               ? info->error_message
               : "no error info");
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) (void)napi_throw_error(env, NULL, message);
  return false;
}

/* `call` (an N-API call in a function with `env` and `fn`) succeeded, or it has thrown. */
#define NAPI_OK(call) ((call) == napi_ok || napi_failed(env, fn, #call))

/* ---- Arguments ---- */

/* A typed array's bytes. `data` is never NULL (an empty or detached array points at `none`). */
typedef struct {
  uint8_t *data;
  size_t bytes;
  size_t byteOffset;
  bool given; /* false for a nullable argument passed as null */
} view;

static uint8_t none[1];

/*
 * Reads the properties `names` of the call's single options object into `values`. Any JavaScript
 * these reads run (getters, Proxy traps) runs here, before a single pointer is taken.
 */
static bool read_options(napi_env env, napi_callback_info info, const char *fn, const char *const names[],
                         size_t n, napi_value values[]) {
  size_t argc = 1;
  napi_value options;
  napi_valuetype type;
  if (!NAPI_OK(napi_get_cb_info(env, info, &argc, &options, NULL, NULL))) return false;
  if (argc != 1) return fail(env, TYPE_ERROR, fn, "takes one options object, got %zu arguments", argc);
  if (!NAPI_OK(napi_typeof(env, options, &type))) return false;
  if (type != napi_object) return fail(env, TYPE_ERROR, fn, "takes one options object");
  for (size_t i = 0; i < n; i++)
    if (!NAPI_OK(napi_get_named_property(env, options, names[i], &values[i]))) return false;
  return true;
}

static const char *type_name(napi_typedarray_type type) {
  switch (type) {
  case napi_int8_array: return "Int8Array";
  case napi_uint8_array: return "Uint8Array";
  case napi_uint8_clamped_array: return "Uint8ClampedArray";
  case napi_int16_array: return "Int16Array";
  case napi_uint16_array: return "Uint16Array";
  case napi_int32_array: return "Int32Array";
  case napi_uint32_array: return "Uint32Array";
  case napi_float32_array: return "Float32Array";
  case napi_float64_array: return "Float64Array";
  case napi_bigint64_array: return "BigInt64Array";
  case napi_biguint64_array: return "BigUint64Array";
  default: return "typed array of another kind";
  }
}

/*
 * `value` (named `what` `key`: "options." "ids", "argument " "1") as a typed array of exactly
 * `want` (a Buffer is a Uint8Array; a DataView, a plain array or another element type is refused),
 * or null where `nullable`.
 */
static bool get_array(napi_env env, const char *fn, const char *what, const char *key, napi_value value,
                      napi_typedarray_type want, bool nullable, view *out) {
  napi_valuetype kind;
  bool isTyped = false;
  napi_typedarray_type type;
  size_t length, byteOffset;
  void *data;
  napi_value buffer;
  if (!NAPI_OK(napi_typeof(env, value, &kind))) return false;
  if (nullable && kind == napi_null) {
    *out = (view){none, 0, 0, false};
    return true;
  }
  if (!NAPI_OK(napi_is_typedarray(env, value, &isTyped))) return false;
  if (!isTyped)
    return fail(env, TYPE_ERROR, fn, "%s%s must be a %s%s", what, key, type_name(want),
                nullable ? " or null" : "");
  if (!NAPI_OK(napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &byteOffset))) return false;
  if (type != want)
    return fail(env, TYPE_ERROR, fn, "%s%s must be a %s, not a %s", what, key, type_name(want), type_name(type));
  /* The JavaScript kernel cannot view a detached buffer either (and a SharedArrayBuffer is never one). */
  bool detached = false;
  if (!NAPI_OK(napi_is_detached_arraybuffer(env, buffer, &detached))) return false;
  if (detached) return fail(env, TYPE_ERROR, fn, "%s%s is on a detached ArrayBuffer", what, key);
  size_t size = want == napi_uint32_array ? 4 : 1;
  if (data == NULL && length != 0) return fail(env, TYPE_ERROR, fn, "%s%s has no memory", what, key);
  *out = (view){data != NULL ? (uint8_t *)data : none, length * size, byteOffset, true};
  return true;
}

/* `value` (options.`key`) as an integer in [0, 2^32): no NaN, fraction, sign or wrap-around. */
static bool get_u32(napi_env env, const char *fn, const char *key, napi_value value, uint32_t *out) {
  napi_valuetype kind;
  double number;
  if (!NAPI_OK(napi_typeof(env, value, &kind))) return false;
  if (kind != napi_number) return fail(env, TYPE_ERROR, fn, "options.%s must be a number", key);
  if (!NAPI_OK(napi_get_value_double(env, value, &number))) return false;
  if (!(number >= 0 && number <= 4294967295.0) || (double)(uint32_t)number != number)
    return fail(env, RANGE_ERROR, fn, "options.%s must be an integer from 0 to 2^32 - 1, got %g", key, number);
  *out = (uint32_t)number;
  return true;
}

/*
 * end <= the array's byte length. Every `end` here is a sum of products of 32-bit values (at most
 * (2^32 - 1)^2 + 2 * (2^32 - 1) = 2^64 - 1), computed in uint64_t: it cannot wrap.
 */
static bool within(uint64_t end, const view *v) {
  return end <= (uint64_t)v->bytes;
}

static bool check_within(napi_env env, const char *fn, uint64_t end, const view *v, const char *key) {
  if (within(end, v)) return true;
  return fail(env, RANGE_ERROR, fn, "options.%s has %zu bytes, the call needs %llu", key, v->bytes,
              (unsigned long long)end);
}

/* Word-aligned, as the JavaScript kernel reads these arrays through Uint32Array views. */
static bool check_aligned(napi_env env, const char *fn, const view *v, const char *key) {
  if (v->byteOffset % 4 == 0) return true;
  return fail(env, RANGE_ERROR, fn, "options.%s must start at a multiple of 4 bytes (byteOffset %zu)", key,
              v->byteOffset);
}

static bool overlap(const view *a, const view *b) {
  uintptr_t a0 = (uintptr_t)a->data, b0 = (uintptr_t)b->data;
  return a->bytes != 0 && b->bytes != 0 && a0 < b0 + b->bytes && b0 < a0 + a->bytes;
}

/* Outputs [0, outputs) of `v` share memory with no other array of `v` (the inputs follow them). */
static bool check_disjoint(napi_env env, const char *fn, const view v[], const char *const names[], size_t outputs,
                           size_t n) {
  for (size_t i = 0; i < outputs; i++)
    for (size_t j = i + 1; j < n; j++)
      if (overlap(&v[i], &v[j]))
        return fail(env, RANGE_ERROR, fn, "options.%s and options.%s share memory (an output must not overlap %s)",
                    names[i], names[j], j < outputs ? "another output" : "an input");
  return true;
}

static napi_value no_value(napi_env env, const char *fn) {
  napi_value result;
  return NAPI_OK(napi_get_undefined(env, &result)) ? result : NULL;
}

/* ---- HMAC-SHA256 ---- */

/* HMAC-SHA256 with the key's inner and outer states computed once (two compressions per MAC). */
typedef struct {
  SHA256_CTX inner, outer;
} hmac_key;

static void hmac_init(hmac_key *k, const uint8_t *key, size_t len) {
  uint8_t block[64] = {0}, pad[64];
  if (len > 64) SHA256(key, len, block);
  else memcpy(block, key, len);
  for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&k->inner);
  SHA256_Update(&k->inner, pad, 64);
  for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&k->outer);
  SHA256_Update(&k->outer, pad, 64);
}

static void hmac(const hmac_key *k, const uint8_t *msg, size_t len, uint8_t out[32]) {
  SHA256_CTX c = k->inner;
  uint8_t inner[32];
  SHA256_Update(&c, msg, len);
  SHA256_Final(inner, &c);
  c = k->outer;
  SHA256_Update(&c, inner, 32);
  SHA256_Final(out, &c);
}

/* ---- Entry points ---- */

/*
 * leaves({ids, idEnds, salts, hasSalt, balances, leafHashes, idPrefixes, records, secret, from,
 * to}): hashLeafRange of src/liabilities/leaves.ts (its reference) for accounts [from, to) of a
 * LeafBatch: salts where hasSalt is 0 (HMAC-SHA256(secret, id); secret null when every salt is
 * given), leaf hashes, id hash prefixes, and the records back to back.
 */
static napi_value leaves(napi_env env, napi_callback_info info) {
  const char *fn = "leaves";
  /* Outputs first (salts is read where given and written where derived), then inputs. */
  enum { SALTS, HASHES, PREFIXES, RECORDS, IDS, ENDS, HAS, BALANCES, SECRET, ARRAYS, FROM = ARRAYS, TO, KEYS };
  static const char *const names[KEYS] = {"salts",   "leafHashes", "idPrefixes", "records", "ids", "idEnds",
                                          "hasSalt", "balances",   "secret",     "from",    "to"};
  static const napi_typedarray_type types[ARRAYS] = {napi_uint8_array, napi_uint8_array, napi_uint8_array,
                                                     napi_uint8_array, napi_uint8_array, napi_uint32_array,
                                                     napi_uint8_array, napi_uint8_array, napi_uint8_array};
  napi_value values[KEYS];
  view v[ARRAYS];
  uint32_t from, to;
  if (!read_options(env, info, fn, names, KEYS, values)) return NULL;
  for (int i = 0; i < ARRAYS; i++)
    if (!get_array(env, fn, "options.", names[i], values[i], types[i], i == SECRET, &v[i])) return NULL;
  if (!get_u32(env, fn, names[FROM], values[FROM], &from) || !get_u32(env, fn, names[TO], values[TO], &to))
    return NULL;
  if (from > to) return refuse(env, RANGE_ERROR, fn, "options.from (%u) is after options.to (%u)", from, to);
  if (!check_within(env, fn, (uint64_t)to * 4, &v[ENDS], names[ENDS]) ||
      !check_within(env, fn, to, &v[HAS], names[HAS]) ||
      !check_within(env, fn, (uint64_t)to * 32, &v[SALTS], names[SALTS]) ||
      !check_within(env, fn, (uint64_t)to * 32, &v[BALANCES], names[BALANCES]) ||
      !check_within(env, fn, (uint64_t)to * 32, &v[HASHES], names[HASHES]) ||
      !check_within(env, fn, (uint64_t)to * 8, &v[PREFIXES], names[PREFIXES]))
    return NULL;
  static const int aligned[] = {SALTS, HASHES, PREFIXES, BALANCES};
  for (size_t k = 0; k < sizeof aligned / sizeof aligned[0]; k++)
    if (!check_aligned(env, fn, &v[aligned[k]], names[aligned[k]])) return NULL;
  if (v[SECRET].given && v[SECRET].bytes == 0)
    return refuse(env, RANGE_ERROR, fn, "options.secret is empty (pass null when every salt is given)");
  if (!check_disjoint(env, fn, v, names, IDS, ARRAYS)) return NULL;

  const uint8_t *ids = v[IDS].data, *has = v[HAS].data, *balances = v[BALANCES].data;
  const uint32_t *ends = (const uint32_t *)v[ENDS].data;
  uint8_t *salts = v[SALTS].data, *out = v[HASHES].data, *prefixes = v[PREFIXES].data, *records = v[RECORDS].data;
  hmac_key key;
  if (v[SECRET].given) hmac_init(&key, v[SECRET].data, v[SECRET].bytes);
  uint8_t buf[64];
  for (uint32_t i = from; i < to; i++) {
    uint32_t start = i == 0 ? 0 : ends[i - 1];
    uint32_t end = ends[i];
    /* record: 36 * i + start .. 36 * i + end + 36 */
    if (start > end || !within(end, &v[IDS]) || !within(36 * (uint64_t)i + end + 36, &v[RECORDS]))
      return refuse(env, RANGE_ERROR, fn, "account %u's id [%u, %u) or its record is outside options.ids or records",
                    i, start, end);
    size_t r = 36 * (size_t)i + start;
    uint8_t *salt = salts + 32 * (size_t)i;
    if (has[i] == 0) {
      if (!v[SECRET].given)
        return refuse(env, RANGE_ERROR, fn, "account %u has no salt and options.secret is null", i);
      hmac(&key, ids + start, end - start, salt);
    }
    keccak256(ids + start, end - start, buf + 32); /* idHash */
    memcpy(prefixes + 8 * (size_t)i, buf + 32, 8);
    memcpy(buf, salt, 32);
    keccak256(buf, 64, buf); /* commitment = keccak(salt, idHash) */
    memcpy(buf + 32, balances + 32 * (size_t)i, 32);
    keccak256(buf, 64, buf); /* keccak(commitment, balance) */
    keccak256(buf, 32, out + 32 * (size_t)i); /* leaf */
    /* record: u32 idLength (little-endian), salt, id */
    uint32_t length = end - start;
    records[r] = length & 0xff;
    records[r + 1] = (length >> 8) & 0xff;
    records[r + 2] = (length >> 16) & 0xff;
    records[r + 3] = length >> 24;
    memcpy(records + r + 4, salt, 32);
    memcpy(records + r + 36, ids + start, length);
  }
  return no_value(env, fn);
}

/*
 * level({hashes, sums, sumStride, order, count, outHashes, outSums, sumBytes, from, to}): parents
 * [from, to) of a level of `count` nodes, as hashLevelRange in src/liabilities/levels.ts (the
 * rule's reference): children 2i and 2i + 1 (through `order` when it is not null) ordered by hash,
 * keccak256(abi.encode(h1, s1, h2, s2)) and s1 + s2, or a lone last child copied.
 */
static napi_value level(napi_env env, napi_callback_info info) {
  const char *fn = "level";
  enum { OUT_HASHES, OUT_SUMS, HASHES, SUMS, ORDER, ARRAYS, STRIDE = ARRAYS, COUNT, WIDTH, FROM, TO, KEYS };
  static const char *const names[KEYS] = {"outHashes", "outSums",  "hashes", "sums", "order",
                                          "sumStride", "count",    "sumBytes", "from", "to"};
  static const napi_typedarray_type types[ARRAYS] = {napi_uint8_array, napi_uint8_array, napi_uint8_array,
                                                     napi_uint8_array, napi_uint32_array};
  napi_value values[KEYS];
  view v[ARRAYS];
  uint32_t n[KEYS];
  if (!read_options(env, info, fn, names, KEYS, values)) return NULL;
  for (int i = 0; i < ARRAYS; i++)
    if (!get_array(env, fn, "options.", names[i], values[i], types[i], i == ORDER, &v[i])) return NULL;
  for (int i = ARRAYS; i < KEYS; i++)
    if (!get_u32(env, fn, names[i], values[i], &n[i])) return NULL;
  uint32_t stride = n[STRIDE], count = n[COUNT], width = n[WIDTH], from = n[FROM], to = n[TO];
  if (width == 0 || width > 32 || width % 4 != 0)
    return refuse(env, RANGE_ERROR, fn, "options.sumBytes must be 4, 8, ... or 32, got %u", width);
  if (stride < width || stride % 4 != 0)
    return refuse(env, RANGE_ERROR, fn, "options.sumStride must be a multiple of 4 of at least sumBytes, got %u",
                  stride);
  if (from > to || (uint64_t)to * 2 > (uint64_t)count + 1)
    return refuse(env, RANGE_ERROR, fn, "parents [%u, %u) are not parents of %u nodes", from, to, count);
  if (!check_within(env, fn, (uint64_t)to * 32, &v[OUT_HASHES], names[OUT_HASHES]) ||
      !check_within(env, fn, (uint64_t)to * width, &v[OUT_SUMS], names[OUT_SUMS]) ||
      (v[ORDER].given && !check_within(env, fn, (uint64_t)count * 4, &v[ORDER], names[ORDER])))
    return NULL;
  for (int i = OUT_HASHES; i <= SUMS; i++)
    if (!check_aligned(env, fn, &v[i], names[i])) return NULL;
  if (!check_disjoint(env, fn, v, names, HASHES, ARRAYS)) return NULL;

  const uint8_t *hashes = v[HASHES].data, *sums = v[SUMS].data;
  const uint32_t *order = v[ORDER].given ? (const uint32_t *)v[ORDER].data : NULL;
  uint8_t *outH = v[OUT_HASHES].data, *outS = v[OUT_SUMS].data;
  uint8_t buf[128];
  memset(buf, 0, sizeof buf); /* the unused high bytes of both sum words stay zero */
  for (uint32_t i = from; i < to; i++) {
    size_t left = 2 * (size_t)i;
    uint32_t a = order ? order[left] : (uint32_t)left;
    if (!within(((uint64_t)a + 1) * 32, &v[HASHES]) || !within(((uint64_t)a + 1) * stride, &v[SUMS]))
      return refuse(env, RANGE_ERROR, fn, "node %u is outside options.hashes or options.sums", a);
    const uint8_t *aSum = sums + ((size_t)a + 1) * stride - width;
    uint8_t *oSum = outS + (size_t)i * width;
    if (left + 1 >= count) {
      memcpy(outH + 32 * (size_t)i, hashes + 32 * (size_t)a, 32);
      memcpy(oSum, aSum, width);
      continue;
    }
    uint32_t b = order ? order[left + 1] : (uint32_t)left + 1;
    if (!within(((uint64_t)b + 1) * 32, &v[HASHES]) || !within(((uint64_t)b + 1) * stride, &v[SUMS]))
      return refuse(env, RANGE_ERROR, fn, "node %u is outside options.hashes or options.sums", b);
    const uint8_t *bSum = sums + ((size_t)b + 1) * stride - width;
    unsigned carry = 0;
    for (int k = (int)width - 1; k >= 0; k--) {
      unsigned s = (unsigned)aSum[k] + bSum[k] + carry;
      oSum[k] = (uint8_t)s;
      carry = s >> 8;
    }
    if (carry) return refuse(env, RANGE_ERROR, fn, "parent %u's sum does not fit in %u bytes", i, width);
    int aFirst = memcmp(hashes + 32 * (size_t)a, hashes + 32 * (size_t)b, 32) <= 0;
    size_t lo = aFirst ? a : b, hi = aFirst ? b : a;
    memcpy(buf, hashes + 32 * lo, 32);
    memcpy(buf + 64 - width, aFirst ? aSum : bSum, width);
    memcpy(buf + 64, hashes + 32 * hi, 32);
    memcpy(buf + 128 - width, aFirst ? bSum : aSum, width);
    keccak256(buf, 128, outH + 32 * (size_t)i);
  }
  return no_value(env, fn);
}

/*
 * gather({src, srcStride, srcOffset, width, perm, from, to, dst, dstStride, dstOffset}): for i in
 * [from, to), copies `width` bytes at src[perm[i] * srcStride + srcOffset] to
 * dst[(i - from) * dstStride + dstOffset] (gatherRange in src/liabilities/gather.ts, its
 * reference). Random reads over large arrays: in C the CPU overlaps the cache misses that cost
 * ~200 ns each in a JavaScript loop.
 */
static napi_value gather(napi_env env, napi_callback_info info) {
  const char *fn = "gather";
  enum { DST, SRC, PERM, ARRAYS, SRC_STRIDE = ARRAYS, SRC_OFFSET, WIDTH, FROM, TO, DST_STRIDE, DST_OFFSET, KEYS };
  static const char *const names[KEYS] = {"dst",  "src", "perm",      "srcStride", "srcOffset",
                                          "width", "from", "to", "dstStride", "dstOffset"};
  static const napi_typedarray_type types[ARRAYS] = {napi_uint8_array, napi_uint8_array, napi_uint32_array};
  napi_value values[KEYS];
  view v[ARRAYS];
  uint32_t n[KEYS];
  if (!read_options(env, info, fn, names, KEYS, values)) return NULL;
  for (int i = 0; i < ARRAYS; i++)
    if (!get_array(env, fn, "options.", names[i], values[i], types[i], false, &v[i])) return NULL;
  for (int i = ARRAYS; i < KEYS; i++)
    if (!get_u32(env, fn, names[i], values[i], &n[i])) return NULL;
  uint32_t srcStride = n[SRC_STRIDE], srcOffset = n[SRC_OFFSET], width = n[WIDTH], from = n[FROM], to = n[TO],
           dstStride = n[DST_STRIDE], dstOffset = n[DST_OFFSET];
  if (from > to) return refuse(env, RANGE_ERROR, fn, "options.from (%u) is after options.to (%u)", from, to);
  if ((uint64_t)srcOffset + width > srcStride || (uint64_t)dstOffset + width > dstStride)
    return refuse(env, RANGE_ERROR, fn, "options.width from an offset must fit in its stride");
  if (!check_within(env, fn, (uint64_t)to * 4, &v[PERM], names[PERM]) ||
      (to > from && !check_within(env, fn, (uint64_t)(to - from - 1) * dstStride + dstOffset + width, &v[DST],
                                  names[DST])))
    return NULL;
  if (!check_disjoint(env, fn, v, names, SRC, ARRAYS)) return NULL;

  const uint8_t *src = v[SRC].data;
  const uint32_t *perm = (const uint32_t *)v[PERM].data;
  uint8_t *dst = v[DST].data;
  for (uint32_t i = from; i < to; i++) {
    uint64_t at = (uint64_t)perm[i] * srcStride + srcOffset;
    if (!within(at + width, &v[SRC]))
      return refuse(env, RANGE_ERROR, fn, "options.perm[%u] = %u is outside options.src", i, perm[i]);
    memcpy(dst + (size_t)(i - from) * dstStride + dstOffset, src + at, width);
  }
  return no_value(env, fn);
}

/* Keys i and j (big-endian byte strings), the smaller index first among equal keys. */
static int key_cmp(const uint8_t *keys, size_t stride, size_t width, uint32_t i, uint32_t j) {
  int d = memcmp(keys + i * stride, keys + j * stride, width);
  return d != 0 ? d : (i < j ? -1 : i > j);
}

/* Sorts the indices v[0..n) by key; tmp has room for n. Runs are short: hash prefixes rarely tie. */
static void sort_run(uint32_t *v, uint32_t *tmp, size_t n, const uint8_t *keys, size_t stride, size_t width) {
  if (n <= 16) {
    for (size_t a = 1; a < n; a++) {
      uint32_t x = v[a];
      size_t b = a;
      for (; b > 0 && key_cmp(keys, stride, width, v[b - 1], x) > 0; b--) v[b] = v[b - 1];
      v[b] = x;
    }
    return;
  }
  size_t h = n / 2, a = 0, b = h, o = 0;
  sort_run(v, tmp, h, keys, stride, width);
  sort_run(v + h, tmp, n - h, keys, stride, width);
  while (a < h && b < n) tmp[o++] = key_cmp(keys, stride, width, v[a], v[b]) < 0 ? v[a++] : v[b++];
  while (a < h) tmp[o++] = v[a++];
  while (b < n) tmp[o++] = v[b++];
  memcpy(v, tmp, n * 4);
}

/*
 * sort({keys, stride, keyBytes, count, perm, top}): sortKeysInto of src/liabilities/sort.ts (its
 * reference): perm sorts the keys (keyBytes big-endian bytes at keys[i * stride]), ties by index,
 * and top[i] is the first 32 bits of the i-th sorted key. Four 8-bit LSD radix passes over
 * those bits with (bits, index) pairs, 256 buckets each (a 16-bit pass scatters over 65536
 * places, a cache and TLB miss each at 10^8 keys), then runs that tie on them by the whole key.
 * perm and top are the passes' buffers, so they must not overlap each other or the keys.
 */
static napi_value sort(napi_env env, napi_callback_info info) {
  const char *fn = "sort";
  enum { PERM, TOP, KEYS_ARRAY, ARRAYS, STRIDE = ARRAYS, WIDTH, COUNT, KEYS };
  static const char *const names[KEYS] = {"perm", "top", "keys", "stride", "keyBytes", "count"};
  static const napi_typedarray_type types[ARRAYS] = {napi_uint32_array, napi_uint32_array, napi_uint8_array};
  napi_value values[KEYS];
  view v[ARRAYS];
  uint32_t n[KEYS];
  if (!read_options(env, info, fn, names, KEYS, values)) return NULL;
  for (int i = 0; i < ARRAYS; i++)
    if (!get_array(env, fn, "options.", names[i], values[i], types[i], false, &v[i])) return NULL;
  for (int i = ARRAYS; i < KEYS; i++)
    if (!get_u32(env, fn, names[i], values[i], &n[i])) return NULL;
  uint32_t stride = n[STRIDE], width = n[WIDTH], count = n[COUNT];
  if (width < 4 || width > stride)
    return refuse(env, RANGE_ERROR, fn, "options.keyBytes must be at least 4 and at most options.stride");
  if (!check_within(env, fn, (uint64_t)count * 4, &v[PERM], names[PERM]) ||
      !check_within(env, fn, (uint64_t)count * 4, &v[TOP], names[TOP]) ||
      (count > 0 &&
       !check_within(env, fn, (uint64_t)(count - 1) * stride + width, &v[KEYS_ARRAY], names[KEYS_ARRAY])))
    return NULL;
  if (!check_disjoint(env, fn, v, names, KEYS_ARRAY, ARRAYS)) return NULL;

  const uint8_t *keyBytes = v[KEYS_ARRAY].data;
  uint32_t *perm = (uint32_t *)v[PERM].data, *top = (uint32_t *)v[TOP].data;
  uint32_t *tmpTop = malloc((size_t)count * 4 + 4), *tmpPerm = malloc((size_t)count * 4 + 4);
  if (tmpTop == NULL || tmpPerm == NULL) {
    free(tmpTop);
    free(tmpPerm);
    return refuse(env, RANGE_ERROR, fn, "out of memory for %u keys", count);
  }
  size_t counts[4][256] = {{0}};
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *k = keyBytes + (size_t)i * stride;
    uint32_t t = (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 | (uint32_t)k[2] << 8 | k[3];
    top[i] = t;
    perm[i] = i;
    for (int p = 0; p < 4; p++) counts[p][(t >> (8 * p)) & 0xff]++;
  }
  uint32_t *fromTop = top, *fromPerm = perm, *toTop = tmpTop, *toPerm = tmpPerm;
  for (int p = 0; p < 4; p++) {
    size_t at[256], sum = 0;
    for (int b = 0; b < 256; b++) at[b] = sum, sum += counts[p][b];
    for (uint32_t i = 0; i < count; i++) {
      size_t o = at[(fromTop[i] >> (8 * p)) & 0xff]++;
      toTop[o] = fromTop[i];
      toPerm[o] = fromPerm[i];
    }
    uint32_t *t = fromTop;
    fromTop = toTop, toTop = t;
    t = fromPerm, fromPerm = toPerm, toPerm = t;
  }
  /* Four passes: the sorted pairs are back in top and perm. */
  for (size_t i = 0; i < count;) {
    size_t j = i + 1;
    while (j < count && top[j] == top[i]) j++;
    if (j - i > 1) sort_run(perm + i, tmpPerm, j - i, keyBytes, stride, width);
    i = j;
  }
  free(tmpTop);
  free(tmpPerm);
  return no_value(env, fn);
}

/* The call's `count` positional arguments, each a Uint8Array, for the self-test's two helpers. */
static bool byte_args(napi_env env, napi_callback_info info, const char *fn, size_t count, view out[]) {
  static const char *const names[2] = {"1", "2"};
  size_t argc = 2;
  napi_value argv[2];
  if (!NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL))) return false;
  if (argc != count)
    return fail(env, TYPE_ERROR, fn, "takes %zu Uint8Array argument%s, got %zu", count, count == 1 ? "" : "s",
                argc);
  for (size_t i = 0; i < count; i++)
    if (!get_array(env, fn, "argument ", names[i], argv[i], napi_uint8_array, false, &out[i])) return false;
  return true;
}

/* digest(data), hmac(key, data): keccak256 and HMAC-SHA256 of one input, for the self-test. */
static napi_value digest(napi_env env, napi_callback_info info) {
  const char *fn = "digest";
  view data = {none, 0, 0, false};
  void *outData;
  napi_value out;
  if (!byte_args(env, info, fn, 1, &data) || !NAPI_OK(napi_create_buffer(env, 32, &outData, &out))) return NULL;
  keccak256(data.data, data.bytes, (uint8_t *)outData);
  return out;
}

static napi_value hmac_sha256(napi_env env, napi_callback_info info) {
  const char *fn = "hmac";
  view args[2] = {{none, 0, 0, false}, {none, 0, 0, false}};
  void *outData;
  napi_value out;
  if (!byte_args(env, info, fn, 2, args) || !NAPI_OK(napi_create_buffer(env, 32, &outData, &out))) return NULL;
  hmac_key k;
  hmac_init(&k, args[0].data, args[0].bytes);
  hmac(&k, args[1].data, args[1].bytes, (uint8_t *)outData);
  return out;
}

NAPI_MODULE_INIT() {
  const char *fn = "init";
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"leaves", leaves}, {"level", level}, {"gather", gather},
             {"sort", sort},     {"digest", digest}, {"hmac", hmac_sha256}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    if (!NAPI_OK(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f)) ||
        !NAPI_OK(napi_set_named_property(env, exports, fns[i].name, f)))
      return NULL;
  }
  return exports;
}
