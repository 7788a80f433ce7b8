# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared helpers of the Xorg guest tests (sourced; runs in the guest, cwd =
# repo root).  Starts Xorg with the qxl driver from the build tree and no
# configuration file (autoconfiguration must pick "qxl" by itself), and an
# Xvfb of the same geometry as the software reference.

XT_DIR=qemu-harness/tests/xorg
XT_BIN=$XT_DIR/build
XT_DRV=$PWD/xf86-video-qxl/build/qxl_drv.so
XT_TMP=/tmp/xorg-test
XT_CONF=$XT_TMP/empty.conf	# the -config file of xt_start_xorg
XT_OUT=${QH_OUT:-/tmp}/${QH_TEST:-xorg}
XT_N=0
XT_FAIL=0
XORG_PID=
XVFB_PID=

mkdir -p "$XT_TMP/mods/drivers" "$XT_TMP/conf.d" "$XT_OUT"
ln -sf "$XT_DRV" "$XT_TMP/mods/drivers/qxl_drv.so"
: >"$XT_TMP/empty.conf"

xt_ok() { XT_N=$((XT_N + 1)); echo "ok $XT_N - $*"; }
xt_nok() { XT_N=$((XT_N + 1)); XT_FAIL=1; echo "not ok $XT_N - $*"; }
xt_skip() { XT_N=$((XT_N + 1)); echo "ok $XT_N - $1 # SKIP $2"; }
xt_done() { echo "1..$XT_N"; exit $XT_FAIL; }
xt_log() { echo "# $*"; }

# xt_client_cursor NAME 'shape yes size WxH hotspot X,Y position X,Y visible 1' RRGGBBAA
# The cursor as the SPICE client (qh run --client) has it, asked again for
# up to ~5 s (the cursor channel lags), and the pixel at the shape's
# hotspot as RGBA.  A skip without a client.
xt_client_cursor() {
	local name=$1 want=$2 want_px=$3 got="" px hx hy i rc
	for i in 1 2 3 4 5 6 7 8 9 10; do
		qh-clientdump "$name" >/dev/null 2>&1
		rc=$?
		if [ $rc = 77 ]; then
			xt_skip "client cursor" "no SPICE client in this run (qh run --client)"
			return
		fi
		got=$(sed -n 's/^cursor \(.*\) sets .*/\1/p' "$QH_OUT/$name.state" 2>/dev/null)
		[ "$got" = "$want" ] && break
		sleep 0.5
	done
	if [ "$got" = "$want" ]; then
		xt_ok "client's cursor: $want"
	else
		xt_nok "client's cursor: expected '$want', got '$got'"
	fi
	read -r hx hy <<<"$(sed -n 's/.*hotspot \([0-9]*\),\([0-9]*\).*/\1 \2/p' <<<"$want")"
	px=$(convert "$QH_OUT/$name-cursor.png" -crop "1x1+$hx+$hy" -depth 8 txt:- 2>/dev/null |
		sed -n 's/.*#\([0-9A-Fa-f]\{8\}\).*/\1/p' | tr 'A-F' 'a-f')
	if [ "$px" = "$want_px" ]; then
		xt_ok "client's cursor pixel at the hotspot is $want_px (RGBA)"
	else
		xt_nok "client's cursor pixel at the hotspot: expected $want_px (RGBA), got '$px'"
	fi
}

# xt_wait_display DISPLAY SECONDS
xt_wait_display() {
	local i
	for i in $(seq $(($2 * 4))); do
		DISPLAY=$1 xdpyinfo >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	return 1
}

# xt_device_conf FILE 'Option "Name" "value"'...: a configuration with one
# Device section for the qxl driver holding these lines (autoconfiguration
# still picks the device), for xt_start_xorg through XT_CONF.
xt_device_conf() {
	local f=$1 l
	shift
	{
		echo 'Section "Device"'
		echo '	Identifier "qxl-test"'
		echo '	Driver "qxl"'
		for l in "$@"; do echo "	$l"; done
		echo 'EndSection'
	} >"$f"
}

# xt_start_xorg [extra Xorg args]: Xorg :0 on our driver (configuration
# $XT_CONF, empty by default), log in $XT_OUT.
xt_start_xorg() {
	if [ ! -f "$XT_DRV" ]; then
		xt_nok "Xorg starts: expected $XT_DRV, got no such file (make)"
		xt_done
	fi
	Xorg :0 -noreset -nolisten tcp -config "$XT_CONF" \
		-configdir "$XT_TMP/conf.d" \
		-modulepath "$XT_TMP/mods,/usr/lib/xorg/modules" \
		-logfile "$XT_OUT/Xorg.0.log" -logverbose 7 "$@" \
		>"$XT_OUT/Xorg.0.stderr" 2>&1 &
	XORG_PID=$!
	if ! xt_wait_display :0 40; then
		xt_nok "Xorg starts: expected display :0 within 40 s, got: $(tail -3 "$XT_OUT/Xorg.0.stderr" | tr '\n' ' ')"
		xt_stop
		xt_done
	fi
}

# xt_start_xvfb WIDTH HEIGHT: the software reference on :1.
# Zero-width line rasterization is implementation-defined in the protocol
# and each DDX picks its bias: Xvfb defaults to 0, Xorg keeps mi's default
# (octants 2-5 = 216).  The reference is told to use Xorg's, so thin
# lines compare exactly like everything else.
xt_start_xvfb() {
	Xvfb :1 -noreset -nolisten tcp -screen 0 "${1}x${2}x24" -linebias 216 \
		>"$XT_OUT/Xvfb.stderr" 2>&1 &
	XVFB_PID=$!
	if ! xt_wait_display :1 30; then
		xt_nok "Xvfb starts: expected display :1 within 30 s, got: $(tail -3 "$XT_OUT/Xvfb.stderr" | tr '\n' ' ')"
		xt_stop
		xt_done
	fi
}

# xt_screen_size DISPLAY -> "W H"
xt_screen_size() {
	DISPLAY=$1 xdpyinfo | awk '/dimensions:/ { split($2, a, "x"); print a[1], a[2] }'
}

xt_stop() {
	local p
	for p in $XORG_PID $XVFB_PID; do
		kill "$p" 2>/dev/null
	done
	for p in $XORG_PID $XVFB_PID; do
		wait "$p" 2>/dev/null
	done
	XORG_PID=
	XVFB_PID=
}
trap xt_stop EXIT

# xt_grab DISPLAY FILE.ppm: the root window as the X server reads it back.
xt_grab() {
	"$XT_BIN/ximgcmp" grab "$1" "$2"
}

# xt_diff A B DIFF.ppm -> "0" when equal, else what differs (count, box).
xt_diff() {
	"$XT_BIN/ximgcmp" cmp "$1" "$2" "$3"
}
