/* SPDX-License-Identifier: MIT */
/*
 * xworkload: deterministic X drawing workloads for the pixel-exact oracle.
 *
 * The same scene runs against Xorg with the qxl driver and against Xvfb
 * (software reference); the oracle compares the two screens exactly.  Each
 * scene draws on the root window (so its result outlives the client), laid
 * out to fit 800x600, and is cut into steps, one family of operations the
 * driver may accelerate each:
 *
 *   fills     solid fills, all 16 GC functions, plane masks, many rects,
 *             clip rects, edges
 *   patterns  tiled, stippled and opaque-stippled fills
 *   copies    overlapping self-copies in 8 directions, GC functions,
 *             plane mask, partly off-screen sources with a plane mask or
 *             GC function (the background paint nested in the copy),
 *             window-to-window, pixmap-to-window,
 *             window-to-pixmap-to-window, CopyPlane
 *   putimage  ZPixmap depth 24 (sub-image, clipped, xor, repeated, icons),
 *             XYBitmap, XYPixmap, depth 1 and depth 8 pixmaps, depth 32
 *             with alpha through Render
 *   text      PolyText8/16, ImageText8/16, lines, arcs, polygons, points
 *   xft       anti-aliased text through Xft (Render A8 glyphs) and
 *             subpixel text (component-alpha ARGB glyphs)
 *   glyphs    Render glyph sets a8, a1 and argb32
 *   render    every operator, the formats a8r8g8b8/x8r8g8b8/a8/a1/r5g6b5
 *             as source, mask and destination, component alpha, solid
 *             and gradient sources, repeat none/normal/pad/reflect,
 *             scale and rotation with nearest and bilinear filters,
 *             masks (blend modes through a mask, repeating, transformed,
 *             solid and x8r8g8b8 masks, a8 source), window as source
 *   traps     trapezoids (a8, a1), triangles, strips, fans
 *   pixmaps   off-screen pixmaps drawn into, copied among themselves,
 *             read back, copied to the screen
 *   windows   window moves (CopyWindow), overlap, raise, resize, scroll
 *   readback  GetImage of drawn areas put back elsewhere
 *   widelines wide solid lines, every cap and join (mi draws them through
 *             PolyFillRect and FillSpans inside the line request)
 *   translucent  Render FillRectangles PictOpOver over a gradient, core
 *             polygons and Render polygons
 *   imagetext ImageText whose glyphs reach out of the background box,
 *             through a clip list too long for the glyphs' command
 *   random    3000 random fills, lines, rectangles, arcs, polygons, copies
 *             and strings with random GC functions, plane masks and line
 *             attributes
 *
 * Step boundaries: every step draws a "pad" of 1x1 solid fills (enough
 * record bytes to push spice-server's 4 KiB stdio buffer out, so a step's
 * commands are not counted in the next one) on every server, so the
 * pictures stay comparable.  A step that XW_MARK (" SCENE.STEP ... ")
 * names is marked: the client syncs, waits XW_SETTLE_MS (150) for the
 * device to take the commands, pads, waits again and runs
 * "qh-mark SCENE.STEP" (a round trip to the host, so only the steps that
 * start a range with ring expectations are marked).  Step names are
 * printed on stdout, one a line.
 *
 * Usage: xworkload SCENE...|list   (DISPLAY selects the server)
 *        xworkload fill X Y W H RRGGBB | cursor HX HY   (RandR test helpers)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xrender.h>
#include <X11/Xft/Xft.h>

static Display *dpy;
static Window root;
static Visual *vis;
static int scr, W, H;
static unsigned int seed = 12345;
static const char *scene_name;
static const char *marks;	/* " SCENE.STEP ... ": the steps to mark */
static useconds_t settle_us = 150000;

static unsigned int
rnd(unsigned int n)
{
	seed = seed * 1103515245u + 12345u;
	return ((seed >> 8) & 0xffffff) % n;
}

static unsigned long
rnd_color(void)
{
	return ((unsigned long)rnd(256) << 16) | (rnd(256) << 8) | rnd(256);
}

static GC
new_gc(void)
{
	return XCreateGC(dpy, root, 0, NULL);
}

/* Commands the driver batched must reach the ring (and the record) before
 * the mark: sync, give the device time, then push the record's stdio
 * buffer out with small fills drawn the same way on every server. */
static void
step(const char *label)
{
	GC gc = new_gc();
	char cmd[128];
	int i, mark;

	snprintf(cmd, sizeof(cmd), " %s.%s ", scene_name, label);
	mark = marks && strstr(marks, cmd);
	XSync(dpy, False);
	if (mark)
		usleep(settle_us);
	XSetForeground(dpy, gc, 0x102030);
	for (i = 0; i < 16; i++)
		XFillRectangle(dpy, root, gc, W - 1 - i, 0, 1, 1);
	XFreeGC(dpy, gc);
	XSync(dpy, False);
	printf("%s.%s\n", scene_name, label);
	fflush(stdout);
	if (!mark)
		return;
	usleep(settle_us);
	snprintf(cmd, sizeof(cmd), "qh-mark %s.%s >/dev/null", scene_name, label);
	if (system(cmd) != 0)
		fprintf(stderr, "xworkload: %s failed\n", cmd);
}

/* A busy, deterministic background so every operation has something to
 * combine with. */
static void
background(void)
{
	GC gc = new_gc();
	int x, y;

	for (y = 0; y < H; y += 32)
		for (x = 0; x < W; x += 32) {
			XSetForeground(dpy, gc, ((x * 7) << 16 | (y * 5) << 8 | ((x + y) * 3)) & 0xffffff);
			XFillRectangle(dpy, root, gc, x, y, 32, 32);
		}
	XFreeGC(dpy, gc);
}

static Pixmap
pattern_pixmap(int w, int h, int depth)
{
	Pixmap p = XCreatePixmap(dpy, root, w, h, depth);
	GC gc = XCreateGC(dpy, p, 0, NULL);
	int i;

	XSetForeground(dpy, gc, depth == 1 ? 0 : 0x203040);
	XFillRectangle(dpy, p, gc, 0, 0, w, h);
	for (i = 0; i < 24; i++) {
		XSetForeground(dpy, gc, depth == 1 ? (unsigned long)(i & 1) : rnd_color());
		XFillRectangle(dpy, p, gc, rnd(w), rnd(h), 1 + rnd(w / 2), 1 + rnd(h / 2));
	}
	XSetForeground(dpy, gc, depth == 1 ? 1 : 0xffffff);
	XDrawLine(dpy, p, gc, 0, 0, w - 1, h - 1);
	XFreeGC(dpy, gc);
	return p;
}

static void
scene_fills(void)
{
	static const unsigned long masks[] = { 0x00ff00ff, 0x0f0f0f, 0x808080 };
	GC gc = new_gc();
	int f, m, i;

	step("bg");
	background();
	step("edges");
	/* a full-width fill, one pixel in the corner, one partly off-screen */
	XSetForeground(dpy, gc, 0x123456);
	XFillRectangle(dpy, root, gc, 0, 490, W, 40);
	XSetForeground(dpy, gc, 0xfedcba);
	XFillRectangle(dpy, root, gc, W - 1, H - 1, 1, 1);
	XSetForeground(dpy, gc, 0x808000);
	XFillRectangle(dpy, root, gc, W - 30, H - 40, 100, 100);
	step("rops");
	/* every GC function, all planes: 16 boxes in two rows */
	for (f = 0; f < 16; f++) {
		XSetFunction(dpy, gc, f);
		XSetForeground(dpy, gc, rnd_color());
		XFillRectangle(dpy, root, gc, 10 + (f % 8) * 48, 10 + (f / 8) * 48, 44, 44);
	}
	step("rects");
	/* many small rectangles in one request, then clipped by three rects */
	{
		XRectangle r[200];
		XRectangle clip[3] = { { 420, 200, 80, 80 }, { 520, 220, 60, 90 }, { 620, 210, 100, 40 } };

		for (i = 0; i < 200; i++) {
			r[i].x = rnd(380);
			r[i].y = 200 + rnd(120);
			r[i].width = 1 + rnd(40);
			r[i].height = 1 + rnd(40);
		}
		XSetForeground(dpy, gc, 0x33cc66);
		XFillRectangles(dpy, root, gc, r, 200);
		XSetClipRectangles(dpy, gc, 0, 0, clip, 3, Unsorted);
		XSetForeground(dpy, gc, 0xcc3366);
		XFillRectangle(dpy, root, gc, 400, 190, 380, 140);
		XSetClipMask(dpy, gc, None);
	}
	step("planemask");
	for (m = 0; m < 3; m++)
		for (f = 0; f < 16; f++) {
			XSetFunction(dpy, gc, f);
			XSetPlaneMask(dpy, gc, masks[m]);
			XSetForeground(dpy, gc, rnd_color());
			XFillRectangle(dpy, root, gc, 400 + (f % 8) * 48, 10 + (m * 2 + f / 8) * 30, 44, 26);
		}
	XSetFunction(dpy, gc, GXcopy);
	XSetPlaneMask(dpy, gc, AllPlanes);
	step("end");
	XFreeGC(dpy, gc);
}

static void
scene_patterns(void)
{
	GC gc = new_gc();
	Pixmap tile = pattern_pixmap(16, 16, 24), stip = pattern_pixmap(8, 8, 1);

	step("bg");
	background();
	step("tiled");
	XSetFillStyle(dpy, gc, FillTiled);
	XSetTile(dpy, gc, tile);
	XSetTSOrigin(dpy, gc, 3, 5);
	XFillRectangle(dpy, root, gc, 10, 350, 250, 120);
	step("stippled");
	XSetFillStyle(dpy, gc, FillStippled);
	XSetStipple(dpy, gc, stip);
	XSetForeground(dpy, gc, 0xffff00);
	XFillRectangle(dpy, root, gc, 270, 350, 250, 120);
	XSetFillStyle(dpy, gc, FillOpaqueStippled);
	XSetBackground(dpy, gc, 0x0000ff);
	XFillRectangle(dpy, root, gc, 530, 350, 250, 120);
	XSetFillStyle(dpy, gc, FillSolid);
	step("end");
	XFreePixmap(dpy, tile);
	XFreePixmap(dpy, stip);
	XFreeGC(dpy, gc);
}

