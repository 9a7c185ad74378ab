# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU 10.0 with the ringbuf chardev backed by cirmem.
#
#   make qemu        fetch QEMU 10.0.x's source (QEMU_SRC=dir, else
#                    Debian 13's `apt-get source qemu/trixie`), `git am`
#                    the series qemu-glue/patches/ onto it, build
#                    qemu-system-x86_64 + test-char + the ringbuf qtest
#   make qemu-check  checkpatch, the series carries core/ as it is,
#                    test-char, the ringbuf qtest, stock-vs-fixed
#                    comparison, a Linux boot on a ringbuf serial, the
#                    guest's shells through memchar and HMP console
#   make qemu-series-check  every prefix of the series: git am, build,
#                    test-char and the qtest (slow: not in make check)
#   make qemu-fuzz [FUZZ_SECONDS=N]  the series' fuzz target,
#                    ringbuf-qmp-fuzz, under libFuzzer with ASan+UBSan
#                    (a second build, clang, in build/qemu/obj-fuzz)
#   make qemu-fuzz-regress  replay the seeds and past crashes (CI)
#   make qemu-san-check  the qtest and the Linux boot on that ASan+UBSan
#                    build (CI)
#
# QEMU's source is never committed; it lands in build/qemu-src/ and the
# git work tree (tag pristine + branch cirmem) plus objects in
# build/qemu/ (see qemu-glue/README.md).

QEMU_SRC ?=
QEMU_DIR := $(BUILD)/qemu
QEMU_WORK := $(QEMU_DIR)/src
QEMU_OBJ := $(QEMU_DIR)/obj
QEMU_PRISTINE := $(BUILD)/qemu-src/$(if $(QEMU_SRC),user,debian)
QEMU_JOBS ?= 2
QEMU_NICE ?= nice -n 10
# ccache keeps a rebuilt tree (new clone, make clean) fast
QEMU_CCACHE_DIR ?= $(abspath $(QEMU_DIR))/ccache
# Debian's python3 (where meson@bpo lives), not one first on PATH
QEMU_PYTHON ?= /usr/bin/python3
QEMU_CONFIGURE_ARGS := --python=$(QEMU_PYTHON) \
	--target-list=x86_64-softmmu --without-default-features \
	--disable-docs --disable-werror --disable-install-blobs
QEMU_TARGETS ?= qemu-system-x86_64 tests/unit/test-char \
	tests/qtest/ringbuf-test
