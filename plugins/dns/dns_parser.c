/*
 * dns_parser.c - DNS messages as pure functions of (buf, len); see
 * dns_parser.h for the contract.
 *
 * Design: a reader walks the question, answer and authority sections
 * record by record; each record's owner name (and the name inside CNAME,
 * NS, PTR and MX rdata) is decompressed into the caller's record. Nothing
 * is kept between calls but the reader's offset, so a message is checked
 * in one pass and read again as often as the caller wants.
 *
 * Invariants: every read is preceded by a check against `len`; a name
 * decode ends because its in-place bytes only move forwards, each pointer
 * moves strictly backwards past every byte read before (targets strictly
 * decrease), at most DNS_MAX_HOPS pointers are followed and the text never
 * exceeds DNS_NAME_TEXT_MAX bytes. The reader's loop ends because every
 * record consumes at least 5 bytes of the message.
 */
#include "dns_parser.h"

#include <stdio.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int dns_header_parse(const uint8_t *buf, size_t len, struct dns_header *h)
{
	unsigned opcode;

	if (!buf || len < DNS_HEADER_LEN)
		return DNS_E_SHORT;
	h->id = rd16(buf);
	h->flags = rd16(buf + 2);
	h->qdcount = rd16(buf + 4);
	h->ancount = rd16(buf + 6);
	h->nscount = rd16(buf + 8);
	h->arcount = rd16(buf + 10);
	/* QUERY, IQUERY, STATUS, NOTIFY, UPDATE, DSO: the assigned opcodes */
	opcode = DNS_OPCODE(h->flags);
	if (opcode == 3 || opcode > 6)
		return DNS_E_OPCODE;
	return DNS_OK;
}

/* ---------------------------------------------------------------- names */

/* One label of `c` bytes at msg[pos]: append it to out. */
static int name_label(const uint8_t *msg, size_t len, size_t pos, unsigned c, char *out, size_t *n,
		      size_t *wire)
{
	*wire += 1 + c;
	if (*wire + 1 > DNS_NAME_WIRE_MAX) /* the root byte must still fit */
		return DNS_E_NAME_LONG;
	if (c > len - pos - 1)
		return DNS_E_TRUNCATED;
	if (*n)
		out[(*n)++] = '.';
	memcpy(out + *n, msg + pos + 1, c);
	*n += c;
	return DNS_OK;
}

int dns_name_decode(const uint8_t *msg, size_t len, size_t off, char *out, size_t *out_len,
		    size_t *end)
{
	size_t pos = off, limit = off, n = 0, wire = 0;
	unsigned hops = 0;
	bool jumped = false;
	int rc;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return DNS_E_TRUNCATED;
		c = msg[pos];
		if (c == 0)
			break;
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (len - pos < 2)
				return DNS_E_TRUNCATED;
			target = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (!jumped)
				*end = pos + 2;
			jumped = true;
			if (target >= limit)
				return DNS_E_PTR_FORWARD;
			if (++hops > DNS_MAX_HOPS)
				return DNS_E_PTR_HOPS;
			pos = limit = target;
			continue;
		}
		if (c & 0xc0)
			return DNS_E_LABEL;
		rc = name_label(msg, len, pos, c, out, &n, &wire);
		if (rc)
			return rc;
		pos += 1 + (size_t)c;
	}
	if (!jumped)
		*end = pos + 1;
	out[n] = '\0';
	*out_len = n;
	return DNS_OK;
}

/* ---------------------------------------------------------------- rdata */

/* A name filling the rdata from `off` to its end exactly. */
static int rdata_name(const uint8_t *msg, size_t len, size_t off, size_t rd_end,
		      struct dns_record *rec)
{
	size_t end = 0;
	int rc;

	if (off >= rd_end)
		return DNS_E_RDATA;
	rc = dns_name_decode(msg, len, off, rec->target, &rec->target_len, &end);
	if (rc)
		return rc;
	return end == rd_end ? DNS_OK : DNS_E_RDATA;
}

