# SPDX-License-Identifier: MIT
# Fuzzing of core/ against the reference model (fuzz/README.md).
#
#   make fuzz-regress    gate: replay seeds + fuzz/regressions/ under
#                        ASan+UBSan (gcc), then FUZZ_SECONDS (60) per
#                        harness under libFuzzer and under AFL++ (CmpLog)
#   make fuzz [ENGINE=libfuzzer|afl] [HARNESS="ring utf8"] [FUZZ_SECONDS=N]
#                        a campaign; corpus kept in build/fuzz/corpus/
#                        (libFuzzer) and build/fuzz/afl-out/ (AFL++)
#   make fuzz-cov        line + branch coverage of core/ by the corpus
#                        (FUZZ_COV_EXTRA="build/fuzz/corpus" adds a
#                        campaign corpus); a gate (in CHECK_TARGETS): fails
#                        on an unreached line or branch of core/ outside
#                        tests/coverage-allowlist.txt
#   make mutants         plant bugs in a scratch copy (hand-written table +
#                        an operator sweep), classify what kills each
#   make oss-fuzz-check  run fuzz/oss-fuzz/build.sh locally for address,
#                        undefined, memory (x86_64) and address (i386), run
#                        its targets on their seed corpora
#   make fuzz-replay-gcc the harnesses built by $(CC) alone (no clang),
#                        replaying the seeds
#   make fuzz-m32        the libFuzzer harnesses built for i386 (clang -m32,
#                        ASan+UBSan, as OSS-Fuzz's i386 builds), replaying
#                        the seeds and regressions (part of fuzz-regress)
# Binaries and run data: build/fuzz/.  Every engine run is bounded by
# `timeout`; all jobs run one process at a time, under `nice`.

FUZZ_HARNESSES := ring utf8
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
ENGINE ?= libfuzzer
HARNESS ?= $(FUZZ_HARNESSES)
MUTANT_FUZZ_SECONDS ?= 15

AFL_CC_BIN ?= afl-clang-fast
AFL_DRIVER ?= /usr/lib/afl/libAFLDriver.a
LLVM_PROFDATA ?= llvm-profdata-14
LLVM_COV ?= llvm-cov-14

FUZZ_INC := -Icore -Ispec -Ifuzz
FUZZ_LIBSRC := spec/ref/cirmem_ref.c $(CORE_SRC)
FUZZ_DEPS := $(FUZZ_LIBSRC) $(CORE_HDR) spec/ref/cirmem_ref.h \
	fuzz/fuzz_common.h
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_LF_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all

FUZZ_BIN_LF := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/libfuzzer/fuzz_%)
FUZZ_BIN_AFL := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/afl/fuzz_%) \
	$(FUZZ_HARNESSES:%=$(FUZZ_DIR)/afl-cmplog/fuzz_%)
FUZZ_BIN_REPLAY := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/replay/fuzz_%)
FUZZ_BIN_SAN := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/replay-san/fuzz_%)
FUZZ_BIN_COV := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/cov/fuzz_%)
FUZZ_ENV := FUZZ_DIR=$(FUZZ_DIR) FUZZ_HARNESSES="$(FUZZ_HARNESSES)" \
	LLVM_PROFDATA=$(LLVM_PROFDATA) LLVM_COV=$(LLVM_COV)

DEPS_PACKAGES += clang-14 libclang-rt-14-dev llvm-14 afl++ python3 zip \
	unzip coreutils
# libFuzzer's runtime is C++: -m32 links need the i386 libstdc++.
DEPS_PACKAGES += gcc-multilib lib32stdc++-12-dev file
CHECK_TARGETS += fuzz-regress fuzz-cov oss-fuzz-check

.PHONY: fuzz fuzz-regress fuzz-cov fuzz-bins fuzz-replay-gcc mutants \
	oss-fuzz-check fuzz-corpus fuzz-m32

$(FUZZ_DIR)/libfuzzer $(FUZZ_DIR)/afl $(FUZZ_DIR)/afl-cmplog \
$(FUZZ_DIR)/replay $(FUZZ_DIR)/replay-san $(FUZZ_DIR)/cov $(FUZZ_DIR)/m32:
	mkdir -p $@

