/* SPDX-License-Identifier: MIT */
/*
 * The qxl DRM driver's private ioctls.
 *
 * Binary-compatible with the mainline kernel's qxl ioctls: the same
 * numbers, the same structure layouts and the same meaning, so existing
 * userspace (Debian's xserver-xorg-video-qxl) runs unchanged on our driver.
 * Our driver is stricter about what it accepts; see kernel/qxl_ioctl.c.
 *
 * Structures use only fixed-width types and 64-bit user pointers so that
 * 32-bit and 64-bit userspace share one layout.
 */
#ifndef QXL_UAPI_DRM_H
#define QXL_UAPI_DRM_H

#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include <drm.h>	/* libdrm's include directory (pkg-config libdrm) */
#endif

#if defined(__cplusplus)
extern "C" {
#endif

/* Where a buffer object lives */
#define QXL_GEM_DOMAIN_CPU	0
#define QXL_GEM_DOMAIN_VRAM	1	/* device RAM BAR: commands, images */
#define QXL_GEM_DOMAIN_SURFACE	2	/* surface BAR: off-screen surfaces */

#define DRM_QXL_ALLOC		0x00
#define DRM_QXL_MAP		0x01
#define DRM_QXL_EXECBUFFER	0x02
#define DRM_QXL_UPDATE_AREA	0x03
#define DRM_QXL_GETPARAM	0x04
#define DRM_QXL_CLIENTCAP	0x05
#define DRM_QXL_ALLOC_SURF	0x06

/* A buffer in device memory that commands can point at. */
struct drm_qxl_alloc {
	__u32 size;	/* in: bytes, > 0 */
	__u32 handle;	/* out: GEM handle, never 0 */
};

/* The fake offset to pass to mmap() on the DRM fd for a handle. */
struct drm_qxl_map {
	__u64 offset;	/* out */
	__u32 handle;	/* in */
	__u32 pad;	/* must be 0 */
};

/*
 * A relocation patches a device address (QXL_RELOC_TYPE_BO: 8 bytes, the
 * address of src_handle + src_offset) or a surface id (QXL_RELOC_TYPE_SURF:
 * 4 bytes, the device surface id of src_handle, 0 for the primary) into
 * dst_handle at dst_offset.  dst_handle 0 means the command itself.
 */
#define QXL_RELOC_TYPE_BO	1
#define QXL_RELOC_TYPE_SURF	2

struct drm_qxl_reloc {
	__u64 src_offset;
	__u64 dst_offset;
	__u32 src_handle;
	__u32 dst_handle;
	__u32 reloc_type;
	__u32 pad;
};

/*
 * One command for the device's command ring.  'command' points at the
 * command body without its leading 8-byte release info, which the kernel
 * owns; 'type' is a QXL_CMD_* value.
 */
struct drm_qxl_command {
	__u64 command;		/* user pointer */
	__u64 relocs;		/* user pointer to drm_qxl_reloc[relocs_num] */
	__u32 type;
	__u32 command_size;
	__u32 relocs_num;
	__u32 pad;
};

struct drm_qxl_execbuffer {
	__u32 flags;		/* must be 0 */
	__u32 commands_num;
	__u64 commands;		/* user pointer to drm_qxl_command[] */
};

/* Ask the device to render an area of a surface back into its memory. */
struct drm_qxl_update_area {
	__u32 handle;
	__u32 top;
	__u32 left;
	__u32 bottom;
	__u32 right;
	__u32 pad;
};

#define QXL_PARAM_NUM_SURFACES	1	/* device surface ids available */
#define QXL_PARAM_MAX_RELOCS	2	/* relocations per command */

struct drm_qxl_getparam {
	__u64 param;	/* in */
	__u64 value;	/* out */
};

/*
 * Succeeds (0) when SPICE client capability bit 'index' is set in the ROM.
 * Otherwise -EOPNOTSUPP: the bit is clear, no client is connected, the
 * device predates client capabilities (revision < 4), or index lies past
 * the ROM's capability bytes.  Mainline answers -ENOSYS in those cases;
 * ENOSYS means "no such system call" (the kernel's coding rules reserve it
 * for that), and the only known users (the Xorg qxl drivers) test for 0
 * and treat any error as "not available", so the errno differs from
 * mainline on purpose.
 */
struct drm_qxl_clientcap {
	__u32 index;
	__u32 pad;
};

/* A buffer that becomes a device surface when a command first uses it. */
struct drm_qxl_alloc_surf {
	__u32 format;	/* QXL_SURFACE_FMT_* */
	__u32 width;
	__u32 height;
	__s32 stride;
	__u32 handle;	/* out */
	__u32 pad;
};

#define DRM_IOCTL_QXL_ALLOC \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QXL_ALLOC, struct drm_qxl_alloc)
#define DRM_IOCTL_QXL_MAP \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QXL_MAP, struct drm_qxl_map)
#define DRM_IOCTL_QXL_EXECBUFFER \
	DRM_IOW(DRM_COMMAND_BASE + DRM_QXL_EXECBUFFER, struct drm_qxl_execbuffer)
#define DRM_IOCTL_QXL_UPDATE_AREA \
	DRM_IOW(DRM_COMMAND_BASE + DRM_QXL_UPDATE_AREA, struct drm_qxl_update_area)
#define DRM_IOCTL_QXL_GETPARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QXL_GETPARAM, struct drm_qxl_getparam)
#define DRM_IOCTL_QXL_CLIENTCAP \
	DRM_IOW(DRM_COMMAND_BASE + DRM_QXL_CLIENTCAP, struct drm_qxl_clientcap)
#define DRM_IOCTL_QXL_ALLOC_SURF \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QXL_ALLOC_SURF, struct drm_qxl_alloc_surf)

#if defined(__cplusplus)
}
#endif

#endif /* QXL_UAPI_DRM_H */
