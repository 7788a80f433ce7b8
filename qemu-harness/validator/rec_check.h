/* SPDX-License-Identifier: MIT */
/*
 * Analysis of a spice ring record: structural rules on every command,
 * statistics, and the expectations a test states.  The whole record is
 * always walked from its start (surface state is needed), but findings and
 * statistics only cover events that start inside [from, to).
 */
#ifndef REC_CHECK_H
#define REC_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "rec_parse.h"

#define REC_NDRAW	15	/* QXL_DRAW_NOP .. QXL_DRAW_COMPOSITE */
#define REC_NCMD	6	/* 0 = unknown, QXL_CMD_DRAW .. QXL_CMD_SURFACE */
#define REC_NCURSOR	4

struct rec_stats {
	uint64_t events, bytes, command_bytes, message_bytes;
	uint64_t commands;
	uint64_t cmd[REC_NCMD];
	uint64_t draw[REC_NDRAW];
	uint64_t draw_compat;
	uint64_t surface_create, surface_destroy, surface_data_bytes;
	uint64_t cursor[REC_NCURSOR], cursor_other, cursor_shape_bytes;
	uint64_t msg[REC_MSG_COUNT], msg_other;
	uint64_t primary_created, primary_bytes;
	uint64_t images, image_bitmap, image_quic, image_surface;
	uint64_t image_bytes, palette_entries;
	uint64_t image_padding_bytes;	/* stride beyond the pixels of each row */
	uint64_t clip_rects, clipped_draws, empty_draws;
	uint64_t image_cache_flagged;	/* bitmaps/quic with QXL_IMAGE_CACHE */
	uint64_t dup_images, dup_image_bytes;
	uint64_t dup_uncached;		/* duplicates without QXL_IMAGE_CACHE */
	uint64_t full_uploads, full_small_damage, full_wasted_bytes;
	uint64_t max_command_bytes, max_command_counter;
	uint64_t surfaces_alive_end, surfaces_leaked;
	uint64_t findings;
};

/* Expectations (all optional). */
struct rec_expect {
	int no_image_data;
	int no_surface_leaks;
	int no_duplicate_images;
	int no_full_surface_uploads;
	int cursor_shown;		/* the range ends with the cursor shown */
	int64_t max_image_bytes;	/* -1 = unset, likewise below */
	int64_t max_bytes_per_update;
	int64_t max_bytes_per_command;
	int64_t max_commands;
	int64_t max_dup_images;
	int64_t max_cursor_shape_bytes;
	uint32_t command_types;		/* bit per draw type; 0 = unset */
	int command_types_set;
};

struct rec_opts {
	uint64_t from, to;		/* to = UINT64_MAX for "end" */
	int64_t updates;		/* --updates; -1 = count draw commands */
	int max_print;			/* findings printed (the rest counted) */
	struct rec_expect expect;
	FILE *out;			/* findings go here, NULL = silent */
};

struct rec_result {
	struct rec_stats st;
	int status;			/* REC_END, REC_ERROR or REC_TRUNCATED */
	size_t err_off;
	char err[256];
	uint64_t parsed_to;		/* offset where the walk stopped */
	uint64_t updates;		/* denominator of bytes per update */
};

void rec_expect_init(struct rec_expect *e);

/* Parses "no-image-data", "max-image-bytes=N", ...; 0 ok, -1 bad rule. */
int rec_expect_parse(struct rec_expect *e, const char *rule, char *err,
		     size_t errlen);

/*
 * Walks buf[0..len).  Returns 0 when no finding and no expectation failed,
 * 1 otherwise; parse problems are in res->status (findings still counted).
 */
int rec_analyze(const uint8_t *buf, size_t len, const struct rec_opts *o,
		struct rec_result *res);

#endif /* REC_CHECK_H */
