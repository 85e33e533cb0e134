/*
 * addr.c - address and port sets of rule headers (see addr.h).
 *
 * Sets are small arrays walked linearly: rule headers list a handful of
 * blocks, and the header is checked only for rules whose patterns already
 * matched, so a tree would cost more than it saves. Blocks are stored
 * masked to their prefix so a match is a masked compare.
 */
#include "base/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void addr_mask(uint8_t *bytes, unsigned prefix, unsigned nbytes)
{
	for (unsigned i = 0; i < nbytes; i++) {
		unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;

		if (bits < 8)
			bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
}

static int parse_prefix(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int addr_block_parse(const char *s, struct addr_block *b, char *err, size_t errlen)
{
	char text[INET6_ADDRSTRLEN + 8];
	const char *slash;
	unsigned prefix, max;
	size_t n;

	memset(b, 0, sizeof(*b));
	if (*s == '!') {
		b->negated = true;
		s++;
	}
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(text))
		goto bad;
	memcpy(text, s, n);
	text[n] = '\0';
	if (inet_pton(AF_INET, text, b->bytes) == 1) {
		b->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, text, b->bytes) == 1) {
		b->family = 6;
		max = 128;
	} else {
		goto bad;
	}
	prefix = max;
	if (slash && parse_prefix(slash + 1, max, &prefix) < 0) {
		snprintf(err, errlen, "bad prefix length in '%s' (0..%u)", s, max);
		return -1;
	}
	b->prefix = (uint8_t)prefix;
	addr_mask(b->bytes, prefix, b->family == 4 ? 4 : 16);
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address or CIDR block", s);
	return -1;
}

/* An address as a 128-bit number (IPv4 in the low 32 bits). */
typedef unsigned __int128 addr_num;

static addr_num addr_to_num(const uint8_t *bytes, unsigned nbytes)
{
	addr_num v = 0;

	for (unsigned i = 0; i < nbytes; i++)
		v = v << 8 | bytes[i];
	return v;
}

static void num_to_block(addr_num v, unsigned family, unsigned prefix, struct addr_block *b)
{
	unsigned nbytes = family == 4 ? 4 : 16;

	memset(b, 0, sizeof(*b));
	b->family = (uint8_t)family;
	b->prefix = (uint8_t)prefix;
	for (unsigned i = nbytes; i-- > 0; v >>= 8)
		b->bytes[i] = (uint8_t)v;
}

/* One end of a range: an address of either family, no prefix. */
static int range_end(const char *s, size_t n, uint8_t *bytes, unsigned *family)
{
	char text[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(text))
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	if (inet_pton(AF_INET, text, bytes) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, text, bytes) == 1)
		*family = 6;
	else
		return -1;
	return 0;
}

int addr_range_parse(const char *s, struct addr_block *out, size_t *n, char *err, size_t errlen)
{
	const char *dash = strchr(s, '-');
	uint8_t a[16] = {0}, z[16] = {0};
	unsigned fa, fz, bits;
	addr_num lo, hi;

	*n = 0;
	if (!dash || range_end(s, (size_t)(dash - s), a, &fa) < 0 ||
	    range_end(dash + 1, strlen(dash + 1), z, &fz) < 0 || fa != fz) {
		snprintf(err, errlen, "'%s' is not an address range (A-B, both of one family)", s);
		return -1;
	}
	bits = fa == 4 ? 32 : 128;
	lo = addr_to_num(a, bits / 8);
	hi = addr_to_num(z, bits / 8);
	if (lo > hi) {
		snprintf(err, errlen, "address range '%s' ends before it starts", s);
		return -1;
	}
	/* Largest aligned block at lo that stays within hi, then on. */
	for (;;) {
		unsigned size = 0; /* the block holds 2^size addresses */

		while (size < bits && !((lo >> size) & 1) && lo + (((addr_num)2 << size) - 1) <= hi)
			size++;
		num_to_block(lo, fa, bits - size, &out[(*n)++]);
		if (size == bits || hi - lo < ((addr_num)1 << size))
			break;
		lo += (addr_num)1 << size;
	}
	return 0;
}

