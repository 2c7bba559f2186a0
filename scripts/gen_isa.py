#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate the Qilin ISA package (SystemVerilog), C header and doc tables from one description.

Source:  isa/qilin_isa.json
Outputs: rtl/core/qilin_isa_pkg.sv   (package qilin_isa_pkg: plain localparams only)
         sw/include/qilin/isa.h      (C99/C++: constants, field accessors, encode/decode)
         docs/isa.md                 (only the regions between "<!-- gen_isa:begin NAME -->"
                                      and "<!-- gen_isa:end -->"; the prose is hand-written)

  python3 scripts/gen_isa.py          # (re)write the outputs
  python3 scripts/gen_isa.py --check  # exit 1 if an output on disk is stale

Python 3 standard library only.
"""

import argparse
import difflib
import json
import re
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = Path("isa/qilin_isa.json")
OUT_SV = Path("rtl/core/qilin_isa_pkg.sv")
OUT_H = Path("sw/include/qilin/isa.h")
OUT_MD = Path("docs/isa.md")

IDENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
UPPER_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
CAMEL_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
MAX_FIELD_W = 64  # C accessors move one field through a uint64_t

# The opcode field is fixed by the ISA itself: every decoder looks there first.
OPCODE_FIELD = {"name": "opcode", "lsb": 0, "width": 4, "doc": "instruction kind (op enum)"}
ENUM_PREFIX = {"op": "Op", "queue": "Queue", "mem": "Mem", "pool": "Pool", "err": "Err"}
REQUIRED_ENUMS = set(ENUM_PREFIX)


class IsaError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------------


def camel(snake):
    """LOAD -> Load, illegal_insn -> IllegalInsn, LD -> Ld."""
    return "".join(part.capitalize() for part in snake.lower().split("_"))


def upper_snake(camel_name):
    """MinInsnQueueDepth -> MIN_INSN_QUEUE_DEPTH, InsnW -> INSN_W."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel_name).upper()


def load(path):
    with open(path, encoding="utf-8") as f:
        isa = json.load(f)
    bits = isa["insn_bits"]
    if bits != 128:
        raise IsaError("insn_bits must be 128 (two 64-bit words)")

    for p in isa["params"]:
        if not CAMEL_RE.match(p["name"]) or not isinstance(p["value"], int):
            raise IsaError(f"param {p!r}: need an UpperCamelCase name and an int value")

    enums = {}
    for e in isa["enums"]:
        names, values = set(), set()
        for v in e["values"]:
            if not UPPER_RE.match(v["name"]):
                raise IsaError(f"enum {e['name']}: value name {v['name']!r} is not UPPER_SNAKE")
            if not 0 <= v["value"] < (1 << e["width"]):
                raise IsaError(f"enum {e['name']}.{v['name']} = {v['value']} exceeds {e['width']} bits")
            if v["name"] in names or v["value"] in values:
                raise IsaError(f"enum {e['name']}: duplicate {v['name']} / {v['value']}")
            names.add(v["name"])
            values.add(v["value"])
        enums[e["name"]] = e
    if set(enums) != REQUIRED_ENUMS:
        raise IsaError(f"enums must be exactly {sorted(REQUIRED_ENUMS)}")
    if enums["op"]["width"] != OPCODE_FIELD["width"]:
        raise IsaError("the op enum width must equal the opcode field width")
    if any(v["value"] == 0 for v in enums["op"]["values"]):
        raise IsaError("opcode 0 must stay illegal, so that zero-filled memory traps")

    op_names = [v["name"] for v in enums["op"]["values"]]
    queue_names = [v["name"] for v in enums["queue"]["values"]]
    insn_names = [i["name"] for i in isa["instructions"]]
    if insn_names != op_names:
        raise IsaError(f"instructions {insn_names} must match the op enum {op_names}, in order")

    for insn in isa["instructions"]:
        if insn["queue"] != "*" and insn["queue"] not in queue_names:
            raise IsaError(f"{insn['name']}: unknown queue {insn['queue']!r}")
        fields = all_fields(isa, insn)
        seen = set()
        used = 0
        for fld in fields:
            where = f"{insn['name']}.{fld['name']}"
            if not IDENT_RE.match(fld["name"]) or fld["name"] in seen:
                raise IsaError(f"{where}: bad or duplicate field name")
            seen.add(fld["name"])
            lsb, width = fld["lsb"], fld["width"]
            if not (1 <= width <= MAX_FIELD_W and 0 <= lsb and lsb + width <= bits):
                raise IsaError(f"{where}: bits [{lsb + width - 1}:{lsb}] outside the instruction")
            mask = ((1 << width) - 1) << lsb
            if used & mask:
                raise IsaError(f"{where}: overlaps another field")
            used |= mask
            if "enum" in fld:
                e = enums.get(fld["enum"])
                if e is None or e["width"] != width:
                    raise IsaError(f"{where}: enum {fld['enum']!r} missing or of another width")
        insn["_fields"] = fields
        insn["_reserved"] = ((1 << bits) - 1) & ~used
        insn["_opcode"] = next(v["value"] for v in enums["op"]["values"] if v["name"] == insn["name"])
    isa["_enums"] = enums
    return isa


