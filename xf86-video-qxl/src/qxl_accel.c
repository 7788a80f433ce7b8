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
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "qxl_drv.h"
#include "qxl_math.h"
#include "qxl_accel.h"
#include <fb.h>
#include <gcstruct.h>
#include <mi.h>
#include <pixmapstr.h>
#include <windowstr.h>
#include <regionstr.h>
#include <picturestr.h>
#include <damagestr.h>
#include <dixfontstr.h>

#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"

#define QXL_CMD_BODY_MAX	248	/* the kernel's release slot minus its id */
#define QXL_MAX_BATCH		1024
#define QXL_RELOCS_PER_CMD	4
#define QXL_IMAGE_STRIP_BYTES	(512 * 1024)
#define QXL_SCRATCH_BYTES	(256 * 1024)
#define QXL_SCRATCH_MIN		4096
#define QXL_CLIP_MAX_RECTS	1024

_Static_assert(sizeof(struct qxl_drawable) - sizeof(union qxl_release_info) <= QXL_CMD_BODY_MAX,
	       "a drawable must fit the kernel's command slot");

struct qxl_gc_priv {
	const GCFuncs *funcs;
	const GCOps *ops;
};

static DevPrivateKeyRec qxl_gc_key;

struct qxl_batch {
	struct drm_qxl_command cmd[QXL_MAX_BATCH];
	struct drm_qxl_reloc reloc[QXL_MAX_BATCH * QXL_RELOCS_PER_CMD];
	struct qxl_drawable body[QXL_MAX_BATCH];
	void *target_pix[QXL_MAX_BATCH];	/* what each command draws on, NULL: the primary */
	int n, nreloc;
	/* data buffers referenced by the batch, unmapped and closed after submission */
	uint32_t bo[QXL_MAX_BATCH];
	void *bo_map[QXL_MAX_BATCH];
	size_t bo_size[QXL_MAX_BATCH];
	int nbo;
	/* the buffer small data (clip lists, small images) is packed into */
	int scratch;			/* index in bo[], -1 if none */
	size_t scratch_size, scratch_used;
	/*
	 * Scratch bytes this batch used so far, and the size of the next
	 * batch's first scratch buffer (see qxl_batch_data).
	 */
	size_t data_used, scratch_first;
};

static struct qxl_batch *
qxl_batch_of(struct qxl_screen *qs)
{
	return qs->batch;
}

void
qxl_fallback(struct qxl_screen *qs, const char *what, const char *why)
{
	qs->fallbacks++;
	if (qs->debug_fallbacks)
		xf86DrvMsg(qs->scrn->scrnIndex, X_INFO, "fallback: %s: %s\n", what, why);
}

/* ---- submission ---- */

/* The smallest scratch size from QXL_SCRATCH_MIN up, doubling, that holds 'need'. */
static size_t
qxl_scratch_size(size_t need)
{
	size_t s = QXL_SCRATCH_MIN;

	while (s < need && s < QXL_SCRATCH_BYTES)
		s *= 2;
	return s;
}

static void
qxl_batch_reset(struct qxl_batch *b)
{
	b->scratch_first = qxl_scratch_size(b->data_used);
	b->data_used = 0;
	b->n = 0;
	b->nreloc = 0;
	b->nbo = 0;
	b->scratch = -1;
	b->scratch_used = 0;
}

/*
 * Option DebugFailEvery: does this submission (EXECBUFFER or DIRTYFB)
 * fail on purpose?  It then never reaches the kernel, errno EIO.
 */
Bool
qxl_debug_fail(struct qxl_screen *qs)
{
	if (!qs->debug_fail_every || ++qs->debug_fail_count % qs->debug_fail_every)
		return FALSE;
	errno = EIO;
	return TRUE;
}

/*
 * A submission failed: the device lacks what it would have drawn on the
 * primary ('n' boxes), and any later command may have read that.  The
 * boxes are sent again from the front buffer when the server blocks, and
 * until then nothing leaves the damage (qxl_claim), so everything drawn
 * meanwhile is uploaded too: a failure costs bytes, never pixels.
 */
void
qxl_lost(struct qxl_screen *qs, const BoxRec *box, int n)
{
	int i;

	for (i = 0; i < n; i++)
		qxl_region_add(&qs->lost, &box[i]);
	qs->failed = 1;
}

/*
 * Commands [from, n) were not executed: their bounding boxes are lost on
 * the primary, or on the pixmap surfaces they draw (qxl_pixmap.c).
 */
static void
qxl_batch_lost(struct qxl_screen *qs, struct qxl_batch *b, int from)
{
	int i;

	for (i = from; i < b->n; i++) {
		const struct qxl_rect *r = &b->body[i].bbox;
		BoxRec box = { r->left, r->top, r->right, r->bottom };

		if (b->target_pix[i])
			qxl_pixmap_lost(b->target_pix[i], &box);
		else
			qxl_lost(qs, &box, 1);
	}
	qs->failed = 1;
}

/*
 * EXECBUFFER with the server's signals blocked.  Mainline's ioctl pushes
 * the commands one by one and may stop at a signal with -EINTR or
 * -ERESTARTSYS after pushing some; the restart (SA_RESTART, or drmIoctl's
 * own loop) then pushes them all again from the first: an XOR fill undone,
 * a copy shifted twice.  The scheduler's SIGALRM comes every few ms.
 */
static int
qxl_execbuffer(struct qxl_screen *qs, struct drm_qxl_execbuffer *eb)
{
	int ret, err;

	OsBlockSignals();
	ret = drmIoctl(qs->fd, DRM_IOCTL_QXL_EXECBUFFER, eb);
	err = errno;
	OsReleaseSignals();
	errno = err;
	return ret;
}

static void
qxl_batch_close_bo(struct qxl_screen *qs, struct qxl_batch *b, int i)
{
	struct drm_gem_close gc = { .handle = b->bo[i] };

	munmap(b->bo_map[i], b->bo_size[i]);
	drmIoctl(qs->fd, DRM_IOCTL_GEM_CLOSE, &gc);
}

static int qxl_batch_bo(struct qxl_screen *qs, size_t size);

/*
 * Right after a submission, while the server is about to sleep, the next
 * batch's first scratch buffer is allocated, mapped and its pages faulted
 * in: the next request (a keystroke) then only writes its data and
 * submits.  A scratch buffer no command used was never submitted and
 * stays for the next batch ('kept': qxl_accel_flush moved it to bo[0]).
 */
static void
qxl_batch_standby(struct qxl_screen *qs, struct qxl_batch *b, Bool kept)
{
	int i = 0;

	if (kept) {
		b->nbo = 1;
	} else {
		i = qxl_batch_bo(qs, b->scratch_first);
		if (i < 0)
			return;
		/* a read faults the whole buffer in (our kernel maps it all at once) */
		(void)*(volatile uint8_t *)b->bo_map[i];
	}
	b->scratch = i;
	b->scratch_size = b->bo_size[i];
	b->scratch_used = 0;
}

/*
 * After the last submission: close the buffers no command was submitted
 * with (the standby scratch buffer, data of a command never made).
 */
static void
qxl_batch_drop_unsubmitted(struct qxl_screen *qs, struct qxl_batch *b)
{
	int i;

	for (i = 0; i < b->nbo; i++)
		qxl_batch_close_bo(qs, b, i);
	b->nbo = 0;
	b->scratch = -1;
}

/*
 * Submit what is batched, in order, at most batch_limit commands a call;
 * the device renders it asynchronously.  After a failed call the rest is
 * not submitted (it may read what the failed one should have drawn): all
 * of it is lost and sent again as pixels.
 */
void
qxl_accel_flush(struct qxl_screen *qs)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	int i, keep, done = 0;

	if (!b || !b->n)
		return;
	while (done < b->n) {
		int cnt = b->n - done;
		struct drm_qxl_execbuffer eb;

		if (cnt > qs->batch_limit)
			cnt = qs->batch_limit;
		eb.flags = 0;
		eb.commands_num = cnt;
		eb.commands = (uint64_t)(uintptr_t)&b->cmd[done];
		qs->submits++;
		if (qxl_debug_fail(qs) || qxl_execbuffer(qs, &eb)) {
			xf86DrvMsg(qs->scrn->scrnIndex, X_ERROR,
				   "EXECBUFFER of %d commands failed: %s; %d commands lost, "
				   "their areas will be sent as pixels\n", cnt, strerror(errno),
				   b->n - done);
			qxl_batch_lost(qs, b, done);
			break;
		}
		qs->commands += cnt;
		done += cnt;
	}
	keep = b->scratch >= 0 && !b->scratch_used ? b->scratch : -1;
	for (i = 0; i < b->nbo; i++) {
		if (i != keep)
			qxl_batch_close_bo(qs, b, i);
	}
	if (keep > 0) {
		b->bo[0] = b->bo[keep];
		b->bo_map[0] = b->bo_map[keep];
		b->bo_size[0] = b->bo_size[keep];
	}
	qxl_batch_reset(b);
	qxl_batch_standby(qs, b, keep >= 0);
}

static Bool
qxl_batch_full(const struct qxl_batch *b, int ncmd)
{
	return b->n + ncmd > QXL_MAX_BATCH ||
	       b->nreloc + ncmd * QXL_RELOCS_PER_CMD > QXL_MAX_BATCH * QXL_RELOCS_PER_CMD;
}

/*
 * Make room for 'ncmd' more commands and their data buffers now, so that
 * no submission happens between writing a command's data and the command.
 */
void
qxl_batch_room(struct qxl_screen *qs, int ncmd)
{
	struct qxl_batch *b = qxl_batch_of(qs);

	if (qxl_batch_full(b, ncmd) || b->nbo + ncmd + 1 > QXL_MAX_BATCH)
		qxl_accel_flush(qs);
}

