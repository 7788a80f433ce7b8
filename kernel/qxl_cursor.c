// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Cursor planes, driven through the cursor ring: SET when the image or its
 * hotspot changes (or the primary was re-created, which resets the device
 * cursor), MOVE when only the position changes, HIDE when disabled.  The
 * device has one cursor for the whole primary, so positions are offset by
 * the head's place on it, and shows the cursor of the head that set or
 * moved it last (cursor_owner): when the pointer crosses from one head to
 * another, the one it left may be disabled after the one it entered was
 * set, and its HIDE must not hide the new one.  While the pointer is near
 * the edge between two heads, X shows it on both and moves both at every
 * motion; each head's plane has its own buffer, so whether the device
 * already shows an image is decided by comparing pixels with a copy of the
 * last SET (cursor_image): a MOVE then costs 40 bytes, a SET 16 KiB.  The
 * hotspot comes from where the kernel keeps it (qxl_compat_cursor_hotspot):
 * the plane's HOTSPOT_X/Y properties on 6.12, the framebuffer (legacy
 * CURSOR2 ioctl) on 6.1.
 */

#include <linux/io.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "qxl_compat.h"
#include "qxl_drv.h"

struct qxl_cursor_plane {
	struct drm_plane base;
};

static const u32 qxl_cursor_plane_formats[] = {
	DRM_FORMAT_ARGB8888,
};

/*
 * The hotspot inside the image.  On 6.12 the legacy cursor ioctls write the
 * hotspot into the current plane state before their commit is checked, so
 * a refused call can leave one that does not fit the image still shown;
 * atomic_check refuses only a hotspot the request itself changes, and the
 * device gets the stale one clamped rather than every later move refused.
 */
static void qxl_cursor_hotspot(const struct drm_plane_state *state, s32 *hot_x, s32 *hot_y)
{
	qxl_compat_cursor_hotspot(state, hot_x, hot_y);
	*hot_x = clamp_t(s32, *hot_x, 0, state->fb->width - 1);
	*hot_y = clamp_t(s32, *hot_y, 0, state->fb->height - 1);
}

static int qxl_cursor_plane_helper_atomic_check(struct drm_plane *plane,
						struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *old_state = drm_atomic_get_old_plane_state(state, plane);
	struct drm_framebuffer *fb = new_state->fb;
	struct drm_crtc_state *crtc_state = NULL;
	s32 hot_x, hot_y, old_x, old_y;

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);
	if (fb) {
		if (fb->width > QXL_CURSOR_MAX_DIM || fb->height > QXL_CURSOR_MAX_DIM) {
			drm_dbg_atomic(plane->dev, "cursor %ux%u larger than %u\n",
				       fb->width, fb->height, QXL_CURSOR_MAX_DIM);
			return -EINVAL;
		}
		qxl_compat_cursor_hotspot(new_state, &hot_x, &hot_y);
		qxl_compat_cursor_hotspot(old_state, &old_x, &old_y);
		if ((fb != old_state->fb || hot_x != old_x || hot_y != old_y) &&
		    (hot_x < 0 || hot_y < 0 ||
		     (u32)hot_x >= fb->width || (u32)hot_y >= fb->height)) {
			drm_dbg_atomic(plane->dev, "cursor hotspot outside the image\n");
			return -EINVAL;
		}
		if (new_state->src_w >> 16 != fb->width || new_state->src_h >> 16 != fb->height ||
		    new_state->src_x || new_state->src_y) {
			drm_dbg_atomic(plane->dev, "cursor must show the whole framebuffer\n");
			return -EINVAL;
		}
	}
	return drm_atomic_helper_check_plane_state(new_state, crtc_state,
						   DRM_PLANE_NO_SCALING, DRM_PLANE_NO_SCALING,
						   true, true);
}

static void qxl_cursor_cmd_init(struct qxl_cursor_cmd *cmd, struct qxl_release *release,
				u8 type, s32 x, s32 y)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->release_info.id = release->id;
	cmd->type = type;
	cmd->u.position.x = clamp(x, S16_MIN, S16_MAX);
	cmd->u.position.y = clamp(y, S16_MIN, S16_MAX);
}

static int qxl_cursor_send(struct qxl_device *qdev, u8 type, s32 x, s32 y)
{
	struct qxl_release *release;
	struct qxl_cursor_cmd cmd;

	release = qxl_release_alloc(qdev, QXL_RING_CURSOR, sizeof(cmd));
	if (IS_ERR(release))
		return PTR_ERR(release);
	qxl_cursor_cmd_init(&cmd, release, type, x, y);
	memcpy_toio(qxl_release_ptr(release, 0), &cmd, sizeof(cmd));
	return qxl_release_submit(release, QXL_CMD_CURSOR, NULL);
}

/*
 * Copy the framebuffer's pixels into cursor_image (growing it when needed),
 * where the SET's data comes from; cursor_image is unknown after a failure.
 */
