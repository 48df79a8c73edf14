#include "model/checkpoint_framing.hpp"

#include <fmt/format.h>

#include <cstring>

#include "core/errors.hpp"
#include "core/shape.hpp"
#include "core/files.hpp"
#include "core/json_checks.hpp"

namespace mh::model {

namespace {

constexpr char kMagic[] = "MHCKPT";
constexpr size_t kMagicSize = 6;
constexpr size_t kMaxMetadata = 64u << 20;

template <typename T>
void put(std::string& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((static_cast<uint64_t>(value) >> (8 * i)) & 0xff));
}

// Bounds-checked little-endian reader: every read states what it wanted, so a short file
// fails with the field's name.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& name) : bytes_(bytes), name_(name) {}
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += sizeof(T);
    return static_cast<T>(v);
  }
  std::string_view take(uint64_t n, const char* what) {
    need(n, what);
    auto s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }

 private:
  void need(uint64_t n, const char* what) const {
    if (n > left()) {
      throw CheckpointError(fmt::format("{}: truncated ({} needs {} bytes, {} left)", name_, what, n, left()));
    }
  }
  std::string_view bytes_;
  const std::string& name_;
  size_t pos_ = 0;
};

uint64_t checksum(std::string_view head, std::string_view payload) {
  // FNV-1a is a running hash: hashing the concatenation equals continuing over the payload,
  // but the helper takes one buffer, so hash a combined copy only of the small head.
  std::string combined;
  combined.reserve(head.size() + payload.size());
  combined.append(head).append(payload);
  return fnv1a64(combined);
}

// Reads every tensor of `module` (recursively) into `out` without touching the module.
void collect_checked(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& prefix,
                     const std::string& name, std::vector<std::pair<torch::Tensor, torch::Tensor>>& out) {
  auto check_one = [&](const std::string& key, const torch::Tensor& target, bool is_buffer) {
    torch::Tensor read;
    if (!archive.try_read(key, read, is_buffer)) {
      throw CheckpointError(fmt::format("{}: parameter {}{} is missing", name, prefix, key));
    }
    if (read.sizes() != target.sizes() || read.scalar_type() != target.scalar_type()) {
      throw CheckpointError(fmt::format("{}: parameter {}{} has shape {} {}, the model needs {} {}", name, prefix, key,
                                        shape_string(read.sizes()), c10::toString(read.scalar_type()),
                                        shape_string(target.sizes()), c10::toString(target.scalar_type())));
    }
    out.emplace_back(target, read);
  };
  for (const auto& p : module.named_parameters(/*recurse=*/false)) check_one(p.key(), p.value(), false);
  for (const auto& b : module.named_buffers(/*recurse=*/false)) check_one(b.key(), b.value(), true);
  for (const auto& child : module.named_children()) {
    torch::serialize::InputArchive sub;
    if (!archive.try_read(child.key(), sub)) {
      throw CheckpointError(fmt::format("{}: module {}{} is missing", name, prefix, child.key()));
    }
    collect_checked(*child.value(), sub, prefix + child.key() + ".", name, out);
  }
}

}  // namespace

std::string archive_bytes(torch::serialize::OutputArchive& archive) {
  std::string out;
  archive.save_to([&out](const void* data, size_t n) {
    out.append(static_cast<const char*>(data), n);
    return n;
  });
  return out;
}

std::string pack_checkpoint(const CheckpointBlob& blob) {
  if (blob.kind.empty() || blob.kind.size() > 255) {
    throw CheckpointError(fmt::format("checkpoint kind '{}' must have 1 to 255 characters", blob.kind));
  }
  const std::string meta = blob.metadata.dump();
  std::string out(kMagic, kMagicSize);
  put<uint16_t>(out, kCheckpointVersion);
  put<uint8_t>(out, static_cast<uint8_t>(blob.kind.size()));
  out += blob.kind;
  put<uint32_t>(out, static_cast<uint32_t>(meta.size()));
  out += meta;
  put<uint64_t>(out, blob.payload.size());
  put<uint64_t>(out, checksum(out, blob.payload));
  out += blob.payload;
  return out;
}

CheckpointBlob unpack_checkpoint(std::string_view bytes, const std::string& expected_kind, const std::string& name) {
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
    throw CheckpointError(fmt::format("{}: not a Meta Human checkpoint (no MHCKPT header)", name));
  }
  Reader r(bytes, name);
  r.take(kMagicSize, "magic");
  const auto version = r.get<uint16_t>("format version");
  if (version != kCheckpointVersion) {
    throw CheckpointError(fmt::format("{}: checkpoint format version {} is not supported (this build reads {})", name,
                                      version, kCheckpointVersion));
  }
  const auto kind_size = r.get<uint8_t>("kind length");
  CheckpointBlob blob;
  blob.kind = std::string(r.take(kind_size, "kind"));
  const auto meta_size = r.get<uint32_t>("metadata length");
  if (meta_size > kMaxMetadata) {
    throw CheckpointError(fmt::format("{}: corrupted header (metadata length {})", name, meta_size));
  }
  const auto meta = r.take(meta_size, "metadata");
  const auto payload_size = r.get<uint64_t>("payload length");
  const auto head = bytes.substr(0, r.pos());
  const auto stored_sum = r.get<uint64_t>("checksum");
  const auto payload = r.take(payload_size, "payload");
  if (r.left() != 0) {
    throw CheckpointError(fmt::format("{}: {} unexpected bytes after the payload", name, r.left()));
  }
  if (checksum(head, payload) != stored_sum) {
    throw CheckpointError(fmt::format("{}: checksum mismatch, the file is corrupted", name));
  }
  if (blob.kind != expected_kind) {
    throw CheckpointError(fmt::format("{}: is a '{}' checkpoint, expected '{}'", name, blob.kind, expected_kind));
  }
  try {
    blob.metadata = nlohmann::json::parse(meta);
    // Losses are doubles that may spike far beyond any integer field's range.
    check_json_numbers(blob.metadata, {"history", "sum_total", "sum_reconstruction", "sum_kl", "sum_stop", "seconds", "max_kl"});
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("{}: metadata is not valid JSON ({})", name, e.what()));
  }
  blob.payload = std::string(payload);
  return blob;
}

