// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Dumb buffers: GEM shmem objects in guest RAM (KMS framebuffers and
 * cursors, the fbdev console's buffer).  A mapping or a vmap of one pins
 * every page, and pinned pages are neither reclaimed nor freed by the OOM
 * killer: a client that mapped many large ones made the guest panic
 * ("System is deadlocked on memory"; ioctltest dumbcap, the fuzzer's
 * --big pass).  So a dumb buffer is no larger than a framebuffer can be
 * (QXL_DEVIF_MAX_DIM on each side, at most 32 bits per pixel: -EINVAL),
 * and all of them together, over every qxl device, stay under
 * dumb_mem_percent of the guest's RAM: past it DUMB_CREATE says -ENOMEM.
 *
 * Counted at create rather than at pin: create is the one call that can
 * be refused cleanly (a fault can only raise SIGBUS), and a dumb buffer is
 * created to be mapped.  Imported dma-bufs are not counted: their pages
 * are the exporter's.
 */

#include <linux/atomic.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>

#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>

#include "qxl_drv.h"

static int qxl_dumb_mem_percent = 50;
MODULE_PARM_DESC(dumb_mem_percent,
		 "Dumb buffers' total size, in percent of RAM, 1 to 90 (default 50)");
module_param_named(dumb_mem_percent, qxl_dumb_mem_percent, int, 0400);

static atomic64_t qxl_dumb_used = ATOMIC64_INIT(0);

/* Refuse the module parameter with a line naming it; 0 or -EINVAL. */
int qxl_dumb_check_param(struct device *dev)
{
	if (qxl_dumb_mem_percent >= 1 && qxl_dumb_mem_percent <= 90)
		return 0;
	dev_err(dev, "dumb_mem_percent=%d is outside 1..90\n", qxl_dumb_mem_percent);
	return -EINVAL;
}

u64 qxl_dumb_mem_used(void)
{
	return atomic64_read(&qxl_dumb_used);
}

u64 qxl_dumb_mem_limit(void)
{
	return div_u64((u64)totalram_pages() * PAGE_SIZE * qxl_dumb_mem_percent, 100);
}

static void qxl_dumb_free(struct drm_gem_object *obj)
{
	atomic64_sub(obj->size, &qxl_dumb_used);
	drm_gem_shmem_object_free(obj);
}

/* The shmem helper's object operations (static there), free counted. */
static const struct drm_gem_object_funcs qxl_dumb_funcs = {
	.free = qxl_dumb_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

int qxl_dumb_create(struct drm_file *file, struct drm_device *dev,
		    struct drm_mode_create_dumb *args)
{
	struct drm_gem_shmem_object *shmem;
	u64 pitch, size;
	int ret;

	if (args->width > QXL_DEVIF_MAX_DIM || args->height > QXL_DEVIF_MAX_DIM ||
	    args->bpp > 32) {
		drm_dbg_kms(dev, "dumb buffer %ux%u, %u bpp: above any framebuffer\n",
			    args->width, args->height, args->bpp);
		return -EINVAL;
	}
	/* the core checked width * cpp and pitch * height against 32 bits */
	pitch = DIV_ROUND_UP((u64)args->width * args->bpp, 8);
	size = PAGE_ALIGN(pitch * args->height);
	if (atomic64_add_return(size, &qxl_dumb_used) > qxl_dumb_mem_limit()) {
		atomic64_sub(size, &qxl_dumb_used);
		drm_dbg_kms(dev, "dumb buffer of %llu bytes: %llu of %llu in use\n", size,
			    qxl_dumb_mem_used(), qxl_dumb_mem_limit());
		return -ENOMEM;
	}
	shmem = drm_gem_shmem_create(dev, size);
	if (IS_ERR(shmem)) {
		atomic64_sub(size, &qxl_dumb_used);
		return PTR_ERR(shmem);
	}
	/* no one else sees it yet: from here its free uncounts it */
	shmem->base.funcs = &qxl_dumb_funcs;
	args->pitch = pitch;
	args->size = size;
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	drm_gem_object_put(&shmem->base);
	return ret;
}
