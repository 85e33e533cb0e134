/*
 * tls.c - the TLS detector plugin.
 *
 * What it does: reads the reassembled TCP streams of every flow whose
 * first bytes (in either direction, at stream offset 0) look like a TLS
 * handshake record, whatever the port; reassembles the ClientHello and the
 * ServerHello across records and segments (tls_parser.c), and the server's
 * Certificate message after it (TLS 1.2 and earlier), whose first
 * certificate gives subject, issuer, serial, validity and SHA-1
 * fingerprint (tls_cert.c); fingerprints the client with JA3 and JA4
 * (tls_fp.c); and matches the rules of each of its buffers (tls.sni,
 * tls.ja3, tls.ja3_string, tls.ja4 and Suricata's names of the last three
 * when the ClientHello is complete, tls.version, tls.ja3s, tls.ja3s_string
 * and Suricata's ja3s.hash, ja3s.string when the ServerHello is,
 * tls.cert_* and tls.certs when the Certificate is) with one block matcher
 * per buffer. Alerts carry Suricata's `tls` object (sni, version, ja3
 * {hash, string}, ja4) rendered from what the flow has shown so far.
 * Multi-buffer rules are matched at the same three steps (tx_step), with
 * the step's handshake message as pkt_data for rules that mix the payload
 * with tls buffers; each alerts once per handshake (tx_first_alert).
 *
 * State and threads: options and matchers are global, read-only after
 * init. Each worker keeps its counters, the parsed hello and the rendering
 * buffers in its thread context (nothing allocated per packet). Each TLS
 * flow gets one struct tls_flow through svc->flow_data (allocated at its
 * first TLS byte, freed in on_flow_end), plus, per direction, one body
 * buffer only when a hello spans records or segments (freed as soon as it
 * is parsed) and the JA3 string once the ClientHello is parsed. Flows whose
 * first byte is not a TLS record cost nothing. The worker logs its counters
 * once, in thread_fini.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ids/plugin.h>
#include <ids/plugin_util.h>

#include "tls_cert.h"
#include "tls_fp.h"
#include "tls_parser.h"

enum {
	BUF_SNI,
	BUF_VERSION,
	BUF_JA3,
	BUF_JA3_STRING,
	BUF_JA4,
	BUF_CERT_SUBJECT,
	BUF_CERT_ISSUER,
	BUF_CERT_SERIAL,
	BUF_CERT_FINGERPRINT,
	BUF_CERTS,
	BUF_JA3_HASH_S, /* Suricata's names of the fingerprint buffers */
	BUF_JA3_STRING_S,
	BUF_JA4_HASH_S,
	BUF_JA3S, /* the ServerHello's JA3S, our names then Suricata's */
	BUF_JA3S_STRING,
	BUF_JA3S_HASH_S,
	BUF_JA3S_STRING_S,
	BUF_PKT_DATA, /* multi-buffer rules only: the step's handshake message */
	BUF_COUNT
};

static const struct ids_buffer_def tls_buffers[BUF_COUNT] = {
	[BUF_SNI] = {"tls.sni", "host name of the ClientHello's server_name extension, as sent"},
	[BUF_VERSION] = {"tls.version",
			 "version the ServerHello selected, named as Suricata does: "
			 "\"TLS 1.3\", \"TLS 1.2\", \"TLS 1.1\", \"TLSv1\", \"SSLv3\""},
	[BUF_JA3] = {"tls.ja3", "JA3 hash of the ClientHello: 32 lower-case hex digits"},
	[BUF_JA3_STRING] = {"tls.ja3_string",
			    "JA3 string of the ClientHello (version,ciphers,extensions,groups,"
			    "point formats; GREASE left out)"},
	[BUF_CERT_SUBJECT] = {"tls.cert_subject",
			      "subject of the server certificate, \"C=US, O=Example, "
			      "CN=www.example.org\" (TLS 1.2 and earlier)"},
	[BUF_CERT_ISSUER] = {"tls.cert_issuer", "issuer of the server certificate, as the subject"},
	[BUF_CERT_SERIAL] = {"tls.cert_serial",
			     "serial number of the server certificate, \"00:E4:A1\" (upper case)"},
	[BUF_CERT_FINGERPRINT] = {"tls.cert_fingerprint",
				  "SHA-1 of the server certificate, \"62:12:d8:...\" (lower case)"},
	[BUF_CERTS] = {"tls.certs", "each certificate of the server's chain, DER, one at a time"},
	[BUF_JA3_HASH_S] = {"ja3.hash", "the same as tls.ja3 (Suricata's name)"},
	[BUF_JA3_STRING_S] = {"ja3.string", "the same as tls.ja3_string (Suricata's name)"},
	[BUF_JA4_HASH_S] = {"ja4.hash", "the same as tls.ja4 (Suricata's name)"},
	[BUF_JA4] = {"tls.ja4", "JA4 fingerprint of the ClientHello, e.g. "
				"t13d1516h2_8daaf6152771_e5627efa2ab1"},
	[BUF_JA3S] = {"tls.ja3s", "JA3S hash of the ServerHello: 32 lower-case hex digits"},
	[BUF_JA3S_STRING] = {"tls.ja3s_string",
			     "JA3S string of the ServerHello (version,cipher,extensions; "
			     "GREASE left out)"},
	[BUF_JA3S_HASH_S] = {"ja3s.hash", "the same as tls.ja3s (Suricata's name)"},
	[BUF_JA3S_STRING_S] = {"ja3s.string", "the same as tls.ja3s_string (Suricata's name)"},
	[BUF_PKT_DATA] = {"pkt_data",
			  "the payload in a rule that also names tls buffers: the handshake "
			  "message of the step (ClientHello, ServerHello, Certificate) without "
			  "its record and handshake headers"},
};

