// SPDX-License-Identifier: MIT
/*
 * qxl_devif_release_chain(): a table of outstanding ids and the links the
 * "device" wrote; every bad chain must be refused with nothing freed.
 */
#include <string.h>

#include "devif_expect.h"
#include "tap.h"

#define MAX_IDS 2048

struct table {
	u64 next[MAX_IDS];		/* link written by the device */
	bool outstanding[MAX_IDS];
	unsigned int released[MAX_IDS];
	u64 order[MAX_IDS];
	unsigned int n_released;
	unsigned int lookups;
	/* After this many lookups, rewrite next[mutate_id] (device race). */
	unsigned int mutate_after;
	u64 mutate_id, mutate_to;
};

static int t_lookup(void *ctx, u64 id, u64 *next)
{
	struct table *t = ctx;

	if (t->mutate_after && ++t->lookups > t->mutate_after)
		t->next[t->mutate_id] = t->mutate_to;
	if (id >= MAX_IDS || !t->outstanding[id])
		return -ENOENT;
	*next = t->next[id];
	return 0;
}

static void t_release(void *ctx, u64 id)
{
	struct table *t = ctx;

	t->released[id]++;
	t->outstanding[id] = false;
	t->order[t->n_released++] = id;
}

static const struct qxl_devif_release_ops ops = {
	.lookup = t_lookup,
	.release = t_release,
};

static void table_init(struct table *t)
{
	memset(t, 0, sizeof(*t));
}

/* Make ids[0..n-1] outstanding and link them in that order. */
static void chain(struct table *t, const u64 *ids, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		t->outstanding[ids[i]] = true;
		t->next[ids[i]] = i + 1 < n ? ids[i + 1] : 0;
	}
}

static void expect_nothing_freed(const char *name, const struct table *t)
{
	tap_u64_eq(tap_name("%s: nothing freed", name), 0, t->n_released);
}

static void expect_freed(const char *name, const struct table *t,
			 const u64 *ids, unsigned int n)
{
	unsigned int i;
	bool same = t->n_released == n;

	for (i = 0; same && i < n; i++)
		same = t->order[i] == ids[i] && t->released[ids[i]] == 1;
	tap_check(same, tap_name("%s: each id freed once, in chain order", name),
		  "expected %u ids freed once starting with %llu, got %u freed, first %llu",
		  n, (unsigned long long)ids[0], t->n_released,
		  (unsigned long long)(t->n_released ? t->order[0] : 0));
}

static int walk(struct table *t, u64 first, u32 max_len, const char **why)
{
	*why = NULL;
	return qxl_devif_release_chain(first, max_len, &ops, t, why);
}

