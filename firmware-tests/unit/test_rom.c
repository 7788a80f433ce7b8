// SPDX-License-Identifier: MIT
/*
 * qxl_devif_rom_check(), qxl_devif_rom_mode(), qxl_devif_phys() and
 * qxl_devif_ram_header_check() against ROMs captured from QEMU 7.2 and
 * against each out-of-range value the checks exist for.
 */
#include <stdio.h>
#include <string.h>

#include "devif_expect.h"
#include "tap.h"

#define RAM_HDR_SIZE ((u32)sizeof(struct qxl_ram_header))

static struct rom_fixture base;	/* rev5-vgamem16, the device default */

static struct qxl_rom *rom_of(struct rom_fixture *f)
{
	return (struct qxl_rom *)f->rom;
}

static struct qxl_modes *modes_of(struct rom_fixture *f)
{
	return (struct qxl_modes *)(f->rom + rom_of(f)->modes_offset);
}

static int run_check(struct rom_fixture *f, struct qxl_devif_layout *l,
		     const char **why)
{
	return qxl_devif_rom_check(f->rom, f->len, f->revision, &f->bars, l, why);
}

/* --------------------------------------------------- real device ROMs */

struct real_rom {
	const char *name;
	u32 vgamem;
	u32 n_modes;
	u32 max_x, max_y;	/* largest-area 32-bpp mode in the list */
};

static const struct real_rom real_roms[] = {
	{ "rev5-vgamem16", 16 << 20, 128, 2048, 2048 },
	{ "rev4-vgamem16", 16 << 20, 128, 2048, 2048 },
	{ "rev5-vgamem64", 64 << 20, 142, 4096, 2160 },
	{ "rev4-vgamem64", 64 << 20, 142, 4096, 2160 },
	{ "rev5-vgamem8", 8 << 20, 106, 1920, 1080 },
	{ "rev5-vram64", 16 << 20, 128, 2048, 2048 },
	{ "rev5-xres1280", 16 << 20, 128, 2048, 2048 },
};

static void test_real_rom(const struct real_rom *r)
{
	struct qxl_devif_layout l;
	struct rom_fixture f;
	const char *why;
	u32 i, best_x = 0, best_y = 0;
	u64 best_area = 0;
	bool fit = true;
	int ret;

	rom_fixture_load(&f, r->name);
	memset(&l, 0xa5, sizeof(l));
	ret = run_check(&f, &l, &why);
	if (!expect_result(tap_name("%s: accepted", r->name), 0, "", ret, why))
		return;
	tap_u64_eq(tap_name("%s: revision", r->name), f.revision, l.revision);
	tap_u64_eq(tap_name("%s: surface0 at 0", r->name), 0, l.surface0_offset);
	tap_u64_eq(tap_name("%s: surface0 size = vgamem", r->name), r->vgamem,
		   l.surface0_size);
	tap_u64_eq(tap_name("%s: pages follow surface0", r->name), r->vgamem,
		   l.pages_offset);
	tap_u64_eq(tap_name("%s: RAM header = BAR0 size - 8 KiB", r->name),
		   f.bars.ram_size - 8192, l.ram_header_offset);
	tap_u64_eq(tap_name("%s: pages end at the RAM header", r->name),
		   l.ram_header_offset, (u64)l.pages_offset + l.pages_size);
	tap_u64_eq(tap_name("%s: n_surfaces", r->name), 1024, l.n_surfaces);
	tap_u64_eq(tap_name("%s: n_modes", r->name), r->n_modes, l.n_modes);
	tap_u64_eq(tap_name("%s: slots_start", r->name), 1, l.slots_start);
	tap_u64_eq(tap_name("%s: slots_end", r->name), 7, l.slots_end);
	tap_u64_eq(tap_name("%s: slot_gen_bits", r->name), 8, l.slot_gen_bits);
	tap_u64_eq(tap_name("%s: slot_id_bits", r->name), 8, l.slot_id_bits);
	tap_u64_eq(tap_name("%s: slot_generation", r->name), 0, l.slot_generation);
	tap_u64_eq(tap_name("%s: io_ports", r->name), QXL_IO_RANGE_SIZE, l.io_ports);

	for (i = 0; i < l.n_modes; i++) {
		const struct qxl_mode *m = qxl_devif_rom_mode(f.rom, &l, i);
		u64 area = (u64)m->x_res * m->y_res;

		if ((u64)m->stride * m->y_res > r->vgamem)
			fit = false;
		if (m->bits == 32 && area > best_area) {
			best_area = area;
			best_x = m->x_res;
			best_y = m->y_res;
		}
	}
	tap_check(fit, tap_name("%s: every mode fits vgamem", r->name),
		  "expected stride*height <= %u for all modes, got a larger one",
		  r->vgamem);
	tap_check(best_x == r->max_x && best_y == r->max_y,
		  tap_name("%s: largest 32-bpp mode", r->name),
		  "expected %ux%u, got %ux%u", r->max_x, r->max_y, best_x, best_y);
	tap_check(qxl_devif_rom_mode(f.rom, &l, l.n_modes) == NULL,
		  tap_name("%s: rom_mode(n_modes) is NULL", r->name),
		  "expected NULL, got a mode pointer");
}

