/* SPDX-License-Identifier: MIT */
/*
 * Core text (PolyText, ImageText and the glyph blits fb's text requests
 * call through the GC) is drawn from the font's 1-bit glyphs:
 *
 *   transparent (PolyText, PolyGlyphBlt)  -> a fill with the foreground
 *                                            colour through a 1-bit mask
 *                                            of the glyph bits
 *   opaque (ImageText, ImageGlyphBlt)     -> one 1-bit image, palette
 *                                            background/foreground, when
 *                                            the ink stays in the
 *                                            background box; else a
 *                                            background fill + the masked
 *                                            fill
 *
 * The bits are laid out over the extents of the drawn region, which is
 * the command's bbox, with the mask position (0, 0): spice-server turns a
 * mask into a region from the mask pixel at 'pos' on the bbox's top-left
 * corner, and it offsets into the mask wrongly when the clipped area
 * starts to the right of the mask's first 32 pixels, so the mask never
 * extends left of the bbox.  Bits are most significant first
 * (1BIT_BE): both orders work for masks, but only that one is known to
 * pass spice-server's paths for images (see qxl_pattern_img).  Content
 * hashes are the cache ids, so repeated strings are sent once.
 *
 * These are the GC's glyph blits (qxl_gc_ops.c installs them); text
 * mostly drawn over again before the batch goes out is not worth a
 * command and stays damage (qxl_text_worth).
 */
#include <stddef.h>
#include <string.h>

#include "qxl_drv.h"
#include "qxl_math.h"
#include "qxl_accel.h"
#include <fb.h>
#include <gcstruct.h>
#include <regionstr.h>
#include <dixfontstr.h>

#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"

struct qxl_core_text {
	BoxRec ink;		/* union of the glyphs' ink boxes; empty if none */
	BoxRec bg;		/* ImageText's background box */
};

/* Ink extents of 'n' glyphs drawn from origin (x, y), screen coordinates. */
static void
qxl_text_extents(int x, int y, unsigned int n, CharInfoPtr *ci, FontPtr font,
		 struct qxl_core_text *t)
{
	int width = 0;
	unsigned int i;

	t->ink.x1 = t->ink.y1 = MAXSHORT;
	t->ink.x2 = t->ink.y2 = MINSHORT;
	for (i = 0; i < n; i++) {
		const xCharInfo *m = &ci[i]->metrics;

		if (m->rightSideBearing > m->leftSideBearing && m->ascent + m->descent > 0) {
			t->ink.x1 = min(t->ink.x1, x + width + m->leftSideBearing);
			t->ink.x2 = max(t->ink.x2, x + width + m->rightSideBearing);
			t->ink.y1 = min(t->ink.y1, y - m->ascent);
			t->ink.y2 = max(t->ink.y2, y + m->descent);
		}
		width += m->characterWidth;
	}
	if (t->ink.x1 >= t->ink.x2)
		t->ink.x1 = t->ink.y1 = t->ink.x2 = t->ink.y2 = 0;
	t->bg.x1 = width < 0 ? x + width : x;
	t->bg.x2 = width < 0 ? x : x + width;
	t->bg.y1 = y - FONTASCENT(font);
	t->bg.y2 = y + FONTDESCENT(font);
}

/*
 * The glyph bits over 'e' (screen coordinates), 1BIT_BE rows of
 * 'stride' bytes, zeroed by the caller.  Server fonts hold glyph rows
 * least significant bit first, padded to GLYPHPADBYTES (4, fb.h).
 */
static void
qxl_text_bits(int x, int y, unsigned int n, CharInfoPtr *ci, const BoxRec *e,
	      uint8_t *out, uint32_t stride)
{
	int width = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const xCharInfo *m = &ci[i]->metrics;
		const uint8_t *bits = FONTGLYPHBITS(NULL, ci[i]);
		int gstride = GLYPHWIDTHBYTESPADDED(ci[i]);
		int gx = x + width + m->leftSideBearing, gy = y - m->ascent;
		int x1 = max(gx, e->x1) - gx;
		int x2 = min(gx + m->rightSideBearing - m->leftSideBearing, e->x2) - gx;
		int y1 = max(gy, e->y1), y2 = min(y + m->descent, e->y2);
		int r;

		width += m->characterWidth;
		if (x1 >= x2)
			continue;
		for (r = y1; r < y2; r++)
			qxl_glyph_row_put(out + (size_t)stride * (r - e->y1), stride,
					  bits + (size_t)gstride * (r - gy), x1, x2, gx - e->x1);
	}
}

