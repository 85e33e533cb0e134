/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point, a
 * check that turns a broken invariant into a crash the fuzzer reports, a
 * reader that carves fields out of the input, and a small deterministic
 * random generator for choices that must not cost input bytes (how a
 * stream is cut into pieces).
 *
 * A target is one file tests/fuzz/fuzz_<name>.c defining
 * LLVMFuzzerTestOneInput. It builds everything it uses from the input,
 * frees everything before it returns and keeps no state between calls, so
 * the same input always does the same thing whether libFuzzer runs it
 * (the SENSOR_FUZZ build) or replay.c does (every build, under ctest).
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Called once per input; 0 always (the input is never rejected). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: report where and crash, so the fuzzer saves the
 * input. Only for properties the module's header promises. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Reads fields from the input front to back; past the end every field is
 * 0 and every byte run empty, so a short input is simply a short run. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline void fuzz_in_init(struct fuzz_in *in, const uint8_t *data, size_t size)
{
	in->p = data;
	in->left = size;
}

static inline bool fuzz_in_empty(const struct fuzz_in *in)
{
	return in->left == 0;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t hi = fuzz_u16(in);

	return hi << 16 | fuzz_u16(in);
}

/* Up to `want` bytes (fewer at the end of the input); *got says how many. */
static inline const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t want, size_t *got)
{
	const uint8_t *p = in->p;

	*got = want < in->left ? want : in->left;
	in->p += *got;
	in->left -= *got;
	return p;
}

/* splitmix64: deterministic choices seeded from an input byte. */
static inline uint64_t fuzz_rand(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* The length of the next piece when a stream is fed in pieces: mostly
 * short (1..16 bytes, to split every field somewhere), sometimes long. */
static inline size_t fuzz_piece(uint64_t *state, size_t left)
{
	uint64_t r = fuzz_rand(state);
	size_t n = (r & 3) == 0 ? (size_t)(r >> 8) % 2048 + 1 : (size_t)(r >> 8) % 16 + 1;

	return n < left ? n : left;
}

/* FNV-1a over bytes, for digests of what a parser reported: the same
 * bytes fed in different pieces must give the same digest. */
static inline uint64_t fuzz_hash(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return h;
}

static inline uint64_t fuzz_hash_u64(uint64_t h, uint64_t v)
{
	return fuzz_hash(h, &v, sizeof(v));
}

#define FUZZ_HASH_INIT UINT64_C(0xcbf29ce484222325)

/* Touch every byte of a range the module handed out, so a pointer or
 * length past the real data is an out-of-bounds read under ASan. */
static inline unsigned fuzz_touch(const void *p, size_t len)
{
	const volatile uint8_t *b = p;
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum;
}

/* True when [p, p + len) lies inside [base, base + size). */
static inline bool fuzz_within(const void *p, size_t len, const void *base, size_t size)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;

	return a >= b && a - b <= size && len <= size - (a - b);
}

#endif
