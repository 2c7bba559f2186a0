#!/usr/bin/env bash
# Prints every synthesizable RTL file in compile order: packages first, then the rest.
# One list for lint, Yosys and the regression, so no tool silently skips a file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pkgs=$(find rtl -name '*_pkg.sv' | sort)
# qilin_pkg and the timing package are imported by other packages' users; keep them first.
for f in $pkgs; do echo "$f"; done
find rtl -name '*.sv' ! -name '*_pkg.sv' | sort
