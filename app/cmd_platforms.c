/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf platforms: every driver, whether it can run here, and why not.
 */
#include <string.h>

#include "driver.h"
#include "app.h"
#include "commands.h"

struct platforms_cfg {
	int json;
};

static const struct opt_def platforms_opts[] = {
	{ "json", OPT_FLAG, offsetof(struct platforms_cfg, json), 0, 0, NULL, NULL,
	  "one JSON object on stdout" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

int cmd_platforms(int argc, char **argv)
{
	const struct driver *const *d;
	struct platforms_cfg cfg;
	json_t *arr = json_array();
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("platforms", "[--json]", platforms_opts, &cfg, argc, argv, &rest);
	if (rc || rest != argc) {
		json_decref(arr);
		return rc > 0 ? APP_OK : APP_USAGE;
	}
	for (d = drivers; *d; d++) {
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
		app_json_print(json_pack("{s:s, s:o}", "command", "platforms", "platforms", arr));
	else
		json_decref(arr);
	return APP_OK;
}
