/*
 * fuzz_app_detect.c - application-protocol recognition from a flow's first
 * bytes (sensor/app/app_detect.h), on hostile bytes of every length.
 *
 * Input:
 *   byte 0   bit 0: the bytes go to the server; bits 1-2: IP protocol
 *            (TCP, UDP, ICMP, TCP)
 *   rest     the first bytes of the direction
 *
 * Checked, as the header promises: the answer is a protocol, APP_UNKNOWN
 * or APP_NEED_MORE, never APP_NONE; a protocol has a name; the function is
 * pure (the same bytes give the same answer); a protocol other than TCP
 * and UDP is never recognised; every prefix is answered too (ASan checks
 * that no byte past the length is read: each prefix is copied to a buffer
 * of exactly its size).
 */
#include <string.h>

#include "app/app_detect.h"
#include "fuzz.h"

static enum app_proto detect(const uint8_t *p, size_t n, uint8_t proto, int to_server)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum app_proto a;

	if (!copy)
		return APP_UNKNOWN;
	memcpy(copy, p, n);
	a = app_detect(n ? copy : NULL, n, proto, to_server);
	FUZZ_CHECK(a == app_detect(n ? copy : NULL, n, proto, to_server));
	free(copy);
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t protos[4] = {6, 17, 1, 6};
	struct fuzz_in in;
	const uint8_t *rest;
	uint8_t mode, proto;
	enum app_proto a;
	size_t len;

	fuzz_in_init(&in, data, size);
	mode = fuzz_u8(&in);
	proto = protos[(mode >> 1) & 3];
	rest = fuzz_bytes(&in, size, &len);
	if (len > 1024)
		len = 1024; /* probes look at the first bytes only */
	for (size_t n = 0; n <= len; n += n < 64 ? 1 : 61) {
		a = detect(rest, n, proto, mode & 1);
		FUZZ_CHECK(a > APP_NONE && a <= APP_NEED_MORE);
		if (a != APP_UNKNOWN && a != APP_NEED_MORE)
			FUZZ_CHECK(app_proto_name(a) != NULL);
		if (proto == 1)
			FUZZ_CHECK(a == APP_UNKNOWN || (n == 0 && a == APP_NEED_MORE));
	}
	return 0;
}
