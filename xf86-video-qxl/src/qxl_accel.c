/* SPDX-License-Identifier: MIT */
/*
 * 2D acceleration: X operations on the screen expressed as the QXL command
 * that means them, submitted through EXECBUFFER in batches.
 *
 *   PolyFillRect, solid, GXcopy          -> QXL_DRAW_FILL per clipped box
 *   CopyArea screen -> screen, GXcopy    -> QXL_COPY_BITS per clipped box
 *   PutImage ZPixmap depth 24, GXcopy,
 *   CopyArea pixmap -> screen, GXcopy    -> QXL_DRAW_COPY of a bitmap image
 *                                           (with an image id for the cache)
 *
 * The model: the front buffer is a device surface whose memory is the
 * device's own canvas (spice-server renders the primary surface in place).
 * Software rendering (fb) writes that memory directly and its damage is
 * sent once per request batch by DIRTYFB (qxl_front.c).  Device drawing is
 * asynchronous, so after every submission the driver asks the kernel for
 * UPDATE_AREA over what it submitted: when control returns to the server,
 * memory holds exactly what was drawn, software rendering and GetImage
 * see it, and nothing rendered later can overwrite newer CPU pixels.
 * Before a command that reads the screen (copy-bits) or that combines with
 * what is there, pending software damage is sent first so the SPICE
 * client sees the same sequence.  What a device command draws is removed
 * from the pending damage: it must not be uploaded a second time.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "qxl_drv.h"
#include <fb.h>
#include <gcstruct.h>
#include <mi.h>
#include <pixmapstr.h>
#include <windowstr.h>
#include <regionstr.h>
#include <picturestr.h>

#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"

#define QXL_CMD_BODY_MAX	248	/* the kernel's release slot minus its id */
#define QXL_MAX_BATCH		1024
#define QXL_RELOCS_PER_CMD	2
#define QXL_IMAGE_STRIP_BYTES	(512 * 1024)

_Static_assert(sizeof(struct qxl_drawable) - sizeof(union qxl_release_info) <= QXL_CMD_BODY_MAX,
	       "a drawable must fit the kernel's command slot");

struct qxl_gc_priv {
	const GCFuncs *funcs;
	const GCOps *ops;
};

static DevPrivateKeyRec qxl_gc_key;

struct qxl_batch {
	struct drm_qxl_command cmd[QXL_MAX_BATCH];
	struct drm_qxl_reloc reloc[QXL_MAX_BATCH * QXL_RELOCS_PER_CMD];
	struct qxl_drawable body[QXL_MAX_BATCH];
	int n, nreloc;
	/* data buffers referenced by the batch, closed after submission */
	uint32_t bo[QXL_MAX_BATCH];
	int nbo;
	BoxRec ext;		/* what the batch draws, for UPDATE_AREA */
};

static struct qxl_batch *
qxl_batch_of(struct qxl_screen *qs)
{
	return qs->batch;
}

static void
qxl_fallback(struct qxl_screen *qs, const char *what, const char *why)
{
	qs->fallbacks++;
	if (qs->debug_fallbacks)
		xf86DrvMsg(qs->scrn->scrnIndex, X_INFO, "fallback: %s: %s\n", what, why);
}

/* ---- submission ---- */

static void
qxl_batch_reset(struct qxl_batch *b)
{
	b->n = 0;
	b->nreloc = 0;
	b->nbo = 0;
	b->ext.x1 = b->ext.y1 = 32767;
	b->ext.x2 = b->ext.y2 = -32768;
}

void
qxl_accel_sync(struct qxl_screen *qs, const BoxRec *box)
{
	struct drm_qxl_update_area ua = {
		.handle = qs->front.handle,
		.top = box->y1 < 0 ? 0 : box->y1,
		.left = box->x1 < 0 ? 0 : box->x1,
		.bottom = box->y2 > (int)qs->front.height ? qs->front.height : (uint32_t)box->y2,
		.right = box->x2 > (int)qs->front.width ? qs->front.width : (uint32_t)box->x2,
	};

	if (ua.left >= ua.right || ua.top >= ua.bottom)
		return;
	if (drmIoctl(qs->fd, DRM_IOCTL_QXL_UPDATE_AREA, &ua))
		xf86DrvMsg(qs->scrn->scrnIndex, X_WARNING,
			   "UPDATE_AREA %ux%u+%u+%u failed: %s\n",
			   ua.right - ua.left, ua.bottom - ua.top, ua.left, ua.top,
			   strerror(errno));
	qs->syncs++;
}

