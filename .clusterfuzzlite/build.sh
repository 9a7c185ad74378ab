#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# ClusterFuzzLite build: the same script as OSS-Fuzz (one source of truth).
cd "$SRC/cirmem"
exec bash fuzz/oss-fuzz/build.sh
