/*
 * defrag.c - IPv4 and IPv6 fragment reassembly, target-based (see defrag.h).
 *
 * Design
 * ------
 * A tracker holds one incomplete datagram. Trackers are found through a
 * hash table keyed by (family, source, destination, IPv4 protocol, id,
 * VLAN ids; for IPv6 no protocol: hosts key IPv6 fragments on the addresses
 * and the id only, and the next header that counts is the offset-0
 * fragment's, so varying it must not split a datagram) with a per-instance
 * random seed, and sit on an age list in creation order (oldest first).
 * Since a tracker times out `timeout` seconds after its first fragment, the
 * age list is also the expiry order: expiry looks only at the head, so it
 * costs O(expired), and runs on every defrag call and in defrag_expire().
 *
 * A tracker stores bytes by their final position. Its storage is a table
 * of 2 KiB pages: positions [0, 65536) hold the datagram data (fragment
 * offset = position), positions from HDR_BASE hold the first fragment's
 * header when it is longer than the inline copy (IPv4 header with options
 * or IPv6 fixed header plus the extension headers before the fragment
 * header). Pages are taken when first written, so a tracker costs what its
 * fragments touch, never a whole 64 KiB buffer.
 *
 * Beside the bytes, a tracker keeps an ordered list of runs: disjoint
 * ranges [off, end), each the surviving part of one received fragment.
 * Overlap resolution compares the new fragment's range with each run it
 * meets and asks the policy who wins that overlap; the loser's run is
 * trimmed, split or removed (the new fragment's bytes are written over),
 * or the new fragment's bytes are skipped there. Runs are what the policies
 * compare, as hosts compare their queued (already trimmed) fragments.
 *
 * Policies (N = the new fragment, O = a run of an earlier one; "before"
 * and "after" compare offsets, "ends" compares end offsets). From Novak's
 * "Target-Based Fragmentation Reassembly" as Snort's frag3 implements it;
 * the tests check Novak's overlap pattern against the published results.
 *   first      O always wins.
 *   last       N always wins.
 *   bsd        N wins only where it starts before O; an O starting at or
 *              before N keeps its bytes.
 *   linux      N wins where it starts at or before O (equal starts go to
 *              the newer fragment); old-linux reads as linux.
 *   windows    N wins only if it starts before O and ends after it (covers
 *              O with bytes to spare on both sides); vista reads as windows.
 *   solaris    N wins only if it starts before O and ends at or after O's
 *              end.
 *   bsd-right  the fragment reaching further right wins: N wins if it ends
 *              after O, or ends with O and starts at or before it.
 * These policies apply to IPv4. IPv6 follows RFC 5722 instead: any overlap
 * abandons the whole datagram with DEFRAG_EV_OVERLAP (a duplicate of data
 * held is dropped alone, reported when its bytes differ), see
 * ipv6_overlap().
 * An IPv4 overlap whose bytes differ raises DEFRAG_EV_OVERLAP once per
 * fragment (a retransmitted identical fragment is not an anomaly).
 *
 * Other anomalies:
 * - tiny: a non-last fragment (MF set) carrying at most DEFRAG_TINY_MAX
 *   (100) bytes of data. This is frag3's min_fragment_length test (payload
 *   <= limit) with the limit of Snort's shipped snort.conf; Suricata has no
 *   such event. Reported, and the fragment is still used.
 * - bad length (DEFRAG_EV_BAD_LENGTH): no data, non-last data not a
 *   multiple of 8 (RFC 8200 says discard; frag3 calls it a short frag), or
 *   a fragment that contradicts the datagram's known end (a second last
 *   fragment ending elsewhere, a last fragment ending before data already
 *   held, data past the end). The fragment is dropped.
 * - too large: data that would put the datagram past 65,535 bytes (IPv4
 *   total length, IPv6 payload length). The whole datagram is dropped, as
 *   Linux does.
 * - timeout and memcap drop: reported with a NULL packet.
 *
 * Completion: the first fragment (offset 0) gave the header, the last (MF
 * clear) gave the length, and the runs cover [0, length) without a hole
 * (covered bytes == length, since runs are disjoint and never pass the
 * length). The first offset-0 fragment received provides the header.
 *
 * Memory
 * ------
 * Trackers, pages and runs come from per-instance free lists; malloc() is
 * called only while the pools grow, so in steady state a fragment costs
 * a copy of its bytes and no allocation. `memuse` counts every byte the
 * pools hold (in use or kept for reuse), so it is the real footprint
 * besides the fixed hash table and output buffer. Growing past `memcap`
 * first frees kept objects of the other kinds, then drops the oldest
 * incomplete trackers (DEFRAG_EV_MEMCAP_DROP), never the tracker being
 * filled; if that is not enough the fragment's own tracker is dropped. At
 * most `max_trackers` trackers exist; one more drops the oldest (also
 * DEFRAG_EV_MEMCAP_DROP).
 *
 * Invariants: runs are sorted, disjoint, non-empty and lie inside
 * [0, max_end); every covered position has its page; covered is the sum of
 * run lengths. Hostile input never asserts, aborts or logs.
 *
 * Threads: one struct defrag per worker, used only by that worker.
 */
