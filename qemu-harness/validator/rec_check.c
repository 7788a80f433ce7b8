// SPDX-License-Identifier: MIT
/*
 * Structural rules, statistics and expectations over a spice ring record.
 * Every rule mirrors what spice-server 0.15 would reject, warn about or
 * abort on (see README.md, "Rules"); the statistics measure how many bytes
 * reach the device and how many of them were avoidable.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../../uapi/qxl_device.h"
#include "rec_check.h"

#define MAX_SURFACES	65536
#define SPICE_MAX_IMAGE	0x7fffffffLL

struct upload {			/* the last full-surface upload of a surface */
	int valid;
	int64_t format, x, y, stride;
	struct rec_blob *blobs;
	struct rec_data data;
};

struct surf {
	int alive;
	int64_t width, height, stride, format;
	uint64_t created_counter, created_off;
	int created_in_range;
	struct upload last;
};

/* An open-addressing table from a 64-bit key to a value and a command. */
struct u64_slot {
	uint64_t key, val;
	uint64_t counter, off;
	int used;
};

struct u64_map {
	struct u64_slot *slot;
	size_t cap, used;
};

struct ctx {
	const uint8_t *buf;
	const struct rec_opts *o;
	struct rec_result *res;
	struct rec_stats *st;
	const struct rec_event *ev;
	int in_range;
	uint64_t printed;

	struct surf *surf;		/* nsurf entries, grown on creation */
	size_t nsurf;

	struct u64_map dup;		/* image hash -> first upload */
	struct u64_map cache_ids;	/* QXL_IMAGE_CACHE id -> image hash */

	uint8_t *row_a, *row_b;
	size_t row_cap;

	uint64_t first_image_counter, first_image_off;
	int have_first_image;
	uint64_t draws;

	/*
	 * Two QXL devices write one record, and events do not say which
	 * device they come from.  Seen as a second START while started; from
	 * then on surface 0 stands for any device's primary: it exists while
	 * any was created and not destroyed, and is as large as the largest.
	 */
	int started;
	int multi;
	int primaries;

	/* the device cursor: shown by SET (visible), hidden by HIDE, MOVE keeps it */
	int cursor_shown;
	int range_cursor_seen, range_cursor_shown;
	uint64_t range_cursor_counter;
	int64_t range_cursor_type;
};

/* ------------------------------------------------------------ reporting */

static void finding(struct ctx *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void finding(struct ctx *c, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!c->in_range)
		return;
	c->st->findings++;
	if (!c->o->out || c->printed >= (uint64_t)c->o->max_print)
		return;
	c->printed++;
	fprintf(c->o->out, "command #%llu (offset %zu): %s: ",
		(unsigned long long)c->ev->counter, c->ev->off, field);
	va_start(ap, fmt);
	vfprintf(c->o->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->o->out);
}

static void expectation(struct ctx *c, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void expectation(struct ctx *c, const char *rule, const char *fmt, ...)
{
	va_list ap;

	c->st->findings++;
	if (!c->o->out || c->printed >= (uint64_t)c->o->max_print)
		return;
	c->printed++;
	fprintf(c->o->out, "expectation %s: ", rule);
	va_start(ap, fmt);
	vfprintf(c->o->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->o->out);
}

#define RECT_FMT "(top %lld, left %lld, bottom %lld, right %lld)"
#define RECT_ARGS(r) (long long)(r).top, (long long)(r).left, \
	(long long)(r).bottom, (long long)(r).right

/* ------------------------------------------------------------ helpers */

/* a*b, saturated: record values are 32-bit but their products are not */
static int64_t mul(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
	return r;
}

/* The state of surface id; grow = allocate it (for a creation). */
static struct surf *surface(struct ctx *c, int64_t id, int grow)
{
	if (id < 0 || id >= MAX_SURFACES)
		return NULL;
	if ((size_t)id >= c->nsurf) {
		size_t n = c->nsurf ? c->nsurf : 16;
		struct surf *s;

		if (!grow)
			return NULL;
		while (n <= (size_t)id)
			n *= 2;
		s = realloc(c->surf, n * sizeof(*s));
		if (!s)
			return NULL;
		memset(s + c->nsurf, 0, (n - c->nsurf) * sizeof(*s));
		c->surf = s;
		c->nsurf = n;
	}
	return &c->surf[id];
}

static struct surf *live_surface(struct ctx *c, int64_t id)
{
	struct surf *s = surface(c, id, 0);

	return s && s->alive ? s : NULL;
}

static int rect_ordered(const struct rec_rect *r)
{
	return r->top >= 0 && r->left >= 0 && r->top <= r->bottom &&
	       r->left <= r->right;
}

static int rect_within(const struct rec_rect *r, int64_t w, int64_t h)
{
	return rect_ordered(r) && r->bottom <= h && r->right <= w;
}

static int bitmap_bpp(int64_t fmt)
{
	switch (fmt) {
	case QXL_BITMAP_FMT_1BIT_LE:
	case QXL_BITMAP_FMT_1BIT_BE: return 1;
	case QXL_BITMAP_FMT_4BIT_LE:
	case QXL_BITMAP_FMT_4BIT_BE: return 4;
	case QXL_BITMAP_FMT_8BIT:
	case QXL_BITMAP_FMT_8BIT_A: return 8;
	case QXL_BITMAP_FMT_16BIT: return 16;
	case QXL_BITMAP_FMT_24BIT: return 24;
	case QXL_BITMAP_FMT_32BIT:
	case QXL_BITMAP_FMT_RGBA: return 32;
	default: return 0;
	}
}

static int surface_bpp(int64_t fmt)
{
	switch (fmt) {
	case QXL_SURFACE_FMT_1_A: return 1;
	case QXL_SURFACE_FMT_8_A: return 8;
	case QXL_SURFACE_FMT_16_555:
	case QXL_SURFACE_FMT_16_565: return 16;
	case QXL_SURFACE_FMT_32_XRGB:
	case QXL_SURFACE_FMT_32_ARGB: return 32;
	default: return 0;
	}
}

/* Data bytes a cursor shape of this type and size must carry; -1 unknown. */
static int64_t cursor_size(int64_t type, int64_t w, int64_t h)
{
	int64_t mask = mul((w + 7) / 8, h);

	switch (type) {
	case QXL_CURSOR_TYPE_ALPHA: return mul(mul(w, h), 4);
	case QXL_CURSOR_TYPE_MONO: return 2 * mask;
	case QXL_CURSOR_TYPE_COLOR4: return mul((w + 1) / 2, h) + 16 * 4 + mask;
	case QXL_CURSOR_TYPE_COLOR8: return mul(w, h) + 256 * 4 + mask;
	case QXL_CURSOR_TYPE_COLOR16: return mul(mul(w, 2), h) + mask;
	case QXL_CURSOR_TYPE_COLOR24: return mul(mul(w, 3), h) + mask;
	case QXL_CURSOR_TYPE_COLOR32: return mul(mul(w, 4), h) + mask;
	default: return -1;
	}
}

/*
 * Checks width/height/stride/format the way spice-server's surface
 * validation does; returns 1 if valid.  field names the prefix.
 */
static int check_surface_geometry(struct ctx *c, const char *prefix,
				  int64_t fmt, int64_t w, int64_t h, int64_t stride)
{
	char field[64];
	int bpp = surface_bpp(fmt);
	int64_t astride = stride < 0 ? -stride : stride;
	int ok = 1;

	if (!bpp) {
		snprintf(field, sizeof(field), "%s.format", prefix);
		finding(c, field, "not a spice surface format (1, 8, 16, 32, 80, 96), got %lld",
			(long long)fmt);
		return 0;
	}
	if (w <= 0 || h <= 0 || w > 0xffffffffLL || h > 0xffffffffLL) {
		snprintf(field, sizeof(field), "%s.%s", prefix, w <= 0 ? "width" : "height");
		finding(c, field, "must be > 0, got width %lld, height %lld", (long long)w,
			(long long)h);
		return 0;
	}
	if (stride == INT32_MIN || astride < (w * bpp + 7) / 8) {
		snprintf(field, sizeof(field), "%s.stride", prefix);
		finding(c, field, "|stride| must be >= (width*bpp+7)/8 = %lld, got %lld",
			(long long)((w * bpp + 7) / 8), (long long)stride);
		ok = 0;
	} else if (mul(h, astride) > SPICE_MAX_IMAGE) {
		snprintf(field, sizeof(field), "%s.stride", prefix);
		finding(c, field, "height*|stride| must be <= 0x7fffffff, got %lld",
			(long long)mul(h, astride));
		ok = 0;
	}
	return ok;
}

/* ------------------------------------------------------------ images */

static uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h ^= w;
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t image_hash(struct ctx *c, const struct rec_image *im)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int64_t geo[5] = { im->type, im->format, im->x, im->y, im->stride };
	uint32_t i;

	h = hash_bytes(h, (const uint8_t *)geo, sizeof(geo));
	for (i = 0; i < im->data.nblobs; i++) {
		const struct rec_blob *b = &c->ev->blobs[im->data.first_blob + i];

		h = hash_bytes(h, c->buf + b->off, b->len);
	}
	return h;
}

