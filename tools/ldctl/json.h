/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer: objects, arrays, strings, unsigned numbers.
 * Keys are given for members of objects and NULL for elements of arrays.
 */
#ifndef LDCTL_JSON_H
#define LDCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	unsigned int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_s64(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline. */
void json_finish(struct json *j);

/* A JSON string literal for s, quotes included; invalid UTF-8 -> U+FFFD. */
void json_write_string(FILE *f, const char *s);

#endif /* LDCTL_JSON_H */
