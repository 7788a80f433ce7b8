/* SPDX-License-Identifier: MIT */
/*
 * Off-screen pixmaps as device surfaces (Option "EnableSurfaces").
 *
 * The mirror model holds for pixmaps too: fb renders every operation into
 * the pixmap's system memory, which stays authoritative (GetImage and
 * software fallbacks never wait for the device).  A pixmap that is copied
 * to the screen gets a device surface (ALLOC_SURF) the first time it is,
 * and from then on the device keeps a copy of it: a copy to the screen is
 * a draw-copy whose source is that surface, and only what changed in the
 * pixmap since the device last got it is sent, as the cheapest command
 * producing it (a fill, a palette image, a 32-bit image; qxl_send_pixels)
 * drawn on the surface just before the copy that reads it.  A pixmap
 * copied to the screen twice unchanged costs no image bytes the second
 * time.
 *
 * What changed is a Damage object on the pixmap (reported after each
 * operation, once its pixels are in the pixmap): anything fb,
 * Render or the core ops draw there, accelerated or not.  Copies into a
 * pixmap that has a surface are device copies too when their source is
 * on the device (another surfaced pixmap, or the same one): the damage of
 * the copied area is then dropped, no upload follows.
 *
 * Which pixmaps: depth 24 / 32 bpp (what a copy to the depth 24 screen can
 * come from), at least 16 pixels on a side and 1024 pixels in all.  A
 * smaller one is cheaper as an image every time: its upload is at most a
 * 4 KiB page, no more than the surface's own memory, and a surface costs
 * a create and a destroy command and one of the device's surface ids.
 * Only pixmaps fb allocated memory for: a pixmap whose header points at
 * other memory (MIT-SHM pixmaps, scratch headers of PutImage) changes
 * without damage and never gets a surface.
 *
 * Budget: surfaces share device memory with the command and image
 * buffers (our kernel: one pool; mainline: the surface BAR).  At most
 * QXL_PIX_MAX_BYTES (16 MiB) of it, and at most half the device's surface
 * ids go to pixmaps, so that image uploads never starve and mainline's
 * id reaping (which stalls) never runs.  Beyond that, or when the kernel
 * refuses ALLOC_SURF, the pixmap stays a plain pixmap (its copies go as
 * images, as without the option); the first refusal is logged.
 *
 * Lifetime: a pixmap's surface is closed when the pixmap is destroyed,
 * after the batch that may still name it is submitted; both kernels
 * destroy the device surface behind the commands that use it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "qxl_accel.h"
#include <damage.h>
#include <damagestr.h>
#include <fb.h>
#include <mi.h>
#include <pixmapstr.h>
#include <regionstr.h>

#define QXL_PIX_MIN_SIDE	16
#define QXL_PIX_MIN_AREA	1024
#define QXL_PIX_MAX_BYTES	(16u << 20)
#define QXL_PIX_MAX_SURFACES	512
/*
 * A pixmap redrawn in full before each copy to the screen (a double
 * buffer) gains nothing from a surface: every copy would send all its
 * pixels to the surface plus a copy command.  After this many such copies
 * in a row its surface is closed and it stays a plain pixmap.
 */
#define QXL_PIX_MAX_REDRAWN	4

struct qxl_pix {
	struct qxl_buf surf;		/* handle 0: no surface */
	DamagePtr dirty;		/* what the surface lacks */
	void *bits;			/* fb's own memory, NULL: never a surface */
	int refused;			/* no surface, do not ask again */
	int redrawn;			/* copies in a row of only changed pixels */
};

struct qxl_pixmaps {
	CreatePixmapProcPtr CreatePixmap;
	DestroyPixmapProcPtr DestroyPixmap;
	uint64_t bytes, max_bytes;
	unsigned int count, max_count;
	int refusal_logged;
	/* statistics for the log */
	unsigned long created, refused, dropped, copies, synced_boxes, pix_copies;
};

static DevPrivateKeyRec qxl_pix_key;

static struct qxl_pix *
qxl_pix_of(PixmapPtr pix)
{
	return dixGetPrivateAddr(&pix->devPrivates, &qxl_pix_key);
}

