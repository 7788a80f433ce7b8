// SPDX-License-Identifier: MIT
/*
 * kmstest - KMS client tests for qxl.ko, run inside the guest as root.
 *
 *   kmstest damage    only damaged rectangles are uploaded (atomic
 *                     FB_DAMAGE_CLIPS and DIRTYFB), screendump pixel check
 *   kmstest update-bytes  the ring record of a 64x64 update holds its image
 *                     and one command (validator, needs qh run --record)
 *   kmstest flip      page flips complete with events paced by the emulated
 *                     vblank; counters and timestamps advance
 *   kmstest cursor    cursor set / move / hide through the cursor ring
 *   kmstest invalid   impossible states are refused by atomic_check
 *   kmstest multihead two heads side by side on the primary, screendump check
 *   kmstest cache     same-size tiles of different content and the same tile
 *                     at different places (DIRTYFB): the SPICE client's picture
 *                     (qh run --client) equals the screendump
 *   kmstest repeat-bytes  frames shown again reach the SPICE client as
 *                     cache references, not pixels (qh run --client)
 *   kmstest churn N   N rounds of buffers, framebuffers, cursors, mode sets;
 *                     device memory returns to where it started
 *   kmstest flip-cursor [N]  N rounds of flips with cursor updates around
 *                     them, then flips on every head during a cursor storm
 *                     (legacy and atomic): no flip event is lost
 *   kmstest vblank-seq [N]  N rounds of vblank waits and events with mode
 *                     sets, DPMS, signals and SIGKILL in between, in one
 *                     process: every wait ends, no task stays unkillable
 *   kmstest plane-onoff  every plane of an active head off and on,
 *                     blocking and nonblocking; the head shows black,
 *                     also after another head grew or shrank the primary
 *   kmstest lease-uevent  where the LEASE=1 uevent comes (kernel socket)
 *   kmstest stress [FLIPS [MODESETS]]  FLIPS page flips with events over
 *                     every head (default 10000), then MODESETS mode sets
 *                     walking every head through head 0's modes (1000),
 *                     cursor updates paced at 1 kHz during both; figures
 *                     printed, device memory and releases back at the end
 *
 * Output is TAP.  Figures come from the driver's debugfs qxl_status.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "../common/qh_client.h"

/*
 * TAP counters in shared memory: tests that guard a step in a child
 * process (guarded()) number their results on from the parent's.
 */
static int *tap_counts;
#define tap_n (tap_counts[0])
#define tap_failed (tap_counts[1])

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	if (!cond)
		tap_failed = 1;
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("not ok %d - setup: ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n1..%d\n", tap_n);
	va_end(ap);
	exit(1);
}

/* ------------------------------------------------------------ debugfs */

static const char *debugfs_dir(void)
{
	static char path[128];
	struct stat st;

	if (path[0])
		return path;
	if (stat("/sys/kernel/debug/dri", &st))
		mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/0");
	return path;
}

static long long status_get(const char *key)
{
	char path[256], line[256];
	size_t klen = strlen(key);
	long long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/qxl_status", debugfs_dir());
	f = fopen(path, "r");
	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	if (val < 0)
		die("no '%s' in %s", key, path);
	return val;
}

/* "<ring>_ring: used/size pushed N ..." -> N */
static long long ring_pushed(const char *ring)
{
	char path[256], line[256], key[64];
	long long pushed = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/qxl_status", debugfs_dir());
	snprintf(key, sizeof(key), "%s_ring:", ring);
	f = fopen(path, "r");
	if (!f)
		die("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, key, strlen(key)))
			continue;
		p = strstr(line, "pushed ");
		if (p)
			pushed = strtoll(p + 7, NULL, 10);
	}
	fclose(f);
	if (pushed < 0)
		die("no pushed count for the %s ring", ring);
	return pushed;
}

static void release_flush(void)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/qxl_release_flush", debugfs_dir());
	fd = open(path, O_WRONLY);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (write(fd, "1", 1) != 1)
		die("write %s: %s", path, strerror(errno));
	close(fd);
}

/* ------------------------------------------------------------ KMS setup */

struct dumb {
	uint32_t handle, fb, width, height, pitch;
	uint64_t size;
	uint32_t *map;
};

#ifndef DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT
#define DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT	6	/* Linux 6.8 uapi */
#endif

struct kms {
	int fd;
	drmModeRes *res;
	uint32_t conn[16], crtc[16], primary[16], cursor[16];
	int heads;
	drmModeModeInfo mode0;		/* preferred mode of head 0 */
	bool hotspot_planes;		/* cursor planes take HOTSPOT_X/Y (6.8+) */
};

static struct kms k;

/* Find property name on obj: its id and current value; false when absent. */
static bool prop_find(uint32_t obj, uint32_t type, const char *name,
		      uint32_t *id, uint64_t *val)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(k.fd, obj, type);
	bool found = false;

	for (uint32_t i = 0; props && i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(k.fd, props->props[i]);

		if (p && !strcmp(p->name, name)) {
			*id = p->prop_id;
			*val = props->prop_values[i];
			found = true;
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return found;
}

static uint32_t prop_id(uint32_t obj, uint32_t type, const char *name)
{
	uint32_t id = 0;
	uint64_t val;

	if (!prop_find(obj, type, name, &id, &val) || !id)
		die("object %u has no property %s", obj, name);
	return id;
}

static uint64_t prop_value(uint32_t obj, uint32_t type, const char *name)
{
	uint32_t id;
	uint64_t val = 0;

	prop_find(obj, type, name, &id, &val);
	return val;
}

static void kms_open(void)
{
	drmModePlaneRes *pres;
	drmModeConnector *c;

	k.fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (k.fd < 0)
		die("open /dev/dri/card0: %s", strerror(errno));
	if (drmSetClientCap(k.fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(k.fd, DRM_CLIENT_CAP_ATOMIC, 1))
		die("no atomic support: %s", strerror(errno));
	/*
	 * Since 6.8 the cursor planes of drivers that need the hotspot
	 * (DRIVER_CURSOR_HOTSPOT) are shown only to atomic clients that
	 * promise to set it; 6.1 refuses the capability.
	 */
	k.hotspot_planes = !drmSetClientCap(k.fd, DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT, 1);
	k.res = drmModeGetResources(k.fd);
	if (!k.res)
		die("drmModeGetResources: %s", strerror(errno));
	k.heads = k.res->count_crtcs;
	if (k.heads > 16 || k.res->count_connectors != k.heads)
		die("expected one connector per CRTC, got %d CRTCs, %d connectors",
		    k.res->count_crtcs, k.res->count_connectors);
	for (int i = 0; i < k.heads; i++) {
		k.conn[i] = k.res->connectors[i];
		k.crtc[i] = k.res->crtcs[i];
	}
	pres = drmModeGetPlaneResources(k.fd);
	if (!pres)
		die("drmModeGetPlaneResources: %s", strerror(errno));
	for (uint32_t i = 0; i < pres->count_planes; i++) {
		drmModePlane *p = drmModeGetPlane(k.fd, pres->planes[i]);
		uint64_t type = prop_value(p->plane_id, DRM_MODE_OBJECT_PLANE, "type");

		for (int h = 0; h < k.heads; h++) {
			if (!(p->possible_crtcs & (1u << h)))
				continue;
			if (type == DRM_PLANE_TYPE_PRIMARY)
				k.primary[h] = p->plane_id;
			else if (type == DRM_PLANE_TYPE_CURSOR)
				k.cursor[h] = p->plane_id;
		}
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pres);

	c = drmModeGetConnector(k.fd, k.conn[0]);
	if (!c || !c->count_modes)
		die("head 0 has no modes");
	k.mode0 = c->modes[0];
	for (int i = 0; i < c->count_modes; i++)
		if (c->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			k.mode0 = c->modes[i];
	drmModeFreeConnector(c);
}

static void find_mode(uint32_t conn, int w, int h, drmModeModeInfo *out)
{
	drmModeConnector *c = drmModeGetConnector(k.fd, conn);

	for (int i = 0; c && i < c->count_modes; i++) {
		if (c->modes[i].hdisplay == w && c->modes[i].vdisplay == h) {
			*out = c->modes[i];
			drmModeFreeConnector(c);
			return;
		}
	}
	die("connector %u has no %dx%d mode", conn, w, h);
}

/*
 * A w x h dumb buffer with a framebuffer; 0, or the errno of CREATE_DUMB
 * (device memory may run out: a stress test counts that, others die).
 */
static int dumb_try_create(struct dumb *d, uint32_t w, uint32_t h, uint32_t format)
{
	struct drm_mode_create_dumb create = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_map_dumb map = { 0 };
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };

	if (format == DRM_FORMAT_RGB565)
		create.bpp = 16;
	if (drmIoctl(k.fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return errno;
	d->handle = create.handle;
	d->pitch = create.pitch;
	d->size = create.size;
	d->width = w;
	d->height = h;
	map.handle = d->handle;
	if (drmIoctl(k.fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		die("MAP_DUMB: %s", strerror(errno));
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, k.fd, map.offset);
	if (d->map == MAP_FAILED)
		die("mmap dumb: %s", strerror(errno));
	handles[0] = d->handle;
	pitches[0] = d->pitch;
	if (drmModeAddFB2(k.fd, w, h, format, handles, pitches, offsets, &d->fb, 0))
		die("AddFB2 %ux%u: %s", w, h, strerror(errno));
	return 0;
}

static void dumb_create(struct dumb *d, uint32_t w, uint32_t h, uint32_t format)
{
	int err = dumb_try_create(d, w, h, format);

	if (err)
		die("CREATE_DUMB %ux%u: %s", w, h, strerror(err));
}

static void dumb_destroy(struct dumb *d)
{
	struct drm_mode_destroy_dumb destroy = { .handle = d->handle };

	drmModeRmFB(k.fd, d->fb);
	munmap(d->map, d->size);
	drmIoctl(k.fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	memset(d, 0, sizeof(*d));
}

static void fill(struct dumb *d, int x, int y, int w, int h, uint32_t color)
{
	for (int j = y; j < y + h; j++)
		for (int i = x; i < x + w; i++)
			d->map[j * (d->pitch / 4) + i] = color;
}

/* Add the properties that put fb full-screen on head h with mode m. */
static void add_head(drmModeAtomicReq *req, int h, const drmModeModeInfo *m, uint32_t fb,
		     uint32_t *blob)
{
	if (drmModeCreatePropertyBlob(k.fd, m, sizeof(*m), blob))
		die("mode blob: %s", strerror(errno));
	drmModeAtomicAddProperty(req, k.crtc[h], prop_id(k.crtc[h], DRM_MODE_OBJECT_CRTC,
							"MODE_ID"), *blob);
	drmModeAtomicAddProperty(req, k.crtc[h], prop_id(k.crtc[h], DRM_MODE_OBJECT_CRTC,
							"ACTIVE"), 1);
	drmModeAtomicAddProperty(req, k.conn[h], prop_id(k.conn[h], DRM_MODE_OBJECT_CONNECTOR,
							"CRTC_ID"), k.crtc[h]);
#define PP(name, val) drmModeAtomicAddProperty(req, k.primary[h], \
		prop_id(k.primary[h], DRM_MODE_OBJECT_PLANE, name), val)
	PP("FB_ID", fb);
	PP("CRTC_ID", k.crtc[h]);
	PP("SRC_X", 0);
	PP("SRC_Y", 0);
	PP("SRC_W", (uint64_t)m->hdisplay << 16);
	PP("SRC_H", (uint64_t)m->vdisplay << 16);
	PP("CRTC_X", 0);
	PP("CRTC_Y", 0);
	PP("CRTC_W", m->hdisplay);
	PP("CRTC_H", m->vdisplay);
#undef PP
}

static void disable_head(drmModeAtomicReq *req, int h)
{
	drmModeAtomicAddProperty(req, k.crtc[h], prop_id(k.crtc[h], DRM_MODE_OBJECT_CRTC,
							"MODE_ID"), 0);
	drmModeAtomicAddProperty(req, k.crtc[h], prop_id(k.crtc[h], DRM_MODE_OBJECT_CRTC,
							"ACTIVE"), 0);
	drmModeAtomicAddProperty(req, k.conn[h], prop_id(k.conn[h], DRM_MODE_OBJECT_CONNECTOR,
							"CRTC_ID"), 0);
	drmModeAtomicAddProperty(req, k.primary[h], prop_id(k.primary[h], DRM_MODE_OBJECT_PLANE,
							   "FB_ID"), 0);
	drmModeAtomicAddProperty(req, k.primary[h], prop_id(k.primary[h], DRM_MODE_OBJECT_PLANE,
							   "CRTC_ID"), 0);
	drmModeAtomicAddProperty(req, k.cursor[h], prop_id(k.cursor[h], DRM_MODE_OBJECT_PLANE,
							  "FB_ID"), 0);
	drmModeAtomicAddProperty(req, k.cursor[h], prop_id(k.cursor[h], DRM_MODE_OBJECT_PLANE,
							  "CRTC_ID"), 0);
}

/* Head 0 alone with mode m showing fb; every other head off.  Returns errno. */
static int modeset_single(const drmModeModeInfo *m, uint32_t fb, uint32_t flags)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t blob;
	int ret;

	add_head(req, 0, m, fb, &blob);
	for (int h = 1; h < k.heads; h++)
		disable_head(req, h);
	ret = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET | flags, NULL);
	ret = ret ? errno : 0;
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob);
	return ret;
}

/* ------------------------------------------------------------ screendump */

/* Pixel (x, y) of $QH_OUT/name.png as 0xRRGGBB, or -1. */
static long pixel(const char *name, int x, int y)
{
	char cmd[512], line[256];
	long val = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "convert \"$QH_OUT/%s.png\" -crop 1x1+%d+%d -depth 8 txt:- 2>/dev/null", name, x, y);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *hash = strchr(line, '#');

		if (line[0] != '#' && hash)
			val = strtol(hash + 1, NULL, 16) & 0xffffff;
	}
	pclose(p);
	return val;
}

static bool screendump(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "qh-screendump %s >/dev/null", name);
	return system(cmd) == 0;
}

/*
 * The SPICE client's picture (qh run --client) of what screendump NAME
 * shows, as NAME-client.png.  Without a client in the run the check is a
 * TAP skip.  Returns false when skipped or failed.
 */
static bool client_check(const char *name)
{
	char out[256], ans[1024];
	long diff;
	int st;

	snprintf(out, sizeof(out), "%s-client", name);
	st = qh_client_match(name, out, false, ans, sizeof(ans), &diff);
	if (st == QH_CLIENT_NONE) {
		printf("ok %d - client picture of %s # SKIP no SPICE client (qh run --client)\n",
		       ++tap_n, name);
		return false;
	}
	ok(st == 0 && diff == 0,
	   "client picture equals screendump %s: expected 0 pixels different, got %ld (%s)",
	   name, diff, ans);
	return st == 0 && diff == 0;
}

