// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Recovery from device faults.  After a guest bug the device raises
 * QXL_INTERRUPT_ERROR and then ignores every I/O write but QXL_IO_RESET,
 * consuming no more commands: without a reset the picture stays frozen.
 * An asynchronous I/O whose completion never comes leaves the driver just
 * as stuck.  Either way the device is marked dead at once, so that every
 * waiter gives up within one wait slice instead of its full timeout, and a
 * work item (process context: the reset sleeps) brings it back.
 *
 * The work takes every modeset lock and commits a copy of the current
 * state with every head's layout marked changed.  Its commit tail resets
 * the device (qxl_device_reinit(), as on resume: memslots, rings,
 * interrupts; outstanding releases are retired, off-screen surfaces
 * forgotten) before the layout is applied, so the reset is ordered after
 * every commit already in flight and before the re-created primary, the
 * monitors config, the cursor and a full upload of every head's
 * framebuffer.  Clients are not told: their next frame simply shows.
 *
 * A device that does not come back after a few resets in a row is left
 * dead (the log says so) instead of being reset for ever.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_modeset_lock.h>
#include <drm/drm_print.h>

#include "qxl_drv.h"

/* Resets in a row that may fail before the device is given up. */
#define QXL_RECOVERY_ATTEMPTS	3

/* Ring waiters re-check the device's state (dead, or usable again). */
static void qxl_recovery_wake_rings(struct qxl_device *qdev)
{
	enum qxl_ring_id id;

	for (id = 0; id < QXL_RING_COUNT; id++)
		wake_up_all(&qdev->rings[id].wq);
}

/*
 * The device can no longer be trusted: stop every waiter and schedule the
 * reset.  Safe in interrupt context; index_lock held.
 */
static void qxl_recovery_mark_dead(struct qxl_device *qdev, const char *why)
{
	lockdep_assert_held(&qdev->index_lock);
	WRITE_ONCE(qdev->recovery_why, why);
	atomic_inc(&qdev->faults);
	smp_mb__after_atomic(); /* counted before 'recovering': qxl_recovery_done() */
	WRITE_ONCE(qdev->recovering, true);
	WRITE_ONCE(qdev->dead, true);
	qxl_recovery_wake_rings(qdev);
	wake_up_all(&qdev->io_wq);
	wake_up_all(&qdev->release_wq);
}

static void qxl_recovery_queue(struct qxl_device *qdev)
{
	if (READ_ONCE(qdev->recovery_failures) < QXL_RECOVERY_ATTEMPTS)
		schedule_work(&qdev->recovery_work);
}

void qxl_recovery_schedule(struct qxl_device *qdev, const char *why)
{
	unsigned long flags;

	/* under index_lock: qxl_device_start() must not reopen it after this */
	spin_lock_irqsave(&qdev->index_lock, flags);
	qxl_recovery_mark_dead(qdev, why);
	spin_unlock_irqrestore(&qdev->index_lock, flags);
	qxl_recovery_queue(qdev);
}

/*
 * The device reported a guest bug (interrupt handler).  From now on it
 * drops every I/O write but QXL_IO_RESET, the handler's UPDATE_IRQ
 * included, so its interrupt line would stay raised and the handler run
 * again at once, thousands of times before the recovery work gets a CPU
 * (and the kernel disables a line after 100,000 unclaimed interrupts,
 * for every device sharing it).  A reset here lowers the line; the
 * device is marked dead first so that nobody uses the reset rings, and
 * the recovery resets it again, in order.  It is marked dead under
 * index_lock, so that no ring index read before the reset is written
 * after it.
 */
u32 qxl_recovery_device_error(struct qxl_device *qdev)
{
	unsigned long flags;
	u32 retracted;

	/* also called by fault injection, with interrupts off as here */
	spin_lock_irqsave(&qdev->index_lock, flags);
	if (qdev->error_hold) {
		/* fault injection ("guest-bug-late") handles it later */
		qdev->error_held = true;
		spin_unlock_irqrestore(&qdev->index_lock, flags);
		return 0;
	}
	qxl_recovery_mark_dead(qdev, "a device error");
	/* no reset while commands are pending: see qxl_ring_retract() */
	retracted = qxl_ring_retract(&qdev->rings[QXL_RING_DISPLAY]);
	spin_unlock_irqrestore(&qdev->index_lock, flags);
	drm_err_ratelimited(&qdev->drm,
			    "device reports a guest bug: it executes nothing more until reset; resetting it\n");
	qxl_io_reset(qdev);
	qxl_recovery_queue(qdev);
	return retracted;
}

/*
 * Called from every commit tail: the reset, if this is the recovery's
 * commit (not one of a client's already in flight, whose tail may run
 * first: it must not reset the device under the layout it applies).
 */
int qxl_recovery_reset_if_asked(struct qxl_device *qdev, struct drm_atomic_state *state)
{
	if (!state || cmpxchg(&qdev->recovery_state, state, NULL) != state)
		return 0;
	return qxl_device_reinit(qdev);
}

