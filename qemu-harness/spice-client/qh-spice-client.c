// SPDX-License-Identifier: MIT
/*
 * qh-spice-client: a headless SPICE client for the harness, on spice-gtk's
 * GLib library (no GTK), so tests see what a user's remote-viewer sees
 * rather than spice-server's own canvas (QMP screendump).
 *
 *   qh-spice-client --socket SPICE_SOCK --control CTL_SOCK [--log FILE]
 *                   [--updates FILE] [--compression NAME]
 *
 * It connects to the SPICE unix socket and keeps its own copy of each
 * display channel's primary surface, updated from the library's canvas on
 * every display-invalidate, plus the cursor channel's state and the
 * monitors configuration the display channel received.  Requests come one
 * line per connection on CTL_SOCK, one line answers ("ok ..." or
 * "error ..."):
 *
 *   dump PREFIX [MATCH.png [TIMEOUT_MS]]
 *       writes PREFIX.png (display 0's surface; PREFIX-dN.png for display
 *       channel N > 0), PREFIX-monM.png per monitor of display 0's
 *       monitors config, PREFIX-cursor.png (the shape) and PREFIX.state
 *       (cursor, monitors, byte counts, updates).  Without MATCH it first
 *       waits until no display update came for 300 ms; with MATCH (a PNG,
 *       e.g. a screendump) it waits until display 0 equals it pixel for
 *       pixel or TIMEOUT_MS passed (default 10000), and answers
 *       "ok PREFIX.png differing=N waited_ms=T".
 *   monitors WxH[+X+Y]...
 *       sends this client monitors config through the agent (0x0 = a
 *       disabled head), as a client does when its window changes.
 *   status
 *       "ok connected" while the main channel is up.
 *   bytes
 *       "ok main0=N display0=N cursor0=N ...": bytes received per channel.
 *
 * The process exits 1 when the main channel closes or any channel reports
 * an error: the harness treats that as the client being lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <glib-unix.h>
#include <spice-client.h>

#define MAX_DISPLAYS 8
#define QUIET_MS 300
#define DEFAULT_MATCH_MS 10000
#define MAX_UPDATE_LINES 1000000
#define AGENT_WAIT_MS 10000

struct display {
	SpiceChannel *channel;
	int id;
	int format;          /* enum SpiceSurfaceFmt of the primary */
	int width, height, stride;
	const guint8 *canvas; /* the library's drawing of the primary */
	guint8 *copy;        /* ours, refreshed from canvas on each update */
	guint64 updates;
	gint64 first_update_us, last_update_us;
};

struct cursor_state {
	gboolean has_shape, visible;
	int width, height, hot_x, hot_y;
	int x, y;            /* -1 until the server sent a position */
	guint8 *rgba;
	guint64 sets, moves, hides;
};

/* A dump request waiting for the client to catch up. */
struct pending_dump {
	int fd;
	char *prefix;
	guint8 *match;       /* RGB rows of the PNG to wait for, or NULL */
	int match_w, match_h;
	gint64 started_us, deadline_us;
};

static struct {
	SpiceSession *session;
	SpiceMainChannel *main;
	SpiceChannel *cursor_channel;
	GPtrArray *channels;    /* every channel, for the byte counts */
	struct display displays[MAX_DISPLAYS];
	struct cursor_state cursor;
	GMainLoop *loop;
	FILE *log;
	FILE *updates;
	int update_lines;
	int compression;        /* SpiceImageCompression, 0 = library default */
	int exit_status;
	gboolean main_up;
	struct pending_dump *pending;
} st;

