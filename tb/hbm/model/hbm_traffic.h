// SPDX-License-Identifier: Apache-2.0
// A simple legal command stream for the HBM2 device model: rounds of "ACT all 16 banks,
// batches of reads and writes at full bus rate, PREA, sometimes REF". Every command is
// issued at a cycle derived from the Timing, so a correct model reports no violation.
// Used by the model's sustained-traffic test and by its speed benchmark.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <unordered_map>

#include "hbm_device.h"

namespace qilin::hbm {

class LegalTraffic {
 public:
  LegalTraffic(const Timing& t, uint64_t seed) : t_(t), rng_(seed | 1u) {
    gap_act_ = std::max({t_.tRRD_S, ceil_div(t_.tRRD_L, 4), ceil_div(t_.tFAW, 4)});
    ccd_ = std::max(t_.tCCD_S, ceil_div(t_.tCCD_L, 4));
    first_act_.fill(kNever);
  }

  // The commands for cycle `now`; call once per cycle with consecutive `now`.
  void next(uint64_t now_u, RowCmd& row, ColCmd& col) {
    const int64_t now = static_cast<int64_t>(now_u);
    row = RowCmd{};
    col.op = ColOp::kNone;
    if (now < next_) return;
    switch (state_) {
      case State::kOpen: {
        const unsigned i = act_idx_++;
        const unsigned b = order(i);
        row.op = RowOp::kAct;
        row.bg = b / kBanksPerGroup;
        row.ba = b % kBanksPerGroup;
        row.row = static_cast<unsigned>(rand() % kTrafficRows);
        std::unique_ptr<Page>& pg = ref_[b * kRows + row.row];
        if (!pg) pg = std::make_unique<Page>();
        page_[b] = pg.get();
        first_act_[b] = now;
        last_act_ = now;
        next_ = now + gap_act_;
        if (act_idx_ == kBanks) {
          state_ = State::kCols;
          next_ = now + t_.tRCD;
          col_idx_ = 0;
          batches_left_ = 4 + static_cast<int>(rand() % 9);
          start_batch();
        }
        break;
      }
      case State::kCols: {
        const unsigned b = order(col_idx_++);
        col.op = reading_ ? ColOp::kRd : ColOp::kWr;
        col.bg = b / kBanksPerGroup;
        col.ba = b % kBanksPerGroup;
        col.col = static_cast<unsigned>(rand() % kCols);
        Device::Burst& d = (*page_[b])[col.col];
        if (reading_) {
          expect.push_back(d);
          last_rd_ = now;
        } else {
          for (unsigned k = 0; k < kBurstBytes; k += 4) {
            const uint32_t r = rand();
            std::memcpy(&col.wdata[k], &r, 4);
          }
          col.wmask = (rand() % 4 == 0) ? rand() : 0xffffffffu;
          for (unsigned k = 0; k < kBurstBytes; ++k) {
            if ((col.wmask >> k) & 1u) d[k] = col.wdata[k];
          }
          last_wr_ = now;
        }
        next_ = now + ccd_;
        if (--in_batch_ == 0) {
          if (reading_) {
            next_ = std::max(next_, last_rd_ + t_.CL + t_.tBURST + 1 - t_.CWL);
          } else {
            next_ = std::max(next_, last_wr_ + t_.CWL + t_.tBURST + t_.tWTR_L);
          }
          reading_ = !reading_;
          if (--batches_left_ == 0) {
            state_ = State::kClose;
            next_ = std::max(
                {last_act_ + t_.tRAS, last_rd_ + t_.tRTP, last_wr_ + t_.CWL + t_.tBURST + t_.tWR});
          } else {
            start_batch();
          }
        }
        break;
      }
      case State::kClose: {
        row.op = RowOp::kPreA;
        if (now - last_ref_ >= t_.tREFI / 2) {
          state_ = State::kRef;
          next_ = now + t_.tRP;
        } else {
          begin_round(now + t_.tRP);
        }
        break;
      }
      case State::kRef:
        row.op = RowOp::kRef;
        last_ref_ = now;
        begin_round(now + t_.tRFC);
        break;
    }
  }

  // Expected read data, in issue order (the model returns reads in order).
  std::deque<Device::Burst> expect;

 private:
  enum class State { kOpen, kCols, kClose, kRef };
  static constexpr int64_t kNever = INT64_MIN / 4;
  // Rows used per bank: an 8 MiB footprint, like a test's working set.
  static constexpr unsigned kTrafficRows = 512;
  static int ceil_div(int a, int b) { return (a + b - 1) / b; }
  // Bank order: consecutive entries are in different bank groups.
  static unsigned order(unsigned i) {
    i %= kBanks;
    return (i % kBankGroups) * kBanksPerGroup + i / kBankGroups;
  }
  uint32_t rand() {  // xorshift32: deterministic across platforms
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 17;
    rng_ ^= rng_ << 5;
    return rng_;
  }
  void start_batch() { in_batch_ = 8 + static_cast<int>(rand() % 57); }
  void begin_round(int64_t earliest) {
    state_ = State::kOpen;
    act_idx_ = 0;
    // tRC: every bank is activated in the same order with the same spacing, so bank 0's
    // ACT to ACT distance bounds all of them.
    next_ = std::max(earliest, first_act_[order(0)] + t_.tRC);
  }

  Timing t_;
  uint32_t rng_;
  int gap_act_ = 0, ccd_ = 0;
  State state_ = State::kOpen;
  int64_t next_ = 0;
  unsigned act_idx_ = 0, col_idx_ = 0;
  int batches_left_ = 0, in_batch_ = 0;
  bool reading_ = false;
  int64_t last_act_ = kNever, last_rd_ = kNever, last_wr_ = kNever, last_ref_ = 0;
  std::array<int64_t, kBanks> first_act_{};
  // Reference memory: one page per (bank, row), the open row's page cached per bank.
  using Page = std::array<Device::Burst, kCols>;
  std::array<Page*, kBanks> page_{};
  std::unordered_map<uint32_t, std::unique_ptr<Page>> ref_;
};

}  // namespace qilin::hbm
