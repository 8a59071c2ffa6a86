/*
 * csv.h - streaming CSV reader and writer (RFC 4180) for registry import
 * and export.
 *
 * Reader. Records are separated by LF or CRLF; fields by commas. A field
 * that starts with '"' is quoted: it ends at the next lone '"', holds
 * commas, CR and LF verbatim, and writes '"' as '""'. Rules beyond the
 * RFC, all enforced:
 *
 *  - An empty line (nothing between two line ends) is skipped; it is not a
 *    record. A record of one empty field is written as "".
 *  - The last record may lack a line end.
 *  - A CR outside quotes must be followed by LF.
 *  - A NUL byte is refused anywhere (fields are handed out as C strings).
 *  - Caps: a field holds at most CSV_FIELD_MAX bytes (after decoding,
 *    quotes undoubled), a record at most CSV_FIELDS_MAX fields, unless
 *    csv_set_limits() says otherwise.
 *
 * Encoding. Output is always valid UTF-8. A leading UTF-8 byte order mark
 * is dropped (in GB18030 input too, where it is 84 31 95 33). The caller
 * picks:
 *   CSV_ENC_UTF8     input must be strict UTF-8 (see core/utf8.h);
 *   CSV_ENC_GB18030  input is converted with iconv (glibc's GB18030);
 *   CSV_ENC_AUTO     UTF-8 if the input starts with a BOM or its first
 *                    64 KiB are valid UTF-8, otherwise GB18030.
 * Bytes that are invalid in the chosen encoding stop the reader with an
 * error at the record and field where they occur; rows before that point
 * are delivered normally. AUTO decides once: GB18030 bytes that appear
 * only after the first 64 KiB of UTF-8-looking input are such an error.
 *
 * Errors. struct csv_error.message is ready to print, "FILE:LINE:COLUMN:
 * why" with LINE the physical line where the fault was found (1-based,
 * the BOM does not count) and COLUMN the 1-based field number; the reason
 * is Chinese with English in parentheses. For an unterminated quoted
 * field LINE is where the field starts. Errors not tied to a position
 * (bad arguments, read errors, no iconv converter, out of memory while
 * opening) read "FILE: why" with line and column 0. FILE is cut to its
 * last 96 bytes. After an error the reader stays failed: csv_next()
 * returns -1 with the same error again.
 *
 * Speed. Input is read in 256 KiB blocks, validated or converted a block
 * at a time, and scanned eight bytes at a time; a row's storage is reused
 * for the next row, so steady-state reading does not allocate.
 *
 * Writer. csv_write_row() quotes a field only when it holds a comma, a
 * quote, CR or LF (or is the only field of its row and empty), doubles
 * quotes, and ends rows with "\r\n" as Excel expects. Fields are written
 * as given: no encoding check and no neutralising of leading '=', '+',
 * '-', '@' (spreadsheet formulas); callers exporting untrusted text for
 * Excel decide that themselves.
 */
#ifndef LF_IO_CSV_H
#define LF_IO_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_FIELD_MAX	(64 * 1024)	/* default bytes per field */
#define CSV_FIELDS_MAX	1024		/* default fields per record */
#define CSV_DETECT_LEN	(64 * 1024)	/* bytes CSV_ENC_AUTO looks at */

enum csv_encoding {
	CSV_ENC_AUTO,
	CSV_ENC_UTF8,
	CSV_ENC_GB18030
};

struct csv_error {
	char		 message[256];
	unsigned long	 line;		/* 0 when not tied to a position */
	unsigned	 column;	/* 1-based field number, or 0 */
};

/* One record. Everything it points to belongs to the reader and stays
 * valid until the next csv_next() or csv_close() on that reader. */
struct csv_row {
	size_t			 nfields;	/* >= 1 */
	unsigned long		 line;		/* physical line it starts on */
	const char *const	*fields;	/* NUL-terminated UTF-8 */
	const size_t		*lens;		/* byte lengths of fields[] */
};

struct csv_reader;

/*
 * Start reading fp, which stays the caller's (csv_close() does not close
 * it). filename is copied and only used in messages (NULL gives "-").
 * Reads the first block at once to choose the encoding. Returns NULL and
 * fills *err on failure: unknown encoding, out of memory, read error,
 * iconv unavailable. err may be NULL.
 */
struct csv_reader	*csv_open(FILE *fp, const char *filename, int encoding,
			    struct csv_error *err);

/*
 * Change the caps for the records that follow (call between csv_next()
 * calls): max_field bytes per field, max_fields fields per record (both
 * >= 1). Returns 0, or -1 (nothing changed) when either is 0 or their
 * product is too large to address.
 */
int			 csv_set_limits(struct csv_reader *r, size_t max_field,
			    size_t max_fields);

/* The encoding in use (CSV_ENC_UTF8 or CSV_ENC_GB18030, never AUTO). */
int			 csv_encoding(const struct csv_reader *r);

/*
 * Read the next record into *row. Returns 1 with a record, 0 at the end of
 * input, -1 on error with *err filled (err may be NULL). Errors: invalid
 * encoding, unterminated quoted field at end of input, quote inside an
 * unquoted field, text after a closing quote, CR without LF, NUL byte,
 * field or record over its cap, read error, out of memory.
 */
int			 csv_next(struct csv_reader *r, struct csv_row *row,
			    struct csv_error *err);

/* Field i of row, or NULL when i >= row->nfields. */
const char		*csv_field(const struct csv_row *row, size_t i);

/* Free the reader and every row it handed out. Accepts NULL. The reader
 * reads ahead, so fp's position afterwards is anywhere up to one block
 * past the last record returned. */
void			 csv_close(struct csv_reader *r);

/*
 * Write fields[0..n) as one record ending in "\r\n" (NULL entries are
 * written as empty fields). Returns 0, or -1 with errno set on a write
 * error (also when fp's error flag was already set) or when n is 0
 * (EINVAL: a record of no fields cannot be written). On a buffered fp a
 * write error may only show at fflush()/fclose(), which the caller
 * checks. The row is written under flockfile(), so rows from threads
 * sharing fp do not interleave.
 */
int			 csv_write_row(FILE *fp, const char *const *fields,
			    size_t n);

/* The same record appended to b (core/buf.h) instead of written: 0, or
 * -1 when b would pass its cap (or, with errno EINVAL, when n is 0). */
struct buf;
int			 csv_format_row(struct buf *b,
			    const char *const *fields, size_t n);

/* Write the UTF-8 byte order mark (EF BB BF); Excel needs it to read the
 * file as UTF-8. Returns 0, or -1 on a write error. */
int			 csv_write_bom(FILE *fp);

#ifdef LF_TESTING
/* Read blocks of n bytes (0 restores the default) in every reader opened
 * afterwards, so tests can put block edges anywhere. */
void			 csv_test_block_size(size_t n);
#endif

#endif
