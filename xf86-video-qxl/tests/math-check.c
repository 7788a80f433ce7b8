/* SPDX-License-Identifier: MIT */
/*
 * Host check of src/qxl_math.h (TAP): every X GC function with random
 * colours, plane masks and destinations must give, as the driver's
 * "AND then XOR" device fills, exactly what X defines; palette rows must
 * decode, in the device's 1/4-bit MSB-first and 8-bit formats, to the
 * indices stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/qxl_math.h"

static const char *const names[16] = {
	"GXclear", "GXand", "GXandReverse", "GXcopy", "GXandInverted", "GXnoop",
	"GXxor", "GXor", "GXnor", "GXequiv", "GXinvert", "GXorReverse",
	"GXcopyInverted", "GXorInverted", "GXnand", "GXset",
};

/* The X protocol's definition of each function, source s, destination d. */
static uint32_t
x_function(unsigned int alu, uint32_t s, uint32_t d)
{
	switch (alu) {
	case 0: return 0;
	case 1: return s & d;
	case 2: return s & ~d;
	case 3: return s;
	case 4: return ~s & d;
	case 5: return d;
	case 6: return s ^ d;
	case 7: return s | d;
	case 8: return ~(s | d);
	case 9: return ~(s ^ d);
	case 10: return ~d;
	case 11: return s | ~d;
	case 12: return ~s;
	case 13: return ~s | d;
	case 14: return ~(s & d);
	default: return ~0u;
	}
}

static uint32_t
rnd24(void)
{
	static const uint32_t edge[] = { 0, 0xffffff, 0x00ff00, 0x808080, 0x7f7f7f, 0x000001 };
	int r = rand();

	return r % 4 == 0 ? edge[(r >> 2) % 6] : (uint32_t)((rand() << 12) ^ rand()) & 0xffffff;
}

int
main(void)
{
	unsigned int alu;
	int n = 0, fail = 0, i, bpp;

	srand(20261122);
	printf("1..20\n");
	for (alu = 0; alu < 16; alu++) {
		uint32_t bad_fg = 0, bad_pm = 0, bad_d = 0, want = 0, got = 0;
		int bad = 0;

		for (i = 0; i < 200000 && !bad; i++) {
			uint32_t fg = rnd24(), pm = i < 1000 ? 0xffffff : rnd24(), d = rnd24();
			uint32_t a, x;

			qxl_rop_solid(alu, fg, pm, &a, &x);
			want = ((x_function(alu, fg, d) & pm) | (d & ~pm)) & 0xffffff;
			got = ((d & a) ^ x) & 0xffffff;
			if (want != got) {
				bad = 1;
				bad_fg = fg;
				bad_pm = pm;
				bad_d = d;
			}
		}
		n++;
		if (bad) {
			fail = 1;
			printf("not ok %d - %s as AND+XOR fills: expected %06x for fg %06x pm %06x dst %06x, got %06x\n",
			       n, names[alu], want, bad_fg, bad_pm, bad_d, got);
		} else {
			printf("ok %d - %s as AND+XOR fills equals X for 200000 colour/plane-mask/destination triples\n",
			       n, names[alu]);
		}
	}
	for (i = 0; i < 3; i++) {
		enum { W = 37 };
		uint8_t row[W + 1];
		unsigned int idx[W], dec = 0;
		int x, bad = -1, colours = i == 0 ? 2 : i == 1 ? 16 : 256;

		bpp = i == 0 ? 1 : i == 1 ? 4 : 8;
		memset(row, 0, sizeof(row));
		for (x = 0; x < W; x++) {
			idx[x] = (unsigned int)rand() % colours;
			qxl_palette_put(row, bpp, x, idx[x]);
		}
		for (x = 0; x < W && bad < 0; x++) {
			/* the device's formats: 1BIT_BE, 4BIT_BE (MSB first), 8BIT */
			if (bpp == 1)
				dec = (row[x / 8] >> (7 - x % 8)) & 1;
			else if (bpp == 4)
				dec = (row[x / 2] >> (x % 2 ? 0 : 4)) & 15;
			else
				dec = row[x];
			if (dec != idx[x])
				bad = x;
		}
		n++;
		if (qxl_palette_bpp(colours) != bpp) {
			fail = 1;
			printf("not ok %d - %d colours: expected %d bits per pixel, got %d\n", n,
			       colours, bpp, qxl_palette_bpp(colours));
		} else if (bad >= 0) {
			fail = 1;
			printf("not ok %d - %d-bit palette row: expected index %u at pixel %d, got %u\n",
			       n, bpp, idx[bad], bad, dec);
		} else {
			printf("ok %d - %d-bit palette row of %d pixels decodes to the indices stored\n",
			       n, bpp, W);
		}
	}
	{
		int b, bit, bad = -1;

		for (b = 0; b < 256 && bad < 0; b++)
			for (bit = 0; bit < 8; bit++)
				if (((b >> bit) & 1) != ((qxl_bit_reverse((uint8_t)b) >> (7 - bit)) & 1))
					bad = b;
		n++;
		if (bad >= 0) {
			fail = 1;
			printf("not ok %d - bit reversal: expected pixel order kept for byte %02x, got %02x\n",
			       n, bad, qxl_bit_reverse((uint8_t)bad));
		} else {
			printf("ok %d - LSB-first bitmap bytes become MSB-first with the same pixels (all 256)\n", n);
		}
	}
	return fail;
}
