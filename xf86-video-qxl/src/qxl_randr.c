/* SPDX-License-Identifier: MIT */
/*
 * The X driver's RandR layer (RandR 1.2 through xf86Crtc), on the kernel's
 * mode setting: one xf86Crtc per kernel CRTC, one xf86Output per kernel
 * connector, modes straight from the kernel, hardware cursor through
 * SetCursor2, DPMS through the connector property, and hotplug (monitors
 * config changes from the SPICE client) through udev or the kernel's
 * uevents, applying the client's layout.  Nothing here knows
 * how pixels are drawn; the scanout buffer comes from qxl_front.c.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <libudev.h>

#include "qxl_drv.h"
#include <xf86str.h>
#include <xf86Cursor.h>
#include <cursorstr.h>
#include <xf86RandR12.h>
#include <randrstr.h>
#include <X11/extensions/dpmsconst.h>

static const char *const qxl_connector_names[] = {
	"None", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite", "SVIDEO", "LVDS",
	"Component", "DIN", "DP", "HDMI", "HDMI-B", "TV", "eDP", "Virtual",
	"DSI", "DPI", "Writeback", "SPI", "USB",
};

static void
qxl_mode_from_kernel(ScrnInfoPtr scrn, const drmModeModeInfo *km, DisplayModePtr m)
{
	memset(m, 0, sizeof(*m));
	m->Clock = km->clock;
	m->HDisplay = km->hdisplay;
	m->HSyncStart = km->hsync_start;
	m->HSyncEnd = km->hsync_end;
	m->HTotal = km->htotal;
	m->HSkew = km->hskew;
	m->VDisplay = km->vdisplay;
	m->VSyncStart = km->vsync_start;
	m->VSyncEnd = km->vsync_end;
	m->VTotal = km->vtotal;
	m->VScan = km->vscan;
	m->Flags = km->flags;
	m->name = strdup(km->name);
	m->type = M_T_DRIVER;
	if (km->type & DRM_MODE_TYPE_PREFERRED)
		m->type |= M_T_PREFERRED;
	xf86SetModeCrtc(m, scrn->adjustFlags);
}

static void
qxl_mode_to_kernel(DisplayModePtr m, drmModeModeInfo *km)
{
	memset(km, 0, sizeof(*km));
	km->clock = m->Clock;
	km->hdisplay = m->HDisplay;
	km->hsync_start = m->HSyncStart;
	km->hsync_end = m->HSyncEnd;
	km->htotal = m->HTotal;
	km->hskew = m->HSkew;
	km->vdisplay = m->VDisplay;
	km->vsync_start = m->VSyncStart;
	km->vsync_end = m->VSyncEnd;
	km->vtotal = m->VTotal;
	km->vscan = m->VScan;
	km->flags = m->Flags;
	if (m->name)
		snprintf(km->name, sizeof(km->name), "%s", m->name);
}

/* ---- CRTC ---- */

/*
 * RandR turns a head off by disabling its CRTC here
 * (xf86DisableUnusedFunctions).  The kernel must hear it: a CRTC left on
 * keeps its place in the device's layout, and since the kernel accepts a
 * head with no plane (it shows black), removing the framebuffer no longer
 * turns the CRTC off by itself.
 */
static void
qxl_randr_crtc_dpms(xf86CrtcPtr crtc, int mode)
{
	struct qxl_randr_crtc *qc = crtc->driver_private;
	struct qxl_screen *qs = qxl_screen_of(crtc->scrn);

	qc->dpms = mode;
	if (!crtc->enabled && crtc->scrn->vtSema &&
	    drmModeSetCrtc(qs->fd, qc->crtc_id, 0, 0, 0, NULL, 0, NULL))
		xf86DrvMsg(crtc->scrn->scrnIndex, X_WARNING, "CRTC %u could not be turned off: %s\n",
			   qc->crtc_id, strerror(errno));
}

static uint32_t *
qxl_randr_crtc_connectors(xf86CrtcPtr crtc, int *n)
{
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(crtc->scrn);
	uint32_t *ids = calloc(cfg->num_output, sizeof(*ids));
	int i;

	*n = 0;
	if (!ids)
		return NULL;
	for (i = 0; i < cfg->num_output; i++) {
		xf86OutputPtr out = cfg->output[i];
		struct qxl_randr_output *qo = out->driver_private;

		if (out->crtc == crtc)
			ids[(*n)++] = qo->connector_id;
	}
	return ids;
}

