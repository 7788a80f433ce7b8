// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of make check-debug (qemu-harness/debug-kernel/selftest):
 * loading this module with splat=KIND makes one checker of the debug guest
 * kernel report one bug, from an out-of-tree module built like qxl.ko, so
 * the self-test can check that qh fails the test that caused it.  Each
 * bug is deliberate; nothing else happens.
 */
#include <linux/delay.h>
#include <linux/kfence.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static char *splat = "";
module_param(splat, charp, 0444);
MODULE_PARM_DESC(splat, "kasan, ubsan, kfence, atomic_sleep, lockdep or leak");

/* Read through a volatile pointer: the compiler must not fold the access. */
static int read_byte(const char *p)
{
	return *(const volatile char *)p;
}

static int splat_kasan(void)
{
	char *p = kmalloc(13, GFP_KERNEL);
	int v;

	if (!p)
		return -ENOMEM;
	v = read_byte(p + 16);	/* past the 13 bytes: slab-out-of-bounds */
	kfree(p);
	return v & 0;
}

static int splat_ubsan(void)
{
	volatile int shift = 40;
	volatile int result;
	int one = 1;

	result = one << shift;	/* shift-out-of-bounds */
	return result & 0;
}

/* Not through KASAN: the access is KFENCE's to catch. */
static __no_sanitize_address int read_byte_unchecked(const char *p)
{
	return *(const volatile char *)p;
}

/*
 * KFENCE guards only the allocations it samples (one per
 * CONFIG_KFENCE_SAMPLE_INTERVAL ms): allocate until one is KFENCE's, then
 * read the first byte past its page, a guard page whichever end of its page
 * KFENCE put the object at.
 */
static int splat_kfence(void)
{
	int tries;

	for (tries = 0; tries < 2000; tries++) {
		char *p = kmalloc(32, GFP_KERNEL);
		int v;

		if (!p)
			return -ENOMEM;
		if (is_kfence_address(p)) {
			v = read_byte_unchecked((char *)PAGE_ALIGN((unsigned long)p + 32));
			kfree(p);
			return v & 0;
		}
		kfree(p);
		msleep(5);
	}
	pr_err("qh_debug_splat: no KFENCE allocation in %d tries\n", tries);
	return -ETIMEDOUT;
}

/* A GFP_KERNEL allocation (it may sleep) with a spinlock held. */
static int splat_atomic_sleep(void)
{
	static DEFINE_SPINLOCK(lock);
	void *p;

	spin_lock(&lock);
	p = kmalloc(8, GFP_KERNEL);
	spin_unlock(&lock);
	kfree(p);
	return 0;
}

/* A then B, later B then A: lockdep reports the inversion without a hang. */
static int splat_lockdep(void)
{
	static DEFINE_MUTEX(a);
	static DEFINE_MUTEX(b);

	mutex_lock(&a);
	mutex_lock(&b);
	mutex_unlock(&b);
	mutex_unlock(&a);

	mutex_lock(&b);
	mutex_lock(&a);
	mutex_unlock(&a);
	mutex_unlock(&b);
	return 0;
}

/*
 * Allocated, then the only pointer to it forgotten: kmemleak's to find.
 * Not inlined into the init function: its frame must stay resolvable
 * ("[qh_debug_splat]") while the module is loaded, and turn into a bare
 * address once it is unloaded, as a leak in qxl.ko's own code would.
 */
static void *volatile leaked;

static noinline int splat_leak(void)
{
	leaked = kmalloc(1024, GFP_KERNEL);
	if (!leaked)
		return -ENOMEM;
	leaked = NULL;
	return 0;
}

static int __init qh_debug_splat_init(void)
{
	if (!strcmp(splat, "kasan"))
		return splat_kasan();
	if (!strcmp(splat, "ubsan"))
		return splat_ubsan();
	if (!strcmp(splat, "kfence"))
		return splat_kfence();
	if (!strcmp(splat, "atomic_sleep"))
		return splat_atomic_sleep();
	if (!strcmp(splat, "lockdep"))
		return splat_lockdep();
	if (!strcmp(splat, "leak"))
		return splat_leak();
	pr_err("qh_debug_splat: unknown splat '%s'\n", splat);
	return -EINVAL;
}

static void __exit qh_debug_splat_exit(void)
{
}

module_init(qh_debug_splat_init);
module_exit(qh_debug_splat_exit);

MODULE_DESCRIPTION("make check-debug self-test: one deliberate checker report per load");
MODULE_LICENSE("GPL");
