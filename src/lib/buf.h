/*
 * buf.h - a growable byte buffer with a hard size cap (curl's dynbuf).
 *
 * A buf always holds a NUL-terminated string (the NUL is not counted in
 * len). Every append fails with -1, leaving the contents as they were, when
 * memory runs out or the result would exceed the cap given at init. The
 * caller owns the buffer and releases it with buf_free(); buf_detach() hands
 * the bytes over (caller frees them with mem_free()).
 */
#ifndef LF_CORE_BUF_H
#define LF_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NULL until the first append */
	size_t	 len;
	size_t	 cap;	/* allocated bytes */
	size_t	 max;	/* hard cap on len */
};

void	 buf_init(struct buf *b, size_t max);
/* Room for n more bytes now (one allocation instead of doublings while
 * appending); -1 as an append would fail. The contents stay. */
int	 buf_reserve(struct buf *b, size_t n);
int	 buf_add(struct buf *b, const void *p, size_t n);
int	 buf_adds(struct buf *b, const char *s);
int	 buf_addc(struct buf *b, char c);
int	 buf_addf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* Contents as a string; "" when empty. Valid until the next change. */
const char *buf_str(const struct buf *b);
void	 buf_reset(struct buf *b);
char	*buf_detach(struct buf *b);
void	 buf_free(struct buf *b);

#endif