static void
qxl_pix_dirty_gone(DamagePtr damage, void *closure)
{
	struct qxl_pix *p = closure;

	(void)damage;
	p->dirty = NULL;
}

/*
 * A failed submission did not draw 'box' on the surface of 'target_pix'
 * (a struct qxl_pix): it is owed again.  A pixmap's surface is closed
 * only after a flush, so the batch never names a pixmap that is gone.
 */
void
qxl_pixmap_lost(void *target_pix, const BoxRec *box)
{
	struct qxl_pix *p = target_pix;

	if (p->dirty)
		qxl_region_add(DamageRegion(p->dirty), box);
}

/* Close the surface (submitting first what may still name it). */
static void
qxl_pix_drop(struct qxl_screen *qs, PixmapPtr pix)
{
	struct qxl_pixmaps *pm = qs->pixmaps;
	struct qxl_pix *p = qxl_pix_of(pix);

	if (p->dirty) {
		DamageUnregister(p->dirty);
		DamageDestroy(p->dirty);
		p->dirty = NULL;
	}
	if (!p->surf.handle)
		return;
	qxl_accel_flush(qs);
	pm->bytes -= p->surf.size;
	pm->count--;
	qxl_buf_destroy(qs->fd, &p->surf);
	memset(&p->surf, 0, sizeof(p->surf));
}

static PixmapPtr
qxl_pix_create(ScreenPtr screen, int w, int h, int depth, unsigned int hint)
{
	struct qxl_pixmaps *pm = qxl_screen_of(xf86ScreenToScrn(screen))->pixmaps;
	PixmapPtr pix;

	screen->CreatePixmap = pm->CreatePixmap;
	pix = screen->CreatePixmap(screen, w, h, depth, hint);
	screen->CreatePixmap = qxl_pix_create;
	if (pix) {
		struct qxl_pix *p = qxl_pix_of(pix);

		memset(p, 0, sizeof(*p));
		if (w > 0 && h > 0)
			p->bits = pix->devPrivate.ptr;
	}
	return pix;
}

static Bool
qxl_pix_destroy(PixmapPtr pix)
{
	ScreenPtr screen = pix->drawable.pScreen;
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	struct qxl_pixmaps *pm = qs->pixmaps;
	Bool ret;

	if (pix->refcnt == 1)
		qxl_pix_drop(qs, pix);
	screen->DestroyPixmap = pm->DestroyPixmap;
	ret = screen->DestroyPixmap(pix);
	screen->DestroyPixmap = qxl_pix_destroy;
	return ret;
}

/* May this pixmap have a surface (see the top of the file)? */
static Bool
qxl_pix_eligible(PixmapPtr pix)
{
	struct qxl_pix *p = qxl_pix_of(pix);
	DrawablePtr d = &pix->drawable;

	return d->depth == 24 && d->bitsPerPixel == 32 && p->bits &&
	       pix->devPrivate.ptr == p->bits && !p->refused &&
	       d->width >= QXL_PIX_MIN_SIDE && d->height >= QXL_PIX_MIN_SIDE &&
	       d->width * d->height >= QXL_PIX_MIN_AREA &&
	       pix != d->pScreen->GetScreenPixmap(d->pScreen);
}

static void
qxl_pix_refuse(struct qxl_screen *qs, struct qxl_pix *p, const char *why)
{
	struct qxl_pixmaps *pm = qs->pixmaps;

	p->refused = 1;
	pm->refused++;
	if (pm->refusal_logged)
		return;
	pm->refusal_logged = 1;
	xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
		   "Surfaces: a pixmap stays in system memory (%s); its copies to the "
		   "screen go as images (logged once)\n", why);
}

