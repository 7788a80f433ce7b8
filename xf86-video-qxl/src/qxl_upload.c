/* SPDX-License-Identifier: MIT */
/*
 * Pixels to the device: images in the batch's data buffers (a header,
 * palette and one chunk of rows, pointed at by relocation), and what
 * software rendered sent as the cheapest command that reproduces it: a
 * fill if of one colour, a 1/4/8-bit palette image up to 256 colours,
 * else 32-bit images in strips, with content hashes as ids for
 * spice-server's image cache.  Used for the damage upload (qxl_front.c),
 * PutImage and pixmap-to-screen copies (qxl_gc_ops.c), patterns and text.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "qxl_drv.h"
#include "qxl_math.h"
#include "qxl_accel.h"
#include <regionstr.h>

#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"

#define QXL_IMAGE_STRIP_BYTES	(512 * 1024)

/*
 * Cache ids: spice-server sends an image flagged QXL_IMAGE_CACHE by
 * reference when its client already holds the id, so equal ids must mean
 * equal images.  The id is a SipHash, keyed per server (qxl_accel_init),
 * of the pixels and whatever else tells images apart (the caller feeds
 * those between begin and end; end adds the size).  Keyed because X
 * clients choose pixels: with a public hash (FNV-1a before) one could
 * draw an image under the id of another client's and the SPICE client
 * would show it in that one's place.  Our kernel replaces the ids of
 * client images with its own keyed hash anyway (kernel/qxl_execbuf.c);
 * the mainline kernel passes them on.
 */
void
qxl_img_id_begin(struct qxl_screen *qs, struct qxl_devif_siphash *h)
{
	qxl_devif_siphash_init(h, qs->image_key);
}

void
qxl_img_id_end(struct qxl_img *im, struct qxl_devif_siphash *h)
{
	qxl_devif_siphash_update(h, &im->w, sizeof(im->w));
	qxl_devif_siphash_update(h, &im->h, sizeof(im->h));
	im->hdr->descriptor.id = qxl_devif_siphash_final(h);
	im->hdr->descriptor.flags = QXL_IMAGE_CACHE;
}

#define QXL_ALIGN8(x) (((x) + 7) & ~(size_t)7)

Bool
qxl_img_new(struct qxl_screen *qs, int w, int h, uint8_t format, int bpp, int npal,
	    struct qxl_img *im)
{
	struct qxl_palette *pal;
	struct qxl_data_chunk *ch;
	uint8_t *map;

	qxl_batch_room(qs, 1);
	im->w = w;
	im->h = h;
	im->stride = (uint32_t)(((size_t)w * bpp + 7) / 8);
	im->pal_off = QXL_ALIGN8(sizeof(struct qxl_image));
	im->chunk_off = npal ? QXL_ALIGN8(im->pal_off + sizeof(*pal) + 4 * (size_t)npal) :
			       im->pal_off;
	map = qxl_batch_data(qs, im->chunk_off + sizeof(*ch) + (size_t)im->stride * h,
			     &im->handle, &im->off);
	if (!map)
		return FALSE;
	im->hdr = (struct qxl_image *)map;
	memset(im->hdr, 0, sizeof(*im->hdr));
	im->hdr->descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	im->hdr->descriptor.width = w;
	im->hdr->descriptor.height = h;
	im->hdr->u.bitmap.format = format;
	im->hdr->u.bitmap.flags = QXL_BITMAP_TOP_DOWN;
	im->hdr->u.bitmap.x = w;
	im->hdr->u.bitmap.y = h;
	im->hdr->u.bitmap.stride = im->stride;
	im->hdr->u.bitmap.palette = 0;	/* relocated */
	im->hdr->u.bitmap.data = 0;	/* relocated */
	im->pal = NULL;
	if (npal) {
		pal = (struct qxl_palette *)(map + im->pal_off);
		pal->unique = 0;
		pal->num_ents = (uint16_t)npal;
		im->pal = map + im->pal_off + offsetof(struct qxl_palette, ents);
	}
	ch = (struct qxl_data_chunk *)(map + im->chunk_off);
	ch->data_size = im->stride * (uint32_t)h;
	ch->prev_chunk = 0;
	ch->next_chunk = 0;
	im->data = ch->data;
	return TRUE;
}

/* Point field 'at' of the last batched command at the image. */
void
qxl_img_relocs(struct qxl_screen *qs, const struct qxl_img *im, size_t at)
{
	qxl_batch_reloc(qs, 0, at, im->handle, im->off);
	qxl_batch_reloc(qs, im->handle, im->off + offsetof(struct qxl_image, u.bitmap.data),
			im->handle, im->off + im->chunk_off);
	if (im->pal)
		qxl_batch_reloc(qs, im->handle,
				im->off + offsetof(struct qxl_image, u.bitmap.palette),
				im->handle, im->off + im->pal_off);
	qs->upload_bytes += (unsigned long)im->stride * im->h;
}