static Bool
qxl_randr_crtc_set_mode_major(xf86CrtcPtr crtc, DisplayModePtr mode,
			      Rotation rotation, int x, int y)
{
	ScrnInfoPtr scrn = crtc->scrn;
	struct qxl_randr_crtc *qc = crtc->driver_private;
	struct qxl_screen *qs = qc->qs;
	DisplayModeRec saved_mode = crtc->mode;
	int saved_x = crtc->x, saved_y = crtc->y;
	Rotation saved_rot = crtc->rotation;
	drmModeModeInfo km;
	uint32_t *conns;
	int n, ret;

	if (rotation != RR_Rotate_0) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "CRTC %u: rotation 0x%x refused: the device scans out unrotated\n",
			   qc->crtc_id, rotation);
		return FALSE;
	}
	crtc->mode = *mode;
	crtc->x = x;
	crtc->y = y;
	crtc->rotation = rotation;

	if (!xf86CrtcRotate(crtc))
		goto fail;
	qxl_mode_to_kernel(mode, &km);
	conns = qxl_randr_crtc_connectors(crtc, &n);
	if (!conns)
		goto fail;
	/* The front buffer may still be pending if the screen is not up yet. */
	if (!qs->fb_id) {
		free(conns);
		return TRUE;
	}
	/*
	 * A mode set uploads the whole front buffer, which already holds the
	 * result of the batched commands: they must reach the device before,
	 * or a copy among them would read pixels newer than its source.
	 */
	if (qs->accel_active)
		qxl_accel_flush(qs);
	ret = drmModeSetCrtc(qs->fd, qc->crtc_id, qs->fb_id, x, y, conns, n, &km);
	free(conns);
	if (ret) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "CRTC %u: setting mode %s at +%d+%d failed: %s\n",
			   qc->crtc_id, mode->name ? mode->name : "?", x, y,
			   strerror(errno));
		goto fail;
	}
	xf86DrvMsg(scrn->scrnIndex, X_INFO, "CRTC %u: mode %dx%d at +%d+%d\n",
		   qc->crtc_id, mode->HDisplay, mode->VDisplay, x, y);
	crtc->active = TRUE;
	qs->scanout_fb = qs->fb_id;
	if (scrn->pScreen)
		xf86CrtcSetScreenSubpixelOrder(scrn->pScreen);
	/* the kernel may drop the cursor on a mode set: show it again */
	if (qc->cursor_visible)
		crtc->funcs->show_cursor_check(crtc);
	return TRUE;
fail:
	crtc->mode = saved_mode;
	crtc->x = saved_x;
	crtc->y = saved_y;
	crtc->rotation = saved_rot;
	return FALSE;
}

static void
qxl_randr_crtc_gamma_set(xf86CrtcPtr crtc, CARD16 *r, CARD16 *g, CARD16 *b, int size)
{
	struct qxl_randr_crtc *qc = crtc->driver_private;

	/* Not every kernel has gamma on a virtual CRTC; a refusal is harmless. */
	drmModeCrtcSetGamma(qc->qs->fd, qc->crtc_id, size, r, g, b);
}

static void
qxl_randr_crtc_set_cursor_position(xf86CrtcPtr crtc, int x, int y)
{
	struct qxl_randr_crtc *qc = crtc->driver_private;

	drmModeMoveCursor(qc->qs->fd, qc->crtc_id, x, y);
}

static Bool
qxl_randr_crtc_show_cursor(xf86CrtcPtr crtc)
{
	struct qxl_randr_crtc *qc = crtc->driver_private;
	struct qxl_screen *qs = qc->qs;
	CursorPtr cur = xf86CurrentCursor(crtc->scrn->pScreen);
	int hx = 0, hy = 0, ret;

	if (cur) {
		hx = cur->bits->xhot;
		hy = cur->bits->yhot;
	}
	ret = drmModeSetCursor2(qs->fd, qc->crtc_id, qc->cursor.handle,
				qs->cursor_w, qs->cursor_h, hx, hy);
	if (ret == -EINVAL || ret == -ENOSYS)
		ret = drmModeSetCursor(qs->fd, qc->crtc_id, qc->cursor.handle,
				       qs->cursor_w, qs->cursor_h);
	if (ret) {
		xf86DrvMsg(crtc->scrn->scrnIndex, X_WARNING,
			   "CRTC %u: hardware cursor refused (%s)\n",
			   qc->crtc_id, strerror(-ret));
		return FALSE;
	}
	qc->cursor_visible = 1;
	return TRUE;
}

