/* SPDX-License-Identifier: MIT */
/*
 * xworkload: deterministic X drawing workloads for the pixel-exact oracle.
 *
 * The same scene runs against Xorg with the qxl driver and against Xvfb
 * (software reference); the test compares the two screens exactly.  Each
 * scene draws on the root window (so its result outlives the client) and
 * covers one family of operations the driver may accelerate:
 *
 *   fills     solid/tiled/stippled fills, every GC function, plane masks
 *   copies    window-to-window copies in every direction and overlap,
 *             pixmap-to-window and window-to-pixmap copies
 *   putimage  PutImage of depth 24 ZPixmap, depth 1 XYBitmap and XYPixmap
 *   text      core text (PolyText, ImageText), lines, arcs, polygons
 *   render    Render composite: every operator, a8r8g8b8/x8r8g8b8/a8
 *             sources, masks, component alpha, transforms, repeat, filters
 *   traps     trapezoids and triangles, antialiased and not
 *   glyphs    Render glyphs (a8 glyph set)
 *   windows   window moves (CopyWindow), scrolling, backgrounds
 *   readback  GetImage of drawn areas put back elsewhere
 *
 * Usage: xworkload SCENE...   (DISPLAY selects the server)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xrender.h>

static Display *dpy;
static Window root;
static int scr, W, H;
static unsigned int seed = 12345;

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
	static const unsigned long masks[] = { 0xffffffff, 0x00ff00ff, 0x0f0f0f, 0x808080 };
	GC gc = new_gc();
	Pixmap tile = pattern_pixmap(16, 16, 24), stip = pattern_pixmap(8, 8, 1);
	int f, m, i;

	background();
	/* every GC function with every plane mask */
	for (m = 0; m < 4; m++)
		for (f = 0; f < 16; f++) {
			XSetFunction(dpy, gc, f);
			XSetPlaneMask(dpy, gc, masks[m]);
			XSetForeground(dpy, gc, rnd_color());
			XFillRectangle(dpy, root, gc, 10 + f * 62, 10 + m * 60, 50, 50);
		}
	XSetFunction(dpy, gc, GXcopy);
	XSetPlaneMask(dpy, gc, AllPlanes);
	/* many small rectangles in one request, and clipped by a region */
	{
		XRectangle r[200];

		for (i = 0; i < 200; i++) {
			r[i].x = rnd(W / 2);
			r[i].y = 260 + rnd(200);
			r[i].width = 1 + rnd(40);
			r[i].height = 1 + rnd(40);
		}
		XSetForeground(dpy, gc, 0x33cc66);
		XFillRectangles(dpy, root, gc, r, 200);
		XRectangle clip[3] = { { 600, 260, 80, 80 }, { 700, 300, 60, 120 }, { 820, 280, 100, 40 } };
		XSetClipRectangles(dpy, gc, 0, 0, clip, 3, Unsorted);
		XSetForeground(dpy, gc, 0xcc3366);
		XFillRectangle(dpy, root, gc, 580, 250, 400, 200);
		XSetClipMask(dpy, gc, None);
	}
	/* tiled, stippled and opaque-stippled fills */
	XSetFillStyle(dpy, gc, FillTiled);
	XSetTile(dpy, gc, tile);
	XSetTSOrigin(dpy, gc, 3, 5);
	XFillRectangle(dpy, root, gc, 10, 480, 300, 120);
	XSetFillStyle(dpy, gc, FillStippled);
	XSetStipple(dpy, gc, stip);
	XSetForeground(dpy, gc, 0xffff00);
	XFillRectangle(dpy, root, gc, 330, 480, 300, 120);
	XSetFillStyle(dpy, gc, FillOpaqueStippled);
	XSetBackground(dpy, gc, 0x0000ff);
	XFillRectangle(dpy, root, gc, 650, 480, 300, 120);
	XSetFillStyle(dpy, gc, FillSolid);
	/* a full-width and a one-pixel fill */
	XSetForeground(dpy, gc, 0x123456);
	XFillRectangle(dpy, root, gc, 0, 620, W, 40);
	XSetForeground(dpy, gc, 0xfedcba);
	XFillRectangle(dpy, root, gc, W - 1, H - 1, 1, 1);
	XFreePixmap(dpy, tile);
	XFreePixmap(dpy, stip);
	XFreeGC(dpy, gc);
}

