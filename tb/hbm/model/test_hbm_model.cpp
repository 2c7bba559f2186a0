// SPDX-License-Identifier: Apache-2.0
// Sensitivity tests of the HBM2 device model: every timing rule of docs/hbm_phy.md is
// broken by exactly one cycle (flagged, with that rule only) and met exactly (clean), for
// every preset; plus illegal commands, data, read latency, refresh interval and traffic.
#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hbm_device.h"
#include "hbm_timing.h"
#include "hbm_traffic.h"

using namespace qilin::hbm;

namespace {

// A command stream: commands keyed by cycle. Row and column commands of one cycle share
// an entry.
class Stream {
 public:
  Stream& act(int64_t at, unsigned bg, unsigned ba, unsigned row = 7) {
    return row_cmd(at, RowOp::kAct, bg, ba, row);
  }
  Stream& pre(int64_t at, unsigned bg, unsigned ba) { return row_cmd(at, RowOp::kPre, bg, ba); }
  Stream& prea(int64_t at) { return row_cmd(at, RowOp::kPreA, 0, 0); }
  Stream& ref(int64_t at) { return row_cmd(at, RowOp::kRef, 0, 0); }
  Stream& refpb(int64_t at, unsigned bg, unsigned ba) { return row_cmd(at, RowOp::kRefPb, bg, ba); }
  Stream& col(int64_t at, ColOp op, unsigned bg, unsigned ba, unsigned c = 3,
              uint32_t wmask = 0xffffffffu, uint8_t fill = 0xa5) {
    ColCmd& x = at_(at).second;
    REQUIRE(x.op == ColOp::kNone);
    x.op = op;
    x.bg = bg;
    x.ba = ba;
    x.col = c;
    x.wmask = wmask;
    for (unsigned i = 0; i < kBurstBytes; ++i) x.wdata[i] = static_cast<uint8_t>(fill + i);
    return *this;
  }
  Stream& rd(int64_t at, unsigned bg, unsigned ba) { return col(at, ColOp::kRd, bg, ba); }
  Stream& wr(int64_t at, unsigned bg, unsigned ba) { return col(at, ColOp::kWr, bg, ba); }
  Stream& rda(int64_t at, unsigned bg, unsigned ba) { return col(at, ColOp::kRdA, bg, ba); }
  Stream& wra(int64_t at, unsigned bg, unsigned ba) { return col(at, ColOp::kWrA, bg, ba); }

  // Runs the stream on `dev` up to and including its last command's cycle + `tail`,
  // calling `after(dev)` after every cycle.
  void run(Device& dev, int64_t tail = 1,
           const std::function<void(const Device&)>& after = {}) const {
    const int64_t end = cmds_.empty() ? tail : cmds_.rbegin()->first + tail;
    while (static_cast<int64_t>(dev.now()) <= end) {
      const auto it = cmds_.find(static_cast<int64_t>(dev.now()));
      if (it == cmds_.end()) {
        dev.idle();
      } else {
        dev.cycle(it->second.first, it->second.second);
      }
      if (after) after(dev);
    }
  }

