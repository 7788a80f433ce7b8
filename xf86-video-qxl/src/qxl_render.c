/* SPDX-License-Identifier: MIT */
/*
 * Render on the device: a composite onto the screen is also sent as one
 * QXL_DRAW_COMPOSITE, which spice-server renders with pixman like fb.
 *
 *   Composite                                -> draw-composite
 *   Glyphs with a mask format (Xft text)     -> the mask of the glyphs,
 *                                               then draw-composite
 *   Trapezoids, Triangles (strips, fans)     -> the mask pixman rasterizes,
 *                                               then draw-composite
 *
 * The mirror model of qxl_accel.c holds: fb renders every operation into
 * the front buffer first; the command makes the primary equal and takes
 * its area out of the damage.  What the device cannot express stays
 * damage (uploaded as the pixels fb rendered).
 *
 * What spice-server's canvas does with a composite decides the encoding:
 * it turns every bitmap into x8r8g8b8, or a8r8g8b8 for RGBA bitmaps, so
 *   - a source with alpha (a8r8g8b8, a8, a1, a solid colour) goes as an
 *     RGBA image; an x8r8g8b8 source as a 32-bit image;
 *   - a mask goes with component alpha as an x8r8g8b8 palette image:
 *     a non-component-alpha mask of alpha a is the grey a,a,a, which for
 *     every operator with a component-alpha form gives the same colour
 *     channels (the destination has no alpha to differ in), at 1, 4 or 8
 *     bits a pixel instead of 32.  A component-alpha mask goes as 32 bits.
 * Sources and masks must be pixmaps in system memory (not the screen),
 * affine, nearest or bilinear, without alpha map or client clip.
 *
 * A composite goes only where it is the cheaper command: a plain 1:1 copy
 * of a pixmap, images larger than the 32-bit result, or a place drawn a
 * third time before the server blocks stay damage, whose upload sends
 * the result once (as a palette image when it can).
 */
#include <stdlib.h>
#include <string.h>

#include "qxl_accel.h"
#include "qxl_math.h"
#include <fb.h>
#include <mipict.h>
#include <damagestr.h>
#include <pixman.h>

/* Whole pixmaps (repeating or transformed sources) up to this many pixels. */
#define QXL_RENDER_WHOLE_MAX	(1024 * 1024)

struct qxl_render {
	CompositeProcPtr Composite;
	TrapezoidsProcPtr Trapezoids;
	TrianglesProcPtr Triangles;
	GlyphsProcPtr Glyphs;
	unsigned long composites, shapes, fallbacks, image_bytes, redrawn;
	const char *last_what, *last_why;	/* the latest fallback, for the log */
	/* what composites drew since the server last blocked: once, and again */
	RegionRec drawn, twice;
};

static DevPrivateKeyRec qxl_render_key;

static struct qxl_render *
qxl_render_of(ScreenPtr screen)
{
	return dixLookupPrivate(&screen->devPrivates, &qxl_render_key);
}

/*
 * A source or mask as the device will get it: solid, or pixels of a
 * pixmap (or of a mask qxl_render rasterized) with how they are sampled.
 */
struct qxl_layer {
	int solid;
	uint32_t color;			/* a8r8g8b8, premultiplied */
	int wide;			/* solid colour finer than 8 bits a channel */
	const uint8_t *bits;
	int stride, w, h;
	uint32_t format;		/* PICT_* */
	int repeat;			/* Render = pixman numbering */
	int filter;			/* pixman filter */
	int ca;				/* component alpha (masks) */
	const PictTransform *transform;	/* NULL: identity */
	int ox, oy;			/* layer pixel of the bbox's top left */
};

/* Operators spice-server's pixman renders exactly like fb. */
static Bool
qxl_render_op_ok(int op, Bool mask)
{
	if (op <= PictOpSaturate)
		return TRUE;
	/* the non-separable (HSL) blend modes have no component-alpha form */
	if (op >= PictOpMultiply && op <= PictOpHSLLuminosity)
		return !mask || op <= PictOpExclusion;
	return FALSE;
}

static Bool
qxl_render_affine(const PictTransform *t)
{
	return !t || (t->matrix[2][0] == 0 && t->matrix[2][1] == 0 &&
		      t->matrix[2][2] == pixman_fixed_1);
}

/* Is a 16-bit colour the 8-bit one the device gets, exactly? */
static Bool
qxl_color_8bit(const xRenderColor *c)
{
	return c->red % 257 == 0 && c->green % 257 == 0 && c->blue % 257 == 0 &&
	       c->alpha % 257 == 0;
}

/*
 * pixman renders some blend modes in floating point, from a solid
 * colour's 16 bits: the device's 8-bit copy of a finer colour differs.
 */
static Bool
qxl_render_precise(int op, const struct qxl_layer *src, const struct qxl_layer *mask)
{
	return op < PictOpMultiply || (!src->wide && !(mask && mask->wide));
}

