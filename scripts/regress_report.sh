#!/usr/bin/env bash
# Regression report (docs/regression.md): merges the job results of every shard under $OUT
# into junit.xml, summary.md and summary.html; merges the coverage of all test jobs
# (verilator_coverage -> lcov .info -> genhtml), checks the line-coverage threshold, the
# functional cover points against tb/cover/waivers.tsv, and reports against the testplans
# in docs/testplan/. Exit status 1 on any failed, timed-out or missing job, a coverage
# figure under its threshold, or an unhit cover point without a waiver.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-build/regress}
LINE_MIN=${LINE_MIN:-90}
WAIVERS=tb/cover/waivers.tsv
COV=$OUT/coverage
[[ -s $OUT/joblist.tsv ]] || { echo "regress-report: no $OUT/joblist.tsv (run make regress)" >&2; exit 2; }

# ---- Results: one row per listed job; a job without a result is NOT_RUN.
# results.tsv: id kind secs bin test config seed repro rc status
awk -F'\t' -v OFS='\t' '
  FNR == NR { order[++n] = $1; job[$1] = $0; next }
  { res[$1] = $0 }
  END {
    for (i = 1; i <= n; i++) {
      id = order[i]
      if (id in res) {
        split(res[id], r, "\t")
        st = (r[9] == 0) ? "PASS" : (r[9] == 124 ? "TIMEOUT" : "FAIL")
        print res[id], st
      } else {
        split(job[id], j, "\t")
        print j[1], j[2], 0, j[3], j[4], j[5], j[6], "-", -1, "NOT_RUN"
      }
    }
  }' "$OUT/joblist.tsv" <(cat "$OUT"/jobs/*/result.tsv 2>/dev/null) >"$OUT/results.tsv"

njobs=$(wc -l <"$OUT/results.tsv")
npass=$(awk -F'\t' '$10 == "PASS"' "$OUT/results.tsv" | wc -l)
nbad=$((njobs - npass))
ntests=$(awk -F'\t' '$2 == "test"' "$OUT/results.tsv" | wc -l)
ncfg=$(awk -F'\t' '$2 == "test" {print $6}' "$OUT/results.tsv" | sort -u | wc -l)
seeds=$(awk -F'\t' '$2 == "test" {print $7}' "$OUT/results.tsv" | sort -un | tr '\n' ' ')
bad=0
((nbad == 0)) || bad=1

# ---- JUnit XML: one testsuite per binary (static checks and bench in their own suites).
xml() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  printf '<testsuites name="qilin-regress" tests="%d" failures="%d">\n' "$njobs" "$nbad"
  cut -f4 "$OUT/results.tsv" | awk '!seen[$0]++' | while IFS= read -r bin; do
    suite=$(basename "$bin")
    awk -F'\t' -v b="$bin" '$4 == b' "$OUT/results.tsv" >"$OUT/.suite.tsv"
    printf '  <testsuite name="%s" tests="%d" failures="%d">\n' "$suite" \
      "$(wc -l <"$OUT/.suite.tsv")" "$(awk -F'\t' '$10 != "PASS"' "$OUT/.suite.tsv" | wc -l)"
    while IFS=$'\t' read -r id kind secs rel name cfg seed repro rc status; do
      printf '    <testcase classname="%s" name="%s" time="%s">\n' "$(xml <<<"$cfg")" \
        "$(xml <<<"$name [seed $seed]")" "$secs"
      if [[ $status != PASS ]]; then
        printf '      <failure message="%s">' "$(xml <<<"$status (exit $rc); reproduce: $repro")"
        [[ -f $OUT/jobs/$id/log ]] && tail -40 "$OUT/jobs/$id/log" | xml
        echo '</failure>'
      fi
      echo '    </testcase>'
    done <"$OUT/.suite.tsv"
    echo '  </testsuite>'
  done
  echo '</testsuites>'
} >"$OUT/junit.xml"
rm -f "$OUT/.suite.tsv"

# ---- Coverage: merge every test job's file, split by kind, lcov .info, genhtml.
mkdir -p "$COV"
mapfile -t dats < <(awk -F'\t' '$2 == "test" {print "'"$OUT"'/jobs/" $1 "/cov.dat"}' \
  "$OUT/results.tsv" | while read -r f; do [[ -s $f ]] && echo "$f"; done)
