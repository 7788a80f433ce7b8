// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Userspace buffers (ALLOC, ALLOC_SURF) in the surface BAR.
 *
 * A buffer is a GEM object over a page-aligned range of the surface BAR,
 * mapped write-combined into the kernel and, through MAP + mmap, into the
 * client.  The range is zeroed when handed out, so a client never sees what
 * another one left there.
 *
 * The device reads a buffer for as long as it holds a command naming it;
 * releases come back in no particular order, so a per-buffer count of
 * unreleased commands (not the dma-resv, whose same-context fences are
 * assumed to signal in order) decides when its memory may be reused.  A
 * buffer closed while busy becomes a zombie: the GEM object is gone, the
 * memory stays reserved until the last command using it is released.
 *
 * spice-server parses a command's images, clip lists, paths and strings
 * when it takes the command, possibly long after EXECBUFFER checked them,
 * and aborts QEMU on some inconsistencies.  So a buffer holding such data
 * is write-protected for as long as the command is in flight: its user
 * mappings are zapped before the check, and a write fault waits until the
 * device has released the command.  Userspace maps buffers lazily, page
 * tables are filled by the fault handler.  The X drivers write a data
 * buffer before submitting it and close it afterwards, so they never wait.
 *
 * The kernel writes into buffers too (relocations, palette addresses and
 * image ids of later commands, UPDATE_AREA's read-back into a framebuffer
 * buffer): those writes are checked against the byte ranges in-flight
 * commands had checked or hashed (qxl_bo_parsed), not against the whole
 * buffer, because the X drivers put the images of every command of a
 * batch into one buffer.
 */

#include <linux/debugfs.h>
#include <linux/dma-fence.h>
#include <linux/io.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

#include "qxl_compat.h"
#include "qxl_objects.h"

/* How long an allocation waits for the device to release memory. */
#define QXL_BO_RECLAIM_TIMEOUT	(2 * HZ)
/* Pauses between two requests to the device to hand memory back. */
#define QXL_RECLAIM_PAUSE_MIN	(HZ / 50)
#define QXL_RECLAIM_PAUSE_MAX	HZ

static void qxl_bo_release_memory(struct qxl_bo *bo)
{
	struct qxl_objects *objs = bo->qdev->objs;

	if (bo->vaddr)
		iounmap(bo->vaddr);
	mutex_lock(&objs->mm_lock);
	objs->mem_used -= bo->node.size;
	drm_mm_remove_node(&bo->node);
	mutex_unlock(&objs->mm_lock);
	kfree(bo);
	wake_up_all(&objs->idle_wq);
}

static void qxl_bo_reap_work_func(struct work_struct *work)
{
	struct qxl_objects *objs = container_of(work, struct qxl_objects, reap_work);
	struct llist_node *list = llist_del_all(&objs->reap_list);
	struct qxl_bo *bo, *next;

	llist_for_each_entry_safe(bo, next, list, reap) {
		atomic_dec(&objs->bos_zombie);
		qxl_bo_release_memory(bo);
	}
}

static void qxl_bo_free(struct drm_gem_object *obj)
{
	struct qxl_bo *bo = to_qxl_bo(obj);
	struct qxl_objects *objs = bo->qdev->objs;
	unsigned long flags;
	bool busy;

	/* The device surface goes first: its destroy command keeps bo busy. */
	qxl_surface_release(bo);
	drm_gem_object_release(obj);
	atomic_dec(&objs->bos_live);

	spin_lock_irqsave(&objs->busy_lock, flags);
	busy = bo->busy != 0;
	bo->zombie = busy;
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	if (busy)
		atomic_inc(&objs->bos_zombie);
	else
		qxl_bo_release_memory(bo);
}

static int qxl_bo_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	WRITE_ONCE(to_qxl_bo(obj)->keep_data, true);
	iosys_map_set_vaddr_iomem(map, to_qxl_bo(obj)->vaddr);
	return 0;
}

static void qxl_bo_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
}

static int qxl_bo_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	/* drm_gem_mmap() already checked the length against the object. */
	WRITE_ONCE(to_qxl_bo(obj)->keep_data, true);
	qxl_compat_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));
	return 0;
}