enum { OPT_JA3, OPT_JA4, OPT_MAX_HANDSHAKE, OPT_COUNT };

static const struct ids_option_def tls_options[OPT_COUNT] = {
	[OPT_JA3] = {"ja3", IDS_OPT_BOOL, "true", 0, 0,
		     "compute JA3 and JA3S (buffers tls.ja3, tls.ja3_string, tls.ja3s, "
		     "tls.ja3s_string and alerts' tls.ja3)"},
	[OPT_JA4] = {"ja4", IDS_OPT_BOOL, "true", 0, 0,
		     "compute JA4 (buffer tls.ja4 and alerts' tls.ja4)"},
	[OPT_MAX_HANDSHAKE] = {"max-handshake", IDS_OPT_INT, "65536", 512, TLS_MAX_HANDSHAKE,
			       "largest hello message reassembled, in bytes; a longer one is "
			       "counted and not parsed"},
};

#define TLS_FLOW_SNI_MAX 255 /* SNI bytes kept for alerts' tls.sni */
#define TX_FIRED_MAX	 8   /* multi-buffer rules remembered per handshake */
#define TLS_FIELDS_MAX	 (TLS_JA3_MAX + TLS_JA3S_MAX + 6 * TLS_FLOW_SNI_MAX + 6 * 2 * 1024 + 1024)

/* Its counters in stats records (plugins.tls.*): struct tls_counters'
 * members in order. */
static const char *const tls_counter_names[] = {
	"flows",    "client_hellos", "server_hellos", "not_tls",   "bad_record",
	"too_long", "no_memory",     "gaps",	      "truncated", "malformed",
	"limit",    "records",	     "certificates"};
#define TLS_COUNTERS (sizeof(tls_counter_names) / sizeof(tls_counter_names[0]))

struct tls_global {
	const struct ids_services *svc;
	int counter_id[TLS_COUNTERS];
	bool counters;			  /* counters registered (ABI 1.3) */
	struct ids_matcher *m[BUF_COUNT]; /* NULL for buffers without rules */
	struct ids_matcher *tx;		  /* multi-buffer rules (ABI 1.4), or NULL */
	bool ja3, ja4;
	uint32_t max_handshake;
	bool abi_1_3; /* the host has records and alert_tx */
};

/* Per-thread counters, logged once in thread_fini. */
struct tls_counters {
	uint64_t flows, client_hellos, server_hellos;
	uint64_t not_tls, bad_record, too_long, no_memory, gaps;
	uint64_t truncated, malformed, limit, records, certificates;
};

struct tls_thread {
	const struct tls_global *g;
	struct tls_counters c;
	uint64_t published[TLS_COUNTERS];
	struct tls_client_hello ch;
	char ja3[TLS_JA3_MAX];
	char ja3s[TLS_JA3S_MAX];
	char fields[TLS_FIELDS_MAX];
};

/* What the flow has shown; owned by the flow's flow_data slot. */
struct tls_flow {
	struct tls_dir dir[2];
	bool started[2]; /* the direction's offset 0 was seen */
	bool have_client, have_server;
	bool has_sni;
	uint16_t sni_len;
	uint16_t version; /* ServerHello's selection, 0 before */
	char sni[TLS_FLOW_SNI_MAX];
	char ja3_hash[TLS_JA3_HASH_LEN + 1]; /* "" without */
	char ja4[TLS_JA4_LEN + 1];	     /* "" without */
	char *ja3_string;		     /* owned, NULL without */
	size_t ja3_len;
	struct tls_cert_text *cert;	      /* owned: the server certificate's fields, or NULL */
	char ja3s_hash[TLS_JA3_HASH_LEN + 1]; /* "" without */
	char *ja3s_string;		      /* owned, NULL without */
	size_t ja3s_len;
	bool logged; /* its tls record was written */
	/* multi-buffer rules that alerted on the handshake: a rule naming
	 * pkt_data (fresh at every step) alerts once (TX_FIRED_MAX kept) */
	uint8_t n_fired;
	const struct ids_rule *fired[TX_FIRED_MAX];
};

