// SPDX-License-Identifier: Apache-2.0
// HBM controller bench: bandwidth and read latency of hbm_ctrl_top (HBM2_2000, tCK = 1 ns)
// for NumPC = 1, 2, 8 under five traffic patterns, measured on the device model with the
// scoreboard on. Not a test; `make bench-hbm` runs it. QILIN_HBM_BENCH_CYCLES sets the
// measurement window (default 100000 cycles, which includes refresh, after 3000 cycles of warm-up).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "Vhbm_pc1.h"
#include "Vhbm_pc1_pb.h"
#include "Vhbm_pc2.h"
#include "Vhbm_pc8.h"
#include "hbm_ctrl_env.h"

using namespace qilin::hbm;
using namespace qilin::hbm::tb;

namespace {

enum class Pattern { kSeqRead, kSeqWrite, kMix21, kRand32, kRand64, kRand32Idle };

const char* name(Pattern p) {
  switch (p) {
    case Pattern::kSeqRead: return "seq read 256B";
    case Pattern::kSeqWrite: return "seq write 256B";
    case Pattern::kMix21: return "2:1 rd/wr seq";
    case Pattern::kRand32: return "random 32B rd";
    case Pattern::kRand64: return "random 64B rd";
    case Pattern::kRand32Idle: return "rand 32B 1-at-once";
  }
  return "?";
}

struct Result {
  double gbps = 0, pct_peak = 0, ceiling = 0, pct_ceiling = 0;
  double lat_mean = 0, lat_p99 = 0;
  double khz = 0;
};

// Per-PC bandwidth ceiling of a pattern (GB/s at tCK = 1 ns), before the AXI port limit.
double pc_ceiling(Pattern p, const Timing& t) {
  const double peak = 32.0 / t.tBURST;  // 32 B per tBURST cycles
  if (p == Pattern::kRand32 || p == Pattern::kRand64 || p == Pattern::kRand32Idle) {
    // Every 32 B burst needs its own ACT (the default map puts consecutive bursts in other
    // bank groups or PCs); ACTs are at most one per max(tRRD_S, tFAW / 4) cycles.
    const double act_gap = std::max(double(t.tRRD_S), double(t.tFAW) / 4.0);
    return std::min(peak, 32.0 / act_gap);
  }
  return peak;
}

template <class M>
Result run(unsigned num_pc, Pattern pat, uint64_t warm, uint64_t window, bool per_bank = false) {
  const Timing t = kHBM2_2000;
  Env<M> env("hbm_bench", num_pc, t, 1, per_bank);
  AxiMaster& m = env.master;
  std::mt19937_64 rng(42);
  const uint64_t space = (256ull << 20) * num_pc;  // all of the mapped memory
  uint64_t rd_addr = 0, wr_addr = space / 2;
  unsigned id = 0;
  uint64_t n_rd = 0, n_wr = 0;
  const unsigned max_out = 256;  // master's transaction window (the ROB limits reads)

  auto feed = [&] {
    if (m.ar_backlog() >= 2 && m.aw_backlog() >= 2) return;
    const uint64_t now = env.now();
    switch (pat) {
      case Pattern::kSeqRead:
        if (m.ar_backlog() < 2 && m.outstanding_reads() < max_out) {
          m.enqueue_read(id++ % 16, rd_addr, 7, 5, now);
          rd_addr = (rd_addr + 256) % (space / 2);
        }
        break;
      case Pattern::kSeqWrite:
        if (m.aw_backlog() < 2 && m.outstanding_writes() < max_out) {
          m.enqueue_write(id++ % 16, wr_addr, 7, 5, now);
          wr_addr = space / 2 + (wr_addr + 256) % (space / 2);
        }
        break;
      case Pattern::kMix21:
        // A read stream and a write stream at 2:1, each allowed to run up to 64 bursts
        // ahead of the ratio so that one stalled channel does not stop the other.
        if (m.ar_backlog() < 2 && m.outstanding_reads() < max_out && n_rd < 2 * n_wr + 64) {
          m.enqueue_read(id++ % 16, rd_addr, 7, 5, now);
          rd_addr = (rd_addr + 256) % (space / 2);
          n_rd++;
        }
        if (m.aw_backlog() < 2 && m.outstanding_writes() < max_out && 2 * n_wr < n_rd + 64) {
          m.enqueue_write(id++ % 16, wr_addr, 7, 5, now);
          wr_addr = space / 2 + (wr_addr + 256) % (space / 2);
          n_wr++;
        }
        break;
      case Pattern::kRand32:
      case Pattern::kRand64:
      case Pattern::kRand32Idle: {
        const unsigned beats = (pat == Pattern::kRand64) ? 2 : 1;
        const unsigned limit = (pat == Pattern::kRand32Idle) ? 1 : max_out;
        if (m.ar_backlog() < 2 && m.outstanding_reads() < limit) {
          const uint64_t a = (rng() % space) & ~(uint64_t(32 * beats) - 1);
          m.enqueue_read(id++ % 16, a, beats - 1, 5, now);
        }
        break;
      }
    }
  };

  for (uint64_t i = 0; i < warm; ++i) {
    feed();
    env.step();
  }
  const uint64_t rd0 = m.rd_beats_done, wr0 = m.wr_beats_done;
  m.lat.rd.clear();
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < window; ++i) {
    feed();
    env.step();
  }
  const auto t1 = std::chrono::steady_clock::now();
  const double secs = std::chrono::duration<double>(t1 - t0).count();
  Result r;
  const double bytes = 32.0 * double((m.rd_beats_done - rd0) + (m.wr_beats_done - wr0));
  r.gbps = bytes / double(window);  // bytes per ns = GB/s
  r.pct_peak = 100.0 * r.gbps / (16.0 * num_pc);
  // The single 256-bit AXI port moves one beat per cycle per direction: 32 GB/s each way.
  double axi_cap = 32.0;
  if (pat == Pattern::kMix21) axi_cap = 32.0 * 1.5;  // reads at 32, writes at 16
  r.ceiling = std::min(pc_ceiling(pat, t) * num_pc, axi_cap);
  r.pct_ceiling = 100.0 * r.gbps / r.ceiling;
  r.lat_mean = m.lat.mean();
  r.lat_p99 = m.lat.pct(0.99);
  r.khz = double(window) / secs / 1000.0;
  env.finish_devices();
  if (std::getenv("QILIN_HBM_VERBOSE")) {
    const PhyStats& ps = env.phy(0);
    std::printf("  PC0: ACT %lu PRE %lu PREA %lu REF %lu REFPB %lu RD %lu RDA %lu WR %lu WRA %lu "
                "switches %lu\n", ps.act, ps.pre, ps.prea, ps.ref, ps.refpb, ps.rd, ps.rda, ps.wr,
                ps.wra, ps.rw_switches);
  }
  return r;
}