/* The rest of the line starting with 'key' in the client's NAME-client.state. */
static bool client_state(const char *name, const char *key, char *out, size_t n)
{
	char path[512], line[1024];
	const char *dir = getenv("QH_OUT");
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-client.state", dir ? dir : ".", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key))) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, n, "%s", line + strlen(key));
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * A client that connects now (the old one leaves) must show screendump
 * NAME at once: from the server's state, not from what it saw drawn.
 * Prints the bytes it took.
 */
static void late_client_check(const char *name)
{
	char out[256], ans[1024];
	long diff;
	int st;

	snprintf(out, sizeof(out), "%s-late-client", name);
	st = qh_client_match(name, out, true, ans, sizeof(ans), &diff);
	ok(st == 0 && diff == 0,
	   "a newly connected client shows screendump %s: expected 0 pixels different, got %ld (%s)",
	   name, diff, ans);
	snprintf(out, sizeof(out), "%s-late", name);
	if (client_state(out, "bytes display0 ", ans, sizeof(ans)))
		diag("the new client received %s bytes on its display channel", ans);
}

/*
 * The cursor as the SPICE client has it: "shape yes size WxH hotspot X,Y
 * position X,Y visible V" (position = where the hotspot is) and the pixel
 * at the shape's centre as AARRGGBB.  The cursor channel is separate from
 * the display one, so the client is asked again (up to ~5 s) until it
 * matches.  A TAP skip without a client.
 */
static void client_cursor_check(const char *name, const char *want, const char *want_px)
{
	char cmd[512], got[512] = "", px[64] = "";
	FILE *p;
	int st = 0;

	for (int tries = 0; tries < 10; tries++) {
		char *c;

		snprintf(cmd, sizeof(cmd), "qh-clientdump %s-client >/dev/null 2>&1", name);
		st = system(cmd);
		if (WIFEXITED(st) && WEXITSTATUS(st) == QH_CLIENT_NONE) {
			printf("ok %d - client cursor # SKIP no SPICE client (qh run --client)\n",
			       ++tap_n);
			return;
		}
		got[0] = 0;
		client_state(name, "cursor ", got, sizeof(got));
		c = strstr(got, " sets ");
		if (c)
			*c = 0;	/* the counters after it vary */
		if (!strcmp(got, want))
			break;
		usleep(500000);
	}
	ok(!strcmp(got, want), "client's cursor: expected '%s', got '%s'", want, got);
	snprintf(cmd, sizeof(cmd),
		 "convert \"$QH_OUT/%s-client-cursor.png\" -gravity center -crop 1x1+0+0 "
		 "-depth 8 txt:- 2>/dev/null", name);
	p = popen(cmd, "r");
	if (p) {
		char line[256];

		while (fgets(line, sizeof(line), p)) {
			char *hash = strchr(line, '#');

			if (line[0] != '#' && hash)
				snprintf(px, sizeof(px), "%.8s", hash + 1);
		}
		pclose(p);
	}
	/* ImageMagick prints RRGGBBAA */
	{
		char want_rgba[16];

		snprintf(want_rgba, sizeof(want_rgba), "%.6s%.2s", want_px + 2, want_px);
		for (char *q = px; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		ok(!strcmp(px, want_rgba), "client's cursor shape centre: expected RGBA %s, got '%s'",
		   want_rgba, px);
	}
}

static bool png_size(const char *name, int *w, int *h)
{
	char cmd[256];
	FILE *p;
	bool ret;

	snprintf(cmd, sizeof(cmd), "identify -format '%%w %%h' \"$QH_OUT/%s.png\"", name);
	p = popen(cmd, "r");
	if (!p)
		return false;
	ret = fscanf(p, "%d %d", w, h) == 2;
	pclose(p);
	return ret;
}

/* ------------------------------------------------------------ tests */

/* fb with damage rects on head h's primary plane, no mode set */
static void commit_damage_head(int h, uint32_t fb, const struct drm_mode_rect *rects, int n,
			       int *err)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t plane = k.primary[h];
	uint32_t blob = 0;

	if (n && drmModeCreatePropertyBlob(k.fd, rects, sizeof(*rects) * n, &blob))
		die("damage blob: %s", strerror(errno));
	drmModeAtomicAddProperty(req, plane, prop_id(plane, DRM_MODE_OBJECT_PLANE, "FB_ID"), fb);
	drmModeAtomicAddProperty(req, plane, prop_id(plane, DRM_MODE_OBJECT_PLANE,
						     "FB_DAMAGE_CLIPS"), blob);
	*err = drmModeAtomicCommit(k.fd, req, 0, NULL) ? errno : 0;
	drmModeAtomicFree(req);
	if (blob)
		drmModeDestroyPropertyBlob(k.fd, blob);
}

static void commit_damage(uint32_t fb, const struct drm_mode_rect *rects, int n, int *err)
{
	commit_damage_head(0, fb, rects, n, err);
}

static int test_damage(void)
{
	const drmModeModeInfo *m = &k.mode0;
	struct drm_mode_rect r1 = { 100, 40, 200, 90 };		/* 100x50 */
	struct drm_mode_rect r2[2] = { { 300, 300, 332, 316 }, { 0, 700, 8, 708 } };
	drmModeClip clip = { 500, 100, 564, 132 };		/* 64x32 */
	long long before, after, full;
	struct dumb a;
	int err;
	long px;

	dumb_create(&a, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	fill(&a, 0, 0, a.width, a.height, 0x404040);
	before = status_get("bytes_uploaded");
	err = modeset_single(m, a.fb, 0);
	ok(!err, "modeset %s with a %ux%u framebuffer: expected 0, got %s", m->name,
	   a.width, a.height, strerror(err));
	full = status_get("bytes_uploaded") - before;
	ok(full >= (long long)a.width * a.height * 4,
	   "full upload after a mode set: expected >= %u bytes, got %lld",
	   a.width * a.height * 4, full);

	fill(&a, 100, 40, 100, 50, 0xff0000);
	before = status_get("bytes_uploaded");
	commit_damage(a.fb, &r1, 1, &err);
	after = status_get("bytes_uploaded");
	ok(!err && after - before == 100 * 50 * 4,
	   "one 100x50 FB_DAMAGE_CLIPS rect uploads 20000 bytes: got %lld (commit: %s)",
	   after - before, strerror(err));

	fill(&a, 300, 300, 32, 16, 0x00ff00);
	fill(&a, 0, 700, 8, 8, 0x0000ff);
	before = status_get("bytes_uploaded");
	commit_damage(a.fb, r2, 2, &err);
	after = status_get("bytes_uploaded");
	ok(!err && after - before == (32 * 16 + 8 * 8) * 4,
	   "two damage rects upload %d bytes: got %lld (commit: %s)",
	   (32 * 16 + 8 * 8) * 4, after - before, strerror(err));

	fill(&a, 500, 100, 64, 32, 0xffff00);
	before = status_get("bytes_uploaded");
	err = drmModeDirtyFB(k.fd, a.fb, &clip, 1);
	after = status_get("bytes_uploaded");
	ok(!err && after - before == 64 * 32 * 4,
	   "DIRTYFB of 64x32 uploads 8192 bytes: got %lld (ioctl: %d)", after - before, err);

	ok(screendump("damage"), "screendump taken");
	{
		int w = 0, h = 0;
		bool got = png_size("damage", &w, &h);

		ok(got && w == m->hdisplay && h == m->vdisplay,
		   "screendump is %ux%u: got %dx%d", m->hdisplay, m->vdisplay, w, h);
	}
	px = pixel("damage", 150, 60);
	ok(px == 0xff0000, "pixel (150,60) red: got %06lx", px);
	px = pixel("damage", 310, 305);
	ok(px == 0x00ff00, "pixel (310,305) green: got %06lx", px);
	px = pixel("damage", 4, 704);
	ok(px == 0x0000ff, "pixel (4,704) blue: got %06lx", px);
	px = pixel("damage", 530, 110);
	ok(px == 0xffff00, "pixel (530,110) yellow (DIRTYFB): got %06lx", px);
	px = pixel("damage", 700, 500);
	ok(px == 0x404040, "pixel (700,500) background grey: got %06lx", px);
	client_check("damage");

	/* a page flip to a new framebuffer uploads it whole */
	{
		struct dumb b;

		dumb_create(&b, m->hdisplay, m->vdisplay, DRM_FORMAT_RGB565);
		for (uint32_t y = 0; y < b.height; y++)
			for (uint32_t x = 0; x < b.width; x++)
				((uint16_t *)b.map)[y * (b.pitch / 2) + x] = 0x07e0; /* green */
		before = status_get("bytes_uploaded");
		commit_damage(b.fb, NULL, 0, &err);
		after = status_get("bytes_uploaded");
		ok(!err && after - before == (long long)b.width * b.height * 4,
		   "switching to an RGB565 framebuffer uploads it whole: expected %u, got %lld (%s)",
		   b.width * b.height * 4, after - before, strerror(err));
		ok(screendump("damage-rgb565"), "screendump taken");
		px = pixel("damage-rgb565", 10, 10);
		ok(px == 0x00ff00, "RGB565 green drawn as 00ff00: got %06lx", px);
		client_check("damage-rgb565");
		commit_damage(a.fb, NULL, 0, &err);
		dumb_destroy(&b);
	}
	dumb_destroy(&a);
	return 0;
}

/* ------------------------------------------------------------ ring record */

/* Offset of spice-server's record now (qh-mark LABEL), -1 without --record. */
static long long record_mark(const char *label)
{
	char cmd[128], buf[64] = "";
	long long off = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "qh-mark %s 2>/dev/null", label);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(buf, sizeof(buf), p))
		sscanf(buf, "%lld", &off);
	pclose(p);
	return off;
}

/*
 * The record names an event only once the next one starts, so the last
 * command of a workload reaches the record when something follows it: a
 * few cursor moves (small commands) close it.  Then wait until the record
 * stops growing, so that a mark taken afterwards counts everything before.
 */
static void record_sync(int *cursor_x)
{
	long long prev = -1, off;

	for (int i = 0; i < 4; i++) {
		*cursor_x = (*cursor_x + 7) % 200;
		drmModeMoveCursor(k.fd, k.crtc[0], *cursor_x, 0);
	}
	release_flush();
	for (int i = 0; i < 40; i++) {
		off = record_mark("sync");
		if (off < 0 || off == prev)
			return;
		prev = off;
		usleep(250000);
	}
}

static int qh_expect(const char *from, const char *to, const char *rules)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "qh-expect %s %s %s", from, to, rules);
	return system(cmd);
}

/*
 * The ring traffic of one 64x64 update, FB_DAMAGE_CLIPS and DIRTYFB: the
 * image of the damage (16384 bytes) plus the command, nothing more; checked
 * by the host's validator on spice-server's record (needs qh run --record).
 * Also counts how many DIRTYFB updates go by per emulated vblank: a damage
 * update is not paced by the vblank (the figure is reported, not judged).
 */
