// Drives a verilated qilin_array: streams weight tiles and activation rows, collects the
// result rows, and checks every element against the golden GEMM.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bits.h"
#include "qilin/golden/gemm.h"
#include "qilin/golden/rng.h"
#include "sim_harness.h"

namespace qilin::tb {

// One K x N weight tile and the M x K rows of A streamed against it.
struct ArrayTile {
  int M = 0, K = 0, N = 0;
  std::vector<uint8_t> a;      // M x K raw bytes
  std::vector<uint8_t> w;      // K x N raw bytes
  bool a_signed = true, w_signed = true;
  int32_t a_zp = 0;
  std::vector<int32_t> w_zp;   // N entries

  // The golden result, M x N.
  std::vector<int32_t> expected() const {
    std::vector<int32_t> c(static_cast<size_t>(M) * N);
    golden::gemm_s32(M, N, K, {a.data(), a_signed}, a_zp, {w.data(), w_signed}, w_zp.data(),
                     c.data());
    return c;
  }
};

// Random data and zero points in each operand's legal range.
inline ArrayTile random_tile(golden::Rng& rng, int M, int K, int N) {
  ArrayTile t;
  t.M = M, t.K = K, t.N = N;
  t.a = rng.bytes(static_cast<size_t>(M) * K);
  t.w = rng.bytes(static_cast<size_t>(K) * N);
  t.a_signed = rng.coin();
  t.w_signed = rng.coin();
  auto zp = [&](bool s) { return static_cast<int32_t>(s ? rng.uniform(-128, 127) : rng.uniform(0, 255)); };
  t.a_zp = zp(t.a_signed);
  t.w_zp.resize(N);
  for (auto& z : t.w_zp) z = zp(t.w_signed);
  return t;
}

// Probabilities that a stream idles in a given cycle (valid low / ready low).
struct Stalls {
  double w_gap = 0, a_gap = 0, o_block = 0;
};

struct ArrayRun {
  uint64_t first_fire = 0;   // cycle of the first accepted input beat
  uint64_t last_out = 0;     // cycle of the last accepted output row
  uint64_t cycles() const { return last_out - first_fire + 1; }
  uint64_t useful_macs = 0;  // sum over tiles of M*K*N
  uint64_t sim_cycles = 0;   // cycles simulated in the streaming loop
  double loop_seconds = 0;   // wall time of that loop (DUT + driver + checks, not setup)
};

// Cfg provides: Model, kRows, kCols, kColsPerStage, kName.
template <class Cfg>
class ArrayBench {
 public:
  using Model = typename Cfg::Model;
  static constexpr unsigned R = Cfg::kRows, C = Cfg::kCols;
  static constexpr unsigned kGroups = Cfg::kCols / Cfg::kColsPerStage;
  // Cycles from a row's acceptance to its result at the output (fill + drain).
  // (+2: each PE registers its multiplier's inputs and its product.)
  static constexpr unsigned kLatency = R + kGroups + 2;

  explicit ArrayBench(const std::string& name, uint64_t timeout = 2'000'000)
      : sim_(name, timeout) {
    auto& d = sim_.dut();
    d.w_valid_i = 0;
    d.a_valid_i = 0;
    d.o_ready_i = 0;
    sim_.reset();
  }

  Sim<Model>& sim() { return sim_; }

  // Streams all tiles back to back (as fast as the stall pattern allows) and checks every
  // output element against the golden model. Throws with coordinates on a mismatch.
  // If `outputs` is given, it receives each tile's M x N result.
  ArrayRun run(const std::vector<ArrayTile>& tiles, const Stalls& st = {}, uint64_t seed = 1,
               std::vector<std::vector<int32_t>>* outputs = nullptr) {
    golden::Rng rng(seed);
    std::deque<Beat> wq, aq;
    std::vector<std::vector<int32_t>> expect;
    ArrayRun res;
    for (const auto& t : tiles) {
      if (t.K < 1 || t.K > static_cast<int>(R) || t.N < 1 || t.N > static_cast<int>(C) || t.M < 1)
        throw std::invalid_argument("ArrayBench: tile shape does not fit the array");
      expect.push_back(t.expected());
      res.useful_macs += static_cast<uint64_t>(t.M) * t.K * t.N;
      for (int k = 0; k < t.K; ++k) wq.push_back(weight_beat(t, k, rng));
      for (int m = 0; m < t.M; ++m) aq.push_back(act_beat(t, m, rng));
    }

    auto& d = sim_.dut();
    size_t tile = 0, row = 0;
    bool w_hold = false, a_hold = false, started = false;
    const uint64_t start = sim_.cycle();
    const auto t0 = std::chrono::steady_clock::now();
    while (tile < tiles.size()) {
      // valid stays up once raised until accepted (the stream contract).
      const bool wv = !wq.empty() && (w_hold || rng.uniform_real(0, 1) >= st.w_gap);
      const bool av = !aq.empty() && (a_hold || rng.uniform_real(0, 1) >= st.a_gap);
      const bool orr = rng.uniform_real(0, 1) >= st.o_block;
      if (wv) drive_w(wq.front());
      if (av) drive_a(aq.front());
      d.w_valid_i = wv;
      d.a_valid_i = av;
      d.o_ready_i = orr;
      sim_.eval();
      const bool wf = wv && d.w_ready_o, af = av && d.a_ready_o, of = d.o_valid_o && orr;
      if ((wf || af) && !started) {
        started = true;
        res.first_fire = sim_.cycle();
      }
      if (of) {
        check_row(tiles[tile], expect[tile], tile, row);
        if (outputs) {
          outputs->resize(tiles.size());
          for (int n = 0; n < tiles[tile].N; ++n)
            (*outputs)[tile].push_back(static_cast<int32_t>(get_bits(d.o_data_o, n * 32, 32)));
        }
        res.last_out = sim_.cycle();
        if (++row == static_cast<size_t>(tiles[tile].M)) row = 0, ++tile;
      }
      if (wf) wq.pop_front();
      if (af) aq.pop_front();
      w_hold = wv && !wf;
      a_hold = av && !af;
      sim_.tick();
    }
    res.loop_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    res.sim_cycles = sim_.cycle() - start;
    d.w_valid_i = d.a_valid_i = 0;
    d.o_ready_i = 0;
    sim_.eval();
    if (d.o_valid_o) throw std::runtime_error("array produced more result rows than A rows");
    return res;
  }

