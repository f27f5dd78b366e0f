/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report DIR: rebuild DIR/report from the raw files of a run
 * (experiments/report.c). No dataplane, no root: runs anywhere.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "app.h"
#include "commands.h"

struct report_cfg {
	const char *gnuplot;
	const char *alpha;
	int quiet;
};

static const struct opt_def report_opts_table[] = {
    {"gnuplot", OPT_STR, offsetof(struct report_cfg, gnuplot), 0, 0, "gnuplot", "PROG",
     "gnuplot program to render the figures with (searched in PATH)"},
    {"alpha", OPT_STR, offsetof(struct report_cfg, alpha), 0, 0, "0.05", "A",
     "1 - confidence level of the intervals and of Tukey's HSD"},
    {"quiet", OPT_FLAG, offsetof(struct report_cfg, quiet), 0, 0, NULL, NULL,
     "no summary line on stderr"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};

#define REPORT_SYNOPSIS "DIR [options]   (DIR: a run directory with raw/points.jsonl)"

int cmd_report(int argc, char **argv)
{
	struct report_cfg cfg;
	struct report_opts o;
	char means[PATH_MAX], pmap[PATH_MAX];
	struct report_result res;
	const char *dir = NULL;
	char *end;
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	if (argc >= 1 && opt_is_help(argv[0])) {
		opt_usage(stdout, "report", REPORT_SYNOPSIS, report_opts_table);
		return APP_OK;
	}
	/* DIR first or last: lvperf report DIR [options] | [options] DIR. */
	if (argc >= 1 && argv[0][0] != '-') {
		dir = argv[0];
		rc = opt_parse("report", REPORT_SYNOPSIS, report_opts_table, &cfg, argc - 1,
			       argv + 1, &rest);
		rest++;
	} else {
		rc = opt_parse("report", REPORT_SYNOPSIS, report_opts_table, &cfg, argc, argv,
			       &rest);
		if (rc == 0 && rest < argc)
			dir = argv[rest++];
	}
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (!dir) {
		fprintf(stderr, "lvperf report: expected a run directory: lvperf report DIR (see "
				"lvperf report --help)\n");
		return APP_USAGE;
	}
	if (rest != argc) {
		fprintf(stderr, "lvperf report: unexpected argument '%s'\n", argv[rest]);
		return APP_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.gnuplot = cfg.gnuplot;
	o.quiet = cfg.quiet;
	o.study_means = app_data_path("study-means.csv", means, sizeof(means)) ? NULL : means;
	o.study_platforms = app_data_path("study-platforms.csv", pmap, sizeof(pmap)) ? NULL : pmap;
	errno = 0;
	o.alpha = strtod(cfg.alpha, &end);
	if (errno || end == cfg.alpha || *end || !(o.alpha > 0 && o.alpha < 1)) {
		fprintf(
		    stderr,
		    "lvperf report: --alpha '%s': expected a number between 0 and 1, e.g. 0.05\n",
		    cfg.alpha);
		return APP_USAGE;
	}
	if (report_build(dir, &o, &res))
		return APP_ERR;
	if (!cfg.quiet)
		fprintf(stderr,
			"lvperf report: %lu ok, %lu failed, %lu skipped, %lu flagged points; %u "
			"figures%s, %u omitted; open %s/report/index.html\n",
			res.ok, res.failed, res.skipped, res.flagged, res.figures,
			res.plotted ? "" : " (not rendered: no gnuplot)", res.omitted, dir);
	return APP_OK;
}