static void
scene_copies(void)
{
	GC gc = new_gc();
	Pixmap pix = pattern_pixmap(200, 150, 24);
	Pixmap back = XCreatePixmap(dpy, root, 300, 200, 24);
	static const int d[8][2] = { { 7, 0 }, { -7, 0 }, { 0, 5 }, { 0, -5 },
				     { 9, 4 }, { -9, -4 }, { 6, -3 }, { -6, 3 } };
	int i, f;

	background();
	/* overlapping screen-to-screen copies in every direction */
	for (i = 0; i < 8; i++) {
		int x = 40 + (i % 4) * 240, y = 40 + (i / 4) * 200;

		XCopyArea(dpy, root, root, gc, x, y, 150, 120, x + d[i][0], y + d[i][1]);
	}
	/* non-overlapping copy, copy partly off-screen, copies with GC functions */
	XCopyArea(dpy, root, root, gc, 0, 0, 200, 100, 600, 420);
	XCopyArea(dpy, root, root, gc, W - 100, H - 100, 200, 200, 10, 420);
	for (f = 0; f < 16; f++) {
		XSetFunction(dpy, gc, f);
		XCopyArea(dpy, pix, root, gc, f * 10, 0, 40, 40, 10 + f * 60, 560);
	}
	XSetFunction(dpy, gc, GXcopy);
	XSetPlaneMask(dpy, gc, 0x00ff00);
	XCopyArea(dpy, pix, root, gc, 0, 0, 200, 150, 300, 400);
	XSetPlaneMask(dpy, gc, AllPlanes);
	/* pixmap to window, window to pixmap and back */
	XCopyArea(dpy, pix, root, gc, 0, 0, 200, 150, 800, 600);
	XCopyArea(dpy, root, back, gc, 700, 500, 300, 200, 0, 0);
	XCopyArea(dpy, back, root, gc, 0, 0, 300, 200, 20, 620);
	/* CopyPlane of a bitmap */
	{
		Pixmap bm = pattern_pixmap(64, 64, 1);

		XSetForeground(dpy, gc, 0xff8800);
		XSetBackground(dpy, gc, 0x0088ff);
		XCopyPlane(dpy, bm, root, gc, 0, 0, 64, 64, 500, 650, 1);
		XFreePixmap(dpy, bm);
	}
	XFreePixmap(dpy, pix);
	XFreePixmap(dpy, back);
	XFreeGC(dpy, gc);
}

static void
scene_putimage(void)
{
	GC gc = new_gc();
	Visual *vis = DefaultVisual(dpy, scr);
	XImage *img;
	char *data;
	int x, y, w = 300, h = 200;

	background();
	/* depth 24 ZPixmap */
	data = malloc((size_t)w * h * 4);
	img = XCreateImage(dpy, vis, 24, ZPixmap, 0, data, w, h, 32, 0);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			XPutPixel(img, x, y, ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | ((x ^ y) & 0xff));
	XPutImage(dpy, root, gc, img, 0, 0, 10, 10, w, h);
	XPutImage(dpy, root, gc, img, 50, 30, 330, 10, 120, 90);	/* sub-image */
	XPutImage(dpy, root, gc, img, 0, 0, W - 150, H - 100, w, h);	/* clipped by the screen */
	XSetFunction(dpy, gc, GXxor);
	XPutImage(dpy, root, gc, img, 0, 0, 480, 10, w, h);
	XSetFunction(dpy, gc, GXcopy);
	/* the same image again: a cache candidate */
	XPutImage(dpy, root, gc, img, 0, 0, 10, 230, w, h);
	XDestroyImage(img);
	/* many small images (icons) */
	data = malloc(16 * 16 * 4);
	img = XCreateImage(dpy, vis, 24, ZPixmap, 0, data, 16, 16, 32, 0);
	for (x = 0; x < 40; x++) {
		for (y = 0; y < 256; y++)
			XPutPixel(img, y % 16, y / 16, rnd_color());
		XPutImage(dpy, root, gc, img, 0, 0, 330 + (x % 20) * 20, 230 + (x / 20) * 20, 16, 16);
	}
	XDestroyImage(img);
	/* depth 1 XYBitmap: foreground/background */
	{
		static char bits[32 * 32 / 8];

		for (x = 0; x < (int)sizeof(bits); x++)
			bits[x] = (char)rnd(256);
		img = XCreateImage(dpy, vis, 1, XYBitmap, 0, bits, 32, 32, 8, 0);
		XSetForeground(dpy, gc, 0xff0000);
		XSetBackground(dpy, gc, 0x00ff00);
		XPutImage(dpy, root, gc, img, 0, 0, 10, 450, 32, 32);
		img->data = NULL;
		XDestroyImage(img);
	}
	XFreeGC(dpy, gc);
}

