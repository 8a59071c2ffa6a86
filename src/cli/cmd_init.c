/*
 * cmd_init.c - liangfu init DB: a new, empty database and its key file.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

int
cmd_init(int argc, char **argv)
{
	struct cli_env env;
	struct lf_error err;
	int rc;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("init");
	if (cli_env_load(&env) != 0)
		return 1;
	lf_error_clear(&err);
	rc = store_create(argv[1], env.cat, &err);
	cli_env_free(&env);
	if (rc != 0)
		return cli_fail(&err);
	if (store_location_is_pg(argv[1]))
		printf("created the registry's tables in PostgreSQL and key "
		    "file %s (keep the key file safe and private: without it "
		    "the ID and phone numbers cannot be read)\n",
		    getenv("LIANGFU_KEY_FILE"));
	else
		printf("created %s and key file %s.key (keep the key file "
		    "safe and private: without it the ID and phone numbers "
		    "cannot be read)\n", argv[1], argv[1]);
	return 0;
}
