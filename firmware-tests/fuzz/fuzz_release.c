// SPDX-License-Identifier: MIT
/*
 * Fuzz qxl_devif_release_chain() with a fuzzed id table, against a model
 * that walks the same table with a visited set.  Input: first id, max_len,
 * then per id 1..N a byte pair (outstanding flag, next id).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qxl_devif.h"

#define N_IDS 96
#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

struct table {
	bool outstanding[N_IDS + 8];
	u64 next[N_IDS + 8];
	unsigned int released[N_IDS + 8];
	unsigned int n_released;
};

static int t_lookup(void *ctx, u64 id, u64 *next)
{
	struct table *t = ctx;

	if (id == 0 || id > N_IDS + 4 || !t->outstanding[id])
		return -ENOENT;
	*next = t->next[id];
	return 0;
}

static void t_release(void *ctx, u64 id)
{
	struct table *t = ctx;

	REQUIRE(id && id <= N_IDS + 4 && t->outstanding[id]);
	t->outstanding[id] = false;
	t->released[id]++;
	t->n_released++;
}

static const struct qxl_devif_release_ops ops = {
	.lookup = t_lookup,
	.release = t_release,
};

/* Model: length of a good chain, or -1 when the chain must be refused. */
static int model(const struct table *t, u64 first, u32 max_len)
{
	bool seen[N_IDS + 8] = { false };
	u64 id = first;
	int len = 0;

	if (!first)
		return -1;
	while (id) {
		if ((u32)len == max_len)
			return -1;
		if (id > N_IDS + 4 || !t->outstanding[id] || seen[id])
			return -1;
		seen[id] = true;
		len++;
		id = t->next[id];
	}
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct table t;
	const char *why = NULL;
	u64 first;
	u32 max_len;
	size_t i;
	int expect, ret;

	if (size < 2)
		return 0;
	memset(&t, 0, sizeof(t));
	first = data[0] % (N_IDS + 6);
	max_len = data[1];
	data += 2;
	size -= 2;
	for (i = 1; i <= N_IDS && size >= 2; i++, data += 2, size -= 2) {
		t.outstanding[i] = data[0] & 1;
		t.next[i] = data[1] % (N_IDS + 6);	/* some links go off the table */
	}

	expect = model(&t, first, max_len);
	ret = qxl_devif_release_chain(first, max_len, &ops, &t, &why);
	REQUIRE(why != NULL);
	if (expect < 0) {
		REQUIRE(ret == -EIO);
		REQUIRE(why[0] != '\0');
		REQUIRE(t.n_released == 0);
	} else {
		REQUIRE(ret == 0);
		REQUIRE(t.n_released == (unsigned int)expect);
	}
	for (i = 0; i < N_IDS + 8; i++)
		REQUIRE(t.released[i] <= 1);
	return 0;
}