#include "defrag/defrag.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "decode/decode.h"

#define DF_PAGE		2048u
#define DATA_SPACE	65536u	       /* positions of datagram data */
#define HDR_BASE	DATA_SPACE     /* where a long header is kept */
#define HDR_MAX		(65535u + 40u) /* an IPv6 header and full payload */
#define NPAGES		((HDR_BASE + HDR_MAX + DF_PAGE - 1) / DF_PAGE)
#define HDR_INLINE	128u	       /* headers up to this stay in the tracker */
#define IP_MAX		65535u	       /* IPv4 total / IPv6 payload length */
#define OUT_MAX		(IP_MAX + 40u) /* largest rebuilt packet */
#define DEFRAG_TINY_MAX 100u	       /* see "tiny" above */
#define USEC		INT64_C(1000000)

#define DEF_TIMEOUT_S	 60u
#define DEF_MEMCAP	 (32u * 1024u * 1024u)
#define DEF_MAX_TRACKERS 65536u
#define MAX_BUCKETS	 (1u << 20)

#define EXT_HOPOPTS  0
#define EXT_ROUTING  43
#define EXT_FRAGMENT 44
#define EXT_AH	     51
#define EXT_DSTOPTS  60

/* The surviving part [off, end) of one received fragment. */
struct run {
	struct run *next;
	uint32_t off, end;
};

/* Tracker key; no implicit padding so it hashes and compares as bytes. */
struct df_key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint16_t vlan[IDS_MAX_VLAN];
	uint8_t family, proto, nvlan, pad;
};

_Static_assert(sizeof(struct df_key) == 44, "df_key has padding");

struct tracker {
	struct tracker *hnext;	       /* hash chain */
	struct tracker *older, *newer; /* age list */
	struct df_key key;
	uint32_t hash;
	int64_t first_usec;
	enum os_policy policy;
	int fam; /* 0 IPv4, 1 IPv6 */
	struct run *runs;
	uint32_t covered; /* bytes held (sum of run lengths) */
	uint32_t max_end; /* end of the furthest fragment accepted */
	uint32_t total;	  /* datagram data length, once have_last */
	bool have_last, have_hdr;
	uint32_t hdr_len;
	uint32_t nh_pos; /* IPv6: header byte that named the fragment header */
	uint8_t frag_next;
	uint8_t hdr_inline[HDR_INLINE];
	uint8_t *pg[NPAGES]; /* storage pages, NULL until written */
};

/* Object kinds of the pools. */
enum pool_kind { POOL_TRACKER = 0, POOL_PAGE, POOL_RUN, POOL_KINDS };

static const size_t pool_size[POOL_KINDS] = {
	[POOL_TRACKER] = sizeof(struct tracker),
	[POOL_PAGE] = DF_PAGE,
	[POOL_RUN] = sizeof(struct run),
};

