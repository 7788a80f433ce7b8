# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# Shared helpers of the firmware/device-variation guest tests (sourced).
. qemu-harness/lib/tap.sh
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

# PCI addresses of every QXL device (1b36:0100), in bus order.
qxl_pci_devices() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0100 ] &&
			echo "${d##*/}"
	done
}

# The DRM card (cardN) bound to PCI device $1, or nothing.
card_of() {
	for c in /sys/class/drm/card[0-9]*; do
		case ${c##*/} in *-*) continue ;; esac
		[ "$(basename "$(readlink -f "$c/device")")" = "$1" ] && echo "${c##*/}"
	done
}

# Kernel log since our module was loaded (after the harness' LOAD marker).
dmesg_since_load() {
	dmesg | sed -n '/qh: LOAD begin/,$p'
}
# Kernel log before it: what the firmware and the boot left behind.
dmesg_before_load() {
	dmesg | sed '/qh: LOAD begin/,$d'
}

qxl_status() {	# qxl_status CARD-NUMBER FIELD
	sed -n "s/^$2: //p" "/sys/kernel/debug/dri/$1/qxl_status" 2>/dev/null
}
