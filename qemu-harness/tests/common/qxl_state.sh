# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# What a shell guest test reads of the driver and the screen (sourced; cwd
# = the repo root): the kernel driver's debugfs counters and pixels of QMP
# screendumps.  Used by tests/kms/reload and tests/ioctl/exhaust.
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
QXL_DRI=/sys/kernel/debug/dri/0

# qxl_counter FILE KEY: the value of "KEY: value" in debugfs FILE (empty
# when absent).
qxl_counter() { sed -n "s/^$2: //p" "$QXL_DRI/$1" 2>/dev/null; }

# qxl_memstate: the driver's memory once every release the device holds
# back has been asked for: device memory (commands, images, cursor),
# surface memory, outstanding releases, live buffers and surfaces.
qxl_memstate() {
	echo 1 >"$QXL_DRI/qxl_release_flush" 2>/dev/null
	echo "vram_used=$(qxl_counter qxl_status vram_used)" \
		"surf_mem_used=$(qxl_counter qxl_objects surf_mem_used)" \
		"releases_outstanding=$(qxl_counter qxl_status releases_outstanding)" \
		"bos_live=$(qxl_counter qxl_objects bos_live)" \
		"surfaces_live=$(qxl_counter qxl_objects surfaces_live)"
}

# screen_pixel NAME X Y: pixel X,Y of $QH_OUT/NAME.png as rrggbb.
screen_pixel() {
	convert "$QH_OUT/$1.png" -crop "1x1+$2+$3" -depth 8 txt:- 2>/dev/null |
		sed -n 's/.*#\([0-9A-Fa-f]\{6\}\).*/\1/p' | tr 'A-F' 'a-f'
}

# screen_shows NAME X Y RRGGBB: screendump NAME until pixel X,Y is that
# colour (up to 10 s: the device draws what a client sent asynchronously).
screen_shows() {
	local i
	for i in $(seq 1 20); do
		qh-screendump "$1" >/dev/null && [ "$(screen_pixel "$1" "$2" "$3")" = "$4" ] &&
			return 0
		sleep 0.5
	done
	return 1
}