/* A pooled object while it waits on a free list. */
struct free_obj {
	struct free_obj *next;
};

struct defrag {
	uint64_t timeout_usec, memcap;
	uint32_t max_trackers;
	const struct os_policy_map *policies; /* borrowed, outlives d */
	defrag_event_fn cb;
	void *ctx;
	struct defrag_stats st;
	struct tracker **buckets;
	uint32_t mask, seed;
	struct tracker *oldest, *newest;
	struct tracker *cur; /* tracker being filled: never evicted */
	struct free_obj *free[POOL_KINDS];
	uint8_t *out; /* rebuilt datagram, OUT_MAX bytes */
};

/* A fragment as the tracker needs it. */
struct frag {
	const uint8_t *data;
	uint32_t off, end, len;
	bool more;
	int fam;
	uint32_t hdr_len; /* IPv4 header / IPv6 part before the fragment header */
	uint32_t nh_pos;  /* IPv6: offset of the next-header byte to patch */
};

static const char *const event_names[DEFRAG_EV_MAX] = {
	[DEFRAG_EV_OVERLAP] = "frag_overlap",	      [DEFRAG_EV_TINY_FRAGMENT] = "frag_tiny",
	[DEFRAG_EV_TOO_LARGE] = "frag_too_large",     [DEFRAG_EV_TIMEOUT] = "frag_timeout",
	[DEFRAG_EV_MEMCAP_DROP] = "frag_memcap_drop", [DEFRAG_EV_BAD_LENGTH] = "frag_bad_length",
};

const char *defrag_event_name(enum defrag_event ev)
{
	if ((unsigned)ev >= DEFRAG_EV_MAX)
		return "unknown";
	return event_names[ev];
}

const struct defrag_stats *defrag_stats(const struct defrag *d)
{
	return &d->st;
}

static void report(struct defrag *d, enum defrag_event ev, int fam, const struct packet *p)
{
	d->st.events[ev]++;
	if (d->cb)
		d->cb(d->ctx, ev, fam ? 6 : 4, p);
}

/* ----------------------------------------------------------------- pools */

static void pool_put(struct defrag *d, enum pool_kind k, void *obj)
{
	struct free_obj *f = obj;

	f->next = d->free[k];
	d->free[k] = f;
}

/* Free one kept object of a kind other than `keep`; false if none. */
static bool pool_drain_one(struct defrag *d, enum pool_kind keep)
{
	for (int k = 0; k < POOL_KINDS; k++) {
		struct free_obj *f = d->free[k];

		if (k == (int)keep || !f)
			continue;
		d->free[k] = f->next;
		free(f);
		d->st.memuse -= pool_size[k];
		return true;
	}
	return false;
}

static void tracker_release(struct defrag *d, struct tracker *t);

/* Drop the oldest tracker but d->cur to make room; false if none. */
static bool evict_oldest(struct defrag *d)
{
	struct tracker *t = d->oldest;

	if (t == d->cur)
		t = t->newer;
	if (!t)
		return false;
	report(d, DEFRAG_EV_MEMCAP_DROP, t->fam, NULL);
	tracker_release(d, t);
	return true;
}

/*
 * An object of kind `k`: a kept one, else a new one if it fits under the
 * cap, else room is made (kept objects of other kinds freed, then the
 * oldest trackers dropped). NULL when nothing more can be freed or malloc
 * fails. The object is uninitialised; the caller owns it until pool_put.
 */
static void *pool_get(struct defrag *d, enum pool_kind k)
{
	for (;;) {
		struct free_obj *f = d->free[k];
		void *obj;

		if (f) {
			d->free[k] = f->next;
			return f;
		}
		if (d->st.memuse + pool_size[k] <= d->memcap) {
			obj = malloc(pool_size[k]);
			if (!obj)
				return NULL;
			d->st.memuse += pool_size[k];
			if (d->st.memuse > d->st.memuse_peak)
				d->st.memuse_peak = d->st.memuse;
			return obj;
		}
		if (!pool_drain_one(d, k) && !evict_oldest(d))
			return NULL;
	}
}

