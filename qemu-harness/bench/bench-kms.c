/* SPDX-License-Identifier: MIT */
/*
 * bench-kms: the KMS figures of `make bench`, run in the guest without X.
 *
 *   bench-kms [--seconds S] [--flips N] [--width W --height H] [--tag T]
 *
 * Sets a W x H (default 1920x1080) mode on the first connected connector
 * with a dumb buffer, then measures
 *   full   full-frame updates: the whole buffer rewritten and flushed with
 *          DIRTYFB (no clip = everything), as many as fit in S seconds;
 *   small  64x64 damage updates: one 64x64 square rewritten (walking over
 *          the screen) and flushed with a single DIRTYFB clip rect;
 *   flip   N page flips between two buffers, each waiting for its event;
 *          the event timestamps give the pacing.
 * Around each part it calls `qh-mark kms-<T>-<part>-begin/end` so the host
 * can attribute the ring bytes, and prints key=value lines: the update
 * counts and rates, and flip intervals (median, p99, min, max in us).
 * Exits 77 (skip) if there is no DRM device, 1 on a failure, naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

struct buf {
	uint32_t handle, fb, pitch;
	uint64_t size;
	uint8_t *map;
};

static int fd;
static const char *tag = "1";

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
mark(const char *label)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "qh-mark kms-%s-%s >/dev/null 2>&1", tag, label);
	if (system(cmd) != 0)
		fprintf(stderr, "bench-kms: qh-mark %s failed (no harness?)\n", label);
}

/*
 * Wait until the device has taken everything: the record grows by at most
 * 256 bytes (a few events) in 0.5 s (polled through qh-mark, which prints
 * the record's size), at most 30 s.  Without it the commands still queued when a part ends would
 * be counted for the next one.
 *
 * The record names an event only when the next one starts, and
 * spice-server writes it through a 4 KiB stdio buffer, so the last command
 * of a part would stay unseen until the next part's first command and be
 * counted there (a full frame counted for the 64x64 part).  Before
 * settling, close_record() sends cursor moves (60 record bytes each, about
 * 4.5 KiB in all) after it; what they cost counts for the part.
 */
static void
settle(void)
{
	long long prev = -1, off;
	int i;

	for (i = 0; i < 60; i++) {
		char cmd[128], buf[64] = "";
		FILE *p;

		snprintf(cmd, sizeof(cmd), "qh-mark kms-%s-settle 2>/dev/null", tag);
		p = popen(cmd, "r");
		if (!p)
			return;
		if (!fgets(buf, sizeof(buf), p))
			buf[0] = 0;
		pclose(p);
		if (sscanf(buf, "%lld", &off) != 1 || (prev >= 0 && off - prev <= 256))
			return;
		prev = off;
		usleep(500000);
	}
}

static uint32_t cursor_crtc;
static int cursor_on;

static void
close_record(void)
{
	int i;

	for (i = 0; cursor_on && i < 80; i++)
		drmModeMoveCursor(fd, cursor_crtc, i & 1, 0);
}

static int
new_buf(struct buf *b, uint32_t w, uint32_t h)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c)) {
		printf("error=CREATE_DUMB %ux%u: %s\n", w, h, strerror(errno));
		return -1;
	}
	b->handle = c.handle;
	b->pitch = c.pitch;
	b->size = c.size;
	if (drmModeAddFB(fd, w, h, 24, 32, b->pitch, b->handle, &b->fb)) {
		printf("error=ADDFB %ux%u: %s\n", w, h, strerror(errno));
		return -1;
	}
	m.handle = b->handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m)) {
		printf("error=MAP_DUMB: %s\n", strerror(errno));
		return -1;
	}
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (b->map == MAP_FAILED) {
		printf("error=mmap: %s\n", strerror(errno));
		return -1;
	}
	memset(b->map, 0x20, b->size);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double last_flip;
static int flips_seen;
static double *intervals;

static void
flip_handler(int fd_, unsigned int seq, unsigned int sec, unsigned int usec, void *data)
{
	double t = sec + usec / 1e6;

	(void)fd_;
	(void)seq;
	(void)data;
	if (flips_seen > 0)
		intervals[flips_seen - 1] = (t - last_flip) * 1e6;
	last_flip = t;
	flips_seen++;
}

