/*
 * Optional native kernel for the liabilities builder (src/liabilities/native.ts): keccak256 in C
 * (keccakf.h), HMAC-SHA256 salts with the SHA-256 of the OpenSSL that Node links and exports for
 * addons (SHA-NI where the CPU has it; no second implementation to keep), called once per batch
 * or range instead of once per hash. The builder falls back to the WebAssembly kernel when this
 * addon is not built; test/liabilities/native.test.ts checks both give the same bytes.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co.: the fast path for two-block messages */
#include <node_api.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keccakf.h"

/* A Uint8Array or Uint32Array argument as bytes; 0 if it is neither. */
static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *length) {
  napi_typedarray_type type;
  size_t count, offset;
  napi_value buffer;
  void *p;
  if (napi_get_typedarray_info(env, v, &type, &count, &p, &buffer, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array && type != napi_uint32_array) return 0;
  *data = (uint8_t *)p;
  *length = count * (type == napi_uint32_array ? 4 : 1);
  return 1;
}

static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
}

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

#define ARGS(n)                                                                                    \
  size_t argc = n;                                                                                 \
  napi_value argv[n];                                                                              \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);                                            \
  if (argc != n) return fail_type(env)

static napi_value fail_type(napi_env env) {
  napi_throw_type_error(env, NULL, "native kernel: bad arguments");
  return NULL;
}

static napi_value fail_range(napi_env env, const char *what) {
  napi_throw_range_error(env, NULL, what);
  return NULL;
}

static napi_value done(napi_env env) {
  napi_value result;
  napi_get_boolean(env, 1, &result);
  return result;
}

/*
 * leaves(ids, idEnds, salts, hasSalt, balances, leafHashes, idPrefixes, records, secret, from, to):
 * accounts [from, to) of a LeafBatch (src/liabilities/leaves.ts): salts where hasSalt is 0
 * (HMAC-SHA256(secret, id)), leaf hashes, id hash prefixes, and the records back to back.
 */
