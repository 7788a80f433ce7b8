// SPDX-License-Identifier: MIT
/*
 * Fuzz qxl_devif_client_monitors_parse().  Input: a control byte (bit 0:
 * supply the right CRC; bits 1..7: max_heads), then the config bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qxl_devif.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

static bool model_head_ok(const struct qxl_urect *r)
{
	return r->right >= r->left && r->bottom >= r->top &&
	       r->right <= QXL_DEVIF_MAX_POS && r->bottom <= QXL_DEVIF_MAX_POS &&
	       r->right - r->left <= QXL_DEVIF_MAX_DIM &&
	       r->bottom - r->top <= QXL_DEVIF_MAX_DIM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qxl_client_monitors_config cfg;
	static struct qxl_devif_client_config out;
	const char *why = NULL;
	bool good_crc;
	u32 max_heads, keep, crc, i;
	bool model_ok = true;
	int ret;

	if (size < 1)
		return 0;
	good_crc = data[0] & 1;
	max_heads = data[0] >> 1;
	memset(&cfg, 0, sizeof(cfg));
	memcpy(&cfg, data + 1, size - 1 < sizeof(cfg) ? size - 1 : sizeof(cfg));
	if (size - 1 < sizeof(cfg))
		cfg.count %= QXL_CLIENT_MONITORS_MAX + 2;	/* reach the head checks */

	crc = crc32_le(0, (const void *)&cfg, sizeof(cfg));
	if (!good_crc)
		crc ^= 1U << (data[size - 1] & 31);
	memset(&out, 0xee, sizeof(out));
	ret = qxl_devif_client_monitors_parse(crc, &cfg, max_heads, &out, &why);
	REQUIRE(why != NULL);

	if (!good_crc) {
		REQUIRE(ret == -EAGAIN);
		return 0;
	}
	keep = cfg.count < max_heads ? cfg.count : max_heads;
	if (cfg.count > QXL_CLIENT_MONITORS_MAX)
		model_ok = false;
	for (i = 0; model_ok && i < keep; i++)
		model_ok = model_head_ok(&cfg.heads[i]);
	if (!model_ok) {
		REQUIRE(ret == -EINVAL && why[0]);
		REQUIRE(out.count == 0xeeeeeeee);
		return 0;
	}
	REQUIRE(ret == 0 && why[0] == '\0');
	REQUIRE(out.count == keep && out.count <= QXL_CLIENT_MONITORS_MAX);
	for (i = 0; i < QXL_CLIENT_MONITORS_MAX; i++) {
		const struct qxl_devif_client_head *h = &out.heads[i];

		REQUIRE(h->width <= QXL_DEVIF_MAX_DIM && h->height <= QXL_DEVIF_MAX_DIM);
		REQUIRE(!h->width == !h->height);
		if (i >= keep) {
			REQUIRE(!h->width && !h->x && !h->y);
		} else if (h->width) {
			REQUIRE(h->x == cfg.heads[i].left && h->y == cfg.heads[i].top);
			REQUIRE(h->x + h->width == cfg.heads[i].right);
			REQUIRE(h->y + h->height == cfg.heads[i].bottom);
		}
	}
	return 0;
}
