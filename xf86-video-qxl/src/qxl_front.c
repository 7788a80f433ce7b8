/* SPDX-License-Identifier: MIT */
/*
 * The front buffer: the dumb buffer the CRTCs scan out, rendered by fb in
 * the X server for every operation.  The kernel keeps the device's
 * primary surface apart from it; what software alone rendered (the damage
 * left after qxl_accel.c removed what device commands drew) is reported
 * through DIRTYFB when the server blocks, or earlier when a device command
 * is about to read it, so the device sees each change once and in order.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include "qxl_drv.h"
#include <fb.h>
#include <xf86Crtc.h>

/* The kernel's limit on clip rectangles in one DIRTYFB call. */
#define QXL_DIRTY_MAX_CLIPS 256

static Bool
qxl_front_make(struct qxl_screen *qs, int width, int height,
	       struct qxl_buf *buf, uint32_t *fb_id)
{
	ScrnInfoPtr scrn = qs->scrn;
	int ret;

	ret = qxl_buf_create_dumb(qs->fd, width, height, buf);
	if (ret) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "front buffer %dx%d: allocation failed: %s\n",
			   width, height, strerror(-ret));
		return FALSE;
	}
	ret = qxl_buf_map(qs->fd, buf);
	if (ret) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "front buffer %dx%d: mapping failed: %s\n",
			   width, height, strerror(-ret));
		qxl_buf_destroy(qs->fd, buf);
		return FALSE;
	}
	if (drmModeAddFB(qs->fd, width, height, scrn->depth, scrn->bitsPerPixel,
			 buf->pitch, buf->handle, fb_id)) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "front buffer %dx%d: AddFB failed: %s\n",
			   width, height, strerror(errno));
		qxl_buf_destroy(qs->fd, buf);
		return FALSE;
	}
	memset(buf->map, 0, buf->size);
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "front buffer %dx%d, pitch %u: dumb buffer, framebuffer %u\n",
		   width, height, buf->pitch, *fb_id);
	return TRUE;
}

Bool
qxl_front_alloc(struct qxl_screen *qs, int width, int height)
{
	return qxl_front_make(qs, width, height, &qs->front, &qs->fb_id);
}

void
qxl_front_free(struct qxl_screen *qs)
{
	if (qs->fb_id)
		drmModeRmFB(qs->fd, qs->fb_id);
	qs->fb_id = 0;
	qxl_buf_destroy(qs->fd, &qs->front);
}

Bool
qxl_front_resize(ScrnInfoPtr scrn, int width, int height)
{
	struct qxl_screen *qs = qxl_screen_of(scrn);
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(scrn);
	ScreenPtr screen = xf86ScrnToScreen(scrn);
	PixmapPtr pix = screen->GetScreenPixmap(screen);
	struct qxl_buf old = qs->front, nbuf;
	uint32_t old_fb = qs->fb_id, nfb;
	int old_w = scrn->virtualX, old_h = scrn->virtualY;
	int old_dw = scrn->displayWidth;
	int i;

	xf86DrvMsg(scrn->scrnIndex, X_INFO, "Resizing the screen %dx%d -> %dx%d\n",
		   old_w, old_h, width, height);
	qxl_front_flush(qs);
	if (!qxl_front_make(qs, width, height, &nbuf, &nfb))
		return FALSE;
	/* keep what is visible: copy the overlapping part of the old screen */
	for (i = 0; i < height && i < old_h; i++)
		memcpy((char *)nbuf.map + (size_t)i * nbuf.pitch,
		       (char *)old.map + (size_t)i * old.pitch,
		       (size_t)(width < old_w ? width : old_w) * 4);

	qs->front = nbuf;
	qs->fb_id = nfb;
	scrn->virtualX = width;
	scrn->virtualY = height;
	scrn->displayWidth = nbuf.pitch / 4;
	if (!screen->ModifyPixmapHeader(pix, width, height, -1, -1, nbuf.pitch,
					nbuf.map))
		goto fail;
	for (i = 0; i < cfg->num_crtc; i++) {
		xf86CrtcPtr crtc = cfg->crtc[i];

		if (!crtc->enabled)
			continue;
		if (!xf86CrtcSetMode(crtc, &crtc->mode, crtc->rotation,
				     crtc->x, crtc->y))
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "Resize: CRTC %d could not be set again\n", i);
	}
	/*
	 * Removing a framebuffer a CRTC still shows turns that CRTC off and
	 * the kernel destroys the device's primary surface: until a CRTC
	 * shows the new front buffer, nothing may target the primary.
	 */
	if (qs->scanout_fb != qs->fb_id)
		qs->scanout_fb = 0;
	if (old_fb)
		drmModeRmFB(qs->fd, old_fb);
	qxl_buf_destroy(qs->fd, &old);
	return TRUE;
fail:
	xf86DrvMsg(scrn->scrnIndex, X_ERROR, "Resize to %dx%d failed\n", width, height);
	qs->front = old;
	qs->fb_id = old_fb;
	scrn->virtualX = old_w;
	scrn->virtualY = old_h;
	scrn->displayWidth = old_dw;
	screen->ModifyPixmapHeader(pix, old_w, old_h, -1, -1, old.pitch, old.map);
	drmModeRmFB(qs->fd, nfb);
	qxl_buf_destroy(qs->fd, &nbuf);
	return FALSE;
}

