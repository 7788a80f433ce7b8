// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * EXECBUFFER: drawing commands from userspace, with relocations.
 *
 * Userspace cannot know device addresses or surface ids, so it names
 * buffers by handle and the kernel patches them in.  Everything is checked
 * on a private copy of the command before the device sees anything: the
 * command type and size, each relocation's buffers and offsets, the target
 * and destination surfaces, and that every device address the device will
 * follow from the command, and from the images, chunks, clip lists, paths
 * and strings it leads to, holds exactly what a relocation of this command
 * wrote (a stray address can carry a slot id that makes spice-server abort
 * QEMU).  The command is then copied into kernel-owned device memory; the
 * buffers it leads to are write-protected until the device releases it
 * (qxl_bo.c), so userspace cannot change what was checked before
 * spice-server parses it.
 *
 * Palettes are the exception: spice-server looks pixels up in them without
 * checking the index against the entry count (it copies the entries into a
 * 16- or 256-entry array on its stack, or reads 1-bit images' two entries
 * from its heap), so a short palette shows QEMU memory to the client.  The
 * entry count a client may give is not tied to the depth (our X driver
 * sends 5 entries for a 4-bit image whose pixels use only those), so each
 * palette is copied into the command's own device memory, padded with
 * black to every entry the pixels can index, and the image is pointed at
 * the copy.
 *
 * Image cache ids are not the client's choice.  spice-server sends an
 * image flagged QXL_IMAGE_CACHE by reference when its client already holds
 * the id, so one id naming two images shows the SPICE client the first in
 * place of the second: a DRM client sending its own pixels under the id of
 * an image the X server is about to draw would change the user's screen
 * (and a client's own wrong ids its own picture, found by tests/fuzz).
 * The kernel therefore replaces the id of every such image with a keyed
 * hash (SipHash, qxl_devif_siphash.c) of all the device draws it from:
 * its size, format, use (mask or source), palette copy and pixels.  Equal
 * images keep equal ids, so the cache still works; the top bit is clear,
 * so no id can be one of the console's (qxl_draw.c), and 0 is never one.
 * Every other image (uncached bitmaps, surfaces) gets id 0: spice-server's
 * own canvas looks every image's id up in its cache, whatever its flags.
 * The hashed pixels are recorded as parsed, so no later kernel write (a
 * relocation, a palette address, an id, UPDATE_AREA's read-back) changes
 * them while the command is in flight.  Like the palette addresses, the id
 * is written only into the image's own header, never into bytes this
 * command's check read as anything else, and over bytes an earlier
 * command in flight had checked only with the value they hold already.
 *
 * Write protection stops userspace only.  The kernel's own writes into
 * buffers, the relocations of this command, must not change what an
 * earlier command still in flight had checked either: the byte ranges each
 * command's check read are recorded and kept with its buffers until the
 * device releases it, and a relocation that would change bytes there is
 * refused.  Buffers a relocation points at are never device surfaces,
 * whose memory the device writes when it renders them back.
 *
 * Mainline compatibility: the user buffer is the drawable without its
 * 8-byte release info; relocation offsets into the command (dst_handle 0)
 * count from the start of the drawable, release info included.
 */

#include <linux/io.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "qxl_objects.h"

#define QXL_RELEASE_INFO_SIZE	sizeof(union qxl_release_info)
#define QXL_DRAWABLE_USER_MAX	(sizeof(struct qxl_drawable) - QXL_RELEASE_INFO_SIZE)

#define QXL_DOFF(field)	offsetof(struct qxl_drawable, field)

/* Images one drawable can have (OPAQUE: source, pattern brush, mask). */
#define QXL_EXEC_MAX_IMAGES	4
/*
 * Ranges a command's check reads: an image header per image, a header per
 * chunk link (each a relocation, with its data when hashed), header and
 * data of a clip list and of a path or a string; per image, the pixels of
 * a direct bitmap hashed and the palette copied.
 */
#define QXL_EXEC_MAX_PARSED	(QXL_MAX_RELOCS + 4 * QXL_EXEC_MAX_IMAGES)

struct qxl_exec_reloc {
	struct drm_qxl_reloc r;
	struct qxl_bo *src;	/* NULL: the primary (SURF with src_handle 0) */
	struct qxl_bo *dst;	/* NULL: the command itself */
};

/* A client palette the device gets a padded copy of (top of this file). */
struct qxl_exec_pal {
	struct qxl_bo *img;	/* the image whose palette address is replaced */
	u64 at;			/* offset of that address in img */
	struct qxl_bo *src;	/* the client's palette */
	u64 src_off;
	u32 n_copy;		/* entries copied from it */
	u32 n_ents;		/* entries of the copy: every value a pixel can hold */
	unsigned int hdr;	/* ex->parsed index of the image's header */
};

/* The id the kernel gives a client image (top of this file). */
struct qxl_exec_image_id {
	struct qxl_bo *img;
	u64 at;			/* offset of descriptor.id in img */
	u64 id;
	unsigned int hdr;	/* ex->parsed index of the image's header */
};

struct qxl_exec {
	struct qxl_device *qdev;
	struct qxl_objects *objs;
	struct qxl_drawable d;
	u32 ids[QXL_MAX_RELOCS];	/* surface ids the relocations produced */
	unsigned int n_ids;
	struct qxl_exec_reloc relocs[QXL_MAX_RELOCS];
	unsigned int n_relocs;
	struct qxl_exec_pal pals[QXL_EXEC_MAX_IMAGES];
	unsigned int n_pals;
	struct qxl_exec_image_id image_ids[QXL_EXEC_MAX_IMAGES];
	unsigned int n_image_ids;
	struct qxl_bo_range parsed[QXL_EXEC_MAX_PARSED];
	unsigned int n_parsed;
	u32 read_ids[QXL_EXEC_MAX_IMAGES];	/* surfaces SURFACE images read */
	unsigned int n_read;
	unsigned int n_images;			/* images the device draws from */
	struct qxl_room_wait room;		/* what the command waits for, since when */
	struct qxl_bo *named[QXL_MAX_RELOCS];	/* surfaces the command names */
	bool submitted;				/* an earlier command of the call went out */
};

/* Where an address the device follows leads: a buffer this command names. */
struct qxl_exec_ptr {
	struct qxl_bo *bo;	/* NULL: the address is 0 */
	u64 off;
};

static int qxl_exec_lookup(struct drm_file *file, u32 handle, struct qxl_bo **bo)
{
	*bo = qxl_bo_lookup(file, handle);
	return *bo ? 0 : -EINVAL;
}

/* Does [offset, offset + len) lie inside a buffer of size bytes? */
static bool qxl_exec_inside(u64 offset, u64 len, u64 size)
{
	return len <= size && offset <= size - len;
}

static u64 qxl_exec_reloc_len(const struct drm_qxl_reloc *r)
{
	return r->reloc_type == QXL_RELOC_TYPE_BO ? sizeof(qxl_phys) : sizeof(u32);
}

/*
 * Relocation i writes where an earlier one did: one of them would leave
 * part of an address (or id) of nobody's choosing.
 */
static bool qxl_exec_reloc_overlaps(const struct qxl_exec *ex, unsigned int i)
{
	const struct qxl_exec_reloc *a = &ex->relocs[i];
	u64 a_end = a->r.dst_offset + qxl_exec_reloc_len(&a->r);
	unsigned int j;

	for (j = 0; j < i; j++) {
		const struct qxl_exec_reloc *b = &ex->relocs[j];

		u64 b_end = b->r.dst_offset + qxl_exec_reloc_len(&b->r);

		if (b->dst == a->dst && a->r.dst_offset < b_end && b->r.dst_offset < a_end)
			return true;
	}
	return false;
}

static int qxl_exec_get_relocs(struct qxl_exec *ex, struct drm_file *file,
			       const struct drm_qxl_command *c)
{
	struct drm_qxl_reloc __user *urelocs = u64_to_user_ptr(c->relocs);
	u32 cmd_end = QXL_RELEASE_INFO_SIZE + c->command_size;
	unsigned int i;
	int ret;

	for (i = 0; i < c->relocs_num; i++) {
		struct qxl_exec_reloc *er = &ex->relocs[i];
		struct drm_qxl_reloc *r = &er->r;
		u64 len;

		if (copy_from_user(r, &urelocs[i], sizeof(*r)))
			return -EFAULT;
		er->src = NULL;
		er->dst = NULL;
		ex->n_relocs = i + 1;

		if (r->reloc_type != QXL_RELOC_TYPE_BO && r->reloc_type != QXL_RELOC_TYPE_SURF)
			return -EINVAL;
		len = qxl_exec_reloc_len(r);

		if (r->dst_handle) {
			ret = qxl_exec_lookup(file, r->dst_handle, &er->dst);
			if (ret)
				return ret;
			if (!qxl_exec_inside(r->dst_offset, len, er->dst->base.size))
				return -EINVAL;
		} else if (r->dst_offset < QXL_RELEASE_INFO_SIZE ||
			   !qxl_exec_inside(r->dst_offset, len, cmd_end)) {
			/* the release info belongs to the kernel */
			return -EINVAL;
		}
		if (qxl_exec_reloc_overlaps(ex, i))
			return -EINVAL;

		if (r->reloc_type == QXL_RELOC_TYPE_BO) {
			ret = qxl_exec_lookup(file, r->src_handle, &er->src);
			if (ret)
				return ret;
			if (r->src_offset >= er->src->base.size)
				return -EINVAL;
			/* the device may render into a surface's memory at any time */
			if (er->src->is_surface)
				return -EINVAL;
		} else {
			if (r->src_offset)
				return -EINVAL;
			if (r->src_handle) {
				ret = qxl_exec_lookup(file, r->src_handle, &er->src);
				if (ret)
					return ret;
				if (!er->src->is_surface)
					return -EINVAL;
			}
		}
	}
	return 0;
}

static void qxl_exec_put_relocs(struct qxl_exec *ex)
{
	unsigned int i;

	for (i = 0; i < ex->n_relocs; i++) {
		if (ex->relocs[i].src)
			drm_gem_object_put(&ex->relocs[i].src->base);
		if (ex->relocs[i].dst)
			drm_gem_object_put(&ex->relocs[i].dst->base);
	}
	ex->n_relocs = 0;
}

/* Everything but the target surface id of the command is a read of the surface. */
static bool qxl_exec_reads_surface(const struct qxl_exec_reloc *er)
{
	return er->r.reloc_type == QXL_RELOC_TYPE_SURF &&
	       (er->dst || er->r.dst_offset != offsetof(struct qxl_drawable, surface_id));
}

/* A surface reloc's value: 0 for the primary, else the buffer's surface id. */
static int qxl_exec_surface_id(struct qxl_exec *ex, struct qxl_bo *src, bool src_is_fb,
			       u32 *id)
{
	int ret;

	if (!src || src_is_fb) {
		if (!ex->qdev->primary_created)
			return -EINVAL;
		*id = 0;
		return 0;
	}
	ret = qxl_surface_ensure(ex->objs, src, &ex->room.need);
	*id = src->surface_id;
	return ret;
}

/*
 * A kernel write into a buffer: bytes an earlier command in flight had
 * checked may only be written with what they hold already (the same
 * image drawn twice).
 */
static bool qxl_exec_write_keeps_checked(struct qxl_bo *dst, u64 off, const void *val, u32 len)
{
	u8 cur[sizeof(u64)];

	if (!qxl_bo_parsed(dst, off, len))
		return true;
	memcpy_fromio(cur, dst->vaddr + off, len);
	return !memcmp(cur, val, len);
}

static int qxl_exec_reloc_write(struct qxl_exec *ex, struct qxl_bo *dst, u64 off,
				const void *val, u32 len)
{
	if (!qxl_exec_write_keeps_checked(dst, off, val, len)) {
		drm_dbg_driver(&ex->qdev->drm,
			       "relocation into bytes a command in flight parses\n");
		return -EINVAL;
	}
	memcpy_toio(dst->vaddr + off, val, len);
	return 0;
}

static int qxl_exec_apply_relocs(struct qxl_exec *ex, const bool *src_is_fb)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ex->n_relocs; i++) {
		struct qxl_exec_reloc *er = &ex->relocs[i];
		u8 *cmd = (u8 *)&ex->d;
		qxl_phys addr;
		u32 id;

		if (er->r.reloc_type == QXL_RELOC_TYPE_BO) {
			addr = qxl_bo_phys(er->src, er->r.src_offset);
			if (!er->dst) {
				memcpy(cmd + er->r.dst_offset, &addr, sizeof(addr));
				continue;
			}
			ret = qxl_exec_reloc_write(ex, er->dst, er->r.dst_offset, &addr,
						   sizeof(addr));
			if (ret)
				return ret;
			continue;
		}

		ret = qxl_exec_surface_id(ex, er->src, src_is_fb[i], &id);
		if (ret)
			return ret;
		ex->ids[ex->n_ids++] = id;
		if (!er->dst) {
			memcpy(cmd + er->r.dst_offset, &id, sizeof(id));
			continue;
		}
		ret = qxl_exec_reloc_write(ex, er->dst, er->r.dst_offset, &id, sizeof(id));
		if (ret)
			return ret;
	}
	return 0;
}