static int parse_port(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int port_range_parse(const char *s, struct port_range *r, char *err, size_t errlen)
{
	const char *colon;
	const char *orig = s;

	memset(r, 0, sizeof(*r));
	if (*s == '!') {
		r->negated = true;
		s++;
	}
	colon = strchr(s, ':');
	if (!colon) {
		if (parse_port(s, strlen(s), &r->lo) < 0)
			goto bad;
		r->hi = r->lo;
		return 0;
	}
	r->lo = 0;
	r->hi = 65535;
	if (colon > s && parse_port(s, (size_t)(colon - s), &r->lo) < 0)
		goto bad;
	if (colon[1] && parse_port(colon + 1, strlen(colon + 1), &r->hi) < 0)
		goto bad;
	if (colon == s && !colon[1])
		goto bad;
	if (r->lo > r->hi) {
		snprintf(err, errlen, "port range '%s' is empty (low > high)", orig);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a port (0..65535), a range \"N:M\" or a negation \"!N\"",
		 orig);
	return -1;
}

int addr_set_add(struct addr_set *set, const struct addr_block *b)
{
	struct addr_block *nb = realloc(set->blocks, (set->n + 1) * sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	nb[set->n++] = *b;
	set->blocks = nb;
	set->any = false;
	free(set->span4); /* no longer the set's */
	set->span4 = NULL;
	return 0;
}

int port_set_add(struct port_set *set, const struct port_range *r)
{
	struct port_range *nr = realloc(set->ranges, (set->n + 1) * sizeof(*nr));

	if (!nr)
		return -ENOMEM;
	nr[set->n++] = *r;
	set->ranges = nr;
	set->any = false;
	return 0;
}

void addr_set_free(struct addr_set *set)
{
	if (!set)
		return;
	free(set->blocks);
	free(set->span4);
	set->blocks = NULL;
	set->span4 = NULL;
	set->n = 0;
}

void port_set_free(struct port_set *set)
{
	if (!set)
		return;
	free(set->ranges);
	set->ranges = NULL;
	set->n = 0;
}

static bool addr_block_contains(const struct addr_block *b, const struct ids_addr *a)
{
	unsigned full = b->prefix / 8, rest = b->prefix % 8;

	if (a->family != b->family)
		return false;
	if (memcmp(a->bytes, b->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return (a->bytes[full] & (uint8_t)(0xff00u >> rest)) == b->bytes[full];
}

/* ------------------------------------------------------- sealed sets */

static int span_cmp(const void *a, const void *b)
{
	const struct addr_span4 *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort spans[0..n) and merge overlapping or touching ones: the count. */
static size_t spans_merge(struct addr_span4 *sp, size_t n)
{
	size_t k = 0;

	qsort(sp, n, sizeof(*sp), span_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k && (sp[k - 1].hi == UINT32_MAX || sp[i].lo <= sp[k - 1].hi + 1)) {
			if (sp[i].hi > sp[k - 1].hi)
				sp[k - 1].hi = sp[i].hi;
			continue;
		}
		sp[k++] = sp[i];
	}
	return k;
}

static struct addr_span4 block_span4(const struct addr_block *b)
{
	uint32_t base = (uint32_t)b->bytes[0] << 24 | (uint32_t)b->bytes[1] << 16 |
			(uint32_t)b->bytes[2] << 8 | b->bytes[3];
	uint32_t size = b->prefix == 0 ? UINT32_MAX : (UINT32_C(1) << (32 - b->prefix)) - 1;

	return (struct addr_span4){base, base + size};
}

void addr_set_seal(struct addr_set *set)
{
	struct addr_span4 *sp;
	size_t np = 0, nn = 0, k = 0;

	free(set->span4);
	set->span4 = NULL;
	set->has_pos = false;
	for (size_t i = 0; i < set->n; i++) {
		set->has_pos |= !set->blocks[i].negated;
		if (set->blocks[i].family == 4)
			*(set->blocks[i].negated ? &nn : &np) += 1;
	}
	if (set->any || set->n < ADDR_SEAL_MIN || !(sp = malloc((np + nn + 1) * sizeof(*sp))))
		return;
	for (int neg = 0; neg < 2; neg++) {
		size_t from = k;

		for (size_t i = 0; i < set->n; i++)
			if (set->blocks[i].family == 4 && set->blocks[i].negated == (bool)neg)
				sp[k++] = block_span4(&set->blocks[i]);
		k = from + spans_merge(sp + from, k - from);
		if (neg)
			set->n_neg4 = k - from;
		else
			set->n_pos4 = k;
	}
	set->span4 = sp;
}

static bool in_spans(const struct addr_span4 *sp, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* the first span starting after x */
		size_t mid = lo + (hi - lo) / 2;

		if (sp[mid].lo <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && x <= sp[lo - 1].hi;
}

static bool sealed_match4(const struct addr_set *set, const struct ids_addr *a)
{
	uint32_t x = (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
		     (uint32_t)a->bytes[2] << 8 | a->bytes[3];

	if (in_spans(set->span4 + set->n_pos4, set->n_neg4, x))
		return false;
	return !set->has_pos || in_spans(set->span4, set->n_pos4, x);
}

/* The Suricata/Snort rule, block by block: in some positive block (or
 * there are none) and in no negated one; holds(b, x) says whether block b
 * holds x. */
static bool linear_match(const struct addr_set *set,
			 bool (*holds)(const struct addr_block *b, const void *x), const void *x)
{
	bool positive_seen = false, positive_hit = false;

	for (size_t i = 0; i < set->n; i++) {
		const struct addr_block *b = &set->blocks[i];
		bool hit = holds(b, x);

		if (b->negated) {
			if (hit)
				return false;
		} else {
			positive_seen = true;
			positive_hit |= hit;
		}
	}
	return positive_hit || !positive_seen;
}

static bool block_holds_addr(const struct addr_block *b, const void *x)
{
	return addr_block_contains(b, x);
}

bool addr_set_match(const struct addr_set *set, const struct ids_addr *a)
{
	if (set->any || set->n == 0)
		return true;
	if (set->span4 && a->family == 4)
		return sealed_match4(set, a);
	return linear_match(set, block_holds_addr, a);
}

/* Block c covers block b: every address of b is in c. */
static bool addr_block_covers(const struct addr_block *c, const struct addr_block *b)
{
	struct ids_addr base = {.family = b->family};

	if (c->family != b->family || c->prefix > b->prefix)
		return false;
	memcpy(base.bytes, b->bytes, sizeof(base.bytes));
	return addr_block_contains(c, &base);
}

static bool block_covers_block(const struct addr_block *c, const void *b)
{
	return addr_block_covers(c, b);
}

bool addr_set_match_region(const struct addr_set *set, const struct addr_block *b)
{
	if (set->any || set->n == 0)
		return true;
	return linear_match(set, block_covers_block, b);
}

bool port_set_match(const struct port_set *set, uint16_t port)
{
	bool positive_seen = false, positive_hit = false;

	if (set->any || set->n == 0)
		return true;
	for (size_t i = 0; i < set->n; i++) {
		const struct port_range *r = &set->ranges[i];
		bool hit = port >= r->lo && port <= r->hi;

		if (r->negated) {
			if (hit)
				return false;
		} else {
			positive_seen = true;
			positive_hit |= hit;
		}
	}
	return positive_hit || !positive_seen;
}
