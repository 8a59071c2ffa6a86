/*
 * cmd_user.h - liangfu user: manage platform accounts from the command
 * line.
 *
 *	liangfu user add DB --login L --role ROLE --region CODE
 *	    [--department CODE]
 *	liangfu user disable DB --login L
 *	liangfu user passwd DB --login L
 *	liangfu user list DB [--region CODE]
 *
 * add and passwd read the password from standard input: one line, its
 * newline (and a carriage return before it) stripped, an empty one
 * refused. On a terminal they prompt for it twice without echo. The
 * password must pass the policy of crypto/password.h; it is never echoed,
 * logged or printed. disable and passwd revoke the user's sessions. list
 * prints one account a line (login, role, region, department or "-",
 * active or disabled; tab-separated), of --region's accounts only when
 * given (their code starts with it). DB may be a PostgreSQL URL
 * (docs/postgresql.md): there list --region also sets the row-level
 * security scope.
 *
 * Like every cmd_* function (cli.h): argv[0] is "user", errors go to
 * stderr, the result is the exit status (0 success, 1 failure, 2 usage).
 */
#ifndef LF_CLI_CMD_USER_H
#define LF_CLI_CMD_USER_H

int	cmd_user(int argc, char **argv);

#endif
