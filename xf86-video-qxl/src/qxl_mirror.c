/* SPDX-License-Identifier: MIT */
/*
 * The mirror's bookkeeping (model: qxl_accel.c).  Where device commands
 * may go (the viewport of the one CRTC showing the front buffer at +0+0),
 * and what the damage still owes the device once commands drew: a command
 * that drew from up-to-date pixels claims its area out of the damage, one
 * that reads the device's pixels first settles the damage it reads, and
 * an operation that sent all its drawing as commands is done with its
 * pending damage.  Words of the model and their functions: README.md.
 */
#include "qxl_drv.h"
#include "qxl_accel.h"
#include <damagestr.h>
#include <pixmapstr.h>
#include <regionstr.h>
#include <windowstr.h>

/* Is the drawable rendered into the front buffer (not a redirected window)? */
Bool
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

/*
 * The part of the front buffer that the primary surface holds at the
 * same coordinates: the viewport of the only CRTC, when it sits at +0+0
 * unrotated.  Several heads are placed side by side on the primary by
 * the kernel, at offsets userspace does not know: no commands then.
 */
Bool
qxl_viewport(struct qxl_screen *qs, BoxPtr vp)
{
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(qs->scrn);
	xf86CrtcPtr shown = NULL;
	int i;

	for (i = 0; i < cfg->num_crtc; i++) {
		if (!cfg->crtc[i]->enabled)
			continue;
		if (shown)
			return FALSE;
		shown = cfg->crtc[i];
	}
	if (!shown || shown->x || shown->y || shown->rotation != RR_Rotate_0)
		return FALSE;
	vp->x1 = 0;
	vp->y1 = 0;
	vp->x2 = shown->mode.HDisplay < (int)qs->front.width ?
		 shown->mode.HDisplay : (int)qs->front.width;
	vp->y2 = shown->mode.VDisplay < (int)qs->front.height ?
		 shown->mode.VDisplay : (int)qs->front.height;
	return vp->x2 > 0 && vp->y2 > 0;
}

/* 'reg' = 'op' (RegionIntersect, RegionUnion, RegionSubtract) of 'reg' and box 'b'. */
static void
qxl_region_op_box(RegionPtr reg, const BoxRec *b, Bool (*op)(RegionPtr, RegionPtr, RegionPtr))
{
	RegionRec r;

	RegionInit(&r, (BoxPtr)b, 1);
	op(reg, reg, &r);
	RegionUninit(&r);
}

void
qxl_clip_to(RegionPtr reg, const BoxRec *vp)
{
	qxl_region_op_box(reg, vp, RegionIntersect);
}

/* The device drew 'reg' from up-to-date sources: no upload needed there. */
void
qxl_claim(struct qxl_screen *qs, RegionPtr reg)
{
	/* after a failed submission the device may have drawn from stale pixels */
	if (!qs->damage || qs->failed)
		return;
	/*
	 * The damage layer reports after the operation (qxl_front.c): what
	 * it holds for the running one is still pending.
	 */
	RegionSubtract(DamageRegion(qs->damage), DamageRegion(qs->damage), reg);
	RegionSubtract(&qs->damage->pendingDamage, &qs->damage->pendingDamage, reg);
}

/*
 * The damage layer records an operation's bounding box (a fill of many
 * rectangles, a line of text) or, for a window move, the whole moved
 * region even where other windows cover it.  The running operation left
 * 'reg' unchanged or sent all of it as commands: drop it from that
 * operation's pending damage only (older damage there is still owed).
 */
void
qxl_pending_done(struct qxl_screen *qs, RegionPtr reg)
{
	if (qs->damage && !qs->failed)
		RegionSubtract(&qs->damage->pendingDamage, &qs->damage->pendingDamage, reg);
}

void
qxl_pending_done_box(struct qxl_screen *qs, const BoxRec *box)
{
	if (qs->damage && !qs->failed)
		qxl_region_op_box(&qs->damage->pendingDamage, box, RegionSubtract);
}

void
qxl_region_add(RegionPtr reg, const BoxRec *b)
{
	qxl_region_op_box(reg, b, RegionUnion);
}

/* Pixels in 'reg' (its rectangles do not overlap). */
uint64_t
qxl_region_area(RegionPtr reg)
{
	BoxPtr b = RegionRects(reg);
	uint64_t a = 0;
	int i;

	for (i = 0; i < RegionNumRects(reg); i++)
		a += (uint64_t)(b[i].x2 - b[i].x1) * (b[i].y2 - b[i].y1);
	return a;
}

/*
 * Is at least half of 'reg' drawn again before the batch goes out: over
 * 'drawn' (what commands already drew since the last submission) or over
 * software damage not sent yet?  Then a command there is wasted: left as
 * damage, all the drawing costs one upload of the result.
 */
Bool
qxl_mostly_redrawn(struct qxl_screen *qs, RegionPtr reg, RegionPtr drawn)
{
	RegionRec both;
	uint64_t again;

	RegionNull(&both);
	RegionIntersect(&both, reg, drawn);
	again = qxl_region_area(&both);
	if (qs->damage) {
		RegionIntersect(&both, reg, DamageRegion(qs->damage));
		again += qxl_region_area(&both);
	}
	RegionUninit(&both);
	return 2 * again >= qxl_region_area(reg);
}

/* May 'd' get device commands?  Sets the viewport they are clipped to. */
Bool
qxl_can_accel(struct qxl_screen *qs, DrawablePtr d, BoxPtr vp)
{
	/* the primary surface exists only while a CRTC shows the front */
	return qs->accel_active && qs->scrn->vtSema &&
	       qs->scanout_fb && qs->scanout_fb == qs->fb_id && qxl_on_front(d) &&
	       qxl_viewport(qs, vp);
}

/*
 * A command is about to read the device's pixels in 'reg' (a copy
 * source, or a destination it combines with): software damage there must
 * reach the device first, behind the commands batched before it.
 */
void
qxl_settle(struct qxl_screen *qs, RegionPtr reg)
{
	if (qs->damage && RegionNotEmpty(DamageRegion(qs->damage)))
		qxl_front_flush_region(qs, reg);
}

/* The part of 'reg' the device holds 1:1 now; FALSE: nothing. */
Bool
qxl_accel_visible(struct qxl_screen *qs, RegionPtr reg)
{
	BoxRec vp;

	if (!qs->accel_active || !qs->scrn->vtSema || !qs->scanout_fb ||
	    qs->scanout_fb != qs->fb_id || !qxl_viewport(qs, &vp))
		return FALSE;
	qxl_clip_to(reg, &vp);
	return TRUE;
}
