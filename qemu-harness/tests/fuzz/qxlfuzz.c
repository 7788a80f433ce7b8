/* SPDX-License-Identifier: MIT */
/*
 * qxlfuzz: a structure-aware fuzzer of qxl.ko's ioctls, run inside the guest.
 *
 *   qxlfuzz [-s SEED] [-n CALLS] [-t SECONDS] [-j THREADS] [-o OPS] [-v] [--screen]
 *           [--same-depths] [--big]
 *
 * Several threads share two DRM file descriptors (the master and a second,
 * authenticated client) and one pool of objects (qxl buffers, surfaces,
 * dumb buffers, framebuffers, property blobs, dma-bufs, mappings), and
 * each issues a random mix of every DRM core ioctl a KMS client reaches
 * and every qxl ioctl of uapi/qxl_drm.h.  EXECBUFFER commands are built
 * from the device ABI (uapi/qxl_device.h): drawables of every type whose
 * images (bitmaps of every format, palettes, chunk chains, surface images),
 * clip lists, paths, strings and transforms are written into mapped buffers
 * and tied together with relocations; a quarter of them are then mutated
 * (a byte of the command or of a buffer, a relocation's handle, offset or
 * type, sizes, counts, user pointers).  Mostly valid-looking structure,
 * because that is what gets past the first check; some plain garbage.
 * Objects are shared between threads on purpose: one thread closes,
 * unmaps or rewrites what another is submitting, exporting or showing.
 *
 * Reproducible: thread i draws every choice from its own generator seeded
 * from SEED and i, so the same seed gives each thread the same sequence of
 * operations and arguments (the objects a choice lands on depend on how
 * the threads interleave; with -j 1 the whole run repeats).  -v prints
 * every operation, for minimising a finding; -o restricts the operations.
 *
 * The run ends after CALLS ioctls or SECONDS, whichever comes first.  It
 * prints the calls made, calls/s, per-ioctl counts with their errno
 * histogram, and findings: a call stuck for more than 20 s, a warning,
 * oops or error line in the kernel log, the device declared dead (debugfs
 * device_dead), and with --screen whether the device still draws: a dumb
 * buffer with a pattern derived from the seed is shown on head 0 and
 * compared with a QMP screendump (qh-screendump) pixel for pixel.
 *
 * Output is TAP.  The harness separately fails the test on kernel warnings,
 * QEMU `guest bug` lines and QEMU aborts.
 */
#define _GNU_SOURCE
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
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "../../../uapi/qxl_device.h"
#include "../../../uapi/qxl_drm.h"
#include "../common/qxl_debugfs.h"

#define RELEASE_INFO	8
#define MAX_THREADS	8
#define NFD		2
#define NOBJ		48
#define NFB		12
#define NBLOB		8
#define NDMABUF		8
#define STUCK_SECS	20

/* ---------------------------------------------------------------- stats */

/* Every ioctl the fuzzer issues, by name, for the per-ioctl figures. */
#define IOCTLS(X) \
	X(GETRESOURCES) X(GETCONNECTOR) X(GETENCODER) X(GETCRTC) X(SETCRTC) \
	X(GETPLANERESOURCES) X(GETPLANE) X(SETPLANE) X(GETPROPERTY) X(OBJ_GETPROPERTIES) \
	X(OBJ_SETPROPERTY) X(ADDFB) X(ADDFB2) X(RMFB) X(GETFB) X(DIRTYFB) \
	X(CREATE_DUMB) X(MAP_DUMB) X(DESTROY_DUMB) X(PRIME_HANDLE_TO_FD) \
	X(PRIME_FD_TO_HANDLE) X(GEM_CLOSE) X(GEM_FLINK) X(GEM_OPEN) X(ATOMIC) \
	X(CURSOR) X(CURSOR2) X(PAGE_FLIP) X(SET_MASTER) X(DROP_MASTER) \
	X(CREATEPROPBLOB) X(DESTROYPROPBLOB) X(GETPROPBLOB) X(GETGAMMA) X(SETGAMMA) \
	X(GET_CAP) X(SET_CLIENT_CAP) X(VERSION) X(GET_MAGIC) X(AUTH_MAGIC) \
	X(WAIT_VBLANK) X(CRTC_GET_SEQUENCE) X(DMABUF_SYNC) X(RANDOM_IOCTL) \
	X(QXL_ALLOC) X(QXL_MAP) X(QXL_EXECBUFFER) X(QXL_UPDATE_AREA) \
	X(QXL_GETPARAM) X(QXL_CLIENTCAP) X(QXL_ALLOC_SURF) \
	X(MMAP) X(MMAP_DMABUF) X(EVENT_READ) X(WRITE_MAPPING) X(MUNMAP)

#define X_ENUM(n) IO_##n,
#define X_NAME(n) #n,
enum io_id { IOCTLS(X_ENUM) IO_COUNT };
static const char *const io_names[] = { IOCTLS(X_NAME) };

#define NERR 136
static unsigned long stat_calls[IO_COUNT];
static unsigned long stat_err[IO_COUNT][NERR];
static unsigned long total_calls;
static unsigned long stat_faults;	/* writes to a mapping another thread removed */
static unsigned long stat_drawn;	/* EXECBUFFER commands accepted */

/* ---------------------------------------------------------------- state */

struct rng {
	uint64_t s;
};

struct thr {
	int id;
	struct rng r;
	pthread_t th;
	unsigned long ops;
	/* what the thread is in, for the stuck-call watchdog */
	volatile int cur_io;
	volatile long long since_ms;
	volatile int in_write;
	sigjmp_buf jb;
	pid_t tid;
	int joined;
};

enum obj_kind { OBJ_FREE, OBJ_QXL, OBJ_SURF, OBJ_DUMB, OBJ_IMPORT };

struct obj {
	enum obj_kind kind;
	int fdi;		/* which of fds[] the handle belongs to */
	uint32_t handle;
	uint32_t size;
	uint32_t w, h, pitch;	/* surfaces and dumb buffers */
	uint8_t *map;
	size_t map_len;
};

struct fb {
	uint32_t id;
	uint32_t w, h;
	int slot;		/* pool slot of its buffer (a dumb buffer) */
};

struct prop {
	uint32_t obj, obj_type, id, flags;
	char name[DRM_PROP_NAME_LEN];
	uint64_t min, max;
	uint64_t vals[16];
	unsigned int n_vals;
};

static int fds[NFD] = { -1, -1 };
static struct obj pool[NOBJ];
static struct fb fbs[NFB];
static uint32_t blobs[NBLOB];
static int dmabufs[NDMABUF] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t crtcs[8], conns[8], encs[8], planes[16];
static unsigned int n_crtcs, n_conns, n_encs, n_planes;
static drmModeModeInfo modes[16];
static unsigned int n_modes;
static struct prop props[96];
static unsigned int n_props;

/*
 * Surfaces of every depth are drawn on and read from (spice-server 0.15
 * aborts QEMU on images drawn onto or from non-32-bit surfaces, which the
 * kernel refuses: ioctltest aborts).  --same-depths keeps to 32-bit ones.
 */
static int mixed_depths = 1;
/* Off by default: dumb buffers of more than DUMB_MAX bytes (op_dumb). */
#define DUMB_MAX	(8U << 20)
static int big_dumb;
static volatile int stopping;
static unsigned long max_calls = 200000;
static int verbose;
static const char *only_ops;
static uint64_t seed;
static struct thr thrs[MAX_THREADS];
static int n_thr = 3;

static __thread struct thr *self;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ------------------------------------------------------------- random */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct rng *r)
{
	return splitmix(&r->s);
}

/* 0 .. n-1 */
static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

/* true with probability 1/n */
static int one_in(struct rng *r, uint32_t n)
{
	return below(r, n) == 0;
}

/* A "interesting" 32-bit value: boundaries and small numbers, sometimes anything. */
static uint32_t edgy32(struct rng *r)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 4095, 4096,
		8191, 8192, 65535, 65536, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};

	if (one_in(r, 3))
		return (uint32_t)rnd(r);
	return v[below(r, sizeof(v) / sizeof(v[0]))];
}

/* ---------------------------------------------------------- calls */

/* An ioctl on fds[fdi]: counted, timed for the watchdog; 0 or -errno. */
static int io(int id, int fdi, unsigned long req, void *arg)
{
	int ret, e;

	self->cur_io = id;
	self->since_ms = now_ms();
	ret = ioctl(fds[fdi], req, arg);
	e = ret < 0 ? errno : 0;
	self->since_ms = 0;
	__atomic_fetch_add(&stat_calls[id], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stat_err[id][e < NERR ? e : NERR - 1], 1, __ATOMIC_RELAXED);
	if (__atomic_add_fetch(&total_calls, 1, __ATOMIC_RELAXED) >= max_calls)
		stopping = 1;
	return ret < 0 ? -e : 0;
}

/* Count a non-ioctl call (mmap, read) like an ioctl. */
static void count(int id, int e)
{
	__atomic_fetch_add(&stat_calls[id], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stat_err[id][e < NERR ? e : NERR - 1], 1, __ATOMIC_RELAXED);
	if (__atomic_add_fetch(&total_calls, 1, __ATOMIC_RELAXED) >= max_calls)
		stopping = 1;
}

/*
 * Mappings are shared: another thread may unmap one while this thread
 * writes it.  The write then faults; the handler jumps back here and the
 * write is counted as a fault, not a crash of the fuzzer.
 */
static void on_fault(int sig)
{
	if (self && self->in_write)
		siglongjmp(self->jb, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guarded_write(uint8_t *dst, const void *src, size_t n)
{
	if (sigsetjmp(self->jb, 1)) {
		self->in_write = 0;
		self->since_ms = 0;
		__atomic_fetch_add(&stat_faults, 1, __ATOMIC_RELAXED);
		return;
	}
	self->in_write = 1;
	self->cur_io = IO_WRITE_MAPPING;
	self->since_ms = now_ms();
	memcpy(dst, src, n);	/* a write fault may wait for the device */
	self->since_ms = 0;
	self->in_write = 0;
}

/* mmap, watched like a call (it waits for mmap_lock too) */
static void *xmmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	self->cur_io = IO_MMAP;
	self->since_ms = now_ms();
	p = mmap(addr, len, prot, flags, fd, off);
	self->since_ms = 0;
	return p;
}

/* munmap, watched like a call (it takes mmap_lock, which a waiting fault holds). */
static void unmap(void *p, size_t len)
{
	self->cur_io = IO_MUNMAP;
	self->since_ms = now_ms();
	munmap(p, len);
	self->since_ms = 0;
}

/* ------------------------------------------------------------ the pool */

static int pick_fdi(struct rng *r)
{
	return one_in(r, 4) ? 1 : 0;
}

/* A snapshot of a random slot (its handle may be closed by now: on purpose). */
static struct obj obj_pick(struct rng *r, int kind)
{
	struct obj o;
	unsigned int i, start = below(r, NOBJ);

	pthread_mutex_lock(&pool_lock);
	o = pool[start];
	for (i = 0; i < NOBJ; i++) {
		const struct obj *p = &pool[(start + i) % NOBJ];

		if (p->kind != OBJ_FREE && (!kind || (int)p->kind == kind)) {
			o = *p;
			break;
		}
	}
	pthread_mutex_unlock(&pool_lock);
	return o;
}

/* A handle for an argument: mostly a live one, sometimes stale or made up. */
static uint32_t any_handle(struct rng *r, int *fdi)
{
	struct obj o = obj_pick(r, 0);

	if (fdi)
		*fdi = o.kind != OBJ_FREE ? o.fdi : 0;
	switch (below(r, 12)) {
	case 0: return 0;
	case 1: return edgy32(r);
	case 2: return o.handle + 1;
	default: return o.handle;
	}
}

/* Put o in a free slot (or over a random one, leaking nothing: the old one is closed). */
static void obj_add(struct rng *r, const struct obj *o)
{
	struct obj old = { 0 };
	unsigned int i, slot = below(r, NOBJ);

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < NOBJ; i++)
		if (pool[(slot + i) % NOBJ].kind == OBJ_FREE)
			break;
	slot = (slot + (i < NOBJ ? i : 0)) % NOBJ;
	old = pool[slot];
	pool[slot] = *o;
	pthread_mutex_unlock(&pool_lock);
	if (old.kind != OBJ_FREE) {
		struct drm_gem_close c = { .handle = old.handle };

		if (old.map)
			unmap(old.map, old.map_len);
		io(IO_GEM_CLOSE, old.fdi, DRM_IOCTL_GEM_CLOSE, &c);
	}
}

