// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The primary surface (surface 0): the device's scan-out, placed in the
 * BAR0 primary area.  All heads share it side by side; its size is fixed by
 * the layout atomic_check accepted, so creating it cannot fail for lack of
 * room.  The device refuses a second create while one exists, so a resize
 * is destroy + create.
 *
 * The device takes the destroy before the draws still in the command ring,
 * which would then aim at a primary that is gone: the ring is drained
 * first.
 *
 * Each creation comes with a new shadow (qxl_draw.c) of the primary's size,
 * valid for no head until a head is uploaded whole.  Without memory for it
 * uploads simply send all the damage.
 */

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "qxl_drv.h"

static void qxl_primary_drain(struct qxl_device *qdev)
{
	struct qxl_ring *ring = &qdev->rings[QXL_RING_DISPLAY];
	int idx;

	if (qxl_device_faulted(qdev) || !drm_dev_enter(&qdev->drm, &idx))
		return;
	qxl_ring_wait_consumed(ring, READ_ONCE(ring->prod));
	drm_dev_exit(idx);
}

static void qxl_primary_shadow_new(struct qxl_device *qdev, u32 width, u32 height)
{
	unsigned int head;

	kvfree(qdev->shadow);
	qdev->shadow = kvmalloc_array((size_t)width * height, 4, GFP_KERNEL);
	for (head = 0; head < qdev->num_heads; head++)
		qdev->outputs[head]->shadow_valid = false;
}

bool qxl_primary_fits(struct qxl_device *qdev, u32 width, u32 height)
{
	return width && height && width <= QXL_DEVIF_MAX_DIM && height <= QXL_DEVIF_MAX_DIM &&
	       (u64)width * 4 * height <= qdev->layout.surface0_size;
}

int qxl_primary_create(struct qxl_device *qdev, u32 width, u32 height)
{
	struct qxl_surface_create __iomem *cs = &qdev->ram_header->create_surface;
	int ret;

	if (drm_WARN_ON(&qdev->drm, !qxl_primary_fits(qdev, width, height)))
		return -EINVAL;

	mutex_lock(&qdev->primary_lock);
	if (qdev->primary_created && qdev->primary_width == width &&
	    qdev->primary_height == height) {
		mutex_unlock(&qdev->primary_lock);
		return 0;
	}
	if (qdev->primary_created) {
		qxl_primary_drain(qdev);
		ret = qxl_io_async(qdev, QXL_IO_DESTROY_PRIMARY_ASYNC, 0);
		if (ret)
			goto out;
		qdev->primary_created = false;
	}

	mutex_lock(&qdev->io_lock);
	writel(width, &cs->width);
	writel(height, &cs->height);
	writel(width * 4, &cs->stride);
	writel(QXL_SURFACE_FMT_32_XRGB, &cs->format);
	writel(0, &cs->position);
	writel(0, &cs->mouse_mode);
	writel(0, &cs->flags);
	writel(QXL_SURF_TYPE_PRIMARY, &cs->type);
	writeq(qxl_device_phys(qdev, qdev->layout.surface0_offset), &cs->mem);
	ret = qxl_io_async_locked(qdev, QXL_IO_CREATE_PRIMARY_ASYNC, 0);
	mutex_unlock(&qdev->io_lock);
	if (!ret) {
		qdev->primary_created = true;
		qdev->primary_width = width;
		qdev->primary_height = height;
		qxl_primary_shadow_new(qdev, width, height);
		drm_dbg_kms(&qdev->drm, "primary surface %ux%u\n", width, height);
	}
out:
	mutex_unlock(&qdev->primary_lock);
	return ret;
}

int qxl_primary_destroy(struct qxl_device *qdev)
{
	int ret = 0;

	mutex_lock(&qdev->primary_lock);
	if (qdev->primary_created) {
		qxl_primary_drain(qdev);
		ret = qxl_io_async(qdev, QXL_IO_DESTROY_PRIMARY_ASYNC, 0);
		qdev->primary_created = false;
	}
	kvfree(qdev->shadow);
	qdev->shadow = NULL;
	mutex_unlock(&qdev->primary_lock);
	return ret;
}