def all_fields(isa, insn):
    """Every field of an instruction, opcode and token flags included, in bit order."""
    fields = [OPCODE_FIELD]
    if insn["deps"]:
        fields += isa["dep_fields"]
    fields += insn["fields"]
    return sorted(fields, key=lambda f: f["lsb"])


def bit_range(lsb, width):
    return f"[{lsb}]" if width == 1 else f"[{lsb + width - 1}:{lsb}]"


def reserved_ranges(mask, bits):
    """Maximal runs of set bits in mask, as (lsb, width), low to high."""
    runs, b = [], 0
    while b < bits:
        if mask >> b & 1:
            start = b
            while b < bits and mask >> b & 1:
                b += 1
            runs.append((start, b - start))
        else:
            b += 1
    return runs


LINE_MAX = 100


def with_comment(decl, doc, indent, open_c="//", close_c=""):
    """decl followed by a trailing comment, or, if that line would be too long, the comment
    wrapped on lines of its own above decl."""
    tail = f" {close_c}" if close_c else ""
    line = f"{indent}{decl}  {open_c} {doc}{tail}"
    if len(line) <= LINE_MAX:
        return [line]
    width = LINE_MAX - len(indent) - len(open_c) - 1 - len(tail)
    body = textwrap.wrap(doc, width)
    if close_c:  # C block comment: /* first ... \n * more ... */
        out = [f"{indent}/* {body[0]}"] + [f"{indent} * {b}" for b in body[1:]]
        out[-1] += " */"
    else:
        out = [f"{indent}{open_c} {b}" for b in body]
    return out + [f"{indent}{decl}"]


def comment_block(doc, indent, c_style):
    """doc as a comment of its own, wrapped to the line limit."""
    if not c_style:
        return [f"{indent}// {t}" for t in textwrap.wrap(doc, LINE_MAX - len(indent) - 3)]
    body = textwrap.wrap(doc, LINE_MAX - len(indent) - 6)
    out = [f"{indent}/* {body[0]}"] + [f"{indent} * {b}" for b in body[1:]]
    out[-1] += " */"
    return out


def c_call(indent, head, args, tail):
    """indent + head(args...)tail on one line if it fits; else the arguments continued under the
    "(", or, if even that is too long, on lines of their own with a four-space hanging indent."""
    line = f"{indent}{head}({', '.join(args)}){tail}"
    if len(line) <= LINE_MAX:
        return [line]
    for first, pad in ((f"{indent}{head}(", " " * (len(indent) + len(head) + 1)),
                       (None, " " * (len(indent) + 4))):
        out = [f"{indent}{head}("] if first is None else []
        cur = first if first is not None else pad
        for i, a in enumerate(args):
            piece = a + (", " if i + 1 < len(args) else f"){tail}")
            if len(cur) + len(piece.rstrip()) > LINE_MAX and cur.strip() not in ("", f"{head}("):
                out.append(cur.rstrip())
                cur = pad
            cur += piece
        out.append(cur.rstrip())
        if all(len(x) <= LINE_MAX for x in out):
            return out
    return out


