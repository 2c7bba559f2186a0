// File list for qilin_banked_mem (paths from the repo root).
// lint-config: -GNumBanks=4 -GNumRd=3 -GNumWr=2
// lint-config: -GNumBanks=1 -GNumRd=1 -GNumWr=1
-Irtl/common
rtl/common/qilin_rr_arb.sv
rtl/common/qilin_rr_pri.sv
rtl/common/qilin_sram.sv
rtl/common/qilin_delay.sv
rtl/common/qilin_banked_mem.sv
