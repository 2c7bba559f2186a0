// File list for qilin_requant (Verilator -f format; paths from the repo root).
// lint-config: -GLanes=1
// lint-config: -GLanes=4
// lint-config: -GLanes=16
-Irtl/common
rtl/common/qilin_pkg.sv
rtl/post/qilin_post_pkg.sv
rtl/common/qilin_delay.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/post/qilin_requant_lane.sv
rtl/post/qilin_requant.sv
