// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Client monitors config.  QEMU writes it into the ROM while the guest may
 * be reading, and guards it with a CRC; a mismatch means "read again", not
 * "device broken".  Contents that pass the CRC but describe impossible
 * heads are refused outright so they never reach the connector code.
 */
#include "qxl_devif.h"

static int qxl_devif_head_check(const struct qxl_urect *r, const char **why)
{
	if (r->right < r->left) {
		*why = "client head has right < left";
		return -EINVAL;
	}
	if (r->bottom < r->top) {
		*why = "client head has bottom < top";
		return -EINVAL;
	}
	if (r->right > QXL_DEVIF_MAX_POS || r->bottom > QXL_DEVIF_MAX_POS) {
		*why = "client head lies beyond QXL_DEVIF_MAX_POS";
		return -EINVAL;
	}
	if (r->right - r->left > QXL_DEVIF_MAX_DIM ||
	    r->bottom - r->top > QXL_DEVIF_MAX_DIM) {
		*why = "client head is larger than QXL_DEVIF_MAX_DIM";
		return -EINVAL;
	}
	return 0;
}

int qxl_devif_client_monitors_parse(u32 crc,
				    const struct qxl_client_monitors_config *cfg,
				    u32 max_heads,
				    struct qxl_devif_client_config *out,
				    const char **why)
{
	u32 keep, i;
	int ret;

	*why = "";
	if (crc32_le(0, (const void *)cfg, sizeof(*cfg)) != crc) {
		*why = "client monitors config CRC mismatch";
		return -EAGAIN;
	}
	if (cfg->count > QXL_CLIENT_MONITORS_MAX) {
		*why = "client monitors config count is above 64";
		return -EINVAL;
	}

	keep = cfg->count;
	if (keep > max_heads)
		keep = max_heads;

	/* Check every kept head first so *out is only written on success. */
	for (i = 0; i < keep; i++) {
		ret = qxl_devif_head_check(&cfg->heads[i], why);
		if (ret)
			return ret;
	}

	out->count = keep;
	for (i = 0; i < QXL_CLIENT_MONITORS_MAX; i++) {
		const struct qxl_urect *r = &cfg->heads[i];
		struct qxl_devif_client_head *h = &out->heads[i];
		u32 w = 0, hgt = 0;

		if (i < keep) {
			w = r->right - r->left;
			hgt = r->bottom - r->top;
		}
		if (!w || !hgt) {
			h->x = 0;
			h->y = 0;
			h->width = 0;
			h->height = 0;
			continue;
		}
		h->x = r->left;
		h->y = r->top;
		h->width = w;
		h->height = hgt;
	}
	return 0;
}