static void
scene_text(void)
{
	GC gc = new_gc();
	XFontStruct *fs = XLoadQueryFont(dpy, "fixed");
	XPoint poly[5] = { { 700, 400 }, { 900, 420 }, { 850, 600 }, { 760, 560 }, { 720, 480 } };
	int i;

	background();
	if (fs) {
		XSetFont(dpy, gc, fs->fid);
		for (i = 0; i < 30; i++) {
			XSetForeground(dpy, gc, rnd_color());
			XDrawString(dpy, root, gc, 10, 20 + i * 14,
				    "The quick brown fox jumps over the lazy dog 0123456789", 54);
		}
		XSetBackground(dpy, gc, 0x000044);
		for (i = 0; i < 10; i++) {
			XSetForeground(dpy, gc, rnd_color());
			XDrawImageString(dpy, root, gc, 400, 20 + i * 14, "ImageText: opaque background", 28);
		}
	}
	XSetForeground(dpy, gc, 0xffffff);
	for (i = 0; i < 40; i++)
		XDrawLine(dpy, root, gc, rnd(W), rnd(H), rnd(W), rnd(H));
	XSetLineAttributes(dpy, gc, 5, LineOnOffDash, CapRound, JoinRound);
	XSetForeground(dpy, gc, 0xff00ff);
	XDrawRectangle(dpy, root, gc, 400, 200, 200, 100);
	XDrawArc(dpy, root, gc, 100, 450, 200, 150, 0, 360 * 64);
	XSetLineAttributes(dpy, gc, 0, LineSolid, CapButt, JoinMiter);
	XFillArc(dpy, root, gc, 350, 450, 150, 150, 30 * 64, 270 * 64);
	XSetForeground(dpy, gc, 0x00ffff);
	XFillPolygon(dpy, root, gc, poly, 5, Complex, CoordModeOrigin);
	for (i = 0; i < 100; i++)
		XDrawPoint(dpy, root, gc, 600 + rnd(100), 650 + rnd(100));
	if (fs)
		XFreeFont(dpy, fs);
	XFreeGC(dpy, gc);
}

static XRenderPictFormat *
fmt(int std)
{
	return XRenderFindStandardFormat(dpy, std);
}

static Picture
argb_picture(int w, int h, int std, int opaque_only)
{
	XRenderPictFormat *f = fmt(std);
	Pixmap p = XCreatePixmap(dpy, root, w, h, f->depth);
	Picture pic = XRenderCreatePicture(dpy, p, f, 0, NULL);
	XRenderColor c;
	int i;

	c.red = c.green = c.blue = 0;
	c.alpha = 0;
	XRenderFillRectangle(dpy, PictOpSrc, pic, &c, 0, 0, w, h);
	for (i = 0; i < 12; i++) {
		c.alpha = opaque_only ? 0xffff : (unsigned short)(rnd(256) * 257);
		c.red = (unsigned short)((rnd(256) * 257) * (unsigned)c.alpha / 0xffff);
		c.green = (unsigned short)((rnd(256) * 257) * (unsigned)c.alpha / 0xffff);
		c.blue = (unsigned short)((rnd(256) * 257) * (unsigned)c.alpha / 0xffff);
		XRenderFillRectangle(dpy, PictOpSrc, pic, &c, rnd(w), rnd(h), 1 + rnd(w / 2), 1 + rnd(h / 2));
	}
	XFreePixmap(dpy, p);
	return pic;
}

