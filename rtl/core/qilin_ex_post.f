// File list for qilin_ex_post (Verilator -f format; paths from the repo root).
// lint-config: -GDim=8
// lint-config: -GDim=16
// lint-config: -GDim=4 -GAccAddrW=12 -GSpAddrW=14
-Irtl/common
rtl/common/qilin_pkg.sv
rtl/post/qilin_post_pkg.sv
rtl/core/qilin_isa_pkg.sv
rtl/common/qilin_delay.sv
rtl/common/qilin_keep_copies.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/common/qilin_skid.sv
rtl/post/qilin_requant_lane.sv
rtl/post/qilin_requant.sv
rtl/core/qilin_ex_post.sv
