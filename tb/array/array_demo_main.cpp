// Until the Fashion-MNIST demo lands: a tiled GEMM on the verilated 16x16 array, checked
// element by element against the golden model, with its utilization.
#include <cstdio>

#include "array_bench.h"
#include "array_configs.h"

using namespace qilin::tb;

int main() {
  constexpr int M = 256, K = 64, N = 64, R = 16, C = 16;
  qilin::golden::Rng rng(2026);
  // A is uint8 with zero point 128 (ONNX style), B int8 with per-column zero points 0.
  ArrayTile full = random_tile(rng, M, K, N);
  full.a_signed = false, full.a_zp = 128, full.w_signed = true;
  for (auto& z : full.w_zp) z = 0;

  // Split K and N into 16 x 16 weight tiles; each tile streams all M rows of its K slice.
  std::vector<ArrayTile> tiles;
  for (int n0 = 0; n0 < N; n0 += C) {
    for (int k0 = 0; k0 < K; k0 += R) {
      ArrayTile t;
      t.M = M, t.K = R, t.N = C;
      t.a_signed = full.a_signed, t.w_signed = full.w_signed, t.a_zp = full.a_zp;
      t.w_zp.assign(full.w_zp.begin() + n0, full.w_zp.begin() + n0 + C);
      for (int m = 0; m < M; ++m)
        for (int k = 0; k < R; ++k) t.a.push_back(full.a[m * K + k0 + k]);
      for (int k = 0; k < R; ++k)
        for (int n = 0; n < C; ++n) t.w.push_back(full.w[(k0 + k) * N + n0 + n]);
      tiles.push_back(std::move(t));
    }
  }
  std::printf("Qilin demo: %dx%dx%d GEMM (uint8 A, zp 128; int8 B) on a verilated %dx%d array\n",
              M, K, N, R, C);
  ArrayBench<Array16x16> bench("demo_16x16");
  try {
    std::vector<std::vector<int32_t>> partial;
    const ArrayRun run = bench.run(tiles, {}, 1, &partial);
    // Sum the K-slices on the host and compare the whole product with the golden GEMM.
    std::vector<int32_t> want(M * N), got(M * N, 0);
    qilin::golden::gemm_s32(M, N, K, {full.a.data(), full.a_signed}, full.a_zp,
                            {full.w.data(), full.w_signed}, full.w_zp.data(), want.data());
    size_t t = 0;
    for (int n0 = 0; n0 < N; n0 += C)
      for (int k0 = 0; k0 < K; k0 += R, ++t)
        for (int m = 0; m < M; ++m)
          for (int n = 0; n < C; ++n) got[m * N + n0 + n] += partial[t][m * C + n];
    for (int i = 0; i < M * N; ++i) {
      if (got[i] != want[i]) {
        std::fprintf(stderr, "demo FAILED: C[%d][%d] expected %d, actual %d\n", i / N, i % N,
                     want[i], got[i]);
        return 1;
      }
    }
    const double util = static_cast<double>(run.useful_macs) / (double(R) * C * run.cycles());
    std::printf("  %zu weight tiles streamed back to back; all %d elements of C match the golden"
                " GEMM\n", tiles.size(), M * N);
    std::printf("  cycles %llu, useful MACs %llu, utilization %.2f%%\n",
                static_cast<unsigned long long>(run.cycles()),
                static_cast<unsigned long long>(run.useful_macs), 100.0 * util);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "demo FAILED: %s\n", e.what());
    return 1;
  }
  return 0;
}
