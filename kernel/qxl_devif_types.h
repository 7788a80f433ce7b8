/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The kernel's integer type names, for the plain-C device-interface files
 * (qxl_devif*.[ch]) when they build outside the kernel: the host tests in
 * firmware-tests/ and the X driver (qxl_devif_siphash.c).
 */
#ifndef QXL_DEVIF_TYPES_H
#define QXL_DEVIF_TYPES_H

#include <linux/types.h>

#ifndef __KERNEL__
#include <stdbool.h>
#include <stddef.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
#endif

#endif /* QXL_DEVIF_TYPES_H */
