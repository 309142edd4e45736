#!/usr/bin/env bash
# gpuvm-replay's command line: help, usage errors, stdin, --quiet, --trace,
# --backend, --keep-going. ERA_HEADER is the upstream tree's
# gvm_upstream_era.h: what the upstream backend must refuse depends on the
# tree's API era. HAZARDS holds scripts that show a hazard of GPUVM's API
# which --known-findings looks past (tests/hazards).
# Usage: replay_cli_test.sh REPLAY_BINARY ERA_HEADER HAZARDS
set -u

replay=$1
era=$2
hazards=$(cd -- "$3" && pwd)
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME WANT_STATUS GREP_STDOUT GREP_STDERR -- ARGS...  ("" = don't care)
expect() {
	local name=$1 want=$2 out_re=$3 err_re=$4 rc
	shift 5
	"$replay" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL $name: exit $rc, want $want"
		sed 's/^/    /' "$tmp/err"
		failed=$((failed + 1))
	elif [ -n "$out_re" ] && ! grep -qE -- "$out_re" "$tmp/out"; then
		echo "FAIL $name: stdout lacks /$out_re/"
		failed=$((failed + 1))
	elif [ -n "$err_re" ] && ! grep -qE -- "$err_re" "$tmp/err"; then
		echo "FAIL $name: stderr lacks /$err_re/"
		sed 's/^/    /' "$tmp/err"
		failed=$((failed + 1))
	else
		echo "ok $name"
		passed=$((passed + 1))
	fi
}

printf 'vm 0 0x0 0x10000\nbo 1\nmap 0 0x0 0x2000 1 0x0\n' >"$tmp/s.gvm"
: >"$tmp/in"

expect help 0 '^usage: ' '' -- --help
expect no_args 2 '' 'expected exactly one script' --
expect two_args 2 '' 'expected exactly one script' -- "$tmp/s.gvm" "$tmp/s.gvm"
expect bad_option 2 '' 'usage: ' -- --frobnicate "$tmp/s.gvm"
expect missing_file 2 '' 'cannot open .*/nope.gvm' -- "$tmp/nope.gvm"
expect directory 2 '' 'cannot read' -- "$tmp"
expect plain 0 '^op map 0x0 0x2000 bo1 0x0$' '' -- "$tmp/s.gvm"
expect quiet 0 '' '' -- -q "$tmp/s.gvm"
if [ -s "$tmp/out" ]; then
	echo "FAIL quiet: printed op lines"
	failed=$((failed + 1))
fi
expect trace 0 '^> map 0 0x0 0x2000 1 0x0$' '' -- --trace "$tmp/s.gvm"
cp "$tmp/s.gvm" "$tmp/in"
expect stdin 0 '^op map 0x0 0x2000 bo1 0x0$' '' -- -
printf 'vm 0 0x0 0x10000\nmap 0 0x0 0x1000 7 0x0\n' >"$tmp/in"
expect stdin_error 2 '' '^<stdin>:2: ' -- -
: >"$tmp/in"
expect backend_upstream 0 '^op map 0x0 0x2000 bo1 0x0$' '' -- --backend=upstream "$tmp/s.gvm"
expect backend_both 0 '^op map 0x0 0x2000 bo1 0x0$' '' -- -b both "$tmp/s.gvm"
expect backend_unknown 2 '' "unknown backend 'linux' \(lean, upstream or both\)" -- --backend=linux "$tmp/s.gvm"
printf 'vm 0 0x0 0x10000\nmap 0 0x0 0x4000 - 0x0\nmadvise 0 0x1000 0x1000\n' >"$tmp/m.gvm"
if grep -q '^#define GVM_UPSTREAM_HAS_MADVISE 1' "$era"; then
	expect backend_madvise 0 '^op remap 0x0 0x4000 - 0x0 ' '' -- --backend=both "$tmp/m.gvm"
elif grep -q '^#define GVM_UPSTREAM_HAS_MADVISE 0' "$era"; then
	expect backend_unsupported 2 '' ':3: madvise: unsupported on the upstream backend: madvise' -- --backend=both "$tmp/m.gvm"
	if [ -s "$tmp/out" ]; then
		echo "FAIL backend_unsupported: printed events before refusing"
		failed=$((failed + 1))
	fi
else
	echo "FAIL backend_madvise: $era does not say whether the tree has madvise"
	failed=$((failed + 1))
fi

# lib/ and upstream allocate differently, so --backend=both refuses
# "inject alloc" before running anything; one backend alone runs it, and
# "inject step" runs in lockstep. The bind's second allocation: the first
# is drm_exec's object array, which the kernel's drm_exec.c (upstream's
# build) allocates up front and, if that fails, again on first use.
printf 'vm 0 0x0 0x10000\nbo 1\ninject alloc 2\nmap 0 0x0 0x2000 1 0x0\n' >"$tmp/a.gvm"
expect inject_alloc_both 2 '' ':3: inject: unsupported on the lean and upstream backends in lockstep: inject alloc cannot be compared: the two allocate differently' -- --backend=both "$tmp/a.gvm"
if [ -s "$tmp/out" ]; then
	echo "FAIL inject_alloc_both: printed events before refusing"
	failed=$((failed + 1))
fi
expect inject_alloc_lean 0 '^error ENOMEM$' '' -- --backend=lean "$tmp/a.gvm"
expect inject_alloc_upstream 0 '^error ENOMEM$' '' -- --backend=upstream "$tmp/a.gvm"
printf 'vm 0 0x0 0x10000\nbo 1\nmap 0 0x0 0x2000 1 0x0\ninject step 1\nunmap 0 0x0 0x2000\n' >"$tmp/st.gvm"
expect inject_step_both 0 '^error EIO$' '' -- --backend=both "$tmp/st.gvm"

# A finding ends the run at its command; --keep-going runs the rest, and
# a clean script the same either way. The finding: an empty map inside a
# mapping on a VM whose driver lets empty ranges through, which lib/
# refuses (clean) and upstream turns into a zero-length VA
# (docs/upstream-findings.md 5; a tree that fixes it runs clean too).
expect keep_going_clean 0 '^op map 0x0 0x2000 bo1 0x0$' '' -- -K "$tmp/s.gvm"
printf 'vm 0 0x0 0x10000 empty_ok\nbo 1\nmap 0 0x0 0x2000 1 0x0\nmap 0 0x1000 0x0 1 0x1000\ndump 0\n' >"$tmp/k.gvm"
expect keep_going_lean 0 '^dump vm0$' '' -- --keep-going --backend=lean "$tmp/k.gvm"
"$replay" --backend=upstream "$tmp/k.gvm" </dev/null >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 1 ]; then
	if grep -q '^dump vm0$' "$tmp/out"; then
		echo "FAIL stop_at_finding: ran past the finding at line 4"
		failed=$((failed + 1))
	else
		echo "ok stop_at_finding"
		passed=$((passed + 1))
	fi
	expect keep_going_finding 1 '^dump vm0$' '^BUG: .*:5: invariant: ' -- -K --backend=upstream "$tmp/k.gvm"
