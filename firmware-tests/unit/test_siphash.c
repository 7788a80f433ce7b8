// SPDX-License-Identifier: MIT
/*
 * qxl_devif_siphash_*(): the test vectors of the SipHash paper (appendix
 * A: key 00 01 .. 0f, messages 00 01 .. of 0..63 bytes, outputs read as
 * little-endian words) and longer ones, and the same outputs whatever the
 * pieces the message is fed in.
 */
#include <string.h>

#include "devif_expect.h"
#include "tap.h"

static const u64 paper_vectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL,
	0x85676696d7fb7e2dULL, 0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
	0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL,
	0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL,
	0xa129ca6149be45e5ULL, 0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL,
	0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL, 0xbed65cf21aa2ee98ULL,
	0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL,
	0x2f2e6163076bcfadULL, 0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL,
	0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL, 0x7127512f72f27cceULL,
	0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL,
	0x9abfd8766a33735cULL, 0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL,
	0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL, 0xf935451de4f21df2ULL,
	0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL,
	0xa192d576b245165aULL, 0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL,
	0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL, 0xb78dbfaf3a8d83bdULL,
	0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL,
	0x958a324ceb064572ULL,
};

static const u64 paper_key[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };

/*
 * Longer messages (bytes 00 01 .. ff 00 01 ..), where the length byte of
 * the last word is taken mod 256: outputs of an implementation in Python
 * written separately from the specification (it gives the paper's 64).
 */
static const struct {
	unsigned int len;
	u64 out;
} long_vectors[] = {
	{ 64, 0xacd2c40b8502cad8ULL },
	{ 100, 0x096f3fec85c52a7eULL },
	{ 255, 0xa9c169fec74db21aULL },
	{ 256, 0x999d0526d2a7bfd7ULL },
	{ 257, 0x8a817b8d55b29748ULL },
	{ 1000, 0xdb9b3ed69e31c9a6ULL },
	{ 4099, 0x031a75d95c2fd479ULL },
};

static u64 hash_pieces(const u8 *msg, size_t len, const size_t *cuts, unsigned int n_cuts)
{
	struct qxl_devif_siphash h;
	size_t at = 0;
	unsigned int i;

	qxl_devif_siphash_init(&h, paper_key);
	for (i = 0; i < n_cuts; i++) {
		qxl_devif_siphash_update(&h, msg + at, cuts[i] - at);
		at = cuts[i];
	}
	qxl_devif_siphash_update(&h, msg + at, len - at);
	return qxl_devif_siphash_final(&h);
}

/* xorshift64: the same "random" pieces on every run */
static u64 next_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(void)
{
	u8 msg[64], big[4099];
	size_t cuts[8];
	u64 whole, s = 0x9e3779b97f4a7c15ULL;
	unsigned int len, cut, i, bad;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (u8)i;
	for (len = 0; len < 64; len++)
		tap_u64_eq(tap_name("paper vector %u (%u-byte message) in one piece", len, len),
			   paper_vectors[len], hash_pieces(msg, len, NULL, 0));

	for (i = 0; i < sizeof(big); i++)
		big[i] = (u8)i;
	for (i = 0; i < sizeof(long_vectors) / sizeof(long_vectors[0]); i++)
		tap_u64_eq(tap_name("%u-byte message in one piece", long_vectors[i].len),
			   long_vectors[i].out, hash_pieces(big, long_vectors[i].len, NULL, 0));

	/* every split in two, and one byte at a time */
	for (len = 0; len < 64; len++) {
		bad = 0;
		for (cut = 0; cut <= len; cut++) {
			cuts[0] = cut;
			if (hash_pieces(msg, len, cuts, 1) != paper_vectors[len])
				bad++;
		}
		tap_check(bad == 0, tap_name("paper vector %u split in two at every byte", len),
			  "expected 0x%016llx at all %u cuts, %u differed",
			  (unsigned long long)paper_vectors[len], len + 1, bad);
	}
	{
		struct qxl_devif_siphash h;

		qxl_devif_siphash_init(&h, paper_key);
		for (i = 0; i < 63; i++)
			qxl_devif_siphash_update(&h, msg + i, 1);
		tap_u64_eq("paper vector 63 fed one byte at a time", paper_vectors[63],
			   qxl_devif_siphash_final(&h));
	}

	/* a long message in eight pieces of random sizes, 200 times */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (u8)next_rand(&s);
	whole = hash_pieces(big, sizeof(big), NULL, 0);
	bad = 0;
	for (i = 0; i < 200; i++) {
		unsigned int j, k;

		for (j = 0; j < 8; j++)
			cuts[j] = next_rand(&s) % (sizeof(big) + 1);
		for (j = 1; j < 8; j++)	/* ascending */
			for (k = j; k > 0 && cuts[k - 1] > cuts[k]; k--) {
				size_t t = cuts[k];

				cuts[k] = cuts[k - 1];
				cuts[k - 1] = t;
			}
		if (hash_pieces(big, sizeof(big), cuts, 8) != whole)
			bad++;
	}
	tap_check(bad == 0, "a 4099-byte message in 8 random pieces hashes as in one, 200 times",
		  "expected 0x%016llx every time, %u of 200 differed", (unsigned long long)whole, bad);

	/* a key bit or a message bit changes the output */
	{
		u64 key2[2] = { paper_key[0] ^ 1, paper_key[1] };
		struct qxl_devif_siphash h;

		qxl_devif_siphash_init(&h, key2);
		qxl_devif_siphash_update(&h, msg, 15);
		tap_check(qxl_devif_siphash_final(&h) != paper_vectors[15],
			  "another key gives another output", "expected other than 0x%016llx",
			  (unsigned long long)paper_vectors[15]);
	}
	return tap_done();
}