/*
 * The slot of key, inserted with val and the current command when absent
 * (*found 0); NULL when out of memory.
 */
static struct u64_slot *map_find_add(struct ctx *c, struct u64_map *m, uint64_t key,
				     uint64_t val, int *found)
{
	size_t i;

	if (m->used * 2 >= m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 1024, j;
		struct u64_slot *n = calloc(ncap, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < m->cap; j++) {
			if (!m->slot[j].used)
				continue;
			i = m->slot[j].key & (ncap - 1);
			while (n[i].used)
				i = (i + 1) & (ncap - 1);
			n[i] = m->slot[j];
		}
		free(m->slot);
		m->slot = n;
		m->cap = ncap;
	}
	i = key & (m->cap - 1);
	while (m->slot[i].used) {
		if (m->slot[i].key == key) {
			*found = 1;
			return &m->slot[i];
		}
		i = (i + 1) & (m->cap - 1);
	}
	*found = 0;
	m->slot[i].used = 1;
	m->slot[i].key = key;
	m->slot[i].val = val;
	m->slot[i].counter = c->ev->counter;
	m->slot[i].off = c->ev->off;
	m->used++;
	return &m->slot[i];
}

/* Returns the counter of an earlier identical upload, or -1. */
static int64_t dup_lookup_insert(struct ctx *c, uint64_t hash)
{
	int found;
	struct u64_slot *s = map_find_add(c, &c->dup, hash, 0, &found);

	return s && found ? (int64_t)s->counter : -1;
}

/*
 * spice-server sends an image flagged QXL_IMAGE_CACHE whose id its client
 * already holds by reference: the client shows the pixels first sent under
 * that id.  One id with two different images shows the wrong picture (a
 * client's image in place of the console's, issue 14 item 10).
 */
static void check_cache_id(struct ctx *c, const struct rec_image *im, uint64_t hash)
{
	struct u64_slot *s;
	char f[64];
	int found;

	if (!(im->flags & QXL_IMAGE_CACHE))
		return;
	s = map_find_add(c, &c->cache_ids, im->id, hash, &found);
	if (s && found && s->val != hash) {
		snprintf(f, sizeof(f), "%s.descriptor.id", im->role);
		finding(c, f, "cache id 0x%016llx names other pixels than at command #%llu "
			"(offset %llu): the SPICE client would show those",
			(unsigned long long)im->id, (unsigned long long)s->counter,
			(unsigned long long)s->off);
	}
}

