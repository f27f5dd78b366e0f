/* SPDX-License-Identifier: BSD-3-Clause
 * The host VM's options (drivers/hostvm.c, hostvm_config_parse): the
 * defaults, every key, and one clear error for each kind of bad input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hostvm.h"

static void test_defaults(void **state)
{
	struct hostvm_config c;
	char err[200] = "";

	(void)state;
	assert_int_equal(hostvm_config_parse("qemu", NULL, &c, err, sizeof(err)), 0);
	assert_string_equal(c.machine, "q35");
	assert_string_equal(c.accel, "tcg");
	assert_int_equal(c.mem_mib, 2048);
	assert_int_equal(c.smp, 2);
	assert_true(c.timeout_ns == 600ull * 1000000000ull);
}

static void test_keys(void **state)
{
	struct hostvm_config c;
	char err[200] = "";

	(void)state;
	assert_int_equal(hostvm_config_parse("qemu",
					     "machine=pc,accel=kvm,mem=4096,smp=1,timeout=90", &c,
					     err, sizeof(err)),
			 0);
	assert_string_equal(c.machine, "pc");
	assert_string_equal(c.accel, "kvm");
	assert_int_equal(c.mem_mib, 4096);
	assert_int_equal(c.smp, 1);
	assert_true(c.timeout_ns == 90ull * 1000000000ull);
}

static void bad(const char *platform, const char *opts, const char *says)
{
	struct hostvm_config c;
	char err[200] = "";

	assert_int_equal(hostvm_config_parse(platform, opts, &c, err, sizeof(err)), -EINVAL);
	if (!strstr(err, says))
		fail_msg("'%s' for %s/%s, expected '%s'", err, platform ? platform : "(null)", opts,
			 says);
}

static void test_errors(void **state)
{
	(void)state;
	bad("xen", NULL, "only qemu can be a host VM, not 'xen'");
	bad(NULL, NULL, "only qemu");
	bad("qemu", "machine=microvm", "machine= takes q35 or pc");
	bad("qemu", "accel=auto", "accel= takes tcg or kvm");
	bad("qemu", "mem=256", "mem=256 out of range");
	bad("qemu", "mem=2k", "mem=2k out of range");
	bad("qemu", "smp=0", "smp=0 out of range");
	bad("qemu", "smp=65", "smp=65 out of range");
	bad("qemu", "timeout=0", "timeout=0 out of range");
	bad("qemu", "disk=debian", "unknown key 'disk'");
	bad("qemu", "mem", "'mem' is not KEY=VALUE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
