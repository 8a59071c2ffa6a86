/*
 * csv2xlsx.c - test tool: writes a CSV file as the first sheet of an .xlsx
 * workbook (libxlsxwriter), row N of the CSV as sheet row N, every field
 * a text cell except one written "#n:VALUE", which becomes a number cell
 * (as a spreadsheet holds an ID number someone typed as a number).
 *
 *   csv2xlsx IN.csv OUT.xlsx
 *
 * Exit 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "io/csv.h"

static void
cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *v)
{
	if (strncmp(v, "#n:", 3) == 0)
		worksheet_write_number(ws, row, col, strtod(v + 3, NULL), NULL);
	else if (v[0] != '\0')
		worksheet_write_string(ws, row, col, v, NULL);
}

int
main(int argc, char **argv)
{
	struct csv_reader *r;
	struct csv_error ce;
	struct csv_row row;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	FILE *fp;
	size_t i;
	int rc;

	if (argc != 3 || (fp = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: csv2xlsx IN.csv OUT.xlsx\n");
		return 1;
	}
	if ((r = csv_open(fp, argv[1], CSV_ENC_AUTO, &ce)) == NULL ||
	    (wb = workbook_new(argv[2])) == NULL ||
	    (ws = workbook_add_worksheet(wb, NULL)) == NULL) {
		fprintf(stderr, "csv2xlsx: cannot start\n");
		return 1;
	}
	while ((rc = csv_next(r, &row, &ce)) == 1)
		for (i = 0; i < row.nfields; i++)
			cell(ws, (lxw_row_t)(row.line - 1), (lxw_col_t)i,
			    row.fields[i]);
	csv_close(r);
	fclose(fp);
	if (rc < 0)
		fprintf(stderr, "csv2xlsx: %s\n", ce.message);
	return workbook_close(wb) != LXW_NO_ERROR || rc < 0;
}
