# SPDX-License-Identifier: MIT
# cirmem build.  `make` builds the library, `make check` runs every gate.
# Each subsystem lives in its own fragment (*/…mk) and adds itself to
# CHECK_TARGETS and DEPS_PACKAGES.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CLANG ?= clang-14
BUILD := build
VERSION := 0.1.0

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wconversion
CSTD := -std=c11
OPT ?= -O2
CFLAGS_LIB := $(CSTD) $(WARN) $(OPT) -g -fPIC -Icore -Ispec
CORE_SRC := core/cirmem.c core/cirmem_utf8.c
CORE_HDR := core/cirmem.h spec/cirmem_logic.h

# Debian packages the project needs (fragments add theirs).
DEPS_PACKAGES := build-essential pkg-config clang-14 libclang-rt-14-dev \
	llvm-14 libcmocka-dev valgrind frama-c-base why3 z3 cvc4 python3
CHECK_TARGETS :=

.PHONY: all lib deps check install clean
all: lib

lib: $(BUILD)/libcirmem.a $(BUILD)/libcirmem.so $(BUILD)/cirmem.pc

$(BUILD)/obj/%.o: core/%.c $(CORE_HDR) | $(BUILD)/obj
	$(CC) $(CFLAGS_LIB) $(CFLAGS) -c $< -o $@

$(BUILD)/libcirmem.a: $(CORE_SRC:core/%.c=$(BUILD)/obj/%.o)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libcirmem.so: $(CORE_SRC:core/%.c=$(BUILD)/obj/%.o)
	$(CC) -shared -Wl,-soname,libcirmem.so.0 -o $@ $^

# The .pc file records PREFIX, so it is rebuilt whenever PREFIX changes.
$(BUILD)/cirmem.pc: Makefile FORCE | $(BUILD)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
	  'includedir=$${prefix}/include' '' 'Name: cirmem' \
	  'Description: proved bounded byte ring for console streams' \
	  'Version: $(VERSION)' 'Libs: -L$${libdir} -lcirmem' \
	  'Cflags: -I$${includedir}' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

.PHONY: FORCE
FORCE:

$(BUILD) $(BUILD)/obj:
	mkdir -p $@

install: lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 $(BUILD)/libcirmem.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libcirmem.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 core/cirmem.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/cirmem.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

include tests/tests.mk
include proofs/proofs.mk
-include fuzz/fuzz.mk
-include bench/bench.mk
-include qemu-glue/qemu.mk

# Installs what is missing, nothing else; safe to run again.
deps:
	@sh .ci/deps.sh $(sort $(DEPS_PACKAGES))

check: deps
	$(MAKE) lib
	@set -e; for t in $(CHECK_TARGETS); do \
	  echo "==== make $$t"; $(MAKE) --no-print-directory $$t; done
	@echo "==== make check: all gates passed ($(CHECK_TARGETS))"

# A small demo of the core alone (`make demo`, the Linux guest on the
# glued QEMU, is in qemu-glue/qemu.mk).
$(BUILD)/demo/overrun: demo/overrun.c $(BUILD)/libcirmem.a
	mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT) -Icore -o $@ $< $(BUILD)/libcirmem.a

.PHONY: demo-core
demo-core: deps
	$(MAKE) --no-print-directory $(BUILD)/demo/overrun
	$(BUILD)/demo/overrun

clean:
	rm -rf $(BUILD)
