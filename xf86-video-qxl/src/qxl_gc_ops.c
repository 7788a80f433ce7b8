/* SPDX-License-Identifier: MIT */
/*
 * Core X operations on the screen as device commands (model:
 * qxl_accel.c): our GC ops wrap fb's, fb renders the front buffer for
 * every operation, and on top
 *
 *   PolyFillRect, solid, any GC function
 *   and plane mask                         -> QXL_DRAW_FILL: a put, or an AND
 *                                             then an XOR (qxl_math.h); many
 *                                             boxes = one command + clip list
 *   PolyFillRect tiled / opaque-stippled,
 *   GXcopy                                 -> QXL_DRAW_FILL, pattern brush
 *   CopyArea screen -> screen, GXcopy,
 *   CopyWindow (window moves, scrolling)   -> QXL_COPY_BITS per box
 *   PutImage ZPixmap depth 24, GXcopy,
 *   CopyArea pixmap -> screen, GXcopy      -> pixels (qxl_upload.c)
 *
 * Glyph blits are in qxl_text.c; every other op is fb's alone, its damage
 * uploaded (qxl_front.c).  The GC funcs keep these ops installed over
 * whatever fb validates.
 */
#include <stddef.h>
#include <stdlib.h>

#include "qxl_drv.h"
#include "qxl_math.h"
#include "qxl_accel.h"
#include <fb.h>
#include <gcstruct.h>
#include <mi.h>
#include <pixmapstr.h>
#include <windowstr.h>
#include <regionstr.h>
#include <damagestr.h>

#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"

DevPrivateKeyRec qxl_gc_key;

/*
 * The model needs the damage layer to wrap our GC ops (it does: the
 * Damage extension sets up after the driver's ScreenInit): the damage of
 * an operation is then pending while it runs, and copies rendered here
 * by fbCopyNtoN are still reported.  Checked once, on a fill that draws.
 */
static void
qxl_check_damage_order(struct qxl_screen *qs, RegionPtr reg)
{
	if (qs->damage_order_checked || !qs->damage || !RegionNotEmpty(reg))
		return;
	qs->damage_order_checked = 1;
	if (RegionNotEmpty(&qs->damage->pendingDamage))
		return;
	xf86DrvMsg(qs->scrn->scrnIndex, X_ERROR,
		   "Acceleration off: the damage layer does not wrap the driver's "
		   "operations, so device commands could not be kept in order\n");
	qxl_accel_flush(qs);
	qs->accel_active = 0;
}

Bool
qxl_gc_plain(GCPtr gc)
{
	return gc->alu == GXcopy &&
	       (gc->planemask & 0xffffff) == 0xffffff;
}

/* A solid fill with any GC function and plane mask (qxl_math.h). */
struct qxl_solid {
	uint32_t and_mask, xor_mask;
};

static void
qxl_solid_of(GCPtr gc, Pixel pixel, struct qxl_solid *f)
{
	qxl_rop_solid(gc->alu & 15, pixel, gc->planemask, &f->and_mask, &f->xor_mask);
}

struct qxl_drawable *
qxl_solid_box(struct qxl_screen *qs, const BoxRec *box, uint32_t color, uint16_t ropd)
{
	struct qxl_drawable *q = qxl_batch_draw(qs, QXL_DRAW_FILL, box);

	/* spice-server drops what an opaque drawable covers: only a put is */
	q->effect = ropd == QXL_ROPD_OP_PUT ? QXL_EFFECT_OPAQUE : QXL_EFFECT_BLEND;
	q->u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
	q->u.fill.brush.u.color = color;
	q->u.fill.rop_descriptor = ropd;
	return q;
}

/*
 * The same fill over many boxes: one command per up to QXL_CLIP_MAX_RECTS
 * boxes, its bbox their extents and its clip the boxes (a few hundred
 * bytes saved per box); one command per box if no clip list fits.
 */
