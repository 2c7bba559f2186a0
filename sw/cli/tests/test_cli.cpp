// SPDX-License-Identifier: Apache-2.0
// CLI tests: runs the qilin binary on the published ONNX operator examples (QLinearMatMul,
// QLinearConv, MatMulInteger, ConvInteger) on both backends, and on every kind of bad input,
// which must give one error line, exit status 2 and no output file.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "qilin/npy.h"

namespace fs = std::filesystem;
using qilin::npy::Array;

namespace {

struct Run {
  int status = -1;
  std::string err;
};

class Workdir {
 public:
  Workdir() {
    char tmpl[] = "/tmp/qilin_cli_XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~Workdir() { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  template <class T>
  std::string npy(const std::string& name, std::vector<int64_t> shape, const std::vector<T>& v) {
    qilin::npy::save(path(name), Array::from<T>(std::move(shape), v));
    return path(name);
  }
  std::string raw(const std::string& name, const std::string& bytes) {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }

  Run qilin(const std::string& args) const {
    const std::string err = dir_ + "/stderr.txt";
    const std::string cmd = std::string(QILIN_CLI) + " " + args + " >/dev/null 2>" + err;
    const int rc = std::system(cmd.c_str());
    Run r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    std::ifstream in(err);
    std::stringstream ss;
    ss << in.rdbuf();
    r.err = ss.str();
    return r;
  }

 private:
  std::string dir_;
};

std::vector<int32_t> load_values(const std::string& path) {
  return qilin::npy::load(path).to_int32();
}

// The one-line error contract.
void require_clean_failure(const Workdir& w, const Run& r, const std::string& out_name,
                           const std::string& needle) {
  INFO("stderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("qilin: error: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(needle) != std::string::npos);
  CHECK_FALSE(fs::exists(w.path(out_name)));
}

}  // namespace

TEST_CASE("CLI: ONNX QLinearMatMul and QLinearConv examples", "[cli]") {
  for (const char* backend : {"golden", "rtl"}) {
    CAPTURE(backend);
    Workdir w;
    const std::string be = std::string(" --backend ") + backend;
    // QLinearMatMul (onnx/docs/Operators.md): uint8 in and out.
    const auto a = w.npy<uint8_t>("a.npy", {2, 4}, {208, 236, 0, 238, 3, 214, 255, 29});
    const auto b =
        w.npy<uint8_t>("b.npy", {4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247});
    Run r = w.qilin("gemm --a " + a + " --b " + b + " -o " + w.path("y.npy") +
                    " --a-scale 0.0066 --a-zp 113 --b-scale 0.00705 --b-zp 114 --y-scale 0.0107"
                    " --y-zp 118" +
                    be);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(qilin::npy::load(w.path("y.npy")).dtype == qilin::npy::DType::kUInt8);
    CHECK(load_values(w.path("y.npy")) == std::vector<int32_t>{168, 115, 255, 1, 66, 151});

    // QLinearConv: 7x7 input, 1x1 kernel.
    const auto x = w.npy<uint8_t>(
        "x.npy", {1, 1, 7, 7},
        {255, 174, 162, 25,  203, 168, 58,  15,  59,  237, 95,  129, 0,  64,  56, 242, 153,
         221, 168, 12,  166, 232, 178, 186, 195, 237, 162, 237, 188, 39, 124, 77, 80,  102,
         43,  127, 230, 21,  83,  41,  40,  134, 255, 154, 92,  141, 42, 148, 247});
    const auto k = w.npy<uint8_t>("w.npy", {1, 1, 1, 1}, {0});
    r = w.qilin("conv2d --x " + x + " --w " + k + " -o " + w.path("yc.npy") +
                " --x-scale 0.00369204697 --x-zp 132 --w-scale 0.00172794575 --w-zp 255"
                " --y-scale 0.00162681262 --y-zp 123" +
                be);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(load_values(w.path("yc.npy")) ==
          std::vector<int32_t>{0,   81,  93,  230, 52,  87,  197, 240, 196, 18,  160, 126, 255,
                               191, 199, 13,  102, 34,  87,  243, 89,  23,  77,  69,  60,  18,
                               93,  18,  67,  216, 131, 178, 175, 153, 212, 128, 25,  234, 172,
                               214, 215, 121, 0,   101, 163, 114, 213, 107, 8});
    CHECK(qilin::npy::load(w.path("yc.npy")).shape == std::vector<int64_t>{1, 1, 7, 7});
  }
}

TEST_CASE("CLI: ONNX MatMulInteger and ConvInteger examples", "[cli]") {
  for (const char* backend : {"golden", "rtl"}) {
    CAPTURE(backend);
    Workdir w;
    const std::string be = std::string(" --backend ") + backend;
    const auto a = w.npy<uint8_t>("a.npy", {4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0});
    const auto b = w.npy<uint8_t>("b.npy", {3, 2}, {1, 4, 2, 5, 3, 6});
    Run r = w.qilin("gemm --a " + a + " --b " + b + " -o " + w.path("y.npy") + " --a-zp 12" + be);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(qilin::npy::load(w.path("y.npy")).dtype == qilin::npy::DType::kInt32);
    CHECK(load_values(w.path("y.npy")) ==
          std::vector<int32_t>{-38, -83, -44, -98, -50, -113, -56, -128});

    const auto x = w.npy<uint8_t>("x.npy", {1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10});
    const auto k = w.npy<uint8_t>("w.npy", {1, 1, 2, 2}, {1, 1, 1, 1});
    r = w.qilin("conv2d --x " + x + " --w " + k + " -o " + w.path("y0.npy") + " --x-zp 1" + be);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(load_values(w.path("y0.npy")) == std::vector<int32_t>{12, 16, 24, 28});
    r = w.qilin("conv2d --x " + x + " --w " + k + " -o " + w.path("y1.npy") +
                " --x-zp 1 --pads 1,1,1,1" + be);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(qilin::npy::load(w.path("y1.npy")).shape == std::vector<int64_t>{1, 1, 4, 4});
    CHECK(load_values(w.path("y1.npy")) ==
          std::vector<int32_t>{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9});
  }
}

TEST_CASE("CLI: bad input gives one error line, status 2 and no output", "[cli]") {
  Workdir w;
  const auto a = w.npy<uint8_t>("a.npy", {2, 4}, std::vector<uint8_t>(8, 1));
  const auto b = w.npy<uint8_t>("b.npy", {4, 3}, std::vector<uint8_t>(12, 1));
  const auto x = w.npy<uint8_t>("x.npy", {1, 2, 5, 5}, std::vector<uint8_t>(50, 1));
  const auto k = w.npy<int8_t>("k.npy", {4, 2, 3, 3}, std::vector<int8_t>(72, 1));
  const std::string g = " --backend golden -o " + w.path("out.npy");
  std::vector<uint8_t> good =
      qilin::npy::serialize(Array::from<uint8_t>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}));

  SECTION("truncated .npy") {
    const auto t = w.raw("t.npy", std::string(good.begin(), good.end() - 3));
    require_clean_failure(w, w.qilin("gemm --a " + t + " --b " + b + g), "out.npy", "t.npy");
  }
  SECTION("malformed .npy (bad magic)") {
    const auto t = w.raw("m.npy", "this is not numpy");
    require_clean_failure(w, w.qilin("gemm --a " + t + " --b " + b + g), "out.npy", "m.npy");
  }
  SECTION("missing file") {
    require_clean_failure(w, w.qilin("gemm --a " + w.path("nope.npy") + " --b " + b + g), "out.npy",
                          "nope.npy");
  }
  SECTION("wrong dtype") {
    const auto f = w.npy<float>("f.npy", {2, 4}, std::vector<float>(8, 1.0f));
    require_clean_failure(w, w.qilin("gemm --a " + f + " --b " + b + g), "out.npy", "dtype");
  }
  SECTION("GEMM shape mismatch") {
    require_clean_failure(w, w.qilin("gemm --a " + a + " --b " + a + g), "out.npy",
                          "shape mismatch");
  }
  SECTION("conv shape mismatch with group") {
    require_clean_failure(w, w.qilin("conv2d --x " + x + " --w " + k + " --group 2" + g), "out.npy",
                          "shape mismatch");
  }
  SECTION("bad pads") {
    require_clean_failure(w, w.qilin("conv2d --x " + x + " --w " + k + " --pads 1,1" + g),
                          "out.npy", "--pads");
  }
  SECTION("pads beyond what the LOAD can pad") {
    require_clean_failure(w, w.qilin("conv2d --x " + x + " --w " + k + " --pads 8,0,0,0" + g),
                          "out.npy", "not supported");
  }
  SECTION("zero point outside its type") {
    require_clean_failure(w, w.qilin("gemm --a " + a + " --b " + b + " --a-zp 300" + g), "out.npy",
                          "--a-zp");
  }
  SECTION("incomplete QLinear scales") {
    require_clean_failure(w, w.qilin("gemm --a " + a + " --b " + b + " --a-scale 0.1" + g),
                          "out.npy", "scales");
  }
  SECTION("bias on ConvInteger") {
    const auto bias = w.npy<int32_t>("bias.npy", {4}, {1, 2, 3, 4});
    require_clean_failure(w, w.qilin("conv2d --x " + x + " --w " + k + " --bias " + bias + g),
                          "out.npy", "bias");
  }
}

TEST_CASE("CLI: an existing output file survives a failed run", "[cli]") {
  Workdir w;
  const auto a = w.npy<uint8_t>("a.npy", {2, 4}, std::vector<uint8_t>(8, 1));
  const auto old = w.npy<int32_t>("out.npy", {1}, {42});
  const Run r = w.qilin("gemm --a " + a + " --b " + a + " --backend golden -o " + old);
  CHECK(r.status == 2);
  CHECK(load_values(old) == std::vector<int32_t>{42});
}
