// File list for qilin_cmd_proc (Verilator -f format; paths from the repo root).
// lint-config: -GDim=8 -GSpRows=1024 -GAccRows=256
// lint-config: -GDim=16 -GSpRows=16384 -GAccRows=1024 -GFetchBurst=4 -GFetchBursts=2
// lint-config: -GDim=64 -GSpRows=131072 -GAccRows=65536 -GFetchBurst=32 -GInsnQueueDepth=16 -GTokenDepth=32 -GUnitInflight=1
-Irtl/common
rtl/common/qilin_axi_pkg.sv
rtl/core/qilin_isa_pkg.sv
rtl/common/qilin_keep_copies.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/core/qilin_cmd_proc.sv
