// qilin_requant against golden::requantize, lane by lane and beat by beat: random scales,
// rounding ties, INT32_MIN, saturation, clamps, left shifts, stream stalls and latency.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <limits>

#include "requant_bench.h"
#include "requant_configs.h"

using namespace qilin::tb;
using qilin::golden::Rng;
namespace golden = qilin::golden;

namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

uint64_t test_seed(const char* what) {
  const uint64_t seed = Catch::rngSeed();
  std::printf("[seed] %s: %llu (replay with --rng-seed %llu)\n", what,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  return seed;
}

int32_t clamp32(int64_t v) {
  return static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(v, kMin), kMax));
}

// Log-uniform real scale in [lo, hi], turned into (multiplier, shift) as the host does.
golden::QuantMultiplier random_qm(Rng& rng, double lo = 1e-6, double hi = 50.0) {
  return golden::quantize_multiplier(std::exp(rng.uniform_real(std::log(lo), std::log(hi))));
}

double real_of(const golden::QuantMultiplier& qm) {
  return std::ldexp(static_cast<double>(qm.multiplier), qm.shift - 31);
}

// Random output type, zero point and fused activation (the clamp range the host derives).
void random_output(Rng& rng, RequantBeat& b) {
  b.out_signed = rng.coin();
  const int32_t lo = b.out_signed ? -128 : 0;
  b.out_zp = static_cast<int32_t>(rng.uniform(lo, lo + 255));
  const auto act = static_cast<golden::Activation>(rng.uniform(0, 2));
  const double scale = std::exp(rng.uniform_real(std::log(0.002), std::log(1.0)));
  const golden::ActRange r = golden::activation_range(act, scale, b.out_zp, b.out_signed);
  b.act_min = r.min;
  b.act_max = r.max;
}

// A lane whose result mostly lands inside the 8-bit range (so rounding is visible), or,
// one time in four, fully random int32 accumulator and bias.
RequantLane random_lane(Rng& rng, const golden::QuantMultiplier& qm) {
  RequantLane x;
  x.mult = qm.multiplier;
  x.shift = qm.shift;
  if (rng.uniform(0, 3) == 0) {
    x.acc = static_cast<int32_t>(rng.uniform(kMin, kMax));
    x.bias = static_cast<int32_t>(rng.uniform(kMin, kMax));
    return x;
  }
  const double real = real_of(qm);
  const double target = rng.uniform_real(-400.0, 400.0);
  const int64_t v = real > 0 ? clamp32(std::llround(target / real)) : rng.uniform(kMin, kMax);
  const int64_t span = std::min<int64_t>(std::llabs(v) / 2 + 1000, kMax);
  x.bias = static_cast<int32_t>(rng.uniform(-span, span));
  x.acc = clamp32(v - x.bias);
  return x;
}

template <unsigned L>
RequantBeat random_beat(Rng& rng) {
  RequantBeat b;
  b.lane.resize(L);
  for (auto& x : b.lane) x = random_lane(rng, random_qm(rng));
  b.bias_en = rng.uniform(0, 4) != 0;
  random_output(rng, b);
  b.last = rng.uniform(0, 7) == 0;
  return b;
}

// Packs lane cases into beats of L lanes (the last beat padded with copies), each beat with
// random output parameters.
template <unsigned L>
std::vector<RequantBeat> pack(const std::vector<RequantLane>& cases, Rng& rng, bool bias_en = true,
                              bool full_range_output = false) {
  std::vector<RequantBeat> beats;
  for (size_t i = 0; i < cases.size(); i += L) {
    RequantBeat b;
    for (unsigned l = 0; l < L; ++l) b.lane.push_back(cases[std::min(i + l, cases.size() - 1)]);
    b.bias_en = bias_en;
    random_output(rng, b);
    if (full_range_output) {  // no activation: the clamp is the type range
      b.act_min = b.out_signed ? -128 : 0;
      b.act_max = b.act_min + 255;
    }
    b.last = (i + L >= cases.size());
    beats.push_back(b);
  }
  return beats;
}

}  // namespace

#define REQUANT_CONFIGS Requant4, Requant4Dsp, Requant16

