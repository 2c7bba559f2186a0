// SPDX-License-Identifier: Apache-2.0
// HBM2 pseudo-channel device model: rule checks, bank state, sparse store, read pipeline.
#include "hbm_device.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <stdexcept>

namespace qilin::hbm {

namespace {

constexpr const char* kOpName[] = {"NONE", "ACT", "PRE", "PREA", "REF", "REFPB"};
constexpr const char* kColName[] = {"NONE", "RD", "WR", "RDA", "WRA"};

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

}  // namespace

Device::Device(const Timing& t, bool per_bank_refresh) : t_(t), per_bank_(per_bank_refresh) {
  if (t_.CL < 1 || t_.tBURST < 1 || t_.CWL < 0 || t_.tREFI < 1) {
    throw std::invalid_argument(
        "hbm::Device: timing needs CL >= 1, tBURST >= 1, CWL >= 0, tREFI >= 1");
  }
  uint64_t n = 1;
  while (n < static_cast<uint64_t>(t_.CL + t_.tBURST) + 1) n <<= 1;
  rd_pipe_.resize(n);
  rd_mask_ = n - 1;
  bg_act_.fill(kNever);
  bg_col_.fill(kNever);
  bg_wr_.fill(kNever);
  faw_.fill(kNever);
  refresh_deadline_ = 9 * static_cast<Cyc>(t_.tREFI);
}

void Device::cycle(const RowCmd& row, const ColCmd& col) {
  const Cyc t = static_cast<Cyc>(now_);
  // The slot a read issued now returns through last held the return of cycle
  // t + L - size, which is past: free it.
  rd_pipe_[(now_ + read_latency()) & rd_mask_].valid = false;
  if (t > refresh_deadline_) check_refresh_interval(t);
  if (row.op != RowOp::kNone) do_row(row, t);
  if (col.op != ColOp::kNone) do_col(col, t);
  cur_slot_ = now_ & rd_mask_;
  ++now_;
}

// ---------------------------------------------------------------- row commands

void Device::do_row(const RowCmd& c, Cyc t) {
  const auto op = static_cast<unsigned>(c.op);
  if (op > static_cast<unsigned>(RowOp::kRefPb)) {
    violate("ILLEGAL_CMD", t, fmt("unknown row command %u", op));
    return;
  }
  const bool banked = c.op == RowOp::kAct || c.op == RowOp::kPre || c.op == RowOp::kRefPb;
  if (banked &&
      (c.bg >= kBankGroups || c.ba >= kBanksPerGroup || (c.op == RowOp::kAct && c.row >= kRows))) {
    violate("ILLEGAL_ADDR", t,
            fmt("%s bg%u ba%u row %u out of range", kOpName[op], c.bg, c.ba, c.row));
    return;
  }
  const unsigned b = c.bg * kBanksPerGroup + c.ba;
  switch (c.op) {
    case RowOp::kAct:
      do_act(b, c.row, t);
      break;
    case RowOp::kPre:
      if (refreshing(b, t)) {
        violate("ILLEGAL_CMD_REFRESHING", t,
                fmt("PRE to bg%u ba%u during its refresh (until cycle %" PRId64 ")", c.bg, c.ba,
                    bank_[b].ref_end));
        return;
      }
      do_pre(b, t, "PRE");
      break;
    case RowOp::kPreA:
      for (unsigned i = 0; i < kBanks; ++i) {
        if (refreshing(i, t)) {
          violate("ILLEGAL_CMD_REFRESHING", t,
                  fmt("PREA during the refresh of bg%u ba%u (until cycle %" PRId64 ")",
                      i / kBanksPerGroup, i % kBanksPerGroup, bank_[i].ref_end));
          return;
        }
      }
      for (unsigned i = 0; i < kBanks; ++i) {
        if (bank_[i].open) {
          do_pre(i, t, "PREA");
        } else {
          // tRP runs from a PREA for every bank (contract: "PREA: all banks").
          bank_[i].pre = std::max(bank_[i].pre, t);
        }
      }
      break;
    case RowOp::kRef:
      do_ref(t);
      break;
    case RowOp::kRefPb:
      do_refpb(b, t);
      break;
    case RowOp::kNone:
      break;
  }
}

void Device::do_act(unsigned b, unsigned row, Cyc t) {
  Bank& k = bank_[b];
  const Ctx c{"ACT", b};
  const unsigned bg = b / kBanksPerGroup;
  if (k.open) {
    violate(
        "ILLEGAL_ACT_OPEN", t,
        fmt("ACT to bg%u ba%u row %u while row %u is open", bg, b % kBanksPerGroup, row, k.row));
    return;
  }
  if (refreshing(b, t)) {
    violate("tRFC", t,
            fmt("ACT to bg%u ba%u during its %s (ends at cycle %" PRId64 ")", bg,
                b % kBanksPerGroup, k.ref_all ? "REF, tRFC" : "REFPB, tRFCSB", k.ref_end));
  }
  need("tRP", t, k.pre, t_.tRP, c, "PRE");
  need("tRC", t, k.act, t_.tRC, c, "ACT");
  // tRRD_L: the other banks of this group; tRRD_S: every bank of the other groups.
  Cyc same = kNever;
  for (unsigned i = bg * kBanksPerGroup; i < (bg + 1) * kBanksPerGroup; ++i) {
    if (i != b) same = std::max(same, bank_[i].act);
  }
  need("tRRD_L", t, same, t_.tRRD_L, c, "ACT in the same bank group");
  Cyc other = kNever;
  for (unsigned g = 0; g < kBankGroups; ++g) {
    if (g != bg) other = std::max(other, bg_act_[g]);
  }
  need("tRRD_S", t, other, t_.tRRD_S, c, "ACT in another bank group");
  need("tFAW", t, faw_[faw_head_], t_.tFAW, c, "the fourth-last ACT");

  faw_[faw_head_] = t;
  faw_head_ = (faw_head_ + 1) & 3u;
  bg_act_[bg] = t;
  if (k.row_valid && k.row == row) ++stats_.row_hits_possible;
  k.open = true;
  k.row = row;
  k.page = find_page(b, row);
  k.row_valid = true;
  k.col_since_act = false;
  k.act = t;
  ++stats_.act;
}

Device::Cyc Device::earliest_pre(unsigned b) const {
  const Bank& k = bank_[b];
  Cyc e = k.act + t_.tRAS;
  if (k.rd >= k.act) e = std::max(e, k.rd + t_.tRTP);
  if (k.wr >= k.act) e = std::max(e, k.wr + t_.CWL + t_.tBURST + t_.tWR);
  return e;
}

void Device::do_pre(unsigned b, Cyc t, const char* cmd) {
  Bank& k = bank_[b];
  if (!k.open) return;  // a PRE to a closed bank is a NOP
  const Ctx c{cmd, b};
  need("tRAS", t, k.act, t_.tRAS, c, "ACT");
  if (k.rd >= k.act) need("tRTP", t, k.rd, t_.tRTP, c, "RD");
  if (k.wr >= k.act) need("tWR", t, k.wr, t_.CWL + t_.tBURST + t_.tWR, c, "WR");
  k.open = false;
  k.pre = t;
  ++stats_.pre;
}

void Device::do_ref(Cyc t) {
  for (unsigned i = 0; i < kBanks; ++i) {
    if (bank_[i].open) {
      violate("ILLEGAL_REF_OPEN", t,
              fmt("REF while bg%u ba%u has row %u open", i / kBanksPerGroup, i % kBanksPerGroup,
                  bank_[i].row));
      return;
    }
  }
  // One violation per rule: report the bank that is furthest from legal.
  unsigned worst_rfc = kBanks, worst_rp = 0;
  for (unsigned i = 0; i < kBanks; ++i) {
    if (refreshing(i, t) && (worst_rfc == kBanks || bank_[i].ref_end > bank_[worst_rfc].ref_end)) {
      worst_rfc = i;
    }
    if (bank_[i].pre > bank_[worst_rp].pre) worst_rp = i;
  }
  if (worst_rfc != kBanks) {
    const Bank& k = bank_[worst_rfc];
    violate("tRFC", t,
            fmt("REF during the %s of bg%u ba%u (ends at cycle %" PRId64 ")",
                k.ref_all ? "REF, tRFC" : "REFPB, tRFCSB", worst_rfc / kBanksPerGroup,
                worst_rfc % kBanksPerGroup, k.ref_end));
  }
  need("tRP", t, bank_[worst_rp].pre, t_.tRP, Ctx{"REF", worst_rp}, "PRE");

  for (Bank& k : bank_) {
    k.ref_end = t + t_.tRFC;
    k.ref_all = true;
    k.last_refresh = t;
    k.refresh_flagged = false;
  }
  ++stats_.ref;
  last_ref_ = t;
  refresh_flagged_ = false;
  update_refresh_deadline();
}

void Device::do_refpb(unsigned b, Cyc t) {
  Bank& k = bank_[b];
  const unsigned bg = b / kBanksPerGroup, ba = b % kBanksPerGroup;
  if (k.open) {
    violate("ILLEGAL_REF_OPEN", t, fmt("REFPB to bg%u ba%u while row %u is open", bg, ba, k.row));
    return;
  }
  if (refreshing(b, t)) {
    violate("tRFC", t,
            fmt("REFPB to bg%u ba%u during its %s (ends at cycle %" PRId64 ")", bg, ba,
                k.ref_all ? "REF, tRFC" : "REFPB, tRFCSB", k.ref_end));
  }
  need("tRP", t, k.pre, t_.tRP, Ctx{"REFPB", b}, "PRE");
  k.ref_end = t + t_.tRFCSB;
  k.ref_all = false;
  k.last_refresh = t;
  k.refresh_flagged = false;
  ++stats_.refpb;
  if (per_bank_) update_refresh_deadline();
}

// ---------------------------------------------------------------- refresh interval

void Device::update_refresh_deadline() {
  const Cyc max_gap = 9 * static_cast<Cyc>(t_.tREFI);
  if (!per_bank_) {
    refresh_deadline_ = refresh_flagged_ ? INT64_MAX : last_ref_ + max_gap;
    return;
  }
  refresh_deadline_ = INT64_MAX;
  for (const Bank& k : bank_) {
    if (!k.refresh_flagged)
      refresh_deadline_ = std::min(refresh_deadline_, k.last_refresh + max_gap);
  }
}

void Device::check_refresh_interval(Cyc t) {
  const Cyc max_gap = 9 * static_cast<Cyc>(t_.tREFI);
  if (!per_bank_) {
    if (!refresh_flagged_ && t - last_ref_ > max_gap) {
      refresh_flagged_ = true;
      update_refresh_deadline();
      violate("tREFI", t,
              fmt("no REF since cycle %" PRId64 ": more than 9*tREFI = %" PRId64 " cycles",
                  last_ref_, max_gap));
    }
    return;
  }
  for (unsigned i = 0; i < kBanks; ++i) {
    Bank& k = bank_[i];
    if (!k.refresh_flagged && t - k.last_refresh > max_gap) {
      k.refresh_flagged = true;
      update_refresh_deadline();
      violate("tREFI", t,
              fmt("bg%u ba%u not refreshed (REF or REFPB) since cycle %" PRId64
                  ": more than 9*tREFI = %" PRId64 " cycles",
                  i / kBanksPerGroup, i % kBanksPerGroup, k.last_refresh, max_gap));
    }
  }
}

void Device::finish() {
  if (now_ == 0) return;
  const Cyc last = static_cast<Cyc>(now_) - 1;
  if (last > refresh_deadline_) check_refresh_interval(last);
}

// ---------------------------------------------------------------- column commands

void Device::read_return(Cyc t, const Burst* data) {
  RdSlot& s = rd_pipe_[(static_cast<uint64_t>(t) + read_latency()) & rd_mask_];
  s.valid = true;
  if (data) {
    s.data = *data;
  } else {
    s.data.fill(0);
  }
}

void Device::do_col(const ColCmd& c, Cyc t) {
  const auto op = static_cast<unsigned>(c.op);
  if (op > static_cast<unsigned>(ColOp::kWrA)) {
    violate("ILLEGAL_CMD", t, fmt("unknown column command %u", op));
    return;
  }
  const bool is_rd = c.op == ColOp::kRd || c.op == ColOp::kRdA;
  const bool auto_pre = c.op == ColOp::kRdA || c.op == ColOp::kWrA;
  if (c.bg >= kBankGroups || c.ba >= kBanksPerGroup || c.col >= kCols) {
    violate("ILLEGAL_ADDR", t,
            fmt("%s bg%u ba%u col %u out of range", kColName[op], c.bg, c.ba, c.col));
    if (is_rd) read_return(t, nullptr);
    return;
  }
  const unsigned b = c.bg * kBanksPerGroup + c.ba;
  Bank& k = bank_[b];
  // An ignored read still returns a (zero) burst so that the read count stays aligned.
  if (refreshing(b, t)) {
    violate("ILLEGAL_CMD_REFRESHING", t,
            fmt("%s to bg%u ba%u during its refresh (until cycle %" PRId64 ")", kColName[op], c.bg,
                c.ba, k.ref_end));
    if (is_rd) read_return(t, nullptr);
    return;
  }
  if (!k.open) {
    violate("ILLEGAL_COL_CLOSED", t,
            fmt("%s to bg%u ba%u col %u: bank closed", kColName[op], c.bg, c.ba, c.col));
    if (is_rd) read_return(t, nullptr);
    return;
  }

  const Ctx x{kColName[op], b};
  need("tRCD", t, k.act, t_.tRCD, x, "ACT");
  need("tCCD_L", t, bg_col_[c.bg], t_.tCCD_L, x, "column command in the same bank group");
  Cyc other_col = kNever, other_wr = kNever;
  for (unsigned g = 0; g < kBankGroups; ++g) {
    if (g == c.bg) continue;
    other_col = std::max(other_col, bg_col_[g]);
    other_wr = std::max(other_wr, bg_wr_[g]);
  }
  need("tCCD_S", t, other_col, t_.tCCD_S, x, "column command in another bank group");
  if (is_rd) {
    need("tWTR_L", t, bg_wr_[c.bg], t_.CWL + t_.tBURST + t_.tWTR_L, x, "WR in the same bank group");
    need("tWTR_S", t, other_wr, t_.CWL + t_.tBURST + t_.tWTR_S, x, "WR in another bank group");
  } else {
    need("tRTW", t, last_rd_, t_.CL + t_.tBURST + 1 - t_.CWL, x, "RD");
  }

  bg_col_[c.bg] = t;
  if (k.col_since_act) ++stats_.row_hits;
  k.col_since_act = true;
  if (is_rd) {
    read_return(t, k.page ? &k.page->burst[c.col] : nullptr);
    k.rd = t;
    last_rd_ = t;
    ++stats_.rd;
  } else {
    if (c.wmask != 0) {
      if (!k.page) k.page = &make_page(b, k.row);
      Burst& d = k.page->burst[c.col];
      if (c.wmask == 0xffffffffu) {
        d = c.wdata;
      } else {
        for (unsigned i = 0; i < kBurstBytes; ++i) {
          if ((c.wmask >> i) & 1u) d[i] = c.wdata[i];
        }
      }
    }
    k.wr = t;
    bg_wr_[c.bg] = t;
    ++stats_.wr;
  }
  if (auto_pre) {
    // Precharge at the earliest legal cycle; the bank takes no further column commands.
    k.pre = earliest_pre(b);
    k.open = false;
    ++stats_.pre;
  }
}

// ---------------------------------------------------------------- violations, backdoor

void Device::violate_gap(const char* rule, Cyc t, Cyc since, Cyc min, const Ctx& c,
                         const char* from) {
  violate(rule, t,
          fmt("%s to bg%u ba%u at cycle %" PRId64 " is %" PRId64
              " cycles after %s at cycle %" PRId64 "; needs %" PRId64,
              c.cmd, c.b / kBanksPerGroup, c.b % kBanksPerGroup, t, t - since, from, since, min));
}

void Device::violate(const char* rule, Cyc t, std::string detail) {
  violations_.push_back(Violation{rule, static_cast<uint64_t>(t), std::move(detail)});
  if (throw_) {
    const Violation& v = violations_.back();
    throw std::runtime_error(v.rule + " at cycle " + std::to_string(v.cycle) + ": " + v.detail);
  }
}

namespace {
void check_addr(unsigned bg, unsigned ba, unsigned row, unsigned col) {
  if (bg >= kBankGroups || ba >= kBanksPerGroup || row >= kRows || col >= kCols) {
    throw std::out_of_range(
        fmt("hbm::Device backdoor: bg%u ba%u row %u col %u out of range", bg, ba, row, col));
  }
}
}  // namespace

void Device::backdoor_write(unsigned bg, unsigned ba, unsigned row, unsigned col,
                            const Burst& data) {
  check_addr(bg, ba, row, col);
  make_page(bg * kBanksPerGroup + ba, row).burst[col] = data;
}

Device::Burst Device::backdoor_read(unsigned bg, unsigned ba, unsigned row, unsigned col) const {
  check_addr(bg, ba, row, col);
  const Page* p = find_page(bg * kBanksPerGroup + ba, row);
  return p ? p->burst[col] : Burst{};
}

Device::Page* Device::find_page(unsigned b, unsigned row) const {
  const auto it = pages_.find(page_key(b, row));
  return it == pages_.end() ? nullptr : it->second.get();
}

Device::Page& Device::make_page(unsigned b, unsigned row) {
  std::unique_ptr<Page>& p = pages_[page_key(b, row)];
  if (!p) {
    p = std::make_unique<Page>();
    // A backdoor write may create the page of a row that is open right now.
    if (bank_[b].open && bank_[b].row == row) bank_[b].page = p.get();
  }
  return *p;
}

}  // namespace qilin::hbm
