/*
 * ssh.c - the SSH detector plugin.
 *
 * What it does: reads the reassembled TCP streams of every flow whose
 * first bytes (at stream offset 0 of either direction) start an SSH
 * identification line "SSH-", or that the host recognised as ssh, whatever
 * the port; parses each side's banner (protocol and software version) and
 * its first binary packet, the KEXINIT, into HASSH (client) and HASSHServer
 * fingerprints (MD5 of "kex;enc;mac;comp" over that side's sending lists);
 * matches the rules of each buffer (ssh.proto, ssh.software, ssh.hassh,
 * ssh.hassh.string, ssh.hassh.server, ssh.hassh.server.string) with one
 * block matcher per buffer. Alerts carry Suricata's `ssh` object
 * ({client, server} with proto_version, software_version and hassh {hash,
 * string}) rendered from what the flow has shown so far.
 *
 * State and threads: options and matchers are global, read-only after
 * init. Each worker keeps its counters and rendering buffer in its thread
 * context. Each SSH flow gets one struct ssh_flow through svc->flow_data
 * (allocated at its first SSH byte, freed in on_flow_end), plus per side
 * the first packet's buffer while it is read and the HASSH string once
 * parsed. After its KEXINIT (or a gap, or anything not SSH) a direction is
 * no longer read: encrypted bytes cost nothing.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ids/plugin.h>
#include <ids/plugin_util.h>

#include "common/digest.h"
#include "ssh_parser.h"

enum {
	BUF_PROTO,
	BUF_SOFTWARE,
	BUF_HASSH,
	BUF_HASSH_STRING,
	BUF_HASSH_SERVER,
	BUF_HASSH_SERVER_STRING,
	BUF_COUNT
};

static const struct ids_buffer_def ssh_buffers[BUF_COUNT] = {
	[BUF_PROTO] = {"ssh.proto",
		       "protocol version of a banner (\"2.0\", \"1.99\"), either side"},
	[BUF_SOFTWARE] = {"ssh.software",
			  "software version of a banner (\"OpenSSH_9.6p1\", comments left out), "
			  "either side"},
	[BUF_HASSH] = {"ssh.hassh", "HASSH of the client's KEXINIT: 32 lower-case hex digits"},
	[BUF_HASSH_STRING] = {"ssh.hassh.string",
			      "HASSH string of the client: kex;encryption;mac;compression "
			      "algorithms, client to server"},
	[BUF_HASSH_SERVER] = {"ssh.hassh.server",
			      "HASSHServer of the server's KEXINIT: 32 lower-case hex digits"},
	[BUF_HASSH_SERVER_STRING] = {"ssh.hassh.server.string",
				     "HASSHServer string: kex;encryption;mac;compression "
				     "algorithms, server to client"},
};

enum { OPT_HASSH, OPT_COUNT };

static const struct ids_option_def ssh_options[OPT_COUNT] = {
	[OPT_HASSH] = {"hassh", IDS_OPT_BOOL, "true", 0, 0,
		       "compute HASSH and HASSHServer (ssh.hassh* buffers and alerts' hassh)"},
};

#define SSH_HASH_LEN   32
#define SSH_FIELDS_MAX 8192 /* alert fields; longer hassh strings are cut */

struct ssh_global {
	const struct ids_services *svc;
	struct ids_matcher *m[BUF_COUNT]; /* NULL for buffers without rules */
	bool hassh;
};

/* Per-thread counters, logged once in thread_fini. */
struct ssh_counters {
	uint64_t flows, banners, kexinits;
	uint64_t not_ssh, bad_banner, bad_packet, bad_kexinit, other_first, gaps, no_memory;
};

struct ssh_thread {
	const struct ssh_global *g;
	struct ssh_counters c;
	char fields[SSH_FIELDS_MAX];
};

/* What one side has shown. */
struct ssh_side {
	bool has_banner;
	uint8_t proto_len, software_len;
	char proto[SSH_BANNER_MAX], software[SSH_BANNER_MAX];
	char hash[SSH_HASH_LEN + 1]; /* "" without */
	char *hassh;		     /* owned, NULL without */
	size_t hassh_len;
};

/* Owned by the flow's flow_data slot. Index 0 is the client. */
struct ssh_flow {
	struct ssh_dir dir[2];
	bool started[2];
	struct ssh_side side[2];
};

