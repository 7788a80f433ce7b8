/* SPDX-License-Identifier: MIT */
/*
 * Reading the kernel driver's debugfs counters from a guest test: one
 * "key: value" line of /sys/kernel/debug/dri/0/FILE (qxl_objects,
 * qxl_status).  Shared by tests/ioctl and tests/fuzz.
 */
#ifndef QH_QXL_DEBUGFS_H
#define QH_QXL_DEBUGFS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counter KEY of debugfs FILE; -1 if the file or the key is absent. */
static inline long long qxl_debugfs_counter(const char *file, const char *key)
{
	char path[128], line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/0/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = atoll(line + klen + 1);
			break;
		}
	}
	fclose(f);
	return v;
}

#endif
