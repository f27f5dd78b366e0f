/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf image build: build (or find in the cache) the image a platform
 * runs a workload from, and say where it is and how big.
 */
#include <inttypes.h>
#include <string.h>

#include "driver.h"
#include "image.h"
#include "app.h"
#include "commands.h"
#include "server.h"

struct image_cfg {
	const char *workload;
	const char *platform;
	const char *base;
	int json;
	struct app_server_opts srv;
};

static const struct opt_def image_opts[] = {
	{ "workload", OPT_STR, offsetof(struct image_cfg, workload), 0, 0, "beacon", "W",
	  "beacon, nginx or redis" },
	{ "for", OPT_STR, offsetof(struct image_cfg, platform), 0, 0, NULL, "PLATFORM",
	  "the platform that will run it (see lvperf platforms)" },
	{ "base", OPT_STR, offsetof(struct image_cfg, base), 0, 0, "host", "host|debian",
	  "host binaries and their libraries, or a Debian minbase by debootstrap" },
	{ "json", OPT_FLAG, offsetof(struct image_cfg, json), 0, 0, NULL, NULL, "one JSON object on stdout" },
	APP_SERVER_OPT_ROWS(struct image_cfg, srv),
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* --server: the agent builds (or reuses) the image on the server. */
static int image_remote(const struct image_cfg *cfg)
{
	char err[REMOTE_ERR_LEN];
	struct remote *r;
	json_t *rep;
	int rc = app_server_open("image build", &cfg->srv, 0, &r);

	if (rc)
		return rc;
	rep = remote_call(r, json_pack("{s:s, s:s, s:s, s:s}", "op", "image_build", "workload", cfg->workload,
				       "base", cfg->base, "platform", cfg->platform),
			  1800000, err, sizeof(err));
	if (!rep) {
		fprintf(stderr, "lvperf image build: %s\n", err);
		app_server_close(r);
		return APP_ERR;
	}
	json_object_del(rep, "id");
	json_object_del(rep, "ok");
	if (cfg->json) {
		json_object_set_new(rep, "command", json_string("image build"));
		json_object_set_new(rep, "workload", json_string(cfg->workload));
		json_object_set_new(rep, "platform", json_string(cfg->platform));
		json_object_set_new(rep, "server", json_string(remote_host(r)));
		app_json_print(rep);
	} else {
		printf("%s %s image of %s for %s on %s in %.3f s: %s\n",
		       json_is_true(json_object_get(rep, "reused")) ? "reused" : "built",
		       json_string_value(json_object_get(rep, "base")), cfg->workload, cfg->platform, remote_host(r),
		       json_number_value(json_object_get(rep, "build_s")), json_string_value(json_object_get(rep, "dir")));
		json_decref(rep);
	}
	app_server_close(r);
	return APP_OK;
}

int cmd_image(int argc, char **argv)
{
	struct image_cfg cfg;
	struct image img;
	struct image_size sz;
	char err[512], ref[96];
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	if (argc < 1 || strcmp(argv[0], "build") != 0) {
		int help = argc >= 1 && opt_is_help(argv[0]);

		fprintf(help ? stdout : stderr, "usage: lvperf image build --workload W --for PLATFORM "
						"[--base host|debian] [--json]   (lvperf image build --help)\n");
		return help ? APP_OK : APP_USAGE;
	}
	rc = opt_parse("image build", "--workload W --for PLATFORM [--base host|debian] [--json]", image_opts,
		       &cfg, argc - 1, argv + 1, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc - 1 || !cfg.platform) {
		fprintf(stderr, "lvperf image build: --for PLATFORM is required (see lvperf platforms)\n");
		return APP_USAGE;
	}
	if (cfg.srv.server)
		return image_remote(&cfg);
	if (!driver_find(cfg.platform)) {
		fprintf(stderr, "lvperf image build: no platform '%s' (see lvperf platforms)\n", cfg.platform);
		return APP_USAGE;
	}
	if (!workload_find(cfg.workload)) {
		fprintf(stderr, "lvperf image build: no workload '%s' (beacon, nginx or redis)\n", cfg.workload);
		return APP_USAGE;
	}
	if (driver_can(cfg.platform, DRIVER_CAP_HOST) && strcmp(cfg.base, "host") != 0) {
		fprintf(stderr, "lvperf image build: %s runs the host's binaries: --base host only\n",
			cfg.platform);
		return APP_USAGE;
	}
	rc = image_build(cfg.workload, cfg.base, &img, err, sizeof(err));
	if (rc == 0)
		rc = image_size_for(&img, cfg.platform, &sz, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "lvperf image build: %s\n", err);
		return APP_ERR;
	}
	ref[0] = 0;
	if (driver_can(cfg.platform, DRIVER_CAP_IMAGE_IMPORT))
		image_ref(&img, ref, sizeof(ref));
	if (cfg.json) {
		app_json_print(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:f, s:I, s:I, s:I, s:s?}",
					 "command", "image build", "workload", cfg.workload, "platform",
					 cfg.platform, "base", img.base, "hash", img.hash, "dir", img.dir,
					 "rootfs", img.rootfs, "reused", img.reused, "build_s", img.build_s,
					 "du_bytes", (json_int_t)sz.du_bytes, "gzip_bytes",
					 (json_int_t)sz.gzip_bytes, "files", (json_int_t)sz.files, "import_as",
					 ref[0] ? ref : NULL));
		return APP_OK;
	}
	printf("%s %s image of %s for %s in %.3f s: %s\n", img.reused ? "reused" : "built", img.base,
	       cfg.workload, cfg.platform, img.build_s, img.dir);
	printf("size: %" PRId64 " bytes on disk (du), %" PRId64 " bytes gzip -6 of a tar, %" PRId64
	       " files%s\n",
	       sz.du_bytes, sz.gzip_bytes, sz.files,
	       driver_can(cfg.platform, DRIVER_CAP_HOST) ? " (host binaries, libraries, configs)" : "");
	if (ref[0])
		printf("%s imports it as %s\n", cfg.platform, ref);
	return APP_OK;
}
