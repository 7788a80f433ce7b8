/* SPDX-License-Identifier: MIT */
/*
 * Parser for spice-server's ring record (SPICE_WORKER_RECORD_FILENAME).
 *
 * The record is text lines with raw binary blocks in between.  The parser
 * works on a caller-owned buffer (normally the mmap of the whole file) and
 * never reads outside it: every line and every block length is checked
 * against what is left, and any violation ends the parse with a message
 * naming the byte offset.  Decoded values are kept as they appear in the
 * record; judging them is the checker's job (rec_check.h).
 */
#ifndef REC_PARSE_H
#define REC_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* "what" field of an event line */
#define REC_WHAT_COMMAND	0	/* a QXL command read from a ring */
#define REC_WHAT_MESSAGE	1	/* a QEMU -> worker dispatcher message */

/*
 * Dispatcher message numbers (spice-server's RedWorkerMessage) as they
 * appear in the record.  They are a property of the record format, not of
 * the device ABI, which is why they live here and not in uapi/.
 */
enum rec_msg {
	REC_MSG_UPDATE = 1,
	REC_MSG_WAKEUP = 2,
	REC_MSG_OOM = 3,
	REC_MSG_READY = 4,
	REC_MSG_DISPLAY_CONNECT = 5,
	REC_MSG_DISPLAY_DISCONNECT = 6,
	REC_MSG_DISPLAY_MIGRATE = 7,
	REC_MSG_START = 8,
	REC_MSG_STOP = 9,
	REC_MSG_CURSOR_CONNECT = 10,
	REC_MSG_CURSOR_DISCONNECT = 11,
	REC_MSG_CURSOR_MIGRATE = 12,
	REC_MSG_SET_COMPRESSION = 13,
	REC_MSG_SET_STREAMING_VIDEO = 14,
	REC_MSG_SET_MOUSE_MODE = 15,
	REC_MSG_ADD_MEMSLOT = 16,
	REC_MSG_DEL_MEMSLOT = 17,
	REC_MSG_RESET_MEMSLOTS = 18,
	REC_MSG_DESTROY_SURFACES = 19,
	REC_MSG_CREATE_PRIMARY = 20,
	REC_MSG_DESTROY_PRIMARY = 21,
	REC_MSG_RESET_CURSOR = 22,
	REC_MSG_RESET_IMAGE_CACHE = 23,
	REC_MSG_DESTROY_SURFACE_WAIT = 24,
	REC_MSG_LOADVM_COMMANDS = 25,
	REC_MSG_UPDATE_ASYNC = 26,
	REC_MSG_ADD_MEMSLOT_ASYNC = 27,
	REC_MSG_DESTROY_SURFACES_ASYNC = 28,
	REC_MSG_CREATE_PRIMARY_ASYNC = 29,
	REC_MSG_DESTROY_PRIMARY_ASYNC = 30,
	REC_MSG_DESTROY_SURFACE_WAIT_ASYNC = 31,
	REC_MSG_FLUSH_SURFACES_ASYNC = 32,
	REC_MSG_DISPLAY_CHANNEL_CREATE = 33,
	REC_MSG_CURSOR_CHANNEL_CREATE = 34,
	REC_MSG_MONITORS_CONFIG_ASYNC = 35,
	REC_MSG_DRIVER_UNLOAD = 36,
	REC_MSG_GL_SCANOUT = 37,
	REC_MSG_GL_DRAW_ASYNC = 38,
	REC_MSG_SET_VIDEO_CODECS = 39,
	REC_MSG_CLOSE_WORKER = 40,
	REC_MSG_COUNT = 41,
};

/* Name of a dispatcher message ("create_primary"), NULL if unknown. */
const char *rec_msg_name(uint32_t type);

/* A raw binary block inside the record buffer. */
struct rec_blob {
	size_t off;
	size_t len;
};

/*
 * Payload data: either one flat binary block or a "data_chunks" group.
 * Blob indices refer to rec_event.blobs.
 */
struct rec_data {
	int present;
	int chunked;			/* written as data_chunks + blocks */
	int64_t chunks_declared;	/* count in the data_chunks line */
	uint64_t size_declared;		/* total in the data_chunks line */
	uint32_t first_blob;
	uint32_t nblobs;
	uint64_t bytes;			/* bytes actually present */
};

struct rec_rect {
	int64_t top, left, bottom, right;
};

struct rec_point {
	int64_t x, y;
};

#define REC_ROLE_MAX 24

struct rec_image {
	int present;
	char role[REC_ROLE_MAX];	/* "src", "mask", "brush.pattern", ... */
	int is_mask;			/* a 1-bit mask (qmask), palette optional */
	size_t off;			/* offset of the "image 1" line */
	uint64_t id;
	int64_t type, flags, width, height;
	/* bitmap */
	int64_t format, bm_flags, x, y, stride;
	int has_palette;
	int64_t num_ents;
	uint64_t palette_unique;
	/* surface image */
	int64_t surface_id;
	/* quic */
	int64_t quic_size;
	struct rec_data data;
};