/* What alerts say about the server certificate (TLS 1.2 and earlier),
 * allocated to the size of its strings. */
struct tls_cert_text {
	char serial[3 * 64], fingerprint[60], notbefore[20], notafter[20];
	size_t subject_len, issuer_len;
	char text[]; /* subject, NUL, issuer, NUL */
};

#define TLS_NAME_MAX 1024 /* a certificate name rendered, at most */

struct tls_scan {
	struct tls_thread *t;
	struct ids_thread *thr;
	const struct ids_packet *pkt;
	const struct tls_flow *f;
	bool rendered;
	struct tls_flow *tx; /* the flow of a transaction step, else NULL */
};

/* ---------------------------------------------------------------- init */

static void tls_fini(void *global)
{
	struct tls_global *g = global;

	if (!g)
		return;
	ids_free_matchers(g->svc, g->m, BUF_COUNT);
	ids_free_matchers(g->svc, &g->tx, 1);
	free(g);
}

/* A rule on a fingerprint buffer needs that fingerprint enabled. */
static int check_buffer(const struct tls_global *g, const struct ids_rule *r, const char *name,
			char *err, size_t len)
{
	int b = ids_buffer_index(tls_buffers, BUF_COUNT, name);

	bool ja4 = b == BUF_JA4 || b == BUF_JA4_HASH_S;
	bool ja3 = b == BUF_JA3 || b == BUF_JA3_STRING || b == BUF_JA3_HASH_S ||
		   b == BUF_JA3_STRING_S || b == BUF_JA3S || b == BUF_JA3S_STRING ||
		   b == BUF_JA3S_HASH_S || b == BUF_JA3S_STRING_S;

	if ((ja3 && !g->ja3) || (ja4 && !g->ja4)) {
		snprintf(err, len, "rule %u (%s:%d): buffer %s needs the tls option %s: true",
			 r->id, r->file, r->line, name, ja4 ? "ja4" : "ja3");
		return -1;
	}
	return 0;
}

static int check_rule(const struct tls_global *g, const struct ids_services *svc,
		      const struct ids_rule *r, char *err, size_t len)
{
	if (!ids_rule_multi(svc, r))
		return check_buffer(g, r, r->buffer, err, len);
	for (size_t i = 0; i < r->n_buffers; i++)
		if (check_buffer(g, r, r->buffers[i], err, len) < 0)
			return -1;
	return 0;
}

/* One matcher per buffer that has rules. */
static int tls_compile(struct tls_global *g, const struct ids_plugin_init_args *args)
{
	if (ids_rules_need_buffers(args, "tls", tls_buffers, BUF_COUNT) < 0)
		return -1;
	for (size_t i = 0; i < args->n_rules; i++)
		if (check_rule(g, args->svc, args->rules[i], args->err, args->errlen) < 0)
			return -1;
	if (ids_compile_buffers(args, tls_buffers, BUF_COUNT, g->m) < 0)
		return -1;
	return ids_compile_tx(args, tls_buffers, BUF_COUNT, NULL, NULL, &g->tx);
}

static int tls_init(const struct ids_plugin_init_args *args, void **global)
{
	struct tls_global *g;

	if (ids_require_abi(args, "tls", 2) < 0)
		return -1;
	if (!(g = calloc(1, sizeof(*g))))
		return -1;
	g->svc = args->svc;
	g->ja3 = args->opts[OPT_JA3].b;
	g->ja4 = args->opts[OPT_JA4].b;
	g->abi_1_3 = ids_has_abi(args->svc, 3);
	g->counters = g->abi_1_3 && ids_counters_register(args->svc, tls_counter_names,
							  TLS_COUNTERS, g->counter_id) == 0;
	g->max_handshake = (uint32_t)args->opts[OPT_MAX_HANDSHAKE].i;
	if (tls_compile(g, args) < 0) {
		tls_fini(g);
		return -1;
	}
	*global = g;
	return 0;
}

static int tls_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	struct tls_thread *t = calloc(1, sizeof(*t));

	(void)thr;
	if (!t)
		return -1;
	t->g = global;
	*thread_ctx = t;
	return 0;
}

_Static_assert(sizeof(struct tls_counters) == TLS_COUNTERS * sizeof(uint64_t),
	       "a tls_counters member without a counter name");