def header_lines(comment):
    return [
        f"{comment} SPDX-License-Identifier: Apache-2.0",
        f"{comment} Qilin instruction encoding. GENERATED by scripts/gen_isa.py from {SRC.as_posix()}:",
        f"{comment} do not edit; edit the JSON and rerun the script. See docs/isa.md.",
    ]


# ---------------------------------------------------------------------------------------------
# SystemVerilog package
# ---------------------------------------------------------------------------------------------


def sv_hex128(value):
    digits = f"{value:032x}"
    return "128'h" + "_".join(digits[i:i + 8] for i in range(0, 32, 8))


def gen_sv(isa):
    enums = isa["_enums"]
    lines = header_lines("//")
    lines += [
        "//",
        "// Plain localparams only, so that Verilator and Yosys read it alike. Slice a field as",
        "// insn[LoadDramAddrLsb +: LoadDramAddrW]; check reserved bits as",
        "// (insn & LoadReservedMask) == '0.",
        "package qilin_isa_pkg;",
        "",
        "  // Every design uses only some of these constants (the DMA needs no pooling fields), so",
        "  // unused ones are expected; the waiver is here because the file is generated.",
        "  /* verilator lint_off UNUSEDPARAM */",
        "",
        "  // Machine constants.",
    ]
    w = max(len(p["name"]) for p in isa["params"])
    for p in isa["params"]:
        lines += with_comment(f"localparam int unsigned {p['name'].ljust(w)} = {p['value']};", p["doc"], "  ")
    for e in isa["enums"]:
        prefix = ENUM_PREFIX[e["name"]]
        lines += [""] + comment_block(f"{e['name']}: {e['doc']}.", "  ", False)
        w = max(len(prefix + camel(v["name"])) for v in e["values"])
        for v in e["values"]:
            name = (prefix + camel(v["name"])).ljust(w)
            lit = f"{e['width']}'d{v['value']}"
            lines += with_comment(f"localparam logic [{e['width'] - 1}:0] {name} = {lit};", v["doc"], "  ")

    lines += ["", "  // Fields every instruction has (END has only the opcode)."]
    for fld in [OPCODE_FIELD] + isa["dep_fields"]:
        lines += sv_field_lines("Insn", fld)

    for insn in isa["instructions"]:
        pre = camel(insn["name"])
        lines += [""] + comment_block(f"{insn['name']} (opcode {insn['_opcode']}): {insn['doc']}",
                                      "  ", False)
        for fld in insn["fields"]:
            lines += sv_field_lines(pre, fld)
        lines.append(f"  // Bits of a {insn['name']} that must be zero.")
        lines.append(f"  localparam logic [127:0] {pre}ReservedMask = {sv_hex128(insn['_reserved'])};")
    lines += ["", "  /* verilator lint_on UNUSEDPARAM */", "", "endpackage", ""]
    return "\n".join(lines)


def sv_field_lines(prefix, fld):
    base = prefix + camel(fld["name"])
    kind = ", signed" if fld.get("signed") else ""
    doc = f"{bit_range(fld['lsb'], fld['width'])}{kind}: {fld['doc']}"
    return with_comment(f"localparam int unsigned {base}Lsb = {fld['lsb']};", doc, "  ") + [
        f"  localparam int unsigned {base}W = {fld['width']};"
    ]


# ---------------------------------------------------------------------------------------------
# C header
# ---------------------------------------------------------------------------------------------


def c_type(fld):
    if fld["width"] > 32:
        return "int64_t" if fld.get("signed") else "uint64_t"
    return "int32_t" if fld.get("signed") else "uint32_t"