int main(void)
{
	static struct table t;
	static u64 ids[MAX_IDS];
	const char *why;
	unsigned int i;
	int ret;

	table_init(&t);
	ids[0] = 7;
	chain(&t, ids, 1);
	ret = walk(&t, 7, 16, &why);
	expect_result("single id released", 0, "", ret, why);
	expect_freed("single id released", &t, ids, 1);

	table_init(&t);
	ids[0] = 3; ids[1] = 9; ids[2] = 1;
	chain(&t, ids, 3);
	t.outstanding[5] = true;	/* an unrelated id stays */
	ret = walk(&t, 3, 16, &why);
	expect_result("chain of 3 released", 0, "", ret, why);
	expect_freed("chain of 3 released", &t, ids, 3);
	tap_check(t.outstanding[5], "chain of 3: unrelated id kept",
		  "expected id 5 still outstanding, got it released");

	table_init(&t);
	for (i = 0; i < 32; i++)
		ids[i] = 100 + i;
	chain(&t, ids, 32);
	ret = walk(&t, 100, 32, &why);
	expect_result("chain exactly max_len long", 0, "", ret, why);
	expect_freed("chain exactly max_len long", &t, ids, 32);

	table_init(&t);
	chain(&t, ids, 33);
	ids[32] = 132;
	chain(&t, ids, 33);
	ret = walk(&t, 100, 32, &why);
	expect_result("chain one longer than max_len", -EIO, "longer than the limit", ret, why);
	expect_nothing_freed("chain one longer than max_len", &t);

	table_init(&t);
	ids[0] = 4; ids[1] = 6; ids[2] = 8;
	chain(&t, ids, 3);
	t.outstanding[6] = false;
	ret = walk(&t, 4, 16, &why);
	expect_result("unknown id in the middle", -EIO, "not outstanding", ret, why);
	expect_nothing_freed("unknown id in the middle", &t);

	table_init(&t);
	ret = walk(&t, 12, 16, &why);
	expect_result("unknown first id", -EIO, "not outstanding", ret, why);
	expect_nothing_freed("unknown first id", &t);

	table_init(&t);
	ids[0] = 4; ids[1] = 6;
	chain(&t, ids, 2);
	t.next[6] = 4000;	/* beyond the table */
	ret = walk(&t, 4, 16, &why);
	expect_result("link to an id out of range", -EIO, "not outstanding", ret, why);
	expect_nothing_freed("link to an id out of range", &t);

	table_init(&t);
	ret = walk(&t, 0, 16, &why);
	expect_result("release ring entry 0", -EIO, "entry is 0", ret, why);

	table_init(&t);
	t.outstanding[9] = true;
	t.next[9] = 9;
	ret = walk(&t, 9, 1000, &why);
	expect_result("id linked to itself", -EIO, "repeats an id", ret, why);
	expect_nothing_freed("id linked to itself", &t);

	table_init(&t);
	ids[0] = 1; ids[1] = 2;
	chain(&t, ids, 2);
	t.next[2] = 1;
	ret = walk(&t, 1, 1000, &why);
	expect_result("two ids in a loop", -EIO, "repeats an id", ret, why);
	expect_nothing_freed("two ids in a loop", &t);

	table_init(&t);
	ids[0] = 1; ids[1] = 2; ids[2] = 3; ids[3] = 4;
	chain(&t, ids, 4);
	t.next[4] = 2;	/* tail loops back into the middle */
	ret = walk(&t, 1, 1000, &why);
	expect_result("loop back into the middle", -EIO, "repeats an id", ret, why);
	expect_nothing_freed("loop back into the middle", &t);

	table_init(&t);
	for (i = 0; i < 300; i++)
		ids[i] = 500 + i;
	chain(&t, ids, 300);
	t.next[799] = 650;	/* 150-long cycle after 150 ids */
	ret = walk(&t, 500, 2000, &why);
	expect_result("long loop found before max_len", -EIO, "repeats an id", ret, why);
	expect_nothing_freed("long loop found before max_len", &t);

	table_init(&t);
	t.outstanding[9] = true;
	t.next[9] = 9;
	ret = walk(&t, 9, 1, &why);
	expect_result("self loop with max_len 1", -EIO, "", ret, why);
	expect_nothing_freed("self loop with max_len 1", &t);

	table_init(&t);
	ret = walk(&t, 9, 0, &why);
	expect_result("max_len 0", -EIO, "longer than the limit", ret, why);

	/* The device rewrites a link after the check pass (5 lookups). */
	table_init(&t);
	ids[0] = 10; ids[1] = 11; ids[2] = 12; ids[3] = 13; ids[4] = 14;
	chain(&t, ids, 5);
	t.mutate_after = 5 + 2;
	t.mutate_id = 12;
	t.mutate_to = 10;	/* points back at an already released id */
	ret = walk(&t, 10, 16, &why);
	expect_result("chain rewritten during release", -EIO, "changed while", ret, why);
	/* 12 is still outstanding when its link changes, so it is freed. */
	tap_check(t.n_released == 3 && t.released[10] == 1 &&
		  t.released[11] == 1 && t.released[12] == 1,
		  "chain rewritten during release: no id freed twice",
		  "expected ids 10, 11, 12 freed once each, got %u frees (10:%u 11:%u 12:%u)",
		  t.n_released, t.released[10], t.released[11], t.released[12]);
	tap_check(t.outstanding[13] && t.outstanding[14],
		  "chain rewritten during release: unreached ids stay outstanding",
		  "expected ids 13 and 14 still outstanding, got %d/%d",
		  t.outstanding[13], t.outstanding[14]);

	return tap_done();
}
