# SPDX-License-Identifier: MIT
# cmocka unit tests of core/ and of the reference model spec/ref/.
#   make test            gcc, -O2 -g, $(WARN); then test-oracle
#   make test-oracle     cirmem_read_utf8() of build/libcirmem.so against
#                        CPython's UTF-8 decoder (tests/utf8_oracle.py)
#   make test-asan       clang-14, AddressSanitizer + UBSan, no recovery
#   make test-valgrind   the gcc binaries under valgrind (memcheck)
#   make test-clang      library and tests built by clang-14 -Werror
#   make test-cov        clang source coverage of core/ by the unit tests;
#                        fails on an unreached line or branch outside
#                        tests/coverage-allowlist.txt (tests/cov_gate.py)
#   make test-m32        gcc -m32 (i386: 32-bit size_t, another
#                        CIRMEM_CAPACITY_MAX), ASan + UBSan, no recovery;
#                        on a kernel that cannot run i386 binaries, UBSan
#                        only, under qemu-i386-static (tests/i386-native.sh)
# Every target exits non-zero when any test fails.  Binaries: build/tests/.

TEST_NAMES := test_cirmem test_utf8 test_diff
TEST_DIR := $(BUILD)/tests
TEST_SRC_REF := spec/ref/cirmem_ref.c
TEST_HDRS := tests/test_common.h spec/ref/cirmem_ref.h $(CORE_HDR)
TEST_CFLAGS := $(CSTD) $(WARN) -O2 -g -Icore -Ispec -Itests
TEST_LIBS := -lcmocka
TEST_TIMEOUT ?= 600
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect

TEST_BINS := $(TEST_NAMES:%=$(TEST_DIR)/gcc/%)
TEST_ASAN_BINS := $(TEST_NAMES:%=$(TEST_DIR)/asan/%)
TEST_CLANG_BINS := $(TEST_NAMES:%=$(TEST_DIR)/clang/%)
TEST_CLANG_LIB := $(TEST_DIR)/clang/libcirmem.a

DEPS_PACKAGES += libcmocka-dev valgrind clang-14 libclang-rt-14-dev coreutils
# -m32: gcc's i386 multilib (with lib32asan8 / lib32ubsan1) and cmocka for
# i386 (.ci/deps.sh adds the i386 architecture for NAME:i386).
DEPS_PACKAGES += gcc-multilib libcmocka-dev:i386 file qemu-user-static
# How i386 binaries run here: natively, or (no IA-32 emulation in the
# kernel) under qemu-i386-static, where ASan cannot run.
I386_RUN = $(if $(shell sh tests/i386-native.sh $(CC) && echo y),,qemu-i386-static )
CHECK_TARGETS += test test-asan test-valgrind test-clang test-m32 test-cov

.PHONY: test test-asan test-valgrind test-clang test-m32 test-bins test-oracle \
	test-cov

# Run every binary given, report each failure, fail at the end if any.
define run_tests
	@fail=; for t in $(1); do \
	  echo "---- $(2)$$t"; \
	  timeout $(TEST_TIMEOUT) $(2)$$t || { echo "FAILED: $$t"; fail="$$fail $$t"; }; \
	done; \
	if [ -n "$$fail" ]; then echo "tests failed:$$fail"; exit 1; fi; \
	echo "all passed: $(notdir $(1))"
endef

$(TEST_DIR)/gcc $(TEST_DIR)/asan $(TEST_DIR)/clang $(TEST_DIR)/clang/obj \
$(TEST_DIR)/m32 $(TEST_DIR)/m32-user $(TEST_DIR)/cov:
	mkdir -p $@

# gcc: test + reference model + core sources, compiled together.
$(TEST_DIR)/gcc/%: tests/%.c $(TEST_SRC_REF) $(CORE_SRC) $(TEST_HDRS) | $(TEST_DIR)/gcc
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_SRC_REF) $(CORE_SRC) $(TEST_LIBS)

$(TEST_DIR)/asan/%: tests/%.c $(TEST_SRC_REF) $(CORE_SRC) $(TEST_HDRS) | $(TEST_DIR)/asan
	$(CLANG) $(TEST_CFLAGS) $(SAN_FLAGS) -o $@ $< $(TEST_SRC_REF) $(CORE_SRC) $(TEST_LIBS)

# gcc -m32: 32-bit size_t, ASan + UBSan (gcc 12's lib32asan8 works; the
# i386 cmocka comes from libcmocka-dev:i386).
TEST_M32_BINS := $(TEST_NAMES:%=$(TEST_DIR)/m32/%)
$(TEST_DIR)/m32/%: tests/%.c $(TEST_SRC_REF) $(CORE_SRC) $(TEST_HDRS) | $(TEST_DIR)/m32
	$(CC) -m32 $(TEST_CFLAGS) $(SAN_FLAGS) -o $@ $< $(TEST_SRC_REF) $(CORE_SRC) $(TEST_LIBS)

