#!/usr/bin/env python3
# Ranks the endpoints of a routed ECP5 build by their arrival time, from nextpnr's
# `--report` JSON written with `--detailed-timing-report` (scripts/fpga_ecp5.sh asks for it).
# nextpnr prints one critical path per clock; this lists every register, RAM and DSP input
# that a clock target would fail, grouped by the RTL line of the end register (the Yosys
# netlist's src attribute), so a timing pass can start from routed figures instead of
# scripts/fpga_sta.py's estimate.
#
# Usage: fpga_endpoints.py <nextpnr report.json> <yosys netlist.json> [ns limit, default 10]
#        [endpoints to list, default 30] [paths to trace, default 0]
# With a trace count, the worst endpoints of that many different RTL lines are also traced
# back to their launching register: at each cell, the input that arrives last, with its
# arrival and RTL line (a path's start is what a fix has to change, and nextpnr names the
# cells after nets, which hides it).
# The arrival is from the launching clock edge to the endpoint pin (clock-to-out, logic and
# routing); the endpoint's setup time is not included.
import collections
import json
import re
import sys

if len(sys.argv) < 3:
    sys.exit("usage: fpga_endpoints.py <report.json> <netlist.json> [ns limit] [endpoints to list]")
try:
    report = json.load(open(sys.argv[1]))
    netlist = json.load(open(sys.argv[2]))
except (OSError, ValueError) as e:
    sys.exit(f"fpga_endpoints: cannot read input: {e}")
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
nlist = int(sys.argv[4]) if len(sys.argv) > 4 else 30
ntrace = int(sys.argv[5]) if len(sys.argv) > 5 else 0

nets = report.get("detailed_net_timings")
if not nets:
    sys.exit("fpga_endpoints: the report has no detailed_net_timings "
             "(run nextpnr with --detailed-timing-report)")

top = next((m for m in netlist["modules"].values()
            if m.get("attributes", {}).get("top")), None)
if top is None:
    sys.exit("fpga_endpoints: no top module in the netlist")
src_of = {}
for name, cell in top["cells"].items():
    src = cell.get("attributes", {}).get("src", "")
    m = re.search(r"([\w.]+\.sv):(\d+)", src)
    src_of[name] = f"{m.group(1)}:{m.group(2)}" if m else "?"


def cell_src(cell):
    # nextpnr's packer renames some cells (LUT RAM halves get "$DPRAM_COMB3" and the like);
    # the Yosys name is the part before the first '$' that nextpnr appended.
    base = cell.split("$")[0]
    for name in (cell, base):
        if src_of.get(name, "?") != "?":
            return src_of[name]
    # No src attribute (cells Yosys made, e.g. around LUT RAM): name the instance instead.
    inst = ".".join(base.split(".")[:-1])
    return f"?{inst}" if inst else "?"


ends = {}    # (cell, port) -> worst arrival, ns
inputs = collections.defaultdict(list)  # cell -> [(arrival, port, driver cell, driver port)]
for net in nets:
    for ep in net.get("endpoints", []):
        d = ep.get("delay", 0.0)
        d = float(max(d) if isinstance(d, list) else d)  # [min, max] arrival in nextpnr 0.7+
        key = (ep.get("cell", "?"), ep.get("port", "?"))
        ends[key] = max(ends.get(key, 0.0), d)
        inputs[key[0]].append((d, key[1], net.get("driver", "?"), net.get("port", "?")))
scale = 1000.0 if max(ends.values(), default=0.0) > 1000.0 else 1.0  # ps in some versions
ends = {k: v / scale for k, v in ends.items()}

over = {k: v for k, v in ends.items() if v >= limit}
print(f"endpoints: {len(ends)}; at or above {limit:g} ns: {len(over)}; "
      f"worst {max(ends.values(), default=0.0):.2f} ns")
hist = collections.Counter(int(v) for v in ends.values())
print("arrival histogram (ns: endpoints):",
      ", ".join(f"{b}: {hist[b]}" for b in sorted(hist)))

groups = collections.defaultdict(list)
files = collections.defaultdict(list)
for (cell, port), v in over.items():
    src = cell_src(cell)
    groups[src].append(v)
    files[src.split(":")[0] if not src.startswith("?") else src].append(v)

print(f"\n=== endpoints at or above {limit:g} ns per RTL file of the end cell: count, worst")
for f, vs in sorted(files.items(), key=lambda kv: -len(kv[1])):
    print(f"  {len(vs):6d}  {max(vs):5.2f}  {f}")
print(f"\n=== per RTL line of the end cell (always_ff or memory): count, worst")
for s, vs in sorted(groups.items(), key=lambda kv: -max(kv[1]))[:60]:
    print(f"  {len(vs):6d}  {max(vs):5.2f}  {s}")
print(f"\n=== worst {nlist} endpoints")
for (cell, port), v in sorted(over.items(), key=lambda kv: -kv[1])[:nlist]:
    print(f"  {v:5.2f}  {cell_src(cell):28s} {cell}.{port}")


def launches(port):
    # Outputs of registers: a slice flip-flop, a block RAM or DSP output (the arrival
    # there is the clock-to-output; nothing before it is on the path).
    return port == "Q" or re.fullmatch(r"DO[AB]?\d+|P\d+|Q[01]", port) is not None


if ntrace:
    print(f"\n=== worst path into each of the {ntrace} worst RTL lines, traced back "
          "(arrival at the cell's input, cell, RTL line)")
    seen = set()
    for (cell, port), v in sorted(over.items(), key=lambda kv: -kv[1]):
        src = cell_src(cell)
        if src in seen:
            continue
        seen.add(src)
        if len(seen) > ntrace:
            break
        print(f"  {v:5.2f}  {cell}.{port}  [{src}]")
        cur, hops = cell, 0
        while hops < 40:
            ins = inputs.get(cur)
            if not ins:
                break
            d, iport, drv, dport = max(ins)
            print(f"    {d / scale:5.2f}  <- {drv}.{dport}  [{cell_src(drv)}]")
            if launches(dport):
                break
            cur, hops = drv, hops + 1