# libFuzzer + ASan + UBSan, no recovery: the reference engine.
$(FUZZ_DIR)/libfuzzer/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DEPS) | $(FUZZ_DIR)/libfuzzer
	$(CLANG) $(CSTD) -Wall -Wextra $(FUZZ_LF_FLAGS) $(FUZZ_INC) -o $@ $< $(FUZZ_LIBSRC)

# The same for i386 (32-bit size_t and CIRMEM_CAPACITY_MAX).
FUZZ_BIN_M32 := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/m32/fuzz_%)
$(FUZZ_DIR)/m32/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DEPS) | $(FUZZ_DIR)/m32
	$(CLANG) -m32 $(CSTD) -Wall -Wextra $(FUZZ_LF_FLAGS) $(FUZZ_INC) -o $@ $< $(FUZZ_LIBSRC)

# Where the kernel cannot run i386 binaries (tests/i386-native.sh), the
# libFuzzer build is still built and checked, and the seeds go through
# the replay driver built for i386 with UBSan, under qemu-i386-static.
FUZZ_BIN_M32_REPLAY := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/m32/replay_%)
$(FUZZ_DIR)/m32/replay_%: fuzz/fuzz_%.c fuzz/replay_main.c $(FUZZ_DEPS) | $(FUZZ_DIR)/m32
	$(CC) -m32 -D_FILE_OFFSET_BITS=64 $(CSTD) $(WARN) -O1 -g -fsanitize=undefined \
	  -fno-sanitize-recover=all $(FUZZ_INC) -o $@ $< fuzz/replay_main.c $(FUZZ_LIBSRC)

fuzz-m32: $(FUZZ_BIN_M32) $(FUZZ_BIN_M32_REPLAY)
	@set -e; run="$(I386_RUN)"; for h in $(FUZZ_HARNESSES); do \
	  for b in fuzz_$$h replay_$$h; do \
	    file -L $(FUZZ_DIR)/m32/$$b | grep -q 'ELF 32-bit.*80386' || \
	      { echo "fuzz-m32: $$b is not an i386 binary"; exit 1; }; done; \
	  regs=; [ -d fuzz/regressions/$$h ] && regs=fuzz/regressions/$$h; \
	  if [ -z "$$run" ]; then \
	    timeout 300 $(FUZZ_DIR)/m32/fuzz_$$h -runs=0 fuzz/corpus/$$h $$regs \
	      > $(FUZZ_DIR)/m32/$$h.log 2>&1 || \
	      { tail -30 $(FUZZ_DIR)/m32/$$h.log; echo "fuzz-m32: $$h failed"; exit 1; }; \
	    echo "fuzz-m32: $$h (i386): $$(grep -o 'Done [0-9]* runs' $(FUZZ_DIR)/m32/$$h.log), no divergence"; \
	  else \
	    timeout 600 $${run}$(FUZZ_DIR)/m32/replay_$$h fuzz/corpus/$$h $$regs \
	      > $(FUZZ_DIR)/m32/$$h.log 2>&1 || \
	      { tail -30 $(FUZZ_DIR)/m32/$$h.log; echo "fuzz-m32: $$h failed"; exit 1; }; \
	    ! grep -q ' 0 inputs ran' $(FUZZ_DIR)/m32/$$h.log || \
	      { echo "fuzz-m32: $$h: no input ran"; exit 1; }; \
	    echo "fuzz-m32: $$h (i386, UBSan, under qemu-i386-static: this kernel cannot run i386): $$(tail -1 $(FUZZ_DIR)/m32/$$h.log)"; \
	  fi; \
	done

# AFL++: sanitized target, and an unsanitized CmpLog companion (-c).
$(FUZZ_DIR)/afl/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DEPS) | $(FUZZ_DIR)/afl
	AFL_QUIET=1 AFL_CC=$(CLANG) $(AFL_CC_BIN) $(CSTD) -g -O1 $(FUZZ_SAN) \
	  $(FUZZ_INC) -o $@ $< $(FUZZ_LIBSRC) $(AFL_DRIVER)