/* Once a second and at the end: the counters into the stats records. */
static void tls_tick(void *thread_ctx, struct ids_thread *thr, int64_t now_usec)
{
	struct tls_thread *t = thread_ctx;

	(void)now_usec;
	if (t->g->counters)
		ids_counters_publish(t->g->svc, thr, t->g->counter_id, (const uint64_t *)&t->c,
				     t->published, TLS_COUNTERS);
}

static void tls_thread_fini(void *thread_ctx)
{
	struct tls_thread *t = thread_ctx;
	const struct tls_counters *c;

	if (!t)
		return;
	c = &t->c;
	if (c->flows)
		t->g->svc->log(IDS_LOG_INFO,
			       "%llu TLS flows, %llu client hellos, %llu server hellos, %llu "
			       "certificates; not TLS %llu, "
			       "bad records %llu, hellos too long %llu, truncated %llu, malformed "
			       "%llu, over limits %llu, gaps %llu, out of memory %llu",
			       (unsigned long long)c->flows, (unsigned long long)c->client_hellos,
			       (unsigned long long)c->server_hellos,
			       (unsigned long long)c->certificates, (unsigned long long)c->not_tls,
			       (unsigned long long)c->bad_record, (unsigned long long)c->too_long,
			       (unsigned long long)c->truncated, (unsigned long long)c->malformed,
			       (unsigned long long)c->limit, (unsigned long long)c->gaps,
			       (unsigned long long)c->no_memory);
	free(t);
}

/* ------------------------------------------------------------- alerts */

/* Append `"key":"escaped value"` (with a leading comma unless first). */
static size_t put_str(const struct ids_services *svc, char *out, size_t at, const char *key,
		      const char *s, size_t n)
{
	size_t need;

	at += (size_t)snprintf(out + at, TLS_FIELDS_MAX - at, "%s\"%s\":\"",
			       out[at - 1] == '{' ? "" : ",", key);
	need = svc->json_escape(out + at, TLS_FIELDS_MAX - at, s, n);
	at += need < TLS_FIELDS_MAX - at ? need : TLS_FIELDS_MAX - at - 1;
	if (at + 2 < TLS_FIELDS_MAX)
		out[at++] = '"';
	out[at] = '\0';
	return at;
}

/* The Suricata `tls` object of what the flow has shown. */
static void render_fields(struct tls_thread *t, const struct tls_flow *f)
{
	const struct ids_services *svc = t->g->svc;
	char *out = t->fields, vbuf[8];
	const char *v = tls_version_name(f->version, vbuf);
	size_t at = (size_t)snprintf(out, TLS_FIELDS_MAX, "\"tls\":{");
	const struct tls_cert_text *c = f->cert;

	if (c) {
		at = put_str(svc, out, at, "subject", c->text, c->subject_len);
		at = put_str(svc, out, at, "issuerdn", c->text + c->subject_len + 1, c->issuer_len);
		at = put_str(svc, out, at, "serial", c->serial, strlen(c->serial));
		at = put_str(svc, out, at, "fingerprint", c->fingerprint, strlen(c->fingerprint));
	}
	if (f->has_sni)
		at = put_str(svc, out, at, "sni", f->sni, f->sni_len);
	at = put_str(svc, out, at, "version", v, strlen(v));
	if (c && c->notbefore[0])
		at = put_str(svc, out, at, "notbefore", c->notbefore, strlen(c->notbefore));
	if (c && c->notafter[0])
		at = put_str(svc, out, at, "notafter", c->notafter, strlen(c->notafter));
	if (f->ja3_hash[0]) {
		at += (size_t)snprintf(out + at, TLS_FIELDS_MAX - at, ",\"ja3\":{");
		at = put_str(svc, out, at, "hash", f->ja3_hash, TLS_JA3_HASH_LEN);
		at = put_str(svc, out, at, "string", f->ja3_string, f->ja3_len);
		at += (size_t)snprintf(out + at, TLS_FIELDS_MAX - at, "}");
	}
	if (f->ja3s_hash[0]) {
		at += (size_t)snprintf(out + at, TLS_FIELDS_MAX - at, ",\"ja3s\":{");
		at = put_str(svc, out, at, "hash", f->ja3s_hash, TLS_JA3_HASH_LEN);
		at = put_str(svc, out, at, "string", f->ja3s_string, f->ja3s_len);
		at += (size_t)snprintf(out + at, TLS_FIELDS_MAX - at, "}");
	}
	if (f->ja4[0])
		at = put_str(svc, out, at, "ja4", f->ja4, TLS_JA4_LEN);
	snprintf(out + at, TLS_FIELDS_MAX - at, "}");
}

/*
 * The flow's `tls` record (one per handshake, tx_id 0): what the alerts'
 * object says, written once the ServerHello is parsed, or at the flow's
 * end when only the ClientHello was seen. `pkt` is the packet the record
 * is about (its time).
 */
