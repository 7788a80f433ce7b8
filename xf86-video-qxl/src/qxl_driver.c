/* SPDX-License-Identifier: MIT */
/*
 * Module glue: the loader entry (qxlModuleData), PCI and platform probe,
 * options, PreInit/ScreenInit/CloseScreen and VT switching.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qxl_drv.h"
#include "qxl_accel.h"
#include <xf86_OSproc.h>
#include <xf86Cursor.h>
#include <xf86platformBus.h>
#include <xf86Pci.h>
#include <fb.h>
#include <micmap.h>
#include <mipointer.h>
#include <picturestr.h>
#include <xf86cmap.h>
#include <xf86RandR12.h>
#include <X11/extensions/dpmsconst.h>

#include "../../uapi/qxl_device.h"


static const OptionInfoRec qxl_options[] = {
	{ QXL_OPT_ACCEL, "Accel", OPTV_BOOLEAN, { .boolean = TRUE }, FALSE },
	{ QXL_OPT_SURFACES, "EnableSurfaces", OPTV_BOOLEAN, { .boolean = TRUE }, FALSE },
	{ QXL_OPT_SW_CURSOR, "SWcursor", OPTV_BOOLEAN, { .boolean = FALSE }, FALSE },
	{ QXL_OPT_DEVICE_PATH, "kmsdev", OPTV_STRING, { .str = NULL }, FALSE },
	{ QXL_OPT_BATCH_LIMIT, "BatchCommands", OPTV_INTEGER, { .num = 64 }, FALSE },
	{ QXL_OPT_IMAGE_CACHE, "EnableImageCache", OPTV_BOOLEAN, { .boolean = TRUE }, FALSE },
	{ QXL_OPT_DEBUG_FALLBACKS, "DebugFallbacks", OPTV_BOOLEAN, { .boolean = FALSE }, FALSE },
	{ QXL_OPT_DEBUG_FAIL_EVERY, "DebugFailEvery", OPTV_INTEGER, { .num = 0 }, FALSE },
	{ -1, NULL, OPTV_NONE, { 0 }, FALSE },
};

static const struct pci_id_match qxl_pci_ids[] = {
	{ QXL_PCI_VENDOR_ID, QXL_PCI_DEVICE_ID, PCI_MATCH_ANY, PCI_MATCH_ANY,
	  0, 0, 0 },
	{ QXL_PCI_VENDOR_ID, 0x01ff, PCI_MATCH_ANY, PCI_MATCH_ANY, 0, 0, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static SymTabRec qxl_chipsets[] = {
	{ 0x0100, "QXL paravirtual graphics" },
	{ -1, NULL },
};

static void
qxl_identify(int flags)
{
	(void)flags;
	xf86PrintChipsets(QXL_DRIVER_NAME, "Driver for QEMU's QXL device (KMS)",
			  qxl_chipsets);
}

static const OptionInfoRec *
qxl_available_options(int chipid, int bustype)
{
	(void)chipid;
	(void)bustype;
	return qxl_options;
}

static Bool
qxl_driver_func(ScrnInfoPtr scrn, xorgDriverFuncOp op, void *data)
{
	(void)scrn;
	switch (op) {
	case GET_REQUIRED_HW_INTERFACES:
		/* everything goes through the DRM fd: no I/O ports, no MMIO */
		*(xorgHWFlags *)data = 0;
		return TRUE;
	case SUPPORTS_SERVER_FDS:
		return TRUE;
	default:
		return FALSE;
	}
}

static Bool qxl_pre_init(ScrnInfoPtr scrn, int flags);
static Bool qxl_screen_init(ScreenPtr screen, int argc, char **argv);
static Bool qxl_switch_mode(ScrnInfoPtr scrn, DisplayModePtr mode);
static void qxl_adjust_frame(ScrnInfoPtr scrn, int x, int y);
static Bool qxl_enter_vt(ScrnInfoPtr scrn);
static void qxl_leave_vt(ScrnInfoPtr scrn);
static void qxl_free_screen(ScrnInfoPtr scrn);

