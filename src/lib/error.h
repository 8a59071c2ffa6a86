/*
 * error.h - the error record core and store functions fill in.
 *
 * A function that can fail takes a `struct lf_error *err` (never NULL) and,
 * on failure, fills it and returns -1. `code` is a stable ASCII identifier
 * (API clients match on it); `field` names the catalog item or input field
 * at fault ("" when none); `message` is for people, Chinese first with
 * English in parentheses. `line`/`column` locate the fault in an input file
 * or expression (0 when not applicable). Messages never hold a full ID or
 * phone number.
 */
#ifndef LF_CORE_ERROR_H
#define LF_CORE_ERROR_H

struct lf_error {
	const char	*code;		/* static string */
	char		 field[64];
	char		 message[384];
	unsigned long	 line;
	unsigned	 column;
};

void	lf_error_clear(struct lf_error *err);
/* Always returns -1 so callers can `return lf_error_set(...)`. */
int	lf_error_set(struct lf_error *err, const char *code, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Puts the formatted text before err's message (cut to fit), keeping its
 * code, field, line and column: to say where a deeper error happened
 * ("person #12, 2025: ..."). Always returns -1. */
int	lf_error_prefix(struct lf_error *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The one wording of running out of memory, for errors that carry it with
 * their own code position or field. */
#define LF_ERROR_NOMEM_TEXT	"内存不足 (out of memory)"
/* Fills err as out of memory: code "no_memory", no field, message
 * LF_ERROR_NOMEM_TEXT. Always returns -1. */
int	lf_error_nomem(struct lf_error *err);

#endif