/* A 1-bit image of the glyphs over 'e'; palette {bg, fg} if 'opaque'. */
static Bool
qxl_text_img(struct qxl_screen *qs, int x, int y, unsigned int n, CharInfoPtr *ci,
	     const BoxRec *e, GCPtr gc, Bool opaque, struct qxl_img *im)
{
	int w = e->x2 - e->x1, h = e->y2 - e->y1;
	uint32_t pal[2] = { gc->bgPixel & 0xffffff, gc->fgPixel & 0xffffff };
	struct qxl_devif_siphash id;

	if (!qxl_img_new(qs, w, h, QXL_BITMAP_FMT_1BIT_BE, 1, opaque ? 2 : 0, im))
		return FALSE;
	memset(im->data, 0, (size_t)im->stride * h);
	qxl_text_bits(x, y, n, ci, e, im->data, im->stride);
	if (opaque)
		memcpy(im->pal, pal, sizeof(pal));
	if (qs->image_cache) {
		qxl_img_id_begin(qs, &id);
		qxl_devif_siphash_update(&id, im->data, (size_t)im->stride * h);
		if (opaque)
			qxl_devif_siphash_update(&id, pal, sizeof(pal));
		qxl_img_id_end(im, &id);
	}
	return TRUE;
}

/* The part of 'box' drawn through the GC's clip, inside the viewport. */
static RegionPtr
qxl_text_region(GCPtr gc, const BoxRec *box, const BoxRec *vp)
{
	RegionPtr reg = RegionCreate((BoxPtr)box, 1);

	if (!reg)
		return NULL;
	RegionIntersect(reg, reg, fbGetCompositeClip(gc));
	qxl_clip_to(reg, vp);
	if (!RegionNotEmpty(reg) || RegionNumRects(reg) > QXL_CLIP_MAX_RECTS) {
		RegionDestroy(reg);
		return NULL;
	}
	return reg;
}

/*
 * Clip the text command 'q' (bbox: the extents of 'reg') to 'reg'.
 * FALSE: no memory for the clip list; the command then draws only the
 * first box, and the caller leaves the text to the damage upload, which
 * follows it in the batch.
 */
static Bool
qxl_text_clip(struct qxl_screen *qs, struct qxl_drawable *q, RegionPtr reg)
{
	const BoxRec *b = RegionRects(reg);

	if (RegionNumRects(reg) == 1 || qxl_batch_clip(qs, q, b, RegionNumRects(reg)))
		return TRUE;
	if (q->type == QXL_DRAW_FILL) {
		q->u.fill.mask.pos.x = b->x1 - q->bbox.left;
		q->u.fill.mask.pos.y = b->y1 - q->bbox.top;
	} else {
		q->u.copy.src_area.left = b->x1 - q->bbox.left;
		q->u.copy.src_area.top = b->y1 - q->bbox.top;
		q->u.copy.src_area.right = b->x2 - q->bbox.left;
		q->u.copy.src_area.bottom = b->y2 - q->bbox.top;
	}
	q->bbox.left = b->x1;
	q->bbox.top = b->y1;
	q->bbox.right = b->x2;
	q->bbox.bottom = b->y2;
	return FALSE;
}

/*
 * Is a command worth sending for text over 'box'?  Not when most of it
 * is drawn over again before the batch goes out (x11perf, a line redrawn
 * as it is typed): over text commands since the last submission, or over
 * software damage not sent yet.  Left as damage, all the drawing there
 * costs one upload of the result when the server blocks.
 */
static Bool
qxl_text_worth(struct qxl_screen *qs, const BoxRec *box, const BoxRec *vp)
{
	RegionRec reg;
	Bool redrawn;

	if (qs->text_submits != qs->submits) {
		RegionEmpty(&qs->text_drawn);
		qs->text_submits = qs->submits;
	}
	RegionInit(&reg, (BoxPtr)box, 1);
	qxl_clip_to(&reg, vp);
	redrawn = qxl_mostly_redrawn(qs, &reg, &qs->text_drawn);
	RegionUninit(&reg);
	if (!redrawn)
		return TRUE;
	qs->text_redrawn++;
	return FALSE;
}

/* Text commands drew 'reg'. */
static void
qxl_text_drawn(struct qxl_screen *qs, RegionPtr reg)
{
	RegionUnion(&qs->text_drawn, &qs->text_drawn, reg);
}

/* The glyphs in the foreground colour, through a mask; FALSE: not sent. */
static Bool
qxl_text_masked(struct qxl_screen *qs, GCPtr gc, int x, int y, unsigned int n,
		CharInfoPtr *ci, const BoxRec *ink, const BoxRec *vp)
{
	RegionPtr reg = qxl_text_region(gc, ink, vp);
	struct qxl_drawable *q;
	struct qxl_img im;
	Bool ok = FALSE;

	if (!reg)
		return FALSE;
	qxl_batch_room(qs, 1);
	if (qxl_text_img(qs, x, y, n, ci, RegionExtents(reg), gc, FALSE, &im)) {
		q = qxl_solid_box(qs, RegionExtents(reg), gc->fgPixel & 0xffffff,
				  QXL_ROPD_OP_PUT);
		/* the mask leaves pixels of the bbox alone: not opaque */
		q->effect = QXL_EFFECT_BLEND;
		q->u.fill.mask.flags = 0;
		q->u.fill.mask.pos.x = 0;
		q->u.fill.mask.pos.y = 0;
		qxl_img_relocs(qs, &im, offsetof(struct qxl_drawable, u.fill.mask.bitmap));
		ok = qxl_text_clip(qs, q, reg);
		if (ok)
			qxl_text_drawn(qs, reg);
	}
	RegionDestroy(reg);
	return ok;
}