static Window
plain_window(int x, int y, int w, int h, int border)
{
	XSetWindowAttributes wa;
	Window win;

	wa.background_pixel = rnd_color();
	wa.border_pixel = rnd_color();
	wa.override_redirect = True;
	win = XCreateWindow(dpy, root, x, y, w, h, border, CopyFromParent, InputOutput,
			    CopyFromParent, CWBackPixel | CWBorderPixel | CWOverrideRedirect, &wa);
	XMapWindow(dpy, win);
	return win;
}

static void
scene_copies(void)
{
	GC gc = new_gc();
	Pixmap pix = pattern_pixmap(200, 150, 24);
	Pixmap back = XCreatePixmap(dpy, root, 240, 160, 24);
	static const int d[8][2] = { { 7, 0 }, { -7, 0 }, { 0, 5 }, { 0, -5 },
				     { 9, 4 }, { -9, -4 }, { 6, -3 }, { -6, 3 } };
	Window w1, w2;
	int i, f;

	step("bg");
	background();
	step("overlap");
	/* overlapping screen-to-screen copies in every direction */
	for (i = 0; i < 8; i++) {
		int x = 20 + (i % 4) * 190, y = 20 + (i / 4) * 130;

		XCopyArea(dpy, root, root, gc, x, y, 150, 110, x + d[i][0], y + d[i][1]);
	}
	step("apart");
	/* non-overlapping copy, copy from partly off-screen */
	XCopyArea(dpy, root, root, gc, 0, 0, 120, 80, 660, 280);
	XCopyArea(dpy, root, root, gc, W - 60, H - 60, 120, 120, 10, 280);
	step("win2win");
	/* between two windows: the border and background are the server's,
	 * the copy is ours */
	XSetCloseDownMode(dpy, RetainTemporary);
	w1 = plain_window(340, 250, 120, 90, 2);
	w2 = plain_window(470, 250, 120, 90, 2);
	XSetForeground(dpy, gc, 0xff00ff);
	XFillRectangle(dpy, w1, gc, 10, 10, 50, 40);
	XCopyArea(dpy, root, w1, gc, 100, 100, 60, 40, 60, 50);
	XSync(dpy, False);
	XCopyArea(dpy, w1, w2, gc, 0, 0, 120, 90, 5, 3);
	step("rops");
	for (f = 0; f < 16; f++) {
		XSetFunction(dpy, gc, f);
		XCopyArea(dpy, pix, root, gc, f * 10, 0, 40, 40, 10 + f * 48, 380);
	}
	XSetFunction(dpy, gc, GXcopy);
	step("planemask");
	XSetPlaneMask(dpy, gc, 0x00ff00);
	XCopyArea(dpy, pix, root, gc, 0, 0, 120, 80, 200, 280);
	XSetPlaneMask(dpy, gc, AllPlanes);
	step("offscreen-rops");
	/*
	 * Sources partly off the screen with a plane mask or a GC function:
	 * fb copies, then the server paints where there was no source with
	 * the root's background, a fill nested in the copy.
	 */
	XSetPlaneMask(dpy, gc, 0x00ff00);
	XCopyArea(dpy, root, root, gc, W - 50, 100, 120, 60, 300, 20);
	XSetPlaneMask(dpy, gc, AllPlanes);
	XSetFunction(dpy, gc, GXxor);
	XCopyArea(dpy, root, root, gc, 100, H - 30, 80, 90, 460, 20);
	XSetFunction(dpy, gc, GXcopy);
	step("pix2win");
	XCopyArea(dpy, pix, root, gc, 0, 0, 200, 150, 590, 440);
	step("win2pix2win");
	XCopyArea(dpy, root, back, gc, 500, 300, 240, 160, 0, 0);
	XCopyArea(dpy, back, root, gc, 0, 0, 240, 160, 10, 430);
	step("copyplane");
	{
		Pixmap bm = pattern_pixmap(64, 64, 1);

		XSetForeground(dpy, gc, 0xff8800);
		XSetBackground(dpy, gc, 0x0088ff);
		XCopyPlane(dpy, bm, root, gc, 0, 0, 64, 64, 270, 440, 1);
		/* plane 0 of a depth-24 pixmap */
		XCopyPlane(dpy, pix, root, gc, 0, 0, 64, 64, 340, 440, 1);
		XFreePixmap(dpy, bm);
	}
	step("end");
	XFreePixmap(dpy, pix);
	XFreePixmap(dpy, back);
	XFreeGC(dpy, gc);
}

static XRenderPictFormat *
fmt(int std)
{
	return XRenderFindStandardFormat(dpy, std);
}

static XRenderPictFormat *
fmt_r5g6b5(void)
{
	XRenderPictFormat t;

	memset(&t, 0, sizeof(t));
	t.type = PictTypeDirect;
	t.depth = 16;
	t.direct.red = 11;
	t.direct.redMask = 0x1f;
	t.direct.green = 5;
	t.direct.greenMask = 0x3f;
	t.direct.blue = 0;
	t.direct.blueMask = 0x1f;
	return XRenderFindFormat(dpy, PictFormatType | PictFormatDepth | PictFormatRed |
				 PictFormatRedMask | PictFormatGreen | PictFormatGreenMask |
				 PictFormatBlue | PictFormatBlueMask | PictFormatAlphaMask, &t, 0);
}

static Picture
screen_picture(void)
{
	return XRenderCreatePicture(dpy, root, XRenderFindVisualFormat(dpy, vis), 0, NULL);
}

static void
scene_putimage(void)
{
	GC gc = new_gc();
	XImage *img;
	char *data;
	int x, y, w = 200, h = 150;

	step("bg");
	background();
	step("zpixmap");
	data = malloc((size_t)w * h * 4);
	img = XCreateImage(dpy, vis, 24, ZPixmap, 0, data, w, h, 32, 0);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			XPutPixel(img, x, y, ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | ((x ^ y) & 0xff));
	XPutImage(dpy, root, gc, img, 0, 0, 10, 10, w, h);
	XPutImage(dpy, root, gc, img, 50, 30, 220, 10, 120, 90);	/* sub-image */
	XPutImage(dpy, root, gc, img, 0, 0, W - 100, H - 60, w, h);	/* clipped by the screen */
	step("xor");
	XSetFunction(dpy, gc, GXxor);
	XPutImage(dpy, root, gc, img, 0, 0, 350, 10, w, h);
	XSetFunction(dpy, gc, GXcopy);
	step("again");
	/* the same image again: a cache candidate */
	XPutImage(dpy, root, gc, img, 0, 0, 560, 10, w, h);
	XDestroyImage(img);
	step("icons");
	data = malloc(16 * 16 * 4);
	img = XCreateImage(dpy, vis, 24, ZPixmap, 0, data, 16, 16, 32, 0);
	for (x = 0; x < 40; x++) {
		for (y = 0; y < 256; y++)
			XPutPixel(img, y % 16, y / 16, rnd_color());
		XPutImage(dpy, root, gc, img, 0, 0, 10 + (x % 20) * 20, 170 + (x / 20) * 20, 16, 16);
	}
	XDestroyImage(img);
	step("xybitmap");
	{
		static char bits[48 * 48 / 8];

		for (x = 0; x < (int)sizeof(bits); x++)
			bits[x] = (char)rnd(256);
		img = XCreateImage(dpy, vis, 1, XYBitmap, 0, bits, 48, 48, 8, 0);
		XSetForeground(dpy, gc, 0xff0000);
		XSetBackground(dpy, gc, 0x00ff00);
		XPutImage(dpy, root, gc, img, 0, 0, 430, 170, 48, 48);
		/* and transparent where 0, through a stipple-like GC */
		img->data = NULL;
		XDestroyImage(img);
	}
	step("xypixmap");
	{
		int bpl = 64 / 8;
		char *planes = malloc((size_t)bpl * 40 * 24);

		for (x = 0; x < bpl * 40 * 24; x++)
			planes[x] = (char)rnd(256);
		img = XCreateImage(dpy, vis, 24, XYPixmap, 0, planes, 64, 40, 8, bpl);
		XPutImage(dpy, root, gc, img, 0, 0, 490, 170, 64, 40);
		XDestroyImage(img);
	}
	step("depth1");
	/* PutImage into a depth-1 pixmap, shown through CopyPlane */
	{
		Pixmap bm = XCreatePixmap(dpy, root, 64, 64, 1);
		GC g1 = XCreateGC(dpy, bm, 0, NULL);
		static char bits[64 * 64 / 8];

		for (x = 0; x < (int)sizeof(bits); x++)
			bits[x] = (char)rnd(256);
		img = XCreateImage(dpy, vis, 1, ZPixmap, 0, bits, 64, 64, 8, 0);
		XPutImage(dpy, bm, g1, img, 0, 0, 0, 0, 64, 64);
		XSetForeground(dpy, gc, 0xffffff);
		XSetBackground(dpy, gc, 0x400040);
		XCopyPlane(dpy, bm, root, gc, 0, 0, 64, 64, 570, 170, 1);
		img->data = NULL;
		XDestroyImage(img);
		XFreeGC(dpy, g1);
		XFreePixmap(dpy, bm);
	}
	step("depth8");
	/* No depth-8 visual on a depth-24 screen: PutImage into a depth-8
	 * pixmap, used as an a8 Render mask */
	{
		Pixmap p8 = XCreatePixmap(dpy, root, 96, 64, 8);
		GC g8 = XCreateGC(dpy, p8, 0, NULL);
		Picture m8 = XRenderCreatePicture(dpy, p8, fmt(PictStandardA8), 0, NULL);
		Picture dst = screen_picture();
		XRenderColor c = { 0xffff, 0xffff, 0x0000, 0xffff };
		Picture solid = XRenderCreateSolidFill(dpy, &c);
		char *d8 = malloc(96 * 64);

		for (y = 0; y < 64; y++)
			for (x = 0; x < 96; x++)
				d8[y * 96 + x] = (char)(x * 255 / 95);
		img = XCreateImage(dpy, NULL, 8, ZPixmap, 0, d8, 96, 64, 8, 96);
		XPutImage(dpy, p8, g8, img, 0, 0, 0, 0, 96, 64);
		XRenderComposite(dpy, PictOpOver, solid, m8, dst, 0, 0, 0, 0, 650, 170, 96, 64);
		XDestroyImage(img);
		XRenderFreePicture(dpy, solid);
		XRenderFreePicture(dpy, dst);
		XRenderFreePicture(dpy, m8);
		XFreeGC(dpy, g8);
		XFreePixmap(dpy, p8);
	}
	step("argb32");
	/* depth 32 with alpha: PutImage into an ARGB pixmap, composited Over */
	{
		Pixmap p32 = XCreatePixmap(dpy, root, 160, 120, 32);
		GC g32 = XCreateGC(dpy, p32, 0, NULL);
		Picture src = XRenderCreatePicture(dpy, p32, fmt(PictStandardARGB32), 0, NULL);
		Picture dst = screen_picture();
		unsigned int *d32 = malloc(160 * 120 * 4);

		for (y = 0; y < 120; y++)
			for (x = 0; x < 160; x++) {
				unsigned int a = (unsigned int)(x * 255 / 159);

				/* premultiplied */
				d32[y * 160 + x] = a << 24 | ((a * (y * 2)) / 255) << 16 |
						   ((a * (255 - y * 2)) / 255) << 8 | (a * 128 / 255);
			}
		img = XCreateImage(dpy, NULL, 32, ZPixmap, 0, (char *)d32, 160, 120, 32, 640);
		XPutImage(dpy, p32, g32, img, 0, 0, 0, 0, 160, 120);
		XRenderComposite(dpy, PictOpOver, src, None, dst, 0, 0, 0, 0, 10, 250, 160, 120);
		XRenderComposite(dpy, PictOpSrc, src, None, dst, 0, 0, 0, 0, 180, 250, 160, 120);
		XDestroyImage(img);
		XRenderFreePicture(dpy, src);
		XRenderFreePicture(dpy, dst);
		XFreeGC(dpy, g32);
		XFreePixmap(dpy, p32);
	}
	step("end");
	XFreeGC(dpy, gc);
}

