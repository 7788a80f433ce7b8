/* SPDX-License-Identifier: MIT */
/*
 * recfilter: summarise spice-server's ring record while it is written.
 *
 * Under Xorg's modesetting driver an x11perf run records gigabytes of
 * uploaded pixels.  The benchmark only needs, per event, its time and its
 * size, so QEMU runs with SPICE_WORKER_RECORD_FILTER=<this program>: the
 * record arrives on stdin and what spice-server's record file receives (our
 * stdout) is one line per event:
 *
 *   e <counter> <what> <type> <monotonic ns> <record bytes> <binary bytes>
 *
 * <record bytes> is the size the event would have had in the raw record
 * (from its "event" line to the next one), <binary bytes> the part of it
 * that was raw data blocks (image data, surface contents, cursor shapes).
 * The harness's qh-mark offsets (the file's size) then index this log, so
 * the bytes of a workload are the sum of the events between two marks.
 * Output is flushed whenever the input pauses, so marks lag by at most the
 * event still being read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct event {
	int open;
	unsigned long long counter, ns, bytes, bin;
	int what, type;
};

static char line[4096];
static size_t line_len;
static int line_overflow;
static unsigned long long skip;	/* raw bytes of a binary block still to come */
static struct event ev;
static char out[1 << 16];
static size_t out_len;

static void
flush_out(void)
{
	size_t done = 0;

	while (done < out_len) {
		ssize_t n = write(1, out + done, out_len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			exit(1);	/* the record file is gone: nothing to do */
		done += (size_t)n;
	}
	out_len = 0;
}

static void
emit(const char *s)
{
	size_t n = strlen(s);

	if (out_len + n > sizeof(out))
		flush_out();
	memcpy(out + out_len, s, n);
	out_len += n;
}

static void
close_event(void)
{
	char buf[160];

	if (!ev.open)
		return;
	snprintf(buf, sizeof(buf), "e %llu %d %d %llu %llu %llu\n", ev.counter,
		 ev.what, ev.type, ev.ns, ev.bytes, ev.bin);
	emit(buf);
	ev.open = 0;
}

/* A complete text line (without its newline) of length len. */
static void
text_line(size_t len)
{
	unsigned long long c, ns;
	int what, type;

	line[len < sizeof(line) ? len : sizeof(line) - 1] = 0;
	if (!line_overflow && sscanf(line, "event %llu %d %d %llu", &c, &what, &type, &ns) == 4) {
		close_event();
		ev.open = 1;
		ev.counter = c;
		ev.what = what;
		ev.type = type;
		ev.ns = ns;
		ev.bytes = 0;
		ev.bin = 0;
	} else if (!ev.open && !strncmp(line, "SPICE_REPLAY", 12)) {
		emit("# recfilter: ");
		emit(line);
		emit("\n");
	}
}

static void
consume(const char *p, size_t n)
{
	while (n) {
		if (skip) {
			size_t k = n < skip ? n : (size_t)skip;

			skip -= k;
			ev.bytes += k;
			ev.bin += k;
			p += k;
			n -= k;
			continue;
		}
		char c = *p++;

		n--;
		if (c == '\n') {
			/* the event line itself counts for its own event */
			size_t len = line_len;

			line_len = 0;
			text_line(len);
			line_overflow = 0;
			ev.bytes += len + 1;
			continue;
		}
		if (line_len < sizeof(line) - 1)
			line[line_len] = c;
		else
			line_overflow = 1;
		line_len++;
		if (c == ':' && line_len < sizeof(line) - 1 && !strncmp(line, "binary ", 7)) {
			unsigned long long size;
			int z;
			char name[128];

			line[line_len] = 0;
			if (sscanf(line, "binary %d %127s %llu:", &z, name, &size) == 3) {
				ev.bytes += line_len;
				line_len = 0;
				skip = size;	/* then "\n", read as an empty line */
			}
		}
	}
}

int
main(void)
{
	static char buf[1 << 20];

	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		consume(buf, (size_t)n);
		flush_out();
	}
	close_event();
	flush_out();
	return 0;
}