static bool qxl_exec_known_id(const struct qxl_exec *ex, u32 id)
{
	unsigned int i;

	if (id == 0)
		return ex->qdev->primary_created;
	for (i = 0; i < ex->n_ids; i++) {
		if (ex->ids[i] == id)
			return true;
	}
	return false;
}

/*
 * The address at offset at of buffer in (NULL: the command) must be 0 or
 * hold exactly what a BO relocation of this command wrote there: a later
 * relocation overlapping it, or userspace writing it, would leave an
 * address of its choosing.  The buffers are write-protected by now.
 */
static bool qxl_exec_follow(const struct qxl_exec *ex, struct qxl_bo *in, u64 at,
			    bool required, struct qxl_exec_ptr *p)
{
	const struct qxl_exec_reloc *found = NULL;
	unsigned int i;
	qxl_phys addr;

	p->bo = NULL;
	p->off = 0;
	if (in) {
		if (!qxl_exec_inside(at, sizeof(addr), in->base.size))
			return false;
		memcpy_fromio(&addr, in->vaddr + at, sizeof(addr));
	} else {
		if (!qxl_exec_inside(at, sizeof(addr), sizeof(ex->d)))
			return false;
		memcpy(&addr, (const u8 *)&ex->d + at, sizeof(addr));
	}
	if (!addr)
		return !required;
	for (i = 0; i < ex->n_relocs; i++) {
		const struct qxl_exec_reloc *er = &ex->relocs[i];

		if (er->r.reloc_type == QXL_RELOC_TYPE_BO && er->dst == in &&
		    er->r.dst_offset == at)
			found = er;
	}
	if (!found || addr != qxl_bo_phys(found->src, found->r.src_offset))
		return false;
	p->bo = found->src;
	p->off = found->r.src_offset;
	return true;
}

