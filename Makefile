# SPDX-License-Identifier: MIT
#
# make          build the kernel module, the X driver and the harness tools
# make check    install what is missing, build, run every test (host + guest)
# make demo     boot a guest on our drivers and write build/demo/screen.png
# make bench    benchmarks against the reference stacks
# make clean    remove everything the build made
# make install  install the built kernel module (for KVER) and X driver
#               (DESTDIR honoured; see packaging/README.md)
# make uninstall  undo make install
# make deb      Debian packages of the built tree into build/deb/
#
# KDIR selects the guest kernel's build tree (default: the newest Debian
# linux-headers-*-amd64, never the host's running kernel).

KDIR ?= $(shell scripts/guest-kdir)
export KDIR
# The release KDIR was configured as (uname -r of the kernel it belongs to).
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h)

COMPONENTS := firmware-tests qemu-harness xf86-video-qxl

.PHONY: all deps module components check demo bench clean checkpatch \
	install uninstall deb

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
	@scripts/run-checks kernel-style $(COMPONENTS) packaging

demo: deps
	$(MAKE) all
	@qemu-harness/demo

bench: deps
	$(MAKE) all
	@qemu-harness/bench/run

UPDATES_KO = /lib/modules/$(KVER)/updates/qxl.ko

# Into /lib/modules/KVER/updates/, which depmod ranks above the kernel's own
# drivers/gpu/drm/qxl/qxl.ko.  Installs what `make` built; builds nothing.
install:
	@test -f kernel/qxl.ko || { echo "install: kernel/qxl.ko is not built (run make first)" >&2; exit 1; }
	@v=$$(modinfo -F vermagic kernel/qxl.ko); test "$${v%% *}" = "$(KVER)" || \
		{ echo "install: kernel/qxl.ko is built for '$${v%% *}', not KVER=$(KVER)" >&2; exit 1; }
	@if [ -z "$(DESTDIR)" ] && pkg=$$(dpkg-query -S $(UPDATES_KO) 2>/dev/null); then \
		echo "install: $(UPDATES_KO) belongs to package $${pkg%%:*} (dpkg -r it first)" >&2; exit 1; fi
	install -D -m 0644 kernel/qxl.ko $(DESTDIR)$(UPDATES_KO)
	@if [ -z "$(DESTDIR)" ]; then echo "depmod $(KVER)"; depmod $(KVER); fi
	$(MAKE) -C xf86-video-qxl install

uninstall:
	@if [ -z "$(DESTDIR)" ] && pkg=$$(dpkg-query -S $(UPDATES_KO) 2>/dev/null); then \
		echo "uninstall: $(UPDATES_KO) belongs to package $${pkg%%:*}: left alone"; \
	else \
		echo "rm -f $(DESTDIR)$(UPDATES_KO)"; rm -f $(DESTDIR)$(UPDATES_KO); \
	fi
	@rmdir $(DESTDIR)/lib/modules/$(KVER)/updates 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ]; then echo "depmod $(KVER)"; depmod $(KVER); fi
	$(MAKE) -C xf86-video-qxl uninstall

deb:
	@packaging/mkdeb --out build/deb

checkpatch:
	@scripts/checkpatch-kernel

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	@for d in $(COMPONENTS); do $(MAKE) -C $$d clean; done
	rm -rf build
