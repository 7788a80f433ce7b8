// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF")
 * fed in pieces: the cache ids of client images (qxl_execbuf.c) hash the
 * image's header fields, its palette and its pixels, which lie in several
 * device buffers and are read through a small bounce buffer.  The kernel's
 * siphash() takes one contiguous buffer only.
 *
 * A keyed PRF rather than a fast hash because the client reads the id back
 * from its image header: from outputs of a seeded non-cryptographic hash
 * (XXH64) over inputs it chose, a client can recover the seed or build two
 * images with one id, and one id naming two images shows the SPICE client
 * the wrong picture.
 */
#include "qxl_devif_siphash.h"

static inline u64 qxl_devif_rotl64(u64 v, unsigned int r)
{
	return v << r | v >> (64 - r);
}

static void qxl_devif_sipround(u64 v[4])
{
	v[0] += v[1];
	v[1] = qxl_devif_rotl64(v[1], 13);
	v[1] ^= v[0];
	v[0] = qxl_devif_rotl64(v[0], 32);
	v[2] += v[3];
	v[3] = qxl_devif_rotl64(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = qxl_devif_rotl64(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = qxl_devif_rotl64(v[1], 17);
	v[1] ^= v[2];
	v[2] = qxl_devif_rotl64(v[2], 32);
}

/* One 8-byte little-endian message word: two compression rounds. */
static void qxl_devif_siphash_word(struct qxl_devif_siphash *h, u64 m)
{
	h->v[3] ^= m;
	qxl_devif_sipround(h->v);
	qxl_devif_sipround(h->v);
	h->v[0] ^= m;
}

void qxl_devif_siphash_init(struct qxl_devif_siphash *h, const u64 key[2])
{
	h->v[0] = key[0] ^ 0x736f6d6570736575ULL;
	h->v[1] = key[1] ^ 0x646f72616e646f6dULL;
	h->v[2] = key[0] ^ 0x6c7967656e657261ULL;
	h->v[3] = key[1] ^ 0x7465646279746573ULL;
	h->tail = 0;
	h->len = 0;
}

/* Little-endian on every host; compilers make this one load on x86. */
static inline u64 qxl_devif_le64(const u8 *p)
{
	return (u64)p[0] | (u64)p[1] << 8 | (u64)p[2] << 16 | (u64)p[3] << 24 |
	       (u64)p[4] << 32 | (u64)p[5] << 40 | (u64)p[6] << 48 | (u64)p[7] << 56;
}

void qxl_devif_siphash_update(struct qxl_devif_siphash *h, const void *data, size_t len)
{
	const u8 *p = data;

	/* finish a word an earlier piece began */
	while (len && (h->len & 7)) {
		h->tail |= (u64)*p++ << (8 * (h->len++ & 7));
		len--;
		if (!(h->len & 7)) {
			qxl_devif_siphash_word(h, h->tail);
			h->tail = 0;
		}
	}
	for (; len >= 8; p += 8, len -= 8, h->len += 8)
		qxl_devif_siphash_word(h, qxl_devif_le64(p));
	for (; len; len--)
		h->tail |= (u64)*p++ << (8 * (h->len++ & 7));
}

u64 qxl_devif_siphash_final(struct qxl_devif_siphash *h)
{
	unsigned int i;

	/* the last word: the bytes left over, the length's low byte on top */
	qxl_devif_siphash_word(h, h->tail | (u64)(h->len & 0xff) << 56);
	h->v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		qxl_devif_sipround(h->v);
	return h->v[0] ^ h->v[1] ^ h->v[2] ^ h->v[3];
}
