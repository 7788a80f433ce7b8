// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ROM, mode list and RAM header validation, and device address encoding.
 *
 * The ROM is the device's description of itself; every offset and size in
 * it is used later to map or index device memory, so each one is checked
 * against the BAR it points into before the driver trusts it.  Sums are
 * done in 64 bits so that a 32-bit field near 4 GiB cannot wrap.
 */
#include "qxl_devif.h"

#define QXL_DEVIF_PAGE_SIZE	4096U

static int qxl_devif_fail(const char **why, const char *reason, int err)
{
	*why = reason;
	return err;
}

/* [off, off + size) lies inside a region of limit bytes (64-bit sums). */
static bool qxl_devif_range_ok(u64 off, u64 size, u64 limit)
{
	return off <= limit && size <= limit - off;
}

static bool qxl_devif_ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	if (!a_size || !b_size)
		return false;
	return a < b + b_size && b < a + a_size;
}

static int qxl_devif_modes_check(const u8 *rom, size_t rom_len,
				 const struct qxl_rom *hdr,
				 struct qxl_devif_layout *layout,
				 const char **why)
{
	const struct qxl_modes *modes;
	u64 table_bytes;
	u32 i;

	if (hdr->modes_offset < sizeof(struct qxl_rom))
		return qxl_devif_fail(why, "ROM modes_offset points into the ROM header",
				      -EINVAL);
	if (!qxl_devif_range_ok(hdr->modes_offset, sizeof(struct qxl_modes),
				rom_len))
		return qxl_devif_fail(why, "ROM modes_offset is outside the ROM",
				      -EINVAL);

	modes = (const struct qxl_modes *)(rom + hdr->modes_offset);
	layout->n_modes = modes->n_modes;
	if (!layout->n_modes)
		return qxl_devif_fail(why, "ROM mode list is empty", -EINVAL);
	table_bytes = (u64)layout->n_modes * sizeof(struct qxl_mode);
	if (!qxl_devif_range_ok((u64)hdr->modes_offset + sizeof(struct qxl_modes),
				table_bytes, rom_len))
		return qxl_devif_fail(why, "ROM n_modes runs past the end of the ROM",
				      -EINVAL);

	for (i = 0; i < layout->n_modes; i++) {
		const struct qxl_mode *m = &modes->modes[i];
		u64 min_stride;

		if (!m->x_res || !m->y_res)
			return qxl_devif_fail(why, "ROM mode has a zero width or height",
					      -EINVAL);
		if (m->x_res > QXL_DEVIF_MAX_DIM || m->y_res > QXL_DEVIF_MAX_DIM)
			return qxl_devif_fail(why, "ROM mode is larger than QXL_DEVIF_MAX_DIM",
					      -EINVAL);
		if (m->bits != 16 && m->bits != 32)
			return qxl_devif_fail(why, "ROM mode depth is neither 16 nor 32 bits",
					      -EINVAL);
		min_stride = (u64)m->x_res * (m->bits / 8);
		if (m->stride < min_stride)
			return qxl_devif_fail(why, "ROM mode stride is smaller than a line",
					      -EINVAL);
		if ((u64)m->stride * m->y_res > layout->surface0_size)
			return qxl_devif_fail(why, "ROM mode does not fit the surface0 area",
					      -EINVAL);
	}
	return 0;
}