static void
scene_text(void)
{
	GC gc = new_gc();
	XFontStruct *fs = XLoadQueryFont(dpy, "fixed");
	XFontStruct *fs16 = XLoadQueryFont(dpy, "-misc-fixed-medium-r-normal--13-*-*-*-*-*-iso10646-1");
	XPoint poly[5] = { { 600, 300 }, { 780, 320 }, { 740, 480 }, { 660, 450 }, { 620, 380 } };
	static const char msg[] = "The quick brown fox jumps over the lazy dog 0123456789";
	XChar2b wide[24];
	int i;

	step("bg");
	background();
	step("poly8");
	if (fs) {
		XSetFont(dpy, gc, fs->fid);
		for (i = 0; i < 20; i++) {
			XSetForeground(dpy, gc, rnd_color());
			XDrawString(dpy, root, gc, 10 + (i % 3), 20 + i * 14, msg, (int)strlen(msg));
		}
	}
	step("image8");
	if (fs) {
		XSetBackground(dpy, gc, 0x000044);
		for (i = 0; i < 10; i++) {
			XSetForeground(dpy, gc, rnd_color());
			XDrawImageString(dpy, root, gc, 360, 20 + i * 14, "ImageText: opaque background", 28);
		}
	}
	step("text16");
	for (i = 0; i < 24; i++) {
		/* Latin, Greek, Cyrillic and box drawing code points */
		static const unsigned short cp[4] = { 0x0041, 0x0391, 0x0410, 0x2500 };
		unsigned short u = (unsigned short)(cp[i % 4] + i);

		wide[i].byte1 = (unsigned char)(u >> 8);
		wide[i].byte2 = (unsigned char)(u & 0xff);
	}
	if (fs16 || fs) {
		XSetFont(dpy, gc, (fs16 ? fs16 : fs)->fid);
		for (i = 0; i < 6; i++) {
			XSetForeground(dpy, gc, rnd_color());
			XDrawString16(dpy, root, gc, 360, 170 + i * 16, wide, 24);
			XDrawImageString16(dpy, root, gc, 560, 170 + i * 16, wide + i, 12);
		}
	}
	step("textclip");
	/* text through clip rectangles and across the screen's edges */
	if (fs) {
		XRectangle clip[2] = { { 20, 300, 120, 30 }, { 160, 295, 90, 50 } };

		XSetFont(dpy, gc, fs->fid);
		XSetClipRectangles(dpy, gc, 0, 0, clip, 2, Unsorted);
		for (i = 0; i < 3; i++) {
			XSetForeground(dpy, gc, rnd_color());
			XDrawString(dpy, root, gc, 10 + i * 7, 305 + i * 12, msg, (int)strlen(msg));
			XDrawImageString(dpy, root, gc, 150, 300 + i * 14, msg, 20);
		}
		XSetClipMask(dpy, gc, None);
		XSetForeground(dpy, gc, 0xffff00);
		XDrawString(dpy, root, gc, -13, 8, msg, (int)strlen(msg));
		XDrawString(dpy, root, gc, W - 100, H - 3, msg, (int)strlen(msg));
		XDrawImageString(dpy, root, gc, W - 70, 250, msg, 20);
		XDrawImageString(dpy, root, gc, 200, H + 5, msg, 20);
	}
	step("lines");
	XSetForeground(dpy, gc, 0xffffff);
	for (i = 0; i < 40; i++)
		XDrawLine(dpy, root, gc, rnd(W), 300 + rnd(H - 300), rnd(W), 300 + rnd(H - 300));
	XSetLineAttributes(dpy, gc, 5, LineOnOffDash, CapRound, JoinRound);
	XSetForeground(dpy, gc, 0xff00ff);
	XDrawRectangle(dpy, root, gc, 360, 280, 200, 100);
	step("arcs");
	XDrawArc(dpy, root, gc, 20, 320, 200, 150, 0, 360 * 64);
	XSetLineAttributes(dpy, gc, 0, LineSolid, CapButt, JoinMiter);
	XFillArc(dpy, root, gc, 240, 400, 150, 150, 30 * 64, 270 * 64);
	step("polygons");
	XSetForeground(dpy, gc, 0x00ffff);
	XFillPolygon(dpy, root, gc, poly, 5, Complex, CoordModeOrigin);
	for (i = 0; i < 100; i++)
		XDrawPoint(dpy, root, gc, 450 + rnd(100), 480 + rnd(100));
	step("end");
	if (fs)
		XFreeFont(dpy, fs);
	if (fs16)
		XFreeFont(dpy, fs16);
	XFreeGC(dpy, gc);
}

/* An Xft font from a file, without a fontconfig match (which would make
 * the result depend on the machine's font configuration). */
