// Testbench top for POSTPROC (not synthesized; linted by CMake's verilate).
-Irtl/common
rtl/common/qilin_pkg.sv
rtl/post/qilin_post_pkg.sv
rtl/core/qilin_isa_pkg.sv
rtl/common/qilin_delay.sv
rtl/common/qilin_keep_copies.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/common/qilin_skid.sv
rtl/common/qilin_rr_arb.sv
rtl/common/qilin_sram.sv
rtl/common/qilin_banked_mem.sv
rtl/post/qilin_requant_lane.sv
rtl/post/qilin_requant.sv
rtl/core/qilin_acc_mem.sv
rtl/core/qilin_ex_post.sv
tb/post_unit/qilin_post_tb_top.sv