static void
qxl_randr_crtc_hide_cursor(xf86CrtcPtr crtc)
{
	struct qxl_randr_crtc *qc = crtc->driver_private;

	qc->cursor_visible = 0;
	drmModeSetCursor(qc->qs->fd, qc->crtc_id, 0, 0, 0);
}

static Bool
qxl_randr_crtc_load_cursor_argb(xf86CrtcPtr crtc, CARD32 *image)
{
	struct qxl_randr_crtc *qc = crtc->driver_private;
	struct qxl_screen *qs = qc->qs;
	uint32_t y;

	if (!qc->cursor.map)
		return FALSE;
	for (y = 0; y < qs->cursor_h; y++)
		memcpy((char *)qc->cursor.map + y * qc->cursor.pitch,
		       image + y * qs->cursor_w, qs->cursor_w * 4);
	/* A new image with the cursor shown: resend so the kernel re-reads it. */
	if (qc->cursor_visible)
		return qxl_randr_crtc_show_cursor(crtc);
	return TRUE;
}

static void
qxl_randr_crtc_destroy(xf86CrtcPtr crtc)
{
	struct qxl_randr_crtc *qc = crtc->driver_private;

	qxl_buf_destroy(qc->qs->fd, &qc->cursor);
	drmModeFreeCrtc(qc->mode_crtc);
	free(qc);
	crtc->driver_private = NULL;
}

static const xf86CrtcFuncsRec qxl_randr_crtc_funcs = {
	.dpms = qxl_randr_crtc_dpms,
	.set_mode_major = qxl_randr_crtc_set_mode_major,
	.gamma_set = qxl_randr_crtc_gamma_set,
	.set_cursor_position = qxl_randr_crtc_set_cursor_position,
	.show_cursor_check = qxl_randr_crtc_show_cursor,
	.hide_cursor = qxl_randr_crtc_hide_cursor,
	.load_cursor_argb_check = qxl_randr_crtc_load_cursor_argb,
	.destroy = qxl_randr_crtc_destroy,
};

/* ---- outputs ---- */

static void
qxl_randr_output_refresh(xf86OutputPtr out)
{
	struct qxl_randr_output *qo = out->driver_private;
	drmModeConnectorPtr c = drmModeGetConnector(qo->qs->fd, qo->connector_id);

	if (!c)
		return;
	drmModeFreeConnector(qo->conn);
	qo->conn = c;
	out->mm_width = c->mmWidth;
	out->mm_height = c->mmHeight;
}

static xf86OutputStatus
qxl_randr_output_detect(xf86OutputPtr out)
{
	struct qxl_randr_output *qo = out->driver_private;

	qxl_randr_output_refresh(out);
	switch (qo->conn->connection) {
	case DRM_MODE_CONNECTED:
		return XF86OutputStatusConnected;
	case DRM_MODE_DISCONNECTED:
		return XF86OutputStatusDisconnected;
	default:
		return XF86OutputStatusUnknown;
	}
}

static int
qxl_randr_output_mode_valid(xf86OutputPtr out, DisplayModePtr mode)
{
	(void)out;
	(void)mode;
	return MODE_OK;		/* the list is the kernel's own */
}

static DisplayModePtr
qxl_randr_output_get_modes(xf86OutputPtr out)
{
	struct qxl_randr_output *qo = out->driver_private;
	DisplayModePtr list = NULL;
	int i;

	for (i = 0; i < qo->conn->count_modes; i++) {
		DisplayModePtr m = calloc(1, sizeof(*m));

		if (!m)
			break;
		qxl_mode_from_kernel(out->scrn, &qo->conn->modes[i], m);
		list = xf86ModesAdd(list, m);
	}
	return list;
}