static XftFont *
xft_font(double px, int rgba)
{
	FcPattern *p = FcPatternCreate();
	XftFont *f;

	FcPatternAddString(p, FC_FILE, (const FcChar8 *)"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
	FcPatternAddInteger(p, FC_INDEX, 0);
	FcPatternAddDouble(p, FC_PIXEL_SIZE, px);
	FcPatternAddBool(p, FC_ANTIALIAS, FcTrue);
	FcPatternAddBool(p, FC_HINTING, FcTrue);
	FcPatternAddInteger(p, FC_HINT_STYLE, FC_HINT_SLIGHT);
	FcPatternAddInteger(p, FC_RGBA, rgba);
	FcPatternAddBool(p, XFT_RENDER, FcTrue);
	f = XftFontOpenPattern(dpy, p);
	if (!f)
		FcPatternDestroy(p);
	return f;
}

static void
scene_xft(void)
{
	static const char *lines[] = {
		"Anti-aliased text: the quick brown fox jumps over the lazy dog.",
		"Sphinx of black quartz, judge my vow! 0123456789 @#%&*()",
		"\xc3\x84\xc3\x96\xc3\x9c \xc3\x9f \xce\xb1\xce\xb2\xce\xb3 \xd0\x96\xd0\xa9 \xe2\x82\xac",
	};
	XftFont *aa = xft_font(14, FC_RGBA_NONE), *big = xft_font(28, FC_RGBA_NONE);
	XftFont *sub = xft_font(13, FC_RGBA_RGB);
	XftDraw *d = XftDrawCreate(dpy, root, vis, DefaultColormap(dpy, scr));
	XftColor c;
	XRenderColor rc;
	int i;

	step("bg");
	background();
	if (!aa || !big || !sub || !d) {
		fprintf(stderr, "xworkload: Xft font or draw could not be created\n");
		exit(1);
	}
	step("aa");
	for (i = 0; i < 18; i++) {
		rc.red = (unsigned short)(rnd(256) * 257);
		rc.green = (unsigned short)(rnd(256) * 257);
		rc.blue = (unsigned short)(rnd(256) * 257);
		rc.alpha = i % 3 ? 0xffff : 0x9000;
		XftColorAllocValue(dpy, vis, DefaultColormap(dpy, scr), &rc, &c);
		XftDrawStringUtf8(d, &c, aa, 10 + (i % 4), 20 + i * 17,
				  (const FcChar8 *)lines[i % 3], (int)strlen(lines[i % 3]));
		XftColorFree(dpy, vis, DefaultColormap(dpy, scr), &c);
	}
	step("big");
	rc.red = 0xffff;
	rc.green = 0xffff;
	rc.blue = 0xffff;
	rc.alpha = 0xffff;
	XftColorAllocValue(dpy, vis, DefaultColormap(dpy, scr), &rc, &c);
	for (i = 0; i < 4; i++)
		XftDrawStringUtf8(d, &c, big, 20 + i * 3, 360 + i * 34,
				  (const FcChar8 *)"Big glyphs: Wave AV", 19);
	step("subpixel");
	for (i = 0; i < 8; i++)
		XftDrawStringUtf8(d, &c, sub, 420, 360 + i * 16,
				  (const FcChar8 *)lines[i % 3], (int)strlen(lines[i % 3]));
	XftColorFree(dpy, vis, DefaultColormap(dpy, scr), &c);
	step("end");
	XftDrawDestroy(d);
	XftFontClose(dpy, aa);
	XftFontClose(dpy, big);
	XftFontClose(dpy, sub);
}

static void
scene_glyphs(void)
{
	Picture dst = screen_picture();
	XRenderColor c = { 0x2000, 0xe000, 0x4000, 0xffff };
	Picture solid = XRenderCreateSolidFill(dpy, &c);
	GlyphSet gs = XRenderCreateGlyphSet(dpy, fmt(PictStandardA8));
	GlyphSet gs1 = XRenderCreateGlyphSet(dpy, fmt(PictStandardA1));
	GlyphSet gs32 = XRenderCreateGlyphSet(dpy, fmt(PictStandardARGB32));
	Glyph ids[26];
	XGlyphInfo gi[26];
	static char img[26][12 * 13];		/* a8 rows padded to 4 bytes */
	static char img1[26][4 * 13];		/* a1 rows padded to 4 bytes */
	static unsigned int img32[26][9 * 13];
	char text[64];
	int g, i, line;

	step("bg");
	background();
	for (g = 0; g < 26; g++) {
		ids[g] = 'a' + g;
		gi[g].width = 9;
		gi[g].height = 13;
		gi[g].x = 0;
		gi[g].y = 11;
		gi[g].xOff = 10;
		gi[g].yOff = 0;
		for (i = 0; i < 12 * 13; i++)	/* stride rounds 9 up to 12 */
			img[g][i] = (char)(((i % 12) < 9) ? rnd(256) : 0);
		for (i = 0; i < 4 * 13; i++)
			img1[g][i] = (char)((i % 4) < 2 ? rnd(256) : 0);
		for (i = 0; i < 9 * 13; i++) {
			unsigned int a = rnd(256);

			img32[g][i] = a << 24 | (rnd(a + 1) << 16) | (rnd(a + 1) << 8) | rnd(a + 1);
		}
	}
	XRenderAddGlyphs(dpy, gs, ids, gi, 26, (char *)img, sizeof(img));
	XRenderAddGlyphs(dpy, gs1, ids, gi, 26, (char *)img1, sizeof(img1));
	XRenderAddGlyphs(dpy, gs32, ids, gi, 26, (char *)img32, sizeof(img32));
	step("a8");
	for (line = 0; line < 16; line++) {
		for (i = 0; i < 60; i++)
			text[i] = (char)('a' + (line + i) % 26);
		c.red = (unsigned short)rnd(65536);
		XRenderFreePicture(dpy, solid);
		solid = XRenderCreateSolidFill(dpy, &c);
		XRenderCompositeString8(dpy, PictOpOver, solid, dst, fmt(PictStandardA8), gs,
					0, 0, 10 + (line % 3), 20 + line * 18, text, 60);
	}
	step("a1");
	for (line = 0; line < 6; line++) {
		for (i = 0; i < 60; i++)
			text[i] = (char)('a' + (line * 7 + i) % 26);
		XRenderCompositeString8(dpy, PictOpOver, solid, dst, NULL, gs1,
					0, 0, 10, 320 + line * 18, text, 60);
	}
	step("argb");
	for (line = 0; line < 6; line++) {
		for (i = 0; i < 60; i++)
			text[i] = (char)('a' + (line * 3 + i) % 26);
		/* ARGB glyphs: the mask carries colour, i.e. component alpha */
		XRenderCompositeString8(dpy, PictOpOver, solid, dst, fmt(PictStandardARGB32), gs32,
					0, 0, 10, 440 + line * 18, text, 60);
	}
	step("end");
	XRenderFreeGlyphSet(dpy, gs);
	XRenderFreeGlyphSet(dpy, gs1);
	XRenderFreeGlyphSet(dpy, gs32);
	XRenderFreePicture(dpy, solid);
	XRenderFreePicture(dpy, dst);
}

/* A picture of format f with random content (premultiplied when the format
 * has alpha; opaque_only keeps alpha at 1). */
static Picture
rnd_picture(int w, int h, XRenderPictFormat *f, int opaque_only)
{
	Pixmap p = XCreatePixmap(dpy, root, w, h, f->depth);
	Picture pic = XRenderCreatePicture(dpy, p, f, 0, NULL);
	XRenderColor c;
	int i;

	c.red = c.green = c.blue = 0;
	c.alpha = 0;
	XRenderFillRectangle(dpy, PictOpSrc, pic, &c, 0, 0, w, h);
	for (i = 0; i < 12; i++) {
		c.alpha = opaque_only ? 0xffff : (unsigned short)(rnd(256) * 257);
		c.red = (unsigned short)((rnd(256) * 257) * (unsigned int)c.alpha / 0xffff);
		c.green = (unsigned short)((rnd(256) * 257) * (unsigned int)c.alpha / 0xffff);
		c.blue = (unsigned short)((rnd(256) * 257) * (unsigned int)c.alpha / 0xffff);
		XRenderFillRectangle(dpy, PictOpSrc, pic, &c, rnd(w), rnd(h), 1 + rnd(w / 2), 1 + rnd(h / 2));
	}
	XFreePixmap(dpy, p);
	return pic;
}

static void
scene_render(void)
{
	Picture dst = screen_picture();
	Picture src = rnd_picture(48, 48, fmt(PictStandardARGB32), 0);
	Picture xsrc = rnd_picture(48, 48, fmt(PictStandardRGB24), 1);
	Picture mask = rnd_picture(48, 48, fmt(PictStandardA8), 0);
	Picture camask = rnd_picture(48, 48, fmt(PictStandardARGB32), 0);
	XRenderPictFormat *f565 = fmt_r5g6b5();
	XRenderPictureAttributes pa;
	XTransform xf;
	int op, i;

	step("bg");
	background();
	step("ops");
	/*
	 * every Porter-Duff operator: an a8r8g8b8 source, a translucent
	 * solid source through an a8 mask, an x8r8g8b8 source
	 */
	{
		XRenderColor oc = { 0x3000, 0x9000, 0x6000, 0xa000 };
		Picture osolid = XRenderCreateSolidFill(dpy, &oc);

		for (op = PictOpClear; op <= PictOpSaturate; op++) {
			XRenderComposite(dpy, op, src, None, dst, 0, 0, 0, 0, 10 + op * 54, 10, 48, 48);
			XRenderComposite(dpy, op, osolid, mask, dst, 0, 0, 0, 0, 10 + op * 54, 62, 48, 48);
			XRenderComposite(dpy, op, xsrc, None, dst, 0, 0, 0, 0, 10 + op * 54, 114, 48, 48);
		}
		XRenderFreePicture(dpy, osolid);
	}
	step("blend");
	/* the PDF blend modes */
	for (op = PictOpMultiply; op <= PictOpHSLLuminosity; op++)
		XRenderComposite(dpy, op, src, None, dst, 0, 0, 0, 0,
				 10 + (op - PictOpMultiply) * 52, 166, 48, 48);
	step("formats");
	/* a1 and r5g6b5 sources, an a1 mask; composite into r5g6b5 and a8
	 * pictures, shown on the screen */
	{
		Picture a1 = rnd_picture(48, 48, fmt(PictStandardA1), 0);
		Picture s565 = f565 ? rnd_picture(48, 48, f565, 1) : None;
		Picture d565 = f565 ? rnd_picture(96, 48, f565, 1) : None;
		Picture d8 = rnd_picture(96, 48, fmt(PictStandardA8), 0);
		XRenderColor white = { 0xffff, 0xffff, 0xffff, 0xffff };
		Picture wsolid = XRenderCreateSolidFill(dpy, &white);

		XRenderComposite(dpy, PictOpOver, a1, None, dst, 0, 0, 0, 0, 10, 218, 48, 48);
		XRenderComposite(dpy, PictOpOver, src, a1, dst, 0, 0, 0, 0, 62, 218, 48, 48);
		if (f565) {
			XRenderComposite(dpy, PictOpSrc, s565, None, dst, 0, 0, 0, 0, 114, 218, 48, 48);
			XRenderComposite(dpy, PictOpOver, src, mask, d565, 0, 0, 0, 0, 10, 0, 48, 48);
			XRenderComposite(dpy, PictOpSrc, d565, None, dst, 0, 0, 0, 0, 166, 218, 96, 48);
		} else {
			fprintf(stderr, "xworkload: no r5g6b5 format: that part of 'formats' is not drawn\n");
		}
		XRenderComposite(dpy, PictOpAdd, src, None, d8, 0, 0, 0, 0, 20, 0, 48, 48);
		XRenderComposite(dpy, PictOpOver, wsolid, d8, dst, 0, 0, 0, 0, 266, 218, 96, 48);
		XRenderFreePicture(dpy, wsolid);
		XRenderFreePicture(dpy, a1);
		XRenderFreePicture(dpy, d8);
		if (f565) {
			XRenderFreePicture(dpy, s565);
			XRenderFreePicture(dpy, d565);
		}
	}
	step("ca");
	pa.component_alpha = True;
	XRenderChangePicture(dpy, camask, CPComponentAlpha, &pa);
	XRenderComposite(dpy, PictOpOver, src, camask, dst, 0, 0, 0, 0, 370, 218, 48, 48);
	XRenderComposite(dpy, PictOpAdd, xsrc, camask, dst, 0, 0, 0, 0, 422, 218, 48, 48);
	step("solid");
	{
		XRenderColor c = { 0x4000, 0x8000, 0x2000, 0x8000 };
		Picture solid = XRenderCreateSolidFill(dpy, &c);

		XRenderComposite(dpy, PictOpOver, solid, mask, dst, 0, 0, 0, 0, 474, 218, 48, 48);
		XRenderComposite(dpy, PictOpOver, solid, None, dst, 0, 0, 0, 0, 526, 218, 48, 48);
		XRenderFillRectangle(dpy, PictOpOver, dst, &c, 578, 218, 48, 48);
		XRenderFillRectangle(dpy, PictOpSrc, dst, &c, 630, 218, 48, 48);
		XRenderFreePicture(dpy, solid);
	}
	step("gradients");
	{
		XFixed stops[3] = { XDoubleToFixed(0), XDoubleToFixed(0.4), XDoubleToFixed(1) };
		XRenderColor cols[3] = { { 0xffff, 0, 0, 0xffff }, { 0, 0x8000, 0, 0x8000 },
					 { 0, 0, 0xffff, 0xffff } };
		XLinearGradient lg = { { XDoubleToFixed(0), XDoubleToFixed(0) },
				       { XDoubleToFixed(90), XDoubleToFixed(30) } };
		XRadialGradient rg = { { XDoubleToFixed(45), XDoubleToFixed(30), XDoubleToFixed(0) },
				       { XDoubleToFixed(45), XDoubleToFixed(30), XDoubleToFixed(40) } };
		XConicalGradient cg = { { XDoubleToFixed(45), XDoubleToFixed(30) }, XDoubleToFixed(0) };
		Picture lin = XRenderCreateLinearGradient(dpy, &lg, stops, cols, 3);
		Picture rad = XRenderCreateRadialGradient(dpy, &rg, stops, cols, 3);
		Picture con = XRenderCreateConicalGradient(dpy, &cg, stops, cols, 3);

		XRenderComposite(dpy, PictOpOver, lin, None, dst, 0, 0, 0, 0, 10, 270, 96, 64);
		pa.repeat = RepeatReflect;
		XRenderChangePicture(dpy, lin, CPRepeat, &pa);
		XRenderComposite(dpy, PictOpOver, lin, None, dst, 0, 0, 0, 0, 110, 270, 96, 64);
		XRenderComposite(dpy, PictOpSrc, rad, None, dst, 0, 0, 0, 0, 210, 270, 96, 64);
		XRenderComposite(dpy, PictOpOver, con, mask, dst, 0, 0, 0, 0, 310, 270, 96, 64);
		XRenderFreePicture(dpy, lin);
		XRenderFreePicture(dpy, rad);
		XRenderFreePicture(dpy, con);
	}
	step("repeat");
	for (i = 0; i < 4; i++) {
		pa.repeat = i;	/* None, Normal, Pad, Reflect */
		XRenderChangePicture(dpy, src, CPRepeat, &pa);
		XRenderComposite(dpy, PictOpOver, src, None, dst, 20, 20, 0, 0, 10 + i * 130, 340, 120, 90);
	}
	pa.repeat = RepeatNone;
	XRenderChangePicture(dpy, src, CPRepeat, &pa);
	step("transform");
	memset(&xf, 0, sizeof(xf));
	xf.matrix[0][0] = XDoubleToFixed(0.5);
	xf.matrix[1][1] = XDoubleToFixed(0.5);
	xf.matrix[2][2] = XDoubleToFixed(1);
	XRenderSetPictureTransform(dpy, xsrc, &xf);
	XRenderSetPictureFilter(dpy, xsrc, "nearest", NULL, 0);
	XRenderComposite(dpy, PictOpSrc, xsrc, None, dst, 0, 0, 0, 0, 530, 340, 96, 96);
	XRenderSetPictureFilter(dpy, xsrc, "bilinear", NULL, 0);
	XRenderComposite(dpy, PictOpSrc, xsrc, None, dst, 0, 0, 0, 0, 630, 340, 96, 96);
	xf.matrix[0][0] = XDoubleToFixed(0.8);
	xf.matrix[0][1] = XDoubleToFixed(-0.6);
	xf.matrix[1][0] = XDoubleToFixed(0.6);
	xf.matrix[1][1] = XDoubleToFixed(0.8);
	XRenderSetPictureTransform(dpy, src, &xf);
	XRenderComposite(dpy, PictOpOver, src, None, dst, 0, 0, 0, 0, 530, 440, 96, 96);
	XRenderSetPictureFilter(dpy, src, "bilinear", NULL, 0);
	XRenderComposite(dpy, PictOpOver, src, mask, dst, 0, 0, 0, 0, 630, 440, 96, 96);
	step("masks");
	/*
	 * Masks the device gets as grey component-alpha images: blend modes
	 * through a mask, repeating, transformed and solid masks, x8r8g8b8
	 * masks with and without component alpha, an a8 source, and the
	 * operators that clear where the mask is zero.  32x32 squares in
	 * the free bands right of the gradients and below the transforms.
	 */
	{
		/* 8-bit exact: pixman blends some modes from a solid's 16 bits */
		XRenderColor c = { 0x6060, 0x2020, 0xa0a0, 0xc0c0 };
		Picture solid = XRenderCreateSolidFill(dpy, &c);
		Picture xmask = rnd_picture(48, 48, fmt(PictStandardRGB24), 1);
		Picture xcamask = rnd_picture(48, 48, fmt(PictStandardRGB24), 1);
		static const int unbounded[] = { PictOpSrc, PictOpIn, PictOpOut, PictOpAtop,
						 PictOpXor, PictOpAdd, PictOpSaturate };
		int k = 0;

#define SLOT_X(k) ((k) < 20 ? 412 + ((k) % 10) * 38 : 384 + ((k) - 20) * 38)
#define SLOT_Y(k) ((k) < 10 ? 272 : (k) < 20 ? 304 : 548)
		/* every blend mode through the a8 mask (the HSL ones stay in software) */
		for (op = PictOpMultiply; op <= PictOpHSLLuminosity; op++, k++)
			XRenderComposite(dpy, op, solid, mask, dst, 0, 0, 8, 8, SLOT_X(k), SLOT_Y(k), 32, 32);
		/* the mask repeating: normal, pad, reflect, sampled past its edge */
		for (i = RepeatNormal; i <= RepeatReflect; i++, k++) {
			pa.repeat = i;
			XRenderChangePicture(dpy, mask, CPRepeat, &pa);
			XRenderComposite(dpy, PictOpOver, src, mask, dst, 0, 0, 30, 30, SLOT_X(k), SLOT_Y(k), 32, 32);
		}
		pa.repeat = RepeatNone;
		XRenderChangePicture(dpy, mask, CPRepeat, &pa);
		/* the mask rotated, bilinear, under an untransformed source */
		XRenderSetPictureTransform(dpy, mask, &xf);
		XRenderSetPictureFilter(dpy, mask, "bilinear", NULL, 0);
		XRenderComposite(dpy, PictOpOver, xsrc, mask, dst, 0, 0, 4, 4, SLOT_X(k), SLOT_Y(k), 32, 32);
		k++;
		/* source and mask both transformed (src keeps the rotation above) */
		XRenderComposite(dpy, PictOpOver, src, mask, dst, 2, 2, 6, 6, SLOT_X(k), SLOT_Y(k), 32, 32);
		k++;
		memset(&xf, 0, sizeof(xf));
		xf.matrix[0][0] = xf.matrix[1][1] = xf.matrix[2][2] = XDoubleToFixed(1);
		XRenderSetPictureTransform(dpy, mask, &xf);
		XRenderSetPictureFilter(dpy, mask, "nearest", NULL, 0);
		/* a solid picture as the mask */
		XRenderComposite(dpy, PictOpOver, src, solid, dst, 0, 0, 0, 0, SLOT_X(k), SLOT_Y(k), 32, 32);
		k++;
		/* an a8 picture as the source */
		XRenderComposite(dpy, PictOpOver, mask, None, dst, 0, 0, 0, 0, SLOT_X(k), SLOT_Y(k), 32, 32);
		k++;
		/* x8r8g8b8 masks: alpha 1 without component alpha, colours with */
		XRenderComposite(dpy, PictOpOver, solid, xmask, dst, 0, 0, 0, 0, SLOT_X(k), SLOT_Y(k), 32, 32);
		k++;
		pa.component_alpha = True;
		XRenderChangePicture(dpy, xcamask, CPComponentAlpha, &pa);
		XRenderComposite(dpy, PictOpOver, solid, xcamask, dst, 0, 0, 0, 0, SLOT_X(k), SLOT_Y(k), 32, 32);
		k++;
		/* the operators that change the destination where the mask is zero */
		for (i = 0; i < (int)(sizeof(unbounded) / sizeof(unbounded[0])); i++, k++)
			XRenderComposite(dpy, unbounded[i], solid, mask, dst, 0, 0, 0, 0, SLOT_X(k), SLOT_Y(k), 32, 32);
#undef SLOT_X
#undef SLOT_Y
		XRenderFreePicture(dpy, solid);
		XRenderFreePicture(dpy, xmask);
		XRenderFreePicture(dpy, xcamask);
	}
	step("winsrc");
	/* the window as a source: reads back what was drawn */
	XRenderComposite(dpy, PictOpOver, dst, mask, dst, 10, 10, 0, 0, 10, 440, 48, 48);
	XRenderComposite(dpy, PictOpSrc, dst, None, dst, 0, 0, 0, 0, 70, 440, 300, 150);
	step("end");
	XRenderFreePicture(dpy, src);
	XRenderFreePicture(dpy, xsrc);
	XRenderFreePicture(dpy, mask);
	XRenderFreePicture(dpy, camask);
	XRenderFreePicture(dpy, dst);
}

static void
scene_traps(void)
{
	Picture dst = screen_picture();
	XRenderColor c = { 0xffff, 0x8000, 0x0000, 0xc000 };
	Picture solid = XRenderCreateSolidFill(dpy, &c);
	XTrapezoid t[16];
	XTriangle tri[8];
	XPointFixed pts[12];
	int i;

	step("bg");
	background();
	for (i = 0; i < 16; i++) {
		int x = 10 + (i % 8) * 98, y = 10 + (i / 8) * 130;

		t[i].top = XDoubleToFixed(y + 0.3);
		t[i].bottom = XDoubleToFixed(y + 100.7);
		t[i].left.p1.x = XDoubleToFixed(x + 10.25);
		t[i].left.p1.y = XDoubleToFixed(y);
		t[i].left.p2.x = XDoubleToFixed(x);
		t[i].left.p2.y = XDoubleToFixed(y + 110);
		t[i].right.p1.x = XDoubleToFixed(x + 60.5);
		t[i].right.p1.y = XDoubleToFixed(y);
		t[i].right.p2.x = XDoubleToFixed(x + 85.75);
		t[i].right.p2.y = XDoubleToFixed(y + 110);
	}
	step("traps-a8");
	XRenderCompositeTrapezoids(dpy, PictOpOver, solid, dst, fmt(PictStandardA8), 0, 0, t, 8);
	step("traps-a1");
	XRenderCompositeTrapezoids(dpy, PictOpOver, solid, dst, fmt(PictStandardA1), 0, 0, t + 8, 8);
	step("triangles");
	for (i = 0; i < 8; i++) {
		int x = 10 + i * 98, y = 270;

		tri[i].p1.x = XDoubleToFixed(x + 0.5);
		tri[i].p1.y = XDoubleToFixed(y + 0.5);
		tri[i].p2.x = XDoubleToFixed(x + 80.25);
		tri[i].p2.y = XDoubleToFixed(y + 30.75);
		tri[i].p3.x = XDoubleToFixed(x + 30.125);
		tri[i].p3.y = XDoubleToFixed(y + 120.5);
	}
	XRenderCompositeTriangles(dpy, PictOpOver, solid, dst, fmt(PictStandardA8), 0, 0, tri, 8);
	XRenderCompositeTriangles(dpy, PictOpAdd, solid, dst, NULL, 0, 0, tri, 4);
	step("strip-fan");
	for (i = 0; i < 12; i++) {
		pts[i].x = XDoubleToFixed(20 + i * 30 + (i & 1) * 7.5);
		pts[i].y = XDoubleToFixed(420 + (i & 1) * 60.25);
	}
	XRenderCompositeTriStrip(dpy, PictOpOver, solid, dst, fmt(PictStandardA8), 0, 0, pts, 12);
	for (i = 0; i < 12; i++) {
		pts[i].x = XDoubleToFixed(i ? 600 + 150 * ((i % 4) - 1.5) / 1.5 + i : 600);
		pts[i].y = XDoubleToFixed(i ? 500 + 80 * ((i % 3) - 1) + i * 0.5 : 500);
	}
	XRenderCompositeTriFan(dpy, PictOpOver, solid, dst, fmt(PictStandardA8), 0, 0, pts, 12);
	step("end");
	XRenderFreePicture(dpy, solid);
	XRenderFreePicture(dpy, dst);
}

/*
 * More pixmaps than the driver gives device surfaces (memory and ids):
 * 80 of 256x256 (20 MiB in all) and 600 of 48x24, each with its own
 * colours, shown twice; the second time, changed a little in between for
 * every third.  Pixmaps left without a surface must be as exact.
 */
static void
many_pixmaps(GC gc)
{
	enum { NBIG = 80, NSMALL = 600 };
	static Pixmap big[NBIG], small[NSMALL];
	GC pg = XCreateGC(dpy, root, 0, NULL);
	int i, pass;

	for (i = 0; i < NBIG; i++) {
		big[i] = XCreatePixmap(dpy, root, 256, 256, 24);
		XSetForeground(dpy, pg, rnd_color());
		XFillRectangle(dpy, big[i], pg, 0, 0, 256, 256);
		XSetForeground(dpy, pg, rnd_color());
		XFillRectangle(dpy, big[i], pg, rnd(200), rnd(200), 8 + rnd(50), 8 + rnd(50));
	}
	for (i = 0; i < NSMALL; i++) {
		small[i] = XCreatePixmap(dpy, root, 48, 24, 24);
		XSetForeground(dpy, pg, rnd_color());
		XFillRectangle(dpy, small[i], pg, 0, 0, 48, 24);
		XSetForeground(dpy, pg, rnd_color());
		XFillRectangle(dpy, small[i], pg, rnd(40), rnd(16), 8, 8);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < NBIG; i++) {
			if (pass && i % 3 == 0) {
				XSetForeground(dpy, pg, rnd_color());
				XFillRectangle(dpy, big[i], pg, 100, 100, 20, 20);
			}
			XCopyArea(dpy, big[i], root, gc, 80 + pass * 40, 80, 96, 64,
				  (i % 8) * 100, (i / 8) * 60);
		}
		for (i = 0; i < NSMALL; i++) {
			if (pass && i % 3 == 0) {
				XSetForeground(dpy, pg, rnd_color());
				XFillRectangle(dpy, small[i], pg, 20, 8, 4, 4);
			}
			XCopyArea(dpy, small[i], root, gc, 0, 0, 48, 24,
				  (i % 16) * 50, ((i / 16) % 25) * 24);
		}
	}
	for (i = 0; i < NBIG; i++)
		XFreePixmap(dpy, big[i]);
	for (i = 0; i < NSMALL; i++)
		XFreePixmap(dpy, small[i]);
	XFreeGC(dpy, pg);
}

