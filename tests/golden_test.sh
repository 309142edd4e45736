#!/usr/bin/env bash
# Golden op-script tests: every tests/scripts/NAME.gvm is replayed with
# gpuvm-replay; stdout must equal NAME.out and the exit status must be 0.
# Every tests/scripts/bad/NAME.gvm must exit 2 with stderr equal to
# NAME.err (a bad script is rejected before anything runs).
#
# With --backend NAME the scripts run on that backend (gpuvm-replay
# --backend); with --skip FILE too, the scripts FILE lists ("NAME.gvm
# reason" per line, # comments) are not compared but must be refused as
# unsupported on that backend (exit 2), so the list can never hide a
# wrong answer or outlive the reason.
# Usage: golden_test.sh REPLAY_BINARY SCRIPTS_DIR [--backend NAME [--skip FILE]]
set -u

# Absolute: each script runs from inside the scripts folder.
replay=$(cd -- "$(dirname -- "$1")" && pwd)/$(basename -- "$1")
dir=$(cd -- "$2" && pwd)
shift 2
backend=()
skip=
while [ $# -gt 0 ]; do
	case $1 in
	--backend) backend=(--backend "$2"); shift 2 ;;
	--skip) skip=$(cd -- "$(dirname -- "$2")" && pwd)/$(basename -- "$2"); shift 2 ;;
	*) echo "golden_test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
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

# The reason the skip list gives for NAME.gvm, or nothing.
skip_reason() {
	[ -n "$skip" ] && sed -n "s/^$1[[:space:]][[:space:]]*//p" "$skip"
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
for gvm in "$dir"/*.gvm; do
	[ -e "$gvm" ] || continue
	reason=$(skip_reason "$(basename -- "$gvm")")
	if [ -n "$reason" ]; then
		check_skipped "$gvm" "$reason"
	else
		check_good "$gvm"
	fi
done
for gvm in "$dir"/bad/*.gvm; do
	[ -e "$gvm" ] && check_bad "$gvm"
done

[ $skipped -gt 0 ] && echo "$skipped skipped (unsupported on this backend)" >&2
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
