/* SPDX-License-Identifier: MIT */
/*
 * Guest tests of qxl.ko's private ioctls (uapi/qxl_drm.h).
 *
 *   ioctltest basic      GETPARAM, CLIENTCAP, ALLOC, MAP+mmap, ALLOC_SURF,
 *                        UPDATE_AREA: valid calls and every malformed one
 *   ioctltest draw       EXECBUFFER that really draws: fills and copies on
 *                        off-screen surfaces, read back with UPDATE_AREA
 *   ioctltest invalid    EXECBUFFER: each malformed command refused with
 *                        the right errno (the harness checks that QEMU
 *                        reported no guest bug and the kernel no warning)
 *   ioctltest pressure [rounds]
 *                        surface ids and surface memory exhausted and freed
 *                        repeatedly; debugfs counters back to their start
 *   ioctltest race [seconds]
 *                        a thread corrupts the image and clip list of valid
 *                        commands while they are submitted (the harness
 *                        checks that QEMU did not abort and the kernel did
 *                        not warn)
 *   ioctltest releases   (last in a boot) no release id from the device was
 *                        refused, and releases drain when idle
 *   ioctltest signal [seconds]
 *                        UPDATE_AREA interrupted by timer signals
 *   ioctltest palette    palette images whose pixels index past their
 *                        palette: drawn and read back, no host memory shows
 *   ioctltest prime      PRIME export of qxl buffers refused (a dma-buf
 *                        mapping would escape write protection)
 *   ioctltest inflight [tries [reloc|update|surface]]
 *                        the kernel's own writes (a later command's
 *                        relocation, UPDATE_AREA's read-back) never change
 *                        what a command in flight had checked; relocations
 *                        never point into a device surface's memory
 *   ioctltest surfclose  a surface closed while a command reading it is
 *                        queued: the device draws the command first
 *   ioctltest dirtyrace [seconds]
 *                        a thread flips the last pixel of every row of a
 *                        shown dumb buffer while DIRTYFB uploads it; the
 *                        screen is right afterwards
 *   ioctltest cacheid    a client's cached image named with the id the
 *                        console's next upload had before its ids were
 *                        keyed, or with bit 63: the device never gets one
 *                        id for both, the kernel does not rewrite the id
 *   ioctltest cursorhead the pointer crossing between two heads: the
 *                        cursor stays shown (record rule cursor-shown);
 *                        shown on both and moved: no image sent again
 *   ioctltest hog        (for tests/ioctl/exhaust, not TAP) takes all
 *                        surface memory on SIGUSR1 and keeps it until
 *                        SIGTERM
 *   ioctltest stall [fault|update|evict]
 *                        a write fault, UPDATE_AREA or surface eviction
 *                        waiting seconds for a busy device stalls no other
 *                        thread or client
 *   ioctltest unbindmap  (disruptive) a mapped buffer's device unbound:
 *                        the mapping raises SIGBUS; the device bound again
 *
 * Output is TAP; every failure says what was expected and what happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "../../../uapi/qxl_device.h"
#include "../../../uapi/qxl_drm.h"
#include "../common/qh_client.h"
#include "../common/qxl_debugfs.h"

#define RELEASE_INFO	8

static int fd = -1;
static int test_no;
static int failures;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		failures++;
}

/* ioctl returning 0 or -errno */
static int xioctl(unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

static const char *err_name(int ret)
{
	static char buf[32];

	switch (ret) {
	case 0: return "0";
	case -EINVAL: return "-EINVAL";
	case -EFAULT: return "-EFAULT";
	case -ENOMEM: return "-ENOMEM";
	case -EOPNOTSUPP: return "-EOPNOTSUPP";
	case -ENOENT: return "-ENOENT";
	case -EACCES: return "-EACCES";
	default:
		snprintf(buf, sizeof(buf), "%d", ret);
		return buf;
	}
}

static void expect_ret(int got, int want, const char *what)
{
	if (got == want)
		ok(1, "%s", what);
	else
		ok(0, "%s: expected %s, got %s", what, err_name(want), err_name(got));
}

/* ---- buffers ---- */

struct buf {
	uint32_t handle;
	uint32_t size;
	uint8_t *map;
};

static int buf_alloc(struct buf *b, uint32_t size)
{
	struct drm_qxl_alloc a = { .size = size };
	int ret = xioctl(DRM_IOCTL_QXL_ALLOC, &a);

	memset(b, 0, sizeof(*b));
	if (ret)
		return ret;
	b->handle = a.handle;
	b->size = size;
	return 0;
}

static int buf_surf(struct buf *b, uint32_t format, uint32_t w, uint32_t h, int32_t stride)
{
	struct drm_qxl_alloc_surf a = {
		.format = format, .width = w, .height = h, .stride = stride,
	};
	int ret = xioctl(DRM_IOCTL_QXL_ALLOC_SURF, &a);

	memset(b, 0, sizeof(*b));
	if (ret)
		return ret;
	b->handle = a.handle;
	b->size = (uint32_t)(abs(stride) * (h + 1));
	return 0;
}

static int buf_map(struct buf *b)
{
	struct drm_qxl_map m = { .handle = b->handle };
	void *p;
	int ret = xioctl(DRM_IOCTL_QXL_MAP, &m);

	if (ret)
		return ret;
	p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		return -errno;
	b->map = p;
	return 0;
}

static void buf_free(struct buf *b)
{
	struct drm_gem_close c = { .handle = b->handle };

	if (b->map)
		munmap(b->map, b->size);
	if (b->handle)
		drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	memset(b, 0, sizeof(*b));
}

static int update_area(uint32_t handle, uint32_t l, uint32_t t, uint32_t r, uint32_t btm)
{
	struct drm_qxl_update_area u = {
		.handle = handle, .left = l, .top = t, .right = r, .bottom = btm,
	};

	return xioctl(DRM_IOCTL_QXL_UPDATE_AREA, &u);
}

/* ---- commands ---- */

struct cmd {
	struct qxl_drawable d;
	struct drm_qxl_reloc relocs[8];
	unsigned int n;
};

/* A drawable of the given type covering w x h at (x, y), no clip. */
static void cmd_init(struct cmd *c, uint8_t type, int x, int y, int w, int h)
{
	memset(c, 0, sizeof(*c));
	c->d.type = type;
	c->d.effect = QXL_EFFECT_OPAQUE;
	c->d.bbox.left = x;
	c->d.bbox.top = y;
	c->d.bbox.right = x + w;
	c->d.bbox.bottom = y + h;
	c->d.clip.type = QXL_CLIP_TYPE_NONE;
	c->d.surfaces_dest[0] = -1;
	c->d.surfaces_dest[1] = -1;
	c->d.surfaces_dest[2] = -1;
}

static void cmd_reloc(struct cmd *c, uint32_t type, uint32_t dst_handle, uint64_t dst_off,
		      uint32_t src_handle, uint64_t src_off)
{
	struct drm_qxl_reloc *r = &c->relocs[c->n++];

	r->reloc_type = type;
	r->dst_handle = dst_handle;
	r->dst_offset = dst_off;
	r->src_handle = src_handle;
	r->src_offset = src_off;
}

/* Target surface: the buffer's device surface, through a SURF relocation. */
static void cmd_target(struct cmd *c, uint32_t surf_handle)
{
	cmd_reloc(c, QXL_RELOC_TYPE_SURF, 0, offsetof(struct qxl_drawable, surface_id),
		  surf_handle, 0);
}

/* c as one entry of an EXECBUFFER call: a drawable of its full size. */
static struct drm_qxl_command cmd_entry(struct cmd *c)
{
	struct drm_qxl_command dc = {
		.command = (uintptr_t)((uint8_t *)&c->d + RELEASE_INFO),
		.relocs = (uintptr_t)c->relocs,
		.type = QXL_CMD_DRAW,
		.command_size = sizeof(c->d) - RELEASE_INFO,
		.relocs_num = c->n,
	};

	return dc;
}

static int cmd_submit_raw(struct cmd *c, uint32_t type, uint32_t size)
{
	struct drm_qxl_command dc = cmd_entry(c);
	struct drm_qxl_execbuffer eb = {
		.commands_num = 1,
		.commands = (uintptr_t)&dc,
	};

	dc.type = type;
	dc.command_size = size;
	return xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb);
}

static int cmd_submit(struct cmd *c)
{
	return cmd_submit_raw(c, QXL_CMD_DRAW, sizeof(c->d) - RELEASE_INFO);
}

static int fill(uint32_t surf_handle, int x, int y, int w, int h, uint32_t color)
{
	struct cmd c;

	cmd_init(&c, QXL_DRAW_FILL, x, y, w, h);
	c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
	c.d.u.fill.brush.u.color = color;
	c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(&c, surf_handle);
	return cmd_submit(&c);
}

/* Pixel (x, y) of a 32-bit surface buffer created with stride (row 0 last if < 0). */
static uint32_t pixel(const struct buf *b, int32_t stride, uint32_t h, uint32_t x, uint32_t y)
{
	uint32_t row = stride > 0 ? y : h - 1 - y;
	uint32_t v;

	memcpy(&v, b->map + (size_t)row * (uint32_t)abs(stride) + x * 4, 4);
	return v;
}

/* Count of pixels in [x0,x1)x[y0,y1) that differ from want (low 24 bits). */
static unsigned int mismatches(const struct buf *b, int32_t stride, uint32_t h, uint32_t x0,
			       uint32_t y0, uint32_t x1, uint32_t y1, uint32_t want,
			       uint32_t *first)
{
	unsigned int bad = 0;
	uint32_t x, y, v;

	for (y = y0; y < y1; y++) {
		for (x = x0; x < x1; x++) {
			v = pixel(b, stride, h, x, y) & 0xffffff;
			if (v != (want & 0xffffff)) {
				if (!bad)
					*first = v;
				bad++;
			}
		}
	}
	return bad;
}

/* A one-chunk clip list of n rects at offset 0 of b (mapped). */
/* A clip-list header claiming n rects in data_size bytes; the rects are not written. */
static void put_clip_header(struct buf *b, uint32_t n, uint32_t data_size)
{
	struct qxl_clip_rects cr = { 0 };

	cr.num_rects = n;
	cr.chunk.data_size = data_size;
	memcpy(b->map, &cr, sizeof(cr));
}

static void put_clip(struct buf *b, const struct qxl_rect *rects, uint32_t n, uint32_t data_size)
{
	put_clip_header(b, n, data_size);
	memcpy(b->map + sizeof(struct qxl_clip_rects), rects, n * sizeof(*rects));
}

static void cmd_clip(struct cmd *c, uint32_t clip_handle)
{
	c->d.clip.type = QXL_CLIP_TYPE_RECTS;
	cmd_reloc(c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, clip.data), clip_handle, 0);
}

/* ---- basic ---- */

static void test_basic(void)
{
	struct drm_qxl_getparam gp = { 0 };
	struct drm_qxl_clientcap cc = { 0 };
	struct drm_qxl_map m = { 0 };
	struct buf b, b2, s;
	unsigned int i, nonzero;
	int ret;
	void *p;

	gp.param = QXL_PARAM_NUM_SURFACES;
	ret = xioctl(DRM_IOCTL_QXL_GETPARAM, &gp);
	ok(!ret && gp.value > 1 && gp.value <= 65536,
	   "GETPARAM NUM_SURFACES: expected 0 and 2..65536, got %s and %llu", err_name(ret),
	   (unsigned long long)gp.value);
	gp.param = QXL_PARAM_MAX_RELOCS;
	ret = xioctl(DRM_IOCTL_QXL_GETPARAM, &gp);
	ok(!ret && gp.value == 96, "GETPARAM MAX_RELOCS: expected 0 and 96, got %s and %llu",
	   err_name(ret), (unsigned long long)gp.value);
	gp.param = 3;
	expect_ret(xioctl(DRM_IOCTL_QXL_GETPARAM, &gp), -EINVAL, "GETPARAM unknown param 3");
	gp.param = 1ULL << 40;
	expect_ret(xioctl(DRM_IOCTL_QXL_GETPARAM, &gp), -EINVAL, "GETPARAM param 2^40");

	/* No SPICE client is connected in the harness: no capability is set. */
	for (i = 0; i < 16; i++) {
		cc.index = i;
		ret = xioctl(DRM_IOCTL_QXL_CLIENTCAP, &cc);
		if (ret != -EOPNOTSUPP)
			break;
	}
	ok(i == 16, "CLIENTCAP 0..15 without a client: expected -EOPNOTSUPP, index %u gave %s",
	   i, err_name(ret));
	cc.index = 58 * 8;
	expect_ret(xioctl(DRM_IOCTL_QXL_CLIENTCAP, &cc), -EOPNOTSUPP,
		   "CLIENTCAP index past the ROM's capability bytes");
	cc.index = 0xffffffff;
	expect_ret(xioctl(DRM_IOCTL_QXL_CLIENTCAP, &cc), -EOPNOTSUPP, "CLIENTCAP index 2^32-1");

	/* ALLOC */
	expect_ret(buf_alloc(&b, 0), -EINVAL, "ALLOC size 0");
	expect_ret(buf_alloc(&b, 0xffffffff), -EINVAL, "ALLOC size 4 GiB - 1");
	ret = buf_alloc(&b, 10000);
	ok(!ret && b.handle, "ALLOC 10000 bytes: expected 0 and a handle, got %s, handle %u",
	   err_name(ret), b.handle);
	ret = buf_map(&b);
	expect_ret(ret, 0, "MAP + mmap of an ALLOC buffer");
	if (!ret) {
		for (i = 0, nonzero = 0; i < b.size; i++)
			nonzero += b.map[i] != 0;
		ok(!nonzero, "new buffer is zeroed: expected 0 non-zero bytes, got %u", nonzero);
		memset(b.map, 0xa5, b.size);
	}
	/* the same memory handed out again must not show the old contents */
	buf_free(&b);
	ret = buf_alloc(&b2, 10000);
	if (!ret)
		ret = buf_map(&b2);
	expect_ret(ret, 0, "ALLOC + MAP again after freeing");
	if (!ret) {
		for (i = 0, nonzero = 0; i < b2.size; i++)
			nonzero += b2.map[i] != 0;
		ok(!nonzero, "re-allocated buffer shows no stale data: expected 0 non-zero bytes, got %u",
		   nonzero);
		/* mapping more than the buffer is refused */
		m.handle = b2.handle;
		ret = xioctl(DRM_IOCTL_QXL_MAP, &m);
		p = mmap(NULL, 4 * 4096, PROT_READ, MAP_SHARED, fd, (off_t)m.offset);
		ok(!ret && p == MAP_FAILED,
		   "mmap of 16 KiB of a 12 KiB buffer: expected failure, got %s",
		   p == MAP_FAILED ? "failure" : "a mapping");
		if (p != MAP_FAILED)
			munmap(p, 4 * 4096);
	}
	buf_free(&b2);

	m.handle = 0xdead;
	m.pad = 0;
	expect_ret(xioctl(DRM_IOCTL_QXL_MAP, &m), -EINVAL, "MAP of an unknown handle");
	buf_alloc(&b, 4096);
	m.handle = b.handle;
	m.pad = 1;
	expect_ret(xioctl(DRM_IOCTL_QXL_MAP, &m), -EINVAL, "MAP with pad != 0");
	expect_ret(update_area(b.handle, 0, 0, 1, 1), -EINVAL,
		   "UPDATE_AREA of a plain ALLOC buffer (not a surface)");
	buf_free(&b);

	/* ALLOC_SURF */
	ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 48, 256);
	expect_ret(ret, 0, "ALLOC_SURF 64x48 32_xRGB stride 256");
	ret = buf_map(&s);
	expect_ret(ret, 0, "MAP + mmap of the surface buffer (size |stride|*(height+1))");
	expect_ret(update_area(s.handle, 0, 0, 64, 48), 0,
		   "UPDATE_AREA of a surface never drawn on");
	expect_ret(update_area(s.handle, 10, 0, 10, 48), -EINVAL, "UPDATE_AREA left == right");
	expect_ret(update_area(s.handle, 0, 20, 64, 10), -EINVAL, "UPDATE_AREA top > bottom");
	expect_ret(update_area(s.handle, 0, 0, 65, 48), -EINVAL, "UPDATE_AREA right > width");
	expect_ret(update_area(s.handle, 0, 0, 64, 49), -EINVAL, "UPDATE_AREA bottom > height");
	expect_ret(update_area(0xdead, 0, 0, 1, 1), -EINVAL, "UPDATE_AREA unknown handle");
	{
		struct drm_qxl_update_area u = {
			.handle = s.handle, .right = 1, .bottom = 1, .pad = 1,
		};

		expect_ret(xioctl(DRM_IOCTL_QXL_UPDATE_AREA, &u), -EINVAL,
			   "UPDATE_AREA with pad != 0");
	}
	buf_free(&s);

	ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 48, -256);
	expect_ret(ret, 0, "ALLOC_SURF negative stride (bottom-up, as X uses)");
	buf_free(&s);
	ret = buf_surf(&s, QXL_SURFACE_FMT_8_A, 30, 10, 32);
	expect_ret(ret, 0, "ALLOC_SURF 8_A 30x10 stride 32");
	buf_free(&s);

	expect_ret(buf_surf(&s, 0, 64, 48, 256), -EINVAL, "ALLOC_SURF format 0");
	expect_ret(buf_surf(&s, 33, 64, 48, 256), -EINVAL, "ALLOC_SURF format 33");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 0, 48, 256), -EINVAL,
		   "ALLOC_SURF width 0");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 0, 256), -EINVAL,
		   "ALLOC_SURF height 0");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 48, 0), -EINVAL,
		   "ALLOC_SURF stride 0");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 48, 254), -EINVAL,
		   "ALLOC_SURF stride not a multiple of 4");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 48, 252), -EINVAL,
		   "ALLOC_SURF stride smaller than a row");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 48, INT32_MIN), -EINVAL,
		   "ALLOC_SURF stride INT32_MIN");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 8193, 4, 8193 * 4), -EINVAL,
		   "ALLOC_SURF width 8193");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 8192, 8192, -32768), -EINVAL,
		   "ALLOC_SURF of 256 MiB (over the 64 MiB limit)");
	expect_ret(buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 4, 0xffffffff, 16), -EINVAL,
		   "ALLOC_SURF height 2^32-1 (size overflow)");
}

/* ---- draw ---- */

/*
 * Image buffer layout: qxl_image at 0, qxl_data_chunk at 64, pixels at
 * 64 + sizeof(chunk).  Two BO relocations: src_bitmap -> image, and
 * bitmap.data -> chunk.
 */
#define IMG_CHUNK	64

/* A w x h 32-bit bitmap's image header at map and its one chunk header at IMG_CHUNK. */
static void write_image_headers(uint8_t *map, uint32_t w, uint32_t h)
{
	struct qxl_image image = { 0 };
	struct qxl_data_chunk chunk = { 0 };

	image.descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	image.descriptor.width = w;
	image.descriptor.height = h;
	image.u.bitmap.format = QXL_BITMAP_FMT_32BIT;
	image.u.bitmap.flags = QXL_BITMAP_TOP_DOWN;
	image.u.bitmap.x = w;
	image.u.bitmap.y = h;
	image.u.bitmap.stride = w * 4;
	chunk.data_size = w * h * 4;
	memcpy(map, &image, sizeof(image));
	memcpy(map + IMG_CHUNK, &chunk, sizeof(chunk));
}

static int make_image(struct buf *img, uint32_t w, uint32_t h, uint32_t color)
{
	uint32_t size = IMG_CHUNK + sizeof(struct qxl_data_chunk) + w * h * 4;
	uint32_t *px;
	uint32_t i;
	int ret;

	ret = buf_alloc(img, size);
	if (!ret)
		ret = buf_map(img);
	if (ret)
		return ret;
	write_image_headers(img->map, w, h);
	px = (uint32_t *)(img->map + IMG_CHUNK + sizeof(struct qxl_data_chunk));
	for (i = 0; i < w * h; i++)
		px[i] = color;
	return 0;
}

static int copy_image(uint32_t dst_surf, uint32_t img_handle, int x, int y, int w, int h)
{
	struct cmd c;

	cmd_init(&c, QXL_DRAW_COPY, x, y, w, h);
	c.d.u.copy.src_area.right = w;
	c.d.u.copy.src_area.bottom = h;
	c.d.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(&c, dst_surf);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap),
		  img_handle, 0);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, img_handle,
		  offsetof(struct qxl_image, u.bitmap.data), img_handle, IMG_CHUNK);
	return cmd_submit(&c);
}

/* Copy surface src onto dst through a SURFACE image (SURF reloc into the image). */
static int copy_surface(uint32_t dst_surf, uint32_t src_surf, struct buf *img, int w, int h)
{
	struct qxl_image image = { 0 };
	struct cmd c;

	image.descriptor.type = QXL_IMAGE_TYPE_SURFACE;
	image.descriptor.width = w;
	image.descriptor.height = h;
	memcpy(img->map, &image, sizeof(image));

	cmd_init(&c, QXL_DRAW_COPY, 0, 0, w, h);
	c.d.u.copy.src_area.right = w;
	c.d.u.copy.src_area.bottom = h;
	c.d.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(&c, dst_surf);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap),
		  img->handle, 0);
	cmd_reloc(&c, QXL_RELOC_TYPE_SURF, img->handle,
		  offsetof(struct qxl_image, u.surface_image.surface_id), src_surf, 0);
	return cmd_submit(&c);
}

/*
 * A valid COPY of a w x h 32-bit bitmap onto surf_handle: the image at
 * offset 0 of b (mapped), its one chunk at IMG_CHUNK, pixels after it.
 */
static void image_cmd(struct cmd *c, struct buf *b, uint32_t surf_handle, uint32_t w, uint32_t h)
{
	write_image_headers(b->map, w, h);

	cmd_init(c, QXL_DRAW_COPY, 0, 0, w, h);
	c->d.u.copy.src_area.right = w;
	c->d.u.copy.src_area.bottom = h;
	c->d.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(c, surf_handle);
	cmd_reloc(c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap),
		  b->handle, 0);
	cmd_reloc(c, QXL_RELOC_TYPE_BO, b->handle, offsetof(struct qxl_image, u.bitmap.data),
		  b->handle, IMG_CHUNK);
}

#define IMG_FIELD(field)	offsetof(struct qxl_image, field)
#define CHUNK_FIELD(field)	(IMG_CHUNK + offsetof(struct qxl_data_chunk, field))

/* Store v (n bytes) at offset off of a mapped buffer. */
static void poke(struct buf *b, size_t off, uint64_t v, size_t n)
{
	memcpy(b->map + off, &v, n);
}

/* Images and the addresses inside buffers, each case on a fresh valid image. */
static void test_invalid_images(uint32_t surf_handle)
{
	struct buf b, b2;
	struct cmd c;

	if (buf_alloc(&b, 4096) || buf_map(&b) || buf_alloc(&b2, 4096) || buf_map(&b2)) {
		ok(0, "image buffers: expected ALLOC + MAP to work, got %s", strerror(errno));
		return;
	}
	image_cmd(&c, &b, surf_handle, 4, 4);
	expect_ret(cmd_submit(&c), 0, "COPY of a 4x4 bitmap (reference for the image cases)");

	image_cmd(&c, &b, surf_handle, 4, 4);
	c.n--;	/* bitmap.data no longer written by a relocation */
	poke(&b, IMG_FIELD(u.bitmap.data), 0x0100000000001000ULL, 8);
	expect_ret(cmd_submit(&c), -EINVAL, "bitmap data address written by the client, not a relocation");

	image_cmd(&c, &b, surf_handle, 4, 4);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap) + 4,
		  b.handle, 8);
	expect_ret(cmd_submit(&c), -EINVAL, "relocation overlapping the upper half of a relocated address");

	image_cmd(&c, &b, surf_handle, 4, 4);
	cmd_reloc(&c, QXL_RELOC_TYPE_SURF, b.handle, IMG_FIELD(u.bitmap.data) + 4, surf_handle, 0);
	expect_ret(cmd_submit(&c), -EINVAL, "surface id relocation into the upper half of an address in a buffer");

	image_cmd(&c, &b, surf_handle, 4, 4);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap),
		  b.handle, 0);
	expect_ret(cmd_submit(&c), -EINVAL, "the same relocation twice");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, CHUNK_FIELD(data_size), 4 * 4 * 4 - 4, 4);
	expect_ret(cmd_submit(&c), -EINVAL, "bitmap chunk 4 bytes short of y * stride");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, IMG_FIELD(u.bitmap.stride), 12, 4);
	expect_ret(cmd_submit(&c), -EINVAL, "bitmap stride 12 for 4 pixels of 32 bits");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, IMG_FIELD(u.bitmap.format), 11, 1);
	expect_ret(cmd_submit(&c), -EINVAL, "bitmap format 11");

	/* spice-server aborts on these (spice_bitmap_to_pixman) */
	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, IMG_FIELD(u.bitmap.format), QXL_BITMAP_FMT_1BIT_LE, 1);
	expect_ret(cmd_submit(&c), -EINVAL, "1BIT_LE source bitmap (only masks may be little-endian)");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, IMG_FIELD(u.bitmap.format), QXL_BITMAP_FMT_4BIT_LE, 1);
	expect_ret(cmd_submit(&c), -EINVAL, "4BIT_LE source bitmap");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, IMG_FIELD(u.bitmap.format), QXL_BITMAP_FMT_8BIT, 1);
	expect_ret(cmd_submit(&c), -EINVAL, "8BIT source bitmap without a palette");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, IMG_FIELD(u.bitmap.format), QXL_BITMAP_FMT_8BIT, 1);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, b.handle, IMG_FIELD(u.bitmap.palette), b.handle, 2048);
	poke(&b, 2048 + offsetof(struct qxl_palette, num_ents), 256, 2);
	expect_ret(cmd_submit(&c), 0, "8BIT source bitmap with a 256-entry palette accepted");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, IMG_FIELD(descriptor.type), QXL_IMAGE_TYPE_QUIC, 1);
	expect_ret(cmd_submit(&c), -EINVAL, "QUIC image");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, CHUNK_FIELD(next_chunk), 0xff00000000000040ULL, 8);
	expect_ret(cmd_submit(&c), -EINVAL, "next_chunk address with slot id 255, no relocation");

	image_cmd(&c, &b, surf_handle, 4, 4);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, b.handle, CHUNK_FIELD(next_chunk), b.handle, IMG_CHUNK);
	expect_ret(cmd_submit(&c), -EINVAL, "chunk chain looping back to itself");

	image_cmd(&c, &b, surf_handle, 4, 4);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, b.handle, IMG_FIELD(u.bitmap.palette), b.handle, 4000);
	poke(&b, 4000 + offsetof(struct qxl_palette, num_ents), 100, 2);
	expect_ret(cmd_submit(&c), -EINVAL, "palette of 100 entries running past the end of its buffer");

	/* two chunks, the second in another buffer (Debian's X driver splits large images) */
	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, CHUNK_FIELD(data_size), 32, 4);
	poke(&b2, offsetof(struct qxl_data_chunk, data_size), 32, 4);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, b.handle, CHUNK_FIELD(next_chunk), b2.handle, 0);
	expect_ret(cmd_submit(&c), 0, "bitmap in two chunks of two buffers accepted");

	image_cmd(&c, &b, surf_handle, 4, 4);
	poke(&b, IMG_FIELD(u.bitmap.flags), QXL_BITMAP_DIRECT | QXL_BITMAP_TOP_DOWN, 1);
	c.relocs[c.n - 1].src_offset = 2048;
	expect_ret(cmd_submit(&c), 0, "bitmap with direct pixel data accepted");
	c.relocs[c.n - 1].src_offset = 4096 - 60;
	expect_ret(cmd_submit(&c), -EINVAL, "direct pixel data running past the end of its buffer");

	image_cmd(&c, &b, surf_handle, 4, 4);
	c.n--;
	poke(&b, IMG_FIELD(descriptor.type), QXL_IMAGE_TYPE_SURFACE, 1);
	poke(&b, IMG_FIELD(u.surface_image.surface_id), 0x12345, 4);
	expect_ret(cmd_submit(&c), -EINVAL, "SURFACE image naming a surface the command does not name");

	buf_free(&b2);
	buf_free(&b);
}

