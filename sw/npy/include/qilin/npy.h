// Reading and writing NumPy .npy files (format versions 1.0 and 2.0) for the four element types
// the NPU tools exchange: int8, uint8, int32 and float32, little-endian, C order.
// Contract: docs/npy.md.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace qilin::npy {

// Every failure: one line naming the file (or buffer) and the problem.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class DType { kInt8, kUInt8, kInt32, kFloat32 };

// The descr string numpy writes: "|i1", "|u1", "<i4", "<f4".
const char* descr(DType t);
// Bytes per element: 1 or 4.
std::size_t item_size(DType t);

template <typename T>
struct dtype_of;
template <>
struct dtype_of<int8_t> {
  static constexpr DType value = DType::kInt8;
};
template <>
struct dtype_of<uint8_t> {
  static constexpr DType value = DType::kUInt8;
};
template <>
struct dtype_of<int32_t> {
  static constexpr DType value = DType::kInt32;
};
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::kFloat32;
};

struct Array {
  DType dtype = DType::kUInt8;
  std::vector<int64_t> shape;  // {} is a 0-d array holding one element
  std::vector<uint8_t> bytes;  // element_count() * item_size(dtype) bytes, little-endian, C order

  // Product of shape (1 for {}).
  int64_t element_count() const;

  // A copy of the elements as T; throws Error unless T matches dtype exactly, or the bytes
  // do not match the shape.
  template <typename T>
  std::vector<T> values() const {
    static_assert(std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t> ||
                      std::is_same_v<T, int32_t> || std::is_same_v<T, float>,
                  "npy element types: int8_t, uint8_t, int32_t, float");
    check_access(dtype_of<T>::value);
    std::vector<T> out(bytes.size() / sizeof(T));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = load_le<T>(&bytes[i * sizeof(T)]);
    return out;
  }

  // The elements of an int8, uint8 or int32 array widened to int32 (float32: throws Error).
  std::vector<int32_t> to_int32() const;

  // An array of dtype dtype_of<T> holding data in shape; throws Error if the sizes differ.
  template <typename T>
  static Array from(std::vector<int64_t> shape, const std::vector<T>& data) {
    Array a;
    a.dtype = dtype_of<T>::value;
    a.shape = std::move(shape);
    a.check_count(data.size());
    a.bytes.resize(data.size() * sizeof(T));
    for (std::size_t i = 0; i < data.size(); ++i) store_le<T>(data[i], &a.bytes[i * sizeof(T)]);
    return a;
  }

  // An int8, uint8 or int32 array from int32 values; throws Error if a value does not fit.
  static Array from_int32(DType dtype, std::vector<int64_t> shape,
                          const std::vector<int32_t>& data);

 private:
  void check_access(DType wanted) const;
  void check_count(std::size_t n) const;

  template <typename T>
  static T load_le(const uint8_t* p) {
    uint32_t u = 0;
    for (std::size_t i = sizeof(T); i-- > 0;) u = (u << 8) | p[i];
    T v;
    if constexpr (sizeof(T) == 1) {
      const auto b = static_cast<uint8_t>(u);
      std::memcpy(&v, &b, 1);
    } else {
      std::memcpy(&v, &u, sizeof(T));
    }
    return v;
  }

  template <typename T>
  static void store_le(T v, uint8_t* p) {
    uint32_t u = 0;
    if constexpr (sizeof(T) == 1) {
      uint8_t b;
      std::memcpy(&b, &v, 1);
      u = b;
    } else {
      std::memcpy(&u, &v, sizeof(T));
    }
    for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<uint8_t>(u >> (8 * i));
  }
};

// Parses a whole .npy image; name is used in error messages only.
Array parse(const std::vector<uint8_t>& file, const std::string& name = "<buffer>");

// The .npy image of a: version 1.0 (2.0 if the header needs more than 65535 bytes), header
// padded with spaces to a multiple of 64 bytes, as numpy writes it. Throws Error if the
// array's bytes do not match its shape.
std::vector<uint8_t> serialize(const Array& a);

// Reads path. Throws Error naming the file: unreadable, bad magic, unsupported version,
// truncated or malformed header, unsupported dtype (including big-endian), fortran order,
// truncated data, or trailing bytes after the data.
Array load(const std::string& path);

// Writes path atomically: to a temporary "path.tmp.XXXXXX" in the same directory, flushed and
// synced, then renamed over path. On any failure the temporary is removed, path is untouched,
// and Error is thrown. The new file has mode 0644.
void save(const std::string& path, const Array& a);

}  // namespace qilin::npy