static bool qxl_bo_protected(struct qxl_bo *bo)
{
	struct qxl_objects *objs = bo->qdev->objs;
	unsigned long flags;
	bool protect;

	spin_lock_irqsave(&objs->busy_lock, flags);
	protect = bo->protect != 0;
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	return protect;
}

/* A writer waiting for bo may go on, or ask the device again. */
static bool qxl_bo_fault_waited(struct qxl_bo *bo, const struct qxl_reclaim *rc)
{
	return !qxl_bo_protected(bo) || qxl_objects_reclaim_progress(bo->qdev, rc);
}

/* When a writer waiting for bo gives up on the device. */
static unsigned long qxl_bo_fault_deadline(struct qxl_bo *bo, bool progress)
{
	struct qxl_objects *objs = bo->qdev->objs;
	unsigned long flags, since;

	spin_lock_irqsave(&objs->busy_lock, flags);
	if (!bo->fault_since || progress)
		bo->fault_since = jiffies | 1;
	since = bo->fault_since;
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	return since + QXL_WAIT_TIMEOUT;
}

/*
 * A write to a buffer the device still parses waits until the device has
 * released those commands, but never with the fault's lock held (mmap_lock,
 * or the VMA's lock): the process's other threads could neither mmap,
 * munmap nor fault meanwhile.  So the lock is dropped for the wait and the
 * fault retried afterwards, as the fault-retry protocol allows.  A signal
 * ends the wait (the write is retried after the handler).  A device that
 * hands nothing back for QXL_WAIT_TIMEOUT while the buffer's commands are
 * out is stalled: the writer gets SIGBUS then, as for a device that is
 * gone, rather than blocking for ever (the clock is bo's, so it runs on
 * across retries, and restarts whenever the device hands anything back).
 * Returns 0 when bo is writable, with the lock still held.
 */
static vm_fault_t qxl_bo_fault_wait(struct vm_fault *vmf, struct qxl_bo *bo)
{
	struct qxl_device *qdev = bo->qdev;
	struct qxl_objects *objs = qdev->objs;
	struct qxl_reclaim rc = { 0 };
	unsigned long deadline;
	long left, slice;
	bool interruptible;
	int idx;

	if (!qxl_bo_protected(bo))
		return 0;
	/*
	 * Gone: nothing hands the buffer back.  (A faulted device's releases
	 * come back when recovery resets it: the wait below ends then.)
	 */
	if (drm_dev_is_unplugged(&qdev->drm))
		return VM_FAULT_SIGBUS;
	deadline = qxl_bo_fault_deadline(bo, false);
	if (time_after_eq(jiffies, deadline)) {
		drm_err_ratelimited(&qdev->drm,
				    "device released nothing for %u ms: write to a buffer it holds refused (SIGBUS)\n",
				    jiffies_to_msecs(QXL_WAIT_TIMEOUT));
		return VM_FAULT_SIGBUS;
	}
	/*
	 * Only user and kernel accesses to user memory fault here, and both
	 * may retry; what may not (GUP, access_process_vm) fails on VM_PFNMAP
	 * before.  Should one come anyway, it gets no wait with a lock held.
	 */
	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY))
		return VM_FAULT_SIGBUS;
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;

	/* the mapping may go once its lock is dropped; bo and the device stay */
	drm_gem_object_get(&bo->base);
	drm_dev_get(&qdev->drm);
	qxl_compat_release_fault_lock(vmf);
	atomic64_inc(&objs->fault_waits);
	/*
	 * A kernel access (copy_from_user) is retried at once while a
	 * non-fatal signal is pending: only a fatal one may end its wait.
	 */
	interruptible = (vmf->flags & FAULT_FLAG_INTERRUPTIBLE) && (vmf->flags & FAULT_FLAG_USER);
	for (;;) {
		left = (long)(deadline - jiffies);
		if (left <= 0 || !drm_dev_enter(&qdev->drm, &idx))
			break;
		slice = min(qxl_objects_reclaim(qdev, &rc), left);
		drm_dev_exit(idx);
		if (interruptible)
			slice = wait_event_interruptible_timeout(qdev->release_wq,
								 qxl_bo_fault_waited(bo, &rc),
								 slice);
		else
			slice = wait_event_killable_timeout(qdev->release_wq,
							    qxl_bo_fault_waited(bo, &rc), slice);
		if (slice < 0 || !qxl_bo_protected(bo))
			break;
		/* the device is slow, not stalled: it handed something back */
		if (slice > 0)
			deadline = qxl_bo_fault_deadline(bo, true);
	}
	drm_gem_object_put(&bo->base);
	drm_dev_put(&qdev->drm);
	return VM_FAULT_RETRY;
}

