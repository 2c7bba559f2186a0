// SPDX-License-Identifier: Apache-2.0
// Cycle-based AXI4 slave memory model for testbenches, independent of any verilated model.
//
// - Sparse byte store (4 KiB pages created on first write; unwritten bytes read as `fill`)
//   with a backdoor for loading and checking memory images.
// - Timing: a fixed read latency (AR accepted -> first R beat) and write latency (last W
//   accepted -> B), plus a uniform random extra latency per transaction; random
//   AR/AW/W ready stalls and R/B valid gaps; limits on accepted reads/writes in flight.
// - Ordering: transactions of one ID complete in order; different IDs may overtake each
//   other when their latency is shorter. R bursts are not interleaved.
// - Errors: address ranges whose beats answer SLVERR or DECERR (reads: per beat, with
//   poison data; writes: the burst's B, and its beats inside the range are not written).
// - Protocol checks (throw AxiProtocolError naming the cycle): only INCR bursts, size at
//   most the bus width, no 4 KiB crossing, address and ID ranges, WLAST on the right beat,
//   WSTRB only on the beat's byte lanes, and the valid/ready rule that a master's
//   AW/W/AR valid stays up with a stable payload until accepted.
//
// Use per clock cycle (the model is Moore: its outputs depend only on its own state):
//   1. drive the DUT's slave-side inputs from out();
//   2. evaluate the DUT and collect its master-side outputs into an AxiMasterOut;
//   3. tick(that) — handshakes happen where valid and ready were both high;
//   4. clock the DUT.
// W beats may arrive before their AW (AXI allows it); they wait for the AW in order.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace qilin::tb {

inline constexpr unsigned kAxiMaxDataBytes = 64;  // up to a 512-bit bus
using AxiData = std::array<uint8_t, kAxiMaxDataBytes>;

enum class AxiResp : uint32_t { kOkay = 0, kExOkay = 1, kSlvErr = 2, kDecErr = 3 };

// AW or AR payload.
struct AxiAddr {
  uint32_t id = 0;
  uint64_t addr = 0;
  uint32_t len = 0;    // beats - 1
  uint32_t size = 0;   // log2(bytes per beat)
  uint32_t burst = 1;  // 0 FIXED, 1 INCR, 2 WRAP
};

// What the master drives at a clock edge.
struct AxiMasterOut {
  bool aw_valid = false;
  AxiAddr aw;
  bool w_valid = false;
  AxiData w_data{};
  uint64_t w_strb = 0;  // bit i = byte lane i
  bool w_last = false;
  bool b_ready = false;
  bool ar_valid = false;
  AxiAddr ar;
  bool r_ready = false;
};

// What the slave drives in the current cycle.
struct AxiSlaveOut {
  bool aw_ready = false, w_ready = false, ar_ready = false;
  bool b_valid = false;
  uint32_t b_id = 0, b_resp = 0;
  bool r_valid = false;
  uint32_t r_id = 0, r_resp = 0;
  bool r_last = false;
  AxiData r_data{};
};

struct AxiMemConfig {
  unsigned data_bytes = 32;  // bus width in bytes: a power of two, <= kAxiMaxDataBytes
  unsigned addr_bits = 34;
  unsigned id_bits = 6;
  unsigned read_latency = 10;      // AR accepted -> first R beat can be valid (>= 1)
  unsigned write_latency = 2;      // last W accepted -> B can be valid (>= 1)
  unsigned extra_latency_max = 0;  // random extra per transaction, uniform in [0, max]
  double p_ar_stall = 0, p_aw_stall = 0, p_w_stall = 0;  // P(ready low) in a cycle
  double p_r_gap = 0, p_b_gap = 0;  // P(an available R beat / B is held back) in a cycle
  unsigned max_reads = 64;          // reads accepted and not completed (AR -> last R)
  unsigned max_writes = 64;         // writes accepted and not completed (AW -> B)
  unsigned max_early_w = 256;       // W beats buffered ahead of their AW
  uint8_t fill = 0;                 // value of bytes never written
  uint8_t poison = 0xd5;            // R data of error beats
  bool strict_strobes = true;       // WSTRB outside the beat's lanes is a violation
  uint64_t seed = 1;
};

