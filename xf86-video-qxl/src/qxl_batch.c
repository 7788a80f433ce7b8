/* SPDX-License-Identifier: MIT */
/*
 * The batch: every device command of the screen, in the order the pixels
 * were produced (qxl_accel.c), with the relocations that point it at its
 * data and the buffers that hold that data, until it is submitted by
 * EXECBUFFER.  A failed submission turns what it would have drawn into
 * "lost" areas, sent again as pixels.  Builders of commands
 * (qxl_gc_ops.c, qxl_text.c, qxl_upload.c, qxl_render.c, qxl_pixmap.c)
 * only append here; nothing else submits commands.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "qxl_drv.h"
#include "qxl_accel.h"
#include <regionstr.h>

#include "../../uapi/qxl_drm.h"
#include "../../uapi/qxl_device.h"

#define QXL_CMD_BODY_MAX	248	/* the kernel's release slot minus its id */
#define QXL_MAX_BATCH		1024
#define QXL_RELOCS_PER_CMD	4
#define QXL_SCRATCH_BYTES	(256 * 1024)
#define QXL_SCRATCH_MIN		4096

_Static_assert(sizeof(struct qxl_drawable) - sizeof(union qxl_release_info) <= QXL_CMD_BODY_MAX,
	       "a drawable must fit the kernel's command slot");

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
void
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

/* A batch with nothing in it, for qxl_accel_init; NULL: no memory. */
struct qxl_batch *
qxl_batch_create(void)
{
	struct qxl_batch *b = calloc(1, sizeof(*b));

	if (b)
		qxl_batch_reset(b);
	return b;
}
