// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Interrupts.  QEMU's default machine shares the QXL line with other
 * devices, so the handler runs whenever any of them interrupts, including
 * before the device is set up and after it is torn down.  It only touches
 * the device while irq_armed is set (between qxl_irq_arm() and
 * qxl_irq_disarm(), which synchronises with running handlers), and claims
 * the interrupt only when the device had something pending.
 */

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/pci.h>

#include <drm/drm_print.h>

#include "qxl_drv.h"

#define QXL_INT_MASK	(QXL_INTERRUPT_DISPLAY | QXL_INTERRUPT_CURSOR | \
			 QXL_INTERRUPT_IO_CMD | QXL_INTERRUPT_ERROR | \
			 QXL_INTERRUPT_CLIENT_MONITORS_CONFIG)

static irqreturn_t qxl_irq_handler(int irq, void *arg)
{
	struct qxl_device *qdev = arg;
	u32 pending;

	if (!READ_ONCE(qdev->irq_armed))
		return IRQ_NONE;

	/* The device ORs bits in atomically; take them all at once. */
	pending = xchg((u32 __force *)&qdev->ram_header->int_pending, 0);
	if (!pending)
		return IRQ_NONE;

	atomic_inc(&qdev->irqs.total);
	if (pending & QXL_INTERRUPT_DISPLAY) {
		atomic_inc(&qdev->irqs.display);
		wake_up_all(&qdev->rings[QXL_RING_DISPLAY].wq);
		schedule_work(&qdev->release_work);
	}
	if (pending & QXL_INTERRUPT_CURSOR) {
		atomic_inc(&qdev->irqs.cursor);
		wake_up_all(&qdev->rings[QXL_RING_CURSOR].wq);
	}
	if (pending & QXL_INTERRUPT_IO_CMD) {
		atomic_inc(&qdev->irqs.io_cmd);
		/* fault injection (qxl_fault_inject.c): a completion that never came */
		if (!atomic_xchg(&qdev->drop_io_cmd, 0)) {
			atomic_inc(&qdev->io_done);
			wake_up_all(&qdev->io_wq);
		}
	}
	if (pending & QXL_INTERRUPT_ERROR) {
		atomic_inc(&qdev->irqs.error);
		qxl_recovery_device_error(qdev);
	}
	if (pending & QXL_INTERRUPT_CLIENT_MONITORS_CONFIG) {
		atomic_inc(&qdev->irqs.client_monitors);
		schedule_work(&qdev->client_work);
	}

	/* Lower the line: the device recomputes it from int_pending & int_mask. */
	outb(0, qdev->io_base + QXL_IO_UPDATE_IRQ);
	return IRQ_HANDLED;
}

int qxl_irq_init(struct qxl_device *qdev)
{
	struct pci_dev *pdev = qdev->pdev;
	int ret;

	ret = devm_request_irq(&pdev->dev, pdev->irq, qxl_irq_handler, IRQF_SHARED,
			       DRIVER_NAME, qdev);
	if (ret)
		drm_err(&qdev->drm, "cannot request IRQ %d: %d\n", pdev->irq, ret);
	return ret;
}

/* Unmask the device's interrupts; called after every device reset. */
void qxl_irq_arm(struct qxl_device *qdev)
{
	qdev->int_mask = QXL_INT_MASK;
	writel(0, &qdev->ram_header->int_pending);
	writel(qdev->int_mask, &qdev->ram_header->int_mask);
	WRITE_ONCE(qdev->irq_armed, true);
	outb(0, qdev->io_base + QXL_IO_UPDATE_IRQ);
}

void qxl_irq_disarm(struct qxl_device *qdev)
{
	if (!READ_ONCE(qdev->irq_armed))
		return;
	writel(0, &qdev->ram_header->int_mask);
	outb(0, qdev->io_base + QXL_IO_UPDATE_IRQ);
	WRITE_ONCE(qdev->irq_armed, false);
	synchronize_irq(qdev->pdev->irq);
}
