// `make bench` figures for the array: cycles, MAC utilization and simulation speed.
#define QILIN_ARRAY_32X32
#include <cstdio>

#include "array_bench.h"
#include "array_configs.h"

using namespace qilin::tb;

namespace {

template <class Cfg>
void bench(int tiles, int rows_per_tile) {
  qilin::golden::Rng rng(1);
  std::vector<ArrayTile> ts;
  for (int i = 0; i < tiles; ++i) ts.push_back(random_tile(rng, rows_per_tile, Cfg::kRows, Cfg::kCols));
  ArrayBench<Cfg> b(std::string("bench_") + Cfg::kName, 100'000'000);
  const ArrayRun run = b.run(ts);
  const double util = static_cast<double>(run.useful_macs) /
                      (static_cast<double>(Cfg::kRows) * Cfg::kCols * run.cycles());
  std::printf("%-6s %6d x %-5d %10llu %10llu %8.2f%% %12.0f\n", Cfg::kName, tiles, rows_per_tile,
              static_cast<unsigned long long>(run.cycles()),
              static_cast<unsigned long long>(run.useful_macs), 100.0 * util, run.sim_cycles / run.loop_seconds);
}

}  // namespace

int main() {
  std::printf("qilin_array streamed matmul: K = NumRows, N = NumCols per tile, every output\n"
              "checked against the golden GEMM; utilization = useful MACs / (rows*cols*cycles);\n"
              "sim cyc/s = simulated cycles per wall second of the streaming loop (model +\n"
              "testbench driver and checks, one core)\n");
  std::printf("%-6s %-14s %10s %10s %9s %12s\n", "array", "tiles x rows", "cycles", "MACs",
              "util", "sim cyc/s");
  bench<Array16x16>(1, 1024);
  bench<Array16x16>(64, 1024);
  bench<Array16x16>(64, 16);
  bench<Array32x32>(1, 1024);
  bench<Array32x32>(32, 1024);
  bench<Array32x32>(64, 32);
  return 0;
}
