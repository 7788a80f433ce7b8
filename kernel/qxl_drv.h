/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * qxl.ko: DRM/KMS driver for QEMU's QXL paravirtual display device.
 *
 * The driver talks to the device through three channels: rings in the RAM
 * header (command, cursor, release), I/O ports (notifications and the
 * asynchronous operations), and device memory in BAR0 holding the commands
 * and the data they point at.  Scan-out is the device's primary surface in
 * the BAR0 primary area; framebuffers live in system memory and damaged
 * rectangles are uploaded as draw-copy commands.
 */
#ifndef QXL_DRV_H
#define QXL_DRV_H

#include <linux/dma-fence.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_mm.h>
#include <drm/drm_plane.h>

#include "qxl_devif.h"

#define DRIVER_NAME		"qxl"
#define DRIVER_DESC		"QXL paravirtual display"
#define DRIVER_DATE		"20261122"
#define DRIVER_MAJOR		1
#define DRIVER_MINOR		0

/* Upper bound of the num_heads module parameter. */
#define QXL_MAX_HEADS		16

/* Largest cursor image accepted (the device allows more, X uses 64). */
#define QXL_CURSOR_MAX_DIM	256

/*
 * An asynchronous I/O that has not completed after QXL_IO_TIMEOUT, with the
 * device taking no command and handing back no release meanwhile, has the
 * device reset.  A device still working (an UPDATE_AREA renders whatever
 * clients queued first) gets more time, up to QXL_IO_BUSY_LIMIT.
 */
#define QXL_IO_TIMEOUT		(5 * HZ)
#define QXL_IO_BUSY_LIMIT	(60 * HZ)

/* How long to wait for a ring slot or for device memory before giving up on the device. */
#define QXL_WAIT_TIMEOUT	(10 * HZ)

/*
 * A wait on the device that tells slow from stuck: it expires after
 * 'quiet' jiffies in which the device took no command and handed back no
 * release, or after QXL_IO_BUSY_LIMIT in all.
 */
struct qxl_busy_watch {
	unsigned long start;
	unsigned long last_progress;
	u32 cmd_cons, cursor_cons, release_prod;
};

struct qxl_device;

enum qxl_ring_id {
	QXL_RING_DISPLAY,
	QXL_RING_CURSOR,
	QXL_RING_COUNT,
};

/* A command or cursor ring, the guest being the producer. */
struct qxl_ring {
	struct qxl_device *qdev;
	const char *name;
	struct qxl_command_ring __iomem *ring;
	u8 notify_port;
	/* Serialises producers; prod is our own copy of the free-running index. */
	struct mutex lock;
	u32 prod;
	wait_queue_head_t wq;		/* woken by the ring's interrupt */
	u64 pushed;			/* commands pushed since probe */
	u64 waits;			/* times a producer found the ring full */
};

/*
 * A release is one command submitted to the device, together with the
 * device memory holding it and whatever it points at (images, clip lists,
 * cursor shapes).  The device hands its id back through the release ring
 * when it no longer reads that memory; only then is the memory freed and
 * the fence signalled.
 */
struct qxl_release {
	struct dma_fence fence;
	struct qxl_device *qdev;
	struct drm_mm_node node;
	u32 id;
	enum qxl_ring_id ring;
	u32 size;
};

/* The device's view of where each head sits on the shared primary surface. */
struct qxl_crtc_state {
	struct drm_crtc_state base;
	u32 x;			/* left edge of this head on the primary */
	u32 primary_width;	/* size of the primary the head belongs to */
	u32 primary_height;
	bool layout_changed;	/* primary re-created: every head is redrawn */
};

struct qxl_output {
	struct drm_plane primary;
	struct drm_plane *cursor;
	struct drm_crtc crtc;
	struct drm_encoder encoder;
	struct drm_connector connector;
	unsigned int index;

	/* emulated vblank */
	struct hrtimer vblank_timer;
	ktime_t vblank_period;
	bool vblank_on;

	/* the primary's shadow holds what this head shows (qxl_draw.c) */
	bool shadow_valid;

	/* this head's cursor plane shows a cursor */
	bool cursor_visible;
};

/* The device's one cursor as last sent (under cursor_lock). */
struct qxl_cursor_image {
	u32 width, height;	/* 0: pixels not known */
	s32 hot_x, hot_y;
	s32 x, y;		/* on the primary, hotspot included */
	void *pixels;		/* width * height ARGB8888, kvmalloc'd */
	size_t alloc;		/* bytes at pixels */
};

struct qxl_irq_stats {
	atomic_t total;
	atomic_t display;
	atomic_t cursor;
	atomic_t io_cmd;
	atomic_t error;
	atomic_t client_monitors;
};

