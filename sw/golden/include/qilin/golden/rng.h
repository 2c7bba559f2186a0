// Deterministic random numbers for testbenches: the same seed gives the same stream on
// every platform and standard library.
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace qilin::golden {

// std::mt19937_64's output sequence is fixed by the standard, but the std::*_distribution
// algorithms are not (libstdc++ and libc++ differ). So the distributions are written here
// on top of the raw engine, and a seed printed by one CI host replays anywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : eng_(seed) {}

  // Uniform integer in [lo, hi] (both inclusive), unbiased (rejection sampling).
  int64_t uniform(int64_t lo, int64_t hi) {
    if (lo > hi) throw std::invalid_argument("Rng::uniform: lo > hi");
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);  // hi - lo
    if (span == ~0ull) return static_cast<int64_t>(eng_());
    const uint64_t n = span + 1;
    const uint64_t limit = ~0ull - (~0ull % n + 1) % n;  // largest multiple of n, minus 1
    uint64_t r;
    do {
      r = eng_();
    } while (r > limit);
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + r % n);
  }

  // Uniform double in [lo, hi), from the top 53 bits of one draw.
  double uniform_real(double lo, double hi) {
    const double u = static_cast<double>(eng_() >> 11) * 0x1p-53;
    return lo + (hi - lo) * u;
  }

  bool coin() { return (eng_() >> 63) != 0; }

  // n raw bytes, e.g. an int8 or uint8 operand.
  std::vector<uint8_t> bytes(std::size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = static_cast<uint8_t>(eng_() >> 56);
    return v;
  }

  std::mt19937_64& engine() { return eng_; }

 private:
  std::mt19937_64 eng_;
};

}  // namespace qilin::golden