/* Draw the finished image 1:1 at 'box' (its size) with a put. */
struct qxl_drawable *
qxl_img_draw(struct qxl_screen *qs, struct qxl_img *im, const BoxRec *box)
{
	struct qxl_drawable *d;

	d = qxl_batch_draw(qs, QXL_DRAW_COPY, box);
	d->u.copy.src_area.left = 0;
	d->u.copy.src_area.top = 0;
	d->u.copy.src_area.right = im->w;
	d->u.copy.src_area.bottom = im->h;
	d->u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	d->u.copy.scale_mode = QXL_SCALE_MODE_NEAREST;
	qxl_img_relocs(qs, im, offsetof(struct qxl_drawable, u.copy.src_bitmap));
	return d;
}

/*
 * Draw 'src' (32-bit pixels; (sx, sy) is the source pixel of screen
 * pixel (0, 0)) into every box, in strips that keep each image buffer
 * small, as 32-bit images with an id for spice-server's image cache.
 * FALSE: not all of it could be sent (what was is drawn again by the
 * damage upload the caller leaves in place).
 */
static Bool
qxl_draw_image_boxes(struct qxl_screen *qs, const uint8_t *src, int stride,
		     int sx, int sy, const BoxRec *box, int nbox)
{
	int i;

	for (i = 0; i < nbox; i++) {
		int w = box[i].x2 - box[i].x1, h = box[i].y2 - box[i].y1;
		int strip = QXL_IMAGE_STRIP_BYTES / (w * 4), y, r;

		if (strip < 1)
			strip = 1;
		for (y = 0; y < h; y += strip) {
			int sh = h - y < strip ? h - y : strip;
			const uint8_t *p = src + (size_t)stride * (box[i].y1 + y + sy) +
					   (size_t)(box[i].x1 + sx) * 4;
			BoxRec part = { box[i].x1, box[i].y1 + y, box[i].x2, box[i].y1 + y + sh };
			struct qxl_devif_siphash id;
			struct qxl_img im;

			if (!qxl_img_new(qs, w, sh, QXL_BITMAP_FMT_32BIT, 32, 0, &im))
				return FALSE;
			qxl_img_id_begin(qs, &id);
			for (r = 0; r < sh; r++) {
				memcpy(im.data + (size_t)im.stride * r, p + (size_t)stride * r,
				       im.stride);
				/* from the source: reading the copy back may be slow */
				if (qs->image_cache)
					qxl_devif_siphash_update(&id, p + (size_t)stride * r,
								 im.stride);
			}
			if (qs->image_cache)
				qxl_img_id_end(&im, &id);
			qxl_img_draw(qs, &im, &part);
		}
	}
	return TRUE;
}

/* ---- software damage as the cheapest command that reproduces it ---- */

#define QXL_PAL_MAX	256
#define QXL_PAL_HASH	1024	/* power of two, well above QXL_PAL_MAX */

struct qxl_pal {
	int n;
	uint32_t color[QXL_PAL_MAX];
	uint32_t key[QXL_PAL_HASH];	/* colour + 1 << 24 when used */
	uint8_t idx[QXL_PAL_HASH];
};

static int
qxl_pal_index(struct qxl_pal *p, uint32_t c, Bool add)
{
	uint32_t k = c | 1u << 24, h = (c * 2654435761u) >> 22;

	for (;; h = (h + 1) & (QXL_PAL_HASH - 1)) {
		if (p->key[h] == k)
			return p->idx[h];
		if (p->key[h])
			continue;
		if (!add || p->n == QXL_PAL_MAX)
			return -1;
		p->key[h] = k;
		p->idx[h] = (uint8_t)p->n;
		p->color[p->n] = c;
		return p->n++;
	}
}

static const uint32_t *
qxl_src_row(const struct qxl_src *src, const BoxRec *b, int y)
{
	return (const uint32_t *)(src->bits + (size_t)src->stride * (b->y1 + y + src->sy)) +
	       b->x1 + src->sx;
}

/* The distinct colours (24 bits) of a box, FALSE beyond QXL_PAL_MAX. */
static Bool
qxl_pal_scan(struct qxl_pal *p, const struct qxl_src *src, const BoxRec *b)
{
	int w = b->x2 - b->x1, h = b->y2 - b->y1, x, y;

	memset(p->key, 0, sizeof(p->key));
	p->n = 0;
	for (y = 0; y < h; y++) {
		const uint32_t *row = qxl_src_row(src, b, y);
		uint32_t last = 0xffffffff;

		for (x = 0; x < w; x++) {
			uint32_t c = row[x] & 0xffffff;

			if (c == last)
				continue;
			last = c;
			if (qxl_pal_index(p, c, TRUE) < 0)
				return FALSE;
		}
	}
	return TRUE;
}