static void
scene_pixmaps(void)
{
	GC gc = new_gc();
	Pixmap a = XCreatePixmap(dpy, root, 256, 192, 24);
	Pixmap b = XCreatePixmap(dpy, root, 256, 192, 24);
	GC pg = XCreateGC(dpy, a, 0, NULL);
	XFontStruct *fs = XLoadQueryFont(dpy, "fixed");
	XImage *img;
	int i;

	step("bg");
	background();
	step("draw");
	/* fills, an image, text and copies into an off-screen pixmap */
	XSetForeground(dpy, pg, 0x204060);
	XFillRectangle(dpy, a, pg, 0, 0, 256, 192);
	for (i = 0; i < 20; i++) {
		XSetForeground(dpy, pg, rnd_color());
		XFillRectangle(dpy, a, pg, rnd(256), rnd(192), 1 + rnd(100), 1 + rnd(80));
	}
	if (fs) {
		XSetFont(dpy, pg, fs->fid);
		XSetForeground(dpy, pg, 0xffffff);
		for (i = 0; i < 5; i++)
			XDrawString(dpy, a, pg, 4, 20 + i * 14, "off-screen pixmap text", 22);
	}
	XCopyArea(dpy, a, a, pg, 0, 0, 200, 150, 12, 9);	/* overlapping, in place */
	step("pix2pix");
	XSetForeground(dpy, pg, 0x000000);
	XFillRectangle(dpy, b, pg, 0, 0, 256, 192);
	XCopyArea(dpy, a, b, pg, 30, 20, 200, 150, 10, 10);
	XSetFunction(dpy, pg, GXxor);
	XCopyArea(dpy, a, b, pg, 0, 0, 100, 100, 150, 90);
	XSetFunction(dpy, pg, GXcopy);
	step("toscreen");
	XCopyArea(dpy, a, root, gc, 0, 0, 256, 192, 10, 10);
	XCopyArea(dpy, b, root, gc, 0, 0, 256, 192, 280, 10);
	/* partly, and twice: the second copy of unchanged content */
	XCopyArea(dpy, a, root, gc, 50, 50, 150, 100, 550, 10);
	XCopyArea(dpy, a, root, gc, 50, 50, 150, 100, 550, 120);
	step("redraw");
	/* change the pixmap after it was shown, show it again */
	XSetForeground(dpy, pg, 0xff0000);
	XFillRectangle(dpy, a, pg, 100, 80, 40, 30);
	XCopyArea(dpy, a, root, gc, 0, 0, 256, 192, 10, 220);
	step("getimage");
	/* GetImage of a pixmap, put on the screen */
	img = XGetImage(dpy, b, 0, 0, 256, 192, AllPlanes, ZPixmap);
	if (img) {
		XPutImage(dpy, root, gc, img, 0, 0, 280, 220, 256, 192);
		XDestroyImage(img);
	}
	step("repeat");
	/* unchanged pixmaps shown again and again: no pixels to send */
	for (i = 0; i < 12; i++)
		XCopyArea(dpy, (i & 1) ? b : a, root, gc, 8 * i, 6 * i, 120, 90,
			  20 + (i % 6) * 128, 420 + (i / 6) * 90);
	step("pix2pix2");
	/* between pixmaps the device already holds, then shown */
	XCopyArea(dpy, a, b, pg, 0, 0, 128, 96, 128, 96);
	XCopyArea(dpy, b, b, pg, 0, 0, 128, 96, 20, 30);	/* overlapping, in place */
	XCopyArea(dpy, b, root, gc, 0, 0, 256, 192, 540, 220);
	step("scr2pix");
	/* screen -> pixmap -> screen */
	XCopyArea(dpy, root, a, pg, 300, 250, 200, 150, 40, 30);
	XCopyArea(dpy, a, root, gc, 0, 0, 256, 192, 540, 400);
	step("fillpix");
	/* fills and text into a shown pixmap, shown again */
	XSetForeground(dpy, pg, 0x30c050);
	XFillRectangle(dpy, a, pg, 10, 10, 100, 60);
	XSetForeground(dpy, pg, 0x000000);
	if (fs)
		XDrawString(dpy, a, pg, 12, 120, "changed", 7);
	XCopyArea(dpy, a, root, gc, 0, 0, 256, 192, 10, 10);
	step("many");
	many_pixmaps(gc);
	XFreePixmap(dpy, a);
	XFreePixmap(dpy, b);
	step("end");
	if (fs)
		XFreeFont(dpy, fs);
	XFreeGC(dpy, pg);
	XFreeGC(dpy, gc);
}