/* Does [p->off + off, + len) lie inside p's buffer? */
static bool qxl_exec_ptr_inside(const struct qxl_exec_ptr *p, u64 off, u64 len)
{
	return qxl_exec_inside(p->off, off + len, p->bo->base.size);
}

/* [off, off + len) of p's buffer is checked for the device to parse. */
static bool qxl_exec_parsed(struct qxl_exec *ex, const struct qxl_exec_ptr *p, u64 off, u64 len)
{
	struct qxl_bo_range *r;

	if (ex->n_parsed == ARRAY_SIZE(ex->parsed))
		return false;
	r = &ex->parsed[ex->n_parsed++];
	r->bo = p->bo;
	r->start = p->off + off;
	r->end = p->off + off + len;
	return true;
}

/*
 * Clip lists, paths and strings are checked where spice-server asserts
 * (and so aborts QEMU) on them: sizes that disagree with their counts.
 * Only a single chunk inside the relocated buffer is accepted.
 */
static bool qxl_exec_chunk(struct qxl_exec *ex, size_t ptr, void *hdr, size_t hdr_size,
			   u32 chunk_at, struct qxl_exec_ptr *p, u64 *data_off, u32 *data_size)
{
	struct qxl_data_chunk chunk;

	if (!qxl_exec_follow(ex, NULL, ptr, true, p) || !qxl_exec_ptr_inside(p, 0, hdr_size))
		return false;
	memcpy_fromio(hdr, p->bo->vaddr + p->off, hdr_size);
	memcpy(&chunk, (u8 *)hdr + chunk_at, sizeof(chunk));
	*data_off = p->off + hdr_size;
	*data_size = chunk.data_size;
	return !chunk.next_chunk && !chunk.prev_chunk &&
	       qxl_exec_inside(*data_off, chunk.data_size, p->bo->base.size) &&
	       qxl_exec_parsed(ex, p, 0, hdr_size + chunk.data_size);
}

static bool qxl_exec_clip_ok(struct qxl_exec *ex)
{
	struct qxl_clip_rects cr;
	struct qxl_rect rect;
	struct qxl_exec_ptr p;
	u64 off;
	u32 size;

	if (!qxl_exec_chunk(ex, QXL_DOFF(clip.data), &cr, sizeof(cr),
			    offsetof(struct qxl_clip_rects, chunk), &p, &off, &size))
		return false;
	if (!cr.num_rects || size != (u64)cr.num_rects * sizeof(struct qxl_rect))
		return false;
	/* pixman refuses a rectangle with negative coordinates or size */
	for (; size; size -= sizeof(rect), off += sizeof(rect)) {
		memcpy_fromio(&rect, p.bo->vaddr + off, sizeof(rect));
		if (rect.left < 0 || rect.top < 0 || rect.left > rect.right ||
		    rect.top > rect.bottom)
			return false;
	}
	return true;
}

/* Segments (flags, count, count points) must fill the path exactly. */
static bool qxl_exec_path_ok(struct qxl_exec *ex)
{
	struct qxl_path path;
	struct qxl_path_seg seg;
	struct qxl_exec_ptr p;
	u64 off, end;
	u32 size, begin;

	if (!qxl_exec_chunk(ex, QXL_DOFF(u.stroke.path), &path, sizeof(path),
			    offsetof(struct qxl_path, chunk), &p, &off, &size))
		return false;
	if (size != path.data_size || !size)
		return false;
	for (end = off + size; off < end; ) {
		if (end - off < sizeof(seg))
			return false;
		memcpy_fromio(&seg, p.bo->vaddr + off, sizeof(seg));
		off += sizeof(seg);
		if (seg.count > (end - off) / sizeof(struct qxl_point_fix))
			return false;
		/*
		 * spice-server takes a BEGIN segment's first point as the start
		 * and draws a BEZIER segment three points at a time after it;
		 * any other count aborts QEMU (found by tests/fuzz/qxlfuzz).
		 */
		begin = !!(seg.flags & QXL_PATH_BEGIN);
		if (seg.count < begin ||
		    ((seg.flags & QXL_PATH_BEZIER) && (seg.count - begin) % 3))
			return false;
		off += (u64)seg.count * sizeof(struct qxl_point_fix);
	}
	return true;
}

/* Glyphs of exactly one raster depth, length of them, filling the string. */
static bool qxl_exec_string_ok(struct qxl_exec *ex)
{
	const u16 depths = QXL_STRING_FLAGS_RASTER_A1 | QXL_STRING_FLAGS_RASTER_A4 |
			   QXL_STRING_FLAGS_RASTER_A8;
	struct qxl_raster_glyph glyph;
	struct qxl_string str;
	struct qxl_exec_ptr p;
	u32 bpp, size, n = 0;
	u64 off, end, bytes;

	if (!qxl_exec_chunk(ex, QXL_DOFF(u.text.str), &str, sizeof(str),
			    offsetof(struct qxl_string, chunk), &p, &off, &size))
		return false;
	switch (str.flags & depths) {
	case QXL_STRING_FLAGS_RASTER_A1:
		bpp = 1;
		break;
	case QXL_STRING_FLAGS_RASTER_A4:
		bpp = 4;
		break;
	case QXL_STRING_FLAGS_RASTER_A8:
		bpp = 8;
		break;
	default:
		return false;
	}
	if (size != str.data_size)
		return false;
	for (end = off + size; off < end; n++) {
		if (end - off < sizeof(glyph))
			return false;
		memcpy_fromio(&glyph, p.bo->vaddr + off, sizeof(glyph));
		off += sizeof(glyph);
		bytes = (u64)glyph.height * DIV_ROUND_UP((u32)glyph.width * bpp, 8);
		if (bytes > end - off)
			return false;
		off += bytes;
	}
	return n == str.length;
}

static u32 qxl_exec_bitmap_bpp(u8 format)
{
	switch (format) {
	case QXL_BITMAP_FMT_1BIT_LE:
	case QXL_BITMAP_FMT_1BIT_BE:
		return 1;
	case QXL_BITMAP_FMT_4BIT_LE:
	case QXL_BITMAP_FMT_4BIT_BE:
		return 4;
	case QXL_BITMAP_FMT_8BIT:
	case QXL_BITMAP_FMT_8BIT_A:
		return 8;
	case QXL_BITMAP_FMT_16BIT:
		return 16;
	case QXL_BITMAP_FMT_24BIT:
		return 24;
	case QXL_BITMAP_FMT_32BIT:
	case QXL_BITMAP_FMT_RGBA:
		return 32;
	default:
		return 0;
	}
}

/*
 * spice-server turns bitmaps into pixels only from big-endian bit orders
 * and aborts on the others; masks take a separate path that reads only
 * 1-bit bitmaps, in either bit order.
 */
static bool qxl_exec_bitmap_format_ok(u8 format, bool mask)
{
	if (mask)
		return format == QXL_BITMAP_FMT_1BIT_LE || format == QXL_BITMAP_FMT_1BIT_BE;
	return format != QXL_BITMAP_FMT_1BIT_LE && format != QXL_BITMAP_FMT_4BIT_LE;
}

/*
 * Feed len bytes of a buffer to a cache id's hash.  A client can make this
 * as long as its buffers: let others run between pieces.
 */
static void qxl_exec_hash_io(struct qxl_devif_siphash *hash, const void __iomem *src, u64 len)
{
	u8 bounce[256];
	u64 done = 0;
	size_t n;

	while (done < len) {
		n = min_t(u64, len - done, sizeof(bounce));
		memcpy_fromio(bounce, src + done, n);
		qxl_devif_siphash_update(hash, bounce, n);
		done += n;
		if (!(done & (SZ_64K - 1)))
			cond_resched();
	}
}

