// File list for qilin_acc_mem (paths from the repo root).
// lint-config: -GDim=16 -GNumBanks=2
// lint-config: -GDim=8 -GNumBanks=1
-Irtl/common
rtl/common/qilin_sram.sv
rtl/core/qilin_acc_mem.sv