/* A box as a palette image of 1, 4 or 8 bits (after qxl_pal_scan). */
static Bool
qxl_img_palette(struct qxl_screen *qs, struct qxl_pal *p, const struct qxl_src *src,
		const BoxRec *b, struct qxl_img *im)
{
	int w = b->x2 - b->x1, h = b->y2 - b->y1, bpp, x, y;
	uint8_t fmt;

	bpp = qxl_palette_bpp(p->n);
	fmt = bpp == 1 ? QXL_BITMAP_FMT_1BIT_BE : bpp == 4 ? QXL_BITMAP_FMT_4BIT_BE :
	      QXL_BITMAP_FMT_8BIT;
	if (!qxl_img_new(qs, w, h, fmt, bpp, p->n, im))
		return FALSE;
	memcpy(im->pal, p->color, 4 * (size_t)p->n);
	for (y = 0; y < h; y++) {
		const uint32_t *row = qxl_src_row(src, b, y);
		uint8_t *out = im->data + (size_t)im->stride * y;

		memset(out, 0, im->stride);
		for (x = 0; x < w; x++) {
			qxl_palette_put(out, bpp, x,
					(unsigned int)qxl_pal_index(p, row[x] & 0xffffff, FALSE));
		}
	}
	return TRUE;
}

/* A box as an image: palette if it has at most 256 colours, else 32 bits. */
Bool
qxl_img_of(struct qxl_screen *qs, const struct qxl_src *src, const BoxRec *b,
	   struct qxl_img *im)
{
	int h = b->y2 - b->y1, y;

	if (qs->pal && qxl_pal_scan(qs->pal, src, b))
		return qxl_img_palette(qs, qs->pal, src, b, im);
	if (!qxl_img_new(qs, b->x2 - b->x1, h, QXL_BITMAP_FMT_32BIT, 32, 0, im))
		return FALSE;
	for (y = 0; y < h; y++)
		memcpy(im->data + (size_t)im->stride * y, qxl_src_row(src, b, y), im->stride);
	return TRUE;
}

/*
 * Pixels into destination box 'b' as the cheapest command: a fill for one
 * colour, a 1/4/8-bit palette image for up to 256, else 32-bit images.
 * FALSE: (part of) it could not be sent.
 */
Bool
qxl_send_pixels(struct qxl_screen *qs, const struct qxl_src *src, const BoxRec *b)
{
	struct qxl_pal *p = qs->pal;
	struct qxl_img im;

	if (p && qxl_pal_scan(p, src, b)) {
		if (p->n == 1) {
			qxl_solid_box(qs, b, p->color[0], QXL_ROPD_OP_PUT);
			qs->upload_fills++;
			return TRUE;
		}
		qs->upload_images++;
		if (!qxl_img_palette(qs, p, src, b, &im))
			return FALSE;
		qxl_img_draw(qs, &im, b);
		return TRUE;
	}
	qs->upload_images++;
	return qxl_draw_image_boxes(qs, src->bits, src->stride, src->sx, src->sy, b, 1);
}

/*
 * 'reg' of 'src' as pixels to the current target.  Scattered boxes that
 * mostly fill their extents go as one picture: the target holds the
 * pixels in between already (they are not damaged), and one command costs
 * less than many.  Boxes the batch could not take are added to 'left';
 * returns how many boxes were sent.
 */
int
qxl_send_region(struct qxl_screen *qs, const struct qxl_src *src, RegionPtr reg, RegionPtr left)
{
	int i, n = RegionNumRects(reg), sent = 0;
	BoxPtr box = RegionRects(reg);

	if (n > 1) {
		BoxPtr ext = RegionExtents(reg);

		if ((uint64_t)(ext->x2 - ext->x1) * (ext->y2 - ext->y1) <= 2 * qxl_region_area(reg)) {
			box = ext;
			n = 1;
		}
	}
	for (i = 0; i < n; i++) {
		if (qxl_send_pixels(qs, src, &box[i]))
			sent++;
		else
			qxl_region_add(left, &box[i]);
	}
	return sent;
}

/*
 * Send what software rendered in 'reg' (front coordinates, inside the
 * viewport) as device commands appended to the batch (qxl_send_region).
 * 'left' gets what could not be sent (the caller uploads it by DIRTYFB);
 * the pixels are read now, so the batch order is the production order.
 */
void
qxl_accel_upload(struct qxl_screen *qs, RegionPtr reg, RegionPtr left)
{
	const struct qxl_src src = { qs->front.map, (int)qs->front.pitch, 0, 0 };

	RegionNull(left);
	qxl_send_region(qs, &src, reg, left);
}

/* The colour table of one damage upload; NULL (no memory): 32-bit uploads only. */
struct qxl_pal *
qxl_pal_create(void)
{
	return calloc(1, sizeof(struct qxl_pal));
}
