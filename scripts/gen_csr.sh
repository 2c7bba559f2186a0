#!/usr/bin/env bash
# Generates the CSR block, the driver's register header and docs/registers.md from the one
# SystemRDL source, rtl/csr/qilin_csr.rdl, with PeakRDL. `--check` regenerates into a
# scratch directory and fails if the committed files differ (they are committed so that a
# build needs no Python).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
peakrdl=${PEAKRDL:-.venv/bin/peakrdl}
src=rtl/csr/qilin_csr.rdl

generate() {  # $1 = output root
  local out=$1
  mkdir -p "$out/rtl/csr" "$out/sw/include/qilin" "$out/docs"
  # --rt-read-response: a register between the readback mux and the AXI-Lite response
  # (one more cycle per CSR read), so the readback fan-in is not one path with the
  # response logic (100 MHz on ECP5, docs/fpga.md).
  # qilin-axi4-lite-flat (scripts/peakrdl/qilin_cpuif.py): the stock flat AXI4-Lite ports
  # with a registered front end, one transaction at a time: the decoder's request and
  # every AXI output come from flip-flops (the stock one decodes straight from its
  # arbitration and answers from a response-buffer mux).
  PYTHONPATH="$PWD/scripts/peakrdl${PYTHONPATH:+:$PYTHONPATH}" \
    "$peakrdl" regblock "$src" -o "$out/rtl/csr" --peakrdl-cfg scripts/peakrdl/peakrdl.toml \
    --cpuif qilin-axi4-lite-flat --rt-read-response --rt-read-fanin >/dev/null
  # Yosys reads only packed structs; every struct PeakRDL emits here holds plain logic
  # fields, so packing them changes nothing else.
  sed -i 's/^\( *\)typedef struct {/\1typedef struct packed {/; s/^\( *\)struct {/\1struct packed {/' \
    "$out/rtl/csr/qilin_csr.sv" "$out/rtl/csr/qilin_csr_pkg.sv"
  # Yosys does not parse `return` in the read fan-in's address-split functions: assign the
  # function name instead (same meaning).
  sed -i 's/^\( *\)return addr\[4:0\];/\1ad_low = addr[4:0];/; s/^\( *\)return addr\[8:5\];/\1ad_hi = addr[8:5];/' \
    "$out/rtl/csr/qilin_csr.sv"
  "$peakrdl" c-header "$src" -o "$out/sw/include/qilin/csr.h" >/dev/null
  # <assert.h> is not a freestanding header (the riscv64-unknown-elf build has no libc), and
  # the header only needs it for static_assert, which C11 has as a keyword.
  sed -i 's|^#include <assert.h>$|#if !defined(__cplusplus) \&\& !defined(static_assert)\n#define static_assert _Static_assert /* C11 keyword; <assert.h> is not freestanding */\n#endif|' \
    "$out/sw/include/qilin/csr.h"
  "$peakrdl" markdown "$src" -o "$out/docs/registers.md" >/dev/null
}

files=(rtl/csr/qilin_csr.sv rtl/csr/qilin_csr_pkg.sv sw/include/qilin/csr.h docs/registers.md)
if [[ ${1:-} == --check ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  generate "$tmp"
  rc=0
  for f in "${files[@]}"; do
    if ! diff -q "$f" "$tmp/$f" >/dev/null 2>&1; then
      echo "gen_csr: $f is stale; run scripts/gen_csr.sh" >&2
      rc=1
    fi
  done
  exit $rc
fi
generate .
echo "gen_csr: wrote ${files[*]}"