/* --------------------------------------------------------------- storage */

/* Copy src to positions [pos, pos + len) of t, taking pages; -1 if none. */
static int space_write(struct defrag *d, struct tracker *t, uint32_t pos, const uint8_t *src,
		       uint32_t len)
{
	if ((uint64_t)pos + len > (uint64_t)NPAGES * DF_PAGE)
		return -1;
	while (len > 0) {
		uint32_t i = pos / DF_PAGE, in = pos % DF_PAGE;
		uint32_t n = len < DF_PAGE - in ? len : DF_PAGE - in;

		if (!t->pg[i]) {
			t->pg[i] = pool_get(d, POOL_PAGE);
			if (!t->pg[i])
				return -1;
		}
		memcpy(t->pg[i] + in, src, n);
		pos += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* Copy positions [pos, pos + len) (all written before) to dst. */
static void space_read(const struct tracker *t, uint32_t pos, uint8_t *dst, uint32_t len)
{
	while (len > 0) {
		uint32_t i = pos / DF_PAGE, in = pos % DF_PAGE;
		uint32_t n = len < DF_PAGE - in ? len : DF_PAGE - in;

		if (t->pg[i])
			memcpy(dst, t->pg[i] + in, n);
		else
			memset(dst, 0, n);
		pos += n;
		dst += n;
		len -= n;
	}
}

/* Positions [pos, pos + len) hold exactly src. */
static bool space_equal(const struct tracker *t, uint32_t pos, const uint8_t *src, uint32_t len)
{
	while (len > 0) {
		uint32_t i = pos / DF_PAGE, in = pos % DF_PAGE;
		uint32_t n = len < DF_PAGE - in ? len : DF_PAGE - in;

		if (!t->pg[i] || memcmp(t->pg[i] + in, src, n) != 0)
			return false;
		pos += n;
		src += n;
		len -= n;
	}
	return true;
}

/* ------------------------------------------------------------- trackers */

static uint32_t key_hash(const struct defrag *d, const struct df_key *k)
{
	uint32_t w[sizeof(*k) / 4], h = d->seed;

	memcpy(w, k, sizeof(w));
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		h ^= w[i];
		h *= 0x9e3779b1u;
		h = h << 13 | h >> 19;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ h >> 16;
}

static void key_from_packet(struct df_key *k, const struct packet *p)
{
	const struct ids_packet *pub = &p->pub;

	memset(k, 0, sizeof(*k));
	k->family = pub->ip_version;
	memcpy(k->src, pub->src.bytes, sizeof(k->src));
	memcpy(k->dst, pub->dst.bytes, sizeof(k->dst));
	k->id = p->frag_id;
	k->proto = pub->ip_version == 6 ? 0 : pub->proto;
	k->nvlan = pub->vlan_count < IDS_MAX_VLAN ? pub->vlan_count : IDS_MAX_VLAN;
	for (unsigned i = 0; i < k->nvlan; i++)
		k->vlan[i] = pub->vlan[i];
}

static struct tracker *tracker_find(struct defrag *d, const struct df_key *k, uint32_t h)
{
	for (struct tracker *t = d->buckets[h & d->mask]; t; t = t->hnext) {
		if (t->hash == h && memcmp(&t->key, k, sizeof(*k)) == 0)
			return t;
	}
	return NULL;
}

/* Unlink t from the tables, give its pages, runs and itself back. */
static void tracker_release(struct defrag *d, struct tracker *t)
{
	struct tracker **pp = &d->buckets[t->hash & d->mask];

	while (*pp && *pp != t)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = t->hnext;
	if (t->older)
		t->older->newer = t->newer;
	else
		d->oldest = t->newer;
	if (t->newer)
		t->newer->older = t->older;
	else
		d->newest = t->older;
	while (t->runs) {
		struct run *r = t->runs;

		t->runs = r->next;
		pool_put(d, POOL_RUN, r);
	}
	for (unsigned i = 0; i < NPAGES; i++) {
		if (t->pg[i])
			pool_put(d, POOL_PAGE, t->pg[i]);
	}
	pool_put(d, POOL_TRACKER, t);
	d->st.trackers--;
}

/* A new empty tracker for k (oldest dropped first at max_trackers). */
static struct tracker *tracker_new(struct defrag *d, const struct df_key *k, uint32_t h,
				   const struct packet *p)
{
	struct tracker *t;

	while (d->st.trackers >= d->max_trackers && evict_oldest(d))
		;
	t = pool_get(d, POOL_TRACKER);
	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->key = *k;
	t->hash = h;
	t->first_usec = p->pub.ts_usec;
	t->policy = os_policy_lookup(d->policies, &p->pub.dst);
	t->fam = p->pub.ip_version == 6;
	t->frag_next = p->frag_next;
	t->hnext = d->buckets[h & d->mask];
	d->buckets[h & d->mask] = t;
	t->older = d->newest;
	if (d->newest)
		d->newest->newer = t;
	else
		d->oldest = t;
	d->newest = t;
	d->st.trackers++;
	return t;
}

void defrag_expire(struct defrag *d, int64_t now_usec)
{
	struct tracker *t;

	while ((t = d->oldest) && now_usec - t->first_usec >= (int64_t)d->timeout_usec) {
		report(d, DEFRAG_EV_TIMEOUT, t->fam, NULL);
		tracker_release(d, t);
	}
}

/* ------------------------------------------------------------- fragments */

/* Offset of the IPv6 header byte whose next-header value names the
 * fragment header at fh_off, or -1 if the chain does not lead there. */
static int ipv6_nh_pos(const uint8_t *l3, uint32_t fh_off)
{
	uint32_t pos = 6, off = 40;
	uint8_t nh = l3[6];

	while (off < fh_off) {
		uint32_t hl;

		if (off + 2 > fh_off)
			return -1;
		if (nh == EXT_AH)
			hl = ((uint32_t)l3[off + 1] + 2) * 4;
		else if (nh == EXT_HOPOPTS || nh == EXT_ROUTING || nh == EXT_DSTOPTS)
			hl = ((uint32_t)l3[off + 1] + 1) * 8;
		else
			return -1;
		pos = off;
		nh = l3[off];
		off += hl;
	}
	return off == fh_off && nh == EXT_FRAGMENT ? (int)pos : -1;
}

/* Fill f from the decoded fragment; -1 when its layout does not hold. */
static int frag_parse(const struct packet *p, struct frag *f)
{
	const struct ids_packet *pub = &p->pub;
	uint32_t hoff;
	int nh;

	if (!pub->l3 || !pub->payload || pub->payload < pub->l3)
		return -1;
	hoff = (uint32_t)(pub->payload - pub->l3);
	if ((uint64_t)hoff + pub->payload_len > pub->l3_len)
		return -1;
	f->data = pub->payload;
	f->len = pub->payload_len;
	f->off = p->frag_offset;
	f->end = f->off + f->len;
	f->more = p->frag_more;
	f->fam = pub->ip_version == 6;
	f->nh_pos = 0;
	if (pub->ip_version == 4) {
		f->hdr_len = hoff;
		return hoff >= 20 && hoff <= 60 && f->off <= 65528 ? 0 : -1;
	}
	if (pub->ip_version != 6 || hoff < 48 || f->off > 65528)
		return -1;
	f->hdr_len = hoff - 8;
	nh = ipv6_nh_pos(pub->l3, f->hdr_len);
	if (nh < 0)
		return -1;
	f->nh_pos = (uint32_t)nh;
	return 0;
}

/* Bytes the header adds to the length the limit applies to. */
static uint32_t frag_hdr_extra(int fam, uint32_t hdr_len)
{
	return fam ? hdr_len - 40 : hdr_len;
}

/* The fragment agrees with the datagram's known end. */
static bool extent_ok(const struct tracker *t, const struct frag *f)
{
	if (!f->more) {
		if (t->have_last)
			return f->end == t->total;
		return f->end >= t->max_end;
	}
	return !t->have_last || f->end <= t->total;
}

/* Does N = [ns, ne) take the overlap with run O = [os, oe)? See the top. */
static bool new_wins(enum os_policy pol, uint32_t ns, uint32_t ne, uint32_t os, uint32_t oe)
{
	switch (pol) {
	case OS_POLICY_FIRST:
		return false;
	case OS_POLICY_LAST:
		return true;
	case OS_POLICY_LINUX:
	case OS_POLICY_OLD_LINUX:
		return ns <= os;
	case OS_POLICY_WINDOWS:
	case OS_POLICY_VISTA:
		return ns < os && ne > oe;
	case OS_POLICY_SOLARIS:
		return ns < os && ne >= oe;
	case OS_POLICY_BSD_RIGHT:
		return ne > oe || (ne == oe && ns <= os);
	case OS_POLICY_BSD:
	default:
		return ns < os;
	}
}

/* Store f's bytes [a, b) and insert their run at *pp (then after it). */
static int emit(struct defrag *d, struct tracker *t, struct run ***pp, const struct frag *f,
		uint32_t a, uint32_t b)
{
	struct run *r;

	if (a >= b)
		return 0;
	if (space_write(d, t, a, f->data + (a - f->off), b - a) != 0)
		return -1;
	r = pool_get(d, POOL_RUN);
	if (!r)
		return -1;
	r->off = a;
	r->end = b;
	r->next = **pp;
	**pp = r;
	*pp = &r->next;
	return 0;
}

/* Run r (at *pp) loses its overlap with f: trim, split or remove it and
 * leave *pp where f's next piece goes. */
static int run_lose(struct defrag *d, struct run ***pp, struct run *r, const struct frag *f)
{
	if (r->off < f->off && r->end > f->end) { /* f inside r: split */
		struct run *right = pool_get(d, POOL_RUN);

		if (!right)
			return -1;
		right->off = f->end;
		right->end = r->end;
		right->next = r->next;
		r->next = right;
		r->end = f->off;
		*pp = &r->next;
	} else if (r->off < f->off) {
		r->end = f->off;
		*pp = &r->next;
	} else if (r->end > f->end) {
		r->off = f->end;
	} else {
		**pp = r->next;
		pool_put(d, POOL_RUN, r);
	}
	return 0;
}

/* Merge f into t's runs and bytes under t's policy; -1 on no memory. */
static int resolve(struct defrag *d, struct tracker *t, const struct frag *f, bool *differs)
{
	struct run **pp = &t->runs, *r;
	uint32_t piece = f->off, overlapped = 0;

	while (*pp && (*pp)->end <= f->off)
		pp = &(*pp)->next;
	while ((r = *pp) && r->off < f->end) {
		uint32_t a = r->off > f->off ? r->off : f->off;
		uint32_t b = r->end < f->end ? r->end : f->end;

		overlapped += b - a;
		if (!space_equal(t, a, f->data + (a - f->off), b - a))
			*differs = true;
		if (new_wins(t->policy, f->off, f->end, r->off, r->end)) {
			if (run_lose(d, &pp, r, f) != 0)
				return -1;
			continue;
		}
		if (emit(d, t, &pp, f, piece, a) != 0)
			return -1;
		piece = b;
		pp = &r->next;
	}
	if (emit(d, t, &pp, f, piece, f->end) != 0)
		return -1;
	t->covered += f->len - overlapped;
	return 0;
}

/* Keep the first fragment's header (the first offset-0 fragment's). */
static int store_header(struct defrag *d, struct tracker *t, const struct frag *f,
			const struct packet *p)
{
	if (f->hdr_len <= HDR_INLINE)
		memcpy(t->hdr_inline, p->pub.l3, f->hdr_len);
	else if (space_write(d, t, HDR_BASE, p->pub.l3, f->hdr_len) != 0)
		return -1;
	t->have_hdr = true;
	t->hdr_len = f->hdr_len;
	t->nh_pos = f->nh_pos;
	t->frag_next = p->frag_next; /* the offset-0 fragment names the protocol */
	return 0;
}

/* Add f to t; -1 when memory ran out (t must then be dropped). */
static int tracker_add(struct defrag *d, struct tracker *t, const struct frag *f,
		       const struct packet *p, bool *differs)
{
	if (f->off == 0 && !t->have_hdr && store_header(d, t, f, p) != 0)
		return -1;
	if (resolve(d, t, f, differs) != 0)
		return -1;
	if (!f->more) {
		t->have_last = true;
		t->total = f->end;
	}
	if (f->end > t->max_end)
		t->max_end = f->end;
	return 0;
}

/* ------------------------------------------------------------- rebuild */

static uint16_t ipv4_header_csum(const uint8_t *h, uint32_t hlen)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i + 1 < hlen; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void wr16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Rebuild complete t into d->out and release t; 1, or 0 if too large. */
static int rebuild(struct defrag *d, struct tracker *t, const struct packet *p, const uint8_t **out,
		   uint32_t *out_len)
{
	uint8_t *o = d->out;
	uint32_t len = t->hdr_len + t->total;
	int fam = t->fam;

	if (t->total + frag_hdr_extra(fam, t->hdr_len) > IP_MAX) {
		report(d, DEFRAG_EV_TOO_LARGE, fam, p);
		tracker_release(d, t);
		return 0;
	}
	if (t->hdr_len <= HDR_INLINE)
		memcpy(o, t->hdr_inline, t->hdr_len);
	else
		space_read(t, HDR_BASE, o, t->hdr_len);
	space_read(t, 0, o + t->hdr_len, t->total);
	if (fam == 0) {
		wr16(o + 2, len);
		o[6] &= 0xc0; /* keep DF and the reserved bit; clear MF, offset */
		o[7] = 0;
		wr16(o + 10, 0);
		wr16(o + 10, ipv4_header_csum(o, t->hdr_len));
	} else {
		o[t->nh_pos] = t->frag_next;
		wr16(o + 4, len - 40);
	}
	d->st.reassembled[fam]++;
	tracker_release(d, t);
	*out = o;
	*out_len = len;
	return 1;
}

/* ------------------------------------------------------------------ API */

/* Checks that drop f before any tracker work; false when dropped. */
static bool frag_admit(struct defrag *d, const struct packet *p, struct frag *f,
		       const struct df_key *k, uint32_t h)
{
	struct tracker *t;

	if (frag_parse(p, f) != 0 || f->len == 0 || (f->more && f->len % 8 != 0)) {
		report(d, DEFRAG_EV_BAD_LENGTH, p->pub.ip_version == 6, p);
		return false;
	}
	if (f->end + frag_hdr_extra(f->fam, f->hdr_len) > IP_MAX) {
		report(d, DEFRAG_EV_TOO_LARGE, f->fam, p);
		t = tracker_find(d, k, h);
		if (t)
			tracker_release(d, t);
		return false;
	}
	if (f->more && f->len <= DEFRAG_TINY_MAX)
		report(d, DEFRAG_EV_TINY_FRAGMENT, f->fam, p);
	return true;
}

/*
 * RFC 5722 (IPv6): a fragment that overlaps data held abandons the whole
 * datagram, whatever the policy (hosts since then drop it), except a
 * duplicate, one lying wholly inside contiguous data held, which is
 * dropped alone (the first copy stays, as Linux keeps it; the caller
 * reports it when its bytes differ). IPv6 runs are never trimmed and are
 * sorted. 0: add the fragment, 1: a duplicate, -1: abandon the datagram.
 */
static int ipv6_overlap(const struct tracker *t, const struct frag *f)
{
	const struct run *r = t->runs;
	uint32_t pos = f->off;

	while (r && r->end <= f->off)
		r = r->next;
	if (!r || r->off >= f->end)
		return 0;
	while (r && r->off <= pos && pos < f->end) {
		pos = r->end;
		r = r->next;
	}
	return pos >= f->end ? 1 : -1;
}

int defrag_packet(struct defrag *d, const struct packet *p, const uint8_t **out, uint32_t *out_len)
{
	struct df_key k;
	struct frag f;
	struct tracker *t;
	bool differs = false;
	uint32_t h;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (!p->is_fragment || (p->pub.ip_version != 4 && p->pub.ip_version != 6))
		return 0;
	d->st.fragments[p->pub.ip_version == 6]++;
	defrag_expire(d, p->pub.ts_usec);
	key_from_packet(&k, p);
	h = key_hash(d, &k);
	if (!frag_admit(d, p, &f, &k, h))
		return 0;
	t = tracker_find(d, &k, h);
	if (!t)
		t = tracker_new(d, &k, h, p);
	if (!t) {
		report(d, DEFRAG_EV_MEMCAP_DROP, f.fam, NULL);
		return 0;
	}
	if (!extent_ok(t, &f)) {
		report(d, DEFRAG_EV_BAD_LENGTH, f.fam, p);
		return 0;
	}
	rc = f.fam ? ipv6_overlap(t, &f) : 0; /* fam: 1 for IPv6 */
	if (rc > 0) {
		if (!space_equal(t, f.off, f.data, f.len))
			report(d, DEFRAG_EV_OVERLAP, f.fam, p);
		return 0;
	}
	if (rc < 0) {
		report(d, DEFRAG_EV_OVERLAP, f.fam, p);
		tracker_release(d, t);
		return 0;
	}
	d->cur = t;
	rc = tracker_add(d, t, &f, p, &differs);
	d->cur = NULL;
	if (differs)
		report(d, DEFRAG_EV_OVERLAP, f.fam, p);
	if (rc != 0) {
		report(d, DEFRAG_EV_MEMCAP_DROP, f.fam, NULL);
		tracker_release(d, t);
		return 0;
	}
	if (!t->have_last || !t->have_hdr || t->covered != t->total)
		return 0;
	return rebuild(d, t, p, out, out_len);
}

static uint32_t random_seed(const struct defrag *d)
{
	uint32_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uintptr_t)d ^ (uintptr_t)ts.tv_nsec ^ (uintptr_t)ts.tv_sec << 20);
}

