/* SPDX-License-Identifier: MIT */
/*
 * The QXL device ABI: everything the guest and QEMU's QXL device (with the
 * spice-server behind it) agree on in memory and on the I/O ports.
 *
 * This is the one definition used by the kernel driver, the X driver, the
 * ring-traffic validator and the host-side tests.  It builds in the kernel
 * and in userspace: only <linux/types.h> fixed-width types are used.
 *
 * Layout rules: every structure is packed and little-endian, because the
 * device reads them byte for byte.  firmware-tests/abi_layout_test checks
 * every size and offset here against Debian's spice-protocol headers.
 */
#ifndef QXL_DEVICE_H
#define QXL_DEVICE_H

#include <linux/types.h>

#define QXL_PACKED __attribute__((__packed__))

/* PCI identity */
#define QXL_PCI_VENDOR_ID		0x1b36
#define QXL_PCI_DEVICE_ID		0x0100

/* PCI revisions (each adds I/O ports and fields, never removes) */
#define QXL_REVISION_V04		1
#define QXL_REVISION_V06		2
#define QXL_REVISION_V10		3
#define QXL_REVISION_V12		4	/* monitors config, client caps */
#define QXL_REVISION_V12_NO_VGA_RESET	5	/* QEMU: VGA writes keep native mode */

/* PCI BARs */
#define QXL_BAR_RAM			0	/* primary area, command pages, RAM header */
#define QXL_BAR_VRAM			1	/* 32-bit surface memory */
#define QXL_BAR_ROM			2
#define QXL_BAR_IO			3
#define QXL_BAR_VRAM64			4	/* 64-bit surface memory, optional */

#define QXL_ROM_MAGIC			0x4f525851	/* "QXRO" */
#define QXL_RAM_MAGIC			0x41525851	/* "QXRA" */

/* I/O port offsets into BAR3; all are written with single-byte writes. */
enum qxl_io_port {
	QXL_IO_NOTIFY_CMD = 0,
	QXL_IO_NOTIFY_CURSOR = 1,
	QXL_IO_UPDATE_AREA = 2,
	QXL_IO_UPDATE_IRQ = 3,
	QXL_IO_NOTIFY_OOM = 4,
	QXL_IO_RESET = 5,
	QXL_IO_SET_MODE = 6,
	QXL_IO_LOG = 7,
	QXL_IO_MEMSLOT_ADD = 8,
	QXL_IO_MEMSLOT_DEL = 9,
	QXL_IO_DETACH_PRIMARY = 10,
	QXL_IO_ATTACH_PRIMARY = 11,
	QXL_IO_CREATE_PRIMARY = 12,
	QXL_IO_DESTROY_PRIMARY = 13,
	QXL_IO_DESTROY_SURFACE_WAIT = 14,
	QXL_IO_DESTROY_ALL_SURFACES = 15,
	QXL_IO_UPDATE_AREA_ASYNC = 16,
	QXL_IO_MEMSLOT_ADD_ASYNC = 17,
	QXL_IO_CREATE_PRIMARY_ASYNC = 18,
	QXL_IO_DESTROY_PRIMARY_ASYNC = 19,
	QXL_IO_DESTROY_SURFACE_ASYNC = 20,
	QXL_IO_DESTROY_ALL_SURFACES_ASYNC = 21,
	QXL_IO_FLUSH_SURFACES_ASYNC = 22,
	QXL_IO_FLUSH_RELEASE = 23,
	QXL_IO_MONITORS_CONFIG_ASYNC = 24,
	QXL_IO_RANGE_SIZE = 25,
};

/* Interrupt bits in qxl_ram_header.int_pending / int_mask */
#define QXL_INTERRUPT_DISPLAY			(1U << 0)
#define QXL_INTERRUPT_CURSOR			(1U << 1)
#define QXL_INTERRUPT_IO_CMD			(1U << 2)
#define QXL_INTERRUPT_ERROR			(1U << 3)
#define QXL_INTERRUPT_CLIENT			(1U << 4)
#define QXL_INTERRUPT_CLIENT_MONITORS_CONFIG	(1U << 5)

