/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Buffers and off-screen surfaces handed to userspace through the private
 * ioctls (qxl_bo.c, qxl_surface.c, qxl_execbuf.c, qxl_ioctl.c).
 *
 * Every userspace buffer lives in the surface BAR, a memory range the
 * kernel's own commands never use: a client exhausting it cannot starve
 * the console or the cursor.  A buffer is in flight while a submitted
 * command names it; its device memory is reused only once the device has
 * handed back every such command, even if userspace closed it long before.
 */
#ifndef QXL_OBJECTS_H
#define QXL_OBJECTS_H

#include <linux/llist.h>
#include <linux/list.h>

#include <drm/drm_gem.h>
#include <drm/drm_mm.h>

#include "qxl_drm.h"
#include "qxl_drv.h"

/* Stricter than mainline, which advertises this number but never checks it. */
#define QXL_MAX_RELOCS		96
/* Commands per EXECBUFFER call (our X driver batches up to 64). */
#define QXL_MAX_EXEC_COMMANDS	64
/* Largest buffer one ALLOC may ask for. */
#define QXL_MAX_ALLOC		SZ_64M

struct qxl_bo {
	struct drm_gem_object base;
	struct qxl_device *qdev;
	struct drm_mm_node node;	/* offset inside the surface BAR */
	void __iomem *vaddr;

	/* ALLOC_SURF parameters; is_surface is false for ALLOC buffers */
	bool is_surface;
	u32 format;
	u32 width;
	u32 height;
	s32 stride;

	/* device surface, 0 while none exists; under objs->lock */
	u32 surface_id;
	/*
	 * The memory may hold pixels the device must take over when the
	 * surface is created: once it was mapped or was a surface before.
	 * Until then it is all zeroes, which the device assumes without
	 * reading (and without sending the client a picture of them).
	 */
	bool keep_data;
	struct list_head lru;		/* objs->lru while surface_id != 0, or objs->lost */
	u32 lost_id;			/* id the device kept: its destroy was never sent */
	bool evicting;			/* being written back, then destroyed */

	/* under objs->busy_lock */
	unsigned int busy;		/* submitted commands not yet released */
	unsigned int src_busy;		/* of those, commands reading the surface */
	unsigned int protect;		/* of those, commands the device parses data from */
	struct list_head parsed;	/* their qxl_bo_range in this buffer */
	unsigned long fault_since;	/* jiffies | 1 a writer began to wait, 0: none */
	bool zombie;			/* GEM object gone, memory waits for busy == 0 */
	struct llist_node reap;
};

struct qxl_objects {
	struct qxl_device *qdev;

	/* command building, UPDATE_AREA set-up and surface id management */
	struct mutex lock;
	struct qxl_bo **surfaces;	/* by surface id; [0] unused (primary) */
	u32 n_surfaces;
	struct list_head lru;		/* buffers with a device surface, oldest first */
	struct list_head lost;		/* buffers whose surface destroy was never sent */
	unsigned int evictions;		/* write-backs running for an eviction (0 or 1) */
	atomic_t id_events;		/* ids freed, surfaces no longer read */

	/* surface BAR allocator */
	struct mutex mm_lock;
	struct drm_mm mm;
	u64 mm_size;

	spinlock_t busy_lock;		/* qxl_bo busy and zombie; taken in fence callbacks */
	struct mutex map_lock;		/* orders user PTE insertion against protection */
	wait_queue_head_t idle_wq;	/* a buffer's busy count reached 0 */
	struct llist_head reap_list;
	struct work_struct reap_work;
	/* interruptible UPDATE_AREAs finishing on the device's behalf */
	struct workqueue_struct *update_wq;

	/* debugfs counters (qxl_objects) */
	atomic_t bos_live;		/* GEM objects alive */
	atomic_t bos_zombie;		/* freed, memory waiting for the device */
	u64 mem_used;			/* under mm_lock */
	u64 mem_peak;
	u32 surfaces_live;		/* under lock */
	u64 surfaces_created;
	u64 surfaces_destroyed;
	u64 surfaces_evicted;
	u64 surfaces_lost;		/* destroys never sent: memory kept until reset */
	u64 alloc_failures;
	u64 exec_commands;
	u64 exec_rejected;
	atomic64_t exec_protected;	/* buffers write-protected for a command */
	atomic64_t fault_waits;		/* user writes that waited for the device */
	atomic64_t updates_interrupted;	/* UPDATE_AREA waits ended by a signal */
};

