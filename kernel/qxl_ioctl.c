// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The private ioctls (uapi/qxl_drm.h), binary-compatible with mainline's
 * and stricter: every size, offset, count, format and id is checked and a
 * bad one is refused with -EINVAL before the device sees anything.
 */

#include <linux/io.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_modeset_lock.h>
#include <drm/drm_print.h>
#include <drm/drm_rect.h>
#include <drm/drm_vma_manager.h>

#include "qxl_objects.h"

int qxl_alloc_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_qxl_alloc *args = data;
	struct qxl_bo *bo;

	if (!args->size || args->size > QXL_MAX_ALLOC)
		return -EINVAL;
	return qxl_bo_create(to_qxl(dev), file, args->size, &bo, &args->handle);
}

int qxl_alloc_surf_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_qxl_alloc_surf *args = data;
	struct qxl_device *qdev = to_qxl(dev);
	struct qxl_bo *bo;
	u64 size;
	int ret;

	ret = qxl_surface_check_params(qdev, args->format, args->width, args->height,
				       args->stride, &size);
	if (ret)
		return ret;
	ret = qxl_bo_create(qdev, NULL, size, &bo, NULL);
	if (ret)
		return ret;
	bo->is_surface = true;
	bo->format = args->format;
	bo->width = args->width;
	bo->height = args->height;
	bo->stride = args->stride;
	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	drm_gem_object_put(&bo->base);
	return ret;
}

int qxl_map_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_qxl_map *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -EINVAL;
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}

int qxl_execbuffer_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	int idx;
	int ret;

	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	ret = qxl_execbuffer(to_qxl(dev), file, data);
	drm_dev_exit(idx);
	return ret;
}

/*
 * Bring rect of the primary surface (dst, primary coordinates) into the
 * framebuffer buffer bo at src (framebuffer coordinates).
 */
static int qxl_ioctl_read_primary(struct qxl_device *qdev, struct qxl_bo *bo,
				  const struct drm_framebuffer *fb,
				  const struct drm_rect *src, const struct drm_rect *dst)
{
	u32 pstride = qdev->primary_width * 4;
	u32 w = drm_rect_width(dst);
	u32 h = drm_rect_height(dst);
	void __iomem *prim;
	u64 first, last;
	u32 *row;
	u32 y;
	int ret;

	if (fb->format->cpp[0] != 4)
		return 0;
	mutex_lock(&qdev->primary_lock);
	if (!qdev->primary_created || dst->x2 > qdev->primary_width ||
	    dst->y2 > qdev->primary_height) {
		ret = 0;
		goto out;
	}
	ret = qxl_surface_io_update_interruptible(qdev, NULL, 0, dst);
	if (ret)
		goto out;

	row = kmalloc_array(w, 4, GFP_KERNEL);
	prim = ioremap_wc(qdev->ram_base + qdev->layout.surface0_offset +
			  (u64)dst->y1 * pstride, (u64)h * pstride);
	if (!row || !prim) {
		ret = -ENOMEM;
	} else if (mutex_lock_interruptible(&qdev->objs->lock)) {
		ret = -ERESTARTSYS;
	} else {
		/*
		 * Not over what a command in flight had checked (the buffer
		 * may hold its clip list, say); objs->lock keeps new commands
		 * from checking these bytes while they are written.
		 */
		first = fb->offsets[0] + (u64)src->y1 * fb->pitches[0] + src->x1 * 4;
		last = fb->offsets[0] + (u64)(src->y1 + h - 1) * fb->pitches[0] +
		       (src->x1 + w) * 4;
		if (qxl_bo_parsed(bo, first, last - first))
			ret = -EINVAL;
		for (y = 0; y < h && !ret; y++) {
			memcpy_fromio(row, prim + y * pstride + dst->x1 * 4, w * 4);
			memcpy_toio(bo->vaddr + fb->offsets[0] +
				    (u64)(src->y1 + y) * fb->pitches[0] + src->x1 * 4,
				    row, w * 4);
		}
		mutex_unlock(&qdev->objs->lock);
	}
	if (prim)
		iounmap(prim);
	kfree(row);
out:
	mutex_unlock(&qdev->primary_lock);
	return ret;
}

