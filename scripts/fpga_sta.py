#!/usr/bin/env python3
# Rough pre-route timing ranking of a synth_ecp5 JSON netlist (scripts/fpga_sta.sh).
# Fixed delays per cell (LUT4, carry, LUTRAM, DP16KD clock-to-out, MULT18X18D) plus a net
# delay that grows with fanout; no placement. Absolute numbers are only indicative (local
# logic is overestimated, long cross-chip nets underestimated); use it to rank paths and to
# see which register groups feed which, then confirm with nextpnr.
# Usage: fpga_sta.py <netlist.json> <top> [paths to print] [ns limit for the group table]
import json, collections, sys, math, re
d = json.load(open(sys.argv[1]))
m = d['modules'][sys.argv[2] if len(sys.argv) > 2 else 'qilin_fpga_top']
NTOP = int(sys.argv[3]) if len(sys.argv) > 3 else 25
cells = m['cells']
bitname = {}
for nm, nn in m['netnames'].items():
    if nn.get('hide_name'): continue
    for i, b in enumerate(nn['bits']):
        if isinstance(b, str): continue
        label = nm + (f'[{i}]' if len(nn['bits']) > 1 else '')
        if b not in bitname or len(label) < len(bitname[b]): bitname[b] = label
drv = {}                      # bit -> (cell, port)
sinks = collections.defaultdict(list)
for n, c in cells.items():
    for p, bits in c['connections'].items():
        dirn = c['port_directions'].get(p, 'input')
        for b in bits:
            if isinstance(b, str): continue
            if dirn == 'output': drv[b] = (n, p)
            else: sinks[b].append((n, p))
def net_delay(b):
    if b in drv and drv[b][1] == 'COUT': return 0.0
    f = len(sinks[b])
    return 0.7 + 0.35 * math.log2(max(f, 1))
def regparam(c, key):
    v = c['parameters'].get(key, 'NONE')
    return v not in ('NONE', '')
# combinational arcs per type: output port prefix <- input ports, delay
def comb_arcs(n, c):
    t = c['type']; cn = c['connections']
    if t == 'LUT4': return [('Z', ['A','B','C','D'], 0.45)]
    if t == 'PFUMX': return [('Z', ['ALUT','BLUT','C0'], 0.25)]
    if t == 'L6MUX21': return [('Z', ['D0','D1','SD'], 0.3)]
    if t == 'CCU2C': return [('S0', ['A0','B0','C0','D0','CIN'], 0.5), ('S1', ['A0','B0','C0','D0','A1','B1','C1','D1','CIN'], 0.55),
                             ('COUT', ['A0','B0','C0','D0','A1','B1','C1','D1','CIN'], 0.12)]
    if t == 'TRELLIS_DPR16X4': return [('DO', ['RAD'], 0.6)]
    if t == 'MULT18X18D':
        if regparam(c, 'REG_INPUTA_CLK') or regparam(c, 'REG_OUTPUT_CLK'): return []
        return [('P', ['A','B','SIGNEDA','SIGNEDB'], 4.5)]
    return []
def clk_out(n, c, p):
    t = c['type']
    if t == 'TRELLIS_FF': return 0.55
    if t == 'DP16KD': return 4.3 if c['parameters'].get('REGMODE_A','NOREG') == 'NOREG' else 1.2
    if t == 'MULT18X18D':
        if regparam(c, 'REG_OUTPUT_CLK'): return 1.0
        if regparam(c, 'REG_INPUTA_CLK'): return 4.0
    return None
arcs = {n: comb_arcs(n, c) for n, c in cells.items()}
# arrival per bit, memoised DFS
arr = {}; pred = {}
sys.setrecursionlimit(1000000)
def bit_arr(b):
    if b in arr: return arr[b]
    if b not in drv: arr[b] = 0.0; pred[b] = None; return 0.0
    n, p = drv[b]; c = cells[n]
    arr[b] = 0.0; pred[b] = None   # loop guard
    best, bp = 0.0, None
    co = clk_out(n, c, p)
    if co is not None and not any(p.startswith(o) for o, _, _ in arcs[n]):
        best = co
    else:
        for o, ins, dl in arcs[n]:
            if not p.startswith(o): continue
            for ip in ins:
                for ib in c['connections'].get(ip, []):
                    if isinstance(ib, str): continue
                    a = bit_arr(ib) + net_delay(ib) + dl
                    if a > best: best, bp = a, ib
    arr[b] = best; pred[b] = bp
    return best
