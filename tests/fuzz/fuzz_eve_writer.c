/*
 * fuzz_eve_writer.c - the EVE writer (sensor/output/eve.h) and its JSON
 * builders with hostile strings: alerts (rule message, category, metadata,
 * app_proto, protocol fields rendered with json_escape into a small
 * buffer as the plugins do, payload and packet bytes, tunnel, flow),
 * anomalies, flow records, protocol records written through the records
 * service's builder (eve_json_ops, ABI 1.3: any sequence of opens,
 * closes and members, nesting past IDS_JSON_MAX_DEPTH, records left open),
 * and json_escape itself at every output size.
 *
 * Input:
 *   byte 0   bit 0: payload; bit 1: payload-printable; bit 2: packet;
 *            bit 3: community-id; bit 4: a host name (the first string);
 *            bit 5: an in_iface (the next string)
 *   then operations until the input ends, each an op byte (% 5):
 *     0 alert     strings: message, category, metadata value, app_proto,
 *                 a protocol field; then the payload (a string); op bits
 *                 4-7: tunnel depth, vlan count, flow object
 *     1 anomaly   strings: type, event
 *     2 flow      strings: state, tcp state, app_proto, lost_state
 *     3 record    a type (http, dns, tls, "x", or a string), then builder
 *                 calls, one byte each (% 11: open/close object/array,
 *                 str, strn, u64, i64, boolean, raw, stop), strings and
 *                 numbers from the input; up to 64 calls
 *     4 escape    a string and an output size (u16 % 600)
 *   A string: a length byte L (L < 250: L bytes of the input; L >= 250:
 *   (L - 249) * 4099 bytes, the next input bytes repeated: huge values),
 *   raw bytes: NULs, control characters, invalid UTF-8.
 *
 * Checked: every line written is one valid JSON object (json_check.h,
 * strict, valid UTF-8), and the file ends with a newline; json_escape
 * NUL-terminates, returns at least what it wrote, writes the whole text
 * when the size allows it, and whatever it writes, cut or not, is a valid
 * JSON string body. FUZZ_EVE_DUMP in the environment prints every line
 * written on stderr.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "json_check.h"
#include "output/eve.h"
#include "output/eve_json.h"
#include "output/json.h"

#define STR_MAX	  (6 * 4099)
#define MAX_CALLS 64
#define FIELDS	  256 /* the protocol fields buffer, small as in the plugins */

struct strbuf {
	char b[STR_MAX + 1];
	size_t n;
};

/* The next string of the input into s (NUL-terminated after n bytes). */
static const char *next_str(struct fuzz_in *in, struct strbuf *s)
{
	uint8_t l = fuzz_u8(in);
	size_t got;
	const uint8_t *b;

	if (l < 250) {
		b = fuzz_bytes(in, l, &got);
		memcpy(s->b, b, got);
		s->n = got;
	} else {
		size_t want = (size_t)(l - 249) * 4099;

		b = fuzz_bytes(in, 7, &got);
		for (s->n = 0; s->n < want; s->n++)
			s->b[s->n] = got ? (char)b[s->n % got] : '\x80';
	}
	s->b[s->n] = '\0';
	return s->b;
}

/* ---------------------------------------------------------------- escape */

/* json_escape's promises for `s` cut to `size` bytes of output. */
static void check_escape(const char *s, size_t n, size_t size)
{
	static char out[STR_MAX * 6 + 3];
	size_t need = json_escape(out + 1, size, s, n), wrote;

	if (size == 0)
		return;
	wrote = strlen(out + 1);
	FUZZ_CHECK(wrote < size && wrote <= need);
	if (need < size)
		FUZZ_CHECK(wrote == need);
	out[0] = '"';
	out[wrote + 1] = '"';
	FUZZ_CHECK(json_check(out, wrote + 2));
}

/* ----------------------------------------------------------------- alert */

static void packet_of(struct ids_packet *p, const char *payload, size_t n, uint8_t op)
{
	static const uint8_t src[4] = {198, 18, 0, 1}, dst[4] = {198, 18, 0, 2};

	memset(p, 0, sizeof(*p));
	p->ts_usec = INT64_C(1795000000000000);
	p->pcap_cnt = 1;
	p->flow_id = op & 0x80 ? 42 : 0;
	p->src.family = p->dst.family = 4;
	memcpy(p->src.bytes, src, 4);
	memcpy(p->dst.bytes, dst, 4);
	p->ip_version = 4;
	p->proto = 6;
	p->sport = 40000;
	p->dport = 80;
	p->payload = (const uint8_t *)payload;
	p->payload_len = (uint32_t)n;
	p->frame = (const uint8_t *)payload;
	p->caplen = p->wirelen = (uint32_t)n;
	p->vlan_count = (uint8_t)(op >> 6 & 1 ? 2 : 0);
	p->vlan[0] = 7;
	p->vlan[1] = 4095;
	p->tunnel.depth = (uint8_t)(op >> 4 & 3);
	p->tunnel.src = p->src;
	p->tunnel.dst = p->dst;
	p->tunnel.proto = 47;
}