static void check_image(struct ctx *c, const struct rec_image *im)
{
	char f[64];

	if (c->in_range) {
		c->st->images++;
		if (!c->have_first_image && im->type != QXL_IMAGE_TYPE_SURFACE) {
			c->have_first_image = 1;
			c->first_image_counter = c->ev->counter;
			c->first_image_off = c->ev->off;
		}
	}
	switch (im->type) {
	case QXL_IMAGE_TYPE_BITMAP: {
		int bpp = bitmap_bpp(im->format);
		int64_t min_stride;

		if (c->in_range) {
			c->st->image_bitmap++;
			c->st->image_bytes += im->data.bytes;
			c->st->palette_entries += (uint64_t)im->num_ents;
		}
		if (!bpp) {
			snprintf(f, sizeof(f), "%s.bitmap.format", im->role);
			finding(c, f, "not a bitmap format (1..10), got %lld", (long long)im->format);
			return;
		}
		if (im->x <= 0 || im->y <= 0) {
			snprintf(f, sizeof(f), "%s.bitmap.%s", im->role, im->x <= 0 ? "x" : "y");
			finding(c, f, "zero-area bitmap, got x %lld, y %lld", (long long)im->x,
				(long long)im->y);
			return;
		}
		if (im->width != im->x || im->height != im->y) {
			snprintf(f, sizeof(f), "%s.descriptor.width", im->role);
			finding(c, f, "descriptor size must equal bitmap size %lldx%lld, got %lldx%lld",
				(long long)im->x, (long long)im->y, (long long)im->width,
				(long long)im->height);
		}
		min_stride = (im->x * bpp + 7) / 8;
		if (im->stride < min_stride) {
			snprintf(f, sizeof(f), "%s.bitmap.stride", im->role);
			finding(c, f, "must be >= (x*bpp+7)/8 = %lld, got %lld",
				(long long)min_stride, (long long)im->stride);
		} else if (mul(im->y, im->stride) > SPICE_MAX_IMAGE) {
			snprintf(f, sizeof(f), "%s.bitmap.stride", im->role);
			finding(c, f, "y*stride must be <= 0x7fffffff, got %lld",
				(long long)mul(im->y, im->stride));
		} else if ((int64_t)im->data.bytes != im->y * im->stride) {
			snprintf(f, sizeof(f), "%s.bitmap.data", im->role);
			finding(c, f, "data must hold y*stride = %lld bytes, got %llu",
				(long long)(im->y * im->stride),
				(unsigned long long)im->data.bytes);
		} else if (c->in_range) {
			c->st->image_padding_bytes += (uint64_t)(im->y * (im->stride - min_stride));
		}
		if (!im->is_mask && (im->format == QXL_BITMAP_FMT_1BIT_LE ||
				     im->format == QXL_BITMAP_FMT_4BIT_LE)) {
			/* spice-server converts only big-endian bit orders to pixels */
			snprintf(f, sizeof(f), "%s.bitmap.format", im->role);
			finding(c, f, "little-endian 1/4-bit bitmaps abort spice-server outside "
				"masks (use 1BIT_BE/4BIT_BE), got format %lld", (long long)im->format);
		}
		if (im->is_mask && bpp != 1) {
			snprintf(f, sizeof(f), "%s.bitmap.format", im->role);
			finding(c, f, "a mask must be a 1-bit bitmap, got format %lld",
				(long long)im->format);
		}
		if (bpp <= 8 && im->format != QXL_BITMAP_FMT_8BIT_A) {
			if (!im->has_palette && !im->is_mask) {
				snprintf(f, sizeof(f), "%s.has_palette", im->role);
				finding(c, f, "format %lld needs a palette, got none",
					(long long)im->format);
			} else if (im->has_palette &&
				   (im->num_ents < 1 || im->num_ents > (1LL << bpp))) {
				snprintf(f, sizeof(f), "%s.qp.num_ents", im->role);
				finding(c, f, "must be 1..%lld for a %d-bit bitmap, got %lld",
					1LL << bpp, bpp, (long long)im->num_ents);
			}
		}
		break;
	}
	case QXL_IMAGE_TYPE_QUIC:
		if (c->in_range) {
			c->st->image_quic++;
			c->st->image_bytes += im->data.bytes;
		}
		if (im->quic_size <= 0 || (uint64_t)im->quic_size != im->data.bytes) {
			snprintf(f, sizeof(f), "%s.quic.data_size", im->role);
			finding(c, f, "must be > 0 and equal the %llu bytes of data, got %lld",
				(unsigned long long)im->data.bytes, (long long)im->quic_size);
		}
		break;
	case QXL_IMAGE_TYPE_SURFACE:
		if (c->in_range)
			c->st->image_surface++;
		if (!live_surface(c, im->surface_id)) {
			snprintf(f, sizeof(f), "%s.surface_image.surface_id", im->role);
			finding(c, f, "source surface does not exist (never created or destroyed), got %lld",
				(long long)im->surface_id);
		}
		return;
	}

	if (im->data.bytes)
		check_cache_id(c, im, image_hash(c, im));
	if (c->in_range && im->data.bytes) {
		int64_t prev = dup_lookup_insert(c, image_hash(c, im));

		if (im->flags & QXL_IMAGE_CACHE)
			c->st->image_cache_flagged++;
		if (prev >= 0) {
			c->st->dup_images++;
			c->st->dup_image_bytes += im->data.bytes;
			if (!(im->flags & QXL_IMAGE_CACHE))
				c->st->dup_uncached++;
		}
	}
}

/* The area of the source image a drawable reads must lie inside it. */
static void check_src_area(struct ctx *c, const struct rec_draw *dr)
{
	const struct rec_image *im;
	int64_t w, h;

	if (!dr->has_src_area || dr->src_image < 0)
		return;
	im = &dr->img[dr->src_image];
	if (im->type == QXL_IMAGE_TYPE_BITMAP) {
		w = im->x;
		h = im->y;
	} else if (im->type == QXL_IMAGE_TYPE_SURFACE) {
		struct surf *s = live_surface(c, im->surface_id);

		if (!s)
			return;
		w = s->width;
		h = s->height;
	} else {
		w = im->width;
		h = im->height;
	}
	if (!rect_within(&dr->src_area, w, h))
		finding(c, "src_area", "must lie within the %lldx%lld source, got " RECT_FMT,
			(long long)w, (long long)h, RECT_ARGS(dr->src_area));
}

