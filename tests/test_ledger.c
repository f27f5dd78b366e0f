/* SPDX-License-Identifier: BSD-3-Clause
 * The ledger's reader and the checks cleanup makes before it touches
 * anything (drivers/ledger.c, issue 17): which files are ledgers, which
 * entries are still open, which paths may be removed. Runs nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ledger.h"

static void test_name_pid(void **state)
{
	(void)state;
	assert_int_equal(ledger_name_pid("1234.ledger"), 1234);
	assert_int_equal(ledger_name_pid("1234.ledger.old"), 0);
	assert_int_equal(ledger_name_pid("1234x.ledger"), 0);
	assert_int_equal(ledger_name_pid("01234.ledger"), 0);
	assert_int_equal(ledger_name_pid("-12.ledger"), 0);
	assert_int_equal(ledger_name_pid("1.ledger"), 0); /* init */
	assert_int_equal(ledger_name_pid(".ledger"), 0);
	assert_int_equal(ledger_name_pid("1234"), 0);
	assert_int_equal(ledger_name_pid("99999999999.ledger"), 0);
}

static int parse(const char *text, char (*kind)[16], char (*name)[LEDGER_LINE])
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n;

	assert_non_null(f);
	n = ledger_parse(f, kind, name, 8);
	fclose(f);
	return n;
}

static void test_parse(void **state)
{
	static char kind[8][16], name[8][LEDGER_LINE];

	(void)state;
	assert_int_equal(parse("+netns lvpa\n+pid 12 345\n+dir /tmp/lvpa-x\n-pid 12\n-netns lvpa\n", kind, name), 1);
	assert_string_equal(kind[0], "dir");
	assert_string_equal(name[0], "/tmp/lvpa-x");
	/* blank and malformed lines are skipped, not read past */
	assert_int_equal(parse("\n+\n-\n+dir\n+link lvpb with space\n", kind, name), 1);
	assert_string_equal(name[0], "lvpb with space");
	/* a pid is closed by its number alone, not by a prefix of it */
	assert_int_equal(parse("+pid 123 9\n-pid 12\n", kind, name), 1);
	/* more than max: the first max */
	assert_int_equal(parse("+a 1\n+a 2\n+a 3\n+a 4\n+a 5\n+a 6\n+a 7\n+a 8\n+a 9\n", kind, name), 8);
}

static void test_path_ok(void **state)
{
	char dir[64], path[160], link[64];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lvptl%d-x", (int)getpid());
	snprintf(link, sizeof(link), "/tmp/lvptl%d-link", (int)getpid());
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(symlink(dir, link), 0);

	assert_true(ledger_path_ok(dir));
	assert_true(ledger_path_ok(path));
	snprintf(path, sizeof(path), "%s/missing/deeper", dir);
	assert_true(ledger_path_ok(path)); /* nothing there to follow */
	snprintf(path, sizeof(path), "%s/sub", link);
	assert_false(ledger_path_ok(path)); /* through a link */
	assert_false(ledger_path_ok(link));
	snprintf(path, sizeof(path), "%s/../../etc", dir);
	assert_false(ledger_path_ok(path));
	snprintf(path, sizeof(path), "%s//sub", dir);
	assert_false(ledger_path_ok(path));
	snprintf(path, sizeof(path), "%s/a\nb", dir);
	assert_false(ledger_path_ok(path));
	assert_false(ledger_path_ok("/etc"));
	assert_false(ledger_path_ok("/tmp/lvp"));
	assert_false(ledger_path_ok("/tmp/other/lvpx"));
	assert_false(ledger_path_ok("/var/cache/lvperf/lvp-docker")); /* a kept store is not removed */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_false(ledger_path_ok(dir)); /* writable by others */
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_false(ledger_path_ok(path));

	unlink(link);
	rmdir(path);
	rmdir(dir);
}

/* Run directories in /tmp: a name no other user can guess and make
 * first, and never one that exists already. */
static void test_run_dir(void **state)
{
	char a[64], b[64], tag[16], squat[64];
	size_t i, n;

	(void)state;
	snprintf(tag, sizeof(tag), "tr%d", (int)getpid());
	ledger_run_dir(a, sizeof(a), tag, "runc");
	ledger_run_dir(b, sizeof(b), tag, "runc");
	n = strlen("/tmp/lvp") + strlen(tag) + strlen("-runc.");
	assert_int_equal(strlen(a), n + 6);
	assert_memory_equal(a, b, n); /* cleanup's and the tests' globs: /tmp/lvp<tag>-* */
	assert_int_equal(strncmp(a + strlen("/tmp/lvp"), tag, strlen(tag)), 0);
	for (i = n; a[i]; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789", a[i]));
	assert_string_not_equal(a, b); /* 36^6: equal once in two billion */
	assert_true(ledger_path_ok(a));

	/* made first by someone else: refused, not reused, not recorded */
	snprintf(squat, sizeof(squat), "/tmp/lvp%s-x", tag);
	assert_int_equal(mkdir(squat, 0700), 0);
	assert_int_equal(ledger_mkdir(squat, 0700), -EEXIST);
	assert_int_equal(ledger_mkdir(a, 0700), 0);
	assert_int_equal(access(a, F_OK), 0);
	assert_int_equal(rmdir(a), 0);
	assert_int_equal(ledger_done(LEDGER_DIRECTORY, a), 0);
	rmdir(squat);
	ledger_close(); /* every record closed: the ledger file goes too */
	snprintf(squat, sizeof(squat), "/run/lvperf/%d.ledger", (int)getpid());
	assert_int_not_equal(access(squat, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_pid),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_path_ok),
		cmocka_unit_test(test_run_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
