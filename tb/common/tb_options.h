// Process-wide testbench options, from the command line (--trace[=DIR]) or environment.
#pragma once

#include <cstdint>
#include <string>

namespace qilin::tb {

struct Options {
  bool trace = false;             // --trace[=DIR] or QILIN_TRACE=DIR: one FST per Sim
  std::string trace_dir = ".";
  std::string coverage_dir = ".";  // QILIN_COV_DIR: where coverage .dat files go
};

// Reads the environment once; the test main may override from argv first.
Options& options();

// Removes harness flags (--trace, --trace=DIR) from argv; returns the new argc.
int parse_harness_args(int argc, char** argv);

}  // namespace qilin::tb
