// File list for hbm_ctrl_top (paths from the repo root).
// lint-config: -GNumPC=1
// lint-config: -GNumPC=2
// lint-config: -GNumPC=8 -GAddrMap=3
// lint-config: -GNumPC=2 -GTimingSel=2
// lint-config: -GNumPC=1 -GPerBankRefresh=1'b1
-Irtl/common
rtl/hbm/timing/hbm_timing_pkg.sv
rtl/common/qilin_axi_pkg.sv
rtl/common/qilin_fifo.sv
rtl/hbm/hbm_addr_map.sv
rtl/hbm/hbm_pc_ctrl.sv
rtl/hbm/hbm_axi_slave.sv
rtl/hbm/hbm_ctrl_top.sv