C_HELPERS = r"""
/* One instruction: w[0] holds bits 63:0, w[1] bits 127:64. In device memory an instruction
 * is 16 bytes, w[0] first, each word little-endian. */
typedef struct {
  uint64_t w[2];
} qilin_insn_t;

/* Bits [lsb + width - 1 : lsb] of insn, for 1 <= width <= 64 and lsb + width <= 128. A field
 * may straddle the two words. */
static inline uint64_t qilin_insn_get(const qilin_insn_t* insn, unsigned lsb, unsigned width) {
  const uint64_t mask = width >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << width) - 1);
  uint64_t v;
  if (lsb >= 64) {
    v = insn->w[1] >> (lsb - 64);
  } else {
    v = insn->w[0] >> lsb;
    if (lsb != 0 && lsb + width > 64) v |= insn->w[1] << (64 - lsb);
  }
  return v & mask;
}

/* Sets bits [lsb + width - 1 : lsb] of insn to the low width bits of value. */
static inline void qilin_insn_set(qilin_insn_t* insn, unsigned lsb, unsigned width,
                                  uint64_t value) {
  const uint64_t mask = width >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << width) - 1);
  value &= mask;
  if (lsb >= 64) {
    insn->w[1] = (insn->w[1] & ~(mask << (lsb - 64))) | (value << (lsb - 64));
  } else {
    insn->w[0] = (insn->w[0] & ~(mask << lsb)) | (value << lsb);
    if (lsb != 0 && lsb + width > 64) {
      const unsigned hi = lsb + width - 64; /* bits that land in w[1] */
      const uint64_t hmask = ((uint64_t)1 << hi) - 1;
      insn->w[1] = (insn->w[1] & ~hmask) | (value >> (64 - lsb));
    }
  }
}

/* The width-bit two's complement value v, sign-extended. */
static inline int64_t qilin_sext(uint64_t v, unsigned width) {
  const uint64_t sign = (uint64_t)1 << (width - 1);
  return (int64_t)((v ^ sign) - sign);
}

/* 1 if value fits an unsigned (is_signed = 0) or two's complement (1) field of width bits. */
static inline int qilin_field_fits(int64_t value, unsigned width, int is_signed) {
  if (is_signed) {
    const int64_t lim = (int64_t)1 << (width - 1);
    return value >= -lim && value < lim;
  }
  return value >= 0 && (width >= 63 || value < ((int64_t)1 << width));
}

static inline unsigned qilin_insn_opcode(const qilin_insn_t* insn) {
  return (unsigned)qilin_insn_get(insn, QILIN_INSN_OPCODE_LSB, QILIN_INSN_OPCODE_WIDTH);
}

/* One field, for generic printing (a disassembler) and table-driven checks. */
typedef struct {
  const char* name;
  uint8_t lsb;
  uint8_t width;
  uint8_t is_signed;
} qilin_field_desc_t;
"""