static void
scene_render(void)
{
	Picture dst = XRenderCreatePicture(dpy, root, XRenderFindVisualFormat(dpy, DefaultVisual(dpy, scr)), 0, NULL);
	Picture src = argb_picture(64, 64, PictStandardARGB32, 0);
	Picture xsrc = argb_picture(64, 64, PictStandardRGB24, 1);
	Picture mask = argb_picture(64, 64, PictStandardA8, 0);
	Picture camask = argb_picture(64, 64, PictStandardARGB32, 0);
	XRenderPictureAttributes pa;
	XTransform xf;
	int op, i;

	background();
	/* every Porter-Duff operator and the PDF blend modes, with and without a mask */
	for (op = PictOpClear; op <= PictOpSaturate; op++) {
		XRenderComposite(dpy, op, src, None, dst, 0, 0, 0, 0, 10 + op * 70, 10, 64, 64);
		XRenderComposite(dpy, op, src, mask, dst, 0, 0, 0, 0, 10 + op * 70, 80, 64, 64);
		XRenderComposite(dpy, op, xsrc, None, dst, 0, 0, 0, 0, 10 + op * 70, 150, 64, 64);
	}
	for (op = PictOpMultiply; op <= PictOpHSLLuminosity; op++)
		XRenderComposite(dpy, op, src, None, dst, 0, 0, 0, 0, 10 + (op - PictOpMultiply) * 70, 220, 64, 64);
	/* component alpha */
	pa.component_alpha = True;
	XRenderChangePicture(dpy, camask, CPComponentAlpha, &pa);
	XRenderComposite(dpy, PictOpOver, src, camask, dst, 0, 0, 0, 0, 10, 290, 64, 64);
	XRenderComposite(dpy, PictOpAdd, xsrc, camask, dst, 0, 0, 0, 0, 80, 290, 64, 64);
	/* solid sources and solid fills */
	{
		XRenderColor c = { 0x4000, 0x8000, 0x2000, 0x8000 };
		Picture solid = XRenderCreateSolidFill(dpy, &c);

		XRenderComposite(dpy, PictOpOver, solid, mask, dst, 0, 0, 0, 0, 160, 290, 64, 64);
		XRenderComposite(dpy, PictOpOver, solid, None, dst, 0, 0, 0, 0, 230, 290, 64, 64);
		XRenderFillRectangle(dpy, PictOpOver, dst, &c, 300, 290, 64, 64);
		XRenderFillRectangle(dpy, PictOpSrc, dst, &c, 370, 290, 64, 64);
		XRenderFreePicture(dpy, solid);
	}
	/* repeat: normal, pad, reflect */
	for (i = 0; i < 4; i++) {
		pa.repeat = i;
		XRenderChangePicture(dpy, src, CPRepeat, &pa);
		XRenderComposite(dpy, PictOpOver, src, None, dst, 20, 20, 0, 0, 10 + i * 170, 370, 160, 120);
	}
	pa.repeat = RepeatNone;
	XRenderChangePicture(dpy, src, CPRepeat, &pa);
	/* transforms: scale and rotate, nearest and bilinear */
	memset(&xf, 0, sizeof(xf));
	xf.matrix[0][0] = XDoubleToFixed(0.5);
	xf.matrix[1][1] = XDoubleToFixed(0.5);
	xf.matrix[2][2] = XDoubleToFixed(1);
	XRenderSetPictureTransform(dpy, xsrc, &xf);
	XRenderSetPictureFilter(dpy, xsrc, "nearest", NULL, 0);
	XRenderComposite(dpy, PictOpSrc, xsrc, None, dst, 0, 0, 0, 0, 700, 370, 128, 128);
	xf.matrix[0][0] = XDoubleToFixed(0.8);
	xf.matrix[0][1] = XDoubleToFixed(-0.6);
	xf.matrix[1][0] = XDoubleToFixed(0.6);
	xf.matrix[1][1] = XDoubleToFixed(0.8);
	XRenderSetPictureTransform(dpy, src, &xf);
	XRenderComposite(dpy, PictOpOver, src, None, dst, 0, 0, 0, 0, 850, 370, 128, 128);
	XRenderSetPictureFilter(dpy, src, "bilinear", NULL, 0);
	XRenderComposite(dpy, PictOpOver, src, mask, dst, 0, 0, 0, 0, 850, 510, 128, 128);
	/* window as a source: read back what was drawn */
	XRenderComposite(dpy, PictOpOver, dst, mask, dst, 10, 10, 0, 0, 10, 520, 64, 64);
	XRenderComposite(dpy, PictOpSrc, dst, None, dst, 0, 0, 0, 0, 100, 520, 300, 200);
	XRenderFreePicture(dpy, src);
	XRenderFreePicture(dpy, xsrc);
	XRenderFreePicture(dpy, mask);
	XRenderFreePicture(dpy, camask);
	XRenderFreePicture(dpy, dst);
}