/* Map the whole of the faulting mapping at once: buffers are written in full. */
static vm_fault_t qxl_bo_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_gem_object *obj = vma->vm_private_data;
	struct qxl_bo *bo = to_qxl_bo(obj);
	struct qxl_device *qdev = bo->qdev;
	struct qxl_objects *objs = qdev->objs;
	unsigned long pfn = (qdev->surf_base + bo->node.start) >> PAGE_SHIFT;
	unsigned long first = vma->vm_pgoff - drm_vma_node_start(&obj->vma_node);
	unsigned long pages = obj->size >> PAGE_SHIFT;
	unsigned long addr, page;
	vm_fault_t ret;
	int idx;

	ret = qxl_bo_fault_wait(vmf, bo);
	if (ret)
		return ret;
	if (!drm_dev_enter(&qdev->drm, &idx))
		return VM_FAULT_SIGBUS;
	mutex_lock(&objs->map_lock);
	/* Protected again since the wait: fault again (and wait again). */
	ret = VM_FAULT_NOPAGE;
	if (qxl_bo_protected(bo))
		goto out;
	for (addr = vma->vm_start, page = first; addr < vma->vm_end && page < pages;
	     addr += PAGE_SIZE, page++) {
		ret = vmf_insert_pfn(vma, addr, pfn + page);
		if (ret & VM_FAULT_ERROR)
			break;
	}
	if (!(ret & VM_FAULT_ERROR))
		ret = VM_FAULT_NOPAGE;
out:
	mutex_unlock(&objs->map_lock);
	drm_dev_exit(idx);
	return ret;
}

static const struct vm_operations_struct qxl_bo_vm_ops = {
	.fault = qxl_bo_vm_fault,
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

/*
 * No dma-buf of a buffer: the device parses buffers, and write protection
 * (qxl_bo_track_protect) zaps the mappings made through the DRM file only,
 * not those made through a dma-buf.  No other device could use one anyway:
 * the memory is in our I/O BAR, which the PRIME helpers cannot map.
 */
static struct dma_buf *qxl_bo_export(struct drm_gem_object *obj, int flags)
{
	drm_dbg_prime(obj->dev, "device memory buffers cannot be exported\n");
	return ERR_PTR(-EOPNOTSUPP);
}

static const struct drm_gem_object_funcs qxl_bo_funcs = {
	.free = qxl_bo_free,
	.export = qxl_bo_export,
	.vmap = qxl_bo_vmap,
	.vunmap = qxl_bo_vunmap,
	.mmap = qxl_bo_mmap,
	.vm_ops = &qxl_bo_vm_ops,
};

bool qxl_is_qxl_bo(struct drm_gem_object *obj)
{
	return obj->funcs == &qxl_bo_funcs;
}

/* A buffer of ours named by handle, with a reference, or NULL. */
struct qxl_bo *qxl_bo_lookup(struct drm_file *file, u32 handle)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);

	if (!obj)
		return NULL;
	if (!qxl_is_qxl_bo(obj)) {
		drm_gem_object_put(obj);
		return NULL;
	}
	return to_qxl_bo(obj);
}

qxl_phys qxl_bo_phys(struct qxl_bo *bo, u64 offset)
{
	struct qxl_device *qdev = bo->qdev;

	return qxl_devif_phys(&qdev->layout, qdev->surf_slot, bo->node.start + offset);
}