/*
 * A device address: slot id in the top bits, then the slot generation,
 * then the offset inside the slot.  The bit widths come from the ROM.
 */
typedef __u64 qxl_phys;

struct qxl_point {
	__s32 x;
	__s32 y;
} QXL_PACKED;

struct qxl_point16 {
	__s16 x;
	__s16 y;
} QXL_PACKED;

/* 28.4 fixed point */
struct qxl_point_fix {
	__s32 x;
	__s32 y;
} QXL_PACKED;

/* Note the field order: top, left, bottom, right. */
struct qxl_rect {
	__s32 top;
	__s32 left;
	__s32 bottom;
	__s32 right;
} QXL_PACKED;

struct qxl_urect {
	__u32 top;
	__u32 left;
	__u32 bottom;
	__u32 right;
} QXL_PACKED;

/* ------------------------------------------------------------------ ROM */

#define QXL_CLIENT_CAPS_BYTES		58
#define QXL_CLIENT_MONITORS_MAX		64
#define QXL_MONITORS_CRC32_POLY		0xedb88320

struct qxl_client_monitors_config {
	__u16 count;
	__u16 padding;
	struct qxl_urect heads[QXL_CLIENT_MONITORS_MAX];
} QXL_PACKED;

struct qxl_rom {
	__u32 magic;
	__u32 id;
	__u32 update_id;
	__u32 compression_level;
	__u32 log_level;
	__u32 mode;
	__u32 modes_offset;
	__u32 num_pages;
	__u32 pages_offset;
	__u32 draw_area_offset;
	__u32 surface0_area_size;
	__u32 ram_header_offset;
	__u32 mm_clock;
	/* revision 2 */
	__u32 n_surfaces;
	__u64 flags;
	__u8 slots_start;
	__u8 slots_end;
	__u8 slot_gen_bits;
	__u8 slot_id_bits;
	__u8 slot_generation;
	/* revision 4 */
	__u8 client_present;
	__u8 client_capabilities[QXL_CLIENT_CAPS_BYTES];
	__u32 client_monitors_config_crc;
	struct qxl_client_monitors_config client_monitors_config;
} QXL_PACKED;

struct qxl_mode {
	__u32 id;
	__u32 x_res;
	__u32 y_res;
	__u32 bits;
	__u32 stride;
	__u32 x_mili;
	__u32 y_mili;
	__u32 orientation;
} QXL_PACKED;

/* Found at rom + modes_offset */
struct qxl_modes {
	__u32 n_modes;
	struct qxl_mode modes[];
} QXL_PACKED;

/* Bits of rom.client_capabilities, as spice-server numbers them */
#define QXL_CLIENT_CAP_SIZED_STREAM	0
#define QXL_CLIENT_CAP_MONITORS_CONFIG	1
#define QXL_CLIENT_CAP_COMPOSITE	2
#define QXL_CLIENT_CAP_A8_SURFACE	3

/* ------------------------------------------------------------ commands */

enum qxl_cmd_type {
	QXL_CMD_NOP = 0,
	QXL_CMD_DRAW = 1,
	QXL_CMD_UPDATE = 2,
	QXL_CMD_CURSOR = 3,
	QXL_CMD_MESSAGE = 4,
	QXL_CMD_SURFACE = 5,
};

struct qxl_command {
	qxl_phys data;
	__u32 type;
	__u32 padding;
} QXL_PACKED;

struct qxl_memslot {
	__u64 mem_start;
	__u64 mem_end;
} QXL_PACKED;

#define QXL_SURF_TYPE_PRIMARY		0
#define QXL_SURF_FLAG_KEEP_DATA		(1U << 0)

struct qxl_surface_create {
	__u32 width;
	__u32 height;
	__s32 stride;
	__u32 format;
	__u32 position;
	__u32 mouse_mode;
	__u32 flags;
	__u32 type;
	qxl_phys mem;
} QXL_PACKED;

/* ------------------------------------------------------- RAM header */

#define QXL_COMMAND_RING_SIZE		32
#define QXL_CURSOR_RING_SIZE		32
#define QXL_RELEASE_RING_SIZE		8
#define QXL_LOG_BUF_SIZE		4096

