/* SPDX-License-Identifier: MIT */
/*
 * Building blocks of the device commands (qxl_batch.c, qxl_mirror.c,
 * qxl_upload.c), shared by the files that turn X operations into them
 * (qxl_gc_ops.c and qxl_text.c: core GC ops, qxl_render.c: Render,
 * qxl_pixmap.c: off-screen surfaces).  All of them append to the
 * screen's one batch, in the order the pixels were produced (the model:
 * qxl_accel.c).
 */
#ifndef QXL_ACCEL_H
#define QXL_ACCEL_H

#include <stddef.h>
#include <stdint.h>

#include "qxl_drv.h"
#include <gcstruct.h>
#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"
#include "../../kernel/qxl_devif_siphash.h"

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

/* most boxes one command's clip list takes */
#define QXL_CLIP_MAX_RECTS	1024

/* qxl_accel.c: a software fallback, logged with option DebugFallbacks */
void qxl_fallback(struct qxl_screen *qs, const char *what, const char *why);

/* qxl_batch.c: the batch */
struct qxl_batch *qxl_batch_create(void);
void qxl_batch_drop_unsubmitted(struct qxl_screen *qs, struct qxl_batch *b);
void qxl_batch_room(struct qxl_screen *qs, int ncmd);
uint8_t *qxl_batch_data(struct qxl_screen *qs, size_t size, uint32_t *handle, uint32_t *off);
struct qxl_drawable *qxl_batch_draw(struct qxl_screen *qs, uint8_t type, const BoxRec *box);
void qxl_batch_reloc(struct qxl_screen *qs, uint32_t dst_handle, uint64_t dst_off,
		     uint32_t src_handle, uint64_t src_off);
void qxl_batch_reloc_surf(struct qxl_screen *qs, uint32_t dst_handle, uint64_t dst_off,
			  uint32_t surf);
Bool qxl_batch_clip(struct qxl_screen *qs, struct qxl_drawable *d, const BoxRec *box, int n);

/* qxl_mirror.c: where commands may go and what they drew */
Bool qxl_on_front(DrawablePtr d);
Bool qxl_viewport(struct qxl_screen *qs, BoxPtr vp);
Bool qxl_can_accel(struct qxl_screen *qs, DrawablePtr d, BoxPtr vp);
void qxl_clip_to(RegionPtr reg, const BoxRec *vp);
void qxl_region_add(RegionPtr reg, const BoxRec *b);
uint64_t qxl_region_area(RegionPtr reg);
Bool qxl_mostly_redrawn(struct qxl_screen *qs, RegionPtr reg, RegionPtr drawn);
void qxl_claim(struct qxl_screen *qs, RegionPtr reg);
void qxl_settle(struct qxl_screen *qs, RegionPtr reg);
void qxl_pending_done(struct qxl_screen *qs, RegionPtr reg);
void qxl_pending_done_box(struct qxl_screen *qs, const BoxRec *box);

/* qxl_upload.c: images and pixels */
void qxl_img_id_begin(struct qxl_screen *qs, struct qxl_devif_siphash *h);
void qxl_img_id_end(struct qxl_img *im, struct qxl_devif_siphash *h);
struct qxl_pal *qxl_pal_create(void);
Bool qxl_img_new(struct qxl_screen *qs, int w, int h, uint8_t format, int bpp, int npal,
		 struct qxl_img *im);
void qxl_img_relocs(struct qxl_screen *qs, const struct qxl_img *im, size_t at);
struct qxl_drawable *qxl_img_draw(struct qxl_screen *qs, struct qxl_img *im, const BoxRec *box);
Bool qxl_img_of(struct qxl_screen *qs, const struct qxl_src *src, const BoxRec *b,
		struct qxl_img *im);
Bool qxl_send_pixels(struct qxl_screen *qs, const struct qxl_src *src, const BoxRec *b);
int qxl_send_region(struct qxl_screen *qs, const struct qxl_src *src, RegionPtr reg,
		    RegionPtr left);

/*
 * qxl_gc_ops.c and qxl_text.c: the GC layer.  Our ops and funcs wrap
 * fb's, which each GC keeps in its private.
 */
struct qxl_gc_priv {
	const GCFuncs *funcs;
	const GCOps *ops;
};

extern DevPrivateKeyRec qxl_gc_key;

#define QXL_GC_PRIV(gc) ((struct qxl_gc_priv *)dixGetPrivateAddr(&(gc)->devPrivates, &qxl_gc_key))

/*
 * mi draws some requests through others, calling the GC's ops again:
 * miWideLine fills the straight parts of a wide line through
 * PolyFillRect and the joins, round caps and diagonals through
 * FillSpans; wide arcs, polygons and dashes go through spans too.  The
 * damage layer unwraps itself while the outer request runs, so the nested
 * calls reach these ops with the outer request's damage pending, of
 * which each sees only its own part.  Only the outermost operation may
 * settle pending damage: a nested one is drawn by fb alone and left to
 * the outer one's damage (one upload of its result).
 *
 * PolyText, ImageText (miPolyText8 ... miImageText16) and PolyRectangle
 * (miPolyRectangle) are not operations of their own here: they draw
 * nothing themselves and only call the GC again (one glyph blit for the
 * whole string; one PolyFillRect, or Polylines per rectangle), so what
 * they call is the outermost operation and keeps its commands.
 */
#define QXL_OP_ENTER(qs) ((qs)->op_depth++)
#define QXL_OP_LEAVE(qs) ((qs)->op_depth--)

/*
 * fb or mi renders an operation that may call the GC again: CopyArea
 * paints the window background where the source was obscured
 * (miHandleExposures), glyph blits fall back to mi's fills and
 * PushPixels.  Those calls are nested, drawn by fb alone and left in the
 * outer operation's damage; were they accelerated, they would drop the
 * outer operation's pending damage along with their own.  (An
 * accelerated CopyArea lets its nested background fill be accelerated
 * too, and puts back what it still owes itself: qxl_copy_area.)
 */
#define QXL_FB(qs, call) do {						\
		QXL_OP_ENTER(qs);					\
		call;							\
		QXL_OP_LEAVE(qs);					\
	} while (0)

static inline Bool
qxl_op_nested(struct qxl_screen *qs)
{
	return qs->op_depth > 0;
}

void qxl_gc_wrap(ScreenPtr screen, struct qxl_screen *qs);
void qxl_gc_unwrap(ScreenPtr screen, struct qxl_screen *qs);
Bool qxl_gc_plain(GCPtr gc);
struct qxl_drawable *qxl_solid_box(struct qxl_screen *qs, const BoxRec *box, uint32_t color,
				   uint16_t ropd);
void qxl_solid_boxes(struct qxl_screen *qs, const BoxRec *box, int n, uint32_t color,
		     uint16_t ropd);
void qxl_poly_glyph_blt(DrawablePtr d, GCPtr gc, int x, int y, unsigned int n,
			CharInfoPtr *ci, void *base);
void qxl_image_glyph_blt(DrawablePtr d, GCPtr gc, int x, int y, unsigned int n,
			 CharInfoPtr *ci, void *base);

/* qxl_render.c: Render on the device, set up after qxl_accel_init */
Bool qxl_render_init(ScreenPtr screen, struct qxl_screen *qs);
void qxl_render_close(ScreenPtr screen, struct qxl_screen *qs);

#endif /* QXL_ACCEL_H */