def gen_h(isa):
    enums = isa["_enums"]
    lines = [
        "/* SPDX-License-Identifier: Apache-2.0 */",
        f"/* Qilin instruction encoding. GENERATED by scripts/gen_isa.py from {SRC.as_posix()}:",
        " * do not edit; edit the JSON and rerun the script. See docs/isa.md.",
        " *",
        " * C99 and C++, freestanding: needs only <stdint.h>. Every function is static inline.",
        " * Build an instruction by filling a qilin_<kind>_t and calling qilin_encode_<kind>(),",
        " * which returns 0, or -1 if a value does not fit its field. Decoding does not check",
        " * legality: that is the command processor's job (and the ISS's). */",
        "#ifndef QILIN_ISA_H_",
        "#define QILIN_ISA_H_",
        "",
        "#include <stdint.h>",
        "",
        "/* Machine constants. */",
    ]
    for p in isa["params"]:
        lines += with_comment(f"#define QILIN_{upper_snake(p['name'])} {p['value']}u", p["doc"], "", "/*", "*/")
    for e in isa["enums"]:
        lines += [""] + comment_block(f"{e['name']}: {e['doc']}.", "", True)
        for v in e["values"]:
            lines += with_comment(f"#define QILIN_{e['name'].upper()}_{v['name']} {v['value']}u", v["doc"], "",
                                  "/*", "*/")

    lines += ["", "/* Fields every instruction has (END has only the opcode). */"]
    for fld in [OPCODE_FIELD] + isa["dep_fields"]:
        lines += c_field_macros("INSN", fld)
    for insn in isa["instructions"]:
        lines += [""] + comment_block(f"{insn['name']}: {insn['doc']}", "", True)
        for fld in insn["fields"]:
            lines += c_field_macros(insn["name"], fld)
        r = insn["_reserved"]
        lines.append(f"#define QILIN_{insn['name']}_RESERVED_W0 0x{r & (2**64 - 1):016x}ull")
        lines.append(f"#define QILIN_{insn['name']}_RESERVED_W1 0x{r >> 64:016x}ull")

    lines += C_HELPERS.splitlines()

    for insn in isa["instructions"]:
        lines += c_insn_functions(isa, insn)

    # Name lookups and the field tables.
    lines += [
        "",
        "/* Mnemonic of an opcode, or \"?\" for an illegal one. */",
        "static inline const char* qilin_op_name(unsigned opcode) {",
        "  switch (opcode) {",
    ]
    for v in enums["op"]["values"]:
        lines.append(f"    case QILIN_OP_{v['name']}: return \"{v['name']}\";")
    lines += ["    default: return \"?\";", "  }", "}", ""]
    lines += [
        "/* Name of an ERR_CODE value, or \"?\". */",
        "static inline const char* qilin_err_name(unsigned code) {",
        "  switch (code) {",
    ]
    for v in enums["err"]["values"]:
        lines.append(f"    case QILIN_ERR_{v['name']}: return \"{v['name']}\";")
    lines += ["    default: return \"?\";", "  }", "}", ""]
    lines += [
        "/* 1 if the opcode is legal and every reserved bit of its kind is 0. */",
        "static inline int qilin_insn_reserved_ok(const qilin_insn_t* insn) {",
        "  switch (qilin_insn_opcode(insn)) {",
    ]
    for insn in isa["instructions"]:
        n = insn["name"]
        lines.append(f"    case QILIN_OP_{n}:")
        lines.append(f"      return (insn->w[0] & QILIN_{n}_RESERVED_W0) == 0 &&")
        lines.append(f"             (insn->w[1] & QILIN_{n}_RESERVED_W1) == 0;")
    lines += ["    default:", "      return 0;", "  }", "}", ""]
    lines += [
        "/* The fields of an opcode's instruction kind, opcode and token flags included, in bit",
        " * order; *count receives their number (0 and NULL for an illegal opcode). */",
        "static inline const qilin_field_desc_t* qilin_insn_fields(unsigned opcode, unsigned* count) {",
    ]
    for insn in isa["instructions"]:
        lines.append(f"  static const qilin_field_desc_t k_{insn['name'].lower()}[] = {{")
        lines += [f"      {{\"{f['name']}\", {f['lsb']}, {f['width']}, {1 if f.get('signed') else 0}}},"
                  for f in insn["_fields"]]
        lines.append("  };")
    lines += ["  switch (opcode) {"]
    for insn in isa["instructions"]:
        lname = insn["name"].lower()
        lines.append(f"    case QILIN_OP_{insn['name']}:")
        lines.append(f"      *count = (unsigned)(sizeof k_{lname} / sizeof k_{lname}[0]);")
        lines.append(f"      return k_{lname};")
    lines += ["    default:", "      *count = 0;", "      return 0;", "  }", "}", ""]
    lines += ["#endif /* QILIN_ISA_H_ */", ""]
    return "\n".join(lines)


def c_field_macros(prefix, fld):
    base = f"QILIN_{prefix}_{fld['name'].upper()}"
    kind = ", signed" if fld.get("signed") else ""
    doc = f"{bit_range(fld['lsb'], fld['width'])}{kind}: {fld['doc']}"
    return with_comment(f"#define {base}_LSB {fld['lsb']}u", doc, "", "/*", "*/") + [
        f"#define {base}_WIDTH {fld['width']}u"
    ]


