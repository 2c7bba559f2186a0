// The verilated array configurations shared by tests, bench and demo.
#pragma once

#include "Vqilin_array_16x16.h"
#include "Vqilin_array_4x4.h"
#include "Vqilin_array_8x8.h"
#ifdef QILIN_ARRAY_32X32
#include "Vqilin_array_32x32.h"
#endif

namespace qilin::tb {

// 4x4 is a classic fully systolic row (one register per PE); larger builds share an
// activation register among ColsPerStage PEs to cut fill/drain latency.
struct Array4x4 {
  using Model = Vqilin_array_4x4;
  static constexpr unsigned kRows = 4, kCols = 4, kColsPerStage = 1;
  static constexpr const char* kName = "4x4";
};
struct Array8x8 {
  using Model = Vqilin_array_8x8;
  static constexpr unsigned kRows = 8, kCols = 8, kColsPerStage = 2;
  static constexpr const char* kName = "8x8";
};
struct Array16x16 {
  using Model = Vqilin_array_16x16;
  static constexpr unsigned kRows = 16, kCols = 16, kColsPerStage = 4;
  static constexpr const char* kName = "16x16";
};
// Only in the bench build (qilin_array_models_big).
#ifdef QILIN_ARRAY_32X32
struct Array32x32 {
  using Model = Vqilin_array_32x32;
  static constexpr unsigned kRows = 32, kCols = 32, kColsPerStage = 4;
  static constexpr const char* kName = "32x32";
};
#endif

}  // namespace qilin::tb