/* Largest bitmap the device takes (y * stride). */
#define QXL_EXEC_BITMAP_MAX	0x7fffffffULL

/*
 * Bitmap pixels: direct, or a chain of chunks (each link a relocation of
 * this command) holding exactly size bytes.
 */
static bool qxl_exec_bitmap_data_ok(struct qxl_exec *ex, const struct qxl_exec_ptr *img,
				    bool direct, u64 size, struct qxl_devif_siphash *hash)
{
	struct qxl_data_chunk chunk;
	struct qxl_exec_ptr p;
	unsigned int links = 0;
	u64 total = 0;

	if (!qxl_exec_follow(ex, img->bo, img->off + offsetof(struct qxl_image, u.bitmap.data),
			     true, &p))
		return false;
	if (direct) {
		if (!qxl_exec_ptr_inside(&p, 0, size))
			return false;
		if (hash) {
			if (!qxl_exec_parsed(ex, &p, 0, size))
				return false;
			qxl_exec_hash_io(hash, p.bo->vaddr + p.off, size);
		}
		return true;
	}
	while (p.bo) {
		/* every link is a relocation: a longer chain must loop */
		if (++links > ex->n_relocs || !qxl_exec_ptr_inside(&p, 0, sizeof(chunk)))
			return false;
		memcpy_fromio(&chunk, p.bo->vaddr + p.off, sizeof(chunk));
		if (!qxl_exec_ptr_inside(&p, sizeof(chunk), chunk.data_size) ||
		    chunk.data_size > size - total ||
		    !qxl_exec_parsed(ex, &p, 0, sizeof(chunk) + (hash ? chunk.data_size : 0)))
			return false;
		if (hash)
			qxl_exec_hash_io(hash, p.bo->vaddr + p.off + sizeof(chunk),
					 chunk.data_size);
		total += chunk.data_size;
		if (!qxl_exec_follow(ex, p.bo, p.off + offsetof(struct qxl_data_chunk, next_chunk),
				     false, &p))
			return false;
	}
	return total == size;
}

/* Replace the palette of the image at p (pal, n entries) by a padded copy. */
static bool qxl_exec_pal_add(struct qxl_exec *ex, const struct qxl_exec_ptr *p,
			     const struct qxl_exec_ptr *pal, u32 n, u32 bpp)
{
	struct qxl_exec_pal *e;

	/* the address is replaced after the check: not under an earlier command */
	if (ex->n_pals == ARRAY_SIZE(ex->pals) ||
	    qxl_bo_parsed(p->bo, p->off + offsetof(struct qxl_image, u.bitmap.palette),
			  sizeof(qxl_phys)))
		return false;
	e = &ex->pals[ex->n_pals++];
	e->img = p->bo;
	e->at = p->off + offsetof(struct qxl_image, u.bitmap.palette);
	e->src = pal->bo;
	e->src_off = pal->off;
	e->n_ents = 1U << bpp;
	e->n_copy = min(n, e->n_ents);
	/* qxl_exec_image_ok recorded the image's header last */
	e->hdr = ex->n_parsed - 1;
	return true;
}

/*
 * Does the kernel write, at offset at, into the image whose header is
 * parsed range hdr: a palette address (pal) or else a cache id?
 */
static bool qxl_exec_header_write_at(const struct qxl_exec *ex, unsigned int hdr, u64 at,
				     bool pal)
{
	unsigned int k;

	if (pal) {
		for (k = 0; k < ex->n_pals; k++) {
			if (ex->pals[k].hdr == hdr && ex->pals[k].at == at)
				return true;
		}
		return false;
	}
	for (k = 0; k < ex->n_image_ids; k++) {
		if (ex->image_ids[k].hdr == hdr && ex->image_ids[k].at == at)
			return true;
	}
	return false;
}

/*
 * The palette addresses and cache ids the kernel writes must not lie in
 * bytes this command's check read as anything else (a clip list, a path,
 * a chunk header, another image's header): the write would change them
 * after they were checked.  Only the header of an image with the same
 * write at that very place may cover it (the same image drawn twice).
 */
static bool qxl_exec_write_ok(const struct qxl_exec *ex, const struct qxl_bo *bo, u64 at,
			      bool pal)
{
	unsigned int j;

	for (j = 0; j < ex->n_parsed; j++) {
		const struct qxl_bo_range *r = &ex->parsed[j];

		if (r->bo != bo || r->end <= at || at + sizeof(u64) <= r->start)
			continue;
		if (!qxl_exec_header_write_at(ex, j, at, pal))
			return false;
	}
	return true;
}

static bool qxl_exec_writes_ok(const struct qxl_exec *ex)
{
	unsigned int i;

	for (i = 0; i < ex->n_pals; i++) {
		if (!qxl_exec_write_ok(ex, ex->pals[i].img, ex->pals[i].at, true))
			return false;
	}
	for (i = 0; i < ex->n_image_ids; i++) {
		const struct qxl_exec_image_id *e = &ex->image_ids[i];
		u64 cur;

		/* writing what is there already (id 0 mostly) changes nothing */
		memcpy_fromio(&cur, e->img->vaddr + e->at, sizeof(cur));
		if (cur != e->id && !qxl_exec_write_ok(ex, e->img, e->at, false))
			return false;
	}
	return true;
}

static u32 qxl_exec_pal_size(const struct qxl_exec_pal *e)
{
	return ALIGN(sizeof(struct qxl_palette) + e->n_ents * sizeof(u32), 8);
}

/* The command's device memory: the drawable, then the palette copies. */
static u32 qxl_exec_release_size(const struct qxl_exec *ex)
{
	u32 size = ALIGN(sizeof(ex->d), 8);
	unsigned int i;

	for (i = 0; i < ex->n_pals; i++)
		size += qxl_exec_pal_size(&ex->pals[i]);
	return size;
}

/*
 * Fill in the palette copies and point their images at them.  The images
 * and palettes are write-protected, so the entries copied are the ones
 * checked; the device never reads the client's palette.  A client-chosen
 * unique id would let spice-server's palette cache hand its entries to
 * another client's images: the copy has none (0, not cached).
 */
static void qxl_exec_put_palettes(struct qxl_exec *ex, struct qxl_release *release)
{
	u32 off = ALIGN(sizeof(ex->d), 8);
	struct qxl_palette hdr = { 0 };
	unsigned int i;
	qxl_phys addr;

	for (i = 0; i < ex->n_pals; i++) {
		const struct qxl_exec_pal *e = &ex->pals[i];
		void __iomem *dst = qxl_release_ptr(release, off);
		u32 ents = offsetof(struct qxl_palette, ents);

		hdr.num_ents = e->n_ents;
		memcpy_toio(dst, &hdr, ents);
		qxl_bo_copy_io(dst + ents, e->src->vaddr + e->src_off + ents,
			       e->n_copy * sizeof(u32));
		memset_io(dst + ents + e->n_copy * sizeof(u32), 0,
			  (e->n_ents - e->n_copy) * sizeof(u32));
		addr = qxl_release_phys(release, off);
		memcpy_toio(e->img->vaddr + e->at, &addr, sizeof(addr));
		off += qxl_exec_pal_size(e);
	}
}

/*
 * Record the id the kernel writes into the image at p (top of this file).
 * The same header named twice by this command must get one id.
 */
