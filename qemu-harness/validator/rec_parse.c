// SPDX-License-Identifier: MIT
/*
 * Parser for spice-server's ring record.  The grammar follows the order in
 * which spice-server 0.15 writes a command (see README.md, "Record
 * format"); it is strict because every line is written by one fprintf and
 * anything unexpected means the record is corrupt or truncated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../uapi/qxl_device.h"
#include "rec_parse.h"

#define MAX_LINE	512	/* longest legitimate line is < 100 bytes */
#define MAX_BIN_HDR	128

static const char *const msg_names[REC_MSG_COUNT] = {
	[REC_MSG_UPDATE] = "update",
	[REC_MSG_WAKEUP] = "wakeup",
	[REC_MSG_OOM] = "oom",
	[REC_MSG_READY] = "ready",
	[REC_MSG_DISPLAY_CONNECT] = "display_connect",
	[REC_MSG_DISPLAY_DISCONNECT] = "display_disconnect",
	[REC_MSG_DISPLAY_MIGRATE] = "display_migrate",
	[REC_MSG_START] = "start",
	[REC_MSG_STOP] = "stop",
	[REC_MSG_CURSOR_CONNECT] = "cursor_connect",
	[REC_MSG_CURSOR_DISCONNECT] = "cursor_disconnect",
	[REC_MSG_CURSOR_MIGRATE] = "cursor_migrate",
	[REC_MSG_SET_COMPRESSION] = "set_compression",
	[REC_MSG_SET_STREAMING_VIDEO] = "set_streaming_video",
	[REC_MSG_SET_MOUSE_MODE] = "set_mouse_mode",
	[REC_MSG_ADD_MEMSLOT] = "add_memslot",
	[REC_MSG_DEL_MEMSLOT] = "del_memslot",
	[REC_MSG_RESET_MEMSLOTS] = "reset_memslots",
	[REC_MSG_DESTROY_SURFACES] = "destroy_surfaces",
	[REC_MSG_CREATE_PRIMARY] = "create_primary",
	[REC_MSG_DESTROY_PRIMARY] = "destroy_primary",
	[REC_MSG_RESET_CURSOR] = "reset_cursor",
	[REC_MSG_RESET_IMAGE_CACHE] = "reset_image_cache",
	[REC_MSG_DESTROY_SURFACE_WAIT] = "destroy_surface_wait",
	[REC_MSG_LOADVM_COMMANDS] = "loadvm_commands",
	[REC_MSG_UPDATE_ASYNC] = "update_async",
	[REC_MSG_ADD_MEMSLOT_ASYNC] = "add_memslot_async",
	[REC_MSG_DESTROY_SURFACES_ASYNC] = "destroy_surfaces_async",
	[REC_MSG_CREATE_PRIMARY_ASYNC] = "create_primary_async",
	[REC_MSG_DESTROY_PRIMARY_ASYNC] = "destroy_primary_async",
	[REC_MSG_DESTROY_SURFACE_WAIT_ASYNC] = "destroy_surface_wait_async",
	[REC_MSG_FLUSH_SURFACES_ASYNC] = "flush_surfaces_async",
	[REC_MSG_DISPLAY_CHANNEL_CREATE] = "display_channel_create",
	[REC_MSG_CURSOR_CHANNEL_CREATE] = "cursor_channel_create",
	[REC_MSG_MONITORS_CONFIG_ASYNC] = "monitors_config_async",
	[REC_MSG_DRIVER_UNLOAD] = "driver_unload",
	[REC_MSG_GL_SCANOUT] = "gl_scanout",
	[REC_MSG_GL_DRAW_ASYNC] = "gl_draw_async",
	[REC_MSG_SET_VIDEO_CODECS] = "set_video_codecs",
	[REC_MSG_CLOSE_WORKER] = "close_worker",
};

const char *rec_msg_name(uint32_t type)
{
	return type < REC_MSG_COUNT ? msg_names[type] : NULL;
}

static const char *const draw_names[] = {
	[QXL_DRAW_NOP] = "nop",
	[QXL_DRAW_FILL] = "fill",
	[QXL_DRAW_OPAQUE] = "opaque",
	[QXL_DRAW_COPY] = "copy",
	[QXL_COPY_BITS] = "copy-bits",
	[QXL_DRAW_BLEND] = "blend",
	[QXL_DRAW_BLACKNESS] = "blackness",
	[QXL_DRAW_WHITENESS] = "whiteness",
	[QXL_DRAW_INVERS] = "invers",
	[QXL_DRAW_ROP3] = "rop3",
	[QXL_DRAW_STROKE] = "stroke",
	[QXL_DRAW_TEXT] = "text",
	[QXL_DRAW_TRANSPARENT] = "transparent",
	[QXL_DRAW_ALPHA_BLEND] = "alpha-blend",
	[QXL_DRAW_COMPOSITE] = "composite",
};