static void
qxl_randr_output_dpms(xf86OutputPtr out, int mode)
{
	struct qxl_randr_output *qo = out->driver_private;

	qo->dpms = mode;
	if (!qo->dpms_prop)
		return;
	if (drmModeConnectorSetProperty(qo->qs->fd, qo->connector_id,
					qo->dpms_prop, mode))
		xf86DrvMsg(out->scrn->scrnIndex, X_WARNING,
			   "%s: DPMS %d refused: %s\n", out->name, mode,
			   strerror(errno));
	else
		xf86DrvMsg(out->scrn->scrnIndex, X_INFO, "%s: DPMS %s\n",
			   out->name, mode == DPMSModeOn ? "on" : "off");
}

static void
qxl_randr_output_destroy(xf86OutputPtr out)
{
	struct qxl_randr_output *qo = out->driver_private;

	drmModeFreeConnector(qo->conn);
	free(qo);
	out->driver_private = NULL;
}

static const xf86OutputFuncsRec qxl_randr_output_funcs = {
	.dpms = qxl_randr_output_dpms,
	.detect = qxl_randr_output_detect,
	.mode_valid = qxl_randr_output_mode_valid,
	.get_modes = qxl_randr_output_get_modes,
	.destroy = qxl_randr_output_destroy,
};

/* Index of the named property in the connector's list, -1 if it has none. */
static int
qxl_connector_prop_index(int fd, drmModeConnectorPtr c, const char *name)
{
	int i, found = -1;

	for (i = 0; i < c->count_props && found < 0; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, c->props[i]);

		if (p && !strcmp(p->name, name))
			found = i;
		drmModeFreeProperty(p);
	}
	return found;
}

static int
qxl_find_dpms_prop(int fd, drmModeConnectorPtr c)
{
	int i = qxl_connector_prop_index(fd, c, "DPMS");

	return i < 0 ? 0 : (int)c->props[i];
}

static Bool
qxl_randr_output_init(ScrnInfoPtr scrn, struct qxl_screen *qs, int i)
{
	drmModeConnectorPtr c = drmModeGetConnector(qs->fd, qs->res->connectors[i]);
	struct qxl_randr_output *qo;
	xf86OutputPtr out;
	char name[32];
	const char *type = "Unknown";
	int e;

	if (!c)
		return FALSE;
	if (c->connector_type < sizeof(qxl_connector_names) / sizeof(qxl_connector_names[0]))
		type = qxl_connector_names[c->connector_type];
	snprintf(name, sizeof(name), "%s-%d", type, c->connector_type_id - 1);
	qo = calloc(1, sizeof(*qo));
	if (!qo) {
		drmModeFreeConnector(c);
		return FALSE;
	}
	out = xf86OutputCreate(scrn, &qxl_randr_output_funcs, name);
	if (!out) {
		drmModeFreeConnector(c);
		free(qo);
		return FALSE;
	}
	qo->qs = qs;
	qo->conn = c;
	qo->connector_id = c->connector_id;
	qo->index = i;
	qo->dpms_prop = qxl_find_dpms_prop(qs->fd, c);
	out->driver_private = qo;
	out->mm_width = c->mmWidth;
	out->mm_height = c->mmHeight;
	out->subpixel_order = SubPixelNone;
	out->interlaceAllowed = FALSE;
	out->doubleScanAllowed = FALSE;
	/* every encoder this connector can use -> the CRTCs it reaches */
	out->possible_crtcs = 0;
	for (e = 0; e < c->count_encoders; e++) {
		drmModeEncoderPtr enc = drmModeGetEncoder(qs->fd, c->encoders[e]);

		if (enc) {
			out->possible_crtcs |= enc->possible_crtcs;
			drmModeFreeEncoder(enc);
		}
	}
	out->possible_clones = 0;
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "Output %s: connector %u, %s, %d modes, CRTC mask 0x%x\n",
		   name, c->connector_id,
		   c->connection == DRM_MODE_CONNECTED ? "connected" : "disconnected",
		   c->count_modes, out->possible_crtcs);
	return TRUE;
}