ends = []
for n, c in cells.items():
    t = c['type']
    if t in ('TRELLIS_FF',): ports = ['DI','M','CE','LSR'] ; setup = 0.2
    elif t == 'DP16KD': ports = [p for p in c['connections'] if p.startswith(('AD','DI','WE','CE','CS'))]; setup = 0.3
    elif t == 'TRELLIS_DPR16X4': ports = ['DI','WAD','WRE']; setup = 0.3
    elif t == 'MULT18X18D' and (regparam(c,'REG_INPUTA_CLK')): ports = ['A','B']; setup = 0.4
    else: continue
    for p in ports:
        if t == 'TRELLIS_FF' and p == 'LSR' and c['parameters'].get('SRMODE','') == 'ASYNC': continue
        for b in c['connections'].get(p, []):
            if isinstance(b, str): continue
            ends.append((bit_arr(b) + net_delay(b) + setup, n, p, b))
ends.sort(reverse=True)
def src(n):
    s = cells[n]['attributes'].get('src', '')
    if '/share/' in s or not s: return n[:110]
    s = s.split('|')[0]
    return re.sub(r'\.\d+-\d+\.\d+$', '', s).replace('rtl/', '')
seen = set(); shown = 0
hist = collections.Counter(int(e[0]) for e in ends)
print('endpoint arrival histogram (ns):', sorted(hist.items()))
for a, n, p, b in ends:
    key = (re.sub(r'\[\d+\]', '', bitname.get(b, n)),)
    if key in seen: continue
    seen.add(key); shown += 1
    path = []
    x = b
    while x is not None:
        if x in drv: path.append((drv[x][0], x))
        x = pred.get(x)
    path.reverse()
    qn = [bitname.get(q, '?') for q in cells[n]['connections'].get('Q', cells[n]['connections'].get('DOA', [])) if not isinstance(q, str)]
    print(f"\n{a:5.1f} ns -> END {qn[0] if qn else n} ({cells[n]['type']}.{p}, {len(path)} cells)")
    for pc, x in path:
        print(f"      {cells[pc]['type']:15s} {arr[x]:5.1f} fo={len(sinks[x]):<4d} {bitname.get(x, '?')[:120]}")
    if shown >= NTOP: break

# Summary: failing endpoints grouped by (start, end) register names, indices stripped.
def qname(cell):
    c = cells[cell]
    for port in ('Q', 'DOA', 'DOB', 'DO', 'P'):
        for q in c['connections'].get(port, []):
            if not isinstance(q, str) and q in bitname:
                return bitname[q]
    return cell
def norm(s):
    s = re.sub(r'\[\d+\]', '', s)
    s = re.sub(r'(_(DO|DI|Q|Z|LUT4|TRELLIS_FF|CCU2C|PFUMX|L6MUX21|A|B|C|D|S0|S1|COUT|CIN|CE|ALUT|BLUT|DOB\d+|DOA\d+|RAD|\d+))+$', '', s)
    s = re.sub(r'_(DO|DOB\d+|DOA\d+|DI)_.*$', '', s)
    return s
def rtlsrc(cell):
    s = cells[cell]['attributes'].get('src', '')
    s = s.split('|')[0]
    s = re.sub(r'\.\d+-\d+\.\d+$', '', s).replace('rtl/', '')
    if '/share/' in s or not s: s = norm(qname(cell))
    pre = '.'.join(cell.split('.')[:2]) if cells[cell]['type'] != 'TRELLIS_FF' else ''
    if cells[cell]['type'] == 'TRELLIS_FF':
        q = re.sub(r'\[\d+\]', '', qname(cell))
        q = re.split(r'_(?:DO|DI|LUT4|TRELLIS|CCU2C|PFUMX|L6MUX|MULT)', q)[0]
        return s.split('/')[-1] + ' ' + q
    return s + ' ' + cells[cell]['type']
LIMIT = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
groups = collections.defaultdict(list)
for a, n, p, b in ends:
    if a <= LIMIT: continue
    x = b; first = None
    while x is not None:
        if x in drv: first = drv[x][0]
        x = pred.get(x)
    st = rtlsrc(first) if first else '?'
    groups[(st, rtlsrc(n))].append(a)
# Optional 5th argument: list only groups whose start or end names contain it (e.g. a file).
FILTER = sys.argv[5] if len(sys.argv) > 5 else ''
print('\n=== failing endpoint groups (> %.1f ns): worst, count, start -> end' % LIMIT)
for (st, en), v in sorted(((k, v) for k, v in groups.items() if FILTER in k[0] + k[1]),
                          key=lambda kv: -max(kv[1]))[:150]:
    print(f"{max(v):5.1f} {len(v):5d}  {st[:80]}  ->  {en[:80]}")

# Summary per RTL file of the end register: where the work to reach the target lies.
files = collections.defaultdict(list)
for a, n, p, b in ends:
    if a <= LIMIT: continue
    files[rtlsrc(n).split(' ')[0].split(':')[0]].append(a)
print('\n=== failing endpoints per RTL file of the end register (> %.1f ns): count, worst' % LIMIT)
for f, v in sorted(files.items(), key=lambda kv: -len(kv[1])):
    print(f"{len(v):6d} {max(v):5.1f}  {f}")