/* A data buffer for the batch, mapped; closed once the batch is submitted. */
static int
qxl_batch_bo(struct qxl_screen *qs, size_t size)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	struct drm_qxl_alloc al = { .size = (uint32_t)size };
	struct drm_qxl_map mp = { 0 };
	struct drm_gem_close gc = { 0 };
	void *map;

	if (size > UINT32_MAX || b->nbo == QXL_MAX_BATCH ||
	    drmIoctl(qs->fd, DRM_IOCTL_QXL_ALLOC, &al))
		return -1;
	mp.handle = al.handle;
	if (drmIoctl(qs->fd, DRM_IOCTL_QXL_MAP, &mp))
		goto fail;
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, qs->fd, (off_t)mp.offset);
	if (map == MAP_FAILED)
		goto fail;
	b->bo[b->nbo] = al.handle;
	b->bo_map[b->nbo] = map;
	b->bo_size[b->nbo] = size;
	return b->nbo++;
fail:
	gc.handle = al.handle;
	drmIoctl(qs->fd, DRM_IOCTL_GEM_CLOSE, &gc);
	return -1;
}

/*
 * 'size' bytes of device memory for data of the batch: packed with other
 * small data into one scratch buffer, or a buffer of their own when large.
 * Sets the buffer handle and the offset in it; returns the address.
 *
 * Scratch buffers are sized to what batches use: a batch's first one as
 * large as the previous batch's scratch data (QXL_SCRATCH_MIN, a page, for
 * a keystroke's glyph), each further one twice the last, up to
 * QXL_SCRATCH_BYTES.  A buffer's cost grows with its pages: our kernel
 * maps and clears all of it at ALLOC, the X server's first write maps all
 * of it, and the submission removes those pages from the X server's page
 * tables again (write protection while the device reads them).  A full
 * 256 KiB buffer for the few hundred bytes of a keystroke's glyph made
 * every keystroke pay for 64 pages.
 */
uint8_t *
qxl_batch_data(struct qxl_screen *qs, size_t size, uint32_t *handle, uint32_t *off)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	int i;

	size = (size + 7) & ~(size_t)7;
	if (size > QXL_SCRATCH_BYTES / 4) {
		i = qxl_batch_bo(qs, size);
		if (i < 0)
			return NULL;
		*handle = b->bo[i];
		*off = 0;
		return b->bo_map[i];
	}
	if (b->scratch < 0 || b->scratch_used + size > b->scratch_size) {
		size_t want = b->scratch < 0 ? b->scratch_first : 2 * b->scratch_size;

		want = qxl_scratch_size(want > size ? want : size);
		b->scratch = qxl_batch_bo(qs, want);
		b->scratch_size = want;
		b->scratch_used = 0;
		if (b->scratch < 0)
			return NULL;
	}
	*handle = b->bo[b->scratch];
	*off = (uint32_t)b->scratch_used;
	b->scratch_used += size;
	b->data_used += size;
	return (uint8_t *)b->bo_map[b->scratch] + *off;
}

/* A new drawable in the batch, targeting the primary surface over 'box'. */
struct qxl_drawable *
qxl_batch_draw(struct qxl_screen *qs, uint8_t type, const BoxRec *box)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	struct qxl_drawable *d;
	int i;

	/*
	 * Room for the command and its relocations only: its data (images,
	 * clip lists) may already be in buffers of this batch, written after
	 * the qxl_batch_room its builder made, which kept room for the
	 * command too.  Asking for buffer room again here could submit that
	 * data without its command.
	 */
	if (qxl_batch_full(b, 1))
		qxl_accel_flush(qs);
	d = &b->body[b->n];
	memset(d, 0, sizeof(*d));
	d->surface_id = 0;
	d->effect = QXL_EFFECT_OPAQUE;
	d->type = type;
	d->bbox.left = box->x1;
	d->bbox.top = box->y1;
	d->bbox.right = box->x2;
	d->bbox.bottom = box->y2;
	d->clip.type = QXL_CLIP_TYPE_NONE;
	for (i = 0; i < 3; i++)
		d->surfaces_dest[i] = -1;
	b->cmd[b->n].command = (uint64_t)(uintptr_t)((char *)d + sizeof(union qxl_release_info));
	b->cmd[b->n].command_size = sizeof(*d) - sizeof(union qxl_release_info);
	b->cmd[b->n].type = QXL_CMD_DRAW;
	b->cmd[b->n].relocs = (uint64_t)(uintptr_t)&b->reloc[b->nreloc];
	b->cmd[b->n].relocs_num = 0;
	b->cmd[b->n].pad = 0;
	b->target_pix[b->n] = qs->target_pix;
	b->n++;
	if (qs->target_surf)	/* an off-screen surface (qxl_pixmap.c) */
		qxl_batch_reloc_surf(qs, 0, offsetof(struct qxl_drawable, surface_id),
				     qs->target_surf);
	return d;
}

/* Relocation in the last batched command: patch 'dst' with 'src_bo'+off. */
void
qxl_batch_reloc(struct qxl_screen *qs, uint32_t dst_handle, uint64_t dst_off,
		uint32_t src_handle, uint64_t src_off)
{
	struct qxl_batch *b = qxl_batch_of(qs);
	struct drm_qxl_reloc *r = &b->reloc[b->nreloc++];

	r->src_offset = src_off;
	r->dst_offset = dst_off;
	r->src_handle = src_handle;
	r->dst_handle = dst_handle;
	r->reloc_type = QXL_RELOC_TYPE_BO;
	r->pad = 0;
	b->cmd[b->n - 1].relocs_num++;
}

/* Relocation in the last batched command: patch 'dst' with the surface id of 'surf'. */
void
qxl_batch_reloc_surf(struct qxl_screen *qs, uint32_t dst_handle, uint64_t dst_off,
		     uint32_t surf)
{
	struct qxl_batch *b = qxl_batch_of(qs);

	qxl_batch_reloc(qs, dst_handle, dst_off, surf, 0);
	b->reloc[b->nreloc - 1].reloc_type = QXL_RELOC_TYPE_SURF;
}

/* ---- helpers ---- */

/* Is the drawable rendered into the front buffer (not a redirected window)? */
Bool
qxl_on_front(DrawablePtr d)
{
	ScreenPtr screen = d->pScreen;
	PixmapPtr pix;

	/* the server paints window backgrounds on the screen pixmap itself */
	if (d->type != DRAWABLE_WINDOW)
		pix = (PixmapPtr)d;
	else
		pix = screen->GetWindowPixmap((WindowPtr)d);
	return pix == screen->GetScreenPixmap(screen) && !pix->screen_x && !pix->screen_y;
}

static Bool
qxl_gc_plain(GCPtr gc)
{
	return gc->alu == GXcopy &&
	       (gc->planemask & 0xffffff) == 0xffffff;
}

/*
 * The part of the front buffer that the primary surface holds at the
 * same coordinates: the viewport of the only CRTC, when it sits at +0+0
 * unrotated.  Several heads are placed side by side on the primary by
 * the kernel, at offsets userspace does not know: no commands then.
 */
Bool
qxl_viewport(struct qxl_screen *qs, BoxPtr vp)
{
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(qs->scrn);
	xf86CrtcPtr shown = NULL;
	int i;

	for (i = 0; i < cfg->num_crtc; i++) {
		if (!cfg->crtc[i]->enabled)
			continue;
		if (shown)
			return FALSE;
		shown = cfg->crtc[i];
	}
	if (!shown || shown->x || shown->y || shown->rotation != RR_Rotate_0)
		return FALSE;
	vp->x1 = 0;
	vp->y1 = 0;
	vp->x2 = shown->mode.HDisplay < (int)qs->front.width ?
		 shown->mode.HDisplay : (int)qs->front.width;
	vp->y2 = shown->mode.VDisplay < (int)qs->front.height ?
		 shown->mode.VDisplay : (int)qs->front.height;
	return vp->x2 > 0 && vp->y2 > 0;
}

void
qxl_clip_to(RegionPtr reg, const BoxRec *vp)
{
	RegionRec r;

	RegionInit(&r, (BoxPtr)vp, 1);
	RegionIntersect(reg, reg, &r);
	RegionUninit(&r);
}

/* The device drew 'reg' from up-to-date sources: no upload needed there. */
void
qxl_claim(struct qxl_screen *qs, RegionPtr reg)
{
	/* after a failed submission the device may have drawn from stale pixels */
	if (!qs->damage || qs->failed)
		return;
	/*
	 * The damage layer reports after the operation (qxl_front.c): what
	 * it holds for the running one is still pending.
	 */
	RegionSubtract(DamageRegion(qs->damage), DamageRegion(qs->damage), reg);
	RegionSubtract(&qs->damage->pendingDamage, &qs->damage->pendingDamage, reg);
}

/*
 * The damage layer records an operation's bounding box (a fill of many
 * rectangles, a line of text) or, for a window move, the whole moved
 * region even where other windows cover it.  The running operation left
 * 'reg' unchanged or sent all of it as commands: drop it from that
 * operation's pending damage only (older damage there is still owed).
 */
static void
qxl_pending_done(struct qxl_screen *qs, RegionPtr reg)
{
	if (qs->damage && !qs->failed)
		RegionSubtract(&qs->damage->pendingDamage, &qs->damage->pendingDamage, reg);
}

static void
qxl_pending_done_box(struct qxl_screen *qs, const BoxRec *box)
{
	RegionRec r;

	RegionInit(&r, (BoxPtr)box, 1);
	qxl_pending_done(qs, &r);
	RegionUninit(&r);
}

void
qxl_region_add(RegionPtr reg, const BoxRec *b)
{
	RegionRec r;

	RegionInit(&r, (BoxPtr)b, 1);
	RegionUnion(reg, reg, &r);
	RegionUninit(&r);
}

/* Pixels in 'reg' (its rectangles do not overlap). */
uint64_t
qxl_region_area(RegionPtr reg)
{
	BoxPtr b = RegionRects(reg);
	uint64_t a = 0;
	int i;

	for (i = 0; i < RegionNumRects(reg); i++)
		a += (uint64_t)(b[i].x2 - b[i].x1) * (b[i].y2 - b[i].y1);
	return a;
}

