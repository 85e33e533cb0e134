/*
 * fuzz_dns.c - the dns plugin's message parser (plugins/dns/dns_parser.h)
 * on one DNS message: the whole input.
 *
 * Every record of the question, answer and authority sections is read and
 * its rdata rendered as text with a one-byte, a short and a large output
 * buffer; the message is checked whole with dns_message_check; names are
 * decoded at the first offsets of the message; counters, types and rcodes
 * are named as the plugin names them.
 *
 * Checked, as the header promises: the reader's errors are stable (every
 * call after one returns it again) and agree with dns_message_check;
 * records come in section order; names and targets fit their buffers and
 * are NUL-terminated at their length; rdata lies inside the message;
 * dns_rdata_text returns the same full length whatever the buffer size
 * and always terminates what it wrote.
 */
#include <string.h>

#include "dns_parser.h"
#include "fuzz.h"

static void check_text(const uint8_t *msg, size_t len, const struct dns_record *rec)
{
	static const size_t caps[3] = {1, 7, 1100};
	char out[1100];
	long full = 0;

	for (int i = 0; i < 3; i++) {
		long n;

		memset(out, 'x', sizeof(out));
		n = dns_rdata_text(msg, len, rec, out, caps[i]);
		if (i == 0)
			full = n;
		FUZZ_CHECK(n == full);
		if (n < 0) {
			FUZZ_CHECK(out[0] == '\0');
			continue;
		}
		FUZZ_CHECK(out[(size_t)n < caps[i] - 1 ? (size_t)n : caps[i] - 1] == '\0');
	}
}

static void check_record(const uint8_t *msg, size_t len, const struct dns_record *rec)
{
	char tmp[8];

	FUZZ_CHECK(rec->section < DNS_SEC_END);
	FUZZ_CHECK(rec->name_len <= DNS_NAME_TEXT_MAX && rec->name[rec->name_len] == '\0');
	FUZZ_CHECK(rec->target_len <= DNS_NAME_TEXT_MAX && rec->target[rec->target_len] == '\0');
	if (rec->section != DNS_SEC_QUESTION)
		FUZZ_CHECK(rec->rdata_off <= len && rec->rdlen <= len - rec->rdata_off);
	FUZZ_CHECK(dns_type_name(rec->type, tmp) != NULL);
	check_text(msg, len, rec);
}

/* Read every record; returns the reader's final status (0 or an error). */
static int read_all(const uint8_t *msg, size_t len)
{
	struct dns_reader r;
	struct dns_record rec;
	uint8_t last_section = DNS_SEC_QUESTION;
	int rc;

	rc = dns_reader_init(&r, msg, len);
	if (rc != 0)
		return rc;
	while ((rc = dns_reader_next(&r, &rec)) == 1) {
		FUZZ_CHECK(rec.section >= last_section);
		last_section = rec.section;
		check_record(msg, len, &rec);
	}
	FUZZ_CHECK(rc <= 0 && rc > -DNS_ERROR_COUNT);
	FUZZ_CHECK(dns_reader_next(&r, &rec) == rc);
	return rc;
}

static void decode_names(const uint8_t *msg, size_t len)
{
	char name[DNS_NAME_TEXT_MAX + 1];
	size_t name_len, end;

	for (size_t off = 0; off < len && off < 64; off++) {
		if (dns_name_decode(msg, len, off, name, &name_len, &end) != 0)
			continue;
		FUZZ_CHECK(name_len <= DNS_NAME_TEXT_MAX && name[name_len] == '\0');
		FUZZ_CHECK(end > off && end <= len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_header h;
	char tmp[8];
	int rc, check;

	rc = read_all(data, size);
	check = dns_message_check(data, size, &h);
	FUZZ_CHECK(check == rc);
	if (check == 0)
		FUZZ_CHECK(dns_rcode_name(DNS_RCODE(h.flags), tmp) != NULL);
	FUZZ_CHECK(dns_error_name(rc) != NULL);
	decode_names(data, size);
	return 0;
}
