/*
 * pg_put.h - private to store/pg/pg_put.c and pg_put_read.c: the state of
 * a PostgreSQL load's puts (pg_int.h's pg_put_* verbs).
 *
 * pg_put.c keeps the load (its lock, savepoint and person ids) and
 * writes the rows; pg_put_read.c reads the persons the puts name, with
 * their stored surveys, and remembers which persons this load has put.
 */
#ifndef LF_STORE_PG_PG_PUT_H
#define LF_STORE_PG_PG_PUT_H

#include "store/pg/pg_int.h"

struct pgput {
	int			 fresh;		/* no person when begun */
	uint64_t		*keys;		/* hash prefixes put, 0 free;
					   kept until the load ends
					   (docs/postgresql.md) */
	size_t			 cap, n;
	char			 region[13];	/* the person being put */
	struct record		*old;		/* their stored survey */
	int			 old_year;	/* 0: none */
	int64_t			 old_version;
	struct packrec_sealed	*sealed;	/* its sealed values */
	unsigned char		*blobs;		/* SEALED_MAX per field */
	struct buf		 upd;		/* staged survey updates */
	size_t			 nupd;
	int			 upd_table;	/* made in this transaction */
	int			 adopted;	/* the put made the caller's
					   transaction one of puts
					   (pg_put_single_begin()) */
	int			 locked_before;	/* pgstore.locked when a
						   single put's savepoint
						   began */
	int			 prepared;	/* the reads, once a session */
	int64_t			 first_id;	/* the first person id this
						   load took; 0 none */
	/* the persons of the batch store_write_ahead() announced */
	PGresult		*ahead;		/* the batch read, or NULL */
	int			*ahead_row;	/* per position: its row, -1
						   none, -2 several */
	unsigned char		*ahead_hash;	/* per position */
	int			*ahead_year;
	size_t			 ahead_n, ahead_cap, ahead_next;
};

/* pg_put_read.c: forgets what the load read and put (pg_put_end()), and
 * frees it (pg_put_free()). */
void	pg_put_read_reset(struct pgput *u);
void	pg_put_read_free(struct pgput *u);

#endif