/*
 * Is at least half of 'reg' drawn again before the batch goes out: over
 * 'drawn' (what commands already drew since the last submission) or over
 * software damage not sent yet?  Then a command there is wasted: left as
 * damage, all the drawing costs one upload of the result.
 */
Bool
qxl_mostly_redrawn(struct qxl_screen *qs, RegionPtr reg, RegionPtr drawn)
{
	RegionRec both;
	uint64_t again;

	RegionNull(&both);
	RegionIntersect(&both, reg, drawn);
	again = qxl_region_area(&both);
	if (qs->damage) {
		RegionIntersect(&both, reg, DamageRegion(qs->damage));
		again += qxl_region_area(&both);
	}
	RegionUninit(&both);
	return 2 * again >= qxl_region_area(reg);
}

uint64_t
qxl_hash(const uint8_t *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define QXL_ALIGN8(x) (((x) + 7) & ~(size_t)7)

Bool
qxl_img_new(struct qxl_screen *qs, int w, int h, uint8_t format, int bpp, int npal,
	    struct qxl_img *im)
{
	struct qxl_palette *pal;
	struct qxl_data_chunk *ch;
	uint8_t *map;

	qxl_batch_room(qs, 1);
	im->w = w;
	im->h = h;
	im->stride = (uint32_t)(((size_t)w * bpp + 7) / 8);
	im->pal_off = QXL_ALIGN8(sizeof(struct qxl_image));
	im->chunk_off = npal ? QXL_ALIGN8(im->pal_off + sizeof(*pal) + 4 * (size_t)npal) :
			       im->pal_off;
	map = qxl_batch_data(qs, im->chunk_off + sizeof(*ch) + (size_t)im->stride * h,
			     &im->handle, &im->off);
	if (!map)
		return FALSE;
	im->hdr = (struct qxl_image *)map;
	memset(im->hdr, 0, sizeof(*im->hdr));
	im->hdr->descriptor.type = QXL_IMAGE_TYPE_BITMAP;
	im->hdr->descriptor.width = w;
	im->hdr->descriptor.height = h;
	im->hdr->u.bitmap.format = format;
	im->hdr->u.bitmap.flags = QXL_BITMAP_TOP_DOWN;
	im->hdr->u.bitmap.x = w;
	im->hdr->u.bitmap.y = h;
	im->hdr->u.bitmap.stride = im->stride;
	im->hdr->u.bitmap.palette = 0;	/* relocated */
	im->hdr->u.bitmap.data = 0;	/* relocated */
	im->pal = NULL;
	if (npal) {
		pal = (struct qxl_palette *)(map + im->pal_off);
		pal->unique = 0;
		pal->num_ents = (uint16_t)npal;
		im->pal = map + im->pal_off + offsetof(struct qxl_palette, ents);
	}
	ch = (struct qxl_data_chunk *)(map + im->chunk_off);
	ch->data_size = im->stride * (uint32_t)h;
	ch->prev_chunk = 0;
	ch->next_chunk = 0;
	im->data = ch->data;
	return TRUE;
}

/* Point field 'at' of the last batched command at the image. */
void
qxl_img_relocs(struct qxl_screen *qs, const struct qxl_img *im, size_t at)
{
	qxl_batch_reloc(qs, 0, at, im->handle, im->off);
	qxl_batch_reloc(qs, im->handle, im->off + offsetof(struct qxl_image, u.bitmap.data),
			im->handle, im->off + im->chunk_off);
	if (im->pal)
		qxl_batch_reloc(qs, im->handle,
				im->off + offsetof(struct qxl_image, u.bitmap.palette),
				im->handle, im->off + im->pal_off);
	qs->upload_bytes += (unsigned long)im->stride * im->h;
}

/* Draw the finished image 1:1 at 'box' (its size) with a put. */
struct qxl_drawable *
qxl_img_draw(struct qxl_screen *qs, struct qxl_img *im, const BoxRec *box)
{
	struct qxl_drawable *d;

	d = qxl_batch_draw(qs, QXL_DRAW_COPY, box);
	d->u.copy.src_area.left = 0;
	d->u.copy.src_area.top = 0;
	d->u.copy.src_area.right = im->w;
	d->u.copy.src_area.bottom = im->h;
	d->u.copy.rop_descriptor = QXL_ROPD_OP_PUT;
	d->u.copy.scale_mode = QXL_SCALE_MODE_NEAREST;
	qxl_img_relocs(qs, im, offsetof(struct qxl_drawable, u.copy.src_bitmap));
	return d;
}

/*
 * Clip the last batched command to 'n' boxes (a clip list in the batch's
 * data); its bbox must be their extents.
 */
Bool
qxl_batch_clip(struct qxl_screen *qs, struct qxl_drawable *d, const BoxRec *box, int n)
{
	struct qxl_clip_rects *cr;
	struct qxl_rect *r;
	uint32_t handle, off;
	uint8_t *map;
	int i;

	map = qxl_batch_data(qs, sizeof(*cr) + sizeof(*r) * (size_t)n, &handle, &off);
	if (!map)
		return FALSE;
	cr = (struct qxl_clip_rects *)map;
	cr->num_rects = (uint32_t)n;
	cr->chunk.data_size = (uint32_t)(sizeof(*r) * (size_t)n);
	cr->chunk.prev_chunk = 0;
	cr->chunk.next_chunk = 0;
	r = (struct qxl_rect *)(map + sizeof(*cr));
	for (i = 0; i < n; i++) {
		r[i].top = box[i].y1;
		r[i].left = box[i].x1;
		r[i].bottom = box[i].y2;
		r[i].right = box[i].x2;
	}
	d->clip.type = QXL_CLIP_TYPE_RECTS;
	qxl_batch_reloc(qs, 0, offsetof(struct qxl_drawable, clip.data), handle, off);
	return TRUE;
}

/*
 * Draw 'src' (32-bit pixels; (sx, sy) is the source pixel of screen
 * pixel (0, 0)) into every box, in strips that keep each image buffer
 * small, as 32-bit images with an id for spice-server's image cache.
 * FALSE: not all of it could be sent (what was is drawn again by the
 * damage upload the caller leaves in place).
 */
static Bool
qxl_draw_image_boxes(struct qxl_screen *qs, const uint8_t *src, int stride,
		     int sx, int sy, const BoxRec *box, int nbox)
{
	int i;

	for (i = 0; i < nbox; i++) {
		int w = box[i].x2 - box[i].x1, h = box[i].y2 - box[i].y1;
		int strip = QXL_IMAGE_STRIP_BYTES / (w * 4), y, r;

		if (strip < 1)
			strip = 1;
		for (y = 0; y < h; y += strip) {
			int sh = h - y < strip ? h - y : strip;
			const uint8_t *p = src + (size_t)stride * (box[i].y1 + y + sy) +
					   (size_t)(box[i].x1 + sx) * 4;
			BoxRec part = { box[i].x1, box[i].y1 + y, box[i].x2, box[i].y1 + y + sh };
			uint64_t id = 0xcbf29ce484222325ull;
			struct qxl_img im;

			if (!qxl_img_new(qs, w, sh, QXL_BITMAP_FMT_32BIT, 32, 0, &im))
				return FALSE;
			for (r = 0; r < sh; r++) {
				memcpy(im.data + (size_t)im.stride * r, p + (size_t)stride * r,
				       im.stride);
				if (qs->image_cache)
					id = qxl_hash(p + (size_t)stride * r, im.stride, id);
			}
			if (qs->image_cache) {
				id = qxl_hash((const uint8_t *)&w, sizeof(w), id);
				id = qxl_hash((const uint8_t *)&sh, sizeof(sh), id);
				im.hdr->descriptor.id = id;
				im.hdr->descriptor.flags = QXL_IMAGE_CACHE;
			}
			qxl_img_draw(qs, &im, &part);
		}
	}
	return TRUE;
}

/* ---- software damage as the cheapest command that reproduces it ---- */

#define QXL_PAL_MAX	256
#define QXL_PAL_HASH	1024	/* power of two, well above QXL_PAL_MAX */

struct qxl_pal {
	int n;
	uint32_t color[QXL_PAL_MAX];
	uint32_t key[QXL_PAL_HASH];	/* colour + 1 << 24 when used */
	uint8_t idx[QXL_PAL_HASH];
};

static int
qxl_pal_index(struct qxl_pal *p, uint32_t c, Bool add)
{
	uint32_t k = c | 1u << 24, h = (c * 2654435761u) >> 22;

	for (;; h = (h + 1) & (QXL_PAL_HASH - 1)) {
		if (p->key[h] == k)
			return p->idx[h];
		if (p->key[h])
			continue;
		if (!add || p->n == QXL_PAL_MAX)
			return -1;
		p->key[h] = k;
		p->idx[h] = (uint8_t)p->n;
		p->color[p->n] = c;
		return p->n++;
	}
}

static const uint32_t *
qxl_src_row(const struct qxl_src *src, const BoxRec *b, int y)
{
	return (const uint32_t *)(src->bits + (size_t)src->stride * (b->y1 + y + src->sy)) +
	       b->x1 + src->sx;
}

/* The distinct colours (24 bits) of a box, FALSE beyond QXL_PAL_MAX. */
static Bool
qxl_pal_scan(struct qxl_pal *p, const struct qxl_src *src, const BoxRec *b)
{
	int w = b->x2 - b->x1, h = b->y2 - b->y1, x, y;

	memset(p->key, 0, sizeof(p->key));
	p->n = 0;
	for (y = 0; y < h; y++) {
		const uint32_t *row = qxl_src_row(src, b, y);
		uint32_t last = 0xffffffff;

		for (x = 0; x < w; x++) {
			uint32_t c = row[x] & 0xffffff;

			if (c == last)
				continue;
			last = c;
			if (qxl_pal_index(p, c, TRUE) < 0)
				return FALSE;
		}
	}
	return TRUE;
}

/* A box as a palette image of 1, 4 or 8 bits (after qxl_pal_scan). */
static Bool
qxl_img_palette(struct qxl_screen *qs, struct qxl_pal *p, const struct qxl_src *src,
		const BoxRec *b, struct qxl_img *im)
{
	int w = b->x2 - b->x1, h = b->y2 - b->y1, bpp, x, y;
	uint8_t fmt;

	bpp = qxl_palette_bpp(p->n);
	fmt = bpp == 1 ? QXL_BITMAP_FMT_1BIT_BE : bpp == 4 ? QXL_BITMAP_FMT_4BIT_BE :
	      QXL_BITMAP_FMT_8BIT;
	if (!qxl_img_new(qs, w, h, fmt, bpp, p->n, im))
		return FALSE;
	memcpy(im->pal, p->color, 4 * (size_t)p->n);
	for (y = 0; y < h; y++) {
		const uint32_t *row = qxl_src_row(src, b, y);
		uint8_t *out = im->data + (size_t)im->stride * y;

		memset(out, 0, im->stride);
		for (x = 0; x < w; x++) {
			qxl_palette_put(out, bpp, x,
					(unsigned int)qxl_pal_index(p, row[x] & 0xffffff, FALSE));
		}
	}
	return TRUE;
}

/* A box as an image: palette if it has at most 256 colours, else 32 bits. */
static Bool
qxl_img_of(struct qxl_screen *qs, const struct qxl_src *src, const BoxRec *b,
	   struct qxl_img *im)
{
	int h = b->y2 - b->y1, y;

	if (qs->pal && qxl_pal_scan(qs->pal, src, b))
		return qxl_img_palette(qs, qs->pal, src, b, im);
	if (!qxl_img_new(qs, b->x2 - b->x1, h, QXL_BITMAP_FMT_32BIT, 32, 0, im))
		return FALSE;
	for (y = 0; y < h; y++)
		memcpy(im->data + (size_t)im->stride * y, qxl_src_row(src, b, y), im->stride);
	return TRUE;
}

/*
 * Pixels into destination box 'b' as the cheapest command: a fill for one
 * colour, a 1/4/8-bit palette image for up to 256, else 32-bit images.
 * FALSE: (part of) it could not be sent.
 */
Bool
qxl_send_pixels(struct qxl_screen *qs, const struct qxl_src *src, const BoxRec *b)
{
	struct qxl_pal *p = qs->pal;
	struct qxl_img im;

	if (p && qxl_pal_scan(p, src, b)) {
		if (p->n == 1) {
			qxl_solid_box(qs, b, p->color[0], QXL_ROPD_OP_PUT);
			qs->upload_fills++;
			return TRUE;
		}
		qs->upload_images++;
		if (!qxl_img_palette(qs, p, src, b, &im))
			return FALSE;
		qxl_img_draw(qs, &im, b);
		return TRUE;
	}
	qs->upload_images++;
	return qxl_draw_image_boxes(qs, src->bits, src->stride, src->sx, src->sy, b, 1);
}

/*
 * Send what software rendered in 'reg' (front coordinates, inside the
 * viewport) as device commands appended to the batch, box by box: a fill
 * for one colour, a 1/4/8-bit palette image for up to 256, else 32-bit
 * images.  Returns what could not be sent (caller uploads it by DIRTYFB);
 * the pixels are read now, so the batch order is the production order.
 */
/*
 * 'reg' of 'src' as pixels to the current target.  Scattered boxes that
 * mostly fill their extents go as one picture: the target holds the
 * pixels in between already (they are not damaged), and one command costs
 * less than many.  Boxes the batch could not take are added to 'left';
 * returns how many boxes were sent.
 */
int
qxl_send_region(struct qxl_screen *qs, const struct qxl_src *src, RegionPtr reg, RegionPtr left)
{
	int i, n = RegionNumRects(reg), sent = 0;
	BoxPtr box = RegionRects(reg);

	if (n > 1) {
		BoxPtr ext = RegionExtents(reg);

		if ((uint64_t)(ext->x2 - ext->x1) * (ext->y2 - ext->y1) <= 2 * qxl_region_area(reg)) {
			box = ext;
			n = 1;
		}
	}
	for (i = 0; i < n; i++) {
		if (qxl_send_pixels(qs, src, &box[i]))
			sent++;
		else
			qxl_region_add(left, &box[i]);
	}
	return sent;
}

void
qxl_accel_upload(struct qxl_screen *qs, RegionPtr reg, RegionPtr left)
{
	const struct qxl_src src = { qs->front.map, (int)qs->front.pitch, 0, 0 };

	RegionNull(left);
	qxl_send_region(qs, &src, reg, left);
}

/* The part of 'reg' the device holds 1:1 now; FALSE: nothing. */
Bool
qxl_accel_visible(struct qxl_screen *qs, RegionPtr reg)
{
	BoxRec vp;

	if (!qs->accel_active || !qs->scrn->vtSema || !qs->scanout_fb ||
	    qs->scanout_fb != qs->fb_id || !qxl_viewport(qs, &vp))
		return FALSE;
	qxl_clip_to(reg, &vp);
	return TRUE;
}


/* ---- GC ops ---- */

/*
 * The model needs the damage layer to wrap our GC ops (it does: the
 * Damage extension sets up after the driver's ScreenInit): the damage of
 * an operation is then pending while it runs, and copies rendered here
 * by fbCopyNtoN are still reported.  Checked once, on a fill that draws.
 */
static void
qxl_check_damage_order(struct qxl_screen *qs, RegionPtr reg)
{
	if (qs->damage_order_checked || !qs->damage || !RegionNotEmpty(reg))
		return;
	qs->damage_order_checked = 1;
	if (RegionNotEmpty(&qs->damage->pendingDamage))
		return;
	xf86DrvMsg(qs->scrn->scrnIndex, X_ERROR,
		   "Acceleration off: the damage layer does not wrap the driver's "
		   "operations, so device commands could not be kept in order\n");
	qxl_accel_flush(qs);
	qs->accel_active = 0;
}

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

static Bool
qxl_op_nested(struct qxl_screen *qs)
{
	return qs->op_depth > 0;
}

/* May 'd' get device commands?  Sets the viewport they are clipped to. */
Bool
qxl_can_accel(struct qxl_screen *qs, DrawablePtr d, BoxPtr vp)
{
	/* the primary surface exists only while a CRTC shows the front */
	return qs->accel_active && qs->scrn->vtSema &&
	       qs->scanout_fb && qs->scanout_fb == qs->fb_id && qxl_on_front(d) &&
	       qxl_viewport(qs, vp);
}

/* A solid fill with any GC function and plane mask (qxl_math.h). */
struct qxl_solid {
	uint32_t and_mask, xor_mask;
};

static void
qxl_solid_of(GCPtr gc, Pixel pixel, struct qxl_solid *f)
{
	qxl_rop_solid(gc->alu & 15, pixel, gc->planemask, &f->and_mask, &f->xor_mask);
}

struct qxl_drawable *
qxl_solid_box(struct qxl_screen *qs, const BoxRec *box, uint32_t color, uint16_t ropd)
{
	struct qxl_drawable *q = qxl_batch_draw(qs, QXL_DRAW_FILL, box);

	/* spice-server drops what an opaque drawable covers: only a put is */
	q->effect = ropd == QXL_ROPD_OP_PUT ? QXL_EFFECT_OPAQUE : QXL_EFFECT_BLEND;
	q->u.fill.brush.type = QXL_BRUSH_TYPE_SOLID;
	q->u.fill.brush.u.color = color;
	q->u.fill.rop_descriptor = ropd;
	return q;
}

/*
 * The same fill over many boxes: one command per up to QXL_CLIP_MAX_RECTS
 * boxes, its bbox their extents and its clip the boxes (a few hundred
 * bytes saved per box); one command per box if no clip list fits.
 */
static void
qxl_solid_boxes(struct qxl_screen *qs, const BoxRec *box, int n, uint32_t color,
		uint16_t ropd)
{
	while (n > 0) {
		int cnt = n > QXL_CLIP_MAX_RECTS ? QXL_CLIP_MAX_RECTS : n, i;
		BoxRec ext = box[0];
		struct qxl_drawable *q;

		if (cnt == 1) {
			qxl_solid_box(qs, box, color, ropd);
			box++;
			n--;
			continue;
		}
		for (i = 1; i < cnt; i++) {
			if (box[i].x1 < ext.x1) ext.x1 = box[i].x1;
			if (box[i].y1 < ext.y1) ext.y1 = box[i].y1;
			if (box[i].x2 > ext.x2) ext.x2 = box[i].x2;
			if (box[i].y2 > ext.y2) ext.y2 = box[i].y2;
		}
		qxl_batch_room(qs, 1);
		q = qxl_solid_box(qs, &ext, color, ropd);
		if (!qxl_batch_clip(qs, q, box, cnt)) {
			/* no memory for the list: the command draws the first box */
			q->bbox.left = box[0].x1;
			q->bbox.top = box[0].y1;
			q->bbox.right = box[0].x2;
			q->bbox.bottom = box[0].y2;
			cnt = 1;
		}
		box += cnt;
		n -= cnt;
	}
}

/*
 * A command is about to read the device's pixels in 'reg' (a copy
 * source, or a destination it combines with): software damage there must
 * reach the device first, behind the commands batched before it.
 */
void
qxl_settle(struct qxl_screen *qs, RegionPtr reg)
{
	if (qs->damage && RegionNotEmpty(DamageRegion(qs->damage)))
		qxl_front_flush_region(qs, reg);
}

/*
 * The pattern of a tiled (24-bit tile) or opaque-stippled (bitmap, two
 * colours) fill as an image, and its origin in screen coordinates.
 */
static Bool
qxl_pattern_img(struct qxl_screen *qs, GCPtr gc, struct qxl_img *im)
{
	if (gc->fillStyle == FillTiled) {
		PixmapPtr tile = gc->tile.pixmap;
		const struct qxl_src src = { tile->devPrivate.ptr, tile->devKind, 0, 0 };
		BoxRec all = { 0, 0, tile->drawable.width, tile->drawable.height };

		if (tile->drawable.bitsPerPixel != 32 || tile->drawable.depth < 24 ||
		    !tile->devPrivate.ptr)
			return FALSE;
		return qxl_img_of(qs, &src, &all, im);
	} else {
		PixmapPtr st = gc->stipple;
		uint32_t pal[2] = { gc->bgPixel & 0xffffff, gc->fgPixel & 0xffffff };
		int y;

		/*
		 * fb keeps bitmaps least significant bit first; spice-server
		 * 0.15 renders 1-bit images only most significant bit first
		 * (a 1BIT_LE image aborts QEMU): reverse each byte.
		 */
		if (!st || st->drawable.bitsPerPixel != 1 || !st->devPrivate.ptr ||
		    BITMAP_BIT_ORDER != LSBFirst ||
		    !qxl_img_new(qs, st->drawable.width, st->drawable.height,
				 QXL_BITMAP_FMT_1BIT_BE, 1, 2, im))
			return FALSE;
		memcpy(im->pal, pal, sizeof(pal));
		for (y = 0; y < st->drawable.height; y++) {
			const uint8_t *in = (const uint8_t *)st->devPrivate.ptr +
					    (size_t)st->devKind * y;
			uint8_t *out = im->data + (size_t)im->stride * y;
			uint32_t x;

			for (x = 0; x < im->stride; x++)
				out[x] = qxl_bit_reverse(in[x]);
		}
		return TRUE;
	}
}

/* Tiled and opaque-stippled GXcopy fills as one pattern fill over the boxes. */
static void
qxl_pattern_fill(struct qxl_screen *qs, DrawablePtr d, GCPtr gc, int n, xRectangle *rects,
		 const BoxRec *vp)
{
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	struct qxl_drawable *q;
	struct qxl_img im;
	RegionPtr reg;
	BoxPtr box;
	int nbox;

	if (!qxl_gc_plain(gc)) {
		qxl_fallback(qs, "PolyFillRect", "pattern fill with a GC function or plane mask");
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	reg = RegionFromRects(n, rects, CT_UNSORTED);
	ops->PolyFillRect(d, gc, n, rects);
	if (!reg)
		return;
	RegionTranslate(reg, d->x, d->y);
	RegionIntersect(reg, reg, fbGetCompositeClip(gc));
	qxl_clip_to(reg, vp);
	box = RegionRects(reg);
	nbox = RegionNumRects(reg);
	if (!nbox || nbox > QXL_CLIP_MAX_RECTS) {
		RegionDestroy(reg);
		return;
	}
	qxl_batch_room(qs, 1);
	if (!qxl_pattern_img(qs, gc, &im)) {
		qxl_fallback(qs, "PolyFillRect", "pattern not expressible: damage upload");
		RegionDestroy(reg);
		return;
	}
	q = qxl_batch_draw(qs, QXL_DRAW_FILL, RegionExtents(reg));
	q->u.fill.brush.type = QXL_BRUSH_TYPE_PATTERN;
	q->u.fill.brush.u.pattern.pos.x = d->x + gc->patOrg.x;
	q->u.fill.brush.u.pattern.pos.y = d->y + gc->patOrg.y;
	q->u.fill.rop_descriptor = QXL_ROPD_OP_PUT;
	qxl_img_relocs(qs, &im, offsetof(struct qxl_drawable, u.fill.brush.u.pattern.pat));
	if (nbox > 1 && !qxl_batch_clip(qs, q, box, nbox)) {
		/* no clip list: the command draws the first box, damage the rest */
		RegionRec first;

		q->bbox.left = box[0].x1;
		q->bbox.top = box[0].y1;
		q->bbox.right = box[0].x2;
		q->bbox.bottom = box[0].y2;
		RegionInit(&first, &box[0], 1);
		qxl_claim(qs, &first);
		RegionUninit(&first);
		RegionDestroy(reg);
		return;
	}
	qs->accel_fills += nbox;
	qxl_claim(qs, reg);
	qxl_pending_done_box(qs, vp);
	RegionDestroy(reg);
}

static void
qxl_poly_fill_rect(DrawablePtr d, GCPtr gc, int n, xRectangle *rects)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	struct qxl_solid fill;
	RegionPtr reg;
	BoxPtr box;
	BoxRec vp;
	int nbox;

	if (qxl_op_nested(qs) || !qxl_can_accel(qs, d, &vp)) {
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	if (gc->fillStyle == FillTiled && !gc->tileIsPixel) {
		qxl_pattern_fill(qs, d, gc, n, rects, &vp);
		return;
	}
	if (gc->fillStyle == FillOpaqueStippled) {
		qxl_pattern_fill(qs, d, gc, n, rects, &vp);
		return;
	}
	if (gc->fillStyle == FillStippled) {
		qxl_fallback(qs, "PolyFillRect", "transparent stipple");
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	qxl_solid_of(gc, gc->fillStyle == FillTiled ? gc->tile.pixel : gc->fgPixel, &fill);
	reg = RegionFromRects(n, rects, CT_UNSORTED);
	if (!reg) {
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	RegionTranslate(reg, d->x, d->y);
	RegionIntersect(reg, reg, fbGetCompositeClip(gc));
	qxl_clip_to(reg, &vp);
	qxl_check_damage_order(qs, reg);
	if (!qs->accel_active) {
		RegionDestroy(reg);
		ops->PolyFillRect(d, gc, n, rects);
		return;
	}
	if (fill.and_mask)
		qxl_settle(qs, reg);
	ops->PolyFillRect(d, gc, n, rects);
	box = RegionRects(reg);
	nbox = RegionNumRects(reg);
	if (!fill.and_mask) {
		qxl_solid_boxes(qs, box, nbox, fill.xor_mask, QXL_ROPD_OP_PUT);
	} else {
		if (fill.and_mask != 0xffffff)
			qxl_solid_boxes(qs, box, nbox, fill.and_mask, QXL_ROPD_OP_AND);
		if (fill.xor_mask)
			qxl_solid_boxes(qs, box, nbox, fill.xor_mask, QXL_ROPD_OP_XOR);
	}
	qs->accel_fills += nbox;
	qxl_claim(qs, reg);
	/* every changed pixel in the viewport is in 'reg': the rest of the extents is not */
	qxl_pending_done_box(qs, &vp);
	RegionDestroy(reg);
}

struct qxl_copy_ctx {
	struct qxl_screen *qs;
	BoxRec vp;
	RegionRec drawn;	/* what the device was given */
	RegionRec changed;	/* what fb copied (CopyArea) */
};

/* The part of copy box 'b' whose destination and source the device has. */
static Bool
qxl_copy_box(const struct qxl_copy_ctx *c, Bool from_front, int dx, int dy, BoxPtr b)
{
	const BoxRec *vp = &c->vp;

	if (b->x1 < vp->x1) b->x1 = vp->x1;
	if (b->y1 < vp->y1) b->y1 = vp->y1;
	if (b->x2 > vp->x2) b->x2 = vp->x2;
	if (b->y2 > vp->y2) b->y2 = vp->y2;
	if (from_front) {
		if (b->x1 + dx < vp->x1) b->x1 = vp->x1 - dx;
		if (b->y1 + dy < vp->y1) b->y1 = vp->y1 - dy;
		if (b->x2 + dx > vp->x2) b->x2 = vp->x2 - dx;
		if (b->y2 + dy > vp->y2) b->y2 = vp->y2 - dy;
	}
	return b->x1 < b->x2 && b->y1 < b->y2;
}

/*
 * Copy boxes in the front buffer by fb, and on the device the part whose
 * destination and source both lie in the viewport.  The boxes come
 * ordered for overlap (miDoCopy, miCopyRegion): the device copies them in
 * the same order.
 */
static void
qxl_copy_proc(DrawablePtr src, DrawablePtr dst, GCPtr gc, BoxPtr box, int nbox,
	      int dx, int dy, Bool reverse, Bool upsidedown, Pixel bitplane,
	      void *closure)
{
	struct qxl_copy_ctx *c = closure;
	struct qxl_screen *qs = c->qs;
	Bool from_front = qxl_on_front(src);
	RegionRec srcreg;
	int i;

	if (from_front) {
		RegionNull(&srcreg);
		for (i = 0; i < nbox; i++) {
			BoxRec b = box[i];

			if (qxl_copy_box(c, TRUE, dx, dy, &b)) {
				b.x1 += dx; b.x2 += dx;
				b.y1 += dy; b.y2 += dy;
				qxl_region_add(&srcreg, &b);
			}
		}
		qxl_settle(qs, &srcreg);
		RegionUninit(&srcreg);
	}
	/* the front buffer first: it is what the device must end up equal to */
	fbCopyNtoN(src, dst, gc, box, nbox, dx, dy, reverse, upsidedown, bitplane, NULL);
	for (i = 0; i < nbox; i++) {
		BoxRec b = box[i];

		qxl_region_add(&c->changed, &b);
		if (!qxl_copy_box(c, from_front, dx, dy, &b))
			continue;
		if (from_front) {
			struct qxl_drawable *q = qxl_batch_draw(qs, QXL_COPY_BITS, &b);

			q->u.copy_bits.src_pos.x = b.x1 + dx;
			q->u.copy_bits.src_pos.y = b.y1 + dy;
			qs->accel_copies++;
		} else {
			PixmapPtr pix = (PixmapPtr)src;
			const struct qxl_src from = { pix->devPrivate.ptr, pix->devKind, dx, dy };

			/* on failure the box is left to the damage upload */
			if (!qxl_pixmap_to_screen(qs, pix, &b, dx, dy) &&
			    !qxl_send_pixels(qs, &from, &b))
				continue;
			qs->accel_uploads++;
		}
		qxl_region_add(&c->drawn, &b);
	}
}

static RegionPtr
qxl_copy_area(DrawablePtr src, DrawablePtr dst, GCPtr gc, int sx, int sy,
	      int w, int h, int dx, int dy)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(dst->pScreen));
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	struct qxl_copy_ctx c = { .qs = qs };
	RegionPtr ret;
	Bool from_front, from_pix;

	if (qxl_op_nested(qs))
		return ops->CopyArea(src, dst, gc, sx, sy, w, h, dx, dy);
	if (!qxl_can_accel(qs, dst, &c.vp)) {
		if (qxl_pixmap_copy_area(src, dst, gc, sx, sy, w, h, dx, dy, &ret))
			return ret;
		QXL_FB(qs, ret = ops->CopyArea(src, dst, gc, sx, sy, w, h, dx, dy));
		return ret;
	}
	from_front = qxl_on_front(src);
	from_pix = src->type == DRAWABLE_PIXMAP && src->bitsPerPixel == 32 &&
		   src->depth >= 24 && ((PixmapPtr)src)->devPrivate.ptr;
	if (!qxl_gc_plain(gc) || (!from_front && !from_pix)) {
		qxl_fallback(qs, "CopyArea", "not a plain GXcopy from the screen or a 32-bit pixmap");
		QXL_FB(qs, ret = ops->CopyArea(src, dst, gc, sx, sy, w, h, dx, dy));
		return ret;
	}
	RegionNull(&c.drawn);
	RegionNull(&c.changed);
	ret = miDoCopy(src, dst, gc, sx, sy, w, h, dx, dy, qxl_copy_proc, 0, &c);
	qxl_claim(qs, &c.drawn);
	/*
	 * The damage layer recorded the whole destination rectangle.  Where
	 * the source was obscured fb copied nothing, or the server painted
	 * the window's background through a fill nested in the copy
	 * (miHandleExposures): that fill is accelerated and has already
	 * dropped the viewport's pending damage, this copy's with its own.
	 * Of the copy, only what fb changed and the device did not get is
	 * still owed: it goes to the damage directly.
	 */
	RegionSubtract(&c.changed, &c.changed, &c.drawn);
	qxl_pending_done_box(qs, &c.vp);
	if (qs->damage)
		RegionUnion(DamageRegion(qs->damage), DamageRegion(qs->damage), &c.changed);
	RegionUninit(&c.changed);
	RegionUninit(&c.drawn);
	return ret;
}

static void
qxl_put_image(DrawablePtr d, GCPtr gc, int depth, int x, int y, int w, int h,
	      int leftPad, int format, char *bits)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	const GCOps *ops = QXL_GC_PRIV(gc)->ops;
	RegionRec reg;
	BoxRec ext, vp;
	int stride;

	if (qxl_op_nested(qs) || !qxl_can_accel(qs, d, &vp)) {
		ops->PutImage(d, gc, depth, x, y, w, h, leftPad, format, bits);
		return;
	}
	if (format != ZPixmap || depth != 24 || d->bitsPerPixel != 32 ||
	    !qxl_gc_plain(gc) || w <= 0 || h <= 0) {
		qxl_fallback(qs, "PutImage", "not a depth 24 ZPixmap GXcopy image");
		ops->PutImage(d, gc, depth, x, y, w, h, leftPad, format, bits);
		return;
	}
	ops->PutImage(d, gc, depth, x, y, w, h, leftPad, format, bits);
	stride = PixmapBytePad(w, depth);
	ext.x1 = d->x + x;
	ext.y1 = d->y + y;
	ext.x2 = ext.x1 + w;
	ext.y2 = ext.y1 + h;
	RegionInit(&reg, &ext, 1);
	RegionIntersect(&reg, &reg, fbGetCompositeClip(gc));
	qxl_clip_to(&reg, &vp);
	/* source pixel of screen (0,0): (-ext.x1, -ext.y1) in the image */
	if (RegionNotEmpty(&reg)) {
		const struct qxl_src from = { (const uint8_t *)bits, stride, -ext.x1, -ext.y1 };
		BoxPtr box = RegionRects(&reg);
		int i, nbox = RegionNumRects(&reg);
		Bool ok = TRUE;

		for (i = 0; i < nbox && ok; i++)
			ok = qxl_send_pixels(qs, &from, &box[i]);
		if (ok) {
			qs->accel_uploads += nbox;
			qxl_claim(qs, &reg);
		} else {
			qxl_fallback(qs, "PutImage", "no device memory for the image: damage upload");
		}
	}
	RegionUninit(&reg);
}

/* ---- core text ---- */

/*
 * Core text (PolyText, ImageText and the glyph blits fb's text requests
 * call through the GC) is drawn from the font's 1-bit glyphs:
 *
 *   transparent (PolyText, PolyGlyphBlt)  -> a fill with the foreground
 *                                            colour through a 1-bit mask
 *                                            of the glyph bits
 *   opaque (ImageText, ImageGlyphBlt)     -> one 1-bit image, palette
 *                                            background/foreground, when
 *                                            the ink stays in the
 *                                            background box; else a
 *                                            background fill + the masked
 *                                            fill
 *
 * The bits are laid out over the extents of the drawn region, which is
 * the command's bbox, with the mask position (0, 0): spice-server turns a
 * mask into a region from the mask pixel at 'pos' on the bbox's top-left
 * corner, and it offsets into the mask wrongly when the clipped area
 * starts to the right of the mask's first 32 pixels, so the mask never
 * extends left of the bbox.  Bits are most significant first
 * (1BIT_BE): both orders work for masks, but only that one is known to
 * pass spice-server's paths for images (see qxl_pattern_img).  Content
 * hashes are the cache ids, so repeated strings are sent once.
 */
struct qxl_core_text {
	BoxRec ink;		/* union of the glyphs' ink boxes; empty if none */
	BoxRec bg;		/* ImageText's background box */
};

/* Ink extents of 'n' glyphs drawn from origin (x, y), screen coordinates. */
static void
qxl_text_extents(int x, int y, unsigned int n, CharInfoPtr *ci, FontPtr font,
		 struct qxl_core_text *t)
{
	int width = 0;
	unsigned int i;

	t->ink.x1 = t->ink.y1 = MAXSHORT;
	t->ink.x2 = t->ink.y2 = MINSHORT;
	for (i = 0; i < n; i++) {
		const xCharInfo *m = &ci[i]->metrics;

		if (m->rightSideBearing > m->leftSideBearing && m->ascent + m->descent > 0) {
			t->ink.x1 = min(t->ink.x1, x + width + m->leftSideBearing);
			t->ink.x2 = max(t->ink.x2, x + width + m->rightSideBearing);
			t->ink.y1 = min(t->ink.y1, y - m->ascent);
			t->ink.y2 = max(t->ink.y2, y + m->descent);
		}
		width += m->characterWidth;
	}
	if (t->ink.x1 >= t->ink.x2)
		t->ink.x1 = t->ink.y1 = t->ink.x2 = t->ink.y2 = 0;
	t->bg.x1 = width < 0 ? x + width : x;
	t->bg.x2 = width < 0 ? x : x + width;
	t->bg.y1 = y - FONTASCENT(font);
	t->bg.y2 = y + FONTDESCENT(font);
}

/*
 * The glyph bits over 'e' (screen coordinates), 1BIT_BE rows of
 * 'stride' bytes, zeroed by the caller.  Server fonts hold glyph rows
 * least significant bit first, padded to GLYPHPADBYTES (4, fb.h).
 */
static void
qxl_text_bits(int x, int y, unsigned int n, CharInfoPtr *ci, const BoxRec *e,
	      uint8_t *out, uint32_t stride)
{
	int width = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const xCharInfo *m = &ci[i]->metrics;
		const uint8_t *bits = FONTGLYPHBITS(NULL, ci[i]);
		int gstride = GLYPHWIDTHBYTESPADDED(ci[i]);
		int gx = x + width + m->leftSideBearing, gy = y - m->ascent;
		int x1 = max(gx, e->x1) - gx;
		int x2 = min(gx + m->rightSideBearing - m->leftSideBearing, e->x2) - gx;
		int y1 = max(gy, e->y1), y2 = min(y + m->descent, e->y2);
		int r;

		width += m->characterWidth;
		if (x1 >= x2)
			continue;
		for (r = y1; r < y2; r++)
			qxl_glyph_row_put(out + (size_t)stride * (r - e->y1), stride,
					  bits + (size_t)gstride * (r - gy), x1, x2, gx - e->x1);
	}
}

