// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Uploading framebuffer contents: one QXL_DRAW_COPY per damaged rectangle,
 * onto the primary surface.  The image holds exactly the rectangle's pixels
 * (stride = its width), so the bytes sent follow the damage, not the frame.
 * Large rectangles are cut into bands so that one command never needs more
 * than a fraction of device memory.
 *
 * The driver keeps a copy of what its uploads put on the primary (the
 * shadow).  Within the damage, rows equal to the shadow are not sent and a
 * changed row only from its first to its last changed pixel, so a console
 * redraw of unchanged text, or a page flip to a buffer that differs in a
 * corner, costs what changed.  The shadow of a head counts only once a
 * whole-plane upload filled it, and stops counting when anything else was
 * pushed to the display ring (EXECBUFFER may draw on the primary) or the
 * primary was re-created.
 *
 * A framebuffer in system memory stays mapped in its client, which can
 * change it while it is read here.  Each row is therefore copied into a
 * kernel buffer first and compared, scanned, hashed and uploaded from that
 * copy only: a row changing under us costs a stale upload, never a scan or
 * a copy past the row.
 *
 * Every image carries QXL_IMAGE_CACHE and an id hashed from its pixels and
 * size: spice-server then sends an image it has seen before (the console
 * cursor blinking, a redrawn widget, the frames of an animation a
 * compositor cycles through) to its client by reference instead of its
 * pixels.  Large images too: weston-presentation-shm cycles through 8
 * frames whose damage boxes are 160x160 to 220x220 pixels, and while only
 * images up to 64 KiB had an id, 686 of 1003 uploads of a 20 s Weston soak
 * were sent to the client again in full (120 MB).  A band holds at most
 * 1 Mi pixels (QXL_DRAW_BAND_MAX), spice-gtk offers spice-server a cache of
 * 32 Mi pixels, and the hash costs about what copying the pixels does
 * (0.2-1 ns/byte under TCG, kernel/README.md).  Equal ids must mean equal
 * pixels, hence a 64-bit hash of everything the device draws from.
 * EXECBUFFER clients choose their ids freely (qxl_execbuf.c), so the hash
 * is keyed per device: unkeyed, a client could compute the id of the
 * console's next upload, send its own image under it first, and the SPICE
 * client would show that image in the console's place.  Ours also carry
 * QXL_IMAGE_ID_KERNEL, which tells them apart in a record.
 */

#include <linux/io.h>
#include <linux/iosys-map.h>
#include <linux/slab.h>
#include <linux/xxhash.h>

#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_print.h>
#include <drm/drm_rect.h>

#include "qxl_drv.h"

#define QXL_DRAW_BAND_MAX	SZ_4M

/* Where a band's pixels come from: a framebuffer or the shadow. */
struct qxl_draw_src {
	const struct iosys_map *map;
	u32 pitch;
	u32 format;
	u32 cpp;
	bool stable;	/* kernel memory nobody else writes: read in place */
};

/* Scratch row and what was pushed, across the bands of one update. */
struct qxl_draw_ctx {
	u32 *tmp;
	u32 seq;	/* ring position of the last command pushed */
	u32 pushed;
};

/*
 * Unchanged rows inside a band are sent along while they cost less than
 * another command would (its record, its device memory, the device's work
 * on it): small changes a few rows apart, like the digits of consecutive
 * console lines, travel as one command.
 */
#define QXL_DRAW_GAP_BYTES	SZ_4K

struct qxl_draw_layout {
	u32 image;
	u32 chunk;
	u32 data;
	u32 size;
};

static void qxl_draw_layout(struct qxl_draw_layout *l, u32 data_size)
{
	l->image = ALIGN(sizeof(struct qxl_drawable), 8);
	l->chunk = ALIGN(l->image + sizeof(struct qxl_image), 8);
	l->data = l->chunk + sizeof(struct qxl_data_chunk);
	l->size = l->data + data_size;
}

/*
 * One row of the source in the device's 32-bit xRGB, in system memory: a
 * stable source itself, else a copy in tmp (see the top of this file).
 */
