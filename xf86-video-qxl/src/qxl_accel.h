/* SPDX-License-Identifier: MIT */
/*
 * Building blocks of the device commands (qxl_accel.c), shared by the
 * files that turn X operations into them (qxl_accel.c: core GC ops,
 * qxl_render.c: Render).  All of them append to the screen's one batch,
 * in the order the pixels were produced (see qxl_accel.c).
 */
#ifndef QXL_ACCEL_H
#define QXL_ACCEL_H

#include <stddef.h>
#include <stdint.h>

#include "qxl_drv.h"
#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"

/*
 * Images: one data buffer each, laid out as the qxl_image, its palette
 * (palette formats), then one data chunk holding the rows.  The command
 * that draws it patches three pointers by relocation (qxl_img_relocs).
 */
struct qxl_img {
	uint32_t handle, off;		/* where the image starts */
	size_t pal_off, chunk_off;	/* from the image */
	struct qxl_image *hdr;
	uint8_t *pal;			/* palette entries, NULL for 32 bits */
	uint8_t *data;			/* first row */
	uint32_t stride;
	int w, h;
};

/*
 * Source rows of destination box 'b': 32-bit pixels, (sx, sy) the source
 * pixel of destination (0, 0).
 */
struct qxl_src {
	const uint8_t *bits;
	int stride, sx, sy;
};

/* a software fallback, logged with option DebugFallbacks */
void qxl_fallback(struct qxl_screen *qs, const char *what, const char *why);

/* the batch */
void qxl_batch_room(struct qxl_screen *qs, int ncmd);
uint8_t *qxl_batch_data(struct qxl_screen *qs, size_t size, uint32_t *handle, uint32_t *off);
struct qxl_drawable *qxl_batch_draw(struct qxl_screen *qs, uint8_t type, const BoxRec *box);
void qxl_batch_reloc(struct qxl_screen *qs, uint32_t dst_handle, uint64_t dst_off,
		     uint32_t src_handle, uint64_t src_off);
void qxl_batch_reloc_surf(struct qxl_screen *qs, uint32_t dst_handle, uint64_t dst_off,
			  uint32_t surf);
Bool qxl_batch_clip(struct qxl_screen *qs, struct qxl_drawable *d, const BoxRec *box, int n);

/* where commands may go and what they drew */
Bool qxl_on_front(DrawablePtr d);
Bool qxl_viewport(struct qxl_screen *qs, BoxPtr vp);
Bool qxl_can_accel(struct qxl_screen *qs, DrawablePtr d, BoxPtr vp);
void qxl_clip_to(RegionPtr reg, const BoxRec *vp);
void qxl_region_add(RegionPtr reg, const BoxRec *b);
uint64_t qxl_region_area(RegionPtr reg);
Bool qxl_mostly_redrawn(struct qxl_screen *qs, RegionPtr reg, RegionPtr drawn);
void qxl_claim(struct qxl_screen *qs, RegionPtr reg);
void qxl_settle(struct qxl_screen *qs, RegionPtr reg);

/* FNV-1a over 'n' bytes, continuing 'h' (image cache ids) */
uint64_t qxl_hash(const uint8_t *p, size_t n, uint64_t h);

/* images and pixels */
Bool qxl_img_new(struct qxl_screen *qs, int w, int h, uint8_t format, int bpp, int npal,
		 struct qxl_img *im);
void qxl_img_relocs(struct qxl_screen *qs, const struct qxl_img *im, size_t at);
struct qxl_drawable *qxl_img_draw(struct qxl_screen *qs, struct qxl_img *im, const BoxRec *box);
struct qxl_drawable *qxl_solid_box(struct qxl_screen *qs, const BoxRec *box, uint32_t color,
				   uint16_t ropd);
Bool qxl_send_pixels(struct qxl_screen *qs, const struct qxl_src *src, const BoxRec *b);
int qxl_send_region(struct qxl_screen *qs, const struct qxl_src *src, RegionPtr reg,
		    RegionPtr left);

/* qxl_render.c: Render on the device, set up after qxl_accel_init */
Bool qxl_render_init(ScreenPtr screen, struct qxl_screen *qs);
void qxl_render_close(ScreenPtr screen, struct qxl_screen *qs);

#endif /* QXL_ACCEL_H */