static bool qxl_exec_image_id_add(struct qxl_exec *ex, const struct qxl_exec_ptr *p,
				  unsigned int hdr_range, u64 id)
{
	u64 at = p->off + offsetof(struct qxl_image, descriptor.id);
	struct qxl_exec_image_id *e;
	unsigned int i;

	if (ex->n_image_ids == ARRAY_SIZE(ex->image_ids) ||
	    !qxl_exec_write_keeps_checked(p->bo, at, &id, sizeof(id)))
		return false;
	for (i = 0; i < ex->n_image_ids; i++) {
		if (ex->image_ids[i].img == p->bo && ex->image_ids[i].at == at &&
		    ex->image_ids[i].id != id)
			return false;
	}
	e = &ex->image_ids[ex->n_image_ids++];
	e->img = p->bo;
	e->at = at;
	e->id = id;
	e->hdr = hdr_range;
	return true;
}

/*
 * Check a cached bitmap's pixels (as qxl_exec_bitmap_data_ok) and give it
 * its id (top of this file): a hash of everything the device draws it
 * from, the palette as the device will see its copy.
 */
static bool qxl_exec_cache_id(struct qxl_exec *ex, const struct qxl_exec_ptr *p,
			      const struct qxl_image *img, bool mask, unsigned int hdr_range,
			      const struct qxl_exec_pal *pal, u64 size)
{
	const u32 fields[] = {
		img->descriptor.type, img->descriptor.width, img->descriptor.height,
		img->u.bitmap.format, img->u.bitmap.flags, img->u.bitmap.x, img->u.bitmap.y,
		img->u.bitmap.stride, pal ? pal->n_ents : 0, mask,
	};
	static const u8 zeros[64];
	struct qxl_devif_siphash hash;
	u64 id, pad;

	qxl_devif_siphash_init(&hash, ex->qdev->client_image_key);
	qxl_devif_siphash_update(&hash, fields, sizeof(fields));
	if (pal) {
		qxl_exec_hash_io(&hash, pal->src->vaddr + pal->src_off +
				 offsetof(struct qxl_palette, ents), pal->n_copy * sizeof(u32));
		for (pad = (pal->n_ents - pal->n_copy) * sizeof(u32); pad; ) {
			u64 n = min_t(u64, pad, sizeof(zeros));

			qxl_devif_siphash_update(&hash, zeros, n);
			pad -= n;
		}
	}
	if (!qxl_exec_bitmap_data_ok(ex, p, img->u.bitmap.flags & QXL_BITMAP_DIRECT, size, &hash))
		return false;
	id = qxl_devif_siphash_final(&hash) & ~QXL_IMAGE_ID_KERNEL;
	return qxl_exec_image_id_add(ex, p, hdr_range, id ? id : 1);
}

/* The images' headers get their ids; write-protected from userspace by now. */
static void qxl_exec_put_image_ids(const struct qxl_exec *ex)
{
	unsigned int i;

	for (i = 0; i < ex->n_image_ids; i++)
		memcpy_toio(ex->image_ids[i].img->vaddr + ex->image_ids[i].at,
			    &ex->image_ids[i].id, sizeof(ex->image_ids[i].id));
}

/* Size of a surface this command names (0: the primary); false if gone. */
static bool qxl_exec_surface_size(const struct qxl_exec *ex, u32 id, u32 *w, u32 *h)
{
	if (id) {
		*w = ex->objs->surfaces[id]->width;
		*h = ex->objs->surfaces[id]->height;
	} else {
		*w = ex->qdev->primary_width;
		*h = ex->qdev->primary_height;
	}
	return *w && *h;
}

/* Is a surface this command names (0: the primary, 32_xRGB) of 32 bits per pixel? */
static bool qxl_exec_surface_32bpp(const struct qxl_exec *ex, u32 id)
{
	u32 format = id ? ex->objs->surfaces[id]->format : QXL_SURFACE_FMT_32_XRGB;

	return format == QXL_SURFACE_FMT_32_XRGB || format == QXL_SURFACE_FMT_32_ARGB;
}

/*
 * spice-common blits images only between surfaces of equal depth and
 * converts bitmaps with a palette only to 16 or 32 bits: an indexed bitmap
 * or a 1_A surface drawn onto a 1_A surface, or a 1_A surface drawn onto a
 * 32-bit one, aborts QEMU (found by tests/fuzz/qxlfuzz, mixed depths;
 * ioctltest aborts); COMPOSITE reading a 1_A surface did too (tests/fuzz/
 * qxlfuzz -s 2: spice_pixman_blit "depth == 32").  No client of
 * ours draws images on or from other depths, so an image is drawn only
 * from and onto 32-bit surfaces; image-free drawing (FILL with a solid
 * brush, BLACKNESS, ...) stays allowed on every depth.
 */
static bool qxl_exec_depths_ok(const struct qxl_exec *ex)
{
	unsigned int i;

	if (!ex->n_images)
		return true;
	if (!qxl_exec_surface_32bpp(ex, ex->d.surface_id))
		return false;
	for (i = 0; i < ex->n_read; i++) {
		if (!qxl_exec_surface_32bpp(ex, ex->read_ids[i]))
			return false;
	}
	return true;
}

/*
 * An image the device parses: a bitmap (spice-server's own limits, checked
 * in full so that nothing is dropped silently either) or a surface this
 * command names.  Compressed images and references to the device's cache
 * (QUIC, LZ, FROM_CACHE...) come from no client of ours and are refused.
 */
static bool qxl_exec_image_ok(struct qxl_exec *ex, const struct qxl_exec_ptr *p, bool mask,
			      u32 *w, u32 *h)
{
	const u32 hdr = offsetof(struct qxl_image, u);
	const struct qxl_exec_pal *pal_copy = NULL;
	struct qxl_exec_ptr pal;
	struct qxl_palette palette;
	struct qxl_image img;
	unsigned int hdr_range;
	u64 size;
	u32 bpp;

	if (!qxl_exec_ptr_inside(p, 0, hdr))
		return false;
	memcpy_fromio(&img.descriptor, p->bo->vaddr + p->off, hdr);
	switch (img.descriptor.type) {
	case QXL_IMAGE_TYPE_SURFACE:
		if (!qxl_exec_ptr_inside(p, hdr, sizeof(img.u.surface_image)))
			return false;
		memcpy_fromio(&img.u.surface_image, p->bo->vaddr + p->off + hdr,
			      sizeof(img.u.surface_image));
		if (!qxl_exec_parsed(ex, p, 0, hdr + sizeof(img.u.surface_image)))
			return false;
		hdr_range = ex->n_parsed - 1;
		/* a surface that dies while the command waits aborts QEMU */
		if (!qxl_exec_known_id(ex, img.u.surface_image.surface_id) ||
		    ex->n_read == ARRAY_SIZE(ex->read_ids) ||
		    !qxl_exec_surface_size(ex, img.u.surface_image.surface_id, w, h))
			return false;
		ex->read_ids[ex->n_read++] = img.u.surface_image.surface_id;
		ex->n_images++;
		return qxl_exec_image_id_add(ex, p, hdr_range, 0);
	case QXL_IMAGE_TYPE_BITMAP:
		break;
	default:
		return false;
	}
	if (!qxl_exec_ptr_inside(p, hdr, sizeof(img.u.bitmap)))
		return false;
	memcpy_fromio(&img.u.bitmap, p->bo->vaddr + p->off + hdr, sizeof(img.u.bitmap));
	if (!qxl_exec_parsed(ex, p, 0, hdr + sizeof(img.u.bitmap)))
		return false;
	hdr_range = ex->n_parsed - 1;
	bpp = qxl_exec_bitmap_bpp(img.u.bitmap.format);
	if (!qxl_exec_bitmap_format_ok(img.u.bitmap.format, mask))
		return false;
	if (!bpp || !img.u.bitmap.x || !img.u.bitmap.y ||
	    img.u.bitmap.stride < DIV_ROUND_UP((u64)img.u.bitmap.x * bpp, 8))
		return false;
	size = (u64)img.u.bitmap.y * img.u.bitmap.stride;
	if (size > QXL_EXEC_BITMAP_MAX)
		return false;
	if (!qxl_exec_follow(ex, p->bo, p->off + offsetof(struct qxl_image, u.bitmap.palette),
			     false, &pal))
		return false;
	/* the device looks pixels of these up in the palette unchecked */
	if (!pal.bo && !mask && bpp <= 8 && img.u.bitmap.format != QXL_BITMAP_FMT_8BIT_A)
		return false;
	if (pal.bo) {
		if (!qxl_exec_ptr_inside(&pal, 0, sizeof(palette)))
			return false;
		memcpy_fromio(&palette, pal.bo->vaddr + pal.off, sizeof(palette));
		if (!qxl_exec_ptr_inside(&pal, sizeof(palette), palette.num_ents * sizeof(u32)))
			return false;
		if (bpp <= 8) {
			if (!qxl_exec_pal_add(ex, p, &pal, palette.num_ents, bpp))
				return false;
			pal_copy = &ex->pals[ex->n_pals - 1];
			/* copied at submit: no kernel write may change it before */
			if (!qxl_exec_parsed(ex, &pal, 0, sizeof(palette) +
					     pal_copy->n_copy * sizeof(u32)))
				return false;
		}
	}
	*w = img.u.bitmap.x;
	*h = img.u.bitmap.y;
	ex->n_images++;
	if (img.descriptor.flags & QXL_IMAGE_CACHE)
		return qxl_exec_cache_id(ex, p, &img, mask, hdr_range, pal_copy, size);
	return qxl_exec_bitmap_data_ok(ex, p, img.u.bitmap.flags & QXL_BITMAP_DIRECT, size, NULL) &&
	       qxl_exec_image_id_add(ex, p, hdr_range, 0);
}