struct qxl_device {
	struct drm_device drm;
	struct pci_dev *pdev;

	/* hardware, validated at probe */
	struct qxl_devif_layout layout;
	struct qxl_rom *rom_copy;		/* ROM as checked at probe */
	const struct qxl_rom __iomem *rom;	/* live ROM: mm_clock, client config */
	struct qxl_ram_header __iomem *ram_header;
	void __iomem *pages;			/* BAR0 pages area, WC */
	unsigned long io_base;
	resource_size_t ram_base;		/* bus address of BAR0 */
	resource_size_t surf_base;		/* bus address of the surface BAR */
	resource_size_t surf_size;
	u8 main_slot;				/* memslot index of BAR0 */
	u8 surf_slot;				/* memslot index of the surface BAR */
	bool vga_locked;

	/* interrupts */
	bool irq_armed;				/* handler may touch the device */
	u32 int_mask;
	struct qxl_irq_stats irqs;

	/* asynchronous I/O: one operation in flight at most */
	struct mutex io_lock;
	wait_queue_head_t io_wq;
	atomic_t io_done;
	bool dead;				/* faulted: waiters give up until reset */
	bool resetting;				/* the reset's own I/O may pass */
	bool recovering;			/* faulted until the display is back */
	struct task_struct *recovery_task;	/* the recovery, which may use it */
	atomic_t faults;			/* counts faults: one during a reset voids it */
	/*
	 * Held (irqsave) across every write of a ring index the device reads
	 * (command and cursor prod, release cons), each after checking for a
	 * fault, and by the interrupt handler while it marks the device dead
	 * before its reset: an index computed before that reset and written
	 * after it would make the device pop or push stale slots.
	 */
	spinlock_t index_lock;

	/* recovery from device faults (qxl_recovery.c) */
	struct work_struct recovery_work;
	struct drm_atomic_state *recovery_state; /* its commit tail resets */
	const char *recovery_why;		/* the fault, for the log line */
	u32 recovery_failures;			/* resets in a row that failed */
	u32 recoveries;
	atomic_t drop_io_cmd;			/* test: ignore the next IO_CMD */
	bool error_hold;			/* test: guest bugs wait (index_lock) */
	bool error_held;			/* test: one waited */
	u32 errors_late;			/* test: guest bugs handled late */
	u64 late_commands_retracted;		/* test: taken back by those */

	/* rings */
	struct qxl_ring rings[QXL_RING_COUNT];

	/* releases */
	spinlock_t release_lock;		/* release_idr, fence lock */
	struct idr release_idr;
	u32 releases_outstanding;
	struct mutex release_ring_lock;		/* release ring consumer */
	u32 release_cons;
	wait_queue_head_t release_wq;
	struct work_struct release_work;
	u64 releases_freed;
	u64 release_chains_rejected;
	u64 release_ids_unknown;		/* of those: id never issued, or freed */
	u64 release_ids_unsubmitted;		/* id allocated, not yet submitted */

	/* device memory (BAR0 pages area) */
	struct mutex vram_lock;
	struct drm_mm vram_mm;
	u64 vram_used;
	u64 vram_peak;
	u64 vram_oom_waits;

	/* primary surface */
	struct mutex primary_lock;		/* also serialises uploads */
	bool primary_created;
	u32 primary_width;
	u32 primary_height;
	u32 *shadow;				/* what uploads put on it (qxl_draw.c) */
	u32 shadow_seq;				/* display ring position after them */
	u64 image_id_key;			/* keys uploads' cache ids (qxl_draw.c) */
	u64 client_image_key[2];		/* keys client images' ids (qxl_execbuf.c) */

	/* monitors config sent to the device */
	struct drm_mm_node monitors_node;
	bool monitors_sent;

	/* monitors config requested by the client */
	struct mutex client_lock;
	struct qxl_devif_client_config client;
	bool client_valid;
	struct work_struct client_work;

	/* KMS */
	unsigned int num_heads;
	struct qxl_output *outputs[QXL_MAX_HEADS];
	bool kms_ready;				/* every output initialised */
	struct mutex cursor_lock;		/* the two below and cursor commands */
	struct qxl_output *cursor_owner;	/* whose cursor the device shows */
	struct qxl_cursor_image cursor_image;	/* what it shows, if it shows one */
	u64 bytes_uploaded;
	u64 draws;

	/* userspace buffers and surfaces (qxl_objects.h) */
	struct qxl_objects *objs;
};

/*
 * qxl_fbdev_write_fix.c: the fbdev emulation's write() of one scanline up
 * to its end damages nothing (6.1 and 6.12); wrapped while our
 * framebuffer is shown, its own operations given back at removal.
 */
