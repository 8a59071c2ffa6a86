/*
 * stats_snap.h - a year of the statistics engine (core/stats.h) written
 * to a file and read back, so that a server starts with its statistics
 * in seconds instead of scanning the database.
 *
 * A snapshot is the engine's own memory (each village's person columns
 * and item pool, the running totals of every region, the counts) after a
 * header: a magic, the format version, the year, the caller's label and
 * a fingerprint of the layout (every kept item's code, kind and bands,
 * the counter layout, the region table, the policy and department
 * codes). A 64-bit checksum of everything before it ends the file.
 *
 * The label is the caller's certificate of what the snapshot holds: the
 * server stores the database's write counter (store/stats_gen.h) there,
 * and asks for the counter's current value when reading, so that a
 * snapshot written before any later write is refused.
 *
 * Reading checks, in this order: the file exists ("not_found"), the
 * header is ours ("corrupt"), the layout is the engine's ("layout": the
 * catalog, regions or policies changed), the label is the one asked for
 * ("stale", message naming both), then reads everything and checks the
 * checksum and every count and offset ("corrupt"). Errors: also "io"
 * (the file cannot be read or written, message naming the system's
 * reason), "no_memory".
 *
 * Ownership: stats_snap_read() fills st, which must be fresh from
 * stats_new() with the same catalog, regions, policies and year; after a
 * failed read st may hold part of the snapshot: free it. Writing is
 * atomic: PATH.tmp is written, synced and renamed over PATH, so a crash
 * leaves either the old snapshot or the new one. Nothing secret is in a
 * snapshot (the engine holds no secret item), but it holds every
 * person's coded survey: the file is made readable by its owner only.
 *
 * Threads: writing only reads st (the caller holds off writers);
 * reading writes st.
 */
#ifndef LF_CORE_STATS_SNAP_H
#define LF_CORE_STATS_SNAP_H

#include <stdint.h>

#include "lib/error.h"
#include "stats/stats.h"

int	stats_snap_write(const struct stats *st, uint64_t label,
	    const char *path, struct lf_error *err);
int	stats_snap_read(struct stats *st, uint64_t label, const char *path,
	    struct lf_error *err);

#endif