struct AxiMemStats {
  uint64_t ar = 0, aw = 0, r_beats = 0, w_beats = 0, b = 0;
  uint64_t r_err_beats = 0, b_err = 0;
  uint64_t bytes_written = 0;  // strobed bytes
  unsigned max_reads_inflight = 0, max_writes_inflight = 0;
  unsigned max_read_len = 0, max_write_len = 0;  // largest AxLEN seen
};

class AxiProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AxiMem {
 public:
  explicit AxiMem(const AxiMemConfig& cfg = {});

  // Slave outputs for the current cycle.
  const AxiSlaveOut& out() const { return out_; }
  // Samples the master at the clock edge, performs the handshakes, advances one cycle.
  void tick(const AxiMasterOut& in);
  uint64_t cycle() const { return cycle_; }

  // Timing and stall knobs may be changed at any time (take effect for new decisions).
  AxiMemConfig& config() { return cfg_; }
  const AxiMemConfig& config() const { return cfg_; }

  // Backdoor access (no timing, no error ranges).
  uint8_t peek(uint64_t addr) const;
  void poke(uint64_t addr, uint8_t value);
  std::vector<uint8_t> read(uint64_t addr, size_t n) const;
  void write(uint64_t addr, const std::vector<uint8_t>& bytes);

  // Beats touching [lo, hi) answer `resp` (SLVERR or DECERR).
  void add_error_range(uint64_t lo, uint64_t hi, AxiResp resp);
  void clear_error_ranges() { err_ranges_.clear(); }
  // The response for a beat covering bytes [lo, hi): the first matching range, else OKAY.
  AxiResp resp_for(uint64_t lo, uint64_t hi) const;

  const AxiMemStats& stats() const { return stats_; }
  void clear_stats() { stats_ = {}; }
  unsigned reads_inflight() const { return reads_inflight_; }
  unsigned writes_inflight() const { return writes_inflight_; }
  // No transaction accepted and unfinished, no W beat waiting for its AW.
  bool idle() const { return reads_inflight_ == 0 && writes_inflight_ == 0 && early_w_.empty(); }

 private:
  struct ReadTxn {
    AxiAddr ax;
    uint64_t due = 0;  // first beat may go out at this cycle
    uint64_t seq = 0;
    unsigned beat = 0;
  };
  struct WriteTxn {
    AxiAddr ax;
    unsigned beat = 0;
    AxiResp resp = AxiResp::kOkay;
  };
  struct WBeat {
    AxiData data{};
    uint64_t strb = 0;
    bool last = false;
  };
  struct BResp {
    uint32_t id = 0;
    AxiResp resp = AxiResp::kOkay;
    uint64_t due = 0;
    uint64_t seq = 0;
  };
  using Page = std::array<uint8_t, 4096>;

  [[noreturn]] void fail(const std::string& what) const;
  void check_addr(const AxiAddr& ax, const char* ch) const;
  void check_stable(const AxiMasterOut& in) const;
  uint64_t beat_addr(const AxiAddr& ax, unsigned n) const;
  void apply_w(WriteTxn& t, const WBeat& b);
  void prepare_outputs();
  bool chance(double p);
  uint64_t extra();
  uint8_t* page_ptr(uint64_t addr);

  AxiMemConfig cfg_;
  std::mt19937_64 rng_;
  uint64_t cycle_ = 0;
  uint64_t seq_ = 0;
  AxiSlaveOut out_;
  AxiMasterOut prev_in_;
  AxiSlaveOut prev_out_;
  bool have_prev_ = false;

  std::unordered_map<uint64_t, std::unique_ptr<Page>> pages_;
  struct ErrRange {
    uint64_t lo, hi;
    AxiResp resp;
  };
  std::vector<ErrRange> err_ranges_;

  std::map<uint32_t, std::deque<ReadTxn>> reads_;  // per ID, in order
  bool r_busy_ = false;                            // an R burst is in progress
  uint32_t r_cur_id_ = 0;
  unsigned reads_inflight_ = 0;

  std::deque<WriteTxn> aw_wait_;                 // accepted AWs still receiving W beats, in order
  std::deque<WBeat> early_w_;                    // W beats received before their AW
  std::map<uint32_t, std::deque<BResp>> bresp_;  // per ID, in order
  unsigned writes_inflight_ = 0;

  AxiMemStats stats_;
};

}  // namespace qilin::tb
