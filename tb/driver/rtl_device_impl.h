// SPDX-License-Identifier: Apache-2.0
// The RTL device for one chip build; included by rtl_device_<DIM>.cpp with QILIN_CHIP_DIM set.
#pragma once

#include <cstring>
#include <vector>

#include "chip_bench.h"
#include "rtl_device.h"

namespace qilin::tb::driver {
namespace {  // one definition per build (translation unit)

class RtlDeviceImpl final : public host::Device {
 public:
  explicit RtlDeviceImpl(const RtlOptions& opt)
      : bench_(name_for(opt), {}, opt.max_cycles ? opt.max_cycles : uint64_t{1} << 40) {}

  uint32_t csr_read(uint32_t o) override { return bench_.csr_read(o); }
  void csr_write(uint32_t o, uint32_t v) override { bench_.csr_write(o, v); }
  int mem_write(uint64_t a, const void* src, std::size_t n) override {
    if (a + n > chip::kMemBytes) return -1;
    const auto* p = static_cast<const uint8_t*>(src);
    bench_.mem().write(a, std::vector<uint8_t>(p, p + n));
    return 0;
  }
  int mem_read(uint64_t a, void* dst, std::size_t n) override {
    if (a + n > chip::kMemBytes) return -1;
    const std::vector<uint8_t> v = bench_.mem().read(a, n);
    std::memcpy(dst, v.data(), n);
    return 0;
  }
  void delay(uint32_t units) override {
    for (uint32_t i = 0; i < units; ++i) bench_.step();
  }
  uint64_t sim_cycles() const override { return bench_.sim().cycle(); }
  std::string name() const override { return "rtl-dim" + std::to_string(chip::kDim); }

 private:
  static std::string name_for(const RtlOptions& opt) {
    if (opt.trace_fst.empty()) return "qilin_rtl";
    // Sim names its trace <trace_dir>/<name>.fst.
    std::string path = opt.trace_fst;
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".fst") == 0)
      path.resize(path.size() - 4);
    const std::size_t slash = path.rfind('/');
    Options& o = options();
    o.trace = true;
    o.trace_dir = slash == std::string::npos ? "." : path.substr(0, slash);
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }
  mutable chip::ChipBench bench_;  // sim() is not const
};

}  // namespace
}  // namespace qilin::tb::driver
