// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Off-screen device surfaces behind ALLOC_SURF buffers.
 *
 * A buffer becomes a device surface the first time a command draws on it
 * or reads from it, and stops being one when the buffer is freed.  The
 * device renders straight into the buffer's memory, which is why that
 * memory stays reserved until the destroy command has been released.
 *
 * Surface ids are few (the ROM's n_surfaces), buffers may be many.  When
 * the ids run out, the least recently used surface that no in-flight
 * command reads from is evicted (commands drawing on it are no obstacle:
 * the write-back renders them).  The device first writes its pending
 * rendering back into the buffer (UPDATE_AREA), then the surface is
 * destroyed; it comes back with KEEP_DATA, contents intact, when a command
 * next uses the buffer.  The first creation of a buffer never mapped has
 * nothing to keep: no KEEP_DATA, so spice-server neither reads the zeroes
 * nor sends them to its client.
 *
 * A write-back can take seconds (a client may queue that much rendering on
 * a surface), so it runs without the objects lock, which every client's
 * commands need; a surface named by a command meanwhile is not destroyed
 * (what that command draws would be lost), another is chosen.
 */

#include <linux/completion.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <drm/drm_rect.h>

#include "qxl_objects.h"

static u32 qxl_surface_bpp(u32 format)
{
	switch (format) {
	case QXL_SURFACE_FMT_1_A:
		return 1;
	case QXL_SURFACE_FMT_8_A:
		return 8;
	case QXL_SURFACE_FMT_16_555:
	case QXL_SURFACE_FMT_16_565:
		return 16;
	case QXL_SURFACE_FMT_32_XRGB:
	case QXL_SURFACE_FMT_32_ARGB:
		return 32;
	default:
		return 0;
	}
}

/*
 * What the device accepts for a surface (spice-server drops anything else
 * silently, QEMU calls a stride not a multiple of 4 a guest bug).  *size is
 * the buffer size mainline gives such a buffer: one row more than needed.
 */
int qxl_surface_check_params(struct qxl_device *qdev, u32 format, u32 width,
			     u32 height, s32 stride, u64 *size)
{
	u32 bpp = qxl_surface_bpp(format);
	u64 abs_stride;

	if (!bpp || !width || !height || width > QXL_DEVIF_MAX_DIM ||
	    height > QXL_DEVIF_MAX_DIM || stride == S32_MIN)
		return -EINVAL;
	abs_stride = abs(stride);
	if (abs_stride % 4 || abs_stride < DIV_ROUND_UP((u64)width * bpp, 8))
		return -EINVAL;
	*size = abs_stride * height + abs_stride;
	if (*size > QXL_MAX_ALLOC)
		return -EINVAL;
	return 0;
}

/* Send a create or destroy command for bo's surface id. */
static int qxl_surface_cmd(struct qxl_objects *objs, struct qxl_bo *bo, u8 type)
{
	struct qxl_device *qdev = objs->qdev;
	struct qxl_surface_cmd cmd = { 0 };
	struct qxl_release *release;
	struct qxl_bo_track *track;
	struct dma_fence *fence = NULL;
	int ret;

	track = qxl_bo_track_alloc(objs, 1);
	if (!track)
		return -ENOMEM;
	release = qxl_release_alloc(qdev, QXL_RING_DISPLAY, sizeof(cmd));
	if (IS_ERR(release)) {
		kfree(track);
		return PTR_ERR(release);
	}
	cmd.release_info.id = release->id;
	cmd.surface_id = bo->surface_id;
	cmd.type = type;
	if (type == QXL_SURFACE_CMD_CREATE) {
		if (READ_ONCE(bo->keep_data))
			cmd.flags = QXL_SURF_FLAG_KEEP_DATA;
		WRITE_ONCE(bo->keep_data, true);
		cmd.u.surface_create.format = bo->format;
		cmd.u.surface_create.width = bo->width;
		cmd.u.surface_create.height = bo->height;
		cmd.u.surface_create.stride = bo->stride;
		/* the lowest address; a negative stride puts row 0 last */
		cmd.u.surface_create.data = qxl_bo_phys(bo, 0);
	}
	memcpy_toio(qxl_release_ptr(release, 0), &cmd, sizeof(cmd));
	qxl_bo_track_add(track, bo, false);
	ret = qxl_release_submit_fence(release, QXL_CMD_SURFACE, NULL, &fence);
	qxl_bo_track_arm(track, fence);
	if (fence)
		dma_fence_put(fence);
	return ret;
}

/* Make the device render what is pending on surface id inside rect into memory. */
int qxl_surface_io_update(struct qxl_device *qdev, u32 id, const struct drm_rect *r)
{
	struct qxl_rect rect = {
		.top = r->y1, .left = r->x1, .bottom = r->y2, .right = r->x2,
	};
	int ret;

	mutex_lock(&qdev->io_lock);
	memcpy_toio(&qdev->ram_header->update_area, &rect, sizeof(rect));
	writel(id, &qdev->ram_header->update_surface);
	ret = qxl_io_async_locked(qdev, QXL_IO_UPDATE_AREA_ASYNC, 0);
	mutex_unlock(&qdev->io_lock);
	return ret;
}

/*
 * UPDATE_AREA on behalf of userspace, which may be interrupted: the I/O
 * runs in a worker, so that a signal ends the wait while the device's
 * operation completes there (with io_lock held, so nothing else is issued
 * before it).  The surface stays alive meanwhile: a surface destroyed
 * under a pending update makes spice-server abort QEMU.
 */
struct qxl_surface_update {
	struct work_struct work;
	struct completion done;
	struct kref ref;	/* the waiter and the worker */
	struct qxl_device *qdev;
	struct qxl_bo *bo;	/* NULL: the primary */
	u32 id;
	struct drm_rect rect;
	int ret;
};

static void qxl_surface_update_free(struct kref *ref)
{
	kfree(container_of(ref, struct qxl_surface_update, ref));
}

static void qxl_surface_update_work_func(struct work_struct *work)
{
	struct qxl_surface_update *u = container_of(work, struct qxl_surface_update, work);
	struct qxl_device *qdev = u->qdev;
	struct qxl_objects *objs = qdev->objs;
	unsigned long flags;
	int idx;

	/* unplug waits for this section: no I/O once the device is going */
	u->ret = -ENODEV;
	if (drm_dev_enter(&qdev->drm, &idx)) {
		u->ret = qxl_surface_io_update(qdev, u->id, &u->rect);
		drm_dev_exit(idx);
	}
	/* before the waiter wakes: an evicting waiter finds the surface idle */
	if (u->bo) {
		spin_lock_irqsave(&objs->busy_lock, flags);
		u->bo->src_busy--;
		spin_unlock_irqrestore(&objs->busy_lock, flags);
	}
	complete(&u->done);
	if (u->bo)
		drm_gem_object_put(&u->bo->base);
	kref_put(&u->ref, qxl_surface_update_free);
	/* last: the device (and objs) may go with this reference */
	drm_dev_put(&qdev->drm);
}

/*
 * Start the device rendering rect of surface id (bo's, or the primary with
 * bo NULL) into memory; the surface cannot be evicted or freed until that
 * is done.  The caller then waits with qxl_surface_update_wait().
 */
static struct qxl_surface_update *qxl_surface_update_start(struct qxl_device *qdev,
							   struct qxl_bo *bo, u32 id,
							   const struct drm_rect *r)
{
	struct qxl_objects *objs = qdev->objs;
	struct qxl_surface_update *u;
	unsigned long flags;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return ERR_PTR(-ENOMEM);
	INIT_WORK(&u->work, qxl_surface_update_work_func);
	init_completion(&u->done);
	kref_init(&u->ref);
	kref_get(&u->ref);
	u->qdev = qdev;
	u->id = id;
	u->rect = *r;
	if (bo) {
		/* read by the device: not evicted, not freed until the update is done */
		drm_gem_object_get(&bo->base);
		spin_lock_irqsave(&objs->busy_lock, flags);
		bo->src_busy++;
		spin_unlock_irqrestore(&objs->busy_lock, flags);
		u->bo = bo;
	}
	drm_dev_get(&qdev->drm);
	queue_work(objs->update_wq, &u->work);
	return u;
}

/*
 * -ERESTARTSYS when a signal came first; the update then still completes,
 * and is counted in updates_interrupted.
 */
static int qxl_surface_update_wait(struct qxl_objects *objs, struct qxl_surface_update *u)
{
	int ret;

	ret = wait_for_completion_interruptible(&u->done);
	if (ret)
		atomic64_inc(&objs->updates_interrupted);
	else
		ret = u->ret;
	kref_put(&u->ref, qxl_surface_update_free);
	return ret;
}

/* The device renders rect of surface id (bo's, or the primary with bo NULL) into memory. */
int qxl_surface_io_update_interruptible(struct qxl_device *qdev, struct qxl_bo *bo, u32 id,
					const struct drm_rect *r)
{
	struct qxl_surface_update *u = qxl_surface_update_start(qdev, bo, id, r);

	if (IS_ERR(u))
		return PTR_ERR(u);
	return qxl_surface_update_wait(qdev->objs, u);
}

static void qxl_surface_forget(struct qxl_objects *objs, struct qxl_bo *bo)
{
	objs->surfaces[bo->surface_id] = NULL;
	bo->surface_id = 0;
	list_del_init(&bo->lru);
	objs->surfaces_live--;
}

/*
 * Destroy bo's device surface and give up its id.  If the destroy command
 * cannot be sent (no device memory or ring space for 10 s, a device gone
 * bad), the device still has the surface and may render into the buffer's
 * memory at any time: that memory and the id then stay the device's until
 * it is reset (qxl_surface_lost_return), never handed to anyone else.
 */
static void qxl_surface_destroy(struct qxl_objects *objs, struct qxl_bo *bo)
{
	u32 id = bo->surface_id;
	unsigned long flags;
	int ret;

	ret = qxl_surface_cmd(objs, bo, QXL_SURFACE_CMD_DESTROY);
	qxl_surface_forget(objs, bo);
	objs->surfaces_destroyed++;
	if (!ret)
		return;
	/* a faulted device is reset soon (recovery): no news */
	if (!qxl_device_faulted(objs->qdev))
		drm_err_ratelimited(&objs->qdev->drm,
				    "surface %u: destroy not sent (%d): its id and %zu bytes stay the device's until reset\n",
				    id, ret, bo->base.size);
	bo->lost_id = id;
	objs->surfaces[id] = bo;
	list_add_tail(&bo->lru, &objs->lost);
	/* held busy: the buffer's memory outlives the buffer (as a zombie) */
	spin_lock_irqsave(&objs->busy_lock, flags);
	bo->busy++;
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	objs->surfaces_lost++;
}

/*
 * The device forgot its surfaces (reset) or is gone: what destroys that
 * were never sent kept is free again.  Buffers already closed are released
 * by the reap worker.
 */
void qxl_surface_lost_return(struct qxl_objects *objs)
{
	struct qxl_bo *bo, *next;
	unsigned long flags;
	bool reap = false;

	lockdep_assert_held(&objs->lock);
	list_for_each_entry_safe(bo, next, &objs->lost, lru) {
		list_del_init(&bo->lru);
		objs->surfaces[bo->lost_id] = NULL;
		bo->lost_id = 0;
		spin_lock_irqsave(&objs->busy_lock, flags);
		reap |= qxl_bo_unbusy_locked(objs, bo);
		spin_unlock_irqrestore(&objs->busy_lock, flags);
	}
	if (reap)
		schedule_work(&objs->reap_work);
}

/* Nothing in flight reads the surface and the command being built does not name it. */
static bool qxl_surface_evictable(struct qxl_objects *objs, struct qxl_bo *bo)
{
	unsigned long flags;
	bool idle;

	if (bo->exec_pin)
		return false;
	spin_lock_irqsave(&objs->busy_lock, flags);
	idle = !bo->src_busy;
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	return idle;
}

static u32 qxl_surface_free_id(struct qxl_objects *objs)
{
	u32 id;

	for (id = 1; id < objs->n_surfaces; id++) {
		if (!objs->surfaces[id])
			return id;
	}
	return 0;
}

/*
 * Give bo a device surface if it has none (objs->lock held).  -ENOSPC when
 * every id is taken: the caller drops its locks and makes room
 * (qxl_surface_make_room), since evicting waits for the device.
 */
int qxl_surface_ensure(struct qxl_objects *objs, struct qxl_bo *bo)
{
	u32 id;
	int ret;

	lockdep_assert_held(&objs->lock);
	if (!bo->is_surface)
		return -EINVAL;
	/* the device may still render into it as its old surface */
	if (bo->lost_id)
		return -EIO;
	bo->surface_uses++;
	if (bo->surface_id) {
		list_move_tail(&bo->lru, &objs->lru);
		return 0;
	}

	id = qxl_surface_free_id(objs);
	if (!id)
		return objs->surfaces_live ? -ENOSPC : -ENOMEM;
	bo->surface_id = id;
	ret = qxl_surface_cmd(objs, bo, QXL_SURFACE_CMD_CREATE);
	if (ret) {
		bo->surface_id = 0;
		return ret;
	}
	objs->surfaces[id] = bo;
	list_add_tail(&bo->lru, &objs->lru);
	objs->surfaces_live++;
	objs->surfaces_created++;
	return 0;
}

/* The least recently used surface no command reads and nobody evicts. */
static struct qxl_bo *qxl_surface_victim(struct qxl_objects *objs)
{
	struct qxl_bo *bo;

	lockdep_assert_held(&objs->lock);
	list_for_each_entry(bo, &objs->lru, lru) {
		if (!bo->evicting && qxl_surface_evictable(objs, bo))
			return bo;
	}
	return NULL;
}

/*
 * Evict bo (objs->lock held on entry, dropped on return): the device
 * writes the surface back with the lock dropped, then it is destroyed
 * unless a command named it or started reading it meanwhile.  0 also when
 * it was kept: the caller looks for room again.
 */
static int qxl_surface_evict(struct qxl_objects *objs, struct qxl_bo *bo)
{
	struct qxl_surface_update *u;
	u32 id = bo->surface_id;
	u32 uses = bo->surface_uses;
	struct drm_rect all;
	int ret;

	drm_rect_init(&all, 0, 0, bo->width, bo->height);
	u = qxl_surface_update_start(objs->qdev, bo, id, &all);
	if (IS_ERR(u)) {
		mutex_unlock(&objs->lock);
		return PTR_ERR(u);
	}
	bo->evicting = true;
	drm_gem_object_get(&bo->base);
	mutex_unlock(&objs->lock);

	ret = qxl_surface_update_wait(objs, u);

	mutex_lock(&objs->lock);
	bo->evicting = false;
	if (ret == -ERESTARTSYS)
		goto out;
	if (ret)
		drm_dbg_driver(&objs->qdev->drm, "surface %u: write-back failed (%d)\n", id, ret);
	/* Without the write-back the contents are stale, but the id is still freed. */
	if (bo->surface_id == id && bo->surface_uses == uses &&
	    qxl_surface_evictable(objs, bo)) {
		qxl_surface_destroy(objs, bo);
		objs->surfaces_evicted++;
	}
	ret = 0;
out:
	mutex_unlock(&objs->lock);
	/* not under objs->lock: the last reference frees the surface, which takes it */
	drm_gem_object_put(&bo->base);
	return ret;
}

/*
 * Called without locks after qxl_surface_ensure() found every id taken:
 * evicts until an id is free, or waits (until deadline) for the device
 * to finish with a surface when every one is read by a command in flight.
 * Another client may take the id before the caller: it then comes back.
 */
int qxl_surface_make_room(struct qxl_objects *objs, unsigned long deadline)
{
	struct qxl_device *qdev = objs->qdev;
	struct qxl_reclaim rc = { 0 };
	struct qxl_bo *bo;
	long slice;
	int ret;

	for (;;) {
		if (mutex_lock_interruptible(&objs->lock))
			return -ERESTARTSYS;
		if (qxl_surface_free_id(objs)) {
			mutex_unlock(&objs->lock);
			return 0;
		}
		/* bounded even if other clients keep naming every victim */
		bo = time_after(jiffies, deadline) ? NULL : qxl_surface_victim(objs);
		if (bo) {
			ret = qxl_surface_evict(objs, bo);
			if (ret)
				return ret;
			continue;
		}
		ret = !objs->surfaces_live || qxl_device_faulted(qdev) ||
		      time_after(jiffies, deadline);
		mutex_unlock(&objs->lock);
		if (ret)
			return -ENOMEM;
		/* Every surface is read by a command in flight: let the device finish. */
		slice = qxl_objects_reclaim(qdev, &rc);
		ret = wait_event_interruptible_timeout(qdev->release_wq,
						       qxl_objects_reclaim_progress(qdev, &rc),
						       slice);
		if (ret < 0)
			return ret;
	}
}

/* bo is being freed: destroy its device surface (the destroy keeps it busy). */
void qxl_surface_release(struct qxl_bo *bo)
{
	struct qxl_objects *objs = bo->qdev->objs;
	int idx;

	mutex_lock(&objs->lock);
	if (bo->surface_id) {
		if (drm_dev_enter(&bo->qdev->drm, &idx)) {
			qxl_surface_destroy(objs, bo);
			drm_dev_exit(idx);
		} else {
			/* unplugged: the device renders nothing any more */
			qxl_surface_forget(objs, bo);
			objs->surfaces_destroyed++;
		}
	}
	mutex_unlock(&objs->lock);
}

/*
 * UPDATE_AREA of an off-screen surface buffer; rect is already checked.
 * The objects lock only covers looking the surface up and pinning it: the
 * device may take seconds to render what is queued on the surface, and
 * every other client's commands need that lock.
 */
int qxl_surface_update_area(struct qxl_objects *objs, struct qxl_bo *bo,
			    const struct drm_rect *rect)
{
	struct qxl_surface_update *u = NULL;

	if (mutex_lock_interruptible(&objs->lock))
		return -ERESTARTSYS;
	/* Without a device surface the buffer's memory is already current. */
	if (bo->surface_id)
		u = qxl_surface_update_start(objs->qdev, bo, bo->surface_id, rect);
	mutex_unlock(&objs->lock);
	if (IS_ERR_OR_NULL(u))
		return PTR_ERR_OR_ZERO(u);
	return qxl_surface_update_wait(objs, u);
}

/*
 * The device was reset (resume) and forgot every surface: so do we.  The
 * buffers keep their contents; surfaces come back on next use.
 */
void qxl_objects_reset(struct qxl_device *qdev)
{
	struct qxl_objects *objs = qdev->objs;
	struct qxl_bo *bo, *next;

	if (!objs)
		return;
	mutex_lock(&objs->lock);
	list_for_each_entry_safe(bo, next, &objs->lru, lru)
		qxl_surface_forget(objs, bo);
	qxl_surface_lost_return(objs);
	mutex_unlock(&objs->lock);
}