 private:
  Stream& row_cmd(int64_t at, RowOp op, unsigned bg, unsigned ba, unsigned row = 0) {
    RowCmd& x = at_(at).first;
    REQUIRE(x.op == RowOp::kNone);
    x = RowCmd{op, bg, ba, row};
    return *this;
  }
  std::pair<RowCmd, ColCmd>& at_(int64_t at) {
    REQUIRE(at >= 0);
    return cmds_[at];
  }
  std::map<int64_t, std::pair<RowCmd, ColCmd>> cmds_;
};

std::string rules_of(const Device& dev) {
  std::string s;
  for (const Violation& v : dev.violations()) {
    s += v.rule + " at " + std::to_string(v.cycle) + " (" + v.detail + "); ";
  }
  return s.empty() ? "none" : s;
}

struct Preset {
  const char* name;
  Timing t;
};
const Preset kPresets[] = {{"HBM2_2000", kHBM2_2000}, {"HBM2E_3200", kHBM2E_3200}};

// Some rules cannot be broken alone with a preset's values: tRC when tRC <= tRAS + tRP
// (an ACT -> PRE -> ACT sequence meeting tRAS and tRP meets tRC), tFAW when tFAW <=
// 4 * tRRD_S (five ACTs meeting tRRD_S span tFAW). For those rows the test widens that
// one parameter, derived from the others, so that the rule becomes the binding one.
Timing widen_trc(Timing t) {
  t.tRC = std::max(t.tRC, t.tRAS + t.tRP + 2);
  return t;
}
Timing widen_tfaw(Timing t) {
  t.tFAW = std::max(t.tFAW, 4 * t.tRRD_S + 2);
  return t;
}
// And the converse: an auto-precharge bound by tRAS followed by an ACT tRP later is at
// exactly tRAS + tRP after the first ACT, which is tRC with the presets' values.
Timing narrow_trc(Timing t) {
  t.tRC = std::min(t.tRC, t.tRAS + t.tRP - 2);
  return t;
}
Timing as_is(Timing t) { return t; }

// One rule: `build(t, d)` returns the stream with the constrained command at its limit
// (d = 0: legal) or one cycle past it (d = -1: one cycle early for a minimum distance,
// one cycle late for the refresh interval, which is a maximum).
struct RuleCase {
  const char* rule;
  const char* what;
  Timing (*adjust)(Timing);
  std::function<Stream(const Timing&, int)> build;
  bool per_bank_refresh = false;
};

// Column-to-PRE distances of the contract.
int wr_to_pre(const Timing& t) { return t.CWL + t.tBURST + t.tWR; }
int wr_to_rd_l(const Timing& t) { return t.CWL + t.tBURST + t.tWTR_L; }
int wr_to_rd_s(const Timing& t) { return t.CWL + t.tBURST + t.tWTR_S; }
int rd_to_wr(const Timing& t) { return t.CL + t.tBURST + 1 - t.CWL; }

const std::vector<RuleCase>& rule_cases() {
  static const std::vector<RuleCase> cases = {
      {"tRCD", "ACT -> RD", as_is,
       [](const Timing& t, int d) { return Stream().act(0, 0, 0).rd(t.tRCD + d, 0, 0); }},
      {"tRCD", "ACT -> WR", as_is,
       [](const Timing& t, int d) { return Stream().act(0, 1, 2).wr(t.tRCD + d, 1, 2); }},
      {"tRP", "PRE -> ACT", as_is,
       [](const Timing& t, int d) {
         const int p = t.tRC;  // late PRE so that tRC has slack
         return Stream().act(0, 0, 0).pre(p, 0, 0).act(p + t.tRP + d, 0, 0);
       }},
      {"tRP", "PREA -> ACT other bank", as_is,
       [](const Timing& t, int d) {
         return Stream().act(0, 0, 0).prea(t.tRAS).act(t.tRAS + t.tRP + d, 3, 1);
       }},
      {"tRP", "PRE -> REF", as_is,
       [](const Timing& t, int d) {
         return Stream().act(0, 2, 2).pre(t.tRAS, 2, 2).ref(t.tRAS + t.tRP + d);
       }},
      {"tRP", "RDA -> ACT (auto-precharge bound by tRTP)", as_is,
       [](const Timing& t, int d) {
         const int r = t.tRAS;  // auto-precharge at r + tRTP
         return Stream().act(0, 0, 0).rda(r, 0, 0).act(r + t.tRTP + t.tRP + d, 0, 0);
       }},
      {"tRP", "RDA -> ACT (auto-precharge bound by tRAS)", narrow_trc,
       [](const Timing& t, int d) {
         return Stream()
             .act(0, 0, 0)
             .rda(t.tRCD, 0, 0)
             .act(std::max(t.tRAS, t.tRCD + t.tRTP) + t.tRP + d, 0, 0);
       }},
      {"tRP", "WRA -> ACT (auto-precharge bound by tWR)", as_is,
       [](const Timing& t, int d) {
         const int w = t.tRAS;
         return Stream().act(0, 0, 0).wra(w, 0, 0).act(w + wr_to_pre(t) + t.tRP + d, 0, 0);
       }},
      {"tRP", "WR, RDA -> ACT (auto-precharge also waits for the WR's tWR)", as_is,
       [](const Timing& t, int d) {
         const int w = t.tRAS, r = w + wr_to_rd_l(t);
         const int ap = std::max(r + t.tRTP, w + wr_to_pre(t));
         return Stream().act(0, 0, 0).wr(w, 0, 0).rda(r, 0, 0).act(ap + t.tRP + d, 0, 0);
       }},
      {"tRAS", "ACT -> PRE", as_is,
       [](const Timing& t, int d) { return Stream().act(0, 0, 0).pre(t.tRAS + d, 0, 0); }},
      {"tRAS", "ACT -> PREA", as_is,
       [](const Timing& t, int d) { return Stream().act(0, 3, 3).prea(t.tRAS + d); }},
      {"tRC", "ACT -> ACT same bank", widen_trc,
       [](const Timing& t, int d) {
         return Stream().act(0, 1, 1).pre(t.tRAS, 1, 1).act(t.tRC + d, 1, 1);
       }},
      {"tRRD_L", "ACT -> ACT same bank group", as_is,
       [](const Timing& t, int d) { return Stream().act(0, 2, 0).act(t.tRRD_L + d, 2, 3); }},
      {"tRRD_S", "ACT -> ACT other bank group", as_is,
       [](const Timing& t, int d) { return Stream().act(0, 0, 1).act(t.tRRD_S + d, 3, 1); }},
      {"tFAW", "fifth ACT in the window", widen_tfaw,
       [](const Timing& t, int d) {
         const int s = t.tRRD_S;
         return Stream()
             .act(0, 0, 0)
             .act(s, 1, 0)
             .act(2 * s, 2, 0)
             .act(3 * s, 3, 0)
             .act(t.tFAW + d, 0, 1);
       }},
      {"tCCD_L", "RD -> RD same bank group", as_is,
       [](const Timing& t, int d) {
         return Stream().act(0, 1, 0).rd(t.tRCD, 1, 0).rd(t.tRCD + t.tCCD_L + d, 1, 0);
       }},
      {"tCCD_L", "WR -> WR same bank group, other bank", as_is,
       [](const Timing& t, int d) {
         const int c = t.tRRD_L + t.tRCD;
         return Stream().act(0, 1, 0).act(t.tRRD_L, 1, 2).wr(c, 1, 0).wr(c + t.tCCD_L + d, 1, 2);
       }},
      {"tCCD_S", "RD -> RD other bank group", as_is,
       [](const Timing& t, int d) {
         const int c = t.tRRD_S + t.tRCD;
         return Stream().act(0, 0, 0).act(t.tRRD_S, 1, 0).rd(c, 0, 0).rd(c + t.tCCD_S + d, 1, 0);
       }},
      {"tWR", "WR -> PRE", as_is,
       [](const Timing& t, int d) {
         const int w = t.tRAS;
         return Stream().act(0, 0, 0).wr(w, 0, 0).pre(w + wr_to_pre(t) + d, 0, 0);
       }},
      {"tWR", "WR -> PREA", as_is,
       [](const Timing& t, int d) {
         const int w = t.tRAS;
         return Stream().act(0, 0, 0).wr(w, 0, 0).prea(w + wr_to_pre(t) + d);
       }},
      {"tRTP", "RD -> PRE", as_is,
       [](const Timing& t, int d) {
         const int r = t.tRAS;
         return Stream().act(0, 0, 0).rd(r, 0, 0).pre(r + t.tRTP + d, 0, 0);
       }},
      {"tWTR_L", "WR -> RD same bank group", as_is,
       [](const Timing& t, int d) {
         return Stream().act(0, 2, 1).wr(t.tRCD, 2, 1).rd(t.tRCD + wr_to_rd_l(t) + d, 2, 1);
       }},
      {"tWTR_S", "WR -> RD other bank group", as_is,
       [](const Timing& t, int d) {
         const int c = t.tRRD_S + t.tRCD;
         return Stream()
             .act(0, 0, 0)
             .act(t.tRRD_S, 1, 0)
             .wr(c, 0, 0)
             .rd(c + wr_to_rd_s(t) + d, 1, 0);
       }},
      {"tRTW", "RD -> WR bus turnaround", as_is,
       [](const Timing& t, int d) {
         return Stream().act(0, 0, 0).rd(t.tRCD, 0, 0).wr(t.tRCD + rd_to_wr(t) + d, 0, 0);
       }},
      {"tRTW", "RD -> WR other bank group", as_is,
       [](const Timing& t, int d) {
         const int c = t.tRRD_S + t.tRCD;
         return Stream().act(0, 0, 0).act(t.tRRD_S, 3, 0).rd(c, 0, 0).wr(c + rd_to_wr(t) + d, 3, 0);
       }},
      {"tRFC", "REF -> ACT", as_is,
       [](const Timing& t, int d) { return Stream().ref(0).act(t.tRFC + d, 1, 3); }},
      {"tRFC", "REF -> REF", as_is,
       [](const Timing& t, int d) { return Stream().ref(0).ref(t.tRFC + d); }},
      {"tRFC", "REF -> REFPB", as_is,
       [](const Timing& t, int d) { return Stream().ref(0).refpb(t.tRFC + d, 2, 2); }},
      {"tRFC", "REFPB -> ACT same bank (tRFCSB)", as_is,
       [](const Timing& t, int d) { return Stream().refpb(0, 1, 2).act(t.tRFCSB + d, 1, 2); }},
      {"tRFC", "REFPB -> REFPB same bank (tRFCSB)", as_is,
       [](const Timing& t, int d) { return Stream().refpb(0, 1, 2).refpb(t.tRFCSB + d, 1, 2); }},
      {"tRFC", "REFPB -> REF (tRFCSB)", as_is,
       [](const Timing& t, int d) { return Stream().refpb(0, 0, 3).ref(t.tRFCSB + d); }},
      {"tREFI", "all-bank mode: REF at most 9*tREFI after the previous", as_is,
       [](const Timing& t, int d) {
         const int64_t m = 9LL * t.tREFI;  // a maximum: d = -1 is one cycle late
         return Stream().ref(m - d).ref(2 * m - d);
       }},
      {"tREFI", "per-bank mode: each bank refreshed within 9*tREFI", as_is,
       [](const Timing& t, int d) {
         const int64_t m = 9LL * t.tREFI;
         Stream s;
         for (unsigned b = 0; b < kBanks; ++b) {
           // Bank 9 is the late one; the others are refreshed early.
           const int64_t at = b == 9 ? m - d : m - 40 + b;  // d = -1: one cycle late
           s.refpb(at, b / kBanksPerGroup, b % kBanksPerGroup);
         }
         return s;
       },
       true},
  };
  return cases;
}

}  // namespace

