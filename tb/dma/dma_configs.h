// SPDX-License-Identifier: Apache-2.0
// The verilated DMA configurations (tb/dma/CMakeLists.txt builds them).
#pragma once

#include "Vqilin_dma_rd_d16.h"
#include "Vqilin_dma_rd_d8.h"
#include "Vqilin_dma_rd_d8s.h"
#include "Vqilin_dma_wr_d16.h"
#include "Vqilin_dma_wr_d8.h"
#include "Vqilin_dma_wr_d8s.h"

namespace qilin::tb {

// Shared shape of a configuration; RdModel/WrModel are the two engines.
template <class Rd, class Wr, unsigned Dim, unsigned MaxBurst, unsigned MaxOut>
struct DmaCfg {
  using RdModel = Rd;
  using WrModel = Wr;
  static constexpr unsigned kDim = Dim;
  static constexpr unsigned kSpAddrW = 12, kAccAddrW = 10;
  static constexpr unsigned kDstAddrW = 12;  // max(SpAddrW, AccAddrW)
  static constexpr unsigned kMaxBurst = MaxBurst, kMaxOut = MaxOut;
};

struct Dma8 : DmaCfg<Vqilin_dma_rd_d8, Vqilin_dma_wr_d8, 8, 16, 16> {
  static constexpr const char* kName = "dim8";
};
struct Dma16 : DmaCfg<Vqilin_dma_rd_d16, Vqilin_dma_wr_d16, 16, 16, 16> {
  static constexpr const char* kName = "dim16";
};
// Short bursts, few in flight, small buffers: exercises the limits.
struct Dma8Small : DmaCfg<Vqilin_dma_rd_d8s, Vqilin_dma_wr_d8s, 8, 4, 3> {
  static constexpr const char* kName = "dim8_small";
};

}  // namespace qilin::tb
