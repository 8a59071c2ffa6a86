/*
 * xlsx_csv.c - an .xlsx workbook's first sheet as CSV, through xlsx2csv
 * (xlsx_csv.h).
 */
#include "io/xlsx_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROGRAM		"xlsx2csv"
#define IN_FD		3

extern char **environ;

int
xlsx_is(const char *name, const unsigned char *head, size_t n)
{
	size_t len;

	if (n >= 4 && memcmp(head, "PK\003\004", 4) == 0)
		return 1;
	if (name == NULL || (len = strlen(name)) < 5)
		return 0;
	return strcasecmp(name + len - 5, ".xlsx") == 0;
}

static void
fail(struct csv_error *ce, const char *file, const char *why)
{
	size_t len = strlen(file);

	if (len > 96)
		file += len - 96;
	memset(ce, 0, sizeof(*ce));
	snprintf(ce->message, sizeof(ce->message), "%s: %s", file, why);
}

/* The program's path on PATH into out; -1 when not there. */
static int
find_program(char *out, size_t cap)
{
	const char *path = getenv("PATH"), *p, *end;
	size_t n;

	for (p = path ? path : "/usr/bin:/bin"; *p != '\0'; p = end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n > 0 && n + sizeof(PROGRAM) + 1 < cap) {
			snprintf(out, cap, "%.*s/%s", (int)n, p, PROGRAM);
			if (access(out, X_OK) == 0)
				return 0;
		}
		if (*end == ':')
			end++;
	}
	return -1;
}

/* The first line of what the program said, without what follows a
 * path of ours ("/dev/fd/3"), into why. */
static void
complaint(FILE *err, char *why, size_t cap)
{
	char line[160], *at;

	line[0] = '\0';
	rewind(err);
	if (fgets(line, sizeof(line), err) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if ((at = strstr(line, "/dev/fd/")) != NULL)
		*at = '\0';
	snprintf(why, cap, "不是可读的 xlsx 工作簿 (not a readable xlsx "
	    "workbook%s%s)", line[0] ? ": " : "", line);
}

static int
spawn(const char *prog, int fd, FILE *out, FILE *err, pid_t *pid)
{
	char *argv[] = { (char *)PROGRAM, (char *)"--no-line-breaks",
	    (char *)"-f", (char *)"%Y-%m-%d", (char *)"-s", (char *)"1",
	    (char *)"/dev/fd/3", NULL };
	posix_spawn_file_actions_t fa;
	int rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
	    0) || posix_spawn_file_actions_adddup2(&fa, fileno(out), 1) ||
	    posix_spawn_file_actions_adddup2(&fa, fileno(err), 2) ||
	    posix_spawn_file_actions_adddup2(&fa, fd, IN_FD) ||
	    posix_spawn(pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc != 0 ? -1 : 0;
}

FILE *
xlsx_csv_open(int fd, const char *file, struct csv_error *ce)
{
	char prog[4096], why[224];
	FILE *out = NULL, *err = NULL;
	pid_t pid;
	int status;

	if (file == NULL)
		file = "-";
	if (find_program(prog, sizeof(prog)) != 0) {
		fail(ce, file, "读取 xlsx 需要安装 xlsx2csv 软件包 (reading xlsx "
		    "needs the Debian package xlsx2csv: apt-get install "
		    "xlsx2csv)");
		return NULL;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || (out = tmpfile()) == NULL ||
	    (err = tmpfile()) == NULL || spawn(prog, fd, out, err, &pid) != 0) {
		fail(ce, file, "无法转换 xlsx (cannot run xlsx2csv)");
		goto fail;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status != 0) {
		complaint(err, why, sizeof(why));
		fail(ce, file, why);
		goto fail;
	}
	fclose(err);
	rewind(out);
	return out;
fail:
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	return NULL;
}

FILE *
xlsx_csv_open_mem(const void *data, size_t len, const char *file,
    struct csv_error *ce)
{
	FILE *in = tmpfile(), *out;

	if (in == NULL || fwrite(data, 1, len, in) != len ||
	    fflush(in) != 0) {
		if (in != NULL)
			fclose(in);
		fail(ce, file ? file : "-", "无法暂存 xlsx (cannot hold the "
		    "workbook in a temporary file)");
		return NULL;
	}
	out = xlsx_csv_open(fileno(in), file, ce);
	fclose(in);
	return out;
}
