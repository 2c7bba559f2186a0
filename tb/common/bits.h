// Bit-field access to verilated ports of any width (CData..QData and VlWide<N>),
// so one testbench source serves every array configuration.
#pragma once

#include <verilated.h>

#include <cstdint>
#include <type_traits>

namespace qilin::tb {

template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
inline void put_bits(T& port, unsigned lsb, unsigned width, uint64_t value) {
  const uint64_t mask = width >= 64 ? ~0ull : ((1ull << width) - 1);
  uint64_t p = static_cast<uint64_t>(port);
  p = (p & ~(mask << lsb)) | ((value & mask) << lsb);
  port = static_cast<T>(p);
}

template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
inline uint64_t get_bits(const T& port, unsigned lsb, unsigned width) {
  const uint64_t mask = width >= 64 ? ~0ull : ((1ull << width) - 1);
  return (static_cast<uint64_t>(port) >> lsb) & mask;
}

template <std::size_t N>
inline void put_bits(VlWide<N>& port, unsigned lsb, unsigned width, uint64_t value) {
  // Word by word: a field spans at most three 32-bit words.
  while (width > 0) {
    const unsigned w = lsb / 32, off = lsb % 32;
    const unsigned n = (32 - off < width) ? 32 - off : width;
    const uint32_t mask = (n == 32 ? ~0u : ((1u << n) - 1)) << off;
    port[w] = (port[w] & ~mask) | ((static_cast<uint32_t>(value) << off) & mask);
    value >>= n;
    lsb += n;
    width -= n;
  }
}

template <std::size_t N>
inline uint64_t get_bits(const VlWide<N>& port, unsigned lsb, unsigned width) {
  uint64_t v = 0;
  unsigned done = 0;
  while (done < width) {
    const unsigned w = lsb / 32, off = lsb % 32;
    const unsigned n = (32 - off < width - done) ? 32 - off : width - done;
    const uint64_t chunk = (port[w] >> off) & (n == 32 ? ~0u : ((1u << n) - 1));
    v |= chunk << done;
    lsb += n;
    done += n;
  }
  return v;
}

// Sign-extends the low `width` bits of v.
inline int64_t sext(uint64_t v, unsigned width) {
  const uint64_t m = 1ull << (width - 1);
  v &= (width >= 64) ? ~0ull : ((1ull << width) - 1);
  return static_cast<int64_t>((v ^ m) - m);
}

}  // namespace qilin::tb