/* Submit what is batched (the device renders it asynchronously). */
void
qxl_accel_flush(struct qxl_screen *qs)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	int i, done = 0;

	if (!b || !b->n)
		return;
	while (done < b->n) {
		int cnt = b->n - done;
		struct drm_qxl_execbuffer eb;

		if (cnt > qs->batch_limit)
			cnt = qs->batch_limit;
		eb.flags = 0;
		eb.commands_num = cnt;
		eb.commands = (uint64_t)(uintptr_t)&b->cmd[done];
		if (drmIoctl(qs->fd, DRM_IOCTL_QXL_EXECBUFFER, &eb))
			xf86DrvMsg(qs->scrn->scrnIndex, X_ERROR,
				   "EXECBUFFER of %d commands failed: %s\n", cnt,
				   strerror(errno));
		qs->submits++;
		qs->commands += cnt;
		done += cnt;
		/*
		 * Observed on spice-server 0.15: one UPDATE_AREA after
		 * several submissions does not always render all of them;
		 * settle each submission before the next.
		 */
		qxl_accel_sync(qs, &b->ext);
	}
	for (i = 0; i < b->nbo; i++) {
		struct drm_gem_close gc = { .handle = b->bo[i] };

		drmIoctl(qs->fd, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	qxl_accel_pending(qs, &b->ext);
	qxl_batch_reset(b);
}

/*
 * The device has been given commands over 'box' that it may render at
 * any later time into the memory the CPU uses.
 */
void
qxl_accel_pending(struct qxl_screen *qs, const BoxRec *box)
{
	if (box->x1 >= box->x2 || box->y1 >= box->y2)
		return;
	if (!qs->dev_pending) {
		qs->dev_ext = *box;
		qs->dev_pending = 1;
		return;
	}
	if (box->x1 < qs->dev_ext.x1) qs->dev_ext.x1 = box->x1;
	if (box->y1 < qs->dev_ext.y1) qs->dev_ext.y1 = box->y1;
	if (box->x2 > qs->dev_ext.x2) qs->dev_ext.x2 = box->x2;
	if (box->y2 > qs->dev_ext.y2) qs->dev_ext.y2 = box->y2;
}

/*
 * Before the CPU reads or writes the front buffer: submit what is batched
 * and have the device finish everything it was given, so memory holds
 * exactly what was drawn and nothing rendered later overwrites CPU pixels.
 */
void
qxl_accel_prepare_cpu(struct qxl_screen *qs)
{
	if (!qs->accel_active)
		return;
	if (qs->batch && qs->batch->n)
		qxl_accel_flush(qs);
	if (qs->dev_pending) {
		if (qs->scanout_fb && qs->scanout_fb == qs->fb_id)
			qxl_accel_sync(qs, &qs->dev_ext);
		qs->dev_pending = 0;
	}
}

/* A new drawable in the batch, targeting the primary surface over 'box'. */
static struct qxl_drawable *
qxl_batch_draw(struct qxl_screen *qs, uint8_t type, const BoxRec *box)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	struct qxl_drawable *d;
	int i;

	if (b->n == QXL_MAX_BATCH || b->nreloc + QXL_RELOCS_PER_CMD > QXL_MAX_BATCH * QXL_RELOCS_PER_CMD)
		qxl_accel_flush(qs);
	d = &b->body[b->n];
	memset(d, 0, sizeof(*d));
	d->surface_id = 0;
	d->effect = QXL_EFFECT_OPAQUE;
	d->type = type;
	d->bbox.left = box->x1;
	d->bbox.top = box->y1;
	d->bbox.right = box->x2;
	d->bbox.bottom = box->y2;
	d->clip.type = QXL_CLIP_TYPE_NONE;
	for (i = 0; i < 3; i++)
		d->surfaces_dest[i] = -1;
	b->cmd[b->n].command = (uint64_t)(uintptr_t)((char *)d + sizeof(union qxl_release_info));
	b->cmd[b->n].command_size = sizeof(*d) - sizeof(union qxl_release_info);
	b->cmd[b->n].type = QXL_CMD_DRAW;
	b->cmd[b->n].relocs = (uint64_t)(uintptr_t)&b->reloc[b->nreloc];
	b->cmd[b->n].relocs_num = 0;
	b->cmd[b->n].pad = 0;
	b->n++;
	if (box->x1 < b->ext.x1) b->ext.x1 = box->x1;
	if (box->y1 < b->ext.y1) b->ext.y1 = box->y1;
	if (box->x2 > b->ext.x2) b->ext.x2 = box->x2;
	if (box->y2 > b->ext.y2) b->ext.y2 = box->y2;
	return d;
}

/* Relocation in the last batched command: patch 'dst' with 'src_bo'+off. */
static void
qxl_batch_reloc(struct qxl_screen *qs, uint32_t dst_handle, uint64_t dst_off,
		uint32_t src_handle, uint64_t src_off)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	struct drm_qxl_reloc *r = &b->reloc[b->nreloc++];

	r->src_offset = src_off;
	r->dst_offset = dst_off;
	r->src_handle = src_handle;
	r->dst_handle = dst_handle;
	r->reloc_type = QXL_RELOC_TYPE_BO;
	r->pad = 0;
	b->cmd[b->n - 1].relocs_num++;
}

/* ---- helpers ---- */

/* Is the drawable rendered into the front buffer (not a redirected window)? */
static Bool
qxl_on_front(DrawablePtr d)
{
	ScreenPtr screen = d->pScreen;
	PixmapPtr pix;

	/* the server paints window backgrounds on the screen pixmap itself */
	if (d->type != DRAWABLE_WINDOW)
		pix = (PixmapPtr)d;
	else
		pix = screen->GetWindowPixmap((WindowPtr)d);
	return pix == screen->GetScreenPixmap(screen) && !pix->screen_x && !pix->screen_y;
}

