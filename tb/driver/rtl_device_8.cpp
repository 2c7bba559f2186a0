// SPDX-License-Identifier: Apache-2.0
// RTL device on the DIM 8 chip build.
#define QILIN_CHIP_DIM 8
#include "rtl_device_impl.h"

namespace qilin::tb::driver {
std::unique_ptr<host::Device> make_rtl_device_8(const RtlOptions& opt) {
  return std::make_unique<RtlDeviceImpl>(opt);
}
}  // namespace qilin::tb::driver