static Bool
qxl_randr_crtc_init(ScrnInfoPtr scrn, struct qxl_screen *qs, int i)
{
	struct qxl_randr_crtc *qc = calloc(1, sizeof(*qc));
	xf86CrtcPtr crtc;

	if (!qc)
		return FALSE;
	crtc = xf86CrtcCreate(scrn, &qxl_randr_crtc_funcs);
	if (!crtc) {
		free(qc);
		return FALSE;
	}
	qc->qs = qs;
	qc->index = i;
	qc->crtc_id = qs->res->crtcs[i];
	qc->mode_crtc = drmModeGetCrtc(qs->fd, qc->crtc_id);
	qc->dpms = DPMSModeOn;
	crtc->driver_private = qc;
	return TRUE;
}

/* ---- screen resize ---- */

static Bool
qxl_randr_crtc_config_resize(ScrnInfoPtr scrn, int width, int height)
{
	if (scrn->virtualX == width && scrn->virtualY == height)
		return TRUE;
	return qxl_front_resize(scrn, width, height);
}

static const xf86CrtcConfigFuncsRec qxl_randr_crtc_config_funcs = {
	.resize = qxl_randr_crtc_config_resize,
};

static void
qxl_randr_options(ScrnInfoPtr scrn, struct qxl_screen *qs)
{
	OptionInfoRec opts[] = {
		{ 0, "ClientLayout", OPTV_BOOLEAN, { .boolean = TRUE }, FALSE },
		{ -1, NULL, OPTV_NONE, { 0 }, FALSE },
	};

	xf86ProcessOptions(scrn->scrnIndex, scrn->options, opts);
	qs->client_layout = xf86ReturnOptValBool(opts, 0, TRUE);
	xf86DrvMsg(scrn->scrnIndex, opts[0].found ? X_CONFIG : X_DEFAULT,
		   "ClientLayout: %s\n", qs->client_layout ? "on" : "off");
}

Bool
qxl_randr_pre_init(ScrnInfoPtr scrn, struct qxl_screen *qs)
{
	uint64_t cap;
	int i;

	qxl_randr_options(scrn, qs);

	qs->res = drmModeGetResources(qs->fd);
	if (!qs->res) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR,
			   "drmModeGetResources failed: %s: not a KMS device\n",
			   strerror(errno));
		return FALSE;
	}
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "KMS: %d CRTCs, %d connectors, framebuffer %dx%d .. %dx%d\n",
		   qs->res->count_crtcs, qs->res->count_connectors,
		   qs->res->min_width, qs->res->min_height,
		   qs->res->max_width, qs->res->max_height);

	qs->cursor_w = 64;
	qs->cursor_h = 64;
	if (!drmGetCap(qs->fd, DRM_CAP_CURSOR_WIDTH, &cap) && cap)
		qs->cursor_w = cap;
	if (!drmGetCap(qs->fd, DRM_CAP_CURSOR_HEIGHT, &cap) && cap)
		qs->cursor_h = cap;

	xf86CrtcConfigInit(scrn, &qxl_randr_crtc_config_funcs);
	for (i = 0; i < qs->res->count_crtcs; i++)
		if (!qxl_randr_crtc_init(scrn, qs, i))
			return FALSE;
	for (i = 0; i < qs->res->count_connectors; i++)
		if (!qxl_randr_output_init(scrn, qs, i))
			return FALSE;
	xf86CrtcSetSizeRange(scrn, 320, 200,
			     qs->res->max_width ? (int)qs->res->max_width : 8192,
			     qs->res->max_height ? (int)qs->res->max_height : 8192);
	xf86ProviderSetup(scrn, NULL, "qxl");
	return TRUE;
}

/* ---- hotplug: the SPICE client's monitors layout ---- */

/*
 * On QXL a hotplug means the client sent a new monitors config (its window
 * was resized, a display was opened or closed): the kernel made each head's
 * client size the connector's preferred mode, its position the "suggested
 * X/Y" properties, and disconnected the heads the client disabled.
 * spice-server hands such a config to the device only and never forwards
 * it to the guest agent while the driver takes client configs (which the
 * kernel does), so spice-vdagent cannot apply it: the driver does, through
 * the RandR calls a client's request would make, so that clients see the
 * usual RandR events.  Option "ClientLayout" "off" leaves it to the desktop.
 */
struct qxl_head_target {
	xf86OutputPtr out;
	xf86CrtcPtr crtc;
	RRModePtr mode;
	int x, y;
};