/* The pixmap's surface, created (everything dirty) if it has none. */
static Bool
qxl_pix_surface(struct qxl_screen *qs, PixmapPtr pix)
{
	struct qxl_pixmaps *pm = qs->pixmaps;
	struct qxl_pix *p = qxl_pix_of(pix);
	DrawablePtr d = &pix->drawable;
	BoxRec all = { 0, 0, d->width, d->height };
	uint64_t size = (uint64_t)d->width * 4 * (d->height + 1);
	int ret;

	if (p->surf.handle)
		return pix->devPrivate.ptr == p->bits;
	if (!qxl_pix_eligible(pix))
		return FALSE;
	if (pm->bytes + size > pm->max_bytes || pm->count >= pm->max_count) {
		/* not refused for good: room may come back */
		if (!pm->refusal_logged) {
			pm->refusal_logged = 1;
			xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
				   "Surfaces: budget of %u surfaces / %llu bytes reached: "
				   "further pixmaps stay in system memory until some are "
				   "freed (logged once)\n", pm->max_count,
				   (unsigned long long)pm->max_bytes);
		}
		return FALSE;
	}
	ret = qxl_buf_create_surface(qs->fd, d->width, d->height, &p->surf);
	if (ret) {
		memset(&p->surf, 0, sizeof(p->surf));
		qxl_pix_refuse(qs, p, strerror(-ret));
		return FALSE;
	}
	p->dirty = DamageCreate(NULL, qxl_pix_dirty_gone, DamageReportNone, TRUE,
				d->pScreen, p);
	if (!p->dirty) {
		qxl_buf_destroy(qs->fd, &p->surf);
		memset(&p->surf, 0, sizeof(p->surf));
		qxl_pix_refuse(qs, p, "no memory for its damage");
		return FALSE;
	}
	/* during an operation on the pixmap, DamageRegion is what came before */
	DamageSetReportAfterOp(p->dirty, TRUE);
	DamageRegister(d, p->dirty);
	qxl_region_add(DamageRegion(p->dirty), &all);
	p->surf.size = size;
	pm->bytes += size;
	pm->count++;
	pm->created++;
	return TRUE;
}

/*
 * Send what the surface lacks inside 'box' (pixmap coordinates) to it.
 * FALSE: some of it could not be sent (it stays dirty).
 */
static Bool
qxl_pix_sync(struct qxl_screen *qs, PixmapPtr pix, const BoxRec *box)
{
	struct qxl_pix *p = qxl_pix_of(pix);
	const struct qxl_src src = { pix->devPrivate.ptr, pix->devKind, 0, 0 };
	RegionRec need, left;
	Bool ok;

	if (!p->dirty)
		return FALSE;
	RegionInit(&need, (BoxPtr)box, 1);
	RegionIntersect(&need, &need, DamageRegion(p->dirty));
	if (!RegionNotEmpty(&need)) {
		RegionUninit(&need);
		return TRUE;
	}
	RegionNull(&left);
	qs->target_surf = p->surf.handle;
	qs->target_pix = p;
	qs->pixmaps->synced_boxes += qxl_send_region(qs, &src, &need, &left);
	qs->target_surf = 0;
	qs->target_pix = NULL;
	ok = !RegionNotEmpty(&left);
	/*
	 * What was sent is no longer owed; what the batch refused still is
	 * (and all of it after a failed submission, see qxl_lost).
	 */
	RegionSubtract(&need, &need, &left);
	if (!qs->failed)
		RegionSubtract(DamageRegion(p->dirty), DamageRegion(p->dirty), &need);
	RegionUninit(&left);
	RegionUninit(&need);
	return ok;
}

/*
 * A draw-copy in the batch of 'sbox' of surface 'surf' (w x h) to 'box'
 * of the current target; the drawable names the source surface so that
 * spice-server renders what is pending there first.
 */