static void check_clip(struct ctx *c, const struct rec_draw *dr)
{
	int64_t i;

	if (dr->clip_type == QXL_CLIP_TYPE_NONE)
		return;
	if (dr->clip_type != QXL_CLIP_TYPE_RECTS) {
		finding(c, "clip.type", "must be 0 (none) or 1 (rects), got %lld",
			(long long)dr->clip_type);
		return;
	}
	if (c->in_range) {
		c->st->clipped_draws++;
		c->st->clip_rects += dr->clip_num_rects > 0 ? (uint64_t)dr->clip_num_rects : 0;
		if (dr->clip_num_rects == 0)
			c->st->empty_draws++;
	}
	if (dr->clip_num_rects < 0 ||
	    (uint64_t)dr->clip_num_rects * 16 != dr->clip.bytes) {
		finding(c, "clip.num_rects", "%lld rects need %lld bytes of clip data, got %llu",
			(long long)dr->clip_num_rects, (long long)dr->clip_num_rects * 16,
			(unsigned long long)dr->clip.bytes);
		return;
	}
	for (i = 0; i < dr->clip_num_rects; i++) {
		int32_t v[4];
		struct rec_rect r;

		if (rec_data_read(c->buf, c->ev->blobs, &dr->clip, (uint64_t)i * 16, v, 16))
			return;
		r.top = v[0];
		r.left = v[1];
		r.bottom = v[2];
		r.right = v[3];
		if (!rect_ordered(&r)) {
			char f[48];

			snprintf(f, sizeof(f), "clip.rects[%lld]", (long long)i);
			finding(c, f, "must have 0 <= top <= bottom and 0 <= left <= right, got " RECT_FMT,
				RECT_ARGS(r));
			return;
		}
	}
}

/* ------------------------------------------------------------ uploads */

static int grow_rows(struct ctx *c, size_t n)
{
	uint8_t *a, *b;

	if (n <= c->row_cap)
		return 0;
	a = realloc(c->row_a, n);
	if (!a)
		return -1;
	c->row_a = a;
	b = realloc(c->row_b, n);
	if (!b)
		return -1;
	c->row_b = b;
	c->row_cap = n;
	return 0;
}

static void remember_upload(struct ctx *c, struct surf *s, const struct rec_image *im)
{
	struct rec_blob *b = realloc(s->last.blobs, im->data.nblobs * sizeof(*b));

	if (!b && im->data.nblobs) {
		s->last.valid = 0;
		return;
	}
	memcpy(b, c->ev->blobs + im->data.first_blob, im->data.nblobs * sizeof(*b));
	s->last.blobs = b;
	s->last.data = im->data;
	s->last.data.first_blob = 0;
	s->last.format = im->format;
	s->last.x = im->x;
	s->last.y = im->y;
	s->last.stride = im->stride;
	s->last.valid = 1;
}

/*
 * A drawable that uploads a bitmap covering its whole target surface.
 * Compared with the previous full upload to that surface, the changed
 * rows and columns give the damage the driver could have sent instead.
 */
static void check_full_upload(struct ctx *c, const struct rec_draw *dr, struct surf *s)
{
	const struct rec_image *im;
	struct rec_data cur;
	int64_t r, top = -1, bottom = -1, lo = INT64_MAX, hi = -1, bypp;
	uint64_t dirty_bytes;

	if (dr->src_image < 0)
		return;
	im = &dr->img[dr->src_image];
	if (im->type != QXL_IMAGE_TYPE_BITMAP || im->x != s->width || im->y != s->height ||
	    dr->bbox.top != 0 || dr->bbox.left != 0 || dr->bbox.bottom != s->height ||
	    dr->bbox.right != s->width || (int64_t)im->data.bytes != mul(im->y, im->stride) ||
	    bitmap_bpp(im->format) < 8)
		return;
	if (c->in_range)
		c->st->full_uploads++;
	bypp = bitmap_bpp(im->format) / 8;
	if (c->in_range && s->last.valid && s->last.format == im->format &&
	    s->last.x == im->x && s->last.y == im->y && s->last.stride == im->stride &&
	    !grow_rows(c, (size_t)im->stride)) {
		cur = im->data;
		for (r = 0; r < im->y; r++) {
			int64_t i, first = -1, last = -1;
			uint64_t at = (uint64_t)(r * im->stride);
			size_t row = (size_t)(im->x * bypp);

			if (rec_data_read(c->buf, c->ev->blobs, &cur, at, c->row_a, row) ||
			    rec_data_read(c->buf, s->last.blobs, &s->last.data, at, c->row_b, row))
				return;
			if (!memcmp(c->row_a, c->row_b, row))
				continue;
			for (i = 0; i < (int64_t)row; i++) {
				if (c->row_a[i] != c->row_b[i]) {
					if (first < 0)
						first = i;
					last = i;
				}
			}
			if (top < 0)
				top = r;
			bottom = r;
			if (first / bypp < lo)
				lo = first / bypp;
			if (last / bypp > hi)
				hi = last / bypp;
		}
		dirty_bytes = top < 0 ? 0 :
			(uint64_t)((bottom - top + 1) * (hi - lo + 1) * bypp);
		if (dirty_bytes * 4 < im->data.bytes) {
			c->st->full_small_damage++;
			c->st->full_wasted_bytes += im->data.bytes - dirty_bytes;
			if (c->o->expect.no_full_surface_uploads) {
				if (top < 0)
					finding(c, "src.bitmap.data",
						"full-surface upload of %llu bytes identical to the previous one, got %lldx%lld unchanged",
						(unsigned long long)im->data.bytes,
						(long long)im->x, (long long)im->y);
				else
					finding(c, "src.bitmap.data",
						"full-surface upload where only (top %lld, left %lld, bottom %lld, right %lld) changed (%llu of %llu bytes), got %lldx%lld",
						(long long)top, (long long)lo, (long long)bottom + 1,
						(long long)hi + 1, (unsigned long long)dirty_bytes,
						(unsigned long long)im->data.bytes,
						(long long)im->x, (long long)im->y);
			}
		}
	}
	remember_upload(c, s, im);
}

/* ------------------------------------------------------------ commands */

/*
 * Drawables and UPDATE commands both name a live surface and an area of it:
 * one finding for a missing surface (missing words it), one for an area
 * (field) outside it.  Returns the surface, or NULL; *inside says whether
 * the area passed.
 */
static struct surf *check_surface_area(struct ctx *c, int64_t id, const char *missing,
				       const char *field, const struct rec_rect *r, int *inside)
{
	struct surf *s = live_surface(c, id);

	*inside = 0;
	if (!s)
		finding(c, "surface_id", "%s, got %lld", missing, (long long)id);
	else if (!rect_within(r, s->width, s->height))
		finding(c, field, "must lie within surface %lld (%lldx%lld), got " RECT_FMT,
			(long long)id, (long long)s->width, (long long)s->height, RECT_ARGS(*r));
	else
		*inside = 1;
	return s;
}

