// Tests for qilin::npy: files written by real numpy (committed fixtures), round trips, every
// header and data error on hand-made byte buffers, and the atomic save.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "qilin/npy.h"

namespace fs = std::filesystem;
using qilin::npy::Array;
using qilin::npy::DType;
using qilin::npy::Error;

namespace {

const std::string kData = QILIN_NPY_TEST_DATA;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A .npy image: magic, version major.0, little-endian header length, header text, data.
std::vector<uint8_t> npy_bytes(const std::string& header, const std::vector<uint8_t>& data,
                               int major = 1) {
  std::vector<uint8_t> b{0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  const std::size_t n = header.size();
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) b.push_back(static_cast<uint8_t>(n >> (8 * i)));
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

// The message of the Error that parse throws (fails the test if none is thrown).
std::string parse_error(const std::vector<uint8_t>& file) {
  try {
    qilin::npy::parse(file, "case.npy");
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("no Error thrown");
  return "";
}

void check_parse_fails(const std::vector<uint8_t>& file, const std::string& needle) {
  const std::string msg = parse_error(file);
  INFO(msg);
  CHECK(msg.rfind("case.npy: ", 0) == 0);
  CHECK(msg.find(needle) != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
}

// A fresh, empty directory under the system temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "qilin_npy_test.XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(path)) v.push_back(e.path().filename().string());
    return v;
  }
};

const std::string kU8Header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n";

}  // namespace

TEST_CASE("npy: reads files written by numpy", "[npy]") {
  Array a = qilin::npy::load(kData + "/u8_2x3.npy");
  CHECK(a.dtype == DType::kUInt8);
  CHECK(a.shape == std::vector<int64_t>{2, 3});
  CHECK(a.values<uint8_t>() == std::vector<uint8_t>{0, 1, 2, 3, 4, 5});

  a = qilin::npy::load(kData + "/i8_4.npy");
  CHECK(a.dtype == DType::kInt8);
  CHECK(a.values<int8_t>() == std::vector<int8_t>{-128, -1, 0, 127});
  CHECK(a.to_int32() == std::vector<int32_t>{-128, -1, 0, 127});

  a = qilin::npy::load(kData + "/i32_2x2.npy");
  CHECK(a.shape == std::vector<int64_t>{2, 2});
  CHECK(a.values<int32_t>() == std::vector<int32_t>{INT32_MIN, -1, 0, INT32_MAX});

  a = qilin::npy::load(kData + "/f32_3.npy");
  const auto f = a.values<float>();
  REQUIRE(f.size() == 3);
  CHECK(f[0] == 1.5f);
  CHECK((f[1] == 0.0f && std::signbit(f[1])));
  CHECK(f[2] == 3.25f);

  a = qilin::npy::load(kData + "/f32_scalar.npy");
  CHECK(a.shape.empty());
  CHECK(a.element_count() == 1);
  CHECK(a.values<float>() == std::vector<float>{7.0f});

  a = qilin::npy::load(kData + "/u8_empty_0x3.npy");
  CHECK(a.shape == std::vector<int64_t>{0, 3});
  CHECK(a.bytes.empty());

  a = qilin::npy::load(kData + "/i32_v2_3.npy");  // format version 2.0
  CHECK(a.values<int32_t>() == std::vector<int32_t>{1, -2, 3});
}

TEST_CASE("npy: serialize is byte-identical to numpy 1.24", "[npy]") {
  for (const char* name : {"u8_2x3.npy", "i8_4.npy", "i32_2x2.npy", "f32_3.npy", "f32_scalar.npy",
                           "u8_empty_0x3.npy"}) {
    INFO(name);
    const auto file = read_file(kData + "/" + name);
    CHECK(qilin::npy::serialize(qilin::npy::parse(file, name)) == file);
  }
}

TEST_CASE("npy: rejects numpy files with unsupported dtype, byte order or layout", "[npy]") {
  const auto message = [](const std::string& name) {
    try {
      qilin::npy::load(kData + "/" + name);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string m = message("bad_f8.npy");
  CHECK(m.find("bad_f8.npy: unsupported dtype '<f8'") != std::string::npos);
  m = message("bad_big_i4.npy");
  CHECK(m.find("bad_big_i4.npy: big-endian dtype '>i4'") != std::string::npos);
  m = message("bad_fortran.npy");
  CHECK(m.find("bad_fortran.npy: fortran_order True") != std::string::npos);
  m = message("does_not_exist.npy");
  CHECK(m.find("does_not_exist.npy: cannot open") != std::string::npos);
}

TEST_CASE("npy: header parser accepts every legal spelling", "[npy]") {
  const std::vector<uint8_t> three{7, 8, 9};
  const std::vector<std::string> headers{
      kU8Header,
      "{'shape': (3,), 'fortran_order': False, 'descr': '|u1'}",
      "  {  'fortran_order' :False ,'shape':( 3 , ),'descr':'|u1' , }   \n",
      "{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (3,)}\n",
      "{'descr': '<u1', 'fortran_order': False, 'shape': (3L,), }\n",
      "{'descr': 'u1',\t'fortran_order': False, 'shape': (1, 3), }",
      "{'descr': '|u1', 'fortran_order': False, 'shape': (1,3,1), }" + std::string(40, ' ') + "\n",
  };
  for (const auto& h : headers) {
    INFO(h);
    const Array a = qilin::npy::parse(npy_bytes(h, three));
    CHECK(a.dtype == DType::kUInt8);
    CHECK(a.element_count() == 3);
    CHECK(a.values<uint8_t>() == three);
  }
  const Array scalar = qilin::npy::parse(
      npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': ()}", {1, 0, 0, 0}));
  CHECK(scalar.shape.empty());
  CHECK(scalar.values<int32_t>() == std::vector<int32_t>{1});
  const Array v2 = qilin::npy::parse(npy_bytes(kU8Header, three, 2));
  CHECK(v2.values<uint8_t>() == three);
}

TEST_CASE("npy: every malformed file gives a one-line Error naming the file", "[npy]") {
  const std::vector<uint8_t> three{7, 8, 9};
  const auto u8 = [&](const std::string& h) { return npy_bytes(h, three); };

  // Preamble.
  check_parse_fails({}, "bad magic");
  check_parse_fails({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0}, "bad magic");
  check_parse_fails({0x93, 'N', 'U', 'M', 'P', 'Y'}, "truncated header");
  check_parse_fails({0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0x10}, "truncated header");
  auto v3 = npy_bytes(kU8Header, three);
  v3[6] = 3;
  check_parse_fails(v3, "unsupported format version 3.0");
  auto v11 = npy_bytes(kU8Header, three);
  v11[7] = 1;
  check_parse_fails(v11, "unsupported format version 1.1");
  auto long_len = npy_bytes(kU8Header, {});
  long_len[8] = 0xff;
  check_parse_fails(long_len, "truncated header: 255 bytes declared");

  // Header dict.
  check_parse_fails(u8("'descr': '|u1', 'fortran_order': False, 'shape': (3,)}"), "expected '{'");
  check_parse_fails(u8("{'descr': '|u1', 'shape': (3,), }"), "no 'fortran_order' key");
  check_parse_fails(u8("{'fortran_order': False, 'shape': (3,), }"), "no 'descr' key");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': False}"), "no 'shape' key");
  check_parse_fails(u8("{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (3,)}"),
                    "duplicate key 'descr'");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), 'x': 1}"),
                    "unexpected key 'x'");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': False, 'shape': (3)}"),
                    "shape needs a tuple");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': False, 'shape': (-3,)}"),
                    "expected a non-negative integer");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': False, 'shape': [3]}"), "expected '('");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': false, 'shape': (3,)}"),
                    "expected True or False");
  check_parse_fails(u8("{'descr': '|u1, 'fortran_order': False, 'shape': (3,)}"),
                    "malformed header");
  check_parse_fails(u8("{'descr': '|u1' 'fortran_order': False, 'shape': (3,)}"),
                    "expected ',' or '}'");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': False, 'shape': (3,)} x\n"),
                    "unexpected text after the dict");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': False, 'shape': (3,"),
                    "malformed header");
  check_parse_fails(
      u8("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999,)}"),
      "dimension too large");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': False, "
                       "'shape': (4000000000, 4000000000, 4000000000)}"),
                    "too large");

  // dtype and layout.
  check_parse_fails(u8("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}"),
                    "unsupported dtype '<f8'");
  check_parse_fails(u8("{'descr': '<i2', 'fortran_order': False, 'shape': (3,)}"),
                    "unsupported dtype '<i2'");
  check_parse_fails(u8("{'descr': '|f4', 'fortran_order': False, 'shape': (3,)}"),
                    "unsupported dtype '|f4'");
  check_parse_fails(u8("{'descr': '>i4', 'fortran_order': False, 'shape': (3,)}"),
                    "big-endian dtype '>i4' not supported");
  check_parse_fails(u8("{'descr': '>f4', 'fortran_order': False, 'shape': (3,)}"),
                    "big-endian dtype '>f4' not supported");
  check_parse_fails(u8("{'descr': '|u1', 'fortran_order': True, 'shape': (3,)}"),
                    "fortran_order True not supported");

  // Data size.
  check_parse_fails(npy_bytes(kU8Header, {1, 2}),
                    "truncated data: shape (3,) of |u1 needs 3 bytes, 2 present");
  check_parse_fails(npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2)}",
                              std::vector<uint8_t>(15)),
                    "truncated data");
  check_parse_fails(npy_bytes(kU8Header, {1, 2, 3, 4}), "1 trailing bytes after the data");
}

