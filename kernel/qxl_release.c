// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Command submission and the release ring.
 *
 * Submitting a command is: qxl_release_alloc() (device memory for the
 * command and its payload, plus an id the device will hand back), filling
 * the memory through qxl_release_ptr()/qxl_release_phys(), and
 * qxl_release_submit(), which attaches a dma-fence and pushes the command
 * on its ring.  The device returns ids through the release ring, each the
 * head of a chain linked through the commands' release_info; a chain is
 * checked against the outstanding ids in full before anything is freed.
 *
 * The device releases commands in no particular order (it batches them,
 * and holds drawables it has not rendered yet), and fences of one context
 * must signal in seqno order: so each fence is its own context, and claims
 * no order against any other.  A release's memory is freed and its fence
 * signalled when the device returns it; the release structure itself lives
 * as long as its fence has references.
 */

#include <linux/io.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "qxl_drv.h"
#include "qxl_trace.h"

static const char *qxl_fence_get_driver_name(struct dma_fence *fence)
{
	return DRIVER_NAME;
}

static const char *qxl_fence_get_timeline_name(struct dma_fence *fence)
{
	struct qxl_release *release = container_of(fence, struct qxl_release, fence);

	return release->ring == QXL_RING_DISPLAY ? "qxl-command" : "qxl-cursor";
}

static const struct dma_fence_ops qxl_fence_ops = {
	.get_driver_name = qxl_fence_get_driver_name,
	.get_timeline_name = qxl_fence_get_timeline_name,
};

void qxl_release_init(struct qxl_device *qdev)
{
	spin_lock_init(&qdev->release_lock);
	idr_init_base(&qdev->release_idr, 1);
	mutex_init(&qdev->release_ring_lock);
	init_waitqueue_head(&qdev->release_wq);
	qdev->release_cons = readl(&qdev->ram_header->release_ring.hdr.cons);
}

struct qxl_release *qxl_release_alloc(struct qxl_device *qdev, enum qxl_ring_id ring,
				      u32 size)
{
	struct qxl_release *release;
	unsigned long flags;
	int id;
	int ret;

	release = kzalloc(sizeof(*release), GFP_KERNEL);
	if (!release)
		return ERR_PTR(-ENOMEM);
	release->qdev = qdev;
	release->ring = ring;
	release->size = size;

	ret = qxl_vram_alloc(qdev, size, &release->node);
	if (ret) {
		kfree(release);
		return ERR_PTR(ret);
	}

	idr_preload(GFP_KERNEL);
	spin_lock_irqsave(&qdev->release_lock, flags);
	/* the device returning it before submission is refused (qxl_release_submitted) */
	id = idr_alloc_cyclic(&qdev->release_idr, release, 1, 0, GFP_NOWAIT);
	spin_unlock_irqrestore(&qdev->release_lock, flags);
	idr_preload_end();
	if (id < 0) {
		qxl_vram_free(qdev, &release->node);
		kfree(release);
		return ERR_PTR(id);
	}
	release->id = id;
	writeq(id, qxl_release_ptr(release, 0));
	return release;
}

/* The fence is initialised at submission (under release_lock). */
static bool qxl_release_submitted(const struct qxl_release *release)
{
	return release->fence.ops;
}

void __iomem *qxl_release_ptr(struct qxl_release *release, u32 offset)
{
	return qxl_vram_ptr(release->qdev, &release->node) + offset;
}

qxl_phys qxl_release_phys(struct qxl_release *release, u32 offset)
{
	return qxl_vram_phys(release->qdev, &release->node, offset);
}

/* Drop a release that was never submitted. */
void qxl_release_discard(struct qxl_release *release)
{
	struct qxl_device *qdev = release->qdev;
	unsigned long flags;

	spin_lock_irqsave(&qdev->release_lock, flags);
	idr_remove(&qdev->release_idr, release->id);
	spin_unlock_irqrestore(&qdev->release_lock, flags);
	qxl_vram_free(qdev, &release->node);
	kfree(release);
}

/* A submitted release leaves the books: nobody else can find it and retire it. */
static void qxl_release_unlink(struct qxl_release *release)
{
	struct qxl_device *qdev = release->qdev;
	unsigned long flags;

	spin_lock_irqsave(&qdev->release_lock, flags);
	idr_remove(&qdev->release_idr, release->id);
	qdev->releases_outstanding--;
	qdev->releases_freed++;
	spin_unlock_irqrestore(&qdev->release_lock, flags);
}