static void check_draw(struct ctx *c, const struct rec_draw *dr)
{
	struct surf *s;
	int inside;
	int i;

	if (c->in_range) {
		c->draws++;
		if (dr->type >= 0 && dr->type < REC_NDRAW)
			c->st->draw[dr->type]++;
		if (dr->compat)
			c->st->draw_compat++;
		if (c->o->expect.command_types_set && dr->type >= 0 && dr->type < 32 &&
		    !(c->o->expect.command_types & (1u << dr->type)))
			finding(c, "type", "draw type not allowed by command-types, got %s",
				rec_draw_name(dr->type) ? rec_draw_name(dr->type) : "?");
	}
	s = check_surface_area(c, dr->surface_id, "target surface does not exist (never created or destroyed)",
			       "bbox", &dr->bbox, &inside);
	if (inside && c->in_range && (dr->bbox.top == dr->bbox.bottom ||
				      dr->bbox.left == dr->bbox.right))
		c->st->empty_draws++;
	check_clip(c, dr);

	for (i = 0; i < 3; i++) {
		struct surf *d;
		char f[48];

		if (dr->surfaces_dest[i] == -1)
			continue;
		d = live_surface(c, dr->surfaces_dest[i]);
		snprintf(f, sizeof(f), "surfaces_dest[%d]", i);
		if (!d) {
			finding(c, f, "must be -1 or an existing surface, got %lld",
				(long long)dr->surfaces_dest[i]);
			continue;
		}
		snprintf(f, sizeof(f), "surfaces_rects[%d]", i);
		if (!rect_within(&dr->surfaces_rects[i], d->width, d->height))
			finding(c, f, "must lie within surface %lld (%lldx%lld), got " RECT_FMT,
				(long long)dr->surfaces_dest[i], (long long)d->width,
				(long long)d->height, RECT_ARGS(dr->surfaces_rects[i]));
	}

	for (i = 0; i < dr->nimg; i++)
		check_image(c, &dr->img[i]);
	check_src_area(c, dr);

	if (dr->has_brush && dr->brush.type > QXL_BRUSH_TYPE_PATTERN)
		finding(c, "brush.type", "must be 0..2, got %lld", (long long)dr->brush.type);
	if (dr->has_back_brush && dr->back_brush.type > QXL_BRUSH_TYPE_PATTERN)
		finding(c, "back_brush.type", "must be 0..2, got %lld",
			(long long)dr->back_brush.type);
	if (dr->has_brush && dr->brush.type == QXL_BRUSH_TYPE_PATTERN && dr->brush.image < 0)
		finding(c, "brush.pattern", "pattern brush without an image, got none");

	switch (dr->type) {
	case QXL_COPY_BITS:
		if (s) {
			struct rec_rect src = {
				.top = dr->src_pos.y, .left = dr->src_pos.x,
				.bottom = dr->src_pos.y + dr->bbox.bottom - dr->bbox.top,
				.right = dr->src_pos.x + dr->bbox.right - dr->bbox.left,
			};

			if (!rect_within(&src, s->width, s->height))
				finding(c, "src_pos", "source area must lie within surface %lld (%lldx%lld), got " RECT_FMT,
					(long long)dr->surface_id, (long long)s->width,
					(long long)s->height, RECT_ARGS(src));
		}
		break;
	case QXL_DRAW_COPY:
	case QXL_DRAW_BLEND:
	case QXL_DRAW_OPAQUE:
	case QXL_DRAW_TRANSPARENT:
	case QXL_DRAW_ALPHA_BLEND:
	case QXL_DRAW_COMPOSITE:
		if (dr->src_image < 0)
			finding(c, "src", "this draw type needs a source image, got none");
		else if (s && dr->type != QXL_DRAW_COMPOSITE)
			check_full_upload(c, dr, s);
		break;
	case QXL_DRAW_TEXT: {
		int64_t raster = dr->str_flags & (QXL_STRING_FLAGS_RASTER_A1 |
						  QXL_STRING_FLAGS_RASTER_A4 |
						  QXL_STRING_FLAGS_RASTER_A8);

		if ((uint64_t)dr->str_data_size != dr->str.bytes)
			finding(c, "string.data_size", "must equal the %llu bytes of glyph data, got %lld",
				(unsigned long long)dr->str.bytes, (long long)dr->str_data_size);
		if (raster != QXL_STRING_FLAGS_RASTER_A1 && raster != QXL_STRING_FLAGS_RASTER_A4 &&
		    raster != QXL_STRING_FLAGS_RASTER_A8)
			finding(c, "string.flags", "exactly one of RASTER_A1/A4/A8 must be set, got %lld",
				(long long)dr->str_flags);
		break;
	}
	case QXL_DRAW_STROKE:
		if ((dr->attr_flags & QXL_LINE_FLAGS_STYLED) &&
		    (dr->style_nseg <= 0 || (uint64_t)dr->style_nseg * 4 != dr->style.bytes))
			finding(c, "attr.style_nseg", "must be > 0 and match %llu bytes of style, got %lld",
				(unsigned long long)dr->style.bytes, (long long)dr->style_nseg);
		break;
	default:
		break;
	}
}

static void check_update(struct ctx *c, const struct rec_update *u)
{
	int inside;

	check_surface_area(c, u->surface_id, "update of a surface that does not exist",
			   "area", &u->area, &inside);
}

static void free_upload(struct surf *s)
{
	free(s->last.blobs);
	s->last.blobs = NULL;
	s->last.valid = 0;
}

static void create_surface(struct ctx *c, int64_t id, int64_t fmt, int64_t w,
			   int64_t h, int64_t stride)
{
	struct surf *s = surface(c, id, 1);

	if (!s)
		return;
	free_upload(s);
	s->alive = 1;
	s->format = fmt;
	s->width = w;
	s->height = h;
	s->stride = stride;
	s->created_counter = c->ev->counter;
	s->created_off = c->ev->off;
	s->created_in_range = c->in_range;
}

