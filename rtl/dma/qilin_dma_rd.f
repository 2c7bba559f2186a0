// File list for qilin_dma_rd (Verilator -f format; paths from the repo root).
// lint-config: -GDim=8 -GSpAddrW=12 -GAccAddrW=10
// lint-config: -GDim=16 -GSpAddrW=12 -GAccAddrW=10
// lint-config: -GDim=4 -GMaxBurstBeats=4 -GMaxOutstanding=2 -GRdBufBeats=8
// lint-config: -GDim=64 -GMaxBurstBeats=256 -GRdBufBeats=256
-Irtl/common
rtl/common/qilin_axi_pkg.sv
rtl/dma/qilin_dma_pkg.sv
rtl/common/qilin_keep_copies.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_mul18.sv
rtl/dma/qilin_dma_check.sv
rtl/dma/qilin_dma_bursts.sv
rtl/dma/qilin_dma_rd.sv
