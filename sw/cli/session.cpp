// SPDX-License-Identifier: Apache-2.0
#include "session.h"

#include <unistd.h>

#include <filesystem>

#include "rtl_device.h"

namespace qilin::cli {

Session::Session(const BackendOptions& opt) : backend_(opt.backend), insns_(1u << 18) {
  if (opt.dim != 8 && opt.dim != 16)
    throw UsageError("--dim must be 8 or 16 (the verilated builds), got " +
                     std::to_string(opt.dim));
  if (!opt.trace.empty()) {
    const std::filesystem::path dir = std::filesystem::path(opt.trace).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw UsageError("--trace: directory " + dir.string() + " does not exist");
  }
  if (opt.backend == "rtl") {
    tb::driver::RtlOptions o;
    o.dim = opt.dim;
    o.trace_fst = opt.trace;
    device_ = tb::driver::make_rtl_device(o);
  } else if (opt.backend == "golden") {
    if (!opt.trace.empty()) throw UsageError("--trace needs --backend rtl");
    // The same configuration as the RTL builds, so both backends tile identically.
    device_ = host::make_golden_device({opt.dim, 1024, 256});
  } else {
    throw UsageError("--backend must be rtl or golden, got '" + opt.backend + "'");
  }
  hal_ = device_->hal();
  check(qilin_open(&dev_, &hal_, kMemBase, kMemSize, insns_.data(),
                   static_cast<uint32_t>(insns_.size())),
        "opening the device");
}

void Session::check(int st, const std::string& what) const {
  if (st == QILIN_OK) return;
  std::string msg = what + ": " + qilin_strerror(st);
  if (st == QILIN_E_DEVICE) {
    char buf[128];
    std::snprintf(buf, sizeof buf, " (%s at instruction %u, address 0x%llx)",
                  qilin_dev_error_name(dev_.last_error.code), dev_.last_error.pc,
                  static_cast<unsigned long long>(dev_.last_error.addr));
    msg += buf;
  }
  throw UsageError(msg);
}

void Session::run() { check(qilin_prog_run(&dev_), "running the program"); }

Progress::Progress(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled && total > 0) {}

void Progress::update(uint64_t done) {
  if (!enabled_) return;
  const int pct = static_cast<int>(100 * done / total_);
  if (pct == last_pct_) return;
  // A terminal gets a bar redrawn in place; a log gets one line per quarter.
  static const bool tty = isatty(fileno(stderr)) != 0;
  if (!tty) {
    if (pct / 25 != last_pct_ / 25 || last_pct_ < 0)
      std::fprintf(stderr, "%s: %d%% (%llu/%llu)\n", label_.c_str(), pct,
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_));
    last_pct_ = pct;
    return;
  }
  last_pct_ = pct;
  const int width = 30, fill = pct * width / 100;
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% (%llu/%llu)", label_.c_str(), fill,
               "##############################", width - fill, "", pct,
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_));
  std::fflush(stderr);
}

void Progress::finish() {
  if (enabled_ && isatty(fileno(stderr))) std::fprintf(stderr, "\n");
}

}  // namespace qilin::cli
