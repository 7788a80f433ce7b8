// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Ring index arithmetic.  The counters are free-running u32s, so every
 * distance is computed modulo 2^32; the device is never trusted to keep
 * them consistent, because a slot index derived from a corrupt counter
 * would make the driver read or overwrite a command still in flight.
 */
#include "qxl_devif.h"

/* Real rings hold 8 or 32; the cap keeps every count representable as int. */
#define QXL_DEVIF_RING_MAX_ITEMS	65536U

static int qxl_devif_ring_size_check(u32 num_items, const char **why)
{
	if (!num_items || (num_items & (num_items - 1))) {
		*why = "ring num_items is not a power of two";
		return -EIO;
	}
	if (num_items > QXL_DEVIF_RING_MAX_ITEMS) {
		*why = "ring num_items is above 65536";
		return -EIO;
	}
	return 0;
}

int qxl_devif_ring_check(u32 num_items, u32 prod, u32 cons, const char **why)
{
	*why = "";
	if (qxl_devif_ring_size_check(num_items, why))
		return -EIO;
	if (prod - cons > num_items) {
		*why = (s32)(prod - cons) < 0 ?
			"ring cons is ahead of prod" :
			"ring prod is more than num_items ahead of cons";
		return -EIO;
	}
	return 0;
}

int qxl_devif_ring_space(u32 num_items, u32 prod, u32 cons, const char **why)
{
	int ret = qxl_devif_ring_check(num_items, prod, cons, why);

	if (ret)
		return ret;
	return (int)(num_items - (prod - cons));
}

int qxl_devif_ring_pending(u32 num_items, u32 prod, u32 cons, const char **why)
{
	int ret = qxl_devif_ring_check(num_items, prod, cons, why);

	if (ret)
		return ret;
	return (int)(prod - cons);
}

int qxl_devif_ring_peer_advance(u32 num_items, u32 peer_old, u32 peer_new,
				const char **why)
{
	u32 step = peer_new - peer_old;

	*why = "";
	if (qxl_devif_ring_size_check(num_items, why))
		return -EIO;
	if ((s32)step < 0) {
		*why = "device moved its ring counter backwards";
		return -EIO;
	}
	if (step > num_items) {
		*why = "device moved its ring counter more than num_items forward";
		return -EIO;
	}
	return 0;
}