const char *rec_draw_name(int64_t type)
{
	if (type < 0 || type >= (int64_t)(sizeof(draw_names) / sizeof(draw_names[0])))
		return NULL;
	return draw_names[type];
}

const char *rec_cmd_name(uint32_t type)
{
	switch (type) {
	case QXL_CMD_DRAW: return "draw";
	case QXL_CMD_UPDATE: return "update";
	case QXL_CMD_CURSOR: return "cursor";
	case QXL_CMD_MESSAGE: return "message";
	case QXL_CMD_SURFACE: return "surface";
	default: return NULL;
	}
}

/* ------------------------------------------------------------ errors */

static int fail_at(struct rec_parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct rec_parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return p->truncated ? REC_TRUNCATED : REC_ERROR;
	p->failed = 1;
	p->err_off = off;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return REC_ERROR;
}

static int truncated(struct rec_parser *p, const char *what)
{
	if (p->failed)
		return p->truncated ? REC_TRUNCATED : REC_ERROR;
	fail_at(p, p->pos, "record truncated (ends at %zu) inside %s",
		p->len, what);
	p->truncated = 1;
	return REC_TRUNCATED;
}

#define TRY(expr) do { int _r = (expr); if (_r < 0) return _r; } while (0)

/* ------------------------------------------------------------ lexing */

/*
 * Finds the current line; *n excludes the newline.  A line that is not
 * terminated within the buffer is a truncation, one longer than MAX_LINE
 * or containing control bytes is corruption.
 */
static int peek_line(struct rec_parser *p, const char **line, size_t *n,
		     const char *what)
{
	size_t left = p->len - p->pos;
	size_t lim = left < MAX_LINE ? left : MAX_LINE;
	const uint8_t *s = p->buf + p->pos;
	const uint8_t *nl = memchr(s, '\n', lim);
	size_t i;

	if (!nl) {
		if (left < MAX_LINE)
			return truncated(p, what);
		return fail_at(p, p->pos, "line longer than %d bytes where %s was expected",
			       MAX_LINE, what);
	}
	for (i = 0; s + i < nl; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return fail_at(p, p->pos + i,
				       "byte 0x%02x in a text line where %s was expected",
				       s[i], what);
	}
	*line = (const char *)s;
	*n = (size_t)(nl - s);
	return 0;
}

/* Parses a decimal integer (optional '-') from s[*i..n); range int64/uint64. */
static int lex_int(const char *s, size_t n, size_t *i, int64_t *out,
		   uint64_t *uout)
{
	int neg = 0;
	uint64_t v = 0;
	size_t start;

	if (*i < n && s[*i] == '-') {
		neg = 1;
		(*i)++;
	}
	start = *i;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		unsigned d = (unsigned)(s[*i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		(*i)++;
	}
	if (*i == start || *i - start > 20)
		return -1;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		*uout = (uint64_t)*out;
	} else {
		*out = v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
		*uout = v;
	}
	return 0;
}

/*
 * Reads a line "<key> <int> ... <int>" with exactly nvals integers (the key
 * may contain spaces, e.g. "rect bbox"; an empty key means the line is only
 * integers).  uvals, if given, receives the unsigned readings.  Unless wide,
 * values must fit in 32 bits (signed or unsigned), as everything spice-server
 * prints with %d does; this also keeps the checker's arithmetic in range.
 */
