// File list for qilin_axi_mux (paths from the repo root).
// lint-config: -GNumMasters=3
// lint-config: -GNumMasters=2
-Irtl/common
rtl/common/qilin_axi_pkg.sv
rtl/common/qilin_fifo.sv
rtl/common/qilin_rr_arb.sv
rtl/common/qilin_axi_mux.sv
