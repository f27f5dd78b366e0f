/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf run: an experiment spec end to end (experiments/runner.c), or a
 * resumed one. Without a spec it runs the built-in default, quick.yaml
 * (share/lvperf when installed, else experiments/ in the source tree).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cores.h"
#include "driver.h"
#include "report.h"
#include "runner.h"
#include "app.h"
#include "commands.h"

struct run_cfg {
	const char *out;
	const char *resume;
	uint64_t repetitions;
	uint64_t max_duration;
	int dry_run;
	int no_report;
	int quiet;
};

static const struct opt_def run_opts[] = {
	{ "out", OPT_STR, offsetof(struct run_cfg, out), 0, 0, NULL, "DIR",
	  "run directory (default runs/SPECNAME-UTCTIME)" },
	{ "resume", OPT_STR, offsetof(struct run_cfg, resume), 0, 0, NULL, "DIR",
	  "continue an interrupted run from its directory" },
	{ "repetitions", OPT_U64, offsetof(struct run_cfg, repetitions), 0, 100000, "0", "N",
	  "override every metric's repetitions (0: as the spec says)" },
	{ "max-duration", OPT_DURATION, offsetof(struct run_cfg, max_duration), 0, 3600000000000ull, "0",
	  "DUR", "cap every load duration and warm-up (0: as the spec says)" },
	{ "dry-run", OPT_FLAG, offsetof(struct run_cfg, dry_run), 0, 0, NULL, NULL,
	  "check the spec and print the plan in execution order" },
	{ "no-report", OPT_FLAG, offsetof(struct run_cfg, no_report), 0, 0, NULL, NULL,
	  "do not build the report at the end" },
	{ "quiet", OPT_FLAG, offsetof(struct run_cfg, quiet), 0, 0, NULL, NULL, "no progress lines" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* The driver names a spec's targets may use. */
static const char *const *platform_names(void)
{
	static const char *names[64];
	unsigned n = 0;

	for (const struct driver *const *d = drivers; *d && n < 63; d++)
		names[n++] = (*d)->name;
	names[n] = NULL;
	return names;
}

/* lvperf's exit code for how the runner ended. */
static int cmd_run_exit(int status)
{
	switch (status) {
	case RUN_OK:
		return APP_OK;
	case RUN_USAGE:
		return APP_USAGE;
	case RUN_INTERRUPTED:
		return APP_INTERRUPTED;
	default:
		return APP_ERR;
	}
}

/* The worker CPU a point's dataplane takes (the runner keeps the host VMs
 * it boots off it), or -1. */
static int cmd_run_worker_cpu(const char *cores)
{
	struct core_choice cc;
	char err[200];

	return cores_pick(cores, -1, &cc, err, sizeof(err)) == 0 ? (int)cc.worker_cpu : -1;
}

int cmd_run(int argc, char **argv)
{
	struct run_cfg cfg;
	struct run_opts o;
	char dir[512], self[512], spec_default[600];
	const char *spec;
	int rest, rc;
	ssize_t n;

	memset(&cfg, 0, sizeof(cfg));
	app_data_path("quick.yaml", spec_default, sizeof(spec_default)); /* said by the runner if missing */
	spec = spec_default;
	if (argc > 0 && argv[0][0] != '-') { /* the spec may come first */
		spec = argv[0];
		argc--;
		argv++;
	}
	rc = opt_parse("run", "[SPEC.yaml] [--out DIR] | --resume DIR", run_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (argc - rest > 1 || (spec == spec_default && rest < argc))
		spec = argv[rest];
	if (argc - rest > 1 || (cfg.resume && spec != spec_default)) {
		fprintf(stderr, "lvperf run: give one SPEC.yaml, or --resume DIR alone\n");
		return APP_USAGE;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "lvperf run: cannot find the lvperf binary (/proc/self/exe)\n");
		return APP_ERR;
	}
	self[n] = 0;
	if (cfg.resume) {
		snprintf(dir, sizeof(dir), "%s", cfg.resume);
	} else if (cfg.out) {
		snprintf(dir, sizeof(dir), "%s", cfg.out);
	} else {
		char stamp[32], base[64];
		const char *slash = strrchr(spec, '/');
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		slash = slash ? slash + 1 : spec;
		snprintf(base, sizeof(base), "%.*s", (int)strcspn(slash, "."), slash);
		snprintf(dir, sizeof(dir), "runs/%s-%s", base, stamp);
	}
	memset(&o, 0, sizeof(o));
	o.spec = spec;
	o.dir = dir;
	o.resume = cfg.resume != NULL;
	o.dry_run = cfg.dry_run;
	o.repetitions = cfg.repetitions;
	o.max_duration = cfg.max_duration;
	o.lvperf = self;
	o.quiet = cfg.quiet;
	o.worker_cpu = cmd_run_worker_cpu;
	if (cfg.dry_run && !cfg.resume)
		printf("spec file: %s\n", spec);
	rc = cmd_run_exit(run_experiment(&o, platform_names()));
	if (rc == APP_OK && !cfg.dry_run)
		printf("run directory: %s\n", dir);
	if (rc == APP_OK && !cfg.dry_run && !cfg.no_report) {
		struct report_opts ro = { .gnuplot = "gnuplot", .alpha = 0.05, .quiet = cfg.quiet };
		char means[PATH_MAX], pmap[PATH_MAX];
		struct report_result res;

		ro.study_means = app_data_path("study-means.csv", means, sizeof(means)) ? NULL : means;
		ro.study_platforms = app_data_path("study-platforms.csv", pmap, sizeof(pmap)) ? NULL : pmap;
		if (report_build(dir, &ro, &res))
			return APP_ERR; /* said why; lvperf report DIR retries */
		printf("report: %s/report/index.html%s\n", dir,
		       res.plotted ? "" : " (figures not rendered: install gnuplot-nox)");
	}
	return rc;
}
