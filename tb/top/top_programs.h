// SPDX-License-Identifier: Apache-2.0
// Program generators for the chip-top tests and bench: the shared tiled GEMM programs
// (qilin/golden/gemm_programs.h, also used by the ISS and chip tests) and the instruction
// builders, in this directory's namespace.
#pragma once

#include "qilin/golden/gemm_programs.h"
#include "qilin/golden/insn_builders.h"

namespace qilin::tb::top {

using golden::encode;
using golden::encode_end;
using golden::MemImage;
using golden::quantize_multiplier;
using golden::QuantMultiplier;
using golden::Rng;

using namespace golden::insn;      // instruction builders (insn_builders.h)
using namespace golden::programs;  // GemmJob, tiled_gemm_program, gemm_s32_program, ...

}  // namespace qilin::tb::top
