/*
 * log.h - the sensor's own log lines on stderr.
 *
 * "sensor: level: message" (plugins get "sensor: level: [plugin] message").
 * Thread-safe (one fprintf per line). Never called per packet.
 */
#ifndef SENSOR_LOG_H
#define SENSOR_LOG_H

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

extern int log_verbosity; /* messages above this level are dropped; default INFO-1 (warn) */

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
