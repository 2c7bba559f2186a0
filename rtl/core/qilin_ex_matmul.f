// File list for qilin_ex_matmul (paths from the repo root).
// lint-config: -GDim=8 -GColsPerStage=2
// lint-config: -GDim=16 -GColsPerStage=4
-Irtl/common
rtl/common/qilin_pkg.sv
rtl/core/qilin_core_pkg.sv
rtl/common/qilin_delay.sv
rtl/common/qilin_keep_copies.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/common/qilin_skid.sv
rtl/array/qilin_pe.sv
rtl/array/qilin_array.sv
rtl/core/qilin_ex_matmul.sv