TEST_CASE("every timing rule is flagged one cycle early and clean at its minimum", "[hbm][rules]") {
  std::set<std::string> covered;
  for (const Preset& p : kPresets) {
    for (const RuleCase& rc : rule_cases()) {
      const Timing t = rc.adjust(p.t);
      INFO("preset " << p.name << ", rule " << rc.rule << ": " << rc.what);
      {
        Device dev(t, rc.per_bank_refresh);
        rc.build(t, 0).run(dev);
        dev.finish();
        INFO("at the minimum: " << rules_of(dev));
        CHECK(dev.violations().empty());
      }
      {
        Device dev(t, rc.per_bank_refresh);
        rc.build(t, -1).run(dev);
        dev.finish();
        INFO("one cycle early: " << rules_of(dev));
        REQUIRE(dev.violations().size() == 1);
        CHECK(dev.violations()[0].rule == rc.rule);
      }
      covered.insert(rc.rule);
    }
  }
  // Every rule of the contract's table has at least one row.
  for (const char* r : {"tRCD", "tRP", "tRAS", "tRC", "tRRD_S", "tRRD_L", "tFAW", "tCCD_S",
                        "tCCD_L", "tWR", "tRTP", "tWTR_S", "tWTR_L", "tRTW", "tRFC", "tREFI"}) {
    INFO("rule " << r);
    CHECK(covered.count(r) == 1);
  }
}