static void
scene_traps(void)
{
	Picture dst = XRenderCreatePicture(dpy, root, XRenderFindVisualFormat(dpy, DefaultVisual(dpy, scr)), 0, NULL);
	XRenderColor c = { 0xffff, 0x8000, 0x0000, 0xc000 };
	Picture solid = XRenderCreateSolidFill(dpy, &c);
	XTrapezoid t[20];
	XTriangle tri[10];
	int i;

	background();
	for (i = 0; i < 20; i++) {
		int x = 20 + (i % 10) * 95, y = 20 + (i / 10) * 150;

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
	XRenderCompositeTrapezoids(dpy, PictOpOver, solid, dst, fmt(PictStandardA8), 0, 0, t, 10);
	XRenderCompositeTrapezoids(dpy, PictOpOver, solid, dst, fmt(PictStandardA1), 0, 0, t + 10, 10);
	for (i = 0; i < 10; i++) {
		int x = 20 + i * 95, y = 350;

		tri[i].p1.x = XDoubleToFixed(x + 0.5);
		tri[i].p1.y = XDoubleToFixed(y + 0.5);
		tri[i].p2.x = XDoubleToFixed(x + 80.25);
		tri[i].p2.y = XDoubleToFixed(y + 30.75);
		tri[i].p3.x = XDoubleToFixed(x + 30.125);
		tri[i].p3.y = XDoubleToFixed(y + 120.5);
	}
	XRenderCompositeTriangles(dpy, PictOpOver, solid, dst, fmt(PictStandardA8), 0, 0, tri, 10);
	XRenderCompositeTriangles(dpy, PictOpAdd, solid, dst, NULL, 0, 0, tri, 5);
	XRenderFreePicture(dpy, solid);
	XRenderFreePicture(dpy, dst);
}

static void
scene_glyphs(void)
{
	Picture dst = XRenderCreatePicture(dpy, root, XRenderFindVisualFormat(dpy, DefaultVisual(dpy, scr)), 0, NULL);
	XRenderColor c = { 0x2000, 0xe000, 0x4000, 0xffff };
	Picture solid = XRenderCreateSolidFill(dpy, &c);
	GlyphSet gs = XRenderCreateGlyphSet(dpy, fmt(PictStandardA8));
	Glyph ids[26];
	XGlyphInfo gi[26];
	static char img[26][12 * 13];	/* a8 rows padded to 4 bytes */
	char text[64];
	int g, i, line;

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
	}
	XRenderAddGlyphs(dpy, gs, ids, gi, 26, (char *)img, sizeof(img));
	for (line = 0; line < 30; line++) {
		for (i = 0; i < 60; i++)
			text[i] = (char)('a' + (line + i) % 26);
		c.red = (unsigned short)rnd(65536);
		XRenderFreePicture(dpy, solid);
		solid = XRenderCreateSolidFill(dpy, &c);
		XRenderCompositeString8(dpy, PictOpOver, solid, dst, fmt(PictStandardA8), gs,
					0, 0, 10 + (line % 3), 20 + line * 18, text, 60);
	}
	XRenderFreeGlyphSet(dpy, gs);
	XRenderFreePicture(dpy, solid);
	XRenderFreePicture(dpy, dst);
}

