# SPDX-License-Identifier: MIT
# Micro-benchmarks of the core (see bench/bench.c for the method).
#   make bench-build   build build/bench/cirmem_bench (a `make check` gate,
#                      so the benchmarks keep compiling; nothing is timed)
#   make bench         `make deps`, then bench-run
#   make bench-run     build, run (measured: 41 s at load ~0.8, 70 s at
#                      load 2.5-3, 93 s at load 5, as preempted repetitions
#                      are re-run), write the table to stdout and
#                      build/bench/results.txt, CSV files
#                      build/bench/{ring,full,utf8}.csv, the plot
#                      build/bench/throughput.png and a Markdown section
#                      build/bench/RESULTS-section.md for bench/RESULTS.md.
#   make bench-placement  the 4 KiB ring's 1 B and 64 B cells, once per
#                      function alignment (bench/placement.sh): how much
#                      code placement alone moves them.  Table in
#                      build/bench/placement/placement.txt.
#   make bench-pairs PAIRS_BASE=DIR [PAIRS_CHUNK=N] [PAIRS_CAP=N]
#                      [PAIRS_MODE=full]  core/ of the tree in DIR (A,
#                      e.g. a `git worktree` of an older commit) against
#                      this tree's (B), minimum ns per write+read pair (or,
#                      with PAIRS_MODE=full, per OVERWRITE write into a
#                      full ring) over 8 code placements (bench/pairs.sh);
#                      for changes of a cycle or two.
#   make bench-ablate ABLATE=VARIANT [PAIRS_CHUNK=N] [PAIRS_MODE=full]
#                      the same, with B = this core with one piece of
#                      bookkeeping removed (bench/ablate.sh lists them):
#                      what that piece costs.
#   make bench-qemu    `make deps`, `make qemu`, then bench-qemu-run
#   make bench-qemu-run  end to end, Debian's stock qemu-system-x86_64
#                      ($(QEMU_STOCK)) next to the glued one ($(QEMU_BIN)):
#                      ringbuf-read, serial throughput, memory
#                      (bench/qemu/bench_qemu.py; table on stdout, CSV and
#                      RESULTS-qemu-section.md in build/bench/qemu/).
# BENCH_ARGS passes options, e.g. BENCH_ARGS='--cpu 0 --reps 9';
# BENCH_QEMU_ARGS those of bench_qemu.py, e.g. BENCH_QEMU_ARGS=--quick.
# The benchmark objects use the shipped library's flags ($(CFLAGS_LIB))
# and link the shipped static library.

BENCH_DIR := $(BUILD)/bench
BENCH_BIN := $(BENCH_DIR)/cirmem_bench
BENCH_OBJS := $(BENCH_DIR)/bench.o $(BENCH_DIR)/byteloop.o
BENCH_ARGS ?=
BENCH_TIMEOUT ?= 300
# glib's headers are not ours: -isystem keeps -Werror to our own code.
BENCH_GLIB_CFLAGS = $$(pkg-config --cflags glib-2.0 | sed 's/-I/-isystem /g')
BENCH_GLIB_LIBS = $$(pkg-config --libs glib-2.0)

DEPS_PACKAGES += libglib2.0-dev gnuplot-nox pkg-config coreutils
CHECK_TARGETS += bench-build

BENCH_QEMU_DIR := $(BENCH_DIR)/qemu
BENCH_QEMU_ARGS ?=
BENCH_QEMU_TIMEOUT ?= 900
# bench-build checks that these still compile (nothing is run)
BENCH_QEMU_BUILT := $(BENCH_DIR)/bench_qemu.pyc $(BENCH_DIR)/qemu-guest.bin

.PHONY: bench bench-build bench-run bench-placement bench-pairs bench-ablate \
	bench-qemu bench-qemu-run

$(BENCH_DIR):
	mkdir -p $@

$(BENCH_DIR)/byteloop.o: bench/byteloop.c bench/byteloop.h | $(BENCH_DIR)
	$(CC) $(CFLAGS_LIB) $(CFLAGS) -c $< -o $@

$(BENCH_DIR)/bench.o: bench/bench.c bench/byteloop.h core/cirmem.h | $(BENCH_DIR)
	$(CC) $(CFLAGS_LIB) $(CFLAGS) $(BENCH_GLIB_CFLAGS) -c $< -o $@