static int line_ints_w(struct rec_parser *p, const char *key, int nvals,
		       int64_t *vals, uint64_t *uvals, int wide)
{
	const char *s;
	size_t n, i = 0, klen = strlen(key);
	int k;

	TRY(peek_line(p, &s, &n, *key ? key : "a numeric line"));
	if (klen) {
		if (n < klen + 1 || memcmp(s, key, klen) || s[klen] != ' ')
			return fail_at(p, p->pos, "expected \"%s\", got \"%.*s\"",
				       key, (int)(n > 60 ? 60 : n), s);
		i = klen + 1;
	}
	for (k = 0; k < nvals; k++) {
		uint64_t u;

		if (k && (i >= n || s[i++] != ' '))
			return fail_at(p, p->pos + i, "\"%s\": expected %d numbers",
				       key, nvals);
		if (lex_int(s, n, &i, &vals[k], &u) < 0)
			return fail_at(p, p->pos + i, "\"%s\": bad number", key);
		if (!wide && (vals[k] < INT32_MIN || vals[k] > (int64_t)UINT32_MAX))
			return fail_at(p, p->pos, "\"%s\": %lld does not fit in 32 bits",
				       key, (long long)vals[k]);
		if (uvals)
			uvals[k] = u;
	}
	if (i != n)
		return fail_at(p, p->pos + i, "\"%s\": unexpected text after %d numbers",
			       key, nvals);
	p->pos += n + 1;
	return 0;
}

static int line_ints(struct rec_parser *p, const char *key, int nvals,
		     int64_t *vals, uint64_t *uvals)
{
	return line_ints_w(p, key, nvals, vals, uvals, 0);
}

static int kv(struct rec_parser *p, const char *key, int64_t *v)
{
	return line_ints(p, key, 1, v, NULL);
}

static int kv_u64(struct rec_parser *p, const char *key, uint64_t *v)
{
	int64_t s;

	return line_ints_w(p, key, 1, &s, v, 1);
}

static int kv_bool(struct rec_parser *p, const char *key, int *v)
{
	int64_t x;
	size_t at = p->pos;

	TRY(kv(p, key, &x));
	if (x != 0 && x != 1)
		return fail_at(p, at, "\"%s\" must be 0 or 1, got %lld", key,
			       (long long)x);
	*v = (int)x;
	return 0;
}

static int word_line(struct rec_parser *p, const char *word)
{
	const char *s;
	size_t n;

	TRY(peek_line(p, &s, &n, word));
	if (n != strlen(word) || memcmp(s, word, n))
		return fail_at(p, p->pos, "expected \"%s\", got \"%.*s\"", word,
			       (int)(n > 60 ? 60 : n), s);
	p->pos += n + 1;
	return 0;
}

static int starts_with(const struct rec_parser *p, const char *prefix)
{
	size_t n = strlen(prefix);

	return p->len - p->pos >= n && !memcmp(p->buf + p->pos, prefix, n);
}

static int rect(struct rec_parser *p, const char *name, struct rec_rect *r)
{
	char key[48];
	int64_t v[4];

	snprintf(key, sizeof(key), "rect %s", name);
	TRY(line_ints(p, key, 4, v, NULL));
	r->top = v[0];
	r->left = v[1];
	r->bottom = v[2];
	r->right = v[3];
	return 0;
}

static int point(struct rec_parser *p, const char *key, struct rec_point *pt)
{
	int64_t v[2];

	TRY(line_ints(p, key, 2, v, NULL));
	pt->x = v[0];
	pt->y = v[1];
	return 0;
}

static int add_blob(struct rec_parser *p, size_t off, size_t len)
{
	if (p->nblobs == p->blobs_cap) {
		uint32_t cap = p->blobs_cap ? p->blobs_cap * 2 : 16;
		struct rec_blob *b;

		if (cap > (1u << 26))
			return fail_at(p, off, "too many binary blocks in one event");
		b = realloc(p->blobs, cap * sizeof(*b));
		if (!b)
			return fail_at(p, off, "out of memory");
		p->blobs = b;
		p->blobs_cap = cap;
	}
	p->blobs[p->nblobs].off = off;
	p->blobs[p->nblobs].len = len;
	p->nblobs++;
	return 0;
}

/*
 * "binary <zlib> <name> <size>:<size raw bytes>\n".  The header is not a
 * line of its own: the raw bytes follow the colon directly.
 */
