/* SPDX-License-Identifier: MIT */
/*
 * Private state of the qxl Xorg driver.
 *
 * The driver is split like the server's modesetting driver: qxl_randr.c
 * owns CRTCs, outputs, cursor and hotplug and knows nothing about
 * rendering; qxl_front.c owns the scanout buffer and how CPU-rendered
 * pixels reach the device; qxl_driver.c glues both to the server.
 * Acceleration sits on top of the front buffer, on the mirror model of
 * qxl_accel.c (which also sets it up): qxl_gc_ops.c turns core GC
 * operations into device commands and qxl_text.c core text, qxl_render.c
 * does the same for Render, qxl_pixmap.c keeps off-screen pixmaps as
 * device surfaces; under them qxl_upload.c turns pixels into image and
 * fill commands, qxl_mirror.c decides where commands may go and what the
 * damage still owes, and qxl_batch.c submits the commands (building
 * blocks: qxl_accel.h).  qxl_buf.c creates and maps the buffer objects
 * (dumb buffers, surfaces) the server renders into.
 */
#ifndef QXL_DRV_H
#define QXL_DRV_H

#include <stdint.h>
#include <linux/types.h>
#include <xorg-server.h>
#include <xf86.h>
#include <xf86Crtc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <damage.h>
#include <picturestr.h>

#define QXL_DRIVER_NAME "qxl"
#define QXL_DRIVER_VERSION_MAJOR 1
#define QXL_DRIVER_VERSION_MINOR 0
#define QXL_DRIVER_VERSION_PATCH 0
#define QXL_DRIVER_VERSION \
	((QXL_DRIVER_VERSION_MAJOR << 16) | (QXL_DRIVER_VERSION_MINOR << 8) | \
	 QXL_DRIVER_VERSION_PATCH)

enum qxl_option {
	QXL_OPT_ACCEL,
	QXL_OPT_SURFACES,
	QXL_OPT_SW_CURSOR,
	QXL_OPT_DEVICE_PATH,
	QXL_OPT_BATCH_LIMIT,
	QXL_OPT_IMAGE_CACHE,
	QXL_OPT_DEBUG_FALLBACKS,
	QXL_OPT_DEBUG_FAIL_EVERY,
};

/*
 * Commands in one EXECBUFFER call: our kernel refuses more
 * (kernel/qxl_objects.h, QXL_MAX_EXEC_COMMANDS); mainline takes any
 * number, so this is the most both accept.
 */
#define QXL_EXEC_MAX_COMMANDS	64

/* One buffer object the driver allocated from the kernel. */
struct qxl_buf {
	uint32_t handle;
	uint32_t width, height, pitch;	/* pixels, pixels, bytes */
	uint64_t size;
	void *map;
	int is_surface;			/* ALLOC_SURF buffer, else dumb */
};

/*
 * RandR's CRTCs and outputs (qxl_randr.c): the driver_private of an
 * xf86Crtc / xf86Output, each naming the kernel CRTC or connector it shows
 * (not the kernel driver's own qxl_crtc / qxl_output).
 */
struct qxl_randr_crtc {
	struct qxl_screen *qs;
	drmModeCrtcPtr mode_crtc;
	uint32_t crtc_id;
	int index;
	int dpms;
	struct qxl_buf cursor;
	int cursor_visible;
};

struct qxl_randr_output {
	struct qxl_screen *qs;
	uint32_t connector_id;
	drmModeConnectorPtr conn;
	int dpms_prop;			/* property id, 0 if none */
	int dpms;
	int index;
};

struct qxl_screen {
	ScrnInfoPtr scrn;
	EntityInfoPtr entity;
	struct pci_device *pci;
	int fd;
	int fd_from_server;		/* systemd-logind fd: never close */
	char *dev_path;

	OptionInfoPtr options;
	int accel;
	int surfaces;
	int sw_cursor;
	int batch_limit;
	int image_cache;
	__u64 image_key[2];		/* keys image cache ids (qxl_img_id_begin) */
	int debug_fallbacks;
	int debug_fail_every;		/* every Nth submission fails (test), 0: none */
	unsigned long debug_fail_count;

	drmModeResPtr res;
	uint32_t cursor_w, cursor_h;

	struct qxl_buf front;
	uint32_t fb_id;
	uint32_t scanout_fb;		/* front fb_id once a CRTC shows it */

	DamagePtr damage;
	CreateScreenResourcesProcPtr CreateScreenResources;
	CloseScreenProcPtr CloseScreen;
	CloseScreenProcPtr CloseHooks;	/* below qxl_close_hooks */
	ScreenBlockHandlerProcPtr BlockHandler;

	struct udev_monitor *udev_mon;
	void *udev;
	int hotplug_fd;
	int client_layout;		/* apply the client's layout on hotplug */
	uint32_t client_layout_sig;	/* of the client layout last seen */

