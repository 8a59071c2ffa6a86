/*
 * recon_int.h - what the reconciliation files of store/ share with the
 * PostgreSQL schema (pg/pg_recon.c); not for use outside store/.
 *
 * recon_schema_sql(): SQLite's DDL of rosters, roster_rows and
 * recon_tasks (recon.c), the one definition of their columns, from which
 * PostgreSQL's are derived. Static text.
 */
#ifndef LF_STORE_RECON_INT_H
#define LF_STORE_RECON_INT_H

const char	*recon_schema_sql(void);

#endif