static int qxl_bo_mm_try(struct qxl_objects *objs, u64 size, struct drm_mm_node *node)
{
	int ret;

	mutex_lock(&objs->mm_lock);
	ret = drm_mm_insert_node_generic(&objs->mm, node, size, PAGE_SIZE, 0,
					 DRM_MM_INSERT_BEST);
	if (!ret) {
		objs->mem_used += size;
		objs->mem_peak = max(objs->mem_peak, objs->mem_used);
	}
	mutex_unlock(&objs->mm_lock);
	return ret;
}

/*
 * Make the device hand back what it can, so zombies get reaped; returns how
 * long the caller may sleep (on qdev->release_wq, until
 * qxl_objects_reclaim_progress()) before it asks again.  NOTIFY_OOM has
 * spice-server first flush the releases it batches and, only when there
 * were none, render and drop up to 64 of the drawables it holds back; so
 * one wait may need many.  The device is asked again as soon as it handed
 * something back, never while it is still at the last request: without an
 * answer the pauses double, from 20 ms up to 1 s.
 */
long qxl_objects_reclaim(struct qxl_device *qdev, struct qxl_reclaim *rc)
{
	u64 freed = READ_ONCE(qdev->releases_freed);

	if (!rc->pause || freed != rc->freed)
		rc->pause = QXL_RECLAIM_PAUSE_MIN;
	else
		rc->pause = min_t(long, 2 * rc->pause, QXL_RECLAIM_PAUSE_MAX);
	qxl_release_collect(qdev);
	rc->freed = READ_ONCE(qdev->releases_freed);
	qxl_io_notify(qdev, QXL_IO_NOTIFY_OOM);
	flush_work(&qdev->objs->reap_work);
	return rc->pause;
}

/* The device handed something back since the last qxl_objects_reclaim(). */
bool qxl_objects_reclaim_progress(struct qxl_device *qdev, const struct qxl_reclaim *rc)
{
	return READ_ONCE(qdev->releases_freed) != rc->freed;
}

/*
 * Space in the surface BAR.  When it is full, memory held by closed but
 * busy buffers comes back as the device releases their commands, so wait
 * for that (interruptibly, bounded) before reporting -ENOMEM.
 */
static int qxl_bo_mm_alloc(struct qxl_objects *objs, u64 size, struct drm_mm_node *node)
{
	struct qxl_device *qdev = objs->qdev;
	unsigned long deadline = jiffies + QXL_BO_RECLAIM_TIMEOUT;
	struct qxl_reclaim rc = { 0 };
	long slice, ret;

	for (;;) {
		if (!qxl_bo_mm_try(objs, size, node))
			return 0;
		if (!atomic_read(&objs->bos_zombie) || qxl_device_faulted(qdev) ||
		    time_after(jiffies, deadline))
			break;
		slice = qxl_objects_reclaim(qdev, &rc);
		if (!qxl_bo_mm_try(objs, size, node))
			return 0;
		ret = wait_event_interruptible_timeout(qdev->release_wq,
						       !atomic_read(&objs->bos_zombie) ||
						       qxl_objects_reclaim_progress(qdev, &rc),
						       slice);
		if (ret < 0)
			return ret;
	}
	objs->alloc_failures++;
	return -ENOMEM;
}

/*
 * A zeroed buffer of at least size bytes.  With file, a handle is created
 * and the caller's reference dropped once the handle holds one; *bop is
 * then only valid as long as the handle is (the caller must not use it
 * after another thread could have closed it).
 */
int qxl_bo_create(struct qxl_device *qdev, struct drm_file *file, u64 size,
		  struct qxl_bo **bop, u32 *handle)
{
	struct qxl_objects *objs = qdev->objs;
	struct qxl_bo *bo;
	int ret;

	size = PAGE_ALIGN(size);
	if (!size || size > objs->mm_size)
		return -ENOMEM;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return -ENOMEM;
	bo->qdev = qdev;
	INIT_LIST_HEAD(&bo->lru);
	INIT_LIST_HEAD(&bo->parsed);