static void check_surface_cmd(struct ctx *c, const struct rec_surface *sc)
{
	struct surf *s = surface(c, sc->surface_id, 1);

	if (!s) {
		finding(c, "surface_id", "must be 0..%d, got %lld", MAX_SURFACES - 1,
			(long long)sc->surface_id);
		return;
	}
	switch (sc->type) {
	case QXL_SURFACE_CMD_CREATE:
		if (c->in_range) {
			c->st->surface_create++;
			c->st->surface_data_bytes += sc->data.bytes;
		}
		if (s->alive) {
			finding(c, "surface_id", "created while alive (created at command #%llu), got %lld",
				(unsigned long long)s->created_counter, (long long)sc->surface_id);
			return;
		}
		if (!check_surface_geometry(c, "u.surface_create", sc->format, sc->width,
					    sc->height, sc->stride))
			return;
		if ((sc->flags & QXL_SURF_FLAG_KEEP_DATA) &&
		    (int64_t)sc->data.bytes != mul(sc->height, sc->stride < 0 ? -sc->stride : sc->stride))
			finding(c, "data", "kept data must be height*|stride| bytes, got %llu",
				(unsigned long long)sc->data.bytes);
		create_surface(c, sc->surface_id, sc->format, sc->width, sc->height, sc->stride);
		break;
	case QXL_SURFACE_CMD_DESTROY:
		if (c->in_range)
			c->st->surface_destroy++;
		if (!s->alive) {
			finding(c, "surface_id", "destroy of a surface that does not exist (never created or destroyed twice), got %lld",
				(long long)sc->surface_id);
			return;
		}
		s->alive = 0;
		free_upload(s);
		break;
	default:
		finding(c, "type", "surface command must be 0 (create) or 1 (destroy), got %lld",
			(long long)sc->type);
	}
}

static void check_cursor(struct ctx *c, const struct rec_cursor *cu)
{
	int64_t want;

	if (c->in_range) {
		if (cu->type >= 0 && cu->type < REC_NCURSOR)
			c->st->cursor[cu->type]++;
		else
			c->st->cursor_other++;
	}
	if (cu->type < 0 || cu->type >= REC_NCURSOR) {
		finding(c, "type", "cursor command must be 0..3 (set, move, hide, trail), got %lld",
			(long long)cu->type);
		return;
	}
	if (cu->type == QXL_CURSOR_SET)
		c->cursor_shown = cu->visible != 0;
	else if (cu->type == QXL_CURSOR_HIDE)
		c->cursor_shown = 0;
	if (c->in_range) {
		c->range_cursor_seen = 1;
		c->range_cursor_shown = c->cursor_shown;
		c->range_cursor_counter = c->ev->counter;
		c->range_cursor_type = cu->type;
	}
	if (cu->type != QXL_CURSOR_SET)
		return;
	if (c->in_range)
		c->st->cursor_shape_bytes += cu->data.bytes;
	want = cursor_size(cu->shape_type, cu->width, cu->height);
	if (want < 0) {
		finding(c, "header.type", "cursor shape type must be 0..6, got %lld",
			(long long)cu->shape_type);
		return;
	}
	if (cu->width <= 0 || cu->height <= 0 || cu->width > QXL_CURSOR_MAX_SIZE ||
	    cu->height > QXL_CURSOR_MAX_SIZE) {
		finding(c, "header.width", "cursor size must be 1..%d in both directions, got %lldx%lld",
			QXL_CURSOR_MAX_SIZE, (long long)cu->width, (long long)cu->height);
		return;
	}
	if (cu->hot_x < 0 || cu->hot_y < 0 || cu->hot_x >= cu->width || cu->hot_y >= cu->height)
		finding(c, "header.hot_spot_x", "hot spot must lie inside the %lldx%lld shape, got (%lld, %lld)",
			(long long)cu->width, (long long)cu->height, (long long)cu->hot_x,
			(long long)cu->hot_y);
	if ((uint64_t)cu->data_size != cu->data.bytes)
		finding(c, "data_size", "must equal the %llu bytes of shape data, got %lld",
			(unsigned long long)cu->data.bytes, (long long)cu->data_size);
	else if (cu->data_size != want)
		finding(c, "data_size", "a %lldx%lld type-%lld shape needs %lld bytes, got %lld",
			(long long)cu->width, (long long)cu->height, (long long)cu->shape_type,
			(long long)want, (long long)cu->data_size);
}

static void check_message(struct ctx *c, const struct rec_event *ev)
{
	struct surf *p = surface(c, 0, 1);
	size_t i;

	if (!p)
		return;

	if (c->in_range && !ev->late_primary) {
		if (ev->type < REC_MSG_COUNT && rec_msg_name(ev->type))
			c->st->msg[ev->type]++;
		else
			c->st->msg_other++;
	}
	switch (ev->type) {
	case REC_MSG_CREATE_PRIMARY:
	case REC_MSG_CREATE_PRIMARY_ASYNC: {
		const struct rec_primary *pr = &ev->primary;
		int64_t astride = pr->stride < 0 ? -pr->stride : pr->stride;

		if (!ev->has_primary) {
			finding(c, "create_primary", "spice-server refused the primary surface (bad size, format or memory), got no surface");
			return;
		}
		if (c->in_range) {
			c->st->primary_created++;
			c->st->primary_bytes += pr->data.bytes;
		}
		if (p->alive && c->multi) {
			c->primaries++;
		} else if (p->alive) {
			finding(c, "create_primary", "primary surface created while one exists (created at command #%llu), got a second one",
				(unsigned long long)p->created_counter);
		} else {
			c->primaries = 1;
		}
		if (!check_surface_geometry(c, "create_primary", pr->format, pr->width,
					    pr->height, pr->stride))
			return;
		if ((int64_t)pr->data.bytes != mul(pr->height, astride))
			finding(c, "create_primary.data", "must be height*|stride| = %lld bytes, got %llu",
				(long long)mul(pr->height, astride),
				(unsigned long long)pr->data.bytes);
		if (c->multi && c->primaries > 1 && (pr->width < p->width || pr->height < p->height)) {
			/* another device's primary still bounds surface 0 */
			p->width = pr->width > p->width ? pr->width : p->width;
			p->height = pr->height > p->height ? pr->height : p->height;
			break;
		}
		create_surface(c, 0, pr->format, pr->width, pr->height, pr->stride);
		break;
	}
	case REC_MSG_DESTROY_PRIMARY:
	case REC_MSG_DESTROY_PRIMARY_ASYNC:
		if (c->multi) {
			/* which device's it was is unknown: drop one, keep the size */
			if (c->primaries > 0 && --c->primaries > 0)
				break;
		} else if (!p->alive) {
			finding(c, "destroy_primary", "no primary surface to destroy, got a destroy");
		}
		p->alive = 0;
		free_upload(p);
		break;
	case REC_MSG_START:
		if (c->started)
			c->multi = 1;
		c->started = 1;
		break;
	case REC_MSG_STOP:
		c->started = 0;
		break;
	case REC_MSG_DESTROY_SURFACES:
	case REC_MSG_DESTROY_SURFACES_ASYNC:
		/* which device's surfaces went is unknown: keep them all */
		if (c->multi)
			break;
		for (i = 0; i < c->nsurf; i++) {
			if (c->surf[i].alive) {
				c->surf[i].alive = 0;
				free_upload(&c->surf[i]);
			}
		}
		break;
	default:
		break;
	}
}