/*
 * Send the boxes of 'reg' with DIRTYFB.  A kernel uploads the bounding box
 * of the clips of one call, so a few scattered boxes go one call each.
 */
static void
qxl_front_dirty(struct qxl_screen *qs, RegionPtr reg)
{
	BoxPtr box = RegionRects(reg);
	int n = RegionNumRects(reg), i, per_call;

	per_call = n <= 16 ? 1 : QXL_DIRTY_MAX_CLIPS;
	while (n > 0) {
		drmModeClip clips[QXL_DIRTY_MAX_CLIPS];
		int cnt = n > per_call ? per_call : n;

		for (i = 0; i < cnt; i++) {
			clips[i].x1 = box[i].x1;
			clips[i].y1 = box[i].y1;
			clips[i].x2 = box[i].x2;
			clips[i].y2 = box[i].y2;
		}
		if (qxl_debug_fail(qs) ||
		    (drmModeDirtyFB(qs->fd, qs->fb_id, clips, cnt) && errno != ENOSYS)) {
			xf86DrvMsg(qs->scrn->scrnIndex, X_WARNING,
				   "DIRTYFB of %d boxes failed: %s; sent again later\n", cnt,
				   strerror(errno));
			qxl_lost(qs, box, cnt);
		}
		qs->dirty_calls++;
		box += cnt;
		n -= cnt;
	}
}

/*
 * Send the software damage in 'reg': inside the part of the screen the
 * device shows 1:1, as commands appended to the batch (qxl_upload.c);
 * the rest, or when no command may be sent, by DIRTYFB behind the batch.
 */
static void
qxl_front_send(struct qxl_screen *qs, RegionPtr reg)
{
	RegionRec cmd, left;

	RegionNull(&cmd);
	RegionCopy(&cmd, reg);
	if (qs->accel_active && qxl_accel_visible(qs, &cmd)) {
		qxl_accel_upload(qs, &cmd, &left);
		RegionSubtract(&cmd, reg, &cmd);
		RegionUnion(&cmd, &cmd, &left);
		RegionUninit(&left);
	} else {
		RegionCopy(&cmd, reg);
	}
	if (RegionNotEmpty(&cmd)) {
		if (qs->accel_active)
			qxl_accel_flush(qs);
		qxl_front_dirty(qs, &cmd);
	}
	RegionUninit(&cmd);
}

/*
 * Report what software rendering changed since the last call, and what
 * failed submissions did not draw (qxl_lost).
 */
void
qxl_front_flush(struct qxl_screen *qs)
{
	if (!qs->damage || !qs->fb_id)
		return;
	RegionUnion(DamageRegion(qs->damage), DamageRegion(qs->damage), &qs->lost);
	RegionEmpty(&qs->lost);
	/* all of it is in the damage again: what commands draw from now is theirs */
	qs->failed = 0;
	if (RegionNotEmpty(DamageRegion(qs->damage)))
		qxl_front_send(qs, DamageRegion(qs->damage));
	if (qs->accel_active)
		qxl_accel_flush(qs);
	DamageEmpty(qs->damage);
}

/*
 * A device command will read 'reg': send the software damage there now,
 * behind the commands batched so far.
 */
void
qxl_front_flush_region(struct qxl_screen *qs, RegionPtr reg)
{
	RegionRec part;

	if (!qs->damage || !qs->fb_id)
		return;
	RegionNull(&part);
	RegionIntersect(&part, DamageRegion(qs->damage), reg);
	if (RegionNotEmpty(&part)) {
		qxl_front_send(qs, &part);
		RegionSubtract(DamageRegion(qs->damage), DamageRegion(qs->damage), &part);
		qs->settles++;
	}
	RegionUninit(&part);
}

Bool
qxl_front_screen_resources(ScreenPtr screen)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);
	struct qxl_screen *qs = qxl_screen_of(scrn);
	PixmapPtr pix = screen->GetScreenPixmap(screen);

	if (!screen->ModifyPixmapHeader(pix, -1, -1, -1, -1, qs->front.pitch,
					qs->front.map))
		return FALSE;
	RegionNull(&qs->lost);
	qs->damage = DamageCreate(NULL, NULL, DamageReportNone, TRUE, screen, pix);
	if (!qs->damage) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "cannot track damage\n");
		return FALSE;
	}
	/*
	 * Report after each operation: while one runs, the region holds only
	 * older damage, which is what a device command must have uploaded
	 * before it reads the screen (qxl_accel.c).
	 */
	DamageSetReportAfterOp(qs->damage, TRUE);
	DamageRegister(&pix->drawable, qs->damage);
	return TRUE;
}

void
qxl_front_close(ScreenPtr screen)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);
	struct qxl_screen *qs = qxl_screen_of(scrn);

	if (qs->damage) {
		DamageUnregister(qs->damage);
		DamageDestroy(qs->damage);
		qs->damage = NULL;
		RegionUninit(&qs->lost);
	}
}
