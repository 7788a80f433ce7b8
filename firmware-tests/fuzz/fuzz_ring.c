// SPDX-License-Identifier: MIT
/*
 * Fuzz the ring index functions against a model in 64-bit arithmetic.
 * Input: repeated records of five u32 (num_items, prod, cons, old, new).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qxl_devif.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

static bool model_size_ok(u32 n)
{
	return n && !(n & (n - 1)) && n <= 65536;
}

static void one(u32 n, u32 prod, u32 cons, u32 old, u32 new)
{
	const char *why = NULL;
	u64 dist = ((u64)prod + (1ULL << 32) - cons) & 0xffffffffULL;
	u64 step = ((u64)new + (1ULL << 32) - old) & 0xffffffffULL;
	bool ok = model_size_ok(n) && dist <= n;
	int c = qxl_devif_ring_check(n, prod, cons, &why);
	int p = qxl_devif_ring_pending(n, prod, cons, &why);
	int s = qxl_devif_ring_space(n, prod, cons, &why);
	int a;

	REQUIRE(why != NULL);
	if (ok) {
		REQUIRE(c == 0 && p == (int)dist && s == (int)(n - dist));
	} else {
		REQUIRE(c == -EIO && p == -EIO && s == -EIO);
		REQUIRE(why[0] != '\0');
	}
	if (model_size_ok(n))
		REQUIRE(qxl_devif_ring_slot(n, prod) < n);

	a = qxl_devif_ring_peer_advance(n, old, new, &why);
	REQUIRE(a == ((model_size_ok(n) && step <= n) ? 0 : -EIO));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 v[5];

	while (size >= sizeof(v)) {
		memcpy(v, data, sizeof(v));
		one(v[0], v[1], v[2], v[3], v[4]);
		/* The real rings, with the fuzzed counters. */
		one(QXL_COMMAND_RING_SIZE, v[1], v[2], v[3], v[4]);
		one(QXL_RELEASE_RING_SIZE, v[1], v[1] - (v[2] & 15), v[3],
		    v[3] + (v[4] & 15));
		data += sizeof(v);
		size -= sizeof(v);
	}
	return 0;
}