static int test_update_bytes(void)
{
	const drmModeModeInfo *m = &k.mode0;
	struct drm_mode_rect r = { 200, 100, 264, 164 };
	drmModeClip clip = { 400, 300, 464, 364 };
	/*
	 * Marks lag by spice-server's 4 KiB stdio buffer, so the cursor
	 * commands of the syncs around may fall in the range: commands are not
	 * counted, image bytes and bytes per draw are.
	 */
	const char *rules = "max-bytes-per-update=18500 max-image-bytes=16384 "
			    "command-types=copy";
	long long before, after, off;
	struct dumb a, cur;
	drmVBlank vbl;
	unsigned int seq0;
	int cursor_x = 0, err, i;

	if (record_mark("probe") < 0) {
		printf("ok %d - update-bytes # SKIP no ring record (qh run without --record)\n",
		       ++tap_n);
		return 0;
	}
	dumb_create(&a, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	fill(&a, 0, 0, a.width, a.height, 0x202020);
	err = modeset_single(m, a.fb, 0);
	ok(!err, "modeset %s: %s", m->name, strerror(err));
	dumb_create(&cur, 1, 1, DRM_FORMAT_ARGB8888);
	cur.map[0] = 0xffffffff;
	err = drmModeSetCursor(k.fd, k.crtc[0], cur.handle, 1, 1);
	ok(!err, "a 1x1 cursor for closing the record's events: %s", strerror(err ? errno : 0));
	record_sync(&cursor_x);

	/* one FB_DAMAGE_CLIPS rect */
	fill(&a, 200, 100, 64, 64, 0xff8000);
	record_mark("damage-begin");
	before = status_get("bytes_uploaded");
	commit_damage(a.fb, &r, 1, &err);
	after = status_get("bytes_uploaded");
	ok(!err && after - before == 64 * 64 * 4,
	   "64x64 FB_DAMAGE_CLIPS uploads 16384 bytes: got %lld (%s)", after - before,
	   strerror(err));
	record_sync(&cursor_x);
	record_mark("damage-end");
	ok(qh_expect("damage-begin", "damage-end", rules) == 0,
	   "ring record of the FB_DAMAGE_CLIPS update handed to the validator (%s)", rules);

	/* one DIRTYFB rect */
	fill(&a, 400, 300, 64, 64, 0x0080ff);
	record_mark("dirtyfb-begin");
	before = status_get("bytes_uploaded");
	err = drmModeDirtyFB(k.fd, a.fb, &clip, 1);
	after = status_get("bytes_uploaded");
	ok(!err && after - before == 64 * 64 * 4,
	   "64x64 DIRTYFB uploads 16384 bytes: got %lld (%d)", after - before, err);
	record_sync(&cursor_x);
	record_mark("dirtyfb-end");
	ok(qh_expect("dirtyfb-begin", "dirtyfb-end", rules) == 0,
	   "ring record of the DIRTYFB update handed to the validator (%s)", rules);

	/* DIRTYFB rate against the vblank counter: a figure, not a verdict */
	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = DRM_VBLANK_RELATIVE;
	err = drmWaitVBlank(k.fd, &vbl);
	seq0 = vbl.reply.sequence;
	for (i = 0; i < 60 && !err; i++) {
		uint32_t x = (i % 10) * 64, y = 400 + (i / 10) * 16;
		drmModeClip c = { x, y, x + 64, y + 16 };

		fill(&a, x, y, 64, 16, 0x010101 * i);
		err = drmModeDirtyFB(k.fd, a.fb, &c, 1);
	}
	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = DRM_VBLANK_RELATIVE;
	err = err ? err : drmWaitVBlank(k.fd, &vbl);
	ok(!err, "60 DIRTYFB updates and two vblank queries: %d", err);
	diag("60 DIRTYFB updates took %u vblank periods", vbl.reply.sequence - seq0);

	/* a flip to another framebuffer with damage clips uploads the clips only */
	{
		struct dumb b;
		struct drm_mode_rect rb = { 600, 500, 632, 532 };

		dumb_create(&b, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
		fill(&b, 0, 0, b.width, b.height, 0x00ffff);
		before = status_get("bytes_uploaded");
		commit_damage(b.fb, &rb, 1, &err);
		after = status_get("bytes_uploaded");
		ok(!err && after - before == 32 * 32 * 4,
		   "a flip with one 32x32 damage clip uploads 4096 bytes: got %lld (%s)",
		   after - before, strerror(err));
		commit_damage(a.fb, NULL, 0, &err);
		ok(!err, "back to the first framebuffer: %s", strerror(err));
		dumb_destroy(&b);
	}

	ok(screendump("update-bytes"), "screendump taken");
	off = pixel("update-bytes", 230, 130);
	ok(off == 0xff8000, "pixel (230,130) orange (FB_DAMAGE_CLIPS): got %06llx", off);
	off = pixel("update-bytes", 430, 330);
	ok(off == 0x0080ff, "pixel (430,330) blue (DIRTYFB): got %06llx", off);
	drmModeSetCursor(k.fd, k.crtc[0], 0, 0, 0);
	dumb_destroy(&cur);
	dumb_destroy(&a);
	return 0;
}

static double ts(unsigned int sec, unsigned int usec)
{
	return sec + usec / 1e6;
}

struct flip_log {
	int n;
	unsigned int seq[256];
	double t[256];
};

static void flip_handler(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
			 void *data)
{
	struct flip_log *log = data;

	(void)fd;
	if (log->n < 256) {
		log->seq[log->n] = seq;
		log->t[log->n] = ts(sec, usec);
	}
	log->n++;
}

static int test_flip(void)
{
	const drmModeModeInfo *m = &k.mode0;
	drmEventContext ev = { .version = 2, .page_flip_handler = flip_handler };
	struct flip_log log = { 0 };
	struct dumb fb[2];
	const int flips = 60;
	double period = 1.0 / m->vrefresh, avg;
	bool seq_ok = true, t_ok = true, done_ok = true;
	drmVBlank vbl;
	int err, i;

	dumb_create(&fb[0], m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	dumb_create(&fb[1], m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	fill(&fb[0], 0, 0, 64, 64, 0xffffff);
	fill(&fb[1], 0, 0, 64, 64, 0x808080);
	err = modeset_single(m, fb[0].fb, 0);
	ok(!err, "modeset %s: %s", m->name, strerror(err));
	if (err)
		return 1;

	for (i = 0; i < flips; i++) {
		struct pollfd pfd = { .fd = k.fd, .events = POLLIN };

		if (drmModePageFlip(k.fd, k.crtc[0], fb[(i + 1) & 1].fb,
				    DRM_MODE_PAGE_FLIP_EVENT, &log)) {
			ok(false, "page flip %d: expected 0, got %s", i, strerror(errno));
			return 1;
		}
		if (poll(&pfd, 1, 5000) != 1) {
			done_ok = false;
			break;
		}
		drmHandleEvent(k.fd, &ev);
	}
	ok(done_ok && log.n == flips, "%d flip events received: got %d", flips, log.n);
	for (i = 1; i < log.n && i < 256; i++) {
		if ((int)(log.seq[i] - log.seq[i - 1]) < 1)
			seq_ok = false;
		if (log.t[i] <= log.t[i - 1])
			t_ok = false;
	}
	ok(seq_ok, "vblank sequence advances with every flip");
	ok(t_ok, "flip timestamps advance with every flip");
	avg = log.n > 1 ? (log.t[log.n - 1] - log.t[0]) / (log.n - 1) : 0;
	diag("mode %s refresh %u Hz: average flip interval %.2f ms (period %.2f ms), sequence %u..%u",
	     m->name, m->vrefresh, avg * 1e3, period * 1e3, log.seq[0],
	     log.n ? log.seq[log.n - 1] : 0);
	ok(avg >= period * 0.9,
	   "flips are paced by vblank: expected average interval >= %.2f ms, got %.2f ms",
	   period * 0.9e3, avg * 1e3);

	/* vblank counter through the wait-vblank ioctl */
	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = DRM_VBLANK_RELATIVE;
	vbl.request.sequence = 0;
	err = drmWaitVBlank(k.fd, &vbl);
	{
		unsigned int start = vbl.reply.sequence;
		double t0 = ts(vbl.reply.tval_sec, vbl.reply.tval_usec), t1;

		memset(&vbl, 0, sizeof(vbl));
		vbl.request.type = DRM_VBLANK_RELATIVE;
		vbl.request.sequence = 10;
		err = err ? err : drmWaitVBlank(k.fd, &vbl);
		t1 = ts(vbl.reply.tval_sec, vbl.reply.tval_usec);
		/* a late timer counts the periods it missed: at least 10 */
		ok(!err && vbl.reply.sequence - start >= 10 && vbl.reply.sequence - start < 1000,
		   "waiting 10 vblanks advances the counter by at least 10: %u -> %u (%d)", start,
		   vbl.reply.sequence, err);
		ok(t1 - t0 >= 10 * period * 0.9,
		   "10 vblanks take at least %.1f ms: got %.1f ms", 9 * period * 1e3,
		   (t1 - t0) * 1e3);
		/* timestamps are the emulated vblank's schedule, one frame apart */
		{
			double frame = m->clock ? (double)m->htotal * m->vtotal /
					       (m->clock * 1000.0) : period;
			double periods = (t1 - t0) / frame;
			unsigned int counted = vbl.reply.sequence - start;

			ok(periods > counted - 0.05 && periods < counted + 0.05,
			   "vblank timestamps %u periods apart are %.3f periods apart", counted,
			   periods);
		}
	}
	dumb_destroy(&fb[0]);
	dumb_destroy(&fb[1]);
	return 0;
}

static int commit_cursor(const struct dumb *cur, int x, int y, int hot_x, int hot_y)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret;

#define CP(name, val) drmModeAtomicAddProperty(req, k.cursor[0], \
		prop_id(k.cursor[0], DRM_MODE_OBJECT_PLANE, name), val)
	CP("FB_ID", cur->fb);
	CP("CRTC_ID", k.crtc[0]);
	CP("SRC_X", 0);
	CP("SRC_Y", 0);
	CP("SRC_W", (uint64_t)cur->width << 16);
	CP("SRC_H", (uint64_t)cur->height << 16);
	CP("CRTC_X", x);
	CP("CRTC_Y", y);
	CP("CRTC_W", cur->width);
	CP("CRTC_H", cur->height);
	CP("HOTSPOT_X", hot_x);
	CP("HOTSPOT_Y", hot_y);
#undef CP
	ret = drmModeAtomicCommit(k.fd, req, 0, NULL) ? errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

/*
 * Where the kernel has cursor hotspot plane properties (6.8+), the driver
 * advertises them (a hotspot-aware compositor places the pointer right)
 * and takes the hotspot from them: a hotspot outside the image is refused,
 * a new hotspot on the same image re-sends the shape, a plain move does not.
 */
static void cursor_hotspot_planes(const struct dumb *cur)
{
	long long before, after;
	uint32_t id;
	uint64_t val;
	int err, fd;

	struct utsname u;
	int major = 0, minor = 0;
	struct dumb big;

	if (!uname(&u))
		sscanf(u.release, "%d.%d", &major, &minor);
	if (!k.hotspot_planes) {
		ok(major * 100 + minor < 608,
		   "the hotspot capability is refused only before Linux 6.8: running %s", u.release);
		return;
	}
	ok(prop_find(k.cursor[0], DRM_MODE_OBJECT_PLANE, "HOTSPOT_X", &id, &val) &&
	   prop_find(k.cursor[0], DRM_MODE_OBJECT_PLANE, "HOTSPOT_Y", &id, &val),
	   "the cursor plane has HOTSPOT_X and HOTSPOT_Y properties");

	/* the legacy ioctl's hotspot is the plane's (what X servers use) */
	err = drmModeSetCursor2(k.fd, k.crtc[0], cur->handle, cur->width, cur->height, 5, 7);
	ok(!err && prop_value(k.cursor[0], DRM_MODE_OBJECT_PLANE, "HOTSPOT_X") == 5 &&
	   prop_value(k.cursor[0], DRM_MODE_OBJECT_PLANE, "HOTSPOT_Y") == 7,
	   "SetCursor2 hotspot (5,7) reads back from the plane: got (%llu,%llu) (%d)",
	   (unsigned long long)prop_value(k.cursor[0], DRM_MODE_OBJECT_PLANE, "HOTSPOT_X"),
	   (unsigned long long)prop_value(k.cursor[0], DRM_MODE_OBJECT_PLANE, "HOTSPOT_Y"), err);
	/*
	 * A refused legacy call leaves its hotspot in the plane's state on
	 * 6.12 (the core writes it before the check): later moves still work.
	 */
	dumb_create(&big, 300, 300, DRM_FORMAT_ARGB8888);
	err = drmModeSetCursor2(k.fd, k.crtc[0], big.handle, 300, 300, 100, 100);
	ok(err != 0, "a 300x300 cursor with hotspot (100,100) is refused: got %d", err);
	dumb_destroy(&big);
	before = ring_pushed("cursor");
	err = drmModeMoveCursor(k.fd, k.crtc[0], 120, 130);
	after = ring_pushed("cursor");
	ok(!err && after - before == 1,
	   "after the refused call the cursor still moves: got %s, %lld commands",
	   strerror(err ? errno : 0), after - before);

	err = commit_cursor(cur, 300, 200, cur->width, 3);
	ok(err == EINVAL, "a hotspot outside the %ux%u image is refused: got %s",
	   cur->width, cur->height, strerror(err));

	before = ring_pushed("cursor");
	err = commit_cursor(cur, 300, 200, 5, 7);
	after = ring_pushed("cursor");
	ok(!err && after - before == 1, "atomic cursor with hotspot (5,7) sends one command: "
	   "got %lld (%s)", after - before, strerror(err));

	before = after;
	err = commit_cursor(cur, 300, 200, 9, 2);
	after = ring_pushed("cursor");
	ok(!err && after - before == 1,
	   "a new hotspot on the same image sends one command: got %lld (%s)",
	   after - before, strerror(err));

	before = after;
	err = commit_cursor(cur, 310, 220, 9, 2);
	after = ring_pushed("cursor");
	ok(!err && after - before == 1, "a move sends one command: got %lld (%s)",
	   after - before, strerror(err));

	/* A client that did not promise the hotspot does not see the plane. */
	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd >= 0 && !drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) &&
	    !drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1)) {
		drmModePlaneRes *pres = drmModeGetPlaneResources(fd);
		bool seen = false;

		for (uint32_t i = 0; pres && i < pres->count_planes; i++)
			seen |= pres->planes[i] == k.cursor[0];
		ok(pres && !seen, "an atomic client without the hotspot capability sees no "
		   "cursor plane (%u planes listed)", pres ? pres->count_planes : 0);
		drmModeFreePlaneResources(pres);
	} else {
		ok(0, "second client: %s", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	drmModeSetCursor(k.fd, k.crtc[0], 0, 0, 0);
}

static int test_cursor(void)
{
	const drmModeModeInfo *m = &k.mode0;
	struct dumb bg, cur, big;
	long long before, after;
	int err;

	dumb_create(&bg, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	err = modeset_single(m, bg.fb, 0);
	ok(!err, "modeset %s: %s", m->name, strerror(err));
	dumb_create(&cur, 64, 64, DRM_FORMAT_ARGB8888);
	/* orange: red and blue differ, so a byte-order mix-up shows */
	fill(&cur, 0, 0, 64, 64, 0xffff8000);

	before = ring_pushed("cursor");
	err = drmModeSetCursor2(k.fd, k.crtc[0], cur.handle, 64, 64, 5, 7);
	after = ring_pushed("cursor");
	ok(!err && after - before == 1,
	   "SetCursor2 with hotspot (5,7) sends one cursor command: got %lld (%d)",
	   after - before, err);

	before = after;
	for (int i = 0; i < 10; i++)
		err |= drmModeMoveCursor(k.fd, k.crtc[0], 100 + i * 10, 200 + i * 5);
	after = ring_pushed("cursor");
	ok(!err && after - before == 10, "10 moves send 10 cursor commands: got %lld",
	   after - before);

	before = after;
	err = drmModeMoveCursor(k.fd, k.crtc[0], 190, 245);
	after = ring_pushed("cursor");
	ok(!err && after - before == 0, "a move to the same place sends nothing: got %lld",
	   after - before);

	client_cursor_check("cursor", "shape yes size 64x64 hotspot 5,7 position 195,252 visible 1",
			    "ffff8000");

	before = after;
	err = drmModeSetCursor(k.fd, k.crtc[0], 0, 0, 0);
	after = ring_pushed("cursor");
	ok(!err && after - before == 1, "hiding the cursor sends one command: got %lld",
	   after - before);

	dumb_create(&big, 512, 512, DRM_FORMAT_ARGB8888);
	err = drmModeSetCursor(k.fd, k.crtc[0], big.handle, 512, 512);
	ok(err != 0, "a 512x512 cursor is refused: got %d", err);
	dumb_destroy(&big);
	cursor_hotspot_planes(&cur);
	dumb_destroy(&cur);
	dumb_destroy(&bg);
	return 0;
}

static int commit_test_only(drmModeAtomicReq *req)
{
	int ret = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_TEST_ONLY |
				      DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);

	return ret ? errno : 0;
}

static void refuse_modes_and_modifiers(const struct dumb *a);

static int test_invalid(void)
{
	const drmModeModeInfo *m = &k.mode0;
	drmModeModeInfo huge = *m, big;
	drmModeAtomicReq *req;
	struct dumb a, hugefb, bigfb, cur;
	uint32_t blob, blob2;
	uint64_t vram = status_get("vram_size");
	int err;

	(void)vram;
	dumb_create(&a, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);

	req = drmModeAtomicAlloc();
	add_head(req, 0, m, a.fb, &blob);
	err = commit_test_only(req);
	ok(err == 0, "a valid state passes check: got %s", strerror(err));
	drmModeAtomicFree(req);

	/* a mode too large for the primary area */
	huge.hdisplay = 4096;
	huge.hsync_start = 4100;
	huge.hsync_end = 4200;
	huge.htotal = 4300;
	huge.vdisplay = 4096;
	huge.vsync_start = 4100;
	huge.vsync_end = 4110;
	huge.vtotal = 4120;
	dumb_create(&hugefb, 4096, 4096, DRM_FORMAT_XRGB8888);
	req = drmModeAtomicAlloc();
	add_head(req, 0, &huge, hugefb.fb, &blob2);
	err = commit_test_only(req);
	ok(err == EINVAL, "a 4096x4096 mode (64 MiB) beyond the primary area is refused: got %s",
	   strerror(err));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob2);
	dumb_destroy(&hugefb);

	/* two heads that do not fit side by side */
	find_mode(k.conn[0], 2560, 1600, &big);
	dumb_create(&bigfb, 2560, 1600, DRM_FORMAT_XRGB8888);
	req = drmModeAtomicAlloc();
	add_head(req, 0, &big, bigfb.fb, &blob2);
	err = commit_test_only(req);
	ok(err == 0, "2560x1600 alone fits: got %s", strerror(err));
	if (k.heads > 1) {
		uint32_t blob3;

		add_head(req, 1, m, a.fb, &blob3);
		err = commit_test_only(req);
		ok(err == EINVAL, "2560x1600 + %s on two heads exceed the primary area: got %s",
		   m->name, strerror(err));
		drmModeDestroyPropertyBlob(k.fd, blob3);
	}
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob2);
	dumb_destroy(&bigfb);

	/* primary plane not covering the CRTC */
	req = drmModeAtomicAlloc();
	add_head(req, 0, m, a.fb, &blob2);
	drmModeAtomicAddProperty(req, k.primary[0], prop_id(k.primary[0], DRM_MODE_OBJECT_PLANE,
							   "CRTC_W"), m->hdisplay / 2);
	drmModeAtomicAddProperty(req, k.primary[0], prop_id(k.primary[0], DRM_MODE_OBJECT_PLANE,
							   "SRC_W"), (uint64_t)(m->hdisplay / 2) << 16);
	err = commit_test_only(req);
	ok(err == EINVAL, "a primary plane covering half the CRTC is refused: got %s",
	   strerror(err));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob2);

	/* scaling */
	req = drmModeAtomicAlloc();
	add_head(req, 0, m, a.fb, &blob2);
	drmModeAtomicAddProperty(req, k.primary[0], prop_id(k.primary[0], DRM_MODE_OBJECT_PLANE,
							   "SRC_W"), (uint64_t)(m->hdisplay / 2) << 16);
	err = commit_test_only(req);
	/* the plane helper reports a scaling factor out of range as ERANGE */
	ok(err == EINVAL || err == ERANGE, "a scaled primary plane is refused: got %s",
	   strerror(err));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob2);

	/* an active CRTC without a primary plane */
	req = drmModeAtomicAlloc();
	add_head(req, 0, m, a.fb, &blob2);
	drmModeAtomicAddProperty(req, k.primary[0], prop_id(k.primary[0], DRM_MODE_OBJECT_PLANE,
							   "FB_ID"), 0);
	drmModeAtomicAddProperty(req, k.primary[0], prop_id(k.primary[0], DRM_MODE_OBJECT_PLANE,
							   "CRTC_ID"), 0);
	err = commit_test_only(req);
	ok(err == 0, "an active CRTC without primary plane passes check (it shows black): got %s",
	   strerror(err));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob2);

	/* cursor larger than the device accepts */
	dumb_create(&cur, 300, 300, DRM_FORMAT_ARGB8888);
	req = drmModeAtomicAlloc();
	add_head(req, 0, m, a.fb, &blob2);
