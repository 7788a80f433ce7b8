// SPDX-License-Identifier: MIT
/* The monitors-config CRC (crc32_le) and qxl_devif_client_monitors_parse(). */
#include <string.h>

#include "devif_expect.h"
#include "tap.h"

static struct qxl_client_monitors_config cfg;
static struct qxl_devif_client_config out;

static u32 crc_of(const struct qxl_client_monitors_config *c)
{
	return crc32_le(0, (const void *)c, sizeof(*c));
}

static void set_head(unsigned int i, u32 left, u32 top, u32 right, u32 bottom)
{
	cfg.heads[i].left = left;
	cfg.heads[i].top = top;
	cfg.heads[i].right = right;
	cfg.heads[i].bottom = bottom;
}

static int parse(u32 max_heads, const char **why)
{
	memset(&out, 0xee, sizeof(out));
	*why = NULL;
	return qxl_devif_client_monitors_parse(crc_of(&cfg), &cfg, max_heads,
					       &out, why);
}

static bool out_untouched(void)
{
	const unsigned char *p = (const unsigned char *)&out;
	size_t i;

	for (i = 0; i < sizeof(out); i++)
		if (p[i] != 0xee)
			return false;
	return true;
}

static void expect_reject(const char *name, u32 max_heads, int err,
			  const char *why_part)
{
	const char *why;
	int ret = parse(max_heads, &why);

	if (expect_result(name, err, why_part, ret, why))
		tap_check(out_untouched(), tap_name("%s: output untouched", name),
			  "expected *out not written, got it written");
}

static void expect_head(const char *name, unsigned int i, u32 x, u32 y, u32 w,
			u32 h)
{
	const struct qxl_devif_client_head *hd = &out.heads[i];

	tap_check(hd->x == x && hd->y == y && hd->width == w && hd->height == h,
		  name, "expected head %u = %ux%u+%u+%u, got %ux%u+%u+%u", i,
		  w, h, x, y, hd->width, hd->height, hd->x, hd->y);
}

static void test_crc(void)
{
	static const char check[] = "123456789";
	static unsigned char zeros[1028];

	/* CRC-32 register with seed 0 and no final xor (Linux crc32_le(0,...)) */
	tap_u64_eq("crc32 of \"123456789\"", 0x2dfd2d88,
		   crc32_le(0, (const void *)check, 9));
	tap_u64_eq("crc32 of nothing is the seed", 0x1234,
		   crc32_le(0x1234, (const void *)check, 0));
	tap_u64_eq("crc32 of zeros with seed 0 is 0", 0,
		   crc32_le(0, zeros, sizeof(zeros)));
	tap_u64_eq("crc32 in two pieces equals one piece",
		   crc32_le(0, (const void *)check, 9),
		   crc32_le(crc32_le(0, (const void *)check, 4),
			    (const void *)(check + 4), 5));
}

static void test_qemu_rom(void)
{
	struct rom_fixture f;
	const struct qxl_rom *rom;
	const char *why = NULL;
	int ret;

	/* QEMU with xres=1280,yres=800 pre-fills one head and its CRC. */
	rom_fixture_load(&f, "rev5-xres1280");
	rom = (const struct qxl_rom *)f.rom;
	tap_u64_eq("QEMU's CRC of its client monitors config matches ours",
		   rom->client_monitors_config_crc,
		   crc32_le(0, (const void *)&rom->client_monitors_config,
			    sizeof(rom->client_monitors_config)));
	ret = qxl_devif_client_monitors_parse(rom->client_monitors_config_crc,
					      &rom->client_monitors_config, 4,
					      &out, &why);
	expect_result("QEMU xres=1280,yres=800 config accepted", 0, "", ret, why);
	tap_u64_eq("QEMU config: 1 head", 1, out.count);
	expect_head("QEMU config: head 0 is 1280x800+0+0", 0, 0, 0, 1280, 800);

	rom_fixture_load(&f, "rev5-vgamem16");
	rom = (const struct qxl_rom *)f.rom;
	why = NULL;
	ret = qxl_devif_client_monitors_parse(rom->client_monitors_config_crc,
					      &rom->client_monitors_config, 4,
					      &out, &why);
	expect_result("QEMU default (no client) config accepted", 0, "", ret, why);
	tap_u64_eq("QEMU default config: 0 heads", 0, out.count);
}

