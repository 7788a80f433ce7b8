// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The fbdev console on each supported kernel (declared in qxl_compat.h).
 *
 * Both kernels use the generic emulation: a shadow buffer in system memory
 * that fbcon and /dev/fb0 draw into, whose damage a worker copies into the
 * framebuffer (our shmem dumb buffer) and reports as a DIRTYFB would.  6.11
 * renamed its setup drm_fbdev_generic_setup() -> drm_fbdev_ttm_setup().
 *
 * 6.11 also added drm_fbdev_shmem_setup(), which maps the dumb buffer's own
 * pages to /dev/fb0 and would save the copy, but not on 6.12: its deferred
 * I/O fault handler overwrites page->mapping of the shmem pages with the
 * fbdev file's, and freeing the buffer after any mmap of /dev/fb0 then
 * spins forever in shmem_undo_range() (seen here: rmmod never returned).
 */

#include <linux/version.h>

#include <drm/drm_fb_helper.h>

#include "qxl_compat.h"

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#include <drm/drm_fbdev_ttm.h>
#define qxl_fbdev_generic_setup		drm_fbdev_ttm_setup
#else
#define qxl_fbdev_generic_setup		drm_fbdev_generic_setup
#endif

void qxl_compat_fbdev_setup(struct drm_device *dev)
{
	qxl_fbdev_generic_setup(dev, 32);
}