static inline struct qxl_bo *to_qxl_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct qxl_bo, base);
}

/* qxl_bo.c */
int qxl_bo_create(struct qxl_device *qdev, struct drm_file *file, u64 size,
		  struct qxl_bo **bop, u32 *handle);
bool qxl_is_qxl_bo(struct drm_gem_object *obj);
struct qxl_bo *qxl_bo_lookup(struct drm_file *file, u32 handle);
qxl_phys qxl_bo_phys(struct qxl_bo *bo, u64 offset);
bool qxl_bo_is_fb(struct qxl_device *qdev, struct qxl_bo *bo);

/*
 * Bytes of a buffer a command in flight had checked for the device to
 * parse (headers, chunk links, clip lists, paths, strings): nothing may
 * change them, the kernel's own writes included, until it is released.
 */
struct qxl_bo_range {
	struct list_head link;		/* in bo->parsed, under objs->busy_lock */
	struct qxl_bo *bo;
	u64 start;
	u64 end;
};

/* The buffers a submitted command names, busy until the device releases it. */
struct qxl_bo_track_entry {
	struct qxl_bo *bo;
	bool src;	/* the command reads bo's device surface */
	bool protect;	/* the device parses data in bo: userspace may not write it */
};

struct qxl_bo_track {
	struct dma_fence_cb cb;
	struct qxl_objects *objs;
	struct qxl_bo_range *ranges;	/* linked while the command is in flight */
	unsigned int n_ranges;
	unsigned int n;
	unsigned int max;
	struct qxl_bo_track_entry e[];
};

struct qxl_bo_track *qxl_bo_track_alloc(struct qxl_objects *objs, unsigned int max);
void qxl_bo_track_add(struct qxl_bo_track *track, struct qxl_bo *bo, bool src);
void qxl_bo_track_protect(struct qxl_bo_track *track, struct qxl_bo *bo);
int qxl_bo_track_parsed(struct qxl_bo_track *track, const struct qxl_bo_range *ranges,
			unsigned int n);
void qxl_bo_track_arm(struct qxl_bo_track *track, struct dma_fence *fence);
bool qxl_bo_parsed(struct qxl_bo *bo, u64 start, u64 len);
bool qxl_bo_unbusy_locked(struct qxl_objects *objs, struct qxl_bo *bo);
/* One wait for the device to hand memory back (qxl_objects_reclaim). */
struct qxl_reclaim {
	long pause;
	u64 freed;
};

long qxl_objects_reclaim(struct qxl_device *qdev, struct qxl_reclaim *rc);
bool qxl_objects_reclaim_progress(struct qxl_device *qdev, const struct qxl_reclaim *rc);

/* qxl_surface.c */
/* What a command waits for before it is built again (qxl_surface_make_room). */
enum qxl_room {
	QXL_ROOM_NONE,
	QXL_ROOM_ID,		/* every surface id is taken */
	QXL_ROOM_EVICTION,	/* a surface it names is being evicted */
};

struct qxl_room_wait {
	enum qxl_room need;
	unsigned long deadline;	/* waiting for surfaces read in flight; 0: not begun */
	unsigned long limit;	/* the whole wait */
};

int qxl_surface_ensure(struct qxl_objects *objs, struct qxl_bo *bo, enum qxl_room *room);
/* How long a command may wait for a surface id while every one is in use. */
#define QXL_SURFACE_ID_TIMEOUT	(2 * HZ)
int qxl_surface_make_room(struct qxl_objects *objs, struct qxl_room_wait *r,
			  struct qxl_bo *const *exclude, unsigned int n_exclude, bool intr);
void qxl_surface_release(struct qxl_bo *bo);
void qxl_surface_lost_return(struct qxl_objects *objs);
int qxl_surface_io_update(struct qxl_device *qdev, u32 id, const struct drm_rect *r);
int qxl_surface_io_update_interruptible(struct qxl_device *qdev, struct qxl_bo *bo, u32 id,
					const struct drm_rect *r);
int qxl_surface_update_area(struct qxl_objects *objs, struct qxl_bo *bo,
			    const struct drm_rect *rect);
int qxl_surface_check_params(struct qxl_device *qdev, u32 format, u32 width,
			     u32 height, s32 stride, u64 *size);

/* qxl_execbuf.c */
int qxl_execbuffer(struct qxl_device *qdev, struct drm_file *file,
		   const struct drm_qxl_execbuffer *args);

#endif /* QXL_OBJECTS_H */
