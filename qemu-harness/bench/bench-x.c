/* SPDX-License-Identifier: MIT */
/*
 * bench-x: X clients of the benchmark's interactive and desktop workloads.
 *
 *   bench-x latency N IOBASE   draw N single characters, one request each
 *   bench-x move N             map a window with content and move it N steps
 *   bench-x image FILE.ppm N   show a picture, then pan it N steps
 *
 * latency: every character is an ImageText8 of one glyph (what a terminal
 * sends per keystroke), flushed, 30 ms apart; the guest CLOCK_MONOTONIC
 * time of each flush is printed ("char I NS").  The host finds, in the
 * ring record (whose events carry the host's CLOCK_MONOTONIC of the QEMU
 * process), the first draw command after each character.  To map the two
 * clocks, before and after the characters the client pokes the device's
 * QXL_IO_NOTIFY_OOM port 8 times (IOBASE = the QXL I/O BAR, hex), printing
 * the guest time just before each write ("sync NS"): an I/O write is
 * handled synchronously by QEMU and spice-server records the resulting OOM
 * dispatcher message at once, so min(host event - guest time) over the
 * pokes is the clock offset (plus the shortest hand-over delay).  IOBASE 0
 * skips the sync (the host then cannot compute latencies).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/io.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

static Display *dpy;
static int scr;

static unsigned long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static Window
new_window(int x, int y, unsigned int w, unsigned int h)
{
	XSetWindowAttributes a = { .background_pixel = WhitePixel(dpy, scr),
				   .override_redirect = True };
	Window win = XCreateWindow(dpy, RootWindow(dpy, scr), x, y, w, h, 0,
				   CopyFromParent, InputOutput, CopyFromParent,
				   CWBackPixel | CWOverrideRedirect, &a);
	XEvent ev;

	XSelectInput(dpy, win, ExposureMask);
	XMapWindow(dpy, win);
	do
		XNextEvent(dpy, &ev);
	while (ev.type != Expose);
	return win;
}

static void
poke_sync(unsigned long base, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		unsigned long long t = now_ns();

		outb(0, base + 4);	/* QXL_IO_NOTIFY_OOM */
		printf("sync %llu\n", t);
		usleep(20000);
	}
}

static int
latency(int n, unsigned long base)
{
	Window win = new_window(0, 0, 640, 40);
	GC gc = XCreateGC(dpy, win, 0, NULL);
	XFontStruct *font = XLoadQueryFont(dpy, "fixed");
	int i;

	if (!font) {
		fprintf(stderr, "bench-x: font 'fixed' not available\n");
		return 1;
	}
	XSetFont(dpy, gc, font->fid);
	XSetForeground(dpy, gc, BlackPixel(dpy, scr));
	XSetBackground(dpy, gc, WhitePixel(dpy, scr));
	XSync(dpy, False);
	usleep(300000);
	if (base) {
		if (ioperm(base, 8, 1)) {
			perror("bench-x: ioperm");
			return 1;
		}
		poke_sync(base, 8);
	}
	for (i = 0; i < n; i++) {
		char c = 'a' + i % 26;
		unsigned long long t;

		usleep(30000);
		t = now_ns();
		XDrawImageString(dpy, win, gc, 4 + (i % 80) * font->max_bounds.width,
				 4 + font->ascent, &c, 1);
		XFlush(dpy);
		printf("char %d %llu\n", i, t);
	}
	XSync(dpy, False);
	usleep(300000);
	if (base)
		poke_sync(base, 8);
	return 0;
}

static void
draw_content(Window win, GC gc, unsigned int w, unsigned int h)
{
	unsigned int y;

	for (y = 0; y < h; y += 16) {
		XSetForeground(dpy, gc, (y * 2654435761u) & 0xffffff);
		XFillRectangle(dpy, win, gc, 0, y, w, 8);
		XSetForeground(dpy, gc, BlackPixel(dpy, scr));
		XDrawString(dpy, win, gc, 8, y + 14, "The quick brown fox jumps over the lazy dog", 43);
	}
}

static int
move(int n)
{
	Window win = new_window(20, 20, 400, 300);
	GC gc = XCreateGC(dpy, win, 0, NULL);
	int i;

	draw_content(win, gc, 400, 300);
	XSync(dpy, False);
	for (i = 0; i < n; i++) {
		XEvent ev;

		XMoveWindow(dpy, win, 20 + (i % 50) * 8, 20 + (i % 50) * 5);
		XSync(dpy, False);
		while (XCheckTypedWindowEvent(dpy, win, Expose, &ev))
			if (ev.xexpose.count == 0)
				draw_content(win, gc, 400, 300);
	}
	XSync(dpy, False);
	return 0;
}

static int
image(const char *file, int n)
{
	FILE *f = fopen(file, "rb");
	unsigned int w, h, max, x, y;
	unsigned char *rgb;
	XImage *img;
	Window win;
	GC gc;
	int i;

	if (!f || fscanf(f, "P6 %u %u %u", &w, &h, &max) != 3 || max != 255 || fgetc(f) < 0) {
		fprintf(stderr, "bench-x: %s: expected a binary 8-bit PPM\n", file);
		return 1;
	}
	rgb = malloc((size_t)w * h * 3);
	if (!rgb || fread(rgb, 3, (size_t)w * h, f) != (size_t)w * h) {
		fprintf(stderr, "bench-x: %s: short file\n", file);
		return 1;
	}
	fclose(f);
	win = new_window(100, 60, w / 2, h / 2);
	gc = XCreateGC(dpy, win, 0, NULL);
	img = XCreateImage(dpy, DefaultVisual(dpy, scr), DefaultDepth(dpy, scr), ZPixmap,
			   0, NULL, w, h, 32, 0);
	img->data = malloc((size_t)img->bytes_per_line * h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			unsigned char *p = rgb + ((size_t)y * w + x) * 3;

			XPutPixel(img, x, y, (p[0] << 16) | (p[1] << 8) | p[2]);
		}
	for (i = 0; i <= n; i++) {
		XPutImage(dpy, win, gc, img, (i * 8) % (w / 2), (i * 4) % (h / 2), 0, 0, w / 2, h / 2);
		XSync(dpy, False);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-x latency N IOBASE | move N | image FILE.ppm N\n");
		return 2;
	}
	dpy = XOpenDisplay(NULL);
	if (!dpy) {
		fprintf(stderr, "bench-x: cannot open display '%s'\n", getenv("DISPLAY") ?: "");
		return 1;
	}
	scr = DefaultScreen(dpy);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "latency") && argc == 4)
		rc = latency(atoi(argv[2]), strtoul(argv[3], NULL, 16));
	else if (!strcmp(argv[1], "move"))
		rc = move(atoi(argv[2]));
	else if (!strcmp(argv[1], "image") && argc == 4)
		rc = image(argv[2], atoi(argv[3]));
	else {
		fprintf(stderr, "bench-x: unknown command '%s' or wrong arguments\n", argv[1]);
		rc = 2;
	}
	XCloseDisplay(dpy);
	return rc;
}
