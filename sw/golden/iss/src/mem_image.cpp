// Sparse device-memory image: 4 KiB pages allocated on first write.
#include "qilin/golden/mem_image.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace qilin::golden {

MemImage::MemImage(uint64_t size) : size_(size), rd_window_{0, size}, wr_window_{0, size} {
  if (size > kAddrLimit) throw std::invalid_argument("MemImage: size above 2^40");
}

void MemImage::check_range(uint64_t addr, std::size_t n) const {
  if (addr > size_ || n > size_ - addr) {
    throw std::out_of_range("MemImage: access [" + std::to_string(addr) + ", +" +
                            std::to_string(n) + ") outside the " + std::to_string(size_) +
                            "-byte image");
  }
}

const uint8_t* MemImage::page_or_null(uint64_t page) const {
  const auto it = pages_.find(page);
  return it == pages_.end() ? nullptr : it->second.data();
}

void MemImage::write(uint64_t addr, const void* src, std::size_t n) {
  check_range(addr, n);
  const auto* s = static_cast<const uint8_t*>(src);
  while (n > 0) {
    const uint64_t page = addr >> kPageBits;
    const std::size_t off = static_cast<std::size_t>(addr & (kPageSize - 1));
    const std::size_t chunk = std::min(n, kPageSize - off);
    auto& bytes = pages_[page];
    if (bytes.empty()) bytes.assign(kPageSize, 0);
    std::memcpy(bytes.data() + off, s, chunk);
    addr += chunk;
    s += chunk;
    n -= chunk;
  }
}

void MemImage::read(uint64_t addr, void* dst, std::size_t n) const {
  check_range(addr, n);
  auto* d = static_cast<uint8_t*>(dst);
  while (n > 0) {
    const std::size_t off = static_cast<std::size_t>(addr & (kPageSize - 1));
    const std::size_t chunk = std::min(n, kPageSize - off);
    if (const uint8_t* p = page_or_null(addr >> kPageBits)) {
      std::memcpy(d, p + off, chunk);
    } else {
      std::memset(d, 0, chunk);
    }
    addr += chunk;
    d += chunk;
    n -= chunk;
  }
}

std::vector<uint8_t> MemImage::read(uint64_t addr, std::size_t n) const {
  std::vector<uint8_t> v(n);
  read(addr, v.data(), n);
  return v;
}

uint8_t MemImage::read8(uint64_t addr) const {
  uint8_t v = 0;
  read(addr, &v, 1);
  return v;
}

void MemImage::write_s32(uint64_t addr, const int32_t* src, std::size_t count) {
  std::vector<uint8_t> bytes(4 * count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto u = static_cast<uint32_t>(src[i]);
    for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<uint8_t>(u >> (8 * b));
  }
  write(addr, bytes.data(), bytes.size());
}

std::vector<int32_t> MemImage::read_s32(uint64_t addr, std::size_t count) const {
  const std::vector<uint8_t> bytes = read(addr, 4 * count);
  std::vector<int32_t> v(count);
  for (std::size_t i = 0; i < count; ++i) {
    uint32_t u = 0;
    for (int b = 0; b < 4; ++b) u |= static_cast<uint32_t>(bytes[4 * i + b]) << (8 * b);
    v[i] = static_cast<int32_t>(u);
  }
  return v;
}

void MemImage::set_read_window(uint64_t base, uint64_t limit) {
  if (limit > kAddrLimit) throw std::invalid_argument("MemImage: read window beyond 2^40");
  rd_window_ = {base, limit};
}

void MemImage::set_write_window(uint64_t base, uint64_t limit) {
  if (limit > kAddrLimit) throw std::invalid_argument("MemImage: write window beyond 2^40");
  wr_window_ = {base, limit};
}

std::optional<uint64_t> MemImage::first_difference(const MemImage& other) const {
  // Visit the union of both page sets in address order; a page missing on one side is zeros.
  static const std::vector<uint8_t> kZeros(kPageSize, 0);
  auto a = pages_.begin();
  auto b = other.pages_.begin();
  while (a != pages_.end() || b != other.pages_.end()) {
    uint64_t page;
    const uint8_t* pa = kZeros.data();
    const uint8_t* pb = kZeros.data();
    if (b == other.pages_.end() || (a != pages_.end() && a->first < b->first)) {
      page = a->first;
      pa = (a++)->second.data();
    } else if (a == pages_.end() || b->first < a->first) {
      page = b->first;
      pb = (b++)->second.data();
    } else {
      page = a->first;
      pa = (a++)->second.data();
      pb = (b++)->second.data();
    }
    for (std::size_t i = 0; i < kPageSize; ++i) {
      if (pa[i] != pb[i]) return (page << kPageBits) + i;
    }
  }
  return std::nullopt;
}

void MemImage::for_each_page(
    const std::function<void(uint64_t, const uint8_t*, std::size_t)>& f) const {
  for (const auto& [page, bytes] : pages_) f(page << kPageBits, bytes.data(), kPageSize);
}

}  // namespace qilin::golden
