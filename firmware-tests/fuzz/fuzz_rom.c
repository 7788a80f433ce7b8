// SPDX-License-Identifier: MIT
/*
 * Fuzz qxl_devif_rom_check() + qxl_devif_rom_mode() + qxl_devif_phys().
 * Input: struct fuzz_rom_hdr (BAR sizes, revision), then the ROM copy.
 * Whatever the ROM says, an accepted layout must describe ranges inside
 * the BARs, and every mode pointer must lie inside the copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qxl_devif.h"

struct fuzz_rom_hdr {
	u64 ram_size, vram_size, rom_size, io_size, vram64_size;
	u32 revision;
} __attribute__((packed));

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

static bool inside(u64 off, u64 size, u64 limit)
{
	return off + size >= off && off + size <= limit;
}

static bool disjoint(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a + a_size <= b || b + b_size <= a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rom_hdr h;
	struct qxl_devif_bars bars;
	struct qxl_devif_layout l;
	const char *why = NULL;
	uint8_t *rom;
	size_t rom_len;
	u32 i;
	int ret;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	rom_len = size - sizeof(h);
	/* An exact-size heap copy lets ASan catch any read past rom_len. */
	rom = malloc(rom_len ? rom_len : 1);
	memcpy(rom, data + sizeof(h), rom_len);
	bars.ram_size = h.ram_size;
	bars.vram_size = h.vram_size;
	bars.rom_size = h.rom_size;
	bars.io_size = h.io_size;
	bars.vram64_size = h.vram64_size;

	ret = qxl_devif_rom_check(rom, rom_len, h.revision, &bars, &l, &why);
	REQUIRE(why != NULL);
	if (ret) {
		REQUIRE(ret == -EINVAL || ret == -ENODEV);
		REQUIRE(why[0] != '\0');
		free(rom);
		return 0;
	}
	REQUIRE(why[0] == '\0');
	REQUIRE(l.revision >= QXL_REVISION_V12);
	REQUIRE(inside(l.ram_header_offset, sizeof(struct qxl_ram_header), bars.ram_size));
	REQUIRE(inside(l.surface0_offset, l.surface0_size, bars.ram_size));
	REQUIRE(inside(l.pages_offset, l.pages_size, bars.ram_size));
	REQUIRE(l.surface0_size && l.pages_size && l.n_surfaces && l.n_modes);
	/* the three BAR0 areas are disjoint */
	REQUIRE(disjoint(l.surface0_offset, l.surface0_size, l.pages_offset, l.pages_size));
	REQUIRE(disjoint(l.surface0_offset, l.surface0_size, l.ram_header_offset,
			 sizeof(struct qxl_ram_header)));
	REQUIRE(disjoint(l.pages_offset, l.pages_size, l.ram_header_offset,
			 sizeof(struct qxl_ram_header)));
	REQUIRE(l.n_surfaces <= QXL_DEVIF_MAX_SURFACES);
	REQUIRE(l.slots_end - l.slots_start >= 2);
	REQUIRE(l.slot_id_bits + l.slot_gen_bits < 64);
	for (i = 0; i < l.n_modes; i++) {
		const struct qxl_mode *m = qxl_devif_rom_mode(rom, &l, i);
		const uint8_t *p = (const uint8_t *)m;

		REQUIRE(p >= rom && p + sizeof(*m) <= rom + rom_len);
		REQUIRE(m->x_res && m->x_res <= QXL_DEVIF_MAX_DIM);
		REQUIRE(m->y_res && m->y_res <= QXL_DEVIF_MAX_DIM);
		REQUIRE((u64)m->stride * m->y_res <= l.surface0_size);
	}
	REQUIRE(qxl_devif_rom_mode(rom, &l, l.n_modes) == NULL);
	for (i = 0; i < (u32)(l.slots_end - l.slots_start); i++) {
		u32 shift = 64 - l.slot_id_bits - l.slot_gen_bits;
		qxl_phys a = qxl_devif_phys(&l, i, bars.ram_size - 1);

		REQUIRE((a >> (shift + l.slot_gen_bits)) == l.slots_start + i);
		REQUIRE((a & ((1ULL << shift) - 1)) == bars.ram_size - 1);
	}
	free(rom);
	return 0;
}