/* An image address in the command: 0 unless required, else a valid image. */
static bool qxl_exec_image_at(struct qxl_exec *ex, size_t at, bool required)
{
	struct qxl_exec_ptr p;
	u32 w, h;

	if (!qxl_exec_follow(ex, NULL, at, required, &p))
		return false;
	return !p.bo || qxl_exec_image_ok(ex, &p, false, &w, &h);
}

/*
 * A source image and the area of it drawn.  spice-server drops a COPY or
 * BLEND whose area leaves its bitmap, and the other operations read the
 * area unchecked (ROP3 walks the source row by row from its corner), so
 * it must lie inside the image (a surface image: inside the surface).
 */
static bool qxl_exec_src_at(struct qxl_exec *ex, size_t at, const struct qxl_rect *area)
{
	struct qxl_exec_ptr p;
	u32 w, h;

	if (!qxl_exec_follow(ex, NULL, at, true, &p) || !qxl_exec_image_ok(ex, &p, false, &w, &h))
		return false;
	return area->left >= 0 && area->top >= 0 && area->left <= area->right &&
	       area->top <= area->bottom && area->right <= w && area->bottom <= h;
}

/* The bitmap of a qmask: 0, or a valid 1-bit image. */
static bool qxl_exec_mask_at(struct qxl_exec *ex, size_t at)
{
	struct qxl_exec_ptr p;
	u32 w, h;

	if (!qxl_exec_follow(ex, NULL, at, false, &p))
		return false;
	return !p.bo || qxl_exec_image_ok(ex, &p, true, &w, &h);
}

/*
 * spice-common implements the ternary raster operations that use all of
 * pattern, source and destination, and aborts QEMU ("not implemented") on
 * the others (those of fewer operands, e.g. 0xcc: the source; found by
 * tests/fuzz/qxlfuzz -s 2).  With the pattern in the high nibble, the
 * source in bits 3-2 and 6-5 and the destination in the odd bits, a code
 * uses an operand when flipping it changes the result.
 */
static bool qxl_exec_rop3_ok(u8 rop3)
{
	return (rop3 >> 4) != (rop3 & 0x0f) &&
	       ((rop3 >> 2) & 0x33) != (rop3 & 0x33) &&
	       ((rop3 >> 1) & 0x55) != (rop3 & 0x55);
}

/* A plain data address in the command: 0 unless required, else len bytes inside. */
static bool qxl_exec_data_at(const struct qxl_exec *ex, size_t at, bool required, u64 len)
{
	struct qxl_exec_ptr p;

	if (!qxl_exec_follow(ex, NULL, at, required, &p))
		return false;
	return !p.bo || qxl_exec_ptr_inside(&p, 0, len);
}

static bool qxl_exec_brush_ok(struct qxl_exec *ex, const struct qxl_brush *brush, size_t offset)
{
	switch (brush->type) {
	case QXL_BRUSH_TYPE_NONE:
	case QXL_BRUSH_TYPE_SOLID:
		return true;
	case QXL_BRUSH_TYPE_PATTERN:
		return qxl_exec_image_at(ex, offset + offsetof(struct qxl_brush, u.pattern.pat),
					 true);
	default:
		return false;
	}
}

/*
 * spice-server turns each dash length (28.4 fixed point, rounded) into a
 * byte of pixels; a pattern whose dashes are all 0 pixels never ends: its
 * worker spins in the dash walk for good, and QEMU's reset then waits for
 * it with the vCPU stopped.  Refused like X refuses a zero dash: any dash
 * of 0 pixels.  The lengths stay protected until the device took them.
 */
static bool qxl_exec_style_ok(struct qxl_exec *ex)
{
	u32 i, n = ex->d.u.stroke.attr.style_nseg;
	struct qxl_exec_ptr p;
	s32 len;

	if (!n || !qxl_exec_follow(ex, NULL, QXL_DOFF(u.stroke.attr.style), true, &p) ||
	    !qxl_exec_ptr_inside(&p, 0, (u64)n * sizeof(len)) ||
	    !qxl_exec_parsed(ex, &p, 0, (u64)n * sizeof(len)))
		return false;
	for (i = 0; i < n; i++) {
		memcpy_fromio(&len, p.bo->vaddr + p.off + (u64)i * sizeof(len), sizeof(len));
		if (!(u8)((len >> 4) + ((len & 0xf) > 8)))
			return false;
	}
	return true;
}

static bool qxl_exec_stroke_ok(struct qxl_exec *ex)
{
	if ((ex->d.u.stroke.attr.flags & QXL_LINE_FLAGS_STYLED) && !qxl_exec_style_ok(ex))
		return false;
	return qxl_exec_path_ok(ex) &&
	       qxl_exec_brush_ok(ex, &ex->d.u.stroke.brush, QXL_DOFF(u.stroke.brush));
}

static bool qxl_exec_composite_ok(struct qxl_exec *ex)
{
	u32 flags = ex->d.u.composite.flags;

	return qxl_exec_image_at(ex, QXL_DOFF(u.composite.src), true) &&
	       qxl_exec_image_at(ex, QXL_DOFF(u.composite.mask), flags & QXL_COMPOSITE_HAS_MASK) &&
	       qxl_exec_data_at(ex, QXL_DOFF(u.composite.src_transform),
				flags & QXL_COMPOSITE_HAS_SRC_TRANSFORM,
				sizeof(struct qxl_transform)) &&
	       qxl_exec_data_at(ex, QXL_DOFF(u.composite.mask_transform),
				flags & QXL_COMPOSITE_HAS_MASK_TRANSFORM,
				sizeof(struct qxl_transform));
}

