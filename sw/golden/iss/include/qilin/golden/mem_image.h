// Device-memory image for the instruction-level simulator: sparse, byte addressed, 40-bit
// addresses, plus the two DMA windows that the CSRs set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace qilin::golden {

// A half-open byte range [base, limit) that the DMA may touch.
struct DmaWindow {
  uint64_t base = 0;
  uint64_t limit = 0;
  // True if every byte of [addr, addr + n) lies inside (n = 0 is always inside).
  bool contains(uint64_t addr, uint64_t n) const {
    return n == 0 || (addr >= base && addr <= limit && n <= limit - addr);
  }
};

// Sparse memory: only pages that were written hold storage, and unwritten bytes read as 0, so a
// 1 TiB address space costs only what a test touches. Copyable, so a test can run the simulator
// on a copy and compare images afterwards.
class MemImage {
 public:
  static constexpr uint64_t kAddrLimit = uint64_t{1} << 40;  // 40-bit device addresses

  // size: bytes of device memory, at most 2^40. An access at or beyond size is what the AXI
  // fabric answers with an error response (ERR_CODE BUS_ERROR). Both DMA windows start as the
  // whole memory [0, size).
  explicit MemImage(uint64_t size = kAddrLimit);

  uint64_t size() const { return size_; }

  // Host (backdoor) access. Throws std::out_of_range if [addr, addr + n) leaves [0, size).
  void write(uint64_t addr, const void* src, std::size_t n);
  void read(uint64_t addr, void* dst, std::size_t n) const;
  std::vector<uint8_t> read(uint64_t addr, std::size_t n) const;
  void write8(uint64_t addr, uint8_t v) { write(addr, &v, 1); }
  uint8_t read8(uint64_t addr) const;
  // Little-endian 32-bit words (the accumulator's device-memory format).
  void write_s32(uint64_t addr, const int32_t* src, std::size_t count);
  std::vector<int32_t> read_s32(uint64_t addr, std::size_t count) const;

  // DMA windows (CSR state): limit at most 2^40; base >= limit is an empty window. A window
  // may extend beyond size(), as CSRs can name addresses where no memory answers: accesses
  // there pass the window check and then fail with BUS_ERROR.
  void set_read_window(uint64_t base, uint64_t limit);
  void set_write_window(uint64_t base, uint64_t limit);
  const DmaWindow& read_window() const { return rd_window_; }
  const DmaWindow& write_window() const { return wr_window_; }

  // Lowest address at which the two images differ (unwritten bytes count as 0), or nothing if
  // they are equal. This is the RTL-vs-ISS end-of-program check.
  std::optional<uint64_t> first_difference(const MemImage& other) const;

  // Calls f(addr, data, n) for every stored page, in address order (e.g. to copy the image into
  // a device model). Bytes outside the visited pages are 0.
  void for_each_page(const std::function<void(uint64_t, const uint8_t*, std::size_t)>& f) const;

  static constexpr unsigned kPageBits = 12;
  static constexpr std::size_t kPageSize = std::size_t{1} << kPageBits;

 private:
  void check_range(uint64_t addr, std::size_t n) const;
  const uint8_t* page_or_null(uint64_t page) const;

  uint64_t size_;
  DmaWindow rd_window_;
  DmaWindow wr_window_;
  std::map<uint64_t, std::vector<uint8_t>> pages_;  // page number -> kPageSize bytes
};

}  // namespace qilin::golden
