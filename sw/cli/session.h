// SPDX-License-Identifier: Apache-2.0
// The qilin CLI's device session: a backend (verilated RTL or the golden ISS) opened through
// the driver, plus the error type every subcommand reports as one line.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "qilin/driver.h"
#include "qilin/host_device.h"

namespace qilin::cli {

// A user-facing error: printed as "qilin: error: <what>", exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct BackendOptions {
  std::string backend = "rtl";  // rtl | golden
  int dim = 16;                 // 8 | 16
  std::string trace;            // FST path (rtl only)
};

class Session {
 public:
  static constexpr uint64_t kMemBase = 0x1000'0000;
  static constexpr uint64_t kMemSize = 256ull << 20;

  explicit Session(const BackendOptions& opt);
  qilin_dev_t& dev() { return dev_; }
  host::Device& device() { return *device_; }
  const std::string& backend() const { return backend_; }

  // Runs the open program; throws UsageError with the decoded device error on failure.
  void run();
  // Throws UsageError("<what>: <driver error>") if st is not QILIN_OK.
  void check(int st, const std::string& what) const;

 private:
  std::string backend_;
  std::unique_ptr<host::Device> device_;
  std::vector<qilin_insn_t> insns_;
  qilin_hal_t hal_{};
  qilin_dev_t dev_{};
};

// A text progress bar on stderr, drawn only when stderr is a terminal or forced.
class Progress {
 public:
  Progress(std::string label, uint64_t total, bool enabled);
  void update(uint64_t done);
  void finish();

 private:
  std::string label_;
  uint64_t total_;
  bool enabled_;
  int last_pct_ = -1;
};

}  // namespace qilin::cli
