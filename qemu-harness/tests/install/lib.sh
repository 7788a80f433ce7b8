# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared helpers of the installed-guest tests (sourced; bash, in the guest,
# cwd = repo root).  The tests install into the guest's tmpfs overlay, so
# nothing reaches the host; each one picks up the state the previous one
# left (suites/70-install.suite runs them in order).
set -u
. qemu-harness/lib/tap.sh
# bail NAME DETAIL: a failure the rest of the test cannot go on from.
bail() {
	check false "$1" "$2"
	finish
}

REPO=$PWD
KVER=$(uname -r)
# The packages (tests/install/Makefile): build/deb links to one set, and
# the set it replaces stays one more round; resolved once, so a remake on
# the host during the test does not pull files from under it.
DEBS=$(readlink -f "$REPO/qemu-harness/tests/install/build/deb")
MODDIR=$(pkg-config --variable=moduledir xorg-server 2>/dev/null || echo /usr/lib/xorg/modules)
XDRV=$MODDIR/drivers/qxl_drv.so
# The kernel's own qxl: qxl.ko.xz where the kernel compresses its modules
# (Debian's 6.12).
INTREE=$(ls /lib/modules/"$KVER"/kernel/drivers/gpu/drm/qxl/qxl.ko* 2>/dev/null | head -n 1)
INTREE=${INTREE:-/lib/modules/$KVER/kernel/drivers/gpu/drm/qxl/qxl.ko}
UPDATES=/lib/modules/$KVER/updates/qxl.ko
# Our module for the running kernel, as `make` built it on the host (the
# harness passes it as $QH_MODULE: build/modules/KVER/qxl/kernel/qxl.ko).
MODULE=${QH_MODULE:-$REPO/build/modules/$KVER/qxl/kernel/qxl.ko}
MODULE_REL=${MODULE#"$REPO"/}
[ -f "$MODULE" ] || bail "our qxl.ko for the guest kernel $KVER is built" "no $MODULE_REL (make)"

# Where DKMS installs the module for the running kernel: qxl.ko, or
# qxl.ko.xz if the kernel compresses its modules (DKMS does the same).
dkms_ko() {
	local f
	f=$(ls /lib/modules/"$KVER"/updates/dkms/qxl.ko* 2>/dev/null | head -n 1)
	echo "${f:-/lib/modules/$KVER/updates/dkms/qxl.ko}"
}

# elf_id FILE: its GNU build id (empty if none).
elf_id() {
	readelf -n "$1" 2>/dev/null | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p'
}

# The file modprobe would load for "qxl", as modinfo resolves it.
modprobe_file() {
	modinfo -k "$KVER" -n qxl 2>&1
}

# debian_md5_ok: xserver-xorg-video-qxl's qxl_drv.so is at its own path and
# is the file its package shipped.
debian_md5() {
	sed -n 's|^\([0-9a-f]*\)  '"${XDRV#/}"'$|\1|p' /var/lib/dpkg/info/xserver-xorg-video-qxl.md5sums
}

# Maintainer-script side effects that only cost time in a guest booted by
# the harness (its own initramfs; nobody reads man pages): initramfs
# regeneration, man-db's index.  Both stay enabled on a real system.
quiet_triggers() {
	if [ -f /etc/initramfs-tools/update-initramfs.conf ]; then
		sed -i 's/^update_initramfs=.*/update_initramfs=no/' /etc/initramfs-tools/update-initramfs.conf
	fi
	rm -f /var/lib/man-db/auto-update
}
