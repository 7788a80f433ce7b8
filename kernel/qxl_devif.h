/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Device interface: the checks and arithmetic applied to everything the
 * QXL device presents to the guest (ROM, mode list, RAM header, ring
 * indices, release ids, client monitors config).
 *
 * Plain C with no kernel dependencies, so the same objects build into
 * qxl.ko and into the host-side unit tests and fuzzers in firmware-tests/.
 * Nothing here touches device memory: callers pass copies or values they
 * read once (READ_ONCE in the kernel), so a value cannot change between
 * its check and its use.
 *
 * Every check returns 0 or a negative errno and, on failure, points *why
 * at a static string naming the field and the rule it broke, for the
 * caller's log line (on success *why is ""):
 *   -ENODEV  not a usable QXL device (magic, revision < 4, missing BAR,
 *            RAM header after reset);
 *   -EINVAL  a ROM or client monitors config value out of range;
 *   -EIO     ring counters or a release chain the device corrupted;
 *   -EAGAIN  client monitors config CRC mismatch (read it again).
 */
#ifndef QXL_DEVIF_H
#define QXL_DEVIF_H

/*
 * The device's monitors-config CRC is the kernel's crc32_le() with seed 0
 * (reflected 0xedb88320, no final xor).  On the host, zlib's crc32()
 * computes the same CRC with the register inverted before and after.
 */
#include "qxl_devif_types.h"

#ifdef __KERNEL__
#include <linux/crc32.h>
#include <linux/errno.h>
#else
#include <errno.h>
#include <zlib.h>

static inline u32 crc32_le(u32 crc, const unsigned char *p, size_t len)
{
	return ~(u32)crc32(~crc, p, len);
}
#endif

#include "qxl_device.h"
#include "qxl_devif_siphash.h"

/* Largest width or height the driver will ever program. */
#define QXL_DEVIF_MAX_DIM	8192
/* Largest right/bottom edge of a client head (positions stay int-sized). */
#define QXL_DEVIF_MAX_POS	0x7fffffffU
/* More surface ids than this in the ROM is a broken device, not a big one. */
#define QXL_DEVIF_MAX_SURFACES	65536

/* Sizes of the BARs as the PCI core reports them (0: BAR absent). */
struct qxl_devif_bars {
	u64 ram_size;		/* BAR0 */
	u64 vram_size;		/* BAR1 */
	u64 rom_size;		/* BAR2 */
	u64 io_size;		/* BAR3 */
	u64 vram64_size;	/* BAR4, 0 when absent */
};

/* The device's layout after validation; every field is safe to use. */
struct qxl_devif_layout {
	u32 revision;
	u32 surface0_offset;	/* primary area inside BAR0 */
	u32 surface0_size;
	u32 pages_offset;	/* command/resource pages inside BAR0 */
	u32 pages_size;
	u32 ram_header_offset;	/* struct qxl_ram_header inside BAR0 */
	u32 n_surfaces;		/* surface ids 0..n_surfaces-1, 0 = primary */
	u32 n_modes;
	u8 slots_start;
	u8 slots_end;
	u8 slot_gen_bits;
	u8 slot_id_bits;
	u8 slot_generation;
	u8 io_ports;		/* number of usable I/O ports for the revision */
};

/*
 * Check a copy of the ROM (rom_len bytes of BAR2, at least sizeof(struct
 * qxl_rom), at most bars->rom_size) against the BAR sizes and the PCI
 * revision, including the mode list at modes_offset, and fill *layout
 * (left untouched on failure).  Modes must be 16/32 bpp, at most
 * QXL_DEVIF_MAX_DIM and fit the surface0 area.
 */
int qxl_devif_rom_check(const void *rom, size_t rom_len, u32 revision,
			const struct qxl_devif_bars *bars,
			struct qxl_devif_layout *layout, const char **why);

/* Mode i of a ROM copy already accepted by qxl_devif_rom_check(). */
const struct qxl_mode *qxl_devif_rom_mode(const void *rom,
					  const struct qxl_devif_layout *layout,
					  u32 i);

/* Check the RAM header's magic, ring sizes and ring indices after a reset. */
int qxl_devif_ram_header_check(const struct qxl_ram_header *ram,
			       const char **why);

/*
 * Device address of offset in memslot slot_index (0-based from slots_start).
 * Offset bits above the layout's offset width are dropped.
 */
qxl_phys qxl_devif_phys(const struct qxl_devif_layout *layout,
			u32 slot_index, u64 offset);

/*
 * Ring indices.  prod and cons are free-running; a well-behaved peer keeps
 * 0 <= prod - cons <= num_items (mod 2^32) and never moves its own counter
 * backwards.  peer_old is the peer's counter as last seen, peer_new as just
 * read.
 */
int qxl_devif_ring_check(u32 num_items, u32 prod, u32 cons, const char **why);
/* Free slots for the guest as producer; < 0 when the indices are corrupt. */
int qxl_devif_ring_space(u32 num_items, u32 prod, u32 cons, const char **why);
/* Filled slots for the guest as consumer; < 0 when corrupt. */
int qxl_devif_ring_pending(u32 num_items, u32 prod, u32 cons, const char **why);
/* 0 when the peer moved its counter forward by 0..num_items, else -EIO. */
int qxl_devif_ring_peer_advance(u32 num_items, u32 peer_old, u32 peer_new,
				const char **why);
static inline u32 qxl_devif_ring_slot(u32 num_items, u32 index)
{
	return index & (num_items - 1);
}

/*
 * Release ids.  The driver hands out ids; the device returns chains of
 * them through the release ring and qxl_release_info.next.  The walker
 * resolves each id with lookup() (0 when the id is outstanding, and the
 * id of the next element of the chain in *next, 0 at the end) and calls
 * release() only after the whole chain has been checked: an unknown id, an
 * id seen twice, or a chain longer than max_len rejects the chain and
 * frees nothing.
 */
struct qxl_devif_release_ops {
	int (*lookup)(void *ctx, u64 id, u64 *next);
	void (*release)(void *ctx, u64 id);
};

/*
 * Returns 0 when the whole chain was released.  lookup() is called twice
 * per id (check pass, then release pass, where next is fetched before
 * release()); a lookup failing in the second pass (device rewrote the
 * chain) stops the walk with -EIO after the ids already released.
 * first_id 0 is refused.
 */
int qxl_devif_release_chain(u64 first_id, u32 max_len,
			    const struct qxl_devif_release_ops *ops, void *ctx,
			    const char **why);

/* Client monitors config (ROM, revision >= 4), read on its interrupt. */
struct qxl_devif_client_head {
	u32 x;
	u32 y;
	u32 width;	/* 0: head disabled */
	u32 height;
};

struct qxl_devif_client_config {
	u32 count;	/* heads[] used, <= max_heads */
	struct qxl_devif_client_head heads[QXL_CLIENT_MONITORS_MAX];
};

/*
 * Validate crc and config (copied from the ROM) and keep at most max_heads
 * heads; heads beyond those are ignored, not checked.  A head of zero width
 * or height is disabled (all four values 0 in *out); out->heads[] past
 * out->count are zeroed.  *out is written only on success.  -EAGAIN on a
 * CRC mismatch (the device may be mid-update: retry), -EINVAL on
 * impossible contents.
 */
int qxl_devif_client_monitors_parse(u32 crc,
				    const struct qxl_client_monitors_config *cfg,
				    u32 max_heads,
				    struct qxl_devif_client_config *out,
				    const char **why);

#endif /* QXL_DEVIF_H */
