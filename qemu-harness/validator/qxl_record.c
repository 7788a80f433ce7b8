// SPDX-License-Identifier: MIT
/*
 * qxl-record: summarise and check spice-server's ring record.
 *
 *   qxl-record summary FILE [--from OFF] [--to OFF] [--json] [--allow-truncated]
 *   qxl-record check FILE [--from OFF] [--to OFF] [--expect RULE]...
 *                    [--updates N] [--max-findings N] [--allow-truncated]
 *   qxl-record dump FILE [--from OFF] [--to OFF] [--stable]
 *   qxl-record workloads FILE MARKS [--json] [--allow-truncated]
 *
 * Exit status: 0 fine, 1 findings or broken expectations, 2 unreadable or
 * corrupt record, bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../uapi/qxl_device.h"
#include "rec_check.h"
#include "rec_parse.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: qxl-record summary FILE [--from OFF] [--to OFF] [--json] [--allow-truncated]\n"
		"       qxl-record check FILE [--from OFF] [--to OFF] [--expect RULE]...\n"
		"                        [--updates N] [--max-findings N] [--allow-truncated]\n"
		"       qxl-record dump FILE [--from OFF] [--to OFF] [--stable] [--allow-truncated]\n"
		"       qxl-record workloads FILE MARKS [--json] [--allow-truncated]\n"
		"       qxl-record offsets FILE NS...\n"
		"rules: no-image-data no-surface-leaks no-duplicate-images no-full-surface-uploads cursor-shown\n"
		"       max-image-bytes=N max-bytes-per-update=N max-bytes-per-command=N\n"
		"       max-commands=N max-duplicate-images=N max-cursor-shape-bytes=N\n"
		"       command-types=fill,copy-bits,...\n");
}

static int parse_off(const char *opt, const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-') {
		fprintf(stderr, "qxl-record: %s needs a byte offset\n", opt);
		return -1;
	}
	*v = strtoull(s, &end, 10);
	if (errno || *end) {
		fprintf(stderr, "qxl-record: %s: \"%s\" is not a byte offset\n", opt, s);
		return -1;
	}
	return 0;
}

struct map {
	const uint8_t *buf;
	size_t len;
	void *addr;		/* the mapping, NULL for an empty file */
};