have_cov=0
if ((${#dats[@]})); then
  have_cov=1
  verilator_coverage --write "$COV/merged.dat" "${dats[@]}" >/dev/null
  # Points are typed by their page: v_line (and v_branch), v_toggle, v_user (cover property).
  for kind in line toggle user; do
    case $kind in
      line) pat='page=v_(line|branch)/' ;;
      toggle) pat='page=v_toggle/' ;;
      user) pat='page=v_user/' ;;
    esac
    { head -1 "$COV/merged.dat"; tr '\001\002' '|=' <"$COV/merged.dat" | grep -nE "$pat" |
      cut -d: -f1 | awk 'FNR == NR {keep[$1] = 1; next} FNR in keep' - "$COV/merged.dat"; } \
      >"$COV/$kind.dat"
    verilator_coverage --write-info "$COV/$kind.info" "$COV/$kind.dat" >/dev/null
  done
  verilator_coverage --write-info "$COV/all.info" "$COV/merged.dat" >/dev/null
  # The HTML shows the RTL (not the testbench tops or the bound cover modules).
  lcov -q --extract "$COV/all.info" '*/rtl/*' -o "$COV/rtl.info" >/dev/null 2>&1 ||
    cp "$COV/all.info" "$COV/rtl.info"
  genhtml -q --legend --title "Qilin regression: Verilator line + toggle + cover points" \
    -o "$COV" "$COV/rtl.info" >/dev/null 2>&1 || echo "regress-report: genhtml failed" >&2
fi

