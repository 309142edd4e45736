#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# gvm2kunit without a kernel build: every tests/scripts/*.gvm becomes a
# KUnit case or is left out with a reason (never dropped silently), what
# is left out is what the era lacks or the kernel cannot express, the
# generated file does not depend on the order scripts are read in or on
# the run, bad trees and eras are refused with one line, and the patch
# applies (git apply --check) to a small stand-in tree.
#
# The scripts are a declared input (//tests:scripts), so a new or changed
# script reruns the test.
#
# Usage: gvm2kunit_test.sh GVM2KUNIT MODEL.c SCRIPTS_DIR
set -u

gen=$(cd -- "$(dirname -- "$1")" && pwd)/$(basename -- "$1")
model=$(cd -- "$(dirname -- "$2")" && pwd)/$(basename -- "$2")
scripts=$(cd -- "$3" && pwd)
skip=$scripts/upstream.skip
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() {
	echo "ok $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

if [ ! -d "$scripts" ] || [ ! -f "$skip" ]; then
	echo "FAIL: no scripts and upstream.skip in $scripts"
	echo "0 passed, 1 failed"
	exit 1
fi

gen_era() {
	"$gen" --era 6.8-6.16 --model "$model" --skip "$skip" "$@"
}

# ---- every script: a case, or left out with a reason -----------------------
if gen_era -o "$tmp/a.c" "$scripts" >"$tmp/a.txt" 2>"$tmp/a.err"; then
	ok "generates for 6.8-6.16"
else
	fail "generates for 6.8-6.16" "exit $?: $(cat "$tmp/a.err")"
fi
ncases=0
nleft=0
for gvm in "$scripts"/*.gvm; do
	name=$(basename -- "$gvm")
	ident=${name%.gvm}
	case_line=$(grep -c "^	KUNIT_CASE(${ident}_gvm),\$" "$tmp/a.c")
	left=$(grep -c "^gvm2kunit: left out $name: ..*\$" "$tmp/a.txt")
	if [ "$case_line" = 1 ] && [ "$left" = 0 ]; then
		ncases=$((ncases + 1))
	elif [ "$case_line" = 0 ] && [ "$left" = 1 ]; then
		nleft=$((nleft + 1))
	else
		fail "$name" "$case_line KUnit case(s) and $left left-out line(s), want one of the two"
		continue
	fi
	# Left out exactly when the era lacks what it needs (upstream.skip lists
	# scripts per feature; on 6.8-6.16 every listed feature is missing),
	# or the kernel cannot express it (inject alloc).
	listed=$(awk -v n="$name" '$1 == n && $2 != "-"' "$skip")
	if grep -q '^[[:space:]]*inject[[:space:]][[:space:]]*alloc' "$gvm" ||
		[ -n "$listed" ]; then
		want=1
	else
		want=0
	fi
	if [ "$left" != "$want" ]; then
		fail "$name" "left out: $left, expected $want"
	fi
done
summary=$(tail -n 1 "$tmp/a.txt")
if [ "$summary" = "gvm2kunit: $ncases cases, $nleft left out (GPUVM API of Linux 6.8 to 6.16)" ] &&
	[ "$ncases" -gt 0 ] && [ "$(grep -c '^	KUNIT_CASE(' "$tmp/a.c")" = "$ncases" ]; then
	ok "every script is a case ($ncases) or left out with its reason ($nleft)"
else
	fail "summary" "'$summary' for $ncases cases and $nleft left out"
fi
# The left-out scripts are named in the file too, for its readers.
while read -r _ _ _ name _; do
	grep -qF -- " * $name " "$tmp/a.c" || fail "${name%:}" "left out but not named in the generated file"
done < <(grep '^gvm2kunit: left out ' "$tmp/a.txt")

# ---- deterministic -------------------------------------------------------------
mkdir "$tmp/rev"
for f in $(ls -r "$scripts"); do
	[ -f "$scripts/$f" ] && cp -- "$scripts/$f" "$tmp/rev/"
done
gen_era -o "$tmp/b.c" "$tmp/rev" >"$tmp/b.txt" 2>&1
gen_era -o "$tmp/c.c" "$scripts" >/dev/null 2>&1
if cmp -s "$tmp/a.c" "$tmp/b.c" && cmp -s "$tmp/a.c" "$tmp/c.c" &&
	cmp -s "$tmp/a.txt" "$tmp/b.txt"; then
	ok "deterministic (twice, and with the scripts copied in reverse order)"
else
	fail "deterministic" "the generated file differs between runs"
fi

# The file starts with the model, SPDX line first, and ends with the suite.
if head -n 1 "$tmp/a.c" | grep -qx '// SPDX-License-Identifier: MIT' &&
	cmp -s <(head -c "$(wc -c <"$model")" "$tmp/a.c") "$model" &&
	grep -qx 'kunit_test_suite(drm_gpuvm_test_suite);' "$tmp/a.c" &&
	! grep -q "$(printf '\r')" "$tmp/a.c"; then
	ok "model first, suite last"
else
	fail "layout" "the generated file does not start with the model or lacks the suite"
fi

# ---- bad trees and eras: one line, exit 1 (2 for usage) --------------------------
one_line() { # NAME WANT_STATUS PATTERN ARGS...
	local name=$1 want=$2 pattern=$3 rc
	shift 3
	"$gen" --model "$model" --skip "$skip" "$@" "$scripts" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$name" "exit $rc, want $want: $(cat "$tmp/err")"
	elif [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -q -- "$pattern" "$tmp/err"; then
		fail "$name" "want one line matching '$pattern', got: $(cat "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		fail "$name" "printed on stdout: $(cat "$tmp/out")"
	else
		ok "$name: $(cat "$tmp/err")"
	fi
}

mk_tree() { # DIR MARKERS...: a stand-in kernel tree whose drm_gpuvm.h has MARKERS
	local d=$1
	shift
	mkdir -p "$d/include/linux" "$d/include/drm" "$d/tools/testing/kunit" \
		"$d/drivers/gpu/drm/tests"
	printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n' >"$d/Makefile"
	: >"$d/tools/testing/kunit/kunit.py"
	printf '%s\n' "$@" >"$d/include/drm/drm_gpuvm.h"
	printf '/* drm_gpuvm.c */\n' >"$d/drivers/gpu/drm/drm_gpuvm.c"
	printf '%s\n' 'config DRM' '	tristate "DRM"' '' 'config DRM_KUNIT_TEST' \
		'	tristate "KUnit tests for DRM"' '	select DRM_EXEC' \
		'	select DRM_KUNIT_TEST_HELPERS' '	default KUNIT_ALL_TESTS' '' \
		'config DRM_GPUVM' '	tristate' >"$d/drivers/gpu/drm/Kconfig"
	printf '%s\n' 'obj-$(CONFIG_DRM_KUNIT_TEST) += \' '	drm_exec_test.o \' \
		'	drm_rect_test.o' '' 'CFLAGS_x.o := -y' >"$d/drivers/gpu/drm/tests/Makefile"
}

