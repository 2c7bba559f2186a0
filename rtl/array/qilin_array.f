// File list for qilin_array (Verilator -f format; paths from the repo root).
// lint-config: -GNumRows=4 -GNumCols=4 -GColsPerStage=1
// lint-config: -GNumRows=8 -GNumCols=8 -GColsPerStage=2
// lint-config: -GNumRows=16 -GNumCols=16 -GColsPerStage=4
// lint-config: -GNumRows=32 -GNumCols=32 -GColsPerStage=4
-Irtl/common
rtl/common/qilin_pkg.sv
rtl/common/qilin_delay.sv
rtl/common/qilin_keep_copies.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/array/qilin_pe.sv
rtl/array/qilin_array.sv
