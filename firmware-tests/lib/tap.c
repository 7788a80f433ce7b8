// SPDX-License-Identifier: MIT
#include "tap.h"

#include <stdio.h>
#include <string.h>

static unsigned int tap_count;
static unsigned int tap_failed;

static void tap_vline(bool pass, const char *name, const char *fmt, va_list ap)
{
	tap_count++;
	if (pass) {
		printf("ok %u - %s\n", tap_count, name);
		return;
	}
	tap_failed++;
	printf("not ok %u - %s: ", tap_count, name);
	vprintf(fmt, ap);
	putchar('\n');
}

bool tap_check(bool pass, const char *name, const char *detail_fmt, ...)
{
	va_list ap;

	va_start(ap, detail_fmt);
	tap_vline(pass, name, detail_fmt, ap);
	va_end(ap);
	fflush(stdout);
	return pass;
}

void tap_skip(const char *name, const char *reason)
{
	printf("ok %u - %s # SKIP %s\n", ++tap_count, name, reason);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int tap_done(void)
{
	printf("1..%u\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

bool tap_u64_eq(const char *name, uint64_t expected, uint64_t got)
{
	return tap_check(expected == got, name,
			 "expected %llu (0x%llx), got %llu (0x%llx)",
			 (unsigned long long)expected,
			 (unsigned long long)expected,
			 (unsigned long long)got, (unsigned long long)got);
}

bool tap_s64_eq(const char *name, int64_t expected, int64_t got)
{
	return tap_check(expected == got, name, "expected %lld, got %lld",
			 (long long)expected, (long long)got);
}

bool tap_str_eq(const char *name, const char *expected, const char *got)
{
	return tap_check(got && strcmp(expected, got) == 0, name,
			 "expected \"%s\", got \"%s\"", expected,
			 got ? got : "(null)");
}

const char *tap_name(const char *fmt, ...)
{
	static char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}
