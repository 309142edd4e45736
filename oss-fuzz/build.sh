#!/bin/bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Apache-2.0: http://www.apache.org/licenses/LICENSE-2.0 (OSS-Fuzz wants
# this line in every file of its projects/ folder).
#
# OSS-Fuzz and ClusterFuzzLite build script (.clusterfuzzlite/build.sh
# runs this one): every fuzz target of fuzz/targets.def on lib/ into $OUT.
# OSS-Fuzz's "compile" runs it, copied to $SRC/build.sh, in the
# base-builder image from the Dockerfile's WORKDIR, the checkout;
# tools/oss-fuzz-check runs it the same way without docker.  It reads, and
# assumes nothing beyond:
#
#   CC, CXX             clang, or afl-clang-fast(++) for AFL++
#   CFLAGS, CXXFLAGS    sanitizer and engine instrumentation flags
#   LIB_FUZZING_ENGINE  the engine's main(): -fsanitize=fuzzer, or the
#                       path of AFL++'s driver library
#   OUT                 where the results go
#   WORK                scratch space (objects)
#   SRC                 where to find the checkout, gpuvm-fuzz/, if the
#                       current directory is not one
#
# Per target it writes $OUT/<name> (kcompat/ + lib/ + fuzz/ + the target, linked by
# $CXX with $LIB_FUZZING_ENGINE), $OUT/<name>_seed_corpus.zip (the inputs
# of corpus/<name>/ and corpus/regressions/<name>/, not the .gvm scripts
# they are made from) and $OUT/<name>.options.  No .dict: every byte string
# decodes to a script (fuzz/gvm_decode.c), there are no tokens to find.
#
# No Bazel here: OSS-Fuzz's flags must reach every object unchanged, and
# the library is a handful of C files.  The flags Bazel adds are repeated:
# -std=gnu11, -Ilib/include and -Ikcompat/include (.bazelrc,
# bazel/copts.bzl), and the harness and the kernel environment
# (bazel/afl_denylist.txt) is built without coverage feedback, as
# GPUVM_HARNESS_COPTS and --config=afl build it.
set -euo pipefail

: "${CC:?is not set (OSS-Fuzz sets it; tools/oss-fuzz-check emulates it)}"
: "${CXX:?is not set}"
: "${OUT:?is not set}"
: "${WORK:?is not set}"
: "${LIB_FUZZING_ENGINE:?is not set}"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}

if [[ -d lib && -d fuzz/targets ]]; then
	src=$PWD
elif [[ -n ${SRC:-} && -d $SRC/gpuvm-fuzz/fuzz/targets ]]; then
	src=$SRC/gpuvm-fuzz
else
	echo "build.sh: run me from the gpuvm-fuzz checkout, or with it at \$SRC/gpuvm-fuzz" >&2
	exit 1
fi
cd "$src"

# The copy in OSS-Fuzz's projects/gpuvm-fuzz/ hands over to the checkout's
# own: it may be newer, and the two must not drift apart.
if [[ $(realpath -- "${BASH_SOURCE[0]}") != "$(realpath -- oss-fuzz/build.sh)" ]]; then
	# Traced if this one is (OSS-Fuzz runs it with bash -eux).
	[[ $- == *x* ]] && exec bash -x oss-fuzz/build.sh
	exec bash oss-fuzz/build.sh
fi

# afl-clang-fast skips what the denylist names (and ignores
# -fno-sanitize-coverage); other compilers ignore the variable.
export AFL_LLVM_DENYLIST=$src/bazel/afl_denylist.txt
deny=()
while read -r line; do
	[[ -n $line && $line != '#'* ]] && deny+=("$line")
done <"$AFL_LLVM_DENYLIST"
# What -fsanitize=fuzzer-no-link turns on (clang 14), turned off again.
no_cov=-fno-sanitize-coverage=inline-8bit-counters,indirect-calls,trace-cmp,pc-table

harness() {
	local p
	for p in "${deny[@]}"; do
		# shellcheck disable=SC2053 # $p is a glob, as afl-clang-fast reads it
		[[ $1 == *$p ]] && return 0
	done
	return 1
}

obj=$WORK/gpuvm-obj
rm -rf "$obj"
mkdir -p "$obj" "$OUT"