static int binary(struct rec_parser *p, const char *name, size_t *len_out)
{
	size_t left = p->len - p->pos, lim = left < MAX_BIN_HDR ? left : MAX_BIN_HDR;
	const uint8_t *s = p->buf + p->pos;
	const uint8_t *colon = memchr(s, ':', lim);
	size_t hdr, nlen = strlen(name), i;
	int64_t size;
	uint64_t usize;
	size_t at = p->pos;

	if (!colon) {
		if (left < MAX_BIN_HDR && !memchr(s, '\n', lim))
			return truncated(p, "a binary block header");
		return fail_at(p, at, "expected \"binary 0 %s <size>:\"", name);
	}
	hdr = (size_t)(colon - s);
	if (hdr < 9 + nlen + 2 || memcmp(s, "binary ", 7))
		return fail_at(p, at, "expected \"binary 0 %s <size>:\"", name);
	if (s[7] != '0' || s[8] != ' ') {
		if (s[7] == '1' && s[8] == ' ')
			return fail_at(p, at, "zlib-compressed binary blocks are not supported");
		return fail_at(p, at, "binary block: bad compression flag");
	}
	if (memcmp(s + 9, name, nlen) || s[9 + nlen] != ' ')
		return fail_at(p, at, "expected binary block \"%s\", got \"%.*s\"",
			       name, (int)(hdr - 9 > 40 ? 40 : hdr - 9),
			       (const char *)s + 9);
	i = 9 + nlen + 1;
	if (s[i] == '-' || lex_int((const char *)s, hdr, &i, &size, &usize) < 0 ||
	    i != hdr)
		return fail_at(p, at + i, "binary block \"%s\": bad size", name);
	p->pos += hdr + 1;
	left = p->len - p->pos;
	if (usize >= left) {
		if (usize > (uint64_t)1 << 40)
			return fail_at(p, at, "binary block \"%s\": size %llu is implausible",
				       name, (unsigned long long)usize);
		return truncated(p, "a binary block");
	}
	TRY(add_blob(p, p->pos, (size_t)usize));
	p->pos += (size_t)usize;
	if (p->buf[p->pos] != '\n')
		return fail_at(p, p->pos, "binary block \"%s\" of %llu bytes not followed by a newline",
			       name, (unsigned long long)usize);
	p->pos++;
	if (len_out)
		*len_out = (size_t)usize;
	return 0;
}

static int flat(struct rec_parser *p, const char *name, struct rec_data *d)
{
	size_t len;

	memset(d, 0, sizeof(*d));
	d->first_blob = p->nblobs;
	TRY(binary(p, name, &len));
	d->present = 1;
	d->nblobs = 1;
	d->bytes = len;
	d->size_declared = len;
	d->chunks_declared = -1;
	return 0;
}

/* "data_chunks <count> <total>" followed by count + 1 blocks of name. */
static int chunks(struct rec_parser *p, const char *name, struct rec_data *d)
{
	int64_t v[2];
	uint64_t u[2];
	size_t at = p->pos;
	int64_t k;

	memset(d, 0, sizeof(*d));
	TRY(line_ints_w(p, "data_chunks", 2, v, u, 1));
	if (v[0] < 0)
		return fail_at(p, at, "data_chunks: negative chunk count %lld",
			       (long long)v[0]);
	/* every block needs at least "binary 0 x 0:\n" */
	if ((uint64_t)v[0] >= (p->len - p->pos) / (12 + strlen(name)) + 1) {
		if ((uint64_t)v[0] > (uint64_t)1 << 32)
			return fail_at(p, at, "data_chunks: chunk count %lld is implausible",
				       (long long)v[0]);
		return truncated(p, "a data_chunks group");
	}
	d->present = 1;
	d->chunked = 1;
	d->chunks_declared = v[0];
	d->size_declared = u[1];
	d->first_blob = p->nblobs;
	for (k = 0; k <= v[0]; k++) {
		size_t len;

		TRY(binary(p, name, &len));
		d->bytes += len;
		d->nblobs++;
	}
	if (d->bytes != d->size_declared)
		return fail_at(p, at, "data_chunks: declared %llu bytes, blocks hold %llu",
			       (unsigned long long)d->size_declared,
			       (unsigned long long)d->bytes);
	return 0;
}

/* ------------------------------------------------------------ grammar */

