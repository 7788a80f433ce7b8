// SPDX-License-Identifier: MIT
/*
 * libFuzzer entry point: the parser and the checker must survive any
 * input, ending with a clean error instead of a crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "rec_check.h"
#include "rec_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec_opts o = { .from = 0, .to = UINT64_MAX, .updates = -1 };
	static struct rec_result res;

	rec_expect_init(&o.expect);
	o.expect.no_full_surface_uploads = 1;
	o.expect.no_surface_leaks = 1;
	rec_analyze(data, size, &o, &res);
	return 0;
}
