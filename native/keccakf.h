/*
 * keccak-f[1600] and keccak256 (Ethereum padding 0x01), shared by the builder's native kernel
 * (keccak_leaves.c) and the benchmark's C limit (bench/c-limit.c), so both hash at the same speed.
 * Portable C, little-endian hosts only (the builder refuses big-endian hosts: levels.ts).
 */
#ifndef POR_KECCAKF_H
#define POR_KECCAKF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

#define ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

static inline void keccakf(uint64_t s[25]) {
  for (int round = 0; round < 24; round++) {
    uint64_t c0 = s[0] ^ s[5] ^ s[10] ^ s[15] ^ s[20];
    uint64_t c1 = s[1] ^ s[6] ^ s[11] ^ s[16] ^ s[21];
    uint64_t c2 = s[2] ^ s[7] ^ s[12] ^ s[17] ^ s[22];
    uint64_t c3 = s[3] ^ s[8] ^ s[13] ^ s[18] ^ s[23];
    uint64_t c4 = s[4] ^ s[9] ^ s[14] ^ s[19] ^ s[24];
    uint64_t d0 = c4 ^ ROL(c1, 1), d1 = c0 ^ ROL(c2, 1), d2 = c1 ^ ROL(c3, 1);
    uint64_t d3 = c2 ^ ROL(c4, 1), d4 = c3 ^ ROL(c0, 1);
    /* theta + rho + pi: b[y][2x+3y] = rol(a[x][y] ^ d[x], r[x][y]) */
    uint64_t b0 = s[0] ^ d0;
    uint64_t b1 = ROL(s[6] ^ d1, 44);
    uint64_t b2 = ROL(s[12] ^ d2, 43);
    uint64_t b3 = ROL(s[18] ^ d3, 21);
    uint64_t b4 = ROL(s[24] ^ d4, 14);
    uint64_t b5 = ROL(s[3] ^ d3, 28);
    uint64_t b6 = ROL(s[9] ^ d4, 20);
    uint64_t b7 = ROL(s[10] ^ d0, 3);
    uint64_t b8 = ROL(s[16] ^ d1, 45);
    uint64_t b9 = ROL(s[22] ^ d2, 61);
    uint64_t b10 = ROL(s[1] ^ d1, 1);
    uint64_t b11 = ROL(s[7] ^ d2, 6);
    uint64_t b12 = ROL(s[13] ^ d3, 25);
    uint64_t b13 = ROL(s[19] ^ d4, 8);
    uint64_t b14 = ROL(s[20] ^ d0, 18);
    uint64_t b15 = ROL(s[4] ^ d4, 27);
    uint64_t b16 = ROL(s[5] ^ d0, 36);
    uint64_t b17 = ROL(s[11] ^ d1, 10);
    uint64_t b18 = ROL(s[17] ^ d2, 15);
    uint64_t b19 = ROL(s[23] ^ d3, 56);
    uint64_t b20 = ROL(s[2] ^ d2, 62);
    uint64_t b21 = ROL(s[8] ^ d3, 55);
    uint64_t b22 = ROL(s[14] ^ d4, 39);
    uint64_t b23 = ROL(s[15] ^ d0, 41);
    uint64_t b24 = ROL(s[21] ^ d1, 2);
    /* chi + iota */
    s[0] = b0 ^ (~b1 & b2) ^ RC[round];
    s[1] = b1 ^ (~b2 & b3);
    s[2] = b2 ^ (~b3 & b4);
    s[3] = b3 ^ (~b4 & b0);
    s[4] = b4 ^ (~b0 & b1);
    s[5] = b5 ^ (~b6 & b7);
    s[6] = b6 ^ (~b7 & b8);
    s[7] = b7 ^ (~b8 & b9);
    s[8] = b8 ^ (~b9 & b5);
    s[9] = b9 ^ (~b5 & b6);
    s[10] = b10 ^ (~b11 & b12);
    s[11] = b11 ^ (~b12 & b13);
    s[12] = b12 ^ (~b13 & b14);
    s[13] = b13 ^ (~b14 & b10);
    s[14] = b14 ^ (~b10 & b11);
    s[15] = b15 ^ (~b16 & b17);
    s[16] = b16 ^ (~b17 & b18);
    s[17] = b17 ^ (~b18 & b19);
    s[18] = b18 ^ (~b19 & b15);
    s[19] = b19 ^ (~b15 & b16);
    s[20] = b20 ^ (~b21 & b22);
    s[21] = b21 ^ (~b22 & b23);
    s[22] = b22 ^ (~b23 & b24);
    s[23] = b23 ^ (~b24 & b20);
    s[24] = b24 ^ (~b20 & b21);
  }
}

#define KECCAK_RATE 136

/* keccak256 (Ethereum padding 0x01) of in[0..len) to out[0..32). Little-endian host only. */
static inline void keccak256(const uint8_t *in, size_t len, uint8_t *out) {
  uint64_t s[25];
  memset(s, 0, sizeof s);
  uint8_t block[KECCAK_RATE];
  while (len >= KECCAK_RATE) {
    memcpy(block, in, KECCAK_RATE);
    for (int i = 0; i < KECCAK_RATE / 8; i++) {
      uint64_t w;
      memcpy(&w, block + 8 * i, 8);
      s[i] ^= w;
    }
    keccakf(s);
    in += KECCAK_RATE;
    len -= KECCAK_RATE;
  }
  memset(block, 0, KECCAK_RATE);
  memcpy(block, in, len);
  block[len] ^= 0x01;
  block[KECCAK_RATE - 1] ^= 0x80;
  for (int i = 0; i < KECCAK_RATE / 8; i++) {
    uint64_t w;
    memcpy(&w, block + 8 * i, 8);
    s[i] ^= w;
  }
  keccakf(s);
  memcpy(out, s, 32);
}

#endif
