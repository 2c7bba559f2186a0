#include "tb_options.h"

#include <cstdlib>
#include <cstring>

namespace qilin::tb {

Options& options() {
  static Options opt = [] {
    Options o;
    if (const char* t = std::getenv("QILIN_TRACE"); t && *t) {
      o.trace = true;
      if (std::strcmp(t, "1") != 0) o.trace_dir = t;
    }
    if (const char* c = std::getenv("QILIN_COV_DIR"); c && *c) o.coverage_dir = c;
    return o;
  }();
  return opt;
}

int parse_harness_args(int argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--trace") == 0) {
      options().trace = true;
    } else if (std::strncmp(argv[i], "--trace=", 8) == 0) {
      options().trace = true;
      options().trace_dir = argv[i] + 8;
    } else {
      argv[out++] = argv[i];
    }
  }
  return out;
}

}  // namespace qilin::tb
