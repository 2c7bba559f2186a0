// Testbench top for the MATMUL path (not synthesized; linted by CMake's verilate).
-Irtl/common
rtl/common/qilin_pkg.sv
rtl/core/qilin_core_pkg.sv
rtl/common/qilin_delay.sv
rtl/common/qilin_keep_copies.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/common/qilin_skid.sv
rtl/common/qilin_rr_arb.sv
rtl/common/qilin_rr_pri.sv
rtl/common/qilin_sram.sv
rtl/common/qilin_banked_mem.sv
rtl/array/qilin_pe.sv
rtl/array/qilin_array.sv
rtl/core/qilin_acc_mem.sv
rtl/core/qilin_ex_matmul.sv
tb/core/qilin_ex_tb_top.sv
