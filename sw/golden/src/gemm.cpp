// Golden GEMM: a direct triple loop, written for obviousness rather than speed.
#include "qilin/golden/gemm.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace qilin::golden {

namespace {

bool zp_in_range(int32_t zp, bool is_signed) {
  return is_signed ? (zp >= -128 && zp <= 127) : (zp >= 0 && zp <= 255);
}

// Row-major element offset, in size_t so large test matrices cannot overflow an int.
std::size_t idx(int row, int col, int ld) {
  return static_cast<std::size_t>(row) * static_cast<std::size_t>(ld) +
         static_cast<std::size_t>(col);
}

}  // namespace

int32_t as_int(uint8_t raw, bool is_signed) {
  return is_signed ? static_cast<int32_t>(static_cast<int8_t>(raw)) : static_cast<int32_t>(raw);
}

void gemm_s32(int M, int N, int K, Operand8 A, int32_t a_zp, Operand8 B, const int32_t* b_zp,
              int32_t* C, bool accumulate) {
  // Checked in every build type (the project builds Release, where assert() is compiled out):
  // a golden model that silently computes garbage would make a broken RTL test pass.
  if (M < 0 || N < 0 || K < 0 || K >= kMaxGemmK) {
    throw std::invalid_argument("gemm_s32: need M, N >= 0 and 0 <= K < 2^15");
  }
  if (!zp_in_range(a_zp, A.is_signed)) throw std::invalid_argument("gemm_s32: a_zp out of range");
  for (int n = 0; n < N; ++n) {
    if (!zp_in_range(b_zp[n], B.is_signed)) {
      throw std::invalid_argument("gemm_s32: b_zp out of range");
    }
  }
  for (int m = 0; m < M; ++m) {
    for (int n = 0; n < N; ++n) {
      // The per-call sum cannot overflow int32 (see kMaxGemmK); int64 only guards the
      // accumulate case, where the earlier contents of C are unknown here.
      int64_t sum = accumulate ? C[idx(m, n, N)] : 0;
      for (int k = 0; k < K; ++k) {
        const int32_t a = as_int(A.data[idx(m, k, K)], A.is_signed) - a_zp;
        const int32_t b = as_int(B.data[idx(k, n, N)], B.is_signed) - b_zp[n];
        sum += a * b;
      }
      if (sum < std::numeric_limits<int32_t>::min() || sum > std::numeric_limits<int32_t>::max()) {
        throw std::overflow_error("gemm_s32: accumulated result overflows int32");
      }
      C[idx(m, n, N)] = static_cast<int32_t>(sum);
    }
  }
}

}  // namespace qilin::golden