static void test_draw(void)
{
	const int32_t stride = -128 * 4;	/* bottom-up, like X's pixmaps */
	struct buf s, t, img, simg;
	uint32_t first = 0;
	unsigned int bad;
	int ret;

	ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 128, 64, stride);
	if (!ret)
		ret = buf_map(&s);
	expect_ret(ret, 0, "surface 128x64 allocated and mapped");
	if (ret)
		return;

	ret = fill(s.handle, 0, 0, 128, 64, 0x00336699);
	expect_ret(ret, 0, "EXECBUFFER FILL on an off-screen surface (created on first use)");
	ret = fill(s.handle, 16, 8, 32, 16, 0x00ff0000);
	expect_ret(ret, 0, "EXECBUFFER second FILL on the same surface");
	ret = update_area(s.handle, 0, 0, 128, 64);
	expect_ret(ret, 0, "UPDATE_AREA of the whole surface");
	bad = mismatches(&s, stride, 64, 16, 8, 48, 24, 0xff0000, &first);
	ok(!bad, "red fill rendered into the buffer: expected 0 wrong pixels, got %u (first 0x%06x)",
	   bad, first);
	bad = mismatches(&s, stride, 64, 64, 32, 128, 64, 0x336699, &first);
	ok(!bad, "blue background rendered: expected 0 wrong pixels, got %u (first 0x%06x)",
	   bad, first);
	ok(qxl_debugfs_counter("qxl_objects", "surfaces_live") >= 1,
	   "debugfs surfaces_live: expected >= 1, got %lld",
	   qxl_debugfs_counter("qxl_objects", "surfaces_live"));

	ret = make_image(&img, 20, 10, 0x0000ff00);
	expect_ret(ret, 0, "image buffer (ALLOC) with a 20x10 green bitmap");
	ret = copy_image(s.handle, img.handle, 100, 50, 20, 10);
	expect_ret(ret, 0, "EXECBUFFER COPY of a bitmap in a buffer (two BO relocations)");
	buf_free(&img);	/* closed while in flight: the kernel keeps its memory */
	ret = update_area(s.handle, 96, 40, 128, 64);
	expect_ret(ret, 0, "UPDATE_AREA of the copied area");
	bad = mismatches(&s, stride, 64, 100, 50, 120, 60, 0x00ff00, &first);
	ok(!bad, "bitmap copied onto the surface: expected 0 wrong pixels, got %u (first 0x%06x)",
	   bad, first);

	/* surface to surface */
	ret = buf_surf(&t, QXL_SURFACE_FMT_32_XRGB, 128, 64, 512);
	if (!ret)
		ret = buf_map(&t);
	if (!ret)
		ret = buf_alloc(&simg, 4096);
	if (!ret)
		ret = buf_map(&simg);
	expect_ret(ret, 0, "second surface (top-down) and an image buffer");
	if (!ret) {
		ret = copy_surface(t.handle, s.handle, &simg, 128, 64);
		expect_ret(ret, 0, "EXECBUFFER COPY from a SURFACE image (SURF relocation into a buffer)");
		ret = update_area(t.handle, 0, 0, 128, 64);
		expect_ret(ret, 0, "UPDATE_AREA of the destination surface");
		bad = mismatches(&t, 512, 64, 16, 8, 48, 24, 0xff0000, &first);
		ok(!bad, "surface copied: expected 0 wrong pixels in the red area, got %u (first 0x%06x)",
		   bad, first);
	}
	buf_free(&simg);
	buf_free(&t);

	/* the primary (surface 0, no relocation) when one exists */
	if (qxl_debugfs_counter("qxl_status", "draws") >= 0) {
		struct cmd c;

		cmd_init(&c, QXL_DRAW_FILL, 0, 0, 8, 8);
		c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		c.d.u.fill.brush.u.color = 0x00ffffff;
		c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
		expect_ret(cmd_submit(&c), 0, "EXECBUFFER FILL on the primary surface (id 0)");
	}

	/* a clipped fill paints only inside the clip rectangle */
	{
		struct qxl_rect r = { .top = 40, .left = 60, .bottom = 48, .right = 70 };
		struct buf clip;
		struct cmd c;

		ret = buf_alloc(&clip, 4096);
		if (!ret)
			ret = buf_map(&clip);
		if (!ret) {
			put_clip(&clip, &r, 1, sizeof(r));
			cmd_init(&c, QXL_DRAW_FILL, 50, 30, 40, 30);
			c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
			c.d.u.fill.brush.u.color = 0x00abcdef;
			c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
			cmd_target(&c, s.handle);
			cmd_clip(&c, clip.handle);
			ret = cmd_submit(&c);
		}
		expect_ret(ret, 0, "EXECBUFFER FILL with a clip list in a buffer");
		update_area(s.handle, 0, 0, 128, 64);
		bad = mismatches(&s, stride, 64, 60, 40, 70, 48, 0xabcdef, &first);
		ok(!bad, "clipped fill inside the clip: expected 0 wrong pixels, got %u (first 0x%06x)",
		   bad, first);
		ok((pixel(&s, stride, 64, 55, 35) & 0xffffff) != 0xabcdef,
		   "clipped fill outside the clip: expected the old colour, got 0x%06x",
		   pixel(&s, stride, 64, 55, 35) & 0xffffff);
		buf_free(&clip);
	}

	/* two commands in one call */
	{
		struct cmd c1, c2;
		struct drm_qxl_command dc[2];
		struct drm_qxl_execbuffer eb = { .commands_num = 2, .commands = (uintptr_t)dc };

		cmd_init(&c1, QXL_DRAW_FILL, 0, 0, 4, 4);
		c1.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		c1.d.u.fill.brush.u.color = 0x00010203;
		c1.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_target(&c1, s.handle);
		c2 = c1;
		c2.d.u.fill.brush.u.color = 0x00040506;
		c2.d.bbox.left = 4;
		c2.d.bbox.right = 8;
		dc[0] = cmd_entry(&c1);
		dc[1] = cmd_entry(&c2);
		ret = xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb);
		expect_ret(ret, 0, "EXECBUFFER with two commands");
		update_area(s.handle, 0, 0, 8, 4);
		ok((pixel(&s, stride, 64, 1, 1) & 0xffffff) == 0x010203 &&
		   (pixel(&s, stride, 64, 5, 1) & 0xffffff) == 0x040506,
		   "both commands rendered: expected 0x010203 0x040506, got 0x%06x 0x%06x",
		   pixel(&s, stride, 64, 1, 1) & 0xffffff, pixel(&s, stride, 64, 5, 1) & 0xffffff);
	}
	buf_free(&s);
}

/* ---- invalid ---- */

static void test_invalid(void)
{
	struct buf s, a, small;
	struct cmd c;
	struct drm_qxl_execbuffer eb;
	struct drm_qxl_command dc;
	int ret;

	ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 64, 256);
	if (!ret)
		ret = buf_alloc(&a, 4096);
	if (!ret)
		ret = buf_alloc(&small, 100);
	expect_ret(ret, 0, "a surface and two plain buffers for the malformed commands");
	if (ret)
		return;

#define FILL_ON_S() do { \
		cmd_init(&c, QXL_DRAW_FILL, 0, 0, 8, 8); \
		c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID; \
		c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT; \
		cmd_target(&c, s.handle); \
	} while (0)

	FILL_ON_S();
	expect_ret(cmd_submit(&c), 0, "well-formed FILL (reference for the cases below)");

	/*
	 * Found by qxlfuzz: spice-server takes a missing source image of
	 * these for a self_bitmap and aborts QEMU (image_cache_localize:
	 * assertion self_bitmap_image != nullptr).
	 */
	{
		static const struct { uint8_t type; const char *name; } nosrc[] = {
			{ QXL_DRAW_OPAQUE, "OPAQUE" }, { QXL_DRAW_ROP3, "ROP3" },
			{ QXL_DRAW_TRANSPARENT, "TRANSPARENT" },
			{ QXL_DRAW_ALPHA_BLEND, "ALPHA_BLEND" }, { QXL_DRAW_COPY, "COPY" },
			{ QXL_DRAW_BLEND, "BLEND" },
		};
		char what[64];
		unsigned int k;

		for (k = 0; k < sizeof(nosrc) / sizeof(nosrc[0]); k++) {
			cmd_init(&c, nosrc[k].type, 0, 0, 8, 8);
			cmd_target(&c, s.handle);
			snprintf(what, sizeof(what), "%s without a source image", nosrc[k].name);
			expect_ret(cmd_submit(&c), -EINVAL, what);
		}
	}

	/* bbox: inside the 64x64 target (found by qxlfuzz: spice-server drops the others) */
	FILL_ON_S();
	c.d.bbox.right = 65;
	expect_ret(cmd_submit(&c), -EINVAL, "bbox past the surface's right edge");
	FILL_ON_S();
	c.d.bbox.top = 60;
	c.d.bbox.bottom = 70;
	expect_ret(cmd_submit(&c), -EINVAL, "bbox past the surface's bottom edge");
	FILL_ON_S();
	c.d.bbox.left = -1;
	expect_ret(cmd_submit(&c), -EINVAL, "bbox with a negative left");
	FILL_ON_S();
	c.d.bbox.left = 9;
	expect_ret(cmd_submit(&c), -EINVAL, "bbox with left > right");
	FILL_ON_S();
	c.d.bbox.right = 64;
	c.d.bbox.bottom = 64;
	expect_ret(cmd_submit(&c), 0, "bbox of the whole surface accepted");

	/* execbuffer header */
	memset(&eb, 0, sizeof(eb));
	eb.flags = 1;
	expect_ret(xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb), -EINVAL, "flags != 0");
	eb.flags = 0;
	eb.commands_num = 65;
	eb.commands = (uintptr_t)&dc;
	expect_ret(xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb), -EINVAL, "65 commands (max 64)");
	eb.commands_num = 1;
	eb.commands = 8;
	expect_ret(xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb), -EFAULT, "commands pointer unmapped");

	/* command header */
	FILL_ON_S();
	expect_ret(cmd_submit_raw(&c, QXL_CMD_SURFACE, sizeof(c.d) - RELEASE_INFO), -EINVAL,
		   "command type SURFACE (kernel-owned)");
	expect_ret(cmd_submit_raw(&c, QXL_CMD_CURSOR, sizeof(c.d) - RELEASE_INFO), -EINVAL,
		   "command type CURSOR");
	expect_ret(cmd_submit_raw(&c, QXL_CMD_NOP, sizeof(c.d) - RELEASE_INFO), -EINVAL,
		   "command type NOP (spice-server aborts on it)");
	expect_ret(cmd_submit_raw(&c, 77, sizeof(c.d) - RELEASE_INFO), -EINVAL,
		   "command type 77");
	expect_ret(cmd_submit_raw(&c, QXL_CMD_DRAW, 0), -EINVAL, "command size 0");
	expect_ret(cmd_submit_raw(&c, QXL_CMD_DRAW, sizeof(c.d) - RELEASE_INFO + 1), -EINVAL,
		   "command size larger than a drawable");
	expect_ret(cmd_submit_raw(&c, QXL_CMD_DRAW, 4096), -EINVAL, "command size 4096");
	memset(&dc, 0, sizeof(dc));
	dc.type = QXL_CMD_DRAW;
	dc.command_size = sizeof(c.d) - RELEASE_INFO;
	dc.command = 16;
	eb.commands = (uintptr_t)&dc;
	expect_ret(xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb), -EFAULT, "command pointer unmapped");
	dc.command = (uintptr_t)((uint8_t *)&c.d + RELEASE_INFO);
	dc.relocs = 24;
	dc.relocs_num = 1;
	expect_ret(xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb), -EFAULT, "relocs pointer unmapped");
	dc.relocs = (uintptr_t)c.relocs;
	dc.relocs_num = 97;
	expect_ret(xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb), -EINVAL, "97 relocations (max 96)");

	/* relocations */
	FILL_ON_S();
	c.relocs[0].reloc_type = 3;
	expect_ret(cmd_submit(&c), -EINVAL, "relocation type 3");
	FILL_ON_S();
	c.relocs[0].reloc_type = 0;
	expect_ret(cmd_submit(&c), -EINVAL, "relocation type 0");
	FILL_ON_S();
	c.relocs[0].dst_offset = 4;
	expect_ret(cmd_submit(&c), -EINVAL, "SURF relocation into the kernel's release info");
	FILL_ON_S();
	c.relocs[0].dst_offset = sizeof(c.d) - 3;
	expect_ret(cmd_submit(&c), -EINVAL, "SURF relocation past the end of the command");
	FILL_ON_S();
	c.relocs[0].dst_offset = 1ULL << 63;
	expect_ret(cmd_submit(&c), -EINVAL, "relocation dst_offset 2^63");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, 0, a.handle, 0);
	expect_ret(cmd_submit(&c), -EINVAL, "BO relocation over the release info (offset 0)");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, sizeof(c.d) - 7, a.handle, 0);
	expect_ret(cmd_submit(&c), -EINVAL, "BO relocation crossing the command's end");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, a.handle, 4096 - 4, a.handle, 0);
	expect_ret(cmd_submit(&c), -EINVAL, "BO relocation crossing the destination buffer's end");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, small.handle, 4096, a.handle, 0);
	expect_ret(cmd_submit(&c), -EINVAL,
		   "BO relocation past a 100-byte buffer's page (buffers are page-sized)");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, a.handle, 0, a.handle, 4096);
	expect_ret(cmd_submit(&c), -EINVAL, "BO relocation src_offset at the source's end");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, a.handle, 0, a.handle, ~0ULL);
	expect_ret(cmd_submit(&c), -EINVAL, "BO relocation src_offset 2^64-1");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0xbad, 0, a.handle, 0);
	expect_ret(cmd_submit(&c), -EINVAL, "BO relocation to an unknown destination handle");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, a.handle, 0, 0xbad, 0);
	expect_ret(cmd_submit(&c), -EINVAL, "BO relocation from an unknown source handle");
	FILL_ON_S();
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, a.handle, 0, 0, 0);
	expect_ret(cmd_submit(&c), -EINVAL, "BO relocation from handle 0");
	FILL_ON_S();
	c.relocs[0].src_handle = a.handle;
	expect_ret(cmd_submit(&c), -EINVAL, "SURF relocation from a plain buffer (not a surface)");
	FILL_ON_S();
	c.relocs[0].src_offset = 4;
	expect_ret(cmd_submit(&c), -EINVAL, "SURF relocation with src_offset != 0");
	FILL_ON_S();
	c.relocs[0].src_handle = 0xbad;
	expect_ret(cmd_submit(&c), -EINVAL, "SURF relocation from an unknown handle");

	/* the drawable itself */
	FILL_ON_S();
	c.d.type = 15;
	expect_ret(cmd_submit(&c), -EINVAL, "drawable type 15");
	FILL_ON_S();
	c.d.effect = 8;
	expect_ret(cmd_submit(&c), -EINVAL, "drawable effect 8");
	FILL_ON_S();
	c.n = 0;
	c.d.surface_id = 5;
	expect_ret(cmd_submit(&c), -EINVAL, "target surface id 5 written without a relocation");
	FILL_ON_S();
	c.n = 0;
	c.d.surface_id = 0xffffffff;
	expect_ret(cmd_submit(&c), -EINVAL, "target surface id 2^32-1");
	FILL_ON_S();
	c.d.surfaces_dest[0] = 7;
	expect_ret(cmd_submit(&c), -EINVAL, "surfaces_dest[0] = 7, not a surface of this command");
	FILL_ON_S();
	c.d.surfaces_dest[2] = -2;
	expect_ret(cmd_submit(&c), -EINVAL, "surfaces_dest[2] = -2");
	FILL_ON_S();
	c.d.self_bitmap = 1;
	expect_ret(cmd_submit(&c), -EINVAL, "self_bitmap set");
	cmd_init(&c, QXL_COPY_BITS, 10, 10, 20, 20);
	c.d.u.copy_bits.src_pos.x = 40;
	c.d.u.copy_bits.src_pos.y = 40;
	cmd_target(&c, s.handle);
	expect_ret(cmd_submit(&c), 0, "COPY_BITS inside the 64x64 surface accepted");
	c.d.u.copy_bits.src_pos.x = 50;
	expect_ret(cmd_submit(&c), -EINVAL, "COPY_BITS source running past the surface's right edge");
	c.d.u.copy_bits.src_pos.x = 0;
	c.d.u.copy_bits.src_pos.y = -1;
	expect_ret(cmd_submit(&c), -EINVAL, "COPY_BITS source at y = -1");
	FILL_ON_S();
	c.d.clip.type = 2;
	expect_ret(cmd_submit(&c), -EINVAL, "clip type 2");
	FILL_ON_S();
	c.d.clip.type = QXL_CLIP_TYPE_RECTS;
	expect_ret(cmd_submit(&c), -EINVAL, "clip RECTS without a clip list");
	FILL_ON_S();
	c.d.clip.type = QXL_CLIP_TYPE_RECTS;
	c.d.clip.data = 0x0100000000001000ULL;
	expect_ret(cmd_submit(&c), -EINVAL, "clip RECTS with a raw address (no relocation)");
	{
		struct qxl_rect r[2] = { { 0, 0, 4, 4 }, { 4, 4, 8, 8 } };
		struct buf clip;

		if (!buf_alloc(&clip, 4096) && !buf_map(&clip)) {
			put_clip(&clip, r, 2, sizeof(r[0]));
			FILL_ON_S();
			cmd_clip(&c, clip.handle);
			expect_ret(cmd_submit(&c), -EINVAL,
				   "clip list of 2 rects with a 16-byte chunk (spice-server aborts on it)");
			put_clip(&clip, r, 0, 0);
			FILL_ON_S();
			cmd_clip(&c, clip.handle);
			expect_ret(cmd_submit(&c), -EINVAL, "clip list of 0 rects");
			put_clip(&clip, r, 2, sizeof(r));
			memset(clip.map + offsetof(struct qxl_clip_rects, chunk.next_chunk), 0x11, 8);
			FILL_ON_S();
			cmd_clip(&c, clip.handle);
			expect_ret(cmd_submit(&c), -EINVAL, "clip list with a raw next_chunk address");
			/* the claim alone runs past the page: only the header is written */
			put_clip_header(&clip, 255, 255 * sizeof(r[0]));
			FILL_ON_S();
			cmd_clip(&c, clip.handle);
			expect_ret(cmd_submit(&c), -EINVAL, "clip list of 255 rects running past its buffer");
			put_clip(&clip, r, 2, sizeof(r));
			FILL_ON_S();
			c.d.clip.type = QXL_CLIP_TYPE_RECTS;
			cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, clip.data),
				  clip.handle, 4090);
			expect_ret(cmd_submit(&c), -EINVAL, "clip list header crossing its buffer's end");
			FILL_ON_S();
			cmd_clip(&c, clip.handle);
			expect_ret(cmd_submit(&c), 0, "well-formed clip list of 2 rects accepted");
			/* found by qxlfuzz: pixman logs "*** BUG ***" on these and drops them */
			r[1].left = -7;
			put_clip(&clip, r, 2, sizeof(r));
			FILL_ON_S();
			cmd_clip(&c, clip.handle);
			expect_ret(cmd_submit(&c), -EINVAL, "clip rect with a negative left");
			r[1].left = 9;
			put_clip(&clip, r, 2, sizeof(r));
			FILL_ON_S();
			cmd_clip(&c, clip.handle);
			expect_ret(cmd_submit(&c), -EINVAL, "clip rect with left > right");
		} else {
			ok(0, "clip buffer: expected ALLOC + MAP to work, got %s", strerror(errno));
		}
		buf_free(&clip);
	}
	FILL_ON_S();
	c.d.u.fill.brush.type = QXL_BRUSH_TYPE_PATTERN;
	c.d.u.fill.brush.u.pattern.pat = 0xff00000000000000ULL;
	expect_ret(cmd_submit(&c), -EINVAL, "pattern brush with a raw address (bad slot id)");
	FILL_ON_S();
	c.d.u.fill.brush.type = 3;
	expect_ret(cmd_submit(&c), -EINVAL, "brush type 3");
	FILL_ON_S();
	c.d.u.fill.mask.bitmap = 0x0200000000000040ULL;
	expect_ret(cmd_submit(&c), -EINVAL, "fill mask with a raw address");
	cmd_init(&c, QXL_DRAW_COPY, 0, 0, 8, 8);
	cmd_target(&c, s.handle);
	c.d.u.copy.src_bitmap = 0x0100000000000000ULL;
	expect_ret(cmd_submit(&c), -EINVAL, "COPY with a raw src_bitmap address");
	cmd_init(&c, QXL_DRAW_STROKE, 0, 0, 8, 8);
	cmd_target(&c, s.handle);
	expect_ret(cmd_submit(&c), -EINVAL, "STROKE without a path");
	{
		/* one segment: a line from (1,1) to (6,6), 28.4 fixed point */
		struct qxl_path path = { 0 };
		struct qxl_path_seg seg = { .flags = QXL_PATH_BEGIN | QXL_PATH_END, .count = 2 };
		struct qxl_point_fix pts[2] = { { 1 << 4, 1 << 4 }, { 6 << 4, 6 << 4 } };
		struct buf pb;

		path.data_size = sizeof(seg) + sizeof(pts);
		path.chunk.data_size = path.data_size;
		if (!buf_alloc(&pb, 4096) && !buf_map(&pb)) {
			memcpy(pb.map, &path, sizeof(path));
			memcpy(pb.map + sizeof(path), &seg, sizeof(seg));
			memcpy(pb.map + sizeof(path) + sizeof(seg), pts, sizeof(pts));
			cmd_init(&c, QXL_DRAW_STROKE, 0, 0, 8, 8);
			cmd_target(&c, s.handle);
			c.d.u.stroke.brush.type = QXL_BRUSH_TYPE_SOLID;
			c.d.u.stroke.brush.u.color = 0x00ffffff;
			c.d.u.stroke.fore_mode = QXL_ROPD_OP_PUT;
			c.d.u.stroke.back_mode = QXL_ROPD_OP_PUT;
			cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.stroke.path),
				  pb.handle, 0);
			expect_ret(cmd_submit(&c), 0, "STROKE with a one-segment path accepted");
			seg.count = 3;
			memcpy(pb.map + sizeof(path), &seg, sizeof(seg));
			expect_ret(cmd_submit(&c), -EINVAL,
				   "STROKE path segment with more points than the path holds");
			seg.count = 2;
			memcpy(pb.map + sizeof(path), &seg, sizeof(seg));
			path.data_size += 8;
			memcpy(pb.map, &path, sizeof(path));
			expect_ret(cmd_submit(&c), -EINVAL,
				   "STROKE path whose data_size disagrees with its chunk");
			/*
			 * Found by qxlfuzz: a BEZIER segment whose points after the
			 * BEGIN point are not a multiple of 3 made spice-server
			 * abort QEMU (canvas_draw_stroke: (point - end_point) % 3).
			 */
			path.data_size -= 8;
			memcpy(pb.map, &path, sizeof(path));
			seg.flags = QXL_PATH_BEGIN | QXL_PATH_END | QXL_PATH_BEZIER;
			memcpy(pb.map + sizeof(path), &seg, sizeof(seg));
			expect_ret(cmd_submit(&c), -EINVAL,
				   "STROKE BEGIN|BEZIER segment of 2 points (1 after the start)");
			seg.flags = QXL_PATH_END | QXL_PATH_BEZIER;
			memcpy(pb.map + sizeof(path), &seg, sizeof(seg));
			expect_ret(cmd_submit(&c), -EINVAL, "STROKE BEZIER segment of 2 points");
			seg.flags = QXL_PATH_BEGIN | QXL_PATH_END;
			seg.count = 0;
			path.data_size = sizeof(seg);
			path.chunk.data_size = path.data_size;
			memcpy(pb.map, &path, sizeof(path));
			memcpy(pb.map + sizeof(path), &seg, sizeof(seg));
			expect_ret(cmd_submit(&c), -EINVAL, "STROKE BEGIN segment without a point");
			{
				struct qxl_point_fix bz[4] = {
					{ 1 << 4, 1 << 4 }, { 2 << 4, 6 << 4 }, { 5 << 4, 6 << 4 },
					{ 6 << 4, 1 << 4 },
				};

				seg.flags = QXL_PATH_BEGIN | QXL_PATH_END | QXL_PATH_BEZIER;
				seg.count = 4;
				path.data_size = sizeof(seg) + sizeof(bz);
				path.chunk.data_size = path.data_size;
				memcpy(pb.map, &path, sizeof(path));
				memcpy(pb.map + sizeof(path), &seg, sizeof(seg));
				memcpy(pb.map + sizeof(path) + sizeof(seg), bz, sizeof(bz));
				expect_ret(cmd_submit(&c), 0,
					   "STROKE BEGIN|BEZIER segment of 1 + 3 points accepted");
			}
		} else {
			ok(0, "path buffer: expected ALLOC + MAP to work, got %s", strerror(errno));
		}
		buf_free(&pb);
	}
	{
		/* one 2x2 A8 glyph */
		struct qxl_string str = { 0 };
		struct qxl_raster_glyph g = { .width = 2, .height = 2 };
		uint32_t gsize = sizeof(g) + 4;
		struct buf tb;

		str.data_size = gsize;
		str.length = 1;
		str.flags = QXL_STRING_FLAGS_RASTER_A8;
		str.chunk.data_size = gsize;
		g.render_pos.x = 3;
		g.render_pos.y = 3;
		if (!buf_alloc(&tb, 4096) && !buf_map(&tb)) {
			memcpy(tb.map, &str, sizeof(str));
			memcpy(tb.map + sizeof(str), &g, sizeof(g));
			memset(tb.map + sizeof(str) + sizeof(g), 0xff, 4);
			cmd_init(&c, QXL_DRAW_TEXT, 0, 0, 8, 8);
			cmd_target(&c, s.handle);
			c.d.u.text.fore_brush.type = QXL_BRUSH_TYPE_SOLID;
			c.d.u.text.fore_brush.u.color = 0x00ffffff;
			c.d.u.text.fore_mode = QXL_ROPD_OP_PUT;
			c.d.u.text.back_mode = QXL_ROPD_OP_PUT;
			cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.text.str),
				  tb.handle, 0);
			expect_ret(cmd_submit(&c), 0, "TEXT with one A8 glyph accepted");
			str.length = 2;
			memcpy(tb.map, &str, sizeof(str));
			expect_ret(cmd_submit(&c), -EINVAL, "TEXT whose length disagrees with its glyphs");
			str.length = 1;
			str.flags = QXL_STRING_FLAGS_RASTER_A8 | QXL_STRING_FLAGS_RASTER_A1;
			memcpy(tb.map, &str, sizeof(str));
			expect_ret(cmd_submit(&c), -EINVAL, "TEXT with two raster depths");
			str.flags = QXL_STRING_FLAGS_RASTER_A8;
			memcpy(tb.map, &str, sizeof(str));
			g.height = 3;
			memcpy(tb.map + sizeof(str), &g, sizeof(g));
			expect_ret(cmd_submit(&c), -EINVAL, "TEXT glyph larger than the string");
			/*
			 * Found by qxlfuzz: spice-server draws text with OP_PUT
			 * only and aborts QEMU on any other fore_mode
			 * (canvas_draw_text: text->fore_mode == SPICE_ROPD_OP_PUT).
			 */
			g.height = 2;
			memcpy(tb.map + sizeof(str), &g, sizeof(g));
			c.d.u.text.fore_mode = QXL_ROPD_OP_XOR;
			expect_ret(cmd_submit(&c), -EINVAL, "TEXT with fore_mode OP_XOR");
			c.d.u.text.fore_mode = QXL_ROPD_OP_PUT | QXL_ROPD_INVERS_SRC;
			expect_ret(cmd_submit(&c), -EINVAL, "TEXT with fore_mode OP_PUT | INVERS_SRC");
		} else {
			ok(0, "string buffer: expected ALLOC + MAP to work, got %s", strerror(errno));
		}
		buf_free(&tb);
	}
	cmd_init(&c, QXL_DRAW_TEXT, 0, 0, 8, 8);
	cmd_target(&c, s.handle);
	expect_ret(cmd_submit(&c), -EINVAL, "TEXT without a string");
	cmd_init(&c, QXL_DRAW_COMPOSITE, 0, 0, 8, 8);
	cmd_target(&c, s.handle);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.composite.src),
		  a.handle, 0);
	c.d.u.composite.flags = QXL_COMPOSITE_HAS_MASK;
	c.d.u.composite.mask = 0x0100000000000000ULL;
	expect_ret(cmd_submit(&c), -EINVAL, "COMPOSITE with a raw mask address");

	test_invalid_images(s.handle);

	/* Still working after all that. */
	FILL_ON_S();
	expect_ret(cmd_submit(&c), 0, "well-formed FILL accepted after the malformed ones");
	expect_ret(update_area(s.handle, 0, 0, 64, 64), 0, "UPDATE_AREA after the malformed ones");
	ok(qxl_debugfs_counter("qxl_status", "device_dead") == 0,
	   "device alive: expected device_dead 0, got %lld", qxl_debugfs_counter("qxl_status", "device_dead"));
	buf_free(&small);
	buf_free(&a);
	buf_free(&s);
}