void
qxl_solid_boxes(struct qxl_screen *qs, const BoxRec *box, int n, uint32_t color,
		uint16_t ropd)
{
	while (n > 0) {
		int cnt = n > QXL_CLIP_MAX_RECTS ? QXL_CLIP_MAX_RECTS : n, i;
		BoxRec ext = box[0];
		struct qxl_drawable *q;

		if (cnt == 1) {
			qxl_solid_box(qs, box, color, ropd);
			box++;
			n--;
			continue;
		}
		for (i = 1; i < cnt; i++) {
			if (box[i].x1 < ext.x1) ext.x1 = box[i].x1;
			if (box[i].y1 < ext.y1) ext.y1 = box[i].y1;
			if (box[i].x2 > ext.x2) ext.x2 = box[i].x2;
			if (box[i].y2 > ext.y2) ext.y2 = box[i].y2;
		}
		qxl_batch_room(qs, 1);
		q = qxl_solid_box(qs, &ext, color, ropd);
		if (!qxl_batch_clip(qs, q, box, cnt)) {
			/* no memory for the list: the command draws the first box */
			q->bbox.left = box[0].x1;
			q->bbox.top = box[0].y1;
			q->bbox.right = box[0].x2;
			q->bbox.bottom = box[0].y2;
			cnt = 1;
		}
		box += cnt;
		n -= cnt;
	}
}

/*
 * The pattern of a tiled (24-bit tile) or opaque-stippled (bitmap, two
 * colours) fill as an image, and its origin in screen coordinates.
 */
static Bool
qxl_pattern_img(struct qxl_screen *qs, GCPtr gc, struct qxl_img *im)
{
	if (gc->fillStyle == FillTiled) {
		PixmapPtr tile = gc->tile.pixmap;
		const struct qxl_src src = { tile->devPrivate.ptr, tile->devKind, 0, 0 };
		BoxRec all = { 0, 0, tile->drawable.width, tile->drawable.height };

		if (tile->drawable.bitsPerPixel != 32 || tile->drawable.depth < 24 ||
		    !tile->devPrivate.ptr)
			return FALSE;
		return qxl_img_of(qs, &src, &all, im);
	} else {
		PixmapPtr st = gc->stipple;
		uint32_t pal[2] = { gc->bgPixel & 0xffffff, gc->fgPixel & 0xffffff };
		int y;

		/*
		 * fb keeps bitmaps least significant bit first; spice-server
		 * 0.15 renders 1-bit images only most significant bit first
		 * (a 1BIT_LE image aborts QEMU): reverse each byte.
		 */
		if (!st || st->drawable.bitsPerPixel != 1 || !st->devPrivate.ptr ||
		    BITMAP_BIT_ORDER != LSBFirst ||
		    !qxl_img_new(qs, st->drawable.width, st->drawable.height,
				 QXL_BITMAP_FMT_1BIT_BE, 1, 2, im))
			return FALSE;
		memcpy(im->pal, pal, sizeof(pal));
		for (y = 0; y < st->drawable.height; y++) {
			const uint8_t *in = (const uint8_t *)st->devPrivate.ptr +
					    (size_t)st->devKind * y;
			uint8_t *out = im->data + (size_t)im->stride * y;
			uint32_t x;

			for (x = 0; x < im->stride; x++)
				out[x] = qxl_bit_reverse(in[x]);
		}
		return TRUE;
	}
}

