/* SPDX-License-Identifier: MIT */
/*
 * Buffer objects: dumb buffers (any KMS driver) and device surfaces
 * (qxl ALLOC_SURF), mapped into the X server for CPU rendering.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <xf86drm.h>

#include "qxl_drv.h"
#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"

int
qxl_buf_create_dumb(int fd, uint32_t w, uint32_t h, struct qxl_buf *buf)
{
	struct drm_mode_create_dumb req = { .width = w, .height = h, .bpp = 32 };

	memset(buf, 0, sizeof(*buf));
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &req))
		return -errno;
	buf->handle = req.handle;
	buf->width = w;
	buf->height = h;
	buf->pitch = req.pitch;
	buf->size = req.size;
	return 0;
}

int
qxl_buf_create_surface(int fd, uint32_t w, uint32_t h, struct qxl_buf *buf)
{
	struct drm_qxl_alloc_surf req = {
		.format = QXL_SURFACE_FMT_32_XRGB,
		.width = w,
		.height = h,
		.stride = (int32_t)(w * 4),
	};

	memset(buf, 0, sizeof(*buf));
	if (drmIoctl(fd, DRM_IOCTL_QXL_ALLOC_SURF, &req))
		return -errno;
	buf->handle = req.handle;
	buf->width = w;
	buf->height = h;
	buf->pitch = w * 4;
	/* the kernel adds one row of slack; we never touch it */
	buf->size = (uint64_t)buf->pitch * h;
	buf->is_surface = 1;
	return 0;
}

int
qxl_buf_map(int fd, struct qxl_buf *buf)
{
	uint64_t offset;
	void *p;

	if (buf->is_surface) {
		struct drm_qxl_map req = { .handle = buf->handle };

		if (drmIoctl(fd, DRM_IOCTL_QXL_MAP, &req))
			return -errno;
		offset = req.offset;
	} else {
		struct drm_mode_map_dumb req = { .handle = buf->handle };

		if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &req))
			return -errno;
		offset = req.offset;
	}
	p = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	buf->map = p;
	return 0;
}

void
qxl_buf_destroy(int fd, struct qxl_buf *buf)
{
	if (buf->map)
		munmap(buf->map, buf->size);
	if (buf->handle) {
		if (buf->is_surface) {
			struct drm_gem_close req = { .handle = buf->handle };

			drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &req);
		} else {
			struct drm_mode_destroy_dumb req = { .handle = buf->handle };

			drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &req);
		}
	}
	memset(buf, 0, sizeof(*buf));
}