static void
scene_windows(void)
{
	Window w[4];
	GC gc;
	int i, s;

	step("bg");
	background();
	step("create");
	/* leave the windows in place when we exit, so the screen can be read */
	XSetCloseDownMode(dpy, RetainTemporary);
	for (i = 0; i < 4; i++)
		w[i] = plain_window(40 + i * 100, 40 + i * 60, 260, 180, 3);
	gc = XCreateGC(dpy, w[0], 0, NULL);
	for (i = 0; i < 4; i++) {
		XSetForeground(dpy, gc, rnd_color());
		XFillRectangle(dpy, w[i], gc, 20, 20, 100, 60);
		XSetForeground(dpy, gc, rnd_color());
		XFillRectangle(dpy, w[i], gc, 0, 170, 260, 10);
	}
	step("lines");
	for (i = 0; i < 4; i++) {
		XSetForeground(dpy, gc, rnd_color());
		XDrawLine(dpy, w[i], gc, 0, 0, 259, 179);
	}
	step("move");
	/* each move is a CopyWindow plus exposures of what is uncovered */
	for (s = 0; s < 10; s++) {
		XMoveWindow(dpy, w[s % 4], 50 + s * 31, 30 + s * 23);
		XSync(dpy, False);
	}
	step("restack");
	XRaiseWindow(dpy, w[0]);
	XResizeWindow(dpy, w[1], 200, 150);
	XSync(dpy, False);
	step("scroll");
	for (s = 0; s < 20; s++)
		XCopyArea(dpy, w[2], w[2], gc, 0, 4, 260, 176, 0, 0);
	step("end");
	XFreeGC(dpy, gc);
}