/* Tiled and opaque-stippled GXcopy fills as one pattern fill over the boxes. */
static void
qxl_pattern_fill(struct qxl_screen *qs, DrawablePtr d, GCPtr gc, int n, xRectangle *rects,
		 const BoxRec *vp)
{
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	struct qxl_drawable *q;
	struct qxl_img im;
	RegionPtr reg;
	BoxPtr box;
	int nbox;

	if (!qxl_gc_plain(gc)) {
		qxl_fallback(qs, "PolyFillRect", "pattern fill with a GC function or plane mask");
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	reg = RegionFromRects(n, rects, CT_UNSORTED);
	ops->PolyFillRect(d, gc, n, rects);
	if (!reg)
		return;
	RegionTranslate(reg, d->x, d->y);
	RegionIntersect(reg, reg, fbGetCompositeClip(gc));
	qxl_clip_to(reg, vp);
	box = RegionRects(reg);
	nbox = RegionNumRects(reg);
	if (!nbox || nbox > QXL_CLIP_MAX_RECTS) {
		RegionDestroy(reg);
		return;
	}
	qxl_batch_room(qs, 1);
	if (!qxl_pattern_img(qs, gc, &im)) {
		qxl_fallback(qs, "PolyFillRect", "pattern not expressible: damage upload");
		RegionDestroy(reg);
		return;
	}
	q = qxl_batch_draw(qs, QXL_DRAW_FILL, RegionExtents(reg));
	q->u.fill.brush.type = QXL_BRUSH_TYPE_PATTERN;
	q->u.fill.brush.u.pattern.pos.x = d->x + gc->patOrg.x;
	q->u.fill.brush.u.pattern.pos.y = d->y + gc->patOrg.y;
	q->u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
	qxl_img_relocs(qs, &im, offsetof(struct qxl_drawable, u.fill.brush.u.pattern.pat));
	if (nbox > 1 && !qxl_batch_clip(qs, q, box, nbox)) {
		/* no clip list: the command draws the first box, damage the rest */
		RegionRec first;

		q->bbox.left = box[0].x1;
		q->bbox.top = box[0].y1;
		q->bbox.right = box[0].x2;
		q->bbox.bottom = box[0].y2;
		RegionInit(&first, &box[0], 1);
		qxl_claim(qs, &first);
		RegionUninit(&first);
		RegionDestroy(reg);
		return;
	}
	qs->accel_fills += nbox;
	qxl_claim(qs, reg);
	qxl_pending_done_box(qs, vp);
	RegionDestroy(reg);
}

static void
qxl_poly_fill_rect(DrawablePtr d, GCPtr gc, int n, xRectangle *rects)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	struct qxl_solid fill;
	RegionPtr reg;
	BoxPtr box;
	BoxRec vp;
	int nbox;

	if (qxl_op_nested(qs) || !qxl_can_accel(qs, d, &vp)) {
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	if (gc->fillStyle == FillTiled && !gc->tileIsPixel) {
		qxl_pattern_fill(qs, d, gc, n, rects, &vp);
		return;
	}
	if (gc->fillStyle == FillOpaqueStippled) {
		qxl_pattern_fill(qs, d, gc, n, rects, &vp);
		return;
	}
	if (gc->fillStyle == FillStippled) {
		qxl_fallback(qs, "PolyFillRect", "transparent stipple");
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	qxl_solid_of(gc, gc->fillStyle == FillTiled ? gc->tile.pixel : gc->fgPixel, &fill);
	reg = RegionFromRects(n, rects, CT_UNSORTED);
	if (!reg) {
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	RegionTranslate(reg, d->x, d->y);
	RegionIntersect(reg, reg, fbGetCompositeClip(gc));
	qxl_clip_to(reg, &vp);
	qxl_check_damage_order(qs, reg);
	if (!qs->accel_active) {
		RegionDestroy(reg);
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	if (fill.and_mask)
		qxl_settle(qs, reg);
	ops->PolyFillRect(d, gc, n, rects);
	box = RegionRects(reg);
	nbox = RegionNumRects(reg);
	if (!fill.and_mask) {
		qxl_solid_boxes(qs, box, nbox, fill.xor_mask, QXL_ROPD_OP_PUT);
	} else {
		if (fill.and_mask != 0xffffff)
			qxl_solid_boxes(qs, box, nbox, fill.and_mask, QXL_ROPD_OP_AND);
		if (fill.xor_mask)
			qxl_solid_boxes(qs, box, nbox, fill.xor_mask, QXL_ROPD_OP_XOR);
	}
	qs->accel_fills += nbox;
	qxl_claim(qs, reg);
	/* every changed pixel in the viewport is in 'reg': the rest of the extents is not */
	qxl_pending_done_box(qs, &vp);
	RegionDestroy(reg);
}

struct qxl_copy_ctx {
	struct qxl_screen *qs;
	BoxRec vp;
	RegionRec drawn;	/* what the device was given */
	RegionRec changed;	/* what fb copied (CopyArea) */
};

/* The part of copy box 'b' whose destination and source the device has. */
static Bool
qxl_copy_box(const struct qxl_copy_ctx *c, Bool from_front, int dx, int dy, BoxPtr b)
{
	const BoxRec *vp = &c->vp;

	if (b->x1 < vp->x1) b->x1 = vp->x1;
	if (b->y1 < vp->y1) b->y1 = vp->y1;
	if (b->x2 > vp->x2) b->x2 = vp->x2;
	if (b->y2 > vp->y2) b->y2 = vp->y2;
	if (from_front) {
		if (b->x1 + dx < vp->x1) b->x1 = vp->x1 - dx;
		if (b->y1 + dy < vp->y1) b->y1 = vp->y1 - dy;
		if (b->x2 + dx > vp->x2) b->x2 = vp->x2 - dx;
		if (b->y2 + dy > vp->y2) b->y2 = vp->y2 - dy;
	}
	return b->x1 < b->x2 && b->y1 < b->y2;
}

/*
 * Copy boxes in the front buffer by fb, and on the device the part whose
 * destination and source both lie in the viewport.  The boxes come
 * ordered for overlap (miDoCopy, miCopyRegion): the device copies them in
 * the same order.
 */
static void
qxl_copy_proc(DrawablePtr src, DrawablePtr dst, GCPtr gc, BoxPtr box, int nbox,
	      int dx, int dy, Bool reverse, Bool upsidedown, Pixel bitplane,
	      void *closure)
{
	struct qxl_copy_ctx *c = closure;
	struct qxl_screen *qs = c->qs;
	Bool from_front = qxl_on_front(src);
	RegionRec srcreg;
	int i;

	if (from_front) {
		RegionNull(&srcreg);
		for (i = 0; i < nbox; i++) {
			BoxRec b = box[i];

			if (qxl_copy_box(c, TRUE, dx, dy, &b)) {
				b.x1 += dx; b.x2 += dx;
				b.y1 += dy; b.y2 += dy;
				qxl_region_add(&srcreg, &b);
			}
		}
		qxl_settle(qs, &srcreg);
		RegionUninit(&srcreg);
	}
	/* the front buffer first: it is what the device must end up equal to */
	fbCopyNtoN(src, dst, gc, box, nbox, dx, dy, reverse, upsidedown, bitplane, NULL);
	for (i = 0; i < nbox; i++) {
		BoxRec b = box[i];

		qxl_region_add(&c->changed, &b);
		if (!qxl_copy_box(c, from_front, dx, dy, &b))
			continue;
		if (from_front) {
			struct qxl_drawable *q = qxl_batch_draw(qs, QXL_COPY_BITS, &b);

			q->u.copy_bits.src_pos.x = b.x1 + dx;
			q->u.copy_bits.src_pos.y = b.y1 + dy;
			qs->accel_copies++;
		} else {
			PixmapPtr pix = (PixmapPtr)src;
			const struct qxl_src from = { pix->devPrivate.ptr, pix->devKind, dx, dy };

			/* on failure the box is left to the damage upload */
			if (!qxl_pixmap_to_screen(qs, pix, &b, dx, dy) &&
			    !qxl_send_pixels(qs, &from, &b))
				continue;
			qs->accel_uploads++;
		}
		qxl_region_add(&c->drawn, &b);
	}
}

static RegionPtr
qxl_copy_area(DrawablePtr src, DrawablePtr dst, GCPtr gc, int sx, int sy,
	      int w, int h, int dx, int dy)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(dst->pScreen));
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	struct qxl_copy_ctx c = { .qs = qs };
	RegionPtr ret;
	Bool from_front, from_pix;

	if (qxl_op_nested(qs))
		return ops->CopyArea(src, dst, gc, sx, sy, w, h, dx, dy);
	if (!qxl_can_accel(qs, dst, &c.vp)) {
		if (qxl_pixmap_copy_area(src, dst, gc, sx, sy, w, h, dx, dy, &ret))
			return ret;
		QXL_FB(qs, ret = ops->CopyArea(src, dst, gc, sx, sy, w, h, dx, dy));
		return ret;
	}
	from_front = qxl_on_front(src);
	from_pix = src->type == DRAWABLE_PIXMAP && src->bitsPerPixel == 32 &&
		   src->depth >= 24 && ((PixmapPtr)src)->devPrivate.ptr;
	if (!qxl_gc_plain(gc) || (!from_front && !from_pix)) {
		qxl_fallback(qs, "CopyArea", "not a plain GXcopy from the screen or a 32-bit pixmap");
		QXL_FB(qs, ret = ops->CopyArea(src, dst, gc, sx, sy, w, h, dx, dy));
		return ret;
	}
	RegionNull(&c.drawn);
	RegionNull(&c.changed);
	ret = miDoCopy(src, dst, gc, sx, sy, w, h, dx, dy, qxl_copy_proc, 0, &c);
	qxl_claim(qs, &c.drawn);
	/*
	 * The damage layer recorded the whole destination rectangle.  Where
	 * the source was obscured fb copied nothing, or the server painted
	 * the window's background through a fill nested in the copy
	 * (miHandleExposures): that fill is accelerated and has already
	 * dropped the viewport's pending damage, this copy's with its own.
	 * Of the copy, only what fb changed and the device did not get is
	 * still owed: it goes to the damage directly.
	 */
	RegionSubtract(&c.changed, &c.changed, &c.drawn);
	qxl_pending_done_box(qs, &c.vp);
	if (qs->damage)
		RegionUnion(DamageRegion(qs->damage), DamageRegion(qs->damage), &c.changed);
	RegionUninit(&c.changed);
	RegionUninit(&c.drawn);
	return ret;
}

static void
qxl_put_image(DrawablePtr d, GCPtr gc, int depth, int x, int y, int w, int h,
	      int leftPad, int format, char *bits)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	RegionRec reg;
	BoxRec ext, vp;
	int stride;

	if (qxl_op_nested(qs) || !qxl_can_accel(qs, d, &vp)) {
		ops->PutImage(d, gc, depth, x, y, w, h, leftPad, format, bits);
		return;
	}
	if (format != ZPixmap || depth != 24 || d->bitsPerPixel != 32 ||
	    !qxl_gc_plain(gc) || w <= 0 || h <= 0) {
		qxl_fallback(qs, "PutImage", "not a depth 24 ZPixmap GXcopy image");
		ops->PutImage(d, gc, depth, x, y, w, h, leftPad, format, bits);
		return;
	}
	ops->PutImage(d, gc, depth, x, y, w, h, leftPad, format, bits);
	stride = PixmapBytePad(w, depth);
	ext.x1 = d->x + x;
	ext.y1 = d->y + y;
	ext.x2 = ext.x1 + w;
	ext.y2 = ext.y1 + h;
	RegionInit(&reg, &ext, 1);
	RegionIntersect(&reg, &reg, fbGetCompositeClip(gc));
	qxl_clip_to(&reg, &vp);
	/* source pixel of screen (0,0): (-ext.x1, -ext.y1) in the image */
	if (RegionNotEmpty(&reg)) {
		const struct qxl_src from = { (const uint8_t *)bits, stride, -ext.x1, -ext.y1 };
		BoxPtr box = RegionRects(&reg);
		int i, nbox = RegionNumRects(&reg);
		Bool ok = TRUE;

		for (i = 0; i < nbox && ok; i++)
			ok = qxl_send_pixels(qs, &from, &box[i]);
		if (ok) {
			qs->accel_uploads += nbox;
			qxl_claim(qs, &reg);
		} else {
			qxl_fallback(qs, "PutImage", "no device memory for the image: damage upload");
		}
	}
	RegionUninit(&reg);
}

/*
 * Every other op is rendered by fb (or mi, through the GC again: an
 * operation around nested ones); its damage is uploaded (qxl_front.c).
 */
#define QXL_PASS(name, proto, args)					\
	static void qxl_##name proto					\
	{								\
		struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));			\
									\
		QXL_FB(qs, QXL_GC_PRIV(gc)->ops->name args);		\
	}