$(FUZZ_DIR)/afl-cmplog/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DEPS) | $(FUZZ_DIR)/afl-cmplog
	AFL_QUIET=1 AFL_CC=$(CLANG) AFL_LLVM_CMPLOG=1 $(AFL_CC_BIN) $(CSTD) -g \
	  -O1 $(FUZZ_INC) -o $@ $< $(FUZZ_LIBSRC) $(AFL_DRIVER)

# Plain $(CC) with the replay driver: no clang, no fuzzing engine.
$(FUZZ_DIR)/replay/fuzz_%: fuzz/fuzz_%.c fuzz/replay_main.c $(FUZZ_DEPS) | $(FUZZ_DIR)/replay
	$(CC) $(CSTD) $(WARN) -O2 -g $(FUZZ_INC) -o $@ $< fuzz/replay_main.c \
	  $(FUZZ_LIBSRC)

$(FUZZ_DIR)/replay-san/fuzz_%: fuzz/fuzz_%.c fuzz/replay_main.c $(FUZZ_DEPS) | $(FUZZ_DIR)/replay-san
	$(CC) $(CSTD) $(WARN) -O1 -g $(FUZZ_SAN) $(FUZZ_INC) -o $@ $< \
	  fuzz/replay_main.c $(FUZZ_LIBSRC)

# Source-based coverage (clang), replay driver.
$(FUZZ_DIR)/cov/fuzz_%: fuzz/fuzz_%.c fuzz/replay_main.c $(FUZZ_DEPS) | $(FUZZ_DIR)/cov
	$(CLANG) $(CSTD) -O0 -g -fprofile-instr-generate -fcoverage-mapping \
	  $(FUZZ_INC) -o $@ $< fuzz/replay_main.c $(FUZZ_LIBSRC)

fuzz-bins: $(FUZZ_BIN_LF) $(FUZZ_BIN_AFL) $(FUZZ_BIN_REPLAY) $(FUZZ_BIN_SAN)

fuzz-replay-gcc: $(FUZZ_BIN_REPLAY)
	@set -e; for h in $(FUZZ_HARNESSES); do \
	  timeout 300 $(FUZZ_DIR)/replay/fuzz_$$h fuzz/corpus/$$h; done

fuzz-regress: fuzz-bins
	@$(FUZZ_ENV) fuzz/fuzz.sh replay
	@$(MAKE) --no-print-directory fuzz-replay-gcc
	@$(MAKE) --no-print-directory fuzz-m32
	@set -e; for h in $(FUZZ_HARNESSES); do \
	  for e in libfuzzer afl; do \
	    $(FUZZ_ENV) fuzz/fuzz.sh run $$e $$h $(FUZZ_SECONDS) regress; \
	  done; done
	@echo "fuzz-regress: passed ($(FUZZ_HARNESSES); libFuzzer and AFL++, $(FUZZ_SECONDS)s each)"

fuzz: $(FUZZ_BIN_LF) $(FUZZ_BIN_AFL)
	@set -e; for h in $(HARNESS); do \
	  $(FUZZ_ENV) fuzz/fuzz.sh run $(ENGINE) $$h $(FUZZ_SECONDS) campaign; \
	done

fuzz-cov: $(FUZZ_BIN_COV) tests/cov_gate.py tests/coverage-allowlist.txt
	@$(FUZZ_ENV) FUZZ_COV_EXTRA="$(FUZZ_COV_EXTRA)" fuzz/fuzz.sh cov

# Regenerate the committed seeds (review the diff before committing).
fuzz-corpus:
	python3 fuzz/gen_corpus.py fuzz/corpus

# Not part of `make check` (CPU): the hand-written table plus a sample of
# MUTANT_SWEEP_MAX operator mutants (-1: the whole population).
MUTANT_SWEEP_MAX ?= 150
mutants:
	python3 fuzz/mutants.py --fuzz-seconds $(MUTANT_FUZZ_SECONDS) \
	  --sweep-max $(MUTANT_SWEEP_MAX)

# OSS-Fuzz conventions, locally: fuzz/oss-fuzz/build.sh (which calls
# fuzz/build-fuzzers.sh) for every sanitizer and architecture that
# fuzz/oss-fuzz/project.yaml claims, each target run on its seeds.
OSSFUZZ_DIR := $(BUILD)/oss-fuzz
oss-fuzz-check:
	@bash fuzz/oss-fuzz-check.sh $(OSSFUZZ_DIR)
