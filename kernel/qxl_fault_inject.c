// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Test-only fault injection, <debugfs>/dri/N/inject_device_error, so that
 * guest tests can provoke the faults recovery (qxl_recovery.c) handles:
 *   "guest-bug"        an I/O the device flags as a guest bug (a memslot
 *                      id out of range: QEMU raises QXL_INTERRUPT_ERROR and
 *                      ignores all I/O but a reset; spice-server is not
 *                      involved, so it does not abort);
 *   "guest-bug-late"   the same guest bug, its interrupt handled 2 s late,
 *                      as on a host too busy to deliver it; meanwhile the
 *                      device holds whatever commands were pending;
 *   "lost-completion"  the next asynchronous I/O's completion interrupt is
 *                      ignored, as if the device never completed it.
 * Anything else is refused with -EINVAL.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "qxl_drv.h"

/* A memslot id beyond the device's 8: QEMU flags it as a guest bug. */
#define QXL_FAULT_BAD_SLOT	200
#define QXL_FAULT_LATE_MS	2000

/*
 * With int_mask 0 the device raises no interrupt for the guest bug (it
 * computes its line from pending & mask, and after the guest bug ignores
 * the handler's UPDATE_IRQ, so a raised line would stay raised); a
 * handler run meanwhile for another device on a shared line leaves it
 * (error_hold).  Not under io_lock: the point is a guest bug while a
 * client's UPDATE_AREA keeps the device rendering and other commands
 * wait in the ring; that I/O's completion may come while masked, and the
 * fault ends its wait anyway.  Handled with interrupts off, as the
 * handler runs: no preemption between the take-back and the reset.  The
 * reset clears the mask; the recovery restores it.
 */
static void qxl_inject_guest_bug_late(struct qxl_device *qdev)
{
	u32 *int_pending = (u32 __force *)&qdev->ram_header->int_pending;
	unsigned long flags;
	u32 pending;
	bool held;

	spin_lock_irqsave(&qdev->index_lock, flags);
	qdev->error_hold = true;
	spin_unlock_irqrestore(&qdev->index_lock, flags);
	writel(0, &qdev->ram_header->int_mask);
	outb(QXL_FAULT_BAD_SLOT, qdev->io_base + QXL_IO_MEMSLOT_ADD);
	msleep(QXL_FAULT_LATE_MS);

	local_irq_save(flags);
	spin_lock(&qdev->index_lock);
	qdev->error_hold = false;
	held = qdev->error_held;
	qdev->error_held = false;
	/* taken as the handler takes it, so that it does not see it again */
	do {
		pending = READ_ONCE(*int_pending);
	} while (cmpxchg(int_pending, pending, pending & ~QXL_INTERRUPT_ERROR) != pending);
	spin_unlock(&qdev->index_lock);
	if (held || (pending & QXL_INTERRUPT_ERROR)) {
		qdev->errors_late++;
		qdev->late_commands_retracted += qxl_recovery_device_error(qdev);
	} else if (READ_ONCE(qdev->irq_armed)) {
		/* no guest bug of ours (a recovery's reset came first) */
		writel(qdev->int_mask, &qdev->ram_header->int_mask);
	}
	local_irq_restore(flags);
}

static ssize_t qxl_inject_device_error_write(struct file *file, const char __user *ubuf,
					     size_t len, loff_t *ppos)
{
	struct qxl_device *qdev = file_inode(file)->i_private;
	char buf[32];
	size_t n = min(len, sizeof(buf) - 1);
	int idx;

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = 0;
	strim(buf);
	if (!strcmp(buf, "lost-completion")) {
		atomic_set(&qdev->drop_io_cmd, 1);
		return len;
	}
	if (strcmp(buf, "guest-bug") && strcmp(buf, "guest-bug-late"))
		return -EINVAL;
	if (!drm_dev_enter(&qdev->drm, &idx))
		return -ENODEV;
	if (!strcmp(buf, "guest-bug-late")) {
		qxl_inject_guest_bug_late(qdev);
		drm_dev_exit(idx);
		return len;
	}
	mutex_lock(&qdev->io_lock);
	outb(QXL_FAULT_BAD_SLOT, qdev->io_base + QXL_IO_MEMSLOT_ADD);
	mutex_unlock(&qdev->io_lock);
	drm_dev_exit(idx);
	return len;
}

static const struct file_operations qxl_inject_device_error_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = qxl_inject_device_error_write,
	.llseek = noop_llseek,
};

void qxl_fault_inject_debugfs_init(struct drm_minor *minor)
{
	debugfs_create_file("inject_device_error", 0200, minor->debugfs_root,
			    to_qxl(minor->dev), &qxl_inject_device_error_fops);
}