QXL_PASS(FillSpans, (DrawablePtr d, GCPtr gc, int n, DDXPointPtr p, int *w, int s), (d, gc, n, p, w, s))
QXL_PASS(SetSpans, (DrawablePtr d, GCPtr gc, char *src, DDXPointPtr p, int *w, int n, int s), (d, gc, src, p, w, n, s))
QXL_PASS(PolyPoint, (DrawablePtr d, GCPtr gc, int m, int n, xPoint *p), (d, gc, m, n, p))
QXL_PASS(Polylines, (DrawablePtr d, GCPtr gc, int m, int n, DDXPointPtr p), (d, gc, m, n, p))
QXL_PASS(PolySegment, (DrawablePtr d, GCPtr gc, int n, xSegment *s), (d, gc, n, s))
QXL_PASS(PolyArc, (DrawablePtr d, GCPtr gc, int n, xArc *a), (d, gc, n, a))
QXL_PASS(FillPolygon, (DrawablePtr d, GCPtr gc, int s, int m, int n, DDXPointPtr p), (d, gc, s, m, n, p))
QXL_PASS(PolyFillArc, (DrawablePtr d, GCPtr gc, int n, xArc *a), (d, gc, n, a))
QXL_PASS(PushPixels, (GCPtr gc, PixmapPtr bm, DrawablePtr d, int w, int h, int x, int y), (gc, bm, d, w, h, x, y))