# Each source to $obj/<its path, / as _>.o.  $CFLAGS is a list of flags,
# split on purpose.
objof() {
	printf '%s\n' "$obj/${1//\//_}.o"
}
# cc SOURCE OBJECT [FLAG...]: the flags Bazel gives every source.
cc() {
	local f=$1 o=$2 extra=()
	shift 2
	harness "$f" && extra=("$no_cov")
	# shellcheck disable=SC2086
	$CC $CFLAGS -std=gnu11 -I. -Ilib/include -Ikcompat/include "${extra[@]}" "$@" -c "$f" -o "$o"
}

# The library: everything but the targets' main files and AFL++'s mutator
# library (tools/fuzz-afl's; ClusterFuzz's AFL++ loads none).
common=()
for f in kcompat/*.c lib/*.c fuzz/*.c; do
	case $f in
	fuzz/gvm_fuzz_main.c | fuzz/gvm_fuzz_mutator.c | fuzz/gvm_afl_mutator.c) continue ;;
	esac
	cc "$f" "$(objof "$f")"
	common+=("$(objof "$f")")
done

# The targets: the rows of fuzz/targets.def on lib/ alone. Those on
# upstream's own drm_gpuvm.c (a or b upstream) need a kernel tree, which
# Bazel's @linux_gpuvm fetches (bazel/kernel_source.bzl); this build has
# lib/ on its kernel environment (kcompat/) only. A target that decodes
# its input is fuzz/gvm_fuzz_main.c built with its name; one that does not
# has a body of its own, fuzz/targets/<name>.c, and a corpus of its own.
# One whose inputs end in a schedule also gets libFuzzer's mutation hook,
# fuzz/gvm_fuzz_mutator.c (SCHEDULE_INPUTS, as in fuzz/BUILD.bazel).
schedule_inputs=" concurrency "
declare -A main_of=() corpus_of=() mutator_of=()
rows=()
while read -r name input a b _check _ci corpus; do
	[[ $a == upstream || $b == upstream ]] && continue
	rows+=("$name")
	corpus_of[$name]=$corpus
	if [[ $input == none ]]; then
		cc "fuzz/targets/$name.c" "$obj/$name.main.o"
	else
		cc fuzz/gvm_fuzz_main.c "$obj/$name.main.o" "-DGVM_FUZZ_NAME=$name"
	fi
	main_of[$name]=$obj/$name.main.o
	mutator_of[$name]=
	if [[ $schedule_inputs == *" $input "* ]]; then
		cc fuzz/gvm_fuzz_mutator.c "$obj/$name.mutator.o" "-DGVM_FUZZ_NAME=$name"
		mutator_of[$name]=$obj/$name.mutator.o
	fi
done < <(tools/targets)

seeds=$WORK/gpuvm-seeds
names=()
for name in "${rows[@]}"; do
	names+=("$name")
	# Linked by the C++ driver: libFuzzer and the sanitizer runtimes are
	# C++.
	# shellcheck disable=SC2086
	$CXX $CXXFLAGS "${main_of[$name]}" ${mutator_of[$name]} "${common[@]}" $LIB_FUZZING_ENGINE \
		-lpthread -o "$OUT/$name"

	# Flat, as ClusterFuzz unpacks it: one folder first, so that a name in
	# both folders is stored once.
	rm -rf "${seeds:?}/$name" "$OUT/${name}_seed_corpus.zip"
	mkdir -p "$seeds/$name"
	for d in "corpus/${corpus_of[$name]}" "corpus/regressions/${corpus_of[$name]}"; do
		[[ -d $d ]] || continue
		find "$d" -type f ! -name '.*' ! -name '*.gvm' ! -name '*.md' \
			-exec cp -t "$seeds/$name" {} +
	done
	n=$(find "$seeds/$name" -type f | wc -l)
	if ((n)); then
		(cd "$seeds/$name" && zip -q -X -r "$OUT/${name}_seed_corpus.zip" .)
	fi

	# A script holds at most 128 commands of at most 30 bytes each
	# (fuzz/gvm_decode.c): longer inputs only carry bytes nobody reads.
	if [[ -f fuzz/$name.options ]]; then
		cp "fuzz/$name.options" "$OUT/$name.options"
	else
		printf '[libfuzzer]\nmax_len = 4096\n' >"$OUT/$name.options"
	fi
	[[ -f fuzz/$name.dict ]] && cp "fuzz/$name.dict" "$OUT/$name.dict"
	echo "build.sh: $OUT/$name, $n seed inputs"
done
echo "build.sh: ${#names[@]} fuzz targets: ${names[*]}"