static void
scene_readback(void)
{
	GC gc = new_gc();
	XImage *img;
	int i;

	step("bg");
	background();
	step("draw");
	for (i = 0; i < 50; i++) {
		XSetForeground(dpy, gc, rnd_color());
		XFillRectangle(dpy, root, gc, rnd(350), rnd(250), 1 + rnd(100), 1 + rnd(100));
	}
	XCopyArea(dpy, root, root, gc, 0, 0, 200, 200, 100, 100);
	step("putback");
	img = XGetImage(dpy, root, 0, 0, 380, 300, AllPlanes, ZPixmap);
	if (img) {
		XPutImage(dpy, root, gc, img, 0, 0, 400, 0, 380, 300);
		XDestroyImage(img);
	}
	img = XGetImage(dpy, root, 500, 100, 100, 100, 0x00ff00, ZPixmap);
	if (img) {
		XPutImage(dpy, root, gc, img, 0, 0, 400, 320, 100, 100);
		XDestroyImage(img);
	}
	step("end");
	XFreeGC(dpy, gc);
}

/*
 * Wide solid lines: mi draws the straight parts of each line through
 * PolyFillRect and the joins, round caps and diagonals through FillSpans,
 * both called from inside the line request (issue 15, item 1: the
 * nested fill must not settle the outer request's damage).  Every cap
 * and join, widths 5 to 17, rectangles and polylines with diagonals.
 */
static void
scene_widelines(void)
{
	static const int caps[] = { CapButt, CapRound, CapProjecting };
	static const int joins[] = { JoinMiter, JoinRound, JoinBevel };
	GC gc = new_gc();
	int c, j, k;

	step("bg");
	background();
	step("rects");
	for (c = 0; c < 3; c++)
		for (j = 0; j < 3; j++) {
			int w = 5 + (c * 3 + j) * 3 / 2;	/* 5..17 */

			XSetForeground(dpy, gc, rnd_color());
			XSetLineAttributes(dpy, gc, (unsigned int)w, LineSolid, caps[c], joins[j]);
			XDrawRectangle(dpy, root, gc, 20 + j * 130, 20 + c * 90, 100, 60);
		}
	step("polylines");
	for (k = 0; k < 9; k++) {
		XPoint pts[5];
		int x = 420 + (k % 3) * 125, y = 20 + (k / 3) * 95;

		pts[0] = (XPoint){ (short)(x + 5), (short)(y + 70) };
		pts[1] = (XPoint){ (short)(x + 35), (short)(y + 10) };
		pts[2] = (XPoint){ (short)(x + 60), (short)(y + 70) };
		pts[3] = (XPoint){ (short)(x + 100), (short)(y + 40) };
		pts[4] = (XPoint){ (short)(x + 100), (short)(y + 5) };
		XSetForeground(dpy, gc, rnd_color());
		XSetLineAttributes(dpy, gc, (unsigned int)(5 + k * 3 / 2), LineSolid, caps[k % 3],
				   joins[(k / 3) % 3]);
		XDrawLines(dpy, root, gc, pts, 5, CoordModeOrigin);
	}
	step("segments");
	/* every width 5..17 and every cap as lone diagonal segments and arcs */
	for (k = 0; k < 13; k++) {
		XSetForeground(dpy, gc, rnd_color());
		XSetLineAttributes(dpy, gc, (unsigned int)(5 + k), LineSolid, caps[k % 3], joins[k % 3]);
		XDrawLine(dpy, root, gc, 20 + k * 58, 320, 60 + k * 58, 420);
		XDrawArc(dpy, root, gc, 20 + k * 58, 450, 40, 60, 30 * 64, 250 * 64);
	}
	step("end");
	XFreeGC(dpy, gc);
}

/*
 * Translucent rectangles (Render FillRectangles, PictOpOver) over
 * gradients and core polygons, as a desktop's selection boxes and
 * shadows are drawn (issue 15, item 1).
 */
static void
scene_translucent(void)
{
	Picture dst = screen_picture();
	XFixed stops[2] = { XDoubleToFixed(0), XDoubleToFixed(1) };
	XRenderColor cols[2] = { { 0xffff, 0x2000, 0, 0xffff }, { 0, 0x4000, 0xffff, 0xffff } };
	XLinearGradient lg = { { XDoubleToFixed(0), XDoubleToFixed(0) },
			       { XDoubleToFixed(700), XDoubleToFixed(250) } };
	Picture lin = XRenderCreateLinearGradient(dpy, &lg, stops, cols, 2);
	GC gc = new_gc();
	int i;

	step("bg");
	background();
	step("under");
	XRenderComposite(dpy, PictOpSrc, lin, None, dst, 0, 0, 0, 0, 40, 30, 700, 250);
	for (i = 0; i < 6; i++) {
		XPoint poly[4] = { { (short)(60 + i * 120), 320 }, { (short)(150 + i * 120), 330 },
				   { (short)(120 + i * 120), 560 }, { (short)(40 + i * 120), 500 } };

		XSetForeground(dpy, gc, rnd_color());
		XFillPolygon(dpy, root, gc, poly, 4, Convex, CoordModeOrigin);
	}
	/* Render polygons (trapezoids through an a8 mask) */
	for (i = 0; i < 4; i++) {
		XRenderColor pc = { (unsigned short)(rnd(256) * 257), (unsigned short)(rnd(256) * 257),
				    (unsigned short)(rnd(256) * 257), 0xffff };
		Picture solid = XRenderCreateSolidFill(dpy, &pc);
		XPointDouble pts[5] = { { 100 + i * 170, 60 }, { 180 + i * 170, 90 },
					{ 160 + i * 170, 250 }, { 90 + i * 170, 200 },
					{ 60 + i * 170, 120 } };

		XRenderCompositeDoublePoly(dpy, PictOpOver, solid, dst,
					   XRenderFindStandardFormat(dpy, PictStandardA8), 0, 0, 0, 0,
					   pts, 5, EvenOddRule);
		XRenderFreePicture(dpy, solid);
	}
	step("over");
	/* one request of 20 rectangles in one colour, then 20 requests */
	{
		XRenderColor c = { 0x3000, 0x5000, 0x2000, 0x8000 };
		XRectangle r[20];

		for (i = 0; i < 20; i++)
			r[i] = (XRectangle){ (short)rnd(650), (short)rnd(500),
					     (unsigned short)(40 + rnd(200)), (unsigned short)(30 + rnd(150)) };
		XRenderFillRectangles(dpy, PictOpOver, dst, &c, r, 20);
	}
	for (i = 0; i < 20; i++) {
		XRenderColor c;

		c.alpha = (unsigned short)((32 + rnd(192)) * 257);
		c.red = (unsigned short)(rnd(256) * 257 * (unsigned int)c.alpha / 0xffff);
		c.green = (unsigned short)(rnd(256) * 257 * (unsigned int)c.alpha / 0xffff);
		c.blue = (unsigned short)(rnd(256) * 257 * (unsigned int)c.alpha / 0xffff);
		XRenderFillRectangle(dpy, PictOpOver, dst, &c, (int)rnd(650), (int)rnd(500),
				     40 + rnd(200), 30 + rnd(150));
	}
	step("end");
	XFreeGC(dpy, gc);
	XRenderFreePicture(dpy, lin);
	XRenderFreePicture(dpy, dst);
}

/*
 * ImageText whose glyphs reach out of their background box (cursor font
 * glyphs draw left of their origin) through a clip list that the
 * background takes in one band but the glyphs' extents only in many
 * (issue 15, item 5: when the glyphs cannot be sent, the background box
 * must stay damage where they were drawn).
 */