static void tls_record(struct tls_thread *t, struct ids_thread *thr, const struct ids_packet *pkt,
		       struct tls_flow *f)
{
	const struct ids_services *svc = t->g->svc;
	struct ids_json *j;

	if (!t->g->abi_1_3 || f->logged || !(f->have_client || f->have_server))
		return;
	f->logged = true;
	j = svc->record_begin(thr, pkt, "tls", 0);
	if (!j)
		return;
	render_fields(t, f);
	/* t->fields is "tls":{...}: the object after the key */
	svc->json->raw(j, "tls", t->fields + 6);
	svc->record_end(thr, j);
	t->c.records++;
}

/* A transaction step's match: false when the rule already alerted on
 * the handshake (a rule naming pkt_data, which is fresh at each step). */
static bool tx_first_alert(struct tls_flow *f, const struct ids_rule *rule)
{
	for (unsigned i = 0; i < f->n_fired; i++)
		if (f->fired[i] == rule)
			return false;
	if (f->n_fired < TX_FIRED_MAX)
		f->fired[f->n_fired++] = rule;
	return true;
}

static int on_match(const struct ids_rule *rule, void *ctx)
{
	struct tls_scan *s = ctx;

	if (s->tx && !tx_first_alert(s->tx, rule))
		return 0;

	if (!s->rendered)
		render_fields(s->t, s->f);
	s->rendered = true;
	if (s->t->g->abi_1_3)
		s->t->g->svc->alert_tx(s->thr, s->pkt, rule, s->t->fields, 0);
	else
		s->t->g->svc->alert_fields(s->thr, s->pkt, rule, s->t->fields);
	return 0;
}

static void scan(struct tls_scan *s, int b, const void *buf, size_t len)
{
	const struct tls_global *g = s->t->g;

	if (g->m[b])
		g->svc->matcher_scan(s->thr, g->m[b], s->pkt, buf, len, on_match, s);
}

/* ------------------------------------------------- transaction steps */

#define BIT(b) (1ULL << (b))

static size_t tx_add(struct ids_tx_buffer *list, size_t n, int b, uint64_t fresh, const void *data,
		     size_t len)
{
	list[n] = (struct ids_tx_buffer){
		.buf = (uint32_t)b,
		.flags = (fresh & BIT(b)) ? IDS_TXBUF_FRESH : 0,
		.data = data,
		.len = len,
	};
	return n + 1;
}

/*
 * Multi-buffer rules on the handshake (one transaction, tx_id 0): a step
 * at the ClientHello (its buffers fresh), at the ServerHello (tls.version
 * fresh, the client's held in the flow) and at the server certificate
 * (its fields and tls.certs with the first certificate of the chain
 * fresh). `cert` is the certificate step's first DER, else NULL. Each
 * step's handshake message `msg` is its pkt_data (fresh: the payload of
 * the step's direction, for rules mixing the payload with tls buffers);
 * such a rule alerts once per handshake (tx_first_alert).
 */
static void tx_step(struct tls_scan *s, struct tls_flow *f, uint64_t fresh,
		    const struct tls_der *cert, const struct tls_msg *msg)
{
	const struct tls_global *g = s->t->g;
	struct ids_tx_buffer list[BUF_COUNT];
	char vbuf[8];
	const char *v;
	size_t n = 0;

	if (!g->tx)
		return;
	if (f->has_sni)
		n = tx_add(list, n, BUF_SNI, fresh, f->sni, f->sni_len);
	if (f->ja3_string) {
		n = tx_add(list, n, BUF_JA3, fresh, f->ja3_hash, TLS_JA3_HASH_LEN);
		n = tx_add(list, n, BUF_JA3_HASH_S, fresh, f->ja3_hash, TLS_JA3_HASH_LEN);
		n = tx_add(list, n, BUF_JA3_STRING, fresh, f->ja3_string, f->ja3_len);
		n = tx_add(list, n, BUF_JA3_STRING_S, fresh, f->ja3_string, f->ja3_len);
	}
	if (f->ja4[0]) {
		n = tx_add(list, n, BUF_JA4, fresh, f->ja4, TLS_JA4_LEN);
		n = tx_add(list, n, BUF_JA4_HASH_S, fresh, f->ja4, TLS_JA4_LEN);
	}
	if (f->have_server) {
		v = tls_version_name(f->version, vbuf);
		n = tx_add(list, n, BUF_VERSION, fresh, v, strlen(v));
	}
	if (f->ja3s_string) {
		n = tx_add(list, n, BUF_JA3S, fresh, f->ja3s_hash, TLS_JA3_HASH_LEN);
		n = tx_add(list, n, BUF_JA3S_HASH_S, fresh, f->ja3s_hash, TLS_JA3_HASH_LEN);
		n = tx_add(list, n, BUF_JA3S_STRING, fresh, f->ja3s_string, f->ja3s_len);
		n = tx_add(list, n, BUF_JA3S_STRING_S, fresh, f->ja3s_string, f->ja3s_len);
	}
	if (f->cert) {
		const struct tls_cert_text *c = f->cert;

		n = tx_add(list, n, BUF_CERT_SUBJECT, fresh, c->text, c->subject_len);
		n = tx_add(list, n, BUF_CERT_ISSUER, fresh, c->text + c->subject_len + 1,
			   c->issuer_len);
		n = tx_add(list, n, BUF_CERT_SERIAL, fresh, c->serial, strlen(c->serial));
		n = tx_add(list, n, BUF_CERT_FINGERPRINT, fresh, c->fingerprint,
			   strlen(c->fingerprint));
	}
	if (cert)
		n = tx_add(list, n, BUF_CERTS, fresh, cert->p, cert->len);
	n = tx_add(list, n, BUF_PKT_DATA, BIT(BUF_PKT_DATA), msg->body, msg->len);
	s->tx = f;
	g->svc->matcher_tx_scan(s->thr, g->tx, s->pkt, list, n, on_match, s);
	s->tx = NULL;
}

