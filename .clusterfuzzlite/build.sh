#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# ClusterFuzzLite build: the checked-out tree's own fuzzer build, the same
# script OSS-Fuzz runs (fuzz/build-fuzzers.sh).
exec bash "$SRC/cirmem/fuzz/build-fuzzers.sh"