void load_module_checked(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& name) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> pairs;
  try {
    collect_checked(module, archive, "", name, pairs);
  } catch (const c10::Error& e) {
    throw CheckpointError(fmt::format("{}: unreadable model archive ({})", name, e.what_without_backtrace()));
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, value] : pairs) target.copy_(value);
}

std::shared_ptr<torch::optim::Adam> make_keras_adam(const std::vector<torch::Tensor>& parameters,
                                                    double learning_rate) {
  return std::make_shared<torch::optim::Adam>(parameters,
                                              torch::optim::AdamOptions(learning_rate).betas({0.9, 0.999}).eps(1e-7));
}

std::string pack_training_checkpoint(const std::string& kind, nlohmann::json metadata, const torch::nn::Module& model,
                                     const torch::optim::Optimizer* optimizer, const TrainingPosition& generators) {
  torch::serialize::OutputArchive root, model_archive, optimizer_archive;
  model.save(model_archive);
  root.write("model", model_archive);
  if (optimizer != nullptr) {
    optimizer->save(optimizer_archive);
    root.write("optimizer", optimizer_archive);
  }
  const std::pair<const char*, const torch::Tensor*> rngs[] = {{"rng_shuffle", &generators.shuffle_rng},
                                                               {"rng_sample", &generators.sample_rng},
                                                               {"rng_epoch_shuffle", &generators.epoch_shuffle_rng}};
  for (const auto& [key, t] : rngs) {
    if (t->defined()) root.write(key, *t, /*is_buffer=*/true);
  }
  metadata["has_optimizer"] = optimizer != nullptr;
  return pack_checkpoint({kind, std::move(metadata), archive_bytes(root)});
}

void read_checkpoint_metadata(const std::string& name, const std::function<void()>& read) {
  try {
    read();
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("{}: incomplete metadata ({})", name, e.what()));
  } catch (const SettingsError& e) {
    throw CheckpointError(fmt::format("{}: invalid metadata ({})", name, e.what()));
  } catch (const CheckpointError& e) {
    throw CheckpointError(fmt::format("{}: {}", name, e.what()));
  }
}

void require_optimizer_state(bool had_optimizer_state, const std::string& name) {
  if (!had_optimizer_state) {
    throw CheckpointError(fmt::format("{}: holds no optimizer state, training cannot resume from it", name));
  }
}

void load_training_payload(const std::string& payload, torch::Device device, const std::string& name,
                           torch::nn::Module& model, torch::optim::Optimizer* saved_optimizer,
                           TrainingPosition& generators) {
  try {
    torch::serialize::InputArchive root, model_archive;
    root.load_from(payload.data(), payload.size(), device);
    if (!root.try_read("model", model_archive)) throw CheckpointError(fmt::format("{}: no model in the archive", name));
    load_module_checked(model, model_archive, name);
    if (saved_optimizer != nullptr) {
      torch::serialize::InputArchive optimizer_archive;
      if (!root.try_read("optimizer", optimizer_archive)) {
        throw CheckpointError(fmt::format("{}: optimizer state is missing", name));
      }
      saved_optimizer->load(optimizer_archive);
    }
    // Generator states always live on the CPU, whatever the model's device.
    const std::pair<const char*, torch::Tensor*> rngs[] = {{"rng_shuffle", &generators.shuffle_rng},
                                                           {"rng_sample", &generators.sample_rng},
                                                           {"rng_epoch_shuffle", &generators.epoch_shuffle_rng}};
    for (const auto& [key, t] : rngs) {
      if (root.try_read(key, *t, /*is_buffer=*/true)) *t = t->to(torch::kCPU);
    }
  } catch (const c10::Error& e) {
    throw CheckpointError(fmt::format("{}: unreadable archive ({})", name, e.what_without_backtrace()));
  } catch (const mh::Error&) {
    throw;
  } catch (const std::exception& e) {
    // LibTorch's archive importer also throws its own classes (torch::jit::ErrorReport), with
    // several lines of context: the first says what is wrong.
    const std::string what = e.what();
    throw CheckpointError(fmt::format("{}: unreadable archive ({})", name, what.substr(0, what.find('\n'))));
  }
}

}  // namespace mh::model
