// .npy reader and writer: a hand-written parser for the header's dict literal, strict size
// checks, and an atomic write (temporary file in the same directory, then rename).
#include "qilin/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>

namespace qilin::npy {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;
constexpr int64_t kMaxDim = int64_t{1} << 62;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw Error(name + ": " + what);
}

std::string shape_repr(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

// Product of the dimensions, or nullopt if it overflows or a dimension is negative.
std::optional<int64_t> checked_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / 8 / d) return std::nullopt;
    n *= d;
  }
  return n;
}

// The dict literal of the header: {'descr': <str>, 'fortran_order': <bool>, 'shape': <tuple>}
// with the keys in any order, optional trailing comma, any whitespace between tokens.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  void parse() {
    skip_ws();
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = parse_string();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (descr_) bad("duplicate key 'descr'");
        descr_ = parse_string();
      } else if (key == "fortran_order") {
        if (fortran_) bad("duplicate key 'fortran_order'");
        fortran_ = parse_bool();
      } else if (key == "shape") {
        if (shape_) bad("duplicate key 'shape'");
        shape_ = parse_tuple();
      } else {
        bad("unexpected key '" + key + "'");
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') bad("expected ',' or '}'");
    }
    ++pos_;  // '}'
    skip_ws();
    if (pos_ != s_.size()) bad("unexpected text after the dict");
    if (!descr_) bad("no 'descr' key");
    if (!fortran_) bad("no 'fortran_order' key");
    if (!shape_) bad("no 'shape' key");
  }

  const std::string& descr() const { return *descr_; }
  bool fortran_order() const { return *fortran_; }
  const std::vector<int64_t>& shape() const { return *shape_; }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(name_, "malformed header: " + what + " at offset " + std::to_string(pos_) + " in \"" +
                    printable() + "\"");
  }

  std::string printable() const {
    std::string out;
    for (char c : s_) {
      if (c == '\n') {
        out += "\\n";
      } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        out += '?';
      } else {
        out += c;
      }
    }
    // Trailing padding is noise in a one-line message.
    while (!out.empty() && (out.back() == ' ')) out.pop_back();
    return out;
  }

  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  void expect(char c) {
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++pos_;
  }

  std::string parse_string() {
    const char q = peek();
    if (q != '\'' && q != '"') bad("expected a quoted string");
    const std::size_t start = ++pos_;
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\' || s_[pos_] == '\n') bad("unsupported character in a string");
      ++pos_;
    }
    if (pos_ >= s_.size()) bad("unterminated string");
    return s_.substr(start, pos_++ - start);
  }

  bool parse_bool() {
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    bad("expected True or False");
  }

  int64_t parse_int() {
    if (peek() < '0' || peek() > '9') bad("expected a non-negative integer");
    int64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      v = v * 10 + (peek() - '0');
      if (v >= kMaxDim) bad("dimension too large");
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2 long suffix, as old numpy wrote it
    return v;
  }

  std::vector<int64_t> parse_tuple() {
    expect('(');
    std::vector<int64_t> dims;
    skip_ws();
    if (peek() == ')') {
      ++pos_;
      return dims;
    }
    for (;;) {
      dims.push_back(parse_int());
      skip_ws();
      if (peek() == ')') {
        // "(3)" is the integer 3 in Python, not a tuple.
        if (dims.size() == 1) bad("shape needs a tuple: one dimension is written (n,)");
        ++pos_;
        return dims;
      }
      expect(',');
      skip_ws();
      if (peek() == ')') {
        ++pos_;
        return dims;
      }
    }
  }

  const std::string& s_;
  const std::string& name_;
  std::size_t pos_ = 0;
  std::optional<std::string> descr_;
  std::optional<bool> fortran_;
  std::optional<std::vector<int64_t>> shape_;
};

DType dtype_from_descr(const std::string& d, const std::string& name) {
  const std::string unsupported = "unsupported dtype '" + d + "' (supported: |i1 |u1 <i4 <f4)";
  if (d.empty()) fail(name, unsupported);
  // One-byte types have no byte order: numpy writes '|', but '<', '>', '=' or none mean the same.
  const char order = d[0];
  const bool has_order = order == '|' || order == '<' || order == '>' || order == '=';
  const std::string code = has_order ? d.substr(1) : d;
  if (code == "i1" || code == "b") return DType::kInt8;
  if (code == "u1" || code == "B") return DType::kUInt8;
  if (code == "i4" || code == "f4") {
    if (order == '>') fail(name, "big-endian dtype '" + d + "' not supported");
    if (order != '<') fail(name, unsupported);
    return code == "i4" ? DType::kInt32 : DType::kFloat32;
  }
  fail(name, unsupported);
}

