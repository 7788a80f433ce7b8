/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * SipHash-2-4 over data given in pieces (qxl_devif_siphash.c): init with a
 * 128-bit key (two little-endian words), update any number of times,
 * final once.  Equals SipHash-2-4 of the pieces concatenated.  Used by the
 * kernel (client images' cache ids, qxl_execbuf.c) and by the X driver
 * (its images' cache ids).
 */
#ifndef QXL_DEVIF_SIPHASH_H
#define QXL_DEVIF_SIPHASH_H

#include "qxl_devif_types.h"

struct qxl_devif_siphash {
	u64 v[4];
	u64 tail;	/* bytes of an unfinished word, little-endian */
	u64 len;	/* bytes so far */
};

void qxl_devif_siphash_init(struct qxl_devif_siphash *h, const u64 key[2]);
void qxl_devif_siphash_update(struct qxl_devif_siphash *h, const void *data, size_t len);
u64 qxl_devif_siphash_final(struct qxl_devif_siphash *h);

#endif /* QXL_DEVIF_SIPHASH_H */
