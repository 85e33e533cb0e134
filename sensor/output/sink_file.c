/*
 * sink_file.c - the file sink: lines appended to a regular file, rotated
 * by size (`limit`) and by time (`rotate-interval`), reopened on SIGHUP.
 *
 * A file the sink creates gets the configured mode (0640 by default,
 * whatever the umask) and owner/group when set; a file that already
 * exists is appended to and keeps its own. That holds for every file the
 * sink opens: at start, after a rotation and after a HUP, so a log
 * shipper's group keeps reading. Changing the owner needs the right to
 * (root or CAP_CHOWN); when it fails the sink says so once and goes on.
 *
 * Rotation renames the full file to NAME.YYYYMMDD-HHMMSS (UTC, with -N
 * added when that name exists) and opens NAME afresh. By size: once the
 * lines written since the file was opened reach `limit` bytes. By time:
 * at every multiple of `rotate-interval` seconds since the epoch (3600 is
 * on the hour), checked by the output's tick, about once a second.
 *
 * Thread: the owning output's thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "output/sink.h"

#define FILE_FLAGS (O_WRONLY | O_APPEND | O_CLOEXEC)

static int64_t next_boundary(int64_t now, uint32_t every)
{
	return every ? (now / every + 1) * every : 0;
}

/* Owner and group of new files: -1 each for "keep". */
static void wanted_ids(const struct output_conf *c, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = c->owner ? getpwnam(c->owner) : NULL;
	struct group *gr = c->group ? getgrnam(c->group) : NULL;
	char *end;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (pw)
		*uid = pw->pw_uid;
	else if (c->owner && (*uid = (uid_t)strtoul(c->owner, &end, 10), *end))
		*uid = (uid_t)-1;
	if (gr)
		*gid = gr->gr_gid;
	else if (c->group && (*gid = (gid_t)strtoul(c->group, &end, 10), *end))
		*gid = (gid_t)-1;
}

static void set_owner(struct sink *s, int fd)
{
	uid_t uid;
	gid_t gid;

	if (!s->conf->owner && !s->conf->group)
		return;
	wanted_ids(s->conf, &uid, &gid);
	if (fchown(fd, uid, gid) != 0 && !s->chown_warned) {
		log_warn("output %s: cannot give %s to %s:%s: %s", s->conf->name, s->path,
			 s->conf->owner ? s->conf->owner : "-",
			 s->conf->group ? s->conf->group : "-", strerror(errno));
		s->chown_warned = true;
	}
}

/* Open the path: append to an existing file, or create one with the
 * configured mode and owner. The fd, or -1 with err. */
static int open_path(struct sink *s, char *err, size_t errlen)
{
	int fd = open(s->path, FILE_FLAGS | O_CREAT | O_EXCL, 0600);
	struct stat st;

	if (fd >= 0) {
		fchmod(fd, s->conf->mode);
		set_owner(s, fd);
	} else if (errno == EEXIST) {
		fd = open(s->path, FILE_FLAGS);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", s->path, strerror(errno));
		return -1;
	}
	s->size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return fd;
}

static int file_open(struct sink *s, char *err, size_t errlen)
{
	int fd = open_path(s, err, errlen);

	if (fd < 0)
		return -1;
	s->fd = fd;
	s->next_rotate_s = next_boundary((int64_t)time(NULL), s->conf->rotate_interval);
	return 0;
}

static void file_close(struct sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int file_reopen(struct sink *s, char *err, size_t errlen)
{
	int fd = open_path(s, err, errlen);

	if (fd < 0)
		return -1;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = fd;
	return 0;
}

/* NAME.YYYYMMDD-HHMMSS, or with -N when taken. */
static int rotated_name(const struct sink *s, char *out, size_t outlen)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	struct stat st;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (unsigned n = 0; n < 1000; n++) {
		if (n == 0)
			snprintf(out, outlen, "%s.%s", s->path, stamp);
		else
			snprintf(out, outlen, "%s.%s-%u", s->path, stamp, n);
		if (lstat(out, &st) != 0)
			return 0;
	}
	return -1;
}

static int file_rotate(struct sink *s, char *err, size_t errlen)
{
	char to[4200];

	if (rotated_name(s, to, sizeof(to)) < 0 || rename(s->path, to) != 0) {
		snprintf(err, errlen, "cannot rotate %s: %s", s->path, strerror(errno));
		return -1;
	}
	log_info("output %s: rotated %s to %s", s->conf->name, s->path, to);
	return file_reopen(s, err, errlen);
}

static int file_send(struct sink *s, const char *buf, size_t n, size_t lines, char *err,
		     size_t errlen)
{
	(void)lines;
	if (sink_write_all(s->fd, buf, n) < 0) {
		snprintf(err, errlen, "writing %s failed: %s", s->path, strerror(errno));
		return -1;
	}
	s->size += n;
	if (s->conf->rotate_limit && s->size >= s->conf->rotate_limit)
		return file_rotate(s, err, errlen);
	return 0;
}

static int file_tick(struct sink *s, int64_t now_s, char *err, size_t errlen)
{
	if (!s->conf->rotate_interval || now_s < s->next_rotate_s)
		return 0;
	s->next_rotate_s = next_boundary(now_s, s->conf->rotate_interval);
	if (s->size == 0)
		return 0; /* nothing written: no empty files */
	return file_rotate(s, err, errlen);
}

const struct sink_ops sink_file_ops = {.open = file_open,
				       .send = file_send,
				       .tick = file_tick,
				       .reopen = file_reopen,
				       .close = file_close};