static Bool
qxl_gc_plain(GCPtr gc)
{
	return gc->alu == GXcopy &&
	       (gc->planemask & 0xffffff) == 0xffffff;
}

/* The device drew 'reg': software damage there is superseded. */
static void
qxl_claim(struct qxl_screen *qs, RegionPtr reg)
{
	if (qs->damage)
		RegionSubtract(DamageRegion(qs->damage), DamageRegion(qs->damage), reg);
}

static uint64_t
qxl_hash(const uint8_t *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * Upload rows [y0, y0+h) of a 32-bit image (stride bytes apart, starting
 * at 'bits') as one QXL bitmap in a fresh data buffer.  Returns the
 * buffer handle (0 on failure); the image sits at offset 0.
 */
static uint32_t
qxl_image_create(struct qxl_screen *qs, const uint8_t *bits, int stride,
		 int w, int h)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	size_t img_sz = (sizeof(struct qxl_image) + 7) & ~(size_t)7;
	size_t row = (size_t)w * 4;
	size_t size = img_sz + sizeof(struct qxl_data_chunk) + row * h;
	struct drm_qxl_alloc al = { .size = (uint32_t)size };
	struct drm_qxl_map mp = { 0 };
	struct qxl_image *img;
	struct qxl_data_chunk *ch;
	uint8_t *map;
	uint64_t id = 0xcbf29ce484222325ull;
	int y;

	if (b->nbo == QXL_MAX_BATCH)
		qxl_accel_flush(qs);
	if (drmIoctl(qs->fd, DRM_IOCTL_QXL_ALLOC, &al))
		return 0;
	mp.handle = al.handle;
	if (drmIoctl(qs->fd, DRM_IOCTL_QXL_MAP, &mp))
		goto fail;
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, qs->fd, (off_t)mp.offset);
	if (map == MAP_FAILED)
		goto fail;
	img = (struct qxl_image *)map;
	ch = (struct qxl_data_chunk *)(map + img_sz);
	for (y = 0; y < h; y++) {
		memcpy(ch->data + row * y, bits + (size_t)stride * y, row);
		if (qs->image_cache)
			id = qxl_hash(bits + (size_t)stride * y, row, id);
	}
	ch->data_size = (uint32_t)(row * h);
	ch->prev_chunk = 0;
	ch->next_chunk = 0;
	memset(img, 0, sizeof(*img));
	img->descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	img->descriptor.width = w;
	img->descriptor.height = h;
	if (qs->image_cache) {
		id = qxl_hash((const uint8_t *)&w, sizeof(w), id);
		id = qxl_hash((const uint8_t *)&h, sizeof(h), id);
		img->descriptor.id = id;
		img->descriptor.flags = QXL_IMAGE_CACHE;
	}
	img->u.bitmap.format = QXL_BITMAP_FMT_32BIT;
	img->u.bitmap.flags = QXL_BITMAP_TOP_DOWN;
	img->u.bitmap.x = w;
	img->u.bitmap.y = h;
	img->u.bitmap.stride = (uint32_t)row;
	img->u.bitmap.palette = 0;
	img->u.bitmap.data = 0;		/* relocated */
	munmap(map, size);
	b->bo[b->nbo++] = al.handle;
	qs->upload_bytes += row * h;
	return al.handle;
fail:
	{
		struct drm_gem_close gc = { .handle = al.handle };

		drmIoctl(qs->fd, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	return 0;
}

/*
 * Draw 'src' (32-bit pixels; (sx, sy) is the source pixel of screen
 * pixel (0, 0)) into every box, in strips that keep each image buffer
 * small.  Returns FALSE if nothing could be submitted (caller falls back).
 */
static Bool
qxl_draw_image_boxes(struct qxl_screen *qs, const uint8_t *src, int stride,
		     int sx, int sy, const BoxRec *box, int nbox)
{
	int i;

	for (i = 0; i < nbox; i++) {
		int w = box[i].x2 - box[i].x1, h = box[i].y2 - box[i].y1;
		int strip = QXL_IMAGE_STRIP_BYTES / (w * 4), y;

		if (strip < 1)
			strip = 1;
		for (y = 0; y < h; y += strip) {
			int sh = h - y < strip ? h - y : strip;
			const uint8_t *p = src + (size_t)stride * (box[i].y1 + y + sy) +
					   (size_t)(box[i].x1 + sx) * 4;
			uint32_t bo = qxl_image_create(qs, p, stride, w, sh);
			struct qxl_drawable *d;
			BoxRec part = { box[i].x1, box[i].y1 + y, box[i].x2, box[i].y1 + y + sh };

			if (!bo)
				return i > 0 || y > 0 ? TRUE : FALSE;
			d = qxl_batch_draw(qs, QXL_DRAW_COPY, &part);
			d->u.copy.src_area.left = 0;
			d->u.copy.src_area.top = 0;
			d->u.copy.src_area.right = w;
			d->u.copy.src_area.bottom = sh;
			d->u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
			d->u.copy.scale_mode = QXL_SCALE_MODE_NEAREST;
			qxl_batch_reloc(qs, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap), bo, 0);
			qxl_batch_reloc(qs, bo, offsetof(struct qxl_image, u.bitmap.data), bo,
					(sizeof(struct qxl_image) + 7) & ~(size_t)7);
		}
	}
	return TRUE;
}