/* ---------------------------------------------------- buffer contents */

/*
 * Layout of a "scene" buffer (4 KiB or more) that EXECBUFFER commands
 * point into: image A, its palette, a clip list, a transform, a line
 * style, a path or string, image B, then the pixel chunks.
 */
#define SC_IMG_A	0
#define SC_PAL		128
#define SC_CLIP		512
#define SC_XFORM	832
#define SC_STYLE	864
#define SC_PATH		896
#define SC_IMG_B	1472
#define SC_CHUNK	1536
#define SC_CHUNK2	3072
#define SC_MIN		4096

static const uint8_t fmt_bpp[11] = { 0, 1, 1, 4, 4, 8, 16, 24, 32, 32, 8 };

struct scene {
	uint8_t b[SC_MIN];
	struct drm_qxl_reloc rel[128];	/* more than used: a bad relocs_num reads garbage */
	unsigned int n_rel;
};

static void reloc(struct scene *s, uint32_t type, uint32_t dst_h, uint64_t dst_off,
		  uint32_t src_h, uint64_t src_off)
{
	struct drm_qxl_reloc *r;

	if (s->n_rel >= 96)
		return;
	r = &s->rel[s->n_rel++];
	memset(r, 0, sizeof(*r));
	r->reloc_type = type;
	r->dst_handle = dst_h;
	r->dst_offset = dst_off;
	r->src_handle = src_h;
	r->src_offset = src_off;
}

static void put(struct scene *s, size_t off, const void *p, size_t n)
{
	if (off + n <= sizeof(s->b))
		memcpy(s->b + off, p, n);
}

/*
 * A bitmap image at offset at of the scene buffer (handle h) with its
 * pixels in one or two chunks and, for 1/4/8-bit formats, a palette;
 * relocations make the device addresses point at them.
 */
static void build_bitmap(struct rng *r, struct scene *s, uint32_t h, size_t at,
			 uint32_t *w_out, uint32_t *h_out)
{
	struct qxl_image img = { 0 };
	struct qxl_data_chunk ch = { 0 };
	uint8_t fmt = 1 + below(r, 10);
	uint32_t w = 1 + below(r, 24), hh = 1 + below(r, 16);
	uint32_t stride = (w * fmt_bpp[fmt] + 7) / 8, size, first, i;
	int two = one_in(r, 4);

	if (one_in(r, 4))
		stride += below(r, 8);
	while (stride * hh > 1400 && hh > 1)
		hh--;
	size = stride * hh;
	img.descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	img.descriptor.width = w;
	img.descriptor.height = hh;
	/* few ids over many different images: the kernel must give each its own */
	if (one_in(r, 4)) {
		img.descriptor.flags = QXL_IMAGE_CACHE;
		img.descriptor.id = QXL_IMAGE_ID(below(r, 2), below(r, 4));
	}
	img.u.bitmap.format = fmt;
	img.u.bitmap.flags = one_in(r, 2) ? QXL_BITMAP_TOP_DOWN : 0;
	img.u.bitmap.x = w;
	img.u.bitmap.y = hh;
	img.u.bitmap.stride = stride;
	if (fmt_bpp[fmt] <= 8) {
		struct qxl_palette pal = { 0 };
		uint32_t n = one_in(r, 3) ? below(r, 64) : (1U << fmt_bpp[fmt]);

		if (n > 64)
			n = 64;
		pal.unique = one_in(r, 3) ? rnd(r) : 0;
		pal.num_ents = (uint16_t)(one_in(r, 40) ? edgy32(r) : n);
		put(s, SC_PAL, &pal, sizeof(pal));
		for (i = 0; i < n; i++) {
			uint32_t c = (uint32_t)rnd(r);

			put(s, SC_PAL + sizeof(pal) + i * 4, &c, 4);
		}
		if (!one_in(r, 40))
			reloc(s, QXL_RELOC_TYPE_BO, h, at + offsetof(struct qxl_image, u.bitmap.palette),
			      h, SC_PAL);
	}
	if (one_in(r, 8)) {
		/* pixels right after the image header, no chunk */
		img.u.bitmap.flags |= QXL_BITMAP_DIRECT;
		reloc(s, QXL_RELOC_TYPE_BO, h, at + offsetof(struct qxl_image, u.bitmap.data),
		      h, SC_CHUNK);
	} else {
		first = two ? size / 2 : size;
		ch.data_size = first;
		put(s, SC_CHUNK, &ch, sizeof(ch));
		reloc(s, QXL_RELOC_TYPE_BO, h, at + offsetof(struct qxl_image, u.bitmap.data),
		      h, SC_CHUNK);
		if (two) {
			ch.data_size = size - first;
			put(s, SC_CHUNK2, &ch, sizeof(ch));
			reloc(s, QXL_RELOC_TYPE_BO, h,
			      SC_CHUNK + offsetof(struct qxl_data_chunk, next_chunk), h, SC_CHUNK2);
			if (one_in(r, 2))
				reloc(s, QXL_RELOC_TYPE_BO, h,
				      SC_CHUNK2 + offsetof(struct qxl_data_chunk, prev_chunk),
				      h, SC_CHUNK);
		}
	}
	for (i = 0; i < size && i < 1400; i += 8) {
		uint64_t v = rnd(r);

		put(s, SC_CHUNK + sizeof(ch) + i, &v, 8);
	}
	put(s, at, &img, sizeof(img));
	*w_out = w;
	*h_out = hh;
}

/* A SURFACE image at offset at reading surface buffer src (0: the primary). */
static void build_surface_image(struct rng *r, struct scene *s, uint32_t h, size_t at,
				const struct obj *src, uint32_t *w_out, uint32_t *h_out)
{
	struct qxl_image img = { 0 };

	img.descriptor.type = QXL_IMAGE_TYPE_SURFACE;
	img.descriptor.width = src->w ? src->w : 64;
	img.descriptor.height = src->h ? src->h : 64;
	put(s, at, &img, sizeof(img));
	reloc(s, QXL_RELOC_TYPE_SURF, h, at + offsetof(struct qxl_image, u.surface_image.surface_id),
	      one_in(r, 6) ? 0 : src->handle, 0);
	*w_out = img.descriptor.width;
	*h_out = img.descriptor.height;
}

/* An image for a drawable's address field at doff: bitmap or surface. */
static void image_for(struct rng *r, struct scene *s, uint32_t h, size_t doff, size_t at,
		      uint32_t *w, uint32_t *hh)
{
	struct obj src = obj_pick(r, OBJ_SURF);

	if (src.kind == OBJ_SURF && one_in(r, 3))
		build_surface_image(r, s, h, at, &src, w, hh);
	else
		build_bitmap(r, s, h, at, w, hh);
	reloc(s, QXL_RELOC_TYPE_BO, 0, doff, h, at);
}

static void build_clip(struct rng *r, struct scene *s, uint32_t h, struct qxl_drawable *d)
{
	struct qxl_clip_rects cr = { 0 };
	uint32_t n = one_in(r, 20) ? 0 : 1 + below(r, 12), i;

	cr.num_rects = n;
	cr.chunk.data_size = n * sizeof(struct qxl_rect);
	if (one_in(r, 12))
		cr.chunk.data_size = edgy32(r);
	put(s, SC_CLIP, &cr, sizeof(cr));
	for (i = 0; i < n; i++) {
		struct qxl_rect rc;

		rc.left = (int32_t)below(r, 256) - 8;
		rc.top = (int32_t)below(r, 256) - 8;
		rc.right = rc.left + (int32_t)below(r, 128);
		rc.bottom = rc.top + (int32_t)below(r, 128);
		put(s, SC_CLIP + sizeof(cr) + i * sizeof(rc), &rc, sizeof(rc));
	}
	d->clip.type = QXL_CLIP_TYPE_RECTS;
	reloc(s, QXL_RELOC_TYPE_BO, 0, offsetof(struct qxl_drawable, clip.data), h, SC_CLIP);
}

static void build_brush(struct rng *r, struct scene *s, uint32_t h, struct qxl_brush *b,
			size_t doff)
{
	uint32_t w, hh;

	switch (below(r, 5)) {
	case 0:
		b->type = QXL_BRUSH_TYPE_NONE;
		break;
	case 1:
		b->type = QXL_BRUSH_TYPE_PATTERN;
		image_for(r, s, h, doff + offsetof(struct qxl_brush, u.pattern.pat), SC_IMG_B, &w, &hh);
		b->u.pattern.pos.x = (int32_t)below(r, 8);
		b->u.pattern.pos.y = (int32_t)below(r, 8);
		break;
	default:
		b->type = QXL_BRUSH_TYPE_SOLID;
		b->u.color = (uint32_t)rnd(r);
	}
}

static void build_mask(struct rng *r, struct scene *s, uint32_t h, struct qxl_q_mask *m,
		       size_t doff)
{
	uint32_t w, hh;

	if (!one_in(r, 5))
		return;
	m->flags = one_in(r, 2) ? QXL_MASK_FLAGS_INVERS : 0;
	m->pos.x = (int32_t)below(r, 4);
	m->pos.y = (int32_t)below(r, 4);
	image_for(r, s, h, doff + offsetof(struct qxl_q_mask, bitmap), SC_IMG_B, &w, &hh);
}

static void build_path(struct rng *r, struct scene *s, uint32_t h, size_t doff)
{
	uint8_t seg[512];
	struct qxl_path p = { 0 };
	uint32_t used = 0, nseg = 1 + below(r, 3), i, j;

	for (i = 0; i < nseg; i++) {
		struct qxl_path_seg ps;
		uint32_t n = 1 + below(r, 6);

		if (used + sizeof(ps) + n * sizeof(struct qxl_point_fix) > sizeof(seg))
			break;
		ps.flags = (i == 0 ? QXL_PATH_BEGIN : 0) | (i == nseg - 1 ? QXL_PATH_END : 0) |
			   (one_in(r, 3) ? QXL_PATH_CLOSE : 0) | (one_in(r, 3) ? QXL_PATH_BEZIER : 0);
		ps.count = n;
		memcpy(seg + used, &ps, sizeof(ps));
		used += sizeof(ps);
		for (j = 0; j < n; j++) {
			struct qxl_point_fix pt = {
				.x = (int32_t)below(r, 200 << 4), .y = (int32_t)below(r, 200 << 4),
			};

			memcpy(seg + used, &pt, sizeof(pt));
			used += sizeof(pt);
		}
	}
	p.data_size = used;
	p.chunk.data_size = one_in(r, 10) ? edgy32(r) : used;
	put(s, SC_PATH, &p, sizeof(p));
	put(s, SC_PATH + sizeof(p), seg, used);
	reloc(s, QXL_RELOC_TYPE_BO, 0, doff, h, SC_PATH);
}

static void build_string(struct rng *r, struct scene *s, uint32_t h, size_t doff)
{
	uint8_t g[512];
	struct qxl_string str = { 0 };
	uint32_t used = 0, n = 1 + below(r, 4), i;
	uint16_t depth_flag[] = {
		QXL_STRING_FLAGS_RASTER_A1, QXL_STRING_FLAGS_RASTER_A4, QXL_STRING_FLAGS_RASTER_A8,
	};
	uint32_t bpp_of[] = { 1, 4, 8 }, k = below(r, 3);

	for (i = 0; i < n; i++) {
		struct qxl_raster_glyph gl = { 0 };
		uint32_t bytes;

		gl.width = (uint16_t)(1 + below(r, 12));
		gl.height = (uint16_t)(1 + below(r, 12));
		gl.render_pos.x = (int32_t)(i * 10);
		gl.render_pos.y = 20;
		bytes = (gl.width * bpp_of[k] + 7) / 8 * gl.height;
		if (used + sizeof(gl) + bytes > sizeof(g))
			break;
		memcpy(g + used, &gl, sizeof(gl));
		used += sizeof(gl);
		memset(g + used, (int)below(r, 256), bytes);
		used += bytes;
		str.length++;
	}
	str.flags = depth_flag[k] | (one_in(r, 2) ? QXL_STRING_FLAGS_RASTER_TOP_DOWN : 0);
	if (one_in(r, 10))
		str.length = (uint16_t)edgy32(r);
	str.data_size = used;
	str.chunk.data_size = used;
	put(s, SC_PATH, &str, sizeof(str));
	put(s, SC_PATH + sizeof(str), g, used);
	reloc(s, QXL_RELOC_TYPE_BO, 0, doff, h, SC_PATH);
}