	/* acceleration (qxl_accel.c and the files it names) */
	int accel_active;
	struct qxl_batch *batch;
	CreateGCProcPtr CreateGC;
	CopyWindowProcPtr CopyWindow;
	int damage_order_checked;
	int op_depth;			/* GC operations running (qxl_accel.h: nesting) */
	struct qxl_pal *pal;		/* colour table of one damage upload */
	/* off-screen pixmaps as device surfaces (qxl_pixmap.c) */
	struct qxl_pixmaps *pixmaps;	/* NULL: option EnableSurfaces off */
	uint32_t target_surf;		/* commands draw on this surface buffer, 0: the primary */
	void *target_pix;		/* ... of this pixmap (qxl_pixmap.c), NULL: the primary */
	/*
	 * Failed submissions (qxl_batch.c, qxl_front.c): what they would have
	 * drawn on the primary, sent again when the server blocks; while
	 * 'failed', nothing is taken out of the damage (a command may have
	 * read what the device never got).
	 */
	RegionRec lost;
	int failed;

	/* statistics for the log */
	unsigned long dirty_calls;
	unsigned long accel_fills, accel_copies, accel_uploads, upload_bytes;
	unsigned long accel_text;	/* core text requests sent as commands */
	unsigned long text_redrawn;	/* ... left to the damage upload: drawn over again */
	RegionRec text_drawn;		/* what text commands drew since submission text_submits */
	unsigned long text_submits;
	unsigned long upload_fills, upload_images;
	unsigned long commands, submits, settles, fallbacks;
};

/*
 * The driver's state of a screen: the one way to reach it (from a
 * ScreenPtr: qxl_screen_of(xf86ScreenToScrn(screen))).  qxl_driver.c
 * alone allocates and frees scrn->driverPrivate.
 */
static inline struct qxl_screen *
qxl_screen_of(ScrnInfoPtr scrn)
{
	return scrn->driverPrivate;
}

/* qxl_buf.c */
int qxl_buf_create_dumb(int fd, uint32_t w, uint32_t h, struct qxl_buf *buf);
int qxl_buf_create_surface(int fd, uint32_t w, uint32_t h, struct qxl_buf *buf);
int qxl_buf_map(int fd, struct qxl_buf *buf);
void qxl_buf_destroy(int fd, struct qxl_buf *buf);

/* qxl_randr.c */
Bool qxl_randr_pre_init(ScrnInfoPtr scrn, struct qxl_screen *qs);
void qxl_randr_screen_init(ScreenPtr screen, struct qxl_screen *qs);
void qxl_randr_close(struct qxl_screen *qs);
Bool qxl_randr_set_desired(ScrnInfoPtr scrn);
void qxl_randr_disable_unused(ScrnInfoPtr scrn);

/* qxl_accel.c */
Bool qxl_accel_init(ScreenPtr screen, struct qxl_screen *qs);
void qxl_accel_close(ScreenPtr screen, struct qxl_screen *qs);
void qxl_accel_unwrap(ScreenPtr screen, struct qxl_screen *qs);

/* qxl_batch.c */
Bool qxl_debug_fail(struct qxl_screen *qs);
void qxl_lost(struct qxl_screen *qs, const BoxRec *box, int n);
void qxl_accel_flush(struct qxl_screen *qs);

/* qxl_mirror.c */
Bool qxl_accel_visible(struct qxl_screen *qs, RegionPtr reg);

/* qxl_upload.c */
void qxl_accel_upload(struct qxl_screen *qs, RegionPtr reg, RegionPtr left);

/* qxl_pixmap.c */
Bool qxl_pixmap_init(ScreenPtr screen, struct qxl_screen *qs);
void qxl_pixmap_close(ScreenPtr screen, struct qxl_screen *qs);
Bool qxl_pixmap_to_screen(struct qxl_screen *qs, PixmapPtr pix, const BoxRec *box,
			  int dx, int dy);
Bool qxl_pixmap_copy_area(DrawablePtr src, DrawablePtr dst, GCPtr gc, int sx, int sy,
			  int w, int h, int dx, int dy, RegionPtr *ret);
void qxl_pixmap_lost(void *target_pix, const BoxRec *box);

/* qxl_front.c */
Bool qxl_front_alloc(struct qxl_screen *qs, int width, int height);
void qxl_front_free(struct qxl_screen *qs);
Bool qxl_front_resize(ScrnInfoPtr scrn, int width, int height);
Bool qxl_front_screen_resources(ScreenPtr screen);
void qxl_front_flush(struct qxl_screen *qs);
void qxl_front_flush_region(struct qxl_screen *qs, RegionPtr reg);
void qxl_front_close(ScreenPtr screen);

#endif /* QXL_DRV_H */