static Bool
qxl_pix_draw_copy(struct qxl_screen *qs, uint32_t surf, int w, int h, const BoxRec *box,
		  const BoxRec *sbox)
{
	struct qxl_drawable *d;
	struct qxl_image *img;
	uint32_t handle, off;

	qxl_batch_room(qs, 1);
	img = (struct qxl_image *)qxl_batch_data(qs, sizeof(*img), &handle, &off);
	if (!img)
		return FALSE;
	memset(img, 0, sizeof(*img));
	img->descriptor.type = QXL_IMAGE_TYPE_SURFACE;
	img->descriptor.width = w;
	img->descriptor.height = h;
	img->u.surface_image.surface_id = 0;	/* relocated */
	d = qxl_batch_draw(qs, QXL_DRAW_COPY, box);
	d->u.copy.src_area.left = sbox->x1;
	d->u.copy.src_area.top = sbox->y1;
	d->u.copy.src_area.right = sbox->x2;
	d->u.copy.src_area.bottom = sbox->y2;
	d->u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	d->u.copy.scale_mode = QXL_SCALE_MODE_NEAREST;
	d->surfaces_dest[0] = 0;		/* relocated */
	d->surfaces_rects[0] = d->u.copy.src_area;
	qxl_batch_reloc(qs, 0, offsetof(struct qxl_drawable, u.copy.src_bitmap), handle, off);
	qxl_batch_reloc_surf(qs, handle, off + offsetof(struct qxl_image, u.surface_image.surface_id),
			     surf);
	qxl_batch_reloc_surf(qs, 0, offsetof(struct qxl_drawable, surfaces_dest[0]), surf);
	return TRUE;
}

/*
 * Box 'box' of the screen (inside the viewport) gets the pixmap's pixels
 * at box + (dx, dy).  FALSE: not done here, the caller sends them.
 */
Bool
qxl_pixmap_to_screen(struct qxl_screen *qs, PixmapPtr pix, const BoxRec *box, int dx, int dy)
{
	BoxRec sbox = { box->x1 + dx, box->y1 + dy, box->x2 + dx, box->y2 + dy };
	struct qxl_pix *p;

	if (!qs->pixmaps || !qxl_pix_surface(qs, pix))
		return FALSE;
	p = qxl_pix_of(pix);
	if (!p->dirty)
		return FALSE;
	if (RegionContainsRect(DamageRegion(p->dirty), &sbox) == rgnIN) {
		if (++p->redrawn >= QXL_PIX_MAX_REDRAWN) {
			qxl_pix_drop(qs, pix);
			p->refused = 1;
			qs->pixmaps->dropped++;
			return FALSE;
		}
	} else {
		p->redrawn = 0;
	}
	if (!qxl_pix_sync(qs, pix, &sbox))
		return FALSE;
	if (!qxl_pix_draw_copy(qs, p->surf.handle, pix->drawable.width, pix->drawable.height,
			       box, &sbox))
		return FALSE;
	qs->pixmaps->copies++;
	return TRUE;
}

/* A pixmap whose surface is in sync over 'box' (pixmap coordinates)? */
static struct qxl_pix *
qxl_pix_synced(PixmapPtr pix, const BoxRec *box)
{
	struct qxl_pix *p = qxl_pix_of(pix);

	if (!p->surf.handle || !p->dirty || pix->devPrivate.ptr != p->bits)
		return NULL;
	return RegionContainsRect(DamageRegion(p->dirty), (BoxPtr)box) == rgnOUT ? p : NULL;
}

/*
 * Is 'sbox' (front coordinates) inside the part the primary holds 1:1,
 * the viewport 'vp'?
 */
static Bool
qxl_pix_on_primary(struct qxl_screen *qs, const BoxRec *sbox, BoxPtr vp)
{
	return qs->accel_active && qs->scrn->vtSema && qs->scanout_fb &&
	       qs->scanout_fb == qs->fb_id && qxl_viewport(qs, vp) &&
	       sbox->x1 >= vp->x1 && sbox->y1 >= vp->y1 && sbox->x2 <= vp->x2 &&
	       sbox->y2 <= vp->y2;
}

/*
 * A GXcopy CopyArea into a pixmap with a surface that fb has just done,
 * boxes 'box' of 'dst' from box + (dx, dy) of 'src' in fb's order: where
 * the device holds the source pixels (a pixmap surface in sync there, or
 * the primary for a copy from the screen), it copies them too and the
 * destination's damage there is dropped.  Anything else leaves the
 * damage, sent when the destination is next shown.
 */