static int qxl_cursor_keep_image(struct qxl_device *qdev, struct drm_framebuffer *fb,
				 const struct iosys_map *map)
{
	struct qxl_cursor_image *img = &qdev->cursor_image;
	u32 row_bytes = fb->width * 4;
	size_t size = (size_t)row_bytes * fb->height;
	u32 row;

	img->width = 0;
	if (img->alloc < size) {
		kvfree(img->pixels);
		img->alloc = 0;
		img->pixels = kvmalloc(size, GFP_KERNEL);
		if (!img->pixels)
			return -ENOMEM;
		img->alloc = size;
	}
	for (row = 0; row < fb->height; row++) {
		/* ALLOC buffers (Debian's X driver's cursors) are device memory */
		if (map->is_iomem)
			memcpy_fromio(img->pixels + row * row_bytes,
				      map->vaddr_iomem + row * fb->pitches[0], row_bytes);
		else
			memcpy(img->pixels + row * row_bytes, map->vaddr + row * fb->pitches[0],
			       row_bytes);
	}
	img->width = fb->width;
	img->height = fb->height;
	return 0;
}

/* Whether the device shows exactly this image with this hotspot already. */
static bool qxl_cursor_shows(struct qxl_device *qdev, struct drm_framebuffer *fb,
			     const struct iosys_map *map, s32 hot_x, s32 hot_y)
{
	const struct qxl_cursor_image *img = &qdev->cursor_image;
	u32 row_bytes = fb->width * 4;
	u32 row;

	if (!qdev->cursor_owner || img->width != fb->width || img->height != fb->height ||
	    img->hot_x != hot_x || img->hot_y != hot_y || map->is_iomem)
		return false;
	for (row = 0; row < fb->height; row++)
		if (memcmp(img->pixels + row * row_bytes, map->vaddr + row * fb->pitches[0],
			   row_bytes))
			return false;
	return true;
}

static int qxl_cursor_set(struct qxl_device *qdev, struct drm_framebuffer *fb,
			  const struct iosys_map *map, s32 x, s32 y, s32 hot_x, s32 hot_y)
{
	struct qxl_cursor_image *img = &qdev->cursor_image;
	u32 shape_off = ALIGN(sizeof(struct qxl_cursor_cmd), 8);
	u32 row_bytes = fb->width * 4;
	u32 data_size = row_bytes * fb->height;
	struct qxl_release *release;
	struct qxl_cursor_cmd cmd;
	struct qxl_cursor shape = { 0 };
	int ret;

	ret = qxl_cursor_keep_image(qdev, fb, map);
	if (ret)
		return ret;
	release = qxl_release_alloc(qdev, QXL_RING_CURSOR,
				    shape_off + sizeof(shape) + data_size);
	if (IS_ERR(release))
		return PTR_ERR(release);

	qxl_cursor_cmd_init(&cmd, release, QXL_CURSOR_SET, x, y);
	cmd.u.set.visible = 1;
	cmd.u.set.shape = qxl_release_phys(release, shape_off);

	shape.header.type = QXL_CURSOR_TYPE_ALPHA;
	shape.header.width = fb->width;
	shape.header.height = fb->height;
	shape.header.hot_spot_x = hot_x;
	shape.header.hot_spot_y = hot_y;
	shape.data_size = data_size;
	shape.chunk.data_size = data_size;

	memcpy_toio(qxl_release_ptr(release, 0), &cmd, sizeof(cmd));
	memcpy_toio(qxl_release_ptr(release, shape_off), &shape, sizeof(shape));
	memcpy_toio(qxl_release_ptr(release, shape_off + sizeof(shape)), img->pixels, data_size);
	img->hot_x = hot_x;
	img->hot_y = hot_y;
	return qxl_release_submit(release, QXL_CMD_CURSOR, NULL);
}

static void qxl_cursor_plane_helper_atomic_update(struct drm_plane *plane,
						  struct drm_atomic_state *state)
{
	struct qxl_device *qdev = to_qxl(plane->dev);
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *old_state = drm_atomic_get_old_plane_state(state, plane);
	struct drm_crtc *crtc = new_state->crtc ?: old_state->crtc;
	struct drm_framebuffer *fb = new_state->fb;
	const struct iosys_map *map;
	struct drm_crtc_state *crtc_state;
	struct qxl_output *output;
	bool layout_changed = false;
	bool shown;
	s32 x, y, hot_x, hot_y;
	int idx;
	int ret = 0;

	if (!crtc)
		return;
	output = crtc_to_output(crtc);
	if (!drm_dev_enter(plane->dev, &idx))
		return;

	mutex_lock(&qdev->cursor_lock);
	if (!fb || !new_state->visible) {
		if (output->cursor_visible && qdev->cursor_owner == output) {
			ret = qxl_cursor_send(qdev, QXL_CURSOR_HIDE, 0, 0);
			qdev->cursor_owner = NULL;
		}
		output->cursor_visible = false;
		goto out;
	}

	crtc_state = drm_atomic_get_new_crtc_state(state, crtc);
	qxl_cursor_hotspot(new_state, &hot_x, &hot_y);
	x = new_state->crtc_x + hot_x;
	y = new_state->crtc_y + hot_y;
	if (crtc_state) {
		x += to_qxl_crtc_state(crtc_state)->x;
		layout_changed = to_qxl_crtc_state(crtc_state)->layout_changed ||
				 drm_atomic_crtc_needs_modeset(crtc_state);
	}

