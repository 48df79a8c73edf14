#include "core/npy.hpp"

#include <fmt/format.h>

#include <cstring>
#include <regex>

#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh {
namespace {

struct Dtype {
  const char* descr;
  torch::ScalarType type;
  std::size_t size;
};
constexpr Dtype kDtypes[] = {{"<f4", torch::kFloat32, 4}, {"<f8", torch::kFloat64, 8},
                             {"<i4", torch::kInt32, 4},   {"<i8", torch::kInt64, 8},
                             {"|u1", torch::kUInt8, 1},   {"|b1", torch::kBool, 1}};

std::string header_value(const std::string& header, const std::string& key, const std::string& name) {
  const std::regex re("'" + key + "'\\s*:\\s*(\\([^)]*\\)|'[^']*'|True|False)");
  std::smatch m;
  if (!std::regex_search(header, m, re)) throw InputError(fmt::format("{}: .npy header has no '{}'", name, key));
  return m[1].str();
}

}  // namespace

torch::Tensor parse_npy(std::string_view bytes, const std::string& name) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) {
    throw InputError(fmt::format("{}: not a .npy file (bad magic)", name));
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0;
  std::size_t offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw InputError(fmt::format("{}: truncated .npy header", name));
    for (int i = 0; i < 4; ++i) header_len |= std::size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    throw InputError(fmt::format("{}: unsupported .npy version {}", name, major));
  }
  if (header_len > bytes.size() - offset) throw InputError(fmt::format("{}: truncated .npy header", name));
  const std::string header(bytes.substr(offset, header_len));
  offset += header_len;

  std::string descr = header_value(header, "descr", name);
  descr = descr.substr(1, descr.size() - 2);
  const Dtype* dtype = nullptr;
  for (const auto& d : kDtypes) {
    if (descr == d.descr || (descr == "<u1" && std::string(d.descr) == "|u1")) dtype = &d;
  }
  if (!dtype) throw InputError(fmt::format("{}: unsupported .npy dtype '{}'", name, descr));
  const bool fortran_order = header_value(header, "fortran_order", name) == "True";
  const std::string shape_text = header_value(header, "shape", name);
  std::vector<int64_t> shape;
  std::uint64_t count = 1;
  const std::regex num("\\d+");
  for (auto it = std::sregex_iterator(shape_text.begin(), shape_text.end(), num); it != std::sregex_iterator(); ++it) {
    const std::string digits = it->str();
    if (digits.size() > 12) throw InputError(fmt::format("{}: .npy dimension too large", name));
    const auto dim = static_cast<std::uint64_t>(std::stoull(digits));
    shape.push_back(static_cast<int64_t>(dim));
    if (dim != 0 && count > (std::uint64_t(1) << 40) / dim) throw InputError(fmt::format("{}: .npy shape too large", name));
    count *= dim;
  }
  if (shape.size() > 8) throw InputError(fmt::format("{}: .npy has {} dimensions, at most 8 supported", name, shape.size()));
  const std::uint64_t need = count * dtype->size;
  if (bytes.size() - offset < need) {
    throw InputError(fmt::format("{}: truncated .npy data: {} bytes, expected {}", name, bytes.size() - offset, need));
  }
  if (!fortran_order) {
    auto out = torch::empty(shape, torch::TensorOptions().dtype(dtype->type));
    if (need) std::memcpy(out.data_ptr(), bytes.data() + offset, need);
    return out;
  }
  // Fortran order: the data is C order of the reversed shape.
  std::vector<int64_t> reversed(shape.rbegin(), shape.rend());
  auto raw = torch::empty(reversed, torch::TensorOptions().dtype(dtype->type));
  if (need) std::memcpy(raw.data_ptr(), bytes.data() + offset, need);
  std::vector<int64_t> perm(shape.size());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
  return raw.permute(perm).contiguous();
}

std::string serialize_npy(const torch::Tensor& tensor) {
  const auto t = tensor.to(torch::kCPU).contiguous();
  const Dtype* dtype = nullptr;
  for (const auto& d : kDtypes) {
    if (d.type == t.scalar_type()) dtype = &d;
  }
  if (!dtype) throw InputError(fmt::format("cannot write dtype {} as .npy", std::string(c10::toString(t.scalar_type()))));
  std::string shape = "(";
  for (int64_t i = 0; i < t.dim(); ++i) shape += fmt::format("{}{}", t.size(i), (t.dim() == 1 || i + 1 < t.dim()) ? "," : "");
  shape += ")";
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", dtype->descr, shape);
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(static_cast<const char*>(t.data_ptr()), t.numel() * dtype->size);
  return out;
}

torch::Tensor read_npy(const std::filesystem::path& path) { return parse_npy(read_file(path), path.string()); }

void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor) {
  write_file_atomic(path, serialize_npy(tensor));
}

}  // namespace mh
