#include "model/distributed.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <exception>
#include <vector>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
// LibTorch's package defines USE_C10D_GLOO / USE_C10D_NCCL for the backends it was built with;
// the Gloo backend's header also needs the Gloo headers themselves.
#if defined(USE_C10D_GLOO) && __has_include(<gloo/algorithm.h>)
#define MH_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(MH_HAVE_GLOO) && defined(USE_C10D_NCCL) && __has_include(<nccl.h>)
#define MH_HAVE_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::model {

namespace {

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" || host == "[::1]";
}

// c10d and Gloo report network trouble as c10::Error or std::runtime_error; the program's
// error classes give the user one line with the cause.
template <typename F>
auto network(const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const c10::Error& e) {
    throw IoError(fmt::format("distributed {}: {}", what, e.what_without_backtrace()));
  } catch (const mh::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw IoError(fmt::format("distributed {}: {}", what, e.what()));
  }
}

void wait(const c10::intrusive_ptr<c10d::Work>& work) { work->wait(); }

}  // namespace

void DistributedOptions::validate() const {
  check_range("world_size", world_size, 1, 65536);
  check_range("rank", rank, 0, world_size - 1);
  check_range("master_port", master_port, 1, 65535);
  if (master_host.empty()) throw SettingsError("master_host = '' is not allowed: give a host name or address");
  check_min("timeout_s", static_cast<int64_t>(timeout.count()), int64_t{1});
}

void parse_master_address(const std::string& address, DistributedOptions& options) {
  const auto colon = address.rfind(':');
  std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  const long value = port.empty() ? -1 : std::strtol(port.c_str(), &end, 10);
  if (host.empty() || port.empty() || *end != '\0' || value < 1 || value > 65535) {
    throw SettingsError(fmt::format("master = '{}' is not allowed: give HOST:PORT with a port in [1, 65535]", address));
  }
  options.master_host = host;
  options.master_port = static_cast<int>(value);
}

bool distributed_available() {
#ifdef MH_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

bool nccl_available() {
#ifdef MH_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

struct DataParallel::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> gloo;
  c10::intrusive_ptr<c10d::ProcessGroup> nccl;  // only for a CUDA model in a build with NCCL
  torch::Device device{torch::kCPU};

  // The group that takes tensors on `device`, and the device those tensors must be on.
  c10d::ProcessGroup& group_for(const torch::Device& d) { return d.is_cuda() && nccl ? *nccl : *gloo; }
  torch::Device comm_device(const torch::Device& d) const { return d.is_cuda() && nccl ? d : torch::Device(torch::kCPU); }
};

DataParallel::DataParallel(const DistributedOptions& options, torch::Device device)
    : options_(options), impl_(std::make_unique<Impl>()) {
  options_.validate();
  impl_->device = device;
#ifndef MH_HAVE_GLOO
  throw SettingsError(
      "world_size > 1 needs distributed support: rebuild with the Gloo headers installed (libgloo-dev)");
#else
  network("rendezvous", [&] {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(options_.master_port);
    store_options.isServer = options_.rank == 0;
    store_options.numWorkers = static_cast<std::size_t>(options_.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = options_.timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(options_.master_host, store_options);

    auto gloo_options = c10d::ProcessGroupGloo::Options::create(options_.timeout);
    std::string iface = options_.network_interface;
    if (iface.empty()) {
      if (const char* env = std::getenv("GLOO_SOCKET_IFNAME")) iface = env;
    }
    if (!iface.empty()) {
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
    } else if (is_loopback(options_.master_host)) {
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    gloo_options->threads = 2;
    impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(
        c10::make_intrusive<c10d::PrefixStore>("gloo", impl_->store), options_.rank, options_.world_size, gloo_options);
#ifdef MH_HAVE_NCCL
    if (device.is_cuda()) {
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = options_.timeout;
      impl_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(
          c10::make_intrusive<c10d::PrefixStore>("nccl", impl_->store), options_.rank, options_.world_size,
          nccl_options);
    }
#endif
  });
#endif
}

DataParallel::~DataParallel() = default;

void DataParallel::broadcast_parameters(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors;
  for (const auto& p : module.parameters()) tensors.push_back(p);
  for (const auto& b : module.buffers()) tensors.push_back(b);
  network("broadcast", [&] {
    for (auto& t : tensors) {
      const auto comm = impl_->comm_device(t.device());
      std::vector<torch::Tensor> buffer{t.to(comm).contiguous()};
      c10d::BroadcastOptions o;
      o.rootRank = 0;
      wait(impl_->group_for(t.device()).broadcast(buffer, o));
      t.copy_(buffer[0]);
    }
  });
}

void DataParallel::after_backward(torch::nn::Module& module, int64_t local_items, int64_t global_items) {
  if (global_items <= 0) throw ShapeError(fmt::format("after_backward: got {} items, expected at least 1", global_items));
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> params;
  for (auto& p : module.parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    params.push_back(p);
  }
  if (params.empty()) return;
  // One flat buffer per step: a single collective instead of one per parameter.
  std::vector<torch::Tensor> flat_grads;
  flat_grads.reserve(params.size());
  for (const auto& p : params) flat_grads.push_back(p.grad().reshape({-1}).to(torch::kFloat32));
  const auto device = params.front().device();
  auto flat = torch::cat(flat_grads).mul_(static_cast<double>(local_items)).to(impl_->comm_device(device));
  network("all-reduce", [&] {
    std::vector<torch::Tensor> buffer{flat};
    wait(impl_->group_for(device).allreduce(buffer));
    flat = buffer[0];
  });
  flat = flat.to(device).div_(static_cast<double>(global_items));
  int64_t offset = 0;
  for (auto& p : params) {
    const int64_t n = p.numel();
    p.mutable_grad().copy_(flat.narrow(0, offset, n).view(p.sizes()));
    offset += n;
  }
}

void DataParallel::all_reduce_sum(torch::Tensor& values) {
  network("all-reduce", [&] {
    std::vector<torch::Tensor> buffer{values.to(impl_->comm_device(values.device())).contiguous()};
    wait(impl_->group_for(values.device()).allreduce(buffer));
    values.copy_(buffer[0]);
  });
}

std::string DataParallel::share(const std::string& bytes) {
  const std::string key = fmt::format("metahuman/share/{}", shared_++);
  return network("share", [&] {
    if (is_main()) {
      impl_->store->set(key, std::vector<uint8_t>(bytes.begin(), bytes.end()));
      return bytes;
    }
    const auto got = impl_->store->get(key);
    return std::string(got.begin(), got.end());
  });
}

void DataParallel::barrier() {
  network("barrier", [&] { wait(impl_->gloo->barrier()); });
}

}  // namespace mh::model