/*
 * Ring protocol: prod and cons are free-running counters, the slot is
 * index & (num_items - 1).  The side that would sleep on an empty/full ring
 * writes notify_on_prod/notify_on_cons, and the other side notifies when
 * its counter reaches that value.
 */
struct qxl_ring_header {
	__u32 num_items;
	__u32 prod;
	__u32 notify_on_prod;
	__u32 cons;
	__u32 notify_on_cons;
} QXL_PACKED;

struct qxl_command_ring {
	struct qxl_ring_header hdr;
	struct qxl_command items[QXL_COMMAND_RING_SIZE];
} QXL_PACKED;

struct qxl_release_ring {
	struct qxl_ring_header hdr;
	__u64 items[QXL_RELEASE_RING_SIZE];
} QXL_PACKED;

struct qxl_ram_header {
	__u32 magic;
	__u32 int_pending;
	__u32 int_mask;
	__u8 log_buf[QXL_LOG_BUF_SIZE];
	struct qxl_command_ring cmd_ring;
	struct qxl_command_ring cursor_ring;
	struct qxl_release_ring release_ring;
	struct qxl_rect update_area;
	/* revision 2 */
	__u32 update_surface;
	struct qxl_memslot mem_slot;
	struct qxl_surface_create create_surface;
	__u64 flags;
	/* revision 4 */
	qxl_phys monitors_config;
} QXL_PACKED __attribute__((__aligned__(4)));

/* -------------------------------------------------------- resources */

/*
 * Every command starts with this.  The guest writes an id; when the device
 * is done it links released commands through 'next' and pushes the head
 * onto the release ring.
 */
union qxl_release_info {
	__u64 id;
	__u64 next;
} QXL_PACKED;

struct qxl_data_chunk {
	__u32 data_size;
	qxl_phys prev_chunk;
	qxl_phys next_chunk;
	__u8 data[];
} QXL_PACKED;

struct qxl_message {
	union qxl_release_info release_info;
	__u8 data[];
} QXL_PACKED;

struct qxl_update_cmd {
	union qxl_release_info release_info;
	struct qxl_rect area;
	__u32 update_id;
	__u32 surface_id;
} QXL_PACKED;

/* cursor */

enum qxl_cursor_type {
	QXL_CURSOR_TYPE_ALPHA = 0,
	QXL_CURSOR_TYPE_MONO = 1,
	QXL_CURSOR_TYPE_COLOR4 = 2,
	QXL_CURSOR_TYPE_COLOR8 = 3,
	QXL_CURSOR_TYPE_COLOR16 = 4,
	QXL_CURSOR_TYPE_COLOR24 = 5,
	QXL_CURSOR_TYPE_COLOR32 = 6,
};

/* QEMU refuses cursor shapes larger than this in either direction */
#define QXL_CURSOR_MAX_SIZE		512

struct qxl_cursor_header {
	__u64 unique;
	__u16 type;
	__u16 width;
	__u16 height;
	__u16 hot_spot_x;
	__u16 hot_spot_y;
} QXL_PACKED;

struct qxl_cursor {
	struct qxl_cursor_header header;
	__u32 data_size;
	struct qxl_data_chunk chunk;
} QXL_PACKED;

enum qxl_cursor_cmd_type {
	QXL_CURSOR_SET = 0,
	QXL_CURSOR_MOVE = 1,
	QXL_CURSOR_HIDE = 2,
	QXL_CURSOR_TRAIL = 3,
};

#define QXL_CURSOR_DEVICE_DATA_SIZE	128

struct qxl_cursor_cmd {
	union qxl_release_info release_info;
	__u8 type;
	union {
		struct {
			struct qxl_point16 position;
			__u8 visible;
			qxl_phys shape;
		} QXL_PACKED set;
		struct {
			__u16 length;
			__u16 frequency;
		} QXL_PACKED trail;
		struct qxl_point16 position;
	} QXL_PACKED u;
	__u8 device_data[QXL_CURSOR_DEVICE_DATA_SIZE];
} QXL_PACKED;

/* drawables */

