// SPDX-License-Identifier: Apache-2.0
// qilin: the Qilin NPU command line. Runs ONNX-quantised GEMMs and convolutions on .npy
// tensors, a GEMM benchmark and the Fashion-MNIST demo, on the verilated RTL or the golden
// instruction-level simulator, through the bare-metal driver.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "ops.h"
#include "qilin/npy.h"

#ifndef QILIN_SOURCE_DIR
#define QILIN_SOURCE_DIR "."
#endif

using namespace qilin::cli;

namespace {

void add_backend(CLI::App* app, BackendOptions& b) {
  app->add_option("--backend", b.backend, "rtl (verilated core) or golden (ISS)")
      ->check(CLI::IsMember({"rtl", "golden"}))
      ->capture_default_str();
  app->add_option("--dim", b.dim, "array size of the RTL build: 8 or 16")
      ->check(CLI::IsMember({8, 16}))
      ->capture_default_str();
  app->add_option("--trace", b.trace, "write an FST waveform of the run (rtl only)");
}

void add_quant(CLI::App* app, QuantOptions& q, const char* in, const char* w) {
  const std::string i(in), k(w);
  app->add_option("--" + i + "-zp", q.in_zp, i + "_zero_point (scalar)")->capture_default_str();
  app->add_option("--" + k + "-zp", q.w_zp, k + "_zero_point (scalar)")->capture_default_str();
  app->add_option("--" + i + "-scale", q.in_scale, i + "_scale (QLinear only)");
  app->add_option("--" + k + "-scale", q.w_scale,
                  k + "_scale: a number, or a float32 .npy per output channel (QLinear only)");
  app->add_option("--y-scale", q.y_scale, "y_scale (QLinear only)");
  app->add_option("--y-zp", q.y_zp, "y_zero_point (QLinear only)")->capture_default_str();
  app->add_option("--y-type", q.y_type, "output type of QLinear: uint8 or int8")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "qilin: run quantised layers and the demo network on the Qilin NPU (verilated RTL or the "
      "golden simulator). Tensors are NumPy .npy files (int8, uint8, int32, float32)."};
  app.require_subcommand(1);
  BackendOptions bo;

  GemmOptions go;
  CLI::App* gemm = app.add_subcommand(
      "gemm",
      "Y = A x B with ONNX semantics: MatMulInteger (int32 Y) by default, QLinearMatMul "
      "(8-bit Y) when --a-scale, --b-scale and --y-scale are given");
  gemm->add_option("--a", go.a, "A: int8/uint8 .npy of shape (M, K)")->required();
  gemm->add_option("--b", go.b, "B: int8/uint8 .npy of shape (K, N)")->required();
  gemm->add_option("-o,--out", go.out, "Y: output .npy (M, N)")->required();
  add_quant(gemm, go.q, "a", "b");
  add_backend(gemm, bo);

  ConvOptions co;
  CLI::App* conv = app.add_subcommand(
      "conv2d",
      "Y = conv(X, W) with ONNX semantics (NCHW, OIHW): ConvInteger (int32 Y) by default, "
      "QLinearConv (8-bit Y) when --x-scale, --w-scale and --y-scale are given");
  conv->add_option("--x", co.x, "X: int8/uint8 .npy (N, C, H, W)")->required();
  conv->add_option("--w", co.w, "W: int8/uint8 .npy (M, C/group, kH, kW)")->required();
  conv->add_option("--bias", co.bias, "B: int32 .npy (M,) (QLinearConv only)");
  conv->add_option("-o,--out", co.out, "Y: output .npy (N, M, OH, OW)")->required();
  conv->add_option("--pads", co.pads, "top,left,bottom,right (each 0..7)")->delimiter(',');
  conv->add_option("--strides", co.strides, "h,w (each 1..7)")->delimiter(',');
  conv->add_option("--dilations", co.dilations, "h,w")->delimiter(',');
  conv->add_option("--kernel-shape", co.kernel_shape, "kh,kw (checked against W)")->delimiter(',');
  conv->add_option("--group", co.group, "groups (C/group input channels each)")
      ->capture_default_str();
  conv->add_option("--auto-pad", co.auto_pad, "NOTSET, SAME_UPPER, SAME_LOWER or VALID")
      ->capture_default_str();
  add_quant(conv, co.q, "x", "w");
  add_backend(conv, bo);

  BenchOptions bn;
  CLI::App* bench = app.add_subcommand(
      "bench",
      "Time an int8 GEMM: cycles, MAC utilization, stalls and simulated cycles/s; "
      "the result is checked against the golden GEMM");
  bench->add_option("--m", bn.m, "rows of A")->capture_default_str();
  bench->add_option("--k", bn.k, "columns of A")->capture_default_str();
  bench->add_option("--n", bn.n, "columns of B")->capture_default_str();
  bench->add_option("--seed", bn.seed, "random data seed")->capture_default_str();
  add_backend(bench, bo);

  DemoOptions dm;
  dm.model_dir = std::string(QILIN_SOURCE_DIR) + "/sw/models/fashion_mnist";
  dm.data_dir = "/usr/share/datasets/fashion-mnist";
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Classify Fashion-MNIST test images with the INT8 CNN; every batch is also run "
      "on the golden backend and the logits must be bit-identical");
  demo->add_option("-n,--images", dm.images, "first N test images")->capture_default_str();
  demo->add_option("--batch", dm.batch, "images per program")->capture_default_str();
  demo->add_option("--model", dm.model_dir, "model directory")->capture_default_str();
  demo->add_option("--data", dm.data_dir, "Fashion-MNIST directory")->capture_default_str();
  demo->add_option("--expect", dm.expect,
                   "int8 .npy of expected logits (images x 10) to compare with");
  demo->add_flag("!--no-golden", dm.check_golden, "skip the golden cross-check");
  demo->add_flag("!--no-progress", dm.progress, "no progress bar");
  add_backend(demo, bo);

  CLI11_PARSE(app, argc, argv);
  try {
    if (*gemm) run_gemm(bo, go);
    if (*conv) run_conv2d(bo, co);
    if (*bench) return run_bench(bo, bn);
    if (*demo) return run_demo(bo, dm);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "qilin: error: %s\n", e.what());
    return 2;
  } catch (const qilin::npy::Error& e) {
    std::fprintf(stderr, "qilin: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qilin: internal error: %s\n", e.what());
    return 3;
  }
  return 0;
}
