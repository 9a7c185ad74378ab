#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# OSS-Fuzz build of cirmem (projects/cirmem/build.sh in the oss-fuzz
# repository).  Deliberately a single call: the build itself is
# fuzz/build-fuzzers.sh in the cirmem tree that the Dockerfile cloned to
# $SRC/cirmem, so this copy has nothing that could drift.
exec bash "$SRC/cirmem/fuzz/build-fuzzers.sh"
