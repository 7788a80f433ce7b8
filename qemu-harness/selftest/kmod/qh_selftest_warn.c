// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: loading this module raises one kernel WARNING, so the
 * self-test can check that qh run fails the test that loaded it and names
 * the warning.  It does nothing else.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init qh_selftest_warn_init(void)
{
	WARN(1, "qh selftest: deliberate warning\n");
	return 0;
}

static void __exit qh_selftest_warn_exit(void)
{
}

module_init(qh_selftest_warn_init);
module_exit(qh_selftest_warn_exit);

MODULE_DESCRIPTION("qemu-harness self-test: raises one WARN when loaded");
MODULE_LICENSE("GPL");
