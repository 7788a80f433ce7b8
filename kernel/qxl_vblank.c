// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Emulated vblank.  The device has no scan-out timing, so each CRTC runs
 * an hrtimer at its mode's refresh rate while vblank interrupts are
 * enabled; it paces page-flip events and advances the vblank counter and
 * timestamps that clients rely on.
 *
 * Timestamps are the timer's own schedule, not the moment its callback
 * ran: the vblank core then counts from them the periods a late callback
 * missed, and clients see exact frame times.
 *
 * disable_vblank runs under the vblank locks that the timer's
 * drm_crtc_handle_vblank() takes, so it must not wait for a running
 * callback: it clears vblank_on and lets the callback stop itself.
 */

#include <linux/hrtimer.h>

#include <drm/drm_managed.h>
#include <drm/drm_vblank.h>

#include "qxl_drv.h"

static enum hrtimer_restart qxl_vblank_timer_func(struct hrtimer *timer)
{
	struct qxl_output *output = container_of(timer, struct qxl_output, vblank_timer);

	if (!READ_ONCE(output->vblank_on))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, output->vblank_period);
	drm_crtc_handle_vblank(&output->crtc);
	return READ_ONCE(output->vblank_on) ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

static void qxl_vblank_release(struct drm_device *dev, void *data)
{
	struct qxl_output *output = data;

	WRITE_ONCE(output->vblank_on, false);
	hrtimer_cancel(&output->vblank_timer);
}

int qxl_vblank_init(struct qxl_output *output)
{
	hrtimer_init(&output->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	output->vblank_timer.function = qxl_vblank_timer_func;
	return drmm_add_action_or_reset(output->crtc.dev, qxl_vblank_release, output);
}

int qxl_vblank_enable(struct drm_crtc *crtc)
{
	struct qxl_output *output = crtc_to_output(crtc);
	struct drm_vblank_crtc *vblank = &crtc->dev->vblank[drm_crtc_index(crtc)];

	drm_calc_timestamping_constants(crtc, &crtc->mode);
	/* 60 Hz if the mode gives no usable timing */
	output->vblank_period = ns_to_ktime(vblank->framedur_ns ?: NSEC_PER_SEC / 60);
	WRITE_ONCE(output->vblank_on, true);
	hrtimer_start(&output->vblank_timer, output->vblank_period, HRTIMER_MODE_REL);
	return 0;
}

bool qxl_vblank_get_timestamp(struct drm_crtc *crtc, int *max_error, ktime_t *vblank_time,
			      bool in_vblank_irq)
{
	struct qxl_output *output = crtc_to_output(crtc);

	if (!READ_ONCE(output->vblank_on))
		return false;
	/* the timer is moved on to the next period before it reports this one */
	*vblank_time = ktime_sub(hrtimer_get_expires(&output->vblank_timer),
				 output->vblank_period);
	return true;
}

void qxl_vblank_disable(struct drm_crtc *crtc)
{
	struct qxl_output *output = crtc_to_output(crtc);

	WRITE_ONCE(output->vblank_on, false);
	hrtimer_try_to_cancel(&output->vblank_timer);
}
