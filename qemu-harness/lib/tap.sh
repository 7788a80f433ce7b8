# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# TAP for the shell guest tests (sourced; cwd = the repo root).
# check EXPR NAME DETAIL: one TAP line; DETAIL says what happened instead.
# finish: the plan, and the exit status (1 if any check failed).
t=0
fail=0
check() {
	t=$((t + 1))
	if eval "$1"; then
		echo "ok $t - $2"
	else
		echo "not ok $t - $2: $3"
		fail=1
	fi
}
finish() {
	echo "1..$t"
	exit $fail
}