/*
 * A source image is required: spice-server takes a missing one for the
 * self_bitmap (which we refuse) and aborts QEMU in image_cache_localize
 * (found by tests/fuzz/qxlfuzz).
 */
static bool qxl_exec_draw_ok(struct qxl_exec *ex)
{
	const struct qxl_drawable *d = &ex->d;

	switch (d->type) {
	case QXL_COPY_BITS:
		return true;
	case QXL_DRAW_FILL:
		return qxl_exec_brush_ok(ex, &d->u.fill.brush, QXL_DOFF(u.fill.brush)) &&
		       qxl_exec_mask_at(ex, QXL_DOFF(u.fill.mask.bitmap));
	case QXL_DRAW_OPAQUE:
		return qxl_exec_src_at(ex, QXL_DOFF(u.opaque.src_bitmap), &d->u.opaque.src_area) &&
		       qxl_exec_brush_ok(ex, &d->u.opaque.brush, QXL_DOFF(u.opaque.brush)) &&
		       qxl_exec_mask_at(ex, QXL_DOFF(u.opaque.mask.bitmap));
	case QXL_DRAW_COPY:
	case QXL_DRAW_BLEND:
		return qxl_exec_src_at(ex, QXL_DOFF(u.copy.src_bitmap), &d->u.copy.src_area) &&
		       qxl_exec_mask_at(ex, QXL_DOFF(u.copy.mask.bitmap));
	case QXL_DRAW_BLACKNESS:
	case QXL_DRAW_WHITENESS:
	case QXL_DRAW_INVERS:
		return qxl_exec_mask_at(ex, QXL_DOFF(u.blackness.mask.bitmap));
	case QXL_DRAW_ROP3:
		return qxl_exec_rop3_ok(d->u.rop3.rop3) &&
		       qxl_exec_src_at(ex, QXL_DOFF(u.rop3.src_bitmap), &d->u.rop3.src_area) &&
		       qxl_exec_brush_ok(ex, &d->u.rop3.brush, QXL_DOFF(u.rop3.brush)) &&
		       qxl_exec_mask_at(ex, QXL_DOFF(u.rop3.mask.bitmap));
	case QXL_DRAW_STROKE:
		return qxl_exec_stroke_ok(ex);
	case QXL_DRAW_TEXT:
		/* spice-server draws glyphs with OP_PUT only, aborting on other modes */
		return d->u.text.fore_mode == QXL_ROPD_OP_PUT && qxl_exec_string_ok(ex) &&
		       qxl_exec_brush_ok(ex, &d->u.text.fore_brush, QXL_DOFF(u.text.fore_brush)) &&
		       qxl_exec_brush_ok(ex, &d->u.text.back_brush, QXL_DOFF(u.text.back_brush));
	case QXL_DRAW_TRANSPARENT:
		return qxl_exec_src_at(ex, QXL_DOFF(u.transparent.src_bitmap),
				       &d->u.transparent.src_area);
	case QXL_DRAW_ALPHA_BLEND:
		return qxl_exec_src_at(ex, QXL_DOFF(u.alpha_blend.src_bitmap),
				       &d->u.alpha_blend.src_area);
	case QXL_DRAW_COMPOSITE:
		return qxl_exec_composite_ok(ex);
	default:
		return false;
	}
}

/* COPY_BITS reads the target surface at src_pos: that area must exist. */
static bool qxl_exec_copy_bits_ok(const struct qxl_exec *ex)
{
	const struct qxl_drawable *d = &ex->d;
	s64 w = (s64)d->bbox.right - d->bbox.left;
	s64 h = (s64)d->bbox.bottom - d->bbox.top;
	s32 x = d->u.copy_bits.src_pos.x;
	s32 y = d->u.copy_bits.src_pos.y;
	u32 sw, sh;

	if (d->surface_id) {
		sw = ex->objs->surfaces[d->surface_id]->width;
		sh = ex->objs->surfaces[d->surface_id]->height;
	} else {
		sw = ex->qdev->primary_width;
		sh = ex->qdev->primary_height;
	}
	return w >= 0 && h >= 0 && x >= 0 && y >= 0 && x + w <= sw && y + h <= sh;
}

/*
 * spice-server draws lazily, and a drawable that reads another surface may
 * be drawn after that surface was destroyed (its buffer closed), which
 * aborts QEMU, unless the surface is in surfaces_dest: destroying it then
 * draws its dependants first.  So every surface an image reads is listed
 * here, with its whole area.  Before drawing, spice-server renders each
 * listed area and aborts on an empty one, so those a client lists must be
 * inside their surface and not empty.
 */
static int qxl_exec_deps(struct qxl_exec *ex)
{
	struct qxl_drawable *d = &ex->d;
	unsigned int i, j;
	struct qxl_rect *r;
	u32 w, h;

	for (i = 0; i < ARRAY_SIZE(d->surfaces_dest); i++) {
		if (d->surfaces_dest[i] == -1 || d->surfaces_dest[i] == d->surface_id)
			continue;
		r = &d->surfaces_rects[i];
		if (!qxl_exec_surface_size(ex, d->surfaces_dest[i], &w, &h) ||
		    r->left < 0 || r->top < 0 || r->left >= r->right || r->top >= r->bottom ||
		    r->right > w || r->bottom > h)
			return -EINVAL;
	}
	for (j = 0; j < ex->n_read; j++) {
		u32 id = ex->read_ids[j];

		if (id == d->surface_id)
			continue;	/* the device handles reading the target itself */
		for (i = 0; i < ARRAY_SIZE(d->surfaces_dest); i++) {
			if (d->surfaces_dest[i] == id)
				break;
		}
		if (i < ARRAY_SIZE(d->surfaces_dest))
			continue;
		for (i = 0; i < ARRAY_SIZE(d->surfaces_dest); i++) {
			if (d->surfaces_dest[i] == -1)
				break;
		}
		if (i == ARRAY_SIZE(d->surfaces_dest) || !qxl_exec_surface_size(ex, id, &w, &h))
			return -EINVAL;
		d->surfaces_dest[i] = id;
		r = &d->surfaces_rects[i];
		r->left = 0;
		r->top = 0;
		r->right = w;
		r->bottom = h;
	}
	return 0;
}

/* The relocated drawable, as the device will read it. */
static int qxl_exec_check_drawable(struct qxl_exec *ex)
{
	const struct qxl_drawable *d = &ex->d;
	unsigned int i;
	u32 w, h;

	lockdep_assert_held(&ex->qdev->primary_lock);
	/* self_bitmap makes the device snapshot an area; no client needs it */
	if (d->effect > QXL_EFFECT_OPAQUE_BRUSH || d->self_bitmap)
		return -EINVAL;
	if (!qxl_exec_known_id(ex, d->surface_id))
		return -EINVAL;
	/* spice-server drops a drawable whose bbox leaves its surface: refuse it */
	if (!qxl_exec_surface_size(ex, d->surface_id, &w, &h) || d->bbox.left < 0 ||
	    d->bbox.top < 0 || d->bbox.left > d->bbox.right || d->bbox.top > d->bbox.bottom ||
	    d->bbox.right > w || d->bbox.bottom > h)
		return -EINVAL;
	if (d->type == QXL_COPY_BITS && !qxl_exec_copy_bits_ok(ex))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(d->surfaces_dest); i++) {
		if (d->surfaces_dest[i] != -1 && !qxl_exec_known_id(ex, d->surfaces_dest[i]))
			return -EINVAL;
	}
	switch (d->clip.type) {
	case QXL_CLIP_TYPE_NONE:
		break;
	case QXL_CLIP_TYPE_RECTS:
		if (!qxl_exec_clip_ok(ex))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (!qxl_exec_draw_ok(ex) || !qxl_exec_depths_ok(ex) || !qxl_exec_writes_ok(ex))
		return -EINVAL;
	return qxl_exec_deps(ex);
}