/*
 * May these 'n' glyphs go to the device?  Sets the viewport, moves the
 * origin (x, y) to screen coordinates and measures the glyphs into 't'.
 */
static Bool
qxl_text_accel(struct qxl_screen *qs, DrawablePtr d, GCPtr gc, unsigned int n,
	       CharInfoPtr *ci, int *x, int *y, struct qxl_core_text *t, BoxPtr vp)
{
	if (!n || qxl_op_nested(qs) || !qxl_can_accel(qs, d, vp) || !qxl_gc_plain(gc) ||
	    gc->fillStyle != FillSolid ||
	    d->bitsPerPixel != 32 || BITMAP_BIT_ORDER != LSBFirst)
		return FALSE;
	*x += d->x;
	*y += d->y;
	qxl_text_extents(*x, *y, n, ci, gc->font, t);
	return TRUE;
}

void
qxl_poly_glyph_blt(DrawablePtr d, GCPtr gc, int x, int y, unsigned int n,
		   CharInfoPtr *ci, void *base)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	struct qxl_core_text t;
	BoxRec vp;

	QXL_FB(qs, QXL_GC_PRIV(gc)->ops->PolyGlyphBlt(d, gc, x, y, n, ci, base));
	if (!qxl_text_accel(qs, d, gc, n, ci, &x, &y, &t, &vp))
		return;
	if (t.ink.x1 == t.ink.x2 || !qxl_text_worth(qs, &t.ink, &vp))
		return;
	if (qxl_text_masked(qs, gc, x, y, n, ci, &t.ink, &vp)) {
		qs->accel_text++;
		qxl_pending_done_box(qs, &vp);
	} else {
		qxl_fallback(qs, "PolyGlyphBlt", "text not expressible: damage upload");
	}
}

void
qxl_image_glyph_blt(DrawablePtr d, GCPtr gc, int x, int y, unsigned int n,
		    CharInfoPtr *ci, void *base)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	struct qxl_drawable *q;
	struct qxl_core_text t;
	struct qxl_img im;
	RegionPtr reg;
	BoxRec vp;
	Bool inside;

	QXL_FB(qs, QXL_GC_PRIV(gc)->ops->ImageGlyphBlt(d, gc, x, y, n, ci, base));
	if (!qxl_text_accel(qs, d, gc, n, ci, &x, &y, &t, &vp))
		return;
	inside = t.ink.x1 == t.ink.x2 ||
		 (t.ink.x1 >= t.bg.x1 && t.ink.x2 <= t.bg.x2 &&
		  t.ink.y1 >= t.bg.y1 && t.ink.y2 <= t.bg.y2);
	if (t.bg.x1 == t.bg.x2 || t.bg.y1 >= t.bg.y2) {
		if (!inside && qxl_text_worth(qs, &t.ink, &vp) &&
		    qxl_text_masked(qs, gc, x, y, n, ci, &t.ink, &vp))
			qxl_pending_done_box(qs, &vp);
		return;
	}
	if (!qxl_text_worth(qs, &t.bg, &vp))
		return;
	reg = qxl_text_region(gc, &t.bg, &vp);
	if (!reg) {
		qxl_fallback(qs, "ImageGlyphBlt", "background box not expressible: damage upload");
		return;
	}
	if (inside) {
		/* every pixel of the box is background or glyph: one image */
		qxl_batch_room(qs, 1);
		if (!qxl_text_img(qs, x, y, n, ci, RegionExtents(reg), gc, TRUE, &im)) {
			RegionDestroy(reg);
			return;
		}
		q = qxl_img_draw(qs, &im, RegionExtents(reg));
		if (!qxl_text_clip(qs, q, reg)) {
			RegionDestroy(reg);
			return;
		}
	} else {
		qxl_solid_boxes(qs, RegionRects(reg), RegionNumRects(reg),
				gc->bgPixel & 0xffffff, QXL_ROPD_OP_PUT);
		if (!qxl_text_masked(qs, gc, x, y, n, ci, &t.ink, &vp)) {
			/*
			 * The glyphs fb drew inside the box are not on the
			 * device: the whole box stays damage, its upload
			 * follows the (then useless) fill.
			 */
			RegionDestroy(reg);
			qxl_fallback(qs, "ImageGlyphBlt", "glyphs not expressible: damage upload");
			return;
		}
	}
	qs->accel_text++;
	qxl_text_drawn(qs, reg);
	qxl_claim(qs, reg);
	qxl_pending_done_box(qs, &vp);
	RegionDestroy(reg);
}