TEMPLATE_TEST_CASE("requant matches golden on random scales, accumulators and biases",
                   "[requant][random]", REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant random");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  std::vector<RequantBeat> beats;
  for (int i = 0; i < 20000; ++i) beats.push_back(random_beat<L>(rng));
  RequantBench<TestType> bench(std::string("requant_random_") + TestType::kName);
  RequantRun run;
  REQUIRE_NOTHROW(run = bench.run(beats, {}, seed));
  // Back to back with no output stall: one beat per cycle, never a bubble.
  CHECK(run.in_stall_cycles == 0);
  CHECK(run.min_latency == kRequantLatency);
  CHECK(run.max_latency == kRequantLatency);
  CHECK(run.last_out - run.first_fire == beats.size() - 1 + kRequantLatency);
}

TEMPLATE_TEST_CASE("requant rounds ties exactly as golden (high-mul and divide by 2^e)",
                   "[requant][ties]", REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant ties");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  std::vector<RequantLane> cases;
  auto add = [&](int64_t a, int64_t b, int shift) {
    if (a < kMin || a > kMax || b < kMin || b > kMax) return;
    cases.push_back({static_cast<int32_t>(a), 0, static_cast<int32_t>(b), shift});
  };
  // High-mul ties: a*b = 2^30 mod 2^31 exactly when b = o*2^s and a = p*2^(30-s) with o, p
  // odd. Every s from 0 to 30 moves the tie across a different split of the 17x17 partial
  // products; small o and p keep y = o*p/2 inside the byte range, so the rounding shows.
  auto small_odd = [&](int64_t k) { return 2 * rng.uniform(-k, k - 1) + 1; };  // |.| < 2k
  for (int s = 0; s <= 30; ++s) {
    for (int i = 0; i < 12; ++i) {
      const int64_t o = small_odd(std::min<int64_t>(int64_t{1} << (30 - s), 8));
      const int64_t p = small_odd(std::max<int64_t>(1, std::min<int64_t>(int64_t{1} << s, 16) / 2));
      const int64_t a = p * (int64_t{1} << (30 - s)), b = o * (int64_t{1} << s);
      add(a, b, 0);
      add(-a, b, 0);
      add(a, -b, 0);
      add(a + 1, b, 0);  // just off the tie
      add(a, b, -static_cast<int>(rng.uniform(1, 2)));
    }
  }
  // Divide-by-2^e ties: multiplier +/-2^30 halves exactly for even a, so y = +/-a/2 =
  // m*2^e + 2^(e-1) for a = 2y; a - 1 and a + 1 add a high-mul tie on top (double
  // rounding) and a +/- 2 misses the tie.
  for (int e = 1; e <= 31; ++e) {
    for (int i = 0; i < 8; ++i) {
      const int64_t m_lim = std::min<int64_t>((int64_t{1} << (30 - std::min(e, 30))) - 1, 60);
      const int64_t m = rng.uniform(-m_lim - 1, m_lim);
      const int64_t y = m * (int64_t{1} << e) + (int64_t{1} << (e - 1));
      for (int d = -2; d <= 2; ++d) {
        add(2 * y + d, 1 << 30, -e);
        add(2 * y + d, -(1 << 30), -e);
      }
    }
  }
  // The same with realistic multipliers in [2^30, 2^31): search a with SRDHM(a, mult) equal to
  // a tie of the divide (consecutive a move y by at most 1, so the window always holds one).
  for (int e = 1; e <= 31; ++e) {
    for (int i = 0; i < 8; ++i) {
      const int64_t mult = rng.uniform(int64_t{1} << 30, (int64_t{1} << 31) - 1);
      const int64_t m_lim = std::min<int64_t>((int64_t{1} << (30 - std::min(e, 30))) - 1, 60);
      const int64_t y =
          rng.uniform(-m_lim - 1, m_lim) * (int64_t{1} << e) + (int64_t{1} << (e - 1));
      const int64_t a0 = std::llround(std::ldexp(static_cast<double>(y), 31) / mult);
      for (int64_t a = a0 - 3; a <= a0 + 3; ++a) {
        if (a < kMin || a > kMax) continue;
        if (golden::saturating_rounding_doubling_high_mul(static_cast<int32_t>(a),
                                                          static_cast<int32_t>(mult)) == y) {
          add(a, mult, -e);
          add(-a, mult, -e);
        }
      }
    }
  }
  // e = 31 ties: y = -2^30 from INT32_MIN * 2^30, and y = +2^30 from INT32_MIN * -2^30.
  add(kMin, 1 << 30, -31);
  add(kMin, -(1 << 30), -31);

  // Outputs of full type range around a central zero point, so that small results show.
  std::vector<RequantBeat> beats = pack<L>(cases, rng, /*bias_en=*/false, true);
  for (auto& b : beats)
    b.out_zp = (b.out_signed ? 0 : 128) + static_cast<int32_t>(rng.uniform(-8, 8));
  // Count the ties whose result reaches the output unclamped: the test must really see them.
  int hm_ties = 0, pot_ties = 0, double_ties = 0;
  for (const auto& b : beats) {
    for (unsigned l = 0; l < L; ++l) {
      const RequantLane& x = b.lane[l];
      const int64_t p = int64_t{x.acc} * x.mult;
      const bool hm = (p & ((int64_t{1} << 31) - 1)) == (int64_t{1} << 30);
      bool pot = false;
      if (x.shift < 0) {
        const int64_t y = golden::saturating_rounding_doubling_high_mul(x.acc, x.mult);
        pot = (y & ((int64_t{1} << -x.shift) - 1)) == (int64_t{1} << (-x.shift - 1));
      }
      const int64_t z =
          int64_t{golden::multiply_by_quantized_multiplier(x.acc, {x.mult, x.shift})} + b.out_zp;
      if (z < b.act_min || z > b.act_max) continue;
      hm_ties += hm, pot_ties += pot, double_ties += hm && pot;
    }
  }
  CAPTURE(cases.size(), hm_ties, pot_ties, double_ties);
  REQUIRE(hm_ties > 1000);
  REQUIRE(pot_ties > 800);
  REQUIRE(double_ties > 100);
  RequantBench<TestType> bench(std::string("requant_ties_") + TestType::kName);
  REQUIRE_NOTHROW(bench.run(beats, {}, seed));
}