static void test_rom_mode_pointers(void)
{
	struct qxl_devif_layout l;
	const struct qxl_mode *m0, *m1;
	const char *why;

	run_check(&base, &l, &why);
	m0 = qxl_devif_rom_mode(base.rom, &l, 0);
	m1 = qxl_devif_rom_mode(base.rom, &l, 1);
	tap_u64_eq("rom_mode(0) is right after n_modes",
		   (u64)(rom_of(&base)->modes_offset + 4),
		   (u64)((const unsigned char *)m0 - base.rom));
	tap_u64_eq("rom_mode(1) is one struct qxl_mode later",
		   sizeof(struct qxl_mode),
		   (u64)((const unsigned char *)m1 - (const unsigned char *)m0));
	tap_check(m0->x_res == 640 && m0->y_res == 480 && m0->bits == 16,
		  "QEMU's first mode is 640x480x16",
		  "expected 640x480x16, got %ux%ux%u", m0->x_res, m0->y_res,
		  m0->bits);
}

/* ------------------------------------------------------- bad values */

typedef void (*mutate_fn)(struct rom_fixture *f);

struct bad_case {
	const char *name;
	mutate_fn mutate;
	int err;
	const char *why;
};

#define R(f) rom_of(f)

static void m_short(struct rom_fixture *f) { f->len = sizeof(struct qxl_rom) - 1; }
static void m_longer_than_bar(struct rom_fixture *f) { f->bars.rom_size = 4096; }
static void m_magic(struct rom_fixture *f) { R(f)->magic = 0x4f525852; }
static void m_magic_ram(struct rom_fixture *f) { R(f)->magic = QXL_RAM_MAGIC; }
static void m_rev3(struct rom_fixture *f) { f->revision = 3; }
static void m_rev1(struct rom_fixture *f) { f->revision = 1; }
static void m_rev0(struct rom_fixture *f) { f->revision = 0; }
static void m_no_bar0(struct rom_fixture *f) { f->bars.ram_size = 0; }
static void m_no_bar1(struct rom_fixture *f) { f->bars.vram_size = 0; }
static void m_small_io(struct rom_fixture *f) { f->bars.io_size = 16; }
static void m_surfaces0(struct rom_fixture *f) { R(f)->n_surfaces = 0; }
static void m_surfaces_big(struct rom_fixture *f) { R(f)->n_surfaces = QXL_DEVIF_MAX_SURFACES + 1; }
static void m_surfaces_max(struct rom_fixture *f) { R(f)->n_surfaces = 0xffffffff; }

static void m_ramhdr_past(struct rom_fixture *f)
{
	R(f)->ram_header_offset = (u32)f->bars.ram_size - RAM_HDR_SIZE + 4;
}

static void m_ramhdr_beyond(struct rom_fixture *f)
{
	R(f)->ram_header_offset = (u32)f->bars.ram_size;
}

