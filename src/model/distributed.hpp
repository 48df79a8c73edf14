#pragma once
/// Data-parallel training over LibTorch's c10d layer: every process (rank) holds the whole
/// model, trains on its part of each global batch and, after backward, all-reduces the
/// gradients so that every rank takes the same optimizer step. Rendezvous goes through a TCP
/// store served by rank 0 at master_host:master_port. Backends: Gloo for CPU tensors, NCCL for
/// CUDA tensors where LibTorch was built with it (otherwise CUDA gradients travel through Gloo
/// via the CPU). See docs/distributed.md.
#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <string>

#include "model/gradient_sync.hpp"

namespace mh::model {

struct DistributedOptions {
  int world_size = 1;
  int rank = 0;
  std::string master_host = "127.0.0.1";
  int master_port = 29500;
  /// Network interface for the Gloo transport (e.g. "eth0"); empty: GLOO_SOCKET_IFNAME if set,
  /// loopback for a loopback master, else the address this machine's hostname resolves to.
  std::string network_interface;
  std::chrono::seconds timeout{300};  ///< rendezvous and every collective

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
};

/// "HOST:PORT" (HOST may be a name, an IPv4 address or a bracketed IPv6 address) into
/// options.master_host / master_port. Throws SettingsError.
void parse_master_address(const std::string& address, DistributedOptions& options);

/// True when c10d's Gloo backend was compiled in (the Gloo headers were found at build time).
bool distributed_available();
/// True when this build can all-reduce CUDA tensors with NCCL.
bool nccl_available();

class DataParallel final : public GradientSync {
 public:
  /// Joins the group: blocks until all world_size ranks have reached the store (or the timeout).
  /// `device` is where the model's parameters live. Throws SettingsError (bad options, or a build
  /// without distributed support), IoError (rendezvous failed or timed out).
  DataParallel(const DistributedOptions& options, torch::Device device);
  ~DataParallel() override;
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const override { return options_.rank; }
  int world_size() const override { return options_.world_size; }
  bool is_main() const { return options_.rank == 0; }

  /// Copies rank 0's parameters and buffers into every rank's `module` (same names and shapes on
  /// every rank); the trainers call it when training starts. Throws IoError.
  void broadcast_parameters(torch::nn::Module& module) override;
  /// Sum over ranks of grad · local_items, divided by global_items: for losses that are means over
  /// items this is the gradient of the mean over the whole global batch. Undefined gradients count
  /// as zeros. Throws IoError.
  void after_backward(torch::nn::Module& module, int64_t local_items, int64_t global_items) override;
  /// Sums `values` (any shape, on any device) over ranks in place. Throws IoError.
  void all_reduce_sum(torch::Tensor& values);
  /// Waits until every rank got here. Throws IoError.
  void barrier();
  /// Rank 0's `bytes` on every rank (the others' argument is ignored), through the rendezvous
  /// store: for files that rank 0 wrote and the others need. Throws IoError.
  std::string share(const std::string& bytes);

 private:
  struct Impl;
  DistributedOptions options_;
  std::unique_ptr<Impl> impl_;
  int64_t shared_ = 0;  // share() calls so far: every call has its own key
};

}  // namespace mh::model