#define CP(name, val) drmModeAtomicAddProperty(req, k.cursor[0], \
		prop_id(k.cursor[0], DRM_MODE_OBJECT_PLANE, name), val)
	CP("FB_ID", cur.fb);
	CP("CRTC_ID", k.crtc[0]);
	CP("SRC_X", 0);
	CP("SRC_Y", 0);
	CP("SRC_W", 300 << 16);
	CP("SRC_H", 300 << 16);
	CP("CRTC_X", 0);
	CP("CRTC_Y", 0);
	CP("CRTC_W", 300);
	CP("CRTC_H", 300);
#undef CP
	err = commit_test_only(req);
	ok(err == EINVAL, "a 300x300 cursor is refused: got %s", strerror(err));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob2);
	dumb_destroy(&cur);

	refuse_modes_and_modifiers(&a);
	drmModeDestroyPropertyBlob(k.fd, blob);
	dumb_destroy(&a);
	return 0;
}

static int test_churn(int rounds)
{
	drmModeModeInfo modes[2];
	long long start, end, waits;
	struct dumb cur, fb;
	int failures = 0, i, err;

	find_mode(k.conn[0], 640, 480, &modes[0]);
	find_mode(k.conn[0], 800, 600, &modes[1]);

	/* the same state at start and end: mode 0, cursor set and hidden */
	dumb_create(&fb, 640, 480, DRM_FORMAT_XRGB8888);
	if (modeset_single(&modes[0], fb.fb, 0))
		die("modeset 640x480: %s", strerror(errno));
	dumb_create(&cur, 64, 64, DRM_FORMAT_ARGB8888);
	drmModeSetCursor(k.fd, k.crtc[0], cur.handle, 64, 64);
	drmModeSetCursor(k.fd, k.crtc[0], 0, 0, 0);
	dumb_destroy(&cur);
	release_flush();
	start = status_get("vram_used");
	waits = status_get("vram_oom_waits");

	for (i = 0; i < rounds; i++) {
		const drmModeModeInfo *m = &modes[(i / 100) & 1];
		uint32_t side = 16 + (i % 4) * 16;
		struct dumb next;

		dumb_create(&cur, side, side, DRM_FORMAT_ARGB8888);
		fill(&cur, 0, 0, side, side, 0xff000000 | (i * 2654435761u));
		if (drmModeSetCursor2(k.fd, k.crtc[0], cur.handle, side, side, i % side, 0) ||
		    drmModeMoveCursor(k.fd, k.crtc[0], i % 600, i % 400))
			failures++;
		dumb_destroy(&cur);
		if (i % 4)
			continue;
		/* the shown framebuffer is destroyed only once replaced */
		dumb_create(&next, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
		fill(&next, i % 300, i % 200, 64, 64, i * 7919u);
		err = (i % 100 == 0) ? modeset_single(m, next.fb, 0) :
		      (drmModePageFlip(k.fd, k.crtc[0], next.fb, 0, NULL) ? errno : 0);
		if (err == EBUSY) {
			usleep(20000);
			err = modeset_single(m, next.fb, 0);
		}
		if (err) {
			failures++;
			diag("round %d: showing a framebuffer failed: %s", i, strerror(err));
		}
		dumb_destroy(&fb);
		fb = next;
	}
	ok(failures == 0, "%d rounds of create/show/destroy: expected 0 failures, got %d",
	   rounds, failures);

	{
		struct dumb last;

		dumb_create(&last, 640, 480, DRM_FORMAT_XRGB8888);
		err = modeset_single(&modes[0], last.fb, 0);
		dumb_destroy(&fb);
		fb = last;
	}
	drmModeSetCursor(k.fd, k.crtc[0], 0, 0, 0);
	release_flush();
	end = status_get("vram_used");
	diag("device memory in use: %lld at start, %lld at end, peak %lld; %lld OOM waits",
	     start, end, status_get("vram_peak"), status_get("vram_oom_waits") - waits);
	ok(!err && end == start, "device memory use returns to its start: %lld -> %lld",
	   start, end);
	ok(status_get("device_dead") == 0, "device still alive");
	dumb_destroy(&fb);
	return 0;
}

/* Heads 0 and 1 side by side on the shared primary; the screendump shows both. */
/* Heads 0 (m0, fb0) and 1 (m1, fb1) side by side in one mode set. */
static int two_heads_on(const drmModeModeInfo *m0, uint32_t fb0, const drmModeModeInfo *m1,
			uint32_t fb1, uint32_t *blob0, uint32_t *blob1)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int err;

	add_head(req, 0, m0, fb0, blob0);
	add_head(req, 1, m1, fb1, blob1);
	err = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? errno : 0;
	drmModeAtomicFree(req);
	ok(!err, "heads 0 (%s) and 1 (%s) enabled together: %s", m0->name, m1->name,
	   strerror(err));
	return err;
}

/* Back to head 0 alone on fb0; the mode blobs of two_heads_on() go. */
static void two_heads_off(const drmModeModeInfo *m0, uint32_t fb0, uint32_t blob0,
			  uint32_t blob1)
{
	int err = modeset_single(m0, fb0, 0);

	ok(!err, "back to head 0 alone: %s", strerror(err));
	drmModeDestroyPropertyBlob(k.fd, blob0);
	drmModeDestroyPropertyBlob(k.fd, blob1);
}

/* The SPICE client's monitors (screendump NAME) are heads 0 (m0) and 1 (640x480) side by side. */
static void client_two_monitors(const char *name, const drmModeModeInfo *m0, const char *when)
{
	char want[128], got[1024] = "";

	snprintf(want, sizeof(want), "2 0:%dx%d+0+0 1:640x480+%d+0",
		 m0->hdisplay, m0->vdisplay, m0->hdisplay);
	client_state(name, "display 0 monitors ", got, sizeof(got));
	ok(!strcmp(got, want), "client's monitors config%s: expected %s, got %s", when, want, got);
}

static int test_multihead(void)
{
	const drmModeModeInfo *m0 = &k.mode0;
	drmModeModeInfo m1;
	struct dumb a, b;
	uint32_t blob0, blob1;
	long long errors0;
	int w = 0, h = 0;
	bool got;
	long px;

	if (k.heads < 2) {
		printf("ok %d - multihead # SKIP only one head\n", ++tap_n);
		return 0;
	}
	errors0 = status_get("irq_error");
	find_mode(k.conn[0], 640, 480, &m1);
	dumb_create(&a, m0->hdisplay, m0->vdisplay, DRM_FORMAT_XRGB8888);
	dumb_create(&b, 640, 480, DRM_FORMAT_XRGB8888);
	fill(&a, 0, 0, a.width, a.height, 0xff0000);
	fill(&b, 0, 0, b.width, b.height, 0x0000ff);
	two_heads_on(m0, a.fb, &m1, b.fb, &blob0, &blob1);
	ok(status_get("irq_error") == errors0,
	   "device accepted the two-head layout: expected irq_error still %lld, got %lld", errors0,
	   status_get("irq_error"));
	ok(screendump("multihead"), "screendump taken");
	got = png_size("multihead", &w, &h);
	ok(got && w == m0->hdisplay + 640 && h == m0->vdisplay,
	   "screendump is the %dx%d primary holding both heads: got %dx%d",
	   m0->hdisplay + 640, m0->vdisplay, w, h);
	px = pixel("multihead", 10, 10);
	ok(px == 0xff0000, "head 0 at x 0 shows its red framebuffer: got %06lx", px);
	px = pixel("multihead", m0->hdisplay + 10, 10);
	ok(px == 0x0000ff, "head 1 at x %d shows its blue framebuffer: got %06lx",
	   m0->hdisplay + 10, px);
	/* What a client lays its windows out by: the guest's monitors config. */
	if (client_check("multihead"))
		client_two_monitors("multihead", m0, "");
	two_heads_off(m0, a.fb, blob0, blob1);
	dumb_destroy(&b);
	dumb_destroy(&a);
	return 0;
}

/* ------------------------------------------------------------ events (issue 19) */

/* An event or wait later than this counts as lost, not as slow. */
#define EVENT_TIMEOUT_MS 5000

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Run fn(arg) in a child process that must end within limit seconds.  A
 * child still running then is shown with its kernel stack and killed; one
 * that SIGKILL does not end within 10 s is reported unkillable.  The
 * child's own TAP results count with the parent's (tap_counts is shared).
 */
static void guarded(const char *what, int limit, void (*fn)(void *), void *arg)
{
	char path[64], line[256];
	double end = now_s() + limit;
	int status = 0;
	bool died = false;
	pid_t pid;
	FILE *f;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	while (now_s() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			   "%s: ends by itself within %d s: %s %d", what, limit,
			   WIFEXITED(status) ? "exit status" : "killed by signal",
			   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			return;
		}
		usleep(50000);
	}
	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	f = fopen(path, "r");
	diag("%s: still running after %d s, kernel stack:", what, limit);
	while (f && fgets(line, sizeof(line), f))
		diag("  %s", strtok(line, "\n"));
	if (f)
		fclose(f);
	kill(pid, SIGKILL);
	for (int i = 0; i < 200 && !died; i++) {
		died = waitpid(pid, &status, WNOHANG) == pid;
		if (!died)
			usleep(50000);
	}
	ok(false, "%s: expected to end within %d s, still running; after SIGKILL it %s", what,
	   limit, died ? "died" : "did NOT die within 10 s (unkillable)");
}

/* The vblank counter of head h now (a query, no wait); -1 with errno. */
static long long vblank_now(int h, double *t)
{
	union drm_wait_vblank vbl = { 0 };

	vbl.request.type = DRM_VBLANK_RELATIVE | (h << DRM_VBLANK_HIGH_CRTC_SHIFT);
	if (ioctl(k.fd, DRM_IOCTL_WAIT_VBLANK, &vbl))
		return -1;
	if (t)
		*t = ts(vbl.reply.tval_sec, vbl.reply.tval_usec);
	return vbl.reply.sequence;
}

/* One raw WAIT_VBLANK (libdrm's drmWaitVBlank restarts after signals). */
static int vblank_wait(int h, unsigned int type, unsigned int seq, unsigned long data,
		       unsigned int *reply)
{
	union drm_wait_vblank vbl = { 0 };

	vbl.request.type = type | (h << DRM_VBLANK_HIGH_CRTC_SHIFT);
	vbl.request.sequence = seq;
	vbl.request.signal = data;
	if (ioctl(k.fd, DRM_IOCTL_WAIT_VBLANK, &vbl))
		return errno;
	if (reply)
		*reply = vbl.reply.sequence;
	return 0;
}

struct ev_log {
	int flips[16], vblanks;
	unsigned int flip_seq[16], vblank_seq;
	double flip_t[16];
};

/* The log events_until() fills (an event's user data is the client's, not ours). */
static struct ev_log *ev_target;

static void ev_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		    unsigned int crtc_id, void *data)
{
	struct ev_log *log = ev_target;

	(void)fd;
	(void)data;
	for (int h = 0; h < k.heads; h++) {
		if (k.crtc[h] == crtc_id) {
			log->flips[h]++;
			log->flip_seq[h] = seq;
			log->flip_t[h] = ts(sec, usec);
		}
	}
}

static void ev_vblank(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		      void *data)
{
	struct ev_log *log = ev_target;

	(void)fd;
	(void)data;
	(void)sec;
	(void)usec;
	log->vblanks++;
	log->vblank_seq = seq;
}

/* Read events until cond holds or EVENT_TIMEOUT_MS passes; false on timeout. */
static bool events_until(struct ev_log *log, bool (*cond)(struct ev_log *, int), int arg)
{
	drmEventContext ev = {
		.version = 3,
		.vblank_handler = ev_vblank,
		.page_flip_handler2 = ev_flip,
	};
	double end = now_s() + EVENT_TIMEOUT_MS / 1e3;

	ev_target = log;
	while (!cond(log, arg)) {
		struct pollfd pfd = { .fd = k.fd, .events = POLLIN };
		int left = (int)((end - now_s()) * 1e3);

		if (left <= 0 || poll(&pfd, 1, left) != 1)
			return cond(log, arg);
		drmHandleEvent(k.fd, &ev);
	}
	return true;
}

static bool flips_reach(struct ev_log *log, int n)
{
	for (int h = 0; h < k.heads; h++)
		if (log->flips[h] < n)
			return false;
	return true;
}

static bool flip0_reaches(struct ev_log *log, int n)
{
	return log->flips[0] >= n;
}

static bool vblanks_reach(struct ev_log *log, int n)
{
	return log->vblanks >= n;
}

/* Every head on at mode m showing fbs[h]; returns errno. */
static int modeset_all(const drmModeModeInfo *m, const struct dumb *fbs, uint32_t flags)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t blobs[16];
	int ret;

	for (int h = 0; h < k.heads; h++)
		add_head(req, h, m, fbs[h].fb, &blobs[h]);
	ret = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET | flags, NULL);
	ret = ret ? errno : 0;
	drmModeAtomicFree(req);
	for (int h = 0; h < k.heads; h++)
		drmModeDestroyPropertyBlob(k.fd, blobs[h]);
	return ret;
}

/* Plane showing fb (0: off, unbound) whole, w x h at (x, y) on crtc. */
static void add_plane(drmModeAtomicReq *req, uint32_t plane, uint32_t crtc, uint32_t fb,
		      uint32_t w, uint32_t h, int x, int y)
{
#define PL(name, val) drmModeAtomicAddProperty(req, plane, \
		prop_id(plane, DRM_MODE_OBJECT_PLANE, name), val)
	PL("FB_ID", fb);
	PL("CRTC_ID", fb ? crtc : 0);
	if (!fb)
		return;
	PL("SRC_X", 0);
	PL("SRC_Y", 0);
	PL("SRC_W", (uint64_t)w << 16);
	PL("SRC_H", (uint64_t)h << 16);
	PL("CRTC_X", x);
	PL("CRTC_Y", y);
	PL("CRTC_W", w);
	PL("CRTC_H", h);
#undef PL
}