uint32_t read_le(const std::vector<uint8_t>& b, std::size_t at, std::size_t n) {
  uint32_t v = 0;
  for (std::size_t i = n; i-- > 0;) v = (v << 8) | b[at + i];
  return v;
}

// Removes the temporary unless released: every failure path after mkstemp leaves no file.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path_;
  int fd_ = -1;
  bool released_ = false;
};

}  // namespace

const char* descr(DType t) {
  switch (t) {
    case DType::kInt8:
      return "|i1";
    case DType::kUInt8:
      return "|u1";
    case DType::kInt32:
      return "<i4";
    case DType::kFloat32:
    default:
      return "<f4";
  }
}

std::size_t item_size(DType t) { return t == DType::kInt8 || t == DType::kUInt8 ? 1 : 4; }

int64_t Array::element_count() const {
  const auto n = checked_count(shape);
  if (!n) throw Error("npy array: invalid shape " + shape_repr(shape));
  return *n;
}

void Array::check_count(std::size_t n) const {
  if (static_cast<uint64_t>(element_count()) != n) {
    throw Error("npy array: shape " + shape_repr(shape) + " holds " +
                std::to_string(element_count()) + " elements, data has " + std::to_string(n));
  }
}

void Array::check_access(DType wanted) const {
  if (dtype != wanted) {
    throw Error(std::string("npy array: dtype is ") + descr(dtype) + ", asked for " +
                descr(wanted));
  }
  if (bytes.size() != static_cast<uint64_t>(element_count()) * item_size(dtype)) {
    throw Error("npy array: " + std::to_string(bytes.size()) + " bytes do not match shape " +
                shape_repr(shape));
  }
}

std::vector<int32_t> Array::to_int32() const {
  switch (dtype) {
    case DType::kInt8: {
      const auto v = values<int8_t>();
      return {v.begin(), v.end()};
    }
    case DType::kUInt8: {
      const auto v = values<uint8_t>();
      return {v.begin(), v.end()};
    }
    case DType::kInt32:
      return values<int32_t>();
    case DType::kFloat32:
    default:
      throw Error("npy array: to_int32 on a float32 array");
  }
}

Array Array::from_int32(DType dtype, std::vector<int64_t> shape, const std::vector<int32_t>& data) {
  int32_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  if (dtype == DType::kInt8) {
    lo = -128;
    hi = 127;
  } else if (dtype == DType::kUInt8) {
    lo = 0;
    hi = 255;
  } else if (dtype != DType::kInt32) {
    throw Error("npy array: from_int32 needs an integer dtype");
  }
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] < lo || data[i] > hi) {
      throw Error("npy array: value " + std::to_string(data[i]) + " at index " + std::to_string(i) +
                  " does not fit " + descr(dtype));
    }
  }
  switch (dtype) {
    case DType::kInt8:
      return from<int8_t>(std::move(shape), std::vector<int8_t>(data.begin(), data.end()));
    case DType::kUInt8:
      return from<uint8_t>(std::move(shape), std::vector<uint8_t>(data.begin(), data.end()));
    default:
      return from<int32_t>(std::move(shape), data);
  }
}