/* A picture as a layer; FALSE with 'why' set when the device cannot use it. */
static Bool
qxl_layer_of(PicturePtr p, Bool is_mask, struct qxl_layer *l, const char **why)
{
	PixmapPtr pix;

	memset(l, 0, sizeof(*l));
	if (p->alphaMap || p->clientClip) {
		*why = "alpha map or client clip";
		return FALSE;
	}
	if (!p->pDrawable) {
		if (!p->pSourcePict || p->pSourcePict->type != SourcePictTypeSolidFill) {
			*why = "gradient";
			return FALSE;
		}
		l->solid = 1;
		l->color = (uint32_t)(p->pSourcePict->solidFill.fullcolor.alpha >> 8) << 24 |
			   (uint32_t)(p->pSourcePict->solidFill.fullcolor.red >> 8) << 16 |
			   (uint32_t)(p->pSourcePict->solidFill.fullcolor.green >> 8) << 8 |
			   (uint32_t)(p->pSourcePict->solidFill.fullcolor.blue >> 8);
		l->ca = is_mask && p->componentAlpha;
		l->wide = !qxl_color_8bit(&p->pSourcePict->solidFill.fullcolor);
		return TRUE;
	}
	if (p->pDrawable->type != DRAWABLE_PIXMAP) {
		*why = "window source";
		return FALSE;
	}
	pix = (PixmapPtr)p->pDrawable;
	if (pix == p->pDrawable->pScreen->GetScreenPixmap(p->pDrawable->pScreen) ||
	    !pix->devPrivate.ptr) {
		*why = "screen or device pixmap source";
		return FALSE;
	}
	switch (p->format) {
	case PICT_a8r8g8b8:
	case PICT_x8r8g8b8:
	case PICT_a8:
	case PICT_a1:
		break;
	default:
		*why = "picture format";
		return FALSE;
	}
	if (!qxl_render_affine(p->transform)) {
		*why = "projective transform";
		return FALSE;
	}
	switch (p->filter) {
	case PictFilterNearest:
	case PictFilterFast:
		l->filter = PIXMAN_FILTER_NEAREST;
		break;
	case PictFilterBilinear:
	case PictFilterGood:
		l->filter = PIXMAN_FILTER_BILINEAR;
		break;
	default:
		*why = "filter";
		return FALSE;
	}
	l->bits = pix->devPrivate.ptr;
	l->stride = pix->devKind;
	l->w = pix->drawable.width;
	l->h = pix->drawable.height;
	l->format = p->format;
	l->repeat = p->repeat ? p->repeatType : RepeatNone;
	l->ca = is_mask && p->componentAlpha;
	l->transform = p->transform;
	if (is_mask && l->ca && (p->format == PICT_a8 || p->format == PICT_a1)) {
		*why = "component alpha of an alpha-only mask";
		return FALSE;
	}
	return TRUE;
}

/* Pixel (x, y) of a layer as a8r8g8b8, the way pixman reads its format. */
static uint32_t
qxl_layer_pixel(const struct qxl_layer *l, int x, int y)
{
	const uint8_t *row = l->bits + (size_t)l->stride * y;

	switch (l->format) {
	case PICT_a8r8g8b8:
		return ((const uint32_t *)row)[x];
	case PICT_x8r8g8b8:
		return ((const uint32_t *)row)[x] | 0xff000000u;
	case PICT_a8:
		return (uint32_t)row[x] << 24;
	default:	/* a1, least significant bit first in 32-bit units */
		return (((const uint32_t *)row)[x >> 5] >> (x & 31) & 1) ? 0xff000000u : 0;
	}
}

/*
 * The part of a layer the device needs for a w x h destination box:
 * only the box's pixels when they lie untransformed inside the layer (or
 * outside it without repeat: transparent either way), else all of it.
 * Sets the part and the layer pixel of the box's top left in it.
 */
static Bool
qxl_layer_part(struct qxl_layer *l, int w, int h, BoxPtr part, int *ox, int *oy)
{
	BoxRec need = { l->ox, l->oy, l->ox + w, l->oy + h };

	if (!l->transform &&
	    ((need.x1 >= 0 && need.y1 >= 0 && need.x2 <= l->w && need.y2 <= l->h) ||
	     l->repeat == RepeatNone)) {
		part->x1 = need.x1 > 0 ? need.x1 : 0;
		part->y1 = need.y1 > 0 ? need.y1 : 0;
		part->x2 = need.x2 < l->w ? need.x2 : l->w;
		part->y2 = need.y2 < l->h ? need.y2 : l->h;
		if (part->x1 >= part->x2 || part->y1 >= part->y2)
			return FALSE;
		*ox = need.x1 - part->x1;
		*oy = need.y1 - part->y1;
		l->repeat = RepeatNone;
		return TRUE;
	}
	if ((uint64_t)l->w * l->h > QXL_RENDER_WHOLE_MAX)
		return FALSE;
	part->x1 = 0;
	part->y1 = 0;
	part->x2 = l->w;
	part->y2 = l->h;
	*ox = l->ox;
	*oy = l->oy;
	return TRUE;
}

static void
qxl_img_cache_id(struct qxl_screen *qs, struct qxl_img *im, uint8_t format)
{
	struct qxl_devif_siphash id;

	if (!qs->image_cache)
		return;
	qxl_img_id_begin(qs, &id);
	qxl_devif_siphash_update(&id, im->data, (size_t)im->stride * im->h);
	qxl_devif_siphash_update(&id, &format, 1);
	qxl_img_id_end(im, &id);
}

/* A source part as an RGBA (alpha) or 32-bit (x8r8g8b8) image. */
static Bool
qxl_source_img(struct qxl_screen *qs, const struct qxl_layer *l, const BoxRec *part,
	       struct qxl_img *im)
{
	int w = part->x2 - part->x1, h = part->y2 - part->y1, x, y;
	uint8_t fmt;

	if (l->solid) {
		if (!qxl_img_new(qs, 1, 1, QXL_BITMAP_FMT_RGBA, 32, 0, im))
			return FALSE;
		memcpy(im->data, &l->color, 4);
		qxl_img_cache_id(qs, im, QXL_BITMAP_FMT_RGBA);
		return TRUE;
	}
	fmt = l->format == PICT_x8r8g8b8 ? QXL_BITMAP_FMT_32BIT : QXL_BITMAP_FMT_RGBA;
	if (!qxl_img_new(qs, w, h, fmt, 32, 0, im))
		return FALSE;
	for (y = 0; y < h; y++) {
		uint32_t *out = (uint32_t *)(im->data + (size_t)im->stride * y);

		if (l->format == PICT_a8r8g8b8 || l->format == PICT_x8r8g8b8) {
			memcpy(out, l->bits + (size_t)l->stride * (part->y1 + y) + part->x1 * 4,
			       (size_t)w * 4);
			continue;
		}
		for (x = 0; x < w; x++)
			out[x] = qxl_layer_pixel(l, part->x1 + x, part->y1 + y);
	}
	qxl_img_cache_id(qs, im, fmt);
	return TRUE;
}

/*
 * A mask part as the component-alpha x8r8g8b8 image the device blends
 * with: grey levels of the alpha as a 1, 4 or 8-bit palette image, or the
 * colour channels of a component-alpha mask as 32 bits.
 */