static void
scene_imagetext(void)
{
	XFontStruct *fs = XLoadQueryFont(dpy, "cursor");
	XRectangle clip[33 * 42];
	char str[20];
	GC gc = new_gc();
	int i, r, k, n = 0, x0 = 60, y0 = 200;

	step("bg");
	background();
	step("clipped");
	if (!fs) {
		fprintf(stderr, "xworkload: no cursor font: 'imagetext' draws nothing\n");
		step("end");
		XFreeGC(dpy, gc);
		return;
	}
	for (i = 0; i < (int)sizeof(str); i++)
		str[i] = (char)(2 * i + 2);	/* the shapes, not their masks */
	/*
	 * Rows of the background box (ascent 16, descent 17): left of the
	 * box, single pixels on alternate columns that change from row to
	 * row (every row its own band); inside it, the same 35 rects of 8
	 * pixels on every row (one band): more than 1024 rects over the
	 * glyphs' extents, 35 over the box, which they cover mostly (so
	 * the damage left beside them is not sent as one picture).
	 */
	for (r = -fs->ascent; r < fs->descent; r++) {
		for (k = 0; k < 7; k++)
			clip[n++] = (XRectangle){ (short)(x0 - 15 + (r & 1) + 2 * k), (short)(y0 + r), 1, 1 };
		for (k = 0; k < 35; k++)
			clip[n++] = (XRectangle){ (short)(x0 + 1 + 9 * k), (short)(y0 + r), 8, 1 };
	}
	XSetFont(dpy, gc, fs->fid);
	XSetClipRectangles(dpy, gc, 0, 0, clip, n, Unsorted);
	for (i = 0; i < 6; i++) {
		XSetForeground(dpy, gc, rnd_color());
		XSetBackground(dpy, gc, rnd_color());
		XDrawImageString(dpy, root, gc, x0, y0, str, (int)sizeof(str));
		XSetClipOrigin(dpy, gc, 0, 60 * (i + 1));
		y0 += 60;
	}
	XSetClipMask(dpy, gc, None);
	step("end");
	XFreeFont(dpy, fs);
	XFreeGC(dpy, gc);
}

/*
 * Many random core operations with random GC functions, plane masks and
 * line attributes, as a busy desktop mixes them: fills, lines (thin and
 * wide, dashed), rectangles, arcs, polygons, copies and strings.
 */
static void
scene_random(void)
{
	static const int styles[] = { LineSolid, LineOnOffDash, LineDoubleDash };
	static const char msg[] = "random text";
	XFontStruct *fs = XLoadQueryFont(dpy, "fixed");
	GC gc = new_gc();
	int i, k;

	/* XW_RANDOM_KINDS="0123": only those kinds of operation (the cases below) */
	const char *kinds = getenv("XW_RANDOM_KINDS");
	char kind[2] = { 0, 0 };

	step("bg");
	background();
	step("ops");
	if (fs)
		XSetFont(dpy, gc, fs->fid);
	for (i = 0; i < 3000; i++) {
		int x = (int)rnd(W), y = (int)rnd(H), w = 1 + (int)rnd(120), h = 1 + (int)rnd(90);
		unsigned int op = rnd(9);

		kind[0] = (char)('0' + op);
		if (kinds && !strstr(kinds, kind))
			continue;
		XSetFunction(dpy, gc, rnd(4) ? GXcopy : (int)rnd(16));
		XSetPlaneMask(dpy, gc, rnd(4) ? AllPlanes : rnd_color());
		XSetForeground(dpy, gc, rnd_color());
		XSetBackground(dpy, gc, rnd_color());
		XSetLineAttributes(dpy, gc, rnd(3) ? 0 : rnd(12), styles[rnd(3)], (int)rnd(4),
				   (int)rnd(3));
		switch (op) {
		case 0:
			XFillRectangle(dpy, root, gc, x, y, (unsigned int)w, (unsigned int)h);
			break;
		case 1:
			XDrawLine(dpy, root, gc, x, y, (int)rnd(W), (int)rnd(H));
			break;
		case 2:
			XDrawRectangle(dpy, root, gc, x, y, (unsigned int)w, (unsigned int)h);
			break;
		case 3:
			XDrawArc(dpy, root, gc, x, y, (unsigned int)w, (unsigned int)h,
				 (int)rnd(360) * 64, (int)rnd(360) * 64);
			break;
		case 4:
			XFillArc(dpy, root, gc, x, y, (unsigned int)w, (unsigned int)h,
				 (int)rnd(360) * 64, (int)rnd(360) * 64);
			break;
		case 5: {
			XPoint p[5];

			for (k = 0; k < 5; k++)
				p[k] = (XPoint){ (short)(x + (int)rnd(100)), (short)(y + (int)rnd(80)) };
			XFillPolygon(dpy, root, gc, p, 5, Complex, CoordModeOrigin);
			break;
		}
		case 6:
			XCopyArea(dpy, root, root, gc, x, y, (unsigned int)w, (unsigned int)h,
				  (int)rnd(W), (int)rnd(H));
			break;
		case 7:
			if (fs)
				XDrawString(dpy, root, gc, x, y, msg, (int)strlen(msg));
			break;
		default:
			if (fs)
				XDrawImageString(dpy, root, gc, x, y, msg, (int)strlen(msg));
			break;
		}
	}
	step("end");
	if (fs)
		XFreeFont(dpy, fs);
	XFreeGC(dpy, gc);
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenes[] = {
	{ "fills", scene_fills },
	{ "patterns", scene_patterns },
	{ "copies", scene_copies },
	{ "putimage", scene_putimage },
	{ "text", scene_text },
	{ "xft", scene_xft },
	{ "glyphs", scene_glyphs },
	{ "render", scene_render },
	{ "traps", scene_traps },
	{ "pixmaps", scene_pixmaps },
	{ "windows", scene_windows },
	{ "readback", scene_readback },
	{ "widelines", scene_widelines },
	{ "translucent", scene_translucent },
	{ "imagetext", scene_imagetext },
	{ "random", scene_random },
};

/* fill X Y W H RRGGBB: one solid fill on the root window (helper of the
 * RandR tests). */
static int
cmd_fill(char **a)
{
	GC gc = new_gc();

	XSetForeground(dpy, gc, strtoul(a[4], NULL, 16));
	XFillRectangle(dpy, root, gc, atoi(a[0]), atoi(a[1]), (unsigned int)atoi(a[2]),
		       (unsigned int)atoi(a[3]));
	XFreeGC(dpy, gc);
	XSync(dpy, False);
	return 0;
}

/* cursor HX HY: a 32x32 ARGB cursor (translucent ring, opaque cross at the
 * hot spot) defined on the root window, then the pointer moved across the
 * screen. */
static int
cmd_cursor(char **a)
{
	int hx = atoi(a[0]), hy = atoi(a[1]), x, y, i;
	unsigned int *px = malloc(32 * 32 * 4);
	Pixmap p = XCreatePixmap(dpy, root, 32, 32, 32);
	GC gc = XCreateGC(dpy, p, 0, NULL);
	Picture pic = XRenderCreatePicture(dpy, p, fmt(PictStandardARGB32), 0, NULL);
	XImage *img;
	Cursor c;

	for (y = 0; y < 32; y++)
		for (x = 0; x < 32; x++) {
			int d2 = (x - 16) * (x - 16) + (y - 16) * (y - 16);

			px[y * 32 + x] = x == hx || y == hy ? 0xff000000 | (unsigned int)(x * 8) << 16 :
					 d2 > 100 && d2 < 200 ? 0x80004080 : 0;
		}
	img = XCreateImage(dpy, NULL, 32, ZPixmap, 0, (char *)px, 32, 32, 32, 128);
	XPutImage(dpy, p, gc, img, 0, 0, 0, 0, 32, 32);
	XDestroyImage(img);
	c = XRenderCreateCursor(dpy, pic, (unsigned int)hx, (unsigned int)hy);
	if (!c) {
		fprintf(stderr, "xworkload: XRenderCreateCursor failed\n");
		return 1;
	}
	XDefineCursor(dpy, root, c);
	for (i = 0; i < 8; i++) {
		XWarpPointer(dpy, None, root, 0, 0, 0, 0, 50 + i * 60, 40 + i * 45);
		XSync(dpy, False);
		usleep(50000);
	}
	XRenderFreePicture(dpy, pic);
	XFreeGC(dpy, gc);
	XFreePixmap(dpy, p);
	XFreeCursor(dpy, c);
	XSync(dpy, False);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *s;
	size_t i;
	int a, found;

	if (argc < 2) {
		fprintf(stderr, "usage: xworkload SCENE...|list\n");
		return 2;
	}
	if (!strcmp(argv[1], "list")) {
		for (i = 0; i < sizeof(scenes) / sizeof(scenes[0]); i++)
			printf("%s\n", scenes[i].name);
		return 0;
	}
	dpy = XOpenDisplay(NULL);
	if (!dpy) {
		fprintf(stderr, "xworkload: cannot open display %s\n", XDisplayName(NULL));
		return 1;
	}
	marks = getenv("XW_MARK");
	s = getenv("XW_SETTLE_MS");
	if (s)
		settle_us = (useconds_t)atoi(s) * 1000;
	scr = DefaultScreen(dpy);
	root = RootWindow(dpy, scr);
	vis = DefaultVisual(dpy, scr);
	W = DisplayWidth(dpy, scr);
	H = DisplayHeight(dpy, scr);
	if (argc == 7 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "cursor"))
		return cmd_cursor(argv + 2);
	if (W < 800 || H < 600) {
		fprintf(stderr, "xworkload: scenes are laid out for 800x600, the screen is %dx%d\n", W, H);
		return 1;
	}
	/* forget windows a previous scene left behind */
	XKillClient(dpy, AllTemporary);
	for (a = 1; a < argc; a++) {
		found = 0;
		for (i = 0; i < sizeof(scenes) / sizeof(scenes[0]); i++)
			if (!strcmp(argv[a], scenes[i].name)) {
				seed = 12345 + (unsigned int)i;
				scene_name = scenes[i].name;
				scenes[i].fn();
				found = 1;
			}
		if (!found) {
			fprintf(stderr, "xworkload: unknown scene %s\n", argv[a]);
			return 2;
		}
		XSync(dpy, False);
	}
	XCloseDisplay(dpy);
	return 0;
}