TEST_CASE("npy: round trips through files for every dtype and shape", "[npy]") {
  TempDir dir;
  const std::string p = (dir.path / "x.npy").string();
  const std::vector<Array> arrays{
      Array::from<int8_t>({2, 2}, {-128, -1, 0, 127}),
      Array::from<uint8_t>({3}, {0, 128, 255}),
      Array::from<int32_t>({1, 2, 1}, {INT32_MIN, INT32_MAX}),
      Array::from<float>({}, {-2.75f}),
      Array::from<float>({0}, {}),
      Array::from_int32(DType::kInt8, {2}, {-5, 6}),
  };
  for (const Array& a : arrays) {
    qilin::npy::save(p, a);  // overwrites the previous one
    const Array b = qilin::npy::load(p);
    CHECK(b.dtype == a.dtype);
    CHECK(b.shape == a.shape);
    CHECK(b.bytes == a.bytes);
    CHECK(dir.entries() == std::vector<std::string>{"x.npy"});  // no temporary left behind
  }
  CHECK((fs::status(p).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
         fs::perms::others_read));
  // A header longer than 65535 bytes needs format version 2.0.
  const Array many_dims = Array::from<uint8_t>(std::vector<int64_t>(30000, 1), {42});
  const auto image = qilin::npy::serialize(many_dims);
  CHECK(image[6] == 2);
  CHECK((image.size() - 1) % 64 == 0);  // header padded to 64 bytes, then one data byte
  CHECK(qilin::npy::parse(image).shape == many_dims.shape);
}