static Bool
qxl_mask_img(struct qxl_screen *qs, const struct qxl_layer *l, const BoxRec *part,
	     struct qxl_img *im)
{
	int w = part->x2 - part->x1, h = part->y2 - part->y1, x, y, n = 0, bpp;
	uint8_t idx[256];
	uint32_t pal[256];
	Bool used[256] = { FALSE };

	if (l->ca) {
		if (!qxl_img_new(qs, w, h, QXL_BITMAP_FMT_32BIT, 32, 0, im))
			return FALSE;
		for (y = 0; y < h; y++) {
			uint32_t *out = (uint32_t *)(im->data + (size_t)im->stride * y);

			for (x = 0; x < w; x++)
				out[x] = qxl_layer_pixel(l, part->x1 + x, part->y1 + y) & 0xffffff;
		}
		qxl_img_cache_id(qs, im, QXL_BITMAP_FMT_32BIT);
		return TRUE;
	}
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			used[qxl_layer_pixel(l, part->x1 + x, part->y1 + y) >> 24] = TRUE;
	for (x = 0; x < 256; x++) {
		if (!used[x])
			continue;
		idx[x] = (uint8_t)n;
		pal[n++] = (uint32_t)x * 0x010101u;
	}
	if (n < 2)		/* palettes hold 2 colours or more */
		pal[n++] = 0;
	bpp = qxl_palette_bpp(n);
	if (!qxl_img_new(qs, w, h, bpp == 1 ? QXL_BITMAP_FMT_1BIT_BE :
			 bpp == 4 ? QXL_BITMAP_FMT_4BIT_BE : QXL_BITMAP_FMT_8BIT, bpp, n, im))
		return FALSE;
	memcpy(im->pal, pal, 4 * (size_t)n);
	for (y = 0; y < h; y++) {
		uint8_t *out = im->data + (size_t)im->stride * y;

		memset(out, 0, im->stride);
		for (x = 0; x < w; x++)
			qxl_palette_put(out, bpp, x,
					idx[qxl_layer_pixel(l, part->x1 + x, part->y1 + y) >> 24]);
	}
	return TRUE;
}

/* A layer's transform in the batch's data, pointed at by field 'at'. */
static Bool
qxl_transform_reloc(struct qxl_screen *qs, const PictTransform *t, size_t at)
{
	struct qxl_transform *q;
	uint32_t handle, off;

	q = (struct qxl_transform *)qxl_batch_data(qs, sizeof(*q), &handle, &off);
	if (!q)
		return FALSE;
	q->t00 = (uint32_t)t->matrix[0][0];
	q->t01 = (uint32_t)t->matrix[0][1];
	q->t02 = (uint32_t)t->matrix[0][2];
	q->t10 = (uint32_t)t->matrix[1][0];
	q->t11 = (uint32_t)t->matrix[1][1];
	q->t12 = (uint32_t)t->matrix[1][2];
	qxl_batch_reloc(qs, 0, at, handle, off);
	return TRUE;
}

/* The parts of the layers a composite sends, and their origins. */
struct qxl_plan {
	BoxRec spart, mpart;
	int sx, sy, mx, my;
};

/*
 * Plan a draw-composite of 'src' through 'mask' (NULL: none) onto 'reg'
 * (layer origins set for the region's top left).  FALSE, with 'why': the
 * device cannot draw it, or it is not the cheaper command.
 */
static Bool
qxl_render_plan(struct qxl_layer *src, struct qxl_layer *mask, RegionPtr reg,
		struct qxl_plan *p, const char **why)
{
	BoxPtr ext = RegionExtents(reg);
	int w = ext->x2 - ext->x1, h = ext->y2 - ext->y1;

	p->spart = (BoxRec){ 0, 0, 1, 1 };
	p->sx = p->sy = p->mx = p->my = 0;
	if (src->solid) {
		src->repeat = RepeatNormal;
		src->filter = PIXMAN_FILTER_NEAREST;
		src->transform = NULL;
	} else if (!qxl_layer_part(src, w, h, &p->spart, &p->sx, &p->sy)) {
		*why = "source part too large";
		return FALSE;
	}
	if (mask && mask->solid) {
		/* a solid mask is a grey (or coloured) 1x1 repeating image */
		mask->repeat = RepeatNormal;
		mask->filter = PIXMAN_FILTER_NEAREST;
		mask->transform = NULL;
		mask->bits = (const uint8_t *)&mask->color;
		mask->stride = 4;
		mask->w = mask->h = 1;
		mask->format = PICT_a8r8g8b8;
		p->mpart = (BoxRec){ 0, 0, 1, 1 };
	} else if (mask && !qxl_layer_part(mask, w, h, &p->mpart, &p->mx, &p->my)) {
		*why = "mask part too large";
		return FALSE;
	}
	if (p->sx != (int16_t)p->sx || p->sy != (int16_t)p->sy ||
	    p->mx != (int16_t)p->mx || p->my != (int16_t)p->my) {
		*why = "origin beyond 16 bits";
		return FALSE;
	}
	/*
	 * The cheapest command.  A plain copy (no mask, a source sent 1:1)
	 * costs as much as the 32-bit pixels of the result, which the damage
	 * upload may send as a palette image and sends once however often the
	 * area is drawn before the server blocks; so does anything whose
	 * images are larger than those pixels.
	 */
	if (!mask && !src->solid && !src->transform &&
	    (uint64_t)(p->spart.x2 - p->spart.x1) * (p->spart.y2 - p->spart.y1) >=
	    qxl_region_area(reg)) {
		*why = "a plain copy: cheaper as the resulting pixels";
		return FALSE;
	}
	if (4 * (uint64_t)(p->spart.x2 - p->spart.x1) * (p->spart.y2 - p->spart.y1) +
	    (mask ? (mask->ca ? 4 : 1) * (uint64_t)(p->mpart.x2 - p->mpart.x1) *
		    (p->mpart.y2 - p->mpart.y1) : 0) >
	    4 * qxl_region_area(reg) + 64) {
		*why = "images larger than the resulting pixels";
		return FALSE;
	}
	return TRUE;
}