TEST_CASE("a violation message names the rule and the cycle and throw mode stops at the first",
          "[hbm][rules]") {
  const Timing t = kHBM2_2000;
  Device dev(t);
  Stream().act(0, 0, 0).rd(t.tRCD - 1, 0, 0).run(dev);
  REQUIRE(dev.violations().size() == 1);
  CHECK(dev.violations()[0].cycle == static_cast<uint64_t>(t.tRCD - 1));
  CHECK_THAT(dev.violations()[0].detail, Catch::Contains("RD to bg0 ba0"));

  Device dev2(t);
  dev2.set_throw_on_violation(true);
  CHECK_THROWS_WITH(Stream().act(0, 0, 0).rd(t.tRCD - 1, 0, 0).run(dev2),
                    Catch::StartsWith("tRCD at cycle " + std::to_string(t.tRCD - 1) + ": "));
}

TEST_CASE("illegal commands are flagged and ignored", "[hbm][illegal]") {
  for (const Preset& p : kPresets) {
    const Timing& t = p.t;
    INFO("preset " << p.name);
    struct Illegal {
      const char* rule;
      const char* what;
      Stream s;
    };
    const int late = t.tRC + t.tRP + 10;  // far from every timing minimum
    const std::vector<Illegal> cases = {
        {"ILLEGAL_ACT_OPEN", "ACT to an open bank", Stream().act(0, 0, 0).act(late, 0, 0, 9)},
        {"ILLEGAL_COL_CLOSED", "RD to a never-opened bank", Stream().rd(5, 1, 1)},
        {"ILLEGAL_COL_CLOSED", "WR after PRE",
         Stream().act(0, 1, 1).pre(t.tRAS, 1, 1).wr(late, 1, 1)},
        {"ILLEGAL_COL_CLOSED", "RD after RDA closed the bank",
         Stream().act(0, 2, 0).rda(t.tRCD, 2, 0).rd(late, 2, 0)},
        {"ILLEGAL_COL_CLOSED", "WR after WRA closed the bank",
         Stream().act(0, 2, 0).wra(t.tRCD, 2, 0).wr(t.tRCD + t.tCCD_L, 2, 0)},
        {"ILLEGAL_REF_OPEN", "REF with one bank open", Stream().act(0, 3, 2).ref(late)},
        {"ILLEGAL_REF_OPEN", "REFPB to an open bank", Stream().act(0, 3, 2).refpb(late, 3, 2)},
        {"ILLEGAL_CMD_REFRESHING", "PRE during REF", Stream().ref(0).pre(t.tRFC - 1, 0, 0)},
        {"ILLEGAL_CMD_REFRESHING", "PREA during REFPB", Stream().refpb(0, 1, 1).prea(1)},
        {"ILLEGAL_CMD_REFRESHING", "RD to a bank in REFPB",
         Stream().refpb(0, 1, 1).rd(t.tRFCSB - 1, 1, 1)},
        {"ILLEGAL_ADDR", "ACT to bank group 4", Stream().act(0, 4, 0)},
        {"ILLEGAL_ADDR", "ACT to row 2^14", Stream().act(0, 0, 0, kRows)},
        {"ILLEGAL_ADDR", "RD to column 32", Stream().act(0, 0, 0).col(late, ColOp::kRd, 0, 0, 32)},
    };
    for (const Illegal& c : cases) {
      Device dev(t);
      c.s.run(dev);
      INFO(c.what << ": " << rules_of(dev));
      REQUIRE(dev.violations().size() == 1);
      CHECK(dev.violations()[0].rule == c.rule);
    }
  }
}