def c_insn_functions(isa, insn):
    name = insn["name"]
    lname = name.lower()
    fields = [f for f in insn["_fields"] if f["name"] != "opcode"]
    prefix_of = {f["name"]: ("INSN" if f in isa["dep_fields"] else name) for f in fields}
    lines = [""]
    if not fields:
        lines += [
            f"/* {name} has no fields besides the opcode. */",
            f"static inline void qilin_encode_{lname}(qilin_insn_t* out) {{",
            "  out->w[0] = 0;",
            "  out->w[1] = 0;",
            f"  qilin_insn_set(out, QILIN_INSN_OPCODE_LSB, QILIN_INSN_OPCODE_WIDTH, QILIN_OP_{name});",
            "}",
        ]
        return lines
    lines.append(f"/* {name} fields (see QILIN_{name}_*_LSB for their meaning). */")
    lines.append("typedef struct {")
    for f in fields:
        lines += with_comment(f"{c_type(f)} {f['name']};", f["doc"], "  ", "/*", "*/")
    lines.append(f"}} qilin_{lname}_t;")
    lines += [
        "",
        f"/* Encodes f as a {name}; returns 0, or -1 (and *out unspecified) if a value does not fit. */",
        f"static inline int qilin_encode_{lname}(const qilin_{lname}_t* f, qilin_insn_t* out) {{",
        "  int ok = 1;",
        "  out->w[0] = 0;",
        "  out->w[1] = 0;",
        f"  qilin_insn_set(out, QILIN_INSN_OPCODE_LSB, QILIN_INSN_OPCODE_WIDTH, QILIN_OP_{name});",
    ]
    for f in fields:
        m = f"QILIN_{prefix_of[f['name']]}_{f['name'].upper()}"
        s = 1 if f.get("signed") else 0
        lines.append(f"  ok &= qilin_field_fits((int64_t)f->{f['name']}, {m}_WIDTH, {s});")
        lines += c_call("  ", "qilin_insn_set", ["out", f"{m}_LSB", f"{m}_WIDTH", f"(uint64_t)f->{f['name']}"],
                        ";")
    lines += ["  return ok ? 0 : -1;", "}", ""]
    lines += [
        f"/* The fields of a {name} (the opcode is not checked). */",
        f"static inline qilin_{lname}_t qilin_decode_{lname}(const qilin_insn_t* insn) {{",
        f"  qilin_{lname}_t f;",
    ]
    for f in fields:
        m = f"QILIN_{prefix_of[f['name']]}_{f['name'].upper()}"
        if f.get("signed"):
            lines += c_call("  ", f"f.{f['name']} = ({c_type(f)})qilin_sext",
                            [f"qilin_insn_get(insn, {m}_LSB, {m}_WIDTH)", f"{m}_WIDTH"], ";")
        else:
            lines += c_call("  ", f"f.{f['name']} = ({c_type(f)})qilin_insn_get",
                            ["insn", f"{m}_LSB", f"{m}_WIDTH"], ";")
    lines += ["  return f;", "}"]
    return lines


# ---------------------------------------------------------------------------------------------
# Markdown tables for docs/isa.md
# ---------------------------------------------------------------------------------------------