/*
 * The planned draw-composite onto 'reg' of the primary (inside the
 * viewport, settled).  FALSE: nothing was sent.
 */
static Bool
qxl_render_emit(struct qxl_screen *qs, struct qxl_render *r, int op,
		const struct qxl_layer *src, const struct qxl_layer *mask, RegionPtr reg,
		const struct qxl_plan *p)
{
	BoxPtr ext = RegionExtents(reg);
	int n = RegionNumRects(reg);
	struct qxl_img sim, mim;
	struct qxl_drawable *d;
	uint32_t flags;

	/* the image data and the command must not be split by a submission */
	qxl_batch_room(qs, 8);
	if (!qxl_source_img(qs, src, &p->spart, &sim) ||
	    (mask && !qxl_mask_img(qs, mask, &p->mpart, &mim)))
		return FALSE;
	d = qxl_batch_draw(qs, QXL_DRAW_COMPOSITE, ext);
	/* the result depends on what is under it: never drop older drawables */
	d->effect = QXL_EFFECT_BLEND;
	flags = (uint32_t)op << QXL_COMPOSITE_OP_SHIFT |
		(uint32_t)src->filter << QXL_COMPOSITE_SRC_FILTER_SHIFT |
		(uint32_t)src->repeat << QXL_COMPOSITE_SRC_REPEAT_SHIFT |
		QXL_COMPOSITE_DEST_OPAQUE;
	qxl_img_relocs(qs, &sim, offsetof(struct qxl_drawable, u.composite.src));
	if (src->transform) {
		flags |= QXL_COMPOSITE_HAS_SRC_TRANSFORM;
		if (!qxl_transform_reloc(qs, src->transform,
					 offsetof(struct qxl_drawable, u.composite.src_transform)))
			goto nop;
	}
	if (mask) {
		flags |= QXL_COMPOSITE_HAS_MASK | QXL_COMPOSITE_COMPONENT_ALPHA |
			 (uint32_t)mask->filter << QXL_COMPOSITE_MASK_FILTER_SHIFT |
			 (uint32_t)mask->repeat << QXL_COMPOSITE_MASK_REPEAT_SHIFT;
		qxl_img_relocs(qs, &mim, offsetof(struct qxl_drawable, u.composite.mask));
		if (mask->transform) {
			flags |= QXL_COMPOSITE_HAS_MASK_TRANSFORM;
			if (!qxl_transform_reloc(qs, mask->transform,
						 offsetof(struct qxl_drawable,
							  u.composite.mask_transform)))
				goto nop;
		}
	}
	d->u.composite.flags = flags;
	d->u.composite.src_origin.x = (int16_t)p->sx;
	d->u.composite.src_origin.y = (int16_t)p->sy;
	d->u.composite.mask_origin.x = (int16_t)p->mx;
	d->u.composite.mask_origin.y = (int16_t)p->my;
	if (n > 1 && !qxl_batch_clip(qs, d, RegionRects(reg), n))
		goto nop;
	r->composites++;
	r->image_bytes += (unsigned long)sim.stride * sim.h +
			  (mask ? (unsigned long)mim.stride * mim.h : 0);
	return TRUE;
nop:
	/* out of device memory half-way: the command must not draw */
	d->type = QXL_DRAW_NOP;
	return FALSE;
}

/* Plan and emit: one draw-composite.  FALSE, with 'why': nothing was sent. */
static Bool
qxl_render_send(struct qxl_screen *qs, struct qxl_render *r, int op, struct qxl_layer *src,
		struct qxl_layer *mask, RegionPtr reg, const char **why)
{
	struct qxl_plan p;

	if (!qxl_render_plan(src, mask, reg, &p, why))
		return FALSE;
	*why = "no device memory";
	return qxl_render_emit(qs, r, op, src, mask, reg, &p);
}

/* May the device draw on 'dst'?  Its viewport then. */
static Bool
qxl_render_dst_ok(struct qxl_screen *qs, PicturePtr dst, BoxPtr vp)
{
	return dst->pDrawable && !dst->alphaMap && dst->format == PICT_x8r8g8b8 &&
	       qxl_can_accel(qs, dst->pDrawable, vp);
}

static void
qxl_render_fallback(struct qxl_screen *qs, struct qxl_render *r, const char *what,
		    const char *why)
{
	r->fallbacks++;
	r->last_what = what;
	r->last_why = why;
	qxl_fallback(qs, what, why);
}

/*
 * Is a command worth sending for 'reg'?  Not when most of it is drawn a
 * third time since the server last blocked (x11perf, redrawing one
 * place), or lies in software damage not sent yet.  Left as damage, all
 * the drawing there costs one upload of the result when the server
 * blocks; commands would each carry their images.  (A second time is
 * still sent: a shape over a shape is common and cheaper as commands.)
 */
static Bool
qxl_render_worth(struct qxl_screen *qs, struct qxl_render *r, RegionPtr reg)
{
	if (!qxl_mostly_redrawn(qs, reg, &r->twice))
		return TRUE;
	r->redrawn++;
	return FALSE;
}

/* The device drew 'reg' by a composite. */
static void
qxl_render_drawn(struct qxl_screen *qs, struct qxl_render *r, RegionPtr reg)
{
	RegionRec again;

	RegionNull(&again);
	RegionIntersect(&again, reg, &r->drawn);
	RegionUnion(&r->twice, &r->twice, &again);
	RegionUninit(&again);
	RegionUnion(&r->drawn, &r->drawn, reg);
	qxl_claim(qs, reg);
}