one_line "no such directory" 1 "no such directory" --tree "$tmp/none"
mkdir -p "$tmp/empty"
one_line "not a kernel tree" 1 "not a kernel tree" --tree "$tmp/empty"
mk_tree "$tmp/nokunit" drm_gpuvm_bo_obtain_prealloc
rm -r "$tmp/nokunit/tools"
one_line "no KUnit" 1 "no KUnit" --tree "$tmp/nokunit"
mk_tree "$tmp/nodrm" drm_gpuvm_bo_obtain_prealloc
rm "$tmp/nodrm/drivers/gpu/drm/Kconfig"
one_line "no DRM" 1 "no DRM" --tree "$tmp/nodrm"
mk_tree "$tmp/nogpuvm"
rm "$tmp/nogpuvm/drivers/gpu/drm/drm_gpuvm.c"
one_line "no GPUVM" 1 "no GPUVM" --tree "$tmp/nogpuvm"
mk_tree "$tmp/old" "struct drm_gpuvm"
one_line "before 6.8" 1 "before 6.8" --tree "$tmp/old"
mk_tree "$tmp/v70" drm_gpuvm_bo_obtain_prealloc "struct drm_gpuvm_map_req" \
	drm_gpuvm_sm_map_exec_lock drm_gpuvm_madvise_ops_create DRM_GPUVM_IMMEDIATE_MODE \
	drm_gpuvm_bo_deferred_cleanup drm_gpuvm_bo_obtain_locked "drm_gpuva_unmap(const struct"
echo 'mutex_lock(&obj->gpuva.lock);' >"$tmp/v70/drivers/gpu/drm/drm_gpuvm.c"
one_line "7.0 era" 1 "the 7.0 API is not supported" --tree "$tmp/v70"
mk_tree "$tmp/mixed" drm_gpuvm_bo_obtain_prealloc "struct drm_gpuvm_map_req"
one_line "unknown era" 1 "an API era with MAP_REQ (6.17) but without" --tree "$tmp/mixed"
one_line "--era 7.0" 1 "the 7.0 API is not supported" --era 7.0
one_line "--era bad" 2 "unknown era" --era 5.4

# ---- the patch applies to a stand-in tree of the 6.8-6.16 era ------------------------
mk_tree "$tmp/good" drm_gpuvm_bo_obtain_prealloc
if "$gen" --tree "$tmp/good" --model "$model" --skip "$skip" -o "$tmp/good.c" \
	--patch "$tmp/good.patch" "$scripts" >/dev/null 2>"$tmp/err" &&
	(cd "$tmp/good" && GIT_CEILING_DIRECTORIES=$tmp git apply --check "$tmp/good.patch") 2>>"$tmp/err" &&
	(cd "$tmp/good" && GIT_CEILING_DIRECTORIES=$tmp git apply "$tmp/good.patch") 2>>"$tmp/err" &&
	cmp -s "$tmp/good.c" "$tmp/good/drivers/gpu/drm/tests/drm_gpuvm_test.c" &&
	grep -qx '	select DRM_GPUVM' "$tmp/good/drivers/gpu/drm/Kconfig" &&
	sed -n '/^	select DRM_EXEC$/{n;p}' "$tmp/good/drivers/gpu/drm/Kconfig" | grep -qx '	select DRM_GPUVM' &&
	sed -n '/^	drm_exec_test.o \\$/{n;p}' "$tmp/good/drivers/gpu/drm/tests/Makefile" |
		grep -qx '	drm_gpuvm_test.o \\' &&
	head -n 1 "$tmp/good.patch" | grep -q '^From 0\{40\} Mon Sep 17 00:00:00 2001$' &&
	grep -q '^Subject: \[PATCH\] drm/tests: Add KUnit tests for GPUVM$' "$tmp/good.patch"; then
	ok "the patch applies with git apply and adds the file, the select and the Makefile line"
else
	fail "patch" "$(cat "$tmp/err")"
fi
# A tree that has the suite already is refused, before anything is written.
one_line "already patched" 1 "drm_gpuvm_test.c exists already" --tree "$tmp/good" --patch "$tmp/again.patch"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