static int image(struct rec_parser *p, struct rec_draw *dr, const char *role,
		 int is_mask, int *index)
{
	struct rec_image *im;
	size_t at = p->pos;
	int present;

	*index = -1;
	TRY(kv_bool(p, "image", &present));
	if (!present)
		return 0;
	if (dr->nimg >= REC_DRAW_MAX_IMAGES)
		return fail_at(p, at, "more than %d images in one drawable",
			       REC_DRAW_MAX_IMAGES);
	im = &dr->img[dr->nimg];
	memset(im, 0, sizeof(*im));
	snprintf(im->role, sizeof(im->role), "%s", role);
	im->is_mask = is_mask;
	im->off = at;
	im->surface_id = -1;

	TRY(kv_u64(p, "descriptor.id", &im->id));
	TRY(kv(p, "descriptor.type", &im->type));
	TRY(kv(p, "descriptor.flags", &im->flags));
	TRY(kv(p, "descriptor.width", &im->width));
	TRY(kv(p, "descriptor.height", &im->height));
	switch (im->type) {
	case QXL_IMAGE_TYPE_BITMAP:
		TRY(kv(p, "bitmap.format", &im->format));
		TRY(kv(p, "bitmap.flags", &im->bm_flags));
		TRY(kv(p, "bitmap.x", &im->x));
		TRY(kv(p, "bitmap.y", &im->y));
		TRY(kv(p, "bitmap.stride", &im->stride));
		TRY(kv_bool(p, "has_palette", &im->has_palette));
		if (im->has_palette) {
			int64_t i, e;

			TRY(kv(p, "qp.num_ents", &im->num_ents));
			if (im->num_ents < 0 || im->num_ents > 65535)
				return fail_at(p, p->pos, "qp.num_ents %lld out of range",
					       (long long)im->num_ents);
			TRY(kv_u64(p, "unique", &im->palette_unique));
			for (i = 0; i < im->num_ents; i++)
				TRY(kv(p, "ents", &e));
		}
		if (im->bm_flags & QXL_BITMAP_DIRECT)
			TRY(flat(p, "image_data_flat", &im->data));
		else
			TRY(chunks(p, "bitmap.data", &im->data));
		break;
	case QXL_IMAGE_TYPE_SURFACE:
		TRY(kv(p, "surface_image.surface_id", &im->surface_id));
		break;
	case QXL_IMAGE_TYPE_QUIC:
		TRY(kv(p, "quic.data_size", &im->quic_size));
		TRY(chunks(p, "quic.data", &im->data));
		break;
	default:
		/* spice-server aborts while recording such an image */
		return fail_at(p, at, "image descriptor.type %lld cannot be recorded",
			       (long long)im->type);
	}
	dr->nimg++;
	*index = dr->nimg - 1;
	return 0;
}

static int brush(struct rec_parser *p, struct rec_draw *dr, struct rec_brush *b,
		 const char *role)
{
	b->image = -1;
	TRY(kv(p, "type", &b->type));
	switch (b->type) {
	case QXL_BRUSH_TYPE_SOLID:
		TRY(kv(p, "u.color", &b->color));
		break;
	case QXL_BRUSH_TYPE_PATTERN:
		TRY(image(p, dr, role, 0, &b->image));
		TRY(point(p, "point", &b->pos));
		break;
	default:
		break;
	}
	return 0;
}

static int qmask(struct rec_parser *p, struct rec_draw *dr)
{
	dr->has_qmask = 1;
	TRY(kv(p, "flags", &dr->qmask.flags));
	TRY(point(p, "point", &dr->qmask.pos));
	return image(p, dr, "mask", 1, &dr->qmask.image);
}

static int src_image_area(struct rec_parser *p, struct rec_draw *dr)
{
	TRY(image(p, dr, "src", 0, &dr->src_image));
	dr->has_src_area = 1;
	return rect(p, "src_area", &dr->src_area);
}