/* Is the device node driven by a kernel driver named "qxl"? */
static int
qxl_fd_is_qxl(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	int ok;

	if (!v)
		return 0;
	ok = v->name && !strcmp(v->name, QXL_DRIVER_NAME);
	drmFreeVersion(v);
	return ok;
}

static void
qxl_setup_scrn(ScrnInfoPtr scrn)
{
	scrn->driverVersion = QXL_DRIVER_VERSION;
	scrn->driverName = (char *)QXL_DRIVER_NAME;
	scrn->name = (char *)QXL_DRIVER_NAME;
	scrn->Probe = NULL;
	scrn->PreInit = qxl_pre_init;
	scrn->ScreenInit = qxl_screen_init;
	scrn->SwitchMode = qxl_switch_mode;
	scrn->AdjustFrame = qxl_adjust_frame;
	scrn->EnterVT = qxl_enter_vt;
	scrn->LeaveVT = qxl_leave_vt;
	scrn->FreeScreen = qxl_free_screen;
}

static Bool
qxl_pci_probe(DriverPtr drv, int entity, struct pci_device *dev, intptr_t match)
{
	ScrnInfoPtr scrn;

	(void)match;
	scrn = xf86ConfigPciEntity(NULL, 0, entity, NULL, NULL, NULL, NULL, NULL, NULL);
	if (!scrn)
		return FALSE;
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "PCI probe: QXL %04x:%04x at %04x:%02x:%02x.%u\n",
		   dev->vendor_id, dev->device_id, dev->domain, dev->bus,
		   dev->dev, dev->func);
	qxl_setup_scrn(scrn);
	(void)drv;
	return TRUE;
}

static Bool
qxl_platform_probe(DriverPtr drv, int entity, int flags,
		   struct xf86_platform_device *dev, intptr_t match)
{
	ScrnInfoPtr scrn;
	const char *path = xf86_get_platform_device_attrib(dev, ODEV_ATTRIB_PATH);
	int scr_flags = 0;

	(void)match;
	if (flags & PLATFORM_PROBE_GPU_SCREEN)
		scr_flags = XF86_ALLOCATE_GPU_SCREEN;
	scrn = xf86AllocateScreen(drv, scr_flags);
	if (!scrn)
		return FALSE;
	if (xf86IsEntitySharable(entity))
		xf86SetEntityShared(entity);
	xf86AddEntityToScreen(scrn, entity);
	qxl_setup_scrn(scrn);
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "Platform probe: %s%s\n", path ? path : "(no device node)",
		   (dev->flags & XF86_PDEV_SERVER_FD) ? ", fd managed by the server" : "");
	return TRUE;
}

static DriverRec qxl_driver = {
	.driverVersion = QXL_DRIVER_VERSION,
	.driverName = QXL_DRIVER_NAME,
	.Identify = qxl_identify,
	.Probe = NULL,
	.AvailableOptions = qxl_available_options,
	.module = NULL,
	.refCount = 0,
	.driverFunc = qxl_driver_func,
	.supported_devices = qxl_pci_ids,
	.PciProbe = qxl_pci_probe,
	.platformProbe = qxl_platform_probe,
};

/* ---- opening the device ---- */

static int
qxl_open_pci(ScrnInfoPtr scrn, struct pci_device *pci)
{
	char busid[64];
	int fd;

	snprintf(busid, sizeof(busid), "pci:%04x:%02x:%02x.%u",
		 pci->domain, pci->bus, pci->dev, pci->func);
	fd = drmOpen(NULL, busid);
	if (fd < 0)
		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "no DRM device for %s: is a qxl kernel driver loaded?\n",
			   busid);
	return fd;
}