	ret = qxl_bo_mm_alloc(objs, size, &bo->node);
	if (ret) {
		kfree(bo);
		return ret;
	}
	bo->vaddr = ioremap_wc(qdev->surf_base + bo->node.start, size);
	if (!bo->vaddr) {
		qxl_bo_release_memory(bo);
		return -ENOMEM;
	}
	memset_io(bo->vaddr, 0, size);

	bo->base.funcs = &qxl_bo_funcs;
	drm_gem_private_object_init(&qdev->drm, &bo->base, size);
	atomic_inc(&objs->bos_live);

	*bop = bo;
	if (!file)
		return 0;
	ret = drm_gem_handle_create(file, &bo->base, handle);
	/* From here on the handle owns the buffer. */
	drm_gem_object_put(&bo->base);
	return ret;
}

/* A track for up to max buffers, or NULL. */
struct qxl_bo_track *qxl_bo_track_alloc(struct qxl_objects *objs, unsigned int max)
{
	struct qxl_bo_track *track;

	track = kmalloc(struct_size(track, e, max), GFP_KERNEL);
	if (!track)
		return NULL;
	track->objs = objs;
	track->ranges = NULL;
	track->n_ranges = 0;
	track->n = 0;
	track->max = max;
	return track;
}

/* bo's entry in track; bo is busy from now on, once however often it is named. */
static struct qxl_bo_track_entry *qxl_bo_track_entry(struct qxl_bo_track *track,
						     struct qxl_bo *bo)
{
	struct qxl_objects *objs = track->objs;
	struct qxl_bo_track_entry *e;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < track->n; i++) {
		if (track->e[i].bo == bo)
			return &track->e[i];
	}
	/* callers size the track for every buffer a command can name */
	if (WARN_ON(track->n == track->max))
		return NULL;
	e = &track->e[track->n++];
	e->bo = bo;
	e->src = false;
	e->protect = false;
	spin_lock_irqsave(&objs->busy_lock, flags);
	bo->busy++;
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	return e;
}

/*
 * With src, the command also reads bo's device surface, which must then
 * outlive the command and so cannot be evicted.
 */
void qxl_bo_track_add(struct qxl_bo_track *track, struct qxl_bo *bo, bool src)
{
	struct qxl_bo_track_entry *e = qxl_bo_track_entry(track, bo);
	unsigned long flags;

	if (!e || !src || e->src)
		return;
	spin_lock_irqsave(&track->objs->busy_lock, flags);
	bo->src_busy++;
	spin_unlock_irqrestore(&track->objs->busy_lock, flags);
	e->src = true;
}

/*
 * The device will parse data in bo: userspace loses write access until the
 * command is released.  Counted before the zap, so that a fault racing
 * with us either sees the count or has its mapping zapped.
 */
void qxl_bo_track_protect(struct qxl_bo_track *track, struct qxl_bo *bo)
{
	struct qxl_objects *objs = track->objs;
	struct qxl_bo_track_entry *e = qxl_bo_track_entry(track, bo);
	unsigned long flags;

	if (!e || e->protect)
		return;
	spin_lock_irqsave(&objs->busy_lock, flags);
	bo->protect++;
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	e->protect = true;
	atomic64_inc(&objs->exec_protected);

	mutex_lock(&objs->map_lock);
	drm_vma_node_unmap(&bo->base.vma_node, bo->qdev->drm.anon_inode->i_mapping);
	mutex_unlock(&objs->map_lock);
}

/*
 * One command naming bo is over; a buffer whose GEM object is gone is
 * queued for its memory to be freed once nothing uses it.  Under busy_lock;
 * true when the caller must schedule reap_work.
 */
bool qxl_bo_unbusy_locked(struct qxl_objects *objs, struct qxl_bo *bo)
{
	lockdep_assert_held(&objs->busy_lock);
	if (--bo->busy || !bo->zombie)
		return false;
	llist_add(&bo->reap, &objs->reap_list);
	return true;
}

