#pragma once
/// NumPy .npy (format 1.0/2.0/3.0, little-endian, C order) ↔ torch::Tensor, for the arrays the CLI
/// reads and writes (snippet spectrograms, latent paths) and for the reference vectors in tests.
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace mh {

/// Parses .npy bytes (C or Fortran order; the result is C-contiguous). Accepts '<f4', '<f8', '<i4', '<i8', '|u1', '|b1'. Throws InputError
/// (prefixed with `name`) on anything malformed; never reads past `bytes`.
torch::Tensor parse_npy(std::string_view bytes, const std::string& name = "npy");

/// Serialises a contiguous CPU tensor of a supported dtype to .npy bytes (format 1.0).
std::string serialize_npy(const torch::Tensor& tensor);

torch::Tensor read_npy(const std::filesystem::path& path);
/// Atomic write (see write_file_atomic).
void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor);

}  // namespace mh