static Bool
qxl_open(ScrnInfoPtr scrn, struct qxl_screen *qs)
{
	struct xf86_platform_device *pdev =
		qs->entity->location.type == BUS_PLATFORM ?
		qs->entity->location.id.plat : NULL;
	const char *opt_path = xf86GetOptValString(qs->options, QXL_OPT_DEVICE_PATH);

	qs->fd = -1;
	if (pdev && (pdev->flags & XF86_PDEV_SERVER_FD)) {
		qs->fd = xf86_get_platform_device_int_attrib(pdev, ODEV_ATTRIB_FD, -1);
		if (qs->fd >= 0) {
			qs->fd_from_server = 1;
			xf86DrvMsg(scrn->scrnIndex, X_INFO,
				   "Using the server-managed fd %d (systemd-logind)\n", qs->fd);
		}
	}
	if (qs->fd < 0 && opt_path) {
		qs->fd = open(opt_path, O_RDWR | O_CLOEXEC);
		xf86DrvMsg(scrn->scrnIndex, qs->fd < 0 ? X_ERROR : X_CONFIG,
			   "Opening %s (option kmsdev): %s\n", opt_path,
			   qs->fd < 0 ? strerror(errno) : "ok");
	}
	if (qs->fd < 0 && pdev) {
		const char *path = xf86_get_platform_device_attrib(pdev, ODEV_ATTRIB_PATH);

		if (path) {
			qs->fd = open(path, O_RDWR | O_CLOEXEC);
			xf86DrvMsg(scrn->scrnIndex, qs->fd < 0 ? X_ERROR : X_INFO,
				   "Opening %s: %s\n", path,
				   qs->fd < 0 ? strerror(errno) : "ok");
		}
	}
	if (qs->fd < 0 && qs->pci)
		qs->fd = qxl_open_pci(scrn, qs->pci);
	if (qs->fd < 0)
		return FALSE;
	if (!qxl_fd_is_qxl(qs->fd)) {
		drmVersionPtr v = drmGetVersion(qs->fd);

		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "DRM driver is \"%s\", not \"qxl\": refusing the device\n",
			   v && v->name ? v->name : "?");
		drmFreeVersion(v);
		return FALSE;
	}
	if (!qs->fd_from_server && drmSetMaster(qs->fd))
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "drmSetMaster failed: %s (another master?)\n", strerror(errno));
	return TRUE;
}

/* ---- options ---- */

static void
qxl_read_bool(ScrnInfoPtr scrn, struct qxl_screen *qs, int id, int *val,
	      const char *what)
{
	Bool b;
	const char *raw;

	*val = qxl_options[id].value.boolean;
	raw = xf86FindOptionValue(scrn->options, qxl_options[id].name);
	if (xf86GetOptValBool(qs->options, id, &b)) {
		*val = b;
		xf86DrvMsg(scrn->scrnIndex, X_CONFIG, "%s: %s\n", what,
			   b ? "enabled" : "disabled");
	} else if (raw) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "Option \"%s\" \"%s\" is not a boolean: using the default (%s)\n",
			   qxl_options[id].name, raw, *val ? "on" : "off");
	} else {
		xf86DrvMsg(scrn->scrnIndex, X_DEFAULT, "%s: %s\n", what,
			   *val ? "enabled" : "disabled");
	}
}