static int map_file(const char *path, struct map *m)
{
	struct stat sb;
	int fd = open(path, O_RDONLY);

	memset(m, 0, sizeof(*m));
	if (fd < 0 || fstat(fd, &sb)) {
		fprintf(stderr, "qxl-record: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		fprintf(stderr, "qxl-record: %s: not a regular file\n", path);
		close(fd);
		return -1;
	}
	m->len = (size_t)sb.st_size;
	if (m->len) {
		void *p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "qxl-record: %s: mmap: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		m->buf = p;
		m->addr = p;
	} else {
		m->buf = (const uint8_t *)"";
	}
	close(fd);
	return 0;
}

/* ------------------------------------------------------------ output */

static void json_str(const char *s);

struct kv_out {
	FILE *f;
	int json;
	int n;
};

static void put(struct kv_out *o, const char *key, uint64_t v)
{
	if (o->json)
		fprintf(o->f, "%s\n  \"%s\": %" PRIu64, o->n ? "," : "", key, v);
	else
		fprintf(o->f, "%s=%" PRIu64 "\n", key, v);
	o->n++;
}

static void put_str(struct kv_out *o, const char *key, const char *v)
{
	if (o->json) {
		fprintf(o->f, "%s\n  \"%s\": ", o->n ? "," : "", key);
		json_str(v);
	} else {
		fprintf(o->f, "%s=%s\n", key, v);
	}
	o->n++;
}

static void print_summary(const struct rec_result *r, uint64_t from, uint64_t to,
			  int json)
{
	static const char *const cmd_names[REC_NCMD] = {
		"unknown", "draw", "update", "cursor", "message", "surface"
	};
	static const char *const cur_names[REC_NCURSOR] = { "set", "move", "hide", "trail" };
	const struct rec_stats *st = &r->st;
	struct kv_out o = { stdout, json, 0 };
	char key[64];
	int i;

	if (json)
		fputc('{', stdout);
	put_str(&o, "status", r->status == REC_END ? "ok" :
		r->status == REC_TRUNCATED ? "truncated" : "corrupt");
	if (r->status < 0) {
		put(&o, "error_offset", r->err_off);
		put_str(&o, "error", r->err);
	}
	put(&o, "range.from", from);
	put(&o, "range.to", to == UINT64_MAX ? r->parsed_to : to);
	put(&o, "events", st->events);
	put(&o, "bytes", st->bytes);
	put(&o, "bytes.commands", st->command_bytes);
	put(&o, "bytes.messages", st->message_bytes);
	put(&o, "commands", st->commands);
	for (i = 1; i < REC_NCMD; i++) {
		snprintf(key, sizeof(key), "cmd.%s", cmd_names[i]);
		put(&o, key, st->cmd[i]);
	}
	put(&o, "cmd.unknown", st->cmd[0]);
	for (i = 0; i < REC_NDRAW; i++) {
		snprintf(key, sizeof(key), "draw.%s", rec_draw_name(i));
		put(&o, key, st->draw[i]);
	}
	put(&o, "draw.compat", st->draw_compat);
	put(&o, "draw.empty", st->empty_draws);
	put(&o, "surface.create", st->surface_create);
	put(&o, "surface.destroy", st->surface_destroy);
	put(&o, "surface.data_bytes", st->surface_data_bytes);
	put(&o, "surface.alive_at_end", st->surfaces_alive_end);
	put(&o, "surface.leaked", st->surfaces_leaked);
	for (i = 0; i < REC_NCURSOR; i++) {
		snprintf(key, sizeof(key), "cursor.%s", cur_names[i]);
		put(&o, key, st->cursor[i]);
	}
	put(&o, "cursor.other", st->cursor_other);
	put(&o, "cursor.shape_bytes", st->cursor_shape_bytes);
	for (i = 0; i < REC_MSG_COUNT; i++) {
		if (!rec_msg_name((uint32_t)i))
			continue;
		snprintf(key, sizeof(key), "msg.%s", rec_msg_name((uint32_t)i));
		put(&o, key, st->msg[i]);
	}
	put(&o, "msg.other", st->msg_other);
	put(&o, "primary.created", st->primary_created);
	put(&o, "primary.bytes", st->primary_bytes);
	put(&o, "images", st->images);
	put(&o, "image.bitmap", st->image_bitmap);
	put(&o, "image.quic", st->image_quic);
	put(&o, "image.surface", st->image_surface);
	put(&o, "image.bytes", st->image_bytes);
	put(&o, "image.padding_bytes", st->image_padding_bytes);
	put(&o, "image.palette_entries", st->palette_entries);
	put(&o, "image.cache_flagged", st->image_cache_flagged);
	put(&o, "image.duplicates", st->dup_images);
	put(&o, "image.duplicates_uncached", st->dup_uncached);
	put(&o, "image.duplicate_bytes", st->dup_image_bytes);
	put(&o, "upload.full_surface", st->full_uploads);
	put(&o, "upload.full_small_damage", st->full_small_damage);
	put(&o, "upload.full_wasted_bytes", st->full_wasted_bytes);
	put(&o, "clip.draws", st->clipped_draws);
	put(&o, "clip.rects", st->clip_rects);
	put(&o, "command.max_bytes", st->max_command_bytes);
	put(&o, "command.max_bytes_at", st->max_command_counter);
	put(&o, "updates", r->updates);
	put(&o, "bytes_per_update", r->updates ? st->command_bytes / r->updates : 0);
	put(&o, "findings", st->findings);
	if (json)
		fputs("\n}\n", stdout);
}

/* ------------------------------------------------------------ dump */

/*
 * stable: leave out what changes from run to run (counters, offsets, sizes
 * of the record lines, wakeup messages), for comparing with a golden file.
 */
static int dump(const struct map *m, uint64_t from, uint64_t to, int stable)
{
	struct rec_parser p;
	struct rec_event *ev = calloc(1, sizeof(*ev));
	int r;

	if (!ev)
		return 2;
	r = rec_parser_init(&p, m->buf, m->len);
	while (r == REC_OK && (r = rec_next(&p, ev)) == REC_OK) {
		if (ev->off >= to)
			break;
		if (ev->off < from)
			continue;
		if (stable && ev->what == REC_WHAT_MESSAGE && ev->type == REC_MSG_WAKEUP)
			continue;
		if (!stable)
			printf("#%" PRIu64 " @%zu +%zu ", ev->counter, ev->off, ev->end - ev->off);
		if (ev->what == REC_WHAT_MESSAGE) {
			const char *n = rec_msg_name(ev->type);

			printf("msg %s", n ? n : "?");
			if (ev->has_primary)
				printf(" %" PRId64 "x%" PRId64 " stride %" PRId64 " format %" PRId64,
				       ev->primary.width, ev->primary.height,
				       ev->primary.stride, ev->primary.format);
		} else if (ev->type == QXL_CMD_DRAW) {
			const struct rec_draw *d = &ev->draw;
			const char *n = rec_draw_name(d->type);
			int i;

			printf("draw %s surface %" PRId64 " bbox %" PRId64 ",%" PRId64 "-%" PRId64 ",%" PRId64,
			       n ? n : "?", d->surface_id, d->bbox.left, d->bbox.top,
			       d->bbox.right, d->bbox.bottom);
			if (d->clip_type == QXL_CLIP_TYPE_RECTS)
				printf(" clip %" PRId64, d->clip_num_rects);
			for (i = 0; i < d->nimg; i++) {
				if (d->img[i].type == QXL_IMAGE_TYPE_SURFACE)
					printf(" %s:surface#%" PRId64, d->img[i].role,
					       d->img[i].surface_id);
				else
					printf(" %s:%" PRId64 "x%" PRId64 "/%" PRIu64 "B", d->img[i].role,
					       d->img[i].width, d->img[i].height, d->img[i].data.bytes);
			}
		} else if (ev->type == QXL_CMD_SURFACE) {
			printf("surface %s %" PRId64, ev->surface.type ? "destroy" : "create",
			       ev->surface.surface_id);
			if (!ev->surface.type)
				printf(" %" PRId64 "x%" PRId64 " stride %" PRId64 " format %" PRId64,
				       ev->surface.width, ev->surface.height, ev->surface.stride,
				       ev->surface.format);
		} else if (ev->type == QXL_CMD_CURSOR) {
			printf("cursor %" PRId64, ev->cursor.type);
		} else {
			const char *n = rec_cmd_name(ev->type);

			printf("cmd %s", n ? n : "?");
		}
		putchar('\n');
	}
	if (r < 0)
		fprintf(stderr, "qxl-record: error at offset %zu: %s\n", p.err_off, p.err);
	rec_parser_fini(&p);
	free(ev);
	return r < 0 ? 2 : 0;
}

/* ------------------------------------------------------------ workloads */

struct mark {
	char test[256];
	char label[128];
	uint64_t off;
};

/*
 * Reads the harness's marks file: "<test> <label> <offset>" per line, the
 * test name may contain spaces (split from the right).
 */
static struct mark *read_marks(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct mark *v = NULL;
	size_t cap = 0;
	char line[512];
	unsigned lineno = 0;

	*n = 0;
	if (!f) {
		fprintf(stderr, "qxl-record: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char *sp2, *sp1, *end;
		size_t len = strlen(line);
		struct mark mk;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (!len)
			continue;
		sp2 = strrchr(line, ' ');
		if (!sp2)
			goto bad;
		*sp2 = 0;
		sp1 = strrchr(line, ' ');
		if (!sp1 || sp1 == line)
			goto bad;
		*sp1 = 0;
		errno = 0;
		mk.off = strtoull(sp2 + 1, &end, 10);
		if (errno || *end || sp2[1] == '-' || !sp2[1] ||
		    strlen(line) >= sizeof(mk.test) || strlen(sp1 + 1) >= sizeof(mk.label))
			goto bad;
		snprintf(mk.test, sizeof(mk.test), "%s", line);
		snprintf(mk.label, sizeof(mk.label), "%s", sp1 + 1);
		if (*n == cap) {
			struct mark *nv;

			cap = cap ? cap * 2 : 32;
			nv = realloc(v, cap * sizeof(*nv));
			if (!nv)
				goto bad;
			v = nv;
		}
		v[(*n)++] = mk;
	}
	fclose(f);
	return v ? v : calloc(1, sizeof(*v));
bad:
	fprintf(stderr, "qxl-record: %s:%u: expected \"<test> <label> <offset>\"\n", path, lineno);
	fclose(f);
	free(v);
	return NULL;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/*
 * One line per stretch between consecutive marks of the same test: what
 * each workload of each test cost.
 */
static int workloads(const struct map *m, const char *marks_path, int json,
		     int allow_trunc)
{
	struct rec_result *res = calloc(1, sizeof(*res));
	struct mark *mk;
	size_t n, i;
	int rc = 0, first = 1;

	mk = read_marks(marks_path, &n);
	if (!mk || !res) {
		free(res);
		free(mk);
		return 2;
	}
	if (json)
		fputs("[", stdout);
	for (i = 0; i + 1 < n; i++) {
		struct rec_opts o;
		const struct rec_stats *st = &res->st;

		if (strcmp(mk[i].test, mk[i + 1].test) || mk[i + 1].off < mk[i].off)
			continue;
		memset(&o, 0, sizeof(o));
		o.from = mk[i].off;
		o.to = mk[i + 1].off;
		o.updates = -1;
		rec_expect_init(&o.expect);
		rec_analyze(m->buf, m->len, &o, res);
		if (res->status < 0 && !(res->status == REC_TRUNCATED && allow_trunc)) {
			fprintf(stderr, "qxl-record: error at offset %zu: %s\n", res->err_off, res->err);
			rc = 2;
			break;
		}
		if (json) {
			printf("%s\n  {\"test\": ", first ? "" : ",");
			json_str(mk[i].test);
			fputs(", \"from\": ", stdout);
			json_str(mk[i].label);
			fputs(", \"to\": ", stdout);
			json_str(mk[i + 1].label);
			fputs(", ", stdout);
		} else
			printf("workload %s %s..%s ", mk[i].test, mk[i].label, mk[i + 1].label);
		printf(json ?
		       "\"bytes\": %" PRIu64 ", \"commands\": %" PRIu64 ", \"draws\": %" PRIu64
		       ", \"image_bytes\": %" PRIu64 ", \"image_duplicates\": %" PRIu64
		       ", \"full_small_damage\": %" PRIu64 ", \"full_wasted_bytes\": %" PRIu64
		       ", \"clip_rects\": %" PRIu64 ", \"findings\": %" PRIu64 "}" :
		       "bytes=%" PRIu64 " commands=%" PRIu64 " draws=%" PRIu64
		       " image.bytes=%" PRIu64 " image.duplicates=%" PRIu64
		       " upload.full_small_damage=%" PRIu64 " upload.full_wasted_bytes=%" PRIu64
		       " clip.rects=%" PRIu64 " findings=%" PRIu64 "\n",
		       st->bytes, st->commands, st->cmd[1], st->image_bytes, st->dup_images,
		       st->full_small_damage, st->full_wasted_bytes, st->clip_rects,
		       st->findings);
		first = 0;
	}
	if (json)
		fputs("\n]\n", stdout);
	free(res);
	free(mk);
	return rc;
}

/*
 * For each host CLOCK_MONOTONIC time (ns), the offset of the first event
 * stamped at or after it, else the end of the last complete event.  The
 * harness takes a mark's time rather than the record's size, which lags
 * by spice-server's stdio buffer; this turns times into exact offsets once
 * the record is complete.  A cut record (QEMU killed) is fine: the events
 * before the cut answer.
 */
static int offsets(const struct map *m, int n, char **ns_args)
{
	uint64_t *ns = calloc(n, sizeof(*ns));
	size_t *off = calloc(n, sizeof(*off));
	struct rec_event *ev = calloc(1, sizeof(*ev));
	struct rec_parser p;
	size_t last_end = 0;
	int i, r, rc = 0;
	char *end;

	if (!ns || !off || !ev) {
		rc = 2;
		goto out;
	}
	for (i = 0; i < n; i++) {
		errno = 0;
		ns[i] = strtoull(ns_args[i], &end, 10);
		if (errno || !*ns_args[i] || *end || *ns_args[i] == '-') {
			fprintf(stderr, "qxl-record: offsets: \"%s\" is not a time in ns\n",
				ns_args[i]);
			rc = 2;
			goto out;
		}
		off[i] = SIZE_MAX;
	}
	r = rec_parser_init(&p, m->buf, m->len);
	if (r != REC_OK) {
		fprintf(stderr, "qxl-record: error at offset %zu: %s\n", p.err_off, p.err);
		rec_parser_fini(&p);
		rc = 2;
		goto out;
	}
	last_end = p.pos;
	while ((r = rec_next(&p, ev)) == REC_OK) {
		for (i = 0; i < n; i++) {
			if (off[i] == SIZE_MAX && ev->ts >= ns[i])
				off[i] = ev->off;
		}
		last_end = ev->end;
	}
	if (r == REC_ERROR) {
		fprintf(stderr, "qxl-record: error at offset %zu: %s\n", p.err_off, p.err);
		rc = 2;
	}
	rec_parser_fini(&p);
	for (i = 0; i < n && !rc; i++)
		printf("%zu\n", off[i] == SIZE_MAX ? last_end : off[i]);
out:
	free(ev);
	free(off);
	free(ns);
	return rc;
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	struct rec_opts o;
	struct rec_result *res;
	struct map m;
	const char *cmd, *file;
	int json = 0, allow_trunc = 0, stable = 0, i, rc;
	char err[512];

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	file = argv[2];
	if (!strcmp(cmd, "workloads")) {
		const char *marks = argc > 3 ? argv[3] : NULL;

		if (!marks || *marks == '-') {
			fprintf(stderr, "qxl-record: workloads needs a marks file\n");
			return 2;
		}
		for (i = 4; i < argc; i++) {
			if (!strcmp(argv[i], "--json")) {
				json = 1;
			} else if (!strcmp(argv[i], "--allow-truncated")) {
				allow_trunc = 1;
			} else {
				fprintf(stderr, "qxl-record: unknown option \"%s\" for workloads\n",
					argv[i]);
				return 2;
			}
		}
		if (map_file(file, &m))
			return 2;
		rc = workloads(&m, marks, json, allow_trunc);
		if (m.addr)
			munmap(m.addr, m.len);
		return rc;
	}
	if (!strcmp(cmd, "offsets")) {
		if (map_file(file, &m))
			return 2;
		rc = offsets(&m, argc - 3, argv + 3);
		if (m.addr)
			munmap(m.addr, m.len);
		return rc;
	}
	if (strcmp(cmd, "summary") && strcmp(cmd, "check") && strcmp(cmd, "dump")) {
		fprintf(stderr, "qxl-record: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return 2;
	}
	memset(&o, 0, sizeof(o));
	o.to = UINT64_MAX;
	o.updates = -1;
	o.max_print = 50;
	rec_expect_init(&o.expect);
	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--from")) {
			if (parse_off(a, v, &o.from))
				return 2;
			i++;
		} else if (!strcmp(a, "--to")) {
			if (parse_off(a, v, &o.to))
				return 2;
			i++;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--allow-truncated")) {
			allow_trunc = 1;
		} else if (!strcmp(a, "--stable") && !strcmp(cmd, "dump")) {
			stable = 1;
		} else if (!strcmp(a, "--expect") && !strcmp(cmd, "check")) {
			if (!v) {
				fprintf(stderr, "qxl-record: --expect needs a rule\n");
				return 2;
			}
			if (rec_expect_parse(&o.expect, v, err, sizeof(err))) {
				fprintf(stderr, "qxl-record: %s\n", err);
				return 2;
			}
			i++;
		} else if ((!strcmp(a, "--updates") || !strcmp(a, "--max-findings")) &&
			   strcmp(cmd, "dump")) {
			uint64_t n;

			if (parse_off(a, v, &n) || n > INT32_MAX) {
				fprintf(stderr, "qxl-record: %s needs a count\n", a);
				return 2;
			}
			if (a[2] == 'u')
				o.updates = (int64_t)n;
			else
				o.max_print = (int)n;
			i++;
		} else {
			fprintf(stderr, "qxl-record: unknown option \"%s\" for %s\n", a, cmd);
			usage(stderr);
			return 2;
		}
	}
	if (o.from > o.to) {
		fprintf(stderr, "qxl-record: --from %" PRIu64 " is after --to %" PRIu64 "\n",
			o.from, o.to);
		return 2;
	}
	if (map_file(file, &m))
		return 2;
	if (!strcmp(cmd, "dump")) {
		rc = dump(&m, o.from, o.to, stable);
		goto out;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		rc = 2;
		goto out;
	}
	o.out = !strcmp(cmd, "check") ? stdout : NULL;
	rc = rec_analyze(m.buf, m.len, &o, res);
	if (!strcmp(cmd, "summary")) {
		print_summary(res, o.from, o.to, json);
		rc = 0;
	} else {
		printf("findings=%" PRIu64 "\n", res->st.findings);
	}
	if (res->status < 0) {
		/*
		 * A record cut after --to (QEMU killed later in the run) still
		 * holds every byte of the range; only the event straddling its
		 * end is incomplete.
		 */
		int cut_after = res->status == REC_TRUNCATED && o.to <= m.len;
		int fatal = !(res->status == REC_TRUNCATED && (allow_trunc || cut_after));

		fprintf(stderr, "qxl-record: %s: error at offset %zu: %s%s\n", file,
			res->err_off, res->err, fatal ? "" : cut_after ?
			" (ignored: the record is cut after --to)" :
			" (ignored: --allow-truncated)");
		if (fatal)
			rc = 2;
	}
	free(res);
out:
	if (m.addr)
		munmap(m.addr, m.len);
	return rc;
}
