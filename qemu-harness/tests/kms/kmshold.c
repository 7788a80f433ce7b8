// SPDX-License-Identifier: MIT
/*
 * kmshold - show a known picture and keep it, for lifecycle tests
 * (suspend/resume) that look at the screen before and after.
 *
 *   kmshold WIDTH HEIGHT HEADS
 *
 * Scans out one XRGB8888 framebuffer of HEADS*WIDTH x HEIGHT, head i
 * showing the slice at x = i*WIDTH (a different colour per head, with a
 * white square), switches every other CRTC off, sets a 64x64 cursor on
 * head 0, prints "ready" and waits:
 *   SIGUSR1  draws a blue 96x96 square at (32,32) and flushes it with
 *            DIRTYFB, then prints "drawn": proves a draw reaches the screen
 *   SIGTERM  exits (the console comes back)
 * Everything it prints goes to stdout, one line per event; errors name
 * the call that failed and exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#define MAX_HEADS	4
#define CURSOR_SIZE	64

static volatile sig_atomic_t got_usr1;
static volatile sig_atomic_t got_term;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void fail(const char *what, int err)
{
	printf("error: %s: %s\n", what, strerror(err));
	fflush(stdout);
	exit(1);
}

struct dumb {
	uint32_t handle, pitch, fb;
	uint64_t size;
	uint32_t *map;
};

static void dumb_create(int fd, uint32_t w, uint32_t h, struct dumb *d)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		fail("CREATE_DUMB", errno);
	d->handle = c.handle;
	d->pitch = c.pitch;
	d->size = c.size;
	m.handle = c.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))
		fail("MAP_DUMB", errno);
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (d->map == MAP_FAILED)
		fail("mmap", errno);
}

static void fill(struct dumb *d, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		 uint32_t color)
{
	uint32_t i, j;

	for (j = y; j < y + h; j++)
		for (i = x; i < x + w; i++)
			d->map[j * (d->pitch / 4) + i] = color;
}

int main(int argc, char **argv)
{
	static const uint32_t colors[MAX_HEADS] = {
		0xc00000, 0x00a000, 0xc0c000, 0x00a0a0
	};
	uint32_t w, h, heads, i;
	drmModeRes *res;
	drmModeConnector *conn0;
	drmModeModeInfo mode;
	struct dumb fb, cursor;
	int fd, found = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: kmshold WIDTH HEIGHT HEADS (1..%d)\n", MAX_HEADS);
		return 2;
	}
	w = strtoul(argv[1], NULL, 0);
	h = strtoul(argv[2], NULL, 0);
	heads = strtoul(argv[3], NULL, 0);
	if (!w || !h || w > 4096 || h > 4096 || heads < 1 || heads > MAX_HEADS) {
		fprintf(stderr, "kmshold: bad size %sx%s or head count %s\n",
			argv[1], argv[2], argv[3]);
		return 2;
	}

	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fail("open /dev/dri/card0", errno);
	res = drmModeGetResources(fd);
	if (!res)
		fail("drmModeGetResources", errno);
	if (res->count_crtcs < (int)heads || res->count_connectors < (int)heads) {
		printf("error: %u heads asked, the device has %d CRTCs, %d connectors\n",
		       heads, res->count_crtcs, res->count_connectors);
		return 1;
	}
	/* Head 0 is connected and lists the device's modes; the others reuse it. */
	conn0 = drmModeGetConnector(fd, res->connectors[0]);
	if (!conn0)
		fail("drmModeGetConnector", errno);
	for (i = 0; i < (uint32_t)conn0->count_modes; i++) {
		if (conn0->modes[i].hdisplay == w && conn0->modes[i].vdisplay == h) {
			mode = conn0->modes[i];
			found = 1;
			break;
		}
	}
	if (!found) {
		printf("error: connector 0 has no %ux%u mode\n", w, h);
		return 1;
	}

	dumb_create(fd, w * heads, h, &fb);
	for (i = 0; i < heads; i++) {
		fill(&fb, i * w, 0, w, h, colors[i]);
		fill(&fb, i * w + w / 2, h / 2, 64, 64, 0xffffff);
	}
	if (drmModeAddFB(fd, w * heads, h, 24, 32, fb.pitch, fb.handle, &fb.fb))
		fail("drmModeAddFB", errno);
	/* Exactly HEADS heads: whatever the console lit beyond them goes dark. */
	for (i = heads; i < (uint32_t)res->count_crtcs; i++) {
		if (drmModeSetCrtc(fd, res->crtcs[i], 0, 0, 0, NULL, 0, NULL))
			fail("drmModeSetCrtc (off)", errno);
	}
	for (i = 0; i < heads; i++) {
		if (drmModeSetCrtc(fd, res->crtcs[i], fb.fb, i * w, 0, &res->connectors[i], 1,
				   &mode))
			fail("drmModeSetCrtc", errno);
	}

	dumb_create(fd, CURSOR_SIZE, CURSOR_SIZE, &cursor);
	fill(&cursor, 0, 0, CURSOR_SIZE, CURSOR_SIZE, 0xff000000);
	fill(&cursor, 8, 8, CURSOR_SIZE - 16, CURSOR_SIZE - 16, 0xffffffff);
	if (drmModeSetCursor(fd, res->crtcs[0], cursor.handle, CURSOR_SIZE, CURSOR_SIZE))
		fail("drmModeSetCursor", errno);
	if (drmModeMoveCursor(fd, res->crtcs[0], 100, 100))
		fail("drmModeMoveCursor", errno);

	signal(SIGUSR1, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!got_term) {
		pause();
		if (got_usr1) {
			drmModeClip clip = { 32, 32, 32 + 96, 32 + 96 };

			got_usr1 = 0;
			fill(&fb, 32, 32, 96, 96, 0x0000ff);
			if (drmModeDirtyFB(fd, fb.fb, &clip, 1))
				fail("drmModeDirtyFB", errno);
			printf("drawn\n");
			fflush(stdout);
		}
	}
	printf("exiting\n");
	fflush(stdout);
	return 0;
}
