/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf platforms: every driver, whether it can run here, and why not.
 */
#include <string.h>

#include "driver.h"
#include "app.h"
#include "commands.h"
#include "server.h"

struct platforms_cfg {
	int json;
	struct app_server_opts srv;
};

static const struct opt_def platforms_opts[] = {
	{ "json", OPT_FLAG, offsetof(struct platforms_cfg, json), 0, 0, NULL, NULL,
	  "one JSON object on stdout" },
	APP_SERVER_OPT_ROWS(struct platforms_cfg, srv),
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

int cmd_platforms(int argc, char **argv)
{
	const struct driver *const *d;
	struct platforms_cfg cfg;
	json_t *arr = json_array(), *p;
	struct remote *r;
	size_t i;
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("platforms", "[--json]", platforms_opts, &cfg, argc, argv, &rest);
	if (rc || rest != argc) {
		json_decref(arr);
		return rc > 0 ? APP_OK : APP_USAGE;
	}
	rc = app_server_open("platforms", &cfg.srv, 0, &r);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	json_array_foreach(r ? remote_platforms(r) : NULL, i, p) {
		int ok = json_is_true(json_object_get(p, "available"));
		const char *why = json_string_value(json_object_get(p, "why"));

		if (cfg.json)
			json_array_append_new(arr, json_pack("{s:O, s:O, s:b, s:s?}", "name", json_object_get(p, "name"),
							      "summary", json_object_get(p, "summary"), "available", ok,
							      "why", ok ? NULL : why ? why : ""));
		else
			printf("%-16s %-11s %s\n", json_string_value(json_object_get(p, "name")),
			       ok ? "available" : "unavailable",
			       ok ? json_string_value(json_object_get(p, "summary")) : why);
	}
	for (d = drivers; !r && *d; d++) {
		char why[256] = "";
		int ok = (*d)->available(why, sizeof(why));

		if (cfg.json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s?}", "name", (*d)->name,
							      "summary", (*d)->summary, "available", ok,
							      "why", ok ? NULL : why));
		else
			printf("%-16s %-11s %s\n", (*d)->name, ok ? "available" : "unavailable",
			       ok ? (*d)->summary : why);
	}
	if (cfg.json)
		app_json_print(json_pack("{s:s, s:o, s:s?}", "command", "platforms", "platforms", arr, "server",
					 r ? remote_host(r) : NULL));
	else
		json_decref(arr);
	app_server_close(r);
	return APP_OK;
}