static void
qxl_process_options(ScrnInfoPtr scrn, struct qxl_screen *qs)
{
	int n;
	const char *raw;

	xf86CollectOptions(scrn, NULL);
	qs->options = malloc(sizeof(qxl_options));
	if (!qs->options)
		return;
	memcpy(qs->options, qxl_options, sizeof(qxl_options));
	xf86ProcessOptions(scrn->scrnIndex, scrn->options, qs->options);

	qxl_read_bool(scrn, qs, QXL_OPT_ACCEL, &qs->accel, "2D acceleration");
	qxl_read_bool(scrn, qs, QXL_OPT_SURFACES, &qs->surfaces,
		      "Off-screen pixmaps as device surfaces");
	qxl_read_bool(scrn, qs, QXL_OPT_SW_CURSOR, &qs->sw_cursor, "Software cursor");
	qxl_read_bool(scrn, qs, QXL_OPT_IMAGE_CACHE, &qs->image_cache,
		      "Image ids for spice-server's image cache");
	qxl_read_bool(scrn, qs, QXL_OPT_DEBUG_FALLBACKS, &qs->debug_fallbacks,
		      "Logging of software fallbacks");

	if (xf86GetOptValInteger(qs->options, QXL_OPT_DEBUG_FAIL_EVERY, &n)) {
		if (n > 0) {
			qs->debug_fail_every = n;
			xf86DrvMsg(scrn->scrnIndex, X_CONFIG,
				   "Failing EXECBUFFER and DIRTYFB calls on purpose, one in %d (test)\n",
				   n);
		} else if (n < 0) {
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "Option \"DebugFailEvery\" %d is negative: ignored\n", n);
		}
	} else if ((raw = xf86FindOptionValue(scrn->options, "DebugFailEvery"))) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "Option \"DebugFailEvery\" \"%s\" is not an integer: ignored\n", raw);
	}

	qs->batch_limit = qxl_options[QXL_OPT_BATCH_LIMIT].value.num;
	raw = xf86FindOptionValue(scrn->options, "BatchCommands");
	if (xf86GetOptValInteger(qs->options, QXL_OPT_BATCH_LIMIT, &n)) {
		if (n >= 1 && n <= QXL_EXEC_MAX_COMMANDS) {
			qs->batch_limit = n;
			xf86DrvMsg(scrn->scrnIndex, X_CONFIG,
				   "Commands per submission: %d\n", n);
		} else if (n > QXL_EXEC_MAX_COMMANDS) {
			/* more would make every submission fail */
			qs->batch_limit = QXL_EXEC_MAX_COMMANDS;
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "Option \"BatchCommands\" %d is above %d, the most commands "
				   "the kernel takes in one submission: using %d\n",
				   n, QXL_EXEC_MAX_COMMANDS, qs->batch_limit);
		} else {
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "Option \"BatchCommands\" %d is outside 1..%d: using the default (%d)\n",
				   n, QXL_EXEC_MAX_COMMANDS, qs->batch_limit);
		}
	} else if (raw) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "Option \"BatchCommands\" \"%s\" is not an integer: using the default (%d)\n",
			   raw, qs->batch_limit);
	} else {
		xf86DrvMsg(scrn->scrnIndex, X_DEFAULT, "Commands per submission: %d\n",
			   qs->batch_limit);
	}
}

/* ---- PreInit ---- */

static Bool
qxl_get_rec(ScrnInfoPtr scrn)
{
	if (!scrn->driverPrivate)
		scrn->driverPrivate = calloc(1, sizeof(struct qxl_screen));
	return scrn->driverPrivate != NULL;
}