TEMPLATE_TEST_CASE("requant handles INT32_MIN and INT32_MAX accumulators and multipliers",
                   "[requant][extreme]", REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant extremes");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  const int32_t accs[] = {kMin, kMin + 1, -(1 << 30), -1, 0, 1, 1 << 30, kMax - 1, kMax};
  const int32_t biases[] = {0, kMin, -1, 1, kMax};
  const int32_t mults[] = {kMin, kMin + 1, -(1 << 30), -1, 0, 1, 1 << 30, kMax};
  // -31..-23 bring a product near 2^31 into the byte range; 0 and > 0 saturate.
  const int shifts[] = {-31, -30, -25, -24, -23, -16, -1, 0, 1, 2, 30};
  std::vector<RequantLane> cases;
  for (int32_t a : accs)
    for (int32_t b : biases)
      for (int32_t m : mults)
        for (int s : shifts) cases.push_back({a, b, m, s});
  // The single saturating high-mul: INT32_MIN * INT32_MIN -> INT32_MAX, seen through
  // shift -24 as round(INT32_MAX / 2^24) = 128 before the clamp.
  REQUIRE(golden::saturating_rounding_doubling_high_mul(kMin, kMin) == kMax);
  std::vector<RequantBeat> beats = pack<L>(cases, rng, true, true);
  RequantBench<TestType> bench(std::string("requant_extreme_") + TestType::kName);
  REQUIRE_NOTHROW(bench.run(beats, {}, seed));
}

TEMPLATE_TEST_CASE("requant saturates acc + bias instead of wrapping", "[requant][saturation]",
                   REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant acc+bias saturation");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  std::vector<RequantLane> cases;
  int saturated = 0;
  for (int i = 0; i < 400; ++i) {
    // The sum lands at the int32 limits or just past them (|delta| small), or far past.
    const bool up = rng.coin();
    const int64_t delta = rng.coin() ? rng.uniform(-3, 3) : rng.uniform(1, kMax);
    const int64_t target = up ? int64_t{kMax} + delta : int64_t{kMin} - delta;
    int64_t acc = rng.uniform(up ? 0 : kMin, up ? kMax : 0);
    int64_t bias = target - acc;
    if (bias > kMax || bias < kMin) {
      bias = up ? kMax : kMin;
      acc = target - bias;
    }
    if (acc > kMax || acc < kMin) continue;
    saturated += (target > kMax || target < kMin);
    // A shift that maps the int32 limits to about +/-64: a wrapped sum would show the
    // opposite sign.
    const golden::QuantMultiplier qm =
        rng.coin() ? golden::QuantMultiplier{1 << 30, -24} : random_qm(rng, 1e-8, 1e-7);
    cases.push_back(
        {static_cast<int32_t>(acc), static_cast<int32_t>(bias), qm.multiplier, qm.shift});
  }
  REQUIRE(saturated > 100);
  std::vector<RequantBeat> beats = pack<L>(cases, rng, true, true);
  RequantBench<TestType> bench(std::string("requant_sat_") + TestType::kName);
  REQUIRE_NOTHROW(bench.run(beats, {}, seed));
}