static int draw_body(struct rec_parser *p, struct rec_draw *dr, size_t type_at)
{
	switch (dr->type) {
	case QXL_DRAW_ALPHA_BLEND:
		if (!dr->compat)
			TRY(kv(p, "alpha_flags", &dr->alpha_flags));
		TRY(kv(p, "alpha", &dr->alpha));
		return src_image_area(p, dr);
	case QXL_DRAW_BLACKNESS:
	case QXL_DRAW_WHITENESS:
	case QXL_DRAW_INVERS:
		return qmask(p, dr);
	case QXL_DRAW_BLEND:
	case QXL_DRAW_COPY:
		TRY(src_image_area(p, dr));
		TRY(kv(p, "rop_descriptor", &dr->rop));
		TRY(kv(p, "scale_mode", &dr->scale_mode));
		return qmask(p, dr);
	case QXL_COPY_BITS:
		return point(p, "point", &dr->src_pos);
	case QXL_DRAW_FILL:
		dr->has_brush = 1;
		TRY(brush(p, dr, &dr->brush, "brush.pattern"));
		TRY(kv(p, "rop_descriptor", &dr->rop));
		return qmask(p, dr);
	case QXL_DRAW_OPAQUE:
		TRY(src_image_area(p, dr));
		dr->has_brush = 1;
		TRY(brush(p, dr, &dr->brush, "brush.pattern"));
		TRY(kv(p, "rop_descriptor", &dr->rop));
		TRY(kv(p, "scale_mode", &dr->scale_mode));
		return qmask(p, dr);
	case QXL_DRAW_NOP:
		return 0;
	case QXL_DRAW_ROP3:
		TRY(src_image_area(p, dr));
		dr->has_brush = 1;
		TRY(brush(p, dr, &dr->brush, "brush.pattern"));
		TRY(kv(p, "rop3", &dr->rop));
		TRY(kv(p, "scale_mode", &dr->scale_mode));
		return qmask(p, dr);
	case QXL_DRAW_STROKE:
		TRY(chunks(p, "path", &dr->path));
		TRY(kv(p, "attr.flags", &dr->attr_flags));
		if (dr->attr_flags & QXL_LINE_FLAGS_STYLED) {
			TRY(kv(p, "attr.style_nseg", &dr->style_nseg));
			TRY(flat(p, "style", &dr->style));
		}
		dr->has_brush = 1;
		TRY(brush(p, dr, &dr->brush, "brush.pattern"));
		TRY(kv(p, "fore_mode", &dr->fore_mode));
		return kv(p, "back_mode", &dr->back_mode);
	case QXL_DRAW_TEXT:
		TRY(kv(p, "data_size", &dr->str_data_size));
		TRY(kv(p, "length", &dr->str_length));
		TRY(kv(p, "flags", &dr->str_flags));
		TRY(chunks(p, "string", &dr->str));
		TRY(rect(p, "back_area", &dr->back_area));
		dr->has_brush = 1;
		TRY(brush(p, dr, &dr->brush, "fore_brush.pattern"));
		dr->has_back_brush = 1;
		TRY(brush(p, dr, &dr->back_brush, "back_brush.pattern"));
		TRY(kv(p, "fore_mode", &dr->fore_mode));
		return kv(p, "back_mode", &dr->back_mode);
	case QXL_DRAW_TRANSPARENT:
		TRY(src_image_area(p, dr));
		TRY(kv(p, "src_color", &dr->src_color));
		return kv(p, "true_color", &dr->true_color);
	case QXL_DRAW_COMPOSITE:
		if (dr->compat)
			return fail_at(p, type_at, "composite in a compat drawable cannot be recorded");
		TRY(kv(p, "flags", &dr->comp_flags));
		TRY(image(p, dr, "src", 0, &dr->src_image));
		TRY(kv_bool(p, "src_transform", &dr->has_src_transform));
		if (dr->has_src_transform) {
			struct rec_data t;

			TRY(flat(p, "transform", &t));
		}
		{
			int has_mask;

			TRY(kv_bool(p, "mask", &has_mask));
			if (has_mask)
				TRY(image(p, dr, "composite.mask", 0, &dr->mask_image));
		}
		TRY(kv_bool(p, "mask_transform", &dr->has_mask_transform));
		if (dr->has_mask_transform) {
			struct rec_data t;

			TRY(flat(p, "transform", &t));
		}
		TRY(point(p, "src_origin", &dr->src_origin));
		return point(p, "mask_origin", &dr->mask_origin);
	default:
		/* spice-server aborts while recording such a drawable */
		return fail_at(p, type_at, "drawable type %lld cannot be recorded",
			       (long long)dr->type);
	}
}

static int drawable(struct rec_parser *p, struct rec_draw *dr)
{
	size_t type_at;
	int i;

	memset(dr, 0, sizeof(*dr));
	dr->src_image = dr->mask_image = -1;
	dr->brush.image = dr->back_brush.image = dr->qmask.image = -1;
	TRY(word_line(p, "drawable"));
	TRY(rect(p, "bbox", &dr->bbox));
	TRY(kv(p, "type", &dr->clip_type));
	if (dr->clip_type == QXL_CLIP_TYPE_RECTS) {
		TRY(kv(p, "num_rects", &dr->clip_num_rects));
		TRY(chunks(p, "clip_rects", &dr->clip));
	}
	TRY(kv(p, "effect", &dr->effect));
	TRY(kv(p, "mm_time", &dr->mm_time));
	if (starts_with(p, "bitmap_offset ")) {
		dr->compat = 1;
		TRY(kv(p, "bitmap_offset", &dr->bitmap_offset));
		TRY(rect(p, "bitmap_area", &dr->bitmap_area));
		for (i = 0; i < 3; i++)
			dr->surfaces_dest[i] = -1;
	} else {
		TRY(kv(p, "self_bitmap", &dr->self_bitmap));
		TRY(rect(p, "self_bitmap_area", &dr->self_bitmap_area));
		TRY(kv(p, "surface_id", &dr->surface_id));
		for (i = 0; i < 3; i++) {
			TRY(kv(p, "surfaces_dest", &dr->surfaces_dest[i]));
			TRY(rect(p, "surfaces_rects", &dr->surfaces_rects[i]));
		}
	}
	type_at = p->pos;
	TRY(kv(p, "type", &dr->type));
	return draw_body(p, dr, type_at);
}