struct ssh_scan {
	struct ssh_thread *t;
	struct ids_thread *thr;
	const struct ids_packet *pkt;
	const struct ssh_flow *f;
	bool rendered;
};

/* ---------------------------------------------------------------- init */

static void ssh_fini(void *global)
{
	struct ssh_global *g = global;

	if (!g)
		return;
	ids_free_matchers(g->svc, g->m, BUF_COUNT);
	free(g);
}

/* A rule on a HASSH buffer needs HASSH enabled. */
static int check_rules(const struct ssh_global *g, const struct ids_plugin_init_args *args)
{
	for (size_t i = 0; i < args->n_rules; i++) {
		const struct ids_rule *r = args->rules[i];
		int b = ids_buffer_index(ssh_buffers, BUF_COUNT, r->buffer);

		if (b >= BUF_HASSH && !g->hassh) {
			snprintf(args->err, args->errlen,
				 "rule %u (%s:%d): buffer %s needs the ssh option hassh: true",
				 r->id, r->file, r->line, r->buffer);
			return -1;
		}
	}
	return 0;
}

static int ssh_init(const struct ids_plugin_init_args *args, void **global)
{
	struct ssh_global *g;

	if (ids_require_abi(args, "ssh", 2) < 0)
		return -1;
	if (!(g = calloc(1, sizeof(*g))))
		return -1;
	g->svc = args->svc;
	g->hassh = args->opts[OPT_HASSH].b;
	if (ids_rules_need_buffers(args, "ssh", ssh_buffers, BUF_COUNT) < 0 ||
	    check_rules(g, args) < 0 ||
	    ids_compile_buffers(args, ssh_buffers, BUF_COUNT, g->m) < 0) {
		ssh_fini(g);
		return -1;
	}
	*global = g;
	return 0;
}

static int ssh_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	struct ssh_thread *t = calloc(1, sizeof(*t));

	(void)thr;
	if (!t)
		return -1;
	t->g = global;
	*thread_ctx = t;
	return 0;
}

static void ssh_thread_fini(void *thread_ctx)
{
	struct ssh_thread *t = thread_ctx;
	const struct ssh_counters *c;

	if (!t)
		return;
	c = &t->c;
	if (c->flows)
		t->g->svc->log(IDS_LOG_INFO,
			       "%llu SSH flows, %llu banners, %llu KEXINITs; not SSH %llu, bad "
			       "banners %llu, bad packets %llu, bad KEXINITs %llu, other first "
			       "packets %llu, gaps %llu, out of memory %llu",
			       (unsigned long long)c->flows, (unsigned long long)c->banners,
			       (unsigned long long)c->kexinits, (unsigned long long)c->not_ssh,
			       (unsigned long long)c->bad_banner, (unsigned long long)c->bad_packet,
			       (unsigned long long)c->bad_kexinit,
			       (unsigned long long)c->other_first, (unsigned long long)c->gaps,
			       (unsigned long long)c->no_memory);
	free(t);
}

/* ------------------------------------------------------------- alerts */

/* Append `"key":"escaped value"` (with a leading comma unless first). */
static size_t put_str(const struct ids_services *svc, char *out, size_t at, const char *key,
		      const char *s, size_t n)
{
	size_t need;

	if (at + 8 >= SSH_FIELDS_MAX)
		return at;
	at += (size_t)snprintf(out + at, SSH_FIELDS_MAX - at, "%s\"%s\":\"",
			       out[at - 1] == '{' ? "" : ",", key);
	need = svc->json_escape(out + at, SSH_FIELDS_MAX - at, s, n);
	at += need < SSH_FIELDS_MAX - at ? need : SSH_FIELDS_MAX - at - 1;
	if (at + 2 < SSH_FIELDS_MAX)
		out[at++] = '"';
	out[at] = '\0';
	return at;
}

