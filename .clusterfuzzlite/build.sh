#!/bin/bash
# SPDX-License-Identifier: MIT
#
# ClusterFuzzLite build script: OSS-Fuzz's, oss-fuzz/build.sh, run from the
# checkout that .clusterfuzzlite/Dockerfile copies to $SRC/gpuvm-fuzz.  One
# script for both, so that the two cannot drift apart.
set -euo pipefail
cd "$SRC/gpuvm-fuzz"
exec bash oss-fuzz/build.sh
