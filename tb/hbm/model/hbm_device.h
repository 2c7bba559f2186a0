// SPDX-License-Identifier: Apache-2.0
// Cycle-level HBM2 pseudo-channel device model: checks every timing rule of the PHY
// contract (docs/hbm_phy.md) and stores data sparsely. Documented in docs/hbm_model.md.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hbm_timing.h"

namespace qilin::hbm {

// Geometry of one pseudo-channel (docs/hbm_phy.md, "Geometry").
inline constexpr unsigned kBankGroups = 4;
inline constexpr unsigned kBanksPerGroup = 4;
inline constexpr unsigned kBanks = kBankGroups * kBanksPerGroup;
inline constexpr unsigned kRows = 1u << 14;
inline constexpr unsigned kCols = 1u << 5;  // 32 B bursts per 1 KiB page
inline constexpr unsigned kBurstBytes = 32;

// Encodings equal the PHY port's row_cmd / col_cmd values.
enum class RowOp : uint8_t { kNone = 0, kAct = 1, kPre = 2, kPreA = 3, kRef = 4, kRefPb = 5 };
enum class ColOp : uint8_t { kNone = 0, kRd = 1, kWr = 2, kRdA = 3, kWrA = 4 };

struct RowCmd {
  RowOp op = RowOp::kNone;
  unsigned bg = 0, ba = 0, row = 0;
};

struct ColCmd {
  ColOp op = ColOp::kNone;
  unsigned bg = 0, ba = 0, col = 0;
  std::array<uint8_t, 32> wdata{};
  uint32_t wmask = 0;  // bit i = 1: write byte i
};

// One broken rule. `rule` is one of the names in docs/hbm_model.md ("tRCD", ...,
// "ILLEGAL_ACT_OPEN", ...); `cycle` is the cycle of the offending command.
struct Violation {
  std::string rule;
  uint64_t cycle;
  std::string detail;
};

class Device {
 public:
  using Burst = std::array<uint8_t, 32>;

  explicit Device(const Timing& t, bool per_bank_refresh = false);

  // Advance one cycle: apply this cycle's commands (row first), check every rule, then
  // advance time. O(1); allocates only when a violation is recorded or a new burst is
  // written.
  void cycle(const RowCmd& row, const ColCmd& col);
  // Convenience: one idle cycle.
  void idle() { cycle(RowCmd{}, ColCmd{}); }

  // Read data whose return cycle (t_issue + CL + tBURST) is the cycle just simulated.
  bool rd_valid() const { return rd_pipe_[cur_slot_].valid; }
  const Burst& rd_data() const { return rd_pipe_[cur_slot_].data; }

  // Number of cycles simulated so far; the next cycle() call simulates cycle now().
  uint64_t now() const { return now_; }

  const std::vector<Violation>& violations() const { return violations_; }
  // Throw std::runtime_error("<rule> at cycle N: detail") on the first violation.
  void set_throw_on_violation(bool on) { throw_ = on; }

  // Backdoor on the sparse store, keyed by (bg, ba, row, col) burst; unwritten bytes
  // read as 0.
  void backdoor_write(unsigned bg, unsigned ba, unsigned row, unsigned col, const Burst& data);
  Burst backdoor_read(unsigned bg, unsigned ba, unsigned row, unsigned col) const;

  struct Stats {
    uint64_t act = 0;    // ACT commands applied
    uint64_t pre = 0;    // banks closed: PRE, each open bank of a PREA, each auto-precharge
    uint64_t rd = 0;     // RD + RDA applied
    uint64_t wr = 0;     // WR + WRA applied
    uint64_t ref = 0;    // REF applied
    uint64_t refpb = 0;  // REFPB applied
    // ACTs that reopened the row the same bank had open last: a row hit the scheduler
    // could have had by keeping the page open.
    uint64_t row_hits_possible = 0;
    // Column commands that were not the first one after their ACT (row hits taken).
    uint64_t row_hits = 0;
  };
  const Stats& stats() const { return stats_; }

  // Call at the end of a test: checks the refresh interval up to now (no REF for more
  // than 9*tREFI is a violation; per-bank mode: no bank unrefreshed for more than that).
  void finish();

