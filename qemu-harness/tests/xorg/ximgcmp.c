/* SPDX-License-Identifier: MIT */
/*
 * ximgcmp: fast image capture and exact comparison for the oracle (the
 * guest runs under TCG, where ImageMagick takes seconds per image).
 *
 *   ximgcmp grab DISPLAY OUT.ppm     root window via GetImage -> P6 PPM
 *   ximgcmp cmp A B [DIFF.ppm]       A, B: .ppm (P6) or .png; prints
 *                                    "0" when equal, else
 *                                    "N pixels differ within WxH+X+Y"
 *                                    (and writes DIFF: differing pixels
 *                                    white); exit 0 equal, 1 different,
 *                                    2 error
 *   ximgcmp count IMG RRGGBB...      prints "WxH N..." (pixels of each
 *                                    colour), for pictures whose layout
 *                                    is not known (multi-head primary)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

struct img {
	int w, h;
	unsigned char *rgb;	/* w*h*3 */
};

static int
write_ppm(const char *path, const struct img *im)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fprintf(f, "P6\n%d %d\n255\n", im->w, im->h);
	fwrite(im->rgb, 3, (size_t)im->w * im->h, f);
	return fclose(f);
}

static int
read_ppm(FILE *f, struct img *im)
{
	int maxv;

	if (fscanf(f, "P6 %d %d %d", &im->w, &im->h, &maxv) != 3 || maxv != 255)
		return -1;
	fgetc(f);
	im->rgb = malloc((size_t)im->w * im->h * 3);
	if (!im->rgb || fread(im->rgb, 3, (size_t)im->w * im->h, f) != (size_t)im->w * im->h)
		return -1;
	return 0;
}

static int
read_png(FILE *f, struct img *im)
{
	png_image pi;

	memset(&pi, 0, sizeof(pi));
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_stdio(&pi, f))
		return -1;
	pi.format = PNG_FORMAT_RGB;
	im->w = pi.width;
	im->h = pi.height;
	im->rgb = malloc(PNG_IMAGE_SIZE(pi));
	if (!im->rgb || !png_image_finish_read(&pi, NULL, im->rgb, 0, NULL))
		return -1;
	return 0;
}

static int
read_img(const char *path, struct img *im)
{
	FILE *f = fopen(path, "rb");
	unsigned char magic[2] = { 0, 0 };
	int ret;

	if (!f) {
		fprintf(stderr, "ximgcmp: cannot open %s\n", path);
		return -1;
	}
	if (fread(magic, 1, 2, f) != 2) {
		fclose(f);
		return -1;
	}
	rewind(f);
	ret = magic[0] == 'P' && magic[1] == '6' ? read_ppm(f, im) : read_png(f, im);
	fclose(f);
	if (ret)
		fprintf(stderr, "ximgcmp: cannot decode %s\n", path);
	return ret;
}

static int
grab(const char *display, const char *out)
{
	Display *dpy = XOpenDisplay(display);
	XImage *xi;
	struct img im;
	int x, y;

	if (!dpy) {
		fprintf(stderr, "ximgcmp: cannot open display %s\n", display);
		return 2;
	}
	im.w = DisplayWidth(dpy, DefaultScreen(dpy));
	im.h = DisplayHeight(dpy, DefaultScreen(dpy));
	xi = XGetImage(dpy, DefaultRootWindow(dpy), 0, 0, im.w, im.h, AllPlanes, ZPixmap);
	if (!xi)
		return 2;
	im.rgb = malloc((size_t)im.w * im.h * 3);
	for (y = 0; y < im.h; y++)
		for (x = 0; x < im.w; x++) {
			unsigned long p = XGetPixel(xi, x, y);
			unsigned char *d = im.rgb + ((size_t)y * im.w + x) * 3;

			d[0] = (p >> 16) & 0xff;
			d[1] = (p >> 8) & 0xff;
			d[2] = p & 0xff;
		}
	XDestroyImage(xi);
	XCloseDisplay(dpy);
	return write_ppm(out, &im) ? 2 : 0;
}

static int
cmp(const char *pa, const char *pb, const char *pd)
{
	struct img a, b, d;
	long n = 0;
	int x, y, x1, y1, x2 = -1, y2 = -1;

	if (read_img(pa, &a) || read_img(pb, &b))
		return 2;
	if (a.w != b.w || a.h != b.h) {
		printf("size %dx%d vs %dx%d\n", a.w, a.h, b.w, b.h);
		return 1;
	}
	x1 = a.w;
	y1 = a.h;
	d = a;
	d.rgb = calloc((size_t)a.w * a.h, 3);
	for (y = 0; y < a.h; y++)
		for (x = 0; x < a.w; x++) {
			size_t o = ((size_t)y * a.w + x) * 3;

			if (memcmp(a.rgb + o, b.rgb + o, 3)) {
				n++;
				memset(d.rgb + o, 0xff, 3);
				if (x < x1) x1 = x;
				if (y < y1) y1 = y;
				if (x > x2) x2 = x;
				if (y > y2) y2 = y;
			}
		}
	if (!n) {
		printf("0\n");
		return 0;
	}
	printf("%ld pixels differ within %dx%d+%d+%d\n", n, x2 - x1 + 1, y2 - y1 + 1, x1, y1);
	if (pd)
		write_ppm(pd, &d);
	return 1;
}

/* count IMG RRGGBB...: prints "WxH N1 N2 ..." (pixels of each colour) */
static int
count(const char *path, int n, char **cols)
{
	struct img a;
	long *cnt = calloc((size_t)n + 1, sizeof(long));
	unsigned long *want = calloc((size_t)n + 1, sizeof(*want));
	size_t i, np;
	int k;

	for (k = 0; k < n; k++)
		want[k] = strtoul(cols[k], NULL, 16);
	if (read_img(path, &a))
		return 2;
	np = (size_t)a.w * a.h;
	for (i = 0; i < np; i++) {
		unsigned long v = (unsigned long)a.rgb[i * 3] << 16 | a.rgb[i * 3 + 1] << 8 |
				  a.rgb[i * 3 + 2];

		for (k = 0; k < n; k++)
			if (v == want[k]) {
				cnt[k]++;
				break;
			}
	}
	printf("%dx%d", a.w, a.h);
	for (k = 0; k < n; k++)
		printf(" %ld", cnt[k]);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "grab"))
		return grab(argv[2], argv[3]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "cmp"))
		return cmp(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc >= 3 && !strcmp(argv[1], "count"))
		return count(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: ximgcmp grab DISPLAY OUT.ppm | cmp A B [DIFF.ppm] | count IMG RRGGBB...\n");
	return 2;
}