static RegionPtr
qxl_CopyPlane(DrawablePtr s, DrawablePtr d, GCPtr gc, int sx, int sy, int w, int h,
	      int dx, int dy, unsigned long plane)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	RegionPtr ret;

	QXL_FB(qs, ret = QXL_GC_PRIV(gc)->ops->CopyPlane(s, d, gc, sx, sy, w, h, dx, dy, plane));
	return ret;
}

/* Not operations of their own: see qxl_op_nested. */
static int
qxl_PolyText8(DrawablePtr d, GCPtr gc, int x, int y, int n, char *c)
{
	return QXL_GC_PRIV(gc)->ops->PolyText8(d, gc, x, y, n, c);
}

static int
qxl_PolyText16(DrawablePtr d, GCPtr gc, int x, int y, int n, unsigned short *c)
{
	return QXL_GC_PRIV(gc)->ops->PolyText16(d, gc, x, y, n, c);
}

static void
qxl_PolyRectangle(DrawablePtr d, GCPtr gc, int n, xRectangle *r)
{
	QXL_GC_PRIV(gc)->ops->PolyRectangle(d, gc, n, r);
}

static void
qxl_ImageText8(DrawablePtr d, GCPtr gc, int x, int y, int n, char *c)
{
	QXL_GC_PRIV(gc)->ops->ImageText8(d, gc, x, y, n, c);
}