# clang: the library on its own (as shipped, -Werror via $(WARN)), then
# the tests linked against it.
$(TEST_DIR)/clang/obj/%.o: core/%.c $(CORE_HDR) | $(TEST_DIR)/clang/obj
	$(CLANG) $(CFLAGS_LIB) -c $< -o $@

$(TEST_CLANG_LIB): $(CORE_SRC:core/%.c=$(TEST_DIR)/clang/obj/%.o)
	rm -f $@
	ar rcs $@ $^

$(TEST_DIR)/clang/%: tests/%.c $(TEST_SRC_REF) $(TEST_CLANG_LIB) $(TEST_HDRS) | $(TEST_DIR)/clang
	$(CLANG) $(TEST_CFLAGS) -o $@ $< $(TEST_SRC_REF) $(TEST_CLANG_LIB) $(TEST_LIBS)

test-bins: $(TEST_BINS)

test: $(TEST_BINS) $(BUILD)/libcirmem.so
	$(call run_tests,$(TEST_BINS),)
	@$(MAKE) --no-print-directory test-oracle

# cirmem_read_utf8() in the shared library against CPython's decoder
# (tests/utf8_oracle.py, no C code of the project in the oracle).
test-oracle: $(BUILD)/libcirmem.so
	timeout $(TEST_TIMEOUT) python3 tests/utf8_oracle.py --lib $(BUILD)/libcirmem.so

test-asan: $(TEST_ASAN_BINS)
	$(call run_tests,$(TEST_ASAN_BINS),env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 )

test-valgrind: $(TEST_BINS)
	$(call run_tests,$(TEST_BINS),$(VALGRIND) )

test-clang: $(TEST_CLANG_BINS)
	$(call run_tests,$(TEST_CLANG_BINS),)

TEST_M32_USER_BINS := $(TEST_NAMES:%=$(TEST_DIR)/m32-user/%)
$(TEST_DIR)/m32-user/%: tests/%.c $(TEST_SRC_REF) $(CORE_SRC) $(TEST_HDRS) | $(TEST_DIR)/m32-user
	$(CC) -m32 $(TEST_CFLAGS) -fsanitize=undefined -fno-sanitize-recover=all \
	  -o $@ $< $(TEST_SRC_REF) $(CORE_SRC) $(TEST_LIBS)

# The binary must really be 32-bit: a silent 64-bit build would pass.
test-m32:
	@if [ -z "$(I386_RUN)" ]; then \
	  $(MAKE) --no-print-directory test-m32-run M32_BINS="$(TEST_M32_BINS)" \
	    M32_ENV="env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 "; \
	else \
	  echo "test-m32: this kernel cannot run i386 binaries: UBSan build under qemu-i386-static"; \
	  $(MAKE) --no-print-directory test-m32-run M32_BINS="$(TEST_M32_USER_BINS)" \
	    M32_ENV="env UBSAN_OPTIONS=print_stacktrace=1 qemu-i386-static "; \
	fi

test-m32-run: $(M32_BINS)
	@for b in $(M32_BINS); do file -L $$b | grep -q 'ELF 32-bit.*80386' || \
	  { echo "test-m32: $$b is not an i386 binary"; exit 1; }; done
	$(call run_tests,$(M32_BINS),$(M32_ENV))

# Unit-test coverage: clang source-based coverage, -O0, one profile per
# binary, merged; the gate is tests/cov_gate.py with the allowlist.
TEST_COV_BINS := $(TEST_NAMES:%=$(TEST_DIR)/cov/%)
LLVM_PROFDATA ?= llvm-profdata-14
LLVM_COV ?= llvm-cov-14
$(TEST_DIR)/cov/%: tests/%.c $(TEST_SRC_REF) $(CORE_SRC) $(TEST_HDRS) | $(TEST_DIR)/cov
	$(CLANG) $(CSTD) -O0 -g -Icore -Ispec -Itests -fprofile-instr-generate \
	  -fcoverage-mapping -o $@ $< $(TEST_SRC_REF) $(CORE_SRC) $(TEST_LIBS)

test-cov: $(TEST_COV_BINS) tests/cov_gate.py tests/coverage-allowlist.txt
	@rm -f $(TEST_DIR)/cov/*.profraw
	@set -e; for t in $(TEST_COV_BINS); do \
	  LLVM_PROFILE_FILE=$$t.profraw timeout $(TEST_TIMEOUT) $$t >$$t.log 2>&1 || \
	    { tail -20 $$t.log; echo "test-cov: $$t failed"; exit 1; }; done
	$(LLVM_PROFDATA) merge -sparse $(TEST_COV_BINS:%=%.profraw) -o $(TEST_DIR)/cov/all.profdata
	$(LLVM_COV) export -format=lcov -instr-profile=$(TEST_DIR)/cov/all.profdata \
	  $(firstword $(TEST_COV_BINS)) $(patsubst %,-object %,$(wordlist 2,9,$(TEST_COV_BINS))) \
	  $(CORE_SRC) > $(TEST_DIR)/cov/core.lcov
	python3 tests/cov_gate.py test-cov $(TEST_DIR)/cov/core.lcov tests/coverage-allowlist.txt $(CORE_SRC)