/* Character-strings filling the rdata exactly. */
static int rdata_txt(const uint8_t *msg, size_t off, size_t rd_end)
{
	while (off < rd_end) {
		off += 1 + (size_t)msg[off];
		if (off > rd_end)
			return DNS_E_RDATA;
	}
	return DNS_OK;
}

static int rdata_check(const uint8_t *msg, size_t len, struct dns_record *rec)
{
	size_t off = rec->rdata_off, rd_end = off + rec->rdlen;

	switch (rec->type) {
	case DNS_TYPE_A:
		return rec->rdlen == 4 ? DNS_OK : DNS_E_RDATA;
	case DNS_TYPE_AAAA:
		return rec->rdlen == 16 ? DNS_OK : DNS_E_RDATA;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		return rdata_name(msg, len, off, rd_end, rec);
	case DNS_TYPE_MX:
		if (rec->rdlen < 3)
			return DNS_E_RDATA;
		return rdata_name(msg, len, off + 2, rd_end, rec);
	case DNS_TYPE_TXT:
		return rdata_txt(msg, off, rd_end);
	default:
		return DNS_OK;
	}
}

/* --------------------------------------------------------------- reader */

int dns_reader_init(struct dns_reader *r, const uint8_t *buf, size_t len)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = dns_header_parse(buf, len, &r->hdr);
	if (rc)
		return rc;
	r->msg = buf;
	r->len = len;
	r->pos = DNS_HEADER_LEN;
	r->section = DNS_SEC_QUESTION;
	r->left = r->hdr.qdcount;
	return DNS_OK;
}

/* The record at r->pos, in r->section. */
static int read_record(struct dns_reader *r, struct dns_record *rec)
{
	size_t end = 0, fixed = r->section == DNS_SEC_QUESTION ? 4 : 10;
	const uint8_t *p;
	int rc;

	rc = dns_name_decode(r->msg, r->len, r->pos, rec->name, &rec->name_len, &end);
	if (rc)
		return rc;
	if (r->len - end < fixed)
		return DNS_E_TRUNCATED;
	p = r->msg + end;
	rec->section = r->section;
	rec->type = rd16(p);
	rec->rclass = rd16(p + 2);
	rec->ttl = 0;
	rec->rdlen = 0;
	rec->rdata_off = end + fixed;
	rec->target_len = 0;
	rec->target[0] = '\0';
	if (r->section != DNS_SEC_QUESTION) {
		rec->ttl = rd32(p + 4);
		rec->rdlen = rd16(p + 8);
		if (r->len - rec->rdata_off < rec->rdlen)
			return DNS_E_TRUNCATED;
		rc = rdata_check(r->msg, r->len, rec);
		if (rc)
			return rc;
	}
	r->pos = rec->rdata_off + rec->rdlen;
	return DNS_OK;
}

int dns_reader_next(struct dns_reader *r, struct dns_record *rec)
{
	int rc;

	if (r->err)
		return r->err;
	while (r->left == 0 && r->section < DNS_SEC_END) {
		r->section++;
		if (r->section == DNS_SEC_ANSWER)
			r->left = r->hdr.ancount;
		else if (r->section == DNS_SEC_AUTHORITY)
			r->left = r->hdr.nscount;
	}
	if (r->section == DNS_SEC_END)
		return 0;
	rc = read_record(r, rec);
	if (rc) {
		r->err = rc;
		return rc;
	}
	r->left--;
	return 1;
}

int dns_message_check(const uint8_t *buf, size_t len, struct dns_header *h)
{
	struct dns_reader r;
	struct dns_record rec;
	int rc = dns_reader_init(&r, buf, len);

	while (rc == DNS_OK && (rc = dns_reader_next(&r, &rec)) == 1)
		rc = DNS_OK;
	if (h)
		*h = r.hdr;
	return rc;
}

/* ----------------------------------------------------------------- text */

/* Append n bytes to out (cap bytes) at *at, as far as they fit. */
static void put(char *out, size_t cap, size_t *at, const void *s, size_t n)
{
	if (*at < cap - 1) {
		size_t room = cap - 1 - *at;

		memcpy(out + *at, s, n < room ? n : room);
	}
	*at += n;
}

