#!/usr/bin/env bash
# Every input of every shipped corpus and regression folder must get the
# same verdict from its fuzz target (the replay build: clean exit, or an
# abort on a finding) as from gpuvm-replay on the script gpuvm-decode makes
# of it (exit 0, or 1 on a finding): a crash always becomes a script that
# reproduces it.
# Usage: verdict_test.sh DECODE REPLAY [TARGET_NAME TARGET_BINARY DIR...]...
# where each target group starts with --target.
set -u

decode=$1
replay=$2
shift 2
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verdict NAME: "clean" or "finding" from an exit status
verdict() {
	case $1 in
	0) echo clean ;;
	*) echo finding ;;
	esac
}

check_input() {
	local name=$1 target=$2 input=$3 want got rc backend
	"$target" "$input" >/dev/null 2>"$tmp/target.err"
	want=$(verdict $?)
	if ! "$decode" --target "$name" "$input" >"$tmp/script.gvm" 2>"$tmp/decode.err"; then
		echo "FAIL $input: gpuvm_decode failed"
		sed 's/^/    /' "$tmp/decode.err"
		failed=$((failed + 1))
		return
	fi
	# Targets on upstream name the backend in the script's second line.
	backend=$(sed -n '2s/^# replay with: gpuvm_replay --backend=\([a-z]*\).*/\1/p' "$tmp/script.gvm")
	# --known-findings: as the fuzz targets look past upstream's known bugs.
	"$replay" -q -k --backend="${backend:-lean}" "$tmp/script.gvm" >/dev/null 2>"$tmp/replay.err"
	rc=$?
	if [ $rc -eq 2 ]; then
		echo "FAIL $input: the decoded script does not parse"
		sed 's/^/    /' "$tmp/replay.err"
		failed=$((failed + 1))
		return
	fi
	got=$(verdict $rc)
	if [ "$want" != "$got" ]; then
		echo "FAIL $input: fuzz target says $want, gpuvm-replay says $got"
		failed=$((failed + 1))
		return
	fi
	echo "ok $input ($got)"
	passed=$((passed + 1))
}

while [ $# -gt 0 ]; do
	[ "$1" = --target ] || { echo "usage: expected --target, got $1" >&2; exit 2; }
	name=$2
	target=$3
	shift 3
	while [ $# -gt 0 ] && [ "$1" != --target ]; do
		for input in "$1"/*; do
			case $input in
			*.gvm | *.md | */seeds) continue ;;
			esac
			[ -f "$input" ] && check_input "$name" "$target" "$input"
		done
		shift
	done
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