void print_row(unsigned num_pc, Pattern p, const Result& r) {
  char lat[40] = "      - |       -";
  if (p != Pattern::kSeqWrite)
    std::snprintf(lat, sizeof lat, "%7.1f | %7.1f", r.lat_mean, r.lat_p99);
  std::printf("| %5u | %-18s | %7.2f | %6.1f%% | %7.2f | %6.1f%% | %s | %7.0f |\n", num_pc,
              name(p), r.gbps, r.pct_peak, r.ceiling, r.pct_ceiling, lat, r.khz);
}

}  // namespace

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  uint64_t window = 100000, warm = 3000;
  if (const char* e = std::getenv("QILIN_HBM_BENCH_CYCLES"); e && *e) window = std::stoull(e);
  const Timing t = kHBM2_2000;
  std::printf("HBM controller bench: HBM2_2000, tCK = 1 ns, 32 B per burst, %lu-cycle window\n",
              static_cast<unsigned long>(window));
  std::printf("peak = 16 GB/s per PC (32 B per tBURST = 2 cycles); random-read ceiling per PC =\n"
              "32 B per ACT, one ACT per max(tRRD_S = %d, tFAW/4 = %d/4) cycles = %.1f GB/s\n"
              "(50%% of peak); the one 256-bit AXI port caps each direction at 32 GB/s.\n"
              "Latency: AR accepted to first R beat under the pattern's own load, cycles = ns;\n"
              "'rand 32B 1-at-once' keeps one read in flight: the unloaded latency.\n\n",
              t.tRRD_S, t.tFAW, pc_ceiling(Pattern::kRand32, t));
  std::printf("| NumPC | pattern            |    GB/s | %%peak   | ceiling | %%ceil   | lat avg "
              "| lat p99 | sim kHz |\n");
  std::printf("|-------|--------------------|---------|---------|---------|---------|---------"
              "|---------|---------|\n");
  const Pattern pats[] = {Pattern::kSeqRead, Pattern::kSeqWrite, Pattern::kMix21,
                          Pattern::kRand32, Pattern::kRand64, Pattern::kRand32Idle};
  for (Pattern p : pats) print_row(1, p, run<Vhbm_pc1>(1, p, warm, window));
  for (Pattern p : pats) print_row(2, p, run<Vhbm_pc2>(2, p, warm, window));
  for (Pattern p : pats) print_row(8, p, run<Vhbm_pc8>(8, p, warm, window));
  std::printf("\nPer-bank refresh (PerBankRefresh = 1), one PC:\n");
  for (Pattern p : pats) print_row(1, p, run<Vhbm_pc1_pb>(1, p, warm, window, true));
  return 0;
}