static Bool
qxl_pre_init(ScrnInfoPtr scrn, int flags)
{
	struct qxl_screen *qs;
	rgb defweight = { 0, 0, 0 };
	Gamma zeros = { 0.0, 0.0, 0.0 };

	if (flags & PROBE_DETECT)
		return FALSE;
	if (scrn->numEntities != 1) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "one device per screen only (got %d entities)\n",
			   scrn->numEntities);
		return FALSE;
	}
	if (!qxl_get_rec(scrn))
		return FALSE;
	qs = qxl_screen_of(scrn);
	qs->scrn = scrn;
	qs->fd = -1;
	qs->entity = xf86GetEntityInfo(scrn->entityList[0]);
	if (qs->entity->location.type == BUS_PCI)
		qs->pci = xf86GetPciInfoForEntity(qs->entity->index);
	else if (qs->entity->location.type == BUS_PLATFORM)
		qs->pci = qs->entity->location.id.plat->pdev;

	scrn->monitor = scrn->confScreen->monitor;
	scrn->progClock = TRUE;
	scrn->rgbBits = 8;

	if (!xf86SetDepthBpp(scrn, 24, 0, 32, Support32bppFb))
		return FALSE;
	if (scrn->depth != 24 || scrn->bitsPerPixel != 32) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "depth %d / %d bpp refused: the device scans out 24-bit x8r8g8b8 only\n",
			   scrn->depth, scrn->bitsPerPixel);
		return FALSE;
	}
	xf86PrintDepthBpp(scrn);
	if (!xf86SetWeight(scrn, defweight, defweight))
		return FALSE;
	if (!xf86SetDefaultVisual(scrn, -1))
		return FALSE;
	if (!xf86SetGamma(scrn, zeros))
		return FALSE;

	qxl_process_options(scrn, qs);
	if (!qs->options)
		return FALSE;
	if (!qxl_open(scrn, qs))
		return FALSE;
	{
		drmVersionPtr v = drmGetVersion(qs->fd);

		xf86DrvMsg(scrn->scrnIndex, X_INFO,
			   "Kernel driver %s %d.%d.%d (%s)\n", v->name,
			   v->version_major, v->version_minor,
			   v->version_patchlevel, v->desc ? v->desc : "");
		drmFreeVersion(v);
	}
	if (!qxl_randr_pre_init(scrn, qs))
		return FALSE;
	if (!xf86InitialConfiguration(scrn, TRUE)) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "no usable initial configuration\n");
		return FALSE;
	}
	if (!scrn->modes) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "no modes\n");
		return FALSE;
	}
	scrn->currentMode = scrn->modes;
	scrn->displayWidth = scrn->virtualX;
	xf86SetDpi(scrn, 0, 0);

	if (!xf86LoadSubModule(scrn, "fb"))
		return FALSE;
	xf86DrvMsg(scrn->scrnIndex, X_INFO, "Initial screen %dx%d\n",
		   scrn->virtualX, scrn->virtualY);
	return TRUE;
}

/* ---- ScreenInit and friends ---- */

static void
qxl_block_handler(ScreenPtr screen, void *timeout)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));

	screen->BlockHandler = qs->BlockHandler;
	screen->BlockHandler(screen, timeout);
	qs->BlockHandler = screen->BlockHandler;
	screen->BlockHandler = qxl_block_handler;
	qxl_front_flush(qs);
	/* a submission failed: try again soon, even if no client wakes us */
	if (RegionNotEmpty(&qs->lost) && qs->scrn->vtSema)
		AdjustWaitForDelay(timeout, 20);
}

static Bool
qxl_create_screen_resources(ScreenPtr screen)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));
	Bool ret;

	screen->CreateScreenResources = qs->CreateScreenResources;
	ret = screen->CreateScreenResources(screen);
	screen->CreateScreenResources = qxl_create_screen_resources;
	if (!ret)
		return FALSE;
	return qxl_front_screen_resources(screen);
}

static Bool
qxl_close_screen(ScreenPtr screen)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);
	struct qxl_screen *qs = qxl_screen_of(scrn);

	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "Closing the screen: %lu DIRTYFB calls were made\n", qs->dirty_calls);
	qxl_accel_close(screen, qs);
	qxl_front_close(screen);
	qxl_randr_close(qs);
	if (scrn->vtSema) {
		xf86_hide_cursors(scrn);
		if (!qs->fd_from_server)
			drmDropMaster(qs->fd);
	}
	qxl_front_free(qs);
	scrn->vtSema = FALSE;
	screen->BlockHandler = qs->BlockHandler;
	screen->CreateScreenResources = qs->CreateScreenResources;
	screen->CloseScreen = qs->CloseScreen;
	return screen->CloseScreen(screen);
}

/*
 * The acceleration hooks (CreateGC, CopyWindow, pixmaps, Render) are
 * wrapped before miDCInitialize, whose sprite sets the damage layer up on
 * top of them; that layer restores what it wrapped in its own
 * CloseScreen, which runs after qxl_close_screen (wrapped last).  So ours
 * are restored here, by a CloseScreen wrapped together with them that
 * runs after the damage layer's: restoring them in qxl_close_screen would
 * drop the damage layer's wrappers, which it would then put back as ours,
 * freed (the next pixmap destroyed would crash).
 */
