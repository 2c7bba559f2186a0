// SPDX-License-Identifier: Apache-2.0
#include "rtl_device.h"

#include <stdexcept>

namespace qilin::tb::driver {

std::unique_ptr<host::Device> make_rtl_device_8(const RtlOptions& opt);
std::unique_ptr<host::Device> make_rtl_device_16(const RtlOptions& opt);

std::unique_ptr<host::Device> make_rtl_device(const RtlOptions& opt) {
  if (opt.dim == 8) return make_rtl_device_8(opt);
  if (opt.dim == 16) return make_rtl_device_16(opt);
  throw std::invalid_argument("rtl backend: no build for DIM " + std::to_string(opt.dim) +
                              " (have 8 and 16)");
}

}  // namespace qilin::tb::driver