static void m_ramhdr_wrap(struct rom_fixture *f) { R(f)->ram_header_offset = 0xfffffffc; }

static void m_ramhdr_unaligned(struct rom_fixture *f)
{
	R(f)->ram_header_offset = (u32)f->bars.ram_size - RAM_HDR_SIZE - 2;
}

static void m_s0_zero(struct rom_fixture *f) { R(f)->surface0_area_size = 0; }

static void m_s0_past(struct rom_fixture *f)
{
	R(f)->draw_area_offset = 0x1000;
	R(f)->surface0_area_size = (u32)f->bars.ram_size;
}

static void m_s0_wrap(struct rom_fixture *f)
{
	R(f)->draw_area_offset = 0xfffff000;
	R(f)->surface0_area_size = 0x2000;	/* sum wraps to 0x1000 in 32 bits */
}

static void m_s0_over_ramhdr(struct rom_fixture *f)
{
	R(f)->draw_area_offset = R(f)->ram_header_offset - 0x1000;
	R(f)->surface0_area_size = 0x1004;
}

static void m_pages0(struct rom_fixture *f) { R(f)->num_pages = 0; }
static void m_pages_past(struct rom_fixture *f) { R(f)->num_pages = (u32)(f->bars.ram_size / 4096); }
static void m_pages_huge(struct rom_fixture *f) { R(f)->num_pages = 0xffffffff; }

static void m_pages_wrap(struct rom_fixture *f)
{
	R(f)->pages_offset = 0xfffff000;
	R(f)->num_pages = 2;
}

static void m_pages_over_ramhdr(struct rom_fixture *f) { R(f)->num_pages += 1; }

static void m_pages_over_s0(struct rom_fixture *f)
{
	R(f)->pages_offset -= 0x1000;	/* last page of the primary area */
}

static void m_s0_over_pages(struct rom_fixture *f)
{
	R(f)->draw_area_offset = 0x2000;	/* now ends 8 KiB into the pages */
}

static void m_slots_equal(struct rom_fixture *f) { R(f)->slots_end = R(f)->slots_start; }

static void m_slots_reversed(struct rom_fixture *f)
{
	R(f)->slots_start = 7;
	R(f)->slots_end = 1;
}

static void m_slots_one(struct rom_fixture *f) { R(f)->slots_end = R(f)->slots_start + 1; }
static void m_id_bits0(struct rom_fixture *f) { R(f)->slot_id_bits = 0; }

static void m_bits_64(struct rom_fixture *f)
{
	R(f)->slot_id_bits = 32;
	R(f)->slot_gen_bits = 32;
}

static void m_bits_255(struct rom_fixture *f)
{
	R(f)->slot_id_bits = 255;
	R(f)->slot_gen_bits = 255;
}

static void m_bits_no_offset_room(struct rom_fixture *f)
{
	/* 64 - 30 - 8 = 26 offset bits = 64 MiB: one byte short of 128 MiB */
	R(f)->slot_id_bits = 30;
	R(f)->slot_gen_bits = 8;
	f->bars.vram64_size = 128 << 20;
}

static void m_id_bits_small(struct rom_fixture *f) { R(f)->slot_id_bits = 2; }

static void m_generation_big(struct rom_fixture *f)
{
	R(f)->slot_gen_bits = 2;
	R(f)->slot_generation = 4;
}

static void m_modes_in_header(struct rom_fixture *f) { R(f)->modes_offset = 0; }
static void m_modes_in_header2(struct rom_fixture *f) { R(f)->modes_offset = sizeof(struct qxl_rom) - 1; }
static void m_modes_past(struct rom_fixture *f) { R(f)->modes_offset = (u32)f->len - 2; }
static void m_modes_wrap(struct rom_fixture *f) { R(f)->modes_offset = 0xfffffffe; }
static void m_n_modes0(struct rom_fixture *f) { modes_of(f)->n_modes = 0; }
static void m_n_modes_huge(struct rom_fixture *f) { modes_of(f)->n_modes = 0x08000001; }
static void m_n_modes_max(struct rom_fixture *f) { modes_of(f)->n_modes = 0xffffffff; }