/* A 1-bit image of the glyphs over 'e'; palette {bg, fg} if 'opaque'. */
static Bool
qxl_text_img(struct qxl_screen *qs, int x, int y, unsigned int n, CharInfoPtr *ci,
	     const BoxRec *e, GCPtr gc, Bool opaque, struct qxl_img *im)
{
	int w = e->x2 - e->x1, h = e->y2 - e->y1;
	uint32_t pal[2] = { gc->bgPixel & 0xffffff, gc->fgPixel & 0xffffff };
	uint64_t id = 0xcbf29ce484222325ull;

	if (!qxl_img_new(qs, w, h, QXL_BITMAP_FMT_1BIT_BE, 1, opaque ? 2 : 0, im))
		return FALSE;
	memset(im->data, 0, (size_t)im->stride * h);
	qxl_text_bits(x, y, n, ci, e, im->data, im->stride);
	if (opaque)
		memcpy(im->pal, pal, sizeof(pal));
	if (qs->image_cache) {
		id = qxl_hash(im->data, (size_t)im->stride * h, id);
		id = qxl_hash((const uint8_t *)&w, sizeof(w), id);
		id = qxl_hash((const uint8_t *)&h, sizeof(h), id);
		if (opaque)
			id = qxl_hash((const uint8_t *)pal, sizeof(pal), id);
		im->hdr->descriptor.id = id;
		im->hdr->descriptor.flags = QXL_IMAGE_CACHE;
	}
	return TRUE;
}