/* `"name":"<escaped>"` cut to the buffer, as a plugin renders fields. */
static void render_field(char *out, const char *s, size_t n)
{
	size_t at = (size_t)snprintf(out, FIELDS, "\"f\":{\"v\":\"");
	size_t need = json_escape(out + at, FIELDS - at - 3, s, n);

	at += need < FIELDS - at - 3 ? need : strlen(out + at);
	memcpy(out + at, "\"}", 3);
}

static void op_alert(struct eve_thread *t, struct fuzz_in *in, uint8_t op, const char *iface)
{
	static struct strbuf msg, cat, meta, app, field, payload;
	static char meta_json[STR_MAX * 6 + 16], fields[FIELDS];
	struct ids_rule r = {.id = 1, .rev = 1, .gid = 1, .severity = 2};
	struct ids_flow_info flow = {.flow_id = 42,
				     .proto = 6,
				     .client_port = 40000,
				     .server_port = 80,
				     .pkts = {3, 2},
				     .bytes = {300, 200}};
	struct ids_packet p;
	struct eve_alert_input a = {.p = &p, .r = &r, .in_iface = iface, .tx_id = -1};

	r.msg = next_str(in, &msg);
	r.category = next_str(in, &cat);
	next_str(in, &meta);
	memcpy(meta_json, "{\"k\":[\"", 7);
	json_escape(meta_json + 7, sizeof(meta_json) - 10, meta.b, meta.n);
	strcat(meta_json, "\"]}");
	r.metadata_json = meta.n ? meta_json : NULL;
	a.app_proto = next_str(in, &app);
	next_str(in, &field);
	render_field(fields, field.b, field.n);
	a.fields = field.n ? fields : NULL;
	next_str(in, &payload);
	packet_of(&p, payload.b, payload.n, op);
	a.flow = op & 0x80 ? &flow : NULL;
	a.tx_id = op & 0x40 ? 3 : -1;
	eve_alert_record(t, &a);
}

/* ---------------------------------------------------------------- others */

static void op_anomaly(struct eve_thread *t, struct fuzz_in *in, uint8_t op, const char *iface)
{
	static struct strbuf type, event;
	struct ids_packet p;

	next_str(in, &type);
	next_str(in, &event);
	packet_of(&p, "", 0, op);
	eve_anomaly(t, INT64_C(1795000000000000), op & 0x80 ? NULL : &p, type.b, event.b, iface);
}

static void op_flow(struct eve_thread *t, struct fuzz_in *in, uint8_t op, const char *iface)
{
	static struct strbuf state, tcp, app, lost;
	static const uint16_t vlan[2] = {1, 2};
	struct ids_flow_info info = {.flow_id = 7,
				     .proto = 6,
				     .end_reason = op >> 4,
				     .client_port = 1,
				     .server_port = 2,
				     .first_usec = 1,
				     .last_usec = 2};
	struct eve_flow_input f = {.info = &info, .vlan = vlan, .vlan_count = op >> 6 & 1 ? 2 : 0};

	info.client.family = info.server.family = 6;
	info.server.bytes[15] = 1;
	f.state = next_str(in, &state);
	f.tcp_state = op & 0x10 ? next_str(in, &tcp) : NULL;
	f.app_proto = op & 0x20 ? next_str(in, &app) : NULL;
	f.lost_state = op & 0x40 ? next_str(in, &lost) : NULL;
	f.in_iface = iface;
	eve_flow(t, &f);
}