enum qxl_draw_type {
	QXL_DRAW_NOP = 0,
	QXL_DRAW_FILL = 1,
	QXL_DRAW_OPAQUE = 2,
	QXL_DRAW_COPY = 3,
	QXL_COPY_BITS = 4,
	QXL_DRAW_BLEND = 5,
	QXL_DRAW_BLACKNESS = 6,
	QXL_DRAW_WHITENESS = 7,
	QXL_DRAW_INVERS = 8,
	QXL_DRAW_ROP3 = 9,
	QXL_DRAW_STROKE = 10,
	QXL_DRAW_TEXT = 11,
	QXL_DRAW_TRANSPARENT = 12,
	QXL_DRAW_ALPHA_BLEND = 13,
	QXL_DRAW_COMPOSITE = 14,
};

enum qxl_effect {
	QXL_EFFECT_BLEND = 0,
	QXL_EFFECT_OPAQUE = 1,
	QXL_EFFECT_REVERT_ON_DUP = 2,
	QXL_EFFECT_BLACKNESS_ON_DUP = 3,
	QXL_EFFECT_WHITENESS_ON_DUP = 4,
	QXL_EFFECT_NOP_ON_DUP = 5,
	QXL_EFFECT_NOP = 6,
	QXL_EFFECT_OPAQUE_BRUSH = 7,
};

/* Raster operation descriptor bits (rop_descriptor fields) */
#define QXL_ROPD_INVERS_SRC		(1U << 0)
#define QXL_ROPD_INVERS_BRUSH		(1U << 1)
#define QXL_ROPD_INVERS_DEST		(1U << 2)
#define QXL_ROPD_OP_PUT			(1U << 3)
#define QXL_ROPD_OP_OR			(1U << 4)
#define QXL_ROPD_OP_AND			(1U << 5)
#define QXL_ROPD_OP_XOR			(1U << 6)
#define QXL_ROPD_OP_BLACKNESS		(1U << 7)
#define QXL_ROPD_OP_WHITENESS		(1U << 8)
#define QXL_ROPD_OP_INVERS		(1U << 9)
#define QXL_ROPD_INVERS_RES		(1U << 10)

enum qxl_brush_type {
	QXL_BRUSH_TYPE_NONE = 0,
	QXL_BRUSH_TYPE_SOLID = 1,
	QXL_BRUSH_TYPE_PATTERN = 2,
};

enum qxl_clip_type {
	QXL_CLIP_TYPE_NONE = 0,
	QXL_CLIP_TYPE_RECTS = 1,
};

#define QXL_MASK_FLAGS_INVERS		(1U << 0)

enum qxl_scale_mode {
	QXL_SCALE_MODE_INTERPOLATE = 0,
	QXL_SCALE_MODE_NEAREST = 1,
};

struct qxl_pattern {
	qxl_phys pat;
	struct qxl_point pos;
} QXL_PACKED;

struct qxl_brush {
	__u32 type;
	union {
		__u32 color;
		struct qxl_pattern pattern;
	} QXL_PACKED u;
} QXL_PACKED;

struct qxl_q_mask {
	__u8 flags;
	struct qxl_point pos;
	qxl_phys bitmap;
} QXL_PACKED;

struct qxl_fill {
	struct qxl_brush brush;
	__u16 rop_descriptor;
	struct qxl_q_mask mask;
} QXL_PACKED;

struct qxl_opaque {
	qxl_phys src_bitmap;
	struct qxl_rect src_area;
	struct qxl_brush brush;
	__u16 rop_descriptor;
	__u8 scale_mode;
	struct qxl_q_mask mask;
} QXL_PACKED;

/* Also the layout of QXL_DRAW_BLEND */
struct qxl_copy {
	qxl_phys src_bitmap;
	struct qxl_rect src_area;
	__u16 rop_descriptor;
	__u8 scale_mode;
	struct qxl_q_mask mask;
} QXL_PACKED;

struct qxl_transparent {
	qxl_phys src_bitmap;
	struct qxl_rect src_area;
	__u32 src_color;
	__u32 true_color;
} QXL_PACKED;

#define QXL_ALPHA_FLAGS_DEST_HAS_ALPHA		(1U << 0)
#define QXL_ALPHA_FLAGS_SRC_SURFACE_HAS_ALPHA	(1U << 1)

