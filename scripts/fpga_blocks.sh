#!/usr/bin/env bash
# `make fpga-blocks`: out-of-context ECP5 Fmax of every block of qilin_fpga_top at the FPGA
# configuration (Dim 8, ColsPerStage 2, SpRows 4096, AccRows 1024), one scripts/fpga_ooc.sh
# run per block (about a minute each). A block below the target shows its critical-path
# source lines. Prints and writes build/fpga-ooc/blocks.md. This is the quick loop for timing
# work; the whole-chip figure comes from `make fpga` (routing between blocks adds delay, so
# keep blocks above the target with some margin).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
list=rtl/fpga/qilin_fpga_top.f   # every RTL file the FPGA top uses
blocks=(
  "qilin_cmd_proc -set Dim 8 -set SpRows 4096 -set AccRows 1024"
  "qilin_csr"
  "qilin_ld_unit"
  "qilin_st_unit"
  "qilin_ex_unit -set Dim 8"
  "qilin_dma_rd -set Dim 8 -set SpAddrW 12 -set AccAddrW 10"
  "qilin_dma_wr -set Dim 8 -set SpAddrW 12"
  "qilin_banked_mem -set Width 64 -set Rows 4096 -set NumBanks 2 -set NumRd 3 -set NumWr 2"
  "qilin_acc_mem -set Dim 8 -set Rows 1024 -set NumBanks 2"
  "qilin_array -set NumRows 8 -set NumCols 8 -set ColsPerStage 2"
  "qilin_ex_matmul -set Dim 8 -set ColsPerStage 2"
  "qilin_requant -set Lanes 8"
  "qilin_ex_post -set Dim 8 -set AccAddrW 10 -set SpAddrW 12"
  "qilin_axi_mux -set NumMasters 3"
  "qilin_axi_bram"
  "qilin_uart_bridge"
)
out=build/fpga-ooc
mkdir -p "$out"
{
  echo "# Out-of-context ECP5 Fmax per block (LFE5U-85F speed 6, target ${FPGA_FREQ:-100} MHz)"
  echo
  echo "| Block | Parameters | Fmax (MHz) |"
  echo "|---|---|---|"
} > "$out/blocks.md"
for b in "${blocks[@]}"; do
  read -r top params <<<"$b"
  # shellcheck disable=SC2086  # params are words
  res=$(scripts/fpga_ooc.sh "$list" "$top" $params || true)
  echo "$res"
  fmax=$(sed -n '1s/.*: \([0-9.]*\) MHz.*/\1/p' <<<"$res")
  echo "| $top | ${params:-defaults} | ${fmax:-failed} |" >> "$out/blocks.md"
done
cat "$out/blocks.md"