static int update_cmd(struct rec_parser *p, struct rec_update *u)
{
	memset(u, 0, sizeof(*u));
	TRY(word_line(p, "update"));
	TRY(rect(p, "area", &u->area));
	TRY(kv(p, "update_id", &u->update_id));
	return kv(p, "surface_id", &u->surface_id);
}

static int surface_cmd(struct rec_parser *p, struct rec_surface *s)
{
	memset(s, 0, sizeof(*s));
	TRY(word_line(p, "surface_cmd"));
	TRY(kv(p, "surface_id", &s->surface_id));
	TRY(kv(p, "type", &s->type));
	TRY(kv(p, "flags", &s->flags));
	if (s->type != QXL_SURFACE_CMD_CREATE)
		return 0;
	TRY(kv(p, "u.surface_create.format", &s->format));
	TRY(kv(p, "u.surface_create.width", &s->width));
	TRY(kv(p, "u.surface_create.height", &s->height));
	TRY(kv(p, "u.surface_create.stride", &s->stride));
	if (s->flags & QXL_SURF_FLAG_KEEP_DATA)
		TRY(flat(p, "data", &s->data));
	return 0;
}

static int cursor_cmd(struct rec_parser *p, struct rec_cursor *c)
{
	memset(c, 0, sizeof(*c));
	TRY(word_line(p, "cursor_cmd"));
	TRY(kv(p, "type", &c->type));
	switch (c->type) {
	case QXL_CURSOR_SET:
		TRY(point(p, "point16", &c->pos));
		TRY(kv(p, "u.set.visible", &c->visible));
		TRY(kv_u64(p, "header.unique", &c->unique));
		TRY(kv(p, "header.type", &c->shape_type));
		TRY(kv(p, "header.width", &c->width));
		TRY(kv(p, "header.height", &c->height));
		TRY(kv(p, "header.hot_spot_x", &c->hot_x));
		TRY(kv(p, "header.hot_spot_y", &c->hot_y));
		TRY(kv(p, "data_size", &c->data_size));
		return chunks(p, "cursor", &c->data);
	case QXL_CURSOR_MOVE:
		return point(p, "point16", &c->pos);
	case QXL_CURSOR_TRAIL:
		TRY(kv(p, "u.trail.length", &c->trail_length));
		return kv(p, "u.trail.frequency", &c->trail_frequency);
	default:
		return 0;
	}
}

static int primary_payload(struct rec_parser *p, struct rec_primary *pr)
{
	int64_t v[4];

	memset(pr, 0, sizeof(*pr));
	TRY(line_ints(p, "", 4, v, NULL));
	pr->width = v[0];
	pr->height = v[1];
	pr->stride = v[2];
	pr->format = v[3];
	TRY(line_ints(p, "", 4, v, NULL));
	pr->position = v[0];
	pr->mouse_mode = v[1];
	pr->flags = v[2];
	pr->type = v[3];
	return flat(p, "data", &pr->data);
}

static int at_primary_payload(const struct rec_parser *p)
{
	return p->pos < p->len &&
	       ((p->buf[p->pos] >= '0' && p->buf[p->pos] <= '9') ||
		p->buf[p->pos] == '-');
}

/* ------------------------------------------------------------ events */

int rec_parser_init(struct rec_parser *p, const uint8_t *buf, size_t len)
{
	static const char header[] = "SPICE_REPLAY 1\n";

	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->len = len;
	if (len < sizeof(header) - 1) {
		if (!memcmp(buf, header, len))
			return truncated(p, "the header");
		return fail_at(p, 0, "not a spice record: missing \"SPICE_REPLAY 1\" header");
	}
	if (memcmp(buf, header, sizeof(header) - 1))
		return fail_at(p, 0, "not a spice record: missing \"SPICE_REPLAY 1\" header");
	p->pos = sizeof(header) - 1;
	return REC_OK;
}

void rec_parser_fini(struct rec_parser *p)
{
	free(p->blobs);
	p->blobs = NULL;
	p->blobs_cap = p->nblobs = 0;
}