#define DOFF(f)	offsetof(struct qxl_drawable, f)

/*
 * A drawable of a random type onto target surface tgt (a surface buffer or
 * the primary), with everything it points at written into the scene of
 * buffer h.
 */
static void build_drawable(struct rng *r, struct scene *s, struct qxl_drawable *d, uint32_t h,
			   const struct obj *tgt)
{
	static const uint8_t types[] = {
		QXL_DRAW_NOP, QXL_DRAW_FILL, QXL_DRAW_OPAQUE, QXL_DRAW_COPY, QXL_COPY_BITS,
		QXL_DRAW_BLEND, QXL_DRAW_BLACKNESS, QXL_DRAW_WHITENESS, QXL_DRAW_INVERS,
		QXL_DRAW_ROP3, QXL_DRAW_STROKE, QXL_DRAW_TEXT, QXL_DRAW_TRANSPARENT,
		QXL_DRAW_ALPHA_BLEND, QXL_DRAW_COMPOSITE,
	};
	uint32_t tw = tgt->w ? tgt->w : 640, th = tgt->h ? tgt->h : 480;
	uint32_t w = 0, hh = 0, i;
	struct qxl_rect area;

	memset(d, 0, sizeof(*d));
	d->type = types[below(r, sizeof(types))];
	d->effect = one_in(r, 30) ? (uint8_t)below(r, 9) : QXL_EFFECT_OPAQUE;
	d->bbox.left = (int32_t)below(r, tw);
	d->bbox.top = (int32_t)below(r, th);
	d->bbox.right = d->bbox.left + 1 + (int32_t)below(r, tw - (uint32_t)d->bbox.left);
	d->bbox.bottom = d->bbox.top + 1 + (int32_t)below(r, th - (uint32_t)d->bbox.top);
	if (one_in(r, 40)) {
		d->bbox.right = (int32_t)edgy32(r);
		d->bbox.left = (int32_t)edgy32(r);
	}
	d->mm_time = (uint32_t)rnd(r);
	for (i = 0; i < 3; i++)
		d->surfaces_dest[i] = -1;
	if (one_in(r, 3))
		build_clip(r, s, h, d);
	if (tgt->kind == OBJ_SURF && !one_in(r, 30))
		reloc(s, QXL_RELOC_TYPE_SURF, 0, DOFF(surface_id), tgt->handle, 0);
	area.left = 0;
	area.top = 0;

	switch (d->type) {
	case QXL_DRAW_FILL:
		build_brush(r, s, h, &d->u.fill.brush, DOFF(u.fill.brush));
		d->u.fill.rop_descriptor = (uint16_t)(1U << below(r, 11));
		build_mask(r, s, h, &d->u.fill.mask, DOFF(u.fill.mask));
		break;
	case QXL_DRAW_OPAQUE:
		image_for(r, s, h, DOFF(u.opaque.src_bitmap), SC_IMG_A, &w, &hh);
		build_brush(r, s, h, &d->u.opaque.brush, DOFF(u.opaque.brush));
		d->u.opaque.rop_descriptor = (uint16_t)(1U << below(r, 11));
		d->u.opaque.scale_mode = (uint8_t)below(r, 2);
		build_mask(r, s, h, &d->u.opaque.mask, DOFF(u.opaque.mask));
		area.right = (int32_t)w;
		area.bottom = (int32_t)hh;
		d->u.opaque.src_area = area;
		break;
	case QXL_DRAW_COPY:
	case QXL_DRAW_BLEND:
		image_for(r, s, h, DOFF(u.copy.src_bitmap), SC_IMG_A, &w, &hh);
		d->u.copy.rop_descriptor = (uint16_t)(1U << below(r, 11));
		d->u.copy.scale_mode = (uint8_t)below(r, 2);
		build_mask(r, s, h, &d->u.copy.mask, DOFF(u.copy.mask));
		area.right = (int32_t)w;
		area.bottom = (int32_t)hh;
		d->u.copy.src_area = area;
		break;
	case QXL_DRAW_TRANSPARENT:
		image_for(r, s, h, DOFF(u.transparent.src_bitmap), SC_IMG_A, &w, &hh);
		area.right = (int32_t)w;
		area.bottom = (int32_t)hh;
		d->u.transparent.src_area = area;
		d->u.transparent.src_color = (uint32_t)rnd(r);
		d->u.transparent.true_color = (uint32_t)rnd(r);
		break;
	case QXL_DRAW_ALPHA_BLEND:
		image_for(r, s, h, DOFF(u.alpha_blend.src_bitmap), SC_IMG_A, &w, &hh);
		area.right = (int32_t)w;
		area.bottom = (int32_t)hh;
		d->u.alpha_blend.src_area = area;
		d->u.alpha_blend.alpha = (uint8_t)rnd(r);
		d->u.alpha_blend.alpha_flags = (uint16_t)below(r, 4);
		break;
	case QXL_COPY_BITS:
		d->u.copy_bits.src_pos.x = (int32_t)below(r, tw);
		d->u.copy_bits.src_pos.y = (int32_t)below(r, th);
		break;
	case QXL_DRAW_ROP3:
		image_for(r, s, h, DOFF(u.rop3.src_bitmap), SC_IMG_A, &w, &hh);
		build_brush(r, s, h, &d->u.rop3.brush, DOFF(u.rop3.brush));
		d->u.rop3.rop3 = (uint8_t)rnd(r);
		d->u.rop3.scale_mode = (uint8_t)below(r, 2);
		build_mask(r, s, h, &d->u.rop3.mask, DOFF(u.rop3.mask));
		area.right = (int32_t)w;
		area.bottom = (int32_t)hh;
		d->u.rop3.src_area = area;
		break;
	case QXL_DRAW_BLACKNESS:
	case QXL_DRAW_WHITENESS:
	case QXL_DRAW_INVERS:
		build_mask(r, s, h, &d->u.blackness.mask, DOFF(u.blackness.mask));
		break;
	case QXL_DRAW_STROKE:
		build_path(r, s, h, DOFF(u.stroke.path));
		d->u.stroke.attr.width = (int32_t)below(r, 4);
		d->u.stroke.attr.join_style = (uint8_t)below(r, 3);
		d->u.stroke.attr.end_style = (uint8_t)below(r, 3);
		if (one_in(r, 4)) {
			uint32_t st[4] = { 1 << 4, 2 << 4, 3 << 4, 1 << 4 };

			d->u.stroke.attr.flags = QXL_LINE_FLAGS_STYLED;
			d->u.stroke.attr.style_nseg = (uint8_t)(1 + below(r, 4));
			put(s, SC_STYLE, st, sizeof(st));
			reloc(s, QXL_RELOC_TYPE_BO, 0, DOFF(u.stroke.attr.style), h, SC_STYLE);
		}
		build_brush(r, s, h, &d->u.stroke.brush, DOFF(u.stroke.brush));
		d->u.stroke.fore_mode = (uint16_t)(1U << below(r, 11));
		d->u.stroke.back_mode = (uint16_t)(1U << below(r, 11));
		break;
	case QXL_DRAW_TEXT:
		build_string(r, s, h, DOFF(u.text.str));
		build_brush(r, s, h, &d->u.text.fore_brush, DOFF(u.text.fore_brush));
		d->u.text.back_brush.type = QXL_BRUSH_TYPE_NONE;
		d->u.text.fore_mode = QXL_ROPD_OP_PUT;
		d->u.text.back_area = d->bbox;
		break;
	case QXL_DRAW_COMPOSITE: {
		struct qxl_transform t = { 1 << 16, 0, 0, 0, 1 << 16, 0 };

		d->u.composite.flags = (uint32_t)below(r, 0x3f) |
				       ((uint32_t)below(r, 4) << QXL_COMPOSITE_SRC_FILTER_SHIFT) |
				       ((uint32_t)below(r, 4) << QXL_COMPOSITE_SRC_REPEAT_SHIFT);
		image_for(r, s, h, DOFF(u.composite.src), SC_IMG_A, &w, &hh);
		if (one_in(r, 3)) {
			d->u.composite.flags |= QXL_COMPOSITE_HAS_SRC_TRANSFORM;
			put(s, SC_XFORM, &t, sizeof(t));
			reloc(s, QXL_RELOC_TYPE_BO, 0, DOFF(u.composite.src_transform), h, SC_XFORM);
		}
		if (one_in(r, 3)) {
			d->u.composite.flags |= QXL_COMPOSITE_HAS_MASK;
			image_for(r, s, h, DOFF(u.composite.mask), SC_IMG_B, &w, &hh);
		}
		break;
	}
	default:
		break;
	}
	if (one_in(r, 40))
		d->self_bitmap = 1;
}

/* Damage one thing of a well-formed command: the mutations of the header. */
static void mutate(struct rng *r, struct scene *s, struct qxl_drawable *d,
		   struct drm_qxl_command *c)
{
	struct drm_qxl_reloc *rel = s->n_rel ? &s->rel[below(r, s->n_rel)] : &s->rel[0];
	uint8_t *db = (uint8_t *)d;

	switch (below(r, 14)) {
	case 0:
		db[RELEASE_INFO + below(r, sizeof(*d) - RELEASE_INFO)] ^= (uint8_t)(1 + below(r, 255));
		break;
	case 1:
		s->b[below(r, SC_MIN)] ^= (uint8_t)(1 + below(r, 255));
		break;
	case 2:
		rel->src_handle = any_handle(r, NULL);
		break;
	case 3:
		rel->dst_handle = any_handle(r, NULL);
		break;
	case 4:
		rel->src_offset = one_in(r, 2) ? edgy32(r) : rnd(r);
		break;
	case 5:
		rel->dst_offset = one_in(r, 2) ? edgy32(r) : below(r, 256);
		break;
	case 6:
		rel->reloc_type = edgy32(r) % 4;
		break;
	case 7:
		rel->pad = edgy32(r);
		break;
	case 8:
		c->command_size = one_in(r, 2) ? edgy32(r) : below(r, 200);
		break;
	case 9:
		c->relocs_num = one_in(r, 2) ? edgy32(r) : below(r, 128);
		break;
	case 10:
		c->type = edgy32(r) % 8;
		break;
	case 11:
		if (one_in(r, 2))
			c->command = (uint64_t)edgy32(r);
		else
			c->relocs = (uint64_t)edgy32(r);
		break;
	case 12:
		/* a relocation twice, or one written over another */
		if (s->n_rel && s->n_rel < 96) {
			s->rel[s->n_rel] = *rel;
			s->n_rel++;
			c->relocs_num = s->n_rel;
		}
		break;
	default:
		c->pad = edgy32(r);
	}
}

/* -------------------------------------------------------------- ops */

/* ALLOC (+ MAP + mmap most of the time) into the pool. */
static void op_alloc(struct rng *r)
{
	struct drm_qxl_alloc a = { 0 };
	struct obj o = { 0 };
	int fdi = pick_fdi(r), ret;

	switch (below(r, 10)) {
	case 0: a.size = edgy32(r); break;
	case 1: a.size = 1 + below(r, 64 << 20); break;
	default: a.size = SC_MIN << below(r, 3);
	}
	ret = io(IO_QXL_ALLOC, fdi, DRM_IOCTL_QXL_ALLOC, &a);
	if (ret)
		return;
	o.kind = OBJ_QXL;
	o.fdi = fdi;
	o.handle = a.handle;
	o.size = a.size;
	if (!one_in(r, 6)) {
		struct drm_qxl_map m = { .handle = a.handle };

		if (!io(IO_QXL_MAP, fdi, DRM_IOCTL_QXL_MAP, &m)) {
			void *p = xmmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[fdi],
				       (off_t)m.offset);

			count(IO_MMAP, p == MAP_FAILED ? errno : 0);
			if (p != MAP_FAILED) {
				o.map = p;
				o.map_len = a.size;
			}
		}
	}
	obj_add(r, &o);
}

static const uint32_t surf_fmts[] = {
	QXL_SURFACE_FMT_1_A, QXL_SURFACE_FMT_8_A, QXL_SURFACE_FMT_16_555,
	QXL_SURFACE_FMT_16_565, QXL_SURFACE_FMT_32_XRGB, QXL_SURFACE_FMT_32_ARGB,
};