TEST_CASE("an ignored illegal command leaves the state alone", "[hbm][illegal]") {
  const Timing t = kHBM2_2000;
  Device dev(t);
  Stream().act(0, 1, 2, 100).act(t.tRC + 1, 1, 2, 200).run(dev);
  REQUIRE(dev.violations().size() == 1);
  CHECK(dev.bank_open(1, 2));
  CHECK(dev.open_row(1, 2) == 100);
  CHECK(dev.stats().act == 1);

  RowCmd bad_row;
  bad_row.op = static_cast<RowOp>(6);
  ColCmd bad_col;
  bad_col.op = static_cast<ColOp>(7);
  dev.cycle(bad_row, bad_col);
  REQUIRE(dev.violations().size() == 3);
  CHECK(dev.violations()[1].rule == "ILLEGAL_CMD");
  CHECK(dev.violations()[2].rule == "ILLEGAL_CMD");
}

TEST_CASE("per-bank refresh blocks only its bank", "[hbm][refresh]") {
  const Timing t = kHBM2_2000;
  Device dev(t, true);
  // REFPB to bg0 ba0 and, in the next cycles, ACT/RD/PRE on the other banks.
  Stream s;
  s.refpb(0, 0, 0).refpb(1, 0, 1).act(2, 1, 0).rd(2 + t.tRCD, 1, 0);
  s.pre(2 + t.tRAS, 1, 0);
  s.act(t.tRFCSB, 0, 0);  // bg0 ba0 is free again at exactly tRFCSB
  s.run(dev);
  INFO(rules_of(dev));
  CHECK(dev.violations().empty());
  CHECK(dev.stats().refpb == 2);
}

