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
	bool evict;		/* an eviction's write-back: the worker finishes it */
};

/*
 * An id was freed or a surface stopped being read: wake whoever waits for
 * room (qxl_surface_make_room(), on release_wq with the device's releases).
 */
static void qxl_surface_ids_changed(struct qxl_objects *objs)
{
	atomic_inc(&objs->id_events);
	wake_up_all(&objs->qdev->release_wq);
}

static void qxl_surface_evict_done(struct qxl_objects *objs, struct qxl_surface_update *u,
				   bool entered);

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
	bool entered;
	int idx;

	/* unplug waits for this section: no I/O once the device is going */
	u->ret = -ENODEV;
	entered = drm_dev_enter(&qdev->drm, &idx);
	if (entered)
		u->ret = qxl_surface_io_update(qdev, u->id, &u->rect);
	if (u->bo) {
		spin_lock_irqsave(&objs->busy_lock, flags);
		u->bo->src_busy--;
		spin_unlock_irqrestore(&objs->busy_lock, flags);
	}
	/* here, not in the waiter: a signal must not leave an eviction half done */
	if (u->evict)
		qxl_surface_evict_done(objs, u, entered);
	if (entered)
		drm_dev_exit(idx);
	qxl_surface_ids_changed(objs);
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
static struct qxl_surface_update *qxl_surface_update_prepare(struct qxl_device *qdev,
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
		/*
		 * Read by the device: not evicted, not freed until the update
		 * is done (the caller's reference on bo passes to the update).
		 */
		spin_lock_irqsave(&objs->busy_lock, flags);
		bo->src_busy++;
		spin_unlock_irqrestore(&objs->busy_lock, flags);
		u->bo = bo;
	}
	drm_dev_get(&qdev->drm);
	return u;
}

static void qxl_surface_update_queue(struct qxl_surface_update *u)
{
	queue_work(u->qdev->objs->update_wq, &u->work);
}

static struct qxl_surface_update *qxl_surface_update_start(struct qxl_device *qdev,
							   struct qxl_bo *bo, u32 id,
							   const struct drm_rect *r)
{
	struct qxl_surface_update *u;

	if (bo)
		drm_gem_object_get(&bo->base);
	u = qxl_surface_update_prepare(qdev, bo, id, r);
	if (IS_ERR(u)) {
		/* not the last reference: the caller has one */
		if (bo)
			drm_gem_object_put(&bo->base);
		return u;
	}
	qxl_surface_update_queue(u);
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
	qxl_surface_ids_changed(objs);
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
	qxl_surface_ids_changed(objs);
}