static Bool
qxl_close_hooks(ScreenPtr screen)
{
	struct qxl_screen *qs = qxl_screen_of(xf86ScreenToScrn(screen));

	qxl_render_close(screen, qs);
	qxl_accel_unwrap(screen, qs);
	screen->CloseScreen = qs->CloseHooks;
	return screen->CloseScreen(screen);
}

static Bool
qxl_screen_init(ScreenPtr screen, int argc, char **argv)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);
	struct qxl_screen *qs = qxl_screen_of(scrn);
	VisualPtr visual;

	(void)argc;
	(void)argv;
	if (!qs->fd_from_server && drmSetMaster(qs->fd))
		xf86DrvMsg(scrn->scrnIndex, X_WARNING, "drmSetMaster: %s\n",
			   strerror(errno));
	if (!qxl_front_alloc(qs, scrn->virtualX, scrn->virtualY))
		return FALSE;
	scrn->displayWidth = qs->front.pitch / 4;

	miClearVisualTypes();
	if (!miSetVisualTypes(scrn->depth, miGetDefaultVisualMask(scrn->depth),
			      scrn->rgbBits, scrn->defaultVisual))
		return FALSE;
	if (!miSetPixmapDepths())
		return FALSE;
	scrn->memPhysBase = 0;
	scrn->fbOffset = 0;
	if (!fbScreenInit(screen, qs->front.map, scrn->virtualX, scrn->virtualY,
			  scrn->xDpi, scrn->yDpi, scrn->displayWidth,
			  scrn->bitsPerPixel))
		return FALSE;
	for (visual = screen->visuals + screen->numVisuals; --visual >= screen->visuals;) {
		if ((visual->class | DynamicClass) == DirectColor) {
			visual->offsetRed = scrn->offset.red;
			visual->offsetGreen = scrn->offset.green;
			visual->offsetBlue = scrn->offset.blue;
			visual->redMask = scrn->mask.red;
			visual->greenMask = scrn->mask.green;
			visual->blueMask = scrn->mask.blue;
		}
	}
	if (!fbPictureInit(screen, NULL, 0))
		return FALSE;
	if (!qxl_accel_init(screen, qs) || !qxl_render_init(screen, qs))
		return FALSE;
	qs->CloseHooks = screen->CloseScreen;
	screen->CloseScreen = qxl_close_hooks;
	xf86SetBlackWhitePixels(screen);
	xf86SetBackingStore(screen);
	xf86SetSilkenMouse(screen);
	miDCInitialize(screen, xf86GetPointerScreenFuncs());

	if (qs->sw_cursor) {
		xf86DrvMsg(scrn->scrnIndex, X_CONFIG, "Cursor: software (option SWcursor)\n");
	} else if (xf86_cursors_init(screen, qs->cursor_w, qs->cursor_h,
				     HARDWARE_CURSOR_UPDATE_UNHIDDEN |
				     HARDWARE_CURSOR_ARGB)) {
		xf86DrvMsg(scrn->scrnIndex, X_INFO,
			   "Cursor: hardware, ARGB %ux%u with hotspot (SetCursor2)\n",
			   qs->cursor_w, qs->cursor_h);
	} else {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "Cursor: hardware cursor init failed, using software\n");
	}

	scrn->vtSema = TRUE;
	/* the screen saver blanks by DPMS off on every head, like modesetting */
	screen->SaveScreen = xf86SaveScreen;
	qs->CloseScreen = screen->CloseScreen;
	screen->CloseScreen = qxl_close_screen;
	qs->CreateScreenResources = screen->CreateScreenResources;
	screen->CreateScreenResources = qxl_create_screen_resources;
	qs->BlockHandler = screen->BlockHandler;
	screen->BlockHandler = qxl_block_handler;

	if (!xf86CrtcScreenInit(screen))
		return FALSE;
	if (!miCreateDefColormap(screen))
		return FALSE;
	if (!xf86HandleColormaps(screen, 256, 8, NULL, NULL, CMAP_PALETTED_TRUECOLOR))
		return FALSE;
	xf86DPMSInit(screen, xf86DPMSSet, 0);
	qxl_randr_screen_init(screen, qs);

	if (!qxl_randr_set_desired(scrn)) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "setting the initial modes failed\n");
		return FALSE;
	}
	qxl_randr_disable_unused(scrn);
	if (serverGeneration == 1)
		xf86ShowUnusedOptions(scrn->scrnIndex, scrn->options);
	return TRUE;
}