struct qxl_alpha_blend {
	__u16 alpha_flags;
	__u8 alpha;
	qxl_phys src_bitmap;
	struct qxl_rect src_area;
} QXL_PACKED;

struct qxl_copy_bits {
	struct qxl_point src_pos;
} QXL_PACKED;

struct qxl_rop3 {
	qxl_phys src_bitmap;
	struct qxl_rect src_area;
	struct qxl_brush brush;
	__u8 rop3;
	__u8 scale_mode;
	struct qxl_q_mask mask;
} QXL_PACKED;

#define QXL_LINE_FLAGS_START_WITH_GAP	(1U << 2)
#define QXL_LINE_FLAGS_STYLED		(1U << 3)

struct qxl_line_attr {
	__u8 flags;
	__u8 join_style;
	__u8 end_style;
	__u8 style_nseg;
	__s32 width;
	__s32 miter_limit;
	qxl_phys style;
} QXL_PACKED;

struct qxl_stroke {
	qxl_phys path;
	struct qxl_line_attr attr;
	struct qxl_brush brush;
	__u16 fore_mode;
	__u16 back_mode;
} QXL_PACKED;

#define QXL_PATH_BEGIN			(1U << 0)
#define QXL_PATH_END			(1U << 1)
#define QXL_PATH_CLOSE			(1U << 3)
#define QXL_PATH_BEZIER			(1U << 4)

struct qxl_path_seg {
	__u32 flags;
	__u32 count;
	struct qxl_point_fix points[];
} QXL_PACKED;

struct qxl_path {
	__u32 data_size;
	struct qxl_data_chunk chunk;
} QXL_PACKED;

struct qxl_text {
	qxl_phys str;
	struct qxl_rect back_area;
	struct qxl_brush fore_brush;
	struct qxl_brush back_brush;
	__u16 fore_mode;
	__u16 back_mode;
} QXL_PACKED;

#define QXL_STRING_FLAGS_RASTER_A1		(1U << 0)
#define QXL_STRING_FLAGS_RASTER_A4		(1U << 1)
#define QXL_STRING_FLAGS_RASTER_A8		(1U << 2)
#define QXL_STRING_FLAGS_RASTER_TOP_DOWN	(1U << 3)

struct qxl_raster_glyph {
	struct qxl_point render_pos;
	struct qxl_point glyph_origin;
	__u16 width;
	__u16 height;
	__u8 data[];
} QXL_PACKED;

struct qxl_string {
	__u32 data_size;
	__u16 length;
	__u16 flags;
	struct qxl_data_chunk chunk;
} QXL_PACKED;

/* Also the layout of QXL_DRAW_INVERS and QXL_DRAW_WHITENESS */
struct qxl_blackness {
	struct qxl_q_mask mask;
} QXL_PACKED;

/* Render operators of QXL_DRAW_COMPOSITE, as pixman numbers them */
enum qxl_composite_op {
	QXL_OP_CLEAR = 0x00,
	QXL_OP_SOURCE = 0x01,
	QXL_OP_DST = 0x02,
	QXL_OP_OVER = 0x03,
	QXL_OP_OVER_REVERSE = 0x04,
	QXL_OP_IN = 0x05,
	QXL_OP_IN_REVERSE = 0x06,
	QXL_OP_OUT = 0x07,
	QXL_OP_OUT_REVERSE = 0x08,
	QXL_OP_ATOP = 0x09,
	QXL_OP_ATOP_REVERSE = 0x0a,
	QXL_OP_XOR = 0x0b,
	QXL_OP_ADD = 0x0c,
	QXL_OP_SATURATE = 0x0d,
	QXL_OP_MULTIPLY = 0x30,
	QXL_OP_SCREEN = 0x31,
	QXL_OP_OVERLAY = 0x32,
	QXL_OP_DARKEN = 0x33,
	QXL_OP_LIGHTEN = 0x34,
	QXL_OP_COLOR_DODGE = 0x35,
	QXL_OP_COLOR_BURN = 0x36,
	QXL_OP_HARD_LIGHT = 0x37,
	QXL_OP_SOFT_LIGHT = 0x38,
	QXL_OP_DIFFERENCE = 0x39,
	QXL_OP_EXCLUSION = 0x3a,
	QXL_OP_HSL_HUE = 0x3b,
	QXL_OP_HSL_SATURATION = 0x3c,
	QXL_OP_HSL_COLOR = 0x3d,
	QXL_OP_HSL_LUMINOSITY = 0x3e,
};