/* Cursor plane of head h showing cur (NULL: off) at (x, y); returns errno. */
static int cursor_atomic(int h, const struct dumb *cur, int x, int y, uint32_t flags)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret;

	add_plane(req, k.cursor[h], k.crtc[h], cur ? cur->fb : 0, cur ? cur->width : 0,
		  cur ? cur->height : 0, x, y);
	ret = drmModeAtomicCommit(k.fd, req, flags, NULL) ? errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

/* A page flip with event on head h; EBUSY (a commit still pending) is retried. */
static int flip_event(int h, uint32_t fb)
{
	for (int i = 0; i < 1000; i++) {
		if (!drmModePageFlip(k.fd, k.crtc[h], fb, DRM_MODE_PAGE_FLIP_EVENT, NULL))
			return 0;
		if (errno != EBUSY)
			return errno;
		usleep(1000);
	}
	return EBUSY;
}

struct cursor_storm {
	const struct dumb *cur;
	volatile bool stop;
	int updates, errors, first_err;
};

/* Toggle every head's cursor, legacy and atomic API in turn, until stopped. */
static void *cursor_storm_thread(void *data)
{
	struct cursor_storm *s = data;

	for (int i = 0; !s->stop; i++) {
		int h = i % k.heads, err;

		switch ((i / k.heads) % 4) {
		case 0:
			err = drmModeSetCursor(k.fd, k.crtc[h], s->cur->handle, 64, 64) ? errno : 0;
			break;
		case 1:
			err = drmModeMoveCursor(k.fd, k.crtc[h], i % 300, i % 200) ? errno : 0;
			break;
		case 2:
			err = drmModeSetCursor(k.fd, k.crtc[h], 0, 0, 0) ? errno : 0;
			break;
		default:
			err = cursor_atomic(h, (i / k.heads) & 4 ? NULL : s->cur, i % 200, 50, 0);
			break;
		}
		s->updates++;
		if (err) {
			if (!s->errors)
				s->first_err = err;
			s->errors++;
		}
	}
	return NULL;
}

struct flip_cursor_args {
	int rounds;
};

/*
 * Item 1 of issue 19: flip events are never lost, whatever the cursor does.
 * First one thread alternating cursor updates and flips (each flip's event
 * awaited); then a thread toggling every head's cursor as fast as it can
 * while the main thread flips every head and awaits each event.
 */
static void flip_cursor_child(void *data)
{
	const struct flip_cursor_args *a = data;
	drmModeModeInfo m;
	struct dumb fbs[2][16], cur;
	struct ev_log log = { 0 };
	struct cursor_storm storm = { 0 };
	pthread_t thread;
	int lost = 0, late = 0, cursor_slow = 0, err = 0, i, h;
	int hist[4] = { 0 };

	find_mode(k.conn[0], 640, 480, &m);
	for (h = 0; h < k.heads; h++) {
		dumb_create(&fbs[0][h], 640, 480, DRM_FORMAT_XRGB8888);
		dumb_create(&fbs[1][h], 640, 480, DRM_FORMAT_XRGB8888);
		fill(&fbs[1][h], 0, 0, 640, 480, 0x204080);
	}
	dumb_create(&cur, 64, 64, DRM_FORMAT_ARGB8888);
	fill(&cur, 0, 0, 64, 64, 0xffff0000);
	err = modeset_all(&m, fbs[0], 0);
	ok(!err, "%d head(s) at 640x480: %s", k.heads, strerror(err));
	if (err)
		return;

	/*
	 * Right after a vblank: a flip, then a cursor update (legacy move,
	 * legacy image, atomic), then the flip's event.  A legacy update
	 * shows at once: it must not wait for the flip to complete (the flip
	 * event then is not there yet unless a vblank went by meanwhile).
	 */
	{
		int early = 0, legacy = 0;

		err = drmModeSetCursor(k.fd, k.crtc[0], cur.handle, 64, 64) ? errno : 0;
		for (i = 0; i < a->rounds && !err; i++) {
			struct pollfd pfd = { .fd = k.fd, .events = POLLIN };
			unsigned int start = 0;

			err = vblank_wait(0, DRM_VBLANK_RELATIVE, 1, 0, &start);
			err = err ? err : flip_event(0, fbs[(i + 1) & 1][0].fb);
			if (!err && i % 3 == 0)
				err = drmModeMoveCursor(k.fd, k.crtc[0], i % 300, 30) ? errno : 0;
			else if (!err && i % 3 == 1)
				err = drmModeSetCursor(k.fd, k.crtc[0], cur.handle, 64, 64) ? errno : 0;
			else if (!err)
				err = cursor_atomic(0, &cur, i % 300, 40, 0);
			if (!err && i % 3 != 2) {
				legacy++;
				early += poll(&pfd, 1, 0) == 0;
			}
			if (!err && !events_until(&log, flip0_reaches, i + 1)) {
				lost++;
				break;
			}
		}
		ok(!err && !lost, "flip then cursor update, %d rounds: expected every flip event "
		   "within %d ms, got %d of %d (%d lost, error %s)", a->rounds, EVENT_TIMEOUT_MS,
		   log.flips[0], i, lost, strerror(err));
		ok(early * 2 >= legacy, "a legacy cursor update right after a flip returns before "
		   "the flip completes: expected in at least half the rounds, got %d of %d", early,
		   legacy);
		memset(&log, 0, sizeof(log));
	}

	/* one thread: cursor update, then a flip, its event within 1 s */
	for (i = 0; i < a->rounds && !err; i++) {
		long long s0, s1, s2;

		s0 = vblank_now(0, NULL);
		if (i & 1)
			err = drmModeSetCursor(k.fd, k.crtc[0], i & 2 ? 0 : cur.handle, 64, 64) ?
			      errno : 0;
		else
			err = cursor_atomic(0, i & 2 ? NULL : &cur, i % 300, 40, 0);
		s1 = vblank_now(0, NULL);
		err = err ? err : flip_event(0, fbs[(i + 1) & 1][0].fb);
		if (err)
			break;
		if (!events_until(&log, flip0_reaches, i + 1)) {
			lost++;
			break;
		}
		s2 = log.flip_seq[0];
		cursor_slow += s1 - s0 > 1;
		late += s2 - s1 > 1;
		hist[s2 - s1 < 3 ? s2 - s1 : 3]++;
	}
	ok(!err && !lost, "cursor update then flip, %d rounds: expected every flip event within "
	   "%d ms, got %d of %d (%d lost, error %s)", a->rounds, EVENT_TIMEOUT_MS, log.flips[0],
	   i, lost, strerror(err));
	diag("flip event this many vblanks after the cursor update: 0: %d, 1: %d, 2: %d, more: %d; "
	     "cursor updates that crossed more than one vblank: %d", hist[0], hist[1], hist[2],
	     hist[3], cursor_slow);

	/* a cursor storm on every head while all heads flip */
	memset(&log, 0, sizeof(log));
	storm.cur = &cur;
	pthread_create(&thread, NULL, cursor_storm_thread, &storm);
	for (i = 0; i < a->rounds && !err && !lost; i++) {
		for (h = 0; h < k.heads && !err; h++)
			err = flip_event(h, fbs[i & 1][h].fb);
		if (!err && !events_until(&log, flips_reach, i + 1))
			lost++;
	}
	storm.stop = true;
	pthread_join(thread, NULL);
	ok(!err && !lost, "flips on %d head(s) during a cursor storm (%d cursor updates, %d "
	   "refused, first %s): expected every flip event within %d ms, got %d rounds of %d "
	   "(%d lost, error %s)", k.heads, storm.updates, storm.errors,
	   strerror(storm.first_err), EVENT_TIMEOUT_MS, i - lost, a->rounds, lost,
	   strerror(err));
	ok(storm.errors == 0, "no cursor update refused during flips: got %d of %d (first: %s)",
	   storm.errors, storm.updates, strerror(storm.first_err));
	drmModeSetCursor(k.fd, k.crtc[0], 0, 0, 0);
}

static int test_flip_cursor(int rounds)
{
	struct flip_cursor_args a = { rounds };

	guarded("flip events while cursors change", 120, flip_cursor_child, &a);
	return 0;
}

/* Active off (DPMS off) or on for head 0, mode kept; returns errno. */
static int head0_active(bool on)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret;

	drmModeAtomicAddProperty(req, k.crtc[0], prop_id(k.crtc[0], DRM_MODE_OBJECT_CRTC,
							"ACTIVE"), on);
	ret = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

static void vblank_waits_ok(const char *when, double period)
{
	struct ev_log log = { 0 };
	unsigned int seq = 0, prev = 0;
	bool fast = true, adv = true, got;
	double t0, t1, worst = 0;
	long long s0, s1;
	int err = 0, i;

	/* blocking waits */
	for (i = 0; i < 5 && !err; i++) {
		t0 = now_s();
		err = vblank_wait(0, DRM_VBLANK_RELATIVE, 1, 0, &seq);
		t1 = now_s() - t0;
		worst = t1 > worst ? t1 : worst;
		fast &= t1 < EVENT_TIMEOUT_MS / 1e3;
		adv &= !i || seq > prev;
		prev = seq;
	}
	ok(!err && fast && adv, "%s: 5 blocking waits for the next vblank return, counter "
	   "advancing: worst %.0f ms, %s", when, worst * 1e3, strerror(err));

	/* queued events: each reply names the sequence its event will carry */
	for (i = 1; i <= 3 && !err; i++)
		err = vblank_wait(0, DRM_VBLANK_RELATIVE | DRM_VBLANK_EVENT, i, i, &seq);
	got = !err && events_until(&log, vblanks_reach, 3);
	/* an event carries the count when sent: a late timer counts the periods it missed */
	ok(got && (int)(log.vblank_seq - seq) >= 0,
	   "%s: 3 queued vblank events arrive, the last for sequence %u or later: got %d "
	   "events, last %u (%s)", when, seq, log.vblanks, log.vblank_seq, strerror(err));

	/* the counter and its timestamps advance together at the refresh rate */
	s0 = vblank_now(0, &t0);
	usleep(300000);
	s1 = vblank_now(0, &t1);
	ok(s1 > s0 && (t1 - t0) / period > s1 - s0 - 0.1 && (t1 - t0) / period < s1 - s0 + 0.1,
	   "%s: vblanks %lld apart are stamped %.2f periods apart", when, s1 - s0,
	   (t1 - t0) / period);
}

static void sigusr1(int sig)
{
	(void)sig;
}

struct waiter {
	int err;
	double took;
	unsigned int count;
};

static void *waiter_thread(void *data)
{
	struct waiter *w = data;
	double t0 = now_s();

	w->err = vblank_wait(0, DRM_VBLANK_RELATIVE, w->count, 0, NULL);
	w->took = now_s() - t0;
	return NULL;
}

/*
 * Item 2 of issue 19: vblank waits and events in one process with mode
 * sets and DPMS in between; every wait returns, on a signal too, and a
 * waiting task can be killed.
 */
static void vblank_seq_child(void *data)
{
	const int rounds = *(const int *)data;
	const char *sizes[3] = { "640x480", "800x600", "1024x768" };
	struct sigaction sa = { .sa_handler = sigusr1 };
	drmModeModeInfo modes[3];
	struct dumb fbs[3];
	char when[64];
	bool got;
	int err;

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: the wait must see EINTR */
	for (int i = 0; i < 3; i++) {
		int w, hh;

		sscanf(sizes[i], "%dx%d", &w, &hh);
		find_mode(k.conn[0], w, hh, &modes[i]);
		dumb_create(&fbs[i], w, hh, DRM_FORMAT_XRGB8888);
	}
	for (int round = 0; round < rounds; round++) {
		const drmModeModeInfo *m = &modes[round % 3];
		double period = (double)m->htotal * m->vtotal / (m->clock * 1000.0);
		struct ev_log log = { 0 };
		struct waiter w = { .count = 600 };
		pthread_t thread;
		long long s0;
		double t0;
		pid_t pid;

		err = modeset_single(m, fbs[round % 3].fb, 0);
		ok(!err, "round %d: mode set %s: %s", round, m->name, strerror(err));
		snprintf(when, sizeof(when), "round %d after the mode set", round);
		vblank_waits_ok(when, period);

		/* DPMS off: waits refuse at once, a queued event is sent, not lost */
		s0 = vblank_now(0, NULL);
		err = vblank_wait(0, DRM_VBLANK_RELATIVE | DRM_VBLANK_EVENT, 30, 99, NULL);
		err = err ? err : head0_active(false);
		got = !err && events_until(&log, vblanks_reach, 1);
		ok(got, "round %d: an event queued 30 vblanks ahead arrives when the head goes "
		   "off: got %d (%s)", round, log.vblanks, strerror(err));
		t0 = now_s();
		err = vblank_wait(0, DRM_VBLANK_RELATIVE, 1, 0, NULL);
		ok(err == EINVAL && now_s() - t0 < 1,
		   "round %d: a wait on the head that is off fails with EINVAL at once: got %s in "
		   "%.0f ms", round, strerror(err), (now_s() - t0) * 1e3);
		err = head0_active(true);
		snprintf(when, sizeof(when), "round %d after DPMS on", round);
		ok(!err, "%s: %s", when, strerror(err));
		vblank_waits_ok(when, period);
		ok(vblank_now(0, NULL) > s0, "round %d: the counter never goes back over DPMS "
		   "off/on: %lld -> %lld", round, s0, vblank_now(0, NULL));

		/* a long wait ended by DPMS off */
		pthread_create(&thread, NULL, waiter_thread, &w);
		usleep(200000);
		t0 = now_s();
		err = head0_active(false);
		pthread_join(thread, NULL);
		/* the core then replies with the count reached (0), not an error */
		ok(!err && now_s() - t0 < 1, "round %d: a wait for 600 vblanks ends when the "
		   "head goes off: %s after %.0f ms", round, strerror(w.err),
		   (now_s() - t0) * 1e3);
		head0_active(true);

		/* a long wait ended by a signal */
		w.err = 0;
		pthread_create(&thread, NULL, waiter_thread, &w);
		usleep(200000);
		t0 = now_s();
		pthread_kill(thread, SIGUSR1);
		pthread_join(thread, NULL);
		ok(w.err == EINTR && now_s() - t0 < 1, "round %d: a signal ends a wait for 600 "
		   "vblanks with EINTR: got %s after %.0f ms", round, strerror(w.err),
		   (now_s() - t0) * 1e3);

		/* a waiting process can be killed */
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			vblank_wait(0, DRM_VBLANK_RELATIVE, 6000, 0, NULL);
			_exit(0);
		}
		usleep(200000);
		kill(pid, SIGKILL);
		t0 = now_s();
		while (waitpid(pid, NULL, WNOHANG) != pid && now_s() - t0 < 5)
			usleep(10000);
		ok(now_s() - t0 < 1, "round %d: a process waiting for vblanks dies on SIGKILL: "
		   "took %.0f ms", round, (now_s() - t0) * 1e3);
	}
}

static int test_vblank_seq(int rounds)
{
	guarded("vblank waits and events with mode sets and DPMS in one process", 30 * rounds,
		vblank_seq_child, &rounds);
	return 0;
}


/* A TEST_ONLY commit of head 0 alone at mode m; returns errno. */
static int check_mode(const drmModeModeInfo *m, uint32_t fb)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t blob;
	int err;

	add_head(req, 0, m, fb, &blob);
	err = commit_test_only(req);
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob);
	return err;
}