static void account(struct ctx *c, const struct rec_event *ev)
{
	uint64_t n = ev->end - ev->off;
	struct rec_stats *st = c->st;

	st->events++;
	st->bytes += n;
	if (ev->what == REC_WHAT_MESSAGE) {
		st->message_bytes += n;
		return;
	}
	st->commands++;
	st->command_bytes += n;
	st->cmd[ev->type < REC_NCMD ? ev->type : 0]++;
	if (n > st->max_command_bytes) {
		st->max_command_bytes = n;
		st->max_command_counter = ev->counter;
	}
	if (c->o->expect.max_bytes_per_command >= 0 &&
	    n > (uint64_t)c->o->expect.max_bytes_per_command)
		finding(c, "bytes", "command larger than max-bytes-per-command=%lld, got %llu",
			(long long)c->o->expect.max_bytes_per_command, (unsigned long long)n);
}

static void check_event(struct ctx *c, const struct rec_event *ev)
{
	if (c->in_range)
		account(c, ev);
	if (ev->what == REC_WHAT_MESSAGE) {
		check_message(c, ev);
		return;
	}
	switch (ev->type) {
	case QXL_CMD_DRAW:
		check_draw(c, &ev->draw);
		break;
	case QXL_CMD_UPDATE:
		check_update(c, &ev->update);
		break;
	case QXL_CMD_SURFACE:
		check_surface_cmd(c, &ev->surface);
		break;
	case QXL_CMD_CURSOR:
		check_cursor(c, &ev->cursor);
		break;
	case QXL_CMD_MESSAGE:
		break;
	default:
		finding(c, "type", "ring command type must be 1..5 (draw, update, cursor, message, surface), got %u",
			ev->type);
	}
}

/* ------------------------------------------------------------ expectations */

void rec_expect_init(struct rec_expect *e)
{
	memset(e, 0, sizeof(*e));
	e->max_image_bytes = -1;
	e->max_bytes_per_update = -1;
	e->max_bytes_per_command = -1;
	e->max_commands = -1;
	e->max_dup_images = -1;
	e->max_cursor_shape_bytes = -1;
}

static int parse_count(const char *s, int64_t *v)
{
	char *end;
	unsigned long long x;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || x > (unsigned long long)INT64_MAX / (1024 * 1024))
		return -1;
	if (*end == 'K' || *end == 'k') {
		x *= 1024;
		end++;
	} else if (*end == 'M') {
		x *= 1024 * 1024;
		end++;
	}
	if (*end)
		return -1;
	*v = (int64_t)x;
	return 0;
}

int rec_expect_parse(struct rec_expect *e, const char *rule, char *err, size_t errlen)
{
	static const struct { const char *name; size_t off; } counts[] = {
		{ "max-image-bytes", offsetof(struct rec_expect, max_image_bytes) },
		{ "max-bytes-per-update", offsetof(struct rec_expect, max_bytes_per_update) },
		{ "max-bytes-per-command", offsetof(struct rec_expect, max_bytes_per_command) },
		{ "max-commands", offsetof(struct rec_expect, max_commands) },
		{ "max-duplicate-images", offsetof(struct rec_expect, max_dup_images) },
		{ "max-cursor-shape-bytes", offsetof(struct rec_expect, max_cursor_shape_bytes) },
	};
	const char *eq = strchr(rule, '=');
	size_t klen = eq ? (size_t)(eq - rule) : strlen(rule);
	size_t i;

	if (!eq) {
		if (!strcmp(rule, "no-image-data"))
			e->no_image_data = 1;
		else if (!strcmp(rule, "no-surface-leaks"))
			e->no_surface_leaks = 1;
		else if (!strcmp(rule, "no-duplicate-images"))
			e->no_duplicate_images = 1;
		else if (!strcmp(rule, "no-full-surface-uploads"))
			e->no_full_surface_uploads = 1;
		else if (!strcmp(rule, "cursor-shown"))
			e->cursor_shown = 1;
		else
			goto unknown;
		return 0;
	}
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		if (strlen(counts[i].name) == klen && !memcmp(rule, counts[i].name, klen)) {
			if (parse_count(eq + 1, (int64_t *)((char *)e + counts[i].off))) {
				snprintf(err, errlen, "expectation \"%s\": \"%s\" is not a count",
					 counts[i].name, eq + 1);
				return -1;
			}
			return 0;
		}
	}
	if (klen == strlen("command-types") && !memcmp(rule, "command-types", klen)) {
		const char *s = eq + 1;

		e->command_types_set = 1;
		e->command_types = 0;
		while (*s) {
			size_t n = strcspn(s, ",");
			int64_t t;
			int found = 0;

			for (t = 0; t < REC_NDRAW; t++) {
				const char *nm = rec_draw_name(t);

				if (nm && strlen(nm) == n && !memcmp(nm, s, n)) {
					e->command_types |= 1u << t;
					found = 1;
				}
			}
			if (!found) {
				snprintf(err, errlen,
					 "expectation command-types: unknown draw type \"%.*s\" (known: nop fill opaque copy copy-bits blend blackness whiteness invers rop3 stroke text transparent alpha-blend composite)",
					 (int)n, s);
				return -1;
			}
			s += n;
			if (*s == ',')
				s++;
		}
		return 0;
	}
