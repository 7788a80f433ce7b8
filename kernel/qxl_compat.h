/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one place where qxl.ko meets the differences between the kernels it
 * builds for: Linux 6.1 (Debian 12) and 6.12 (Debian 13, and Debian 12's
 * linux-image-6.12-amd64).  kernel/supported-kernels lists the series and
 * kernel/Kbuild refuses any other before compiling.
 *
 * Each entry names the release that changed the interface and gives the
 * driver one spelling for both.  Where the newer kernel offers something
 * the older one lacks, the driver uses it there (cursor hotspot plane
 * properties, the shmem fbdev helper) and the older kernel keeps its own
 * way.  Nothing else in the driver looks at LINUX_VERSION_CODE.
 */

#ifndef QXL_COMPAT_H
#define QXL_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_plane.h>
#include <drm/drm_print.h>

struct drm_device;

/*
 * 6.3 made vma->vm_flags read-only: flags are set through vm_flags_set(),
 * which also takes the per-VMA lock the newer mm code relies on.
 */
static inline void qxl_compat_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * A fault handler that has to wait drops the lock its fault came in with
 * and returns VM_FAULT_RETRY.  6.4 added per-VMA locks, so that a fault
 * may hold its VMA's lock instead of mmap_lock, and release_fault_lock()
 * (6.7) drops whichever of the two it holds; 6.1 has mmap_lock only.
 */
static inline void qxl_compat_release_fault_lock(struct vm_fault *vmf)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
}

/*
 * The cursor hotspot.  Up to 6.7 it lived in the framebuffer (hot_x/hot_y,
 * set only by the legacy CURSOR2 ioctl).  6.8 moved it to the plane state:
 * drivers of virtual devices set DRIVER_CURSOR_HOTSPOT, the core then gives
 * their cursor planes HOTSPOT_X/HOTSPOT_Y properties (and CURSOR2 sets
 * them), and atomic clients that do not promise to set the hotspot
 * (DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT) are not shown the cursor plane.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define QXL_COMPAT_DRIVER_CURSOR_HOTSPOT	DRIVER_CURSOR_HOTSPOT
#else
#define QXL_COMPAT_DRIVER_CURSOR_HOTSPOT	0
#endif

/*
 * PRIME for GEM drivers: up to 6.5 the driver names the core's handle/fd
 * conversions and the mmap of an exported dma-buf (drm_gem_prime_*); 6.6
 * made the conversions the default and removed gem_prime_mmap (the core
 * calls the object's mmap itself).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define QXL_COMPAT_GEM_PRIME_OPS \
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd, \
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle, \
	.gem_prime_mmap = drm_gem_prime_mmap,
#else
#define QXL_COMPAT_GEM_PRIME_OPS
#endif

static inline void qxl_compat_cursor_hotspot(const struct drm_plane_state *state,
					     s32 *x, s32 *y)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	*x = state->hotspot_x;
	*y = state->hotspot_y;
#else
	*x = state->fb ? state->fb->hot_x : 0;
	*y = state->fb ? state->fb->hot_y : 0;
#endif
}

/*
 * The fbdev console (qxl_compat_fbdev.c): the generic emulation, renamed
 * in 6.11; why not 6.11's shmem helper is said there.
 */
void qxl_compat_fbdev_setup(struct drm_device *dev);

/* 6.2 renamed drm_fb_helper's fbdev member to info. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define qxl_fb_helper_info(helper)	((helper)->info)
#else
#define qxl_fb_helper_info(helper)	((helper)->fbdev)
#endif

/*
 * An async plane update (qxl_cursor.c) updates the current state in place
 * and leaves the new one to be freed, so the framebuffers of the two are
 * swapped, and with them the shadow-plane mappings: the current state keeps
 * its framebuffer mapped until it is replaced (up to 6.1 cleanup_fb unmaps
 * it then; from 6.2 the next commit's end_fb_access on its old states).
 * Up to 6.1 the core then cleans up the new state, unmapping the replaced
 * framebuffer; 6.2's async path ends no access, so it is ended here (seen
 * on 6.12 otherwise: the framebuffer freed while still mapped).
 */
static inline void qxl_compat_shadow_async_swap(struct drm_plane *plane,
						struct drm_plane_state *new_state)
{
	struct drm_shadow_plane_state *cur = to_drm_shadow_plane_state(plane->state);
	struct drm_shadow_plane_state *new = to_drm_shadow_plane_state(new_state);
	unsigned int i;

	swap(cur->base.fb, new->base.fb);
	for (i = 0; i < DRM_FORMAT_MAX_PLANES; i++) {
		swap(cur->map[i], new->map[i]);
		swap(cur->data[i], new->data[i]);
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	drm_gem_end_shadow_fb_access(plane, new_state);
	memset(new->map, 0, sizeof(new->map));
	memset(new->data, 0, sizeof(new->data));
#endif
}

#endif /* QXL_COMPAT_H */