/* Nothing in flight reads the surface (an UPDATE_AREA or a command). */
static bool qxl_surface_evictable(struct qxl_objects *objs, struct qxl_bo *bo)
{
	unsigned long flags;
	bool idle;

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
 * Give bo a device surface if it has none (objs->lock held).  -ENOMEM with
 * *room set when every id is taken or bo is being evicted: the caller
 * drops its locks and makes room or waits (qxl_surface_make_room), since
 * evicting waits for the device.
 */
int qxl_surface_ensure(struct qxl_objects *objs, struct qxl_bo *bo, enum qxl_room *room)
{
	u32 id;
	int ret;

	lockdep_assert_held(&objs->lock);
	if (!bo->is_surface)
		return -EINVAL;
	/* the device may still render into it as its old surface */
	if (bo->lost_id)
		return -EIO;
	/* what a command drew on it now would be lost with the surface */
	if (bo->evicting) {
		*room = QXL_ROOM_EVICTION;
		return -ENOMEM;
	}
	if (bo->surface_id) {
		list_move_tail(&bo->lru, &objs->lru);
		return 0;
	}

	id = qxl_surface_free_id(objs);
	if (!id) {
		if (objs->surfaces_live)
			*room = QXL_ROOM_ID;
		return -ENOMEM;
	}
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

/*
 * The device wrote the evicted surface back (or failed to): destroy it.
 * Commands that name it wait meanwhile (qxl_surface_ensure), and those
 * sent before were in the ring when the write-back began, which renders
 * them; only an UPDATE_AREA reading it now keeps it.  Without the
 * write-back the contents are stale, but the id is still freed.
 */
static void qxl_surface_evict_done(struct qxl_objects *objs, struct qxl_surface_update *u,
				   bool entered)
{
	struct qxl_bo *bo = u->bo;

	mutex_lock(&objs->lock);
	objs->evictions--;
	bo->evicting = false;
	if (u->ret)
		drm_dbg_driver(&objs->qdev->drm, "surface %u: write-back failed (%d)\n",
			       u->id, u->ret);
	if (bo->surface_id == u->id && qxl_surface_evictable(objs, bo)) {
		if (entered) {
			qxl_surface_destroy(objs, bo);
		} else {
			/* unplugged: the device renders nothing any more */
			qxl_surface_forget(objs, bo);
			objs->surfaces_destroyed++;
		}
		objs->surfaces_evicted++;
	}
	mutex_unlock(&objs->lock);
}

/*
 * Start evicting the least recently used surface that no command reads,
 * none of the caller's (exclude) and not being freed: 1, or 0 if there is
 * none; *dying is set if one is being freed (its id comes back soon).  On
 * an error *put is a reference the caller drops once objs->lock is not
 * held (the last one frees the buffer, which takes the lock).
 */
static int qxl_surface_evict_start(struct qxl_objects *objs, struct qxl_bo *const *exclude,
				   unsigned int n_exclude, bool *dying, struct qxl_bo **put)
{
	struct qxl_surface_update *u;
	struct drm_rect all;
	struct qxl_bo *bo;
	unsigned int i;

	lockdep_assert_held(&objs->lock);
	list_for_each_entry(bo, &objs->lru, lru) {
		for (i = 0; i < n_exclude && exclude[i] != bo; i++)
			;
		if (i < n_exclude || !qxl_surface_evictable(objs, bo))
			continue;
		/* the LRU holds no reference: its last one may be going now */
		if (!kref_get_unless_zero(&bo->base.refcount)) {
			*dying = true;
			continue;
		}
		drm_rect_init(&all, 0, 0, bo->width, bo->height);
		/* the reference goes with the update */
		u = qxl_surface_update_prepare(objs->qdev, bo, bo->surface_id, &all);
		if (IS_ERR(u)) {
			*put = bo;
			return PTR_ERR(u);
		}
		u->evict = true;
		bo->evicting = true;
		objs->evictions++;
		qxl_surface_update_queue(u);
		/* nobody waits on it: the worker finishes the eviction */
		kref_put(&u->ref, qxl_surface_update_free);
		return 1;
	}
	return 0;
}

/* Worth another look for room: an id freed, or (rc) the device handed something back. */
static bool qxl_surface_room_news(struct qxl_objects *objs, int seen, const struct qxl_reclaim *rc)
{
	return atomic_read(&objs->id_events) != seen ||
	       (rc && qxl_objects_reclaim_progress(objs->qdev, rc));
}

/*
 * Called without locks after qxl_surface_ensure() asked for room (r->need):
 * a free id, or the end of the eviction of a surface the command names.
 * One eviction runs at a time (write-backs are serialised by the device
 * anyway); others wait for it.  When every surface is read by a command
 * in flight, wait (until r->deadline) for the device to finish one.
 * Another client may take the freed id first: the caller comes back, and
 * r->limit bounds the whole.  A signal ends the wait only if intr; the
 * eviction goes on regardless.
 */
int qxl_surface_make_room(struct qxl_objects *objs, struct qxl_room_wait *r,
			  struct qxl_bo *const *exclude, unsigned int n_exclude, bool intr)
{
	struct qxl_device *qdev = objs->qdev;
	struct qxl_reclaim rc = { 0 }, *rcp;
	struct qxl_bo *put;
	bool dying, reclaim;
	long slice, left;
	int seen, ret;

	if (!r->deadline) {
		r->deadline = jiffies + QXL_SURFACE_ID_TIMEOUT;
		r->limit = jiffies + QXL_IO_BUSY_LIMIT;
	}
	for (;;) {
		ret = intr ? mutex_lock_interruptible(&objs->lock) :
			     mutex_lock_killable(&objs->lock);
		if (ret)
			return intr ? -ERESTARTSYS : ret;
		if (r->need == QXL_ROOM_EVICTION ? !objs->evictions : !!qxl_surface_free_id(objs)) {
			mutex_unlock(&objs->lock);
			return 0;
		}
		seen = atomic_read(&objs->id_events);
		put = NULL;
		dying = false;
		reclaim = false;
		ret = 0;
		if (qxl_device_faulted(qdev))
			ret = -EIO;
		else if (time_after(jiffies, r->limit))
			ret = -ENOMEM;
		else if (!objs->evictions)
			ret = qxl_surface_evict_start(objs, exclude, n_exclude, &dying, &put);
		if (!ret && !objs->evictions && !dying) {
			/* every surface is read by a command in flight, or the caller's */
			if (!objs->surfaces_live || time_after(jiffies, r->deadline))
				ret = -ENOMEM;
			reclaim = true;
		}
		mutex_unlock(&objs->lock);
		if (put)
			drm_gem_object_put(&put->base);
		if (ret < 0)
			return ret;

		rcp = reclaim ? &rc : NULL;
		slice = reclaim ? qxl_objects_reclaim(qdev, &rc) : HZ;
		if (intr)
			left = wait_event_interruptible_timeout(qdev->release_wq,
								qxl_surface_room_news(objs, seen,
										      rcp),
								slice);
		else
			left = wait_event_killable_timeout(qdev->release_wq,
							   qxl_surface_room_news(objs, seen, rcp),
							   slice);
		if (left < 0)
			return left;
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
