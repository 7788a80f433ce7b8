// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Uploading framebuffer contents: one QXL_DRAW_COPY per damaged rectangle,
 * onto the primary surface.  The image holds exactly the rectangle's pixels
 * (stride = its width), so the bytes sent follow the damage, not the frame.
 * Large rectangles are cut into bands so that one command never needs more
 * than a fraction of device memory.
 */

#include <linux/io.h>
#include <linux/iosys-map.h>
#include <linux/slab.h>

#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_print.h>
#include <drm/drm_rect.h>

#include "qxl_drv.h"

#define QXL_DRAW_BAND_MAX	SZ_4M

struct qxl_draw_layout {
	u32 image;
	u32 chunk;
	u32 data;
	u32 size;
};

static void qxl_draw_layout(struct qxl_draw_layout *l, u32 data_size)
{
	l->image = ALIGN(sizeof(struct qxl_drawable), 8);
	l->chunk = ALIGN(l->image + sizeof(struct qxl_image), 8);
	l->data = l->chunk + sizeof(struct qxl_data_chunk);
	l->size = l->data + data_size;
}

/* One row of the source in the device's 32-bit xRGB. */
static void qxl_draw_row(void __iomem *dst, const struct iosys_map *src, size_t offset,
			 u32 format, u32 width, u32 *tmp)
{
	const u16 *p16;
	u32 i;

	if (format != DRM_FORMAT_RGB565) {
		if (src->is_iomem) {
			memcpy_fromio(tmp, src->vaddr_iomem + offset, width * 4);
			memcpy_toio(dst, tmp, width * 4);
		} else {
			memcpy_toio(dst, src->vaddr + offset, width * 4);
		}
		return;
	}

	if (src->is_iomem) {
		memcpy_fromio(tmp + width / 2, src->vaddr_iomem + offset, width * 2);
		p16 = (const u16 *)(tmp + width / 2);
	} else {
		p16 = src->vaddr + offset;
	}
	/* expand 5/6/5 to 8 bits per channel by replicating the top bits */
	for (i = 0; i < width; i++) {
		u32 r = (p16[i] >> 11) & 0x1f;
		u32 g = (p16[i] >> 5) & 0x3f;
		u32 b = p16[i] & 0x1f;

		tmp[i] = ((r << 3 | r >> 2) << 16) | ((g << 2 | g >> 4) << 8) | (b << 3 | b >> 2);
	}
	memcpy_toio(dst, tmp, width * 4);
}

static int qxl_draw_band(struct qxl_device *qdev, const struct iosys_map *src,
			 const struct drm_framebuffer *fb, int x, int y, u32 w, u32 h,
			 int dst_x, int dst_y, u32 *tmp, u32 *seq)
{
	struct qxl_draw_layout l;
	struct qxl_release *release;
	struct qxl_drawable drawable = { 0 };
	struct qxl_image image = { 0 };
	struct qxl_data_chunk chunk = { 0 };
	u32 stride = w * 4;
	void __iomem *dst;
	u32 row;
	int ret;

	qxl_draw_layout(&l, stride * h);
	release = qxl_release_alloc(qdev, QXL_RING_DISPLAY, l.size);
	if (IS_ERR(release))
		return PTR_ERR(release);

	drawable.release_info.id = release->id;
	drawable.surface_id = 0;
	drawable.effect = QXL_EFFECT_OPAQUE;
	drawable.type = QXL_DRAW_COPY;
	drawable.bbox.top = dst_y;
	drawable.bbox.left = dst_x;
	drawable.bbox.bottom = dst_y + h;
	drawable.bbox.right = dst_x + w;
	drawable.clip.type = QXL_CLIP_TYPE_NONE;
	drawable.mm_time = readl(&qdev->rom->mm_clock);
	drawable.surfaces_dest[0] = -1;
	drawable.surfaces_dest[1] = -1;
	drawable.surfaces_dest[2] = -1;
	drawable.u.copy.src_bitmap = qxl_release_phys(release, l.image);
	drawable.u.copy.src_area.right = w;
	drawable.u.copy.src_area.bottom = h;
	drawable.u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	drawable.u.copy.scale_mode = QXL_SCALE_MODE_NEAREST;

	image.descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	image.descriptor.width = w;
	image.descriptor.height = h;
	image.u.bitmap.format = QXL_BITMAP_FMT_32BIT;
	image.u.bitmap.flags = QXL_BITMAP_TOP_DOWN;
	image.u.bitmap.x = w;
	image.u.bitmap.y = h;
	image.u.bitmap.stride = stride;
	image.u.bitmap.data = qxl_release_phys(release, l.chunk);

	chunk.data_size = stride * h;

	memcpy_toio(qxl_release_ptr(release, 0), &drawable, sizeof(drawable));
	memcpy_toio(qxl_release_ptr(release, l.image), &image, sizeof(image));
	memcpy_toio(qxl_release_ptr(release, l.chunk), &chunk, sizeof(chunk));
	dst = qxl_release_ptr(release, l.data);
	for (row = 0; row < h; row++)
		qxl_draw_row(dst + row * stride, src,
			     (size_t)(y + row) * fb->pitches[0] + (size_t)x * fb->format->cpp[0],
			     fb->format->format, w, tmp);

	ret = qxl_release_submit(release, QXL_CMD_DRAW, seq);
	if (!ret) {
		qdev->bytes_uploaded += stride * h;
		qdev->draws++;
	}
	return ret;
}

/*
 * Copy rectangle clip of fb (mapped at src) to (dst_x, dst_y) on the
 * primary.  *seq is the command ring position of the last command pushed.
 */
int qxl_draw_copy(struct qxl_device *qdev, const struct iosys_map *src,
		  const struct drm_framebuffer *fb, const struct drm_rect *clip,
		  int dst_x, int dst_y, u32 *seq)
{
	u32 w = drm_rect_width(clip);
	u32 h = drm_rect_height(clip);
	u32 band_max = min_t(u32, QXL_DRAW_BAND_MAX, qdev->layout.pages_size / 4);
	u32 rows;
	u32 y;
	u32 *tmp;
	int ret = 0;

	if (!w || !h)
		return 0;
	rows = max_t(u32, 1, band_max / (w * 4));
	tmp = kmalloc_array(w, 4, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	for (y = 0; y < h && !ret; y += rows)
		ret = qxl_draw_band(qdev, src, fb, clip->x1, clip->y1 + y, w,
				    min(rows, h - y), dst_x, dst_y + y, tmp, seq);
	kfree(tmp);
	return ret;
}