static long text_aaaa(const uint8_t *a, char *out, size_t cap)
{
	return snprintf(out, cap,
			"%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x",
			a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
			a[12], a[13], a[14], a[15]);
}

static size_t text_txt(const uint8_t *msg, const struct dns_record *rec, char *out, size_t cap)
{
	size_t off = rec->rdata_off, end = off + rec->rdlen, at = 0;

	while (off < end) {
		size_t l = msg[off];

		put(out, cap, &at, msg + off + 1, l);
		off += 1 + l;
	}
	out[at < cap - 1 ? at : cap - 1] = '\0';
	return at;
}

long dns_rdata_text(const uint8_t *msg, size_t len, const struct dns_record *rec, char *out,
		    size_t cap)
{
	const uint8_t *p = msg + rec->rdata_off;

	(void)len; /* rec was checked against len by dns_reader_next */
	out[0] = '\0';
	if (rec->section == DNS_SEC_QUESTION)
		return -1;
	switch (rec->type) {
	case DNS_TYPE_A:
		return snprintf(out, cap, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
	case DNS_TYPE_AAAA:
		return text_aaaa(p, out, cap);
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
	case DNS_TYPE_MX:
		return snprintf(out, cap, "%s", rec->target);
	case DNS_TYPE_TXT:
		return (long)text_txt(msg, rec, out, cap);
	default:
		return -1;
	}
}

/* ---------------------------------------------------------------- names */

struct code_name {
	uint16_t code;
	const char *name;
};

static const struct code_name type_names[] = {
	{1, "A"},	{2, "NS"},	  {3, "MD"},	      {4, "MF"},     {5, "CNAME"},
	{6, "SOA"},	{7, "MB"},	  {8, "MG"},	      {9, "MR"},     {10, "NULL"},
	{11, "WKS"},	{12, "PTR"},	  {13, "HINFO"},      {14, "MINFO"}, {15, "MX"},
	{16, "TXT"},	{17, "RP"},	  {18, "AFSDB"},      {19, "X25"},   {20, "ISDN"},
	{21, "RT"},	{22, "NSAP"},	  {23, "NSAP-PTR"},   {24, "SIG"},   {25, "KEY"},
	{26, "PX"},	{27, "GPOS"},	  {28, "AAAA"},	      {29, "LOC"},   {30, "NXT"},
	{33, "SRV"},	{34, "ATMA"},	  {35, "NAPTR"},      {36, "KX"},    {37, "CERT"},
	{38, "A6"},	{39, "DNAME"},	  {41, "OPT"},	      {42, "APL"},   {43, "DS"},
	{44, "SSHFP"},	{45, "IPSECKEY"}, {46, "RRSIG"},      {47, "NSEC"},  {48, "DNSKEY"},
	{49, "DHCID"},	{50, "NSEC3"},	  {51, "NSEC3PARAM"}, {52, "TLSA"},  {55, "HIP"},
	{59, "CDS"},	{60, "CDNSKEY"},  {64, "SVCB"},	      {65, "HTTPS"}, {99, "SPF"},
	{249, "TKEY"},	{250, "TSIG"},	  {251, "IXFR"},      {252, "AXFR"}, {253, "MAILB"},
	{254, "MAILA"}, {255, "ANY"},	  {256, "URI"},	      {257, "CAA"},
};

static const char *const rcode_names[] = {
	"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",
};

const char *dns_type_name(uint16_t type, char *tmp)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].code == type)
			return type_names[i].name;
	snprintf(tmp, 6, "%u", type);
	return tmp;
}

const char *dns_rcode_name(unsigned rcode, char *tmp)
{
	if (rcode < sizeof(rcode_names) / sizeof(rcode_names[0]))
		return rcode_names[rcode];
	snprintf(tmp, 6, "%u", rcode & 0xffffu);
	return tmp;
}

const char *dns_error_name(int err)
{
	static const char *const names[DNS_ERROR_COUNT] = {
		"ok",		"short",	 "truncated", "bad_label",  "pointer_forward",
		"pointer_hops", "name_too_long", "bad_rdata", "bad_opcode",
	};

	if (err > 0 || -err >= DNS_ERROR_COUNT)
		return "unknown";
	return names[-err];
}
