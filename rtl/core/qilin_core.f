// File list for qilin_core, the NPU core top (Verilator -f format; paths from the repo root).
// lint-config: -GDim=8 -GColsPerStage=2 -GSpRows=1024 -GAccRows=256
// lint-config: -GDim=16 -GColsPerStage=4 -GSpRows=16384 -GAccRows=1024
// lint-config: -GDim=8 -GColsPerStage=2 -GSpRows=1024 -GAccRows=256 -GExMaxInflight=2
-Irtl/common
rtl/common/common.vlt
rtl/csr/csr.vlt
rtl/dma/dma.vlt
rtl/post/post.vlt
rtl/common/qilin_pkg.sv
rtl/common/qilin_axi_pkg.sv
rtl/core/qilin_isa_pkg.sv
rtl/core/qilin_core_pkg.sv
rtl/dma/qilin_dma_pkg.sv
rtl/post/qilin_post_pkg.sv
rtl/csr/qilin_csr_pkg.sv
rtl/common/qilin_delay.sv
rtl/common/qilin_keep_copies.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/common/qilin_skid.sv
rtl/common/qilin_rr_arb.sv
rtl/common/qilin_rr_pri.sv
rtl/common/qilin_sram.sv
rtl/common/qilin_banked_mem.sv
rtl/common/qilin_axi_mux.sv
rtl/csr/qilin_csr.sv
rtl/core/qilin_cmd_proc.sv
rtl/dma/qilin_dma_check.sv
rtl/dma/qilin_dma_bursts.sv
rtl/dma/qilin_dma_rd.sv
rtl/dma/qilin_dma_wr.sv
rtl/array/qilin_pe.sv
rtl/array/qilin_array.sv
rtl/core/qilin_ex_matmul.sv
rtl/post/qilin_requant_lane.sv
rtl/post/qilin_requant.sv
rtl/core/qilin_ex_post.sv
rtl/core/qilin_acc_mem.sv
rtl/core/qilin_dma_issue.sv
rtl/core/qilin_ld_unit.sv
rtl/core/qilin_st_unit.sv
rtl/core/qilin_ex_unit.sv
rtl/core/qilin_core.sv
