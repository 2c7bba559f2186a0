#!/usr/bin/env bash
# Proves the driver is bare-metal clean: compiles every driver source with
# riscv64-unknown-elf-gcc -ffreestanding, links it with a minimal start-up file and no C
# library (-nostdlib; only libgcc), and fails on any warning or undefined symbol.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=${1:-$repo/build/riscv64}
cc=${RISCV_CC:-riscv64-unknown-elf-gcc}
command -v "$cc" >/dev/null || { echo "driver_cross: $cc not found (apt-get install gcc-riscv64-unknown-elf)" >&2; exit 1; }
mkdir -p "$out"
flags=(-std=c11 -ffreestanding -fno-builtin -nostdlib -O2 -march=rv64imac -mabi=lp64
       -Wall -Wextra -Wconversion -Wshadow -Werror
       -I"$repo/sw/driver/include" -I"$repo/sw/include")
objs=()
for src in "$repo"/sw/driver/src/*.c "$repo"/sw/driver/baremetal/start.c; do
  obj="$out/$(basename "${src%.c}").o"
  "$cc" "${flags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
"$cc" "${flags[@]}" -static -Wl,--no-undefined -Wl,--no-warn-rwx-segments -Wl,-e,_start "${objs[@]}" -lgcc -o "$out/qilin_baremetal.elf"
undef=$(riscv64-unknown-elf-nm -u "$out/qilin_baremetal.elf" || true)
if [[ -n $undef ]]; then
  echo "driver_cross: undefined symbols:" >&2
  echo "$undef" >&2
  exit 1
fi
size=$(riscv64-unknown-elf-size "$out/qilin_baremetal.elf" | awk 'NR==2 {print $1 + $2}')
echo "driver_cross: riscv64 freestanding build OK (text+data ${size} bytes, no libc)"