static size_t put_side(const struct ids_services *svc, char *out, size_t at, const char *name,
		       const struct ssh_side *s)
{
	at += (size_t)snprintf(out + at, SSH_FIELDS_MAX - at, "%s\"%s\":{",
			       out[at - 1] == '{' ? "" : ",", name);
	if (s->has_banner) {
		at = put_str(svc, out, at, "proto_version", s->proto, s->proto_len);
		at = put_str(svc, out, at, "software_version", s->software, s->software_len);
	}
	if (s->hash[0] && at + 16 < SSH_FIELDS_MAX) {
		at += (size_t)snprintf(out + at, SSH_FIELDS_MAX - at, "%s\"hassh\":{",
				       out[at - 1] == '{' ? "" : ",");
		at = put_str(svc, out, at, "hash", s->hash, SSH_HASH_LEN);
		at = put_str(svc, out, at, "string", s->hassh, s->hassh_len);
		at += (size_t)snprintf(out + at, SSH_FIELDS_MAX - at, "}");
	}
	at += (size_t)snprintf(out + at, SSH_FIELDS_MAX - at, "}");
	return at < SSH_FIELDS_MAX ? at : SSH_FIELDS_MAX - 1;
}

/* The Suricata `ssh` object of what the flow has shown. */
static void render_fields(struct ssh_thread *t, const struct ssh_flow *f)
{
	const struct ids_services *svc = t->g->svc;
	char *out = t->fields;
	size_t at = (size_t)snprintf(out, SSH_FIELDS_MAX, "\"ssh\":{");

	if (f->side[0].has_banner || f->side[0].hash[0])
		at = put_side(svc, out, at, "client", &f->side[0]);
	if (f->side[1].has_banner || f->side[1].hash[0])
		at = put_side(svc, out, at, "server", &f->side[1]);
	snprintf(out + at, SSH_FIELDS_MAX - at, "}");
}

static int on_match(const struct ids_rule *rule, void *ctx)
{
	struct ssh_scan *s = ctx;

	if (!s->rendered)
		render_fields(s->t, s->f);
	s->rendered = true;
	s->t->g->svc->alert_fields(s->thr, s->pkt, rule, s->t->fields);
	return 0;
}

static void scan(struct ssh_scan *s, int b, const void *buf, size_t len)
{
	const struct ssh_global *g = s->t->g;

	if (g->m[b])
		g->svc->matcher_scan(s->thr, g->m[b], s->pkt, buf, len, on_match, s);
}

/* ------------------------------------------------------------ messages */

static void on_banner(struct ssh_scan *s, struct ssh_side *side, const struct ssh_msg *msg)
{
	struct ssh_banner b;

	if (ssh_parse_banner(msg->p, msg->len, &b) < 0) {
		s->t->c.bad_banner++;
		return;
	}
	s->t->c.banners++;
	side->has_banner = true;
	side->proto_len = (uint8_t)b.proto.len; /* a banner is at most 255 bytes */
	memcpy(side->proto, b.proto.p, b.proto.len);
	side->software_len = (uint8_t)b.software.len;
	memcpy(side->software, b.software.p, b.software.len);
	scan(s, BUF_PROTO, b.proto.p, b.proto.len);
	scan(s, BUF_SOFTWARE, b.software.p, b.software.len);
}

static void on_kexinit(struct ssh_scan *s, struct ssh_side *side, bool server,
		       const struct ssh_msg *msg)
{
	struct ssh_kexinit k;
	struct digest_md5 md5;
	uint8_t digest[16];

	if (ssh_parse_kexinit(msg->p, msg->len, &k) < 0) {
		s->t->c.bad_kexinit++;
		return;
	}
	s->t->c.kexinits++;
	if (!s->t->g->hassh)
		return;
	side->hassh_len = ssh_hassh_len(&k, server);
	if (!(side->hassh = malloc(side->hassh_len + 1))) {
		s->t->c.no_memory++;
		return;
	}
	ssh_hassh_string(&k, server, side->hassh, side->hassh_len + 1);
	digest_md5_init(&md5);
	digest_md5_update(&md5, side->hassh, side->hassh_len);
	digest_md5_final(&md5, digest);
	digest_hex(digest, sizeof(digest), side->hash);
	scan(s, server ? BUF_HASSH_SERVER : BUF_HASSH, side->hash, SSH_HASH_LEN);
	scan(s, server ? BUF_HASSH_SERVER_STRING : BUF_HASSH_STRING, side->hassh, side->hassh_len);
}

static void count_end(struct ssh_counters *c, int rc)
{
	if (rc == SSH_FEED_NOT_SSH)
		c->not_ssh++;
	else if (rc == SSH_FEED_BAD_PACKET)
		c->bad_packet++;
	else if (rc == SSH_FEED_OTHER)
		c->other_first++;
	else if (rc == SSH_FEED_NO_MEMORY)
		c->no_memory++;
}

/* ------------------------------------------------------------- streams */