def md_sections(isa):
    enums = isa["_enums"]
    sec = {}

    rows = ["| constant | value | meaning |", "|---|---|---|"]
    rows += [f"| `{p['name']}` | {p['value']} | {p['doc']} |" for p in isa["params"]]
    sec["constants"] = rows

    rows = ["| opcode | instruction | queue | what it does |", "|---|---|---|---|"]
    for insn in isa["instructions"]:
        q = "all (see text)" if insn["queue"] == "*" else insn["queue"]
        rows.append(f"| {insn['_opcode']} | `{insn['name']}` | {q} | {insn['doc']} |")
    used = {i["_opcode"] for i in isa["instructions"]}
    free = [str(v) for v in range(1 << OPCODE_FIELD["width"]) if v not in used]
    rows += ["", f"Opcodes {', '.join(free)} are illegal (0 on purpose: zero-filled memory traps)."]
    sec["opcodes"] = rows

    rows = []
    for insn in isa["instructions"]:
        rows += [f"#### {insn['name']} (opcode {insn['_opcode']})", "", insn["doc"], ""]
        rows += ["| bits | field | meaning |", "|---|---|---|"]
        entries = [(f["lsb"], f["width"], f"`{f['name']}`" + (" (signed)" if f.get("signed") else ""),
                    f["doc"] + (f" ({enum_list(enums[f['enum']])})" if "enum" in f else ""))
                   for f in insn["_fields"]]
        entries += [(lsb, w, "—", "reserved, must be 0")
                    for lsb, w in reserved_ranges(insn["_reserved"], isa["insn_bits"])]
        for lsb, w, fname, doc in sorted(entries):
            rows.append(f"| {bit_range(lsb, w)} | {fname} | {doc} |")
        rows.append("")
    sec["encoding"] = rows[:-1]

    rows = []
    for key in ("queue", "mem", "pool"):
        e = enums[key]
        rows += [f"**{key}** ({e['doc']}):", "", "| value | name | meaning |", "|---|---|---|"]
        rows += [f"| {v['value']} | `{v['name']}` | {v['doc']} |" for v in e["values"]]
        rows.append("")
    sec["enums"] = rows[:-1]

    rows = ["| code | name | ERR_ADDR | when |", "|---|---|---|---|"]
    for v in enums["err"]["values"]:
        name = v["name"] + (" (ISS only)" if v.get("sim_only") else "")
        rows.append(f"| {v['value']} | `{name}` | {v['addr']} | {v['doc']} |")
    sec["errors"] = rows
    return sec


def enum_list(e):
    return ", ".join(f"{v['value']} = {v['name']}" for v in e["values"])


BEGIN_RE = re.compile(r"^<!-- gen_isa:begin (\w+) -->$")
END_LINE = "<!-- gen_isa:end -->"


def fill_md(text, sections):
    """Replaces the body of every gen_isa region in text; every section must appear once."""
    out, seen, lines, i = [], set(), text.splitlines(), 0
    while i < len(lines):
        out.append(lines[i])
        m = BEGIN_RE.match(lines[i].strip())
        i += 1
        if not m:
            continue
        key = m.group(1)
        if key not in sections or key in seen:
            raise IsaError(f"{OUT_MD}: unknown or repeated region {key!r}")
        seen.add(key)
        while i < len(lines) and lines[i].strip() != END_LINE:
            i += 1
        if i == len(lines):
            raise IsaError(f"{OUT_MD}: region {key!r} has no {END_LINE}")
        out += [""] + sections[key] + [""]
        out.append(lines[i])
        i += 1
    missing = set(sections) - seen
    if missing:
        raise IsaError(f"{OUT_MD}: missing regions {sorted(missing)}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="compare the outputs on disk with the generated text; exit 1 on a difference")
    ap.add_argument("--root", type=Path, default=REPO, help="repository root (default: %(default)s)")
    args = ap.parse_args(argv)

    try:
        isa = load(args.root / SRC)
        md_path = args.root / OUT_MD
        md_old = md_path.read_text(encoding="utf-8")
        outputs = {OUT_SV: gen_sv(isa), OUT_H: gen_h(isa), OUT_MD: fill_md(md_old, md_sections(isa))}
    except (OSError, ValueError, KeyError, TypeError, IsaError) as e:
        print(f"gen_isa: {e}", file=sys.stderr)
        return 2

    stale = []
    for rel, text in outputs.items():
        path = args.root / rel
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        if args.check:
            stale.append(rel)
            diff = difflib.unified_diff((old or "").splitlines(True), text.splitlines(True),
                                        f"{rel} (on disk)", f"{rel} (generated)")
            sys.stderr.writelines(diff)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"gen_isa: wrote {rel}")
    if stale:
        print("gen_isa: stale generated files: " + ", ".join(s.as_posix() for s in stale)
              + "; run python3 scripts/gen_isa.py", file=sys.stderr)
        return 1
    if args.check:
        print("gen_isa: generated files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
