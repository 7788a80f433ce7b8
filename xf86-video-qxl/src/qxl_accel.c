/* SPDX-License-Identifier: MIT */
/*
 * 2D acceleration: X operations on the screen expressed as the QXL command
 * that produces the same pixels, submitted through EXECBUFFER in batches.
 *
 *   PolyFillRect, solid, any GC function
 *   and plane mask                         -> QXL_DRAW_FILL: a put, or an AND
 *                                             then an XOR (qxl_math.h); many
 *                                             boxes = one command + clip list
 *   PolyFillRect tiled / opaque-stippled,
 *   GXcopy                                 -> QXL_DRAW_FILL, pattern brush
 *   CopyArea screen -> screen, GXcopy,
 *   CopyWindow (window moves, scrolling)   -> QXL_COPY_BITS per box
 *   PolyText, PolyGlyphBlt, GXcopy         -> QXL_DRAW_FILL through a 1-bit
 *                                             mask of the glyphs
 *   ImageText, ImageGlyphBlt, GXcopy       -> one 1-bit fg/bg image
 *   PutImage ZPixmap depth 24, GXcopy,
 *   CopyArea pixmap -> screen, GXcopy,
 *   everything rendered in software        -> the pixels as the cheapest
 *                                             command: a fill if of one
 *                                             colour, a 1/4/8-bit palette
 *                                             image up to 256 colours, else
 *                                             32-bit images (cache ids)
 *
 * The model is a mirror.  The front buffer is a dumb buffer in system
 * memory that fb renders for EVERY operation, accelerated or not: it is
 * authoritative and always exact, so GetImage, Render and every software
 * fallback read it without waiting for the device.  The device's primary
 * surface (owned by the kernel) is a separate copy, kept identical by the
 * commands above.  What software alone rendered stays in the damage
 * region until the server blocks (qxl_front.c); nothing is read back.
 *
 * Ordering: every command is appended to one batch in the order the
 * pixels were produced.  A command that reads the device's pixels (a copy
 * source, or the destination of an AND/XOR fill) first has the software
 * damage over what it reads sent, ahead of it in the batch.  What a
 * command draws is removed from the damage.  Damage is sent by DIRTYFB
 * only where no command may go, after the batch is submitted (both
 * kernels upload synchronously, in ring order).
 *
 * Coordinates: commands are sent only while one CRTC shows the front
 * buffer at +0+0 with no rotation, where front and primary coordinates are
 * the same (both kernels put a single head at the primary's origin), and
 * only inside that CRTC's mode; everything else stays damage.
 *
 * Files: this one holds the model and its set-up; qxl_batch.c the batch
 * and its submission; qxl_mirror.c where commands may go and what the
 * damage still owes (claim, settle, pending); qxl_upload.c images and
 * pixels as commands; qxl_gc_ops.c the core GC ops and window moves;
 * qxl_text.c core text; qxl_render.c Render; qxl_pixmap.c off-screen
 * pixmaps as device surfaces.  The model's words: README.md, glossary.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "qxl_drv.h"
#include "qxl_accel.h"
#include <gcstruct.h>
#include <regionstr.h>

void
qxl_fallback(struct qxl_screen *qs, const char *what, const char *why)
{
	qs->fallbacks++;
	if (qs->debug_fallbacks)
		xf86DrvMsg(qs->scrn->scrnIndex, X_INFO, "fallback: %s: %s\n", what, why);
}

/* ---- setup ---- */

Bool
qxl_accel_init(ScreenPtr screen, struct qxl_screen *qs)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);

	if (!qs->accel) {
		xf86DrvMsg(scrn->scrnIndex, X_CONFIG,
			   "Acceleration off (option Accel): software rendering + DIRTYFB\n");
		return TRUE;
	}
	if (!dixRegisterPrivateKey(&qxl_gc_key, PRIVATE_GC, sizeof(struct qxl_gc_priv)))
		return FALSE;
	RegionNull(&qs->text_drawn);
	if (qs->image_cache && getrandom(qs->image_key, sizeof(qs->image_key), 0) !=
	    sizeof(qs->image_key)) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "No random key for image cache ids (getrandom: %s): image cache off\n",
			   strerror(errno));
		qs->image_cache = 0;
	}
	qs->batch = qxl_batch_create();
	if (!qs->batch)
		return FALSE;
	qs->pal = qxl_pal_create();	/* none: 32-bit uploads */
	qxl_gc_wrap(screen, qs);
	qs->accel_active = 1;
	if (!qxl_pixmap_init(screen, qs))
		return FALSE;
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "Acceleration on, mirror of the front buffer: solid fills (all GC "
		   "functions) as draw-fill, screen copies and window moves as copy-bits, "
		   "images and pixmap copies as draw-copy (image cache %s), the rest as "
		   "damage uploads; up to %d commands per submission\n",
		   qs->image_cache ? "on" : "off", qs->batch_limit);
	return TRUE;
}

void
qxl_accel_close(ScreenPtr screen, struct qxl_screen *qs)
{
	(void)screen;
	if (!qs->batch)
		return;
	qxl_accel_flush(qs);
	qxl_batch_drop_unsubmitted(qs, qs->batch);
	/* no more commands: the hooks pass everything on until qxl_accel_unwrap */
	qs->accel_active = 0;
	xf86DrvMsg(qs->scrn->scrnIndex, X_INFO,
		   "Acceleration statistics: %lu fills, %lu copies, %lu images, %lu texts (%lu "
		   "more drawn over again before a submission: damage upload); software "
		   "damage sent as %lu fills and %lu images (%lu image bytes in all), "
		   "%lu times ahead of a command that reads it; %lu commands in %lu "
		   "submissions; %lu software fallbacks\n",
		   qs->accel_fills, qs->accel_copies, qs->accel_uploads, qs->accel_text,
		   qs->text_redrawn,
		   qs->upload_fills,
		   qs->upload_images, qs->upload_bytes, qs->settles, qs->commands,
		   qs->submits, qs->fallbacks);
}

/*
 * Restore the screen hooks (see qxl_close_hooks in qxl_driver.c: by now
 * the layers wrapped on top of them have unwrapped themselves) and free
 * what they use.
 */
void
qxl_accel_unwrap(ScreenPtr screen, struct qxl_screen *qs)
{
	if (!qs->batch)
		return;
	qxl_pixmap_close(screen, qs);
	qxl_gc_unwrap(screen, qs);
	free(qs->batch);
	qs->batch = NULL;
	RegionUninit(&qs->text_drawn);
	free(qs->pal);
	qs->pal = NULL;
}