/*
 * Items 4 and 5 of issue 19: modes whose timing the emulated vblank cannot
 * keep (a pixel clock of INT_MAX kHz, refresh rates that overflow 32 bits
 * or are far outside what a display runs), and framebuffers with a
 * modifier no plane supports, are refused with EINVAL.
 */
static void refuse_modes_and_modifiers(const struct dumb *a)
{
	const drmModeModeInfo *m = &k.mode0;
	const uint64_t mods[] = {
		0x0100000000000001ull,		/* I915_FORMAT_MOD_X_TILED */
		0x0900000000000001ull,		/* a vendor's tiling */
		0x00ffffffffffffffull,		/* DRM_FORMAT_MOD_INVALID */
	};
	const uint32_t formats[] = { DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888 };
	drmModeModeInfo bad;
	uint32_t fb;
	int err;

	bad = *m;
	bad.clock = INT32_MAX;
	err = check_mode(&bad, a->fb);
	ok(err == EINVAL, "%s with a pixel clock of INT_MAX kHz is refused: got %s", m->name,
	   strerror(err));

	bad = *m;
	bad.htotal = 65535;
	bad.vtotal = 65535;
	bad.vscan = 3;
	err = check_mode(&bad, a->fb);
	ok(err == EINVAL, "a mode whose htotal * vtotal * vscan overflows 32 bits is refused: "
	   "got %s", strerror(err));

	bad = *m;
	bad.flags |= DRM_MODE_FLAG_DBLSCAN;
	bad.vscan = 65535;
	err = check_mode(&bad, a->fb);
	ok(err == EINVAL, "%s scanned 65535 times per frame (refresh below 1 Hz) is refused: "
	   "got %s", m->name, strerror(err));

	bad = *m;
	bad.clock = (int)((long long)m->htotal * m->vtotal * 10000 / 1000);
	err = check_mode(&bad, a->fb);
	ok(err == EINVAL, "%s at 10000 Hz is refused: got %s", m->name, strerror(err));

	bad = *m;
	bad.clock = m->clock / 2;
	err = check_mode(&bad, a->fb);
	ok(err == 0, "%s at half its refresh rate is accepted: got %s", m->name, strerror(err));

	for (unsigned int f = 0; f < 2; f++) {
		uint32_t handles[4] = { a->handle }, pitches[4] = { a->pitch }, offsets[4] = { 0 };
		uint64_t modifier[4] = { 0 };

		for (unsigned int i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
			modifier[0] = mods[i];
			fb = 0;
			err = drmModeAddFB2WithModifiers(k.fd, 64, 64, formats[f], handles, pitches,
							 offsets, modifier, &fb,
							 DRM_MODE_FB_MODIFIERS) ? errno : 0;
			ok(err == EINVAL, "ADDFB2 %.4s with modifier 0x%016llx is refused: got %s",
			   (const char *)&formats[f], (unsigned long long)mods[i], strerror(err));
			if (!err)
				drmModeRmFB(k.fd, fb);
		}
		modifier[0] = 0;	/* DRM_FORMAT_MOD_LINEAR */
		err = drmModeAddFB2WithModifiers(k.fd, 64, 64, formats[f], handles, pitches,
						 offsets, modifier, &fb,
						 DRM_MODE_FB_MODIFIERS) ? errno : 0;
		ok(err == 0, "ADDFB2 %.4s with the linear modifier is accepted: got %s",
		   (const char *)&formats[f], strerror(err));
		if (!err)
			drmModeRmFB(k.fd, fb);
	}
}

/* Primary (fb, or off with 0) and cursor of head 0 in one commit; returns errno. */
static int planes_commit(uint32_t fb, const struct dumb *cur, uint32_t flags)
{
	const drmModeModeInfo *m = &k.mode0;
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret;

	add_plane(req, k.primary[0], k.crtc[0], fb, m->hdisplay, m->vdisplay, 0, 0);
	add_plane(req, k.cursor[0], k.crtc[0], cur ? cur->fb : 0, cur ? cur->width : 0,
		  cur ? cur->height : 0, 100, 100);
	ret = drmModeAtomicCommit(k.fd, req, flags, NULL) ? errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

/*
 * A head left on without a plane must stay black when another head is
 * turned on: the primary is re-created wider and its memory, still holding
 * the head's old pixels at the old stride, would otherwise show through.
 */
static void plane_off_relayout(const struct dumb *a)
{
	const drmModeModeInfo *m = &k.mode0;
	const int at[3][2] = { { 10, 10 }, { m->hdisplay / 2, m->vdisplay / 2 },
			       { m->hdisplay - 10, m->vdisplay - 10 } };
	drmModeAtomicReq *req;
	drmModeModeInfo m1;
	struct dumb b;
	uint32_t blob;
	long px;
	int err;

	err = modeset_single(m, a->fb, 0);
	err = err ? err : planes_commit(0, NULL, 0);
	ok(!err, "head 0 on with its %s framebuffer, then every plane off: %s", m->name,
	   strerror(err));
	find_mode(k.conn[0], 640, 480, &m1);
	dumb_create(&b, 640, 480, DRM_FORMAT_XRGB8888);
	fill(&b, 0, 0, b.width, b.height, 0x0000ff);
	req = drmModeAtomicAlloc();
	add_head(req, 1, &m1, b.fb, &blob);
	err = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? errno : 0;
	drmModeAtomicFree(req);
	ok(!err, "head 1 (640x480) turned on beside head 0 without a plane: %s", strerror(err));
	ok(screendump("plane-off-relayout"), "screendump taken");
	for (int i = 0; i < 3; i++) {
		px = pixel("plane-off-relayout", at[i][0], at[i][1]);
		ok(px == 0, "head 0 without a plane stays black at %d,%d after the primary grew: "
		   "got %06lx", at[i][0], at[i][1], px);
	}
	px = pixel("plane-off-relayout", m->hdisplay + 10, 10);
	ok(px == 0x0000ff, "head 1 shows its blue framebuffer: got %06lx", px);

	req = drmModeAtomicAlloc();
	disable_head(req, 1);
	err = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? errno : 0;
	drmModeAtomicFree(req);
	ok(!err, "head 1 turned off again, head 0 still without a plane: %s", strerror(err));
	ok(screendump("plane-off-shrunk"), "screendump taken");
	for (int i = 0; i < 3; i++) {
		px = pixel("plane-off-shrunk", at[i][0], at[i][1]);
		ok(px == 0, "head 0 without a plane stays black at %d,%d after the primary shrank: "
		   "got %06lx", at[i][0], at[i][1], px);
	}
	modeset_single(m, a->fb, 0);
	drmModeDestroyPropertyBlob(k.fd, blob);
	dumb_destroy(&b);
}

/*
 * Item 6 of issue 19: every plane of an active head turned off and on
 * again, blocking and nonblocking, with and without a mode set between;
 * a plane used again right after the nonblocking commit that unbound it.
 * With no plane the head shows black.
 */
static int test_plane_onoff(void)
{
	const drmModeModeInfo *m = &k.mode0;
	const uint32_t nb = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
	struct ev_log log = { 0 };
	struct dumb a, cur;
	int err, want = 0;
	long px;

	dumb_create(&a, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	fill(&a, 0, 0, a.width, a.height, 0x00ff00);
	dumb_create(&cur, 64, 64, DRM_FORMAT_ARGB8888);
	fill(&cur, 0, 0, 64, 64, 0xffff0000);
	err = modeset_single(m, a.fb, 0);
	ok(!err, "modeset %s: %s", m->name, strerror(err));

	for (int round = 0; round < 2; round++) {
		const char *how = round ? "nonblocking" : "blocking";
		uint32_t flags = round ? nb : 0;

		err = planes_commit(a.fb, &cur, flags);
		ok(!err, "%s: primary and cursor on: %s", how, strerror(err));
		if (round && !err) {
			bool got = events_until(&log, flip0_reaches, ++want);

			ok(got, "nonblocking: its event arrives: %d of %d", log.flips[0], want);
		}
		err = planes_commit(0, NULL, flags);
		ok(!err, "%s: every plane of the active head off: %s", how, strerror(err));
		if (round && !err) {
			bool got = events_until(&log, flip0_reaches, ++want);

			ok(got, "nonblocking: its event arrives: %d of %d", log.flips[0], want);
		}
		if (!err && !round) {
			ok(screendump("plane-off"), "screendump taken");
			px = pixel("plane-off", 10, 10);
			ok(px == 0, "with no plane the head is black: got %06lx", px);
		}
		err = modeset_single(&k.mode0, a.fb, 0);
		ok(!err, "%s: mode set after planes off: %s", how, strerror(err));
	}

	/* a plane used right after the nonblocking commit that unbinds it */
	err = planes_commit(0, NULL, DRM_MODE_ATOMIC_NONBLOCK);
	err = err ? err : planes_commit(a.fb, NULL, 0);
	ok(!err, "primary bound again right after a nonblocking unbind: %s", strerror(err));
	ok(screendump("plane-rebound"), "screendump taken");
	px = pixel("plane-rebound", 10, 10);
	ok(px == 0x00ff00, "the rebound primary shows its green framebuffer: got %06lx", px);

	/* an atomic cursor update while a nonblocking mode set is pending */
	{
		drmModeModeInfo m2;
		struct dumb b;
		uint32_t blob;
		drmModeAtomicReq *req = drmModeAtomicAlloc();

		find_mode(k.conn[0], 800, 600, &m2);
		dumb_create(&b, 800, 600, DRM_FORMAT_XRGB8888);
		add_head(req, 0, &m2, b.fb, &blob);
		err = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET |
					  DRM_MODE_ATOMIC_NONBLOCK, NULL) ? errno : 0;
		drmModeAtomicFree(req);
		ok(!err, "nonblocking mode set to 800x600: %s", strerror(err));
		err = cursor_atomic(0, &cur, 50, 50, 0);
		ok(!err, "an atomic cursor update while the mode set is pending is accepted: %s",
		   strerror(err));
		drmModeDestroyPropertyBlob(k.fd, blob);
		modeset_single(m, a.fb, 0);
		dumb_destroy(&b);
	}
	if (k.heads > 1)
		plane_off_relayout(&a);
	drmModeSetCursor(k.fd, k.crtc[0], 0, 0, 0);
	dumb_destroy(&cur);
	dumb_destroy(&a);
	return 0;
}

/*
 * Pattern 'p' of the cache test's tiles: 0 and 1 differ in one pixel only,
 * 2 is 0 mirrored, 3 is 0 with red and blue swapped (same bytes, other
 * order), so an image id that hashed a part of the pixels, their sum or
 * the size alone would name two of them alike.
 */
#define CACHE_TILE 64

static uint32_t cache_pixel(int p, int x, int y)
{
	uint32_t c;

	if (p == 2)
		x = CACHE_TILE - 1 - x;
	c = (uint32_t)(x * 4) << 16 | (uint32_t)(y * 4) << 8 | (uint32_t)((x ^ y) * 4 & 0xff);
	if (p == 1 && x == 17 && y == 33)
		c ^= 0x000080;
	if (p == 3)
		c = (c & 0x00ff00) | (c & 0xff) << 16 | (c >> 16 & 0xff);
	return c;
}

/*
 * Cache honesty through DIRTYFB: same-size tiles with different content,
 * and the same content at different places, each sent as its own damage
 * rect; what the client drew from the image ids and cache references must
 * equal the screendump (spice-server decodes every image), and the
 * screendump the framebuffer.
 */
static int test_cache(void)
{
	static const int order[] = { 0, 1, 2, 3, 0, 0, 1, 3, 2, 1, 0, 3 };
	const drmModeModeInfo *m = &k.mode0;
	int n = (int)(sizeof(order) / sizeof(order[0]));
	int bad = 0, err;
	struct dumb a;

	dumb_create(&a, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	fill(&a, 0, 0, a.width, a.height, 0x202020);
	err = modeset_single(m, a.fb, 0);
	ok(!err, "modeset %s: %s", m->name, strerror(err));
	for (int i = 0; i < n; i++) {
		int tx = 16 + (i % 6) * (CACHE_TILE + 16), ty = 16 + (i / 6) * (CACHE_TILE + 16);
		drmModeClip clip = { tx, ty, tx + CACHE_TILE, ty + CACHE_TILE };

		for (int y = 0; y < CACHE_TILE; y++)
			for (int x = 0; x < CACHE_TILE; x++)
				a.map[(ty + y) * (a.pitch / 4) + tx + x] = cache_pixel(order[i], x, y);
		if (drmModeDirtyFB(k.fd, a.fb, &clip, 1))
			bad++;
	}
	/* The first tile's place again, with pattern 1: a new image where one was. */
	{
		drmModeClip clip = { 16, 16, 16 + CACHE_TILE, 16 + CACHE_TILE };

		for (int y = 0; y < CACHE_TILE; y++)
			for (int x = 0; x < CACHE_TILE; x++)
				a.map[(16 + y) * (a.pitch / 4) + 16 + x] = cache_pixel(1, x, y);
		if (drmModeDirtyFB(k.fd, a.fb, &clip, 1))
			bad++;
	}
	ok(!bad, "%d DIRTYFB calls of one %dx%d tile each: %d failed", n + 1, CACHE_TILE,
	   CACHE_TILE, bad);
	ok(screendump("cache"), "screendump taken");
	{
		/* The one pixel in which patterns 0 and 1 differ, and a mirrored one. */
		long p0 = pixel("cache", 16 + 4 * (CACHE_TILE + 16) + 17, 16 + 33);
		long p1 = pixel("cache", 16 + 17, 16 + 33);
		long p2 = pixel("cache", 16 + 2 * (CACHE_TILE + 16) + 5, 16 + 9);

		ok(p0 == (long)cache_pixel(0, 17, 33), "tile 4 (pattern 0) pixel: expected %06x, got %06lx",
		   cache_pixel(0, 17, 33), p0);
		ok(p1 == (long)cache_pixel(1, 17, 33),
		   "tile 0 redrawn with pattern 1: expected %06x, got %06lx", cache_pixel(1, 17, 33), p1);
		ok(p2 == (long)cache_pixel(2, 5, 9), "tile 2 (mirrored) pixel: expected %06x, got %06lx",
		   cache_pixel(2, 5, 9), p2);
	}
	if (client_check("cache"))
		late_client_check("cache");
	dumb_destroy(&a);
	return 0;
}


/*
 * Bytes the SPICE client received on its display channel once no update
 * came for 300 ms (qh-clientdump NAME-client), or -1 without a client.
 */
static long long client_display_bytes(const char *name)
{
	char cmd[512], ans[128];
	int st;

	snprintf(cmd, sizeof(cmd), "qh-clientdump %s-client >/dev/null 2>&1", name);
	st = system(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	if (!client_state(name, "bytes display0 ", ans, sizeof(ans)))
		return -1;
	return strtoll(ans, NULL, 10);
}

/*
 * Square 'frame' / 'mid' of the repeat test: noise of its own per frame,
 * so that the driver's row diff against the frame before uploads every row
 * of it, and the centre pixel in colour 'mid': two squares of one frame
 * with other centre pixels are two images that differ in one pixel,
 * 128 KiB into them.
 */
#define REPEAT_SQ 256

static uint32_t repeat_pixel(int frame, int mid, int x, int y)
{
	static const uint32_t col[] = { 0xff0000, 0x00ff00, 0x0000ff, 0xffff00 };
	uint32_t v = ((uint32_t)frame * REPEAT_SQ * REPEAT_SQ + (uint32_t)(y * REPEAT_SQ + x)) *
		     2654435761u;

	if (x == REPEAT_SQ / 2 && y == REPEAT_SQ / 2)
		return col[mid];
	v ^= v >> 15;
	v *= 0x2c1b3c6d;
	v ^= v >> 12;
	return v & 0xffffff;
}

static void repeat_show(struct dumb *a, int frame, int mid, int *bad)
{
	const int x0 = 64, y0 = 64;
	drmModeClip clip = { x0, y0, x0 + REPEAT_SQ, y0 + REPEAT_SQ };

	for (int y = 0; y < REPEAT_SQ; y++)
		for (int x = 0; x < REPEAT_SQ; x++)
			a->map[(y0 + y) * (a->pitch / 4) + x0 + x] = repeat_pixel(frame, mid, x, y);
	if (drmModeDirtyFB(k.fd, a->fb, &clip, 1))
		(*bad)++;
	/* let each one go out: spice-server may drop a covered draw it has not sent */
	usleep(100000);
}

/*
 * Frames a client shows again cost the SPICE client no pixels (issues 16
 * and 19): three 256x256 frames (256 KiB images) shown once, then cycled
 * through four more times, as a compositor redraws an animation.  The
 * repeats reach the client as cache references: it must receive less than
 * a quarter of one frame's pixels for all twelve of them (each sent in full:
 * 3 MiB; the old 64 KiB limit on cache ids sent 3146916 bytes).  Then a
 * frame equal to the first but for its centre pixel: the screendump must
 * show that pixel and the client's picture equal the screendump (with an
 * id that hashed only the top half of an image, the client kept the first
 * frame's centre pixel and this check failed).
 */
static int test_repeat_bytes(void)
{
	const drmModeModeInfo *m = &k.mode0;
	const long long bound = REPEAT_SQ * REPEAT_SQ * 4 / 4;
	long long b0, b1, b2;
	int bad = 0, err;
	struct dumb a;
	long px;

	dumb_create(&a, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	fill(&a, 0, 0, a.width, a.height, 0x202020);
	err = modeset_single(m, a.fb, 0);
	ok(!err, "modeset %s: %s", m->name, strerror(err));
	b0 = client_display_bytes("repeat-start");
	if (b0 < 0) {
		printf("ok %d - repeat-bytes # SKIP no SPICE client (qh run --client)\n", ++tap_n);
		dumb_destroy(&a);
		return 0;
	}
	for (int c = 0; c < 3; c++)
		repeat_show(&a, c, 0, &bad);
	b1 = client_display_bytes("repeat-first");
	for (int r = 0; r < 4; r++)
		for (int c = 0; c < 3; c++)
			repeat_show(&a, c, 0, &bad);
	b2 = client_display_bytes("repeat-again");
	ok(!bad, "15 DIRTYFB calls of a %dx%d square: %d failed", REPEAT_SQ, REPEAT_SQ, bad);
	diag("client display bytes: 3 new frames %lld, 12 repeats %lld", b1 - b0, b2 - b1);
	ok(b1 >= 0 && b2 >= 0 && b2 - b1 < bound,
	   "12 repeated %d KiB frames reach the client as references: expected < %lld bytes, got %lld",
	   REPEAT_SQ * REPEAT_SQ * 4 / 1024, bound, b2 - b1);

	/* the first frame again but for its centre pixel */
	repeat_show(&a, 0, 3, &bad);
	ok(!bad, "DIRTYFB of the first square with another centre pixel");
	ok(screendump("repeat"), "screendump taken");
	px = pixel("repeat", 64 + REPEAT_SQ / 2, 64 + REPEAT_SQ / 2);
	ok(px == (long)repeat_pixel(0, 3, REPEAT_SQ / 2, REPEAT_SQ / 2),
	   "centre pixel of the last square: expected %06x, got %06lx",
	   repeat_pixel(0, 3, REPEAT_SQ / 2, REPEAT_SQ / 2), px);
	client_check("repeat");
	dumb_destroy(&a);
	return 0;
}

/* LEASE=1 uevents of the card seen on the kernel's uevent socket within ms. */
static int lease_uevents(int sock, int ms)
{
	char buf[4096];
	int n = 0;

	for (;;) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		ssize_t len;

		if (poll(&pfd, 1, ms) != 1)
			return n;
		len = recv(sock, buf, sizeof(buf) - 1, 0);
		if (len <= 0)
			return n;
		buf[len] = 0;
		/* "change@/devices/.../drm/card0\0ACTION=change\0...\0LEASE=1\0" */
		for (char *p = buf; p < buf + len; p += strlen(p) + 1)
			n += !strcmp(p, "LEASE=1");
		ms = 0;
	}
}

/*
 * Item 7 of issue 19: where the lease uevent goes.  The kernel's own
 * uevent socket (multicast group 1, what udevd reads) shows whether the
 * DRM core sends LEASE=1; libudev clients listen on group 2, which only a
 * running udevd feeds, and the guest runs none.
 */
static int test_lease_uevent(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	uint32_t objs[3] = { k.conn[0], k.crtc[0], k.primary[0] };
	uint32_t lessee = 0;
	int sock, lease_fd, err, on_create, on_revoke, on_close;

	sock = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)))
		die("uevent socket: %s", strerror(errno));
	lease_uevents(sock, 200);	/* drop what came before */
	lease_fd = drmModeCreateLease(k.fd, objs, 3, O_CLOEXEC, &lessee);
	ok(lease_fd >= 0, "a lease of head 0 (connector, CRTC, primary): %s",
	   lease_fd < 0 ? strerror(-lease_fd) : "created");
	if (lease_fd < 0)
		return 0;
	on_create = lease_uevents(sock, 500);
	err = drmModeRevokeLease(k.fd, lessee) ? errno : 0;
	ok(!err, "the lease is revoked: %s", strerror(err));
	on_revoke = lease_uevents(sock, 500);
	close(lease_fd);
	on_close = lease_uevents(sock, 1000);
	diag("LEASE=1 uevents on the kernel socket: %d on create, %d on revoke, %d when the "
	     "lessee's file closes", on_create, on_revoke, on_close);
	ok(on_close == 1, "the DRM core sends one LEASE=1 uevent when the lessee goes: got %d",
	   on_close);
	close(sock);
	return 0;
}

