// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A fix of the fbdev emulation's write(), applied at run time.
 *
 * The emulation (6.1 and 6.12 alike) turns a write() that stays on one
 * scanline and ends exactly at its end into an empty damage rectangle
 * (drm_fb_helper_memory_range_to_clip(): the end's column is 0), so those
 * pixels never reach the device (dd bs=<line length> to /dev/fb0 sends
 * nothing).  Its fb_ops are wrapped to add the missing damage: a copy of
 * the written span onto itself, the only exported way to damage its
 * shadow.  (An mmap write to a single page that is exactly one scanline
 * has the same fault in the deferred-I/O path; not covered.)
 *
 * Remove when: no supported kernel (kernel/supported-kernels) computes
 * that empty rectangle; tests/kms/fbdev's one-scanline write() then
 * passes without this file.
 */

#include <linux/fb.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include <drm/drm_device.h>
#include <drm/drm_fb_helper.h>

#include "qxl_compat.h"
#include "qxl_drv.h"

static const struct fb_ops *qxl_fbdev_fb_ops_orig;
/* the emulation's operations with fb_write replaced, filled once at run time */
static u8 qxl_fbdev_fb_ops[sizeof(*qxl_fbdev_fb_ops_orig)] __aligned(sizeof(void *));
static DEFINE_MUTEX(qxl_fbdev_fb_ops_lock);

static ssize_t qxl_fbdev_fb_write(struct fb_info *info, const char __user *buf, size_t count,
				  loff_t *ppos)
{
	u32 line = info->fix.line_length;
	u32 bpp = info->var.bits_per_pixel;
	loff_t pos = *ppos;
	struct fb_copyarea area;
	ssize_t ret;

	ret = qxl_fbdev_fb_ops_orig->fb_write(info, buf, count, ppos);
	if (ret <= 0 || !line || !bpp || (pos + ret) % line || pos / line != (pos + ret - 1) / line)
		return ret;
	area.sx = (pos % line) * 8 / bpp;
	area.sy = pos / line;
	area.dx = area.sx;
	area.dy = area.sy;
	area.width = info->var.xres > area.sx ? info->var.xres - area.sx : 0;
	area.height = 1;
	if (area.width && area.sy < info->var.yres)
		qxl_fbdev_fb_ops_orig->fb_copyarea(info, &area);
	return ret;
}

/* Called when the fbdev emulation's framebuffer is shown: it exists by then. */
void qxl_fbdev_write_fix_apply(struct drm_device *dev)
{
	struct fb_info *info = dev->fb_helper ? qxl_fb_helper_info(dev->fb_helper) : NULL;
	const void *wrapped = qxl_fbdev_fb_ops;
	ssize_t (*write)(struct fb_info *info, const char __user *buf, size_t count,
			 loff_t *ppos) = qxl_fbdev_fb_write;

	if (!info || (const void *)info->fbops == wrapped)
		return;
	mutex_lock(&qxl_fbdev_fb_ops_lock);
	if (!qxl_fbdev_fb_ops_orig && info->fbops->fb_write && info->fbops->fb_copyarea) {
		memcpy(qxl_fbdev_fb_ops, info->fbops, sizeof(qxl_fbdev_fb_ops));
		memcpy(qxl_fbdev_fb_ops + offsetof(typeof(*info->fbops), fb_write), &write,
		       sizeof(write));
		qxl_fbdev_fb_ops_orig = info->fbops;
	}
	if (info->fbops == qxl_fbdev_fb_ops_orig)
		info->fbops = wrapped;
	mutex_unlock(&qxl_fbdev_fb_ops_lock);
}

/*
 * At removal, before the emulation is torn down: the fb_info lives until
 * /dev/fb0's last close, which may come after the device was unbound, so
 * it gets the emulation's own operations back rather than keep pointing
 * into this module.  (An open /dev/fb0 pins the module through the
 * emulation's fb_open, so rmmod itself waits for that close.)
 */
void qxl_fbdev_write_fix_undo(struct drm_device *dev)
{
	struct fb_info *info = dev->fb_helper ? qxl_fb_helper_info(dev->fb_helper) : NULL;

	mutex_lock(&qxl_fbdev_fb_ops_lock);
	if (info && (const void *)info->fbops == (const void *)qxl_fbdev_fb_ops)
		info->fbops = qxl_fbdev_fb_ops_orig;
	mutex_unlock(&qxl_fbdev_fb_ops_lock);
}
