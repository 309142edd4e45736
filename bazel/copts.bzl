"""copts/linkopts that every C target in the repository must use.

Everything that is the same for all configs (warnings, -std, -g, -O level)
lives in .bazelrc.  Two things cannot:

Sanitizers.  A bazelrc config can add copts but never drop them, so a
default-on -fsanitize could not be turned off by --config=opt.  They are
chosen here from //bazel:sanitizer, which each config sets.  An object
built with -fsanitize=... needs the runtime that only the link flag brings,
so binaries and tests need GPUVM_LINKOPTS as well.

The kcompat/include and lib/include search paths.  Headers are included by
their kernel paths (<linux/list.h>), and neither cc_library way of saying so
is acceptable:
"includes" becomes -isystem, which hides every warning inside those headers
(they hold much of the code); "strip_include_prefix" puts a per-config
bazel-out/.../_virtual_includes/ path into __FILE__ (so into WARN messages),
debug info and coverage reports.  A plain -I keeps both right.  A target
that forgets GPUVM_COPTS therefore fails to compile instead of silently
building without sanitizers.
"""

_ASAN = [
    "-fsanitize=address,undefined",
    # A UBSan report must fail the test, not scroll by.
    "-fno-sanitize-recover=all",
]

_TSAN = ["-fsanitize=thread"]

_SANITIZE = select({
    "//bazel:sanitizer_asan": _ASAN,
    "//bazel:sanitizer_tsan": _TSAN,
    "//conditions:default": [],
})

# libFuzzer builds instrument lib/ and the driver model for edge coverage
# but do not trace comparisons (trace-cmp).  Under UBSan most traced
# comparisons are UBSan's own null and alignment checks (37 call sites in
# drm_gpuvm_sm.o without UBSan, 190 with), and their callbacks cost more
# than the code they trace: a multi_vm_fuzzer execution ran about 2.5
# times the instructions with them.  What they would buy is libFuzzer's
# table of compared values, which it splices into inputs: useless here,
# since the decoders (fuzz/gvm_decode.c) never put a compared value
# verbatim into the bytes (page-grid tags and an edge-value table already
# reach every boundary).  See bench/README.md, "Fuzzing throughput".
_LIBFUZZER_EDGES_ONLY = select({
    "//bazel:fuzz_engine_libfuzzer": ["-fno-sanitize-coverage=trace-cmp"],
    "//conditions:default": [],
})

# Our code, on our kernel environment: lib/ and kcompat/ headers (-I, so
# that their warnings count).
GPUVM_COPTS = ["-Ilib/include", "-Ikcompat/include"] + _SANITIZE + _LIBFUZZER_EDGES_ONLY

GPUVM_LINKOPTS = _SANITIZE

# Harness code (checker, reference model, executor, decoders) does not need
# coverage feedback: instrumenting it only slows each execution (libFuzzer
# traces every comparison of the checks' loops) and feeds the fuzzer
# features that say nothing about GPUVM. Only lib/ and the driver model
# that drives it are instrumented. AFL++ builds leave out the same files
# through bazel/afl_denylist.txt (.bazelrc, --config=afl), and so does
# oss-fuzz/build.sh.
_NO_COVERAGE = select({
    "//bazel:fuzz_engine_libfuzzer": [
        "-fno-sanitize-coverage=inline-8bit-counters,indirect-calls,trace-cmp,pc-table",
    ],
    "//conditions:default": [],
})

GPUVM_HARNESS_COPTS = GPUVM_COPTS + _NO_COVERAGE

# kcompat/ itself sees only its own headers. Its environment is harness
# (not instrumented); the kernel library code in it (drm_exec.c,
# rbtree.c) is part of what GPUVM runs, and is.
KCOMPAT_COPTS = ["-Ikcompat/include"] + _SANITIZE + _LIBFUZZER_EDGES_ONLY
KCOMPAT_ENV_COPTS = KCOMPAT_COPTS + _NO_COVERAGE

# Upstream's own code (the upstream backend, //upstream), and every source
# of ours built into that backend (its instance of kcompat/, the driver
# model over it): our few emulations of kernel headers (upstream/emul, -I),
# then the kernel tree's own headers from @linux_gpuvm, then kcompat's
# (both -isystem, in that order: the tree's list.h, rbtree.h and kref.h
# win over ours; upstream's headers are not ours to warn about, and
# kcompat's warn in lib/'s build). Three forced includes, as Kbuild forces
# the kernel's compiler_types.h: the attributes, the generated renames of
# upstream's exports, and the generated prefix of this backend's
# kcompat/ instance (upstream/BUILD.bazel), so that upstream, its
# environment and lib/ with its own link into one binary.
# -fno-strict-aliasing as Kbuild builds the kernel; -fno-strict-overflow
# left out, so that UBSan sees more.
UPSTREAM_COPTS = _SANITIZE + [
    "-Iupstream/emul",
    "-isystem",
    "external/linux_gpuvm/src/include",
    "-isystem",
    "external/linux_gpuvm",
    "-isystem",
    "kcompat/include",
    "-include",
    "linux/compiler_types.h",
    "-include",
    "gvm_upstream_rename.h",
    "-include",
    "kcompat_upstream_prefix.h",
    "-fno-strict-aliasing",
]

# The upstream backend's kcompat/ instance: not instrumented either.
UPSTREAM_ENV_COPTS = UPSTREAM_COPTS + _NO_COVERAGE

# Our code written against mainline's API (the driver model, tests) built
# on upstream: upstream/compat adapts the tree's API era to mainline names.
UPSTREAM_CLIENT_COPTS = ["-Iupstream/compat"] + UPSTREAM_COPTS
