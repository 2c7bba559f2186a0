// Golden integer GEMM with per-tensor A and per-column B zero points, int32 accumulation.
#pragma once

#include <cstdint>

namespace qilin::golden {

// 8-bit operand storage: raw bytes; is_signed selects int8 (true) or uint8 (false).
// Raw bytes let one buffer type carry both ONNX (uint8) and TFLite (int8) tensors, and match
// what the RTL sees on its data ports.
struct Operand8 {
  const uint8_t* data;
  bool is_signed;
};

// The value a raw byte stands for: -128..127 if is_signed, else 0..255.
int32_t as_int(uint8_t raw, bool is_signed);

// Largest K (exclusive) for which int32 accumulation cannot overflow: every term is at most
// 255 * 255 = 65025 in magnitude, and (2^15 - 1) * 65025 < 2^31 - 1.
inline constexpr int kMaxGemmK = 1 << 15;

// C (M x N, row-major, ld = N) = sum_k (A[m,k] - a_zp) * (B[k,n] - b_zp[n]).
// A is M x K row-major, B is K x N row-major, b_zp has N entries (per-tensor: repeat it).
// Zero points must lie in their operand's type range, which bounds each factor by 255.
// With accumulate, the sum is added into C (a K-split); the total K over the chained calls
// must stay below kMaxGemmK. Throws std::invalid_argument on a bad shape or zero point and
// std::overflow_error if an accumulated result leaves int32 (never silently wraps).
void gemm_s32(int M, int N, int K, Operand8 A, int32_t a_zp, Operand8 B, const int32_t* b_zp,
              int32_t* C, bool accumulate = false);

}  // namespace qilin::golden