/* ---- race ---- */

/*
 * A writer thread keeps corrupting, and repairing, the image and the clip
 * list of a valid command while the main thread submits it.  Whatever the
 * kernel checked must be what spice-server parses, or QEMU aborts (the
 * harness fails the test on that, on a guest bug and on a kernel warning).
 */
struct race {
	struct buf img, clip;
	volatile int stop;
	unsigned long corruptions;
};

#define RACE_W	16
#define RACE_H	16

static void race_repair(struct race *r, unsigned int what)
{
	struct qxl_clip_rects cr = { .num_rects = 1, .chunk.data_size = sizeof(struct qxl_rect) };
	struct qxl_rect rect = { .top = 0, .left = 0, .bottom = RACE_H, .right = RACE_W };

	switch (what) {
	case 0:
	case 1:
		memcpy(r->clip.map, &cr, sizeof(cr));
		memcpy(r->clip.map + sizeof(cr), &rect, sizeof(rect));
		break;
	case 2:
	case 4:
		poke(&r->img, CHUNK_FIELD(data_size), RACE_W * RACE_H * 4, 4);
		poke(&r->img, CHUNK_FIELD(next_chunk), 0, 8);
		break;
	default:
		poke(&r->img, IMG_FIELD(u.bitmap.x), RACE_W, 4);
		poke(&r->img, IMG_FIELD(u.bitmap.y), RACE_H, 4);
		poke(&r->img, IMG_FIELD(u.bitmap.stride), RACE_W * 4, 4);
		break;
	}
}

static void *race_writer(void *arg)
{
	struct race *r = arg;
	unsigned int seed = 12345;

	while (!r->stop) {
		uint32_t v = (uint32_t)rand_r(&seed);
		unsigned int what = v % 6;

		switch (what) {
		case 0:		/* spice-server asserts num_rects * 16 == data size */
			poke(&r->clip, offsetof(struct qxl_clip_rects, num_rects), 2 + v % 250, 4);
			break;
		case 1:
			poke(&r->clip, offsetof(struct qxl_clip_rects, chunk.data_size),
			     (v >> 8) % 4096, 4);
			break;
		case 2:		/* bitmap data size */
			poke(&r->img, CHUNK_FIELD(data_size), v >> 4, 4);
			break;
		case 3:		/* bitmap geometry */
			poke(&r->img, IMG_FIELD(u.bitmap.x), 1 + (v >> 8) % 4096, 4);
			poke(&r->img, IMG_FIELD(u.bitmap.stride), (v >> 4) % 64, 4);
			break;
		case 4:		/* an address with slot id 255 aborts spice-server */
			poke(&r->img, CHUNK_FIELD(next_chunk), 0xff00000000000000ULL | v, 8);
			break;
		default:
			poke(&r->img, IMG_FIELD(u.bitmap.y), (v >> 8) % 70000, 4);
			break;
		}
		r->corruptions++;
		usleep(v % 200);
		race_repair(r, what);
		usleep((v >> 16) % 200);
	}
	return NULL;
}

static void test_race(int seconds)
{
	long long protected0 = qxl_debugfs_counter("qxl_objects", "exec_protected");
	long long waits0 = qxl_debugfs_counter("qxl_objects", "fault_waits");
	unsigned long submitted = 0, accepted = 0, refused = 0, other = 0;
	int last_other = 0, ret;
	struct timespec t0, t;
	struct race r = { 0 };
	struct buf s;
	struct cmd c;
	pthread_t th;

	ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 64, 256);
	if (!ret)
		ret = buf_alloc(&r.img, 4096);
	if (!ret)
		ret = buf_map(&r.img);
	if (!ret)
		ret = buf_alloc(&r.clip, 4096);
	if (!ret)
		ret = buf_map(&r.clip);
	expect_ret(ret, 0, "a surface, an image buffer and a clip buffer");
	if (ret)
		return;
	image_cmd(&c, &r.img, s.handle, RACE_W, RACE_H);
	race_repair(&r, 0);
	cmd_clip(&c, r.clip.handle);
	expect_ret(cmd_submit(&c), 0, "the clipped COPY is valid before the race");

	if (pthread_create(&th, NULL, race_writer, &r)) {
		ok(0, "writer thread: expected pthread_create to work, got %s", strerror(errno));
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* now and then nothing is in flight, so the writer gets its turn */
		if (submitted % 16 == 15)
			usleep(2000);
		ret = cmd_submit(&c);
		submitted++;
		if (!ret) {
			accepted++;
		} else if (ret == -EINVAL) {
			refused++;
		} else {
			other++;
			last_other = ret;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	r.stop = 1;
	pthread_join(th, NULL);

	printf("# %lu submissions (%lu accepted, %lu refused) against %lu corruptions in %d s\n",
	       submitted, accepted, refused, r.corruptions, seconds);
	ok(!other, "every racing submission accepted or refused: expected 0 or -EINVAL, got %lu others (last %s)",
	   other, err_name(last_other));
	ok(accepted > 0 && refused > 0,
	   "the writer raced the checks: expected some accepted and some refused, got %lu and %lu",
	   accepted, refused);
	ok(qxl_debugfs_counter("qxl_objects", "exec_protected") - protected0 >= (long long)accepted,
	   "buffers write-protected: expected at least %lu, got %lld", accepted,
	   qxl_debugfs_counter("qxl_objects", "exec_protected") - protected0);
	ok(qxl_debugfs_counter("qxl_objects", "fault_waits") > waits0,
	   "the writer waited for the device at least once: expected fault_waits > %lld, got %lld",
	   waits0, qxl_debugfs_counter("qxl_objects", "fault_waits"));

	/* the device still draws what it is told */
	buf_free(&r.clip);
	buf_free(&r.img);
	ret = fill(s.handle, 0, 0, 64, 64, 0x00123456);
	if (!ret)
		ret = update_area(s.handle, 0, 0, 64, 64);
	if (!ret)
		ret = buf_map(&s);
	expect_ret(ret, 0, "FILL and UPDATE_AREA after the race");
	if (!ret)
		ok((pixel(&s, 256, 64, 10, 10) & 0xffffff) == 0x123456,
		   "FILL after the race rendered: expected 0x123456, got 0x%06x",
		   pixel(&s, 256, 64, 10, 10) & 0xffffff);
	buf_free(&s);
}

/* ---- signal ---- */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * UPDATE_AREA while a timer signal keeps arriving (handler without
 * SA_RESTART): each call either completes or fails with EINTR, the device
 * finishes what it was asked (no guest bug for an async operation issued
 * while one is pending) and the surface is right afterwards.
 */
static void test_signal(int seconds)
{
	long long int0 = qxl_debugfs_counter("qxl_objects", "updates_interrupted");
	unsigned long calls = 0, done = 0, interrupted = 0, other = 0;
	struct itimerval it = { .it_interval.tv_usec = 300, .it_value.tv_usec = 300 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct drm_qxl_update_area u = { 0 };
	struct timespec t0, t;
	int last_other = 0, i, ret;
	long long delta;
	struct buf s;

	ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 512, 512, 2048);
	if (!ret)
		ret = buf_map(&s);
	expect_ret(ret, 0, "surface 512x512 allocated and mapped");
	if (ret)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	u.handle = s.handle;
	u.right = 512;
	u.bottom = 512;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* work for the device to render in the update */
		for (i = 0; i < 8; i++)
			fill(s.handle, 0, 0, 512, 512, 0x00010101 * (uint32_t)(calls + i));
		/* not drmIoctl(): it restarts on EINTR */
		ret = ioctl(fd, DRM_IOCTL_QXL_UPDATE_AREA, &u) ? -errno : 0;
		calls++;
		if (!ret) {
			done++;
		} else if (ret == -EINTR) {
			interrupted++;
		} else {
			other++;
			last_other = ret;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);

	delta = qxl_debugfs_counter("qxl_objects", "updates_interrupted") - int0;
	printf("# %lu UPDATE_AREA calls: %lu done, %lu interrupted (%d signals, kernel counted %lld)\n",
	       calls, done, interrupted, (int)alarms, delta);
	ok(!other, "UPDATE_AREA under signals: expected 0 or EINTR, got %lu others (last %s)",
	   other, err_name(last_other));
	ok(interrupted > 0 && delta > 0 && delta <= (long long)interrupted,
	   "signals ended waits: expected EINTR seen and counted (0 < counted <= seen), got %lu seen, %lld counted",
	   interrupted, delta);

	ret = fill(s.handle, 0, 0, 512, 512, 0x00abcdef);
	if (!ret)
		ret = update_area(s.handle, 0, 0, 512, 512);
	expect_ret(ret, 0, "FILL and UPDATE_AREA after the interrupted ones");
	ok((pixel(&s, 2048, 512, 300, 300) & 0xffffff) == 0xabcdef,
	   "surface right after the interrupted updates: expected 0xabcdef, got 0x%06x",
	   pixel(&s, 2048, 512, 300, 300) & 0xffffff);
	ok(qxl_debugfs_counter("qxl_status", "device_dead") == 0,
	   "device alive: expected device_dead 0, got %lld", qxl_debugfs_counter("qxl_status", "device_dead"));
	buf_free(&s);
}

/* ---- palette ---- */

/*
 * spice-server copies a palette into a 16- or 256-entry array on its stack
 * (1-bit images: reads entries 0 and 1 from the heap) and looks pixels up
 * in it unchecked, so a palette shorter than what the pixels can index
 * turns QEMU memory into pixels the client reads back.  Every pixel value
 * is drawn once onto a surface and read back: what the palette does not
 * cover must come out black (the kernel pads the palette), never as
 * whatever QEMU had there.
 */
struct pal_case {
	const char *what;
	uint8_t format;
	uint32_t bpp;
	uint16_t num_ents;
};

static void test_palette(void)
{
	static const struct pal_case cases[] = {
		{ "8BIT image, 1-entry palette", QXL_BITMAP_FMT_8BIT, 8, 1 },
		{ "8BIT image, 0-entry palette", QXL_BITMAP_FMT_8BIT, 8, 0 },
		{ "8BIT image, 255-entry palette", QXL_BITMAP_FMT_8BIT, 8, 255 },
		{ "4BIT_BE image, 1-entry palette", QXL_BITMAP_FMT_4BIT_BE, 4, 1 },
		{ "4BIT_BE image, 5-entry palette", QXL_BITMAP_FMT_4BIT_BE, 4, 5 },
		{ "1BIT_BE image, 1-entry palette", QXL_BITMAP_FMT_1BIT_BE, 1, 1 },
		{ "8BIT image, full 256-entry palette", QXL_BITMAP_FMT_8BIT, 8, 256 },
	};
	const uint32_t w = 16, h = 16, pal_off = 2048;
	unsigned long leaked_total = 0;
	struct buf s, b;
	unsigned int i;
	int ret;

	ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, w, h, w * 4);
	if (!ret)
		ret = buf_map(&s);
	if (!ret)
		ret = buf_alloc(&b, 4096);
	if (!ret)
		ret = buf_map(&b);
	expect_ret(ret, 0, "a 16x16 surface and an image buffer");
	if (ret)
		return;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pal_case *pc = &cases[i];
		uint32_t n_vals = 1u << pc->bpp, stride = (w * pc->bpp + 7) / 8;
		struct qxl_image image = { 0 };
		struct qxl_data_chunk chunk = { 0 };
		unsigned int wrong = 0, leaked = 0;
		uint32_t v, e, x, y, got, want;
		uint8_t *px;
		struct cmd c;

		memset(b.map, 0, b.size);
		image.descriptor.type = QXL_IMAGE_TYPE_BITMAP;
		image.descriptor.width = w;
		image.descriptor.height = h;
		image.u.bitmap.format = pc->format;
		image.u.bitmap.flags = QXL_BITMAP_TOP_DOWN;
		image.u.bitmap.x = w;
		image.u.bitmap.y = h;
		image.u.bitmap.stride = stride;
		chunk.data_size = stride * h;
		memcpy(b.map, &image, sizeof(image));
		memcpy(b.map + IMG_CHUNK, &chunk, sizeof(chunk));
		/* pixel value k at pixel k (mod the values there are) */
		px = b.map + IMG_CHUNK + sizeof(chunk);
		for (v = 0; v < w * h; v++) {
			uint32_t k = v % n_vals, bit = (v % w) * pc->bpp;
			uint8_t *p = px + (v / w) * stride + bit / 8;

			if (pc->bpp == 8)
				*p = (uint8_t)k;
			else
				*p |= (uint8_t)(k << (8 - pc->bpp - bit % 8));
		}
		poke(&b, pal_off + offsetof(struct qxl_palette, num_ents), pc->num_ents, 2);
		for (e = 0; e < pc->num_ents; e++)
			poke(&b, pal_off + offsetof(struct qxl_palette, ents) + 4 * e,
			     0x00010101 * (e + 1), 4);

		ret = fill(s.handle, 0, 0, w, h, 0x00abcdef);
		image_cmd(&c, &b, s.handle, w, h);
		/* image_cmd wrote a 32-bit header: put ours back */
		memcpy(b.map, &image, sizeof(image));
		memcpy(b.map + IMG_CHUNK, &chunk, sizeof(chunk));
		cmd_reloc(&c, QXL_RELOC_TYPE_BO, b.handle, IMG_FIELD(u.bitmap.palette), b.handle,
			  pal_off);
		if (!ret)
			ret = cmd_submit(&c);
		if (ret == -EINVAL) {
			ok(pc->num_ents < n_vals, "%s: refused (-EINVAL)%s", pc->what,
			   pc->num_ents < n_vals ? "" : ", but its palette covers every pixel");
			continue;
		}
		if (!ret)
			ret = update_area(s.handle, 0, 0, w, h);
		expect_ret(ret, 0, pc->what);
		if (ret)
			continue;
		for (v = 0; v < w * h; v++) {
			uint32_t k = v % n_vals;

			x = v % w;
			y = v / w;
			got = pixel(&s, w * 4, h, x, y) & 0xffffff;
			want = k < pc->num_ents ? (0x00010101 * (k + 1)) & 0xffffff : 0;
			if (got != want) {
				wrong++;
				if (k >= pc->num_ents && got)
					leaked++;
			}
		}
		leaked_total += leaked;
		ok(!wrong, "%s: pixels past the palette black, the others their entry: expected 0 wrong, got %u (%u showing non-zero bytes the palette does not hold)",
		   pc->what, wrong, leaked);
	}
	printf("# pixels showing memory past the palette: %lu\n", leaked_total);

	/* what the kernel did to the image must not stop it being resubmitted */
	{
		struct cmd c;

		image_cmd(&c, &b, s.handle, 4, 4);
		expect_ret(cmd_submit(&c), 0, "a 32-bit image in the same buffer afterwards");
	}
	buf_free(&b);
	buf_free(&s);
}

/* ---- prime ---- */

/*
 * A qxl buffer exported as a dma-buf could be mapped through the dma-buf,
 * a mapping the kernel does not zap when the device parses the buffer.
 * Export is refused; dumb buffers (system memory, never parsed by the
 * device) still export.
 */
static void test_prime(void)
{
	struct drm_mode_create_dumb create = { .width = 64, .height = 64, .bpp = 32 };
	struct drm_mode_destroy_dumb destroy = { 0 };
	struct drm_prime_handle ph;
	struct buf b, s;
	int ret;
	void *p;

	ret = buf_alloc(&b, 4096);
	if (!ret)
		ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 64, 256);
	expect_ret(ret, 0, "an ALLOC buffer and an ALLOC_SURF buffer");
	if (ret)
		return;

	memset(&ph, 0, sizeof(ph));
	ph.handle = b.handle;
	ph.flags = DRM_CLOEXEC | DRM_RDWR;
	ret = xioctl(DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph);
	if (!ret) {
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ph.fd, 0);
		printf("# exported as dma-buf fd %d; its mmap %s\n", ph.fd,
		       p == MAP_FAILED ? "failed" : "succeeded (writable past protection)");
		if (p != MAP_FAILED)
			munmap(p, 4096);
		close(ph.fd);
	}
	expect_ret(ret, -EOPNOTSUPP, "PRIME export of an ALLOC buffer (RDWR)");

	memset(&ph, 0, sizeof(ph));
	ph.handle = s.handle;
	ph.flags = DRM_CLOEXEC;
	ret = xioctl(DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph);
	if (!ret)
		close(ph.fd);
	expect_ret(ret, -EOPNOTSUPP, "PRIME export of an ALLOC_SURF buffer (read-only)");

	/* still refused the second time (nothing cached from the first try) */
	memset(&ph, 0, sizeof(ph));
	ph.handle = b.handle;
	ret = xioctl(DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph);
	if (!ret)
		close(ph.fd);
	expect_ret(ret, -EOPNOTSUPP, "PRIME export of the ALLOC buffer again");

	ret = xioctl(DRM_IOCTL_MODE_CREATE_DUMB, &create);
	if (!ret) {
		memset(&ph, 0, sizeof(ph));
		ph.handle = create.handle;
		ph.flags = DRM_CLOEXEC | DRM_RDWR;
		ret = xioctl(DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph);
		if (!ret)
			close(ph.fd);
		destroy.handle = create.handle;
		drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
	expect_ret(ret, 0, "PRIME export of a dumb buffer (system memory) still works");

	/* the buffers still work */
	ret = fill(s.handle, 0, 0, 64, 64, 0x00123456);
	if (!ret)
		ret = update_area(s.handle, 0, 0, 64, 64);
	expect_ret(ret, 0, "FILL + UPDATE_AREA on the surface after the refused exports");
	buf_free(&s);
	buf_free(&b);
}

/* ---- dumbcap ---- */

/*
 * Create a dumb buffer of c's width, height and bpp on descriptor dfd and
 * map it: 0 with *map set, else -errno; *mapped says whether the create
 * worked and the mapping failed (the buffer is then destroyed again).
 */