void qxl_fbdev_write_fix_apply(struct drm_device *dev);
void qxl_fbdev_write_fix_undo(struct drm_device *dev);

/* qxl_dumb.c */
int qxl_dumb_check_param(struct device *dev);
int qxl_dumb_create(struct drm_file *file, struct drm_device *dev,
		    struct drm_mode_create_dumb *args);
u64 qxl_dumb_mem_used(void);
u64 qxl_dumb_mem_limit(void);

/*
 * Set in the image cache ids of the kernel's own uploads (qxl_draw.c),
 * whose keyed hash no client can compute; clear in the ids the kernel
 * gives client images (qxl_execbuf.c).
 */
#define QXL_IMAGE_ID_KERNEL	BIT_ULL(63)

static inline struct qxl_device *to_qxl(struct drm_device *dev)
{
	return container_of(dev, struct qxl_device, drm);
}

static inline struct qxl_output *crtc_to_output(struct drm_crtc *crtc)
{
	return container_of(crtc, struct qxl_output, crtc);
}

static inline struct qxl_crtc_state *to_qxl_crtc_state(struct drm_crtc_state *state)
{
	return container_of(state, struct qxl_crtc_state, base);
}

extern int qxl_num_heads;

/* qxl_device.c */
int qxl_device_check(struct qxl_device *qdev);
int qxl_device_init(struct qxl_device *qdev);
void qxl_device_fini(struct qxl_device *qdev);
int qxl_device_reinit(struct qxl_device *qdev);
qxl_phys qxl_device_phys(struct qxl_device *qdev, u64 bar0_offset);

/* qxl_io.c */
int qxl_io_async(struct qxl_device *qdev, enum qxl_io_port port, u8 val);
void qxl_busy_watch_start(struct qxl_device *qdev, struct qxl_busy_watch *w);
bool qxl_busy_watch_expired(struct qxl_device *qdev, struct qxl_busy_watch *w,
			    unsigned long quiet);
int qxl_io_async_locked(struct qxl_device *qdev, enum qxl_io_port port, u8 val);
void qxl_io_notify(struct qxl_device *qdev, enum qxl_io_port port);
void qxl_io_reset(struct qxl_device *qdev);
int qxl_io_memslot_add(struct qxl_device *qdev, u8 slot, resource_size_t start,
		       resource_size_t end);

/* qxl_irq.c */
int qxl_irq_init(struct qxl_device *qdev);
void qxl_irq_arm(struct qxl_device *qdev);
void qxl_irq_disarm(struct qxl_device *qdev);

/* qxl_ring.c */
void qxl_ring_init(struct qxl_device *qdev, enum qxl_ring_id id);
void qxl_ring_reset(struct qxl_ring *ring);
u32 qxl_ring_retract(struct qxl_ring *ring);
int qxl_ring_push_locked(struct qxl_ring *ring, qxl_phys data, u32 type, u32 *seq);
int qxl_ring_wait_consumed(struct qxl_ring *ring, u32 seq);
void qxl_ring_fill(struct qxl_ring *ring, u32 *used, u32 *size);

/* qxl_vram.c */
void qxl_vram_init(struct qxl_device *qdev);
void qxl_vram_fini(struct qxl_device *qdev);
int qxl_vram_alloc(struct qxl_device *qdev, u64 size, struct drm_mm_node *node);
void qxl_vram_free(struct qxl_device *qdev, struct drm_mm_node *node);
void __iomem *qxl_vram_ptr(struct qxl_device *qdev, const struct drm_mm_node *node);
qxl_phys qxl_vram_phys(struct qxl_device *qdev, const struct drm_mm_node *node,
		       u64 offset);

/* qxl_release.c: the command submission API */
void qxl_release_init(struct qxl_device *qdev);
void qxl_release_fini(struct qxl_device *qdev);
struct qxl_release *qxl_release_alloc(struct qxl_device *qdev, enum qxl_ring_id ring,
				      u32 size);
void __iomem *qxl_release_ptr(struct qxl_release *release, u32 offset);
qxl_phys qxl_release_phys(struct qxl_release *release, u32 offset);
int qxl_release_submit(struct qxl_release *release, u32 cmd_type, u32 *seq);
int qxl_release_submit_fence(struct qxl_release *release, u32 cmd_type, u32 *seq,
			     struct dma_fence **fence);
void qxl_release_init_work(struct qxl_device *qdev);
void qxl_release_discard(struct qxl_release *release);
void qxl_release_collect(struct qxl_device *qdev);
int qxl_release_wait_idle(struct qxl_device *qdev);
void qxl_release_forget_all(struct qxl_device *qdev);
void qxl_release_ring_reset(struct qxl_device *qdev);

