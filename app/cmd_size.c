/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf size: bytes on disk (allocated blocks, as du counts them) of
 * exactly what a platform needs to start a workload, and its transfer
 * size (gzip -6 of a tar of the same files). Builds the image if the
 * cache has none.
 */
#include <inttypes.h>
#include <string.h>

#include "driver.h"
#include "image.h"
#include "app.h"
#include "commands.h"
#include "server.h"

struct size_cfg {
	const char *platform;
	const char *workload;
	const char *base;
	const char *opts;
	const char *image;
	int json;
	struct app_server_opts srv;
};

static const struct opt_def size_opts[] = {
	{ "platform", OPT_STR, offsetof(struct size_cfg, platform), 0, 0, NULL, "NAME",
	  "platform (see lvperf platforms)" },
	{ "workload", OPT_STR, offsetof(struct size_cfg, workload), 0, 0, "beacon", "W",
	  "beacon, nginx or redis" },
	{ "base", OPT_STR, offsetof(struct size_cfg, base), 0, 0, "host", "host|debian", "image base" },
	{ "opts", OPT_STR, offsetof(struct size_cfg, opts), 0, 0, NULL, "K=V,...",
	  "driver options (VMs: what the driver boots)" },
	{ "image", OPT_STR, offsetof(struct size_cfg, image), 0, 0, NULL, "PATH",
	  "an image you bring (VMMs, unikernels)" },
	{ "json", OPT_FLAG, offsetof(struct size_cfg, json), 0, 0, NULL, NULL, "one JSON object on stdout" },
	APP_SERVER_OPT_ROWS(struct size_cfg, srv),
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* VMs and unikernels: what the driver prepares to boot (kernel and
 * initramfs, disk image, the user's image), as du counts it. */
static int size_by_driver(const struct size_cfg *cfg, const struct driver *drv)
{
	struct target t;
	char err[512], why[256];
	int64_t size;

	if (!drv->available(why, sizeof(why))) {
		fprintf(stderr, "lvperf size: platform %s is not available here: %s\n", drv->name, why);
		return APP_ERR;
	}
	memset(&t, 0, sizeof(t));
	t.drv = drv;
	t.workload = cfg->workload;
	t.base = cfg->base;
	t.opts = cfg->opts;
	t.image = cfg->image;
	snprintf(t.tag, sizeof(t.tag), "sz%d", (int)getpid() % 10000000);
	t.appliance_ip = 0x0afe0001u; /* 10.254.0.1: nothing is started */
	t.target_ip = 0x0afe0002u;
	t.prefix_len = 24;
	t.beacon_port = 1337;
	if (drv->prepare(&t, err, sizeof(err))) {
		fprintf(stderr, "lvperf size: %s\n", err);
		return APP_ERR;
	}
	size = drv->image_size(&t);
	drv->destroy(&t);
	if (size < 0) {
		fprintf(stderr, "lvperf size: %s cannot say its image size: %s\n", drv->name, strerror((int)-size));
		return APP_ERR;
	}
	if (cfg->json) {
		app_json_print(json_pack("{s:s, s:s, s:s, s:s, s:I, s:n, s:n, s:s}", "command", "size", "platform",
					 drv->name, "workload", cfg->workload, "variant", t.variant, "du_bytes",
					 (json_int_t)size, "gzip_bytes", "files", "counted",
					 "what the driver prepares to boot, as du counts it"));
		return APP_OK;
	}
	printf("%s %s%s%s: %" PRId64 " bytes on disk (du, allocated blocks) of what the driver boots\n", drv->name,
	       cfg->workload, t.variant[0] ? " " : "", t.variant, size);
	return APP_OK;
}

/* --server: the server's image (the agent builds or reuses it) or, for
 * platforms without a built rootfs, what its driver prepares there. */
static int size_remote(const struct size_cfg *cfg)
{
	char err[REMOTE_ERR_LEN];
	const struct driver *drv;
	struct remote *r;
	json_t *rep;
	int rc = app_server_open("size", &cfg->srv, 0, &r);

	if (rc)
		return rc;
	drv = app_server_driver("size", r, cfg->platform);
	if (!drv) {
		app_server_close(r);
		return APP_USAGE;
	}
	if (!(drv->caps & DRIVER_CAP_IMAGE_BUILDER)) {
		rc = size_by_driver(cfg, drv);
		app_server_close(r);
		return rc;
	}
	rep = remote_call(r, json_pack("{s:s, s:s, s:s, s:s}", "op", "image_build", "workload", cfg->workload,
				       "base", cfg->base, "platform", cfg->platform),
			  1800000, err, sizeof(err));
	if (!rep) {
		fprintf(stderr, "lvperf size: %s\n", err);
		app_server_close(r);
		return APP_ERR;
	}
	if (cfg->json)
		app_json_print(json_pack("{s:s, s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:s}", "command", "size", "platform",
					 cfg->platform, "workload", cfg->workload, "base", json_object_get(rep, "base"),
					 "du_bytes", json_object_get(rep, "du_bytes"), "gzip_bytes",
					 json_object_get(rep, "gzip_bytes"), "files", json_object_get(rep, "files"), "image",
					 json_object_get(rep, "dir"), "server", remote_host(r)));
	else
		printf("%s %s on %s: %" JSON_INTEGER_FORMAT " bytes on disk (du, allocated blocks), %" JSON_INTEGER_FORMAT
		       " bytes to transfer (gzip -6 of a tar), %" JSON_INTEGER_FORMAT " files\n",
		       cfg->platform, cfg->workload, remote_host(r), json_integer_value(json_object_get(rep, "du_bytes")),
		       json_integer_value(json_object_get(rep, "gzip_bytes")),
		       json_integer_value(json_object_get(rep, "files")));
	json_decref(rep);
	app_server_close(r);
	return APP_OK;
}

int cmd_size(int argc, char **argv)
{
	struct size_cfg cfg;
	struct image img;
	struct image_size sz;
	char err[512];
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("size", "--platform NAME --workload W [--json]", size_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc || !cfg.platform) {
		fprintf(stderr, "lvperf size: --platform NAME is required (see lvperf platforms)\n");
		return APP_USAGE;
	}
	if (!cfg.srv.server && !cfg.srv.host && !driver_find(cfg.platform)) {
		fprintf(stderr, "lvperf size: no platform '%s' (see lvperf platforms)\n", cfg.platform);
		return APP_USAGE;
	}
	if (cfg.srv.server || cfg.srv.host)
		return size_remote(&cfg);
	if (!driver_can(cfg.platform, DRIVER_CAP_IMAGE_BUILDER))
		return size_by_driver(&cfg, driver_find(cfg.platform));
	if (!workload_find(cfg.workload)) {
		fprintf(stderr, "lvperf size: no workload '%s' (beacon, nginx or redis)\n", cfg.workload);
		return APP_USAGE;
	}
	if (driver_can(cfg.platform, DRIVER_CAP_HOST) && strcmp(cfg.base, "host") != 0) {
		fprintf(stderr, "lvperf size: %s runs the host's binaries: --base host only\n", cfg.platform);
		return APP_USAGE;
	}
	rc = image_build(cfg.workload, cfg.base, &img, err, sizeof(err));
	if (rc == 0)
		rc = image_size_for(&img, cfg.platform, &sz, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "lvperf size: %s\n", err);
		return APP_ERR;
	}
	if (cfg.json) {
		app_json_print(json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "command", "size", "platform",
					 cfg.platform, "workload", cfg.workload, "base", img.base, "du_bytes",
					 (json_int_t)sz.du_bytes, "gzip_bytes", (json_int_t)sz.gzip_bytes, "files",
					 (json_int_t)sz.files, "image", img.dir));
		return APP_OK;
	}
	printf("%s %s: %" PRId64 " bytes on disk (du, allocated blocks), %" PRId64
	       " bytes to transfer (gzip -6 of a tar), %" PRId64 " files\n",
	       cfg.platform, cfg.workload, sz.du_bytes, sz.gzip_bytes, sz.files);
	return APP_OK;
}