$(BENCH_BIN): $(BENCH_OBJS) $(BUILD)/libcirmem.a
	$(CC) $(CFLAGS_LIB) $(CFLAGS) -o $@ $(BENCH_OBJS) $(BUILD)/libcirmem.a \
	  $(BENCH_GLIB_LIBS)

$(BENCH_DIR)/bench_qemu.pyc: bench/qemu/bench_qemu.py | $(BENCH_DIR)
	python3 -c 'import py_compile, sys; \
	  py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' \
	  $< $@

$(BENCH_DIR)/qemu-guest.bin: bench/qemu/guest.S | $(BENCH_DIR)
	as --32 -o $(BENCH_DIR)/qemu-guest.o $<
	objcopy -O binary $(BENCH_DIR)/qemu-guest.o $@
	@test "$$(stat -c %s $@)" = 65536 || { echo "$@: not 64 KiB"; exit 1; }

$(BENCH_DIR)/pairs.o: bench/pairs.c bench/byteloop.h core/cirmem.h \
                      | $(BENCH_DIR)
	$(CC) $(CFLAGS_LIB) $(CFLAGS) -c $< -o $@

bench-build: $(BENCH_BIN) $(BENCH_QEMU_BUILT) $(BENCH_DIR)/pairs.o
	sh -n bench/placement.sh
	sh -n bench/pairs.sh
	sh bench/ablate.sh --check $(BENCH_DIR)/ablate-check "$(CC)" \
	  "$(CFLAGS_LIB) $(CFLAGS)"

# Like `make demo`: install what is missing first (glib, gnuplot).
bench: deps
	$(MAKE) --no-print-directory bench-run

bench-run: $(BENCH_BIN)
	@rm -f $(BENCH_DIR)/rc
	{ timeout $(BENCH_TIMEOUT) $(BENCH_BIN) --out $(BENCH_DIR) $(BENCH_ARGS); \
	  echo $$? > $(BENCH_DIR)/rc; } | tee $(BENCH_DIR)/results.txt
	@rc=$$(cat $(BENCH_DIR)/rc); rm -f $(BENCH_DIR)/rc; \
	  if [ "$$rc" != 0 ]; then echo "cirmem_bench failed ($$rc)"; exit 1; fi
	gnuplot -e "dir='$(BENCH_DIR)'" bench/plot.gp
	@echo "plot: $(BENCH_DIR)/throughput.png"

PAIRS_BASE ?= .
PAIRS_CHUNK ?= 1
PAIRS_CAP ?= 4096
PAIRS_MODE ?= pairs
bench-pairs:
	sh bench/pairs.sh $(BENCH_DIR)/pairs "$(CC)" "$(CFLAGS_LIB) $(CFLAGS)" \
	  $(PAIRS_BASE) . $(PAIRS_CHUNK) $(PAIRS_CAP) 100 $(PAIRS_MODE)

ABLATE ?= no-read-count
bench-ablate:
	sh bench/ablate.sh $(BENCH_DIR)/ablate "$(CC)" "$(CFLAGS_LIB) $(CFLAGS)" \
	  $(ABLATE) $(PAIRS_CHUNK) $(PAIRS_CAP) 100 $(PAIRS_MODE)

bench-placement: $(BENCH_BIN)
	sh bench/placement.sh $(BENCH_DIR)/placement "$(CC)" \
	  "$(CFLAGS_LIB) $(CFLAGS)" $(BENCH_ARGS)

# QEMU_BIN and QEMU_STOCK come from qemu-glue/qemu.mk (included after this
# file: fine, recipes expand them when they run).
bench-qemu: deps
	$(MAKE) --no-print-directory qemu
	$(MAKE) --no-print-directory bench-qemu-run

bench-qemu-run: $(BENCH_QEMU_BUILT)
	@mkdir -p $(BENCH_QEMU_DIR)
	QEMU_BIN=$(QEMU_BIN) QEMU_STOCK=$(QEMU_STOCK) \
	  timeout $(BENCH_QEMU_TIMEOUT) python3 bench/qemu/bench_qemu.py \
	  --out $(BENCH_QEMU_DIR) $(BENCH_QEMU_ARGS)