#define CLIENT_BUFS                                                                                \
	(BIT(BUF_SNI) | BIT(BUF_JA3) | BIT(BUF_JA3_HASH_S) | BIT(BUF_JA3_STRING) |                 \
	 BIT(BUF_JA3_STRING_S) | BIT(BUF_JA4) | BIT(BUF_JA4_HASH_S))
#define SERVER_BUFS                                                                                \
	(BIT(BUF_VERSION) | BIT(BUF_JA3S) | BIT(BUF_JA3S_HASH_S) | BIT(BUF_JA3S_STRING) |          \
	 BIT(BUF_JA3S_STRING_S))
#define CERT_BUFS                                                                                  \
	(BIT(BUF_CERT_SUBJECT) | BIT(BUF_CERT_ISSUER) | BIT(BUF_CERT_SERIAL) |                     \
	 BIT(BUF_CERT_FINGERPRINT) | BIT(BUF_CERTS))

/* -------------------------------------------------------------- hellos */

static void count_parse_error(struct tls_counters *c, int rc)
{
	if (rc == TLS_PARSE_TRUNCATED)
		c->truncated++;
	else if (rc == TLS_PARSE_MALFORMED)
		c->malformed++;
	else
		c->limit++;
}

/* Keep what alerts need from a parsed ClientHello; false without memory. */
static bool keep_client(struct tls_thread *t, struct tls_flow *f)
{
	const struct tls_client_hello *ch = &t->ch;

	f->has_sni = ch->sni.p != NULL;
	f->sni_len = ch->sni.len < TLS_FLOW_SNI_MAX ? ch->sni.len : TLS_FLOW_SNI_MAX;
	if (f->sni_len)
		memcpy(f->sni, ch->sni.p, f->sni_len);
	if (t->g->ja4)
		tls_ja4(ch, f->ja4);
	if (!t->g->ja3)
		return true;
	f->ja3_len = tls_ja3_string(ch, t->ja3);
	if (!(f->ja3_string = malloc(f->ja3_len + 1)))
		return false;
	memcpy(f->ja3_string, t->ja3, f->ja3_len + 1);
	tls_ja3_hash(f->ja3_string, f->ja3_len, f->ja3_hash);
	return true;
}

static void client_hello(struct tls_scan *s, struct tls_flow *f, const struct tls_msg *msg)
{
	struct tls_thread *t = s->t;
	int rc = tls_parse_client_hello(msg->body, msg->len, &t->ch);

	if (rc) {
		count_parse_error(&t->c, rc);
		return;
	}
	t->c.client_hellos++;
	f->have_client = true;
	if (!keep_client(t, f)) {
		t->c.no_memory++;
		return;
	}
	if (t->ch.sni.p)
		scan(s, BUF_SNI, t->ch.sni.p, t->ch.sni.len);
	if (f->ja3_string) {
		scan(s, BUF_JA3, f->ja3_hash, TLS_JA3_HASH_LEN);
		scan(s, BUF_JA3_HASH_S, f->ja3_hash, TLS_JA3_HASH_LEN);
		scan(s, BUF_JA3_STRING, f->ja3_string, f->ja3_len);
		scan(s, BUF_JA3_STRING_S, f->ja3_string, f->ja3_len);
	}
	if (f->ja4[0]) {
		scan(s, BUF_JA4, f->ja4, TLS_JA4_LEN);
		scan(s, BUF_JA4_HASH_S, f->ja4, TLS_JA4_LEN);
	}
	tx_step(s, f, CLIENT_BUFS, NULL, msg);
}

