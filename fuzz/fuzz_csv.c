/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (io/csv.h): every
 * record of the input is read with small caps, in the encoding the first
 * byte picks (auto, UTF-8, GB18030). Checks what the header promises:
 * fields are NUL-terminated valid UTF-8 of the stated length, at least one
 * field a record, lines never go back, and after an error the reader
 * stays failed with the same message.
 *
 *   make fuzz       build with clang, run each target for FUZZ_SECONDS
 *   make test       replays fuzz/corpus/csv under ASan+UBSan (replay.c)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/utf8.h"
#include "io/csv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_error err, again;
	struct csv_reader *r;
	struct csv_row row;
	unsigned long line = 0;
	size_t i;
	FILE *fp;
	int rc;

	if (size < 1)
		return 0;
	if ((fp = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1,
	    "rb")) == NULL)
		return 0;
	if (size == 1)
		fgetc(fp);
	if ((r = csv_open(fp, "fuzz.csv", data[0] % 3, &err)) == NULL) {
		fclose(fp);
		return 0;
	}
	if (data[0] & 4)
		csv_set_limits(r, 1 + (data[0] >> 3), 4);
	while ((rc = csv_next(r, &row, &err)) == 1) {
		if (row.nfields < 1 || row.line < line)
			__builtin_trap();
		line = row.line;
		for (i = 0; i < row.nfields; i++)
			if (strlen(row.fields[i]) != row.lens[i] ||
			    utf8_valid(row.fields[i], row.lens[i]) != 1)
				__builtin_trap();
	}
	if (rc == -1 && (csv_next(r, &row, &again) != -1 ||
	    strcmp(err.message, again.message) != 0))
		__builtin_trap();
	csv_close(r);
	fclose(fp);
	return 0;
}