/* ---- GC ops ---- */

#define QXL_GC_PRIV(gc) ((struct qxl_gc_priv *)dixGetPrivateAddr(&(gc)->devPrivates, &qxl_gc_key))

static struct qxl_screen *
qxl_qs(DrawablePtr d)
{
	return qxl_screen_of(xf86ScreenToScrn(d->pScreen));
}

static Bool
qxl_can_accel(struct qxl_screen *qs, DrawablePtr d)
{
	/* the primary surface exists only while a CRTC shows the front */
	return qs->accel_active && qs->scrn->vtSema &&
	       qs->scanout_fb && qs->scanout_fb == qs->fb_id && qxl_on_front(d);
}

/* The CPU is about to touch 'd' (and read 's'): settle the front first. */
static void
qxl_cpu_access(struct qxl_screen *qs, DrawablePtr d, DrawablePtr s)
{
	if (!qs->accel_active || (!qs->dev_pending && !(qs->batch && qs->batch->n)))
		return;
	if (qxl_on_front(d) || (s && qxl_on_front(s)))
		qxl_accel_prepare_cpu(qs);
}

static void
qxl_poly_fill_rect(DrawablePtr d, GCPtr gc, int n, xRectangle *rects)
{
	struct qxl_screen *qs = qxl_qs(d);
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	RegionPtr clip, reg;
	BoxPtr box;
	int i, nbox;

	if (!qxl_can_accel(qs, d) || gc->fillStyle != FillSolid || !qxl_gc_plain(gc)) {
		if (qxl_can_accel(qs, d))
			qxl_fallback(qs, "PolyFillRect", "not a solid GXcopy fill");
		qxl_cpu_access(qs, d, NULL);
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	reg = RegionFromRects(n, rects, CT_UNSORTED);
	if (!reg) {
		qxl_accel_prepare_cpu(qs);
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	RegionTranslate(reg, d->x, d->y);
	clip = fbGetCompositeClip(gc);
	RegionIntersect(reg, reg, clip);
	box = RegionRects(reg);
	nbox = RegionNumRects(reg);
	for (i = 0; i < nbox; i++) {
		struct qxl_drawable *q = qxl_batch_draw(qs, QXL_DRAW_FILL, &box[i]);

		q->u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
		q->u.fill.brush.u.color = gc->fgPixel & 0xffffff;
		q->u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
	}
	qs->accel_fills += nbox;
	qxl_claim(qs, reg);
	RegionDestroy(reg);
}

struct qxl_copy_ctx {
	struct qxl_screen *qs;
	Bool ok;
	RegionRec drawn;
};

static void
qxl_copy_proc(DrawablePtr src, DrawablePtr dst, GCPtr gc, BoxPtr box, int nbox,
	      int dx, int dy, Bool reverse, Bool upsidedown, Pixel bitplane,
	      void *closure)
{
	struct qxl_copy_ctx *c = closure;
	struct qxl_screen *qs = c->qs;
	int i;

	(void)gc;
	(void)reverse;
	(void)upsidedown;
	(void)bitplane;
	(void)dst;
	if (src->type == DRAWABLE_WINDOW) {
		/* miDoCopy already ordered the boxes for overlap */
		for (i = 0; i < nbox; i++) {
			struct qxl_drawable *q = qxl_batch_draw(qs, QXL_COPY_BITS, &box[i]);

			q->u.copy_bits.src_pos.x = box[i].x1 + dx;
			q->u.copy_bits.src_pos.y = box[i].y1 + dy;
		}
		qs->accel_copies += nbox;
	} else {
		PixmapPtr pix = (PixmapPtr)src;

		c->ok = qxl_draw_image_boxes(qs, pix->devPrivate.ptr, pix->devKind,
					     dx, dy, box, nbox);
		qs->accel_uploads += nbox;
	}
	{
		RegionRec r;

		RegionInitBoxes(&r, box, nbox);
		RegionUnion(&c->drawn, &c->drawn, &r);
		RegionUninit(&r);
	}
}

static RegionPtr
qxl_copy_area(DrawablePtr src, DrawablePtr dst, GCPtr gc, int sx, int sy,
	      int w, int h, int dx, int dy)
{
	struct qxl_screen *qs = qxl_qs(dst);
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	struct qxl_copy_ctx c = { .qs = qs, .ok = TRUE };
	RegionPtr ret;
	Bool from_front, from_pix;

	if (!qxl_can_accel(qs, dst)) {
		qxl_cpu_access(qs, dst, src);
		return ops->CopyArea(src, dst, gc, sx, sy, w, h, dx, dy);
	}
	from_front = qxl_on_front(src);
	from_pix = src->type == DRAWABLE_PIXMAP && src->bitsPerPixel == 32 &&
		   src->depth >= 24 && ((PixmapPtr)src)->devPrivate.ptr;
	if (!qxl_gc_plain(gc) || (!from_front && !from_pix)) {
		qxl_fallback(qs, "CopyArea", "not a plain GXcopy from the screen or a 32-bit pixmap");
		qxl_accel_prepare_cpu(qs);
		return ops->CopyArea(src, dst, gc, sx, sy, w, h, dx, dy);
	}
	/*
	 * copy-bits reads the screen: the client must have it first, and
	 * spice-server copies what its canvas holds when it renders the
	 * command without first rendering older commands under the source
	 * (observed), so the source must be settled.
	 */
	if (from_front) {
		qxl_front_flush(qs);
		qxl_accel_prepare_cpu(qs);
	}
	RegionNull(&c.drawn);
	ret = miDoCopy(src, dst, gc, sx, sy, w, h, dx, dy, qxl_copy_proc, 0, &c);
	if (c.ok)
		qxl_claim(qs, &c.drawn);
	RegionUninit(&c.drawn);
	return ret;
}

static void
qxl_put_image(DrawablePtr d, GCPtr gc, int depth, int x, int y, int w, int h,
	      int leftPad, int format, char *bits)
{
	struct qxl_screen *qs = qxl_qs(d);
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	RegionRec reg;
	BoxRec ext;
	int stride;

	if (!qxl_can_accel(qs, d) || format != ZPixmap || depth != 24 ||
	    d->bitsPerPixel != 32 || !qxl_gc_plain(gc) || w <= 0 || h <= 0) {
		if (qxl_can_accel(qs, d))
			qxl_fallback(qs, "PutImage", "not a depth 24 ZPixmap GXcopy image");
		qxl_cpu_access(qs, d, NULL);
		ops->PutImage(d, gc, depth, x, y, w, h, leftPad, format, bits);
		return;
	}
	stride = PixmapBytePad(w, depth);
	ext.x1 = d->x + x;
	ext.y1 = d->y + y;
	ext.x2 = ext.x1 + w;
	ext.y2 = ext.y1 + h;
	RegionInit(&reg, &ext, 1);
	RegionIntersect(&reg, &reg, fbGetCompositeClip(gc));
	if (RegionNotEmpty(&reg)) {
		/* source pixel of screen (0,0): (-ext.x1, -ext.y1) in the image */
		if (!qxl_draw_image_boxes(qs, (const uint8_t *)bits, stride,
					  -ext.x1, -ext.y1, RegionRects(&reg),
					  RegionNumRects(&reg))) {
			qxl_fallback(qs, "PutImage", "no device memory for the image");
			RegionUninit(&reg);
			qxl_accel_prepare_cpu(qs);
			ops->PutImage(d, gc, depth, x, y, w, h, leftPad, format, bits);
			return;
		}
		qs->accel_uploads += RegionNumRects(&reg);
		qxl_claim(qs, &reg);
	}
	RegionUninit(&reg);
}

/* Every other op is rendered by fb once the front buffer is settled. */
#define QXL_PASS(name, proto, args)					\
	static void qxl_##name proto					\
	{								\
		qxl_cpu_access(qxl_qs(d), d, NULL);			\
		QXL_GC_PRIV(gc)->ops->name args;			\
	}

QXL_PASS(FillSpans, (DrawablePtr d, GCPtr gc, int n, DDXPointPtr p, int *w, int s), (d, gc, n, p, w, s))
QXL_PASS(SetSpans, (DrawablePtr d, GCPtr gc, char *src, DDXPointPtr p, int *w, int n, int s), (d, gc, src, p, w, n, s))
QXL_PASS(PolyPoint, (DrawablePtr d, GCPtr gc, int m, int n, xPoint *p), (d, gc, m, n, p))
QXL_PASS(Polylines, (DrawablePtr d, GCPtr gc, int m, int n, DDXPointPtr p), (d, gc, m, n, p))
QXL_PASS(PolySegment, (DrawablePtr d, GCPtr gc, int n, xSegment *s), (d, gc, n, s))
QXL_PASS(PolyRectangle, (DrawablePtr d, GCPtr gc, int n, xRectangle *r), (d, gc, n, r))
QXL_PASS(PolyArc, (DrawablePtr d, GCPtr gc, int n, xArc *a), (d, gc, n, a))
QXL_PASS(FillPolygon, (DrawablePtr d, GCPtr gc, int s, int m, int n, DDXPointPtr p), (d, gc, s, m, n, p))
QXL_PASS(PolyFillArc, (DrawablePtr d, GCPtr gc, int n, xArc *a), (d, gc, n, a))
QXL_PASS(ImageText8, (DrawablePtr d, GCPtr gc, int x, int y, int n, char *c), (d, gc, x, y, n, c))
QXL_PASS(ImageText16, (DrawablePtr d, GCPtr gc, int x, int y, int n, unsigned short *c), (d, gc, x, y, n, c))
QXL_PASS(ImageGlyphBlt, (DrawablePtr d, GCPtr gc, int x, int y, unsigned int n, CharInfoPtr *ci, void *b), (d, gc, x, y, n, ci, b))
QXL_PASS(PolyGlyphBlt, (DrawablePtr d, GCPtr gc, int x, int y, unsigned int n, CharInfoPtr *ci, void *b), (d, gc, x, y, n, ci, b))
QXL_PASS(PushPixels, (GCPtr gc, PixmapPtr bm, DrawablePtr d, int w, int h, int x, int y), (gc, bm, d, w, h, x, y))

static RegionPtr
qxl_CopyPlane(DrawablePtr s, DrawablePtr d, GCPtr gc, int sx, int sy, int w, int h,
	      int dx, int dy, unsigned long plane)
{
	qxl_cpu_access(qxl_qs(d), d, s);
	return QXL_GC_PRIV(gc)->ops->CopyPlane(s, d, gc, sx, sy, w, h, dx, dy, plane);
}

static int
qxl_PolyText8(DrawablePtr d, GCPtr gc, int x, int y, int n, char *c)
{
	qxl_cpu_access(qxl_qs(d), d, NULL);
	return QXL_GC_PRIV(gc)->ops->PolyText8(d, gc, x, y, n, c);
}

static int
qxl_PolyText16(DrawablePtr d, GCPtr gc, int x, int y, int n, unsigned short *c)
{
	qxl_cpu_access(qxl_qs(d), d, NULL);
	return QXL_GC_PRIV(gc)->ops->PolyText16(d, gc, x, y, n, c);
}

static const GCOps qxl_gc_ops = {
	.FillSpans = qxl_FillSpans,
	.SetSpans = qxl_SetSpans,
	.PutImage = qxl_put_image,
	.CopyArea = qxl_copy_area,
	.CopyPlane = qxl_CopyPlane,
	.PolyPoint = qxl_PolyPoint,
	.Polylines = qxl_Polylines,
	.PolySegment = qxl_PolySegment,
	.PolyRectangle = qxl_PolyRectangle,
	.PolyArc = qxl_PolyArc,
	.FillPolygon = qxl_FillPolygon,
	.PolyFillRect = qxl_poly_fill_rect,
	.PolyFillArc = qxl_PolyFillArc,
	.PolyText8 = qxl_PolyText8,
	.PolyText16 = qxl_PolyText16,
	.ImageText8 = qxl_ImageText8,
	.ImageText16 = qxl_ImageText16,
	.ImageGlyphBlt = qxl_ImageGlyphBlt,
	.PolyGlyphBlt = qxl_PolyGlyphBlt,
	.PushPixels = qxl_PushPixels,
};

/* ---- GC funcs: keep our ops installed over whatever fb validates ---- */

static const GCFuncs qxl_gc_funcs;

#define QXL_GC_UNWRAP(gc) do {						\
		(gc)->funcs = QXL_GC_PRIV(gc)->funcs;			\
		if (QXL_GC_PRIV(gc)->ops)				\
			(gc)->ops = QXL_GC_PRIV(gc)->ops;		\
	} while (0)
#define QXL_GC_WRAP(gc) do {						\
		QXL_GC_PRIV(gc)->funcs = (gc)->funcs;			\
		QXL_GC_PRIV(gc)->ops = (gc)->ops;			\
		(gc)->funcs = &qxl_gc_funcs;				\
		(gc)->ops = (GCOps *)&qxl_gc_ops;			\
	} while (0)