static Bool
qxl_switch_mode(ScrnInfoPtr scrn, DisplayModePtr mode)
{
	return xf86SetSingleMode(scrn, mode, RR_Rotate_0);
}

static void
qxl_adjust_frame(ScrnInfoPtr scrn, int x, int y)
{
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(scrn);
	xf86OutputPtr out = cfg->output[cfg->compat_output];
	xf86CrtcPtr crtc = out->crtc;

	if (crtc && crtc->enabled)
		crtc->funcs->set_mode_major(crtc, &crtc->mode, crtc->rotation, x, y);
}

static Bool
qxl_enter_vt(ScrnInfoPtr scrn)
{
	struct qxl_screen *qs = qxl_screen_of(scrn);

	xf86DrvMsg(scrn->scrnIndex, X_INFO, "Entering the VT: restoring modes\n");
	if (!qs->fd_from_server && drmSetMaster(qs->fd))
		xf86DrvMsg(scrn->scrnIndex, X_WARNING, "drmSetMaster: %s\n",
			   strerror(errno));
	scrn->vtSema = TRUE;
	if (!qxl_randr_set_desired(scrn))
		return FALSE;
	qxl_randr_disable_unused(scrn);
	return TRUE;
}

static void
qxl_leave_vt(ScrnInfoPtr scrn)
{
	struct qxl_screen *qs = qxl_screen_of(scrn);

	xf86DrvMsg(scrn->scrnIndex, X_INFO, "Leaving the VT\n");
	qxl_front_flush(qs);
	xf86_hide_cursors(scrn);
	scrn->vtSema = FALSE;
	if (!qs->fd_from_server)
		drmDropMaster(qs->fd);
}

static void
qxl_free_screen(ScrnInfoPtr scrn)
{
	struct qxl_screen *qs = qxl_screen_of(scrn);

	if (!qs)
		return;
	if (qs->res)
		drmModeFreeResources(qs->res);
	if (qs->fd >= 0 && !qs->fd_from_server)
		close(qs->fd);
	free(qs->options);
	free(qs);
	scrn->driverPrivate = NULL;
}

/* ---- module ---- */

static MODULESETUPPROTO(qxl_setup);

static XF86ModuleVersionInfo qxl_version = {
	.modname = QXL_DRIVER_NAME,
	.vendor = MODULEVENDORSTRING,
	._modinfo1_ = MODINFOSTRING1,
	._modinfo2_ = MODINFOSTRING2,
	.xf86version = XORG_VERSION_CURRENT,
	.majorversion = QXL_DRIVER_VERSION_MAJOR,
	.minorversion = QXL_DRIVER_VERSION_MINOR,
	.patchlevel = QXL_DRIVER_VERSION_PATCH,
	.abiclass = ABI_CLASS_VIDEODRV,
	.abiversion = ABI_VIDEODRV_VERSION,
	.moduleclass = MOD_CLASS_VIDEODRV,
	.checksum = { 0, 0, 0, 0 },
};

_X_EXPORT XF86ModuleData qxlModuleData = {
	.vers = &qxl_version,
	.setup = qxl_setup,
	.teardown = NULL,
};

static void *
qxl_setup(void *module, void *opts, int *errmaj, int *errmin)
{
	static Bool done;

	(void)opts;
	(void)errmin;
	if (done) {
		if (errmaj)
			*errmaj = LDR_ONCEONLY;
		return NULL;
	}
	done = TRUE;
	xf86AddDriver(&qxl_driver, module, HaveDriverFuncs);
	return (void *)1;
}