/* The part of 'box' drawn through the GC's clip, inside the viewport. */
static RegionPtr
qxl_text_region(GCPtr gc, const BoxRec *box, const BoxRec *vp)
{
	RegionPtr reg = RegionCreate((BoxPtr)box, 1);

	if (!reg)
		return NULL;
	RegionIntersect(reg, reg, fbGetCompositeClip(gc));
	qxl_clip_to(reg, vp);
	if (!RegionNotEmpty(reg) || RegionNumRects(reg) > QXL_CLIP_MAX_RECTS) {
		RegionDestroy(reg);
		return NULL;
	}
	return reg;
}

/*
 * Clip the text command 'q' (bbox: the extents of 'reg') to 'reg'.
 * FALSE: no memory for the clip list; the command then draws only the
 * first box, and the caller leaves the text to the damage upload, which
 * follows it in the batch.
 */
static Bool
qxl_text_clip(struct qxl_screen *qs, struct qxl_drawable *q, RegionPtr reg)
{
	const BoxRec *b = RegionRects(reg);

	if (RegionNumRects(reg) == 1 || qxl_batch_clip(qs, q, b, RegionNumRects(reg)))
		return TRUE;
	if (q->type == QXL_DRAW_FILL) {
		q->u.fill.mask.pos.x = b->x1 - q->bbox.left;
		q->u.fill.mask.pos.y = b->y1 - q->bbox.top;
	} else {
		q->u.copy.src_area.left = b->x1 - q->bbox.left;
		q->u.copy.src_area.top = b->y1 - q->bbox.top;
		q->u.copy.src_area.right = b->x2 - q->bbox.left;
		q->u.copy.src_area.bottom = b->y2 - q->bbox.top;
	}
	q->bbox.left = b->x1;
	q->bbox.top = b->y1;
	q->bbox.right = b->x2;
	q->bbox.bottom = b->y2;
	return FALSE;
}