/* One builder call of a protocol record; false for "stop". */
static bool record_call(struct ids_json *j, struct fuzz_in *in, struct strbuf *s, bool in_array)
{
	static const char *const raws[] = {"{}", "[1,2,{\"a\":null}]", "-0.5e+3",
					   "{\"x\":\"\\u00ff\"}"};
	const struct ids_json_ops *o = &eve_json_ops;
	uint8_t c = fuzz_u8(in) % 11;
	const char *key = in_array ? NULL : (c & 1 ? "k" : next_str(in, s));
	static struct strbuf v;

	switch (c) {
	case 0:
		o->open_object(j, key);
		break;
	case 1:
		o->close_object(j);
		break;
	case 2:
		o->open_array(j, key);
		break;
	case 3:
		o->close_array(j);
		break;
	case 4:
		o->str(j, key, next_str(in, &v));
		break;
	case 5:
		next_str(in, &v);
		o->strn(j, key, v.b, v.n);
		break;
	case 6:
		o->u64(j, key, fuzz_u32(in) * (uint64_t)fuzz_u32(in));
		break;
	case 7:
		o->i64(j, key, (int64_t)fuzz_u32(in) * -INT64_C(2147483648));
		break;
	case 8:
		o->boolean(j, key, fuzz_u8(in));
		break;
	case 9:
		o->raw(j, key, raws[fuzz_u8(in) % 4]);
		break;
	default:
		return false;
	}
	return true;
}

static void op_record(struct eve_thread *t, struct fuzz_in *in, uint8_t op, const char *iface)
{
	static const char *const types[] = {"http", "dns", "tls", "x"};
	static struct strbuf type, key;
	struct ids_addr a = {.family = 4, .bytes = {198, 18, 0, 1}};
	struct eve_record_input r = {.ts_usec = 1,
				     .flow_id = 9,
				     .src = &a,
				     .dst = &a,
				     .sport = 1,
				     .dport = 53,
				     .proto = 17,
				     .in_iface = iface,
				     .tx_id = op & 0x80 ? 0 : -1};
	struct ids_json *j;

	r.type = (op >> 4 & 7) < 4 ? types[op >> 4 & 3] : next_str(in, &type);
	j = eve_record_begin(t, &r);
	if (!j)
		return;
	for (int i = 0; i < MAX_CALLS && !fuzz_in_empty(in); i++)
		if (!record_call(j, in, &key, j->depth && j->stack[j->depth - 1] == 'a'))
			break;
	eve_record_end(t, j);
}

static void op_escape(struct fuzz_in *in)
{
	static struct strbuf s;

	next_str(in, &s);
	check_escape(s.b, s.n, fuzz_u16(in) % 600);
	check_escape(s.b, s.n, s.n * 6 + 1);
}

/* ------------------------------------------------------------------ main */

static void check_file(int fd)
{
	struct stat st;
	const char *text, *line, *nl;
	size_t len;

	FUZZ_CHECK(fstat(fd, &st) == 0);
	len = (size_t)st.st_size;
	if (len == 0)
		return;
	text = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	FUZZ_CHECK(text != MAP_FAILED);
	FUZZ_CHECK(text[len - 1] == '\n');
	for (line = text; line < text + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (!json_check_object(line, (size_t)(nl - line))) {
			fprintf(stderr, "not JSON: %.*s\n", (int)(nl - line), line);
			FUZZ_CHECK(!"an EVE line is not valid JSON");
		}
		if (getenv("FUZZ_EVE_DUMP"))
			fprintf(stderr, "%.*s\n", (int)(nl - line), line);
	}
	munmap((void *)text, len);
}

static void run_ops(struct eve_thread *t, struct fuzz_in *in, const char *iface)
{
	while (!fuzz_in_empty(in)) {
		uint8_t op = fuzz_u8(in);

		switch (op % 5) {
		case 0:
			op_alert(t, in, op, iface);
			break;
		case 1:
			op_anomaly(t, in, op, iface);
			break;
		case 2:
			op_flow(t, in, op, iface);
			break;
		case 3:
			op_record(t, in, op, iface);
			break;
		default:
			op_escape(in);
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strbuf host, iface;
	struct eve_config cfg = {.enabled = true,
				 .alert = true,
				 .anomaly = true,
				 .flow = true,
				 .stats = true,
				 .http = true,
				 .dns = true,
				 .tls = true};
	struct fuzz_in in;
	struct eve_writer *w;
	struct eve_thread *t;
	char path[64], err[256];
	uint8_t head;
	int fd;

	fuzz_in_init(&in, data, size);
	head = fuzz_u8(&in);
	cfg.payload = head & 1;
	cfg.payload_printable = head & 2;
	cfg.packet = head & 4;
	cfg.community_id = head & 8;
	cfg.host = head & 16 ? (char *)next_str(&in, &host) : NULL;
	fd = memfd_create("eve.json", 0);
	FUZZ_CHECK(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	w = eve_writer_open(path, &cfg, err, sizeof(err));
	FUZZ_CHECK(w != NULL);
	t = eve_thread_new(w);
	FUZZ_CHECK(t != NULL);
	run_ops(t, &in, head & 32 ? next_str(&in, &iface) : NULL);
	eve_thread_free(t);
	eve_writer_close(w);
	check_file(fd);
	close(fd);
	return 0;
}