QEMU_BIN := $(QEMU_OBJ)/qemu-system-x86_64
QEMU_STOCK ?= /usr/bin/qemu-system-x86_64
QEMU_INITRAMFS := $(QEMU_DIR)/initramfs.cpio.gz
QEMU_FIRMWARE = $(wildcard /usr/share/seabios/*.bin /usr/share/qemu/*.bin \
	/usr/share/qemu/*.rom /usr/lib/ipxe/qemu/*.rom)
# Debian's source has no firmware blobs: link the installed ones
# (qemu-system-x86 brings seabios, ipxe-qemu, qemu-system-data) into the
# data directory of build dir $(1).
define link_firmware
	@d=$$(find $(1)/qemu-bundle -type d -path '*/share/qemu' | head -n 1); \
	[ -n "$$d" ] || { echo "qemu: no qemu-bundle in $(1)"; exit 1; }; \
	for f in $(QEMU_FIRMWARE); do [ -f "$$f" ] || continue; \
	  b=$$d/$$(basename "$$f"); [ -e "$$b" ] || ln -s "$$f" "$$b"; done
endef

DEPS_PACKAGES += ninja-build meson@bpo libglib2.0-dev libpixman-1-dev \
	libfdt-dev zlib1g-dev python3-venv flex bison ccache dpkg-dev patch \
	perl qemu-system-x86@bpo linux-image-amd64 busybox-static cpio gzip

CHECK_TARGETS += qemu-check

.PHONY: qemu qemu-src qemu-check qemu-clean qemu-series-check qemu-tree \
	qemu-build qemu-fuzz qemu-fuzz-build qemu-fuzz-regress qemu-san-check

qemu-src:
	@sh qemu-glue/fetch-src.sh $(QEMU_PRISTINE) $(QEMU_SRC)

qemu: qemu-src
	@sh qemu-glue/worktree.sh $(QEMU_PRISTINE) $(QEMU_WORK) qemu-glue/patches
	@$(MAKE) --no-print-directory qemu-build

qemu-build:
	@mkdir -p $(QEMU_OBJ)
	@if [ "$$(cat $(QEMU_OBJ)/.cirmem-configured 2>/dev/null)" != \
	      "$(QEMU_CONFIGURE_ARGS)" ]; then \
	  echo "qemu: configure $(QEMU_CONFIGURE_ARGS)"; \
	  rm -f $(QEMU_OBJ)/.cirmem-configured; \
	  (cd $(QEMU_OBJ) && CC="ccache gcc" CCACHE_DIR=$(QEMU_CCACHE_DIR) \
	     $(QEMU_NICE) \
	     ../src/configure $(QEMU_CONFIGURE_ARGS) > ../configure.log 2>&1) || \
	    { tail -30 $(QEMU_DIR)/configure.log; exit 1; }; \
	  echo "$(QEMU_CONFIGURE_ARGS)" > $(QEMU_OBJ)/.cirmem-configured; \
	fi
	@echo "qemu: ninja -j$(QEMU_JOBS) $(QEMU_TARGETS)"
	@cd $(QEMU_OBJ) && CCACHE_DIR=$(QEMU_CCACHE_DIR) \
	  timeout 3600 $(QEMU_NICE) ninja -j$(QEMU_JOBS) \
	  $(QEMU_TARGETS) > ../ninja.log 2>&1 || \
	  { grep -B2 -A12 -m5 'error\|FAILED' ../ninja.log | cut -c1-300 | head -80; exit 1; }
	@grep -c 'Compiling\|Linking' $(QEMU_DIR)/ninja.log | \
	  sed 's/^/qemu: build steps run: /'
	$(call link_firmware,$(QEMU_OBJ))

$(QEMU_INITRAMFS): qemu-glue/tests/mkinitramfs.sh qemu-glue/tests/init.sh
	@mkdir -p $(QEMU_DIR)
	sh qemu-glue/tests/mkinitramfs.sh qemu-glue/tests/init.sh $@

qemu-check: qemu $(QEMU_INITRAMFS)
	@sh qemu-glue/tests/run-checks.sh $(QEMU_WORK) $(QEMU_OBJ) \
	  $(QEMU_STOCK) $(QEMU_INITRAMFS) $(QEMU_DIR)/check

# The Linux guest on a small ring, driven over QMP (see qemu-glue/demo/).
QEMU_KERNEL = $$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
.PHONY: demo console
demo: deps
	@$(MAKE) --no-print-directory qemu $(QEMU_INITRAMFS)
	@PYTHONPATH=qemu-glue/tests python3 qemu-glue/demo/demo.py \
	  $(QEMU_BIN) $(QEMU_KERNEL) $(QEMU_INITRAMFS) $(QEMU_DIR)/demo

# The same guest with the human monitor on this terminal.
console: deps
	@$(MAKE) --no-print-directory qemu $(QEMU_INITRAMFS)
	@sh qemu-glue/demo/console.sh $(QEMU_BIN) $(QEMU_KERNEL) \
	  $(QEMU_INITRAMFS)

# Every prefix of the series builds and passes test-char and the qtest
# (from the patch that adds it); ends with the whole series applied.
# SERIES_FROM=N starts at the prefix of N patches.
SERIES_FROM ?= 1
qemu-series-check: qemu-src
	@set -e; n=$$(ls qemu-glue/patches/[0-9]*.patch | grep -vc cover-letter); \
	for i in $$(seq $(SERIES_FROM) $$n); do \
	  echo "==== qemu-series-check: patches 1..$$i of $$n"; \
	  sh qemu-glue/worktree.sh $(QEMU_PRISTINE) $(QEMU_WORK) \
	    qemu-glue/patches $$i; \
	  $(MAKE) --no-print-directory qemu-build \
	    QEMU_TARGETS="qemu-system-x86_64 tests/unit/test-char \
	    $$(test -f $(QEMU_WORK)/tests/qtest/ringbuf-test.c && \
	       echo tests/qtest/ringbuf-test)"; \
	  timeout 300 $(QEMU_OBJ)/tests/unit/test-char --tap > \
	    $(QEMU_DIR)/series-test-char.tap 2>&1 || \
	    { tail $(QEMU_DIR)/series-test-char.tap; exit 1; }; \
	  echo "patch $$i: test-char $$(grep -c '^ok' $(QEMU_DIR)/series-test-char.tap) passed"; \
	  if [ -f $(QEMU_WORK)/tests/qtest/ringbuf-test.c ]; then \
	    QTEST_QEMU_BINARY=$(QEMU_BIN) timeout 600 \
	      $(QEMU_OBJ)/tests/qtest/ringbuf-test --tap > \
	      $(QEMU_DIR)/series-qtest.tap 2>&1 || \
	      { grep -v '^# starting' $(QEMU_DIR)/series-qtest.tap | tail; exit 1; }; \
	    echo "patch $$i: ringbuf-test $$(grep -c '^ok' $(QEMU_DIR)/series-qtest.tap) passed"; \
	  fi; \
	done; \
	sh qemu-glue/worktree.sh $(QEMU_PRISTINE) $(QEMU_WORK) qemu-glue/patches; \
	echo "qemu-series-check: prefixes $(SERIES_FROM)..$$n of $$n build and pass"

# The sanitizer and fuzzing build: clang's libFuzzer, ASan and UBSan on
# the same work tree (objects in $(QEMU_FUZZ_OBJ)).
QEMU_FUZZ_OBJ := $(QEMU_DIR)/obj-fuzz
QEMU_FUZZ_BIN := $(QEMU_FUZZ_OBJ)/qemu-fuzz-x86_64
QEMU_FUZZ_CONFIGURE_ARGS := $(QEMU_CONFIGURE_ARGS) --enable-fuzzing \
	--enable-asan --enable-ubsan
QEMU_FUZZ_DIR := $(QEMU_DIR)/fuzz
QEMU_FUZZ_SEEDS := qemu-glue/fuzz/corpus
QEMU_FUZZ_REGRESSIONS := qemu-glue/fuzz/regressions
# No RSS/malloc limit: libFuzzer would report a refused g_try_malloc()
# of a huge ring as a crash, while refusing it is the behaviour under
# test; the target's own allocations are bounded by the ring sizes.
QEMU_FUZZ_FLAGS := -dict=qemu-glue/fuzz/ringbuf.dict -timeout=30 \
	-rss_limit_mb=0 -max_len=4096
# QEMU keeps some allocations until exit: leak reports would be noise.
# g_try_malloc() relies on malloc returning NULL for impossible sizes.
QEMU_SAN_ENV := \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

qemu-fuzz-build: qemu
	@mkdir -p $(QEMU_FUZZ_OBJ)
	@if [ "$$(cat $(QEMU_FUZZ_OBJ)/.cirmem-configured 2>/dev/null)" != \
	      "$(QEMU_FUZZ_CONFIGURE_ARGS)" ]; then \
	  echo "qemu-fuzz: configure $(QEMU_FUZZ_CONFIGURE_ARGS)"; \
	  rm -rf $(QEMU_FUZZ_OBJ) && mkdir -p $(QEMU_FUZZ_OBJ) && \
	  (cd $(QEMU_FUZZ_OBJ) && CC="ccache clang-14" CXX="ccache clang++-14" \
	     CCACHE_DIR=$(QEMU_CCACHE_DIR) $(QEMU_NICE) ../src/configure \
	     $(QEMU_FUZZ_CONFIGURE_ARGS) > ../configure-fuzz.log 2>&1) || \
	    { tail -30 $(QEMU_DIR)/configure-fuzz.log; exit 1; }; \
	  echo "$(QEMU_FUZZ_CONFIGURE_ARGS)" > $(QEMU_FUZZ_OBJ)/.cirmem-configured; \
	fi
	@echo "qemu-fuzz: ninja -j$(QEMU_JOBS) (ASan+UBSan, libFuzzer)"
	@cd $(QEMU_FUZZ_OBJ) && CCACHE_DIR=$(QEMU_CCACHE_DIR) \
	  timeout 5400 $(QEMU_NICE) ninja -j$(QEMU_JOBS) \
	  qemu-fuzz-x86_64 qemu-system-x86_64 tests/qtest/ringbuf-test \
	  > ../ninja-fuzz.log 2>&1 || \
	  { grep -B2 -A12 -m5 'error\|FAILED' ../ninja-fuzz.log | cut -c1-300 | head -80; exit 1; }
	$(call link_firmware,$(QEMU_FUZZ_OBJ))

# A campaign: the corpus grows in $(QEMU_FUZZ_DIR)/corpus, crashes land
# in $(QEMU_FUZZ_DIR)/crashes (copy each to qemu-glue/fuzz/regressions/
# once fixed).
qemu-fuzz: qemu-fuzz-build
	@mkdir -p $(QEMU_FUZZ_DIR)/corpus $(QEMU_FUZZ_DIR)/crashes
	@echo "qemu-fuzz: $(FUZZ_SECONDS) s of ringbuf-qmp-fuzz (log: $(QEMU_FUZZ_DIR)/campaign.log)"
	@$(QEMU_SAN_ENV) timeout $$(( $(FUZZ_SECONDS) + 300 )) $(QEMU_NICE) \
	  $(QEMU_FUZZ_BIN) --fuzz-target=ringbuf-qmp-fuzz $(QEMU_FUZZ_FLAGS) \
	  -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=$(QEMU_FUZZ_DIR)/crashes/ $(QEMU_FUZZ_DIR)/corpus \
	  $(QEMU_FUZZ_SEEDS) > $(QEMU_FUZZ_DIR)/campaign.log 2>&1; rc=$$?; \
	grep -E '^#[0-9]+.*(INITED|DONE|pulse)|^stat::|ERROR|SUMMARY' \
	  $(QEMU_FUZZ_DIR)/campaign.log | tail -20; \
	ls $(QEMU_FUZZ_DIR)/crashes; exit $$rc

qemu-fuzz-regress: qemu-fuzz-build
	@set -e; for f in $(QEMU_FUZZ_SEEDS)/* $(wildcard $(QEMU_FUZZ_REGRESSIONS)/*); do \
	  [ -f "$$f" ] || continue; \
	  $(QEMU_SAN_ENV) timeout 120 $(QEMU_FUZZ_BIN) \
	    --fuzz-target=ringbuf-qmp-fuzz -rss_limit_mb=0 $$f \
	    > $(QEMU_DIR)/fuzz-replay.log 2>&1 || \
	    { tail -40 $(QEMU_DIR)/fuzz-replay.log; echo "FAILED: $$f"; exit 1; }; \
	  echo "replayed: $$f"; done; \
	echo "qemu-fuzz-regress: every seed and regression passes"

qemu-san-check: qemu-fuzz-build $(QEMU_INITRAMFS)
	@QTEST_QEMU_BINARY=$(QEMU_FUZZ_OBJ)/qemu-system-x86_64 $(QEMU_SAN_ENV) \
	  timeout 900 $(QEMU_FUZZ_OBJ)/tests/qtest/ringbuf-test --tap \
	  > $(QEMU_DIR)/san-qtest.tap 2>&1 || \
	  { grep -v '^# starting' $(QEMU_DIR)/san-qtest.tap | tail -40; exit 1; }
	@echo "qemu-san-check: ringbuf-test $$(grep -c '^ok' $(QEMU_DIR)/san-qtest.tap) passed under ASan+UBSan"
	@rm -rf $(QEMU_DIR)/san-e2e
	@$(QEMU_SAN_ENV) CIRMEM_BOOT_TIMEOUT=600 PYTHONPATH=qemu-glue/tests \
	  CIRMEM_QEMU_STDERR_DIR=$(QEMU_DIR)/san-e2e/stderr \
	  timeout 1800 python3 qemu-glue/tests/e2e.py \
	  $(QEMU_FUZZ_OBJ)/qemu-system-x86_64 $(QEMU_KERNEL) $(QEMU_INITRAMFS) \
	  $(QEMU_DIR)/san-e2e
	@n=$$(ls $(QEMU_DIR)/san-e2e/stderr | wc -l); \
	if grep -l 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' $(QEMU_DIR)/san-e2e/stderr/*; \
	then echo "qemu-san-check: sanitizer reports above"; exit 1; fi; \
	echo "qemu-san-check: no sanitizer report in the stderr of $$n QEMU runs"

qemu-clean:
	rm -rf $(QEMU_DIR) $(BUILD)/qemu-src
