// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Command and cursor rings, with the guest as producer.  A producer that
 * finds the ring full, or a caller waiting for the device to take its
 * command, asks for an interrupt through notify_on_cons and sleeps.  Several
 * sleepers can want different notify points while only one can be armed,
 * so sleeps are sliced and each slice re-arms the one its sleeper needs.
 */

#include <linux/io.h>

#include <drm/drm_print.h>

#include "qxl_drv.h"

#define QXL_RING_SLICE	(HZ / 50)

void qxl_ring_init(struct qxl_device *qdev, enum qxl_ring_id id)
{
	struct qxl_ring *ring = &qdev->rings[id];

	ring->qdev = qdev;
	mutex_init(&ring->lock);
	init_waitqueue_head(&ring->wq);
	if (id == QXL_RING_DISPLAY) {
		ring->name = "command";
		ring->ring = &qdev->ram_header->cmd_ring;
		ring->notify_port = QXL_IO_NOTIFY_CMD;
	} else {
		ring->name = "cursor";
		ring->ring = &qdev->ram_header->cursor_ring;
		ring->notify_port = QXL_IO_NOTIFY_CURSOR;
	}
	qxl_ring_reset(ring);
}

/* After a device reset the ring starts over from the header's values. */
void qxl_ring_reset(struct qxl_ring *ring)
{
	mutex_lock(&ring->lock);
	ring->prod = readl(&ring->ring->hdr.prod);
	mutex_unlock(&ring->lock);
}

/*
 * Take back every command the device has not consumed: prod = cons.  Only
 * for a command ring the device no longer consumes (it reported a guest
 * bug), under index_lock.  Pending commands there would hang QEMU for
 * good: spice-server's worker asks for a command, is refused (guest bug),
 * asks to be notified, is told the ring is not empty, and asks again, in
 * a loop without end once ~15 polls in a row came back empty-handed (~150
 * ms); the reset that would end the guest bug first waits for that
 * worker to stop, holding QEMU's global lock.  A pop that read the
 * guest-bug flag just before it was set may still move cons past the new
 * prod ("not empty" too): the re-check catches the usual case, and such a
 * pop restarts the worker's poll count, so a reset right after this one
 * (the caller's) still finds the worker answering.  The cached ring->prod
 * stays stale until qxl_ring_reset() after the reset.  Returns how many
 * commands were taken back.
 */
u32 qxl_ring_retract(struct qxl_ring *ring)
{
	struct qxl_ring_header __iomem *hdr = &ring->ring->hdr;
	u32 prod = readl(&hdr->prod);
	unsigned int tries;
	u32 cons;

	lockdep_assert_held(&ring->qdev->index_lock);
	for (tries = 0; tries < 8; tries++) {
		cons = readl(&hdr->cons);
		writel(cons, &hdr->prod);
		mb(); /* prod written before cons is read again */
		if (readl(&hdr->cons) == cons)
			break;
	}
	return prod - cons;
}

static int qxl_ring_space(struct qxl_ring *ring, const char **why)
{
	return qxl_devif_ring_space(QXL_COMMAND_RING_SIZE, ring->prod,
				    readl(&ring->ring->hdr.cons), why);
}