int main(void)
{
	const char *why;
	unsigned int i;
	int ret;

	test_crc();
	test_qemu_rom();

	memset(&cfg, 0, sizeof(cfg));
	cfg.count = 2;
	set_head(0, 0, 0, 1024, 768);
	set_head(1, 1024, 0, 1024 + 1920, 1080);
	ret = parse(4, &why);
	expect_result("two heads side by side", 0, "", ret, why);
	tap_u64_eq("two heads: count", 2, out.count);
	expect_head("two heads: head 0", 0, 0, 0, 1024, 768);
	expect_head("two heads: head 1", 1, 1024, 0, 1920, 1080);
	expect_head("two heads: unused head 2 zeroed", 2, 0, 0, 0, 0);
	expect_head("two heads: unused head 63 zeroed", 63, 0, 0, 0, 0);

	ret = parse(1, &why);
	expect_result("two heads, max_heads 1", 0, "", ret, why);
	tap_u64_eq("max_heads 1: count clipped", 1, out.count);
	expect_head("max_heads 1: head 1 not kept", 1, 0, 0, 0, 0);

	ret = parse(0, &why);
	expect_result("max_heads 0", 0, "", ret, why);
	tap_u64_eq("max_heads 0: count 0", 0, out.count);

	memset(&out, 0xee, sizeof(out));
	why = NULL;
	ret = qxl_devif_client_monitors_parse(crc_of(&cfg) ^ 1, &cfg, 4, &out, &why);
	expect_result("CRC off by one bit", -EAGAIN, "CRC", ret, why);
	tap_check(out_untouched(), "CRC mismatch: output untouched",
		  "expected *out not written, got it written");
	cfg.heads[1].right++;	/* change after the CRC was taken */
	memset(&out, 0xee, sizeof(out));
	ret = qxl_devif_client_monitors_parse(crc_of(&cfg) + 0, &cfg, 4, &out, &why);
	expect_result("CRC recomputed after change accepted", 0, "", ret, why);

	memset(&cfg, 0, sizeof(cfg));
	cfg.count = 0;
	ret = parse(4, &why);
	expect_result("no heads", 0, "", ret, why);
	tap_u64_eq("no heads: count 0", 0, out.count);

	memset(&cfg, 0, sizeof(cfg));
	cfg.count = 64;
	for (i = 0; i < 64; i++)
		set_head(i, i * 800, 0, i * 800 + 800, 600);
	ret = parse(64, &why);
	expect_result("64 heads", 0, "", ret, why);
	tap_u64_eq("64 heads: count", 64, out.count);
	expect_head("64 heads: head 63", 63, 63 * 800, 0, 800, 600);
	ret = parse(1000, &why);
	expect_result("64 heads, max_heads 1000", 0, "", ret, why);
	tap_u64_eq("max_heads above 64: count 64", 64, out.count);

	cfg.count = 65;
	expect_reject("count 65", 64, -EINVAL, "count is above 64");
	cfg.count = 0xffff;
	expect_reject("count 65535", 4, -EINVAL, "count is above 64");

	memset(&cfg, 0, sizeof(cfg));
	cfg.count = 3;
	set_head(0, 0, 0, 800, 600);
	set_head(1, 0, 0, 0, 0);		/* disabled by the client */
	set_head(2, 100, 100, 100, 900);	/* zero width */
	ret = parse(4, &why);
	expect_result("disabled heads accepted", 0, "", ret, why);
	tap_u64_eq("disabled heads: count stays 3", 3, out.count);
	expect_head("all-zero head is disabled", 1, 0, 0, 0, 0);
	expect_head("zero-width head is disabled", 2, 0, 0, 0, 0);

	memset(&cfg, 0, sizeof(cfg));
	cfg.count = 2;
	set_head(0, 0, 0, 800, 600);
	set_head(1, 900, 0, 800, 600);
	expect_reject("right < left", 4, -EINVAL, "right < left");
	set_head(1, 0, 700, 800, 600);
	expect_reject("bottom < top", 4, -EINVAL, "bottom < top");
	set_head(1, 0, 0, QXL_DEVIF_MAX_DIM + 1, 600);
	expect_reject("width MAX_DIM+1", 4, -EINVAL, "larger than QXL_DEVIF_MAX_DIM");
	set_head(1, 0, 0, 600, QXL_DEVIF_MAX_DIM + 1);
	expect_reject("height MAX_DIM+1", 4, -EINVAL, "larger than QXL_DEVIF_MAX_DIM");
	set_head(1, 0, 0, 0xffffffff, 600);
	expect_reject("width 2^32-1", 4, -EINVAL, "beyond QXL_DEVIF_MAX_POS");
	set_head(1, 0x7fffff00, 0, 0x80000100, 600);
	expect_reject("right edge past INT_MAX", 4, -EINVAL, "beyond QXL_DEVIF_MAX_POS");
	set_head(1, 0, 0x7fffff00, 600, 0x80000100);
	expect_reject("bottom edge past INT_MAX", 4, -EINVAL, "beyond QXL_DEVIF_MAX_POS");
	set_head(1, 0x7fffffff - 1024, 0, 0x7fffffff, 768);
	ret = parse(4, &why);
	expect_result("head ending exactly at INT_MAX accepted", 0, "", ret, why);
	set_head(1, 0, 0, QXL_DEVIF_MAX_DIM, QXL_DEVIF_MAX_DIM);
	ret = parse(4, &why);
	expect_result("head of MAX_DIM x MAX_DIM accepted", 0, "", ret, why);
	set_head(1, 900, 0, 800, 600);	/* invalid, but beyond max_heads */
	ret = parse(1, &why);
	expect_result("bad head beyond max_heads ignored", 0, "", ret, why);
	tap_u64_eq("bad head beyond max_heads: count 1", 1, out.count);

	return tap_done();
}
