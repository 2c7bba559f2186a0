// SPDX-License-Identifier: Apache-2.0
// The qilin CLI's subcommands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "session.h"

namespace qilin::cli {

// ONNX quantisation inputs. With all three scales given the operator is QLinearMatMul /
// QLinearConv (8-bit output); with none it is MatMulInteger / ConvInteger (int32 output).
struct QuantOptions {
  int in_zp = 0, w_zp = 0;
  std::string in_scale, w_scale, y_scale;  // numbers; w_scale may be a float32 .npy
  int y_zp = 0;
  std::string y_type = "uint8";
};

struct GemmOptions {
  std::string a, b, out;
  QuantOptions q;
};

struct ConvOptions {
  std::string x, w, bias, out;
  std::vector<int> pads, strides, dilations, kernel_shape;
  int group = 1;
  std::string auto_pad = "NOTSET";
  QuantOptions q;
};

struct BenchOptions {
  int m = 256, k = 256, n = 256;
  uint64_t seed = 1;
};

struct DemoOptions {
  int images = 200;
  int batch = 8;
  std::string model_dir, data_dir;
  bool check_golden = true;
  bool progress = true;
  std::string expect;  // optional: compare with expected_logits_first16.npy in the model dir
};

void run_gemm(const BackendOptions& bo, const GemmOptions& o);
void run_conv2d(const BackendOptions& bo, const ConvOptions& o);
int run_bench(const BackendOptions& bo, const BenchOptions& o);
int run_demo(const BackendOptions& bo, const DemoOptions& o);

}  // namespace qilin::cli