static void op_alloc_surf(struct rng *r)
{
	struct drm_qxl_alloc_surf a = { 0 };
	struct obj o = { 0 };
	int fdi = pick_fdi(r), bpp;

	a.format = one_in(r, 10) ? edgy32(r) : surf_fmts[below(r, 6)];
	a.width = one_in(r, 10) ? edgy32(r) : 1 + below(r, 320);
	a.height = one_in(r, 10) ? edgy32(r) : 1 + below(r, 240);
	bpp = a.format == QXL_SURFACE_FMT_1_A ? 1 : a.format == QXL_SURFACE_FMT_8_A ? 8 :
	      (a.format == 16 || a.format == 80) ? 16 : 32;
	a.stride = (int32_t)(((a.width * (uint32_t)bpp + 31) / 32) * 4);
	if (one_in(r, 2))
		a.stride = -a.stride;
	if (one_in(r, 10))
		a.stride = (int32_t)edgy32(r);
	if (one_in(r, 20))
		a.pad = edgy32(r);
	if (io(IO_QXL_ALLOC_SURF, fdi, DRM_IOCTL_QXL_ALLOC_SURF, &a))
		return;
	if (bpp != 32 && !mixed_depths) {
		/*
		 * Drawing on or from a surface of another depth than the
		 * target aborts QEMU (see mixed_depths): such a surface is
		 * read back once and closed, never put in the pool.
		 */
		struct drm_qxl_update_area u = { .handle = a.handle, .right = 1, .bottom = 1 };
		struct drm_gem_close c = { .handle = a.handle };

		io(IO_QXL_UPDATE_AREA, fdi, DRM_IOCTL_QXL_UPDATE_AREA, &u);
		io(IO_GEM_CLOSE, fdi, DRM_IOCTL_GEM_CLOSE, &c);
		return;
	}
	o.kind = OBJ_SURF;
	o.fdi = fdi;
	o.handle = a.handle;
	o.w = a.width;
	o.h = a.height;
	o.pitch = (uint32_t)abs(a.stride);
	o.size = o.pitch * (a.height + 1);
	if (one_in(r, 3)) {
		struct drm_qxl_map m = { .handle = a.handle };

		if (!io(IO_QXL_MAP, fdi, DRM_IOCTL_QXL_MAP, &m)) {
			void *p = xmmap(NULL, o.size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[fdi],
				       (off_t)m.offset);

			count(IO_MMAP, p == MAP_FAILED ? errno : 0);
			if (p != MAP_FAILED) {
				o.map = p;
				o.map_len = o.size;
			}
		}
	}
	obj_add(r, &o);
}

static void op_map(struct rng *r)
{
	int fdi;
	struct drm_qxl_map m = { 0 };

	m.handle = any_handle(r, &fdi);
	if (one_in(r, 10))
		m.pad = edgy32(r);
	if (!io(IO_QXL_MAP, fdi, DRM_IOCTL_QXL_MAP, &m) && one_in(r, 2)) {
		size_t len = 4096 << below(r, 3);
		void *p = xmmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fds[fdi],
			       (off_t)(m.offset + (one_in(r, 8) ? 4096 * below(r, 4) : 0)));

		count(IO_MMAP, p == MAP_FAILED ? errno : 0);
		if (p != MAP_FAILED) {
			uint64_t v = rnd(r);

			/* past the object: the kernel refuses the mapping or faults */
			guarded_write(p, &v, sizeof(v));
			unmap(p, len);
		}
	}
}

/*
 * Mappings left behind when their handle is closed, on purpose: each holds
 * its buffer, so only the last NORPHAN live on (a 1,000,000-call run that
 * kept them all held the whole dumb-buffer limit and the surface BAR).
 */
#define NORPHAN	16
static struct {
	void *map;
	size_t len;
} orphans[NORPHAN];
static unsigned int orphan_next;

static void orphan_add(void *map, size_t len)
{
	void *old;
	size_t old_len;

	pthread_mutex_lock(&pool_lock);
	old = orphans[orphan_next].map;
	old_len = orphans[orphan_next].len;
	orphans[orphan_next].map = map;
	orphans[orphan_next].len = len;
	orphan_next = (orphan_next + 1) % NORPHAN;
	pthread_mutex_unlock(&pool_lock);
	if (old)
		unmap(old, old_len);
}

/* Free a random slot: close its handle, unmap it (another thread may be writing it). */
static void op_free(struct rng *r)
{
	unsigned int slot = below(r, NOBJ);
	struct obj o;

	pthread_mutex_lock(&pool_lock);
	o = pool[slot];
	if (one_in(r, 3) || !o.map)
		pool[slot].kind = OBJ_FREE;
	pthread_mutex_unlock(&pool_lock);
	if (o.kind == OBJ_FREE)
		return;
	if (pool[slot].kind == OBJ_FREE) {
		struct drm_gem_close c = { .handle = o.handle };

		if (o.map && one_in(r, 2))
			unmap(o.map, o.map_len);
		else if (o.map)
			orphan_add(o.map, o.map_len);	/* the mapping outlives the handle */
		io(IO_GEM_CLOSE, o.fdi, DRM_IOCTL_GEM_CLOSE, &c);
	} else {
		/* close the handle but keep the slot (a stale handle others still use) */
		struct drm_gem_close c = { .handle = o.handle };

		io(IO_GEM_CLOSE, o.fdi, DRM_IOCTL_GEM_CLOSE, &c);
	}
}

/* Writes into a mapped buffer: while other threads submit, show, export it. */
static void op_scribble(struct rng *r)
{
	struct obj o = obj_pick(r, 0);
	unsigned int i, n = 1 + below(r, 32);

	if (!o.map)
		return;
	for (i = 0; i < n; i++) {
		uint64_t v = one_in(r, 2) ? rnd(r) : edgy32(r);
		size_t off = below(r, (uint32_t)(o.map_len - 8 > 4096 ? 4096 : o.map_len - 8));

		if (one_in(r, 4))
			off = below(r, (uint32_t)(o.map_len - 8)) & ~7U;
		guarded_write(o.map + off, &v, 1 + below(r, 8));
	}
}

/* EXECBUFFER of 1..4 commands built on a mapped scene buffer. */
static void op_execbuffer(struct rng *r)
{
	static __thread struct scene sc[4];
	static __thread struct qxl_drawable dr[4];
	struct drm_qxl_command cmds[4];
	struct drm_qxl_execbuffer eb = { 0 };
	struct obj buf = obj_pick(r, OBJ_QXL), tgt;
	unsigned int n = one_in(r, 4) ? 1 + below(r, 4) : 1, i;
	int ret, fdi;

	if (buf.kind != OBJ_QXL || !buf.map || buf.map_len < SC_MIN) {
		op_alloc(r);
		return;
	}
	fdi = buf.fdi;
	/* each command of a call gets its own SC_MIN bytes of the buffer */
	if (n > buf.map_len / SC_MIN)
		n = (unsigned int)(buf.map_len / SC_MIN);
	for (i = 0; i < n; i++) {
		struct scene *s = &sc[i];
		unsigned int k;

		memset(s->b, 0, sizeof(s->b));
		s->n_rel = 0;
		tgt = obj_pick(r, OBJ_SURF);
		if (tgt.kind != OBJ_SURF || tgt.fdi != fdi || one_in(r, 4)) {
			memset(&tgt, 0, sizeof(tgt));	/* the primary */
			tgt.kind = OBJ_FREE;
		}
		build_drawable(r, s, &dr[i], buf.handle, &tgt);
		for (k = 0; k < s->n_rel; k++) {
			if (s->rel[k].dst_handle == buf.handle)
				s->rel[k].dst_offset += (uint64_t)i * SC_MIN;
			if (s->rel[k].src_handle == buf.handle &&
			    s->rel[k].reloc_type == QXL_RELOC_TYPE_BO)
				s->rel[k].src_offset += (uint64_t)i * SC_MIN;
		}
		memset(&cmds[i], 0, sizeof(cmds[i]));
		cmds[i].command = (uintptr_t)((uint8_t *)&dr[i] + RELEASE_INFO);
		cmds[i].relocs = (uintptr_t)s->rel;
		cmds[i].type = QXL_CMD_DRAW;
		cmds[i].command_size = sizeof(dr[i]) - RELEASE_INFO;
		cmds[i].relocs_num = s->n_rel;
		if (one_in(r, 4))
			mutate(r, s, &dr[i], &cmds[i]);
		guarded_write(buf.map + (size_t)i * SC_MIN, s->b, SC_MIN);
	}
	eb.commands_num = n;
	eb.commands = (uintptr_t)cmds;
	if (one_in(r, 30))
		eb.flags = edgy32(r);
	if (one_in(r, 30))
		eb.commands_num = edgy32(r) % 200;
	ret = io(IO_QXL_EXECBUFFER, fdi, DRM_IOCTL_QXL_EXECBUFFER, &eb);
	if (!ret)
		__atomic_fetch_add(&stat_drawn, n, __ATOMIC_RELAXED);
	if (verbose)
		printf("# t%d execbuffer n=%u type=%u relocs=%u -> %d\n", self->id, n, dr[0].type,
		       cmds[0].relocs_num, ret);
}

static void op_update_area(struct rng *r)
{
	struct obj o = obj_pick(r, one_in(r, 4) ? 0 : OBJ_SURF);
	struct drm_qxl_update_area u = { 0 };
	uint32_t w = o.w ? o.w : 64, h = o.h ? o.h : 64;

	u.handle = one_in(r, 10) ? any_handle(r, NULL) : o.handle;
	u.left = below(r, w);
	u.top = below(r, h);
	u.right = u.left + 1 + below(r, w - u.left);
	u.bottom = u.top + 1 + below(r, h - u.top);
	if (one_in(r, 8))
		u.right = edgy32(r);
	if (one_in(r, 8))
		u.bottom = edgy32(r);
	if (one_in(r, 20))
		u.pad = edgy32(r);
	io(IO_QXL_UPDATE_AREA, o.kind != OBJ_FREE ? o.fdi : 0, DRM_IOCTL_QXL_UPDATE_AREA, &u);
}

static void op_getparam_clientcap(struct rng *r)
{
	struct drm_qxl_getparam g = { .param = one_in(r, 4) ? rnd(r) : below(r, 4) };
	struct drm_qxl_clientcap c = { .index = one_in(r, 3) ? edgy32(r) : below(r, 480) };
	int fdi = pick_fdi(r);

	if (one_in(r, 10))
		c.pad = edgy32(r);
	io(IO_QXL_GETPARAM, fdi, DRM_IOCTL_QXL_GETPARAM, &g);
	io(IO_QXL_CLIENTCAP, fdi, DRM_IOCTL_QXL_CLIENTCAP, &c);
}