static const void *qxl_draw_row(const struct qxl_draw_src *src, size_t offset, u32 width,
				u32 *tmp)
{
	const struct iosys_map *map = src->map;
	const u16 *p16;
	u32 i;

	if (src->format != DRM_FORMAT_RGB565) {
		if (src->stable && !map->is_iomem)
			return map->vaddr + offset;
		if (map->is_iomem)
			memcpy_fromio(tmp, map->vaddr_iomem + offset, width * 4);
		else
			memcpy(tmp, map->vaddr + offset, width * 4);
		return tmp;
	}

	p16 = (const u16 *)(tmp + width / 2);
	if (map->is_iomem)
		memcpy_fromio(tmp + width / 2, map->vaddr_iomem + offset, width * 2);
	else
		memcpy(tmp + width / 2, map->vaddr + offset, width * 2);
	/* expand 5/6/5 to 8 bits per channel by replicating the top bits */
	for (i = 0; i < width; i++) {
		u32 r = (p16[i] >> 11) & 0x1f;
		u32 g = (p16[i] >> 5) & 0x3f;
		u32 b = p16[i] & 0x1f;

		tmp[i] = ((r << 3 | r >> 2) << 16) | ((g << 2 | g >> 4) << 8) | (b << 3 | b >> 2);
	}
	return tmp;
}

static int qxl_draw_band(struct qxl_device *qdev, const struct qxl_draw_src *src,
			 int x, int y, u32 w, u32 h, int dst_x, int dst_y, struct qxl_draw_ctx *ctx)
{
	struct qxl_draw_layout l;
	struct qxl_release *release;
	struct qxl_drawable drawable = { 0 };
	struct qxl_image image = { 0 };
	struct qxl_data_chunk chunk = { 0 };
	struct xxh64_state hash;
	u32 stride = w * 4;
	const void *line;
	void __iomem *dst;
	u32 row;
	int ret;

	qxl_draw_layout(&l, stride * h);
	release = qxl_release_alloc(qdev, QXL_RING_DISPLAY, l.size);
	if (IS_ERR(release))
		return PTR_ERR(release);

	drawable.release_info.id = release->id;
	drawable.surface_id = 0;
	drawable.effect = QXL_EFFECT_OPAQUE;
	drawable.type = QXL_DRAW_COPY;
	drawable.bbox.top = dst_y;
	drawable.bbox.left = dst_x;
	drawable.bbox.bottom = dst_y + h;
	drawable.bbox.right = dst_x + w;
	drawable.clip.type = QXL_CLIP_TYPE_NONE;
	drawable.mm_time = readl(&qdev->rom->mm_clock);
	drawable.surfaces_dest[0] = -1;
	drawable.surfaces_dest[1] = -1;
	drawable.surfaces_dest[2] = -1;
	drawable.u.copy.src_bitmap = qxl_release_phys(release, l.image);
	drawable.u.copy.src_area.right = w;
	drawable.u.copy.src_area.bottom = h;
	drawable.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	drawable.u.copy.scale_mode = QXL_SCALE_MODE_NEAREST;

	image.descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	image.descriptor.width = w;
	image.descriptor.height = h;
	image.u.bitmap.format = QXL_BITMAP_FMT_32BIT;
	image.u.bitmap.flags = QXL_BITMAP_TOP_DOWN;
	image.u.bitmap.x = w;
	image.u.bitmap.y = h;
	image.u.bitmap.stride = stride;
	image.u.bitmap.data = qxl_release_phys(release, l.chunk);

	chunk.data_size = stride * h;

	xxh64_reset(&hash, qdev->image_id_key ^ ((u64)w << 32 | h));
	dst = qxl_release_ptr(release, l.data);
	for (row = 0; row < h; row++) {
		line = qxl_draw_row(src, (size_t)(y + row) * src->pitch + (size_t)x * src->cpp, w,
				    ctx->tmp);
		memcpy_toio(dst + row * stride, line, stride);
		xxh64_update(&hash, line, stride);
	}
	image.descriptor.id = xxh64_digest(&hash) | QXL_IMAGE_ID_KERNEL;
	image.descriptor.flags = QXL_IMAGE_CACHE;
	memcpy_toio(qxl_release_ptr(release, 0), &drawable, sizeof(drawable));
	memcpy_toio(qxl_release_ptr(release, l.image), &image, sizeof(image));
	memcpy_toio(qxl_release_ptr(release, l.chunk), &chunk, sizeof(chunk));

	ret = qxl_release_submit(release, QXL_CMD_DRAW, &ctx->seq);
	if (!ret) {
		ctx->pushed++;
		qdev->bytes_uploaded += stride * h;
		qdev->draws++;
	}
	return ret;
}