/*
 * Is a command worth sending for text over 'box'?  Not when most of it
 * is drawn over again before the batch goes out (x11perf, a line redrawn
 * as it is typed): over text commands since the last submission, or over
 * software damage not sent yet.  Left as damage, all the drawing there
 * costs one upload of the result when the server blocks.
 */
static Bool
qxl_text_worth(struct qxl_screen *qs, const BoxRec *box, const BoxRec *vp)
{
	RegionRec reg;
	Bool redrawn;

	if (qs->text_submits != qs->submits) {
		RegionEmpty(&qs->text_drawn);
		qs->text_submits = qs->submits;
	}
	RegionInit(&reg, (BoxPtr)box, 1);
	qxl_clip_to(&reg, vp);
	redrawn = qxl_mostly_redrawn(qs, &reg, &qs->text_drawn);
	RegionUninit(&reg);
	if (!redrawn)
		return TRUE;
	qs->text_redrawn++;
	return FALSE;
}

/* Text commands drew 'reg'. */
static void
qxl_text_drawn(struct qxl_screen *qs, RegionPtr reg)
{
	RegionUnion(&qs->text_drawn, &qs->text_drawn, reg);
}

/* The glyphs in the foreground colour, through a mask; FALSE: not sent. */
static Bool
qxl_text_masked(struct qxl_screen *qs, GCPtr gc, int x, int y, unsigned int n,
		CharInfoPtr *ci, const BoxRec *ink, const BoxRec *vp)
{
	RegionPtr reg = qxl_text_region(gc, ink, vp);
	struct qxl_drawable *q;
	struct qxl_img im;
	Bool ok = FALSE;

	if (!reg)
		return FALSE;
	qxl_batch_room(qs, 1);
	if (qxl_text_img(qs, x, y, n, ci, RegionExtents(reg), gc, FALSE, &im)) {
		q = qxl_solid_box(qs, RegionExtents(reg), gc->fgPixel & 0xffffff,
				  QXL_ROPD_OP_PUT);
		/* the mask leaves pixels of the bbox alone: not opaque */
		q->effect = QXL_EFFECT_BLEND;
		q->u.fill.mask.flags = 0;
		q->u.fill.mask.pos.x = 0;
		q->u.fill.mask.pos.y = 0;
		qxl_img_relocs(qs, &im, offsetof(struct qxl_drawable, u.fill.mask.bitmap));
		ok = qxl_text_clip(qs, q, reg);
		if (ok)
			qxl_text_drawn(qs, reg);
	}
	RegionDestroy(reg);
	return ok;
}