/* CREATE_DUMB + MAP_DUMB + mmap, sometimes ADDFB2 and DIRTYFB at once. */
static void op_dumb(struct rng *r)
{
	struct drm_mode_create_dumb c = { 0 };
	struct drm_mode_map_dumb m = { 0 };
	struct obj o = { 0 };
	int fdi = pick_fdi(r);

	c.width = one_in(r, 10) ? edgy32(r) : 1 + below(r, 1024);
	c.height = one_in(r, 10) ? edgy32(r) : 1 + below(r, 768);
	c.bpp = one_in(r, 8) ? edgy32(r) : (one_in(r, 6) ? 16 : 32);
	if (one_in(r, 20))
		c.flags = edgy32(r);
	/*
	 * Dumb buffers are shmem: a mapping or a scanout pins every page,
	 * and the guest has 2 GiB.  Bigger ones only with --big (they run
	 * the guest out of memory: see the README).
	 */
	if (!big_dumb && (uint64_t)c.width * c.height * ((c.bpp + 7) / 8) > DUMB_MAX)
		c.height = (uint32_t)(DUMB_MAX / ((uint64_t)c.width * ((c.bpp + 7) / 8) + 1));
	if (io(IO_CREATE_DUMB, fdi, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return;
	o.kind = OBJ_DUMB;
	o.fdi = fdi;
	o.handle = c.handle;
	o.w = c.width;
	o.h = c.height;
	o.pitch = c.pitch;
	o.size = (uint32_t)c.size;
	m.handle = c.handle;
	if (!io(IO_MAP_DUMB, fdi, DRM_IOCTL_MODE_MAP_DUMB, &m)) {
		void *p = xmmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[fdi],
			       (off_t)m.offset);

		count(IO_MMAP, p == MAP_FAILED ? errno : 0);
		if (p != MAP_FAILED) {
			o.map = p;
			o.map_len = c.size;
		}
	}
	obj_add(r, &o);
}

static void op_destroy_dumb(struct rng *r)
{
	int fdi;
	struct drm_mode_destroy_dumb d = { .handle = any_handle(r, &fdi) };

	io(IO_DESTROY_DUMB, fdi, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
}

static const uint32_t fourccs[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_RGB565, DRM_FORMAT_XRGB1555,
	DRM_FORMAT_BGRX8888, DRM_FORMAT_NV12, DRM_FORMAT_C8, DRM_FORMAT_RGB888,
};

/* ADDFB / ADDFB2 on a pool buffer (mostly a dumb one, fitting or not). */
static void op_addfb(struct rng *r)
{
	struct obj o = obj_pick(r, one_in(r, 5) ? 0 : OBJ_DUMB);
	unsigned int slot = below(r, NFB);
	struct fb old;
	uint32_t id = 0;
	int ret, fdi = 0;

	if (o.kind != OBJ_FREE && o.fdi != 0 && !one_in(r, 4))
		return;	/* framebuffers live on the master's fd */
	if (one_in(r, 4)) {
		struct drm_mode_fb_cmd f = { 0 };

		f.width = one_in(r, 8) ? edgy32(r) : o.w;
		f.height = one_in(r, 8) ? edgy32(r) : o.h;
		f.pitch = one_in(r, 8) ? edgy32(r) : o.pitch;
		f.bpp = one_in(r, 8) ? edgy32(r) : 32;
		f.depth = one_in(r, 8) ? edgy32(r) : 24;
		f.handle = one_in(r, 10) ? any_handle(r, NULL) : o.handle;
		ret = io(IO_ADDFB, fdi, DRM_IOCTL_MODE_ADDFB, &f);
		id = f.fb_id;
	} else {
		struct drm_mode_fb_cmd2 f = { 0 };

		f.width = one_in(r, 8) ? edgy32(r) : (one_in(r, 3) ? 1 + below(r, o.w + 1) : o.w);
		f.height = one_in(r, 8) ? edgy32(r) : o.h;
		f.pixel_format = one_in(r, 5) ? fourccs[below(r, 8)] : DRM_FORMAT_XRGB8888;
		f.handles[0] = one_in(r, 10) ? any_handle(r, NULL) : o.handle;
		f.pitches[0] = one_in(r, 8) ? edgy32(r) : o.pitch;
		f.offsets[0] = one_in(r, 8) ? edgy32(r) : 0;
		if (one_in(r, 10)) {
			f.handles[1] = o.handle;
			f.pitches[1] = o.pitch;
		}
		if (one_in(r, 12)) {
			f.flags = DRM_MODE_FB_MODIFIERS;
			f.modifier[0] = rnd(r);
		}
		ret = io(IO_ADDFB2, fdi, DRM_IOCTL_MODE_ADDFB2, &f);
		id = f.fb_id;
	}
	if (ret)
		return;
	pthread_mutex_lock(&pool_lock);
	old = fbs[slot];
	fbs[slot].id = id;
	fbs[slot].w = o.w;
	fbs[slot].h = o.h;
	pthread_mutex_unlock(&pool_lock);
	if (old.id)
		io(IO_RMFB, 0, DRM_IOCTL_MODE_RMFB, &old.id);
}

static uint32_t fb_pick(struct rng *r, struct fb *out)
{
	struct fb f;

	pthread_mutex_lock(&pool_lock);
	f = fbs[below(r, NFB)];
	pthread_mutex_unlock(&pool_lock);
	if (out)
		*out = f;
	if (one_in(r, 15))
		return edgy32(r);
	return f.id;
}

static void op_rmfb(struct rng *r)
{
	unsigned int slot = below(r, NFB);
	uint32_t id;

	pthread_mutex_lock(&pool_lock);
	id = fbs[slot].id;
	if (!one_in(r, 3))
		fbs[slot].id = 0;	/* else left stale in the pool */
	pthread_mutex_unlock(&pool_lock);
	if (one_in(r, 10))
		id = edgy32(r);
	io(IO_RMFB, 0, DRM_IOCTL_MODE_RMFB, &id);
	if (one_in(r, 4)) {
		struct drm_mode_fb_cmd g = { .fb_id = fb_pick(r, NULL) };

		io(IO_GETFB, 0, DRM_IOCTL_MODE_GETFB, &g);
		if (g.handle) {
			struct drm_gem_close c = { .handle = g.handle };

			io(IO_GEM_CLOSE, 0, DRM_IOCTL_GEM_CLOSE, &c);
		}
	}
}

/* DIRTYFB with whole, random, out-of-bounds or many clips. */
static void op_dirtyfb(struct rng *r)
{
	struct drm_clip_rect clips[64];
	struct drm_mode_fb_dirty_cmd d = { 0 };
	struct fb f;
	unsigned int n = one_in(r, 3) ? 0 : 1 + below(r, 64), i;

	d.fb_id = fb_pick(r, &f);
	for (i = 0; i < n; i++) {
		uint32_t w = f.w ? f.w : 1024, h = f.h ? f.h : 768;

		clips[i].x1 = (uint16_t)below(r, w);
		clips[i].y1 = (uint16_t)below(r, h);
		clips[i].x2 = (uint16_t)(clips[i].x1 + 1 + below(r, w - clips[i].x1));
		clips[i].y2 = (uint16_t)(clips[i].y1 + 1 + below(r, h - clips[i].y1));
		if (one_in(r, 10))
			clips[i].x2 = (uint16_t)edgy32(r);
		if (one_in(r, 10))
			clips[i].y1 = (uint16_t)edgy32(r);
	}
	d.num_clips = n;
	d.clips_ptr = (uintptr_t)clips;
	if (one_in(r, 30))
		d.num_clips = edgy32(r);
	if (one_in(r, 10))
		d.flags = (uint32_t)below(r, 4);
	d.color = (uint32_t)rnd(r);
	io(IO_DIRTYFB, 0, DRM_IOCTL_MODE_DIRTYFB, &d);
}

static uint32_t crtc_pick(struct rng *r)
{
	if (one_in(r, 12) || !n_crtcs)
		return edgy32(r);
	return crtcs[below(r, n_crtcs)];
}

/* GETCRTC / SETCRTC with a pool framebuffer and a mode of the connector (or not). */
static void op_setcrtc(struct rng *r)
{
	struct drm_mode_crtc c = { 0 };
	uint32_t conn;
	struct fb f;

	c.crtc_id = crtc_pick(r);
	io(IO_GETCRTC, 0, DRM_IOCTL_MODE_GETCRTC, &c);
	if (one_in(r, 3))
		return;
	memset(&c, 0, sizeof(c));
	c.crtc_id = crtc_pick(r);
	c.fb_id = one_in(r, 6) ? 0 : fb_pick(r, &f);
	conn = n_conns ? conns[below(r, n_conns)] : 0;
	if (one_in(r, 10))
		conn = edgy32(r);
	c.set_connectors_ptr = (uintptr_t)&conn;
	c.count_connectors = c.fb_id ? 1 : 0;
	if (one_in(r, 20))
		c.count_connectors = edgy32(r) % 64;
	if (c.fb_id && n_modes) {
		c.mode = *(struct drm_mode_modeinfo *)&modes[below(r, n_modes)];
		c.mode_valid = 1;
	}
	if (one_in(r, 10)) {
		c.mode.hdisplay = (uint16_t)edgy32(r);
		c.mode.vdisplay = (uint16_t)edgy32(r);
		c.mode.clock = edgy32(r);
	}
	c.x = one_in(r, 4) ? below(r, 64) : 0;
	c.y = one_in(r, 8) ? edgy32(r) : 0;
	io(IO_SETCRTC, 0, DRM_IOCTL_MODE_SETCRTC, &c);
}

static void op_page_flip(struct rng *r)
{
	struct drm_mode_crtc_page_flip f = { 0 };
	char ev[1024];
	ssize_t n;

	f.crtc_id = crtc_pick(r);
	f.fb_id = fb_pick(r, NULL);
	f.flags = one_in(r, 2) ? DRM_MODE_PAGE_FLIP_EVENT : 0;
	if (one_in(r, 5))
		f.flags |= DRM_MODE_PAGE_FLIP_ASYNC;
	if (one_in(r, 15))
		f.flags = edgy32(r);
	f.user_data = rnd(r);
	io(IO_PAGE_FLIP, 0, DRM_IOCTL_MODE_PAGE_FLIP, &f);
	/* the fd is non-blocking: take whatever events are there */
	n = read(fds[0], ev, sizeof(ev));
	count(IO_EVENT_READ, n < 0 ? errno : 0);
}

/* A cursor from a pool buffer (or none, or garbage), moved, with hotspots. */
static void op_cursor(struct rng *r)
{
	struct drm_mode_cursor2 c = { 0 };
	struct obj o = obj_pick(r, one_in(r, 3) ? 0 : OBJ_DUMB);

	c.crtc_id = crtc_pick(r);
	c.flags = one_in(r, 2) ? DRM_MODE_CURSOR_BO : DRM_MODE_CURSOR_MOVE;
	if (one_in(r, 4))
		c.flags = DRM_MODE_CURSOR_BO | DRM_MODE_CURSOR_MOVE;
	if (one_in(r, 20))
		c.flags = edgy32(r);
	c.handle = one_in(r, 5) ? 0 : (o.fdi == 0 ? o.handle : any_handle(r, NULL));
	c.width = one_in(r, 5) ? edgy32(r) : 64;
	c.height = one_in(r, 5) ? edgy32(r) : 64;
	c.x = (int32_t)below(r, 1100) - 50;
	c.y = (int32_t)below(r, 800) - 50;
	c.hot_x = (int32_t)(one_in(r, 5) ? edgy32(r) : below(r, 64));
	c.hot_y = (int32_t)below(r, 64);
	if (one_in(r, 2))
		io(IO_CURSOR2, 0, DRM_IOCTL_MODE_CURSOR2, &c);
	else
		io(IO_CURSOR, 0, DRM_IOCTL_MODE_CURSOR, &c);
}

static void op_blob(struct rng *r)
{
	unsigned int slot = below(r, NBLOB);
	uint32_t old;

	if (one_in(r, 3)) {
		struct drm_mode_destroy_blob d = { .blob_id = blobs[slot] };

		if (one_in(r, 5))
			d.blob_id = edgy32(r);
		blobs[slot] = 0;
		io(IO_DESTROYPROPBLOB, pick_fdi(r), DRM_IOCTL_MODE_DESTROYPROPBLOB, &d);
	} else if (one_in(r, 3)) {
		uint8_t data[256];
		struct drm_mode_get_blob g = {
			.blob_id = blobs[slot], .length = sizeof(data), .data = (uintptr_t)data,
		};

		io(IO_GETPROPBLOB, 0, DRM_IOCTL_MODE_GETPROPBLOB, &g);
	} else {
		struct drm_mode_modeinfo mi;
		struct drm_mode_rect dmg[8];
		struct drm_mode_create_blob c = { 0 };
		unsigned int i;

		if (n_modes && one_in(r, 2)) {
			mi = *(struct drm_mode_modeinfo *)&modes[below(r, n_modes)];
			if (one_in(r, 6))
				mi.hdisplay = (uint16_t)edgy32(r);
			c.data = (uintptr_t)&mi;
			c.length = sizeof(mi);
		} else {
			for (i = 0; i < 8; i++) {
				dmg[i].x1 = (int32_t)below(r, 1100) - 20;
				dmg[i].y1 = (int32_t)below(r, 800) - 20;
				dmg[i].x2 = dmg[i].x1 + (int32_t)below(r, 300);
				dmg[i].y2 = dmg[i].y1 + (int32_t)below(r, 300);
			}
			c.data = (uintptr_t)dmg;
			c.length = (uint32_t)sizeof(dmg[0]) * (1 + below(r, 8));
		}
		if (one_in(r, 10))
			c.length = edgy32(r) % 4096;
		if (io(IO_CREATEPROPBLOB, 0, DRM_IOCTL_MODE_CREATEPROPBLOB, &c))
			return;
		old = blobs[slot];
		blobs[slot] = c.blob_id;
		if (old) {
			struct drm_mode_destroy_blob d = { .blob_id = old };

			io(IO_DESTROYPROPBLOB, 0, DRM_IOCTL_MODE_DESTROYPROPBLOB, &d);
		}
	}
}

/* A value for property p: in its range / enum / an object of its type, or not. */
static uint64_t prop_value(struct rng *r, const struct prop *p)
{
	if (one_in(r, 12))
		return one_in(r, 2) ? rnd(r) : edgy32(r);
	if (!strcmp(p->name, "FB_ID"))
		return one_in(r, 6) ? 0 : fb_pick(r, NULL);
	if (!strcmp(p->name, "CRTC_ID"))
		return one_in(r, 4) ? 0 : crtc_pick(r);
	if (p->flags & DRM_MODE_PROP_BLOB)
		return one_in(r, 4) ? 0 : blobs[below(r, NBLOB)];
	if (p->flags & DRM_MODE_PROP_OBJECT)
		return one_in(r, 4) ? 0 : edgy32(r);
	if (p->n_vals && (p->flags & (DRM_MODE_PROP_ENUM | DRM_MODE_PROP_BITMASK)))
		return p->vals[below(r, p->n_vals)];
	if (p->flags & DRM_MODE_PROP_SIGNED_RANGE)
		return (uint64_t)((int64_t)p->min + (int64_t)below(r, 2200) - 100);
	if (p->max > p->min && p->max - p->min < (1ULL << 32))
		return p->min + below(r, (uint32_t)(p->max - p->min + 1));
	/* SRC_* are 16.16 fixed point */
	if (p->name[0] == 'S' && p->name[1] == 'R')
		return (uint64_t)below(r, 1100) << 16;
	return below(r, 1100);
}

/* An atomic commit of properties of 1..3 objects, mostly TEST_ONLY. */
static void op_atomic(struct rng *r)
{
	uint32_t objs[3], counts[3], pids[16];
	uint64_t vals[16];
	struct drm_mode_atomic a = { 0 };
	unsigned int n_obj = 1 + below(r, 3), n = 0, i, j, want, q;
	char ev[1024];

	if (!n_props)
		return;
	for (i = 0; i < n_obj; i++) {
		objs[i] = props[below(r, n_props)].obj;
		counts[i] = 0;
		want = 1 + below(r, 5);
		/* the object's properties, in a random rotation */
		q = below(r, n_props);
		for (j = 0; j < n_props && counts[i] < want && n < 16; j++) {
			const struct prop *p = &props[(q + j) % n_props];

			if (p->obj != objs[i] || !one_in(r, 2))
				continue;
			pids[n] = p->id;
			vals[n++] = prop_value(r, p);
			counts[i]++;
		}
	}
	a.count_objs = n_obj;
	a.objs_ptr = (uintptr_t)objs;
	a.count_props_ptr = (uintptr_t)counts;
	a.props_ptr = (uintptr_t)pids;
	a.prop_values_ptr = (uintptr_t)vals;
	a.flags = one_in(r, 3) ? 0 : DRM_MODE_ATOMIC_TEST_ONLY;
	if (one_in(r, 2))
		a.flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
	if (one_in(r, 6))
		a.flags |= DRM_MODE_ATOMIC_NONBLOCK;
	if (one_in(r, 6))
		a.flags |= DRM_MODE_PAGE_FLIP_EVENT;
	if (one_in(r, 30))
		a.flags = edgy32(r);
	a.user_data = rnd(r);
	if (one_in(r, 30))
		a.count_objs = edgy32(r) % 64;
	io(IO_ATOMIC, 0, DRM_IOCTL_MODE_ATOMIC, &a);
	if (a.flags & DRM_MODE_PAGE_FLIP_EVENT) {
		ssize_t got = read(fds[0], ev, sizeof(ev));

		count(IO_EVENT_READ, got < 0 ? errno : 0);
	}
}

/* The getters, with real ids, wrong ids and short/bad arrays. */
static void op_getters(struct rng *r)
{
	uint32_t ids[64];
	uint64_t vals[64];
	struct drm_mode_modeinfo mi[32];
	int fdi = pick_fdi(r);

	switch (below(r, 8)) {
	case 0: {
		struct drm_mode_card_res c = { 0 };

		c.count_fbs = c.count_crtcs = c.count_connectors = c.count_encoders =
			below(r, 2) ? 64 : below(r, 3);
		c.fb_id_ptr = c.crtc_id_ptr = (uintptr_t)ids;
		c.connector_id_ptr = c.encoder_id_ptr = (uintptr_t)(ids + 32);
		if (one_in(r, 10))
			c.crtc_id_ptr = edgy32(r);
		io(IO_GETRESOURCES, fdi, DRM_IOCTL_MODE_GETRESOURCES, &c);
		break;
	}
	case 1: {
		struct drm_mode_get_connector c = { 0 };

		c.connector_id = n_conns && !one_in(r, 8) ? conns[below(r, n_conns)] : edgy32(r);
		c.count_modes = below(r, 33);
		c.modes_ptr = (uintptr_t)mi;
		c.count_props = below(r, 33);
		c.props_ptr = (uintptr_t)ids;
		c.prop_values_ptr = (uintptr_t)vals;
		c.count_encoders = below(r, 8);
		c.encoders_ptr = (uintptr_t)(ids + 40);
		io(IO_GETCONNECTOR, fdi, DRM_IOCTL_MODE_GETCONNECTOR, &c);
		break;
	}
	case 2: {
		struct drm_mode_get_encoder e = {
			.encoder_id = n_encs && !one_in(r, 8) ? encs[below(r, n_encs)] : edgy32(r),
		};

		io(IO_GETENCODER, fdi, DRM_IOCTL_MODE_GETENCODER, &e);
		break;
	}
	case 3: {
		struct drm_mode_get_plane_res pr = { .count_planes = below(r, 17),
						     .plane_id_ptr = (uintptr_t)ids };
		struct drm_mode_get_plane p = { 0 };

		io(IO_GETPLANERESOURCES, fdi, DRM_IOCTL_MODE_GETPLANERESOURCES, &pr);
		p.plane_id = n_planes && !one_in(r, 8) ? planes[below(r, n_planes)] : edgy32(r);
		p.count_format_types = below(r, 64);
		p.format_type_ptr = (uintptr_t)ids;
		io(IO_GETPLANE, fdi, DRM_IOCTL_MODE_GETPLANE, &p);
		break;
	}
	case 4: {
		struct drm_mode_obj_get_properties op = { 0 };
		struct drm_mode_get_property gp = { 0 };
		static const uint32_t types[] = {
			DRM_MODE_OBJECT_CRTC, DRM_MODE_OBJECT_CONNECTOR, DRM_MODE_OBJECT_PLANE,
			DRM_MODE_OBJECT_FB, DRM_MODE_OBJECT_ANY, DRM_MODE_OBJECT_BLOB,
		};

		op.obj_id = n_props && !one_in(r, 6) ? props[below(r, n_props)].obj : edgy32(r);
		op.obj_type = types[below(r, 6)];
		op.count_props = below(r, 64);
		op.props_ptr = (uintptr_t)ids;
		op.prop_values_ptr = (uintptr_t)vals;
		io(IO_OBJ_GETPROPERTIES, fdi, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &op);
		gp.prop_id = n_props && !one_in(r, 6) ? props[below(r, n_props)].id : edgy32(r);
		gp.count_values = below(r, 64);
		gp.values_ptr = (uintptr_t)vals;
		gp.count_enum_blobs = below(r, 32);
		gp.enum_blob_ptr = (uintptr_t)mi;
		io(IO_GETPROPERTY, fdi, DRM_IOCTL_MODE_GETPROPERTY, &gp);
		break;
	}
	case 5: {
		struct drm_mode_obj_set_property sp = { 0 };
		const struct prop *p = n_props ? &props[below(r, n_props)] : NULL;

		if (!p)
			break;
		sp.obj_id = p->obj;
		sp.obj_type = p->obj_type;
		sp.prop_id = p->id;
		sp.value = prop_value(r, p);
		io(IO_OBJ_SETPROPERTY, 0, DRM_IOCTL_MODE_OBJ_SETPROPERTY, &sp);
		break;
	}
	case 6: {
		uint16_t lut[3][256];
		struct drm_mode_crtc_lut l = { .crtc_id = crtc_pick(r) };

		l.gamma_size = one_in(r, 3) ? edgy32(r) % 1024 : 256;
		if (l.gamma_size > 256)
			l.gamma_size = 256;
		l.red = (uintptr_t)lut[0];
		l.green = (uintptr_t)lut[1];
		l.blue = (uintptr_t)lut[2];
		io(IO_GETGAMMA, fdi, DRM_IOCTL_MODE_GETGAMMA, &l);
		if (one_in(r, 3))
			io(IO_SETGAMMA, 0, DRM_IOCTL_MODE_SETGAMMA, &l);
		break;
	}
	default: {
		struct drm_mode_set_plane sp = { 0 };

		sp.plane_id = n_planes ? planes[below(r, n_planes)] : edgy32(r);
		sp.crtc_id = crtc_pick(r);
		sp.fb_id = fb_pick(r, NULL);
		sp.crtc_w = below(r, 1100);
		sp.crtc_h = below(r, 800);
		sp.crtc_x = (int32_t)below(r, 200) - 100;
		sp.src_w = sp.crtc_w << 16;
		sp.src_h = sp.crtc_h << 16;
		if (one_in(r, 6))
			sp.src_x = edgy32(r);
		io(IO_SETPLANE, 0, DRM_IOCTL_MODE_SETPLANE, &sp);
	}
	}
}

/* PRIME export/import between the two fds, dma-buf mmap + sync + writes, closes. */
static void op_prime(struct rng *r)
{
	unsigned int slot = below(r, NDMABUF);
	int fdi, old, dfd;

	switch (below(r, 4)) {
	case 0:
	case 1: {
		struct drm_prime_handle p = { 0 };

		p.handle = any_handle(r, &fdi);
		p.flags = one_in(r, 8) ? edgy32(r) : (DRM_CLOEXEC | (one_in(r, 2) ? DRM_RDWR : 0));
		if (io(IO_PRIME_HANDLE_TO_FD, fdi, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
			return;
		pthread_mutex_lock(&pool_lock);
		old = dmabufs[slot];
		dmabufs[slot] = p.fd;
		pthread_mutex_unlock(&pool_lock);
		if (old >= 0)
			close(old);	/* another thread may still be using it */
		break;
	}
	case 2: {
		struct drm_prime_handle p = { 0 };
		struct obj o = { 0 };

		pthread_mutex_lock(&pool_lock);
		dfd = dmabufs[slot];
		pthread_mutex_unlock(&pool_lock);
		p.fd = one_in(r, 10) ? (int)below(r, 16) : dfd;
		fdi = pick_fdi(r);
		if (io(IO_PRIME_FD_TO_HANDLE, fdi, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
			return;
		o.kind = OBJ_IMPORT;
		o.fdi = fdi;
		o.handle = p.handle;
		obj_add(r, &o);
		break;
	}
	default: {
		struct dma_buf_sync s = { 0 };
		size_t len = 4096 << below(r, 2);
		void *m;

		pthread_mutex_lock(&pool_lock);
		dfd = dmabufs[slot];
		pthread_mutex_unlock(&pool_lock);
		if (dfd < 0)
			return;
		m = xmmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
		count(IO_MMAP_DMABUF, m == MAP_FAILED ? errno : 0);
		s.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
		if (one_in(r, 10))
			s.flags = edgy32(r);
		self->cur_io = IO_DMABUF_SYNC;
		count(IO_DMABUF_SYNC, ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s) ? errno : 0);
		if (m != MAP_FAILED) {
			uint64_t v = rnd(r);

			guarded_write((uint8_t *)m + below(r, (uint32_t)len - 8), &v, 8);
			unmap(m, len);
		}
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		count(IO_DMABUF_SYNC, ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s) ? errno : 0);
		if (one_in(r, 4)) {
			pthread_mutex_lock(&pool_lock);
			if (dmabufs[slot] == dfd)
				dmabufs[slot] = -1;
			else
				dfd = -1;
			pthread_mutex_unlock(&pool_lock);
			if (dfd >= 0)
				close(dfd);
		}
	}
	}
}

/* FLINK a pool buffer on one fd, GEM_OPEN the name on the other. */
static void op_flink(struct rng *r)
{
	int fdi;
	struct drm_gem_flink f = { .handle = any_handle(r, &fdi) };
	struct drm_gem_open o = { 0 };
	struct obj ob = { 0 };

	if (io(IO_GEM_FLINK, fdi, DRM_IOCTL_GEM_FLINK, &f) && !one_in(r, 4))
		return;
	o.name = one_in(r, 6) ? edgy32(r) % 64 : f.name;
	fdi = pick_fdi(r);
	if (io(IO_GEM_OPEN, fdi, DRM_IOCTL_GEM_OPEN, &o))
		return;
	ob.kind = OBJ_IMPORT;
	ob.fdi = fdi;
	ob.handle = o.handle;
	ob.size = (uint32_t)o.size;
	obj_add(r, &ob);
}

/* Master, caps, version, magic, vblank waits: the small core ioctls. */
static void op_misc(struct rng *r)
{
	int fdi = pick_fdi(r);

	switch (below(r, 8)) {
	case 0:
		/* drop and take back at once: other threads see EACCES for a moment */
		if (one_in(r, 4)) {
			io(IO_DROP_MASTER, 0, DRM_IOCTL_DROP_MASTER, NULL);
			io(IO_SET_MASTER, one_in(r, 8) ? 1 : 0, DRM_IOCTL_SET_MASTER, NULL);
			/* the first client takes it back, else every KMS call is EACCES */
			io(IO_DROP_MASTER, 1, DRM_IOCTL_DROP_MASTER, NULL);
			io(IO_SET_MASTER, 0, DRM_IOCTL_SET_MASTER, NULL);
		} else {
			io(IO_SET_MASTER, fdi, DRM_IOCTL_SET_MASTER, NULL);
			if (fdi)
				io(IO_DROP_MASTER, 1, DRM_IOCTL_DROP_MASTER, NULL);
		}
		break;
	case 1: {
		struct drm_get_cap c = { .capability = one_in(r, 3) ? edgy32(r) : below(r, 0x20) };

		io(IO_GET_CAP, fdi, DRM_IOCTL_GET_CAP, &c);
		break;
	}
	case 2: {
		/* universal planes and atomic are what the fuzzer needs; the others too */
		struct drm_set_client_cap c = { .capability = 1 + below(r, 6), .value = 1 };

		if (one_in(r, 6))
			c.value = edgy32(r);
		io(IO_SET_CLIENT_CAP, fdi, DRM_IOCTL_SET_CLIENT_CAP, &c);
		break;
	}
	case 3: {
		char name[64], date[64], desc[64];
		struct drm_version v = {
			.name_len = below(r, 64), .name = name, .date_len = below(r, 64), .date = date,
			.desc_len = below(r, 64), .desc = desc,
		};

		io(IO_VERSION, fdi, DRM_IOCTL_VERSION, &v);
		break;
	}
	case 4: {
		struct drm_auth a = { 0 };

		if (!io(IO_GET_MAGIC, 1, DRM_IOCTL_GET_MAGIC, &a)) {
			if (one_in(r, 8))
				a.magic = edgy32(r);
			io(IO_AUTH_MAGIC, 0, DRM_IOCTL_AUTH_MAGIC, &a);
		}
		break;
	}
	case 5: {
		union drm_wait_vblank v = { 0 };

		v.request.type = _DRM_VBLANK_RELATIVE | (below(r, 2) << _DRM_VBLANK_HIGH_CRTC_SHIFT);
		if (one_in(r, 3))
			v.request.type |= _DRM_VBLANK_EVENT;
		if (one_in(r, 20))
			v.request.type = edgy32(r) & ~_DRM_VBLANK_ABSOLUTE;
		v.request.sequence = below(r, 2);
		v.request.signal = rnd(r);
		io(IO_WAIT_VBLANK, 0, DRM_IOCTL_WAIT_VBLANK, &v);
		break;
	}
	case 6: {
		struct drm_crtc_get_sequence s = { .crtc_id = crtc_pick(r) };

		io(IO_CRTC_GET_SEQUENCE, fdi, DRM_IOCTL_CRTC_GET_SEQUENCE, &s);
		break;
	}
	default: {
		/* any DRM ioctl number, any direction and size, a buffer of garbage */
		static const unsigned int skip[] = { 0x1f, 0x1e };	/* SET/DROP_MASTER */
		uint64_t arg[64];
		unsigned int nr, i, dir;

		for (i = 0; i < 64; i++)
			arg[i] = one_in(r, 3) ? rnd(r) : edgy32(r) % 64;
		nr = one_in(r, 2) ? DRM_COMMAND_BASE + below(r, 16) : below(r, 0xd0);
		for (i = 0; i < 2; i++)
			if (nr == skip[i])
				nr = 0;
		dir = below(r, 4);
		io(IO_RANDOM_IOCTL, fdi, _IOC(dir, DRM_IOCTL_BASE, nr, below(r, 256)), arg);
	}
	}
}

struct op {
	const char *name;
	void (*fn)(struct rng *r);
	unsigned int weight;
};

static const struct op ops[] = {
	{ "alloc", op_alloc, 6 },
	{ "alloc_surf", op_alloc_surf, 5 },
	{ "map", op_map, 2 },
	{ "free", op_free, 6 },
	{ "scribble", op_scribble, 5 },
	{ "execbuffer", op_execbuffer, 24 },
	{ "update_area", op_update_area, 4 },
	{ "getparam", op_getparam_clientcap, 1 },
	{ "dumb", op_dumb, 4 },
	{ "destroy_dumb", op_destroy_dumb, 1 },
	{ "addfb", op_addfb, 4 },
	{ "rmfb", op_rmfb, 2 },
	{ "dirtyfb", op_dirtyfb, 7 },
	{ "setcrtc", op_setcrtc, 3 },
	{ "page_flip", op_page_flip, 2 },
	{ "cursor", op_cursor, 3 },
	{ "blob", op_blob, 2 },
	{ "atomic", op_atomic, 6 },
	{ "getters", op_getters, 4 },
	{ "prime", op_prime, 4 },
	{ "flink", op_flink, 2 },
	{ "misc", op_misc, 3 },
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

static unsigned int op_enabled[N_OPS];
static unsigned int weight_total;

static void *worker(void *arg)
{
	struct thr *t = arg;

	self = t;
	t->tid = gettid();
	while (!stopping) {
		uint32_t w = below(&t->r, weight_total);
		unsigned int i;

		for (i = 0; i < N_OPS; i++) {
			if (w < op_enabled[i])
				break;
			w -= op_enabled[i];
		}
		if (verbose)
			printf("# t%d op %lu %s\n", t->id, t->ops, ops[i].name);
		ops[i].fn(&t->r);
		t->ops++;
	}
	return NULL;
}

/* ------------------------------------------------------ setup, checks */

static void load_props(uint32_t obj, uint32_t type)
{
	drmModeObjectPropertiesPtr op = drmModeObjectGetProperties(fds[0], obj, type);
	uint32_t i, k;

	if (!op)
		return;
	for (i = 0; i < op->count_props && n_props < sizeof(props) / sizeof(props[0]); i++) {
		drmModePropertyPtr p = drmModeGetProperty(fds[0], op->props[i]);
		struct prop *q = &props[n_props];

		if (!p)
			continue;
		memset(q, 0, sizeof(*q));
		q->obj = obj;
		q->obj_type = type;
		q->id = p->prop_id;
		q->flags = p->flags;
		snprintf(q->name, sizeof(q->name), "%s", p->name);
		if (p->count_values >= 2) {
			q->min = p->values[0];
			q->max = p->values[1];
		}
		for (k = 0; k < (uint32_t)p->count_enums && k < 16; k++)
			q->vals[q->n_vals++] = p->enums[k].value;
		drmModeFreeProperty(p);
		if (!(q->flags & DRM_MODE_PROP_IMMUTABLE))
			n_props++;
	}
	drmModeFreeObjectProperties(op);
}

static void discover(void)
{
	drmModeRes *res = drmModeGetResources(fds[0]);
	drmModePlaneRes *pr;
	unsigned int i, k;

	if (!res)
		return;
	for (i = 0; i < (unsigned int)res->count_crtcs && n_crtcs < 8; i++)
		crtcs[n_crtcs++] = res->crtcs[i];
	for (i = 0; i < (unsigned int)res->count_encoders && n_encs < 8; i++)
		encs[n_encs++] = res->encoders[i];
	for (i = 0; i < (unsigned int)res->count_connectors && n_conns < 8; i++) {
		drmModeConnector *c = drmModeGetConnector(fds[0], res->connectors[i]);

		conns[n_conns++] = res->connectors[i];
		for (k = 0; c && k < (unsigned int)c->count_modes && n_modes < 16; k++)
			modes[n_modes++] = c->modes[k];
		load_props(res->connectors[i], DRM_MODE_OBJECT_CONNECTOR);
		drmModeFreeConnector(c);
	}
	for (i = 0; i < n_crtcs; i++)
		load_props(crtcs[i], DRM_MODE_OBJECT_CRTC);
	pr = drmModeGetPlaneResources(fds[0]);
	for (i = 0; pr && i < pr->count_planes && n_planes < 16; i++) {
		planes[n_planes++] = pr->planes[i];
		load_props(pr->planes[i], DRM_MODE_OBJECT_PLANE);
	}
	drmModeFreePlaneResources(pr);
	drmModeFreeResources(res);
}

static int findings;

static void finding(const char *fmt, ...)
{
	va_list ap;

	printf("# FINDING: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	findings++;
}

static int test_no, failures;

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

/* Kernel log lines since the start that say something went wrong. */
static unsigned int scan_kmsg(int kfd)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "general protection", "Call Trace", "KASAN",
		"UBSAN", "refcount_t", "list_add corruption", "list_del corruption",
		"*ERROR*", "hung_task", "blocked for more than", "kernel BUG",
	};
	char line[1024];
	unsigned int n = 0, i;
	ssize_t got;

	if (kfd < 0)
		return 0;
	while ((got = read(kfd, line, sizeof(line) - 1)) > 0 || (got < 0 && errno == EPIPE)) {
		if (got <= 0)
			continue;
		line[got] = 0;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(line, bad[i])) {
				char *semi = strchr(line, ';');

				finding("kernel: %s", semi ? semi + 1 : line);
				n++;
				break;
			}
		}
	}
	return n;
}

/*
 * Close every descriptor above stderr but keep, and unmap every mapping of
 * the device (a mapping keeps its DRM file open, and the file its master
 * role and buffers): the pool's bookkeeping misses some after a long run.
 */
static void close_all_but(int keep)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);
	unsigned long lo, hi;
	char line[512];
	int found;
	FILE *f;

	for (fd = 3; fd < max && fd < 65536; fd++)
		if (fd != keep)
			close(fd);
	/* again until none is left: unmapping while reading may skip lines */
	for (found = 1; found; ) {
		found = 0;
		f = fopen("/proc/self/maps", "r");
		if (!f)
			return;
		while (fgets(line, sizeof(line), f)) {
			if (strstr(line, "/dev/dri/") &&
			    sscanf(line, "%lx-%lx", &lo, &hi) == 2 && !munmap((void *)lo, hi - lo))
				found = 1;
		}
		fclose(f);
	}
}

