// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Primary planes.  Framebuffers are GEM shmem objects in system memory; an
 * update uploads the damaged rectangles (FB_DAMAGE_CLIPS, DIRTYFB) into
 * this head's part of the primary surface.  The whole plane is uploaded
 * only when the head's mode or the primary changed.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_print.h>

#include "qxl_compat.h"
#include "qxl_drv.h"

static const u32 qxl_primary_plane_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_RGB565,	/* expanded to 32 bits on upload */
};

/* Every plane scans out linear buffers only (fb_create refuses the rest). */
const u64 qxl_plane_format_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

static int qxl_primary_plane_helper_atomic_check(struct drm_plane *plane,
						 struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);

	/* The plane must cover the whole head: the device shows nothing else. */
	return drm_atomic_helper_check_plane_state(new_state, crtc_state,
						   DRM_PLANE_NO_SCALING, DRM_PLANE_NO_SCALING,
						   false, false);
}

/*
 * The primary plane was turned off on a head that stays on: the device
 * keeps showing the last upload unless told otherwise, so the head's part
 * of the primary is painted black.
 */
static void qxl_primary_plane_blank(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct drm_plane_state *old_state = drm_atomic_get_old_plane_state(state, plane);
	struct qxl_output *output = container_of(plane, struct qxl_output, primary);
	struct drm_crtc_state *crtc_state;
	int idx;
	int ret;

	if (!old_state->crtc || !old_state->visible)
		return;
	crtc_state = drm_atomic_get_new_crtc_state(state, old_state->crtc);
	if (!crtc_state || !crtc_state->active || !drm_dev_enter(plane->dev, &idx))
		return;
	ret = qxl_draw_black(to_qxl(plane->dev), output, to_qxl_crtc_state(crtc_state)->x, 0,
			     crtc_state->mode.hdisplay, crtc_state->mode.vdisplay);
	/* not while faulted: recovery repaints every head */
	if (ret && !qxl_device_faulted(to_qxl(plane->dev)))
		drm_err_ratelimited(plane->dev, "head %u: blanking failed: %d\n",
				    drm_crtc_index(old_state->crtc), ret);
	drm_dev_exit(idx);
}

static void qxl_primary_plane_helper_atomic_update(struct drm_plane *plane,
						   struct drm_atomic_state *state)
{
	struct qxl_device *qdev = to_qxl(plane->dev);
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *old_state = drm_atomic_get_old_plane_state(state, plane);
	struct drm_shadow_plane_state *shadow = to_drm_shadow_plane_state(new_state);
	struct drm_framebuffer *fb = new_state->fb;
	struct drm_atomic_helper_damage_iter iter;
	struct qxl_crtc_state *qcs;
	struct drm_crtc_state *crtc_state;
	struct qxl_output *output = container_of(plane, struct qxl_output, primary);
	struct drm_rect clip, whole;
	int src_x, src_y;
	int idx;
	int ret = 0;

	if (!fb || !new_state->visible || !new_state->crtc) {
		qxl_primary_plane_blank(plane, state);
		return;
	}
	crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);
	if (!crtc_state)
		return;
	qcs = to_qxl_crtc_state(crtc_state);
	if (!drm_dev_enter(plane->dev, &idx))
		return;
	/* inside drm_dev_enter: removal's qxl_fbdev_write_fix_undo() cannot be undone */
	if (plane->dev->fb_helper && plane->dev->fb_helper->fb == fb)
		qxl_fbdev_write_fix_apply(plane->dev);
	if (drm_gem_fb_begin_cpu_access(fb, DMA_FROM_DEVICE))
		goto out;

	src_x = new_state->src.x1 >> 16;
	src_y = new_state->src.y1 >> 16;
	drm_rect_init(&whole, src_x, src_y, drm_rect_width(&new_state->src) >> 16,
		      drm_rect_height(&new_state->src) >> 16);
	if (drm_atomic_crtc_needs_modeset(crtc_state) || qcs->layout_changed) {
		ret = qxl_draw_copy(qdev, output, &shadow->data[0], fb, &whole,
				    qcs->x, 0, true);
	} else {
		drm_atomic_helper_damage_iter_init(&iter, old_state, new_state);
		drm_atomic_for_each_plane_damage(&iter, &clip) {
			ret = qxl_draw_copy(qdev, output, &shadow->data[0], fb, &clip,
					    qcs->x + clip.x1 - src_x, clip.y1 - src_y,
					    drm_rect_equals(&clip, &whole));
			if (ret)
				break;
		}
	}
	/* not while faulted: recovery repaints every head */
	if (ret && !qxl_device_faulted(qdev))
		drm_err_ratelimited(&qdev->drm, "head %u: upload failed: %d\n",
				    drm_crtc_index(new_state->crtc), ret);
	drm_gem_fb_end_cpu_access(fb, DMA_FROM_DEVICE);
out:
	drm_dev_exit(idx);
}

static const struct drm_plane_helper_funcs qxl_primary_plane_helper_funcs = {
	DRM_GEM_SHADOW_PLANE_HELPER_FUNCS,
	.atomic_check = qxl_primary_plane_helper_atomic_check,
	.atomic_update = qxl_primary_plane_helper_atomic_update,
};

static const struct drm_plane_funcs qxl_primary_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	DRM_GEM_SHADOW_PLANE_FUNCS,
};

/* The output structure is allocated along with its primary plane. */
struct qxl_output *qxl_plane_init(struct qxl_device *qdev, unsigned int index)
{
	struct qxl_output *output;

	output = drmm_universal_plane_alloc(&qdev->drm, struct qxl_output, primary,
					    BIT(index), &qxl_primary_plane_funcs,
					    qxl_primary_plane_formats,
					    ARRAY_SIZE(qxl_primary_plane_formats),
					    qxl_plane_format_modifiers,
					    DRM_PLANE_TYPE_PRIMARY, NULL);
	if (IS_ERR(output))
		return output;
	output->index = index;
	drm_plane_helper_add(&output->primary, &qxl_primary_plane_helper_funcs);
	drm_plane_enable_fb_damage_clips(&output->primary);
	return output;
}