/* May this text go to the device?  Sets the viewport. */
static Bool
qxl_text_accel(struct qxl_screen *qs, DrawablePtr d, GCPtr gc, BoxPtr vp)
{
	return !qxl_op_nested(qs) && qxl_can_accel(qs, d, vp) && qxl_gc_plain(gc) &&
	       gc->fillStyle == FillSolid &&
	       d->bitsPerPixel == 32 && BITMAP_BIT_ORDER == LSBFirst;
}

static void
qxl_poly_glyph_blt(DrawablePtr d, GCPtr gc, int x, int y, unsigned int n,
		   CharInfoPtr *ci, void *base)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	struct qxl_core_text t;
	BoxRec vp;

	QXL_FB(qs, QXL_GC_PRIV(gc)->ops->PolyGlyphBlt(d, gc, x, y, n, ci, base));
	if (!n || !qxl_text_accel(qs, d, gc, &vp))
		return;
	x += d->x;
	y += d->y;
	qxl_text_extents(x, y, n, ci, gc->font, &t);
	if (t.ink.x1 == t.ink.x2 || !qxl_text_worth(qs, &t.ink, &vp))
		return;
	if (qxl_text_masked(qs, gc, x, y, n, ci, &t.ink, &vp)) {
		qs->accel_text++;
		qxl_pending_done_box(qs, &vp);
	} else {
		qxl_fallback(qs, "PolyGlyphBlt", "text not expressible: damage upload");
	}
}

static void
qxl_image_glyph_blt(DrawablePtr d, GCPtr gc, int x, int y, unsigned int n,
		    CharInfoPtr *ci, void *base)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	struct qxl_drawable *q;
	struct qxl_core_text t;
	struct qxl_img im;
	RegionPtr reg;
	BoxRec vp;
	Bool inside;

	QXL_FB(qs, QXL_GC_PRIV(gc)->ops->ImageGlyphBlt(d, gc, x, y, n, ci, base));
	if (!n || !qxl_text_accel(qs, d, gc, &vp))
		return;
	x += d->x;
	y += d->y;
	qxl_text_extents(x, y, n, ci, gc->font, &t);
	inside = t.ink.x1 == t.ink.x2 ||
		 (t.ink.x1 >= t.bg.x1 && t.ink.x2 <= t.bg.x2 &&
		  t.ink.y1 >= t.bg.y1 && t.ink.y2 <= t.bg.y2);
	if (t.bg.x1 == t.bg.x2 || t.bg.y1 >= t.bg.y2) {
		if (!inside && qxl_text_worth(qs, &t.ink, &vp) &&
		    qxl_text_masked(qs, gc, x, y, n, ci, &t.ink, &vp))
			qxl_pending_done_box(qs, &vp);
		return;
	}
	if (!qxl_text_worth(qs, &t.bg, &vp))
		return;
	reg = qxl_text_region(gc, &t.bg, &vp);
	if (!reg) {
		qxl_fallback(qs, "ImageGlyphBlt", "background box not expressible: damage upload");
		return;
	}
	if (inside) {
		/* every pixel of the box is background or glyph: one image */
		qxl_batch_room(qs, 1);
		if (!qxl_text_img(qs, x, y, n, ci, RegionExtents(reg), gc, TRUE, &im)) {
			RegionDestroy(reg);
			return;
		}
		q = qxl_img_draw(qs, &im, RegionExtents(reg));
		if (!qxl_text_clip(qs, q, reg)) {
			RegionDestroy(reg);
			return;
		}
	} else {
		qxl_solid_boxes(qs, RegionRects(reg), RegionNumRects(reg),
				gc->bgPixel & 0xffffff, QXL_ROPD_OP_PUT);
		if (!qxl_text_masked(qs, gc, x, y, n, ci, &t.ink, &vp)) {
			/*
			 * The glyphs fb drew inside the box are not on the
			 * device: the whole box stays damage, its upload
			 * follows the (then useless) fill.
			 */
			RegionDestroy(reg);
			qxl_fallback(qs, "ImageGlyphBlt", "glyphs not expressible: damage upload");
			return;
		}
	}
	qs->accel_text++;
	qxl_text_drawn(qs, reg);
	qxl_claim(qs, reg);
	qxl_pending_done_box(qs, &vp);
	RegionDestroy(reg);
}

/*
 * Every other op is rendered by fb (or mi, through the GC again: an
 * operation around nested ones); its damage is uploaded (qxl_front.c).
 */
#define QXL_PASS(name, proto, args)					\
	static void qxl_##name proto					\
	{								\
		struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));			\
									\
		QXL_FB(qs, QXL_GC_PRIV(gc)->ops->name args);		\
	}

QXL_PASS(FillSpans, (DrawablePtr d, GCPtr gc, int n, DDXPointPtr p, int *w, int s), (d, gc, n, p, w, s))
QXL_PASS(SetSpans, (DrawablePtr d, GCPtr gc, char *src, DDXPointPtr p, int *w, int n, int s), (d, gc, src, p, w, n, s))
QXL_PASS(PolyPoint, (DrawablePtr d, GCPtr gc, int m, int n, xPoint *p), (d, gc, m, n, p))
QXL_PASS(Polylines, (DrawablePtr d, GCPtr gc, int m, int n, DDXPointPtr p), (d, gc, m, n, p))
QXL_PASS(PolySegment, (DrawablePtr d, GCPtr gc, int n, xSegment *s), (d, gc, n, s))
QXL_PASS(PolyArc, (DrawablePtr d, GCPtr gc, int n, xArc *a), (d, gc, n, a))
QXL_PASS(FillPolygon, (DrawablePtr d, GCPtr gc, int s, int m, int n, DDXPointPtr p), (d, gc, s, m, n, p))
QXL_PASS(PolyFillArc, (DrawablePtr d, GCPtr gc, int n, xArc *a), (d, gc, n, a))
QXL_PASS(PushPixels, (GCPtr gc, PixmapPtr bm, DrawablePtr d, int w, int h, int x, int y), (gc, bm, d, w, h, x, y))

