// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CRTCs.  Each head is a rectangle of the shared primary surface; the CRTC
 * state carries where (computed in qxl_kms.c's atomic_check).  A page flip
 * completes when the device has taken the commands that carry the new
 * contents, and its event is sent on the next emulated vblank; a damage
 * update of the shown framebuffer completes at once.  A head may be on
 * with no plane at all: it then shows black (qxl_plane.c).
 */

#include <linux/math64.h>
#include <linux/slab.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_print.h>
#include <drm/drm_vblank.h>

#include "qxl_drv.h"

/*
 * Refresh rates the emulated vblank keeps: its timer fires once a frame,
 * so a mode of a few kHz (a pixel clock of INT_MAX kHz gives MHz) would
 * spend the guest's CPU on timer interrupts, and one below 1 Hz would hold
 * every flip event for seconds.
 */
#define QXL_REFRESH_MIN_MHZ	1000
#define QXL_REFRESH_MAX_MHZ	240000

/*
 * The refresh rate in mHz, in 64 bits: drm_mode_vrefresh() multiplies
 * htotal, vtotal and vscan in 32 bits, which a mode can overflow.  Totals
 * whose product does not fit an int (the vblank core's frame size) give 0.
 */
static u64 qxl_mode_refresh_mhz(const struct drm_display_mode *mode)
{
	u64 frame = (u64)mode->htotal * mode->vtotal;
	u64 pixels = (u64)mode->clock * 1000 * 1000;

	if (mode->flags & DRM_MODE_FLAG_INTERLACE)
		pixels *= 2;
	if (mode->flags & DRM_MODE_FLAG_DBLSCAN)
		frame *= 2;
	if (mode->vscan > 1)
		frame *= mode->vscan;
	if (!frame || frame > INT_MAX)
		return 0;
	return div64_u64(pixels, frame);
}

enum drm_mode_status qxl_mode_fits(struct qxl_device *qdev, const struct drm_display_mode *mode)
{
	u64 refresh = qxl_mode_refresh_mhz(mode);

	if (mode->hdisplay > QXL_DEVIF_MAX_DIM || mode->vdisplay > QXL_DEVIF_MAX_DIM)
		return MODE_BAD;
	if (refresh < QXL_REFRESH_MIN_MHZ)
		return MODE_CLOCK_LOW;
	if (refresh > QXL_REFRESH_MAX_MHZ)
		return MODE_CLOCK_HIGH;
	if (!qxl_primary_fits(qdev, mode->hdisplay, mode->vdisplay))
		return MODE_MEM;
	return MODE_OK;
}

static enum drm_mode_status qxl_crtc_helper_mode_valid(struct drm_crtc *crtc,
						       const struct drm_display_mode *mode)
{
	return qxl_mode_fits(to_qxl(crtc->dev), mode);
}

static void qxl_crtc_helper_atomic_enable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	drm_crtc_vblank_on(crtc);
}

static void qxl_crtc_helper_atomic_disable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state = drm_atomic_get_new_crtc_state(state, crtc);

	drm_crtc_vblank_off(crtc);
	if (crtc_state->event && !crtc_state->active) {
		spin_lock_irq(&crtc->dev->event_lock);
		drm_crtc_send_vblank_event(crtc, crtc_state->event);
		spin_unlock_irq(&crtc->dev->event_lock);
		crtc_state->event = NULL;
	}
}

/*
 * Only a page flip is paced: a new framebuffer, a mode set, or a client
 * waiting for an event or out-fence.  A damage update of the framebuffer
 * already shown (DIRTYFB, an atomic commit of damage clips without event)
 * carries only the event the commit helpers add for their own bookkeeping;
 * it is complete once its commands are queued, so such updates are not
 * held to the refresh rate nor to the device's pace.
 *
 * The exception is the fbdev emulation's framebuffer: its damage worker
 * merges the console's damage while a flush is in flight, so pacing its
 * flushes bounds the console to one upload per frame.  Unpaced, a
 * scrolling console uploads the whole screen for every few lines.
 */
