// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Release chain walking.  The device links released commands through
 * memory it can write at any time, so the chain is checked in full before
 * anything is freed: freeing half a chain and then finding a bad link would
 * leave the driver unable to tell which ids are still in use.
 */
#include "qxl_devif.h"

int qxl_devif_release_chain(u64 first_id, u32 max_len,
			    const struct qxl_devif_release_ops *ops, void *ctx,
			    const char **why)
{
	u64 id = first_id;
	u64 mark = first_id;	/* Brent's cycle detection */
	u32 power = 1;
	u32 lap = 0;
	u32 len = 0;
	u32 i;

	*why = "";
	if (!first_id) {
		*why = "release ring entry is 0";
		return -EIO;
	}

	while (id) {
		u64 next;

		if (len == max_len) {
			*why = "release chain is longer than the limit";
			return -EIO;
		}
		if (ops->lookup(ctx, id, &next)) {
			*why = "release chain names an id that is not outstanding";
			return -EIO;
		}
		len++;
		if (next == mark || next == id) {
			*why = "release chain repeats an id (loop)";
			return -EIO;
		}
		if (++lap == power) {
			mark = next;
			power *= 2;
			lap = 0;
		}
		id = next;
	}

	/*
	 * Second pass: next is read before release() because release() frees
	 * the object that holds it.  lookup() failing here means the device
	 * rewrote the chain under us; stop rather than free a wrong id.
	 */
	id = first_id;
	for (i = 0; i < len; i++) {
		u64 next;

		if (ops->lookup(ctx, id, &next)) {
			*why = "release chain changed while it was being freed";
			return -EIO;
		}
		ops->release(ctx, id);
		id = next;
	}
	return 0;
}