/* JA3S of the ServerHello, kept for alerts and the record. */
static void keep_ja3s(struct tls_thread *t, struct tls_flow *f, const struct tls_server_hello *sh)
{
	f->ja3s_len = tls_ja3s_string(sh, t->ja3s);
	if (!(f->ja3s_string = malloc(f->ja3s_len + 1))) {
		t->c.no_memory++;
		return;
	}
	memcpy(f->ja3s_string, t->ja3s, f->ja3s_len + 1);
	tls_ja3_hash(f->ja3s_string, f->ja3s_len, f->ja3s_hash);
}

static void server_hello(struct tls_scan *s, struct tls_flow *f, const struct tls_msg *msg)
{
	struct tls_server_hello sh;
	int rc = tls_parse_server_hello(msg->body, msg->len, &sh);
	char vbuf[8];
	const char *v;

	if (rc) {
		count_parse_error(&s->t->c, rc);
		return;
	}
	s->t->c.server_hellos++;
	f->have_server = true;
	f->version = sh.selected_version;
	if (s->t->g->ja3)
		keep_ja3s(s->t, f, &sh);
	v = tls_version_name(f->version, vbuf);
	scan(s, BUF_VERSION, v, strlen(v));
	if (f->ja3s_string) {
		scan(s, BUF_JA3S, f->ja3s_hash, TLS_JA3_HASH_LEN);
		scan(s, BUF_JA3S_HASH_S, f->ja3s_hash, TLS_JA3_HASH_LEN);
		scan(s, BUF_JA3S_STRING, f->ja3s_string, f->ja3s_len);
		scan(s, BUF_JA3S_STRING_S, f->ja3s_string, f->ja3s_len);
	}
	tx_step(s, f, SERVER_BUFS, NULL, msg);
	tls_record(s->t, s->thr, s->pkt, f);
}

/* The server certificate's fields, kept for alerts; NULL without memory. */
static struct tls_cert_text *cert_text(const struct tls_der *der, const struct tls_cert_info *ci)
{
	char subject[TLS_NAME_MAX], issuer[TLS_NAME_MAX];
	size_t ns = tls_cert_name_text(ci->subject, subject, sizeof(subject));
	size_t ni = tls_cert_name_text(ci->issuer, issuer, sizeof(issuer));
	struct tls_cert_text *c = malloc(sizeof(*c) + ns + ni + 2);

	if (!c)
		return NULL;
	tls_cert_serial_text(ci->serial, c->serial, sizeof(c->serial));
	tls_cert_fingerprint(der->p, der->len, c->fingerprint);
	tls_cert_time_text(ci->not_before_tag, ci->not_before, c->notbefore);
	tls_cert_time_text(ci->not_after_tag, ci->not_after, c->notafter);
	c->subject_len = ns;
	c->issuer_len = ni;
	memcpy(c->text, subject, ns + 1);
	memcpy(c->text + ns + 1, issuer, ni + 1);
	return c;
}

/* A Certificate message: the server certificate (the first of the
 * chain) into the flow and its buffers, every certificate into
 * tls.certs. */
static void certificate(struct tls_scan *s, struct tls_flow *f, const struct tls_msg *msg)
{
	struct tls_der chain[TLS_CERT_MAX];
	struct tls_cert_info ci;
	int n = tls_cert_list(msg->body, msg->len, chain, TLS_CERT_MAX);

	if (n <= 0 || tls_cert_parse(chain[0].p, chain[0].len, &ci) < 0) {
		s->t->c.malformed++;
		return;
	}
	s->t->c.certificates++;
	if (!(f->cert = cert_text(&chain[0], &ci))) {
		s->t->c.no_memory++;
		return;
	}
	scan(s, BUF_CERT_SUBJECT, f->cert->text, f->cert->subject_len);
	scan(s, BUF_CERT_ISSUER, f->cert->text + f->cert->subject_len + 1, f->cert->issuer_len);
	scan(s, BUF_CERT_SERIAL, f->cert->serial, strlen(f->cert->serial));
	scan(s, BUF_CERT_FINGERPRINT, f->cert->fingerprint, strlen(f->cert->fingerprint));
	for (int i = 0; i < n; i++)
		scan(s, BUF_CERTS, chain[i].p, chain[i].len);
	tx_step(s, f, CERT_BUFS, &chain[0], msg);
}

/* ------------------------------------------------------------- streams */

