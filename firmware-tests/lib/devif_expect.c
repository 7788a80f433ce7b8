// SPDX-License-Identifier: MIT
#include "devif_expect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#ifndef FIXTURE_DIR
#error "build with -DFIXTURE_DIR=\"...\""
#endif

const char *errno_name(int err)
{
	static char buf[32];

	switch (err) {
	case 0: return "0";
	case -EINVAL: return "-EINVAL";
	case -ENODEV: return "-ENODEV";
	case -EIO: return "-EIO";
	case -EAGAIN: return "-EAGAIN";
	}
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

bool expect_result(const char *name, int expected_ret, const char *why_part,
		   int ret, const char *why)
{
	char exp[64];
	bool pass;

	if (!why)
		why = "(null)";
	pass = ret == expected_ret &&
	       (expected_ret == 0 ? why[0] == '\0' : strstr(why, why_part) != NULL);
	snprintf(exp, sizeof(exp), "%s", errno_name(expected_ret));
	return tap_check(pass, name,
			 "expected %s (why containing \"%s\"), got %s (why \"%s\")",
			 exp, expected_ret ? why_part : "", errno_name(ret), why);
}

size_t fixture_read(const char *file, void *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, file);
	f = fopen(path, "rb");
	if (!f) {
		printf("not ok 1 - fixture %s: expected a readable file, got %s\n",
		       path, strerror(errno));
		exit(1);
	}
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

void rom_fixture_load(struct rom_fixture *f, const char *name)
{
	char file[256], text[1024], key[64];
	unsigned long long val;
	size_t n;
	char *p;
	int used;

	memset(f, 0, sizeof(*f));
	snprintf(file, sizeof(file), "%s.rom", name);
	f->len = fixture_read(file, f->rom, sizeof(f->rom));
	snprintf(file, sizeof(file), "%s.bars", name);
	n = fixture_read(file, text, sizeof(text) - 1);
	text[n] = '\0';
	for (p = text; sscanf(p, "%63s %llu%n", key, &val, &used) == 2; p += used) {
		if (!strcmp(key, "revision"))
			f->revision = (u32)val;
		else if (!strcmp(key, "ram_size"))
			f->bars.ram_size = val;
		else if (!strcmp(key, "vram_size"))
			f->bars.vram_size = val;
		else if (!strcmp(key, "rom_size"))
			f->bars.rom_size = val;
		else if (!strcmp(key, "io_size"))
			f->bars.io_size = val;
		else if (!strcmp(key, "vram64_size"))
			f->bars.vram64_size = val;
	}
}
