/* SPDX-License-Identifier: MIT */
/*
 * A minimal TAP producer for the host tests.  Every failing check prints
 * what was expected and what happened on its "not ok" line.
 */
#ifndef FW_TAP_H
#define FW_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/* Record one result; detail (printf format) is printed only on failure. */
bool tap_check(bool pass, const char *name, const char *detail_fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tap_skip(const char *name, const char *reason);
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan; the process exit status: 0 when nothing failed. */
int tap_done(void);

bool tap_u64_eq(const char *name, uint64_t expected, uint64_t got);
bool tap_s64_eq(const char *name, int64_t expected, int64_t got);
bool tap_str_eq(const char *name, const char *expected, const char *got);

/* "name" with printf formatting, for table-driven loops. */
const char *tap_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