static int
qxl_randr_output_preferred_size(xf86OutputPtr out, int *w, int *h)
{
	struct qxl_randr_output *qo = out->driver_private;
	int i;

	for (i = 0; i < qo->conn->count_modes; i++) {
		if (qo->conn->modes[i].type & DRM_MODE_TYPE_PREFERRED) {
			*w = qo->conn->modes[i].hdisplay;
			*h = qo->conn->modes[i].vdisplay;
			return 1;
		}
	}
	return 0;
}

static int
qxl_randr_output_suggested(xf86OutputPtr out, const char *name)
{
	struct qxl_randr_output *qo = out->driver_private;
	int i = qxl_connector_prop_index(qo->qs->fd, qo->conn, name);

	/* a position no screen can reach is taken as 0, not trusted */
	if (i < 0 || qo->conn->prop_values[i] > 16384)
		return 0;
	return (int)qo->conn->prop_values[i];
}

/* The RandR mode of that size in the output's list (preferred modes come first). */
static RRModePtr
qxl_randr_output_rr_mode(xf86OutputPtr out, int w, int h)
{
	RROutputPtr ro = out->randr_output;
	int i;

	for (i = 0; ro && i < ro->numModes; i++)
		if (ro->modes[i]->mode.width == w && ro->modes[i]->mode.height == h)
			return ro->modes[i];
	return NULL;
}

static xf86CrtcPtr
qxl_pick_crtc(xf86CrtcConfigPtr cfg, xf86OutputPtr out, uint32_t *taken)
{
	int i;

	if (out->crtc) {
		for (i = 0; i < cfg->num_crtc; i++)
			if (cfg->crtc[i] == out->crtc && !(*taken & (1u << i))) {
				*taken |= 1u << i;
				return out->crtc;
			}
	}
	for (i = 0; i < cfg->num_crtc && i < 32; i++)
		if ((out->possible_crtcs & (1u << i)) && !(*taken & (1u << i))) {
			*taken |= 1u << i;
			return cfg->crtc[i];
		}
	return NULL;
}

/* Does the CRTC already show exactly this head? */
static int
qxl_head_shown(const struct qxl_head_target *t)
{
	RRCrtcPtr rc = t->crtc->randr_crtc;

	return rc->mode && rc->mode->mode.width == t->mode->mode.width &&
	       rc->mode->mode.height == t->mode->mode.height &&
	       rc->x == t->x && rc->y == t->y && rc->numOutputs == 1 &&
	       rc->outputs[0] == t->out->randr_output;
}

static int
qxl_client_layout_targets(ScrnInfoPtr scrn, struct qxl_head_target *t, int *width, int *height)
{
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(scrn);
	uint32_t taken = 0;
	int i, n = 0, w, h;

	*width = 0;
	*height = 0;
	for (i = 0; i < cfg->num_output; i++) {
		xf86OutputPtr out = cfg->output[i];

		if (out->status != XF86OutputStatusConnected || !qxl_randr_output_preferred_size(out, &w, &h))
			continue;
		t[n].out = out;
		t[n].x = qxl_randr_output_suggested(out, "suggested X");
		t[n].y = qxl_randr_output_suggested(out, "suggested Y");
		t[n].mode = qxl_randr_output_rr_mode(out, w, h);
		t[n].crtc = qxl_pick_crtc(cfg, out, &taken);
		if (!t[n].mode || !t[n].crtc) {
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "Client layout: %s has no %s for %dx%d: layout not applied\n",
				   out->name, t[n].mode ? "free CRTC" : "RandR mode", w, h);
			return -1;
		}
		if (t[n].x + w > *width)
			*width = t[n].x + w;
		if (t[n].y + h > *height)
			*height = t[n].y + h;
		n++;
	}
	return n;
}