static int dumb_create_map(int dfd, struct drm_mode_create_dumb *c, void **map, int *mapped)
{
	struct drm_mode_map_dumb mreq = { 0 };
	struct drm_mode_destroy_dumb destroy = { 0 };
	int ret;

	*mapped = 0;
	ret = drmIoctl(dfd, DRM_IOCTL_MODE_CREATE_DUMB, c) ? -errno : 0;
	if (ret)
		return ret;
	*mapped = 1;
	mreq.handle = c->handle;
	ret = drmIoctl(dfd, DRM_IOCTL_MODE_MAP_DUMB, &mreq) ? -errno : 0;
	if (!ret) {
		*map = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd,
			    (off_t)mreq.offset);
		ret = *map == MAP_FAILED ? -errno : 0;
	}
	if (ret) {
		destroy.handle = c->handle;
		drmIoctl(dfd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
	return ret;
}

static long long meminfo_kb(const char *key)
{
	char line[128];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = atoll(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

#define DUMBCAP_MAX	32

struct dumbcap_buf {
	int fd;
	uint32_t handle;
	uint64_t size;
	uint8_t *map;
};

/*
 * 8192x8192x32 dumb buffers created, mapped and written until one is
 * refused, alternately on fd and fd2 (the bound is for all clients, not
 * one descriptor): the count made, the error, where it came from.
 */
static int dumbcap_fill(int fd2, struct dumbcap_buf *b, int *n, int *mapped)
{
	struct drm_mode_create_dumb c;
	void *map;
	size_t off;
	int ret = 0;

	*n = 0;
	while (*n < DUMBCAP_MAX) {
		int dfd = *n % 2 ? fd2 : fd;

		memset(&c, 0, sizeof(c));
		c.width = 8192;
		c.height = 8192;
		c.bpp = 32;
		ret = dumb_create_map(dfd, &c, &map, mapped);
		if (ret)
			break;
		/* the mapping pinned the pages; write them as a client would */
		for (off = 0; off < c.size; off += 4096)
			((volatile uint8_t *)map)[off] = (uint8_t)off;
		b[*n].fd = dfd;
		b[*n].handle = c.handle;
		b[*n].size = c.size;
		b[*n].map = map;
		(*n)++;
	}
	return ret;
}

static void dumbcap_free(struct dumbcap_buf *b, int n)
{
	struct drm_mode_destroy_dumb destroy = { 0 };
	int i;

	for (i = 0; i < n; i++) {
		munmap(b[i].map, b[i].size);
		destroy.handle = b[i].handle;
		drmIoctl(b[i].fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
}

/*
 * Dumb buffers live in guest RAM and a mapping pins every page of one: a
 * client mapping many of the largest must be refused (-ENOMEM at create)
 * while the guest still has memory, not pin it all (the fuzzer's --big
 * pass: "Kernel panic - not syncing: System is deadlocked on memory").
 * Freed, all the memory is usable again.  Buffers larger than a
 * framebuffer can be (QXL_DEVIF_MAX_DIM, 32 bpp) are refused outright.
 */
static void test_dumbcap(void)
{
	/* larger than any framebuffer: 8192 pixels a side, 32 bits a pixel */
	static const struct {
		uint32_t width, height, bpp;
		const char *what;
	} too_big[] = {
		{ 8193, 1, 32, "a dumb buffer 8193 pixels wide (above the 8192 of any framebuffer)" },
		{ 1, 8193, 32, "a dumb buffer 8193 pixels high" },
		{ 8192, 1, 64, "a dumb buffer of 64 bits per pixel (above the 32 of any framebuffer)" },
	};
	struct dumbcap_buf b[DUMBCAP_MAX];
	struct drm_mode_create_dumb c;
	long long total_kb = meminfo_kb("MemTotal");
	unsigned long long pinned = 0;
	int n = 0, n2 = 0, ret, mapped, fd2, i;

	fd2 = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	ok(fd2 >= 0, "a second descriptor of /dev/dri/card0: expected one, got %s",
	   fd2 >= 0 ? "one" : strerror(errno));
	if (fd2 < 0)
		return;
	ret = dumbcap_fill(fd2, b, &n, &mapped);
	for (i = 0; i < n; i++)
		pinned += b[i].size;
	printf("# %d buffers of 8192x8192x32 (%llu MiB) mapped on two descriptors, then %s at %s; MemTotal %lld MiB, MemAvailable %lld MiB, dumb_mem_used %lld, dumb_mem_limit %lld\n",
	       n, pinned >> 20, err_name(ret), mapped ? "mmap" : "DUMB_CREATE", total_kb >> 10,
	       meminfo_kb("MemAvailable") >> 10, qxl_debugfs_counter("qxl_status", "dumb_mem_used"),
	       qxl_debugfs_counter("qxl_status", "dumb_mem_limit"));
	ok(ret == -ENOMEM && !mapped,
	   "mapping 256 MiB dumb buffers until refused: DUMB_CREATE says -ENOMEM: expected -ENOMEM from DUMB_CREATE, got %s from %s after %d buffers",
	   err_name(ret), mapped ? "mmap" : "DUMB_CREATE", n);
	ok(total_kb > 0 && pinned <= (unsigned long long)total_kb * 1024 * 6 / 10,
	   "dumb buffers pin at most 60%% of the guest's memory: expected <= %lld MiB, got %llu MiB",
	   total_kb * 6 / 10 >> 10, pinned >> 20);
	ok(n >= 2, "clients still get 256 MiB dumb buffers: expected at least 2, got %d", n);
	dumbcap_free(b, n);

	/* all of it back: as many again, then refused again */
	ret = dumbcap_fill(fd2, b, &n2, &mapped);
	ok(n2 == n && ret == -ENOMEM && !mapped,
	   "after freeing them, as many are created and mapped again: expected %d then -ENOMEM from DUMB_CREATE, got %d then %s from %s",
	   n, n2, err_name(ret), mapped ? "mmap" : "DUMB_CREATE");
	dumbcap_free(b, n2);
	close(fd2);

	for (i = 0; i < (int)(sizeof(too_big) / sizeof(too_big[0])); i++) {
		memset(&c, 0, sizeof(c));
		c.width = too_big[i].width;
		c.height = too_big[i].height;
		c.bpp = too_big[i].bpp;
		expect_ret(xioctl(DRM_IOCTL_MODE_CREATE_DUMB, &c), -EINVAL, too_big[i].what);
	}
}

/* ---- inflight ---- */

#define HEAVY_RECTS	250
#define HEAVY_CMDS	31

/*
 * Submit HEAVY_CMDS clipped fills on surf (a clip list of HEAVY_RECTS rects
 * in heavy) and then the commands of cs in one call: spice-server is still
 * parsing the fills when the last commands are checked, so those find the
 * earlier ones of the call in flight, not yet parsed.
 */
static int submit_after_heavy(uint32_t surf, struct buf *heavy, struct cmd *cs, unsigned int n)
{
	static struct drm_qxl_command dc[HEAVY_CMDS + 4];
	static struct cmd hc;
	struct drm_qxl_execbuffer eb = { .commands = (uintptr_t)dc };
	unsigned int i;

	cmd_init(&hc, QXL_DRAW_FILL, 0, 0, 64, 64);
	hc.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
	hc.d.u.fill.brush.u.color = 0x00404040;
	hc.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(&hc, surf);
	cmd_clip(&hc, heavy->handle);
	memset(dc, 0, sizeof(dc));
	for (i = 0; i < HEAVY_CMDS + n; i++) {
		dc[i] = cmd_entry(i < HEAVY_CMDS ? &hc : &cs[i - HEAVY_CMDS]);
	}
	eb.commands_num = HEAVY_CMDS + n;
	return xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb);
}

/* A one-rect clip list at offset off of b (mapped). */
static void put_clip_at(struct buf *b, size_t off, uint32_t num_rects)
{
	struct qxl_clip_rects cr = { .num_rects = num_rects };
	struct qxl_rect r = { .top = 0, .left = 0, .bottom = 8, .right = 8 };

	cr.chunk.data_size = sizeof(r);
	memcpy(b->map + off, &cr, sizeof(cr));
	memcpy(b->map + off + sizeof(cr), &r, sizeof(r));
}

/*
 * The kernel itself writes into buffers: a later command's relocation, and
 * UPDATE_AREA's read-back into a framebuffer buffer.  Neither may change
 * what a command still in flight had checked, or spice-server parses
 * something else and aborts QEMU (a clip list whose size no longer matches
 * its count).  Each try puts a clipped fill behind a batch of slow ones,
 * then tries to overwrite its clip list's size: refused with -EINVAL while
 * the fill is in flight, allowed once it was released (0).  Buffers that
 * relocations point at must not be device surfaces (the device writes
 * their memory when it renders them back).
 */
static void test_inflight(int tries, const char *only)
{
	static struct qxl_rect rects[HEAVY_RECTS];
	unsigned long reloc_refused = 0, reloc_ok = 0, reloc_other = 0;
	unsigned long upd_refused = 0, upd_ok = 0, upd_other = 0;
	drmModeConnector *conn = NULL;
	struct buf s, heavy, clip, fbb, img;
	drmModeModeInfo mode;
	drmModeRes *res = NULL;
	struct cmd cs[2];
	uint32_t fb = 0, v;
	int i, ret, last_other = 0;

	ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 64, 64, 256);
	if (!ret)
		ret = buf_alloc(&heavy, 8192);
	if (!ret)
		ret = buf_map(&heavy);
	expect_ret(ret, 0, "a surface and a buffer with a clip list of 250 rects");
	if (ret)
		return;
	for (i = 0; i < HEAVY_RECTS; i++) {
		rects[i].left = (i % 16) * 4;
		rects[i].top = (i / 16) * 4;
		rects[i].right = rects[i].left + 2;
		rects[i].bottom = rects[i].top + 2;
	}
	put_clip(&heavy, rects, HEAVY_RECTS, sizeof(rects));

	/* 1. a relocation of a later command into an in-flight clip list */
	for (i = 0; i < tries && (!only || !strcmp(only, "reloc")); i++) {
		ret = buf_alloc(&clip, 4096);
		if (!ret)
			ret = buf_map(&clip);
		if (ret) {
			ok(0, "clip buffer: expected ALLOC + MAP, got %s", err_name(ret));
			break;
		}
		put_clip_at(&clip, 0, 1);
		cmd_init(&cs[0], QXL_DRAW_FILL, 0, 0, 8, 8);
		cs[0].d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		cs[0].d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_target(&cs[0], s.handle);
		cmd_clip(&cs[0], clip.handle);
		/*
		 * a 1x1 fill that also writes the surface id over the chunk size
		 * (not a NOP: those are never sent, so their relocations are not
		 * applied)
		 */
		cmd_init(&cs[1], QXL_DRAW_FILL, 0, 0, 1, 1);
		cs[1].d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		cs[1].d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_target(&cs[1], s.handle);
		cmd_reloc(&cs[1], QXL_RELOC_TYPE_SURF, clip.handle,
			  offsetof(struct qxl_clip_rects, chunk.data_size), s.handle, 0);
		ret = submit_after_heavy(s.handle, &heavy, cs, 2);
		if (ret == -EINVAL)
			reloc_refused++;
		else if (!ret)
			reloc_ok++;
		else {
			reloc_other++;
			last_other = ret;
		}
		buf_free(&clip);
	}
	if (only && strcmp(only, "reloc"))
		goto update;
	printf("# relocation over an in-flight clip list: %lu refused, %lu allowed (already released) in %d tries\n",
	       reloc_refused, reloc_ok, tries);
	ok(!reloc_other, "relocations over in-flight bytes: expected 0 or -EINVAL, got %lu others (last %s)",
	   reloc_other, err_name(last_other));
	ok(reloc_refused > 0, "a relocation over an in-flight clip list refused: expected some -EINVAL, got %lu of %d",
	   reloc_refused, tries);

	/* 2. UPDATE_AREA reading the primary back over an in-flight clip list */
update:
	if (only && strcmp(only, "update"))
		goto surface;
	res = drmModeGetResources(fd);
	if (res && res->count_connectors && res->count_crtcs)
		conn = drmModeGetConnector(fd, res->connectors[0]);
	ret = conn && conn->count_modes ? 0 : -ENOENT;
	if (!ret) {
		mode = conn->modes[0];
		for (i = 0; i < conn->count_modes; i++)
			if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)
				mode = conn->modes[i];
		ret = buf_alloc(&fbb, (uint32_t)mode.hdisplay * mode.vdisplay * 4);
	}
	if (!ret)
		ret = buf_map(&fbb);
	if (!ret) {
		uint32_t handles[4] = { fbb.handle }, pitches[4] = { mode.hdisplay * 4u };
		uint32_t offsets[4] = { 0 };

		ret = drmModeAddFB2(fd, mode.hdisplay, mode.vdisplay, DRM_FORMAT_XRGB8888,
				    handles, pitches, offsets, &fb, 0) ? -errno : 0;
	}
	if (!ret)
		ret = drmModeSetCrtc(fd, res->crtcs[0], fb, 0, 0, &res->connectors[0], 1,
				     &mode) ? -errno : 0;
	/* the primary's pixel (0,0) is 2: read back over a clip count of 1 */
	v = 2;
	if (!ret) {
		memcpy(fbb.map, &v, 4);
		ret = drmModeDirtyFB(fd, fb, NULL, 0) ? -errno : 0;
	}
	expect_ret(ret, 0, "an ALLOC buffer shown as the framebuffer of head 0");
	for (i = 0; i < tries && !ret; i++) {
		int r;

		put_clip_at(&fbb, 0, 1);
		cmd_init(&cs[0], QXL_DRAW_FILL, 0, 0, 8, 8);
		cs[0].d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		cs[0].d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_target(&cs[0], s.handle);
		cmd_clip(&cs[0], fbb.handle);
		r = submit_after_heavy(s.handle, &heavy, cs, 1);
		if (r) {
			ok(0, "clipped fill with its clip list in the framebuffer buffer: expected 0, got %s",
			   err_name(r));
			break;
		}
		r = update_area(fbb.handle, 0, 0, 1, 1);
		if (r == -EINVAL)
			upd_refused++;
		else if (!r)
			upd_ok++;
		else {
			upd_other++;
			last_other = r;
		}
	}
	if (!ret) {
		printf("# UPDATE_AREA over an in-flight clip list: %lu refused, %lu allowed (already released) in %d tries\n",
		       upd_refused, upd_ok, tries);
		ok(!upd_other, "UPDATE_AREA over in-flight bytes: expected 0 or -EINVAL, got %lu others (last %s)",
		   upd_other, err_name(last_other));
		ok(upd_refused > 0, "UPDATE_AREA over an in-flight clip list refused: expected some -EINVAL, got %lu of %d",
		   upd_refused, tries);
		/* elsewhere in the buffer the read-back still works */
		expect_ret(update_area(fbb.handle, 0, 8, 16, 16), 0,
			   "UPDATE_AREA of framebuffer rows no command parses");
	}
	if (fb)
		drmModeRmFB(fd, fb);
	buf_free(&fbb);
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);

	/* 3. relocations point into plain buffers only, never a surface's memory */
surface:
	{
		struct buf t;
		struct cmd c;

		ret = buf_surf(&t, QXL_SURFACE_FMT_32_XRGB, 64, 64, 256);
		if (!ret)
			ret = buf_map(&t);
		expect_ret(ret, 0, "a second surface");
		if (!ret) {
			put_clip_at(&t, 0, 1);
			cmd_init(&c, QXL_DRAW_FILL, 0, 0, 8, 8);
			c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
			c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
			cmd_target(&c, s.handle);
			cmd_clip(&c, t.handle);
			expect_ret(cmd_submit(&c), -EINVAL,
				   "clip list in an ALLOC_SURF buffer (surface memory the device renders into)");
			image_cmd(&c, &t, s.handle, 4, 4);
			expect_ret(cmd_submit(&c), -EINVAL, "image in an ALLOC_SURF buffer");
		}
		buf_free(&t);
	}

	/* what clients do stays allowed: one image drawn by two commands of a call */
	ret = make_image(&img, 8, 8, 0x00ff8000);
	if (!ret) {
		struct drm_qxl_command dc[2];
		struct drm_qxl_execbuffer eb = { .commands_num = 2, .commands = (uintptr_t)dc };

		image_cmd(&cs[0], &img, s.handle, 8, 8);
		cs[1] = cs[0];
		cs[1].d.bbox.left = 8;
		cs[1].d.bbox.right = 16;
		memset(dc, 0, sizeof(dc));
		for (i = 0; i < 2; i++)
			dc[i] = cmd_entry(&cs[i]);
		ret = xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb);
		if (!ret)
			ret = update_area(s.handle, 0, 0, 16, 8);
		expect_ret(ret, 0, "one image drawn by two commands of a call (same relocations twice)");
		if (!ret && buf_map(&s) == 0)
			ok((pixel(&s, 256, 64, 12, 4) & 0xffffff) == 0xff8000,
			   "the second copy rendered: expected 0xff8000, got 0x%06x",
			   pixel(&s, 256, 64, 12, 4) & 0xffffff);
	}
	buf_free(&img);
	ok(qxl_debugfs_counter("qxl_status", "device_dead") == 0,
	   "device alive: expected device_dead 0, got %lld", qxl_debugfs_counter("qxl_status", "device_dead"));
	buf_free(&heavy);
	buf_free(&s);
}

/* ---- surfclose ---- */

/*
 * spice-server draws lazily.  A copy from surface A onto B, then A's buffer
 * closed (the kernel destroys A's device surface), then B read back: unless
 * the copy lists A in surfaces_dest, spice-server draws it after A is gone
 * and aborts QEMU (image_surfaces_get: display_channel_validate_surface).
 * The kernel lists every surface a command reads; a client-listed one must
 * come with an area inside it (spice-server aborts on an empty one).
 */
static void test_surfclose(void)
{
	struct buf a, b, img;
	struct cmd c;
	int ret;

	ret = buf_surf(&a, QXL_SURFACE_FMT_32_XRGB, 32, 32, 128);
	if (!ret)
		ret = buf_surf(&b, QXL_SURFACE_FMT_32_XRGB, 32, 32, 128);
	if (!ret)
		ret = buf_alloc(&img, 4096);
	if (!ret)
		ret = buf_map(&img);
	if (!ret)
		ret = fill(a.handle, 0, 0, 32, 32, 0x00112233);
	if (!ret)
		ret = fill(b.handle, 0, 0, 32, 32, 0x00000000);
	expect_ret(ret, 0, "surfaces A (filled) and B, and an image buffer");
	if (ret)
		return;
	ret = copy_surface(b.handle, a.handle, &img, 32, 32);
	expect_ret(ret, 0, "COPY from A onto B (a SURFACE image)");
	buf_free(&a);	/* the device surface A is destroyed now */
	ret = update_area(b.handle, 0, 0, 32, 32);
	if (!ret)
		ret = buf_map(&b);
	expect_ret(ret, 0, "A's buffer closed, then B read back");
	if (!ret)
		ok((pixel(&b, 128, 32, 5, 5) & 0xffffff) == 0x112233,
		   "B shows the copy of A: expected 0x112233, got 0x%06x",
		   pixel(&b, 128, 32, 5, 5) & 0xffffff);

	/* a dependency a client lists itself needs an area inside the surface */
	ret = buf_surf(&a, QXL_SURFACE_FMT_32_XRGB, 32, 32, 128);
	expect_ret(ret, 0, "surface A again");
	if (!ret) {
		cmd_init(&c, QXL_DRAW_FILL, 0, 0, 8, 8);
		c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_target(&c, b.handle);
		cmd_reloc(&c, QXL_RELOC_TYPE_SURF, 0, offsetof(struct qxl_drawable, surfaces_dest[0]),
			  a.handle, 0);
		expect_ret(cmd_submit(&c), -EINVAL, "surfaces_dest naming A with an empty area");
		c.d.surfaces_rects[0].right = 33;
		c.d.surfaces_rects[0].bottom = 8;
		expect_ret(cmd_submit(&c), -EINVAL, "surfaces_dest naming A with an area past its right edge");
		c.d.surfaces_rects[0].right = 32;
		expect_ret(cmd_submit(&c), 0, "surfaces_dest naming A with an area inside it");
		expect_ret(update_area(b.handle, 0, 0, 32, 32), 0, "B read back");
	}
	buf_free(&a);
	buf_free(&img);
	buf_free(&b);
}

/* ---- dirtyrace ---- */

/*
 * The kernel compares each damaged framebuffer row with what it last
 * uploaded and sends only the changed span.  A dumb buffer stays mapped in
 * the client while that runs, so a second thread flipping the last pixel
 * of every row changes the row between the kernel's compare and its scans
 * for the first and last changed pixel.  Whatever the row does meanwhile,
 * every DIRTYFB must return 0 without the kernel reading or writing outside
 * the row (the harness fails the test on an oops or warning), and once the
 * client stops, the screen must show exactly the buffer.
 */
struct dirty_race {
	uint32_t *map;
	uint32_t w, h, stride;	/* stride in pixels */
	volatile int stop;
	unsigned long passes;
};

static void *dirty_flipper(void *arg)
{
	struct dirty_race *r = arg;
	uint32_t v = 0x00ff00ff, y;

	while (!r->stop) {
		v ^= 0x00ffffff;
		for (y = 0; y < r->h; y++)
			r->map[(size_t)y * r->stride + r->w - 1] = v;
		r->passes++;
	}
	return NULL;
}

/*
 * The screen (QMP screendump) against the buffer: pixels of the top-left
 * w x h that differ; -1 if the screendump could not be read.
 */
static long screen_diff(const char *name, const uint32_t *map, uint32_t w, uint32_t h,
			uint32_t stride, uint32_t *first_x, uint32_t *first_y)
{
	char cmd[512];
	unsigned int pw, ph, maxval;
	long bad = 0;
	uint8_t *rgb;
	uint32_t x, y;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "qh-screendump %s >/dev/null && convert \"$QH_OUT/%s.png\" -depth 8 ppm:-",
		 name, name);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "P6 %u %u %u", &pw, &ph, &maxval) != 3 || maxval != 255 ||
	    fgetc(p) == EOF || pw < w || ph < h) {
		pclose(p);
		return -1;
	}
	rgb = malloc((size_t)pw * ph * 3);
	if (!rgb || fread(rgb, 3, (size_t)pw * ph, p) != (size_t)pw * ph) {
		free(rgb);
		pclose(p);
		return -1;
	}
	pclose(p);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			const uint8_t *px = rgb + ((size_t)y * pw + x) * 3;
			uint32_t v = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];

			if (v != (map[(size_t)y * stride + x] & 0xffffff)) {
				if (!bad) {
					*first_x = x;
					*first_y = y;
				}
				bad++;
			}
		}
	}
	free(rgb);
	return bad;
}

/* A dumb buffer of head 0's preferred mode, mapped and shown on head 0. */
struct shown {
	drmModeRes *res;
	drmModeConnector *conn;
	struct drm_mode_create_dumb create;
	uint32_t fb;
	uint32_t *map;
	uint32_t w, h, stride;	/* stride in pixels */
};

