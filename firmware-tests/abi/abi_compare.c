// SPDX-License-Identifier: MIT
/*
 * ABI layout test: uapi/qxl_device.h against Debian's spice-protocol
 * (or uapi/qxl_drm.h against libdrm's qxl_drm.h, same program).
 * One TAP line per struct (every size, offset, alignment and signedness
 * of it and its fields) and one per constant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_table.h"
#include "tap.h"

/* "qxl_rom.flags offset" -> "qxl_rom"; "const X" -> "const X" */
static void group_of(const char *key, char *buf, size_t size)
{
	size_t n;

	if (!strncmp(key, "const ", 6)) {
		snprintf(buf, size, "%s", key);
		return;
	}
	n = strcspn(key, ". ");
	snprintf(buf, size, "%.*s", (int)n, key);
}

int main(void)
{
	unsigned long long *ours = calloc(abi_n_keys, sizeof(*ours));
	unsigned long long *spice = calloc(abi_n_keys, sizeof(*spice));
	unsigned int i, start, bad, checks = 0;
	char group[128], next[128], detail[4096];

	abi_ours(ours);
	abi_spice(spice);
	for (i = 0; abi_problems[i]; i++)
		tap_check(false, tap_name("ABI name mapping (%s)", abi_ref_name), "%s",
			  abi_problems[i]);

	for (start = 0; start < abi_n_keys; start = i) {
		size_t len = 0;

		group_of(abi_keys[start], group, sizeof(group));
		bad = 0;
		detail[0] = '\0';
		for (i = start; i < abi_n_keys; i++) {
			group_of(abi_keys[i], next, sizeof(next));
			if (strcmp(next, group))
				break;
			checks++;
			if (ours[i] == spice[i])
				continue;
			bad++;
			if (len < sizeof(detail) - 200)
				len += snprintf(detail + len, sizeof(detail) - len,
						"%s%s: expected %llu (%s), got %llu",
						bad > 1 ? "; " : "", abi_keys[i],
						spice[i], abi_ref_name, ours[i]);
		}
		if (!strncmp(group, "const ", 6))
			tap_check(!bad, tap_name("%s (vs %s)", group, abi_ref_name),
				  "%s", detail);
		else
			tap_check(!bad, tap_name("struct %s: %u layout checks (vs %s)", group,
						 i - start, abi_ref_name), "%s", detail);
	}
	tap_diag("%u layout and constant checks against %s", checks, abi_ref_name);
	free(ours);
	free(spice);
	return tap_done();
}