/* Runs when the device released the command (fence lock held, IRQs off). */
static void qxl_bo_track_done(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct qxl_bo_track *track = container_of(cb, struct qxl_bo_track, cb);
	struct qxl_objects *objs = track->objs;
	bool reap = false;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&objs->busy_lock, flags);
	for (i = 0; i < track->n_ranges; i++)
		list_del_init(&track->ranges[i].link);
	for (i = 0; i < track->n; i++) {
		struct qxl_bo *bo = track->e[i].bo;

		if (track->e[i].src)
			bo->src_busy--;
		if (track->e[i].protect) {
			bo->protect--;
			/* progress: a writer waiting for bo starts its clock again */
			bo->fault_since = 0;
		}
		reap |= qxl_bo_unbusy_locked(objs, bo);
	}
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	if (reap)
		schedule_work(&objs->reap_work);
	wake_up_all(&objs->idle_wq);
	kfree(track->ranges);
	kfree(track);
}

/*
 * What the device will parse in the buffers of the command (each range's
 * buffer tracked already); linked by qxl_bo_track_arm.
 */
int qxl_bo_track_parsed(struct qxl_bo_track *track, const struct qxl_bo_range *ranges,
			unsigned int n)
{
	unsigned int i;

	if (!n)
		return 0;
	track->ranges = kmemdup(ranges, n * sizeof(*ranges), GFP_KERNEL);
	if (!track->ranges)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		INIT_LIST_HEAD(&track->ranges[i].link);
	track->n_ranges = n;
	return 0;
}

/* Does [start, start + len) of bo hold bytes an in-flight command had checked? */
bool qxl_bo_parsed(struct qxl_bo *bo, u64 start, u64 len)
{
	struct qxl_objects *objs = bo->qdev->objs;
	const struct qxl_bo_range *r;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&objs->busy_lock, flags);
	list_for_each_entry(r, &bo->parsed, link) {
		if (start < r->end && r->start < start + len) {
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&objs->busy_lock, flags);
	return found;
}

/*
 * The tracked buffers stay busy until fence signals; with fence NULL (the
 * command never reached the device) they are idle again at once.  The
 * track is consumed.
 */
void qxl_bo_track_arm(struct qxl_bo_track *track, struct dma_fence *fence)
{
	unsigned long flags;
	unsigned int i;

	if (fence && track->n_ranges) {
		spin_lock_irqsave(&track->objs->busy_lock, flags);
		for (i = 0; i < track->n_ranges; i++)
			list_add_tail(&track->ranges[i].link, &track->ranges[i].bo->parsed);
		spin_unlock_irqrestore(&track->objs->busy_lock, flags);
	}
	if (!fence || dma_fence_add_callback(fence, &track->cb, qxl_bo_track_done))
		qxl_bo_track_done(fence, &track->cb);
}

/* Device memory to device memory, for readers of a buffer's iosys_map. */
void qxl_bo_copy_io(void __iomem *dst, const void __iomem *src, size_t len)
{
	u8 bounce[64];
	size_t n;

	while (len) {
		n = min(len, sizeof(bounce));
		memcpy_fromio(bounce, src, n);
		memcpy_toio(dst, bounce, n);
		src += n;
		dst += n;
		len -= n;
	}
}

/* Framebuffers on our buffers are drawn by the device as the primary surface. */
bool qxl_bo_is_fb(struct qxl_device *qdev, struct qxl_bo *bo)
{
	struct drm_device *dev = &qdev->drm;
	struct drm_framebuffer *fb;
	bool found = false;

	mutex_lock(&dev->mode_config.fb_lock);
	drm_for_each_fb(fb, dev) {
		if (fb->obj[0] == &bo->base) {
			found = true;
			break;
		}
	}
	mutex_unlock(&dev->mode_config.fb_lock);
	return found;
}