/* ... then its memory is free and its fence signalled, once. */
static void qxl_release_complete(struct qxl_release *release, int error)
{
	trace_qxl_release_retire(release->qdev->drm.primary->index, release->id, error);
	qxl_vram_free(release->qdev, &release->node);
	if (error)
		dma_fence_set_error(&release->fence, error);
	dma_fence_signal(&release->fence);
	dma_fence_put(&release->fence);
}

/* The device is done with a submitted release (or will never see it). */
static void qxl_release_retire(struct qxl_release *release, int error)
{
	qxl_release_unlink(release);
	qxl_release_complete(release, error);
}

/*
 * Push the command at offset 0 of the release.  On success *seq (if not
 * NULL) is the ring position to pass to qxl_ring_wait_consumed(), and
 * *fence (if not NULL) a reference to the release's fence.  On failure the
 * release is gone.
 */
int qxl_release_submit_fence(struct qxl_release *release, u32 cmd_type, u32 *seq,
			     struct dma_fence **fence)
{
	struct qxl_device *qdev = release->qdev;
	struct qxl_ring *ring = &qdev->rings[release->ring];
	unsigned long flags;
	int ret;

	mutex_lock(&ring->lock);
	spin_lock_irqsave(&qdev->release_lock, flags);
	dma_fence_init(&release->fence, &qxl_fence_ops, &qdev->release_lock,
		       dma_fence_context_alloc(1), 1);
	qdev->releases_outstanding++;
	spin_unlock_irqrestore(&qdev->release_lock, flags);
	if (fence)
		*fence = dma_fence_get(&release->fence);

	/*
	 * Traced before the push, with the position it takes (ring->lock is
	 * held): once pushed, the device may hand it back and another CPU
	 * trace its retirement first.  A refused push is traced retired with
	 * its error.
	 */
	trace_qxl_cmd_push(qdev->drm.primary->index, release->ring, release->id, cmd_type,
			   ring->prod + 1);
	ret = qxl_ring_push_locked(ring, qxl_release_phys(release, 0), cmd_type, seq);
	/*
	 * Refused: off the books before the ring lock goes, or a recovery
	 * (qxl_device_reinit(), under the ring locks) would retire it too.
	 */
	if (ret)
		qxl_release_unlink(release);
	mutex_unlock(&ring->lock);
	if (ret)
		qxl_release_complete(release, ret);
	return ret;
}

int qxl_release_submit(struct qxl_release *release, u32 cmd_type, u32 *seq)
{
	return qxl_release_submit_fence(release, cmd_type, seq, NULL);
}

/*
 * The walker stops at the first id that fails here, so each refused chain
 * counts once: as unknown (never issued, or already freed: ids are not
 * reused before the idr wraps, so a duplicate release lands here), as
 * unsubmitted, or neither (a loop or an overlong chain).
 */
static int qxl_release_lookup(void *ctx, u64 id, u64 *next)
{
	struct qxl_device *qdev = ctx;
	struct qxl_release *release = NULL;
	unsigned long flags;
	int ret = -ENOENT;

	/*
	 * Everything under the lock: a release found in the idr keeps its
	 * structure and device memory until it is removed from it.
	 */
	spin_lock_irqsave(&qdev->release_lock, flags);
	if (id <= INT_MAX)
		release = idr_find(&qdev->release_idr, id);
	if (!release) {
		qdev->release_ids_unknown++;
	} else if (!qxl_release_submitted(release)) {
		qdev->release_ids_unsubmitted++;
	} else {
		/* The device replaced our id with the next link of the chain. */
		*next = readq(qxl_release_ptr(release, 0));
		ret = 0;
	}
	spin_unlock_irqrestore(&qdev->release_lock, flags);
	return ret;
}

static void qxl_release_chain_free(void *ctx, u64 id)
{
	struct qxl_device *qdev = ctx;
	struct qxl_release *release;
	unsigned long flags;

	spin_lock_irqsave(&qdev->release_lock, flags);
	release = idr_find(&qdev->release_idr, id);
	spin_unlock_irqrestore(&qdev->release_lock, flags);
	if (release && qxl_release_submitted(release))
		qxl_release_retire(release, 0);
}

static const struct qxl_devif_release_ops qxl_release_chain_ops = {
	.lookup = qxl_release_lookup,
	.release = qxl_release_chain_free,
};