static void
qxl_apply_client_layout(ScrnInfoPtr scrn)
{
	ScreenPtr screen = xf86ScrnToScreen(scrn);
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(scrn);
	struct qxl_head_target *t = calloc(cfg->num_output ? cfg->num_output : 1, sizeof(*t));
	int n, i, j, w, h, same;

	if (!t)
		return;
	n = qxl_client_layout_targets(scrn, t, &w, &h);
	if (n <= 0)
		goto out;
	if (w > cfg->maxWidth || h > cfg->maxHeight || w < cfg->minWidth || h < cfg->minHeight) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "Client layout: screen %dx%d is outside %dx%d .. %dx%d: not applied\n",
			   w, h, cfg->minWidth, cfg->minHeight, cfg->maxWidth, cfg->maxHeight);
		goto out;
	}
	same = scrn->virtualX == w && scrn->virtualY == h;
	for (i = 0; i < n && same; i++)
		same = qxl_head_shown(&t[i]);
	for (i = 0; i < cfg->num_crtc && same; i++) {
		for (j = 0; j < n && t[j].crtc != cfg->crtc[i]; j++)
			;
		same = j < n || !cfg->crtc[i]->randr_crtc->mode;
	}
	if (same)
		goto out;

	/*
	 * As a RandR client would: switch off what the new screen cannot hold
	 * or the layout does not use, resize the screen, then set each head.
	 */
	for (i = 0; i < cfg->num_crtc; i++) {
		RRCrtcPtr rc = cfg->crtc[i]->randr_crtc;
		int keep = 0;

		for (j = 0; j < n; j++)
			keep |= t[j].crtc == cfg->crtc[i] && qxl_head_shown(&t[j]);
		if (rc->mode && (!keep || rc->x + rc->mode->mode.width > w ||
				 rc->y + rc->mode->mode.height > h))
			RRCrtcSet(rc, NULL, 0, 0, RR_Rotate_0, 0, NULL);
	}
	if (scrn->virtualX != w || scrn->virtualY != h) {
		/* 96 dpi, what X reports for a screen of unknown size */
		if (!RRScreenSizeSet(screen, w, h, w * 254 / 960, h * 254 / 960)) {
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "Client layout: resizing the screen to %dx%d failed\n", w, h);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (qxl_head_shown(&t[i]))
			continue;
		if (!RRCrtcSet(t[i].crtc->randr_crtc, t[i].mode, t[i].x, t[i].y, RR_Rotate_0,
			       1, &t[i].out->randr_output))
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "Client layout: %s %dx%d+%d+%d refused\n", t[i].out->name,
				   t[i].mode->mode.width, t[i].mode->mode.height, t[i].x, t[i].y);
		else
			xf86DrvMsg(scrn->scrnIndex, X_INFO,
				   "Client layout: %s %dx%d+%d+%d, screen %dx%d\n",
				   t[i].out->name, t[i].mode->mode.width, t[i].mode->mode.height,
				   t[i].x, t[i].y, w, h);
	}
	RRTellChanged(screen);
out:
	free(t);
}

/*
 * What the client asks for, as the kernel's connectors say it: FNV-1a over
 * each connected head's index, preferred size and suggested position.
 */
static uint32_t
qxl_client_layout_sig(ScrnInfoPtr scrn)
{
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(scrn);
	uint32_t sig = 2166136261u;
	int i, k, v[5];

	for (i = 0; i < cfg->num_output; i++) {
		xf86OutputPtr out = cfg->output[i];
		struct qxl_randr_output *qo = out->driver_private;

		if (qo->conn->connection != DRM_MODE_CONNECTED ||
		    !qxl_randr_output_preferred_size(out, &v[1], &v[2]))
			continue;
		v[0] = i;
		v[3] = qxl_randr_output_suggested(out, "suggested X");
		v[4] = qxl_randr_output_suggested(out, "suggested Y");
		for (k = 0; k < 5; k++)
			sig = (sig ^ (uint32_t)v[k]) * 16777619u;
	}
	return sig;
}

static void
qxl_hotplug_notify(int fd, int ready, void *data)
{
	ScrnInfoPtr scrn = data;
	struct qxl_screen *qs = qxl_screen_of(scrn);
	struct udev_device *dev;
	int changed = 0;
	uint32_t sig;

	(void)fd;
	(void)ready;
	while ((dev = udev_monitor_receive_device(qs->udev_mon))) {
		const char *hp = udev_device_get_property_value(dev, "HOTPLUG");

		if (hp && !strcmp(hp, "1"))
			changed = 1;
		udev_device_unref(dev);
	}
	if (!changed)
		return;
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "Hotplug event: re-reading connectors and modes\n");
	RRGetInfo(xf86ScrnToScreen(scrn), TRUE);
	if (!qs->client_layout)
		return;
	/*
	 * A hotplug that does not change what the client asks for (a kernel
	 * that re-probes on its own) must not undo the user's xrandr choices.
	 */
	sig = qxl_client_layout_sig(scrn);
	if (sig == qs->client_layout_sig) {
		xf86DrvMsg(scrn->scrnIndex, X_INFO,
			   "Client layout unchanged: screen left as it is\n");
		return;
	}
	qs->client_layout_sig = sig;
	qxl_apply_client_layout(scrn);
}