static int qxl_objects_show(struct seq_file *m, void *unused)
{
	struct qxl_objects *objs = m->private;

	mutex_lock(&objs->mm_lock);
	seq_printf(m, "surf_mem_size: %llu\n", objs->mm_size);
	seq_printf(m, "surf_mem_used: %llu\n", objs->mem_used);
	seq_printf(m, "surf_mem_peak: %llu\n", objs->mem_peak);
	mutex_unlock(&objs->mm_lock);
	seq_printf(m, "bos_live: %d\n", atomic_read(&objs->bos_live));
	seq_printf(m, "bos_zombie: %d\n", atomic_read(&objs->bos_zombie));
	mutex_lock(&objs->lock);
	seq_printf(m, "surface_ids: %u\n", objs->n_surfaces);
	seq_printf(m, "surfaces_live: %u\n", objs->surfaces_live);
	seq_printf(m, "surfaces_created: %llu\n", objs->surfaces_created);
	seq_printf(m, "surfaces_destroyed: %llu\n", objs->surfaces_destroyed);
	seq_printf(m, "surfaces_evicted: %llu\n", objs->surfaces_evicted);
	seq_printf(m, "surfaces_lost: %llu\n", objs->surfaces_lost);
	seq_printf(m, "alloc_failures: %llu\n", objs->alloc_failures);
	seq_printf(m, "exec_commands: %llu\n", objs->exec_commands);
	seq_printf(m, "exec_rejected: %llu\n", objs->exec_rejected);
	mutex_unlock(&objs->lock);
	seq_printf(m, "exec_protected: %lld\n", atomic64_read(&objs->exec_protected));
	seq_printf(m, "fault_waits: %lld\n", atomic64_read(&objs->fault_waits));
	seq_printf(m, "updates_interrupted: %lld\n", atomic64_read(&objs->updates_interrupted));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(qxl_objects);

void qxl_objects_debugfs_init(struct drm_minor *minor)
{
	debugfs_create_file("qxl_objects", 0444, minor->debugfs_root,
			    to_qxl(minor->dev)->objs, &qxl_objects_fops);
}

static void qxl_objects_fini(struct drm_device *dev, void *data)
{
	struct qxl_objects *objs = data;

	/* the device was reset at unload: it kept nothing */
	mutex_lock(&objs->lock);
	qxl_surface_lost_return(objs);
	mutex_unlock(&objs->lock);
	flush_work(&objs->reap_work);
	destroy_workqueue(objs->update_wq);
	mutex_lock(&objs->mm_lock);
	/* a leak is the allocator's own warning (and node dump): never hidden */
	drm_mm_takedown(&objs->mm);
	mutex_unlock(&objs->mm_lock);
}

/*
 * Update workers run module code and hold a device reference: removal
 * waits for them while it still holds its own, so that none outlives the
 * module or drops the device's last reference.
 */
void qxl_objects_drain(struct qxl_device *qdev)
{
	drain_workqueue(qdev->objs->update_wq);
}

int qxl_objects_init(struct qxl_device *qdev)
{
	struct qxl_objects *objs;

	objs = drmm_kzalloc(&qdev->drm, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	objs->qdev = qdev;
	mutex_init(&objs->lock);
	mutex_init(&objs->mm_lock);
	mutex_init(&objs->map_lock);
	spin_lock_init(&objs->busy_lock);
	init_waitqueue_head(&objs->idle_wq);
	init_llist_head(&objs->reap_list);
	INIT_WORK(&objs->reap_work, qxl_bo_reap_work_func);
	INIT_LIST_HEAD(&objs->lru);
	INIT_LIST_HEAD(&objs->lost);

	objs->n_surfaces = qdev->layout.n_surfaces;
	objs->surfaces = drmm_kcalloc(&qdev->drm, max_t(u32, objs->n_surfaces, 1),
				      sizeof(*objs->surfaces), GFP_KERNEL);
	if (!objs->surfaces)
		return -ENOMEM;

	/* last: from here on qxl_objects_fini undoes it, on every error path too */
	objs->update_wq = alloc_workqueue("qxl-update", WQ_UNBOUND, 0);
	if (!objs->update_wq)
		return -ENOMEM;
	objs->mm_size = round_down(qdev->surf_size, PAGE_SIZE);
	drm_mm_init(&objs->mm, 0, objs->mm_size);
	qdev->objs = objs;
	return drmm_add_action_or_reset(&qdev->drm, qxl_objects_fini, objs);
}