Array parse(const std::vector<uint8_t>& file, const std::string& name) {
  if (file.size() < kMagicLen || std::memcmp(file.data(), kMagic, kMagicLen) != 0) {
    fail(name, "bad magic (not a .npy file)");
  }
  if (file.size() < kMagicLen + 2) fail(name, "truncated header (no version)");
  const int major = file[6], minor = file[7];
  std::size_t len_bytes = 0;
  if (major == 1 && minor == 0) {
    len_bytes = 2;
  } else if (major == 2 && minor == 0) {
    len_bytes = 4;
  } else {
    fail(name, "unsupported format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " (supported: 1.0, 2.0)");
  }
  const std::size_t start = kMagicLen + 2 + len_bytes;
  if (file.size() < start) fail(name, "truncated header (no header length)");
  const std::size_t header_len = read_le(file, kMagicLen + 2, len_bytes);
  if (file.size() - start < header_len) {
    fail(name, "truncated header: " + std::to_string(header_len) + " bytes declared, " +
                   std::to_string(file.size() - start) + " present");
  }
  const std::string text(file.begin() + static_cast<std::ptrdiff_t>(start),
                         file.begin() + static_cast<std::ptrdiff_t>(start + header_len));
  HeaderParser hp(text, name);
  hp.parse();
  Array a;
  a.dtype = dtype_from_descr(hp.descr(), name);
  if (hp.fortran_order()) fail(name, "fortran_order True not supported (C order only)");
  a.shape = hp.shape();
  const auto count = checked_count(a.shape);
  if (!count) fail(name, "shape " + shape_repr(a.shape) + " is too large");
  const uint64_t want = static_cast<uint64_t>(*count) * item_size(a.dtype);
  const uint64_t have = file.size() - start - header_len;
  if (have < want) {
    fail(name, "truncated data: shape " + shape_repr(a.shape) + " of " + hp.descr() + " needs " +
                   std::to_string(want) + " bytes, " + std::to_string(have) + " present");
  }
  if (have > want) {
    fail(name, std::to_string(have - want) + " trailing bytes after the data (shape " +
                   shape_repr(a.shape) + " of " + hp.descr() + " needs " + std::to_string(want) +
                   ")");
  }
  a.bytes.assign(file.begin() + static_cast<std::ptrdiff_t>(start + header_len), file.end());
  return a;
}

std::vector<uint8_t> serialize(const Array& a) {
  const auto count = checked_count(a.shape);
  if (!count) throw Error("npy serialize: invalid shape " + shape_repr(a.shape));
  if (a.bytes.size() != static_cast<uint64_t>(*count) * item_size(a.dtype)) {
    throw Error("npy serialize: " + std::to_string(a.bytes.size()) + " bytes do not match shape " +
                shape_repr(a.shape) + " of " + descr(a.dtype));
  }
  std::string dict = std::string("{'descr': '") + descr(a.dtype) +
                     "', 'fortran_order': False, 'shape': " + shape_repr(a.shape) + ", }";
  // Like numpy >= 1.24: room for the first dimension to grow to 21 digits in place.
  if (!a.shape.empty()) dict.append(21 - std::to_string(a.shape[0]).size(), ' ');
  // Pad with spaces so that magic + version + length + header is a multiple of 64, the
  // header ending in '\n' (numpy's rule, which adds a full 64 when already aligned).
  auto padded = [&](std::size_t prefix) {
    const std::size_t pad = 64 - (prefix + dict.size() + 1) % 64;
    return dict + std::string(pad, ' ') + "\n";
  };
  std::string header = padded(kMagicLen + 2 + 2);
  int major = 1;
  if (header.size() > 0xffff) {
    header = padded(kMagicLen + 2 + 4);
    major = 2;
  }
  std::vector<uint8_t> out(kMagic, kMagic + kMagicLen);
  out.push_back(static_cast<uint8_t>(major));
  out.push_back(0);
  for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) {
    out.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), a.bytes.begin(), a.bytes.end());
  return out;
}

Array load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(path, "read error");
  return parse(file, path);
}

void save(const std::string& path, const Array& a) {
  std::vector<uint8_t> image;
  try {
    image = serialize(a);
  } catch (const Error& e) {
    fail(path, e.what());
  }
  TempFile tmp(path + ".tmp.XXXXXX");
  std::vector<char> templ(tmp.path_.begin(), tmp.path_.end());
  templ.push_back('\0');
  tmp.fd_ = ::mkstemp(templ.data());
  if (tmp.fd_ < 0) {
    tmp.released_ = true;  // nothing was created
    fail(path, std::string("cannot create a temporary file: ") + std::strerror(errno));
  }
  tmp.path_ = templ.data();
  std::size_t done = 0;
  while (done < image.size()) {
    const ssize_t n = ::write(tmp.fd_, image.data() + done, image.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(path, std::string("write failed: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(tmp.fd_, 0644) != 0 || ::fsync(tmp.fd_) != 0) {
    fail(path, std::string("cannot finish the temporary file: ") + std::strerror(errno));
  }
  const int fd = tmp.fd_;
  tmp.fd_ = -1;
  if (::close(fd) != 0) fail(path, std::string("close failed: ") + std::strerror(errno));
  if (::rename(tmp.path_.c_str(), path.c_str()) != 0) {
    fail(path, std::string("rename failed: ") + std::strerror(errno));
  }
  tmp.released_ = true;
}

}  // namespace qilin::npy