/* Free everything the device has handed back through the release ring. */
void qxl_release_collect(struct qxl_device *qdev)
{
	struct qxl_release_ring __iomem *ring = &qdev->ram_header->release_ring;
	const char *why = NULL;
	unsigned long flags;
	int pending;
	u64 id;

	mutex_lock(&qdev->release_ring_lock);
	for (;;) {
		pending = qxl_devif_ring_pending(QXL_RELEASE_RING_SIZE, readl(&ring->hdr.prod),
						 qdev->release_cons, &why);
		/*
		 * A faulted device may have been reset under us (its interrupt
		 * handler does): recovery forgets every release anyway.
		 */
		if (pending < 0 && READ_ONCE(qdev->dead))
			break;
		if (pending < 0) {
			drm_err_ratelimited(&qdev->drm, "release ring refused: %s\n", why);
			break;
		}
		if (!pending) {
			writel(qdev->release_cons + 1, &ring->hdr.notify_on_prod);
			mb(); /* notify point visible before the re-check */
			if (readl(&ring->hdr.prod) == qdev->release_cons)
				break;
			continue;
		}
		/* no cons written after the interrupt handler's reset: qxl_ring.c */
		spin_lock_irqsave(&qdev->index_lock, flags);
		if (READ_ONCE(qdev->dead)) {
			spin_unlock_irqrestore(&qdev->index_lock, flags);
			break;
		}
		id = readq(&ring->items[qxl_devif_ring_slot(QXL_RELEASE_RING_SIZE,
							    qdev->release_cons)]);
		qdev->release_cons++;
		writel(qdev->release_cons, &ring->hdr.cons);
		spin_unlock_irqrestore(&qdev->index_lock, flags);
		/* a flush with nothing batched pushes an empty entry */
		if (!id)
			continue;
		if (qxl_devif_release_chain(id, READ_ONCE(qdev->releases_outstanding) + 1,
					    &qxl_release_chain_ops, qdev, &why)) {
			qdev->release_chains_rejected++;
			drm_err_ratelimited(&qdev->drm,
					    "release id %llu from the device refused: %s\n",
					    id, why);
		}
	}
	mutex_unlock(&qdev->release_ring_lock);
	wake_up_all(&qdev->release_wq);
}

static void qxl_release_work_func(struct work_struct *work)
{
	struct qxl_device *qdev = container_of(work, struct qxl_device, release_work);

	qxl_release_collect(qdev);
}

void qxl_release_init_work(struct qxl_device *qdev)
{
	INIT_WORK(&qdev->release_work, qxl_release_work_func);
}

/*
 * Ask the device to hand back everything it can and wait (bounded) until
 * nothing is outstanding.  Commands the device still holds (the current
 * cursor) may legitimately stay.  NOTIFY_OOM makes the device render and
 * drop the drawables it keeps, then flush its batch of releases; it only
 * acts when the release ring is empty, hence the collect before it.
 */
int qxl_release_wait_idle(struct qxl_device *qdev)
{
	unsigned long deadline = jiffies + HZ;

	for (;;) {
		qxl_release_collect(qdev);
		if (!READ_ONCE(qdev->releases_outstanding))
			return 0;
		if (qxl_device_faulted(qdev) || time_after(jiffies, deadline))
			return -EBUSY;
		qxl_io_notify(qdev, QXL_IO_NOTIFY_OOM);
		wait_event_timeout(qdev->release_wq, !READ_ONCE(qdev->releases_outstanding),
				   HZ / 50);
	}
}

/* After a device reset nothing will come back: retire all that is outstanding. */
void qxl_release_forget_all(struct qxl_device *qdev)
{
	struct qxl_release *release;
	unsigned long flags;
	bool submitted;
	int id;

	mutex_lock(&qdev->release_ring_lock);
	for (id = 1;; id++) {
		spin_lock_irqsave(&qdev->release_lock, flags);
		release = idr_get_next(&qdev->release_idr, &id);
		submitted = release && qxl_release_submitted(release);
		spin_unlock_irqrestore(&qdev->release_lock, flags);
		if (!release)
			break;
		/* one being built belongs to its submitter */
		if (submitted)
			qxl_release_retire(release, -ENODEV);
	}
	mutex_unlock(&qdev->release_ring_lock);
}

/* After a device reset the release ring starts over. */
void qxl_release_ring_reset(struct qxl_device *qdev)
{
	mutex_lock(&qdev->release_ring_lock);
	qdev->release_cons = readl(&qdev->ram_header->release_ring.hdr.cons);
	mutex_unlock(&qdev->release_ring_lock);
}

void qxl_release_fini(struct qxl_device *qdev)
{
	qxl_release_forget_all(qdev);
	idr_destroy(&qdev->release_idr);
}
