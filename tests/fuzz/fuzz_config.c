/*
 * fuzz_config.c - the sensor.yaml loader (sensor/core/config.h).
 *
 * Input: the whole input is the file. config_load reads a path, so the
 * bytes go to an anonymous memory file (memfd) opened as
 * /proc/self/fd/N, closed before returning; nothing touches the disk and
 * paths in the file resolve under /proc/self/fd/ without being opened.
 * The file is loaded twice over the defaults (the second load replaces the
 * first tree, the path config_load documents for reloading), then freed.
 *
 * Checked: config_load returns 0 exactly when it reported no error, and
 * the pointers the header promises (policies shared by stream and defrag,
 * a name for every plugin of a clean load) hold after loading.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/config.h"
#include "base/diag.h"
#include "fuzz.h"

/* What holds after any load; a config that loaded cleanly also names
 * every plugin (after errors the sensor stops, so fields may be unset). */
static void check_config(const struct sensor_config *c, int rc)
{
	FUZZ_CHECK(c->stream.policies == &c->policies);
	FUZZ_CHECK(c->defrag.policies == &c->policies);
	FUZZ_CHECK(c->threads >= 1);
	FUZZ_CHECK(c->policies.def < OS_POLICY_COUNT);
	for (size_t i = 0; rc == 0 && i < c->n_plugins; i++)
		FUZZ_CHECK(c->plugins[i].name != NULL);
}

static int load(struct sensor_config *c, const char *path)
{
	struct diag d;
	int rc;

	diag_init(&d, NULL);
	d.quiet = 1;
	rc = config_load(c, path, &d);
	FUZZ_CHECK((rc == 0) == (d.errors == 0));
	FUZZ_CHECK(rc == 0 || rc == -1);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sensor_config c;
	char path[64];
	int fd;

	fd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size)
		goto close_fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_defaults(&c);
	load(&c, path);
	check_config(&c, load(&c, path));
	config_free(&c);
close_fd:
	close(fd);
	return 0;
}