TEMPLATE_TEST_CASE("requant clamps to none/ReLU/ReLU6 ranges for int8 and uint8 outputs",
                   "[requant][clamp]", REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant clamp");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  std::vector<RequantBeat> beats;
  int below = 0, above = 0, inside = 0;
  for (bool out_signed : {true, false}) {
    for (auto act :
         {golden::Activation::kNone, golden::Activation::kRelu, golden::Activation::kRelu6}) {
      for (int i = 0; i < 60; ++i) {
        RequantBeat b;
        b.out_signed = out_signed;
        const int32_t lo = out_signed ? -128 : 0;
        // Zero points at the type edges too, where the clamp meets the type range.
        const int pick = static_cast<int>(rng.uniform(0, 3));
        b.out_zp = pick == 0   ? lo
                   : pick == 1 ? lo + 255
                               : static_cast<int32_t>(rng.uniform(lo, lo + 255));
        const double scale = std::exp(rng.uniform_real(std::log(0.01), std::log(0.5)));
        const golden::ActRange r = golden::activation_range(act, scale, b.out_zp, out_signed);
        b.act_min = r.min, b.act_max = r.max;
        b.bias_en = rng.coin();
        b.last = (i == 59);
        for (unsigned l = 0; l < L; ++l) {
          // Real about 1/64: accumulators in +/-2^15 give results in about +/-512.
          const golden::QuantMultiplier qm = random_qm(rng, 1.0 / 128, 1.0 / 32);
          RequantLane x{static_cast<int32_t>(rng.uniform(-(1 << 15), 1 << 15)),
                        static_cast<int32_t>(rng.uniform(-2000, 2000)), qm.multiplier, qm.shift};
          const int64_t z = int64_t{golden::multiply_by_quantized_multiplier(
                                clamp32(int64_t{x.acc} + (b.bias_en ? x.bias : 0)), qm)} +
                            b.out_zp;
          below += z<b.act_min, above += z> b.act_max, inside += z >= b.act_min && z <= b.act_max;
          b.lane.push_back(x);
        }
        beats.push_back(b);
      }
    }
  }
  CAPTURE(below, above, inside);
  REQUIRE(below > 100);
  REQUIRE(above > 100);
  REQUIRE(inside > 100);
  RequantBench<TestType> bench(std::string("requant_clamp_") + TestType::kName);
  REQUIRE_NOTHROW(bench.run(beats, {}, seed));
}

TEMPLATE_TEST_CASE("requant shifts left (shift > 0) with saturation at the int32 limits",
                   "[requant][shift]", REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant left shift");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  std::vector<RequantLane> cases;
  int shift_sat = 0;
  auto add = [&](int64_t x, int32_t mult, int s) {
    if (x < kMin || x > kMax) return;
    const int64_t shifted = x * (int64_t{1} << s);
    shift_sat += (shifted > kMax || shifted < kMin);
    cases.push_back({static_cast<int32_t>(x), 0, mult, s});
  };
  for (int s = 1; s <= 30; ++s) {
    // Boundaries of x << s fitting int32: 2^(31-s) - 1 fits, 2^(31-s) does not;
    // -2^(31-s) fits exactly (INT32_MIN), one less does not.
    const int64_t edge = int64_t{1} << (31 - s);
    // Small multipliers keep x << s (about 2^31) readable in the output byte.
    for (int32_t mult : {1, 100, 127, -128, 1 << 30, kMax, kMin}) {
      for (int64_t x : {edge - 1, edge, -edge, -edge - 1, edge / 2, -edge / 2 - 1}) add(x, mult, s);
    }
    // Scales that need this shift, with accumulators from tiny to overflowing.
    for (int i = 0; i < 20; ++i) {
      const golden::QuantMultiplier qm =
          random_qm(rng, std::ldexp(1.0, s - 1), std::ldexp(1.0, s) * 0.999);
      const int64_t mag = int64_t{1} << rng.uniform(0, 31);
      add(rng.uniform(-mag, mag - 1), qm.multiplier, qm.shift);
    }
  }
  REQUIRE(shift_sat > 200);
  std::vector<RequantBeat> beats = pack<L>(cases, rng, true, true);
  RequantBench<TestType> bench(std::string("requant_shift_") + TestType::kName);
  REQUIRE_NOTHROW(bench.run(beats, {}, seed));
}

