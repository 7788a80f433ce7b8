/* SPDX-License-Identifier: MIT */
/* Shared helpers of the device-interface unit tests. */
#ifndef FW_DEVIF_EXPECT_H
#define FW_DEVIF_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "qxl_devif.h"

/*
 * Pass when ret == expected_ret and, for a failure, why contains
 * why_part: the rejection must come from the check the case is about,
 * not from some earlier check tripping by accident.
 */
bool expect_result(const char *name, int expected_ret, const char *why_part,
		   int ret, const char *why);

const char *errno_name(int err);

/* A ROM fixture captured from QEMU (fixtures/<name>.rom + .bars). */
struct rom_fixture {
	unsigned char rom[8192];
	size_t len;
	u32 revision;
	struct qxl_devif_bars bars;
};

/* Load fixtures/<name>; aborts the test program if the files are missing. */
void rom_fixture_load(struct rom_fixture *f, const char *name);
/* Read a whole fixture file into buf; returns its length. */
size_t fixture_read(const char *file, void *buf, size_t size);

#endif
