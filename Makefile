# SPDX-License-Identifier: MIT
#
# make          build the kernel module, the X driver and the harness tools
# make check    install what is missing, build, run every test (host + guest)
# make demo     boot a guest on our drivers and write build/demo/screen.png
# make bench    benchmarks against the reference stacks
# make clean    remove everything the build made
#
# KDIR selects the guest kernel's build tree (default: the newest Debian
# linux-headers-*-amd64, never the host's running kernel).

KDIR ?= $(shell scripts/guest-kdir)
export KDIR

COMPONENTS := firmware-tests qemu-harness xf86-video-qxl

.PHONY: all deps module components check demo bench clean checkpatch

all: module components

deps:
	@scripts/install-deps

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

components:
	@for d in $(COMPONENTS); do $(MAKE) -C $$d all || exit 1; done

# Every component's "check" prints TAP; run-checks totals it and fails the
# run on any failure or any component error.
check: deps
	$(MAKE) all
	@scripts/run-checks kernel-style $(COMPONENTS)

demo: deps
	$(MAKE) all
	@qemu-harness/demo

bench: deps
	$(MAKE) all
	@qemu-harness/bench/run

checkpatch:
	@scripts/checkpatch-kernel

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	@for d in $(COMPONENTS); do $(MAKE) -C $$d clean; done
	rm -rf build
