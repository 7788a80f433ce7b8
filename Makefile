# SPDX-License-Identifier: MIT
#
# make          build the kernel module, the X driver and the harness tools
# make check    install what is missing, build, run every test (host + guest,
#               every guest suite on each supported kernel)
# make check-host  the host-only tests, no kernel build, no guest (~1 min):
#               lint, device-interface unit tests + short fuzz, the
#               harness's and validator's own tests
# make demo     boot a guest on our drivers and write build/demo/screen.png
# make bench    benchmarks against the reference stacks
# make stress   long stress runs (issue 17; 1-2 h per kernel, on demand)
# make check-debug  the KMS, ioctl and fuzz suites on a debug 6.1 guest
#               kernel (KASAN, lockdep, UBSAN, KFENCE, kmemleak) built from
#               Debian's source under build/debug-kernel (on demand; the
#               first build took 31-45 min on 2 shared cores, niced;
#               scripts/check-debug)
# make clean    remove everything the build made
# make install  install the built kernel module (for KVER) and X driver
#               (DESTDIR honoured; see packaging/README.md)
# make uninstall  undo make install
# make deb      Debian packages of the built tree into build/deb/
#
# Guest kernels: every supported series in kernel/supported-kernels (Linux
# 6.1 and 6.12), the newest installed Debian linux-headers-*-amd64 of each,
# never the host's running kernel; each target says which it uses.
# KVER=6.12 (a series) or KVER=6.12.118+deb12-amd64, or KDIR=/path/to/build,
# selects one (scripts/guest-kernels).  The module for KVER is
# build/modules/KVER/qxl/kernel/qxl.ko.
export KVER KDIR
GUEST_KERNELS = scripts/guest-kernels

COMPONENTS := firmware-tests qemu-harness xf86-video-qxl

.PHONY: all deps module components $(addprefix component-,$(COMPONENTS)) check check-host demo bench clean checkpatch \
	install uninstall deb stress check-debug

all: module components

deps:
	@scripts/install-deps

# "+": build-module's kernel make and the components' makes share make's
# job slots (make -jN).
module:
	+@set -e; kernels=$$($(GUEST_KERNELS)); echo "$$kernels" | while read -r kver kdir; do \
		scripts/build-module qxl "$$kver" "$$kdir"; done

# Each component builds beside the others and the module (make -jN), the
# harness after the module: it packages it (tests/install's debs).
components: $(addprefix component-,$(COMPONENTS))
component-%:
	+$(MAKE) -C $* all
component-qemu-harness: module

# Every component's "check" prints TAP; run-checks totals it and fails the
# run on any failure or any component error.
# The build uses every CPU (~70 s instead of ~100 s on 2 cores).
check: deps
	$(MAKE) -j$(shell nproc) all
	@scripts/run-checks lint kernel-style $(COMPONENTS) packaging

# The inner loop's quick gate: nothing here builds a kernel module or boots
# a guest (see HACKING.md).
check-host: deps
	$(MAKE) -C firmware-tests all
	$(MAKE) -C qemu-harness validator bench spice-client
	@FUZZ_CHECK_SECONDS=5 scripts/run-checks lint firmware-tests qemu-harness:check-host

demo: deps
	$(MAKE) all
	@qemu-harness/demo

bench: deps
	$(MAKE) all
	@qemu-harness/bench/run

stress: deps
	$(MAKE) all
	$(MAKE) -C qemu-harness stress

check-debug: deps
	$(MAKE) components
	@scripts/check-debug

# For each guest kernel (every supported one installed, or the one KVER/KDIR
# picks):
# build/modules/KVER/qxl/kernel/qxl.ko into /lib/modules/KVER/updates/, which
# depmod ranks above the kernel's own drivers/gpu/drm/qxl/qxl.ko.  Installs
# what `make` built; builds nothing.
install:
	@set -e; kernels=$$($(GUEST_KERNELS) --any); echo "$$kernels" | while read -r kver kdir; do \
		scripts/install-module install "$$kver" "$(DESTDIR)"; done
	$(MAKE) -C xf86-video-qxl install

uninstall:
	@set -e; kernels=$$($(GUEST_KERNELS) --any); echo "$$kernels" | while read -r kver kdir; do \
		scripts/install-module uninstall "$$kver" "$(DESTDIR)"; done
	$(MAKE) -C xf86-video-qxl uninstall

deb:
	@packaging/mkdeb --out build/deb

checkpatch:
	@scripts/checkpatch-kernel

# Modules build under build/modules/; the rm -f lines remove what the old
# in-tree layout (before 6.12 support) left beside the sources.
clean:
	@for d in $(COMPONENTS); do $(MAKE) -C $$d clean; done
	rm -rf build
	rm -f kernel/*.o kernel/*.ko kernel/*.mod kernel/*.mod.c kernel/.*.cmd kernel/modules.order \
		modules.order Module.symvers .*.cmd
