/* SPDX-License-Identifier: MIT */
/*
 * Asking the harness's SPICE client (qh run --client) for its picture from
 * a guest test.  Shared by tests/kms and tests/ioctl.
 */
#ifndef QH_CLIENT_H
#define QH_CLIENT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Exit status of qh-clientdump when the run has no client. */
#define QH_CLIENT_NONE	77

/*
 * qh-clientdump [--reconnect] --match NAME OUT: the client's picture once it
 * equals screendump NAME (up to 10 s: the client lags the server), as
 * OUT.png.  Returns the exit status (QH_CLIENT_NONE: no client in the run,
 * -1: not started); 'ans' gets the answer line, 'diff' the pixels still
 * different (-1 when the answer has no count).
 */
static inline int qh_client_match(const char *name, const char *out, bool reconnect,
				  char *ans, size_t n, long *diff)
{
	char cmd[512];
	const char *d;
	FILE *p;
	int st;

	ans[0] = 0;
	*diff = -1;
	snprintf(cmd, sizeof(cmd), "qh-clientdump %s--match %s %s 2>&1",
		 reconnect ? "--reconnect " : "", name, out);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(ans, (int)n, p))
		ans[0] = 0;
	ans[strcspn(ans, "\n")] = 0;
	st = pclose(p);
	d = strstr(ans, "differing=");
	if (d)
		*diff = strtol(d + strlen("differing="), NULL, 10);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#endif