static void
qxl_pixmap_copied(struct qxl_screen *qs, DrawablePtr src, PixmapPtr dst, const BoxRec *box,
		  int nbox, int dx, int dy)
{
	Bool from_front = src->type != DRAWABLE_PIXMAP;
	struct qxl_pix *ps, *pd;
	BoxRec vp;
	RegionRec done;
	int i;

	pd = qxl_pix_of(dst);
	if (!pd->surf.handle || !pd->dirty || dst->devPrivate.ptr != pd->bits)
		return;
	if (from_front) {
		/* the primary must hold what fb copied: older damage there first */
		RegionRec from;

		RegionNull(&from);
		for (i = 0; i < nbox; i++) {
			BoxRec sbox = { box[i].x1 + dx, box[i].y1 + dy,
					box[i].x2 + dx, box[i].y2 + dy };

			if (qxl_pix_on_primary(qs, &sbox, &vp))
				qxl_region_add(&from, &sbox);
		}
		qxl_settle(qs, &from);
		RegionUninit(&from);
	}
	RegionNull(&done);
	qs->target_surf = pd->surf.handle;
	qs->target_pix = pd;
	for (i = 0; i < nbox; i++) {
		BoxRec sbox = { box[i].x1 + dx, box[i].y1 + dy, box[i].x2 + dx, box[i].y2 + dy };
		struct qxl_drawable *q;

		if (from_front) {
			/* the primary is at least the viewport's size */
			if (!qxl_pix_on_primary(qs, &sbox, &vp) ||
			    !qxl_pix_draw_copy(qs, 0, vp.x2, vp.y2, &box[i], &sbox))
				continue;
			qs->pixmaps->pix_copies++;
			qxl_region_add(&done, &box[i]);
			continue;
		}
		ps = qxl_pix_synced((PixmapPtr)src, &sbox);
		if (!ps)
			continue;
		if ((PixmapPtr)src == dst) {
			q = qxl_batch_draw(qs, QXL_COPY_BITS, &box[i]);
			q->u.copy_bits.src_pos.x = sbox.x1;
			q->u.copy_bits.src_pos.y = sbox.y1;
		} else if (!qxl_pix_draw_copy(qs, ps->surf.handle, src->width, src->height,
					      &box[i], &sbox)) {
			continue;
		}
		qs->pixmaps->pix_copies++;
		qxl_region_add(&done, &box[i]);
	}
	qs->target_surf = 0;
	qs->target_pix = NULL;
	/* reported after the operation: this one's damage is still pending */
	if (!qs->failed) {
		RegionSubtract(DamageRegion(pd->dirty), DamageRegion(pd->dirty), &done);
		RegionSubtract(&pd->dirty->pendingDamage, &pd->dirty->pendingDamage, &done);
	}
	RegionUninit(&done);
}

static void
qxl_pix_copy_proc(DrawablePtr src, DrawablePtr dst, GCPtr gc, BoxPtr box, int nbox,
		  int dx, int dy, Bool reverse, Bool upsidedown, Pixel bitplane, void *closure)
{
	fbCopyNtoN(src, dst, gc, box, nbox, dx, dy, reverse, upsidedown, bitplane, NULL);
	qxl_pixmap_copied(closure, src, (PixmapPtr)dst, box, nbox, dx, dy);
}

/*
 * CopyArea between two depth 24 pixmaps, the destination with a surface,
 * GXcopy: fb copies, then the device where it can (qxl_pixmap_copied).
 * FALSE: not for us, the caller lets fb do it (the damage is sent later).
 */
Bool
qxl_pixmap_copy_area(DrawablePtr src, DrawablePtr dst, GCPtr gc, int sx, int sy,
		     int w, int h, int dx, int dy, RegionPtr *ret)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(dst->pScreen));

	if (!qs->pixmaps || !qs->accel_active || !qs->scrn->vtSema ||
	    (src->type != DRAWABLE_PIXMAP && !qxl_on_front(src)) ||
	    dst->type != DRAWABLE_PIXMAP ||
	    src->depth != 24 || dst->depth != 24 || src->bitsPerPixel != 32 ||
	    dst->bitsPerPixel != 32 || gc->alu != GXcopy ||
	    (gc->planemask & 0xffffff) != 0xffffff ||
	    !qxl_pix_of((PixmapPtr)dst)->surf.handle)
		return FALSE;
	*ret = miDoCopy(src, dst, gc, sx, sy, w, h, dx, dy, qxl_pix_copy_proc, 0, qs);
	return TRUE;
}

