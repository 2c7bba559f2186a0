// Drives a verilated qilin_requant: streams beats with optional input bubbles and output
// backpressure, and checks every lane of every output beat against golden::requantize.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bits.h"
#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"
#include "sim_harness.h"

namespace qilin::tb {

// Must equal qilin_post_pkg::RequantLatency (docs/postproc.md): cycles from an input beat's
// acceptance to out_valid_o when nothing stalls.
constexpr uint64_t kRequantLatency = 12;  // was 10: +2 stages for 100 MHz (left shift, right shift)

// Port widths of qilin_requant.
constexpr unsigned kShiftW = 6;
constexpr unsigned kZpW = 9;

struct RequantLane {
  int32_t acc = 0;
  int32_t bias = 0;
  int32_t mult = 0;  // golden::QuantMultiplier::multiplier
  int shift = 0;     // golden::QuantMultiplier::shift, -31..30
};

// One input beat. out_signed is not an RTL input (the clamp bounds are passed as 9-bit
// signed values); it only tells the golden model which output type the bounds belong to.
struct RequantBeat {
  std::vector<RequantLane> lane;
  bool bias_en = true;
  int32_t out_zp = 0, act_min = -128, act_max = 127;
  bool out_signed = true;
  bool last = false;

  golden::RequantParams params(int l) const {
    return {{lane[l].mult, lane[l].shift}, out_zp, act_min, act_max, out_signed};
  }
  uint8_t expected(int l) const {
    return golden::requantize(lane[l].acc, bias_en ? lane[l].bias : 0, params(l));
  }
};

// Probabilities that a stream idles in a given cycle (valid low / ready low).
struct RequantStalls {
  double in_gap = 0, out_block = 0;
};

struct RequantRun {
  uint64_t min_latency = ~0ull, max_latency = 0;  // accept -> output handshake cycles
  uint64_t in_stall_cycles = 0;                   // in_valid high, in_ready low
  uint64_t first_fire = 0, last_out = 0;
};

// Cfg provides Model, kLanes and kName.
template <class Cfg>
class RequantBench {
 public:
  using Model = typename Cfg::Model;
  static constexpr unsigned L = Cfg::kLanes;

  explicit RequantBench(const std::string& name, uint64_t timeout = 2'000'000)
      : sim_(name, timeout) {
    auto& d = sim_.dut();
    d.in_valid_i = 0;
    d.out_ready_i = 0;
    sim_.reset();
  }

  Sim<Model>& sim() { return sim_; }

  // Streams the beats and checks each output beat, in order, lane by lane. Idle input
  // cycles carry random junk on the data ports, which the block must ignore. Also checks
  // that a stalled output beat holds its data, and that no extra beat appears at the end.
  RequantRun run(const std::vector<RequantBeat>& beats, const RequantStalls& st = {},
                 uint64_t seed = 1) {
    golden::Rng rng(seed);
    auto& d = sim_.dut();
    RequantRun res;
    std::deque<uint64_t> accept_cycle;
    size_t next = 0, done = 0;
    bool hold = false, prev_stalled = false, started = false;
    std::vector<uint8_t> prev_data;
    bool prev_last = false;
    while (done < beats.size()) {
      const bool iv = next < beats.size() && (hold || rng.uniform_real(0, 1) >= st.in_gap);
      if (iv) {
        drive(beats[next]);
      } else {
        drive_junk(rng);
      }
      const bool orr = rng.uniform_real(0, 1) >= st.out_block;
      d.in_valid_i = iv;
      d.out_ready_i = orr;
      sim_.eval();
      const bool in_f = iv && d.in_ready_o;
      const bool out_f = d.out_valid_o && orr;
      if (iv && !d.in_ready_o) ++res.in_stall_cycles;
      if (prev_stalled) {
        if (!d.out_valid_o) fail("out_valid_o dropped while the beat was stalled", done);
        if (read_out() != prev_data || static_cast<bool>(d.out_last_o) != prev_last)
          fail("output data changed while valid && !ready", done);
      }
      if (in_f) {
        if (!started) res.first_fire = sim_.cycle();
        started = true;
        accept_cycle.push_back(sim_.cycle());
      }
      if (out_f) {
        if (accept_cycle.empty()) fail("output beat before any input was accepted", done);
        const uint64_t lat = sim_.cycle() - accept_cycle.front();
        accept_cycle.pop_front();
        res.min_latency = std::min(res.min_latency, lat);
        res.max_latency = std::max(res.max_latency, lat);
        check(beats[done], done);
        res.last_out = sim_.cycle();
        ++done;
      }
      prev_stalled = d.out_valid_o && !orr;
      if (prev_stalled) {
        prev_data = read_out();
        prev_last = d.out_last_o;
      }
      if (in_f) ++next;
      hold = iv && !in_f;
      sim_.tick();
    }
    // Drain: nothing more may come out, and the block goes idle.
    d.in_valid_i = 0;
    d.out_ready_i = 1;
    for (uint64_t i = 0; i < kRequantLatency + 4; ++i) {
      sim_.eval();
      if (d.out_valid_o) fail("more output beats than input beats", done);
      sim_.tick();
    }
    sim_.eval();
    if (d.busy_o) fail("busy_o still high after the last beat drained", done);
    return res;
  }