static gint64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (gint64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void logf_(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void logf_(const char *fmt, ...)
{
	va_list ap;
	gint64 t = now_us();

	fprintf(st.log, "%lld.%06lld ", (long long)(t / 1000000), (long long)(t % 1000000));
	va_start(ap, fmt);
	vfprintf(st.log, fmt, ap);
	va_end(ap);
	fputc('\n', st.log);
	fflush(st.log);
}

static void fail_exit(const char *why)
{
	logf_("FATAL: %s", why);
	st.exit_status = 1;
	g_main_loop_quit(st.loop);
}

static const char *const compressions[] = {
	[SPICE_IMAGE_COMPRESSION_OFF] = "off",
	[SPICE_IMAGE_COMPRESSION_AUTO_GLZ] = "auto-glz",
	[SPICE_IMAGE_COMPRESSION_AUTO_LZ] = "auto-lz",
	[SPICE_IMAGE_COMPRESSION_QUIC] = "quic",
	[SPICE_IMAGE_COMPRESSION_GLZ] = "glz",
	[SPICE_IMAGE_COMPRESSION_LZ] = "lz",
	[SPICE_IMAGE_COMPRESSION_LZ4] = "lz4",
};

/* ---------------------------------------------------------------- pixels */

/* One pixel of a primary surface as 8-bit R, G, B. */
static void surface_rgb(const struct display *d, const guint8 *row, int x, guint8 out[3])
{
	guint32 v;

	switch (d->format) {
	case SPICE_SURFACE_FMT_16_555:
		v = row[2 * x] | row[2 * x + 1] << 8;
		out[0] = ((v >> 10) & 31) * 255 / 31;
		out[1] = ((v >> 5) & 31) * 255 / 31;
		out[2] = (v & 31) * 255 / 31;
		break;
	case SPICE_SURFACE_FMT_16_565:
		v = row[2 * x] | row[2 * x + 1] << 8;
		out[0] = ((v >> 11) & 31) * 255 / 31;
		out[1] = ((v >> 5) & 63) * 255 / 63;
		out[2] = (v & 31) * 255 / 31;
		break;
	default: /* 32 bpp xRGB / ARGB, little-endian: B G R x in memory */
		out[0] = row[4 * x + 2];
		out[1] = row[4 * x + 1];
		out[2] = row[4 * x];
		break;
	}
}

static int write_png(const char *path, int w, int h, gboolean alpha,
		     void (*row_fn)(const void *ctx, int y, guint8 *out), const void *ctx)
{
	FILE *f = fopen(path, "wb");
	png_structp png;
	png_infop info;
	guint8 *row;
	int y;

	if (!f)
		return -1;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!png || !info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(f);
		return -1;
	}
	png_init_io(png, f);
	/* Fast deflate: the pictures are compared, not archived. */
	png_set_compression_level(png, 1);
	png_set_IHDR(png, info, w, h, 8, alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	row = g_malloc((size_t)w * 4);
	for (y = 0; y < h; y++) {
		row_fn(ctx, y, row);
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	g_free(row);
	return fclose(f) ? -1 : 0;
}

struct crop {
	const struct display *d;
	int x, y, w;
};

static void crop_row(const void *ctx, int y, guint8 *out)
{
	const struct crop *c = ctx;
	const guint8 *row = c->d->copy + (size_t)(c->y + y) * c->d->stride;
	int x;

	for (x = 0; x < c->w; x++)
		surface_rgb(c->d, row, c->x + x, out + 3 * x);
}

static void cursor_row(const void *ctx, int y, guint8 *out)
{
	const struct cursor_state *c = ctx;

	/*
	 * The library hands the shape over as bytes R G B A (measured: a
	 * guest ARGB8888 0xffff8000 cursor came as ff 80 00 ff).
	 */
	memcpy(out, c->rgba + (size_t)y * c->width * 4, (size_t)c->width * 4);
}

/* Reads an 8-bit RGB(A) PNG (QEMU's screendump) into packed RGB rows. */
static guint8 *read_png_rgb(const char *path, int *w, int *h, char **err)
{
	FILE *f = fopen(path, "rb");
	png_structp png;
	png_infop info;
	guint8 *rgb = NULL, *row = NULL;
	int y, ch;

	if (!f) {
		*err = g_strdup_printf("cannot open %s: %s", path, g_strerror(errno));
		return NULL;
	}
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!png || !info || setjmp(png_jmpbuf(png))) {
		*err = g_strdup_printf("%s is not a readable PNG", path);
		png_destroy_read_struct(&png, &info, NULL);
		g_free(rgb);
		g_free(row);
		fclose(f);
		return NULL;
	}
	png_init_io(png, f);
	png_read_info(png, info);
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_gray_to_rgb(png);
	png_read_update_info(png, info);
	*w = png_get_image_width(png, info);
	*h = png_get_image_height(png, info);
	ch = png_get_channels(png, info);
	rgb = g_malloc((size_t)*w * *h * 3);
	row = g_malloc(png_get_rowbytes(png, info));
	for (y = 0; y < *h; y++) {
		png_read_row(png, row, NULL);
		for (int x = 0; x < *w; x++)
			memcpy(rgb + 3 * ((size_t)y * *w + x), row + ch * x, 3);
	}
	png_destroy_read_struct(&png, &info, NULL);
	g_free(row);
	fclose(f);
	return rgb;
}

/* Pixels of display 0 that differ from an RGB picture (all when sizes differ). */
static long differing(const guint8 *rgb, int w, int h)
{
	const struct display *d = &st.displays[0];
	long n = 0;
	guint8 px[3];

	if (!d->copy || d->width != w || d->height != h)
		return (long)w * h;
	for (int y = 0; y < h; y++) {
		const guint8 *row = d->copy + (size_t)y * d->stride;

		for (int x = 0; x < w; x++) {
			surface_rgb(d, row, x, px);
			if (memcmp(px, rgb + 3 * ((size_t)y * w + x), 3))
				n++;
		}
	}
	return n;
}

/* ---------------------------------------------------------------- display */

static struct display *display_of(SpiceChannel *channel)
{
	for (int i = 0; i < MAX_DISPLAYS; i++)
		if (st.displays[i].channel == channel)
			return &st.displays[i];
	return NULL;
}

static void on_primary_create(SpiceChannel *channel, gint format, gint width, gint height,
			      gint stride, gint shmid, gpointer imgdata, gpointer data)
{
	struct display *d = display_of(channel);

	if (!d)
		return;
	g_free(d->copy);
	d->format = format;
	d->width = width;
	d->height = height;
	d->stride = stride;
	d->canvas = imgdata;
	d->copy = g_malloc0((size_t)stride * height);
	memcpy(d->copy, imgdata, (size_t)stride * height);
	logf_("display %d: primary %dx%d format %d stride %d", d->id, width, height, format, stride);
}

static void on_primary_destroy(SpiceChannel *channel, gpointer data)
{
	struct display *d = display_of(channel);

	if (!d)
		return;
	logf_("display %d: primary destroyed", d->id);
	g_clear_pointer(&d->copy, g_free);
	d->canvas = NULL;
	d->width = d->height = 0;
}

static void on_invalidate(SpiceChannel *channel, gint x, gint y, gint w, gint h, gpointer data)
{
	struct display *d = display_of(channel);
	int bpp;
	gint64 t = now_us();

	if (!d || !d->copy || !d->canvas)
		return;
	/* Clip: the rectangle comes from the server. */
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (y < 0) {
		h += y;
		y = 0;
	}
	if (x + w > d->width)
		w = d->width - x;
	if (y + h > d->height)
		h = d->height - y;
	bpp = d->format == SPICE_SURFACE_FMT_16_555 || d->format == SPICE_SURFACE_FMT_16_565 ? 2 : 4;
	for (int r = 0; w > 0 && r < h; r++) {
		size_t off = (size_t)(y + r) * d->stride + (size_t)x * bpp;

		memcpy(d->copy + off, d->canvas + off, (size_t)w * bpp);
	}
	if (!d->updates)
		d->first_update_us = t;
	d->updates++;
	d->last_update_us = t;
	/* Capped: x11perf alone draws millions of updates (~40 bytes a line). */
	if (st.updates && st.update_lines < MAX_UPDATE_LINES) {
		fprintf(st.updates, "%lld.%06lld %d %d %d %d %d\n", (long long)(t / 1000000),
			(long long)(t % 1000000), d->id, x, y, w, h);
		if (++st.update_lines == MAX_UPDATE_LINES)
			fprintf(st.updates, "# the rest left out: more than %d updates\n",
				MAX_UPDATE_LINES);
	}
}

static void on_monitors(GObject *obj, GParamSpec *pspec, gpointer data)
{
	struct display *d = display_of(SPICE_CHANNEL(obj));
	GArray *mons = NULL;
	GString *s = g_string_new("");

	if (!d)
		return;
	g_object_get(obj, "monitors", &mons, NULL);
	for (guint i = 0; mons && i < mons->len; i++) {
		SpiceDisplayMonitorConfig *m = &g_array_index(mons, SpiceDisplayMonitorConfig, i);

		g_string_append_printf(s, " %u:%ux%u+%u+%u", m->id, m->width, m->height, m->x, m->y);
	}
	logf_("display %d: monitors config%s", d->id, s->len ? s->str : " (none)");
	g_string_free(s, TRUE);
	if (mons)
		g_array_unref(mons);
}

/* ---------------------------------------------------------------- cursor */

static void on_cursor_set(SpiceChannel *channel, gint width, gint height, gint hot_x, gint hot_y,
			  gpointer rgba, gpointer data)
{
	struct cursor_state *c = &st.cursor;

	g_clear_pointer(&c->rgba, g_free);
	c->has_shape = rgba != NULL;
	c->width = rgba ? width : 0;
	c->height = rgba ? height : 0;
	c->hot_x = hot_x;
	c->hot_y = hot_y;
	if (rgba)
		c->rgba = g_memdup2(rgba, (size_t)width * height * 4);
	c->visible = TRUE;
	c->sets++;
}

static void on_cursor_move(SpiceChannel *channel, gint x, gint y, gpointer data)
{
	st.cursor.x = x;
	st.cursor.y = y;
	st.cursor.moves++;
}

static void on_cursor_hide(SpiceChannel *channel, gpointer data)
{
	st.cursor.visible = FALSE;
	st.cursor.hides++;
}

static void on_cursor_reset(SpiceChannel *channel, gpointer data)
{
	logf_("cursor: reset");
	st.cursor.visible = FALSE;
}

/* ---------------------------------------------------------------- channels */

static const char *channel_name(SpiceChannel *channel, char *buf, size_t n)
{
	int type, id;

	g_object_get(channel, "channel-type", &type, "channel-id", &id, NULL);
	snprintf(buf, n, "%s%d", spice_channel_type_to_string(type), id);
	return buf;
}

static void on_channel_event(SpiceChannel *channel, SpiceChannelEvent event, gpointer data)
{
	char name[64];
	const GError *err = spice_channel_get_error(channel);

	channel_name(channel, name, sizeof(name));
	switch (event) {
	case SPICE_CHANNEL_OPENED:
		logf_("%s: opened", name);
		if (SPICE_IS_MAIN_CHANNEL(channel))
			st.main_up = TRUE;
		if (SPICE_IS_DISPLAY_CHANNEL(channel) && st.compression) {
			/* The library logs (and skips) it without the server's cap. */
			spice_display_channel_change_preferred_compression(channel, st.compression);
			logf_("%s: asked for compression %s", name, compressions[st.compression]);
		}
		break;
	case SPICE_CHANNEL_SWITCHING:
		logf_("%s: switching", name);
		break;
	case SPICE_CHANNEL_CLOSED:
		logf_("%s: closed", name);
		if (SPICE_IS_MAIN_CHANNEL(channel)) {
			st.main_up = FALSE;
			fail_exit("main channel closed: the server dropped the client");
		}
		break;
	default: {
		char *why = g_strdup_printf("%s: channel error event %d%s%s", name, event,
					    err ? ": " : "", err ? err->message : "");
		fail_exit(why);
		g_free(why);
	}
	}
}

static void on_channel_new(SpiceSession *session, SpiceChannel *channel, gpointer data)
{
	int id;

	g_object_get(channel, "channel-id", &id, NULL);
	g_signal_connect(channel, "channel-event", G_CALLBACK(on_channel_event), NULL);
	if (SPICE_IS_MAIN_CHANNEL(channel)) {
		st.main = SPICE_MAIN_CHANNEL(channel);
		/* Keep monitor positions as asked: no packing side by side. */
		g_object_set(channel, "disable-display-position", FALSE,
			     "disable-display-align", TRUE, NULL);
	} else if (SPICE_IS_DISPLAY_CHANNEL(channel)) {
		if (id < 0 || id >= MAX_DISPLAYS) {
			logf_("display %d: ignored (more than %d displays)", id, MAX_DISPLAYS);
			return;
		}
		st.displays[id].channel = channel;
		st.displays[id].id = id;
		g_signal_connect(channel, "display-primary-create", G_CALLBACK(on_primary_create), NULL);
		g_signal_connect(channel, "display-primary-destroy",
				 G_CALLBACK(on_primary_destroy), NULL);
		g_signal_connect(channel, "display-invalidate", G_CALLBACK(on_invalidate), NULL);
		g_signal_connect(channel, "notify::monitors", G_CALLBACK(on_monitors), NULL);
		spice_channel_connect(channel);
	} else if (SPICE_IS_CURSOR_CHANNEL(channel)) {
		st.cursor_channel = channel;
		g_signal_connect(channel, "cursor-set", G_CALLBACK(on_cursor_set), NULL);
		g_signal_connect(channel, "cursor-move", G_CALLBACK(on_cursor_move), NULL);
		g_signal_connect(channel, "cursor-hide", G_CALLBACK(on_cursor_hide), NULL);
		g_signal_connect(channel, "cursor-reset", G_CALLBACK(on_cursor_reset), NULL);
		spice_channel_connect(channel);
	} else if (SPICE_IS_INPUTS_CHANNEL(channel)) {
		/* A real client has it; the server's mouse mode depends on it. */
		spice_channel_connect(channel);
	} else {
		/* Audio, USB, smartcard, webdav: not part of the picture. */
		return;
	}
	g_ptr_array_add(st.channels, g_object_ref(channel));
}

/* ---------------------------------------------------------------- dumps */

/* " CHANNEL=BYTES" received so far, per channel (spice-gtk's own count). */
static void append_bytes(GString *s)
{
	char name[64];

	for (guint i = 0; i < st.channels->len; i++) {
		SpiceChannel *ch = g_ptr_array_index(st.channels, i);
		gulong bytes = 0;

		g_object_get(ch, "total-read-bytes", &bytes, NULL);
		g_string_append_printf(s, " %s=%lu", channel_name(ch, name, sizeof(name)), bytes);
	}
}

static int write_state(const char *path)
{
	FILE *f = fopen(path, "w");
	struct cursor_state *c = &st.cursor;
	GString *bytes = g_string_new("");

	if (!f)
		return -1;
	fprintf(f, "connected %d\n", st.main_up);
	for (int i = 0; i < MAX_DISPLAYS; i++) {
		struct display *d = &st.displays[i];
		GArray *mons = NULL;

		if (!d->channel)
			continue;
		fprintf(f, "display %d surface %dx%d format %d updates %llu first_update %.6f last_update %.6f\n",
			i, d->width, d->height, d->format, (unsigned long long)d->updates,
			d->first_update_us / 1e6, d->last_update_us / 1e6);
		g_object_get(d->channel, "monitors", &mons, NULL);
		fprintf(f, "display %d monitors %u", i, mons ? mons->len : 0);
		for (guint m = 0; mons && m < mons->len; m++) {
			SpiceDisplayMonitorConfig *mc = &g_array_index(mons, SpiceDisplayMonitorConfig, m);

			fprintf(f, " %u:%ux%u+%u+%u", mc->id, mc->width, mc->height, mc->x, mc->y);
		}
		fputc('\n', f);
		if (mons)
			g_array_unref(mons);
	}
	fprintf(f, "cursor shape %s size %dx%d hotspot %d,%d position %d,%d visible %d sets %llu moves %llu hides %llu\n",
		c->has_shape ? "yes" : "no", c->width, c->height, c->hot_x, c->hot_y, c->x, c->y,
		c->visible, (unsigned long long)c->sets, (unsigned long long)c->moves,
		(unsigned long long)c->hides);
	append_bytes(bytes);
	{
		char **kv = g_strsplit(bytes->str + (bytes->len ? 1 : 0), " ", -1);

		for (int i = 0; bytes->len && kv[i]; i++)
			fprintf(f, "bytes %s\n", g_strdelimit(kv[i], "=", ' '));
		g_strfreev(kv);
	}
	g_string_free(bytes, TRUE);
	return fclose(f);
}

/* Writes every file of a dump; the answer names the whole picture. */
static char *do_dump(const char *prefix, long diff, gint64 waited_us)
{
	GString *files = g_string_new("");
	char *path, *ans;

	for (int i = 0; i < MAX_DISPLAYS; i++) {
		struct display *d = &st.displays[i];
		struct crop whole = { d, 0, 0, d->width };
		GArray *mons = NULL;

		if (!d->channel || !d->copy)
			continue;
		path = i ? g_strdup_printf("%s-d%d.png", prefix, i) : g_strdup_printf("%s.png", prefix);
		if (write_png(path, d->width, d->height, FALSE, crop_row, &whole)) {
			g_string_free(files, TRUE);
			ans = g_strdup_printf("error cannot write %s", path);
			g_free(path);
			return ans;
		}
		g_string_append_printf(files, " %s", path);
		g_free(path);
		if (i)
			continue;
		g_object_get(d->channel, "monitors", &mons, NULL);
		for (guint m = 0; mons && m < mons->len; m++) {
			SpiceDisplayMonitorConfig *mc = &g_array_index(mons, SpiceDisplayMonitorConfig, m);
			struct crop c = { d, mc->x, mc->y, mc->width };

			/* A monitor outside the surface is reported, not cropped. */
			if (mc->x + mc->width > (guint)d->width || mc->y + mc->height > (guint)d->height) {
				logf_("dump: monitor %u %ux%u+%u+%u is outside the %dx%d surface",
				      mc->id, mc->width, mc->height, mc->x, mc->y, d->width, d->height);
				continue;
			}
			path = g_strdup_printf("%s-mon%u.png", prefix, mc->id);
			if (!write_png(path, mc->width, mc->height, FALSE, crop_row, &c))
				g_string_append_printf(files, " %s", path);
			g_free(path);
		}
		if (mons)
			g_array_unref(mons);
	}
	if (st.cursor.has_shape) {
		path = g_strdup_printf("%s-cursor.png", prefix);
		write_png(path, st.cursor.width, st.cursor.height, TRUE, cursor_row, &st.cursor);
		g_free(path);
	}
	path = g_strdup_printf("%s.state", prefix);
	write_state(path);
	g_free(path);
	if (!files->len) {
		g_string_free(files, TRUE);
		return g_strdup("error no display surface received yet");
	}
	if (diff >= 0)
		ans = g_strdup_printf("ok%s differing=%ld waited_ms=%lld", files->str, diff,
				      (long long)(waited_us / 1000));
	else
		ans = g_strdup_printf("ok%s", files->str);
	g_string_free(files, TRUE);
	return ans;
}

static void answer(int fd, const char *text)
{
	char *line = g_strdup_printf("%s\n", text);
	ssize_t n = write(fd, line, strlen(line));

	if (n < 0)
		logf_("control: answer lost: %s", g_strerror(errno));
	g_free(line);
	close(fd);
}

/* Polled while a dump waits for the client to catch up with the server. */
static gboolean pending_tick(gpointer data)
{
	struct pending_dump *p = st.pending;
	gint64 t = now_us();
	long diff = -1;
	char *ans;

	if (!p)
		return G_SOURCE_REMOVE;
	if (p->match) {
		diff = differing(p->match, p->match_w, p->match_h);
		if (diff && t < p->deadline_us)
			return G_SOURCE_CONTINUE;
	} else {
		gint64 last = 0;

		for (int i = 0; i < MAX_DISPLAYS; i++)
			if (st.displays[i].last_update_us > last)
				last = st.displays[i].last_update_us;
		if (t - last < QUIET_MS * 1000 && t < p->deadline_us)
			return G_SOURCE_CONTINUE;
	}
	ans = do_dump(p->prefix, diff, t - p->started_us);
	logf_("control: dump %s: %s", p->prefix, ans);
	answer(p->fd, ans);
	g_free(ans);
	g_free(p->prefix);
	g_free(p->match);
	g_free(p);
	st.pending = NULL;
	return G_SOURCE_REMOVE;
}

static char *start_dump(int fd, char **w)
{
	struct pending_dump *p;
	char *err = NULL;

	if (!w[1] || !*w[1])
		return g_strdup("error usage: dump PREFIX [MATCH.png [TIMEOUT_MS]]");
	if (st.pending)
		return g_strdup("error another dump is in progress");
	p = g_new0(struct pending_dump, 1);
	p->fd = fd;
	p->prefix = g_strdup(w[1]);
	p->started_us = now_us();
	p->deadline_us = p->started_us + (w[2] && w[3] ? atoll(w[3]) : DEFAULT_MATCH_MS) * 1000;
	if (w[2]) {
		p->match = read_png_rgb(w[2], &p->match_w, &p->match_h, &err);
		if (!p->match) {
			char *ans = g_strdup_printf("error %s", err);

			g_free(err);
			g_free(p->prefix);
			g_free(p);
			return ans;
		}
	}
	st.pending = p;
	g_timeout_add(50, pending_tick, NULL);
	return NULL;
}

static char *send_monitors(char **w)
{
	int n = 0;

	if (!st.main || !st.main_up)
		return g_strdup("error main channel not connected");
	if (!w[1])
		return g_strdup("error usage: monitors WxH[+X+Y]...");
	{
		gboolean agent = FALSE;
		gint64 end = now_us() + AGENT_WAIT_MS * 1000;

		/*
		 * A guest agent that (re)started just now attaches a moment
		 * later: run the loop until the server says it is there.
		 */
		for (;;) {
			g_object_get(st.main, "agent-connected", &agent, NULL);
			if (agent || now_us() > end || !st.main_up)
				break;
			g_main_context_iteration(NULL, FALSE);
			g_usleep(10000);
		}
		if (!agent)
			return g_strdup_printf("error no guest agent attached within %d ms "
					       "(qh-monitors-config starts one)", AGENT_WAIT_MS);
	}
	for (int i = 1; w[i]; i++, n++) {
		unsigned int wd, ht;
		int x = -1, y = -1, used = 0;

		if (sscanf(w[i], "%ux%u%n%d%d", &wd, &ht, &used, &x, &y) < 2 || n >= 16)
			return g_strdup_printf("error bad head %s (WxH[+X+Y], at most 16)", w[i]);
		if (x < 0 || y < 0) {
			/* Side by side, like the python client: after the previous head. */
			x = 0;
			y = 0;
			for (int k = 1; k < i; k++) {
				unsigned int pw, ph;

				if (sscanf(w[k], "%ux%u", &pw, &ph) == 2)
					x += pw;
			}
		}
		spice_main_channel_update_display_enabled(st.main, n, wd && ht, FALSE);
		if (wd && ht)
			spice_main_channel_update_display(st.main, n, x, y, wd, ht, FALSE);
	}
	for (int i = n; i < 16; i++)
		spice_main_channel_update_display_enabled(st.main, i, FALSE, FALSE);
	if (!spice_main_channel_send_monitor_config(st.main))
		return g_strdup("error the client library refused to send the monitors config");
	return g_strdup_printf("ok sent %d head(s)", n);
}

static gboolean on_control(gint fd, GIOCondition cond, gpointer data)
{
	int c = accept(fd, NULL, NULL);
	char buf[1024];
	ssize_t n, got = 0;
	char **w, *ans;

	if (c < 0)
		return G_SOURCE_CONTINUE;
	/* The harness writes one short line at once. */
	while (got < (ssize_t)sizeof(buf) - 1 && (n = read(c, buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += n;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = 0;
	g_strchomp(buf);
	w = g_strsplit_set(buf, " ", -1);
	if (!strcmp(w[0], "dump"))
		ans = start_dump(c, w);
	else if (!strcmp(w[0], "monitors"))
		ans = send_monitors(w);
	else if (!strcmp(w[0], "bytes")) {
		GString *b = g_string_new("ok");

		append_bytes(b);
		ans = g_string_free(b, FALSE);
	} else if (!strcmp(w[0], "status"))
		ans = g_strdup(st.main_up ? "ok connected" : "error not connected");
	else
		ans = g_strdup_printf("error unknown request '%s' (dump, monitors, status, bytes)", w[0]);
	if (ans) {
		logf_("control: %s: %s", buf, ans);
		answer(c, ans);
		g_free(ans);
	}
	g_strfreev(w);
	return G_SOURCE_CONTINUE;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4))
		return -1;
	return fd;
}

static gboolean on_sigterm(gpointer data)
{
	logf_("stopped by SIGTERM");
	g_main_loop_quit(st.loop);
	return G_SOURCE_REMOVE;
}


static void usage(void)
{
	fprintf(stderr, "usage: qh-spice-client --socket SPICE_SOCK --control CTL_SOCK "
		"[--log FILE] [--updates FILE] [--compression default|off|auto-glz|auto-lz|quic|glz|lz|lz4]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *sock = NULL, *ctl = NULL, *log = NULL, *updates = NULL;
	int cfd;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(argv[i], "--socket")) {
			sock = v;
		} else if (!strcmp(argv[i], "--control")) {
			ctl = v;
		} else if (!strcmp(argv[i], "--log")) {
			log = v;
		} else if (!strcmp(argv[i], "--updates")) {
			updates = v;
		} else if (!strcmp(argv[i], "--compression")) {
			size_t k;

			for (k = 0; k < G_N_ELEMENTS(compressions); k++)
				if (compressions[k] && !strcmp(compressions[k], v))
					break;
			if (strcmp(v, "default") && k == G_N_ELEMENTS(compressions)) {
				fprintf(stderr, "qh-spice-client: unknown --compression '%s'\n", v);
				usage();
			}
			st.compression = strcmp(v, "default") ? (int)k : 0;
		} else {
			fprintf(stderr, "qh-spice-client: unknown option '%s'\n", argv[i]);
			usage();
		}
		i++;
	}
	if (!sock || !ctl)
		usage();
	st.log = log ? fopen(log, "a") : stderr;
	if (!st.log) {
		fprintf(stderr, "qh-spice-client: cannot open %s: %s\n", log, g_strerror(errno));
		return 2;
	}
	if (updates && !(st.updates = fopen(updates, "w"))) {
		fprintf(stderr, "qh-spice-client: cannot open %s: %s\n", updates, g_strerror(errno));
		return 2;
	}
	st.cursor.x = st.cursor.y = -1;
	st.channels = g_ptr_array_new();
	cfd = listen_unix(ctl);
	if (cfd < 0) {
		fprintf(stderr, "qh-spice-client: cannot listen on %s: %s\n", ctl, g_strerror(errno));
		return 2;
	}
	st.loop = g_main_loop_new(NULL, FALSE);
	g_unix_fd_add(cfd, G_IO_IN, on_control, NULL);
	g_unix_signal_add(SIGTERM, on_sigterm, NULL);
	st.session = spice_session_new();
	g_object_set(st.session, "unix-path", sock, "enable-audio", FALSE, NULL);
	g_signal_connect(st.session, "channel-new", G_CALLBACK(on_channel_new), NULL);
	if (!spice_session_connect(st.session)) {
		fprintf(st.log, "qh-spice-client: cannot connect to %s\n", sock);
		return 1;
	}
	logf_("connecting to %s", sock);
	g_main_loop_run(st.loop);
	if (st.updates)
		fclose(st.updates);
	unlink(ctl);
	return st.exit_status;
}