/* pattern(x, y) fills the buffer before it is shown; 0 or -errno. */
static int show_dumb(struct shown *s, uint32_t (*pattern)(uint32_t x, uint32_t y))
{
	struct drm_mode_map_dumb mreq = { 0 };
	drmModeModeInfo mode;
	uint32_t x, y;
	void *map;
	int i, ret;

	memset(s, 0, sizeof(*s));
	s->create.bpp = 32;
	s->res = drmModeGetResources(fd);
	if (s->res && s->res->count_connectors && s->res->count_crtcs)
		s->conn = drmModeGetConnector(fd, s->res->connectors[0]);
	if (!s->conn || !s->conn->count_modes)
		return -ENOENT;
	mode = s->conn->modes[0];
	for (i = 0; i < s->conn->count_modes; i++)
		if (s->conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			mode = s->conn->modes[i];

	s->create.width = mode.hdisplay;
	s->create.height = mode.vdisplay;
	ret = xioctl(DRM_IOCTL_MODE_CREATE_DUMB, &s->create);
	if (!ret) {
		mreq.handle = s->create.handle;
		ret = xioctl(DRM_IOCTL_MODE_MAP_DUMB, &mreq);
	}
	if (!ret) {
		map = mmap(NULL, s->create.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   (off_t)mreq.offset);
		ret = map == MAP_FAILED ? -errno : 0;
	}
	if (!ret) {
		uint32_t handles[4] = { s->create.handle }, pitches[4] = { s->create.pitch };
		uint32_t offsets[4] = { 0 };

		s->map = map;
		s->w = s->create.width;
		s->h = s->create.height;
		s->stride = s->create.pitch / 4;
		ret = drmModeAddFB2(fd, s->create.width, s->create.height, DRM_FORMAT_XRGB8888,
				    handles, pitches, offsets, &s->fb, 0) ? -errno : 0;
	}
	if (!ret) {
		for (y = 0; y < s->h; y++)
			for (x = 0; x < s->w; x++)
				s->map[(size_t)y * s->stride + x] = pattern(x, y);
		ret = drmModeSetCrtc(fd, s->res->crtcs[0], s->fb, 0, 0, &s->res->connectors[0], 1,
				     &mode) ? -errno : 0;
	}
	return ret;
}

static void unshow_dumb(struct shown *s)
{
	struct drm_mode_destroy_dumb destroy = { .handle = s->create.handle };

	if (s->fb)
		drmModeRmFB(fd, s->fb);
	if (s->map)
		munmap(s->map, s->create.size);
	if (s->create.handle)
		drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	drmModeFreeConnector(s->conn);
	drmModeFreeResources(s->res);
	memset(s, 0, sizeof(*s));
}

/* a pattern every row of which differs from its neighbours */
static uint32_t rows_pattern(uint32_t x, uint32_t y)
{
	return (x * 7 + y * 13) & 0xff;
}

static void test_dirtyrace(int seconds)
{
	unsigned long calls = 0, failed = 0;
	struct dirty_race r = { 0 };
	struct timespec t0, t, tlast;
	struct shown s;
	uint32_t fx = 0, fy = 0, y;
	int ret, last_err = 0;
	pthread_t th;
	long bad;

	ret = show_dumb(&s, rows_pattern);
	expect_ret(ret, 0, "a dumb buffer of the preferred mode shown on head 0");
	if (ret)
		goto out;
	r.map = s.map;
	r.w = s.w;
	r.h = s.h;
	r.stride = s.stride;
	ret = drmModeDirtyFB(fd, s.fb, NULL, 0) ? -errno : 0;
	expect_ret(ret, 0, "DIRTYFB of the whole buffer before the race");

	if (pthread_create(&th, NULL, dirty_flipper, &r)) {
		ok(0, "flipper thread: expected pthread_create to work, got %s", strerror(errno));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tlast = t0;
	do {
		ret = drmModeDirtyFB(fd, s.fb, NULL, 0) ? -errno : 0;
		calls++;
		if (ret) {
			failed++;
			last_err = ret;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		/* progress, so that a crash shows how far it got */
		if (t.tv_sec != tlast.tv_sec) {
			printf("# %lu DIRTYFB calls, %lu flipper passes\n", calls, r.passes);
			tlast = t;
		}
	} while (t.tv_sec - t0.tv_sec < seconds);
	r.stop = 1;
	pthread_join(th, NULL);
	printf("# %lu DIRTYFB calls of %ux%u against %lu passes of the flipper in %d s\n",
	       calls, r.w, r.h, r.passes, seconds);
	ok(!failed, "every racing DIRTYFB returned 0: got %lu failures (last %s)", failed,
	   err_name(last_err));
	ok(r.passes > 0, "the flipper ran: expected passes > 0, got %lu", r.passes);

	/* A quiet client: the row diff must still send every change. */
	ret = drmModeDirtyFB(fd, s.fb, NULL, 0) ? -errno : 0;
	for (y = 0; y < r.h; y += 3)
		r.map[(size_t)y * r.stride + (y * 31) % r.w] ^= 0x00808080;
	if (!ret)
		ret = drmModeDirtyFB(fd, s.fb, NULL, 0) ? -errno : 0;
	expect_ret(ret, 0, "DIRTYFB after the race, and after scattered changes");
	bad = screen_diff("dirtyrace", r.map, r.w, r.h, r.stride, &fx, &fy);
	ok(bad == 0, "screen equals the buffer: expected 0 differing pixels, got %ld (first at %u,%u)",
	   bad, fx, fy);
	ok(qxl_debugfs_counter("qxl_status", "device_dead") == 0,
	   "device alive: expected device_dead 0, got %lld", qxl_debugfs_counter("qxl_status", "device_dead"));
out:
	unshow_dumb(&s);
}

/* ---- cacheid ---- */

/*
 * XXH64, written from its specification: the hash the kernel before issue
 * 14 item 10 used as the cache id of its uploads (seed: width << 32 |
 * height), so that this client can name the console's next image.
 */
#define XXP1 0x9E3779B185EBCA87ULL
#define XXP2 0xC2B2AE3D27D4EB4FULL
#define XXP3 0x165667B19E3779F9ULL
#define XXP4 0x85EBCA77C2B2AE63ULL
#define XXP5 0x27D4EB2F165667C5ULL

static uint64_t rotl64(uint64_t v, int r)
{
	return v << r | v >> (64 - r);
}

static uint64_t xx_round(uint64_t acc, uint64_t in)
{
	return rotl64(acc + in * XXP2, 31) * XXP1;
}

static uint64_t xx_merge(uint64_t h, uint64_t v)
{
	return (h ^ xx_round(0, v)) * XXP1 + XXP4;
}

static uint64_t xxh64(const uint8_t *p, size_t len, uint64_t seed)
{
	const uint8_t *end = p + len;
	uint64_t h, v[4], k;
	uint32_t k32;
	int i;

	if (len >= 32) {
		v[0] = seed + XXP1 + XXP2;
		v[1] = seed + XXP2;
		v[2] = seed;
		v[3] = seed - XXP1;
		for (; end - p >= 32; p += 32) {
			for (i = 0; i < 4; i++) {
				memcpy(&k, p + 8 * i, 8);
				v[i] = xx_round(v[i], k);
			}
		}
		h = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12) + rotl64(v[3], 18);
		for (i = 0; i < 4; i++)
			h = xx_merge(h, v[i]);
	} else {
		h = seed + XXP5;
	}
	h += len;
	for (; end - p >= 8; p += 8) {
		memcpy(&k, p, 8);
		h = rotl64(h ^ xx_round(0, k), 27) * XXP1 + XXP4;
	}
	if (end - p >= 4) {
		memcpy(&k32, p, 4);
		h = rotl64(h ^ (uint64_t)k32 * XXP1, 23) * XXP2 + XXP3;
		p += 4;
	}
	for (; p < end; p++)
		h = rotl64(h ^ *p * XXP5, 11) * XXP1;
	h ^= h >> 33;
	h *= XXP2;
	h ^= h >> 29;
	h *= XXP3;
	h ^= h >> 32;
	return h;
}

static uint32_t black_pattern(uint32_t x, uint32_t y)
{
	(void)x;
	(void)y;
	return 0;
}

/* The console's block: no pixel black, so every one differs from before. */
static uint32_t console_pattern(uint32_t x, uint32_t y)
{
	return 0x00204060 + x * 0x00030507 + y * 0x000b0d11;
}

#define CACHE_BLOCK	16

/*
 * spice-server sends an image flagged QXL_IMAGE_CACHE by reference when its
 * client already holds the id: one id naming two images shows the client
 * the first.  A DRM client names, as its own image's cache id, the id the
 * kernel will give the console's next upload (and ids with the top bit,
 * the kernel's space), then two different images with one id: the kernel
 * must give each image an id of its own pixels (equal pixels, equal ids,
 * so the cache still works) outside the console's space.  The record's
 * structural check (qxl-record) fails this test when one id reaches the
 * device with two different images, and the screen must show both.
 */
/* Flag the image at the start of b QXL_IMAGE_CACHE under client id 'id'. */
static void set_cache_id(struct buf *b, uint64_t id)
{
	struct qxl_image im;

	memcpy(&im, b->map, sizeof(im));
	im.descriptor.flags = QXL_IMAGE_CACHE;
	im.descriptor.id = id;
	memcpy(b->map, &im, sizeof(im));
}

/* The id in the header of the image at the start of b. */
static uint64_t image_id(const struct buf *b)
{
	struct qxl_image im;

	memcpy(&im, b->map, sizeof(im));
	return im.descriptor.id;
}

/*
 * A 16x16 1-bit image (rows of 0x55 0xaa) with a black and white palette
 * at offset 1024, flagged QXL_IMAGE_CACHE under client id 'id', drawn onto
 * surf as a COPY source or as the mask of a white FILL.  Returns the id
 * the header holds afterwards (0 and a failed check if not drawn).
 */
static uint64_t draw_mono(struct buf *b, uint32_t surf, uint64_t id, int as_mask)
{
	struct qxl_palette pal = { .num_ents = 2 };
	uint32_t ents[2] = { 0, 0x00ffffff };
	struct cmd c;
	uint32_t y;
	int ret;

	write_image_headers(b->map, CACHE_BLOCK, CACHE_BLOCK);
	set_cache_id(b, id);
	poke(b, IMG_FIELD(u.bitmap.format), QXL_BITMAP_FMT_1BIT_BE, 1);
	poke(b, IMG_FIELD(u.bitmap.stride), CACHE_BLOCK / 8, 4);
	poke(b, CHUNK_FIELD(data_size), CACHE_BLOCK * CACHE_BLOCK / 8, 4);
	for (y = 0; y < CACHE_BLOCK; y++)
		memset(b->map + IMG_CHUNK + sizeof(struct qxl_data_chunk) + y * CACHE_BLOCK / 8,
		       y & 1 ? 0xaa : 0x55, CACHE_BLOCK / 8);
	memcpy(b->map + 1024, &pal, sizeof(pal));
	memcpy(b->map + 1024 + sizeof(pal), ents, sizeof(ents));
	if (as_mask) {
		cmd_init(&c, QXL_DRAW_FILL, 0, 0, CACHE_BLOCK, CACHE_BLOCK);
		c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		c.d.u.fill.brush.u.color = 0x00ffffff;
		c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.fill.mask.bitmap),
			  b->handle, 0);
	} else {
		cmd_init(&c, QXL_DRAW_COPY, 0, 0, CACHE_BLOCK, CACHE_BLOCK);
		c.d.u.copy.src_area.right = CACHE_BLOCK;
		c.d.u.copy.src_area.bottom = CACHE_BLOCK;
		c.d.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap),
			  b->handle, 0);
	}
	cmd_target(&c, surf);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, b->handle, IMG_FIELD(u.bitmap.data), b->handle, IMG_CHUNK);
	cmd_reloc(&c, QXL_RELOC_TYPE_BO, b->handle, IMG_FIELD(u.bitmap.palette), b->handle, 1024);
	ret = cmd_submit(&c);
	expect_ret(ret, 0, as_mask ? "a cached 1-bit image drawn as a FILL's mask"
				   : "the same 1-bit image drawn as a COPY's source");
	return ret ? 0 : image_id(b);
}

static void test_cacheid(void)
{
	static const char *const what[] = {
		"the console's next id", "it with bit 63 flipped", "bit 63 alone", "all ones",
	};
	uint32_t blk[CACHE_BLOCK * CACHE_BLOCK];
	struct drm_clip_rect clip = { 0, 0, CACHE_BLOCK, CACHE_BLOCK };
	uint32_t both[2 * CACHE_BLOCK * CACHE_BLOCK];
	char ans[1024];
	uint64_t ids[4], k, got, first = 0, id_red, id_green;
	uint32_t x, y, fx = 0, fy = 0;
	struct buf surf, img, red, green;
	struct shown s;
	unsigned int i;
	long bad;
	int ret;

	ret = show_dumb(&s, black_pattern);
	expect_ret(ret, 0, "a black dumb buffer shown on head 0");
	if (ret)
		goto out;
	ret = drmModeDirtyFB(fd, s.fb, NULL, 0) ? -errno : 0;
	expect_ret(ret, 0, "DIRTYFB of the whole (black) buffer");

	for (y = 0; y < CACHE_BLOCK; y++)
		for (x = 0; x < CACHE_BLOCK; x++)
			blk[y * CACHE_BLOCK + x] = console_pattern(x, y);
	k = xxh64((const uint8_t *)blk, sizeof(blk), (uint64_t)CACHE_BLOCK << 32 | CACHE_BLOCK);
	printf("# the unkeyed hash of the console's next %ux%u upload: 0x%016llx\n", CACHE_BLOCK,
	       CACHE_BLOCK, (unsigned long long)k);
	ids[0] = k;
	ids[1] = k ^ 1ULL << 63;
	ids[2] = 1ULL << 63;
	ids[3] = ~0ULL;

	ret = buf_surf(&surf, QXL_SURFACE_FMT_32_XRGB, CACHE_BLOCK, CACHE_BLOCK, CACHE_BLOCK * 4);
	if (!ret)
		ret = make_image(&img, CACHE_BLOCK, CACHE_BLOCK, 0x00ff00ff);
	expect_ret(ret, 0, "a client surface and a magenta image");
	if (ret)
		goto out;
	for (i = 0; i < 4; i++) {
		set_cache_id(&img, ids[i]);
		ret = copy_image(surf.handle, img.handle, 0, 0, CACHE_BLOCK, CACHE_BLOCK);
		expect_ret(ret, 0, "a client image flagged QXL_IMAGE_CACHE is drawn");
		got = image_id(&img);
		if (i == 0)
			first = got;
		ok(got != ids[i] && !(got & 1ULL << 63) && got == first,
		   "client id 0x%016llx (%s): expected the kernel's id of the pixels in its place "
		   "(bit 63 clear, 0x%016llx as for the first), got 0x%016llx%s",
		   (unsigned long long)ids[i], what[i], (unsigned long long)first,
		   (unsigned long long)got, got == ids[i] ? " (the client's, left as it was)" : "");
	}
	expect_ret(update_area(surf.handle, 0, 0, CACHE_BLOCK, CACHE_BLOCK), 0,
		   "UPDATE_AREA of the client surface (its draws done)");

	/* the console draws: its upload must not alias the client's image */
	for (y = 0; y < CACHE_BLOCK; y++)
		for (x = 0; x < CACHE_BLOCK; x++)
			s.map[(size_t)y * s.stride + x] = blk[y * CACHE_BLOCK + x];
	ret = drmModeDirtyFB(fd, s.fb, &clip, 1) ? -errno : 0;
	expect_ret(ret, 0, "DIRTYFB of the console's block");
	bad = screen_diff("cacheid", s.map, CACHE_BLOCK, CACHE_BLOCK, s.stride, &fx, &fy);
	ok(bad == 0, "screen shows the console's block: expected 0 differing pixels, got %ld (first at %u,%u)",
	   bad, fx, fy);

	/* a red and a green image under one client id, side by side on the screen */
	ret = make_image(&red, CACHE_BLOCK, CACHE_BLOCK, 0x00ff0000);
	if (!ret)
		ret = make_image(&green, CACHE_BLOCK, CACHE_BLOCK, 0x0000ff00);
	expect_ret(ret, 0, "a red and a green image");
	if (ret)
		goto out_img;
	for (i = 0; i < 2; i++) {
		struct buf *b = i ? &green : &red;

		set_cache_id(b, ids[0]);
		ret = copy_image(0, b->handle, i * CACHE_BLOCK, 0, CACHE_BLOCK, CACHE_BLOCK);
		expect_ret(ret, 0, i ? "the green image drawn on the screen, right"
				     : "the red image drawn on the screen, left");
	}
	id_red = image_id(&red);
	id_green = image_id(&green);
	ok(id_red != id_green,
	   "one client id on a red and a green image: expected two ids, got 0x%016llx and 0x%016llx",
	   (unsigned long long)id_red, (unsigned long long)id_green);
	for (y = 0; y < CACHE_BLOCK; y++)
		for (x = 0; x < 2 * CACHE_BLOCK; x++)
			both[y * 2 * CACHE_BLOCK + x] = x < CACHE_BLOCK ? 0x00ff0000 : 0x0000ff00;
	bad = screen_diff("cacheid-both", both, 2 * CACHE_BLOCK, CACHE_BLOCK, 2 * CACHE_BLOCK,
			  &fx, &fy);
	ok(bad == 0, "screen shows red then green: expected 0 differing pixels, got %ld (first at %u,%u)",
	   bad, fx, fy);
	/* what the user sees: the SPICE client (suite 20 runs this with one) */
	ret = qh_client_match("cacheid-both", "cacheid-both-client", false, ans, sizeof(ans), &bad);
	if (ret == QH_CLIENT_NONE)
		printf("ok %d - client picture of cacheid-both # SKIP no SPICE client (qh run --client)\n",
		       ++test_no);
	else
		ok(ret == 0 && bad == 0,
		   "client picture equals screendump cacheid-both: expected 0 pixels different, got %ld (%s)",
		   bad, ans);
	buf_free(&green);
	buf_free(&red);

	/*
	 * The same 1-bit image as a mask and as a source: the device decodes
	 * a mask to a 1-bit surface and a source through its palette, and a
	 * source sent by reference to a mask cached under its id shows black.
	 */
	if (!buf_alloc(&red, 2048) && !buf_map(&red) && !buf_alloc(&green, 2048) &&
	    !buf_map(&green)) {
		id_red = draw_mono(&red, surf.handle, ids[0], 1);
		id_green = draw_mono(&green, surf.handle, ids[0], 0);
		ok(id_red && id_green && id_red != id_green,
		   "one 1-bit image as a mask and as a source: expected two ids, got 0x%016llx and 0x%016llx",
		   (unsigned long long)id_red, (unsigned long long)id_green);
		buf_free(&green);
		buf_free(&red);
	} else {
		ok(0, "a buffer for a 1-bit image: expected ALLOC + MAP to work, got %s",
		   strerror(errno));
		buf_free(&green);
		buf_free(&red);
	}
out_img:
	buf_free(&img);
	buf_free(&surf);
out:
	unshow_dumb(&s);
}

/* ---- cursorhead ---- */

/*
 * qh-mark LABEL once the record caught up: spice-server writes it through
 * stdio, so 64 KiB of upload (a 128x128 block) pushes the commands before
 * it out.
 */
static void record_mark(struct shown *s, const char *label, uint32_t color)
{
	struct drm_clip_rect clip = { 0, 0, 128, 128 };
	char cmd[128];
	uint32_t y, x;

	for (y = 0; y < clip.y2; y++)
		for (x = 0; x < clip.x2; x++)
			s->map[(size_t)y * s->stride + x] = color;
	drmModeDirtyFB(fd, s->fb, &clip, 1);
	usleep(300000);
	snprintf(cmd, sizeof(cmd), "qh-mark %s >/dev/null", label);
	if (system(cmd))
		printf("# qh-mark %s failed\n", label);
}

/*
 * The pointer enters head `to` (at x on it), then leaves head `from`, as
 * X moves it; between marks `before` and `after` (taken here) the record
 * must end with the device cursor shown.
 */
static void cross_heads(struct shown *s, uint32_t cursor, const uint32_t *crtcs, int from,
			int to, int x, const char *before, const char *after, uint32_t color)
{
	char cmd[128];
	int ret;

	ret = drmModeSetCursor(fd, crtcs[to], cursor, 64, 64) ? -errno : 0;
	if (!ret)
		ret = drmModeMoveCursor(fd, crtcs[to], x, 10) ? -errno : 0;
	if (!ret)
		ret = drmModeSetCursor(fd, crtcs[from], 0, 0, 0) ? -errno : 0;
	ok(!ret, "cursor set on head %d, then disabled on head %d: expected 0, got %s", to, from,
	   err_name(ret));
	record_mark(s, after, color);
	snprintf(cmd, sizeof(cmd), "qh-expect --from %s --to %s cursor-shown", before, after);
	ret = system(cmd);
	ok(ret == 0, "qh-expect cursor-shown from head %d to head %d registered: exit %d", from,
	   to, ret);
}

/* A 64x64 cursor buffer of its own with the same arrow-ish picture; 0 or -errno. */
static int cursor_buffer(struct drm_mode_create_dumb *cur)
{
	struct drm_mode_map_dumb mreq = { 0 };
	uint32_t *map, x, y;
	int ret;

	memset(cur, 0, sizeof(*cur));
	cur->width = 64;
	cur->height = 64;
	cur->bpp = 32;
	ret = xioctl(DRM_IOCTL_MODE_CREATE_DUMB, cur);
	if (ret)
		return ret;
	mreq.handle = cur->handle;
	ret = xioctl(DRM_IOCTL_MODE_MAP_DUMB, &mreq);
	if (ret)
		return ret;
	map = mmap(NULL, cur->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mreq.offset);
	if (map == MAP_FAILED)
		return -errno;
	for (y = 0; y < 64; y++)
		for (x = 0; x < 64; x++)
			map[y * (cur->pitch / 4) + x] = x <= y ? 0xff000000 | (x * 4) << 8 : 0;
	munmap(map, cur->size);
	return 0;
}

/*
 * Near the edge between two heads X shows the pointer on both and moves
 * both at every motion, each head's cursor plane with its own buffer of
 * the same picture.  The device has one cursor: after the first SET every
 * motion is a MOVE; the old kernel sent a 16 KiB SET for each head at
 * every motion (the owner changed every time).
 */
static void cursor_on_two_heads(struct shown *s, uint32_t cursor0, uint32_t w0)
{
	struct drm_mode_destroy_dumb destroy = { 0 };
	struct drm_mode_create_dumb cur1;
	int i, ret;

	ret = cursor_buffer(&cur1);
	expect_ret(ret, 0, "a second 64x64 cursor buffer with the same picture");
	if (ret)
		return;
	ret = drmModeSetCursor(fd, s->res->crtcs[0], cursor0, 64, 64) ? -errno : 0;
	if (!ret)
		ret = drmModeSetCursor(fd, s->res->crtcs[1], cur1.handle, 64, 64) ? -errno : 0;
	expect_ret(ret, 0, "the same cursor picture set on both heads");
	record_mark(s, "twoheads0", 0x400000);
	for (i = 0; i < 20 && !ret; i++) {
		ret = drmModeMoveCursor(fd, s->res->crtcs[0], (int)w0 - 32 - i, 100 + i) ?
			-errno : 0;
		if (!ret)
			ret = drmModeMoveCursor(fd, s->res->crtcs[1], -32 - i, 100 + i) ? -errno : 0;
	}
	expect_ret(ret, 0, "20 motions moving the cursor on both heads");
	record_mark(s, "twoheads1", 0x004040);
	ret = system("qh-expect --from twoheads0 --to twoheads1 max-cursor-shape-bytes=0 cursor-shown");
	ok(ret == 0, "qh-expect: no cursor image sent again while both heads move it: exit %d",
	   ret);
	drmModeSetCursor(fd, s->res->crtcs[1], 0, 0, 0);
	destroy.handle = cur1.handle;
	drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
}

/*
 * Issue 14 item 12: the device has one cursor for every head.  When the
 * pointer crosses from head 0 to head 1, X sets the cursor on head 1 and
 * then disables it on head 0: that HIDE must not hide head 1's cursor.
 * Checked in the record (what the SPICE client is told), both ways.
 */
static void test_cursorhead(void)
{
	struct drm_mode_create_dumb cur;
	struct drm_mode_destroy_dumb destroy = { 0 };
	drmModeModeInfo m1;
	struct shown s;
	int i, ret, found = 0;
	uint32_t c0, c1;

	ret = show_dumb(&s, black_pattern);
	expect_ret(ret, 0, "a dumb buffer shown on head 0 (cursorhead)");
	if (ret)
		goto out;
	if (s.res->count_crtcs < 2 || s.res->count_connectors < 2) {
		printf("ok %d # SKIP only one head\n", ++test_no);
		goto out;
	}
	for (i = 0; i < s.conn->count_modes && !found; i++) {
		if (s.conn->modes[i].hdisplay == 640 && s.conn->modes[i].vdisplay == 480) {
			m1 = s.conn->modes[i];
			found = 1;
		}
	}
	ok(found, "a 640x480 mode for head 1 among head 0's %d modes: expected one, got %s",
	   s.conn->count_modes, found ? "one" : "none");
	if (!found)
		goto out;
	c0 = s.res->crtcs[0];
	c1 = s.res->crtcs[1];
	ret = drmModeSetCrtc(fd, c1, s.fb, 0, 0, &s.res->connectors[1], 1, &m1) ? -errno : 0;
	expect_ret(ret, 0, "head 1 (640x480) enabled beside head 0");
	if (ret)
		goto out;
	ret = cursor_buffer(&cur);
	expect_ret(ret, 0, "a 64x64 cursor buffer");
	if (ret)
		goto off;

	ret = drmModeSetCursor(fd, c0, cur.handle, 64, 64) ? -errno : 0;
	if (!ret)
		ret = drmModeMoveCursor(fd, c0, 100, 100) ? -errno : 0;
	expect_ret(ret, 0, "cursor set and moved on head 0");

	record_mark(&s, "cross0", 0x000040);
	cross_heads(&s, cur.handle, s.res->crtcs, 0, 1, 10, "cross0", "cross1", 0x004000);
	cross_heads(&s, cur.handle, s.res->crtcs, 1, 0, 600, "cross1", "cross2", 0x404040);
	cursor_on_two_heads(&s, cur.handle, s.w);

	drmModeSetCursor(fd, c0, 0, 0, 0);
	destroy.handle = cur.handle;
	drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
off:
	drmModeSetCrtc(fd, c1, 0, 0, 0, NULL, 0, NULL);
out:
	unshow_dumb(&s);
}

/* ---- unbindmap ---- */

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* Reads (write 0) or writes (write 1) *p: 0 done, 1 SIGBUS. */
static int touch(volatile uint32_t *p, int write, uint32_t *val)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int bus = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1))
		bus = 1;
	else if (write)
		*p = 0x5a5a5a5a;
	else
		*val = *p;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

/*
 * Issue 14 item 9: a client's mapping of a buffer in the surface BAR must
 * not outlive the device.  The buffer is mapped and written, the device
 * unbound (sysfs) with the file and the mapping still open: reading and
 * writing the mapping must then raise SIGBUS (never reach the BAR of a
 * device the driver gave up, nor oops).  The device is bound again for
 * the tests after this one.
 */
static void test_unbindmap(void)
{
	char dev[64] = "", path[128];
	uint32_t v = 0;
	struct buf b;
	ssize_t n;
	int ret, f;

	n = readlink("/sys/class/drm/card0/device", path, sizeof(path) - 1);
	if (n > 0) {
		path[n] = 0;
		snprintf(dev, sizeof(dev), "%s", strrchr(path, '/') + 1);
	}
	ok(dev[0] != 0, "card0's PCI device: expected a name, got \"%s\"", dev);
	ret = buf_alloc(&b, 8192);
	if (!ret)
		ret = buf_map(&b);
	expect_ret(ret, 0, "ALLOC + MAP + mmap of 8 KiB");
	if (ret || !dev[0])
		return;
	memset(b.map, 0x3c, b.size);
	ret = touch((uint32_t *)(b.map + 4096), 0, &v);
	ok(!ret && v == 0x3c3c3c3c,
	   "the mapping reads back before the unbind: expected 0x3c3c3c3c, got %s0x%08x",
	   ret ? "SIGBUS, " : "", v);

	f = open("/sys/bus/pci/drivers/qxl/unbind", O_WRONLY);
	ret = f < 0 || write(f, dev, strlen(dev)) < 0 ? -errno : 0;
	if (f >= 0)
		close(f);
	expect_ret(ret, 0, "device unbound through sysfs with the file and the mapping open");
	if (!ret) {
		v = 0;
		ret = touch((uint32_t *)(b.map + 4096), 0, &v);
		ok(ret == 1, "read of the mapping after the unbind: expected SIGBUS, got %s (0x%08x)",
		   ret ? "SIGBUS" : "a value", v);
		ret = touch((uint32_t *)b.map, 1, NULL);
		ok(ret == 1, "write to the mapping after the unbind: expected SIGBUS, got %s",
		   ret ? "SIGBUS" : "the write done");
	}
	munmap(b.map, b.size);
	close(fd);
	fd = -1;
	f = open("/sys/bus/pci/drivers/qxl/bind", O_WRONLY);
	ret = f < 0 || write(f, dev, strlen(dev)) < 0 ? -errno : 0;
	if (f >= 0)
		close(f);
	expect_ret(ret, 0, "device bound again");
}

/* ---- onebit: drawing on and from 1-bit (1_A) surfaces ---- */

/*
 * spice-common draws on a 1_A surface through a 1-bit pixman image, and its
 * blit (spice_pixman_blit) handles depths 8, 16 and 32 only: a copy whose
 * source is also 1-bit (an indexed bitmap, converted to the target's
 * format, or another 1_A surface) ends in "assertion `depth == 32' failed"
 * and QEMU aborts (found by tests/fuzz/qxlfuzz -s 1).  Each case draws,
 * then reads the target back with UPDATE_AREA so that spice-server renders
 * it now; the command must be refused with -EINVAL or drawn without harm.
 *   onebit fill|bitmap|surface|from
 */