/* Upload rows [y, y + h) of columns [x, x + w) of src in bands. */
static int qxl_draw_rect(struct qxl_device *qdev, const struct qxl_draw_src *src,
			 int x, int y, u32 w, u32 h, int dst_x, int dst_y, struct qxl_draw_ctx *ctx)
{
	u32 band_max = min_t(u32, QXL_DRAW_BAND_MAX, qdev->layout.pages_size / 4);
	u32 rows = max_t(u32, 1, band_max / (w * 4));
	u32 i;
	int ret = 0;

	for (i = 0; i < h && !ret; i += rows)
		ret = qxl_draw_band(qdev, src, x, y + i, w, min(rows, h - i), dst_x,
				    dst_y + i, ctx);
	return ret;
}

/*
 * Changed pixels [*l, *r) of a row against its shadow; false if none.
 * Both are kernel memory that cannot change meanwhile; the scans are
 * bounded all the same, so that no mistake there can run past the row.
 */
static bool qxl_draw_row_changed(const u32 *line, const u32 *shadow, u32 w, u32 *l, u32 *r)
{
	u32 a = 0, b = w;

	if (!memcmp(line, shadow, w * 4))
		return false;
	while (a < w && line[a] == shadow[a])
		a++;
	while (b > a && line[b - 1] == shadow[b - 1])
		b--;
	if (a == b)
		return false;
	*l = a;
	*r = b;
	return true;
}

struct qxl_draw_band_acc {
	bool open;
	u32 y, h, l, r;		/* rows and columns on the clip */
	u32 gap;		/* unchanged rows since the last changed one */
};

/*
 * Copy rectangle clip of fb (mapped at map) to (dst_x, dst_y) on the
 * primary, for head output.  whole: clip is the whole plane, which makes
 * the head's shadow valid.
 */
int qxl_draw_copy(struct qxl_device *qdev, struct qxl_output *output,
		  const struct iosys_map *map, const struct drm_framebuffer *fb,
		  const struct drm_rect *clip, int dst_x, int dst_y, bool whole)
{
	struct qxl_ring *ring = &qdev->rings[QXL_RING_DISPLAY];
	struct qxl_draw_src src = {
		.map = map,
		.pitch = fb->pitches[0],
		.format = fb->format->format,
		.cpp = fb->format->cpp[0],
	};
	struct iosys_map shadow_map;
	struct qxl_draw_src shadow_src;
	struct qxl_draw_band_acc band = { 0 };
	struct qxl_draw_ctx ctx = { 0 };
	u32 w = drm_rect_width(clip);
	u32 h = drm_rect_height(clip);
	u32 pw = qdev->primary_width;
	u32 seq_start;
	u32 i, l, r;
	bool compare;
	const u32 *line;
	u32 *sh;
	int ret = 0;

	if (!w || !h)
		return 0;
	ctx.tmp = kmalloc_array(w, 4, GFP_KERNEL);
	if (!ctx.tmp)
		return -ENOMEM;

	mutex_lock(&qdev->primary_lock);
	if (!qdev->shadow || dst_x < 0 || dst_y < 0 || dst_x + w > pw ||
	    dst_y + h > qdev->primary_height) {
		ret = qxl_draw_rect(qdev, &src, clip->x1, clip->y1, w, h, dst_x, dst_y, &ctx);
		goto out;
	}

	/* something else drew on the primary since our last upload */
	seq_start = READ_ONCE(ring->prod);
	if (seq_start != qdev->shadow_seq) {
		unsigned int head;

		for (head = 0; head < qdev->num_heads; head++)
			qdev->outputs[head]->shadow_valid = false;
	}
	compare = output->shadow_valid;

	iosys_map_set_vaddr(&shadow_map, qdev->shadow);
	shadow_src.map = &shadow_map;
	shadow_src.pitch = pw * 4;
	shadow_src.format = DRM_FORMAT_XRGB8888;
	shadow_src.cpp = 4;
	shadow_src.stable = true;

	for (i = 0; i <= h && !ret; i++) {
		bool changed = false;

		if (i < h) {
			/* a copy: the client may be writing this row right now */
			line = qxl_draw_row(&src, (size_t)(clip->y1 + i) * src.pitch +
					    (size_t)clip->x1 * src.cpp, w, ctx.tmp);
			sh = qdev->shadow + (size_t)(dst_y + i) * pw + dst_x;
			l = 0;
			r = w;
			changed = !compare || qxl_draw_row_changed(line, sh, w, &l, &r);
			if (changed)
				memcpy(sh + l, line + l, (r - l) * 4);
		}
		if (changed) {
			if (!band.open) {
				band.open = true;
				band.y = i;
				band.l = l;
				band.r = r;
			}
			band.l = min(band.l, l);
			band.r = max(band.r, r);
			band.h = i + 1 - band.y;
			band.gap = 0;
		} else if (band.open) {
			band.gap++;
		}
		if (band.open &&
		    (i == h || band.gap * (band.r - band.l) * 4 >= QXL_DRAW_GAP_BYTES)) {
			ret = qxl_draw_rect(qdev, &shadow_src, dst_x + band.l, dst_y + band.y,
					    band.r - band.l, band.h, dst_x + band.l,
					    dst_y + band.y, &ctx);
			band.open = false;
		}
	}
	if (ret) {
		/* rows copied to the shadow may not have reached the device */
		output->shadow_valid = false;
	} else if (!ctx.pushed || ctx.seq == seq_start + ctx.pushed) {
		/* only our commands went by: the shadow still tells the truth */
		qdev->shadow_seq = seq_start + ctx.pushed;
		if (whole)
			output->shadow_valid = true;
	}
	/* else another command came in between: the next upload sees the mismatch */
out:
	mutex_unlock(&qdev->primary_lock);
	kfree(ctx.tmp);
	return ret;
}