struct defrag *defrag_new(const struct defrag_config *cfg, defrag_event_fn cb, void *ctx)
{
	struct defrag *d = calloc(1, sizeof(*d));
	uint32_t nb = 16;

	if (!d)
		return NULL;
	d->timeout_usec = (uint64_t)(cfg->timeout_s ? cfg->timeout_s : DEF_TIMEOUT_S) * USEC;
	d->memcap = cfg->memcap ? cfg->memcap : DEF_MEMCAP;
	d->max_trackers = cfg->max_trackers ? cfg->max_trackers : DEF_MAX_TRACKERS;
	d->policies = cfg->policies;
	d->cb = cb;
	d->ctx = ctx;
	while (nb < d->max_trackers && nb < MAX_BUCKETS)
		nb <<= 1;
	d->mask = nb - 1;
	d->seed = random_seed(d);
	d->buckets = calloc(nb, sizeof(*d->buckets));
	if (!d->buckets)
		goto free_d;
	d->out = malloc(OUT_MAX);
	if (!d->out)
		goto free_buckets;
	return d;

free_buckets:
	free(d->buckets);
free_d:
	free(d);
	return NULL;
}

void defrag_free(struct defrag *d)
{
	if (!d)
		return;
	while (d->oldest)
		tracker_release(d, d->oldest);
	for (int k = 0; k < POOL_KINDS; k++) {
		while (d->free[k]) {
			struct free_obj *f = d->free[k];

			d->free[k] = f->next;
			free(f);
		}
	}
	free(d->out);
	free(d->buckets);
	free(d);
}