/* ------------------------------------------------------------ stress */

/*
 * Cursor updates paced at 1 kHz (a fast mouse) until stopped: mostly
 * legacy moves, every 64th tick a new image, across every head in turn.
 * The pace is a target: the achieved rate is a figure, not a verdict.
 */
struct cursor_pacer {
	const struct dumb *cur;
	volatile bool stop;
	int updates, errors, first_err;
	double started, stopped;
};

static void *cursor_pacer_thread(void *data)
{
	struct cursor_pacer *p = data;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	p->started = now_s();
	for (int i = 0; !p->stop; i++) {
		int h = i % k.heads, err;

		if (i % 64 == 0)
			err = drmModeSetCursor(k.fd, k.crtc[h], p->cur->handle, 64, 64) ?
			      errno : 0;
		else
			err = drmModeMoveCursor(k.fd, k.crtc[h], i % 577, i % 421) ? errno : 0;
		p->updates++;
		if (err && !p->errors++)
			p->first_err = err;
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	p->stopped = now_s();
	return NULL;
}

static void pacer_start(struct cursor_pacer *p, pthread_t *t, const struct dumb *cur)
{
	memset(p, 0, sizeof(*p));
	p->cur = cur;
	pthread_create(t, NULL, cursor_pacer_thread, p);
}

static void pacer_stop(struct cursor_pacer *p, pthread_t t, const char *during)
{
	p->stop = true;
	pthread_join(t, NULL);
	diag("cursor during %s: %d updates in %.1f s (%.0f Hz, target 1000 Hz)", during,
	     p->updates, p->stopped - p->started,
	     p->updates / (p->stopped - p->started + 1e-9));
	ok(p->updates > 0 && p->errors == 0, "cursor updates during %s: expected none refused, "
	   "got %d of %d refused (first: %s)", during, p->errors, p->updates,
	   strerror(p->first_err));
}

/* Device memory and releases after every release is back from the device. */
static void stress_memory(long long *vram, long long *releases)
{
	release_flush();
	*vram = status_get("vram_used");
	*releases = status_get("releases_outstanding");
}

/* Head h alone changes: mode m showing fb; the other heads keep theirs. */
static int modeset_head(int h, const drmModeModeInfo *m, uint32_t fb, uint32_t flags)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t blob;
	int ret;

	add_head(req, h, m, fb, &blob);
	ret = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET | flags, NULL);
	ret = ret ? errno : 0;
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob);
	return ret;
}

/* Head h alone on: mode m showing fb, every other head off. */
static int modeset_alone(int h, const drmModeModeInfo *m, uint32_t fb, uint32_t flags)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t blob;
	int ret;

	add_head(req, h, m, fb, &blob);
	for (int o = 0; o < k.heads; o++)
		if (o != h)
			disable_head(req, o);
	ret = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET | flags, NULL);
	ret = ret ? errno : 0;
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k.fd, blob);
	return ret;
}

struct stress_args {
	int flips, modesets;
};

/*
 * Issue 17: FLIPS page flips with events spread over every head, then
 * MODESETS mode sets walking every head through every mode of head 0's
 * list, cursor updates at 1 kHz during both.  No flip event lost, no mode
 * set that atomic_check accepted fails, device memory and outstanding
 * releases back to their start, the last picture on screen.
 */
static void stress_child(void *data)
{
	const struct stress_args *a = data;
	struct dumb fbs[2][16], shown[16], cur;
	struct cursor_pacer pacer;
	struct ev_log log = { 0 };
	drmModeModeInfo m640;
	drmModeConnector *c;
	pthread_t thread;
	long long vram0, rel0, vram1, rel1, errors0;
	int rounds = (a->flips + k.heads - 1) / k.heads, lost = 0, err = 0, i, h;
	int accepted = 0, refused_check = 0, refused_mem = 0, failed = 0, first_fail = 0;
	int alone = 0, nmodes, *mode_set;
	long px;
	int (*set)(int h, const drmModeModeInfo *m, uint32_t fb, uint32_t flags);
	double t0;

	find_mode(k.conn[0], 640, 480, &m640);
	for (h = 0; h < k.heads; h++) {
		dumb_create(&fbs[0][h], 640, 480, DRM_FORMAT_XRGB8888);
		dumb_create(&fbs[1][h], 640, 480, DRM_FORMAT_XRGB8888);
		fill(&fbs[0][h], 0, 0, 640, 480, 0x102030 * (h + 1));
		fill(&fbs[1][h], 0, 0, 640, 480, 0x204080);
	}
	dumb_create(&cur, 64, 64, DRM_FORMAT_ARGB8888);
	fill(&cur, 0, 0, 64, 64, 0xff00ff00);
	err = modeset_all(&m640, fbs[0], 0);
	ok(!err, "%d head(s) at 640x480: %s", k.heads, strerror(err));
	if (err)
		return;
	/*
	 * The device keeps the last cursor shape it was given, shown or not:
	 * start from a shown-then-hidden 64x64 one, as the end will be.
	 */
	drmModeSetCursor(k.fd, k.crtc[0], cur.handle, 64, 64);
	drmModeSetCursor(k.fd, k.crtc[0], 0, 0, 0);
	stress_memory(&vram0, &rel0);
	errors0 = status_get("irq_error");

	/* page flips with events on every head, each round's events awaited */
	pacer_start(&pacer, &thread, &cur);
	t0 = now_s();
	for (i = 0; i < rounds && !err && !lost; i++) {
		for (h = 0; h < k.heads && !err; h++)
			err = flip_event(h, fbs[(i + 1) & 1][h].fb);
		if (!err && !events_until(&log, flips_reach, i + 1))
			lost++;
	}
	diag("%d page flips with events on %d head(s) in %.1f s (%.0f flips/s)",
	     i * k.heads, k.heads, now_s() - t0, i * k.heads / (now_s() - t0 + 1e-9));
	pacer_stop(&pacer, thread, "page flips");
	ok(!err && !lost && i == rounds, "%d page flips on %d head(s): expected every flip event "
	   "within %d ms, got %d of %d rounds (%d lost, error %s)", rounds * k.heads, k.heads,
	   EVENT_TIMEOUT_MS, i - lost, rounds, lost, strerror(err));

	/*
	 * Mode sets: head i % heads gets the next mode of head 0's list,
	 * the others keep theirs.  Every buffer is allocated at the mode's
	 * size; device memory running out (ENOMEM) or atomic_check refusing
	 * the combination (EINVAL from TEST_ONLY) is counted, not failed:
	 * both are the driver keeping to its limits.  A commit that the
	 * check accepted must succeed.
	 */
	c = drmModeGetConnector(k.fd, k.conn[0]);
	if (!c || !c->count_modes)
		die("head 0 has no modes");
	nmodes = c->count_modes;
	mode_set = calloc(nmodes, sizeof(*mode_set));
	for (h = 0; h < k.heads; h++)
		shown[h] = fbs[0][h];
	memset(fbs[0], 0, sizeof(fbs[0]));
	pacer_start(&pacer, &thread, &cur);
	t0 = now_s();
	for (i = 0; i < a->modesets; i++) {
		int mi = (i / k.heads) % nmodes;
		const drmModeModeInfo *m = &c->modes[mi];
		struct dumb next;

		h = i % k.heads;
		err = dumb_try_create(&next, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
		if (err == ENOMEM) {
			refused_mem++;
			continue;
		}
		if (err)
			die("CREATE_DUMB %ux%u: %s", m->hdisplay, m->vdisplay, strerror(err));
		fill(&next, 0, 0, 64, 64, 0xff0000 >> (h * 4));
		/*
		 * The heads share one primary surface: when this mode does
		 * not fit beside the others, the head takes it alone.
		 */
		set = modeset_head;
		err = set(h, m, next.fb, DRM_MODE_ATOMIC_TEST_ONLY);
		if (err == EINVAL) {
			set = modeset_alone;
			alone++;
			err = set(h, m, next.fb, DRM_MODE_ATOMIC_TEST_ONLY);
		}
		if (err == EINVAL || err == ENOMEM) {
			refused_check++;
			dumb_destroy(&next);
			continue;
		}
		err = err ? err : set(h, m, next.fb, 0);
		if (err) {
			if (!failed++)
				first_fail = err;
			diag("mode set %d: head %d at %ux%u failed after TEST_ONLY accepted it: %s",
			     i, h, m->hdisplay, m->vdisplay, strerror(err));
			dumb_destroy(&next);
			continue;
		}
		accepted++;
		mode_set[mi]++;
		if (shown[h].handle)
			dumb_destroy(&shown[h]);
		shown[h] = next;
	}
	diag("%d mode sets over %d head(s) and %d modes in %.1f s: %d done (%d with the other "
	     "heads off), %d refused by atomic_check, %d buffers refused (ENOMEM), %d failed",
	     a->modesets, k.heads, nmodes, now_s() - t0, accepted, alone, refused_check,
	     refused_mem, failed);
	pacer_stop(&pacer, thread, "mode sets");
	ok(failed == 0, "mode sets accepted by TEST_ONLY succeed: expected 0 failures, got %d "
	   "(first %s)", failed, strerror(first_fail));
	{
		int never = 0, first_never = -1;

		for (i = 0; i < nmodes && i * k.heads < a->modesets; i++) {
			if (!mode_set[i] && !never++)
				first_never = i;
		}
		ok(never == 0, "every mode of head 0 reached (up to %d) was set on some head: "
		   "%d never were (first %dx%d)", a->modesets / k.heads, never,
		   first_never < 0 ? 0 : c->modes[first_never].hdisplay,
		   first_never < 0 ? 0 : c->modes[first_never].vdisplay);
	}

	/* back to the start: every head 640x480, the new buffers gone */
	for (h = 0; h < k.heads; h++) {
		fbs[0][h] = fbs[1][h];
		fill(&fbs[0][h], 0, 0, 640, 480, 0x00c0ff);
	}
	err = modeset_all(&m640, fbs[0], 0);
	ok(!err, "back to 640x480 on %d head(s): %s", k.heads, strerror(err));
	for (h = 0; h < k.heads; h++)
		if (shown[h].handle)
			dumb_destroy(&shown[h]);
	for (h = 0; h < k.heads; h++)
		drmModeSetCursor(k.fd, k.crtc[h], 0, 0, 0);
	stress_memory(&vram1, &rel1);
	diag("device memory in use %lld -> %lld (peak %lld), outstanding releases %lld -> %lld",
	     vram0, vram1, status_get("vram_peak"), rel0, rel1);
	/*
	 * A leak grows them.  They may end below the start: the device holds
	 * the last cursor SET's release until its next cursor command, and
	 * whether the start's SET was sent depends on the cursor the device
	 * already showed (the kernel skips a SET of the image shown).
	 */
	ok(vram1 <= vram0 && rel1 <= rel0, "device memory and outstanding releases not above "
	   "their start: expected at most %lld and %lld, got %lld and %lld", vram0, rel0, vram1,
	   rel1);
	px = screendump("stress") ? pixel("stress", 320, 240) : -1;
	ok(px == 0x00c0ff, "the screen shows the last picture: expected 0x00c0ff at 320,240, "
	   "got %06lx", px);
	/* errors counted since boot: earlier tests may provoke some (recover) */
	ok(status_get("device_dead") == 0 && status_get("irq_error") == errors0,
	   "device alive, no guest bug reported: expected device_dead 0 and irq_error still %lld, "
	   "got %lld and %lld", errors0, status_get("device_dead"), status_get("irq_error"));
	drmModeFreeConnector(c);
	free(mode_set);
}

static int test_stress(int flips, int modesets)
{
	struct stress_args a = { flips, modesets };

	/* generous: under a busy TCG host a vblank can take 50 ms and more */
	guarded("stress", 120 + flips / 20 + modesets / 2, stress_child, &a);
	return 0;
}

/* ------------------------------------------------------------ recovery */

/* Write what to the driver's test-only inject_device_error; errno or 0. */
static int inject_fault(const char *what)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/inject_device_error", debugfs_dir());
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, what, strlen(what)) != (ssize_t)strlen(what))
		ret = errno;
	close(fd);
	return ret;
}