/* Fill the rest of the ROM with copies of mode 0 so only n_modes matters. */
static u32 fill_modes(struct rom_fixture *f)
{
	u32 room = (u32)((f->len - R(f)->modes_offset - 4) / sizeof(struct qxl_mode));
	u32 i;

	for (i = 1; i < room; i++)
		modes_of(f)->modes[i] = modes_of(f)->modes[0];
	return room;
}

static void m_n_modes_one_past(struct rom_fixture *f) { modes_of(f)->n_modes = fill_modes(f) + 1; }
static void m_mode_x0(struct rom_fixture *f) { modes_of(f)->modes[5].x_res = 0; }
static void m_mode_y0(struct rom_fixture *f) { modes_of(f)->modes[5].y_res = 0; }

static void m_mode_last_x0(struct rom_fixture *f)
{
	modes_of(f)->modes[modes_of(f)->n_modes - 1].x_res = 0;
}

static void m_mode_wide(struct rom_fixture *f)
{
	modes_of(f)->modes[0].x_res = QXL_DEVIF_MAX_DIM + 1;
	modes_of(f)->modes[0].stride = (QXL_DEVIF_MAX_DIM + 1) * 2;
	modes_of(f)->modes[0].y_res = 1;
}

static void m_mode_tall(struct rom_fixture *f)
{
	modes_of(f)->modes[0].y_res = 0xffffffff;
}

static void m_mode_bits24(struct rom_fixture *f) { modes_of(f)->modes[3].bits = 24; }
static void m_mode_bits0(struct rom_fixture *f) { modes_of(f)->modes[3].bits = 0; }
static void m_mode_stride_short(struct rom_fixture *f) { modes_of(f)->modes[2].stride -= 1; }

static void m_mode_too_big(struct rom_fixture *f)
{
	struct qxl_mode *m = &modes_of(f)->modes[1];

	m->x_res = 8192;
	m->y_res = 8192;
	m->bits = 32;
	m->stride = 8192 * 4;
}

static void m_mode_stride_huge(struct rom_fixture *f)
{
	modes_of(f)->modes[1].stride = 0xffffffff;	/* stride * y wraps u32 */
}