	/*
	 * A layout change may have re-created the primary, which resets the
	 * device's cursor.  Otherwise this head's unchanged image is what the
	 * device shows when the head set it last (the old state holds a
	 * reference on its framebuffer, so the comparison is not fooled by a
	 * new framebuffer reusing the pointer); any other image is compared.
	 */
	map = &to_drm_shadow_plane_state(new_state)->data[0];
	shown = !layout_changed && qdev->cursor_owner == output && output->cursor_visible &&
		old_state->fb == fb && !drm_plane_get_damage_clips_count(new_state) &&
		qdev->cursor_image.hot_x == hot_x && qdev->cursor_image.hot_y == hot_y;
	if (!shown && !layout_changed)
		shown = qxl_cursor_shows(qdev, fb, map, hot_x, hot_y);
	if (!shown)
		ret = qxl_cursor_set(qdev, fb, map, x, y, hot_x, hot_y);
	else if (qdev->cursor_image.x != x || qdev->cursor_image.y != y)
		ret = qxl_cursor_send(qdev, QXL_CURSOR_MOVE, x, y);
	output->cursor_visible = !ret;
	qdev->cursor_image.x = x;
	qdev->cursor_image.y = y;
	qdev->cursor_owner = ret ? NULL : output;
out:
	mutex_unlock(&qdev->cursor_lock);
	/* not while faulted: recovery sets the cursor again */
	if (ret && !qxl_device_faulted(qdev))
		drm_err_ratelimited(&qdev->drm, "cursor update failed: %d\n", ret);
	drm_dev_exit(idx);
}

/*
 * Legacy cursor calls (what X servers and most compositors move the
 * pointer with) take effect at once: as a blocking commit they would wait
 * for a pending page flip's vblank, and the pointer would lag a frame or
 * more behind.  The core sends only moves and image changes of a cursor
 * shown on the same CRTC this way, never with a mode set or while another
 * commit touching the cursor is in flight; hiding it takes the normal path.
 */
static int qxl_cursor_plane_helper_atomic_async_check(struct drm_plane *plane,
						      struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state;

	if (!new_state->crtc || !new_state->fb || !new_state->visible)
		return -EINVAL;
	crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);
	if (!crtc_state || !crtc_state->active)
		return -EINVAL;
	return 0;
}

static void qxl_cursor_plane_helper_atomic_async_update(struct drm_plane *plane,
							struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *cur = plane->state;

	/* the state's old plane state is the current one: compared as usual */
	qxl_cursor_plane_helper_atomic_update(plane, state);
	cur->crtc_x = new_state->crtc_x;
	cur->crtc_y = new_state->crtc_y;
	cur->crtc_w = new_state->crtc_w;
	cur->crtc_h = new_state->crtc_h;
	cur->src_x = new_state->src_x;
	cur->src_y = new_state->src_y;
	cur->src_w = new_state->src_w;
	cur->src_h = new_state->src_h;
	cur->src = new_state->src;
	cur->dst = new_state->dst;
	cur->visible = new_state->visible;
	qxl_compat_shadow_async_swap(plane, new_state);
}

static const struct drm_plane_helper_funcs qxl_cursor_plane_helper_funcs = {
	DRM_GEM_SHADOW_PLANE_HELPER_FUNCS,
	.atomic_check = qxl_cursor_plane_helper_atomic_check,
	.atomic_update = qxl_cursor_plane_helper_atomic_update,
	.atomic_async_check = qxl_cursor_plane_helper_atomic_async_check,
	.atomic_async_update = qxl_cursor_plane_helper_atomic_async_update,
};

static const struct drm_plane_funcs qxl_cursor_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	DRM_GEM_SHADOW_PLANE_FUNCS,
};

static void qxl_cursor_image_free(struct drm_device *dev, void *data)
{
	struct qxl_device *qdev = data;

	kvfree(qdev->cursor_image.pixels);
}

int qxl_cursor_device_init(struct qxl_device *qdev)
{
	int ret;

	ret = drmm_mutex_init(&qdev->drm, &qdev->cursor_lock);
	if (ret)
		return ret;
	return drmm_add_action_or_reset(&qdev->drm, qxl_cursor_image_free, qdev);
}

int qxl_cursor_init(struct qxl_device *qdev, struct qxl_output *output)
{
	struct qxl_cursor_plane *cursor;

	cursor = drmm_universal_plane_alloc(&qdev->drm, struct qxl_cursor_plane, base,
					    BIT(output->index), &qxl_cursor_plane_funcs,
					    qxl_cursor_plane_formats,
					    ARRAY_SIZE(qxl_cursor_plane_formats),
					    qxl_plane_format_modifiers,
					    DRM_PLANE_TYPE_CURSOR, NULL);
	if (IS_ERR(cursor))
		return PTR_ERR(cursor);
	drm_plane_helper_add(&cursor->base, &qxl_cursor_plane_helper_funcs);
	drm_plane_enable_fb_damage_clips(&cursor->base);
	output->cursor = &cursor->base;
	return 0;
}