int
main(int argc, char **argv)
{
	double seconds = 2;
	int nflips = 60;
	uint32_t W = 1920, H = 1080;
	drmModeRes *res;
	drmModeConnector *conn = NULL;
	drmModeModeInfo *mode = NULL;
	uint32_t crtc;
	struct buf b[2];
	int i, n;
	double t0, t;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--flips") && i + 1 < argc)
			nflips = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--width") && i + 1 < argc)
			W = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--height") && i + 1 < argc)
			H = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--tag") && i + 1 < argc)
			tag = argv[++i];
		else {
			fprintf(stderr, "bench-kms: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	if (seconds <= 0 || nflips < 2 || !W || !H) {
		fprintf(stderr, "bench-kms: bad --seconds/--flips/--width/--height\n");
		return 2;
	}
	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("error=open /dev/dri/card0: %s\n", strerror(errno));
		return 77;
	}
	drmSetMaster(fd);
	res = drmModeGetResources(fd);
	if (!res || !res->count_crtcs) {
		printf("error=no KMS resources\n");
		return 1;
	}
	for (i = 0; i < res->count_connectors && !mode; i++) {
		conn = drmModeGetConnector(fd, res->connectors[i]);
		if (!conn || conn->connection != DRM_MODE_CONNECTED)
			continue;
		for (n = 0; n < conn->count_modes; n++)
			if (conn->modes[n].hdisplay == W && conn->modes[n].vdisplay == H) {
				mode = &conn->modes[n];
				break;
			}
	}
	if (!mode) {
		printf("error=no connected connector offers %ux%u\n", W, H);
		return 1;
	}
	crtc = res->crtcs[0];
	if (new_buf(&b[0], W, H) || new_buf(&b[1], W, H))
		return 1;
	if (drmModeSetCrtc(fd, crtc, b[0].fb, 0, 0, &conn->connector_id, 1, mode)) {
		printf("error=SETCRTC %ux%u: %s\n", W, H, strerror(errno));
		return 1;
	}
	printf("mode=%ux%u\n", W, H);
	{
		struct drm_mode_create_dumb c = { .width = 1, .height = 1, .bpp = 32 };

		/* a 1x1 cursor (4 bytes of shape) that close_record() moves */
		cursor_crtc = crtc;
		cursor_on = !drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c) &&
			    !drmModeSetCursor(fd, crtc, c.handle, 1, 1);
		if (!cursor_on)
			fprintf(stderr, "bench-kms: no cursor (%s): record bytes of a part may count for the next\n",
				strerror(errno));
	}
	close_record();
	settle();

	/* full-frame updates */
	mark("full-begin");
	t0 = now();
	for (n = 0; (t = now()) - t0 < seconds; n++) {
		memset(b[0].map, n & 0xff, b[0].size);
		if (drmModeDirtyFB(fd, b[0].fb, NULL, 0)) {
			printf("error=DIRTYFB (full): %s\n", strerror(errno));
			return 1;
		}
	}
	close_record();
	settle();
	mark("full-end");
	printf("full.updates=%d\nfull.seconds=%.4f\nfull.per_second=%.2f\n", n, t - t0, n / (t - t0));

	/* 64x64 damage updates walking over the screen */
	mark("small-begin");
	t0 = now();
	for (n = 0; (t = now()) - t0 < seconds; n++) {
		uint32_t cols = W / 64, rows = H / 64;
		uint32_t x = (n % cols) * 64, y = ((n / cols) % rows) * 64;
		drmModeClip clip = { x, y, x + 64, y + 64 };
		uint32_t r;

		for (r = 0; r < 64; r++)
			memset(b[0].map + (uint64_t)(y + r) * b[0].pitch + x * 4, (n * 37) & 0xff, 64 * 4);
		if (drmModeDirtyFB(fd, b[0].fb, &clip, 1)) {
			printf("error=DIRTYFB (64x64): %s\n", strerror(errno));
			return 1;
		}
	}
	close_record();
	settle();
	mark("small-end");
	printf("small.updates=%d\nsmall.seconds=%.4f\nsmall.per_second=%.2f\n", n, t - t0, n / (t - t0));

	/* page-flip pacing */
	intervals = calloc(nflips, sizeof(*intervals));
	mark("flip-begin");
	{
		drmEventContext ev = { .version = 2, .page_flip_handler = flip_handler };
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int cur = 0, timeouts = 0;

		t0 = now();
		for (n = 0; n < nflips; n++) {
			int want = flips_seen + 1;

			cur ^= 1;
			if (drmModePageFlip(fd, crtc, b[cur].fb, DRM_MODE_PAGE_FLIP_EVENT, NULL)) {
				printf("error=PAGE_FLIP: %s\n", strerror(errno));
				return 1;
			}
			while (flips_seen < want) {
				if (poll(&p, 1, 2000) <= 0) {
					timeouts++;
					break;
				}
				drmHandleEvent(fd, &ev);
			}
			if (timeouts)
				break;
		}
		t = now();
		if (timeouts) {
			printf("error=flip event did not arrive within 2 s (after %d events)\n", flips_seen);
			return 1;
		}
	}
	close_record();
	settle();
	mark("flip-end");
	qsort(intervals, nflips - 1, sizeof(double), cmp_double);
	printf("flip.count=%d\nflip.per_second=%.2f\n", nflips, nflips / (t - t0));
	printf("flip.interval_median_us=%.0f\nflip.interval_p99_us=%.0f\n",
	       intervals[(nflips - 1) / 2], intervals[(int)((nflips - 2) * 0.99)]);
	printf("flip.interval_min_us=%.0f\nflip.interval_max_us=%.0f\n",
	       intervals[0], intervals[nflips - 2]);
	return 0;
}