/*
 * qxl_composite.flags: bits 0-7 operator, 8-10 source filter,
 * 11-13 mask filter, 14-15 source repeat, 16-17 mask repeat, then flags.
 */
#define QXL_COMPOSITE_OP_SHIFT			0
#define QXL_COMPOSITE_SRC_FILTER_SHIFT		8
#define QXL_COMPOSITE_MASK_FILTER_SHIFT		11
#define QXL_COMPOSITE_SRC_REPEAT_SHIFT		14
#define QXL_COMPOSITE_MASK_REPEAT_SHIFT		16
#define QXL_COMPOSITE_COMPONENT_ALPHA		(1U << 18)
#define QXL_COMPOSITE_HAS_MASK			(1U << 19)
#define QXL_COMPOSITE_HAS_SRC_TRANSFORM		(1U << 20)
#define QXL_COMPOSITE_HAS_MASK_TRANSFORM	(1U << 21)
#define QXL_COMPOSITE_SOURCE_OPAQUE		(1U << 22)
#define QXL_COMPOSITE_MASK_OPAQUE		(1U << 23)
#define QXL_COMPOSITE_DEST_OPAQUE		(1U << 24)

/* 16.16 fixed-point affine matrix, first two rows */
struct qxl_transform {
	__u32 t00;
	__u32 t01;
	__u32 t02;
	__u32 t10;
	__u32 t11;
	__u32 t12;
} QXL_PACKED;

struct qxl_composite {
	__u32 flags;
	qxl_phys src;
	qxl_phys src_transform;
	qxl_phys mask;
	qxl_phys mask_transform;
	struct qxl_point16 src_origin;
	struct qxl_point16 mask_origin;
} QXL_PACKED;

struct qxl_clip {
	__u32 type;
	qxl_phys data;
} QXL_PACKED;

struct qxl_clip_rects {
	__u32 num_rects;
	struct qxl_data_chunk chunk;
} QXL_PACKED;

struct qxl_drawable {
	union qxl_release_info release_info;
	__u32 surface_id;
	__u8 effect;
	__u8 type;
	__u8 self_bitmap;
	struct qxl_rect self_bitmap_area;
	struct qxl_rect bbox;
	struct qxl_clip clip;
	__u32 mm_time;
	__s32 surfaces_dest[3];
	struct qxl_rect surfaces_rects[3];
	union {
		struct qxl_fill fill;
		struct qxl_opaque opaque;
		struct qxl_copy copy;
		struct qxl_transparent transparent;
		struct qxl_alpha_blend alpha_blend;
		struct qxl_copy_bits copy_bits;
		struct qxl_copy blend;
		struct qxl_rop3 rop3;
		struct qxl_stroke stroke;
		struct qxl_text text;
		struct qxl_blackness blackness;
		struct qxl_blackness invers;
		struct qxl_blackness whiteness;
		struct qxl_composite composite;
	} QXL_PACKED u;
} QXL_PACKED;

/* surfaces */

enum qxl_surface_fmt {
	QXL_SURFACE_FMT_INVALID = 0,
	QXL_SURFACE_FMT_1_A = 1,
	QXL_SURFACE_FMT_8_A = 8,
	QXL_SURFACE_FMT_16_555 = 16,
	QXL_SURFACE_FMT_32_XRGB = 32,
	QXL_SURFACE_FMT_16_565 = 80,
	QXL_SURFACE_FMT_32_ARGB = 96,
};

enum qxl_surface_cmd_type {
	QXL_SURFACE_CMD_CREATE = 0,
	QXL_SURFACE_CMD_DESTROY = 1,
};

struct qxl_surface {
	__u32 format;
	__u32 width;
	__u32 height;
	__s32 stride;
	qxl_phys data;
} QXL_PACKED;