static void count_feed_end(struct tls_counters *c, int rc)
{
	switch (rc) {
	case TLS_FEED_NOT_TLS:
		c->not_tls++;
		break;
	case TLS_FEED_BAD_RECORD:
		c->bad_record++;
		break;
	case TLS_FEED_TOO_LONG:
		c->too_long++;
		break;
	case TLS_FEED_NO_MEMORY:
		c->no_memory++;
		break;
	default:
		break;
	}
}

/* The flow's state, created when a direction starts with a TLS record. */
static struct tls_flow *flow_get(struct tls_thread *t, struct ids_thread *thr,
				 const struct ids_stream_chunk *chunk)
{
	void **slot = t->g->svc->flow_data(thr);
	struct tls_flow *f;

	if (!slot)
		return NULL;
	if (*slot)
		return *slot;
	if (chunk->offset != 0 || (chunk->flags & IDS_STREAM_GAP) ||
	    !tls_looks_like_tls(chunk->data, chunk->len))
		return NULL;
	if (!(f = calloc(1, sizeof(*f)))) {
		t->c.no_memory++;
		return NULL;
	}
	tls_dir_init(&f->dir[0], t->g->max_handshake);
	tls_dir_init(&f->dir[1], t->g->max_handshake);
	f->dir[IDS_DIR_TO_CLIENT].follow = true; /* the server's Certificate */
	t->c.flows++;
	*slot = f;
	return f;
}

static void tls_on_stream(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			  const struct ids_stream_chunk *chunk)
{
	struct tls_thread *t = thread_ctx;
	struct tls_scan s = {t, thr, pkt, NULL, false, NULL};
	struct tls_flow *f;
	struct tls_dir *d;
	struct tls_msg msg;
	const uint8_t *data;
	size_t len;
	int rc;

	if (chunk->len == 0 || chunk->direction > 1 || !(f = flow_get(t, thr, chunk)))
		return;
	d = &f->dir[chunk->direction];
	if (d->status)
		return;
	if ((chunk->flags & IDS_STREAM_GAP) || (!f->started[chunk->direction] && chunk->offset)) {
		t->c.gaps += (chunk->flags & IDS_STREAM_GAP) != 0;
		tls_dir_free(d);
		d->status = TLS_FEED_OTHER;
		return;
	}
	f->started[chunk->direction] = true;
	s.f = f;
	data = chunk->data;
	len = chunk->len;
	while ((rc = tls_dir_next(d, &data, &len, &msg)) == TLS_FEED_MSG) {
		if (msg.type == TLS_HS_CLIENT_HELLO && !f->have_client)
			client_hello(&s, f, &msg);
		else if (msg.type == TLS_HS_SERVER_HELLO && !f->have_server)
			server_hello(&s, f, &msg);
		else if (msg.type == TLS_HS_CERTIFICATE && !f->cert)
			certificate(&s, f, &msg);
	}
	count_feed_end(&t->c, rc);
	if (d->status)
		tls_dir_free(d); /* ended: the hello (if any) is parsed */
}

/* A handshake whose ServerHello never came: its record at the flow's end,
 * about the flow's last packet. */
static void flow_end_record(struct tls_thread *t, struct ids_thread *thr,
			    const struct ids_flow_info *flow, struct tls_flow *f)
{
	struct ids_packet p;

	memset(&p, 0, sizeof(p));
	p.ts_usec = flow->last_usec;
	p.flow_id = flow->flow_id;
	p.src = flow->client;
	p.dst = flow->server;
	p.sport = flow->client_port;
	p.dport = flow->server_port;
	p.proto = flow->proto;
	p.ip_version = flow->client.family;
	tls_record(t, thr, &p, f);
}

static void tls_on_flow_end(void *thread_ctx, struct ids_thread *thr,
			    const struct ids_flow_info *flow)
{
	struct tls_thread *t = thread_ctx;
	void **slot = t->g->svc->flow_data(thr);
	struct tls_flow *f;

	if (!slot || !(f = *slot))
		return;
	if (flow && !f->logged)
		flow_end_record(t, thr, flow, f);
	tls_dir_free(&f->dir[0]);
	tls_dir_free(&f->dir[1]);
	free(f->ja3_string);
	free(f->cert);
	free(f->ja3s_string);
	free(f);
	*slot = NULL;
}

static const struct ids_plugin tls_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "tls",
	.version = "1.0",
	.description = "TLS handshakes on any port: SNI, negotiated version, JA3 and JA4 "
		       "client fingerprints, rules on each of them",
	.options = tls_options,
	.n_options = OPT_COUNT,
	.init = tls_init,
	.thread_init = tls_thread_init,
	.tick = tls_tick,
	.thread_fini = tls_thread_fini,
	.fini = tls_fini,
	.on_stream = tls_on_stream,
	.on_flow_end = tls_on_flow_end,
	.buffers = tls_buffers,
	.n_buffers = BUF_COUNT,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &tls_plugin;
}