static bool banner_prefix(const uint8_t *p, size_t n)
{
	return n && memcmp(p, "SSH-", n < 4 ? n : 4) == 0;
}

/* A server's first chunk that holds lines before its banner: the banner
 * starts a later line of the same chunk (a server writes them together;
 * one that sends them in separate segments is not followed). */
static bool server_pre_banner(const struct ids_stream_chunk *chunk)
{
	return chunk->direction == IDS_DIR_TO_CLIENT &&
	       memmem(chunk->data, chunk->len, "\nSSH-", 5) != NULL;
}

/* The flow's state, created when a direction starts with "SSH-" (or a
 * server's with lines before an "SSH-" line) or the host recognised the
 * flow as ssh. */
static struct ssh_flow *flow_get(struct ssh_thread *t, struct ids_thread *thr,
				 const struct ids_stream_chunk *chunk)
{
	const struct ids_services *svc = t->g->svc;
	void **slot = svc->flow_data(thr);
	const char *app;
	struct ssh_flow *f;

	if (!slot)
		return NULL;
	if (*slot)
		return *slot;
	app = svc->app_proto(thr);
	if (chunk->offset != 0 || (chunk->flags & IDS_STREAM_GAP) ||
	    (!banner_prefix(chunk->data, chunk->len) && !server_pre_banner(chunk) &&
	     !(app && strcmp(app, "ssh") == 0)))
		return NULL;
	if (!(f = calloc(1, sizeof(*f)))) {
		t->c.no_memory++;
		return NULL;
	}
	ssh_dir_init(&f->dir[0], false);
	ssh_dir_init(&f->dir[1], true);
	t->c.flows++;
	*slot = f;
	return f;
}

static void feed(struct ssh_scan *s, struct ssh_flow *f, unsigned dir,
		 const struct ids_stream_chunk *chunk)
{
	const uint8_t *data = chunk->data;
	size_t len = chunk->len;
	struct ssh_msg msg;
	int rc;

	while ((rc = ssh_dir_feed(&f->dir[dir], &data, &len, &msg)) > 0) {
		if (rc == SSH_FEED_BANNER)
			on_banner(s, &f->side[dir], &msg);
		else
			on_kexinit(s, &f->side[dir], dir == IDS_DIR_TO_CLIENT, &msg);
	}
	count_end(&s->t->c, rc);
}

static void ssh_on_stream(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			  const struct ids_stream_chunk *chunk)
{
	struct ssh_thread *t = thread_ctx;
	struct ssh_scan s = {t, thr, pkt, NULL, false};
	unsigned dir = chunk->direction;
	struct ssh_flow *f;

	if (chunk->len == 0 || dir > 1 || !(f = flow_get(t, thr, chunk)) || f->dir[dir].status)
		return;
	if ((chunk->flags & IDS_STREAM_GAP) || (!f->started[dir] && chunk->offset)) {
		t->c.gaps += (chunk->flags & IDS_STREAM_GAP) != 0;
		ssh_dir_free(&f->dir[dir]);
		f->dir[dir].status = SSH_FEED_DONE;
		return;
	}
	f->started[dir] = true;
	s.f = f;
	feed(&s, f, dir, chunk);
}

static void ssh_on_flow_end(void *thread_ctx, struct ids_thread *thr,
			    const struct ids_flow_info *flow)
{
	struct ssh_thread *t = thread_ctx;
	void **slot = t->g->svc->flow_data(thr);
	struct ssh_flow *f;

	(void)flow;
	if (!slot || !(f = *slot))
		return;
	for (unsigned i = 0; i < 2; i++) {
		ssh_dir_free(&f->dir[i]);
		free(f->side[i].hassh);
	}
	free(f);
	*slot = NULL;
}

static const struct ids_plugin ssh_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "ssh",
	.version = "1.0",
	.description = "SSH on any port: banners (protocol and software version), HASSH and "
		       "HASSHServer fingerprints, rules on each of them",
	.options = ssh_options,
	.n_options = OPT_COUNT,
	.init = ssh_init,
	.thread_init = ssh_thread_init,
	.thread_fini = ssh_thread_fini,
	.fini = ssh_fini,
	.on_stream = ssh_on_stream,
	.on_flow_end = ssh_on_flow_end,
	.buffers = ssh_buffers,
	.n_buffers = BUF_COUNT,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &ssh_plugin;
}
