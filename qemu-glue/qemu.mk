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

DEPS_PACKAGES += ninja-build meson@bpo libglib2.0-dev libpixman-1-dev \
	libfdt-dev zlib1g-dev python3-venv flex bison ccache dpkg-dev patch \
	perl qemu-system-x86@bpo linux-image-amd64 busybox-static cpio gzip

CHECK_TARGETS += qemu-check

.PHONY: qemu qemu-src qemu-check qemu-clean qemu-series-check qemu-tree \
	qemu-build

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
	@# Debian's source has no firmware blobs: use the installed ones
	@# (qemu-system-x86 brings seabios, ipxe-qemu, qemu-system-data).
	@d=$$(find $(QEMU_OBJ)/qemu-bundle -type d -path '*/share/qemu' | \
	  head -n 1); [ -n "$$d" ] || { echo "qemu: no qemu-bundle"; exit 1; }; \
	for f in $(QEMU_FIRMWARE); do [ -f "$$f" ] || continue; \
	  b=$$d/$$(basename "$$f"); [ -e "$$b" ] || ln -s "$$f" "$$b"; done

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
qemu-series-check: qemu-src
	@set -e; n=$$(ls qemu-glue/patches/[0-9]*.patch | grep -vc cover-letter); \
	for i in $$(seq 1 $$n); do \
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
	echo "qemu-series-check: $$n/$$n prefixes build and pass"

qemu-clean:
	rm -rf $(QEMU_DIR) $(BUILD)/qemu-src