TEST_CASE("npy: a failed save leaves no output and no temporary", "[npy]") {
  TempDir dir;
  // Into a directory that does not exist: nothing can be created.
  CHECK_THROWS_AS(
      qilin::npy::save((dir.path / "missing" / "x.npy").string(), Array::from<uint8_t>({1}, {1})),
      Error);
  // Onto an existing directory: the temporary is written, the rename fails, the temp goes.
  fs::create_directory(dir.path / "target.npy");
  try {
    qilin::npy::save((dir.path / "target.npy").string(), Array::from<uint8_t>({1}, {1}));
    FAIL("no Error thrown");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("target.npy: rename failed") != std::string::npos);
  }
  CHECK(dir.entries() == std::vector<std::string>{"target.npy"});
  CHECK(fs::is_directory(dir.path / "target.npy"));
  // An inconsistent array is refused before anything is written; an old file stays intact.
  const std::string p = (dir.path / "keep.npy").string();
  qilin::npy::save(p, Array::from<int32_t>({1}, {7}));
  Array broken = Array::from<int32_t>({2}, {1, 2});
  broken.bytes.pop_back();
  CHECK_THROWS_AS(qilin::npy::save(p, broken), Error);
  CHECK(qilin::npy::load(p).values<int32_t>() == std::vector<int32_t>{7});
  fs::remove_all(dir.path / "target.npy");
  CHECK(dir.entries() == std::vector<std::string>{"keep.npy"});
}

TEST_CASE("npy: typed accessors check the dtype and value ranges", "[npy]") {
  const Array a = Array::from<int32_t>({2}, {1, 2});
  CHECK_THROWS_AS(a.values<float>(), Error);
  CHECK_THROWS_AS(a.values<uint8_t>(), Error);
  CHECK_THROWS_AS(Array::from<int32_t>({3}, {1, 2}), Error);
  CHECK_THROWS_AS(Array::from_int32(DType::kUInt8, {1}, {256}), Error);
  CHECK_THROWS_AS(Array::from_int32(DType::kInt8, {1}, {-129}), Error);
  CHECK_THROWS_AS(Array::from_int32(DType::kFloat32, {1}, {0}), Error);
  CHECK_THROWS_AS(Array::from<float>({1}, {1.0f}).to_int32(), Error);
  CHECK(Array::from_int32(DType::kUInt8, {2}, {0, 255}).to_int32() == std::vector<int32_t>{0, 255});
  CHECK(Array::from<int32_t>({1}, {0x01020304}).bytes == std::vector<uint8_t>{4, 3, 2, 1});
  CHECK(std::string(qilin::npy::descr(DType::kFloat32)) == "<f4");
  CHECK(qilin::npy::item_size(DType::kInt8) == 1);
}