static void test_onebit(const char *which)
{
	struct buf t, src, img;
	struct cmd c;
	int ret, want_draw = 0;

	ret = buf_surf(&t, !strcmp(which, "from") ? QXL_SURFACE_FMT_32_XRGB : QXL_SURFACE_FMT_1_A,
		       64, 64, !strcmp(which, "from") ? 256 : 8);
	if (!ret)
		ret = buf_surf(&src, QXL_SURFACE_FMT_1_A, 64, 64, 8);
	if (!ret)
		ret = buf_alloc(&img, 4096);
	if (!ret)
		ret = buf_map(&img);
	expect_ret(ret, 0, "a 64x64 target surface, a 64x64 1_A surface, an image buffer");
	if (ret)
		return;
	/* the source surface exists on the device: draw on it once (a fill) */
	if (!strcmp(which, "fill")) {
		ret = fill(t.handle, 0, 0, 32, 32, 0xffffffff);
		printf("# FILL onto a 1_A surface: %s\n", err_name(ret));
		want_draw = 1;
	} else if (!strcmp(which, "bitmap")) {
		struct qxl_image image = { 0 };
		struct qxl_data_chunk chunk = { 0 };
		struct qxl_palette pal = { 0 };
		uint32_t ents[2] = { 0, 0xffffff };

		image.descriptor.type = QXL_IMAGE_TYPE_BITMAP;
		image.descriptor.width = 32;
		image.descriptor.height = 32;
		image.u.bitmap.format = QXL_BITMAP_FMT_1BIT_BE;
		image.u.bitmap.flags = QXL_BITMAP_TOP_DOWN;
		image.u.bitmap.x = 32;
		image.u.bitmap.y = 32;
		image.u.bitmap.stride = 4;
		chunk.data_size = 32 * 4;
		pal.num_ents = 2;
		memcpy(img.map, &image, sizeof(image));
		memcpy(img.map + IMG_CHUNK, &chunk, sizeof(chunk));
		memset(img.map + IMG_CHUNK + sizeof(chunk), 0x5a, 32 * 4);
		memcpy(img.map + 1024, &pal, sizeof(pal));
		memcpy(img.map + 1024 + sizeof(pal), ents, sizeof(ents));
		cmd_init(&c, QXL_DRAW_COPY, 0, 0, 32, 32);
		c.d.u.copy.src_area.right = 32;
		c.d.u.copy.src_area.bottom = 32;
		c.d.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_target(&c, t.handle);
		cmd_reloc(&c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap),
			  img.handle, 0);
		cmd_reloc(&c, QXL_RELOC_TYPE_BO, img.handle, offsetof(struct qxl_image, u.bitmap.data),
			  img.handle, IMG_CHUNK);
		cmd_reloc(&c, QXL_RELOC_TYPE_BO, img.handle,
			  offsetof(struct qxl_image, u.bitmap.palette), img.handle, 1024);
		ret = cmd_submit(&c);
		printf("# COPY of a 1BIT_BE bitmap onto a 1_A surface: %s\n", err_name(ret));
	} else {
		/* surface: 1_A onto 1_A; from: 1_A onto 32_xRGB */
		fill(src.handle, 0, 0, 64, 64, 0);
		ret = copy_surface(t.handle, src.handle, &img, 32, 32);
		printf("# COPY of a 1_A surface onto a %s surface: %s\n",
		       !strcmp(which, "from") ? "32_xRGB" : "1_A", err_name(ret));
	}
	ok(ret == 0 || ret == -EINVAL, "%s: expected 0 or -EINVAL, got %s", which, err_name(ret));
	ret = update_area(t.handle, 0, 0, 64, 64);
	ok(ret == 0, "UPDATE_AREA of the target afterwards (renders it now): expected 0, got %s",
	   err_name(ret));
	(void)want_draw;
	buf_free(&img);
	buf_free(&src);
	buf_free(&t);
}

/* ---- stall ---- */

#define STALL_W		2048
#define BUSY_H		4096	/* busy: 32 MiB, each tiled fill milliseconds of work */
#define STALL_RECTS	250
#define STALL_BATCH	63	/* + 1: the 64 commands one call takes */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/*
 * Work the device is slow to finish: n XOR fills (not opaque, so none
 * hides an earlier one) over the whole of surf (2048 x h), each clipped by
 * the 250 full-surface rects in clip, with a tiled brush if pattern (an
 * image buffer) is not 0; spice-server renders them only when asked
 * (UPDATE_AREA, NOTIFY_OOM), then one clip rect at a time.  last, if not
 * NULL, goes after them in the same call.
 */
static int queue_slow_with(uint32_t surf, struct buf *clip, uint32_t pattern, uint32_t h,
			   unsigned int n, struct cmd *last)
{
	static struct drm_qxl_command dc[STALL_BATCH + 1];
	static struct cmd hc;
	struct drm_qxl_execbuffer eb = { .commands = (uintptr_t)dc };
	unsigned int i, k;
	int ret = 0;

	cmd_init(&hc, QXL_DRAW_FILL, 0, 0, STALL_W, h);
	hc.d.effect = QXL_EFFECT_BLEND;
	hc.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
	hc.d.u.fill.brush.u.color = 0x00010203;
	hc.d.u.fill.rop_descriptor = QXL_ROPD_OP_XOR;
	cmd_target(&hc, surf);
	cmd_clip(&hc, clip->handle);
	if (pattern) {
		/* a tiled brush: several times a solid one's work per pixel */
		hc.d.u.fill.brush.type = QXL_BRUSH_TYPE_PATTERN;
		cmd_reloc(&hc, QXL_RELOC_TYPE_BO, 0,
			  offsetof(struct qxl_drawable, u.fill.brush.u.pattern.pat), pattern, 0);
		cmd_reloc(&hc, QXL_RELOC_TYPE_BO, pattern,
			  offsetof(struct qxl_image, u.bitmap.data), pattern, IMG_CHUNK);
	}
	while (n && !ret) {
		k = n > STALL_BATCH ? STALL_BATCH : n;
		n -= k;
		memset(dc, 0, sizeof(dc));
		for (i = 0; i < k + (!n && last); i++) {
			dc[i] = cmd_entry(i < k ? &hc : last);
		}
		eb.commands_num = i;
		ret = xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb);
	}
	return ret;
}

static int queue_slow(uint32_t surf, struct buf *clip, unsigned int n, struct cmd *last)
{
	return queue_slow_with(surf, clip, 0, STALL_W, n, last);
}

/*
 * A 2048 x h surface and a clip list of 250 rects covering all of it.  The
 * previous test's big surface may still be the device's for a moment (its
 * destroy queued behind that test's slow fills): -ENOMEM is retried for 5 s.
 */
static int slow_setup(struct buf *s, struct buf *clip, uint32_t h)
{
	static struct qxl_rect rects[STALL_RECTS];
	unsigned int i;
	int ret;

	for (i = 0; i < 50; i++) {
		ret = buf_surf(s, QXL_SURFACE_FMT_32_XRGB, STALL_W, h, STALL_W * 4);
		if (ret != -ENOMEM)
			break;
		usleep(100000);
	}
	if (i)
		printf("# the 2048x%u surface: -ENOMEM %u times, then %s\n", h, i, err_name(ret));
	if (!ret)
		ret = buf_alloc(clip, 8192);
	if (!ret)
		ret = buf_map(clip);
	expect_ret(ret, 0, "a 2048-wide surface and a clip list of 250 full-surface rects");
	if (ret)
		return ret;
	for (i = 0; i < STALL_RECTS; i++) {
		rects[i].right = STALL_W;
		rects[i].bottom = h;
	}
	put_clip(clip, rects, STALL_RECTS, sizeof(rects));
	return 0;
}

/*
 * How many slow fills keep the device busy for 0.5-1 s: more each time
 * until one UPDATE_AREA of them waits 500 ms.  *n the count, *waited that
 * UPDATE_AREA's wait.
 */
static int slow_calibrate(struct buf *s, struct buf *clip, unsigned int *n, double *waited)
{
	unsigned int i, f;
	double t0;
	int ret = 0;

	*n = 8;
	for (i = 0; i < 10 && !ret; i++) {
		ret = queue_slow(s->handle, clip, *n, NULL);
		t0 = now_ms();
		if (!ret)
			ret = update_area(s->handle, 0, 0, STALL_W, STALL_W);
		*waited = now_ms() - t0;
		printf("# %u slow fills: UPDATE_AREA waited %.0f ms (%s)\n", *n, *waited,
		       err_name(ret));
		if (*waited >= 500)
			break;
		f = *waited < 250 ? 4 : 2;
		*n = *n * f > 4000 ? 4000 : *n * f;
	}
	return ret;
}

/* A bystander: mmap/munmap (mmap_lock for writing) or small draws, timed. */
struct bystander {
	const char *what;
	volatile int stop;
	int draw;		/* 1: a surface of its own, 2: the screen, 0: mmap */
	unsigned long calls;
	int errors, last_error;
	double worst_ms;
};

static void *bystander_run(void *arg)
{
	struct bystander *b = arg;
	double t0, dt;
	struct buf s;
	void *p;
	int ret;

	while (!b->stop) {
		t0 = now_ms();
		if (b->draw == 2) {
			/* an innocent client drawing on the screen: no surface id needed */
			ret = fill(0, 0, 0, 16, 16, 0x00000100 * (uint32_t)(b->calls & 0xff));
		} else if (b->draw) {
			/* an innocent client: its own small surface, drawn and closed */
			ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 16, 16, 64);
			if (!ret)
				ret = fill(s.handle, 0, 0, 16, 16, 0x00ff0000);
			buf_free(&s);
		} else {
			p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);
			ret = p == MAP_FAILED ? -errno : munmap(p, 1 << 16);
		}
		dt = now_ms() - t0;
		if (ret) {
			b->errors++;
			b->last_error = ret;
		}
		if (dt > b->worst_ms)
			b->worst_ms = dt;
		b->calls++;
		/*
		 * 3 commands every 300 ms: the device takes none while it renders
		 * for an UPDATE_AREA, and its ring has 32 slots
		 */
		usleep(b->draw ? 300000 : 2000);
	}
	return NULL;
}

/*
 * The bystander's verdict while the waiter (what waited) waited: no error,
 * and its worst call well below that wait.
 */
static void bystander_judge(const char *part, const char *waiter, double waited,
			    const struct bystander *b)
{
	ok(!b->errors, "%s: %s meanwhile: expected no error, got %d (last %s)", part, b->what,
	   b->errors, err_name(b->last_error));
	ok(b->worst_ms * 4 < waited,
	   "%s: %s waiting for the device stalls no other client: expected the worst %s below a quarter of the %.0f ms wait, got %.0f ms",
	   part, waiter, b->what, waited, b->worst_ms);
}

#define EVICT_MAX_IDS	8192

/*
 * evict: a client makes the driver evict a surface the device has seconds
 * of rendering queued on (the device writes it back first), and must not
 * hold the driver's locks meanwhile.  Every other surface id is taken by a
 * surface named after the slow one (by commands refused after their
 * relocations: the surface exists, the device keeps no drawable for it, so
 * spice-server's 1,000-drawable limit does not render the slow fills
 * early), so the slow surface is the least recently used.  Meanwhile
 * another client draws on the screen (timed) and a third thread draws a
 * marker on the surface being evicted: the marker must survive (destroying
 * the surface after that draw went to the device would lose it).
 */
struct evict_marker {
	uint32_t handle;
	int ret;
};

static void *evict_marker_run(void *arg)
{
	struct evict_marker *m = arg;

	usleep(300000);
	m->ret = fill(m->handle, 0, 0, 8, 8, 0x00abcdef);
	return NULL;
}

static int touch_surface(uint32_t handle)
{
	struct cmd c;

	/* the bbox leaves the 16x16 surface: refused once the surface exists */
	cmd_init(&c, QXL_DRAW_FILL, 0, 0, 32, 32);
	c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
	c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(&c, handle);
	return cmd_submit(&c);
}

static void evict_alarm(int sig)
{
	(void)sig;
}

/*
 * The two commands of one call: surface m's contents moved right by one
 * pixel (COPY_BITS), then a draw on surface t.  Sent again (the call
 * restarted after a signal), m would move further.
 */
static int shift_then_fill(uint32_t m, uint32_t t)
{
	struct drm_qxl_command dc[2];
	struct drm_qxl_execbuffer eb = { .commands = (uintptr_t)dc, .commands_num = 2 };
	struct cmd c[2];
	unsigned int i;

	cmd_init(&c[0], QXL_COPY_BITS, 1, 0, 15, 16);
	cmd_target(&c[0], m);
	cmd_init(&c[1], QXL_DRAW_FILL, 0, 0, 16, 16);
	c[1].d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
	c[1].d.u.fill.brush.u.color = 0x00123456;
	c[1].d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(&c[1], t);
	for (i = 0; i < 2; i++)
		dc[i] = cmd_entry(&c[i]);
	return xioctl(DRM_IOCTL_QXL_EXECBUFFER, &eb);
}

static void stall_evict(struct buf *s, struct buf *clip, unsigned int n)
{
	static struct buf bufs[EVICT_MAX_IDS + 1];
	long long n_ids = qxl_debugfs_counter("qxl_objects", "surface_ids");
	long long live;
	long long ev0 = qxl_debugfs_counter("qxl_objects", "surfaces_evicted");
	struct itimerval every20ms = { { 0, 20000 }, { 0, 20000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = evict_alarm, .sa_flags = SA_RESTART };
	sigset_t alrm;
	struct buf m;
	struct evict_marker mark = { .handle = s->handle };
	unsigned int i, made = 0;
	pthread_t th, mth;
	struct bystander by;
	double t0, waited;
	int ret, marking;

	/* seconds of rendering queued on s, then m: s is used last but for m */
	/* (spice-server renders the oldest beyond 1,000 drawables anyway) */
	ret = queue_slow(s->handle, clip, 3 * n > 990 ? 990 : 3 * n, NULL);
	expect_ret(ret, 0, "evict: slow fills queued on the surface to be evicted");
	if (!ret)
		ret = buf_surf(&m, QXL_SURFACE_FMT_32_XRGB, 16, 16, 64);
	if (!ret)
		ret = fill(m.handle, 0, 0, 16, 16, 0);
	if (!ret)
		ret = fill(m.handle, 5, 5, 1, 1, 0x00ffffff);
	expect_ret(ret, 0, "evict: surface m, black with a white pixel at (5,5)");
	if (ret)
		return;
	live = qxl_debugfs_counter("qxl_objects", "surfaces_live");
	if (n_ids < 2 || live < 0 || n_ids - live > EVICT_MAX_IDS) {
		ok(0, "evict: expected readable qxl_objects counters, got surface_ids %lld, surfaces_live %lld",
		   n_ids, live);
		buf_free(&m);
		return;
	}
	/* every free id (0 is the screen's) taken, each by a surface used after s and m */
	for (i = 0; !ret && i < n_ids - 1 - live; i++) {
		ret = buf_surf(&bufs[i], QXL_SURFACE_FMT_32_XRGB, 16, 16, 64);
		if (!ret) {
			made++;
			ret = touch_surface(bufs[i].handle);
			ret = ret == -EINVAL ? 0 : ret ? ret : -EPROTO;
		}
	}
	expect_ret(ret, 0, "evict: every free surface id taken (a refused command each)");
	ok(qxl_debugfs_counter("qxl_objects", "surfaces_evicted") == ev0,
	   "evict: the setup evicted nothing yet: expected surfaces_evicted %lld, got %lld",
	   ev0, qxl_debugfs_counter("qxl_objects", "surfaces_evicted"));
	memset(&by, 0, sizeof(by));
	by.what = "another client's screen draw";
	by.draw = 2;
	/* SIGALRM for this thread only: the other threads block it */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	if (ret || pthread_create(&th, NULL, bystander_run, &by)) {
		pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
		goto out;
	}
	usleep(100000);
	marking = !pthread_create(&mth, NULL, evict_marker_run, &mark);
	if (!marking)
		mark.ret = -errno;
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	/*
	 * One more surface: s, the least recently used, is evicted for it, in
	 * the second command of a call whose first moves m's pixels, with a
	 * signal every 20 ms (as Xorg's scheduler sends itself)
	 */
	ret = buf_surf(&bufs[made], QXL_SURFACE_FMT_32_XRGB, 16, 16, 64);
	if (!ret)
		made++;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every20ms, NULL);
	t0 = now_ms();
	if (!ret)
		ret = shift_then_fill(m.handle, bufs[made - 1].handle);
	waited = now_ms() - t0;
	setitimer(ITIMER_REAL, &off, NULL);
	if (marking)
		pthread_join(mth, NULL);
	usleep(150000);
	by.stop = 1;
	pthread_join(th, NULL);
	printf("# evict: the draw that evicted waited %.0f ms; another client's %lu screen draws, worst %.0f ms\n",
	       waited, by.calls, by.worst_ms);
	expect_ret(ret, 0, "evict: m moved by a pixel, then a draw on a new surface with every id in use, signals every 20 ms");
	ok(qxl_debugfs_counter("qxl_objects", "surfaces_evicted") > ev0,
	   "evict: a surface was evicted: expected surfaces_evicted above %lld, got %lld", ev0,
	   qxl_debugfs_counter("qxl_objects", "surfaces_evicted"));
	ok(waited >= 500,
	   "evict: the write-back waited for the device (the adversary's setup): expected >= 500 ms, got %.0f ms",
	   waited);
	bystander_judge("evict", "an eviction", waited, &by);
	/* the marker drawn on s during its write-back is not lost */
	expect_ret(mark.ret, 0, "evict: a fill on the surface being evicted, during its write-back");
	ret = update_area(s->handle, 0, 0, 8, 8);
	if (!ret && !s->map)
		ret = buf_map(s);
	expect_ret(ret, 0, "evict: UPDATE_AREA and a mapping of the evicted surface");
	if (!ret)
		ok((pixel(s, STALL_W * 4, STALL_W, 0, 0) & 0xffffff) == 0xabcdef,
		   "evict: the fill made during the write-back is kept: expected 0xabcdef at (0,0), got 0x%06x",
		   pixel(s, STALL_W * 4, STALL_W, 0, 0) & 0xffffff);
	/* the call's first command went out once, signals or not */
	ret = update_area(m.handle, 0, 0, 16, 16);
	if (!ret)
		ret = buf_map(&m);
	expect_ret(ret, 0, "evict: UPDATE_AREA and a mapping of m");
	for (i = 0; !ret && i < 16 && (pixel(&m, 64, 16, i, 5) & 0xffffff) != 0xffffff; i++)
		;
	if (!ret)
		ok(i == 6,
		   "evict: a call interrupted by signals while it made room sends its earlier command once: expected m's white pixel moved once, to x = 6, got x = %u (16: none)",
		   i);
out:
	for (i = 0; i < made; i++)
		buf_free(&bufs[i]);
	buf_free(&m);
}

/*
 * One client cannot stall the others through the device.  Each part queues
 * a few seconds of rendering, then
 *  fault:  a thread writes a buffer whose clip list the last command still
 *          uses (write-protected until released): the write waits for the
 *          device, and must not hold the process's mmap_lock meanwhile
 *          (another thread's mmap() then stalls for as long);
 *  update: UPDATE_AREA of the busy surface waits for the device, and must
 *          not hold the driver's objects lock meanwhile (another client's
 *          ALLOC_SURF + draw + close then stalls for as long);
 *  evict:  see stall_evict().
 * The bystander's worst call must stay well below the waiter's wait.
 */
static void test_stall(const char *only)
{
	unsigned int n = 0;
	struct bystander by;
	struct buf s, clip, x;
	double t0, waited = 0;
	pthread_t th;
	struct cmd c;
	int ret, calibrated;

	if (slow_setup(&s, &clip, STALL_W))
		return;

	/* update (also finds how many slow fills keep the device busy for 0.5-1 s) */
	memset(&by, 0, sizeof(by));
	by.what = "another client's surface draw";
	by.draw = 1;
	if (pthread_create(&th, NULL, bystander_run, &by)) {
		ok(0, "bystander thread: expected pthread_create to work, got %s", strerror(errno));
		goto out;
	}
	ret = slow_calibrate(&s, &clip, &n, &waited);
	calibrated = !ret;
	usleep(150000);
	by.stop = 1;
	pthread_join(th, NULL);
	printf("# update: UPDATE_AREA waited %.0f ms; another client's %lu surface draws, worst %.0f ms\n",
	       waited, by.calls, by.worst_ms);
	expect_ret(ret, 0, "update: slow fills queued, UPDATE_AREA of the busy surface");
	ok(waited >= 500,
	   "update: the device was busy (the adversary's setup): expected UPDATE_AREA to wait >= 500 ms, got %.0f ms",
	   waited);
	if (!only || !strcmp(only, "update")) {
		bystander_judge("update", "UPDATE_AREA", waited, &by);
	}

	if (!ret && (!only || !strcmp(only, "fault"))) {
		ret = buf_alloc(&x, 4096);
		if (!ret)
			ret = buf_map(&x);
		if (!ret) {
			put_clip_at(&x, 0, 1);
			cmd_init(&c, QXL_DRAW_FILL, 0, 0, 8, 8);
			c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
			c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
			cmd_target(&c, s.handle);
			cmd_clip(&c, x.handle);
			ret = queue_slow(s.handle, &clip, n, &c);
		}
		expect_ret(ret, 0, "fault: slow fills queued, then a fill clipped by a list in buffer X");
		memset(&by, 0, sizeof(by));
		by.what = "another thread's mmap+munmap";
		if (!ret && !pthread_create(&th, NULL, bystander_run, &by)) {
			usleep(100000);
			t0 = now_ms();
			/* protected until the device released the fill: waits */
			x.map[2048] = 1;
			waited = now_ms() - t0;
			usleep(100000);
			by.stop = 1;
			pthread_join(th, NULL);
			printf("# fault: the write waited %.0f ms; another thread's %lu mmap+munmap, worst %.0f ms\n",
			       waited, by.calls, by.worst_ms);
			ok(waited >= 300,
			   "fault: the device held buffer X (the adversary's setup): expected the write to wait >= 300 ms, got %.0f ms",
			   waited);
			bystander_judge("fault", "a write to a protected buffer", waited, &by);
		}
		buf_free(&x);
	}
	if (calibrated && (!only || !strcmp(only, "evict")))
		stall_evict(&s, &clip, n);
	ok(qxl_debugfs_counter("qxl_status", "device_dead") == 0,
	   "device alive: expected device_dead 0, got %lld", qxl_debugfs_counter("qxl_status", "device_dead"));
out:
	buf_free(&clip);
	buf_free(&s);
}

/* ---- busy: an UPDATE_AREA that takes longer than the I/O timeout ---- */

/*
 * A client may queue more rendering than the driver's 5 s I/O timeout
 * before it asks for an UPDATE_AREA: spice-server keeps up to 1,000
 * drawables unrendered, and one XOR fill with a tiled brush over a
 * 2048x4096 surface takes it several milliseconds.  The device is then busy, not
 * broken: the update completes, and the device is not reset for it (a
 * reset costs every client its off-screen surfaces, and QEMU stops the
 * vCPU that writes it until the worker is done anyway).
 */
static void test_busy(void)
{
	long long rec0 = qxl_debugfs_counter("qxl_status", "recoveries");
	unsigned int n = 8, i;
	struct buf s, clip, pat;
	double waited = 0, t0;
	int ret;

	if (slow_setup(&s, &clip, BUSY_H))
		return;
	ret = make_image(&pat, 61, 61, 0x00030507);
	expect_ret(ret, 0, "a 61x61 pattern image");
	/* more fills each time until one UPDATE_AREA waits past 5.5 s */
	for (i = 0; i < 8 && !ret && waited < 5500; i++) {
		ret = queue_slow_with(s.handle, &clip, pat.handle, BUSY_H, n, NULL);
		t0 = now_ms();
		if (!ret)
			ret = update_area(s.handle, 0, 0, STALL_W, BUSY_H);
		waited = now_ms() - t0;
		printf("# %u tiled XOR fills: UPDATE_AREA waited %.0f ms (%s)\n", n, waited,
		       err_name(ret));
		if (waited < 5500)
			n = waited < 100 ? n * 8 : (unsigned int)(n * 8000 / waited) + 1;
		if (n > 1000)
			n = 1000;
	}
	expect_ret(ret, 0, "UPDATE_AREA of a surface with slow fills queued");
	ok(waited >= 5500,
	   "the adversary's setup: expected an UPDATE_AREA to wait past the 5 s I/O timeout, got %.0f ms for %u fills",
	   waited, n);
	ok(qxl_debugfs_counter("qxl_status", "recoveries") == rec0 &&
	   qxl_debugfs_counter("qxl_status", "device_dead") == 0,
	   "a busy device is not reset: expected recoveries %lld and device_dead 0, got %lld and %lld",
	   rec0, qxl_debugfs_counter("qxl_status", "recoveries"),
	   qxl_debugfs_counter("qxl_status", "device_dead"));
	/* nothing was lost: a fill afterwards reads back */
	ret = fill(s.handle, 0, 0, 8, 8, 0x00abcdef);
	if (!ret)
		ret = update_area(s.handle, 0, 0, 8, 8);
	if (!ret)
		ret = buf_map(&s);
	expect_ret(ret, 0, "a fill, UPDATE_AREA and a mapping of the surface afterwards");
	if (!ret)
		ok((pixel(&s, STALL_W * 4, BUSY_H, 0, 0) & 0xffffff) == 0xabcdef,
		   "the fill afterwards is rendered: expected 0xabcdef at (0,0), got 0x%06x",
		   pixel(&s, STALL_W * 4, BUSY_H, 0, 0) & 0xffffff);
	buf_free(&pat);
	buf_free(&clip);
	buf_free(&s);
}