/* The kernel driver is mainline's qxl.ko (version 0.x; ours is 1.x)? */
static Bool
qxl_pix_mainline(struct qxl_screen *qs)
{
	drmVersionPtr v = drmGetVersion(qs->fd);
	Bool mainline = v && v->version_major < 1;

	drmFreeVersion(v);
	return mainline;
}

Bool
qxl_pixmap_init(ScreenPtr screen, struct qxl_screen *qs)
{
	struct qxl_pixmaps *pm;
	struct drm_qxl_getparam gp = { .param = QXL_PARAM_NUM_SURFACES };
	unsigned int ids = 0;

	if (!qs->surfaces) {
		xf86DrvMsg(qs->scrn->scrnIndex, X_CONFIG,
			   "Surfaces off (Option EnableSurfaces): pixmaps copied to the screen "
			   "go as images every time\n");
		return TRUE;
	}
	if (qxl_pix_mainline(qs) && !xf86IsOptionSet(qs->options, QXL_OPT_SURFACES)) {
		xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
			   "Surfaces off by default on this kernel driver (qxl 0.x, mainline): "
			   "with many pixmaps the oracle's ring showed each image repeated up "
			   "to ~68 times (104075 commands instead of 1655 with ours; cause not "
			   "found yet); Option \"EnableSurfaces\" \"on\" forces them\n");
		return TRUE;
	}
	if (!drmIoctl(qs->fd, DRM_IOCTL_QXL_GETPARAM, &gp))
		ids = gp.value > 1 ? (unsigned int)(gp.value - 1) : 0;
	if (!ids) {
		xf86DrvMsg(qs->scrn->scrnIndex, X_WARNING,
			   "Surfaces off: the kernel reports no off-screen surface ids (%s)\n",
			   errno ? strerror(errno) : "0 ids");
		return TRUE;
	}
	if (!dixRegisterPrivateKey(&qxl_pix_key, PRIVATE_PIXMAP, sizeof(struct qxl_pix)))
		return FALSE;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return FALSE;
	pm->max_bytes = QXL_PIX_MAX_BYTES;
	pm->max_count = ids / 2 < QXL_PIX_MAX_SURFACES ? ids / 2 : QXL_PIX_MAX_SURFACES;
	pm->CreatePixmap = screen->CreatePixmap;
	screen->CreatePixmap = qxl_pix_create;
	pm->DestroyPixmap = screen->DestroyPixmap;
	screen->DestroyPixmap = qxl_pix_destroy;
	qs->pixmaps = pm;
	xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
		   "Surfaces on: a depth 24 pixmap of at least %dx%d and %d pixels gets a "
		   "device surface when first copied to the screen (up to %u surfaces, "
		   "%u MiB)\n", QXL_PIX_MIN_SIDE, QXL_PIX_MIN_SIDE, QXL_PIX_MIN_AREA,
		   pm->max_count, (unsigned int)(pm->max_bytes >> 20));
	return TRUE;
}

void
qxl_pixmap_close(ScreenPtr screen, struct qxl_screen *qs)
{
	struct qxl_pixmaps *pm = qs->pixmaps;

	if (!pm)
		return;
	screen->CreatePixmap = pm->CreatePixmap;
	screen->DestroyPixmap = pm->DestroyPixmap;
	xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
		   "Surfaces statistics: %lu created, %lu refused, %lu closed as double "
		   "buffers, %u alive (%llu bytes); %lu copies to the screen and %lu "
		   "between pixmaps from surfaces; %lu boxes of pixmap changes sent to "
		   "surfaces\n",
		   pm->created, pm->refused, pm->dropped, pm->count,
		   (unsigned long long)pm->bytes,
		   pm->copies, pm->pix_copies, pm->synced_boxes);
	/*
	 * Pixmaps still alive are destroyed after this (their surfaces are
	 * closed with the device file); the wrappers are gone by then.
	 */
	free(pm);
	qs->pixmaps = NULL;
}