static void
qxl_composite(CARD8 op, PicturePtr src, PicturePtr mask, PicturePtr dst, INT16 xs, INT16 ys,
	      INT16 xm, INT16 ym, INT16 xd, INT16 yd, CARD16 w, CARD16 h)
{
	ScreenPtr screen = dst->pDrawable->pScreen;
	PictureScreenPtr ps = GetPictureScreen(screen);
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	struct qxl_render *r = qxl_render_of(screen);
	struct qxl_layer sl, ml;
	struct qxl_plan plan;
	const char *why = NULL;
	RegionRec reg;
	BoxRec vp;
	Bool accel;

	accel = qxl_render_dst_ok(qs, dst, &vp);
	if (accel && !qxl_render_op_ok(op, mask != NULL))
		why = "operator";
	else if (accel && (!qxl_layer_of(src, FALSE, &sl, &why) ||
			   (mask && !qxl_layer_of(mask, TRUE, &ml, &why))))
		accel = FALSE;
	else if (accel && !qxl_render_precise(op, &sl, mask ? &ml : NULL))
		why = "blend mode with a solid colour finer than 8 bits";
	if (why)
		accel = FALSE;
	if (accel) {
		RegionNull(&reg);
		/* on FALSE it has released the region itself */
		if (!miComputeCompositeRegion(&reg, src, mask, dst, xs, ys, xm, ym, xd, yd,
					      w, h))
			accel = FALSE;
	}
	if (accel) {
		qxl_clip_to(&reg, &vp);
		if (RegionNotEmpty(&reg)) {
			BoxPtr ext = RegionExtents(&reg);
			int dx = ext->x1 - (xd + dst->pDrawable->x);
			int dy = ext->y1 - (yd + dst->pDrawable->y);

			/* the layers' pixels of the region's top left */
			sl.ox = xs + dx;
			sl.oy = ys + dy;
			if (mask) {
				ml.ox = xm + dx;
				ml.oy = ym + dy;
			}
		}
		/*
		 * Decided before anything is settled: what stays damage must
		 * not push older damage out (it is uploaded once, together).
		 */
		if (!RegionNotEmpty(&reg) || !qs->damage || !qxl_render_worth(qs, r, &reg) ||
		    !qxl_render_plan(&sl, mask ? &ml : NULL, &reg, &plan, &why)) {
			accel = FALSE;
			RegionUninit(&reg);
		} else {
			qxl_settle(qs, &reg);
		}
	}
	ps->Composite = r->Composite;
	ps->Composite(op, src, mask, dst, xs, ys, xm, ym, xd, yd, w, h);
	ps->Composite = qxl_composite;
	if (why)
		qxl_render_fallback(qs, r, "Composite", why);
	if (!accel)
		return;
	if (qxl_render_emit(qs, r, op, &sl, mask ? &ml : NULL, &reg, &plan))
		qxl_render_drawn(qs, r, &reg);
	else
		qxl_render_fallback(qs, r, "Composite", "no device memory");
	RegionUninit(&reg);
}

/* ---- trapezoids and triangles ---- */

/*
 * Operators for which a zero mask leaves the destination alone: pixman
 * composites trapezoids over their extents only for those (the others
 * cover the whole destination).
 */
static Bool
qxl_shape_op_ok(int op)
{
	switch (op) {
	case PictOpDst:
	case PictOpOver:
	case PictOpOverReverse:
	case PictOpOutReverse:
	case PictOpAtop:
	case PictOpXor:
	case PictOpAdd:
		return TRUE;
	default:
		return FALSE;
	}
}

/* Extents of the valid trapezoids, the way pixman computes them. */
static Bool
qxl_trap_extents(const xTrapezoid *t, int n, BoxPtr b)
{
	int i;

	b->x1 = b->y1 = INT16_MAX;
	b->x2 = b->y2 = INT16_MIN;
	for (i = 0; i < n; i++) {
		const xFixed x[4] = { t[i].left.p1.x, t[i].left.p2.x,
				      t[i].right.p1.x, t[i].right.p2.x };
		int k, v;

		if (!pixman_trapezoid_valid((const pixman_trapezoid_t *)&t[i]))
			continue;
		v = pixman_fixed_to_int(t[i].top);
		if (v < b->y1) b->y1 = v;
		v = pixman_fixed_to_int(pixman_fixed_ceil(t[i].bottom));
		if (v > b->y2) b->y2 = v;
		for (k = 0; k < 4; k++) {
			v = pixman_fixed_to_int(x[k]);
			if (v < b->x1) b->x1 = v;
			v = pixman_fixed_to_int(pixman_fixed_ceil(x[k]));
			if (v > b->x2) b->x2 = v;
		}
	}
	return b->x1 < b->x2 && b->y1 < b->y2;
}

/* Extents of triangles: pixman splits each into two trapezoids. */
static Bool
qxl_tri_extents(const xTriangle *t, int n, BoxPtr b)
{
	int i;

	b->x1 = b->y1 = INT16_MAX;
	b->x2 = b->y2 = INT16_MIN;
	for (i = 0; i < n; i++) {
		const xPointFixed *p[3] = { &t[i].p1, &t[i].p2, &t[i].p3 };
		int k, v;

		/* all corners on one line: both trapezoids are empty */
		if (t[i].p1.y == t[i].p2.y && t[i].p2.y == t[i].p3.y)
			continue;
		for (k = 0; k < 3; k++) {
			v = pixman_fixed_to_int(p[k]->x);
			if (v < b->x1) b->x1 = v;
			v = pixman_fixed_to_int(pixman_fixed_ceil(p[k]->x));
			if (v > b->x2) b->x2 = v;
			v = pixman_fixed_to_int(p[k]->y);
			if (v < b->y1) b->y1 = v;
			v = pixman_fixed_to_int(pixman_fixed_ceil(p[k]->y));
			if (v > b->y2) b->y2 = v;
		}
	}
	return b->x1 < b->x2 && b->y1 < b->y2;
}

/* Shapes [0, n) of 'traps' or 'tris': their extents. */
static Bool
qxl_shape_extents(const xTrapezoid *traps, const xTriangle *tris, int n, BoxPtr b)
{
	return traps ? qxl_trap_extents(traps, n, b) : qxl_tri_extents(tris, n, b);
}

/*
 * The device side of pixman_composite_trapezoids for shapes [0, n): the
 * mask of their extents 'box' (window coordinates) rasterized like
 * pixman does, composited over 'reg' (box on the screen, clipped).
 */