/*
 * After the run: a pattern derived from the seed in a dumb buffer shown on
 * head 0, against a QMP screendump.  0 = equal, > 0 = differing pixels,
 * < 0 = could not show or read it.
 */
static long screen_check(void)
{
	struct drm_mode_create_dumb c = { .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };
	drmModeConnector *conn = NULL;
	drmModeRes *res = drmModeGetResources(fds[0]);
	drmModeModeInfo mode;
	uint32_t fb = 0, x, y, *px, i;
	unsigned int pw, ph, maxval;
	long bad = -1;
	char cmd[256];
	uint8_t *rgb = NULL;
	FILE *p;
	int k;

	if (ioctl(fds[0], DRM_IOCTL_SET_MASTER, NULL)) {
		printf("# screen check: SET_MASTER: %s\n", strerror(errno));
		system("sed 's/^/# clients: /' /sys/kernel/debug/dri/0/clients");
	}
	if (res && res->count_connectors)
		conn = drmModeGetConnector(fds[0], res->connectors[0]);
	if (!conn || !conn->count_modes || !res->count_crtcs) {
		printf("# screen check: no connector with modes\n");
		goto out;
	}
	mode = conn->modes[0];
	for (k = 0; k < conn->count_modes; k++)
		if (conn->modes[k].type & DRM_MODE_TYPE_PREFERRED)
			mode = conn->modes[k];
	for (i = 0; i < (uint32_t)res->count_crtcs; i++) {
		struct drm_mode_cursor cur = { .flags = DRM_MODE_CURSOR_BO, .crtc_id = res->crtcs[i] };

		ioctl(fds[0], DRM_IOCTL_MODE_CURSOR, &cur);	/* hide any cursor the run left */
		if (i)
			drmModeSetCrtc(fds[0], res->crtcs[i], 0, 0, 0, NULL, 0, NULL);
	}
	c.width = mode.hdisplay;
	c.height = mode.vdisplay;
	if (ioctl(fds[0], DRM_IOCTL_MODE_CREATE_DUMB, &c)) {
		printf("# screen check: CREATE_DUMB %ux%u: %s (dumb_mem_used %lld, surf_mem_used %lld, bos_live %lld)\n",
		       c.width, c.height, strerror(errno),
		       qxl_debugfs_counter("qxl_status", "dumb_mem_used"),
		       qxl_debugfs_counter("qxl_objects", "surf_mem_used"),
		       qxl_debugfs_counter("qxl_objects", "bos_live"));
		goto out;
	}
	m.handle = c.handle;
	if (ioctl(fds[0], DRM_IOCTL_MODE_MAP_DUMB, &m)) {
		printf("# screen check: MAP_DUMB: %s\n", strerror(errno));
		goto out;
	}
	px = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], (off_t)m.offset);
	if (px == MAP_FAILED) {
		printf("# screen check: mmap of the dumb buffer: %s\n", strerror(errno));
		goto out;
	}
	for (y = 0; y < c.height; y++)
		for (x = 0; x < c.width; x++)
			px[y * (c.pitch / 4) + x] =
				(uint32_t)((x * 5 + y * 3 + seed) & 0xff) << 16 |
				(uint32_t)(((x ^ y) + (seed >> 8)) & 0xff) << 8 | ((y / 16 * 40) & 0xff);
	{
		uint32_t handles[4] = { c.handle }, pitches[4] = { c.pitch }, offsets[4] = { 0 };

		if (drmModeAddFB2(fds[0], c.width, c.height, DRM_FORMAT_XRGB8888, handles, pitches,
				  offsets, &fb, 0)) {
			printf("# screen check: ADDFB2: %s\n", strerror(errno));
			goto out_unmap;
		}
	}
	if (drmModeSetCrtc(fds[0], res->crtcs[0], fb, 0, 0, &res->connectors[0], 1, &mode)) {
		printf("# screen check: SETCRTC: %s\n", strerror(errno));
		goto out_unmap;
	}
	drmModeDirtyFB(fds[0], fb, NULL, 0);
	usleep(300000);
	snprintf(cmd, sizeof(cmd),
		 "qh-screendump qxlfuzz >/dev/null && convert \"$QH_OUT/qxlfuzz.png\" -depth 8 ppm:-");
	p = popen(cmd, "r");
	if (!p)
		goto out_unmap;
	if (fscanf(p, "P6 %u %u %u", &pw, &ph, &maxval) == 3 && maxval == 255 &&
	    fgetc(p) != EOF && pw >= c.width && ph >= c.height) {
		rgb = malloc((size_t)pw * ph * 3);
		if (rgb && fread(rgb, 3, (size_t)pw * ph, p) == (size_t)pw * ph) {
			bad = 0;
			for (y = 0; y < c.height; y++)
				for (x = 0; x < c.width; x++) {
					const uint8_t *q = rgb + ((size_t)y * pw + x) * 3;
					uint32_t v = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];

					if (v != (px[y * (c.pitch / 4) + x] & 0xffffff))
						bad++;
				}
		}
		free(rgb);
	} else {
		printf("# screen check: no screendump of at least %ux%u\n", c.width, c.height);
	}
	pclose(p);
	printf("# screen check: %ux%u pattern on head 0, %ld pixels differ in the screendump\n",
	       c.width, c.height, bad);