static void
qxl_ImageText16(DrawablePtr d, GCPtr gc, int x, int y, int n, unsigned short *c)
{
	QXL_GC_PRIV(gc)->ops->ImageText16(d, gc, x, y, n, c);
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
	.ImageGlyphBlt = qxl_image_glyph_blt,
	.PolyGlyphBlt = qxl_poly_glyph_blt,
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

/* ---- window moves and scrolling ---- */

/* Device side of a window copy: the boxes in fb's order, as copy-bits. */
static void
qxl_copy_window_proc(DrawablePtr src, DrawablePtr dst, GCPtr gc, BoxPtr box, int nbox,
		     int dx, int dy, Bool reverse, Bool upsidedown, Pixel bitplane,
		     void *closure)
{
	struct qxl_copy_ctx *c = closure;
	int i;

	(void)src;
	(void)dst;
	(void)gc;
	(void)reverse;
	(void)upsidedown;
	(void)bitplane;
	for (i = 0; i < nbox; i++) {
		BoxRec b = box[i];
		struct qxl_drawable *q;

		if (!qxl_copy_box(c, TRUE, dx, dy, &b))
			continue;
		q = qxl_batch_draw(c->qs, QXL_COPY_BITS, &b);
		q->u.copy_bits.src_pos.x = b.x1 + dx;
		q->u.copy_bits.src_pos.y = b.y1 + dy;
		c->qs->accel_copies++;
		qxl_region_add(&c->drawn, &b);
	}
}

static void
qxl_copy_window(WindowPtr win, DDXPointRec old, RegionPtr src)
{
	ScreenPtr screen = win->drawable.pScreen;
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	struct qxl_copy_ctx c = { .qs = qs };
	Bool accel = qxl_can_accel(qs, &win->drawable, &c.vp);
	PixmapPtr pix = screen->GetWindowPixmap(win);
	RegionRec dst, from, kept;
	int dx = old.x - win->drawable.x, dy = old.y - win->drawable.y;

	/* what fbCopyWindow will copy: computed first, it moves 'src' */
	if (accel) {
		RegionNull(&dst);
		RegionNull(&kept);
		RegionTranslate(src, -dx, -dy);
		RegionIntersect(&dst, &win->borderClip, src);
		/* damaged by the damage layer, not by the copy: covered by other windows */
		RegionSubtract(&kept, src, &win->borderClip);
		RegionTranslate(src, dx, dy);
		qxl_clip_to(&dst, &c.vp);
		RegionNull(&from);
		RegionCopy(&from, &dst);
		RegionTranslate(&from, dx, dy);
		qxl_settle(qs, &from);
		RegionUninit(&from);
	}
	screen->CopyWindow = qs->CopyWindow;
	screen->CopyWindow(win, old, src);
	screen->CopyWindow = qxl_copy_window;
	if (!accel)
		return;
	RegionNull(&c.drawn);
	miCopyRegion(&pix->drawable, &pix->drawable, NULL, &dst, dx, dy,
		     qxl_copy_window_proc, 0, &c);
	qxl_claim(qs, &c.drawn);
	qxl_pending_done(qs, &kept);
	RegionUninit(&kept);
	RegionUninit(&c.drawn);
	RegionUninit(&dst);
}

/* ---- the screen hooks these come in by ---- */

void
qxl_gc_wrap(ScreenPtr screen, struct qxl_screen *qs)
{
	qs->CreateGC = screen->CreateGC;
	screen->CreateGC = qxl_create_gc;
	qs->CopyWindow = screen->CopyWindow;
	screen->CopyWindow = qxl_copy_window;
}

void
qxl_gc_unwrap(ScreenPtr screen, struct qxl_screen *qs)
{
	screen->CreateGC = qs->CreateGC;
	screen->CopyWindow = qs->CopyWindow;
}
