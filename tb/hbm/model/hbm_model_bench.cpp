// SPDX-License-Identifier: Apache-2.0
// Speed of the HBM2 device model in simulated cycles per second, for an idle stream
// (refresh only) and a busy one (LegalTraffic: the data bus mostly busy).
//   hbm_model_bench [cycles] [preset]
// Exits non-zero if either stream produced a violation or a read mismatch.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hbm_device.h"
#include "hbm_traffic.h"

using namespace qilin::hbm;

namespace {

template <class F>
double mcycles_per_s(uint64_t n, F&& body) {
  const auto t0 = std::chrono::steady_clock::now();
  body(n);
  const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
  return static_cast<double>(n) / dt.count() / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000ull;
  const Timing t = preset(argc > 2 ? argv[2] : kDefaultPreset);
  int rc = 0;

  Device idle(t);
  const double idle_speed = mcycles_per_s(n, [&](uint64_t cycles) {
    const RowCmd ref{RowOp::kRef, 0, 0, 0};
    const RowCmd none{};
    const ColCmd nocol{};
    for (uint64_t c = 0; c < cycles; ++c) {
      idle.cycle(c % static_cast<uint64_t>(t.tREFI) == 0 ? ref : none, nocol);
    }
  });
  idle.finish();

  Device busy(t);
  LegalTraffic gen(t, 1);
  uint64_t reads = 0, mismatches = 0;
  const double busy_speed = mcycles_per_s(n, [&](uint64_t cycles) {
    RowCmd row;
    ColCmd col;
    for (uint64_t c = 0; c < cycles; ++c) {
      gen.next(c, row, col);
      busy.cycle(row, col);
      if (busy.rd_valid()) {
        if (gen.expect.empty() || busy.rd_data() != gen.expect.front()) ++mismatches;
        if (!gen.expect.empty()) gen.expect.pop_front();
        ++reads;
      }
    }
  });
  busy.finish();

  // The generator alone, to separate its cost from the model's.
  LegalTraffic gen_only(t, 1);
  const double gen_speed = mcycles_per_s(n, [&](uint64_t cycles) {
    RowCmd row;
    ColCmd col;
    uint64_t sink = 0;
    for (uint64_t c = 0; c < cycles; ++c) {
      gen_only.next(c, row, col);
      sink += static_cast<uint64_t>(row.op) + static_cast<uint64_t>(col.op);
      if (gen_only.expect.size() > 64) gen_only.expect.clear();
    }
    if (sink == 1) std::printf(" ");
  });
  const double model_speed = 1.0 / (1.0 / busy_speed - 1.0 / gen_speed);

  const auto& s = busy.stats();
  const double util = double(s.rd + s.wr) * t.tBURST / double(n);
  std::printf("hbm model, %llu cycles:\n", static_cast<unsigned long long>(n));
  std::printf("  idle stream: %.1f Mcycles/s (%zu violations)\n", idle_speed,
              idle.violations().size());
  std::printf(
      "  busy stream: %.1f Mcycles/s, bus utilisation %.0f%%, %llu ACT, %llu RD, "
      "%llu WR, %llu REF (%zu violations, %llu read mismatches)\n",
      busy_speed, 100.0 * util, static_cast<unsigned long long>(s.act),
      static_cast<unsigned long long>(s.rd), static_cast<unsigned long long>(s.wr),
      static_cast<unsigned long long>(s.ref), busy.violations().size(),
      static_cast<unsigned long long>(mismatches));
  std::printf(
      "  busy stream, generator alone: %.1f Mcycles/s; so the model alone: ~%.1f Mcycles/s\n",
      gen_speed, model_speed);
  if (!idle.violations().empty() || !busy.violations().empty() || mismatches) rc = 1;
  return rc;
}
