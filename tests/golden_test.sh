#!/usr/bin/env bash
# Golden op-script tests: every tests/scripts/NAME.gvm is replayed with
# gpuvm-replay; stdout must equal NAME.out and the exit status must be 0.
# Every tests/scripts/bad/NAME.gvm must exit 2 with stderr equal to
# NAME.err (a bad script is rejected before anything runs).
#
# With --backend NAME the scripts run on that backend (gpuvm-replay
# --backend). With --skip FILE and --era HEADER too, FILE lists the
# scripts that need an API feature of the upstream tree ("NAME.gvm
# FEATURE reason" per line, # comments; FEATURE as in HEADER's
# GVM_UPSTREAM_HAS_FEATURE, the generated gvm_upstream_era.h). A listed
# script whose feature the tree has is compared like any other; one whose
# feature it lacks must be refused as unsupported (exit 2), so the list
# can never hide a wrong answer or outlive the reason. FEATURE "-" lists
# a script the backend refuses on every tree (--backend=both refuses
# "inject alloc"): it must always be refused.
# With --exit-only every NAME.gvm must only exit 0, whatever it prints:
# the threads' scripts on upstream's code, whose schedules count lib/'s
# switch points (tests/threads/README).
# Usage: golden_test.sh REPLAY_BINARY SCRIPTS_DIR
#            [--backend NAME [--skip FILE --era HEADER]] [--exit-only]
set -u

# Absolute: each script runs from inside the scripts folder.
replay=$(cd -- "$(dirname -- "$1")" && pwd)/$(basename -- "$1")
dir=$(cd -- "$2" && pwd)
shift 2
backend=()
skip=
era=
exit_only=
while [ $# -gt 0 ]; do
	case $1 in
	--exit-only) exit_only=1; shift ;;
	--backend) backend=(--backend "$2"); shift 2 ;;
	--skip) skip=$(cd -- "$(dirname -- "$2")" && pwd)/$(basename -- "$2"); shift 2 ;;
	--era) era=$(cd -- "$(dirname -- "$2")" && pwd)/$(basename -- "$2"); shift 2 ;;
	*) echo "golden_test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ -n "$skip" ] && [ ! -f "$era" ]; then
	echo "golden_test.sh: --skip needs --era HEADER (the tree's gvm_upstream_era.h)" >&2
	exit 2
fi
passed=0
skipped=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

check_good() {
	local gvm=$1 name want rc
	name=${gvm#"$dir"/}
	want=${gvm%.gvm}.out
	if [ ! -f "$want" ]; then
		fail "$name" "no expected output ${want#"$dir"/}"
		return
	fi
	(cd "$dir" && "$replay" "${backend[@]}" "${gvm#"$dir"/}") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$name" "exit $rc, want 0"
		sed 's/^/    /' "$tmp/err"
		return
	fi
	if [ -n "$exit_only" ]; then
		echo "ok $name (exit 0)"
		passed=$((passed + 1))
		return
	fi
	if ! diff -u "$want" "$tmp/out" >"$tmp/diff"; then
		fail "$name" "output differs"
		sed 's/^/    /' "$tmp/diff"
		return
	fi
	echo "ok $name"
	passed=$((passed + 1))
}

check_bad() {
	local gvm=$1 name want rc
	name=${gvm#"$dir"/}
	want=${gvm%.gvm}.err
	if [ ! -f "$want" ]; then
		fail "$name" "no expected error ${want#"$dir"/}"
		return
	fi
	(cd "$dir" && "$replay" "${backend[@]}" "${gvm#"$dir"/}") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ]; then
		fail "$name" "exit $rc, want 2"
		return
	fi
	if [ -s "$tmp/out" ]; then
		fail "$name" "a rejected script printed on stdout"
		return
	fi
	if ! diff -u "$want" "$tmp/err" >"$tmp/diff"; then
		fail "$name" "error message differs"
		sed 's/^/    /' "$tmp/diff"
		return
	fi
	echo "ok $name"
	passed=$((passed + 1))
}

# "FEATURE reason" from the skip list for NAME.gvm, or nothing.
skip_entry() {
	[ -n "$skip" ] && sed -n "s/^$1[[:space:]][[:space:]]*//p" "$skip"
}

# 0 if the tree has FEATURE, 1 if it lacks it, 2 if the header does not know it.
tree_has() {
	local v
	v=$(sed -n "s/^#define GVM_UPSTREAM_HAS_$1[[:space:]][[:space:]]*\([01]\).*/\1/p" "$era")
	case $v in
	1) return 0 ;;
	0) return 1 ;;
	*) return 2 ;;
	esac
}

# A listed script must be refused as unsupported, before it runs.
check_skipped() {
	local gvm=$1 name=${1#"$dir"/} reason=$2 rc
	(cd "$dir" && "$replay" "${backend[@]}" "$name") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || ! grep -q 'unsupported on the' "$tmp/err" || [ -s "$tmp/out" ]; then
		fail "$name" "listed as unsupported ($reason), but exit $rc"
		sed 's/^/    /' "$tmp/err"
		return
	fi
	echo "skip $name: $reason"
	skipped=$((skipped + 1))
}

if [ -n "$skip" ]; then
	while read -r name _; do
		[ -f "$dir/$name" ] || fail "$name" "in $(basename -- "$skip") but not in the scripts folder"
	done < <(grep -v '^[[:space:]]*\(#\|$\)' "$skip")
fi
needed=0
for gvm in "$dir"/*.gvm; do
	[ -e "$gvm" ] || continue
	entry=$(skip_entry "$(basename -- "$gvm")")
	if [ -z "$entry" ]; then
		check_good "$gvm"
		continue
	fi
	feature=${entry%%[[:space:]]*}
	if [ "$feature" = - ]; then
		check_skipped "$gvm" "$entry"
		continue
	fi
	tree_has "$feature"
	case $? in
	0) check_good "$gvm"; needed=$((needed + 1)) ;;
	1) check_skipped "$gvm" "$entry" ;;
	*) fail "$(basename -- "$gvm")" "$(basename -- "$skip") names feature $feature, which $(basename -- "$era") does not define" ;;
	esac
done
for gvm in "$dir"/bad/*.gvm; do
	[ -e "$gvm" ] && check_bad "$gvm"
done

[ $skipped -gt 0 ] && echo "$skipped skipped (unsupported on this backend)" >&2
[ $needed -gt 0 ] && echo "$needed of them need a feature the tree has" >&2
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