static int qxl_devif_slots_check(const struct qxl_rom *hdr,
				 const struct qxl_devif_bars *bars,
				 struct qxl_devif_layout *layout,
				 const char **why)
{
	u32 tag_bits = (u32)hdr->slot_id_bits + hdr->slot_gen_bits;
	u32 offset_bits;
	u64 largest_bar;

	if (hdr->slots_start >= hdr->slots_end)
		return qxl_devif_fail(why, "ROM slots_start is not below slots_end",
				      -EINVAL);
	/* The driver needs one slot for BAR0 and one for the surface BAR. */
	if (hdr->slots_end - hdr->slots_start < 2)
		return qxl_devif_fail(why, "ROM offers fewer than 2 memory slots",
				      -EINVAL);
	if (!hdr->slot_id_bits)
		return qxl_devif_fail(why, "ROM slot_id_bits is 0", -EINVAL);
	if (tag_bits >= 64)
		return qxl_devif_fail(why, "ROM slot id + generation bits fill the address",
				      -EINVAL);
	if (hdr->slot_id_bits < 8 && hdr->slots_end > (1U << hdr->slot_id_bits))
		return qxl_devif_fail(why, "ROM slots_end does not fit slot_id_bits",
				      -EINVAL);
	if (hdr->slot_gen_bits < 8 &&
	    hdr->slot_generation >= (1U << hdr->slot_gen_bits))
		return qxl_devif_fail(why, "ROM slot_generation does not fit slot_gen_bits",
				      -EINVAL);

	/* Offsets address a whole BAR, so they need as many bits as the largest. */
	offset_bits = 64 - tag_bits;
	largest_bar = bars->ram_size;
	if (bars->vram_size > largest_bar)
		largest_bar = bars->vram_size;
	if (bars->vram64_size > largest_bar)
		largest_bar = bars->vram64_size;
	if (largest_bar > (1ULL << offset_bits))
		return qxl_devif_fail(why, "ROM slot bits leave too few offset bits for the BARs",
				      -EINVAL);

	layout->slots_start = hdr->slots_start;
	layout->slots_end = hdr->slots_end;
	layout->slot_gen_bits = hdr->slot_gen_bits;
	layout->slot_id_bits = hdr->slot_id_bits;
	layout->slot_generation = hdr->slot_generation;
	return 0;
}

static int qxl_devif_bar0_check(const struct qxl_rom *hdr,
				const struct qxl_devif_bars *bars,
				struct qxl_devif_layout *layout,
				const char **why)
{
	u64 pages_size = (u64)hdr->num_pages * QXL_DEVIF_PAGE_SIZE;
	u64 ram_off = hdr->ram_header_offset;
	u64 ram_len = sizeof(struct qxl_ram_header);

	if (!qxl_devif_range_ok(ram_off, ram_len, bars->ram_size))
		return qxl_devif_fail(why, "ROM ram_header_offset puts the RAM header outside BAR0",
				      -EINVAL);
	if (ram_off % 4)
		return qxl_devif_fail(why, "ROM ram_header_offset is not 4-byte aligned",
				      -EINVAL);

	if (!hdr->surface0_area_size)
		return qxl_devif_fail(why, "ROM surface0_area_size is 0", -EINVAL);
	if (!qxl_devif_range_ok(hdr->draw_area_offset, hdr->surface0_area_size,
				bars->ram_size))
		return qxl_devif_fail(why, "ROM surface0 area is outside BAR0", -EINVAL);
	if (qxl_devif_ranges_overlap(hdr->draw_area_offset,
				     hdr->surface0_area_size, ram_off, ram_len))
		return qxl_devif_fail(why, "ROM surface0 area overlaps the RAM header",
				      -EINVAL);

	if (!hdr->num_pages)
		return qxl_devif_fail(why, "ROM num_pages is 0", -EINVAL);
	if (pages_size > 0xffffffffULL ||
	    !qxl_devif_range_ok(hdr->pages_offset, pages_size, bars->ram_size))
		return qxl_devif_fail(why, "ROM pages area is outside BAR0", -EINVAL);
	if (qxl_devif_ranges_overlap(hdr->pages_offset, pages_size, ram_off,
				     ram_len))
		return qxl_devif_fail(why, "ROM pages area overlaps the RAM header",
				      -EINVAL);
	/* The driver allocates from the pages while the primary is scanned out. */
	if (qxl_devif_ranges_overlap(hdr->pages_offset, pages_size,
				     hdr->draw_area_offset, hdr->surface0_area_size))
		return qxl_devif_fail(why, "ROM pages area overlaps the surface0 area",
				      -EINVAL);

	layout->surface0_offset = hdr->draw_area_offset;
	layout->surface0_size = hdr->surface0_area_size;
	layout->pages_offset = hdr->pages_offset;
	layout->pages_size = (u32)pages_size;
	layout->ram_header_offset = hdr->ram_header_offset;
	return 0;
}

int qxl_devif_rom_check(const void *rom, size_t rom_len, u32 revision,
			const struct qxl_devif_bars *bars,
			struct qxl_devif_layout *layout, const char **why)
{
	const struct qxl_rom *hdr = rom;
	struct qxl_devif_layout l = { 0 };
	int ret;

