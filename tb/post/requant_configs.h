// The verilated qilin_requant configurations (see CMakeLists.txt).
#pragma once

#include "Vqilin_requant_16.h"
#include "Vqilin_requant_4.h"
#include "Vqilin_requant_4_dsp.h"

namespace qilin::tb {

struct Requant4 {
  using Model = Vqilin_requant_4;
  static constexpr unsigned kLanes = 4;
  static constexpr const char* kName = "lanes4";
};
// The partial products in MULT18X18Ds (QILIN_ECP5_DSP), as the ECP5 build has them.
struct Requant4Dsp {
  using Model = Vqilin_requant_4_dsp;
  static constexpr unsigned kLanes = 4;
  static constexpr const char* kName = "lanes4_dsp";
};
struct Requant16 {
  using Model = Vqilin_requant_16;
  static constexpr unsigned kLanes = 16;
  static constexpr const char* kName = "lanes16";
};

}  // namespace qilin::tb