static const struct bad_case bad_cases[] = {
	{ "ROM copy shorter than struct qxl_rom", m_short, -EINVAL, "shorter" },
	{ "ROM copy longer than BAR2", m_longer_than_bar, -EINVAL, "longer than BAR2" },
	{ "bad ROM magic", m_magic, -ENODEV, "magic" },
	{ "RAM magic in the ROM", m_magic_ram, -ENODEV, "magic" },
	{ "revision 3 refused", m_rev3, -ENODEV, "revision" },
	{ "revision 1 refused", m_rev1, -ENODEV, "revision" },
	{ "revision 0 refused", m_rev0, -ENODEV, "revision" },
	{ "BAR0 missing", m_no_bar0, -ENODEV, "BAR0" },
	{ "BAR1 missing", m_no_bar1, -ENODEV, "BAR1" },
	{ "I/O BAR too small", m_small_io, -ENODEV, "BAR3" },
	{ "n_surfaces 0", m_surfaces0, -EINVAL, "n_surfaces" },
	{ "n_surfaces above the limit", m_surfaces_big, -EINVAL, "n_surfaces" },
	{ "n_surfaces 0xffffffff", m_surfaces_max, -EINVAL, "n_surfaces" },
	{ "RAM header 4 bytes past BAR0", m_ramhdr_past, -EINVAL, "RAM header outside BAR0" },
	{ "RAM header at BAR0 end", m_ramhdr_beyond, -EINVAL, "RAM header outside BAR0" },
	{ "RAM header offset+size wraps 32 bits", m_ramhdr_wrap, -EINVAL, "RAM header outside BAR0" },
	{ "RAM header unaligned", m_ramhdr_unaligned, -EINVAL, "aligned" },
	{ "surface0 size 0", m_s0_zero, -EINVAL, "surface0_area_size is 0" },
	{ "surface0 past BAR0", m_s0_past, -EINVAL, "surface0 area is outside BAR0" },
	{ "surface0 offset+size wraps 32 bits", m_s0_wrap, -EINVAL, "surface0 area is outside BAR0" },
	{ "surface0 overlaps the RAM header", m_s0_over_ramhdr, -EINVAL, "surface0 area overlaps" },
	{ "num_pages 0", m_pages0, -EINVAL, "num_pages is 0" },
	{ "pages past BAR0", m_pages_past, -EINVAL, "pages area is outside BAR0" },
	{ "num_pages*4096 overflows 32 bits", m_pages_huge, -EINVAL, "pages area is outside BAR0" },
	{ "pages offset+size wraps 32 bits", m_pages_wrap, -EINVAL, "pages area is outside BAR0" },
	{ "pages overlap the RAM header", m_pages_over_ramhdr, -EINVAL, "pages area overlaps the RAM header" },
	{ "pages start inside surface0", m_pages_over_s0, -EINVAL, "pages area overlaps the surface0" },
	{ "surface0 runs into the pages", m_s0_over_pages, -EINVAL, "pages area overlaps the surface0" },
	{ "slots_start == slots_end", m_slots_equal, -EINVAL, "slots_start is not below" },
	{ "slots_start > slots_end", m_slots_reversed, -EINVAL, "slots_start is not below" },
	{ "only 1 usable slot", m_slots_one, -EINVAL, "fewer than 2" },
	{ "slot_id_bits 0", m_id_bits0, -EINVAL, "slot_id_bits is 0" },
	{ "slot bits total 64", m_bits_64, -EINVAL, "fill the address" },
	{ "slot bits total 510", m_bits_255, -EINVAL, "fill the address" },
	{ "slot bits leave no room for offsets", m_bits_no_offset_room, -EINVAL, "too few offset bits" },
	{ "slots_end does not fit slot_id_bits", m_id_bits_small, -EINVAL, "does not fit slot_id_bits" },
	{ "slot_generation does not fit slot_gen_bits", m_generation_big, -EINVAL, "slot_generation" },
	{ "modes_offset 0 (inside ROM header)", m_modes_in_header, -EINVAL, "into the ROM header" },
	{ "modes_offset overlaps ROM header end", m_modes_in_header2, -EINVAL, "into the ROM header" },
	{ "modes_offset past the ROM", m_modes_past, -EINVAL, "modes_offset is outside" },
	{ "modes_offset wraps 32 bits", m_modes_wrap, -EINVAL, "modes_offset is outside" },
	{ "n_modes 0", m_n_modes0, -EINVAL, "empty" },
	{ "n_modes*32 overflows 32 bits", m_n_modes_huge, -EINVAL, "past the end" },
	{ "n_modes 0xffffffff", m_n_modes_max, -EINVAL, "past the end" },
	{ "n_modes one past the ROM end", m_n_modes_one_past, -EINVAL, "past the end" },
	{ "mode width 0", m_mode_x0, -EINVAL, "zero width or height" },
	{ "mode height 0", m_mode_y0, -EINVAL, "zero width or height" },
	{ "last mode width 0", m_mode_last_x0, -EINVAL, "zero width or height" },
	{ "mode wider than MAX_DIM", m_mode_wide, -EINVAL, "larger than QXL_DEVIF_MAX_DIM" },
	{ "mode height 0xffffffff", m_mode_tall, -EINVAL, "larger than QXL_DEVIF_MAX_DIM" },
	{ "mode depth 24", m_mode_bits24, -EINVAL, "depth" },
	{ "mode depth 0", m_mode_bits0, -EINVAL, "depth" },
	{ "mode stride one byte short", m_mode_stride_short, -EINVAL, "stride is smaller" },
	{ "mode larger than surface0", m_mode_too_big, -EINVAL, "does not fit the surface0" },
	{ "mode stride*height wraps 32 bits", m_mode_stride_huge, -EINVAL, "does not fit the surface0" },
};

