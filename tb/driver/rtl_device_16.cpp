// SPDX-License-Identifier: Apache-2.0
// RTL device on the DIM 16 chip build.
#define QILIN_CHIP_DIM 16
#include "rtl_device_impl.h"

namespace qilin::tb::driver {
std::unique_ptr<host::Device> make_rtl_device_16(const RtlOptions& opt) {
  return std::make_unique<RtlDeviceImpl>(opt);
}
}  // namespace qilin::tb::driver