  // Presents one beat to the idle block and returns the number of cycles until out_valid_o
  // rises (out_ready_i held high), checking the beat too.
  uint64_t latency_of(const RequantBeat& b) {
    auto& d = sim_.dut();
    d.out_ready_i = 1;
    drive(b);
    d.in_valid_i = 1;
    sim_.eval();
    if (!d.in_ready_o) throw std::runtime_error("idle requantiser not ready");
    if (d.out_valid_o) throw std::runtime_error("output valid before the beat");
    sim_.tick();
    d.in_valid_i = 0;
    uint64_t n = 1;
    for (;; ++n) {
      sim_.eval();
      if (d.out_valid_o) break;
      if (n > 100) throw std::runtime_error("no output within 100 cycles");
      sim_.tick();
    }
    check(b, 0);
    sim_.tick();
    return n;
  }

 private:
  void drive(const RequantBeat& b) {
    if (b.lane.size() != L)
      throw std::invalid_argument("RequantBench: beat has the wrong lane count");
    auto& d = sim_.dut();
    for (unsigned l = 0; l < L; ++l) {
      put_bits(d.in_acc_i, 32 * l, 32, static_cast<uint32_t>(b.lane[l].acc));
      put_bits(d.in_bias_i, 32 * l, 32, static_cast<uint32_t>(b.lane[l].bias));
      put_bits(d.in_mult_i, 32 * l, 32, static_cast<uint32_t>(b.lane[l].mult));
      put_bits(d.in_shift_i, kShiftW * l, kShiftW, static_cast<uint64_t>(b.lane[l].shift));
    }
    d.in_bias_en_i = b.bias_en;
    d.in_out_zp_i = static_cast<uint32_t>(b.out_zp) & 0x1ffu;
    d.in_act_min_i = static_cast<uint32_t>(b.act_min) & 0x1ffu;
    d.in_act_max_i = static_cast<uint32_t>(b.act_max) & 0x1ffu;
    d.in_last_i = b.last;
  }

  void drive_junk(golden::Rng& rng) {
    auto& d = sim_.dut();
    for (unsigned l = 0; l < L; ++l) {
      put_bits(d.in_acc_i, 32 * l, 32, rng.engine()());
      put_bits(d.in_bias_i, 32 * l, 32, rng.engine()());
      put_bits(d.in_mult_i, 32 * l, 32, rng.engine()());
      put_bits(d.in_shift_i, kShiftW * l, kShiftW, rng.engine()());
    }
    d.in_bias_en_i = rng.coin();
    d.in_out_zp_i = rng.engine()() & 0x1ffu;
    d.in_act_min_i = rng.engine()() & 0x1ffu;
    d.in_act_max_i = rng.engine()() & 0x1ffu;
    d.in_last_i = rng.coin();
  }

  std::vector<uint8_t> read_out() {
    std::vector<uint8_t> v(L);
    for (unsigned l = 0; l < L; ++l)
      v[l] = static_cast<uint8_t>(get_bits(sim_.dut().out_data_o, 8 * l, 8));
    return v;
  }

  void check(const RequantBeat& b, size_t beat) {
    auto& d = sim_.dut();
    const std::vector<uint8_t> got = read_out();
    for (unsigned l = 0; l < L; ++l) {
      const uint8_t exp = b.expected(static_cast<int>(l));
      if (got[l] != exp) {
        const RequantLane& x = b.lane[l];
        std::ostringstream os;
        os << Cfg::kName << ": beat " << beat << " lane " << l << ": acc=" << x.acc
           << " bias=" << x.bias << " bias_en=" << b.bias_en << " mult=" << x.mult
           << " shift=" << x.shift << " out_zp=" << b.out_zp << " act=[" << b.act_min << ","
           << b.act_max << "] out_signed=" << b.out_signed << ": expected " << int{exp} << " (0x"
           << std::hex << int{exp} << "), got " << std::dec << int{got[l]} << " (0x" << std::hex
           << int{got[l]} << ")";
        throw std::runtime_error(os.str());
      }
    }
    if (static_cast<bool>(d.out_last_o) != b.last) fail("out_last_o differs from in_last_i", beat);
  }

  [[noreturn]] void fail(const std::string& what, size_t beat) {
    throw std::runtime_error(std::string(Cfg::kName) + ": beat " + std::to_string(beat) + ": " +
                             what + " (cycle " + std::to_string(sim_.cycle()) + ")");
  }

  Sim<Model> sim_;
};

}  // namespace qilin::tb