static void test_bad_case(const struct bad_case *c)
{
	struct qxl_devif_layout l, before;
	struct rom_fixture f = base;
	const char *why = NULL;
	int ret;

	c->mutate(&f);
	memset(&l, 0x5a, sizeof(l));
	before = l;
	ret = run_check(&f, &l, &why);
	if (expect_result(c->name, c->err, c->why, ret, why))
		tap_check(memcmp(&l, &before, sizeof(l)) == 0,
			  tap_name("%s: layout untouched", c->name),
			  "expected the layout left as it was, got it written");
}

/* ------------------------------------------- boundaries that must pass */

static void expect_ok(const char *name, struct rom_fixture *f)
{
	struct qxl_devif_layout l;
	const char *why = NULL;
	int ret = run_check(f, &l, &why);

	expect_result(name, 0, "", ret, why);
}

static void test_boundaries(void)
{
	struct rom_fixture f;

	f = base;
	f.revision = 4;
	expect_ok("revision 4 accepted", &f);
	f.revision = 6;
	expect_ok("a later revision (6) accepted", &f);

	f = base;
	R(&f)->n_surfaces = QXL_DEVIF_MAX_SURFACES;
	expect_ok("n_surfaces at the limit accepted", &f);
	R(&f)->n_surfaces = 1;
	expect_ok("n_surfaces 1 accepted", &f);

	f = base;
	R(&f)->ram_header_offset = (u32)f.bars.ram_size - RAM_HDR_SIZE;
	expect_ok("RAM header ending exactly at BAR0 end accepted", &f);

	f = base;
	R(&f)->slots_end = R(&f)->slots_start + 2;
	expect_ok("exactly 2 usable slots accepted", &f);

	f = base;
	R(&f)->slot_id_bits = 3;	/* slot ids 0..7, slots_end 7 */
	expect_ok("slot_id_bits 3 with slots_end 7 accepted", &f);

	f = base;
	R(&f)->slot_gen_bits = 0;
	expect_ok("slot_gen_bits 0 accepted", &f);

	f = base;
	/* 64 - 30 - 7 = 27 offset bits = 128 MiB: exactly the largest BAR */
	R(&f)->slot_id_bits = 30;
	R(&f)->slot_gen_bits = 7;
	f.bars.vram64_size = 128 << 20;
	expect_ok("offset bits exactly covering the largest BAR accepted", &f);

	f = base;
	modes_of(&f)->n_modes = fill_modes(&f);
	expect_ok("n_modes filling the ROM exactly accepted", &f);

	f = base;
	modes_of(&f)->modes[0].x_res = QXL_DEVIF_MAX_DIM;
	modes_of(&f)->modes[0].y_res = 1;
	modes_of(&f)->modes[0].stride = QXL_DEVIF_MAX_DIM * 2;
	expect_ok("mode width MAX_DIM accepted", &f);

	f = base;
	modes_of(&f)->modes[0].stride += 64;
	expect_ok("mode with a padded stride accepted", &f);

	f = base;
	f.len = sizeof(struct qxl_rom) + 4 + sizeof(struct qxl_mode);
	modes_of(&f)->n_modes = 1;
	expect_ok("ROM copy just long enough for one mode accepted", &f);
}

/* ------------------------------------------------------ device address */