static Bool
qxl_shape_send(struct qxl_screen *qs, struct qxl_render *r, int op, const struct qxl_layer *src,
	       DrawablePtr d, pixman_format_code_t fmt, INT16 xs, INT16 ys,
	       const xTrapezoid *traps, const xTriangle *tris, int n, const BoxRec *box,
	       RegionPtr reg, const char **why)
{
	BoxPtr ext = RegionExtents(reg);
	struct qxl_layer sl = *src, ml;
	pixman_image_t *m;
	Bool ok;
	int i;

	m = pixman_image_create_bits(fmt, box->x2 - box->x1, box->y2 - box->y1, NULL, 0);
	if (!m) {
		*why = "no memory for the mask";
		return FALSE;
	}
	if (traps) {
		for (i = 0; i < n; i++)
			if (pixman_trapezoid_valid((const pixman_trapezoid_t *)&traps[i]))
				pixman_rasterize_trapezoid(m, (const pixman_trapezoid_t *)&traps[i],
							   -box->x1, -box->y1);
	} else {
		pixman_add_triangles(m, -box->x1, -box->y1, n, (const pixman_triangle_t *)tris);
	}
	memset(&ml, 0, sizeof(ml));
	ml.bits = (const uint8_t *)pixman_image_get_data(m);
	ml.stride = pixman_image_get_stride(m);
	ml.w = box->x2 - box->x1;
	ml.h = box->y2 - box->y1;
	ml.format = fmt == PIXMAN_a1 ? PICT_a1 : PICT_a8;
	ml.filter = PIXMAN_FILTER_NEAREST;
	/* mask pixel (0,0) is window pixel box->x1,y1, source pixel xs + box->x1 */
	ml.ox = ext->x1 - (d->x + box->x1);
	ml.oy = ext->y1 - (d->y + box->y1);
	sl.ox = xs + box->x1 + ml.ox;
	sl.oy = ys + box->y1 + ml.oy;
	ok = qxl_render_send(qs, r, op, &sl, &ml, reg, why);
	pixman_image_unref(m);
	if (ok)
		r->shapes++;
	return ok;
}

/* Box 'b' of window 'd' on the screen, clipped to the picture and the viewport. */
static void
qxl_shape_region(RegionPtr reg, PicturePtr dst, const BoxRec *b, const BoxRec *vp)
{
	RegionInit(reg, (BoxPtr)b, 1);
	RegionTranslate(reg, dst->pDrawable->x, dst->pDrawable->y);
	RegionIntersect(reg, reg, dst->pCompositeClip);
	if (vp)
		qxl_clip_to(reg, vp);
}

static void qxl_trapezoids(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf,
			   INT16 xs, INT16 ys, int n, xTrapezoid *traps);
static void qxl_triangles(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf,
			  INT16 xs, INT16 ys, int n, xTriangle *tris);

/*
 * Trapezoids or triangles (exactly one of 'traps', 'tris' is set), drawn
 * by fb (fbShapes: pixman_composite_trapezoids, all shapes through one
 * mask of format 'mf', or one by one without), then the same on the
 * device: one composite per mask.  fb reports its whole composite clip
 * as damage: the damage after it is what was owed before plus what the
 * shapes can change and the device did not draw.
 */
static void
qxl_shapes(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf, INT16 xs, INT16 ys,
	   int n, xTrapezoid *traps, xTriangle *tris)
{
	ScreenPtr screen = dst->pDrawable->pScreen;
	PictureScreenPtr ps = GetPictureScreen(screen);
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	struct qxl_render *r = qxl_render_of(screen);
	const char *what = traps ? "Trapezoids" : "Triangles", *not_sent = NULL;
	RegionRec reg, owed, pending, drawn;
	pixman_format_code_t fmt;
	struct qxl_layer sl;
	const char *why = NULL;
	BoxRec vp, box;
	Bool known, accel;
	int i, per;

	/* only the front buffer's damage is ours to correct */
	known = qs->damage && qxl_on_front(dst->pDrawable) && qxl_shape_op_ok(op) &&
		qxl_shape_extents(traps, tris, n, &box);
	accel = known && qxl_render_dst_ok(qs, dst, &vp);
	/* without a mask format fb composites each shape through its own mask */
	fmt = mf ? (PICT_FORMAT_A(mf->format) == 1 ? PIXMAN_a1 : PIXMAN_a8) :
	      dst->polyEdge == PolyEdgeSharp ? PIXMAN_a1 : PIXMAN_a8;
	if (accel && mf && PICT_FORMAT_A(mf->format) != 1 && PICT_FORMAT_A(mf->format) != 8)
		why = "mask format";
	else if (accel && !qxl_layer_of(src, FALSE, &sl, &why))
		accel = FALSE;
	if (why)
		accel = FALSE;
	if (known) {
		qxl_shape_region(&reg, dst, &box, NULL);
		if (accel) {
			qxl_clip_to(&reg, &vp);
			if (qxl_render_worth(qs, r, &reg))
				qxl_settle(qs, &reg);
			else
				accel = FALSE;
		}
		RegionNull(&owed);
		RegionNull(&pending);
		RegionCopy(&owed, DamageRegion(qs->damage));
		RegionCopy(&pending, &qs->damage->pendingDamage);
	}
	if (traps) {
		ps->Trapezoids = r->Trapezoids;
		ps->Trapezoids(op, src, dst, mf, xs, ys, n, traps);
		ps->Trapezoids = qxl_trapezoids;
	} else {
		ps->Triangles = r->Triangles;
		ps->Triangles(op, src, dst, mf, xs, ys, n, tris);
		ps->Triangles = qxl_triangles;
	}
	if (why)
		qxl_render_fallback(qs, r, what, why);
	if (!known)
		return;
	RegionNull(&drawn);
	per = mf ? n : 1;
	for (i = 0; accel && i < n; i += per) {
		const xTrapezoid *t = traps ? traps + i : NULL;
		const xTriangle *tr = tris ? tris + i : NULL;
		RegionRec part;

		if (!qxl_shape_extents(t, tr, per, &box))
			continue;
		qxl_shape_region(&part, dst, &box, &vp);
		if (RegionNotEmpty(&part)) {
			if (qxl_shape_send(qs, r, op, &sl, dst->pDrawable, fmt, xs, ys, t, tr, per,
					   &box, &part, &not_sent))
				RegionUnion(&drawn, &drawn, &part);
			else
				accel = FALSE;
		}
		RegionUninit(&part);
	}
	if (!accel || qs->failed) {
		/*
		 * Not drawn, or only the shapes before one that could not be
		 * sent: later shapes may cover earlier ones, so all is owed.
		 * After a failed submission (qxl_lost) the composites may
		 * have blended over what the device never got: owed too.
		 */
		if (not_sent)
			qxl_render_fallback(qs, r, what, not_sent);
		RegionUnion(&owed, &owed, &reg);
		RegionEmpty(&drawn);
	}
	RegionCopy(DamageRegion(qs->damage), &owed);
	RegionCopy(&qs->damage->pendingDamage, &pending);
	qxl_render_drawn(qs, r, &drawn);
	RegionUninit(&drawn);
	RegionUninit(&owed);
	RegionUninit(&pending);
	RegionUninit(&reg);
}

