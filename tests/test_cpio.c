/* SPDX-License-Identifier: BSD-3-Clause
 * The newc cpio writer (drivers/cpio.c): a header as the kernel's
 * buffer-format.rst lays it out, and an entry of 4 GiB or more refused
 * (its size has 8 hex digits) instead of written with a truncated size.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cpio.h"

static void test_header(void **state)
{
	char buf[512];
	struct cpio c;
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_non_null(f);
	cpio_begin(&c, f);
	cpio_file(&c, "init", 0755, "abcde", 5);
	assert_int_equal(cpio_end(&c), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* 110-byte header, "init\0" padded to 116, 5 data bytes padded to 124,
	 * then the trailer (110 + 11 name bytes, padded to 4) */
	assert_int_equal(n, 124 + 124);
	assert_memory_equal(buf, "070701", 6);
	assert_memory_equal(buf + 14, "000081ED", 8);		 /* mode: S_IFREG | 0755 */
	assert_memory_equal(buf + 54, "00000005", 8);		 /* filesize */
	assert_memory_equal(buf + 94, "00000005", 8);		 /* namesize with its NUL */
	assert_memory_equal(buf + 110, "init\0", 5);
	assert_memory_equal(buf + 116, "abcde", 5);
	assert_memory_equal(buf + 124 + 110, "TRAILER!!!", 10);
}

static void test_over_32_bits(void **state)
{
	static const char one[1] = { 'x' };
	struct cpio c;
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	cpio_begin(&c, f);
	cpio_file(&c, "a", 0644, one, 1);
	/* 4 GiB: refused before a byte of it is read (one has 1 byte) */
	cpio_file(&c, "big", 0644, one, (size_t)UINT32_MAX + 1);
	cpio_dir(&c, "later");
	assert_int_equal(cpio_end(&c), -EFBIG);
	/* nothing of "big" (nor after it) was written: only "a"'s 110 + 2 -> 112 + 4 */
	assert_int_equal(ftell(f), 116);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_over_32_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