 private:
  struct Beat {
    std::vector<uint8_t> data;   // per array row (A) or column (W)
    std::vector<int32_t> zp;     // per column (W) or one (A)
    bool is_signed = false, last = false;
  };

  // Unused columns carry random junk: the array must ignore them.
  static Beat weight_beat(const ArrayTile& t, int k, golden::Rng& rng) {
    Beat b;
    b.data = rng.bytes(C);
    b.zp.assign(C, 0);
    for (int n = 0; n < t.N; ++n) {
      b.data[n] = t.w[static_cast<size_t>(k) * t.N + n];
      b.zp[n] = t.w_zp[n];
    }
    b.is_signed = t.w_signed;
    b.last = (k == t.K - 1);
    return b;
  }

  // Rows beyond K carry random junk: the array's zero-filled weights must cancel them.
  static Beat act_beat(const ArrayTile& t, int m, golden::Rng& rng) {
    Beat b;
    b.data = rng.bytes(R);
    for (int k = 0; k < t.K; ++k) b.data[k] = t.a[static_cast<size_t>(m) * t.K + k];
    b.zp = {t.a_zp};
    b.is_signed = t.a_signed;
    b.last = (m == t.M - 1);
    return b;
  }

  void drive_w(const Beat& b) {
    auto& d = sim_.dut();
    for (unsigned c = 0; c < C; ++c) {
      put_bits(d.w_data_i, c * 8, 8, b.data[c]);
      put_bits(d.w_zp_i, c * 9, 9, static_cast<uint32_t>(b.zp[c]) & 0x1ff);
    }
    d.w_signed_i = b.is_signed;
    d.w_last_i = b.last;
  }

  void drive_a(const Beat& b) {
    auto& d = sim_.dut();
    for (unsigned r = 0; r < R; ++r) put_bits(d.a_data_i, r * 8, 8, b.data[r]);
    d.a_zp_i = static_cast<uint32_t>(b.zp[0]) & 0x1ff;
    d.a_signed_i = b.is_signed;
    d.a_last_i = b.last;
  }

  static bool fault_injected() {
    static const bool on = [] {
      const char* e = std::getenv("QILIN_INJECT_FAULT");
      return e != nullptr && std::string(e) == Cfg::kName;
    }();
    return on;
  }

  void check_row(const ArrayTile& t, const std::vector<int32_t>& exp, size_t tile, size_t m) {
    auto& d = sim_.dut();
    for (int n = 0; n < t.N; ++n) {
      const auto got = static_cast<int32_t>(get_bits(d.o_data_o, n * 32, 32));
      int32_t want = exp[m * t.N + n];
      // Failure-injection switch for the regression demo (docs/regression.md): with
      // QILIN_INJECT_FAULT=<array name>, e.g. 8x8, the first expected element is flipped.
      if (tile == 0 && m == 0 && n == 0 && fault_injected()) want ^= 1;
      if (got != want) {
        std::ostringstream os;
        os << "mismatch at tile " << tile << " row m=" << m << " col n=" << n
           << ": expected " << want << ", actual " << got << " (cycle " << sim_.cycle() << ")";
        throw std::runtime_error(os.str());
      }
    }
    const bool want_last = (m + 1 == static_cast<size_t>(t.M));
    if (static_cast<bool>(d.o_last_o) != want_last) {
      std::ostringstream os;
      os << "o_last mismatch at tile " << tile << " row " << m << ": expected " << want_last;
      throw std::runtime_error(os.str());
    }
  }

  Sim<Model> sim_;
};

}  // namespace qilin::tb