/* qxl_primary.c */
int qxl_primary_create(struct qxl_device *qdev, u32 width, u32 height);
int qxl_primary_destroy(struct qxl_device *qdev);
bool qxl_primary_fits(struct qxl_device *qdev, u32 width, u32 height);

/* qxl_draw.c */
struct iosys_map;
int qxl_draw_copy(struct qxl_device *qdev, struct qxl_output *output,
		  const struct iosys_map *map, const struct drm_framebuffer *fb,
		  const struct drm_rect *clip, int dst_x, int dst_y, bool whole);
int qxl_draw_black(struct qxl_device *qdev, struct qxl_output *output,
		   int dst_x, int dst_y, u32 w, u32 h);

/* qxl_kms.c */
int qxl_kms_init(struct qxl_device *qdev);

/* qxl_plane.c */
extern const u64 qxl_plane_format_modifiers[];
struct qxl_output *qxl_plane_init(struct qxl_device *qdev, unsigned int index);

/* qxl_cursor.c */
int qxl_cursor_device_init(struct qxl_device *qdev);
int qxl_cursor_init(struct qxl_device *qdev, struct qxl_output *output);

/* qxl_crtc.c */
int qxl_crtc_init(struct qxl_device *qdev, struct qxl_output *output);
enum drm_mode_status qxl_mode_fits(struct qxl_device *qdev, const struct drm_display_mode *mode);

/* qxl_vblank.c */
int qxl_vblank_init(struct qxl_output *output);
int qxl_vblank_enable(struct drm_crtc *crtc);
bool qxl_vblank_get_timestamp(struct drm_crtc *crtc, int *max_error, ktime_t *vblank_time,
			      bool in_vblank_irq);
void qxl_vblank_disable(struct drm_crtc *crtc);

/* qxl_connector.c */
int qxl_connector_init(struct qxl_device *qdev, struct qxl_output *output);

/* qxl_monitors.c */
int qxl_monitors_init(struct qxl_device *qdev);
void qxl_monitors_fini(struct qxl_device *qdev);
int qxl_monitors_send(struct qxl_device *qdev, struct drm_atomic_state *state);
void qxl_client_monitors_read(struct qxl_device *qdev, bool notify);
void qxl_client_monitors_init(struct qxl_device *qdev);
bool qxl_client_head(struct qxl_device *qdev, unsigned int index,
		     struct qxl_devif_client_head *head);

/* qxl_recovery.c */
void qxl_recovery_init(struct qxl_device *qdev);
void qxl_recovery_fini(struct qxl_device *qdev);
/*
 * The device faulted and is not back yet: every waiter gives up, every
 * command is refused, but for the recovery's own once its reset is done
 * (qxl_recovery.c).  A new fault (dead again) stops the recovery too.
 */
static inline bool qxl_device_faulted(const struct qxl_device *qdev)
{
	return READ_ONCE(qdev->dead) ||
	       (READ_ONCE(qdev->recovering) && READ_ONCE(qdev->recovery_task) != current);
}

void qxl_recovery_schedule(struct qxl_device *qdev, const char *why);
u32 qxl_recovery_device_error(struct qxl_device *qdev);
void qxl_recovery_requeue(struct qxl_device *qdev);
int qxl_recovery_resume(struct qxl_device *qdev);
struct drm_atomic_state;
int qxl_recovery_reset_if_asked(struct qxl_device *qdev, struct drm_atomic_state *state);

/* qxl_fault_inject.c */
struct drm_minor;
void qxl_fault_inject_debugfs_init(struct drm_minor *minor);

/* qxl_debugfs.c */
struct drm_minor;
void qxl_debugfs_init(struct drm_minor *minor);

/*
 * Userspace interface: private ioctls, buffers, off-screen surfaces
 * (qxl_ioctl.c, qxl_bo.c, qxl_surface.c, qxl_execbuf.c; internals in
 * qxl_objects.h).
 */
struct drm_file;
int qxl_objects_init(struct qxl_device *qdev);
void qxl_objects_drain(struct qxl_device *qdev);
void qxl_objects_reset(struct qxl_device *qdev);
void qxl_bo_copy_io(void __iomem *dst, const void __iomem *src, size_t len);
void qxl_objects_debugfs_init(struct drm_minor *minor);
int qxl_alloc_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int qxl_map_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int qxl_execbuffer_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int qxl_update_area_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int qxl_getparam_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int qxl_clientcap_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int qxl_alloc_surf_ioctl(struct drm_device *dev, void *data, struct drm_file *file);

#endif /* QXL_DRV_H */
