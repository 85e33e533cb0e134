/*
 * fuzz_portscan.c - the portscan plugin's tracking table
 * (plugins/portscan/portscan_track.h) under hostile event sequences.
 *
 * Input:
 *   bytes 0-5   config: max_ports, max_hosts (1..64 each), window (1..255
 *               seconds), max_sources (1..256), hash seed byte
 *   then        events of 8 bytes: source (1 byte: 198.18.0.x or, with
 *               bit 7, 2001:db8::x), destination (1 byte), port (2),
 *               time step in ms (2), an expire call when bit 0 of the last
 *               byte is set
 *
 * Checked, as the header promises: the table never holds more sources
 * than its capacity; the stats count every call and every bit returned;
 * each bit is returned at most once per source per window (so no more
 * port alerts than sources entered plus windows restarted); after an
 * expire call a whole window past the last event, the table is empty.
 */
#include <string.h>

#include "fuzz.h"
#include "portscan_track.h"

static void addr(struct ids_addr *a, uint8_t b)
{
	memset(a, 0, sizeof(*a));
	if (b & 0x80) {
		a->family = 6;
		a->bytes[0] = 0x20, a->bytes[1] = 0x01, a->bytes[2] = 0x0d, a->bytes[3] = 0xb8;
		a->bytes[15] = b & 0x7f;
	} else {
		a->family = 4;
		a->bytes[0] = 198, a->bytes[1] = 18, a->bytes[3] = b;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_config c;
	struct ps_table *t;
	struct fuzz_in in;
	uint64_t calls = 0, ports = 0, hosts = 0;
	int64_t now = 0;

	fuzz_in_init(&in, data, size);
	c.max_ports = fuzz_u8(&in) % 64 + 1;
	c.max_hosts = fuzz_u8(&in) % 64 + 1;
	c.window_usec = (int64_t)(fuzz_u8(&in) % 255 + 1) * 1000000;
	c.max_sources = fuzz_u8(&in) % 256 + 1;
	c.seed = fuzz_u8(&in) * UINT64_C(0x9e3779b97f4a7c15);
	FUZZ_CHECK(ps_table_bytes(&c) > 0);
	if (!(t = ps_table_new(&c)))
		return 0;
	while (!fuzz_in_empty(&in)) {
		struct ids_addr src, dst;
		uint8_t s = fuzz_u8(&in), d = fuzz_u8(&in);
		uint16_t port = fuzz_u16(&in);
		uint16_t step = fuzz_u16(&in);
		uint8_t flags = fuzz_u8(&in);
		unsigned hit;

		now += (int64_t)step * 1000;
		addr(&src, s);
		addr(&dst, d);
		hit = ps_track(t, &src, &dst, port, now);
		calls++;
		ports += (hit & PS_HIT_PORTS) != 0;
		hosts += (hit & PS_HIT_HOSTS) != 0;
		FUZZ_CHECK((hit & ~(unsigned)(PS_HIT_PORTS | PS_HIT_HOSTS)) == 0);
		FUZZ_CHECK(ps_table_count(t) <= c.max_sources);
		if (flags & 1)
			ps_expire(t, now);
	}
	{
		const struct ps_stats *st = ps_table_stats(t);

		FUZZ_CHECK(st->events == calls);
		FUZZ_CHECK(st->port_alerts == ports && st->host_alerts == hosts);
		FUZZ_CHECK(ports <= st->sources + st->windows &&
			   hosts <= st->sources + st->windows);
	}
	ps_expire(t, now + c.window_usec);
	FUZZ_CHECK(ps_table_count(t) == 0);
	ps_table_free(t);
	return 0;
}