/*
 * Screendumps NAME until pixel (x, y) is want, up to 'secs' seconds; the
 * last value seen.  The device shows a frame once spice-server rendered
 * it, which after a reset takes a moment.
 */
static long wait_pixel(const char *name, int x, int y, long want, int secs)
{
	double end = (double)time(NULL) + secs;
	long px = -1;

	do {
		if (screendump(name))
			px = pixel(name, x, y);
		if (px == want)
			break;
		usleep(200 * 1000);
	} while (time(NULL) < end);
	return px;
}

/*
 * Interrupts on card 0's line that no handler claimed, as the kernel
 * counts them to disable a stuck line (/proc/irq/N/spurious "unhandled";
 * other devices sharing the line claim their own); -1 if it cannot tell.
 */
static long long irq_unhandled_count(void)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;
	int irq;

	f = fopen("/sys/class/drm/card0/device/irq", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &irq) != 1)
		irq = -1;
	fclose(f);
	if (irq < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/irq/%d/spurious", irq);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "unhandled %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Recovery on two heads (issue 17): heads 0 and 1 side by side, each with
 * its own framebuffer and a marker; the device reports a guest bug.  The
 * recovery must bring back the two-head primary, both heads' pictures and
 * the monitors config the SPICE client lays its windows out by, and a
 * frame drawn on head 1 afterwards must show there.
 */
static int test_recover_heads(void)
{
	const drmModeModeInfo *m0 = &k.mode0;
	struct drm_mode_rect r = { 100, 100, 200, 200 };
	long long rec0 = status_get("recoveries");
	drmModeModeInfo m1;
	uint32_t blob0, blob1;
	struct dumb a, b;
	int err, x1 = m0->hdisplay;
	double end;
	long px;

	if (k.heads < 2) {
		printf("ok %d - recover-heads # SKIP only one head\n", ++tap_n);
		return 0;
	}
	if (system("qh-expect-guest-bug 'QXL_IO_MEMSLOT_ADD: val out of range'") ||
	    system("qh-expect-klog 'device reports a guest bug'"))
		die("cannot declare the provoked guest bug and error line to the harness");
	find_mode(k.conn[0], 640, 480, &m1);
	dumb_create(&a, m0->hdisplay, m0->vdisplay, DRM_FORMAT_XRGB8888);
	dumb_create(&b, 640, 480, DRM_FORMAT_XRGB8888);
	fill(&a, 0, 0, a.width, a.height, 0x404040);
	fill(&a, 10, 10, 40, 40, 0xff0000);
	fill(&b, 0, 0, b.width, b.height, 0x202060);
	fill(&b, 20, 20, 40, 40, 0xffff00);
	two_heads_on(m0, a.fb, &m1, b.fb, &blob0, &blob1);
	px = wait_pixel("recover-heads-before", x1 + 30, 30, 0xffff00, 10);
	ok(px == 0xffff00, "before the fault: head 1's marker at (%d,30) yellow, got %06lx",
	   x1 + 30, px);

	err = inject_fault("guest-bug");
	ok(!err, "inject a guest bug: expected 0, got %s", strerror(err));
	end = mono_s() + 15;
	while (status_get("recoveries") <= rec0 && mono_s() < end)
		usleep(100 * 1000);
	ok(status_get("recoveries") == rec0 + 1,
	   "the device recovered: expected recoveries %lld, got %lld", rec0 + 1,
	   status_get("recoveries"));
	px = wait_pixel("recover-heads-after", x1 + 30, 30, 0xffff00, 10);
	ok(px == 0xffff00, "after the recovery head 1's marker is back at (%d,30): got %06lx",
	   x1 + 30, px);
	px = pixel("recover-heads-after", 30, 30);
	ok(px == 0xff0000, "and head 0's marker at (30,30): got %06lx", px);
	px = pixel("recover-heads-after", x1 + 300, 300);
	ok(px == 0x202060, "and head 1's background at (%d,300): got %06lx", x1 + 300, px);
	if (client_check("recover-heads-after"))
		client_two_monitors("recover-heads-after", m0, " after the recovery");

	/* a frame on head 1 after the recovery */
	fill(&b, 100, 100, 100, 100, 0x00ff00);
	commit_damage_head(1, b.fb, &r, 1, &err);
	ok(!err, "a damage commit on head 1 after the recovery: %s", strerror(err));
	px = wait_pixel("recover-heads-later", x1 + 150, 150, 0x00ff00, 10);
	ok(px == 0x00ff00, "it shows on head 1 at (%d,150): expected 00ff00, got %06lx",
	   x1 + 150, px);
	client_check("recover-heads-later");

	two_heads_off(m0, a.fb, blob0, blob1);
	dumb_destroy(&b);
	dumb_destroy(&a);
	return 0;
}

/*
 * Faults and recovery (issue 17).  (1) The device reports a guest bug
 * while a KMS client draws: the next frame the client draws must show,
 * on the device (screendump) and in the SPICE client, with what was on
 * the screen before the fault.  (2) An async I/O whose completion never
 * comes (the driver is told to ignore it) during a mode set: the commit
 * returns within a bound, and again the next frame shows.
 */
static int test_recover(void)
{
	const drmModeModeInfo *m = &k.mode0;
	struct drm_mode_rect r = { 100, 100, 300, 200 };
	struct drm_mode_rect r2 = { 400, 300, 500, 400 };
	long long unhandled0, unhandled1, claimed0, claimed1;
	drmModeModeInfo m2;
	struct dumb a, b;
	double t0, took;
	int err;
	long px;

	if (system("qh-expect-guest-bug 'QXL_IO_MEMSLOT_ADD: val out of range'") ||
	    system("qh-expect-klog 'device reports a guest bug' 'did not complete in'"))
		die("cannot declare the provoked guest bug and error lines to the harness");

	dumb_create(&a, m->hdisplay, m->vdisplay, DRM_FORMAT_XRGB8888);
	fill(&a, 0, 0, a.width, a.height, 0x404040);
	fill(&a, 10, 10, 50, 50, 0xff0000);
	err = modeset_single(m, a.fb, 0);
	ok(!err, "modeset %s: expected 0, got %s", m->name, strerror(err));
	px = wait_pixel("recover-before", 30, 30, 0xff0000, 10);
	ok(px == 0xff0000, "before the fault: pixel (30,30) red, got %06lx", px);

	/* (1) guest bug, then the client's next frame */
	unhandled0 = irq_unhandled_count();
	claimed0 = status_get("irq_total");
	err = inject_fault("guest-bug");
	ok(!err, "inject a guest bug: expected 0, got %s", strerror(err));
	fill(&a, 100, 100, 200, 100, 0x00ff00);
	commit_damage(a.fb, &r, 1, &err);
	ok(!err, "the client's next frame is committed: got %s", strerror(err));
	px = wait_pixel("recover-guest-bug", 150, 150, 0x00ff00, 15);
	/*
	 * The device drops every write but a reset after a guest bug, the
	 * handler's line update included: left alone, the line stays raised
	 * and interrupts unclaimed until the recovery resets the device.
	 */
	unhandled1 = irq_unhandled_count();
	claimed1 = status_get("irq_total");
	diag("interrupts from the guest bug to the recovered frame: %lld claimed by qxl, "
	     "%lld claimed by no handler on its line", claimed1 - claimed0, unhandled1 - unhandled0);
	/* the kernel restarts the count every 100,000 interrupts on the line */
	ok(unhandled0 >= 0 && unhandled1 >= unhandled0 && unhandled1 - unhandled0 <= 50,
	   "no interrupt storm after a guest bug: expected at most 50 interrupts no handler "
	   "claimed on the device's line, got %lld (from %lld to %lld)", unhandled1 - unhandled0,
	   unhandled0, unhandled1);
	ok(px == 0x00ff00,
	   "after a guest bug the next frame shows: pixel (150,150) expected 00ff00, got %06lx", px);
	px = pixel("recover-guest-bug", 30, 30);
	ok(px == 0xff0000, "what was shown before the fault is back: (30,30) red, got %06lx", px);
	px = pixel("recover-guest-bug", 700, 500);
	ok(px == 0x404040, "background (700,500) grey: got %06lx", px);
	client_check("recover-guest-bug");

	/* a later frame (damage only) still gets through */
	fill(&a, 400, 300, 100, 100, 0x0000ff);
	commit_damage(a.fb, &r2, 1, &err);
	px = wait_pixel("recover-later", 450, 350, 0x0000ff, 10);
	ok(!err && px == 0x0000ff, "a later damage update shows: (450,350) expected 0000ff, got %06lx (%s)",
	   px, strerror(err));

	/* (2) an async I/O that never completes, in a mode set */
	find_mode(k.conn[0], 800, 600, &m2);
	dumb_create(&b, 800, 600, DRM_FORMAT_XRGB8888);
	fill(&b, 0, 0, b.width, b.height, 0xffff00);
	err = inject_fault("lost-completion");
	ok(!err, "make the next async I/O's completion go missing: got %s", strerror(err));
	t0 = mono_s();
	err = modeset_single(&m2, b.fb, 0);
	took = mono_s() - t0;
	diag("mode set with a lost completion returned %s after %.1f s", strerror(err), took);
	ok(took < 30, "the mode set with a lost completion returns within 30 s: took %.1f s", took);
	fill(&b, 20, 20, 100, 100, 0xff00ff);
	{
		struct drm_mode_rect rb = { 20, 20, 120, 120 };

		commit_damage(b.fb, &rb, 1, &err);
	}
	px = wait_pixel("recover-lost-io", 60, 60, 0xff00ff, 20);
	ok(px == 0xff00ff, "after the lost completion the next frame shows: (60,60) expected ff00ff, got %06lx",
	   px);
	px = pixel("recover-lost-io", 400, 300);
	ok(px == 0xffff00, "the new mode's framebuffer is shown: (400,300) expected ffff00, got %06lx", px);
	{
		int w = 0, h = 0;
		bool got = png_size("recover-lost-io", &w, &h);

		ok(got && w == 800 && h == 600, "the device shows 800x600: got %dx%d", w, h);
	}
	client_check("recover-lost-io");

	err = modeset_single(m, a.fb, 0);
	ok(!err, "back to %s: got %s", m->name, strerror(err));
	dumb_destroy(&b);
	dumb_destroy(&a);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kmstest damage|update-bytes|flip|cursor|invalid|multihead|cache|"
			"repeat-bytes|churn [N]|flip-cursor [N]|vblank-seq [N]|plane-onoff|lease-uevent|"
			"stress [FLIPS [MODESETS]]|recover\n");
		return 2;
	}
	tap_counts = mmap(NULL, 2 * sizeof(int), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tap_counts == MAP_FAILED)
		return 1;
	kms_open();
	if (!strcmp(argv[1], "damage"))
		test_damage();
	else if (!strcmp(argv[1], "update-bytes"))
		test_update_bytes();
	else if (!strcmp(argv[1], "flip"))
		test_flip();
	else if (!strcmp(argv[1], "cursor"))
		test_cursor();
	else if (!strcmp(argv[1], "invalid"))
		test_invalid();
	else if (!strcmp(argv[1], "multihead"))
		test_multihead();
	else if (!strcmp(argv[1], "flip-cursor"))
		test_flip_cursor(argc > 2 ? atoi(argv[2]) : 100);
	else if (!strcmp(argv[1], "lease-uevent"))
		test_lease_uevent();
	else if (!strcmp(argv[1], "plane-onoff"))
		test_plane_onoff();
	else if (!strcmp(argv[1], "vblank-seq"))
		test_vblank_seq(argc > 2 ? atoi(argv[2]) : 6);
	else if (!strcmp(argv[1], "cache"))
		test_cache();
	else if (!strcmp(argv[1], "repeat-bytes"))
		test_repeat_bytes();
	else if (!strcmp(argv[1], "recover"))
		test_recover();
	else if (!strcmp(argv[1], "recover-heads"))
		test_recover_heads();
	else if (!strcmp(argv[1], "churn"))
		test_churn(argc > 2 ? atoi(argv[2]) : 1000);
	else if (!strcmp(argv[1], "stress"))
		test_stress(argc > 2 ? atoi(argv[2]) : 10000, argc > 3 ? atoi(argv[3]) : 1000);
	else
		die("unknown test %s", argv[1]);
	printf("1..%d\n", tap_n);
	return tap_failed;
}
