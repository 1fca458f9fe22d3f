/*
 * The "C limit" of docs/bench.md: on one core, the hashing of a Merkle-sum tree of N leaves and
 * nothing else, with the builder's own keccak-f (native/keccakf.h). Per leaf the two keccaks of
 * the leaf rule over a 32-byte value and its balance (no salt, id hash or commitment: about half of
 * the builder's hashing), then every parent node as the builder's levels do it (children ordered by
 * hash, keccak256(abi.encode(h1, s1, h2, s2)), sums added). No CSV, no sort, no file.
 *
 *   cc -O3 -o c-limit bench/c-limit.c && ./c-limit 1000000
 *
 * Prints one JSON line: {"leaves":N,"seconds":S,"root":"0x…"}. Compiled by bench/run.ts at run time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../native/keccakf.h"

#define SUM_BYTES 16 /* low bytes of each sum word; balances below 2^64 never overflow them here */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
  if (n == 0) {
    fprintf(stderr, "usage: c-limit LEAVES\n");
    return 2;
  }
  uint8_t *hashes = malloc(n * 32), *sums = calloc(n, SUM_BYTES);
  uint8_t *nextHashes = malloc(((n + 1) / 2) * 32 + 32), *nextSums = calloc((n + 1) / 2 + 1, SUM_BYTES);
  if (!hashes || !sums || !nextHashes || !nextSums) {
    fprintf(stderr, "c-limit: out of memory\n");
    return 1;
  }
  double start = now();
  uint8_t buf[128];
  uint64_t state = 0x2545f4914f6cdd1dULL;
  for (size_t i = 0; i < n; i++) {
    memset(buf, 0, 64);
    memcpy(buf, &i, sizeof i); /* the leaf's 32-byte value */
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    uint64_t balance = state % 1000000000000000ULL;
    for (int k = 0; k < 8; k++) buf[63 - k] = sums[i * SUM_BYTES + SUM_BYTES - 1 - k] = (uint8_t)(balance >> (8 * k));
    keccak256(buf, 64, buf);
    keccak256(buf, 32, hashes + 32 * i);
  }
  for (size_t count = n; count > 1; count = (count + 1) / 2) {
    size_t parents = (count + 1) / 2;
    for (size_t i = 0; i < parents; i++) {
      const uint8_t *a = hashes + 64 * i, *aSum = sums + 2 * SUM_BYTES * i;
      if (2 * i + 1 >= count) {
        memcpy(nextHashes + 32 * i, a, 32);
        memcpy(nextSums + SUM_BYTES * i, aSum, SUM_BYTES);
        continue;
      }
      const uint8_t *b = a + 32, *bSum = aSum + SUM_BYTES;
      unsigned carry = 0;
      for (int k = SUM_BYTES - 1; k >= 0; k--) {
        unsigned s = (unsigned)aSum[k] + bSum[k] + carry;
        nextSums[SUM_BYTES * i + k] = (uint8_t)s;
        carry = s >> 8;
      }
      int aFirst = memcmp(a, b, 32) <= 0;
      memset(buf, 0, 128);
      memcpy(buf, aFirst ? a : b, 32);
      memcpy(buf + 64 - SUM_BYTES, aFirst ? aSum : bSum, SUM_BYTES);
      memcpy(buf + 64, aFirst ? b : a, 32);
      memcpy(buf + 128 - SUM_BYTES, aFirst ? bSum : aSum, SUM_BYTES);
      keccak256(buf, 128, nextHashes + 32 * i);
    }
    uint8_t *t = hashes; /* the parents become the next level's children */
    hashes = nextHashes, nextHashes = t;
    t = sums, sums = nextSums, nextSums = t;
  }
  double seconds = now() - start;
  printf("{\"leaves\":%zu,\"seconds\":%.3f,\"root\":\"0x", n, seconds);
  for (int k = 0; k < 32; k++) printf("%02x", hashes[k]);
  printf("\"}\n");
  return 0;
}
