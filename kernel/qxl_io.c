// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * I/O ports.  Notifications are plain byte writes.  The asynchronous
 * operations (memslot add, primary create/destroy, monitors config, update
 * area) are completed by an IO_CMD interrupt, and the device treats a
 * second async write before that completion as a guest bug.  So exactly
 * one runs at a time, under io_lock, and it is never written again:
 * kernel-internal callers cannot be interrupted by a signal, and an
 * operation that never completes has the device reset and the display
 * restored (qxl_recovery.c) instead of being retried.
 *
 * "Never completes" must not mean "slow": spice-server first takes every
 * command in the ring and, for an update, renders everything queued on the
 * surface, and any client can queue seconds of that.  A reset would not
 * even end the wait (QEMU performs it only once the worker is done, with
 * the vCPU stopped meanwhile) and would cost every client its off-screen
 * surfaces.  So the wait goes on while the device shows it works: it took
 * a command or handed back a release in the last QXL_IO_TIMEOUT.
 */

#include <linux/io.h>
#include <linux/ktime.h>

#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "qxl_drv.h"
#include "qxl_trace.h"

void qxl_io_notify(struct qxl_device *qdev, enum qxl_io_port port)
{
	outb(0, qdev->io_base + port);
}

/*
 * Every reset goes through here.  A guest bug nobody handled yet (its
 * ERROR still pending: interrupts disarmed around a reinit, or held by
 * fault injection) means commands waiting in the ring would hang the
 * reset: they are taken back first (qxl_ring_retract()), which is safe
 * as a device in that state consumes none.
 */
void qxl_io_reset(struct qxl_device *qdev)
{
	unsigned long flags;

	spin_lock_irqsave(&qdev->index_lock, flags);
	if (readl(&qdev->ram_header->int_pending) & QXL_INTERRUPT_ERROR)
		qxl_ring_retract(&qdev->rings[QXL_RING_DISPLAY]);
	spin_unlock_irqrestore(&qdev->index_lock, flags);
	outb(0, qdev->io_base + QXL_IO_RESET);
}

/*
 * A faulted device takes no I/O but its reset's own (qxl_device_start(),
 * which clears dead only once the memslots are back), and a fault ends
 * every other wait at once.
 */
static bool qxl_io_abandoned(struct qxl_device *qdev)
{
	return qxl_device_faulted(qdev) && !READ_ONCE(qdev->resetting);
}

static void qxl_busy_watch_read(struct qxl_device *qdev, struct qxl_busy_watch *w)
{
	w->cmd_cons = readl(&qdev->ram_header->cmd_ring.hdr.cons);
	w->cursor_cons = readl(&qdev->ram_header->cursor_ring.hdr.cons);
	w->release_prod = readl(&qdev->ram_header->release_ring.hdr.prod);
}

void qxl_busy_watch_start(struct qxl_device *qdev, struct qxl_busy_watch *w)
{
	w->start = jiffies;
	w->last_progress = w->start;
	qxl_busy_watch_read(qdev, w);
}

/* Where the device's consumers stand: any change since the last look is progress. */
bool qxl_busy_watch_expired(struct qxl_device *qdev, struct qxl_busy_watch *w,
			    unsigned long quiet)
{
	struct qxl_busy_watch now;

	qxl_busy_watch_read(qdev, &now);
	if (now.cmd_cons != w->cmd_cons || now.cursor_cons != w->cursor_cons ||
	    now.release_prod != w->release_prod) {
		w->cmd_cons = now.cmd_cons;
		w->cursor_cons = now.cursor_cons;
		w->release_prod = now.release_prod;
		w->last_progress = jiffies;
	}
	return time_after(jiffies, w->last_progress + quiet) ||
	       time_after(jiffies, w->start + QXL_IO_BUSY_LIMIT);
}

static int qxl_io_async_wait(struct qxl_device *qdev, enum qxl_io_port port, u8 val)
{
	struct qxl_busy_watch w;
	long left;
	int seq;

	lockdep_assert_held(&qdev->io_lock);
	if (qxl_io_abandoned(qdev))
		return -EIO;
	seq = atomic_read(&qdev->io_done);
	qxl_busy_watch_start(qdev, &w);
	outb(val, qdev->io_base + port);
	for (;;) {
		left = wait_event_timeout(qdev->io_wq, atomic_read(&qdev->io_done) != seq ||
					  qxl_io_abandoned(qdev), QXL_IO_TIMEOUT);
		/* a fault while waiting: the completion may never have come */
		if (qxl_io_abandoned(qdev))
			return -EIO;
		if (left)
			return 0;
		if (qxl_busy_watch_expired(qdev, &w, QXL_IO_TIMEOUT))
			break;
	}
	drm_err(&qdev->drm,
		"async I/O port %u (value %u) did not complete in %u ms (the last %u ms without progress, or past %u ms): resetting the device\n",
		port, val, jiffies_to_msecs(jiffies - w.start), jiffies_to_msecs(QXL_IO_TIMEOUT),
		jiffies_to_msecs(QXL_IO_BUSY_LIMIT));
	/* during a reset the reset itself fails, and recovery counts it */
	if (!READ_ONCE(qdev->resetting))
		qxl_recovery_schedule(qdev, "an I/O that never completed");
	return -EIO;
}

/*
 * The caller holds io_lock, which also guards the RAM header fields the
 * operation reads (mem_slot, create_surface, monitors_config, update_area).
 */
int qxl_io_async_locked(struct qxl_device *qdev, enum qxl_io_port port, u8 val)
{
	ktime_t start = ktime_get();
	int ret = qxl_io_async_wait(qdev, port, val);

	trace_qxl_io_async(qdev->drm.primary->index, port, val,
			   ktime_us_delta(ktime_get(), start), ret);
	return ret;
}

int qxl_io_async(struct qxl_device *qdev, enum qxl_io_port port, u8 val)
{
	int ret;

	mutex_lock(&qdev->io_lock);
	ret = qxl_io_async_locked(qdev, port, val);
	mutex_unlock(&qdev->io_lock);
	return ret;
}

int qxl_io_memslot_add(struct qxl_device *qdev, u8 slot, resource_size_t start,
		       resource_size_t end)
{
	struct qxl_memslot __iomem *ms = &qdev->ram_header->mem_slot;
	int ret;

	mutex_lock(&qdev->io_lock);
	writeq(start, &ms->mem_start);
	writeq(end, &ms->mem_end);
	ret = qxl_io_async_locked(qdev, QXL_IO_MEMSLOT_ADD_ASYNC,
				  qdev->layout.slots_start + slot);
	mutex_unlock(&qdev->io_lock);
	return ret;
}
