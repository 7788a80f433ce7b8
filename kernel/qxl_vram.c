// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device memory: the BAR0 pages area, sub-allocated with drm_mm for
 * commands, images, clip lists, cursor shapes and the monitors config.
 * Memory comes back only when the device releases the command using it,
 * so running out is normally temporary: the allocator then collects the
 * release ring, kicks the device with NOTIFY_OOM (which makes it flush the
 * releases it batches) and sleeps until something is freed.  Only a device
 * that frees nothing for QXL_WAIT_TIMEOUT makes an allocation fail.
 */

#include <linux/io.h>

#include <drm/drm_print.h>

#include "qxl_drv.h"

/* Every allocation is aligned so the structures in it are naturally aligned. */
#define QXL_VRAM_ALIGN	64

void qxl_vram_init(struct qxl_device *qdev)
{
	mutex_init(&qdev->vram_lock);
	drm_mm_init(&qdev->vram_mm, qdev->layout.pages_offset, qdev->layout.pages_size);
}

void qxl_vram_fini(struct qxl_device *qdev)
{
	/* a leak is the allocator's own warning (and node dump): never hidden */
	mutex_lock(&qdev->vram_lock);
	drm_mm_takedown(&qdev->vram_mm);
	mutex_unlock(&qdev->vram_lock);
}

static int qxl_vram_try(struct qxl_device *qdev, u64 size, struct drm_mm_node *node)
{
	int ret;

	mutex_lock(&qdev->vram_lock);
	ret = drm_mm_insert_node_generic(&qdev->vram_mm, node, size, QXL_VRAM_ALIGN, 0,
					 DRM_MM_INSERT_BEST);
	if (!ret) {
		qdev->vram_used += node->size;
		qdev->vram_peak = max(qdev->vram_peak, qdev->vram_used);
	}
	mutex_unlock(&qdev->vram_lock);
	return ret;
}

int qxl_vram_alloc(struct qxl_device *qdev, u64 size, struct drm_mm_node *node)
{
	struct qxl_busy_watch w;
	u64 freed;

	size = ALIGN(size, QXL_VRAM_ALIGN);
	if (!size || size > qdev->layout.pages_size)
		return -EINVAL;

	memset(node, 0, sizeof(*node));
	qxl_busy_watch_start(qdev, &w);
	for (;;) {
		if (!qxl_vram_try(qdev, size, node))
			return 0;

		qxl_release_collect(qdev);
		if (!qxl_vram_try(qdev, size, node))
			return 0;

		/* faulted: logged once, and recovery repaints what this was for */
		if (qxl_device_faulted(qdev))
			return -ENOMEM;
		if (qxl_busy_watch_expired(qdev, &w, QXL_WAIT_TIMEOUT)) {
			drm_err(&qdev->drm,
				"no %llu bytes of device memory freed in %u ms (%llu of %u in use)\n",
				size, jiffies_to_msecs(jiffies - w.start), qdev->vram_used,
				qdev->layout.pages_size);
			return -ENOMEM;
		}
		qdev->vram_oom_waits++;
		freed = READ_ONCE(qdev->releases_freed);
		qxl_io_notify(qdev, QXL_IO_NOTIFY_OOM);
		qxl_release_collect(qdev);
		wait_event_timeout(qdev->release_wq,
				   READ_ONCE(qdev->releases_freed) != freed, HZ / 50);
	}
}

void qxl_vram_free(struct qxl_device *qdev, struct drm_mm_node *node)
{
	if (!drm_mm_node_allocated(node))
		return;
	mutex_lock(&qdev->vram_lock);
	qdev->vram_used -= node->size;
	drm_mm_remove_node(node);
	mutex_unlock(&qdev->vram_lock);
	wake_up_all(&qdev->release_wq);
}

void __iomem *qxl_vram_ptr(struct qxl_device *qdev, const struct drm_mm_node *node)
{
	return qdev->pages + (node->start - qdev->layout.pages_offset);
}

qxl_phys qxl_vram_phys(struct qxl_device *qdev, const struct drm_mm_node *node,
		       u64 offset)
{
	return qxl_device_phys(qdev, node->start + offset);
}