static void
qxl_trapezoids(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf, INT16 xs, INT16 ys,
	       int n, xTrapezoid *traps)
{
	qxl_shapes(op, src, dst, mf, xs, ys, n, traps, NULL);
}

static void
qxl_triangles(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf, INT16 xs, INT16 ys,
	      int n, xTriangle *tris)
{
	qxl_shapes(op, src, dst, mf, xs, ys, n, NULL, tris);
}

/* ---- glyphs ---- */

/* The picture of glyph 'g' if its pixels are in system memory. */
static PicturePtr
qxl_glyph_picture(GlyphPtr g, ScreenPtr screen)
{
	PicturePtr p = GetGlyphPicture(g, screen);

	if (!p || !p->pDrawable || p->pDrawable->type != DRAWABLE_PIXMAP ||
	    !((PixmapPtr)p->pDrawable)->devPrivate.ptr)
		return NULL;
	return p;
}

/*
 * The extents of the glyphs in picture coordinates, as pixman computes
 * them for fbGlyphs (glyphs without a picture do not count).  FALSE: a
 * glyph's pixels are not in system memory.
 */
static Bool
qxl_glyph_extents(ScreenPtr screen, int nlist, GlyphListPtr list, GlyphPtr *glyphs,
		  BoxPtr ext)
{
	int x = 0, y = 0, n;

	ext->x1 = ext->y1 = INT16_MAX;
	ext->x2 = ext->y2 = INT16_MIN;
	for (; nlist--; list++) {
		x += list->xOff;
		y += list->yOff;
		for (n = list->len; n--; glyphs++) {
			GlyphPtr g = *glyphs;

			if (GetGlyphPicture(g, screen)) {
				if (!qxl_glyph_picture(g, screen))
					return FALSE;
				if (x - g->info.x < ext->x1) ext->x1 = x - g->info.x;
				if (y - g->info.y < ext->y1) ext->y1 = y - g->info.y;
				if (x - g->info.x + g->info.width > ext->x2)
					ext->x2 = x - g->info.x + g->info.width;
				if (y - g->info.y + g->info.height > ext->y2)
					ext->y2 = y - g->info.y + g->info.height;
			}
			x += g->info.xOff;
			y += g->info.yOff;
		}
	}
	return ext->x1 < ext->x2 && ext->y1 < ext->y2;
}

/* The glyphs added into mask 'm' whose pixel (0,0) is 'ext' top left. */
static Bool
qxl_glyph_mask(ScreenPtr screen, pixman_image_t *m, const BoxRec *ext, int nlist,
	       GlyphListPtr list, GlyphPtr *glyphs)
{
	int x = 0, y = 0, n;

	for (; nlist--; list++) {
		x += list->xOff;
		y += list->yOff;
		for (n = list->len; n--; glyphs++) {
			GlyphPtr g = *glyphs;
			PicturePtr p = qxl_glyph_picture(g, screen);

			if (p) {
				PixmapPtr pix = (PixmapPtr)p->pDrawable;
				pixman_image_t *gi;

				gi = pixman_image_create_bits((pixman_format_code_t)p->format,
							      pix->drawable.width,
							      pix->drawable.height,
							      pix->devPrivate.ptr, pix->devKind);
				if (!gi)
					return FALSE;
				pixman_image_composite32(PIXMAN_OP_ADD, gi, NULL, m, 0, 0, 0, 0,
							 x - g->info.x - ext->x1,
							 y - g->info.y - ext->y1,
							 pix->drawable.width, pix->drawable.height);
				pixman_image_unref(gi);
			}
			x += g->info.xOff;
			y += g->info.yOff;
		}
	}
	return TRUE;
}

/*
 * Glyphs through a mask (fbGlyphs: pixman_composite_glyphs) become one
 * composite through the same mask, built here the same way: every glyph
 * added into a cleared picture of the mask format; an ARGB mask is a
 * component-alpha mask.  Glyphs without a mask format go glyph by glyph
 * in software.
 */
