"""gpuvm_fuzz_binary(): one LLVMFuzzerTestOneInput() harness, any engine.

The engine comes from //bazel:fuzz_engine, set by --config=libfuzzer or
--config=afl.  Without one the harness is linked against a small replay
main(), so it still builds (and reproduces crashes) under every config.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary")
load("//bazel:copts.bzl", "GPUVM_COPTS", "GPUVM_LINKOPTS")

def gpuvm_fuzz_binary(name, srcs, deps = [], copts = [], linkopts = [], **kwargs):
    cc_binary(
        name = name,
        srcs = srcs,
        copts = GPUVM_COPTS + copts,
        linkopts = GPUVM_LINKOPTS + linkopts + select({
            # Objects already carry -fsanitize=fuzzer-no-link (.bazelrc);
            # this adds libFuzzer and its main() at link time only, since a
            # test's own main() would clash with it.
            "//bazel:fuzz_engine_libfuzzer": ["-fsanitize=fuzzer"],
            # AFL++'s libFuzzer-compatible main(); afl-clang-fast already
            # instruments the objects and links the AFL runtime.
            "//bazel:fuzz_engine_afl": ["/usr/lib/afl/libAFLDriver.a"],
            "//conditions:default": [],
        }),
        deps = deps + select({
            "//bazel:fuzz_engine_libfuzzer": [],
            "//bazel:fuzz_engine_afl": [],
            "//conditions:default": ["//bazel:fuzz_standalone_main"],
        }),
        **kwargs
    )
