#!/usr/bin/env bash
# Golden op-script tests: every tests/scripts/NAME.gvm is replayed with
# gpuvm-replay; stdout must equal NAME.out and the exit status must be 0.
# Every tests/scripts/bad/NAME.gvm must exit 2 with stderr equal to
# NAME.err (a bad script is rejected before anything runs).
# Usage: golden_test.sh REPLAY_BINARY SCRIPTS_DIR
set -u

# Absolute: each script runs from inside the scripts folder.
replay=$(cd -- "$(dirname -- "$1")" && pwd)/$(basename -- "$1")
dir=$(cd -- "$2" && pwd)
passed=0
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
	(cd "$dir" && "$replay" "${gvm#"$dir"/}") >"$tmp/out" 2>"$tmp/err"
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
	(cd "$dir" && "$replay" "${gvm#"$dir"/}") >"$tmp/out" 2>"$tmp/err"
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

for gvm in "$dir"/*.gvm; do
	[ -e "$gvm" ] && check_good "$gvm"
done
for gvm in "$dir"/bad/*.gvm; do
	[ -e "$gvm" ] && check_bad "$gvm"
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