static void
scene_windows(void)
{
	XSetWindowAttributes wa;
	Window w[4];
	GC gc;
	int i, s;

	background();
	/* leave the windows in place when we exit, so the screen can be read */
	XSetCloseDownMode(dpy, RetainPermanent);
	for (i = 0; i < 4; i++) {
		wa.background_pixel = rnd_color();
		wa.border_pixel = rnd_color();
		wa.override_redirect = True;
		w[i] = XCreateWindow(dpy, root, 50 + i * 120, 50 + i * 70, 300, 200, 3,
				     CopyFromParent, InputOutput, CopyFromParent,
				     CWBackPixel | CWBorderPixel | CWOverrideRedirect, &wa);
		XMapWindow(dpy, w[i]);
	}
	gc = XCreateGC(dpy, w[0], 0, NULL);
	for (i = 0; i < 4; i++) {
		XSetForeground(dpy, gc, rnd_color());
		XFillRectangle(dpy, w[i], gc, 20, 20, 100, 60);
		XSetForeground(dpy, gc, rnd_color());
		XDrawLine(dpy, w[i], gc, 0, 0, 299, 199);
	}
	XSync(dpy, False);
	/* moves: each is a CopyWindow plus exposures of what is uncovered */
	for (s = 0; s < 10; s++) {
		XMoveWindow(dpy, w[s % 4], 60 + s * 37, 40 + s * 29);
		XSync(dpy, False);
	}
	XRaiseWindow(dpy, w[0]);
	XResizeWindow(dpy, w[1], 200, 150);
	/* scrolling inside a window */
	for (s = 0; s < 20; s++)
		XCopyArea(dpy, w[2], w[2], gc, 0, 4, 300, 196, 0, 0);
	XSync(dpy, False);
	XFreeGC(dpy, gc);
}

static void
scene_readback(void)
{
	GC gc = new_gc();
	XImage *img;
	int i;

	background();
	for (i = 0; i < 50; i++) {
		XSetForeground(dpy, gc, rnd_color());
		XFillRectangle(dpy, root, gc, rnd(400), rnd(300), 1 + rnd(100), 1 + rnd(100));
	}
	XCopyArea(dpy, root, root, gc, 0, 0, 200, 200, 100, 100);
	img = XGetImage(dpy, root, 0, 0, 500, 400, AllPlanes, ZPixmap);
	if (img) {
		XPutImage(dpy, root, gc, img, 0, 0, 520, 0, 500, 400);
		XDestroyImage(img);
	}
	img = XGetImage(dpy, root, 600, 100, 100, 100, 0x00ff00, ZPixmap);
	if (img) {
		XPutImage(dpy, root, gc, img, 0, 0, 520, 420, 100, 100);
		XDestroyImage(img);
	}
	XFreeGC(dpy, gc);
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenes[] = {
	{ "fills", scene_fills },
	{ "copies", scene_copies },
	{ "putimage", scene_putimage },
	{ "text", scene_text },
	{ "render", scene_render },
	{ "traps", scene_traps },
	{ "glyphs", scene_glyphs },
	{ "windows", scene_windows },
	{ "readback", scene_readback },
};

int
main(int argc, char **argv)
{
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
	scr = DefaultScreen(dpy);
	root = RootWindow(dpy, scr);
	W = DisplayWidth(dpy, scr);
	H = DisplayHeight(dpy, scr);
	/* forget windows a previous scene left behind */
	XKillClient(dpy, AllTemporary);
	for (a = 1; a < argc; a++) {
		found = 0;
		for (i = 0; i < sizeof(scenes) / sizeof(scenes[0]); i++)
			if (!strcmp(argv[a], scenes[i].name)) {
				seed = 12345 + (unsigned int)i;
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