static int event_body(struct rec_parser *p, struct rec_event *ev)
{
	if (ev->what == REC_WHAT_COMMAND) {
		switch (ev->type) {
		case QXL_CMD_DRAW:
			return drawable(p, &ev->draw);
		case QXL_CMD_UPDATE:
			return update_cmd(p, &ev->update);
		case QXL_CMD_MESSAGE:
			return flat(p, "message", &ev->message);
		case QXL_CMD_SURFACE:
			return surface_cmd(p, &ev->surface);
		case QXL_CMD_CURSOR:
			return cursor_cmd(p, &ev->cursor);
		default:
			return 0;	/* nothing is written for other types */
		}
	}
	if ((ev->type == REC_MSG_CREATE_PRIMARY ||
	     ev->type == REC_MSG_CREATE_PRIMARY_ASYNC) && at_primary_payload(p)) {
		ev->has_primary = 1;
		return primary_payload(p, &ev->primary);
	}
	return 0;
}

int rec_next(struct rec_parser *p, struct rec_event *ev)
{
	int64_t v[4];
	uint64_t u[4];
	size_t at;
	int r;

	if (p->failed)
		return p->truncated ? REC_TRUNCATED : REC_ERROR;
	if (!p->buf || p->pos >= p->len)
		return REC_END;
	p->nblobs = 0;
	memset(ev, 0, offsetof(struct rec_event, draw));
	ev->has_primary = 0;
	ev->late_primary = 0;
	at = p->pos;
	ev->off = at;

	/* a CREATE_PRIMARY payload separated from its event by another device's event */
	if (at_primary_payload(p)) {
		TRY(primary_payload(p, &ev->primary));
		ev->has_primary = 1;
		ev->late_primary = 1;
		ev->what = REC_WHAT_MESSAGE;
		ev->type = REC_MSG_CREATE_PRIMARY;
		ev->counter = p->next_counter ? p->next_counter - 1 : 0;
		goto done;
	}
	if (!starts_with(p, "event ")) {
		if (p->len - p->pos < 6 && !memcmp(p->buf + p->pos, "event ", p->len - p->pos))
			return truncated(p, "an event line");
		return fail_at(p, at, "expected an \"event\" line");
	}
	TRY(line_ints_w(p, "event", 4, v, u, 1));
	if (v[0] < 0 || u[0] > UINT32_MAX)
		return fail_at(p, at, "event counter %lld out of range", (long long)v[0]);
	if (p->have_counter && u[0] != p->next_counter)
		return fail_at(p, at, "event counter %llu out of sequence, expected %llu",
			       (unsigned long long)u[0],
			       (unsigned long long)p->next_counter);
	if (v[1] != REC_WHAT_COMMAND && v[1] != REC_WHAT_MESSAGE)
		return fail_at(p, at, "event kind %lld is neither 0 (command) nor 1 (message)",
			       (long long)v[1]);
	if (v[2] < 0 || u[2] > UINT32_MAX)
		return fail_at(p, at, "event type %lld out of range", (long long)v[2]);
	ev->counter = u[0];
	ev->what = (int)v[1];
	ev->type = (uint32_t)u[2];
	ev->ts = u[3];
	p->have_counter = 1;
	p->next_counter = (u[0] + 1) & 0xffffffffu;
	r = event_body(p, ev);
	if (r < 0) {
		size_t n = strlen(p->err);

		snprintf(p->err + n, sizeof(p->err) - n, " (event #%llu at offset %zu)",
			 (unsigned long long)ev->counter, ev->off);
		return r;
	}
done:
	ev->end = p->pos;
	ev->blobs = p->blobs;
	ev->nblobs = p->nblobs;
	return REC_OK;
}

int rec_data_read(const uint8_t *buf, const struct rec_blob *blobs,
		  const struct rec_data *d, uint64_t at, void *out, size_t len)
{
	uint8_t *o = out;
	uint32_t i;

	if (!d->present || at > d->bytes || len > d->bytes - at)
		return -1;
	for (i = 0; i < d->nblobs && len; i++) {
		const struct rec_blob *b = &blobs[d->first_blob + i];
		size_t n;

		if (at >= b->len) {
			at -= b->len;
			continue;
		}
		n = b->len - (size_t)at;
		if (n > len)
			n = len;
		memcpy(o, buf + b->off + at, n);
		o += n;
		len -= n;
		at = 0;
	}
	return len ? -1 : 0;
}