/*
 * Paint a rectangle of the primary black: what a head shows with no plane
 * on it.  With a shadow, the rectangle is blackened there first and
 * uploaded from it, so the shadow keeps telling what the device shows;
 * without one, a single zeroed row is read for every row (pitch 0).
 */
int qxl_draw_black(struct qxl_device *qdev, struct qxl_output *output,
		   int dst_x, int dst_y, u32 w, u32 h)
{
	struct qxl_ring *ring = &qdev->rings[QXL_RING_DISPLAY];
	struct qxl_draw_src src = {
		.format = DRM_FORMAT_XRGB8888,
		.cpp = 4,
		.stable = true,
	};
	struct qxl_draw_ctx ctx = { 0 };
	struct iosys_map map;
	u32 pw = qdev->primary_width;
	bool in_shadow;
	void *zero = NULL;
	u32 seq_start, i;
	int ret;

	if (!w || !h)
		return 0;
	mutex_lock(&qdev->primary_lock);
	seq_start = READ_ONCE(ring->prod);
	in_shadow = qdev->shadow && dst_x >= 0 && dst_y >= 0 && dst_x + w <= pw &&
		    dst_y + h <= qdev->primary_height;
	if (in_shadow) {
		for (i = 0; i < h; i++)
			memset(qdev->shadow + (size_t)(dst_y + i) * pw + dst_x, 0, w * 4);
		iosys_map_set_vaddr(&map, qdev->shadow);
		src.pitch = pw * 4;
		src.map = &map;
		ret = qxl_draw_rect(qdev, &src, dst_x, dst_y, w, h, dst_x, dst_y, &ctx);
	} else {
		zero = kzalloc(w * 4, GFP_KERNEL);
		ret = -ENOMEM;
		if (zero) {
			iosys_map_set_vaddr(&map, zero);
			src.map = &map;
			ret = qxl_draw_rect(qdev, &src, 0, 0, w, h, dst_x, dst_y, &ctx);
		}
	}
	if (ret) {
		output->shadow_valid = false;
	} else if (in_shadow && seq_start == qdev->shadow_seq &&
		   (!ctx.pushed || ctx.seq == seq_start + ctx.pushed)) {
		/* nothing else went by: the blackened shadow is what the head shows */
		qdev->shadow_seq = seq_start + ctx.pushed;
		output->shadow_valid = true;
	}
	mutex_unlock(&qdev->primary_lock);
	kfree(zero);
	return ret;
}
