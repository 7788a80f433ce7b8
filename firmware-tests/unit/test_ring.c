// SPDX-License-Identifier: MIT
/* Ring index checks: qxl_devif_ring_check/space/pending/peer_advance. */
#include "devif_expect.h"
#include "tap.h"

struct ring_case {
	const char *name;
	u32 num_items, prod, cons;
	int err;		/* 0 or -EIO */
	const char *why;
	int pending;		/* when err == 0 */
};

static const struct ring_case ring_cases[] = {
	{ "empty ring", 32, 0, 0, 0, "", 0 },
	{ "one pending", 32, 1, 0, 0, "", 1 },
	{ "full ring", 32, 32, 0, 0, "", 32 },
	{ "prod one past full", 32, 33, 0, -EIO, "more than num_items ahead", 0 },
	{ "prod far ahead", 32, 0x40000000, 0, -EIO, "more than num_items ahead", 0 },
	{ "cons one ahead of prod", 32, 0, 1, -EIO, "cons is ahead", 0 },
	{ "cons 251 ahead of prod", 32, 5, 0x100, -EIO, "cons is ahead", 0 },
	{ "wrapped prod, 21 pending", 32, 5, 0xfffffff0, 0, "", 21 },
	{ "wrapped and full", 32, 0x10, 0xfffffff0, 0, "", 32 },
	{ "prod behind cons across the wrap", 32, 0xfffffff0, 5, -EIO, "cons is ahead", 0 },
	{ "both at 2^32-1", 8, 0xffffffff, 0xffffffff, 0, "", 0 },
	{ "release ring full", 8, 108, 100, 0, "", 8 },
	{ "release ring over", 8, 109, 100, -EIO, "more than num_items ahead", 0 },
	{ "num_items 0", 0, 0, 0, -EIO, "power of two", 0 },
	{ "num_items 3", 3, 1, 0, -EIO, "power of two", 0 },
	{ "num_items 0xffffffff", 0xffffffff, 1, 0, -EIO, "power of two", 0 },
	{ "num_items 2^31", 0x80000000, 1, 0, -EIO, "above 65536", 0 },
	{ "num_items 65536 full", 65536, 65536, 0, 0, "", 65536 },
	{ "num_items 1 full", 1, 1, 0, 0, "", 1 },
};

static void test_ring_case(const struct ring_case *c)
{
	const char *why = NULL;
	int ret;

	ret = qxl_devif_ring_check(c->num_items, c->prod, c->cons, &why);
	expect_result(tap_name("check: %s", c->name), c->err, c->why, ret, why);

	why = NULL;
	ret = qxl_devif_ring_pending(c->num_items, c->prod, c->cons, &why);
	expect_result(tap_name("pending: %s", c->name),
		      c->err ? c->err : c->pending, c->why, ret, why);

	why = NULL;
	ret = qxl_devif_ring_space(c->num_items, c->prod, c->cons, &why);
	expect_result(tap_name("space: %s", c->name),
		      c->err ? c->err : (int)c->num_items - c->pending, c->why,
		      ret, why);
}

struct advance_case {
	const char *name;
	u32 num_items, old, new;
	int err;
	const char *why;
};

static const struct advance_case advance_cases[] = {
	{ "peer did not move", 32, 10, 10, 0, "" },
	{ "peer moved by 1", 32, 10, 11, 0, "" },
	{ "peer moved by num_items", 32, 10, 42, 0, "" },
	{ "peer moved by num_items+1", 32, 10, 43, -EIO, "more than num_items forward" },
	{ "peer jumped 2^31-1", 32, 0, 0x7fffffff, -EIO, "more than num_items forward" },
	{ "peer moved back by 1", 32, 10, 9, -EIO, "backwards" },
	{ "peer moved back by 2^31", 32, 0x80000000, 0, -EIO, "backwards" },
	{ "peer wrapped forward by 4", 32, 0xfffffffe, 2, 0, "" },
	{ "peer wrapped backwards", 32, 2, 0xfffffffe, -EIO, "backwards" },
	{ "release ring peer moved by 8", 8, 100, 108, 0, "" },
	{ "release ring peer moved by 9", 8, 100, 109, -EIO, "more than num_items forward" },
	{ "num_items not a power of two", 12, 0, 1, -EIO, "power of two" },
};

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(ring_cases) / sizeof(ring_cases[0]); i++)
		test_ring_case(&ring_cases[i]);
	for (i = 0; i < sizeof(advance_cases) / sizeof(advance_cases[0]); i++) {
		const struct advance_case *c = &advance_cases[i];
		const char *why = NULL;
		int ret = qxl_devif_ring_peer_advance(c->num_items, c->old, c->new, &why);

		expect_result(tap_name("peer_advance: %s", c->name), c->err,
			      c->why, ret, why);
	}
	tap_u64_eq("slot of index 33 in a 32 ring", 1, qxl_devif_ring_slot(32, 33));
	tap_u64_eq("slot of index 2^32-1 in an 8 ring", 7,
		   qxl_devif_ring_slot(8, 0xffffffff));
	return tap_done();
}
