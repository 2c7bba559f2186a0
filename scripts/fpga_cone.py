#!/usr/bin/env python3
# Fan-in cone of one cell input in a synth_ecp5 JSON netlist: the registers, block RAMs,
# DSPs and LUT RAMs that launch the paths into it, each with the most LUT/carry levels on
# the way (the RTL line is the Yosys src attribute).
# nextpnr's routed report (fpga_endpoints.py) names each late endpoint, but it holds
# arrivals at register inputs only, so it cannot say where a path starts; this does, from
# the netlist that was placed (build/fpga/qilin_fpga_top.json of the same run).
#
# After the groups it prints the deepest path level by level, with the registers entering
# each level: cell names in the netlist are Yosys's, derived from neighbouring nets, so the
# RTL lines of those registers are what identify the path.
# Usage: fpga_cone.py <netlist.json> <cell name> [ports, comma-separated; default DI,CE,M,LSR]
import collections
import functools
import json
import re
import sys

sys.setrecursionlimit(100000)  # levels() recurses once per logic level

if len(sys.argv) < 3:
    sys.exit("usage: fpga_cone.py <netlist.json> <cell name> [ports]")
try:
    netlist = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    sys.exit(f"fpga_cone: cannot read netlist: {e}")
top = next((m for m in netlist["modules"].values() if m.get("attributes", {}).get("top")), None)
if top is None:
    sys.exit("fpga_cone: no top module in the netlist")
cells = top["cells"]
name = sys.argv[2]
if name not in cells:
    sys.exit(f"fpga_cone: no cell '{name}' in the netlist")
ports = sys.argv[3].split(",") if len(sys.argv) > 3 else ["DI", "CE", "M", "LSR"]

driver = {}  # bit -> (cell, output port)
for n, c in cells.items():
    for p, bits in c["connections"].items():
        if c["port_directions"].get(p) == "output":
            for b in bits:
                if not isinstance(b, str):
                    driver[b] = (n, p)

LAUNCH = ("TRELLIS_FF", "DP16KD", "MULT18X18D")
LEVEL = ("LUT4", "PFUMX", "L6MUX21", "CCU2C")


def src(n):
    m = re.search(r"([\w.]+\.sv):(\d+)", cells[n]["attributes"].get("src", ""))
    return f"{m.group(1)}:{m.group(2)}" if m else "?" + n.rsplit(".", 1)[0]


def cone(bit):
    # Iterative walk; each (cell, port) once per level count, keeping the deepest count per
    # start (starts: the distinct launching cells of each RTL line).
    starts, depth = collections.defaultdict(set), {}
    seen, todo = set(), [(bit, 0)]
    while todo:
        b, lv = todo.pop()
        if b not in driver or (driver[b], lv) in seen:
            continue
        seen.add((driver[b], lv))
        n, p = driver[b]
        t = cells[n]["type"]
        if t in LAUNCH or t == "TRELLIS_DPR16X4":
            # A LUT RAM's read is asynchronous: it is a start (its data) and its read
            # address is walked on.
            key = f"{'LUTRAM' if t == 'TRELLIS_DPR16X4' else t} {src(n)}"
            starts[key].add(n)
            depth[key] = max(depth.get(key, 0), lv)
            if t != "TRELLIS_DPR16X4":
                continue
            ins = ["RAD"]
        else:
            ins = [q for q, d in cells[n]["port_directions"].items() if d == "input"]
        nlv = lv + (1 if t in LEVEL else 0)
        for q in ins:
            for bb in cells[n]["connections"].get(q, []):
                if not isinstance(bb, str):
                    todo.append((bb, nlv))
    return starts, depth


@functools.lru_cache(maxsize=None)
def levels(b):
    # LUT/carry levels from the nearest launching cell to bit b, and the input bit on the
    # deepest side (None at a launching cell).
    if b not in driver or cells[driver[b][0]]["type"] not in LEVEL:
        return 0, None
    n = driver[b][0]
    best = (0, None)
    for q, d in cells[n]["port_directions"].items():
        if d != "input":
            continue
        for bb in cells[n]["connections"].get(q, []):
            if not isinstance(bb, str) and levels(bb)[0] >= best[0]:
                best = (levels(bb)[0], bb)
    return best[0] + 1, best[1]


def deepest_path(b):
    # The deepest path, from the end back to its launching cell; at each level the
    # registers that enter that cell directly (by RTL line), which is where a retiming
    # usually starts.
    while True:
        lv, nxt = levels(b)
        if nxt is None:
            if b in driver:
                print(f"      start     {cells[driver[b][0]]['type']:10s} {src(driver[b][0])}")
            return
        n = driver[b][0]
        side = sorted({src(driver[x][0]) for q, d in cells[n]["port_directions"].items()
                       if d == "input" for x in cells[n]["connections"].get(q, [])
                       if not isinstance(x, str) and x in driver and
                       cells[driver[x][0]]["type"] not in LEVEL})
        print(f"      level {lv:2d}  {cells[n]['type']:10s} {', '.join(side)}")
        b = nxt


print(f"{name}  [{src(name)}]")
for p in ports:
    for i, b in enumerate(cells[name]["connections"].get(p, [])):
        if isinstance(b, str):
            continue
        starts, depth = cone(b)
        print(f"  .{p}{i if len(cells[name]['connections'][p]) > 1 else ''}: "
              f"{len(starts)} launching groups")
        for k in sorted(starts, key=lambda k: -depth[k]):
            print(f"    levels <= {depth[k]:2d}  x{len(starts[k]):<4d} {k}")
        print("    deepest path (end first; registers entering each level):")
        deepest_path(b)