TEMPLATE_TEST_CASE("requant keeps order and loses nothing under bubbles and backpressure",
                   "[requant][stream]", REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant stream");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  const RequantStalls patterns[] = {{0.5, 0.0}, {0.0, 0.5}, {0.3, 0.7}, {0.8, 0.2}, {0.0, 0.95}};
  for (const RequantStalls& st : patterns) {
    CAPTURE(st.in_gap, st.out_block);
    std::vector<RequantBeat> beats;
    for (int i = 0; i < 2000; ++i) beats.push_back(random_beat<L>(rng));
    RequantBench<TestType> bench(std::string("requant_stream_") + TestType::kName);
    RequantRun run;
    REQUIRE_NOTHROW(run = bench.run(beats, st, rng.uniform(0, 1 << 30)));
    CHECK(run.min_latency >= kRequantLatency);
    if (st.out_block > 0) CHECK(run.max_latency > kRequantLatency);
  }
}

TEMPLATE_TEST_CASE("requant buffers latency + 1 beats while the output is blocked",
                   "[requant][stream]", REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant blocked");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  RequantBench<TestType> bench(std::string("requant_blocked_") + TestType::kName);
  auto& sim = bench.sim();
  std::vector<RequantBeat> beats;
  for (int i = 0; i < 40; ++i) beats.push_back(random_beat<L>(rng));
  // Offer beats for 100 cycles with out_ready low: exactly latency + 1 are taken.
  size_t taken = 0;
  sim->out_ready_i = 0;
  sim->in_valid_i = 1;
  for (int c = 0; c < 100; ++c) {
    const RequantBeat& b = beats[taken];
    for (unsigned l = 0; l < L; ++l) {
      put_bits(sim->in_acc_i, 32 * l, 32, static_cast<uint32_t>(b.lane[l].acc));
      put_bits(sim->in_bias_i, 32 * l, 32, static_cast<uint32_t>(b.lane[l].bias));
      put_bits(sim->in_mult_i, 32 * l, 32, static_cast<uint32_t>(b.lane[l].mult));
      put_bits(sim->in_shift_i, kShiftW * l, kShiftW, static_cast<uint64_t>(b.lane[l].shift));
    }
    sim->in_bias_en_i = b.bias_en;
    sim->in_out_zp_i = static_cast<uint32_t>(b.out_zp) & 0x1ffu;
    sim->in_act_min_i = static_cast<uint32_t>(b.act_min) & 0x1ffu;
    sim->in_act_max_i = static_cast<uint32_t>(b.act_max) & 0x1ffu;
    sim->in_last_i = b.last;
    sim.eval();
    if (sim->in_ready_o) ++taken;
    sim.tick();
  }
  sim->in_valid_i = 0;
  sim.eval();
  REQUIRE(taken == kRequantLatency + 1);
  REQUIRE(sim->out_valid_o);
  REQUIRE(sim->busy_o);
  // They come out intact and in order.
  for (size_t i = 0; i < taken; ++i) {
    sim->out_ready_i = 1;
    sim.eval();
    REQUIRE(sim->out_valid_o);
    for (unsigned l = 0; l < L; ++l) {
      CAPTURE(i, l);
      REQUIRE(get_bits(sim->out_data_o, 8 * l, 8) == beats[i].expected(static_cast<int>(l)));
    }
    REQUIRE(static_cast<bool>(sim->out_last_o) == beats[i].last);
    sim.tick();
  }
  sim.eval();
  REQUIRE_FALSE(sim->out_valid_o);
  REQUIRE_FALSE(sim->busy_o);
}

TEMPLATE_TEST_CASE("requant latency is exactly RequantLatency cycles", "[requant][latency]",
                   REQUANT_CONFIGS) {
  const uint64_t seed = test_seed("requant latency");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned L = TestType::kLanes;
  RequantBench<TestType> bench(std::string("requant_latency_") + TestType::kName);
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    REQUIRE(bench.latency_of(random_beat<L>(rng)) == kRequantLatency);
  }
}