	*why = "";
	if (rom_len < sizeof(struct qxl_rom))
		return qxl_devif_fail(why, "ROM copy is shorter than struct qxl_rom",
				      -EINVAL);
	if (bars->rom_size < rom_len)
		return qxl_devif_fail(why, "ROM copy is longer than BAR2", -EINVAL);
	if (hdr->magic != QXL_ROM_MAGIC)
		return qxl_devif_fail(why, "ROM magic is not QXRO", -ENODEV);
	if (revision < QXL_REVISION_V12)
		return qxl_devif_fail(why, "device revision is below 4 (no monitors config)",
				      -ENODEV);
	if (!bars->ram_size)
		return qxl_devif_fail(why, "BAR0 (RAM) is missing", -ENODEV);
	if (!bars->vram_size)
		return qxl_devif_fail(why, "BAR1 (VRAM) is missing", -ENODEV);
	if (bars->io_size < QXL_IO_RANGE_SIZE)
		return qxl_devif_fail(why, "BAR3 (I/O) is smaller than the revision's ports",
				      -ENODEV);

	l.revision = revision;
	l.io_ports = QXL_IO_RANGE_SIZE;

	if (!hdr->n_surfaces)
		return qxl_devif_fail(why, "ROM n_surfaces is 0", -EINVAL);
	if (hdr->n_surfaces > QXL_DEVIF_MAX_SURFACES)
		return qxl_devif_fail(why, "ROM n_surfaces is above QXL_DEVIF_MAX_SURFACES",
				      -EINVAL);
	l.n_surfaces = hdr->n_surfaces;

	ret = qxl_devif_bar0_check(hdr, bars, &l, why);
	if (ret)
		return ret;
	ret = qxl_devif_slots_check(hdr, bars, &l, why);
	if (ret)
		return ret;
	ret = qxl_devif_modes_check(rom, rom_len, hdr, &l, why);
	if (ret)
		return ret;

	*layout = l;
	return 0;
}

const struct qxl_mode *qxl_devif_rom_mode(const void *rom,
					  const struct qxl_devif_layout *layout,
					  u32 i)
{
	const struct qxl_rom *hdr = rom;
	const struct qxl_modes *modes;

	if (i >= layout->n_modes)
		return NULL;
	modes = (const struct qxl_modes *)((const u8 *)rom + hdr->modes_offset);
	return &modes->modes[i];
}

int qxl_devif_ram_header_check(const struct qxl_ram_header *ram,
			       const char **why)
{
	*why = "";
	if (ram->magic != QXL_RAM_MAGIC)
		return qxl_devif_fail(why, "RAM header magic is not QXRA", -ENODEV);
	if (ram->cmd_ring.hdr.num_items != QXL_COMMAND_RING_SIZE)
		return qxl_devif_fail(why, "command ring num_items is not 32", -ENODEV);
	if (ram->cursor_ring.hdr.num_items != QXL_CURSOR_RING_SIZE)
		return qxl_devif_fail(why, "cursor ring num_items is not 32", -ENODEV);
	if (ram->release_ring.hdr.num_items != QXL_RELEASE_RING_SIZE)
		return qxl_devif_fail(why, "release ring num_items is not 8", -ENODEV);
	if (qxl_devif_ring_check(QXL_COMMAND_RING_SIZE, ram->cmd_ring.hdr.prod,
				 ram->cmd_ring.hdr.cons, why) ||
	    qxl_devif_ring_check(QXL_CURSOR_RING_SIZE,
				 ram->cursor_ring.hdr.prod,
				 ram->cursor_ring.hdr.cons, why) ||
	    qxl_devif_ring_check(QXL_RELEASE_RING_SIZE,
				 ram->release_ring.hdr.prod,
				 ram->release_ring.hdr.cons, why))
		return -ENODEV;
	return 0;
}

qxl_phys qxl_devif_phys(const struct qxl_devif_layout *layout,
			u32 slot_index, u64 offset)
{
	u32 tag_bits = (u32)layout->slot_id_bits + layout->slot_gen_bits;
	u64 slot_id = (u64)layout->slots_start + slot_index;
	u64 tag = (slot_id << layout->slot_gen_bits) | layout->slot_generation;

	/* Only a layout rom_check() refused can get here with no room. */
	if (tag_bits == 0 || tag_bits >= 64)
		return offset;
	return (tag << (64 - tag_bits)) | (offset & (~0ULL >> tag_bits));
}