static int qxl_recovery_commit(struct qxl_device *qdev, struct drm_modeset_acquire_ctx *ctx,
			       unsigned int *heads)
{
	struct drm_atomic_state *state;
	struct drm_crtc_state *crtc_state;
	struct drm_crtc *crtc;
	int i, ret;

	state = drm_atomic_helper_duplicate_state(&qdev->drm, ctx);
	if (IS_ERR(state))
		return PTR_ERR(state);
	*heads = 0;
	/* A changed layout re-creates the primary and uploads each head whole. */
	for_each_new_crtc_in_state(state, crtc, crtc_state, i) {
		to_qxl_crtc_state(crtc_state)->layout_changed = true;
		if (crtc_state->active)
			(*heads)++;
	}
	WRITE_ONCE(qdev->recovery_state, state);
	ret = drm_atomic_commit(state);
	/*
	 * A commit refused before its tail still owes the reset, unless it
	 * is to be retried (lock contention: the caller backs off).
	 */
	if (cmpxchg(&qdev->recovery_state, state, NULL) == state && ret != -EDEADLK) {
		qxl_device_reinit(qdev);
		if (!ret)
			ret = -EIO;
	}
	drm_atomic_state_put(state);
	return ret;
}

/*
 * The device is back (recovered or resumed) unless it faulted again since
 * 'faults' was read: then open it to everyone again.  A fault racing with
 * this leaves it closed: either its count is seen here, or its own
 * 'recovering = true' comes after this store.
 */
static bool qxl_recovery_done(struct qxl_device *qdev, int faults)
{
	WRITE_ONCE(qdev->recovering, false);
	smp_mb(); /* the store before the fault count is read */
	if (atomic_read(&qdev->faults) != faults || READ_ONCE(qdev->dead)) {
		WRITE_ONCE(qdev->recovering, true);
		return false;
	}
	WRITE_ONCE(qdev->recovery_failures, 0);
	qxl_recovery_wake_rings(qdev);
	return true;
}

/*
 * Resume: the device was re-initialised (qxl_device_reinit()); the mode
 * setting state is restored as by a recovery, which it also ends (even
 * one given up before the suspend).
 */
int qxl_recovery_resume(struct qxl_device *qdev)
{
	int faults = atomic_read(&qdev->faults);
	int ret;

	WRITE_ONCE(qdev->recovery_task, current);
	ret = drm_mode_config_helper_resume(&qdev->drm);
	WRITE_ONCE(qdev->recovery_task, NULL);
	if (!qxl_recovery_done(qdev, faults) && READ_ONCE(qdev->dead))
		qxl_recovery_queue(qdev);
	return ret;
}

static void qxl_recovery_work_func(struct work_struct *work)
{
	struct qxl_device *qdev = container_of(work, struct qxl_device, recovery_work);
	struct drm_device *dev = &qdev->drm;
	struct drm_modeset_acquire_ctx ctx;
	const char *why = READ_ONCE(qdev->recovery_why);
	int faults = atomic_read(&qdev->faults);
	unsigned int heads = 0;
	int idx, ret;

	if (!drm_dev_enter(dev, &idx))
		return;
	/*
	 * Until the display is back, the device is the recovery's alone:
	 * once reset it consumes no command before the primary exists, and
	 * clients' commands would fill the ring ahead of the recovery's.
	 */
	WRITE_ONCE(qdev->recovery_task, current);
	DRM_MODESET_LOCK_ALL_BEGIN(dev, ctx, 0, ret);
	ret = qxl_recovery_commit(qdev, &ctx, &heads);
	/*
	 * Opened while every modeset lock is still held: a client's commit
	 * waiting for them (a console damage flush drawn after the repaint)
	 * must find the device open, or its frame is refused and lost.
	 */
	if (!ret && !qxl_recovery_done(qdev, faults))
		ret = -EIO;
	DRM_MODESET_LOCK_ALL_END(dev, ctx, ret);
	WRITE_ONCE(qdev->recovery_task, NULL);

	if (!ret) {
		qdev->recoveries++;
		drm_info(dev,
			 "device recovered after %s: reset, memslots, primary %ux%u, monitors config, cursor and %u head(s) restored\n",
			 why, qdev->primary_width, qdev->primary_height, heads);
	} else {
		WRITE_ONCE(qdev->recovery_failures, qdev->recovery_failures + 1);
		if (qdev->recovery_failures >= QXL_RECOVERY_ATTEMPTS)
			drm_err(dev, "device did not recover after %u resets (%d): display off until the driver is reloaded\n",
				qdev->recovery_failures, ret);
		else
			qxl_recovery_schedule(qdev, why);
	}
	drm_dev_exit(idx);
}

void qxl_recovery_init(struct qxl_device *qdev)
{
	INIT_WORK(&qdev->recovery_work, qxl_recovery_work_func);
}

void qxl_recovery_fini(struct qxl_device *qdev)
{
	cancel_work_sync(&qdev->recovery_work);
}

/* A suspend failed: a recovery its qxl_recovery_fini() cancelled is still owed. */
void qxl_recovery_requeue(struct qxl_device *qdev)
{
	if (READ_ONCE(qdev->dead))
		qxl_recovery_queue(qdev);
}
