#!/usr/bin/env bash
# tools/targets reads fuzz/targets.def as the repository rule does: the
# shipped table gives one line per row, and each kind of malformed table
# is refused with one line naming its row, printing no row at all.
# Usage: targets_test.sh TOOLS_TARGETS TABLE
set -u
targets=$1
table=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

# The shipped table: as many lines as rows, six words each and the
# corpus, unique names.
rows=$(grep -c '^GVM_FUZZ_TARGET(' "$table")
out=$("$targets" --file "$table") || fail shipped "exit $?"
if [ "$(printf '%s\n' "$out" | wc -l)" -ne "$rows" ] ||
	printf '%s\n' "$out" | awk 'NF != 7 || $7 != ($2 == "none" ? $1 : $2 "_fuzzer") { bad = 1 }
		END { exit !bad }' ||
	[ "$(printf '%s\n' "$out" | cut -d' ' -f1 | sort -u | wc -l)" -ne "$rows" ]; then
	fail shipped "want $rows rows of 7 words (the corpus derived) with unique names, got:"
	printf '%s\n' "$out" | sed 's/^/    /'
else
	echo "ok shipped ($rows rows)"
	passed=$((passed + 1))
fi
names=$("$targets" --names --file "$table")
[ "$names" = "$(printf '%s\n' "$out" | cut -d' ' -f1)" ] && passed=$((passed + 1)) ||
	fail names "--names differs from the first column"

# refused NAME WANT ROW...: a table of a good row and ROWs is refused with
# WANT on stderr and nothing on stdout.
refused() {
	local name=$1 want=$2 rc
	shift 2
	{
		echo 'GVM_FUZZ_TARGET(good_fuzzer, multi_vm, lean, none, every, ci)'
		printf '%s\n' "$@"
	} >"$tmp/$name.def"
	"$targets" --file "$tmp/$name.def" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || [ -s "$tmp/out" ] || ! grep -qF "$want" "$tmp/err"; then
		fail "$name" "exit $rc, want 2 with \"$want\" and no rows; stderr:"
		sed 's/^/    /' "$tmp/err"
		return
	fi
	echo "ok $name"
	passed=$((passed + 1))
}
refused fields ":2: 5 fields, want 6" 'GVM_FUZZ_TARGET(x_fuzzer, multi_vm, lean, none, every)'
refused two_lines ":2: a row is GVM_FUZZ_TARGET(...) on one line" 'GVM_FUZZ_TARGET(x_fuzzer, multi_vm,'
refused backend ":2: b is 'nowhere', not one of lean, upstream, none" \
	'GVM_FUZZ_TARGET(x_fuzzer, multi_vm, lean, nowhere, every, ci)'
refused check ":2: check is 'sometimes', not one of every, end" \
	'GVM_FUZZ_TARGET(x_fuzzer, multi_vm, lean, none, sometimes, ci)'
refused ci ":2: ci is 'never', not one of ci, manual" \
	'GVM_FUZZ_TARGET(x_fuzzer, multi_vm, lean, none, every, never)'
refused duplicate ":3: x_fuzzer is already the name of the row on line 2" \
	'GVM_FUZZ_TARGET(x_fuzzer, multi_vm, lean, none, every, ci)' \
	'GVM_FUZZ_TARGET(x_fuzzer, fault, upstream, none, every, ci)'
: >"$tmp/empty.def"
if "$targets" --file "$tmp/empty.def" >/dev/null 2>&1; then
	fail empty "a table without rows was taken"
else
	passed=$((passed + 1))
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
