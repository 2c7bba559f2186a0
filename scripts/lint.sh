#!/usr/bin/env bash
# `make lint`: verilator --lint-only -Wall on every top-level block, once per configuration.
# Each top has a file list rtl/<block>/<top>.f whose "// lint-config:" lines give the
# parameter sets. Waivers live in .vlt files next to their block, each with its reason.
# Every RTL file must belong to some file list, so none escapes lint.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail=0
mapfile -t lists < <(find rtl -name '*.f' | sort)
for f in "${lists[@]}"; do
  top=$(basename "$f" .f)
  mapfile -t waivers < <(find "$(dirname "$f")" -maxdepth 1 -name '*.vlt' | sort)
  mapfile -t configs < <(sed -n 's#^// lint-config:##p' "$f")
  ((${#configs[@]})) || configs=("")
  for params in "${configs[@]}"; do
    # shellcheck disable=SC2086
    if verilator --lint-only -Wall "${waivers[@]}" -f "$f" --top-module "$top" $params; then
      echo "lint: $top$params: clean"
    else
      echo "lint: $top$params: FAILED" >&2
      fail=1
    fi
  done
done

# Coverage of the file lists: an RTL file in no list would never be linted.
listed=$(cat "${lists[@]}" | grep -v '^//' | grep '\.sv$' | sort -u)
while read -r sv; do
  grep -qx "$sv" <<<"$listed" && continue
  if [[ $sv == *_pkg.sv ]]; then
    echo "lint: note: package $sv has no user with a file list yet"
  else
    echo "lint: $sv is in no file list (rtl/**/*.f)" >&2
    fail=1
  fi
done < <(scripts/rtl_files.sh)
exit $fail