  const Timing& timing() const { return t_; }
  bool per_bank_refresh() const { return per_bank_; }
  // Bank state, for controller testbenches that want to cross-check their own view.
  bool bank_open(unsigned bg, unsigned ba) const { return bank_[bg * kBanksPerGroup + ba].open; }
  unsigned open_row(unsigned bg, unsigned ba) const { return bank_[bg * kBanksPerGroup + ba].row; }
  // Number of cycles from a command to its read return: CL + tBURST.
  unsigned read_latency() const { return static_cast<unsigned>(t_.CL + t_.tBURST); }

 private:
  // Time stamps are signed so that "never" (kNever) and future auto-precharge times
  // subtract without wrap-around.
  using Cyc = int64_t;
  static constexpr Cyc kNever = INT64_MIN / 4;

  // The sparse store holds whole 1 KiB pages (one row of one bank), created on the first
  // write; each open bank caches a pointer to its page, so a column command does no
  // lookup.
  struct Page {
    std::array<Burst, kCols> burst{};
  };

  struct Bank {
    bool open = false;
    unsigned row = 0;
    bool row_valid = false;  // `row` holds the last row opened (for row_hits_possible)
    bool col_since_act = false;
    Page* page = nullptr;  // the open row's page; null while nothing was written to it
    Cyc act = kNever;      // last ACT
    Cyc pre = kNever;      // last precharge (future when an auto-precharge is pending)
    Cyc rd = kNever;       // last RD/RDA
    Cyc wr = kNever;       // last WR/WRA
    Cyc ref_end = kNever;  // first cycle after this bank's refresh
    bool ref_all = false;  // the refresh ending at ref_end is an all-bank REF
    Cyc last_refresh = 0;  // per-bank mode: last REF or REFPB covering this bank
    bool refresh_flagged = false;
  };
  struct RdSlot {
    bool valid = false;
    Burst data{};
  };

  // The command being checked, for violation messages.
  struct Ctx {
    const char* cmd;
    unsigned b;  // bank index bg * kBanksPerGroup + ba
  };

  void do_row(const RowCmd& c, Cyc t);
  void do_col(const ColCmd& c, Cyc t);
  void do_act(unsigned b, unsigned row, Cyc t);
  void do_pre(unsigned b, Cyc t, const char* cmd);
  void do_ref(Cyc t);
  void do_refpb(unsigned b, Cyc t);
  // Earliest cycle an explicit PRE of open bank b satisfies tRAS, tRTP and tWR.
  Cyc earliest_pre(unsigned b) const;
  // Records `rule` unless t - since >= min: the shape of every pairwise rule.
  bool need(const char* rule, Cyc t, Cyc since, Cyc min, const Ctx& c, const char* from) {
    if (t - since >= min) return true;
    violate_gap(rule, t, since, min, c, from);
    return false;
  }
  void violate_gap(const char* rule, Cyc t, Cyc since, Cyc min, const Ctx& c, const char* from);
  void violate(const char* rule, Cyc t, std::string detail);
  void read_return(Cyc t, const Burst* data);
  bool refreshing(unsigned b, Cyc t) const { return t < bank_[b].ref_end; }
  void check_refresh_interval(Cyc t);
  void update_refresh_deadline();
  static uint32_t page_key(unsigned b, unsigned row) { return b * kRows + row; }
  Page* find_page(unsigned b, unsigned row) const;
  Page& make_page(unsigned b, unsigned row);

  Timing t_;
  bool per_bank_;
  bool throw_ = false;
  uint64_t now_ = 0;
  std::array<Bank, kBanks> bank_{};
  std::array<Cyc, kBankGroups> bg_act_{};  // last ACT per bank group
  std::array<Cyc, kBankGroups> bg_col_{};  // last column command per bank group
  std::array<Cyc, kBankGroups> bg_wr_{};   // last WR per bank group
  std::array<Cyc, 4> faw_{};               // the last four ACTs, ring
  unsigned faw_head_ = 0;
  Cyc last_rd_ = kNever;      // last RD on the channel (read→write turnaround)
  Cyc last_ref_ = 0;          // all-bank mode: last REF (the interval starts at cycle 0)
  Cyc refresh_deadline_ = 0;  // last cycle by which a refresh must have been issued
  bool refresh_flagged_ = false;
  std::vector<RdSlot> rd_pipe_;  // ring indexed by cycle & rd_mask_
  uint64_t rd_mask_ = 0;
  uint64_t cur_slot_ = 0;
  std::unordered_map<uint32_t, std::unique_ptr<Page>> pages_;
  std::vector<Violation> violations_;
  Stats stats_{};
};

}  // namespace qilin::hbm