static void
qxl_validate_gc(GCPtr gc, unsigned long changes, DrawablePtr d)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->ValidateGC(gc, changes, d);
	QXL_GC_WRAP(gc);
}

static void
qxl_change_gc(GCPtr gc, unsigned long mask)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->ChangeGC(gc, mask);
	QXL_GC_WRAP(gc);
}

static void
qxl_copy_gc(GCPtr src, unsigned long mask, GCPtr dst)
{
	QXL_GC_UNWRAP(dst);
	dst->funcs->CopyGC(src, mask, dst);
	QXL_GC_WRAP(dst);
}

static void
qxl_destroy_gc(GCPtr gc)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->DestroyGC(gc);
	/* no rewrap: the GC is gone */
}

static void
qxl_change_clip(GCPtr gc, int type, void *value, int nrects)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->ChangeClip(gc, type, value, nrects);
	QXL_GC_WRAP(gc);
}

static void
qxl_destroy_clip(GCPtr gc)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->DestroyClip(gc);
	QXL_GC_WRAP(gc);
}

static void
qxl_copy_clip(GCPtr dst, GCPtr src)
{
	QXL_GC_UNWRAP(dst);
	dst->funcs->CopyClip(dst, src);
	QXL_GC_WRAP(dst);
}

static const GCFuncs qxl_gc_funcs = {
	.ValidateGC = qxl_validate_gc,
	.ChangeGC = qxl_change_gc,
	.CopyGC = qxl_copy_gc,
	.DestroyGC = qxl_destroy_gc,
	.ChangeClip = qxl_change_clip,
	.DestroyClip = qxl_destroy_clip,
	.CopyClip = qxl_copy_clip,
};