struct qxl_surface_cmd {
	union qxl_release_info release_info;
	__u32 surface_id;
	__u8 type;
	__u32 flags;
	union {
		struct qxl_surface surface_create;
	} QXL_PACKED u;
} QXL_PACKED;

/* images */

enum qxl_image_type {
	QXL_IMAGE_TYPE_BITMAP = 0,
	QXL_IMAGE_TYPE_QUIC = 1,
	QXL_IMAGE_TYPE_LZ_PLT = 100,
	QXL_IMAGE_TYPE_LZ_RGB = 101,
	QXL_IMAGE_TYPE_GLZ_RGB = 102,
	QXL_IMAGE_TYPE_FROM_CACHE = 103,
	QXL_IMAGE_TYPE_SURFACE = 104,
	QXL_IMAGE_TYPE_JPEG = 105,
};

/* qxl_image_descriptor.flags */
#define QXL_IMAGE_CACHE			(1U << 0)
#define QXL_IMAGE_HIGH_BITS_SET		(1U << 1)

enum qxl_image_group {
	QXL_IMAGE_GROUP_DRIVER = 0,
	QXL_IMAGE_GROUP_DEVICE = 1,
	QXL_IMAGE_GROUP_RED = 2,
	QXL_IMAGE_GROUP_DRIVER_DONT_CACHE = 3,
};

/* image id: unique in the high 32 bits, group in the low 32 */
#define QXL_IMAGE_ID(group, unique)	(((__u64)(unique) << 32) | (group))

enum qxl_bitmap_fmt {
	QXL_BITMAP_FMT_INVALID = 0,
	QXL_BITMAP_FMT_1BIT_LE = 1,
	QXL_BITMAP_FMT_1BIT_BE = 2,
	QXL_BITMAP_FMT_4BIT_LE = 3,
	QXL_BITMAP_FMT_4BIT_BE = 4,
	QXL_BITMAP_FMT_8BIT = 5,
	QXL_BITMAP_FMT_16BIT = 6,
	QXL_BITMAP_FMT_24BIT = 7,
	QXL_BITMAP_FMT_32BIT = 8,
	QXL_BITMAP_FMT_RGBA = 9,
	QXL_BITMAP_FMT_8BIT_A = 10,
};

/* qxl_bitmap.flags */
#define QXL_BITMAP_DIRECT		(1U << 0)
#define QXL_BITMAP_UNSTABLE		(1U << 1)
#define QXL_BITMAP_TOP_DOWN		(1U << 2)

struct qxl_image_descriptor {
	__u64 id;
	__u8 type;
	__u8 flags;
	__u32 width;
	__u32 height;
} QXL_PACKED;

struct qxl_palette {
	__u64 unique;
	__u16 num_ents;
	__u32 ents[];
} QXL_PACKED;

/*
 * data points at a qxl_data_chunk list unless QXL_BITMAP_DIRECT is set, in
 * which case it points at the pixels themselves.
 */
struct qxl_bitmap {
	__u8 format;
	__u8 flags;
	__u32 x;
	__u32 y;
	__u32 stride;
	qxl_phys palette;
	qxl_phys data;
} QXL_PACKED;

struct qxl_surface_id {
	__u32 surface_id;
} QXL_PACKED;

struct qxl_quic_data {
	__u32 data_size;
	__u8 data[];
} QXL_PACKED;

struct qxl_image {
	struct qxl_image_descriptor descriptor;
	union {
		struct qxl_bitmap bitmap;
		struct qxl_quic_data quic;
		struct qxl_surface_id surface_image;
	} QXL_PACKED u;
} QXL_PACKED;

/* monitors config sent by the driver (QXL_IO_MONITORS_CONFIG_ASYNC) */

struct qxl_head {
	__u32 id;
	__u32 surface_id;
	__u32 width;
	__u32 height;
	__u32 x;
	__u32 y;
	__u32 flags;
} QXL_PACKED;

struct qxl_monitors_config {
	__u16 count;
	__u16 max_allowed;
	struct qxl_head heads[];
} QXL_PACKED;

#endif /* QXL_DEVICE_H */
