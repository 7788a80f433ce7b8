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
	{
		/*
		 * Glyph rows: random LSB-first rows of up to 96 pixels (padded
		 * to 32 bits, exactly sized so that an over-read shows under
		 * a sanitizer), random column ranges, placed anywhere from left
		 * of the output row to past its end.
		 */
		int it, bad = -1, badcol = 0, want = 0, got = 0;

		for (it = 0; it < 20000 && bad < 0; it++) {
			int gw = 1 + rand() % 96, pad = ((gw + 31) / 32) * 4;
			int ow = 1 + rand() % 160, ox = rand() % 200 - 100;
			uint32_t stride = (uint32_t)(ow + 7) / 8;
			uint8_t *in = malloc((size_t)pad), out[32], ref[32];
			int x1, x2, c;

			for (c = 0; c < pad; c++)
				in[c] = (uint8_t)rand();
			/* the caller clips the columns to the row */
			x1 = rand() % gw;
			x2 = x1 + 1 + rand() % (gw - x1);
			if (x1 < -ox)
				x1 = -ox;
			if (x2 > ow - ox)
				x2 = ow - ox;
			memset(out, 0, sizeof(out));
			memset(ref, 0, sizeof(ref));
			if (x1 < x2)
				qxl_glyph_row_put(out, stride, in, x1, x2, ox);
			for (c = x1; c < x2; c++)
				if ((in[c / 8] >> (c % 8)) & 1)
					ref[(c + ox) / 8] |= (uint8_t)(0x80 >> ((c + ox) % 8));
			for (c = 0; c < (int)stride * 8 && bad < 0; c++) {
				want = (ref[c / 8] >> (7 - c % 8)) & 1;
				got = (out[c / 8] >> (7 - c % 8)) & 1;
				if (want != got) {
					bad = it;
					badcol = c;
				}
			}
			free(in);
		}
		n++;
		if (bad >= 0) {
			fail = 1;
			printf("not ok %d - glyph row %d: expected pixel %d = %d, got %d\n",
			       n, bad, badcol, want, got);
		} else {
			printf("ok %d - 20000 LSB-first glyph rows, clipped and placed anywhere, "
			       "packed MSB-first with exactly their pixels\n", n);
		}
	}
	return fail;
}