static Bool
qxl_create_gc(GCPtr gc)
{
	ScreenPtr screen = gc->pScreen;
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	Bool ret;

	screen->CreateGC = qs->CreateGC;
	ret = screen->CreateGC(gc);
	qs->CreateGC = screen->CreateGC;
	screen->CreateGC = qxl_create_gc;
	if (ret)
		QXL_GC_WRAP(gc);
	return ret;
}

/* ---- screen and Render entry points that read or write the front ---- */

#define QXL_SCREEN_QS(screen) qxl_screen_of(xf86ScreenToScrn(screen))

static void
qxl_get_image(DrawablePtr d, int x, int y, int w, int h, unsigned int format,
	      unsigned long planemask, char *dst)
{
	ScreenPtr screen = d->pScreen;
	struct qxl_screen *qs = QXL_SCREEN_QS(screen);

	qxl_cpu_access(qs, d, NULL);
	screen->GetImage = qs->GetImage;
	screen->GetImage(d, x, y, w, h, format, planemask, dst);
	screen->GetImage = qxl_get_image;
}

static void
qxl_get_spans(DrawablePtr d, int wmax, DDXPointPtr pt, int *widths, int n, char *dst)
{
	ScreenPtr screen = d->pScreen;
	struct qxl_screen *qs = QXL_SCREEN_QS(screen);

	qxl_cpu_access(qs, d, NULL);
	screen->GetSpans = qs->GetSpans;
	screen->GetSpans(d, wmax, pt, widths, n, dst);
	screen->GetSpans = qxl_get_spans;
}