/* ---- faultrace: device faults while other clients submit ---- */

struct fr_client {
	volatile int stop;
	struct buf *slow, *clip, *pat;	/* set: queue slow fills on slow */
	unsigned long calls, eio;
	int other_error;
};

/*
 * A client filling its own small surface and reading it back, or (slow
 * set) keeping the ring full of slow fills, non-stop.
 */
static void *fr_client_run(void *arg)
{
	struct fr_client *c = arg;
	struct buf s;
	int ret;

	while (!c->stop) {
		if (c->slow) {
			/* about a second of work queued, then waited for */
			ret = queue_slow_with(c->slow->handle, c->clip, c->pat->handle, BUSY_H,
					      STALL_BATCH, NULL);
			if (!ret)
				ret = update_area(c->slow->handle, 0, 0, STALL_W, BUSY_H);
			goto counted;
		}
		ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 32, 32, 128);
		if (!ret)
			ret = fill(s.handle, 0, 0, 32, 32, 0x00336699);
		if (!ret)
			ret = fill(s.handle, 4, 4, 8, 8, 0x00996633);
		if (!ret)
			ret = update_area(s.handle, 0, 0, 32, 32);
		buf_free(&s);
counted:
		c->calls++;
		/* a faulted device refuses commands until it is back */
		if (ret == -EIO)
			c->eio++;
		else if (ret && ret != -EINTR)
			c->other_error = ret;
	}
	return NULL;
}

static int fr_inject(const char *what)
{
	int f = open("/sys/kernel/debug/dri/0/inject_device_error", O_WRONLY);
	int ret = 0;

	if (f < 0)
		return -errno;
	if (write(f, what, strlen(what)) != (ssize_t)strlen(what))
		ret = -errno;
	close(f);
	return ret;
}

/*
 * Issue 17: the device reports a guest bug N times while two other
 * clients keep submitting.  The recovery resets the device and drops
 * every command it held; a command being pushed meanwhile was dropped
 * there AND retired by its submitter when the push failed (old code:
 * WARNING in dma_fence_set_error, then "refcount_t: underflow;
 * use-after-free").  The kernel log check fails the test on any warning.
 *
 * late: each guest bug is handled 2 s late ("guest-bug-late"), while the
 * busy client's commands wait in the ring.  spice-server's worker then
 * loops for ever (a command refused, the ring not empty), and QEMU's
 * reset waits for it: a driver without the take-back (qxl_ring_retract)
 * froze the guest for good at the first such fault in 6 runs of 7 (all
 * 4 since the test waits for commands in the ring); plain faultrace 20
 * froze 3 runs in 9 before.  The driver's counters show each fault was
 * handled late and commands were taken back.
 */
static void test_faultrace(int rounds, int late)
{
	long long rec0 = qxl_debugfs_counter("qxl_status", "recoveries");
	long long late0 = qxl_debugfs_counter("qxl_status", "errors_late");
	long long back0 = qxl_debugfs_counter("qxl_status", "late_commands_retracted");
	struct buf slow, clip, pat;
	struct fr_client c[2];
	pthread_t th[2];
	int i, r, ret = 0, waiting = 0;
	long long used = 0;
	double t0;

	if (system("qh-expect-guest-bug 'QXL_IO_MEMSLOT_ADD: val out of range'") ||
	    system("qh-expect-klog 'device reports a guest bug'")) {
		ok(0, "declare the provoked guest bugs to the harness: expected exit 0");
		return;
	}
	memset(c, 0, sizeof(c));
	if (slow_setup(&slow, &clip, BUSY_H))
		return;
	ret = make_image(&pat, 61, 61, 0x00030507);
	expect_ret(ret, 0, "a 61x61 pattern image");
	if (ret)
		goto out;
	/* one client keeps the device busy: faults come while it renders and commands wait */
	c[0].slow = &slow;
	c[0].clip = &clip;
	c[0].pat = &pat;
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, fr_client_run, &c[i])) {
			ok(0, "client thread: expected pthread_create to work, got %s", strerror(errno));
			c[0].stop = 1;
			if (i)
				pthread_join(th[0], NULL);
			goto out;
		}
	for (r = 0; r < rounds && !ret; r++) {
		usleep(100000 + (r % 5) * 37000);
		/* late: the hang needs commands waiting in the ring, give them 3 s to come */
		t0 = now_ms();
		while (late && (used = qxl_debugfs_counter("qxl_status", "command_ring")) < 2 &&
		       now_ms() - t0 < 3000)
			usleep(5000);
		if (late && used >= 2)
			waiting++;
		ret = fr_inject(late ? "guest-bug-late" : "guest-bug");
		/* back before the next one: a recovery takes well under a second */
		t0 = now_ms();
		while (!ret && qxl_debugfs_counter("qxl_status", "recoveries") < rec0 + r + 1 &&
		       now_ms() - t0 < 10000)
			usleep(20000);
	}
	for (i = 0; i < 2; i++) {
		c[i].stop = 1;
		pthread_join(th[i], NULL);
	}
	printf("# %d guest bugs; the clients' %lu and %lu rounds, %lu and %lu refused while faulted\n",
	       r, c[0].calls, c[1].calls, c[0].eio, c[1].eio);
	expect_ret(ret, 0, "inject_device_error guest-bug");
	if (late) {
		long long nlate = qxl_debugfs_counter("qxl_status", "errors_late") - late0;
		long long nback = qxl_debugfs_counter("qxl_status", "late_commands_retracted") -
				  back0;

		printf("# %d of %d injected with commands waiting; %lld commands taken back\n",
		       waiting, rounds, nback);
		ok(late0 >= 0 && nlate == rounds && nback > 0,
		   "every guest bug handled late, commands taken back: expected %d and more than 0, got %lld and %lld",
		   rounds, nlate, nback);
	}
	ok(qxl_debugfs_counter("qxl_status", "recoveries") == rec0 + rounds &&
	   qxl_debugfs_counter("qxl_status", "device_dead") == 0,
	   "every fault recovered: expected recoveries %lld and device_dead 0, got %lld and %lld",
	   rec0 + rounds, qxl_debugfs_counter("qxl_status", "recoveries"),
	   qxl_debugfs_counter("qxl_status", "device_dead"));
	ok(!c[0].other_error && !c[1].other_error,
	   "the clients got 0 or -EIO (faulted device) only: got %s and %s",
	   err_name(c[0].other_error), err_name(c[1].other_error));
	ok(c[0].calls > (unsigned long)rounds && c[1].calls > (unsigned long)rounds,
	   "the clients kept submitting through the faults: expected more than %d rounds each, got %lu and %lu",
	   rounds, c[0].calls, c[1].calls);
	{
		struct buf s;

		ret = buf_surf(&s, QXL_SURFACE_FMT_32_XRGB, 16, 16, 64);
		if (!ret)
			ret = fill(s.handle, 0, 0, 16, 16, 0x00445566);
		if (!ret)
			ret = update_area(s.handle, 0, 0, 16, 16);
		if (!ret)
			ret = buf_map(&s);
		expect_ret(ret, 0, "a surface, a fill and UPDATE_AREA after the faults");
		if (!ret)
			ok((pixel(&s, 64, 16, 5, 5) & 0xffffff) == 0x445566,
			   "the device draws after the faults: expected 0x445566 at (5,5), got 0x%06x",
			   pixel(&s, 64, 16, 5, 5) & 0xffffff);
		buf_free(&s);
	}
out:
	buf_free(&pat);
	buf_free(&clip);
	buf_free(&slow);
}

/* ---- primaryrace: modesets resizing the primary while commands draw on it ---- */

/*
 * Issue 14 item 12: EXECBUFFER checked a command against the primary's
 * size without primary_lock, so a modeset between the check and the push
 * could leave a checked bbox outside a smaller primary (spice-server drops
 * it; the ring validator's bbox rule catches it in the record).  One
 * thread flips head 0 between its preferred mode and a smaller one on the
 * same framebuffer; the main thread keeps filling the preferred mode's
 * bottom-right corner, which only the larger primary has.
 */
struct prace {
	struct shown *s;
	drmModeModeInfo big, small;
	volatile int stop;
	unsigned int flips;
};

static void *prace_flipper(void *arg)
{
	struct prace *p = arg;

	while (!p->stop) {
		drmModeModeInfo *m = (p->flips & 1) ? &p->big : &p->small;

		if (drmModeSetCrtc(fd, p->s->res->crtcs[0], p->s->fb, 0, 0,
				   &p->s->res->connectors[0], 1, m) == 0)
			p->flips++;
	}
	return NULL;
}

static void test_primaryrace(int seconds)
{
	struct prace p = { 0 };
	struct shown s;
	unsigned long accepted = 0, refused = 0, other = 0;
	pthread_t thr;
	time_t end;
	struct cmd c;
	int i, ret;

	ret = show_dumb(&s, rows_pattern);
	expect_ret(ret, 0, "a dumb framebuffer shown on head 0 in its preferred mode");
	if (ret)
		return;
	p.s = &s;
	p.big = s.conn->modes[0];
	for (i = 0; i < s.conn->count_modes; i++)
		if (s.conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			p.big = s.conn->modes[i];
	p.small = p.big;
	for (i = 0; i < s.conn->count_modes; i++)
		if (s.conn->modes[i].hdisplay < p.small.hdisplay &&
		    s.conn->modes[i].vdisplay < p.small.vdisplay)
			p.small = s.conn->modes[i];
	ok(p.small.hdisplay < p.big.hdisplay, "a smaller mode than %ux%u: expected one, got %ux%u",
	   p.big.hdisplay, p.big.vdisplay, p.small.hdisplay, p.small.vdisplay);
	if (p.small.hdisplay >= p.big.hdisplay || pthread_create(&thr, NULL, prace_flipper, &p)) {
		unshow_dumb(&s);
		return;
	}
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		cmd_init(&c, QXL_DRAW_FILL, p.big.hdisplay - 16, p.big.vdisplay - 16, 16, 16);
		c.d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		c.d.u.fill.brush.u.color = 0x00ff00ff;
		c.d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
		cmd_reloc(&c, QXL_RELOC_TYPE_SURF, 0, offsetof(struct qxl_drawable, surface_id), 0, 0);
		ret = cmd_submit(&c);
		if (!ret)
			accepted++;
		else if (ret == -EINVAL)
			refused++;
		else
			other++;
	}
	p.stop = 1;
	pthread_join(thr, NULL);
	printf("# %u modesets %ux%u <-> %ux%u; corner fills: %lu accepted, %lu refused, %lu other\n",
	       p.flips, p.big.hdisplay, p.big.vdisplay, p.small.hdisplay, p.small.vdisplay,
	       accepted, refused, other);
	ok(other == 0 && accepted > 0 && refused > 0,
	   "corner fills accepted while the primary is large and refused while small: expected both and no other error, got %lu accepted, %lu refused, %lu other",
	   accepted, refused, other);
	unshow_dumb(&s);
}

/* ---- aborts: each way spice-server 0.15 aborts (or drops) on guest input ---- */

/*
 * One row per way spice-server 0.15 aborts QEMU, or drops a drawable, on
 * input a client can send through EXECBUFFER (../shared/reference/
 * qemu-qxl-device-facts.md §4.2-4.4, and what tests/fuzz/qxlfuzz found),
 * each with a well-formed neighbour that must still be accepted.  Every
 * command is followed by an UPDATE_AREA of its target, so that
 * spice-server renders it at once: on a kernel that lets one through, QEMU
 * aborts there (the harness fails the test on exit 134) or the refusal
 * assertion fails.
 */
struct ab_ctx {
	struct buf s;		/* 64x64 32_xRGB target */
	struct buf s1;		/* 64x64 1_A surface */
	struct buf t1;		/* a second 1_A surface, target of 1_A draws */
	struct buf img;		/* images, palettes, chunks (mapped, 4096 bytes) */
	struct buf aux;		/* clip lists, paths, strings (mapped, 4096 bytes) */
	struct buf big;		/* 512 KiB of pixels */
	uint32_t target;	/* the surface update_area renders afterwards */
};

/* A 4x4 bitmap of the given format at img offset 0: chunk at IMG_CHUNK, palette at 1024. */
static void ab_bitmap(struct ab_ctx *x, struct cmd *c, uint8_t format, uint32_t bpp)
{
	struct qxl_palette pal = { .num_ents = 256 };

	write_image_headers(x->img.map, 4, 4);
	poke(&x->img, IMG_FIELD(u.bitmap.format), format, 1);
	poke(&x->img, IMG_FIELD(u.bitmap.stride), (4 * bpp + 7) / 8, 4);
	poke(&x->img, CHUNK_FIELD(data_size), 4 * ((4 * bpp + 7) / 8), 4);
	memcpy(x->img.map + 1024, &pal, sizeof(pal));
	cmd_reloc(c, QXL_RELOC_TYPE_BO, x->img.handle, IMG_FIELD(u.bitmap.data), x->img.handle,
		  IMG_CHUNK);
	if (bpp <= 8)
		cmd_reloc(c, QXL_RELOC_TYPE_BO, x->img.handle, IMG_FIELD(u.bitmap.palette),
			  x->img.handle, 1024);
}

/* COPY (or another op with the same src_bitmap/src_area layout) of a 4x4 image onto surf. */
static void ab_copy(struct ab_ctx *x, struct cmd *c, uint8_t type, uint32_t surf)
{
	cmd_init(c, type, 0, 0, 4, 4);
	c->d.u.copy.src_area.right = 4;
	c->d.u.copy.src_area.bottom = 4;
	c->d.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(c, surf);
	cmd_reloc(c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap),
		  x->img.handle, 0);
	x->target = surf;
}

static void ab_copy32(struct ab_ctx *x, struct cmd *c)
{
	ab_copy(x, c, QXL_DRAW_COPY, x->s.handle);
	ab_bitmap(x, c, QXL_BITMAP_FMT_32BIT, 32);
}

static void ab_raw_slot(struct ab_ctx *x, struct cmd *c)
{
	ab_copy32(x, c);
	c->n = 1;	/* the target relocation only */
	c->d.u.copy.src_bitmap = 0xff00000000000000ULL;
}

static void ab_raw_gen(struct ab_ctx *x, struct cmd *c)
{
	ab_raw_slot(x, c);
	c->d.u.copy.src_bitmap = 0x00ff000000000000ULL;
}

static void ab_fill(struct ab_ctx *x, struct cmd *c, uint32_t surf)
{
	cmd_init(c, QXL_DRAW_FILL, 0, 0, 8, 8);
	c->d.u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
	c->d.u.fill.brush.u.color = 0x00ffffff;
	c->d.u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(c, surf);
	x->target = surf;
}

static void ab_fill32(struct ab_ctx *x, struct cmd *c)
{
	ab_fill(x, c, x->s.handle);
}

static void ab_fill1(struct ab_ctx *x, struct cmd *c)
{
	ab_fill(x, c, x->t1.handle);
}

static void ab_nop(struct ab_ctx *x, struct cmd *c)
{
	ab_fill32(x, c);
	c->d.type = QXL_DRAW_NOP;
}

static void ab_clip(struct ab_ctx *x, struct cmd *c)
{
	struct qxl_rect r[2] = { { 0, 0, 4, 4 }, { 4, 4, 8, 8 } };

	ab_fill32(x, c);
	put_clip(&x->aux, r, 2, sizeof(r[0]));
	cmd_clip(c, x->aux.handle);
}

/* A STROKE of a one-segment path of npts points (flags) at aux offset 0. */
static void ab_stroke(struct ab_ctx *x, struct cmd *c, uint32_t flags, uint32_t count,
		      uint32_t npts)
{
	struct qxl_path path = { 0 };
	struct qxl_path_seg seg = { .flags = flags, .count = count };
	struct qxl_point_fix pts[4] = {
		{ 1 << 4, 1 << 4 }, { 2 << 4, 6 << 4 }, { 5 << 4, 6 << 4 }, { 6 << 4, 1 << 4 },
	};

	path.data_size = sizeof(seg) + npts * sizeof(pts[0]);
	path.chunk.data_size = path.data_size;
	memcpy(x->aux.map, &path, sizeof(path));
	memcpy(x->aux.map + sizeof(path), &seg, sizeof(seg));
	memcpy(x->aux.map + sizeof(path) + sizeof(seg), pts, npts * sizeof(pts[0]));
	cmd_init(c, QXL_DRAW_STROKE, 0, 0, 8, 8);
	cmd_target(c, x->s.handle);
	c->d.u.stroke.brush.type = QXL_BRUSH_TYPE_SOLID;
	c->d.u.stroke.brush.u.color = 0x00ffffff;
	c->d.u.stroke.fore_mode = QXL_ROPD_OP_PUT;
	c->d.u.stroke.back_mode = QXL_ROPD_OP_PUT;
	cmd_reloc(c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.stroke.path),
		  x->aux.handle, 0);
	x->target = x->s.handle;
}

static void ab_stroke_ok(struct ab_ctx *x, struct cmd *c)
{
	ab_stroke(x, c, QXL_PATH_BEGIN | QXL_PATH_END | QXL_PATH_BEZIER, 4, 4);
}

static void ab_stroke_count(struct ab_ctx *x, struct cmd *c)
{
	ab_stroke(x, c, QXL_PATH_BEGIN | QXL_PATH_END, 3, 2);
}

static void ab_stroke_bezier(struct ab_ctx *x, struct cmd *c)
{
	ab_stroke(x, c, QXL_PATH_BEGIN | QXL_PATH_END | QXL_PATH_BEZIER, 2, 2);
}

static void ab_stroke_style(struct ab_ctx *x, struct cmd *c)
{
	ab_stroke(x, c, QXL_PATH_BEGIN | QXL_PATH_END, 2, 2);
	c->d.u.stroke.attr.flags = QXL_LINE_FLAGS_STYLED;
	c->d.u.stroke.attr.style_nseg = 2;
}

/* A styled line whose dash lengths (28.4 fixed point) are at aux offset 2048. */
static void ab_stroke_dashes(struct ab_ctx *x, struct cmd *c, int32_t a, int32_t b)
{
	int32_t style[2] = { a, b };

	ab_stroke(x, c, QXL_PATH_BEGIN | QXL_PATH_END, 2, 2);
	memcpy(x->aux.map + 2048, style, sizeof(style));
	c->d.u.stroke.attr.flags = QXL_LINE_FLAGS_STYLED;
	c->d.u.stroke.attr.style_nseg = 2;
	cmd_reloc(c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.stroke.attr.style),
		  x->aux.handle, 2048);
}

static void ab_stroke_dash_ok(struct ab_ctx *x, struct cmd *c)
{
	ab_stroke_dashes(x, c, 3 << 4, 1 << 4);
}

static void ab_stroke_dash_half(struct ab_ctx *x, struct cmd *c)
{
	ab_stroke_dashes(x, c, 8, 8);
}

static void ab_stroke_dash_256(struct ab_ctx *x, struct cmd *c)
{
	ab_stroke_dashes(x, c, 256 << 4, 2 << 4);
}

/* A TEXT of one 2x2 glyph (string flags, length) at aux offset 0. */
static void ab_text(struct ab_ctx *x, struct cmd *c, uint16_t flags, uint32_t length,
		    uint16_t fore_mode)
{
	struct qxl_string str = { 0 };
	struct qxl_raster_glyph g = { .width = 2, .height = 2 };
	uint32_t gsize = sizeof(g) + 4;

	str.data_size = gsize;
	str.length = length;
	str.flags = flags;
	str.chunk.data_size = gsize;
	g.render_pos.x = 3;
	g.render_pos.y = 3;
	memcpy(x->aux.map, &str, sizeof(str));
	memcpy(x->aux.map + sizeof(str), &g, sizeof(g));
	memset(x->aux.map + sizeof(str) + sizeof(g), 0xff, 4);
	cmd_init(c, QXL_DRAW_TEXT, 0, 0, 8, 8);
	cmd_target(c, x->s.handle);
	c->d.u.text.fore_brush.type = QXL_BRUSH_TYPE_SOLID;
	c->d.u.text.fore_brush.u.color = 0x00ffffff;
	c->d.u.text.fore_mode = fore_mode;
	c->d.u.text.back_mode = QXL_ROPD_OP_PUT;
	cmd_reloc(c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.text.str),
		  x->aux.handle, 0);
	x->target = x->s.handle;
}

static void ab_text_ok(struct ab_ctx *x, struct cmd *c)
{
	ab_text(x, c, QXL_STRING_FLAGS_RASTER_A8, 1, QXL_ROPD_OP_PUT);
}

static void ab_text_depths(struct ab_ctx *x, struct cmd *c)
{
	ab_text(x, c, QXL_STRING_FLAGS_RASTER_A8 | QXL_STRING_FLAGS_RASTER_A1, 1, QXL_ROPD_OP_PUT);
}

static void ab_text_length(struct ab_ctx *x, struct cmd *c)
{
	ab_text(x, c, QXL_STRING_FLAGS_RASTER_A8, 2, QXL_ROPD_OP_PUT);
}

static void ab_text_mode(struct ab_ctx *x, struct cmd *c)
{
	ab_text(x, c, QXL_STRING_FLAGS_RASTER_A8, 1, QXL_ROPD_OP_XOR);
}

/* COPY of a SURFACE image (surface src, or an id no relocation wrote) onto dst. */
static void ab_surface_img(struct ab_ctx *x, struct cmd *c, uint32_t dst, uint32_t src)
{
	struct qxl_image image = { 0 };

	image.descriptor.type = QXL_IMAGE_TYPE_SURFACE;
	image.descriptor.width = 4;
	image.descriptor.height = 4;
	image.u.surface_image.surface_id = 0x1234;
	memcpy(x->img.map, &image, sizeof(image));
	ab_copy(x, c, QXL_DRAW_COPY, dst);
	if (src)
		cmd_reloc(c, QXL_RELOC_TYPE_SURF, x->img.handle,
			  IMG_FIELD(u.surface_image.surface_id), src, 0);
}

static void ab_surface_dead(struct ab_ctx *x, struct cmd *c)
{
	ab_surface_img(x, c, x->s.handle, 0);
}

static void ab_no_src(struct ab_ctx *x, struct cmd *c)
{
	ab_copy32(x, c);
	c->n = 1;
	c->d.u.copy.src_bitmap = 0;
}

static void ab_1bit_le(struct ab_ctx *x, struct cmd *c)
{
	ab_copy(x, c, QXL_DRAW_COPY, x->s.handle);
	ab_bitmap(x, c, QXL_BITMAP_FMT_1BIT_LE, 1);
}

static void ab_1bit_be(struct ab_ctx *x, struct cmd *c)
{
	ab_copy(x, c, QXL_DRAW_COPY, x->s.handle);
	ab_bitmap(x, c, QXL_BITMAP_FMT_1BIT_BE, 1);
}

static void ab_indexed_on_1a(struct ab_ctx *x, struct cmd *c)
{
	ab_copy(x, c, QXL_DRAW_COPY, x->t1.handle);
	ab_bitmap(x, c, QXL_BITMAP_FMT_1BIT_BE, 1);
}

static void ab_1a_on_1a(struct ab_ctx *x, struct cmd *c)
{
	ab_surface_img(x, c, x->t1.handle, x->s1.handle);
}

static void ab_1a_on_32(struct ab_ctx *x, struct cmd *c)
{
	ab_surface_img(x, c, x->s.handle, x->s1.handle);
}

static void ab_area_wide(struct ab_ctx *x, struct cmd *c)
{
	ab_copy32(x, c);
	c->d.u.copy.src_area.left = 1;
	c->d.u.copy.src_area.right = 5;
}

static void ab_area_neg(struct ab_ctx *x, struct cmd *c)
{
	ab_copy32(x, c);
	c->d.u.copy.src_area.top = -1;
}

/* ROP3 of the 4x4 bitmap with a solid brush; code 0x96 (P ^ S ^ D) uses all operands. */
static void ab_rop3(struct ab_ctx *x, struct cmd *c)
{
	ab_copy(x, c, QXL_DRAW_ROP3, x->s.handle);
	ab_bitmap(x, c, QXL_BITMAP_FMT_32BIT, 32);
	c->d.u.rop3.src_area.left = 0;
	c->d.u.rop3.src_area.top = 0;
	c->d.u.rop3.src_area.right = 4;
	c->d.u.rop3.src_area.bottom = 4;
	c->d.u.rop3.brush.type = QXL_BRUSH_TYPE_SOLID;
	c->d.u.rop3.brush.u.color = 0x00123456;
	c->d.u.rop3.rop3 = 0x96;
	c->d.u.rop3.scale_mode = 0;
	memset(&c->d.u.rop3.mask, 0, sizeof(c->d.u.rop3.mask));
}

static void ab_rop3_src(struct ab_ctx *x, struct cmd *c)
{
	ab_rop3(x, c);
	c->d.u.rop3.rop3 = 0xcc;
}

/* the same area as the bbox: spice-server reads the source unscaled from (2, 2) */
static void ab_rop3_area(struct ab_ctx *x, struct cmd *c)
{
	ab_rop3(x, c);
	c->d.u.rop3.src_area.left = 2;
	c->d.u.rop3.src_area.right = 6;
}