TEST_CASE("a refresh interval of 9 tREFI passes and one cycle more fails", "[hbm][refresh]") {
  for (const Preset& p : kPresets) {
    INFO("preset " << p.name);
    const uint64_t m = 9ull * p.t.tREFI;
    for (bool per_bank : {false, true}) {
      INFO("per-bank mode " << per_bank);
      Device dev(p.t, per_bank);
      while (dev.now() <= m) dev.idle();  // cycles 0 .. 9*tREFI: still in time
      dev.finish();
      CHECK(dev.violations().empty());
      dev.idle();  // cycle 9*tREFI + 1 without a refresh
      dev.finish();
      const size_t n = per_bank ? kBanks : 1;  // per-bank mode names every late bank
      REQUIRE(dev.violations().size() == n);
      CHECK(dev.violations()[0].rule == "tREFI");
      CHECK(dev.violations()[0].cycle == m + 1);
      // Flagged once per interval, not once per cycle.
      for (int i = 0; i < 100; ++i) dev.idle();
      dev.finish();
      CHECK(dev.violations().size() == n);
    }
  }
}

TEST_CASE("all-bank mode counts only REF and per-bank mode counts REF and REFPB",
          "[hbm][refresh]") {
  const Timing t = kHBM2_2000;
  const int64_t m = 9LL * t.tREFI;
  Stream s;  // every bank gets a REFPB in time, nobody issues REF
  for (unsigned b = 0; b < kBanks; ++b) s.refpb(m - 20 + b, b / kBanksPerGroup, b % kBanksPerGroup);
  Device all_bank(t, false), per_bank(t, true);
  s.run(all_bank, 10);
  s.run(per_bank, 10);
  REQUIRE(all_bank.violations().size() == 1);
  CHECK(all_bank.violations()[0].rule == "tREFI");
  CHECK(per_bank.violations().empty());

  Device per_bank_ref(t, true);  // in per-bank mode an all-bank REF refreshes every bank
  Stream().ref(m).run(per_bank_ref, m);
  CHECK(per_bank_ref.violations().empty());
}

TEST_CASE("write with a byte mask and read back after exactly CL + tBURST", "[hbm][data]") {
  for (const Preset& p : kPresets) {
    const Timing& t = p.t;
    INFO("preset " << p.name);
    Device dev(t);
    const unsigned bg = 2, ba = 3, row = 0x2abc, c = 17;
    Device::Burst old{};
    for (unsigned i = 0; i < kBurstBytes; ++i) old[i] = static_cast<uint8_t>(0xc0 + i);
    dev.backdoor_write(bg, ba, row, c, old);

    const uint32_t mask = 0x0f0f00ffu;
    const int64_t w = t.tRCD, r = w + wr_to_rd_l(t);
    Stream s;
    s.act(0, bg, ba, row).col(w, ColOp::kWr, bg, ba, c, mask, 0x10).col(r, ColOp::kRd, bg, ba, c);
    Device::Burst want = old;
    for (unsigned i = 0; i < kBurstBytes; ++i) {
      if ((mask >> i) & 1u) want[i] = static_cast<uint8_t>(0x10 + i);
    }
    CHECK(dev.read_latency() == static_cast<unsigned>(t.CL + t.tBURST));
    std::vector<int64_t> returns;
    s.run(dev, t.CL + t.tBURST + 5, [&](const Device& d) {
      if (!d.rd_valid()) return;
      returns.push_back(static_cast<int64_t>(d.now()) - 1);  // the cycle just simulated
      CHECK(d.rd_data() == want);
    });
    CHECK(returns == std::vector<int64_t>{r + t.CL + t.tBURST});
    CHECK(dev.backdoor_read(bg, ba, row, c) == want);
    CHECK(dev.backdoor_read(bg, ba, row, c + 1) == Device::Burst{});  // unwritten: zeros
    CHECK(dev.violations().empty());
  }
}