out_unmap:
	munmap(px, c.size);
out:
	if (fb)
		drmModeRmFB(fds[0], fb);
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);
	return bad;
}

/* A thread's kernel stack and state, for a stuck-call finding. */
static void show_file(const char *what, int tid, const char *file)
{
	char path[96], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)getpid(), tid, file);
	f = fopen(path, "r");
	if (!f) {
		printf("#   %s: %s: %s\n", what, path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		printf("#   %s: %s%s", what, line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

static void show_thread(const struct thr *t)
{
	printf("# thread %d (tid %d): last %s, %s, %lu operations\n", t->id, (int)t->tid,
	       io_names[t->cur_io], t->since_ms ? "still in it" : "between calls", t->ops);
	show_file("stat", (int)t->tid, "stat");
	show_file("wchan", (int)t->tid, "wchan");
	show_file("stack", (int)t->tid, "stack");
	show_file("syscall", (int)t->tid, "syscall");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: qxlfuzz [-s SEED] [-n CALLS] [-t SECONDS] [-j THREADS (1-%d)] [-o OP,OP...] [-v] [--screen] [--same-depths] [--big]\n"
		"ops:", MAX_THREADS);
	for (unsigned int i = 0; i < N_OPS; i++)
		fprintf(stderr, " %s", ops[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long long t0, t_end, last_report, secs = 30;
	int i, screen = 0, kfd, stuck = 0;
	struct sigaction sa;
	struct drm_auth auth = { 0 };
	unsigned int k;
	double el;
	long bad;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			max_calls = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			secs = atoll(argv[++i]);
		else if (!strcmp(argv[i], "-j") && i + 1 < argc)
			n_thr = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			only_ops = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "--screen"))
			screen = 1;
		else if (!strcmp(argv[i], "--same-depths"))
			mixed_depths = 0;
		else if (!strcmp(argv[i], "--big"))
			big_dumb = 1;
		else {
			fprintf(stderr, "qxlfuzz: unknown argument '%s'\n", argv[i]);
			usage();
		}
	}
	if (n_thr < 1 || n_thr > MAX_THREADS || secs <= 0 || !max_calls) {
		fprintf(stderr, "qxlfuzz: -j must be 1..%d, -t and -n positive\n", MAX_THREADS);
		usage();
	}
	for (k = 0; k < N_OPS; k++) {
		const char *p = only_ops;
		size_t len = strlen(ops[k].name);
		int on = !only_ops;

		while (p && *p) {
			if (!strncmp(p, ops[k].name, len) && (p[len] == ',' || !p[len]))
				on = 1;
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
		op_enabled[k] = on ? ops[k].weight : 0;
		weight_total += op_enabled[k];
	}
	if (!weight_total) {
		fprintf(stderr, "qxlfuzz: -o '%s' names no operation\n", only_ops);
		usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# qxlfuzz seed %llu, %d threads, up to %lu calls or %lld s%s (repeat: -s %llu -j %d)\n",
	       (unsigned long long)seed, n_thr, max_calls, secs,
	       mixed_depths ? ", mixed surface depths" : "", (unsigned long long)seed, n_thr);

	for (i = 0; i < NFD; i++) {
		fds[i] = open("/dev/dri/card0", O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (fds[i] < 0) {
			printf("not ok 1 - open /dev/dri/card0: expected a descriptor, got %s\n",
			       strerror(errno));
			return 1;
		}
	}
	/* the second client is authenticated, so it reaches the qxl ioctls (DRM_AUTH) */
	if (ioctl(fds[1], DRM_IOCTL_GET_MAGIC, &auth) || ioctl(fds[0], DRM_IOCTL_AUTH_MAGIC, &auth))
		printf("# second client not authenticated: %s\n", strerror(errno));
	drmSetClientCap(fds[0], DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(fds[0], DRM_CLIENT_CAP_ATOMIC, 1);
	discover();
	printf("# %u crtcs, %u connectors, %u planes, %u modes, %u settable properties\n",
	       n_crtcs, n_conns, n_planes, n_modes, n_props);

	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kfd >= 0)
		lseek(kfd, 0, SEEK_END);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	t0 = now_ms();
	t_end = t0 + secs * 1000;
	for (i = 0; i < n_thr; i++) {
		uint64_t s = seed ^ (0x51ed2701ULL * (uint64_t)(i + 1));

		thrs[i].id = i;
		thrs[i].r.s = splitmix(&s);
		pthread_create(&thrs[i].th, NULL, worker, &thrs[i]);
	}
	/* watchdog and progress; the deadline */
	last_report = t0;
	while (!stopping || stuck == 0) {
		long long t = now_ms();
		int all_done = 1;

		usleep(200000);
		if (t >= t_end)
			stopping = 1;
		if (t - last_report >= 5000) {
			printf("# %.0f s: %lu calls\n", (t - t0) / 1000.0, total_calls);
			last_report = t;
		}
		for (i = 0; i < n_thr; i++) {
			long long since = thrs[i].since_ms;

			if (thrs[i].joined)
				continue;
			if (since && t - since > STUCK_SECS * 1000 && !stuck) {
				finding("thread %d stuck in %s for more than %d s", i,
					io_names[thrs[i].cur_io], STUCK_SECS);
				stuck = 1;
			}
			/* stopped, yet not done well after: say where every thread is */
			if (stopping && !stuck && t - t_end > STUCK_SECS * 1000) {
				finding("thread %d did not finish %d s after the end (last: %s, %s)",
					i, STUCK_SECS, io_names[thrs[i].cur_io],
					since ? "in it" : "not in a call");
				stuck = 1;
			}
			if (!thrs[i].joined) {
				if (pthread_tryjoin_np(thrs[i].th, NULL) == EBUSY)
					all_done = 0;
				else
					thrs[i].joined = 1;
			}
		}
		if (stopping && all_done)
			break;
		if (stuck) {
			for (i = 0; i < n_thr; i++)
				show_thread(&thrs[i]);
			break;
		}
	}
	el = (now_ms() - t0) / 1000.0;

	printf("# %lu calls in %.1f s: %.0f calls/s; %lu drawing commands accepted; %lu writes hit a removed mapping\n",
	       total_calls, el, total_calls / (el > 0 ? el : 1), stat_drawn, stat_faults);
	printf("# per ioctl: calls, then errno:count\n");
	for (k = 0; k < IO_COUNT; k++) {
		char hist[512];
		size_t len = 0;
		int e;

		if (!stat_calls[k])
			continue;
		hist[0] = 0;
		for (e = 0; e < NERR; e++)
			if (stat_err[k][e])
				len += (size_t)snprintf(hist + len, sizeof(hist) - len, " %s:%lu",
							e ? strerrorname_np(e) ? strerrorname_np(e) : "?" : "ok",
							stat_err[k][e]);
		printf("#   %-20s %9lu %s\n", io_names[k], stat_calls[k], hist);
	}
	ok(!stuck, "no call stuck for more than %d s (%lu calls, %.0f calls/s, seed %llu)",
	   STUCK_SECS, total_calls, total_calls / (el > 0 ? el : 1), (unsigned long long)seed);
	if (stuck) {
		printf("1..%d\n", test_no);
		fflush(stdout);
		_exit(1);	/* a thread cannot be joined: leave it to the harness */
	}
	k = scan_kmsg(kfd);
	ok(k == 0, "kernel log: expected no warning, oops or error line, got %u", k);
	{
		long long dead = qxl_debugfs_counter("qxl_status", "device_dead");

		ok(dead == 0, "device alive: expected debugfs device_dead 0, got %lld", dead);
	}
	pthread_mutex_lock(&pool_lock);
	for (k = 0; k < NOBJ; k++) {
		if (pool[k].map)
			munmap(pool[k].map, pool[k].map_len);
		pool[k].kind = OBJ_FREE;
	}
	for (k = 0; k < NORPHAN; k++)
		if (orphans[k].map)
			munmap(orphans[k].map, orphans[k].len);
	pthread_mutex_unlock(&pool_lock);
	for (k = 0; k < NDMABUF; k++)
		if (dmabufs[k] >= 0)
			close(dmabufs[k]);
	/* the run may have left the second client master; mappings keep its file open */
	ioctl(fds[1], DRM_IOCTL_DROP_MASTER, NULL);
	close(fds[1]);
	/*
	 * The check is what a client gets once the fuzzer's are gone.  A long
	 * run leaves files the pool does not know: random ioctls return
	 * dma-buf and lease fds, and a dma-buf holds its buffer (seed 11, 1M
	 * calls: every byte of the dumb-buffer limit held, 10 DRM files open),
	 * so a new dumb buffer would be refused for want of memory.  Every
	 * descriptor but stdio and the kernel log's goes first.
	 */
	close_all_but(kfd);
	fds[0] = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (screen) {
		bad = screen_check();
		ok(bad == 0, "the device still draws: expected the screendump to equal the pattern, got %ld differing pixels%s",
		   bad, bad < 0 ? " (-1: could not show or read it)" : "");
	}
	if (findings)
		printf("# %d finding(s); repeat with -s %llu -j %d\n", findings,
		       (unsigned long long)seed, n_thr);
	printf("1..%d\n", test_no);
	close(fds[0]);
	return failures ? 1 : 0;
}