static void
qxl_glyphs(CARD8 op, PicturePtr src, PicturePtr dst, PictFormatPtr mf, INT16 xs, INT16 ys,
	   int nlist, GlyphListPtr list, GlyphPtr *glyphs)
{
	ScreenPtr screen = dst->pDrawable->pScreen;
	PictureScreenPtr ps = GetPictureScreen(screen);
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	struct qxl_render *r = qxl_render_of(screen);
	struct qxl_layer sl, ml;
	const char *why = NULL;
	pixman_image_t *m;
	RegionRec reg;
	BoxRec vp, ext;
	uint32_t fmt = 0;
	Bool accel;

	/* a PictFormat leaves the bits per pixel out of its format code */
	if (mf)
		fmt = mf->format | (uint32_t)mf->depth << 24;
	accel = nlist > 0 && qxl_render_dst_ok(qs, dst, &vp);
	if (accel && !mf)
		why = "no mask format";
	else if (accel && fmt != PICT_a8 && fmt != PICT_a1 && fmt != PICT_a8r8g8b8)
		why = "mask format";
	else if (accel && !qxl_render_op_ok(op, TRUE))
		why = "operator";
	else if (accel && !qxl_layer_of(src, FALSE, &sl, &why))
		accel = FALSE;
	else if (accel && !qxl_render_precise(op, &sl, NULL))
		why = "blend mode with a solid colour finer than 8 bits";
	else if (accel && !qxl_glyph_extents(screen, nlist, list, glyphs, &ext))
		accel = FALSE;
	if (why)
		accel = FALSE;
	if (accel) {
		RegionInit(&reg, &ext, 1);
		RegionTranslate(&reg, dst->pDrawable->x, dst->pDrawable->y);
		RegionIntersect(&reg, &reg, dst->pCompositeClip);
		qxl_clip_to(&reg, &vp);
		if (qs->damage && qxl_render_worth(qs, r, &reg)) {
			qxl_settle(qs, &reg);
		} else {
			accel = FALSE;
			RegionUninit(&reg);
		}
	}
	ps->Glyphs = r->Glyphs;
	ps->Glyphs(op, src, dst, mf, xs, ys, nlist, list, glyphs);
	ps->Glyphs = qxl_glyphs;
	if (why)
		qxl_render_fallback(qs, r, "Glyphs", why);
	if (!accel)
		return;
	m = RegionNotEmpty(&reg) ?
	    pixman_image_create_bits((pixman_format_code_t)fmt, ext.x2 - ext.x1,
				     ext.y2 - ext.y1, NULL, 0) : NULL;
	if (m && qxl_glyph_mask(screen, m, &ext, nlist, list, glyphs)) {
		BoxPtr re = RegionExtents(&reg);

		memset(&ml, 0, sizeof(ml));
		ml.bits = (const uint8_t *)pixman_image_get_data(m);
		ml.stride = pixman_image_get_stride(m);
		ml.w = ext.x2 - ext.x1;
		ml.h = ext.y2 - ext.y1;
		ml.format = fmt;
		ml.filter = PIXMAN_FILTER_NEAREST;
		ml.ca = fmt == PICT_a8r8g8b8;
		ml.ox = re->x1 - (dst->pDrawable->x + ext.x1);
		ml.oy = re->y1 - (dst->pDrawable->y + ext.y1);
		/* the source is aligned with the first list's origin */
		sl.ox = xs + ext.x1 - list->xOff + ml.ox;
		sl.oy = ys + ext.y1 - list->yOff + ml.oy;
		const char *not_sent = "no device memory";

		if (qxl_render_send(qs, r, op, &sl, &ml, &reg, &not_sent))
			qxl_render_drawn(qs, r, &reg);
		else
			qxl_render_fallback(qs, r, "Glyphs", not_sent);
	} else if (RegionNotEmpty(&reg)) {
		qxl_render_fallback(qs, r, "Glyphs", "no memory for the mask");
	}
	if (m)
		pixman_image_unref(m);
	RegionUninit(&reg);
}

/* ---- setup ---- */

/* The server blocks: what was drawn is sent (qxl_front.c), a new round starts. */
static void
qxl_render_block(void *data, void *timeout)
{
	struct qxl_render *r = data;

	(void)timeout;
	RegionEmpty(&r->drawn);
	RegionEmpty(&r->twice);
}

static void
qxl_render_wakeup(void *data, int result)
{
	(void)data;
	(void)result;
}

Bool
qxl_render_init(ScreenPtr screen, struct qxl_screen *qs)
{
	PictureScreenPtr ps = GetPictureScreenIfSet(screen);
	struct qxl_render *r;

	if (!ps || !qs->batch)
		return TRUE;
	if (!dixRegisterPrivateKey(&qxl_render_key, PRIVATE_SCREEN, 0))
		return FALSE;
	r = calloc(1, sizeof(*r));
	if (!r)
		return FALSE;
	RegionNull(&r->drawn);
	RegionNull(&r->twice);
	if (!RegisterBlockAndWakeupHandlers(qxl_render_block, qxl_render_wakeup, r)) {
		free(r);
		return FALSE;
	}
	dixSetPrivate(&screen->devPrivates, &qxl_render_key, r);
	r->Composite = ps->Composite;
	ps->Composite = qxl_composite;
	r->Trapezoids = ps->Trapezoids;
	ps->Trapezoids = qxl_trapezoids;
	r->Triangles = ps->Triangles;
	ps->Triangles = qxl_triangles;
	r->Glyphs = ps->Glyphs;
	ps->Glyphs = qxl_glyphs;
	xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
		   "Render on the device: Composite and Glyphs with a mask format (Xft "
		   "text) onto the screen as draw-composite for the Porter-Duff operators and the "
		   "blend modes (separable ones with a mask), a8r8g8b8/x8r8g8b8/a8/a1 "
		   "pixmaps and solid colours as source and mask, affine transforms, "
		   "nearest and bilinear filters, every repeat mode, component alpha; "
		   "Trapezoids and Triangles as their rasterized mask composited; "
		   "gradients, window sources and other formats in software\n");
	return TRUE;
}

void
qxl_render_close(ScreenPtr screen, struct qxl_screen *qs)
{
	PictureScreenPtr ps = GetPictureScreenIfSet(screen);
	struct qxl_render *r;

	if (!ps || !qxl_render_key.initialized)
		return;
	r = qxl_render_of(screen);
	if (!r)
		return;
	ps->Composite = r->Composite;
	ps->Trapezoids = r->Trapezoids;
	ps->Triangles = r->Triangles;
	ps->Glyphs = r->Glyphs;
	xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
		   "Render statistics: %lu draw-composites (%lu for trapezoids/triangles), "
		   "%lu image bytes in them; %lu drawn a third time in a round left to the "
		   "damage upload; %lu Render operations in software (the latest: %s, %s)\n",
		   r->composites, r->shapes, r->image_bytes, r->redrawn, r->fallbacks,
		   r->last_what ? r->last_what : "none", r->last_why ? r->last_why : "-");
	dixSetPrivate(&screen->devPrivates, &qxl_render_key, NULL);
	RemoveBlockAndWakeupHandlers(qxl_render_block, qxl_render_wakeup, r);
	RegionUninit(&r->drawn);
	RegionUninit(&r->twice);
	free(r);
}