static bool qxl_crtc_flush_is_paced(struct drm_crtc *crtc, struct drm_atomic_state *state,
				    const struct drm_pending_vblank_event *event)
{
	struct drm_crtc_state *crtc_state = drm_atomic_get_new_crtc_state(state, crtc);
	struct drm_plane_state *old_plane_state, *new_plane_state;

	if (event->base.file_priv || event->base.fence ||
	    drm_atomic_crtc_needs_modeset(crtc_state))
		return true;
	new_plane_state = drm_atomic_get_new_plane_state(state, crtc->primary);
	old_plane_state = drm_atomic_get_old_plane_state(state, crtc->primary);
	if (!new_plane_state)
		return false;
	return old_plane_state->fb != new_plane_state->fb ||
	       (crtc->dev->fb_helper && crtc->dev->fb_helper->fb == new_plane_state->fb);
}

static void qxl_crtc_helper_atomic_flush(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct qxl_device *qdev = to_qxl(crtc->dev);
	struct drm_crtc_state *crtc_state = drm_atomic_get_new_crtc_state(state, crtc);
	struct qxl_ring *ring = &qdev->rings[QXL_RING_DISPLAY];
	struct drm_pending_vblank_event *event = crtc_state->event;
	bool paced;
	int idx;

	if (!event)
		return;
	crtc_state->event = NULL;
	paced = crtc_state->active && qxl_crtc_flush_is_paced(crtc, state, event);

	/* A flip counts as shown once the device has taken its commands. */
	if (paced && drm_dev_enter(crtc->dev, &idx)) {
		qxl_ring_wait_consumed(ring, READ_ONCE(ring->prod));
		drm_dev_exit(idx);
	}

	spin_lock_irq(&crtc->dev->event_lock);
	if (paced && drm_crtc_vblank_get(crtc) == 0)
		drm_crtc_arm_vblank_event(crtc, event);
	else
		drm_crtc_send_vblank_event(crtc, event);
	spin_unlock_irq(&crtc->dev->event_lock);
}

static const struct drm_crtc_helper_funcs qxl_crtc_helper_funcs = {
	.mode_valid = qxl_crtc_helper_mode_valid,
	.atomic_flush = qxl_crtc_helper_atomic_flush,
	.atomic_enable = qxl_crtc_helper_atomic_enable,
	.atomic_disable = qxl_crtc_helper_atomic_disable,
};

static void qxl_crtc_reset(struct drm_crtc *crtc)
{
	struct qxl_crtc_state *state;

	if (crtc->state) {
		__drm_atomic_helper_crtc_destroy_state(crtc->state);
		kfree(to_qxl_crtc_state(crtc->state));
		crtc->state = NULL;
	}
	state = kzalloc(sizeof(*state), GFP_KERNEL);
	if (state)
		__drm_atomic_helper_crtc_reset(crtc, &state->base);
	else
		__drm_atomic_helper_crtc_reset(crtc, NULL);
}

static struct drm_crtc_state *qxl_crtc_atomic_duplicate_state(struct drm_crtc *crtc)
{
	struct qxl_crtc_state *old = to_qxl_crtc_state(crtc->state);
	struct qxl_crtc_state *state;

	state = kzalloc(sizeof(*state), GFP_KERNEL);
	if (!state)
		return NULL;
	__drm_atomic_helper_crtc_duplicate_state(crtc, &state->base);
	state->x = old->x;
	state->primary_width = old->primary_width;
	state->primary_height = old->primary_height;
	state->layout_changed = false;
	return &state->base;
}

static void qxl_crtc_atomic_destroy_state(struct drm_crtc *crtc, struct drm_crtc_state *state)
{
	__drm_atomic_helper_crtc_destroy_state(state);
	kfree(to_qxl_crtc_state(state));
}

static const struct drm_crtc_funcs qxl_crtc_funcs = {
	.reset = qxl_crtc_reset,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = qxl_crtc_atomic_duplicate_state,
	.atomic_destroy_state = qxl_crtc_atomic_destroy_state,
	.enable_vblank = qxl_vblank_enable,
	.disable_vblank = qxl_vblank_disable,
	.get_vblank_timestamp = qxl_vblank_get_timestamp,
};

int qxl_crtc_init(struct qxl_device *qdev, struct qxl_output *output)
{
	int ret;

	ret = drmm_crtc_init_with_planes(&qdev->drm, &output->crtc, &output->primary,
					 output->cursor, &qxl_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&output->crtc, &qxl_crtc_helper_funcs);
	return qxl_vblank_init(output);
}
