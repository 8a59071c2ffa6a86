/*
 * cmd_serve.c - liangfu serve DB [--listen ADDR] [--config FILE]
 *               [--web DIR] [--check] [--port-file FILE]
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "server/http.h"
#include "lib/log.h"

static int
parse(int argc, char **argv, struct http_config *c, int *check)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "web", required_argument, NULL, 'w' },
		{ "check", no_argument, NULL, 'k' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *listen = NULL, *web = NULL;
	const char *portf = NULL;
	char err[512];
	int ch;

	optind = 1;
	*check = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': listen = optarg; break;
		case 'c': config = optarg; break;
		case 'w': web = optarg; break;
		case 'k': *check = 1; break;
		case 'p': portf = optarg; break;
		default: return -1;
		}
	}
	if (argc - optind != 1)
		return -1;
	if (http_config_load(c, config, err, sizeof(err)) != 0) {
		fprintf(stderr, "liangfu: %s\n", err);
		return -2;
	}
	snprintf(c->db, sizeof(c->db), "%s", argv[optind]);
	if (listen)
		snprintf(c->listen, sizeof(c->listen), "%s", listen);
	if (web)
		snprintf(c->web, sizeof(c->web), "%s", web);
	if (portf)
		snprintf(c->port_file, sizeof(c->port_file), "%s", portf);
	return 0;
}

int
cmd_serve(int argc, char **argv)
{
	struct http_config c;
	struct cli_env env;
	char err[512];
	int check, rc;

	if ((rc = parse(argc, argv, &c, &check)) != 0)
		return rc == -1 ? cli_usage("serve") : 1;
	log_init(0);
	if (cli_env_load_rules(&env) != 0)
		return 1;
	if (http_check(&c, env.cat, env.regions, err, sizeof(err)) != 0) {
		fprintf(stderr, "liangfu: %s\n", err);
		cli_env_free(&env);
		return 1;
	}
	if (access(c.web, R_OK | X_OK) != 0)
		log_warnx("web directory %s is not readable: serving the API "
		    "only", c.web);
	if (check) {
		/* --check also verifies the audit log and its anchor */
		rc = cli_audit_verify(c.db, &env);
		if (rc == 0)
			printf("liangfu: configuration and database %s are "
			    "usable\n", c.db);
		cli_env_free(&env);
		return rc;
	}
	rc = http_serve(&c, env.cat, env.regions, env.policies, env.disaster);
	cli_env_free(&env);
	return rc == 0 ? 0 : 1;
}