/* The caller holds ring->lock: commands reach the ring in submission order. */
int qxl_ring_push_locked(struct qxl_ring *ring, qxl_phys data, u32 type, u32 *seq)
{
	struct qxl_device *qdev = ring->qdev;
	struct qxl_ring_header __iomem *hdr = &ring->ring->hdr;
	struct qxl_command __iomem *item;
	struct qxl_busy_watch w;
	const char *why = NULL;
	unsigned long flags;
	int space;

	lockdep_assert_held(&ring->lock);
	/*
	 * A faulted device gets no new commands: it may have lost its
	 * primary (a destroy whose completion never came), and draws aimed
	 * at it would reach spice-server.  Recovery repaints.
	 */
	if (qxl_device_faulted(qdev))
		return -EIO;
	qxl_busy_watch_start(qdev, &w);
	for (;;) {
		space = qxl_ring_space(ring, &why);
		/* a device reset under a faulted device's ring is no news */
		if (space < 0 && qxl_device_faulted(qdev))
			return -EIO;
		if (space < 0) {
			drm_err(&qdev->drm, "%s ring refused: %s\n", ring->name, why);
			return -EIO;
		}
		if (space > 0)
			break;
		/* faulted: logged once, and recovery repaints what this was for */
		if (qxl_device_faulted(qdev))
			return -EIO;
		/* a device rendering what clients queued is slow, not stalled */
		if (qxl_busy_watch_expired(qdev, &w, QXL_WAIT_TIMEOUT)) {
			drm_err(&qdev->drm, "%s ring full for %u ms: device stalled\n",
				ring->name, jiffies_to_msecs(jiffies - w.start));
			return -EIO;
		}
		ring->waits++;
		writel(readl(&hdr->cons) + 1, &hdr->notify_on_cons);
		mb(); /* notify point visible before the re-check */
		wait_event_timeout(ring->wq, qxl_ring_space(ring, &why) != 0,
				   QXL_RING_SLICE);
	}

	/*
	 * The interrupt handler resets a device that reports a guest bug:
	 * after that reset our prod is stale, and writing it would make the
	 * device pop that many old slots.  It marks the device dead under
	 * index_lock before its reset, and we check under it before writing.
	 */
	spin_lock_irqsave(&qdev->index_lock, flags);
	if (qxl_device_faulted(qdev)) {
		spin_unlock_irqrestore(&qdev->index_lock, flags);
		return -EIO;
	}
	item = &ring->ring->items[qxl_devif_ring_slot(QXL_COMMAND_RING_SIZE, ring->prod)];
	writeq(data, &item->data);
	writel(type, &item->type);
	writel(0, &item->padding);
	wmb(); /* the item is complete before the device can see it */
	ring->prod++;
	writel(ring->prod, &hdr->prod);
	spin_unlock_irqrestore(&qdev->index_lock, flags);
	mb(); /* prod published before reading the device's notify point */
	if (ring->prod == readl(&hdr->notify_on_prod))
		qxl_io_notify(qdev, ring->notify_port);
	ring->pushed++;
	if (seq)
		*seq = ring->prod;
	return 0;
}

static bool qxl_ring_consumed(struct qxl_ring *ring, u32 seq)
{
	return (s32)(readl(&ring->ring->hdr.cons) - seq) >= 0;
}

/* Wait until the device has taken every command up to sequence number seq. */
int qxl_ring_wait_consumed(struct qxl_ring *ring, u32 seq)
{
	struct qxl_device *qdev = ring->qdev;
	struct qxl_ring_header __iomem *hdr = &ring->ring->hdr;
	struct qxl_busy_watch w;

	qxl_busy_watch_start(qdev, &w);
	while (!qxl_ring_consumed(ring, seq)) {
		if (qxl_device_faulted(qdev))
			return -EIO;
		if (qxl_busy_watch_expired(qdev, &w, QXL_WAIT_TIMEOUT)) {
			drm_err(&qdev->drm,
				"%s ring: device did not take command %u in %u ms (prod %u cons %u notify_on_prod %u)\n",
				ring->name, seq, jiffies_to_msecs(jiffies - w.start),
				readl(&hdr->prod), readl(&hdr->cons), readl(&hdr->notify_on_prod));
			return -EIO;
		}
		writel(seq, &hdr->notify_on_cons);
		mb(); /* notify point visible before the re-check */
		wait_event_timeout(ring->wq, qxl_ring_consumed(ring, seq), QXL_RING_SLICE);
	}
	return 0;
}

void qxl_ring_fill(struct qxl_ring *ring, u32 *used, u32 *size)
{
	*used = READ_ONCE(ring->prod) - readl(&ring->ring->hdr.cons);
	*size = QXL_COMMAND_RING_SIZE;
}