static RegionPtr
qxl_CopyPlane(DrawablePtr s, DrawablePtr d, GCPtr gc, int sx, int sy, int w, int h,
	      int dx, int dy, unsigned long plane)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(d->pScreen));
	RegionPtr ret;

	QXL_FB(qs, ret = QXL_GC_PRIV(gc)->ops->CopyPlane(s, d, gc, sx, sy, w, h, dx, dy, plane));
	return ret;
}

/* Not operations of their own: see qxl_op_nested. */
static int
qxl_PolyText8(DrawablePtr d, GCPtr gc, int x, int y, int n, char *c)
{
	return QXL_GC_PRIV(gc)->ops->PolyText8(d, gc, x, y, n, c);
}

static int
qxl_PolyText16(DrawablePtr d, GCPtr gc, int x, int y, int n, unsigned short *c)
{
	return QXL_GC_PRIV(gc)->ops->PolyText16(d, gc, x, y, n, c);
}

static void
qxl_PolyRectangle(DrawablePtr d, GCPtr gc, int n, xRectangle *r)
{
	QXL_GC_PRIV(gc)->ops->PolyRectangle(d, gc, n, r);
}

static void
qxl_ImageText8(DrawablePtr d, GCPtr gc, int x, int y, int n, char *c)
{
	QXL_GC_PRIV(gc)->ops->ImageText8(d, gc, x, y, n, c);
}

static void
qxl_ImageText16(DrawablePtr d, GCPtr gc, int x, int y, int n, unsigned short *c)
{
	QXL_GC_PRIV(gc)->ops->ImageText16(d, gc, x, y, n, c);
}

static const GCOps qxl_gc_ops = {
	.FillSpans = qxl_FillSpans,
	.SetSpans = qxl_SetSpans,
	.PutImage = qxl_put_image,
	.CopyArea = qxl_copy_area,
	.CopyPlane = qxl_CopyPlane,
	.PolyPoint = qxl_PolyPoint,
	.Polylines = qxl_Polylines,
	.PolySegment = qxl_PolySegment,
	.PolyRectangle = qxl_PolyRectangle,
	.PolyArc = qxl_PolyArc,
	.FillPolygon = qxl_FillPolygon,
	.PolyFillRect = qxl_poly_fill_rect,
	.PolyFillArc = qxl_PolyFillArc,
	.PolyText8 = qxl_PolyText8,
	.PolyText16 = qxl_PolyText16,
	.ImageText8 = qxl_ImageText8,
	.ImageText16 = qxl_ImageText16,
	.ImageGlyphBlt = qxl_image_glyph_blt,
	.PolyGlyphBlt = qxl_poly_glyph_blt,
	.PushPixels = qxl_PushPixels,
};

/* ---- GC funcs: keep our ops installed over whatever fb validates ---- */

static const GCFuncs qxl_gc_funcs;

#define QXL_GC_UNWRAP(gc) do {						\
		(gc)->funcs = QXL_GC_PRIV(gc)->funcs;			\
		if (QXL_GC_PRIV(gc)->ops)				\
			(gc)->ops = QXL_GC_PRIV(gc)->ops;		\
	} while (0)
#define QXL_GC_WRAP(gc) do {						\
		QXL_GC_PRIV(gc)->funcs = (gc)->funcs;			\
		QXL_GC_PRIV(gc)->ops = (gc)->ops;			\
		(gc)->funcs = &qxl_gc_funcs;				\
		(gc)->ops = (GCOps *)&qxl_gc_ops;			\
	} while (0)

static void
qxl_validate_gc(GCPtr gc, unsigned long changes, DrawablePtr d)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->ValidateGC(gc, changes, d);
	QXL_GC_WRAP(gc);
}

static void
qxl_change_gc(GCPtr gc, unsigned long mask)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->ChangeGC(gc, mask);
	QXL_GC_WRAP(gc);
}

static void
qxl_copy_gc(GCPtr src, unsigned long mask, GCPtr dst)
{
	QXL_GC_UNWRAP(dst);
	dst->funcs->CopyGC(src, mask, dst);
	QXL_GC_WRAP(dst);
}

static void
qxl_destroy_gc(GCPtr gc)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->DestroyGC(gc);
	/* no rewrap: the GC is gone */
}

static void
qxl_change_clip(GCPtr gc, int type, void *value, int nrects)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->ChangeClip(gc, type, value, nrects);
	QXL_GC_WRAP(gc);
}

static void
qxl_destroy_clip(GCPtr gc)
{
	QXL_GC_UNWRAP(gc);
	gc->funcs->DestroyClip(gc);
	QXL_GC_WRAP(gc);
}

static void
qxl_copy_clip(GCPtr dst, GCPtr src)
{
	QXL_GC_UNWRAP(dst);
	dst->funcs->CopyClip(dst, src);
	QXL_GC_WRAP(dst);
}

static const GCFuncs qxl_gc_funcs = {
	.ValidateGC = qxl_validate_gc,
	.ChangeGC = qxl_change_gc,
	.CopyGC = qxl_copy_gc,
	.DestroyGC = qxl_destroy_gc,
	.ChangeClip = qxl_change_clip,
	.DestroyClip = qxl_destroy_clip,
	.CopyClip = qxl_copy_clip,
};

static Bool
qxl_create_gc(GCPtr gc)
{
	ScreenPtr screen = gc->pScreen;
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	Bool ret;

	screen->CreateGC = qs->CreateGC;
	ret = screen->CreateGC(gc);
	qs->CreateGC = screen->CreateGC;
	screen->CreateGC = qxl_create_gc;
	if (ret)
		QXL_GC_WRAP(gc);
	return ret;
}

/* ---- window moves and scrolling ---- */

/* Device side of a window copy: the boxes in fb's order, as copy-bits. */
static void
qxl_copy_window_proc(DrawablePtr src, DrawablePtr dst, GCPtr gc, BoxPtr box, int nbox,
		     int dx, int dy, Bool reverse, Bool upsidedown, Pixel bitplane,
		     void *closure)
{
	struct qxl_copy_ctx *c = closure;
	int i;

	(void)src;
	(void)dst;
	(void)gc;
	(void)reverse;
	(void)upsidedown;
	(void)bitplane;
	for (i = 0; i < nbox; i++) {
		BoxRec b = box[i];
		struct qxl_drawable *q;

		if (!qxl_copy_box(c, TRUE, dx, dy, &b))
			continue;
		q = qxl_batch_draw(c->qs, QXL_COPY_BITS, &b);
		q->u.copy_bits.src_pos.x = b.x1 + dx;
		q->u.copy_bits.src_pos.y = b.y1 + dy;
		c->qs->accel_copies++;
		qxl_region_add(&c->drawn, &b);
	}
}

static void
qxl_copy_window(WindowPtr win, DDXPointRec old, RegionPtr src)
{
	ScreenPtr screen = win->drawable.pScreen;
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	struct qxl_copy_ctx c = { .qs = qs };
	Bool accel = qxl_can_accel(qs, &win->drawable, &c.vp);
	PixmapPtr pix = screen->GetWindowPixmap(win);
	RegionRec dst, from, kept;
	int dx = old.x - win->drawable.x, dy = old.y - win->drawable.y;

	/* what fbCopyWindow will copy: computed first, it moves 'src' */
	if (accel) {
		RegionNull(&dst);
		RegionNull(&kept);
		RegionTranslate(src, -dx, -dy);
		RegionIntersect(&dst, &win->borderClip, src);
		/* damaged by the damage layer, not by the copy: covered by other windows */
		RegionSubtract(&kept, src, &win->borderClip);
		RegionTranslate(src, dx, dy);
		qxl_clip_to(&dst, &c.vp);
		RegionNull(&from);
		RegionCopy(&from, &dst);
		RegionTranslate(&from, dx, dy);
		qxl_settle(qs, &from);
		RegionUninit(&from);
	}
	screen->CopyWindow = qs->CopyWindow;
	screen->CopyWindow(win, old, src);
	screen->CopyWindow = qxl_copy_window;
	if (!accel)
		return;
	RegionNull(&c.drawn);
	miCopyRegion(&pix->drawable, &pix->drawable, NULL, &dst, dx, dy,
		     qxl_copy_window_proc, 0, &c);
	qxl_claim(qs, &c.drawn);
	qxl_pending_done(qs, &kept);
	RegionUninit(&kept);
	RegionUninit(&c.drawn);
	RegionUninit(&dst);
}

static void
qxl_wrap_screen(ScreenPtr screen, struct qxl_screen *qs)
{
	qs->CopyWindow = screen->CopyWindow;
	screen->CopyWindow = qxl_copy_window;
}

static void
qxl_unwrap_screen(ScreenPtr screen, struct qxl_screen *qs)
{
	screen->CopyWindow = qs->CopyWindow;
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
	qs->batch = calloc(1, sizeof(struct qxl_batch));
	if (!qs->batch)
		return FALSE;
	qs->pal = calloc(1, sizeof(struct qxl_pal));	/* none: 32-bit uploads */
	qxl_batch_reset(qs->batch);
	qs->CreateGC = screen->CreateGC;
	screen->CreateGC = qxl_create_gc;
	qxl_wrap_screen(screen, qs);
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
	screen->CreateGC = qs->CreateGC;
	qxl_unwrap_screen(screen, qs);
	free(qs->batch);
	qs->batch = NULL;
	RegionUninit(&qs->text_drawn);
	free(qs->pal);
	qs->pal = NULL;
}
