#!/usr/bin/env bash
# Upstream findings still reproduce: every DIR/NAME.gvm, replayed with
# --backend=upstream, must fail (exit 1) with a BUG: line containing the
# text in DIR/NAME.expect, and must run clean on lib/. When a tree fixes
# one (KERNEL_SRC on a tree with the fix), this test says so: move the
# finding to "Fixed" in docs/upstream-findings.md and its script to a
# golden test.
# Usage: upstream_findings_test.sh REPLAY_BINARY DIR
set -u

replay=$1
dir=$2
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for gvm in "$dir"/*.gvm; do
	name=$(basename -- "$gvm" .gvm)
	want=$(cat -- "${gvm%.gvm}.expect")
	"$replay" --backend=lean "$gvm" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL $name: exit $rc on lib/, want 0"
		sed 's/^/    /' "$tmp/err"
		failed=$((failed + 1))
		continue
	fi
	# LSan confirms the leak on its own; the BUG: line is what we check.
	ASAN_OPTIONS=detect_leaks=0 "$replay" --backend=upstream "$gvm" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "FAIL $name: no longer reproduces on this tree: fixed upstream? see docs/upstream-findings.md"
		failed=$((failed + 1))
	elif [ $rc -ne 1 ] || ! grep -q "^BUG: .*$want" "$tmp/err"; then
		echo "FAIL $name: exit $rc, want 1 with a BUG: line containing '$want'"
		sed 's/^/    /' "$tmp/err"
		failed=$((failed + 1))
	else
		echo "ok $name: $(grep -m1 '^BUG: ' "$tmp/err")"
		passed=$((passed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
