// Catch2 main shared by every testbench: strips the harness flags, then runs Catch.
// Random tests seed from Catch's --rng-seed, so `--rng-seed N` replays a run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "tb_options.h"

int main(int argc, char** argv) {
  argc = qilin::tb::parse_harness_args(argc, argv);
  return Catch::Session().run(argc, argv);
}
