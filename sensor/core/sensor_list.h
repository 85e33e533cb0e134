/*
 * sensor_list.h - what `sensor --list-plugins`, `--list-buffers` and
 * `--dump-config` print (after a set-up as complete as -T's). Main thread.
 */
#ifndef SENSOR_SENSOR_LIST_H
#define SENSOR_SENSOR_LIST_H

#include <stdio.h>

struct plugin_set;
struct sensor_config;

/* Each plugin: name, version, ABI, path, description, rules, options. */
void sensor_list_plugins(const struct plugin_set *ps, FILE *out);
/* Each named buffer, the plugin providing it and its help line. */
void sensor_list_buffers(const struct plugin_set *ps, FILE *out);
/* The configuration in force, defaults filled in, as YAML. */
void sensor_dump_config(const struct sensor_config *c, FILE *out);

#endif
