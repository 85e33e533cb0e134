/*
 * eve_json.h - the JSON builder plugins write their records with
 * (struct ids_json of ids/plugin.h, ops in eve_json_ops).
 *
 * A thin layer over the worker's jbuf that remembers what is open (object
 * or array, up to IDS_JSON_MAX_DEPTH levels), so that eve_record_end can
 * close what a plugin left open and a record stays valid JSON whatever the
 * plugin does. Worker thread only, one open record per eve_thread.
 */
#ifndef SENSOR_EVE_JSON_H
#define SENSOR_EVE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "ids/plugin.h"
#include "output/json.h"

struct ids_json {
	struct jbuf *j;			/* the worker's buffer, borrowed */
	size_t start;			/* where the record starts in it */
	unsigned depth;			/* levels opened by the plugin */
	bool open;			/* between begin and end */
	bool bad;			/* nesting overflowed: drop the record */
	char stack[IDS_JSON_MAX_DEPTH]; /* 'o' object, 'a' array */
};

extern const struct ids_json_ops eve_json_ops;

/* Close every level the plugin left open. */
void eve_json_close_all(struct ids_json *b);

#endif
