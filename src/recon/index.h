/*
 * index.h - what a reconciliation run looks up per person, loaded once
 * before the scan instead of one query a finding (recon/run.c only): the
 * open tasks of one kind (person, finding -> task id and owner) and each
 * county's owner, the first active county-level account of it by account
 * id. Owners are interned: a run holds each distinct login once. Memory:
 * 24 bytes an open task. Errors: 0 / -1 with err ("store", "no_memory").
 */
#ifndef LF_RECON_INDEX_H
#define LF_RECON_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "store/store.h"

struct recon_open {
	int64_t		 person_id, task_id;
	int32_t		 finding;
	int32_t		 owner;		/* index in names, -1: none */
};

struct recon_county {
	char		 code[7];
	int32_t		 owner;		/* index in names */
	int32_t		 seq;		/* order read (account id order) */
};

struct recon_index {
	struct recon_open	*open;	/* by person, finding */
	size_t			 nopen, capopen;
	struct recon_county	*county;	/* by code */
	size_t			 ncounty, capcounty;
	char			(*names)[64];	/* logins, as met */
	int32_t			*order;		/* names' indexes, sorted
						   by login */
	size_t			 nnames, capnames, caporder;
};

/* Loads the open tasks of kind and the counties' owners. */
int	recon_index_load(struct store *s, const char *kind,
	    struct recon_index *ix, struct lf_error *err);
void	recon_index_free(struct recon_index *ix);
/* The open task of (person, finding), or NULL. */
const struct recon_open *recon_index_task(const struct recon_index *ix,
	    int64_t person_id, int finding);
/* The owner of the county (6 digits) into out[64]; "" when none. */
void	recon_index_owner(const struct recon_index *ix, const char *county,
	    char out[64]);
/* The login of an interned owner; "" for -1. */
const char *recon_index_name(const struct recon_index *ix, int32_t owner);

#endif