/*
 * Once a command of the call went out, a signal must not end the call: it
 * would be restarted and send that command again (a XOR drawn twice).
 */
static int qxl_exec_lock(const struct qxl_exec *ex, struct mutex *lock)
{
	if (ex->submitted)
		return mutex_lock_killable(lock);
	return mutex_lock_interruptible(lock) ? -ERESTARTSYS : 0;
}

/* ex->named: the surfaces the command names (making room for one must not evict another). */
static unsigned int qxl_exec_named_surfaces(struct qxl_exec *ex, const bool *src_is_fb)
{
	unsigned int i, n = 0;

	for (i = 0; i < ex->n_relocs; i++) {
		if (ex->relocs[i].r.reloc_type == QXL_RELOC_TYPE_SURF && ex->relocs[i].src &&
		    !src_is_fb[i])
			ex->named[n++] = ex->relocs[i].src;
	}
	return n;
}

/* Checked, patched and pushed: one command of the array. */
static int qxl_exec_submit(struct qxl_exec *ex, struct drm_file *file,
			   const struct drm_qxl_command *c)
{
	struct qxl_objects *objs = ex->objs;
	struct qxl_device *qdev = ex->qdev;
	bool src_is_fb[QXL_MAX_RELOCS];
	struct qxl_bo_track *track;
	struct qxl_release *release;
	struct dma_fence *fence = NULL;
	unsigned int i;
	int ret;

	if (c->type != QXL_CMD_DRAW || !c->command_size ||
	    c->command_size > QXL_DRAWABLE_USER_MAX || c->relocs_num > QXL_MAX_RELOCS)
		return -EINVAL;

	memset(&ex->d, 0, sizeof(ex->d));
	ex->room.deadline = 0;
	if (copy_from_user((u8 *)&ex->d + QXL_RELEASE_INFO_SIZE,
			   u64_to_user_ptr(c->command), c->command_size))
		return -EFAULT;

	ret = qxl_exec_get_relocs(ex, file, c);
	/*
	 * A NOP drawable is our X driver's way to cancel a command it could
	 * not finish: accepted, and never sent (spice-server warns "invalid
	 * type" for each).  One too short to hold its type is not a NOP.
	 */
	if (!ret && ex->d.type == QXL_DRAW_NOP &&
	    c->command_size < offsetofend(struct qxl_drawable, type) - QXL_RELEASE_INFO_SIZE)
		ret = -EINVAL;
	if (ret || ex->d.type == QXL_DRAW_NOP)
		goto out_put;

retry:
	/* Framebuffer buffers stand for the primary; asked before objs->lock (lock order). */
	for (i = 0; i < ex->n_relocs; i++)
		src_is_fb[i] = ex->relocs[i].r.reloc_type == QXL_RELOC_TYPE_SURF &&
			       ex->relocs[i].src && qxl_bo_is_fb(qdev, ex->relocs[i].src);
	ex->n_ids = 0;
	ex->n_pals = 0;
	ex->n_image_ids = 0;
	ex->n_parsed = 0;
	ex->n_read = 0;
	ex->n_images = 0;
	ex->room.need = QXL_ROOM_NONE;
	track = qxl_bo_track_alloc(objs, 2 * ex->n_relocs);
	if (!track) {
		ret = -ENOMEM;
		goto out_put;
	}
	/*
	 * The primary a command draws on or reads must not change between
	 * the check and the push: a smaller one left behind a checked bbox,
	 * or none, so that the device draws outside or reads a dead surface
	 * (which aborts QEMU).  primary_lock comes before objs->lock.
	 */
	ret = qxl_exec_lock(ex, &qdev->primary_lock);
	if (ret) {
		kfree(track);
		goto out_put;
	}
	ret = qxl_exec_lock(ex, &objs->lock);
	if (ret) {
		mutex_unlock(&qdev->primary_lock);
		kfree(track);
		goto out_put;
	}
	for (i = 0; i < ex->n_relocs; i++) {
		struct qxl_exec_reloc *er = &ex->relocs[i];

		if (er->src)
			qxl_bo_track_add(track, er->src, qxl_exec_reads_surface(er));
		/* what a BO relocation points at is what the device parses */
		if (er->r.reloc_type == QXL_RELOC_TYPE_BO)
			qxl_bo_track_protect(track, er->src);
		if (er->dst)
			qxl_bo_track_add(track, er->dst, false);
	}

	ret = qxl_exec_apply_relocs(ex, src_is_fb);
	if (!ret)
		ret = qxl_exec_check_drawable(ex);
	if (!ret)
		ret = qxl_bo_track_parsed(track, ex->parsed, ex->n_parsed);
	if (ret) {
		qxl_bo_track_arm(track, NULL);
		goto out_unlock;
	}

	release = qxl_release_alloc(qdev, QXL_RING_DISPLAY, qxl_exec_release_size(ex));
	if (IS_ERR(release)) {
		qxl_bo_track_arm(track, NULL);
		ret = PTR_ERR(release);
		goto out_unlock;
	}
	ex->d.release_info.id = release->id;
	ex->d.mm_time = readl(&qdev->rom->mm_clock);
	memcpy_toio(qxl_release_ptr(release, 0), &ex->d, sizeof(ex->d));
	qxl_exec_put_palettes(ex, release);
	qxl_exec_put_image_ids(ex);
	ret = qxl_release_submit_fence(release, QXL_CMD_DRAW, NULL, &fence);
	qxl_bo_track_arm(track, fence);
	if (fence)
		dma_fence_put(fence);
	if (!ret) {
		objs->exec_commands++;
		ex->submitted = true;
	}

out_unlock:
	mutex_unlock(&objs->lock);
	mutex_unlock(&qdev->primary_lock);
	/* every surface id taken: evicting waits for the device, not under our locks */
	if (ret == -ENOMEM && ex->room.need != QXL_ROOM_NONE) {
		ret = qxl_surface_make_room(objs, &ex->room, ex->named,
					    qxl_exec_named_surfaces(ex, src_is_fb), !ex->submitted);
		if (!ret)
			goto retry;
	}
out_put:
	qxl_exec_put_relocs(ex);
	return ret;
}

/*
 * Commands are submitted in order; a bad one stops the call with the
 * earlier ones already submitted (as mainline does).
 */
int qxl_execbuffer(struct qxl_device *qdev, struct drm_file *file,
		   const struct drm_qxl_execbuffer *args)
{
	struct drm_qxl_command __user *ucmds = u64_to_user_ptr(args->commands);
	struct drm_qxl_command c;
	struct qxl_exec *ex;
	unsigned int i;
	int ret = 0;

	if (args->flags || args->commands_num > QXL_MAX_EXEC_COMMANDS)
		return -EINVAL;

	ex = kzalloc(sizeof(*ex), GFP_KERNEL);
	if (!ex)
		return -ENOMEM;
	ex->qdev = qdev;
	ex->objs = qdev->objs;

	for (i = 0; i < args->commands_num && !ret; i++) {
		if (copy_from_user(&c, &ucmds[i], sizeof(c))) {
			ret = -EFAULT;
			break;
		}
		ret = qxl_exec_submit(ex, file, &c);
	}
	if (ret && ret != -EFAULT && ret != -ERESTARTSYS && ret != -EINTR) {
		mutex_lock(&qdev->objs->lock);
		qdev->objs->exec_rejected++;
		mutex_unlock(&qdev->objs->lock);
	}
	kfree(ex);
	return ret;
}