/* UPDATE_AREA of a buffer shown as a framebuffer: it is drawn as the primary. */
static int qxl_ioctl_update_fb(struct qxl_device *qdev, struct qxl_bo *bo,
			       const struct drm_rect *rect)
{
	struct drm_device *dev = &qdev->drm;
	struct drm_modeset_acquire_ctx ctx;
	struct drm_plane_state *ps;
	struct drm_rect src, clip, dst;
	unsigned int i;
	int ret;

	DRM_MODESET_LOCK_ALL_BEGIN(dev, ctx, DRM_MODESET_ACQUIRE_INTERRUPTIBLE, ret);
	for (i = 0; i < qdev->num_heads; i++) {
		ps = qdev->outputs[i]->primary.state;
		if (!ps || !ps->fb || ps->fb->obj[0] != &bo->base || !ps->visible ||
		    !ps->crtc || !ps->crtc->state)
			continue;
		drm_rect_init(&src, ps->src.x1 >> 16, ps->src.y1 >> 16,
			      drm_rect_width(&ps->src) >> 16, drm_rect_height(&ps->src) >> 16);
		clip = *rect;
		if (!drm_rect_intersect(&clip, &src))
			continue;
		drm_rect_init(&dst, to_qxl_crtc_state(ps->crtc->state)->x + clip.x1 - src.x1,
			      clip.y1 - src.y1, drm_rect_width(&clip), drm_rect_height(&clip));
		ret = qxl_ioctl_read_primary(qdev, bo, ps->fb, &clip, &dst);
		if (ret)
			break;
	}
	DRM_MODESET_LOCK_ALL_END(dev, ctx, ret);
	return ret;
}

int qxl_update_area_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_qxl_update_area *args = data;
	struct qxl_device *qdev = to_qxl(dev);
	struct drm_rect rect;
	struct qxl_bo *bo;
	int idx;
	int ret;

	if (args->pad || args->left >= args->right || args->top >= args->bottom ||
	    args->right > QXL_DEVIF_MAX_DIM || args->bottom > QXL_DEVIF_MAX_DIM)
		return -EINVAL;
	bo = qxl_bo_lookup(file, args->handle);
	if (!bo)
		return -EINVAL;
	drm_rect_init(&rect, args->left, args->top, args->right - args->left,
		      args->bottom - args->top);

	if (!drm_dev_enter(dev, &idx)) {
		ret = -ENODEV;
		goto out_put;
	}
	if (qxl_bo_is_fb(qdev, bo))
		ret = qxl_ioctl_update_fb(qdev, bo, &rect);
	else if (!bo->is_surface || args->right > bo->width || args->bottom > bo->height)
		ret = -EINVAL;
	else
		ret = qxl_surface_update_area(qdev->objs, bo, &rect);
	drm_dev_exit(idx);
out_put:
	drm_gem_object_put(&bo->base);
	return ret;
}

int qxl_getparam_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_qxl_getparam *args = data;
	struct qxl_device *qdev = to_qxl(dev);

	switch (args->param) {
	case QXL_PARAM_NUM_SURFACES:
		args->value = qdev->layout.n_surfaces;
		return 0;
	case QXL_PARAM_MAX_RELOCS:
		args->value = QXL_MAX_RELOCS;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * 0 if the SPICE client has capability bit index, -EOPNOTSUPP if not
 * (mainline says -ENOSYS, which means "no such system call"; why the
 * errno differs is in uapi/qxl_drm.h).
 */
int qxl_clientcap_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_qxl_clientcap *args = data;
	struct qxl_device *qdev = to_qxl(dev);
	u32 byte = args->index / 8;
	int idx;
	u8 caps;

	if (qdev->layout.revision < QXL_REVISION_V12 || byte >= QXL_CLIENT_CAPS_BYTES)
		return -EOPNOTSUPP;
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	caps = readb(&qdev->rom->client_capabilities[byte]);
	drm_dev_exit(idx);
	return caps & BIT(args->index % 8) ? 0 : -EOPNOTSUPP;
}
