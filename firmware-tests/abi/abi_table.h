/* SPDX-License-Identifier: MIT */
/*
 * The ABI layout test's tables.  gen-abi writes abi_ours.c (compiled with
 * uapi/qxl_device.h only), abi_spice.c (compiled with spice-protocol's
 * headers only) and abi_keys.c; entry k of both tables measures the same
 * thing, named abi_keys[k].
 */
#ifndef FW_ABI_TABLE_H
#define FW_ABI_TABLE_H

void abi_ours(unsigned long long *v);
void abi_spice(unsigned long long *v);
extern const char *const abi_keys[];
extern const unsigned int abi_n_keys;
extern const char *const abi_problems[];	/* NULL-terminated */
extern const char *const abi_ref_name;		/* "spice", "libdrm" */

#endif