static void
qxl_copy_window(WindowPtr win, DDXPointRec old, RegionPtr src)
{
	ScreenPtr screen = win->drawable.pScreen;
	struct qxl_screen *qs = QXL_SCREEN_QS(screen);

	qxl_cpu_access(qs, &win->drawable, NULL);
	screen->CopyWindow = qs->CopyWindow;
	screen->CopyWindow(win, old, src);
	screen->CopyWindow = qxl_copy_window;
}

static Bool
qxl_pict_front(PicturePtr p)
{
	return p && ((p->pDrawable && qxl_on_front(p->pDrawable)) ||
		     (p->alphaMap && p->alphaMap->pDrawable &&
		      qxl_on_front(p->alphaMap->pDrawable)));
}

static void
qxl_render_access(PicturePtr a, PicturePtr b, PicturePtr c)
{
	PicturePtr p = a ? a : b ? b : c;
	struct qxl_screen *qs;

	if (!p || !p->pDrawable)
		p = c ? c : b;
	if (!p || !p->pDrawable)
		return;
	qs = QXL_SCREEN_QS(p->pDrawable->pScreen);
	if (!qs->dev_pending && !(qs->batch && qs->batch->n))
		return;
	if (qxl_pict_front(a) || qxl_pict_front(b) || qxl_pict_front(c))
		qxl_accel_prepare_cpu(qs);
}

#define QXL_PS(screen) GetPictureScreen(screen)
#define QXL_RENDER_CALL(dst, field, call) do {				\
		ScreenPtr screen_ = (dst)->pDrawable->pScreen;		\
		PictureScreenPtr ps_ = QXL_PS(screen_);			\
		struct qxl_screen *qs_ = QXL_SCREEN_QS(screen_);		\
		ps_->field = qs_->field;				\
		call;							\
		ps_->field = qxl_##field;				\
	} while (0)

static void
qxl_Composite(CARD8 op, PicturePtr src, PicturePtr mask, PicturePtr dst,
	      INT16 xs, INT16 ys, INT16 xm, INT16 ym, INT16 xd, INT16 yd,
	      CARD16 w, CARD16 h)
{
	qxl_render_access(src, mask, dst);
	QXL_RENDER_CALL(dst, Composite,
			ps_->Composite(op, src, mask, dst, xs, ys, xm, ym, xd, yd, w, h));
}

static void
qxl_CompositeRects(CARD8 op, PicturePtr dst, xRenderColor *color, int n,
		   xRectangle *rects)
{
	qxl_render_access(NULL, NULL, dst);
	QXL_RENDER_CALL(dst, CompositeRects, ps_->CompositeRects(op, dst, color, n, rects));
}

static void
qxl_Trapezoids(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf,
	       INT16 xs, INT16 ys, int n, xTrapezoid *t)
{
	qxl_render_access(src, NULL, dst);
	QXL_RENDER_CALL(dst, Trapezoids, ps_->Trapezoids(op, src, dst, mf, xs, ys, n, t));
}

static void
qxl_Triangles(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf,
	      INT16 xs, INT16 ys, int n, xTriangle *t)
{
	qxl_render_access(src, NULL, dst);
	QXL_RENDER_CALL(dst, Triangles, ps_->Triangles(op, src, dst, mf, xs, ys, n, t));
}

static void
qxl_TriStrip(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf,
	     INT16 xs, INT16 ys, int n, xPointFixed *p)
{
	qxl_render_access(src, NULL, dst);
	QXL_RENDER_CALL(dst, TriStrip, ps_->TriStrip(op, src, dst, mf, xs, ys, n, p));
}