static napi_value leaves(napi_env env, napi_callback_info info) {
  ARGS(11);
  uint8_t *ids, *ends8, *salts, *has, *balances, *out, *prefixes, *records, *secret = NULL;
  size_t idsLen, endsLen, saltsLen, hasLen, balLen, outLen, prefLen, recLen, secretLen = 0;
  uint32_t from, to;
  if (!get_bytes(env, argv[0], &ids, &idsLen) || !get_bytes(env, argv[1], &ends8, &endsLen) ||
      !get_bytes(env, argv[2], &salts, &saltsLen) || !get_bytes(env, argv[3], &has, &hasLen) ||
      !get_bytes(env, argv[4], &balances, &balLen) || !get_bytes(env, argv[5], &out, &outLen) ||
      !get_bytes(env, argv[6], &prefixes, &prefLen) || !get_bytes(env, argv[7], &records, &recLen) ||
      (!is_nullish(env, argv[8]) && !get_bytes(env, argv[8], &secret, &secretLen)) ||
      napi_get_value_uint32(env, argv[9], &from) != napi_ok ||
      napi_get_value_uint32(env, argv[10], &to) != napi_ok)
    return fail_type(env);
  const uint32_t *ends = (const uint32_t *)ends8;
  if (from > to || (size_t)to * 4 > endsLen || (size_t)to > hasLen || (size_t)to * 32 > saltsLen ||
      (size_t)to * 32 > balLen || (size_t)to * 32 > outLen || (size_t)to * 8 > prefLen)
    return fail_range(env, "leaves: range out of bounds");
  hmac_key key;
  if (secret != NULL && secretLen > 0) hmac_init(&key, secret, secretLen);
  uint8_t buf[64];
  for (uint32_t i = from; i < to; i++) {
    uint32_t start = i == 0 ? 0 : ends[i - 1];
    uint32_t end = ends[i];
    size_t r = 36 * (size_t)i + start;
    if (start > end || end > idsLen || r + 36 + (end - start) > recLen)
      return fail_range(env, "leaves: id out of bounds");
    uint8_t *salt = salts + 32 * (size_t)i;
    if (has[i] == 0) {
      if (secret == NULL || secretLen == 0) return fail_range(env, "BUG: salt missing and no salt secret");
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
  return done(env);
}

/*
 * level(hashes, sums, sumStride, order, count, outHashes, outSums, sumBytes, from, to): parents
 * [from, to) of a level of `count` nodes, as hashLevelRange in src/liabilities/levels.ts (the
 * rule's reference): children 2i and 2i + 1 (through `order` when it is given) ordered by hash,
 * keccak256(abi.encode(h1, s1, h2, s2)) and s1 + s2, or a lone last child copied.
 */
static napi_value level(napi_env env, napi_callback_info info) {
  ARGS(10);
  uint8_t *hashes, *sums, *order8 = NULL, *outH, *outS;
  size_t hLen, sLen, oLen = 0, outHLen, outSLen;
  uint32_t stride, count, width, from, to;
  if (!get_bytes(env, argv[0], &hashes, &hLen) || !get_bytes(env, argv[1], &sums, &sLen) ||
      napi_get_value_uint32(env, argv[2], &stride) != napi_ok ||
      (!is_nullish(env, argv[3]) && !get_bytes(env, argv[3], &order8, &oLen)) ||
      napi_get_value_uint32(env, argv[4], &count) != napi_ok || !get_bytes(env, argv[5], &outH, &outHLen) ||
      !get_bytes(env, argv[6], &outS, &outSLen) || napi_get_value_uint32(env, argv[7], &width) != napi_ok ||
      napi_get_value_uint32(env, argv[8], &from) != napi_ok ||
      napi_get_value_uint32(env, argv[9], &to) != napi_ok)
    return fail_type(env);
  const uint32_t *order = (const uint32_t *)order8;
  if (width == 0 || width > 32 || width > stride || from > to || (size_t)to * 2 > (size_t)count + 1 ||
      (size_t)to * 32 > outHLen || (size_t)to * width > outSLen || (order && (size_t)count * 4 > oLen))
    return fail_range(env, "level: range out of bounds");
  uint8_t buf[128];
  memset(buf, 0, sizeof buf); /* the unused high bytes of both sum words stay zero */
  for (uint32_t i = from; i < to; i++) {
    size_t left = 2 * (size_t)i;
    size_t a = order ? order[left] : left;
    if ((a + 1) * 32 > hLen || (a + 1) * stride > sLen) return fail_range(env, "level: node out of bounds");
    const uint8_t *aSum = sums + (a + 1) * stride - width;
    uint8_t *oSum = outS + (size_t)i * width;
    if (left + 1 >= count) {
      memcpy(outH + 32 * (size_t)i, hashes + 32 * a, 32);
      memcpy(oSum, aSum, width);
      continue;
    }
    size_t b = order ? order[left + 1] : left + 1;
    if ((b + 1) * 32 > hLen || (b + 1) * stride > sLen) return fail_range(env, "level: node out of bounds");
    const uint8_t *bSum = sums + (b + 1) * stride - width;
    unsigned carry = 0;
    for (int k = (int)width - 1; k >= 0; k--) {
      unsigned s = (unsigned)aSum[k] + bSum[k] + carry;
      oSum[k] = (uint8_t)s;
      carry = s >> 8;
    }
    if (carry) return fail_range(env, "BUG: node sum exceeds the width chosen from the checked total");
    int aFirst = memcmp(hashes + 32 * a, hashes + 32 * b, 32) <= 0;
    size_t lo = aFirst ? a : b, hi = aFirst ? b : a;
    memcpy(buf, hashes + 32 * lo, 32);
    memcpy(buf + 64 - width, aFirst ? aSum : bSum, width);
    memcpy(buf + 64, hashes + 32 * hi, 32);
    memcpy(buf + 128 - width, aFirst ? bSum : aSum, width);
    keccak256(buf, 128, outH + 32 * (size_t)i);
  }
  return done(env);
}

/*
 * gather(src, srcStride, srcOffset, width, perm, from, to, dst, dstStride, dstOffset): for i in
 * [from, to), copies `width` bytes at src[perm[i] * srcStride + srcOffset] to
 * dst[(i - from) * dstStride + dstOffset]. Random reads over large arrays: in C the CPU overlaps
 * the cache misses that cost ~200 ns each in a JavaScript loop.
 */
static napi_value gather(napi_env env, napi_callback_info info) {
  ARGS(10);
  uint8_t *src, *perm8, *dst;
  size_t srcLen, permLen, dstLen;
  uint32_t srcStride, srcOffset, width, from, to, dstStride, dstOffset;
  if (!get_bytes(env, argv[0], &src, &srcLen) || napi_get_value_uint32(env, argv[1], &srcStride) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &srcOffset) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &width) != napi_ok || !get_bytes(env, argv[4], &perm8, &permLen) ||
      napi_get_value_uint32(env, argv[5], &from) != napi_ok ||
      napi_get_value_uint32(env, argv[6], &to) != napi_ok || !get_bytes(env, argv[7], &dst, &dstLen) ||
      napi_get_value_uint32(env, argv[8], &dstStride) != napi_ok ||
      napi_get_value_uint32(env, argv[9], &dstOffset) != napi_ok)
    return fail_type(env);
  const uint32_t *perm = (const uint32_t *)perm8;
  if (from > to || (size_t)to * 4 > permLen || srcOffset + width > srcStride ||
      (to > from && (size_t)(to - from - 1) * dstStride + dstOffset + width > dstLen))
    return fail_range(env, "gather: range out of bounds");
  for (uint32_t i = from; i < to; i++) {
    size_t at = (size_t)perm[i] * srcStride + srcOffset;
    if (at + width > srcLen) return fail_range(env, "gather: index out of bounds");
    memcpy(dst + (size_t)(i - from) * dstStride + dstOffset, src + at, width);
  }
  return done(env);
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
 * sort(keys, stride, keyBytes, count, perm, top): sortKeysInto of src/liabilities/sort.ts (its
 * reference): perm sorts the keys (keyBytes big-endian bytes at keys[i * stride]), ties by index,
 * and top[i] is the first 32 bits of the i-th sorted key. Four 8-bit LSD radix passes over
 * those bits with (bits, index) pairs, 256 buckets each (a 16-bit pass scatters over 65536
 * places, a cache and TLB miss each at 10^8 keys), then runs that tie on them by the whole key.
 */
static napi_value sort(napi_env env, napi_callback_info info) {
  ARGS(6);
  uint8_t *keys, *perm8, *top8;
  size_t keysLen, permLen, topLen;
  uint32_t stride, width, count;
  if (!get_bytes(env, argv[0], &keys, &keysLen) || napi_get_value_uint32(env, argv[1], &stride) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &width) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &count) != napi_ok || !get_bytes(env, argv[4], &perm8, &permLen) ||
      !get_bytes(env, argv[5], &top8, &topLen))
    return fail_type(env);
  if (width < 4 || width > stride || (size_t)count * 4 > permLen || (size_t)count * 4 > topLen ||
      (count > 0 && (size_t)(count - 1) * stride + width > keysLen))
    return fail_range(env, "sort: range out of bounds");
  uint32_t *perm = (uint32_t *)perm8, *top = (uint32_t *)top8;
  uint32_t *tmpTop = malloc((size_t)count * 4 + 4), *tmpPerm = malloc((size_t)count * 4 + 4);
  if (tmpTop == NULL || tmpPerm == NULL) {
    free(tmpTop);
    free(tmpPerm);
    return fail_range(env, "sort: out of memory");
  }
  size_t counts[4][256] = {{0}};
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *k = keys + (size_t)i * stride;
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
    if (j - i > 1) sort_run(perm + i, tmpPerm, j - i, keys, stride, width);
    i = j;
  }
  free(tmpTop);
  free(tmpPerm);
  return done(env);
}

/* digest(data), hmac(key, data): keccak256 and HMAC-SHA256 of one input, for the self-test. */
static napi_value digest(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint8_t *data;
  size_t len;
  if (!get_bytes(env, argv[0], &data, &len)) return fail_type(env);
  void *outData;
  napi_value out;
  napi_create_buffer(env, 32, &outData, &out);
  keccak256(data, len, (uint8_t *)outData);
  return out;
}

static napi_value hmac_sha256(napi_env env, napi_callback_info info) {
  ARGS(2);
  uint8_t *key, *data;
  size_t keyLen, len;
  if (!get_bytes(env, argv[0], &key, &keyLen) || !get_bytes(env, argv[1], &data, &len)) return fail_type(env);
  hmac_key k;
  hmac_init(&k, key, keyLen);
  void *outData;
  napi_value out;
  napi_create_buffer(env, 32, &outData, &out);
  hmac(&k, data, len, (uint8_t *)outData);
  return out;
}

NAPI_MODULE_INIT() {
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"leaves", leaves}, {"level", level}, {"gather", gather},
             {"sort", sort},     {"digest", digest}, {"hmac", hmac_sha256}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, fns[i].name, fn);
  }
  return exports;
}