TEST_CASE("reads return in order and back to back each at issue + CL + tBURST", "[hbm][data]") {
  for (const Preset& p : kPresets) {
    const Timing& t = p.t;
    INFO("preset " << p.name);
    Device dev(t);
    Stream s;
    for (unsigned g = 0; g < kBankGroups; ++g) s.act(g * t.tRRD_S, g, 0, 5);
    const int64_t c0 = 3 * t.tRRD_S + t.tRCD;
    const int64_t step = std::max(t.tCCD_S, (t.tCCD_L + 3) / 4);  // every group every 4th
    std::vector<int64_t> want_at;
    std::vector<uint8_t> want_byte;
    for (unsigned c = 0; c < 12; ++c) {
      Device::Burst d{};
      d.fill(static_cast<uint8_t>(c + 1));
      dev.backdoor_write(c % 4, 0, 5, c, d);
      s.col(c0 + c * step, ColOp::kRd, c % 4, 0, c);
      want_at.push_back(c0 + c * step + t.CL + t.tBURST);
      want_byte.push_back(static_cast<uint8_t>(c + 1));
    }
    std::vector<int64_t> got_at;
    std::vector<uint8_t> got_byte;
    s.run(dev, t.CL + t.tBURST + 5, [&](const Device& d) {
      if (!d.rd_valid()) return;
      got_at.push_back(static_cast<int64_t>(d.now()) - 1);
      got_byte.push_back(d.rd_data()[0]);
    });
    CHECK(dev.violations().empty());
    CHECK(got_at == want_at);
    CHECK(got_byte == want_byte);
  }
}

TEST_CASE("sustained legal traffic has no violation and every read matches", "[hbm][traffic]") {
  for (const Preset& p : kPresets) {
    INFO("preset " << p.name);
    Device dev(p.t);
    LegalTraffic gen(p.t, 12345);
    RowCmd row;
    ColCmd col;
    uint64_t reads = 0;
    const uint64_t n = 1'000'000;
    for (uint64_t c = 0; c < n; ++c) {
      gen.next(c, row, col);
      dev.cycle(row, col);
      if (dev.rd_valid()) {
        REQUIRE(!gen.expect.empty());
        REQUIRE(dev.rd_data() == gen.expect.front());
        gen.expect.pop_front();
        ++reads;
      }
      if (!dev.violations().empty()) break;
    }
    dev.finish();
    INFO(rules_of(dev));
    CHECK(dev.violations().empty());
    CHECK(reads > 1000);
    CHECK(dev.stats().ref >= n / p.t.tREFI);
    // Column commands keep the data bus busy most of the time.
    const double util =
        double(dev.stats().rd + dev.stats().wr) * p.t.tBURST / static_cast<double>(n);
    CHECK(util > 0.5);
  }
}

TEST_CASE("statistics", "[hbm][stats]") {
  const Timing t = kHBM2_2000;
  Device dev(t);
  const int a2 = t.tRAS + t.tRTP + t.tRP + 50;
  Stream()
      .act(0, 0, 0, 100)
      .rd(t.tRCD, 0, 0)
      .rd(t.tRCD + t.tCCD_L, 0, 0)
      .wr(t.tRCD + t.tCCD_L + rd_to_wr(t), 0, 0)
      .prea(t.tRAS + 40)
      .act(a2, 0, 0, 100)  // same row again: a row hit that was possible
      .rda(a2 + t.tRCD, 0, 0)
      .run(dev, 100);
  const Device::Stats& s = dev.stats();
  CHECK(dev.violations().empty());
  CHECK(s.act == 2);
  CHECK(s.pre == 2);  // one by PREA, one by auto-precharge
  CHECK(s.rd == 3);
  CHECK(s.wr == 1);
  CHECK(s.row_hits == 2);
  CHECK(s.row_hits_possible == 1);
}

TEST_CASE("presets by name", "[hbm][timing]") {
  CHECK(preset("HBM2_2000").CL == 14);
  CHECK(preset("HBM2_2000").tREFI == 3900);
  CHECK(preset(kDefaultPreset).tCK_ps == 1000);
  CHECK(preset("HBM2E_3200").tCK_ps == 625);
  CHECK_THROWS_AS(preset("DDR4"), std::invalid_argument);
}
