/* SPDX-License-Identifier: GPL-2.0 */
/* harness.h: the kernel's kselftest_harness.h with time limits that
 * scale by XTCP_SLOW (selftests/lib/slow.sh says what it is).  A test
 * file includes "lib/harness.h" instead of "kselftest_harness.h" and
 * ends with XTCP_HARNESS_MAIN instead of TEST_HARNESS_MAIN: every TEST's
 * limit (the harness's 30 s, or TEST_F_TIMEOUT's) is multiplied by
 * XTCP_SLOW before the tests run.  These limits only bound how long the
 * machine may take; a protocol's own clock inside a test is not scaled.
 * It walks the harness's own lists (__fixture_list, each fixture's tests,
 * their timeout) as Linux 6.1's tools/testing/selftests/kselftest_harness.h
 * has them: the Makefile takes that header from linux-source-6.1.
 */
#ifndef XTCP_SELFTESTS_HARNESS_H
#define XTCP_SELFTESTS_HARNESS_H

#include <stdlib.h>
#include "kselftest_harness.h"

/* XTCP_SLOW from the environment: a positive whole number, 1 when unset.
 * A bad value ends the program with status 2, as slow.sh does.
 */
static inline unsigned int xtcp_slow(void)
{
	const char *v = getenv("XTCP_SLOW"), *c;
	unsigned long n = 0;

	if (!v || !*v)
		return 1;
	/* Digits only, no leading 0, as slow.sh asks. */
	for (c = v; *c >= '0' && *c <= '9' && n <= 1000; c++)
		n = n * 10 + (*c - '0');
	if (*c || n == 0 || n > 1000 || *v == '0') {
		fprintf(stderr, "# XTCP_SLOW must be a positive whole number, got '%s'\n", v);
		exit(2);
	}
	return n;
}

/* Every registered test's limit times XTCP_SLOW. */
static inline void xtcp_scale_timeouts(void)
{
	unsigned int slow = xtcp_slow();
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= slow;
}

#define XTCP_HARNESS_MAIN \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	int main(int argc, char **argv) \
	{ \
		xtcp_scale_timeouts(); \
		exit(test_harness_run(argc, argv)); \
	}

#endif /* XTCP_SELFTESTS_HARNESS_H */