static void
qxl_TriFan(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf,
	   INT16 xs, INT16 ys, int n, xPointFixed *p)
{
	qxl_render_access(src, NULL, dst);
	QXL_RENDER_CALL(dst, TriFan, ps_->TriFan(op, src, dst, mf, xs, ys, n, p));
}

static void
qxl_AddTraps(PicturePtr dst, INT16 xo, INT16 yo, int n, xTrap *t)
{
	qxl_render_access(NULL, NULL, dst);
	QXL_RENDER_CALL(dst, AddTraps, ps_->AddTraps(dst, xo, yo, n, t));
}

static void
qxl_AddTriangles(PicturePtr dst, INT16 xo, INT16 yo, int n, xTriangle *t)
{
	qxl_render_access(NULL, NULL, dst);
	QXL_RENDER_CALL(dst, AddTriangles, ps_->AddTriangles(dst, xo, yo, n, t));
}

static void
qxl_wrap_screen(ScreenPtr screen, struct qxl_screen *qs)
{
	PictureScreenPtr ps = GetPictureScreenIfSet(screen);

	qs->GetImage = screen->GetImage;
	screen->GetImage = qxl_get_image;
	qs->GetSpans = screen->GetSpans;
	screen->GetSpans = qxl_get_spans;
	qs->CopyWindow = screen->CopyWindow;
	screen->CopyWindow = qxl_copy_window;
	if (!ps)
		return;
#define QXL_WRAP_PS(f) do { qs->f = ps->f; if (ps->f) ps->f = qxl_##f; } while (0)
	QXL_WRAP_PS(Composite);
	QXL_WRAP_PS(CompositeRects);
	QXL_WRAP_PS(Trapezoids);
	QXL_WRAP_PS(Triangles);
	QXL_WRAP_PS(TriStrip);
	QXL_WRAP_PS(TriFan);
	QXL_WRAP_PS(AddTraps);
	QXL_WRAP_PS(AddTriangles);
#undef QXL_WRAP_PS
}

static void
qxl_unwrap_screen(ScreenPtr screen, struct qxl_screen *qs)
{
	PictureScreenPtr ps = GetPictureScreenIfSet(screen);

	screen->GetImage = qs->GetImage;
	screen->GetSpans = qs->GetSpans;
	screen->CopyWindow = qs->CopyWindow;
	if (!ps)
		return;
	ps->Composite = qs->Composite;
	ps->CompositeRects = qs->CompositeRects;
	ps->Trapezoids = qs->Trapezoids;
	ps->Triangles = qs->Triangles;
	ps->TriStrip = qs->TriStrip;
	ps->TriFan = qs->TriFan;
	ps->AddTraps = qs->AddTraps;
	ps->AddTriangles = qs->AddTriangles;
}

/* ---- setup ---- */

Bool
qxl_accel_init(ScreenPtr screen, struct qxl_screen *qs)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);

	if (!qs->accel) {
		xf86DrvMsg(scrn->scrnIndex, X_CONFIG,
			   "Acceleration off (option Accel): software rendering + DIRTYFB\n");
		return TRUE;
	}
	if (!qs->front.is_surface) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "Acceleration off: the front buffer is not a device surface\n");
		return TRUE;
	}
	if (!dixRegisterPrivateKey(&qxl_gc_key, PRIVATE_GC, sizeof(struct qxl_gc_priv)))
		return FALSE;
	qs->batch = calloc(1, sizeof(struct qxl_batch));
	if (!qs->batch)
		return FALSE;
	qxl_batch_reset(qs->batch);
	qs->CreateGC = screen->CreateGC;
	screen->CreateGC = qxl_create_gc;
	qxl_wrap_screen(screen, qs);
	qs->accel_active = 1;
	if (qs->surfaces)
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "EnableSurfaces: off-screen pixmaps as device surfaces are not "
			   "implemented yet: pixmaps stay in system memory and their copies "
			   "to the screen are sent as cached images\n");
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "Acceleration on: solid fills as draw-fill, screen copies as copy-bits, "
		   "images and pixmap copies as draw-copy (image cache %s), up to %d commands per submission\n",
		   qs->image_cache ? "on" : "off", qs->batch_limit);
	return TRUE;
}

void
qxl_accel_close(ScreenPtr screen, struct qxl_screen *qs)
{
	if (!qs->batch)
		return;
	qxl_accel_prepare_cpu(qs);
	screen->CreateGC = qs->CreateGC;
	qxl_unwrap_screen(screen, qs);
	xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
		   "Acceleration statistics: %lu fills, %lu copies, %lu uploads (%lu bytes), "
		   "%lu commands in %lu submissions, %lu area syncs, %lu software fallbacks\n",
		   qs->accel_fills, qs->accel_copies, qs->accel_uploads, qs->upload_bytes,
		   qs->commands, qs->submits, qs->syncs, qs->fallbacks);
	free(qs->batch);
	qs->batch = NULL;
	qs->accel_active = 0;
}