unknown:
	snprintf(err, errlen,
		 "unknown expectation \"%s\" (known: no-image-data, no-surface-leaks, no-duplicate-images, no-full-surface-uploads, cursor-shown, max-image-bytes=N, max-bytes-per-update=N, max-bytes-per-command=N, max-commands=N, max-duplicate-images=N, max-cursor-shape-bytes=N, command-types=a,b)",
		 rule);
	return -1;
}

static void check_expectations(struct ctx *c)
{
	const struct rec_expect *e = &c->o->expect;
	struct rec_stats *st = c->st;
	size_t i;

	if (e->no_image_data && st->image_bytes)
		expectation(c, "no-image-data",
			    "no bitmap or quic data expected, got %llu bytes in %llu images, first at command #%llu (offset %llu)",
			    (unsigned long long)st->image_bytes,
			    (unsigned long long)(st->image_bitmap + st->image_quic),
			    (unsigned long long)c->first_image_counter,
			    (unsigned long long)c->first_image_off);
	if (e->max_image_bytes >= 0 && st->image_bytes > (uint64_t)e->max_image_bytes)
		expectation(c, "max-image-bytes",
			    "at most %lld image bytes expected, got %llu",
			    (long long)e->max_image_bytes, (unsigned long long)st->image_bytes);
	if (e->max_commands >= 0 && st->commands > (uint64_t)e->max_commands)
		expectation(c, "max-commands", "at most %lld ring commands expected, got %llu",
			    (long long)e->max_commands, (unsigned long long)st->commands);
	if (e->max_bytes_per_update >= 0 && c->res->updates &&
	    st->command_bytes / c->res->updates > (uint64_t)e->max_bytes_per_update)
		expectation(c, "max-bytes-per-update",
			    "at most %lld bytes per update expected (%llu command bytes / %llu updates), got %llu",
			    (long long)e->max_bytes_per_update,
			    (unsigned long long)st->command_bytes,
			    (unsigned long long)c->res->updates,
			    (unsigned long long)(st->command_bytes / c->res->updates));
	if (e->no_duplicate_images && st->dup_images)
		expectation(c, "no-duplicate-images",
			    "no re-upload of an identical image expected, got %llu (%llu bytes)",
			    (unsigned long long)st->dup_images,
			    (unsigned long long)st->dup_image_bytes);
	if (e->max_dup_images >= 0 && st->dup_images > (uint64_t)e->max_dup_images)
		expectation(c, "max-duplicate-images",
			    "at most %lld re-uploads of identical images expected, got %llu",
			    (long long)e->max_dup_images, (unsigned long long)st->dup_images);
	if (e->max_cursor_shape_bytes >= 0 &&
	    st->cursor_shape_bytes > (uint64_t)e->max_cursor_shape_bytes)
		expectation(c, "max-cursor-shape-bytes",
			    "at most %lld bytes of cursor shapes (cursor SETs) expected, got %llu in %llu SETs",
			    (long long)e->max_cursor_shape_bytes,
			    (unsigned long long)st->cursor_shape_bytes,
			    (unsigned long long)st->cursor[QXL_CURSOR_SET]);
	if (e->cursor_shown && (!c->range_cursor_seen || !c->range_cursor_shown)) {
		if (c->range_cursor_seen)
			expectation(c, "cursor-shown",
				    "the cursor shown at the end expected, got it hidden after command #%llu (cursor %s)",
				    (unsigned long long)c->range_cursor_counter,
				    c->range_cursor_type == QXL_CURSOR_HIDE ? "hide" :
				    c->range_cursor_type == QXL_CURSOR_SET ? "set, not visible" : "move");
		else
			expectation(c, "cursor-shown",
				    "the cursor shown at the end expected, got no cursor command");
	}
	for (i = 1; i < c->nsurf; i++) {
		struct surf *s = &c->surf[i];

		if (!s->alive)
			continue;
		if (s->created_in_range) {
			st->surfaces_leaked++;
			if (e->no_surface_leaks)
				expectation(c, "no-surface-leaks",
					    "surface %zu created at command #%llu (offset %llu) destroyed by the end, got still alive",
					    i, (unsigned long long)s->created_counter,
					    (unsigned long long)s->created_off);
		}
	}
}

/* ------------------------------------------------------------ driver */

int rec_analyze(const uint8_t *buf, size_t len, const struct rec_opts *o,
		struct rec_result *res)
{
	struct rec_parser p;
	struct rec_event *ev;
	struct ctx c;
	size_t i;
	int r;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.o = o;
	c.res = res;
	c.st = &res->st;
	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		res->status = REC_ERROR;
		snprintf(res->err, sizeof(res->err), "out of memory");
		return 1;
	}

	r = rec_parser_init(&p, buf, len);
	while (r == REC_OK) {
		/* an event starting at or after --to is outside: do not even parse it */
		if (p.pos >= o->to) {
			r = REC_END;
			break;
		}
		r = rec_next(&p, ev);
		if (r != REC_OK)
			break;
		if (ev->off >= o->to)
			break;
		c.ev = ev;
		c.in_range = ev->off >= o->from;
		check_event(&c, ev);
	}
	res->status = r == REC_OK ? REC_END : r;
	if (r < 0) {
		res->err_off = p.err_off;
		snprintf(res->err, sizeof(res->err), "%s", p.err);
	}
	res->parsed_to = r == REC_OK ? ev->off : (r == REC_END ? p.pos : p.err_off);

	res->updates = o->updates >= 0 ? (uint64_t)o->updates : c.draws;
	for (i = 1; i < c.nsurf; i++)
		if (c.surf[i].alive)
			res->st.surfaces_alive_end++;
	check_expectations(&c);

	for (i = 0; i < c.nsurf; i++)
		free(c.surf[i].last.blobs);
	free(c.surf);
	free(c.dup.slot);
	free(c.cache_ids.slot);
	free(c.row_a);
	free(c.row_b);
	free(ev);
	rec_parser_fini(&p);
	return res->st.findings ? 1 : 0;
}