/*
 * Events come from udevd when it runs (after its rules ran, the normal
 * case); a guest without udevd still gets the kernel's own uevents, which
 * carry the same HOTPLUG=1 on the drm minor.
 */
static void
qxl_hotplug_init(ScrnInfoPtr scrn, struct qxl_screen *qs)
{
	struct udev *u = udev_new();
	const char *source = access("/run/udev/control", F_OK) ? "kernel" : "udev";

	if (!u)
		return;
	qs->udev_mon = udev_monitor_new_from_netlink(u, source);
	if (!qs->udev_mon ||
	    udev_monitor_filter_add_match_subsystem_devtype(qs->udev_mon, "drm", "drm_minor") ||
	    udev_monitor_enable_receiving(qs->udev_mon)) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "%s uevent monitor unavailable: hotplug (client resize) will not be seen\n",
			   source);
		if (qs->udev_mon)
			udev_monitor_unref(qs->udev_mon);
		qs->udev_mon = NULL;
		udev_unref(u);
		return;
	}
	qs->udev = u;
	/* the layout the server starts with already follows the client */
	qs->client_layout_sig = qxl_client_layout_sig(scrn);
	qs->hotplug_fd = udev_monitor_get_fd(qs->udev_mon);
	SetNotifyFd(qs->hotplug_fd, qxl_hotplug_notify, X_NOTIFY_READ, scrn);
	xf86DrvMsg(scrn->scrnIndex, X_INFO,
		   "Listening for connector hotplug through %s; client layout %s\n",
		   strcmp(source, "udev") ? "the kernel's uevents (no udevd running)" : "udevd",
		   qs->client_layout ? "applied by the driver" : "left to the desktop (ClientLayout off)");
}

void
qxl_randr_screen_init(ScreenPtr screen, struct qxl_screen *qs)
{
	qxl_hotplug_init(xf86ScreenToScrn(screen), qs);
}

void
qxl_randr_close(struct qxl_screen *qs)
{
	if (qs->udev_mon) {
		RemoveNotifyFd(qs->hotplug_fd);
		udev_monitor_unref(qs->udev_mon);
		udev_unref(qs->udev);
		qs->udev_mon = NULL;
		qs->udev = NULL;
	}
}

/* Allocate cursor buffers once per CRTC (needs the fd, not the screen). */
static void
qxl_randr_cursor_bufs(ScrnInfoPtr scrn, struct qxl_screen *qs)
{
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(scrn);
	int i;

	for (i = 0; i < cfg->num_crtc; i++) {
		struct qxl_randr_crtc *qc = cfg->crtc[i]->driver_private;

		if (qc->cursor.handle)
			continue;
		if (qxl_buf_create_dumb(qs->fd, qs->cursor_w, qs->cursor_h, &qc->cursor) ||
		    qxl_buf_map(qs->fd, &qc->cursor)) {
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "CRTC %u: no cursor buffer: %s\n", qc->crtc_id,
				   strerror(errno));
			qxl_buf_destroy(qs->fd, &qc->cursor);
		}
	}
}

Bool
qxl_randr_set_desired(ScrnInfoPtr scrn)
{
	qxl_randr_cursor_bufs(scrn, qxl_screen_of(scrn));
	return xf86SetDesiredModes(scrn);
}

void
qxl_randr_disable_unused(ScrnInfoPtr scrn)
{
	xf86CrtcConfigPtr cfg = XF86_CRTC_CONFIG_PTR(scrn);
	struct qxl_screen *qs = qxl_screen_of(scrn);
	int i;

	for (i = 0; i < cfg->num_crtc; i++) {
		xf86CrtcPtr crtc = cfg->crtc[i];
		struct qxl_randr_crtc *qc = crtc->driver_private;

		if (!crtc->enabled)
			drmModeSetCrtc(qs->fd, qc->crtc_id, 0, 0, 0, NULL, 0, NULL);
	}
}