static void test_phys(void)
{
	struct qxl_devif_layout l;
	const char *why;

	run_check(&base, &l, &why);
	tap_u64_eq("phys: slot 0 (id 1) offset 0x1000", 0x0100000000001000ULL,
		   qxl_devif_phys(&l, 0, 0x1000));
	tap_u64_eq("phys: slot 1 (id 2) offset 0x4000", 0x0200000000004000ULL,
		   qxl_devif_phys(&l, 1, 0x4000));
	tap_u64_eq("phys: largest 48-bit offset kept", 0x01ffffffffffffffULL & 0x0100ffffffffffffULL,
		   qxl_devif_phys(&l, 0, 0xffffffffffffULL));
	tap_u64_eq("phys: offset bits above 48 dropped", 0x0100000000000010ULL,
		   qxl_devif_phys(&l, 0, 0x00ff000000000010ULL));
	l.slot_generation = 5;
	tap_u64_eq("phys: generation in bits 55..48", 0x0105000000000000ULL,
		   qxl_devif_phys(&l, 0, 0));
	l.slot_generation = 0;
	l.slot_id_bits = 4;
	l.slot_gen_bits = 4;
	l.slots_start = 1;
	tap_u64_eq("phys: 4+4 bit layout puts slot 2 in bits 63..60",
		   0x2000000000000123ULL, qxl_devif_phys(&l, 1, 0x123));
	l.slot_gen_bits = 0;
	tap_u64_eq("phys: no generation bits", 0x3000000000000040ULL,
		   qxl_devif_phys(&l, 2, 0x40));
	l.slot_id_bits = 0;
	tap_u64_eq("phys: unvalidated layout with no tag bits returns the offset",
		   0x1234, qxl_devif_phys(&l, 2, 0x1234));
	l.slot_id_bits = 40;
	l.slot_gen_bits = 24;
	tap_u64_eq("phys: unvalidated layout with 64 tag bits returns the offset",
		   0x1234, qxl_devif_phys(&l, 2, 0x1234));
}

/* --------------------------------------------------------- RAM header */

static void ram_expect(const char *name, const struct qxl_ram_header *ram,
		       int err, const char *why_part)
{
	const char *why = NULL;
	int ret = qxl_devif_ram_header_check(ram, &why);

	expect_result(name, err, why_part, ret, why);
}

static void test_ram_header(void)
{
	static struct qxl_ram_header ram, bad;
	size_t n;

	n = fixture_read("ram-header-rev5.bin", &ram, sizeof(ram));
	tap_u64_eq("RAM header fixture is complete", sizeof(ram), n);
	ram_expect("RAM header after reset (QEMU) accepted", &ram, 0, "");

	bad = ram;
	bad.magic = QXL_ROM_MAGIC;
	ram_expect("RAM header bad magic", &bad, -ENODEV, "magic");
	bad = ram;
	bad.cmd_ring.hdr.num_items = 64;
	ram_expect("command ring num_items 64", &bad, -ENODEV, "command ring num_items");
	bad = ram;
	bad.cmd_ring.hdr.num_items = 0;
	ram_expect("command ring num_items 0", &bad, -ENODEV, "command ring num_items");
	bad = ram;
	bad.cursor_ring.hdr.num_items = 16;
	ram_expect("cursor ring num_items 16", &bad, -ENODEV, "cursor ring num_items");
	bad = ram;
	bad.release_ring.hdr.num_items = 32;
	ram_expect("release ring num_items 32", &bad, -ENODEV, "release ring num_items");
	bad = ram;
	bad.cmd_ring.hdr.prod = 33;
	ram_expect("command ring prod 33 ahead", &bad, -ENODEV, "more than num_items");
	bad = ram;
	bad.release_ring.hdr.cons = 1;
	ram_expect("release ring cons ahead of prod", &bad, -ENODEV, "cons is ahead");
	bad = ram;
	bad.cursor_ring.hdr.prod = 0x10;
	bad.cursor_ring.hdr.cons = 0xfffffff0;
	ram_expect("cursor ring wrapped but consistent", &bad, 0, "");
}

int main(void)
{
	size_t i;

	rom_fixture_load(&base, "rev5-vgamem16");
	tap_u64_eq("sizeof(struct qxl_rom) is the QEMU modes_offset",
		   sizeof(struct qxl_rom), rom_of(&base)->modes_offset);
	for (i = 0; i < sizeof(real_roms) / sizeof(real_roms[0]); i++)
		test_real_rom(&real_roms[i]);
	test_rom_mode_pointers();
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		test_bad_case(&bad_cases[i]);
	test_boundaries();
	test_phys();
	test_ram_header();
	return tap_done();
}