/*
 * An 8-bit image whose header is also the rectangle data of a clip list
 * the same command names (the kernel's own palette write, after the
 * check): clip list at img offset 0, the image at 16, so that rect 0 is
 * the image's descriptor and bitmap size and rect 1's bottom and right
 * are its palette address.  The check reads them as rectangles; the
 * kernel then points the image at its padded palette copy, changing
 * checked bytes.  A 131072x1 bitmap keeps every rectangle valid (rect 0:
 * left = 65536 + width / 65536 <= right = width).  With a 32-bit image
 * (no palette copy, no kernel write) the same layout is accepted; flagged
 * QXL_IMAGE_CACHE, its id (bytes 16..23, the clip list's next-chunk link,
 * checked as 0) would get the kernel's id after the check.
 */
#define AB_OVL_IMG	16
#define AB_OVL_W	131072

static void ab_overlap(struct ab_ctx *x, struct cmd *c, int indexed, int cached)
{
	struct qxl_image image = { 0 };
	struct qxl_palette pal = { .num_ents = 256 };
	uint32_t bpp = indexed ? 8 : 32;

	memset(x->img.map, 0, 2048);
	put_clip_header(&x->img, 2, 2 * sizeof(struct qxl_rect));
	image.descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	image.descriptor.flags = cached ? QXL_IMAGE_CACHE : 0;
	image.descriptor.width = AB_OVL_W;
	image.descriptor.height = 1;
	image.u.bitmap.format = indexed ? QXL_BITMAP_FMT_8BIT : QXL_BITMAP_FMT_32BIT;
	image.u.bitmap.flags = QXL_BITMAP_TOP_DOWN | QXL_BITMAP_DIRECT;
	image.u.bitmap.x = AB_OVL_W;
	image.u.bitmap.y = 1;
	image.u.bitmap.stride = AB_OVL_W * bpp / 8;
	memcpy(x->img.map + AB_OVL_IMG, &image, sizeof(image));
	memcpy(x->img.map + 1024, &pal, sizeof(pal));
	x->target = x->s.handle;
	cmd_init(c, QXL_DRAW_COPY, 0, 0, 4, 1);
	c->d.u.copy.src_area.right = 4;
	c->d.u.copy.src_area.bottom = 1;
	c->d.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	cmd_target(c, x->s.handle);
	cmd_clip(c, x->img.handle);
	cmd_reloc(c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap),
		  x->img.handle, AB_OVL_IMG);
	cmd_reloc(c, QXL_RELOC_TYPE_BO, x->img.handle, AB_OVL_IMG + IMG_FIELD(u.bitmap.data),
		  x->big.handle, 0);
	/* 32-bit: the rect's bottom and right are another address of the buffer */
	cmd_reloc(c, QXL_RELOC_TYPE_BO, x->img.handle, AB_OVL_IMG + IMG_FIELD(u.bitmap.palette),
		  x->img.handle, indexed ? 1024 : 1536);
}

static void ab_overlap_pal(struct ab_ctx *x, struct cmd *c)
{
	ab_overlap(x, c, 1, 0);
}

static void ab_overlap_nopal(struct ab_ctx *x, struct cmd *c)
{
	ab_overlap(x, c, 0, 0);
}

static void ab_overlap_cached(struct ab_ctx *x, struct cmd *c)
{
	ab_overlap(x, c, 0, 1);
}

/*
 * A cached 32-bit source whose header is also the pixels of a cached
 * 1-bit mask (64x4, direct, at img offset 2048): the kernel hashes the
 * mask's pixels for its id, then would write the source's id into them,
 * and the mask's id would name other pixels than the device draws.
 */
static void ab_id_in_pixels(struct ab_ctx *x, struct cmd *c)
{
	struct qxl_image mask = { 0 };

	ab_copy32(x, c);
	poke(&x->img, IMG_FIELD(descriptor.flags), QXL_IMAGE_CACHE, 1);
	mask.descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	mask.descriptor.flags = QXL_IMAGE_CACHE;
	mask.descriptor.width = 64;
	mask.descriptor.height = 4;
	mask.u.bitmap.format = QXL_BITMAP_FMT_1BIT_BE;
	mask.u.bitmap.flags = QXL_BITMAP_TOP_DOWN | QXL_BITMAP_DIRECT;
	mask.u.bitmap.x = 64;
	mask.u.bitmap.y = 4;
	mask.u.bitmap.stride = 8;
	memcpy(x->img.map + 2048, &mask, sizeof(mask));
	cmd_reloc(c, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, u.copy.mask.bitmap),
		  x->img.handle, 2048);
	cmd_reloc(c, QXL_RELOC_TYPE_BO, x->img.handle, 2048 + IMG_FIELD(u.bitmap.data),
		  x->img.handle, 0);
}

#define AB_DRAW	QXL_CMD_DRAW

static const struct ab_case {
	const char *what;
	const char *why;
	void (*build)(struct ab_ctx *x, struct cmd *c);
	uint32_t cmd_type;
	int want;
} ab_cases[] = {
	{ "COPY of a 32-bit bitmap", "reference", ab_copy32, AB_DRAW, 0 },
	{ "image address with slot id 255", "4.2 slot_id too big", ab_raw_slot, AB_DRAW, -EINVAL },
	{ "image address with generation 255", "4.2 generation", ab_raw_gen, AB_DRAW, -EINVAL },
	{ "command type NOP", "4.3 bad command type", ab_fill32, QXL_CMD_NOP, -EINVAL },
	{ "command type CURSOR on the display ring", "4.3 bad command type", ab_fill32,
	  QXL_CMD_CURSOR, -EINVAL },
	{ "clip list of 2 rects in a 16-byte chunk", "4.3 clip assert", ab_clip, AB_DRAW, -EINVAL },
	{ "STROKE BEGIN|BEZIER of 1 + 3 points", "reference", ab_stroke_ok, AB_DRAW, 0 },
	{ "STROKE segment of 3 points in a 2-point path", "4.3 path assert", ab_stroke_count, AB_DRAW,
	  -EINVAL },
	{ "STROKE BEZIER of 2 points", "qxlfuzz: canvas_draw_stroke % 3", ab_stroke_bezier, AB_DRAW,
	  -EINVAL },
	{ "STROKE styled without a style", "4.3 styled assert", ab_stroke_style, AB_DRAW, -EINVAL },
	{ "STROKE styled, dashes of 3 and 1 pixels", "reference", ab_stroke_dash_ok, AB_DRAW, 0 },
	{ "STROKE styled, dashes of half a pixel (0 once rounded)",
	  "the worker's dash walk never ends, a reset hangs", ab_stroke_dash_half, AB_DRAW, -EINVAL },
	{ "STROKE styled, a dash of 256 pixels (0 as a byte)",
	  "a zero dash, as X refuses", ab_stroke_dash_256, AB_DRAW, -EINVAL },
	{ "TEXT of one A8 glyph", "reference", ab_text_ok, AB_DRAW, 0 },
	{ "TEXT with two raster depths", "4.3 text assert", ab_text_depths, AB_DRAW, -EINVAL },
	{ "TEXT length 2 with 1 glyph", "4.3 text assert", ab_text_length, AB_DRAW, -EINVAL },
	{ "TEXT fore_mode XOR", "qxlfuzz: canvas_draw_text", ab_text_mode, AB_DRAW, -EINVAL },
	{ "SURFACE image of an id no relocation wrote", "4.3 dead surface", ab_surface_dead, AB_DRAW,
	  -EINVAL },
	{ "COPY without a source image", "qxlfuzz: image_cache_localize", ab_no_src, AB_DRAW, -EINVAL },
	{ "COPY of a 1BIT_BE bitmap onto 32 bits", "reference", ab_1bit_be, AB_DRAW, 0 },
	{ "COPY of a 1BIT_LE bitmap", "spice_bitmap_to_pixman", ab_1bit_le, AB_DRAW, -EINVAL },
	{ "FILL onto a 1_A surface", "reference", ab_fill1, AB_DRAW, 0 },
	{ "COPY of an indexed bitmap onto 1_A", "qxlfuzz: Unsupported palette format",
	  ab_indexed_on_1a, AB_DRAW, -EINVAL },
	{ "COPY of a 1_A surface onto 1_A", "qxlfuzz: depth == 32", ab_1a_on_1a, AB_DRAW, -EINVAL },
	{ "COPY of a 1_A surface onto 32 bits", "qxlfuzz: depth == src_depth", ab_1a_on_32, AB_DRAW,
	  -EINVAL },
	{ "COPY whose src_area leaves its bitmap", "4.3 dropped (validator)", ab_area_wide, AB_DRAW,
	  -EINVAL },
	{ "COPY whose src_area has top -1", "4.3 dropped", ab_area_neg, AB_DRAW, -EINVAL },
	{ "DRAW_NOP drawable, accepted and never sent", "drawable_draw: invalid type", ab_nop,
	  AB_DRAW, 0 },
	{ "ROP3 0x96 (P^S^D)", "reference", ab_rop3, AB_DRAW, 0 },
	{ "ROP3 0xcc (source copy)", "qxlfuzz -s 2: rop3 not implemented", ab_rop3_src, AB_DRAW,
	  -EINVAL },
	{ "ROP3 reading its source past the bitmap", "rop3.c reads src_area unchecked",
	  ab_rop3_area, AB_DRAW, -EINVAL },
	{ "32-bit image whose header is also a clip list", "reference", ab_overlap_nopal, AB_DRAW, 0 },
	{ "8-bit image whose palette address is also a clip rect", "kernel write after check",
	  ab_overlap_pal, AB_DRAW, -EINVAL },
	{ "cached 32-bit image whose id is also a clip list's next-chunk link",
	  "kernel write after check", ab_overlap_cached, AB_DRAW, -EINVAL },
	{ "cached source whose header is the pixels of a cached mask",
	  "kernel write into hashed pixels", ab_id_in_pixels, AB_DRAW, -EINVAL },
};

/* Does ROP3 code use pattern, source and destination (what spice-common implements)? */
static int rop3_uses_all(unsigned int code)
{
	return (code >> 4) != (code & 0x0f) && ((code >> 2) & 0x33) != (code & 0x33) &&
	       ((code >> 1) & 0x55) != (code & 0x55);
}

static void test_aborts(const char *only)
{
	struct ab_ctx x;
	unsigned int k, code, wrong = 0, accepted = 0;
	long long sent;
	struct cmd c;
	int ret;

	ret = buf_surf(&x.s, QXL_SURFACE_FMT_32_XRGB, 64, 64, 256);
	if (!ret)
		ret = buf_surf(&x.s1, QXL_SURFACE_FMT_1_A, 64, 64, 8);
	if (!ret)
		ret = buf_surf(&x.t1, QXL_SURFACE_FMT_1_A, 64, 64, 8);
	if (!ret)
		ret = buf_alloc(&x.img, 4096);
	if (!ret)
		ret = buf_map(&x.img);
	if (!ret)
		ret = buf_alloc(&x.aux, 4096);
	if (!ret)
		ret = buf_map(&x.aux);
	if (!ret)
		ret = buf_alloc(&x.big, 512 * 1024);
	expect_ret(ret, 0, "surfaces (32_xRGB, two 1_A) and three buffers");
	if (ret)
		return;
	/* the 1_A surfaces exist on the device: fill them once */
	fill(x.s1.handle, 0, 0, 64, 64, 0);
	fill(x.t1.handle, 0, 0, 64, 64, 0);

	for (k = 0; k < sizeof(ab_cases) / sizeof(ab_cases[0]); k++) {
		const struct ab_case *a = &ab_cases[k];

		if (only && !strstr(a->what, only))
			continue;
		x.target = x.s.handle;
		a->build(&x, &c);
		sent = qxl_debugfs_counter("qxl_objects", "exec_commands");
		ret = cmd_submit_raw(&c, a->cmd_type, sizeof(c.d) - RELEASE_INFO);
		sent = qxl_debugfs_counter("qxl_objects", "exec_commands") - sent;
		if (a->build == ab_nop)
			ok(sent == 0, "DRAW_NOP: expected nothing sent to the device, got %lld commands",
			   sent);
		ok(ret == a->want, "%s (%s): expected %s, got %s", a->what, a->why,
		   err_name(a->want), err_name(ret));
		if (a->build == ab_overlap_pal || a->build == ab_overlap_nopal) {
			int32_t r1[4];

			memcpy(r1, x.img.map + sizeof(struct qxl_clip_rects) + sizeof(struct qxl_rect),
			       sizeof(r1));
			printf("# clip rect 1 as checked: top %d left %d bottom %d right %d\n",
			       r1[0], r1[1], r1[2], r1[3]);
		}
		ret = update_area(x.target, 0, 0, 64, 64);
		ok(ret == 0, "UPDATE_AREA after '%s': expected 0, got %s", a->what, err_name(ret));
	}

	if (!only || strstr("ROP3 codes", only)) {
		/* every code: refused exactly when spice-common has no handler for it */
		for (code = 0; code < 256; code++) {
			ab_rop3(&x, &c);
			c.d.u.rop3.rop3 = code;
			ret = cmd_submit(&c);
			accepted += !ret;
			if (ret != (rop3_uses_all(code) ? 0 : -EINVAL)) {
				if (!wrong++)
					printf("# ROP3 0x%02x: expected %s, got %s\n", code,
					       err_name(rop3_uses_all(code) ? 0 : -EINVAL),
					       err_name(ret));
			}
		}
		ok(wrong == 0 && accepted == 218,
		   "ROP3 codes: expected the 218 of three operands accepted, the 38 others refused; got %u accepted, %u wrong",
		   accepted, wrong);
		ret = update_area(x.s.handle, 0, 0, 64, 64);
		ok(ret == 0, "UPDATE_AREA after the ROP3 codes: expected 0, got %s", err_name(ret));
	}
	ok(qxl_debugfs_counter("qxl_status", "device_dead") == 0,
	   "device alive: expected device_dead 0, got %lld",
	   qxl_debugfs_counter("qxl_status", "device_dead"));
	buf_free(&x.big);
	buf_free(&x.aux);
	buf_free(&x.img);
	buf_free(&x.t1);
	buf_free(&x.s1);
	buf_free(&x.s);
}

/* ---- pressure ---- */

static void release_flush(void)
{
	int f = open("/sys/kernel/debug/dri/0/qxl_release_flush", O_WRONLY);

	if (f >= 0) {
		if (write(f, "1", 1) < 0)
			perror("qxl_release_flush");
		close(f);
	}
}

/* Wait (bounded) until every closed buffer's memory came back. */
static long long settle(void)
{
	long long z = -1;
	int i;

	for (i = 0; i < 100; i++) {
		release_flush();
		z = qxl_debugfs_counter("qxl_objects", "bos_zombie");
		if (z == 0)
			break;
		usleep(50000);
	}
	return z;
}

/* ---- releases ---- */

/*
 * Run last in a boot: spice-server's record has no release ids, so the
 * kernel's own account is checked.  No id the device handed back was
 * refused (unknown, freed already, i.e. released twice, or never
 * submitted; or a chain that loops), and once idle everything drains but
 * what the device keeps by design: the create command of each live
 * surface and the current cursor.
 */
static void test_releases(void)
{
	static const char *const refused[] = {
		"release_chains_rejected", "release_ids_unknown", "release_ids_unsubmitted",
	};
	long long out = -1, surfaces = -1, v;
	unsigned int i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		v = qxl_debugfs_counter("qxl_status", refused[i]);
		ok(v == 0, "debugfs %s: expected 0, got %lld", refused[i], v);
	}
	/* bounded: 50 flushes of at most 1 s each */
	for (i = 0; i < 50; i++) {
		release_flush();
		out = qxl_debugfs_counter("qxl_status", "releases_outstanding");
		surfaces = qxl_debugfs_counter("qxl_objects", "surfaces_live");
		if (out >= 0 && surfaces >= 0 && out <= surfaces + 1)
			break;
		usleep(100000);
	}
	ok(out >= 0 && surfaces >= 0 && out <= surfaces + 1,
	   "releases drain when idle: expected at most %lld outstanding (live surfaces + cursor), got %lld",
	   surfaces + 1, out);
}

#define MAX_BUFS 8192

static void test_pressure(int rounds)
{
	static struct buf bufs[MAX_BUFS];
	long long used0, live0, surf0, n_ids, evicted0, z;
	struct timespec t0, t1;
	unsigned int n, i, drawn, bad;
	int r, ret;
	double secs;

	z = settle();
	used0 = qxl_debugfs_counter("qxl_objects", "surf_mem_used");
	live0 = qxl_debugfs_counter("qxl_objects", "bos_live");
	surf0 = qxl_debugfs_counter("qxl_objects", "surfaces_live");
	n_ids = qxl_debugfs_counter("qxl_objects", "surface_ids");
	evicted0 = qxl_debugfs_counter("qxl_objects", "surfaces_evicted");
	ok(used0 >= 0 && live0 >= 0 && surf0 >= 0 && n_ids > 1 && z == 0,
	   "debugfs qxl_objects readable: used %lld, bos %lld, surfaces %lld, ids %lld, zombies %lld",
	   used0, live0, surf0, n_ids, z);
	if (used0 < 0 || n_ids <= 1)
		return;

	for (r = 0; r < rounds; r++) {
		/* More small surfaces than there are ids, each drawn on: ids are recycled. */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (n = 0, drawn = 0, ret = 0; n < n_ids + 200 && n < MAX_BUFS; n++) {
			ret = buf_surf(&bufs[n], QXL_SURFACE_FMT_32_XRGB, 16, 16, -64);
			if (ret)
				break;
			ret = fill(bufs[n].handle, 0, 0, 16, 16, 0x00100000 + n);
			if (ret) {
				n++;
				break;
			}
			drawn++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		ok(!ret && drawn == n_ids + 200,
		   "round %d: %lld surfaces drawn with %lld ids: expected all, got %u (%s) in %.1f s",
		   r, n_ids + 200, n_ids, drawn, err_name(ret), secs);
		ok(qxl_debugfs_counter("qxl_objects", "surfaces_evicted") > evicted0,
		   "round %d: idle surfaces evicted: expected more than %lld, got %lld", r,
		   evicted0, qxl_debugfs_counter("qxl_objects", "surfaces_evicted"));
		/* the first surfaces were evicted: their contents must have been written back */
		for (i = 0, bad = 0; i < 8 && i < drawn; i++) {
			if (buf_map(&bufs[i]) ||
			    (pixel(&bufs[i], -64, 16, 3, 3) & 0xffffff) != 0x100000 + i)
				bad++;
		}
		ok(!bad, "round %d: evicted surfaces kept their contents: expected 0 bad, got %u",
		   r, bad);

		/* Then fill the surface memory with big buffers until it is full. */
		for (ret = 0; n < MAX_BUFS; n++) {
			ret = buf_surf(&bufs[n], QXL_SURFACE_FMT_32_XRGB, 512, 512, 2048);
			if (ret)
				break;
		}
		ok(ret == -ENOMEM, "round %d: surface memory exhausted: expected -ENOMEM, got %s after %u buffers",
		   r, err_name(ret), n);
		ret = buf_alloc(&bufs[n], 1 << 20);
		ok(ret == -ENOMEM, "round %d: ALLOC when full: expected -ENOMEM, got %s", r,
		   err_name(ret));
		if (!ret)
			buf_free(&bufs[n]);
		/* the console (kernel memory) is unaffected */
		ok(qxl_debugfs_counter("qxl_status", "device_dead") == 0,
		   "round %d: device alive when full: expected device_dead 0, got %lld", r,
		   qxl_debugfs_counter("qxl_status", "device_dead"));

		for (i = 0; i < n; i++)
			buf_free(&bufs[i]);
		z = settle();
		ok(z == 0 && qxl_debugfs_counter("qxl_objects", "surf_mem_used") == used0 &&
		   qxl_debugfs_counter("qxl_objects", "bos_live") == live0 &&
		   qxl_debugfs_counter("qxl_objects", "surfaces_live") == surf0,
		   "round %d: counters back: expected used %lld bos %lld surfaces %lld zombies 0, got %lld %lld %lld %lld",
		   r, used0, live0, surf0, qxl_debugfs_counter("qxl_objects", "surf_mem_used"),
		   qxl_debugfs_counter("qxl_objects", "bos_live"), qxl_debugfs_counter("qxl_objects", "surfaces_live"), z);
	}
	printf("# surfaces evicted in total: %lld\n",
	       qxl_debugfs_counter("qxl_objects", "surfaces_evicted") - evicted0);
}

/* ---- hog ---- */

static volatile sig_atomic_t hog_go, hog_end;

static void hog_signal(int sig)
{
	if (sig == SIGUSR1)
		hog_go = 1;
	else
		hog_end = 1;
}

#define HOG_BUFS 65536

/*
 * A client that takes every byte of device surface memory and keeps it,
 * for tests/ioctl/exhaust (not TAP: that script judges).  It opens the
 * device before X does and gives up DRM master, so it stays authenticated
 * once X is master; prints "ready"; on SIGUSR1 allocates 512x512 surfaces,
 * then buffers of 1 MiB down to 4 KiB, each size until -ENOMEM; prints
 * "full BYTES BUFFERS", then "alloc4k ERR" (a 4 KiB ALLOC once full, and
 * how long it took in ms); on SIGTERM exits, its memory going with it.
 */
static int hog(void)
{
	static struct buf bufs[HOG_BUFS];
	unsigned long long bytes = 0;
	unsigned int n = 0, size;
	struct timespec t0, t1;
	struct buf probe;
	int ret = 0;

	signal(SIGUSR1, hog_signal);
	signal(SIGTERM, hog_signal);
	if (ioctl(fd, DRM_IOCTL_DROP_MASTER, 0) && errno != EINVAL)
		printf("dropmaster %s\n", strerror(errno));
	printf("ready\n");
	while (!hog_go && !hog_end)
		pause();
	while (n < HOG_BUFS && !hog_end) {
		ret = buf_surf(&bufs[n], QXL_SURFACE_FMT_32_XRGB, 512, 512, 2048);
		if (ret)
			break;
		bytes += bufs[n++].size;
	}
	if (ret != -ENOMEM)
		printf("error surfaces: %s after %u\n", err_name(ret), n);
	for (size = 1 << 20; size >= 4096 && !hog_end; size /= 2) {
		while (n < HOG_BUFS && !(ret = buf_alloc(&bufs[n], size)))
			bytes += bufs[n++].size;
		if (ret != -ENOMEM)
			printf("error alloc %u: %s after %u\n", size, err_name(ret), n);
	}
	printf("full %llu %u surf_mem_used %lld of %lld\n", bytes, n,
	       qxl_debugfs_counter("qxl_objects", "surf_mem_used"),
	       qxl_debugfs_counter("qxl_objects", "surf_mem_size"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = buf_alloc(&probe, 4096);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("alloc4k %s %ld\n", err_name(ret),
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	if (!ret)
		buf_free(&probe);
	while (!hog_end)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "basic";

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("not ok 1 - open /dev/dri/card0: expected a descriptor, got %s\n",
		       strerror(errno));
		return 1;
	}
	if (!strcmp(what, "basic"))
		test_basic();
	else if (!strcmp(what, "draw"))
		test_draw();
	else if (!strcmp(what, "invalid"))
		test_invalid();
	else if (!strcmp(what, "pressure"))
		test_pressure(argc > 2 ? atoi(argv[2]) : 2);
	else if (!strcmp(what, "race"))
		test_race(argc > 2 ? atoi(argv[2]) : 3);
	else if (!strcmp(what, "releases"))
		test_releases();
	else if (!strcmp(what, "signal"))
		test_signal(argc > 2 ? atoi(argv[2]) : 2);
	else if (!strcmp(what, "palette"))
		test_palette();
	else if (!strcmp(what, "prime"))
		test_prime();
	else if (!strcmp(what, "inflight"))
		test_inflight(argc > 2 ? atoi(argv[2]) : 20, argc > 3 ? argv[3] : NULL);
	else if (!strcmp(what, "surfclose"))
		test_surfclose();
	else if (!strcmp(what, "primaryrace"))
		test_primaryrace(argc > 2 ? atoi(argv[2]) : 10);
	else if (!strcmp(what, "aborts"))
		test_aborts(argc > 2 ? argv[2] : NULL);
	else if (!strcmp(what, "onebit"))
		test_onebit(argc > 2 ? argv[2] : "bitmap");
	else if (!strcmp(what, "dirtyrace"))
		test_dirtyrace(argc > 2 ? atoi(argv[2]) : 10);
	else if (!strcmp(what, "cacheid"))
		test_cacheid();
	else if (!strcmp(what, "unbindmap"))
		test_unbindmap();
	else if (!strcmp(what, "cursorhead"))
		test_cursorhead();
	else if (!strcmp(what, "hog"))
		return hog();
	else if (!strcmp(what, "stall"))
		test_stall(argc > 2 ? argv[2] : NULL);
	else if (!strcmp(what, "busy"))
		test_busy();
	else if (!strcmp(what, "dumbcap"))
		test_dumbcap();
	else if (!strcmp(what, "faultrace") && argc > 3 && strcmp(argv[3], "late")) {
		fprintf(stderr, "ioctltest faultrace: unknown option '%s' (usage: faultrace [N [late]])\n",
			argv[3]);
		return 2;
	} else if (!strcmp(what, "faultrace"))
		test_faultrace(argc > 2 ? atoi(argv[2]) : 10, argc > 3);
	else {
		fprintf(stderr, "ioctltest: unknown test '%s' (basic, draw, invalid, aborts, onebit, primaryrace, pressure, race, signal, releases, palette, prime, inflight, surfclose, dirtyrace, cacheid, cursorhead, unbindmap, stall, busy, dumbcap, faultrace, hog)\n",
			what);
		return 2;
	}
	printf("1..%d\n", test_no);
	if (fd >= 0)
		close(fd);
	return failures ? 1 : 0;
}
