/* SPDX-License-Identifier: MIT */
/*
 * Pixel arithmetic of the acceleration that needs neither X nor the
 * device, so that it can be checked exhaustively on the host
 * (tests/math-check.c).
 */
#ifndef QXL_MATH_H
#define QXL_MATH_H

#include <stdint.h>

/*
 * A solid fill with X GC function 'alu' (0..15), colour 'fg' and plane
 * mask 'pm' as d' = (d & *and_mask) ^ *xor_mask on the 24 colour bits.
 * With a constant source each destination bit ends up 0, 1, d or ~d:
 * and = f(s,0) ^ f(s,1), xor = f(s,0) inside the plane mask, and = 1,
 * xor = 0 outside.  X's function code holds f(s,d) at bit 3 - (2s + d).
 */
static inline void
qxl_rop_solid(unsigned int alu, uint32_t fg, uint32_t pm, uint32_t *and_mask,
	      uint32_t *xor_mask)
{
#define QXL_ALU(s, d) ((alu >> (3 - ((s) * 2 + (d)))) & 1)
	uint32_t on = fg & 0xffffff, off = ~fg & 0xffffff;
	uint32_t a = (QXL_ALU(1, 0) ^ QXL_ALU(1, 1) ? on : 0) |
		     (QXL_ALU(0, 0) ^ QXL_ALU(0, 1) ? off : 0);
	uint32_t x = (QXL_ALU(1, 0) ? on : 0) | (QXL_ALU(0, 0) ? off : 0);
#undef QXL_ALU

	pm &= 0xffffff;
	*and_mask = (a & pm) | (~pm & 0xffffff);
	*xor_mask = x & pm;
}

/* Bits per pixel of a palette image of 'n' (2..256) colours. */
static inline int
qxl_palette_bpp(int n)
{
	return n <= 2 ? 1 : n <= 16 ? 4 : 8;
}

/* Store palette index 'i' of pixel 'x' in a row of 1 or 4-bit (MSB first) or 8-bit pixels. */
static inline void
qxl_palette_put(uint8_t *row, int bpp, int x, unsigned int i)
{
	if (bpp == 1)
		row[x >> 3] |= (uint8_t)(i << (7 - (x & 7)));
	else if (bpp == 4)
		row[x >> 1] |= (uint8_t)(i << (x & 1 ? 0 : 4));
	else
		row[x] = (uint8_t)i;
}

/* A byte of a least-significant-bit-first bitmap, most significant bit first. */
static inline uint8_t
qxl_bit_reverse(uint8_t b)
{
	b = (uint8_t)((b & 0xf0) >> 4 | (b & 0x0f) << 4);
	b = (uint8_t)((b & 0xcc) >> 2 | (b & 0x33) << 2);
	return (uint8_t)((b & 0xaa) >> 1 | (b & 0x55) << 1);
}

/* The 32 pixels of a least-significant-bit-first word, most significant bit first. */
static inline uint32_t
qxl_bit_reverse32(uint32_t v)
{
	v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
	v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
	v = ((v >> 4) & 0x0f0f0f0fu) | ((v & 0x0f0f0f0fu) << 4);
	return __builtin_bswap32(v);
}

/*
 * OR columns [x1, x2) of a glyph row ('in': least significant bit first,
 * padded to 32 bits, as X server fonts are) into a most-significant-bit-
 * first row of 'stride' bytes, glyph column 0 at output column 'ox'
 * (negative when the glyph starts left of the row; then x1 >= -ox).
 * Reads 32 pixels at a time; the other columns are masked off.
 */
static inline void
qxl_glyph_row_put(uint8_t *row, uint32_t stride, const uint8_t *in, int x1, int x2, int ox)
{
	int k;

	for (k = x1 & ~31; k < x2; k += 32) {
		int lo = x1 - k > 0 ? x1 - k : 0, hi = x2 - k < 32 ? x2 - k : 32;
		int o = ox + k, at, b;
		const uint8_t *p = in + k / 8;
		uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			     (uint32_t)p[3] << 24;
		uint64_t w;

		v &= (hi == 32 ? 0xffffffffu : (1u << hi) - 1) & ~((1u << lo) - 1);
		if (!v)
			continue;
		/* word pixel 0 at bit 63: masked-off pixels left of the row shift out */
		w = (uint64_t)qxl_bit_reverse32(v) << 32;
		if (o < 0) {
			w <<= -o;
			at = 0;
		} else {
			w >>= o & 7;
			at = o >> 3;
		}
		for (b = 0; b < 5 && at + b < (int)stride; b++)
			row[at + b] |= (uint8_t)(w >> (56 - 8 * b));
	}
}

#endif /* QXL_MATH_H */