else
	expect keep_going_fixed_tree 0 '^dump vm0$' '' -- -K --backend=upstream "$tmp/k.gvm"
fi

# Threads: one backend at a time; a finding on a thread names the
# interleaving. The finding: finding 5's empty map, on a thread.
printf 'vm 0 0x0 0x10000 empty_ok\nbo 1\nmap 0 0x0 0x2000 1 0x0\n@1 map 0 0x1000 0x0 1 0x1000\n@2 unmap 0 0x0 0x1000\n' >"$tmp/th.gvm"
expect threads_lean 0 '^@1 map 0 0x1000 0x0 1 0x1000$' '' -- "$tmp/th.gvm"
expect threads_both 2 '' ':4: map: unsupported on the lean and upstream backends in lockstep: threads cannot be compared' -- --backend=both "$tmp/th.gvm"
expect threads_switches 0 '^\[1\] T1 ioctl +lock.1 +&be->handles' '' -- --switches "$tmp/th.gvm"
"$replay" --backend=upstream "$tmp/th.gvm" </dev/null >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 1 ]; then
	expect threads_finding 1 '' '^the last switch points, oldest first:$' -- --backend=upstream "$tmp/th.gvm"
	if ! grep -qE '^BUG: .*: invariant: after the threads: .*zero range' "$tmp/err" ||
	   ! grep -qE '^  T[12] ioctl ' "$tmp/err"; then
		echo "FAIL threads_finding_text: no invariant BUG line or no trace"
		sed 's/^/    /' "$tmp/err"
		failed=$((failed + 1))
	fi
else
	expect threads_fixed_tree 0 '' '' -- --backend=upstream "$tmp/th.gvm"
fi

# A hazard on threads: the lockless walk's last put, found without
# --known-findings, with the run_job unlink and the walk's put before it in
# the trace; looked past with it.
expect hazard_lockless_walk 1 '' \
	'^BUG: .*lockless_walk_last_put.gvm:16: WARN: lib/drm_gpuvm_bo.c:[0-9]+: lock .*gpuva.lock.* is not held$' \
	-- "$hazards/lockless_walk_last_put.gvm"
if ! grep -qE '^  T3 run_job0 put.[0-9]+ +lib/drm_gpuvm_bo.c:[0-9]+ drm_gpuva_unlink_defer' "$tmp/err" ||
   ! grep -qE '^  T2 ioctl +put.[0-9]+ +lib/drm_gpuvm_bo.c:[0-9]+ drm_gpuvm_bo_put' "$tmp/err"; then
	echo "FAIL hazard_lockless_walk_trace: the trace lacks run_job's unlink or the walk's put"
	sed 's/^/    /' "$tmp/err"
	failed=$((failed + 1))
fi
expect hazard_lockless_walk_known 0 '^@2 validate 0$' '' -- -k "$hazards/lockless_walk_last_put.gvm"

# Another VM's private objects let into a VM: drm_exec's duplicate
# handling drops the shared resv under a validate, on either backend;
# with --known-findings the driver refuses the binds.
for b in lean upstream; do
	expect "hazard_foreign_private_$b" 1 '' \
		'^BUG: .*foreign_private_object.gvm:21: WARN: .*drm_gpuvm(_bo)?.c:[0-9]+: lock &\(obj->resv\)->lock.base .* is not held$' \
		-- --backend=$b "$hazards/foreign_private_object.gvm"
	expect "hazard_foreign_private_${b}_known" 0 '^error EINVAL$' '' \
		-- -k --backend=$b "$hazards/foreign_private_object.gvm"
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
