// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Mode configuration and the head layout.
 *
 * All heads share the primary surface, side by side in head order, as wide
 * as their widths added up and as tall as the tallest.  atomic_check
 * computes that layout whenever a head's mode or enable state changes and
 * refuses it if the primary would not fit the device's primary area, so a
 * commit never fails for lack of room.  The commit re-creates the primary
 * when its size changes, redraws every head and sends the new monitors
 * config.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_plane.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>

#include "qxl_drv.h"

static bool qxl_kms_layout_touched(struct drm_atomic_state *state)
{
	struct drm_crtc_state *old_state, *new_state;
	struct drm_crtc *crtc;
	int i;

	for_each_oldnew_crtc_in_state(state, crtc, old_state, new_state, i) {
		if (old_state->enable != new_state->enable ||
		    !drm_mode_equal(&old_state->mode, &new_state->mode))
			return true;
	}
	return false;
}

static int qxl_kms_layout_check(struct qxl_device *qdev, struct drm_atomic_state *state)
{
	struct qxl_crtc_state *qcs[QXL_MAX_HEADS];
	struct qxl_crtc_state *old[QXL_MAX_HEADS];
	struct drm_crtc_state *crtc_state;
	struct drm_crtc *crtc;
	u32 width = 0, height = 0;
	bool changed = false;
	unsigned int i;
	int ret;

	if (!qxl_kms_layout_touched(state))
		return 0;

	for (i = 0; i < qdev->num_heads; i++) {
		crtc = &qdev->outputs[i]->crtc;
		crtc_state = drm_atomic_get_crtc_state(state, crtc);
		if (IS_ERR(crtc_state))
			return PTR_ERR(crtc_state);
		qcs[i] = to_qxl_crtc_state(crtc_state);
		old[i] = to_qxl_crtc_state(drm_atomic_get_old_crtc_state(state, crtc));
		qcs[i]->x = 0;
		if (!crtc_state->enable)
			continue;
		qcs[i]->x = width;
		width += crtc_state->mode.hdisplay;
		height = max_t(u32, height, crtc_state->mode.vdisplay);
	}
	if (width && !qxl_primary_fits(qdev, width, height)) {
		drm_dbg_atomic(&qdev->drm,
			       "heads need a %ux%u primary, the device has room for %u bytes\n",
			       width, height, qdev->layout.surface0_size);
		return -EINVAL;
	}

	/*
	 * Compare with what the hardware has now (the old state): on resume
	 * the new state is the one saved at suspend, not a copy of the current.
	 */
	for (i = 0; i < qdev->num_heads; i++) {
		if (old[i]->primary_width != width || old[i]->primary_height != height ||
		    old[i]->x != qcs[i]->x)
			changed = true;
	}
	for (i = 0; i < qdev->num_heads; i++) {
		qcs[i]->primary_width = width;
		qcs[i]->primary_height = height;
		qcs[i]->layout_changed = changed;
		if (changed && qcs[i]->base.enable) {
			ret = drm_atomic_add_affected_planes(state, &qdev->outputs[i]->crtc);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int qxl_mode_config_atomic_check(struct drm_device *dev, struct drm_atomic_state *state)
{
	int ret;

	ret = qxl_kms_layout_check(to_qxl(dev), state);
	if (ret)
		return ret;
	return drm_atomic_helper_check(dev, state);
}

static enum drm_mode_status qxl_mode_config_mode_valid(struct drm_device *dev,
						       const struct drm_display_mode *mode)
{
	return qxl_mode_fits(to_qxl(dev), mode);
}

/*
 * A framebuffer no plane can scan out is refused when it is made, not at
 * its first commit: 6.1's GEM framebuffer helper takes any modifier.
 */
static struct drm_framebuffer *qxl_mode_config_fb_create(struct drm_device *dev,
							 struct drm_file *file,
							 const struct drm_mode_fb_cmd2 *cmd)
{
	u64 modifier = cmd->flags & DRM_MODE_FB_MODIFIERS ? cmd->modifier[0] :
			DRM_FORMAT_MOD_LINEAR;

	if (!drm_any_plane_has_format(dev, cmd->pixel_format, modifier)) {
		drm_dbg_kms(dev, "no plane shows format %p4cc with modifier 0x%llx\n",
			    &cmd->pixel_format, modifier);
		return ERR_PTR(-EINVAL);
	}
	return drm_gem_fb_create_with_dirty(dev, file, cmd);
}

static const struct drm_mode_config_funcs qxl_mode_config_funcs = {
	.fb_create = qxl_mode_config_fb_create,
	.mode_valid = qxl_mode_config_mode_valid,
	.atomic_check = qxl_mode_config_atomic_check,
	.atomic_commit = drm_atomic_helper_commit,
};

/* Re-create the primary and resend the monitors config if the layout changed. */
static void qxl_kms_apply_layout(struct qxl_device *qdev, struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state;
	struct qxl_crtc_state *qcs = NULL;
	struct drm_crtc *crtc;
	int i;
	int ret;

	for_each_new_crtc_in_state(state, crtc, crtc_state, i) {
		if (to_qxl_crtc_state(crtc_state)->layout_changed) {
			qcs = to_qxl_crtc_state(crtc_state);
			break;
		}
	}
	if (!qcs)
		return;

	if (!qcs->primary_width)
		ret = qxl_primary_destroy(qdev);
	else
		ret = qxl_primary_create(qdev, qcs->primary_width, qcs->primary_height);
	if (!ret && qcs->primary_width)
		ret = qxl_monitors_send(qdev, state);
	/* not while faulted: recovery sets the layout up again */
	if (ret && !qxl_device_faulted(qdev))
		drm_err(&qdev->drm, "cannot set up a %ux%u primary: %d\n",
			qcs->primary_width, qcs->primary_height, ret);
}

static void qxl_mode_config_helper_atomic_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *dev = state->dev;
	int idx;

	drm_atomic_helper_commit_modeset_disables(dev, state);
	if (drm_dev_enter(dev, &idx)) {
		/* recovery (qxl_recovery.c): reset after the commits before this one */
		if (!qxl_recovery_reset_if_asked(to_qxl(dev), state))
			qxl_kms_apply_layout(to_qxl(dev), state);
		drm_dev_exit(idx);
	}
	drm_atomic_helper_commit_modeset_enables(dev, state);
	drm_atomic_helper_commit_planes(dev, state, DRM_PLANE_COMMIT_ACTIVE_ONLY);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(dev, state);
	drm_atomic_helper_cleanup_planes(dev, state);
}

static const struct drm_mode_config_helper_funcs qxl_mode_config_helper_funcs = {
	.atomic_commit_tail = qxl_mode_config_helper_atomic_commit_tail,
};

int qxl_kms_init(struct qxl_device *qdev)
{
	struct drm_device *dev = &qdev->drm;
	struct qxl_output *output;
	unsigned int i;
	int ret;

	ret = drmm_mode_config_init(dev);
	if (ret)
		return ret;
	dev->mode_config.min_width = 1;
	dev->mode_config.min_height = 1;
	dev->mode_config.max_width = QXL_DEVIF_MAX_DIM;
	dev->mode_config.max_height = QXL_DEVIF_MAX_DIM;
	dev->mode_config.preferred_depth = 24;
	dev->mode_config.cursor_width = 64;
	dev->mode_config.cursor_height = 64;
	dev->mode_config.funcs = &qxl_mode_config_funcs;
	dev->mode_config.helper_private = &qxl_mode_config_helper_funcs;

	ret = drm_mode_create_suggested_offset_properties(dev);
	if (ret)
		return ret;
	ret = qxl_cursor_device_init(qdev);
	if (ret)
		return ret;

	for (i = 0; i < qdev->num_heads; i++) {
		output = qxl_plane_init(qdev, i);
		if (IS_ERR(output))
			return PTR_ERR(output);
		qdev->outputs[i] = output;
		ret = qxl_cursor_init(qdev, output);
		if (ret)
			return ret;
		ret = qxl_crtc_init(qdev, output);
		if (ret)
			return ret;
		ret = qxl_connector_init(qdev, output);
		if (ret)
			return ret;
	}

	ret = drm_vblank_init(dev, qdev->num_heads);
	if (ret)
		return ret;
	ret = qxl_monitors_init(qdev);
	if (ret)
		return ret;
	/*
	 * The client monitors interrupt is armed since the device started:
	 * its worker touches the connectors only once they all exist.
	 */
	smp_store_release(&qdev->kms_ready, true);
	qxl_client_monitors_read(qdev, false);
	drm_mode_config_reset(dev);
	return 0;
}