struct rec_brush {
	int64_t type;
	int64_t color;
	int image;			/* index into rec_draw.img, or -1 */
	struct rec_point pos;
};

struct rec_qmask {
	int64_t flags;
	struct rec_point pos;
	int image;			/* index into rec_draw.img, or -1 */
};

#define REC_DRAW_MAX_IMAGES 6

struct rec_draw {
	int compat;
	struct rec_rect bbox;
	int64_t clip_type;
	int64_t clip_num_rects;
	struct rec_data clip;
	int64_t effect, mm_time;
	int64_t self_bitmap;
	struct rec_rect self_bitmap_area;
	int64_t bitmap_offset;		/* compat only */
	struct rec_rect bitmap_area;	/* compat only */
	int64_t surface_id;		/* 0 for compat drawables */
	int64_t surfaces_dest[3];
	struct rec_rect surfaces_rects[3];
	int64_t type;

	int has_src_area;
	struct rec_rect src_area;
	int src_image;			/* index into img, or -1 */
	int has_brush;
	struct rec_brush brush;
	int has_back_brush;
	struct rec_brush back_brush;	/* text */
	int has_qmask;
	struct rec_qmask qmask;
	int64_t rop;			/* rop_descriptor or rop3 */
	int64_t scale_mode;
	struct rec_point src_pos;	/* copy-bits */
	/* transparent / alpha blend */
	int64_t src_color, true_color, alpha_flags, alpha;
	/* stroke */
	struct rec_data path;
	int64_t attr_flags, style_nseg;
	struct rec_data style;
	int64_t fore_mode, back_mode;
	/* text */
	int64_t str_data_size, str_length, str_flags;
	struct rec_data str;
	struct rec_rect back_area;
	/* composite */
	int64_t comp_flags;
	int has_src_transform, has_mask_transform;
	int mask_image;			/* composite mask, index into img or -1 */
	struct rec_point src_origin, mask_origin;

	int nimg;
	struct rec_image img[REC_DRAW_MAX_IMAGES];
};

struct rec_update {
	struct rec_rect area;
	int64_t update_id;
	int64_t surface_id;
};

struct rec_surface {
	int64_t surface_id;
	int64_t type;
	int64_t flags;
	int64_t format, width, height, stride;
	struct rec_data data;		/* only with QXL_SURF_FLAG_KEEP_DATA */
};

struct rec_cursor {
	int64_t type;
	struct rec_point pos;
	int64_t visible;
	uint64_t unique;
	int64_t shape_type, width, height, hot_x, hot_y;
	int64_t data_size;
	struct rec_data data;
	int64_t trail_length, trail_frequency;
};

/* CREATE_PRIMARY payload (written only when spice-server accepted it) */
struct rec_primary {
	int64_t width, height, stride, format;
	int64_t position, mouse_mode, flags, type;
	struct rec_data data;
};

struct rec_event {
	size_t off;			/* offset of the "event" line */
	size_t end;			/* offset just past the event */
	uint64_t counter;
	int what;
	uint32_t type;
	uint64_t ts;

	/* REC_WHAT_COMMAND */
	struct rec_draw draw;
	struct rec_update update;
	struct rec_surface surface;
	struct rec_cursor cursor;
	struct rec_data message;

	/* REC_WHAT_MESSAGE, CREATE_PRIMARY(_ASYNC) */
	int has_primary;
	struct rec_primary primary;

	/* a primary payload that arrived after another event (two devices) */
	int late_primary;

	const struct rec_blob *blobs;
	uint32_t nblobs;
};

enum rec_status {
	REC_OK = 1,		/* an event was decoded */
	REC_END = 0,		/* clean end of record */
	REC_ERROR = -1,		/* corrupt record: see err / err_off */
	REC_TRUNCATED = -2,	/* the record ends inside an event */
};

struct rec_parser {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	uint64_t next_counter;
	int have_counter;

	struct rec_blob *blobs;
	uint32_t nblobs;
	uint32_t blobs_cap;

	int failed;
	int truncated;
	size_t err_off;
	char err[256];
};

/* Checks the header; returns REC_OK or REC_ERROR / REC_TRUNCATED. */
int rec_parser_init(struct rec_parser *p, const uint8_t *buf, size_t len);
void rec_parser_fini(struct rec_parser *p);

/*
 * Decodes the next event into *ev (valid until the next call).  After an
 * error every further call returns the same error.
 */
int rec_next(struct rec_parser *p, struct rec_event *ev);

/*
 * Copies len bytes at offset 'at' of payload d (whose blob indices refer to
 * blobs) out of the record buffer buf; returns 0, or -1 if out of range.
 */
int rec_data_read(const uint8_t *buf, const struct rec_blob *blobs,
		  const struct rec_data *d, uint64_t at, void *out, size_t len);

/* Names of draw types, cursor command types and image types. */
const char *rec_draw_name(int64_t type);
const char *rec_cmd_name(uint32_t type);

#endif /* REC_PARSE_H */