# Per-block figures from an .info file: block (rtl/<dir>) hit total.
per_block() {
  awk -F'[:,]' '
    /^SF:/ { f = substr($0, 4); b = ""; if (match(f, /\/rtl\/[^\/]+\//)) b = substr(f, RSTART + 5, RLENGTH - 6) }
    /^DA:/ && b != "" { tot[b]++; if ($3 > 0) hit[b]++; T++; if ($3 > 0) H++ }
    END { for (b in tot) printf "%s\t%d\t%d\n", b, hit[b], tot[b]; printf "ALL\t%d\t%d\n", H, T }' "$1"
}
pct() { awk -v h="$1" -v t="$2" 'BEGIN { if (t == 0) print "n/a"; else printf "%.1f", 100 * h / t }'; }
line_all="n/a"
cov_bad=0
if ((have_cov)); then
  per_block "$COV/line.info" | sort >"$COV/line_blocks.tsv"
  # Toggle figures count points (one per signal bit), not source lines: lcov's per-line
  # view would call a 64-bit register covered when any one of its bits toggled.
  tr '\001\002' '|=' <"$COV/toggle.dat" | awk -F'|' '
    /^C / { f = ""; for (i = 2; i <= NF; i++) if ($i ~ /^f=/) f = substr($i, 3)
      if (!match(f, /\/rtl\/[^\/]+\//)) next
      b = substr(f, RSTART + 5, RLENGTH - 6); n = split($NF, a, " "); c = a[n]
      tot[b]++; T++; if (c > 0) { hit[b]++; H++ } }
    END { for (b in tot) printf "%s\t%d\t%d\n", b, hit[b], tot[b]; printf "ALL\t%d\t%d\n", H, T }' |
    sort >"$COV/toggle_blocks.tsv"
  read -r _ lh lt < <(grep '^ALL' "$COV/line_blocks.tsv")
  line_all=$(pct "$lh" "$lt")
  awk -v p="$line_all" -v m="$LINE_MIN" 'BEGIN { exit !(p + 0 < m + 0) }' && cov_bad=1
fi
((cov_bad == 0)) || bad=1

# ---- Functional cover points: count per point (hierarchy), waivers by regex.
# A block has the same cover points in its unit testbench, in the chip and in the top; the
# hierarchy is rewritten to the instance path in qilin_top (core.*, hbm.*), so a point is
# one point whichever testbench hits it.
canon() {
  sed -E -e 's/^TOP\.qilin_top\.u_core\./core./' -e 's/^TOP\.qilin_top\.u_hbm\./hbm./' \
    -e 's/^TOP\.qilin_core\./core./' -e 's/^TOP\.qilin_cmd_proc\./core.u_cmd_proc./' \
    -e 's/^TOP\.qilin_dma_rd\./core.u_dma_rd./' -e 's/^TOP\.qilin_dma_wr\./core.u_dma_wr./' \
    -e 's/^TOP\.qilin_ex_tb_top\.u_ex\./core.u_matmul./' \
    -e 's/^TOP\.qilin_post_tb_top\.u_post\./core.u_post./' \
    -e 's/^TOP\.qilin_array\./core.u_matmul.u_array./' \
    -e 's/^TOP\.qilin_requant\./core.u_post.u_requant./' -e 's/^TOP\.hbm_ctrl_top\./hbm./' \
    -e 's/^TOP\.[A-Za-z0-9_]+\./tb./' -e 's/__BRA__/[/g' -e 's/__KET__/]/g'
}
cp_total=0 cp_hit=0 cp_waived=0 cp_open=0
if ((have_cov)) && [[ -s $COV/user.dat ]]; then
  tr '\001\002' '|=' <"$COV/user.dat" | sed -n "s/^C '.*|h=\([^']*\)' \([0-9]*\)$/\1\t\2/p" |
    canon |
    awk -F'\t' '{c[$1] += $2} END {for (k in c) print k "\t" c[k]}' | sort >"$COV/cover_points.tsv"
  # status per point: HIT, WAIVED (reason) or OPEN
  awk -F'\t' '
    FNR == NR { if ($0 !~ /^#/ && NF >= 2) { re[++n] = $1; why[n] = $2 }; next }
    { st = "HIT"; r = ""
      if ($2 == 0) { st = "OPEN"; for (i = 1; i <= n; i++) if ($1 ~ re[i]) { st = "WAIVED"; r = why[i]; break } }
      print $1 "\t" $2 "\t" st "\t" r }' "$WAIVERS" "$COV/cover_points.tsv" >"$COV/cover_status.tsv"
  cp_total=$(wc -l <"$COV/cover_status.tsv")
  cp_hit=$(awk -F'\t' '$3 == "HIT"' "$COV/cover_status.tsv" | wc -l)
  cp_waived=$(awk -F'\t' '$3 == "WAIVED"' "$COV/cover_status.tsv" | wc -l)
  cp_open=$(awk -F'\t' '$3 == "OPEN"' "$COV/cover_status.tsv" | wc -l)
fi
((cp_open == 0)) || bad=1

# ---- Testplans: docs/testplan/<block>.md rows "| feature | binary | test name pattern | seeds |".
: >"$OUT/testplan.tsv"
for tp in docs/testplan/*.md; do
  block=$(basename "$tp" .md)
  [[ $block == README ]] && continue
  awk -F'|' 'NF >= 5 && $2 !~ /^ *feature *$/ && $2 !~ /^ *-+ *$/ {
      for (i = 2; i <= 5; i++) { gsub(/^ +| +$/, "", $i); gsub(/`/, "", $i) }
      print $2 "\t" $3 "\t" $4 "\t" $5 }' "$tp" |
    while IFS=$'\t' read -r feat bin pat nseeds; do
      st=$(awk -F'\t' -v b="$bin" -v p="$pat" '
        { n = split($4, parts, "/"); base = parts[n] }
        (base == b || b == "*") && index($5, p) > 0 { c++; if ($10 != "PASS") f++ }
        END { if (c == 0) print "NOT RUN\t0"; else if (f) print "FAILING\t" c; else print "COVERED\t" c }' \
        "$OUT/results.tsv")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$block" "$feat" "$bin: $pat" "$nseeds" "${st%%$'\t'*}" "${st##*$'\t'}"
    done >>"$OUT/testplan.tsv"
done
tp_total=$(wc -l <"$OUT/testplan.tsv")
tp_ok=$(awk -F'\t' '$5 == "COVERED"' "$OUT/testplan.tsv" | wc -l)
((tp_ok == tp_total)) || bad=1

# ---- Wall time per shard.
wall=$(cat "$OUT"/shard-*.time 2>/dev/null || true)

# ---- summary.md
md=$OUT/summary.md
{
  echo "# Qilin sign-off regression"
  echo
  echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') from \`$(git rev-parse --short HEAD 2>/dev/null || echo '?')\`$(git diff --quiet 2>/dev/null || echo ' (dirty tree)')."
  echo
  echo "| result | jobs | passed | failed / timed out / not run | test jobs | configurations | seeds | line coverage | cover points hit / waived / open | testplan features covered |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '| **%s** | %d | %d | %d | %d | %d | %s| %s %% (min %s %%) | %d / %d / %d of %d | %d of %d |\n' \
    "$([[ $bad == 0 ]] && echo PASS || echo FAIL)" "$njobs" "$npass" "$nbad" "$ntests" "$ncfg" \
    "$seeds" "$line_all" "$LINE_MIN" "$cp_hit" "$cp_waived" "$cp_open" "$cp_total" "$tp_ok" "$tp_total"
  echo
  echo "## Wall time"
  echo
  echo "| shard | jobs | wall (build + jobs) | build | seeds | parallel | host |"
  echo "|---|---|---|---|---|---|---|"
  while IFS=$'\t' read -r _ sh n w b s j h; do
    printf '| %s | %s | %dm%02ds | %dm%02ds | %s | %s | %s |\n' "$sh" "$n" $((w / 60)) $((w % 60)) \
      $((b / 60)) $((b % 60)) "$s" "$j" "$h"
  done <<<"$wall"
  echo
  echo "## Failures"
  echo
  if ((nbad == 0)); then
    echo "None."
  else
    echo "| job | configuration | test | seed | status | reproduce |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' '$10 != "PASS" { printf "| %s | %s | %s | %s | %s (exit %s) | `%s` |\n", $1, $6, $5, $7, $10, $9, $8 }' \
      "$OUT/results.tsv"
    echo
    echo "First failure message of each failing job:"
    echo
    awk -F'\t' '$10 != "PASS" {print $1}' "$OUT/results.tsv" | while read -r id; do
      msg=$(grep -m1 -E 'mismatch|: expected|timeout|violation|[Ee]rror:' "$OUT/jobs/$id/log" 2>/dev/null ||
        grep -m1 -E 'FAILED|failed' "$OUT/jobs/$id/log" 2>/dev/null || true)
      msg=$(sed -e 's/^ *//' -e 's/|/\\|/g' <<<"$msg" | cut -c1-200)
      echo "- \`$id\`: ${msg:-no log}"
    done
  fi
  echo
  echo "## Pass/fail per test and configuration"
  echo
  echo "Each cell: passed/run over the seeds (static checks and the bench run once)."
  echo
  echo "| binary | configuration | test | result | seeds | time (s, total) |"
  echo "|---|---|---|---|---|---|"
  awk -F'\t' '{ k = $4 "\t" $6 "\t" $5; if (!(k in n)) ord[++m] = k; n[k]++; if ($10 == "PASS") p[k]++; s[k] = s[k] (s[k] == "" ? "" : " ") $7; t[k] += $3 }
    END { for (i = 1; i <= m; i++) { k = ord[i]; split(k, a, "\t"); n2 = split(a[1], q, "/")
      printf "| %s | %s | %s | %s %d/%d | %s | %.1f |\n", q[n2], a[2], a[3], (p[k] == n[k] ? "PASS" : "**FAIL**"), p[k], n[k], s[k], t[k] } }' \
    "$OUT/results.tsv"
  echo
  echo "## Coverage (Verilator, merged over all test jobs)"
  echo
  if ((have_cov)); then
    echo "HTML: [coverage/index.html](coverage/index.html) (lcov: \`coverage/line.info\`, \`coverage/toggle.info\`, \`coverage/all.info\`). Line coverage counts Verilator line and branch points per source line; a line is covered when all its points are."
    echo
    echo "Line: source lines with all their line/branch points hit (lcov). Toggle: signal bits (<= 32-bit signals, in the QILIN_TOGGLE_MODELS builds) that toggled; every flop starts from a random value and reset toggles many bits once, so the toggle figure is an upper bound."
    echo
    echo "| block | line | toggle |"
    echo "|---|---|---|"
    join -t $'\t' -a1 "$COV/line_blocks.tsv" "$COV/toggle_blocks.tsv" |
      while IFS=$'\t' read -r b lh lt th tt; do
        printf '| %s | %s %% (%s/%s) | %s %% (%s/%s) |\n' "$b" "$(pct "$lh" "$lt")" "$lh" "$lt" \
          "$(pct "${th:-0}" "${tt:-0}")" "${th:-0}" "${tt:-0}"
      done
    echo
    echo "Threshold: line coverage ≥ $LINE_MIN % over all RTL: $([[ $cov_bad == 0 ]] && echo met || echo '**NOT met**') ($line_all %)."
  else
    echo "No coverage data (the build is not a coverage build, or no test job ran)."
  fi
  echo
  echo "## Functional cover points"
  echo
  echo "$cp_hit hit, $cp_waived waived, $cp_open open, of $cp_total (bound modules in \`tb/cover/\`, waivers with reasons in \`$WAIVERS\`)."
  echo
  if ((cp_total)); then
    echo "| cover point | hits | status | waiver reason |"
    echo "|---|---|---|---|"
    sort -t $'\t' -k3,3r -k1,1 "$COV/cover_status.tsv" |
      awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, ($3 == "OPEN" ? "**OPEN**" : $3), $4 }'
  fi
  echo
  echo "## Testplans (docs/testplan/)"
  echo
  echo "| block | feature | tests | seeds | status | jobs |"
  echo "|---|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | %s | `%s` | %s | %s | %s |\n", $1, $2, $3, $4, ($5 == "COVERED" ? $5 : "**" $5 "**"), $6 }' \
    "$OUT/testplan.tsv"
  echo
  echo "## Benchmarks"
  echo
  blog=$OUT/jobs/bench-array/log
  if [[ -s $blog ]]; then
    echo "qilin_array_bench (coverage build: cycles and utilization are exact; simulation speed is not representative):"
    echo
    echo '```'
    cat "$blog"
    echo '```'
  else
    echo "The bench job did not run in this set of shards."
  fi
} >"$md"

# ---- summary.html: the same content (Markdown tables and code blocks to HTML).
awk '
  function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
  function inline(s,  out, a) {
    s = esc(s)
    while (match(s, /`[^`]*`/)) { s = substr(s, 1, RSTART - 1) "<code>" substr(s, RSTART + 1, RLENGTH - 2) "</code>" substr(s, RSTART + RLENGTH) }
    while (match(s, /\*\*[^*]*\*\*/)) { s = substr(s, 1, RSTART - 1) "<b>" substr(s, RSTART + 2, RLENGTH - 4) "</b>" substr(s, RSTART + RLENGTH) }
    while (match(s, /\[[a-z\/._]+\]\([a-z\/._]+\)/)) { a = substr(s, RSTART + 1, RLENGTH - 2); split(a, p, "\\]\\(")
      s = substr(s, 1, RSTART - 1) "<a href=\"" p[2] "\">" p[1] "</a>" substr(s, RSTART + RLENGTH) }
    gsub(/PASS/, "<span class=\"pass\">PASS</span>", s); gsub(/FAIL/, "<span class=\"fail\">FAIL</span>", s)
    return s }
  BEGIN { print "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Qilin regression</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #bbb;padding:2px 6px}.pass{color:#080}.fail{color:#c00;font-weight:bold}pre{background:#f4f4f4;padding:1em}code{font-size:90%}</style></head><body>" }
  /^```/ { if (pre) { print "</pre>"; pre = 0 } else { if (tbl) { print "</table>"; tbl = 0 } print "<pre>"; pre = 1 } next }
  pre { print esc($0); next }
  /^\|/ { line = $0; sub(/^\| */, "", line); sub(/ *\|$/, "", line); n = split(line, c, / *\| */)
    if (line ~ /^-+(\|-+)*$/ || c[1] ~ /^-+$/) next
    if (!tbl) { print "<table>"; tbl = 1; tag = "th" } else tag = "td"
    printf "<tr>"; for (i = 1; i <= n; i++) printf "<%s>%s</%s>", tag, inline(c[i]), tag; print "</tr>"; next }
  { if (tbl) { print "</table>"; tbl = 0 } }
  /^# / { print "<h1>" inline(substr($0, 3)) "</h1>"; next }
  /^## / { print "<h2>" inline(substr($0, 4)) "</h2>"; next }
  /^- / { print "<p>&bull; " inline(substr($0, 3)) "</p>"; next }
  /^$/ { next }
  { print "<p>" inline($0) "</p>" }
  END { if (tbl) print "</table>"; print "</body></html>" }' "$md" >"$OUT/summary.html"

echo "regress-report: $npass/$njobs jobs passed; line coverage $line_all % (min $LINE_MIN %);" \
  "cover points $cp_hit hit, $cp_waived waived, $cp_open open of $cp_total;" \
  "testplan $tp_ok/$tp_total features covered -> $([[ $bad == 0 ]] && echo PASS || echo FAIL)" >&2
echo "regress-report: $OUT/summary.md, $OUT/summary.html, $OUT/junit.xml, $COV/index.html" >&2
exit "$bad"
