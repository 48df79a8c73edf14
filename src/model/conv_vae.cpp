#include "model/conv_vae.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/shape.hpp"
#include "model/relu_batch_norm.hpp"

namespace mh::model {

namespace {

torch::nn::BatchNorm2d keras_batch_norm(int64_t channels) {
  // Keras keeps 0.99 of the old moving average; torch's momentum is the weight of the new value.
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).eps(1e-3).momentum(0.01));
}

std::string mode_name(ConvTransposeMode mode) {
  switch (mode) {
    case ConvTransposeMode::kConvGrad: return "conv-grad";
    case ConvTransposeMode::kNative: return "native";
    default: return "auto";
  }
}

ConvTransposeMode mode_from_name(const std::string& name) {
  if (name == "conv-grad") return ConvTransposeMode::kConvGrad;
  if (name == "native") return ConvTransposeMode::kNative;
  check_choice("ml1.conv_transpose", name, name == "auto", "auto, conv-grad, native");
  return ConvTransposeMode::kAuto;
}

}  // namespace

ConvVaeOptions ConvVaeOptions::seed(int64_t n_mels, int64_t frames) {
  ConvVaeOptions o;
  o.n_mels = n_mels;
  o.frames = frames;
  o.filters = {512, 256, 128, 64, 32};
  o.kernels = {{3, 3}, {3, 3}, {3, 3}, {3, 3}, {3, 3}};
  o.strides = {{2, 2}, {2, 2}, {2, 2}, {2, 2}, {2, 1}};
  return o;
}

ConvVaeOptions ConvVaeOptions::fast(int64_t n_mels, int64_t frames) {
  ConvVaeOptions o = seed(n_mels, frames);
  // The seed spends ~90 % of its work in 512/256 channels at 64×64 and 32×32; here the
  // channel count grows as the resolution falls, so every layer costs about the same.
  o.filters = {16, 32, 64, 128, 128};
  return o;
}

ConvVaeOptions ConvVaeOptions::notes(int64_t n_mels, int64_t frames, int64_t latent_dim) {
  ConvVaeOptions o = fast(n_mels, frames);
  o.latent_dim = latent_dim;
  int64_t latent_frames = 16;
  while (latent_frames > 1 && (latent_dim % latent_frames != 0 || frames % latent_frames != 0)) latent_frames /= 2;
  if (latent_dim % latent_frames != 0 || frames % latent_frames != 0) return o;
  // Time strides of 2 (a 3 or 5 where the factor needs it) from the first layer on, so that
  // the bottleneck keeps one column per latent frame; the mel axis halves at every layer.
  std::vector<int64_t> time_strides;
  int64_t rest = frames / latent_frames;
  for (int64_t f : {2, 3, 5}) {
    while (rest % f == 0) {
      time_strides.push_back(f);
      rest /= f;
    }
  }
  if (rest != 1 || time_strides.size() > 5) return o;
  time_strides.resize(5, 1);
  o.filters = {32, 64, 128, 128, 128};
  o.kernels = {{5, 5}, {3, 3}, {3, 3}, {3, 3}, {3, 3}};
  for (size_t i = 0; i < 5; ++i) {
    o.strides[i] = {2, time_strides[i]};
    if (o.kernels[i][1] < time_strides[i]) o.kernels[i][1] = time_strides[i];
  }
  o.latent_frames = latent_frames;
  return o;
}

ConvVaeOptions ConvVaeOptions::preset(const std::string& name, int64_t n_mels, int64_t frames, int64_t latent_dim) {
  check_choice("ml1.preset", name, name == "seed" || name == "fast" || name == "notes", "seed, fast, notes");
  if (name == "notes") return notes(n_mels, frames, latent_dim);
  auto o = name == "seed" ? seed(n_mels, frames) : fast(n_mels, frames);
  o.latent_dim = latent_dim;
  return o;
}

void ConvVaeOptions::validate() const {
  check_range<int64_t>("ml1.n_mels", n_mels, 1, 4096);
  check_range<int64_t>("ml1.frames", frames, 1, 65536);
  check_range<int64_t>("ml1.latent_dim", latent_dim, 1, 4096);
  check_range<size_t>("ml1.filters (layer count)", filters.size(), 1, 12);
  if (kernels.size() != filters.size() || strides.size() != filters.size()) {
    throw SettingsError(fmt::format("ml1.kernels / ml1.strides: {} / {} entries, expected one per filter ({})",
                                    kernels.size(), strides.size(), filters.size()));
  }
  int64_t sh = 1, sw = 1;
  for (size_t i = 0; i < filters.size(); ++i) {
    check_range<int64_t>(fmt::format("ml1.filters[{}]", i), filters[i], 1, 4096);
    for (int a = 0; a < 2; ++a) {
      check_range<int64_t>(fmt::format("ml1.strides[{}][{}]", i, a), strides[i][a], 1, 8);
      check_range<int64_t>(fmt::format("ml1.kernels[{}][{}]", i, a), kernels[i][a], strides[i][a], 15);
    }
    sh *= strides[i][0];
    sw *= strides[i][1];
  }
  // The decoder multiplies the bottleneck back by the strides, so they must divide the input.
  if (n_mels % sh != 0 || frames % sw != 0) {
    throw SettingsError(fmt::format("ml1 input {}×{} is not divisible by the total strides {}×{}", n_mels,
                                    frames, sh, sw));
  }
  if (latent_frames != 0) {
    check_range<int64_t>("ml1.latent_frames", latent_frames, 1, 4096);
    if (latent_dim % latent_frames != 0 || frames / sw != latent_frames) {
      throw SettingsError(fmt::format("ml1.latent_frames = {}: must divide latent_dim ({}) and equal the "
                                      "bottleneck's width ({} frames / time strides {})",
                                      latent_frames, latent_dim, frames, sw));
    }
  }
}

std::array<int64_t, 3> ConvVaeOptions::bottleneck_shape() const {
  int64_t h = n_mels, w = frames;
  for (const auto& s : strides) {
    h = (h + s[0] - 1) / s[0];
    w = (w + s[1] - 1) / s[1];
  }
  return {filters.back(), h, w};
}

nlohmann::json ConvVaeOptions::to_json() const {
  nlohmann::json j{{"n_mels", n_mels},   {"frames", frames},         {"filters", filters},
                   {"kernels", kernels}, {"strides", strides},       {"latent_dim", latent_dim},
                   {"init_seed", init_seed}, {"conv_transpose", mode_name(conv_transpose)}};
  // Dense models are written as before the temporal latent existed.
  if (latent_frames != 0) j["latent_frames"] = latent_frames;
  return j;
}

ConvVaeOptions ConvVaeOptions::from_json(const nlohmann::json& j) {
  ConvVaeOptions o;
  try {
    o.n_mels = j.at("n_mels").get<int64_t>();
    o.frames = j.at("frames").get<int64_t>();
    o.filters = j.at("filters").get<std::vector<int64_t>>();
    o.kernels = j.at("kernels").get<std::vector<Pair>>();
    o.strides = j.at("strides").get<std::vector<Pair>>();
    o.latent_dim = j.at("latent_dim").get<int64_t>();
    o.init_seed = j.at("init_seed").get<uint64_t>();
    o.conv_transpose = mode_from_name(j.at("conv_transpose").get<std::string>());
    // Models saved before the temporal latent existed had the dense one.
    o.latent_frames = j.value("latent_frames", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    throw SettingsError(fmt::format("ml1 model options: {}", e.what()));
  }
  return o;
}

bool ConvVaeOptions::operator==(const ConvVaeOptions& o) const {
  return n_mels == o.n_mels && frames == o.frames && filters == o.filters && kernels == o.kernels &&
         strides == o.strides && latent_dim == o.latent_dim && init_seed == o.init_seed &&
         conv_transpose == o.conv_transpose && latent_frames == o.latent_frames;
}

int64_t multiply_adds(const ConvVaeOptions& o) {
  o.validate();
  int64_t total = 0, c = 1, h = o.n_mels, w = o.frames;
  for (size_t i = 0; i < o.filters.size(); ++i) {
    h = (h + o.strides[i][0] - 1) / o.strides[i][0];
    w = (w + o.strides[i][1] - 1) / o.strides[i][1];
    total += h * w * c * o.filters[i] * o.kernels[i][0] * o.kernels[i][1];
    c = o.filters[i];
  }
  const int64_t flat = c * h * w;
  // A temporal latent maps each of its frames to and from one column: 1/T of the dense work.
  const int64_t frames_of_latent = o.latent_frames > 0 ? o.latent_frames : 1;
  total += 3 * flat * o.latent_dim / frames_of_latent;
  for (size_t i = o.filters.size(); i-- > 0;) {
    const int64_t out = i > 0 ? o.filters[i] : 1;
    total += h * w * c * out * o.kernels[i][0] * o.kernels[i][1];
    h *= o.strides[i][0];
    w *= o.strides[i][1];
    c = out;
  }
  return total;
}

ConvVaeImpl::ConvVaeImpl(ConvVaeOptions options) : options_(std::move(options)) {
  options_.validate();
  generator_ = at::make_generator<at::CPUGeneratorImpl>(options_.init_seed + 1);
  const auto& o = options_;
  const size_t n = o.filters.size();
  encoder_convs = register_module("encoder_convs", torch::nn::ModuleList());
  encoder_norms = register_module("encoder_norms", torch::nn::ModuleList());
  int64_t c = 1;
  for (size_t i = 0; i < n; ++i) {
    encoder_convs->push_back(SameConv2d(c, o.filters[i], o.kernels[i], o.strides[i]));
    encoder_norms->push_back(keras_batch_norm(o.filters[i]));
    c = o.filters[i];
  }
  const auto shape = o.bottleneck_shape();
  const int64_t t = o.latent_frames > 0 ? o.latent_frames : 1;
  const int64_t column = shape[0] * shape[1] * shape[2] / t;  // the whole bottleneck when dense
  mu = register_module("mu", torch::nn::Linear(column, o.latent_dim / t));
  log_var = register_module("log_var", torch::nn::Linear(column, o.latent_dim / t));
  decoder_dense = register_module("decoder_dense", torch::nn::Linear(o.latent_dim / t, column));
  decoder_convs = register_module("decoder_convs", torch::nn::ModuleList());
  decoder_norms = register_module("decoder_norms", torch::nn::ModuleList());
  for (size_t i = n; i-- > 1;) {
    decoder_convs->push_back(SameConvTranspose2d(c, o.filters[i], o.kernels[i], o.strides[i], o.conv_transpose));
    decoder_norms->push_back(keras_batch_norm(o.filters[i]));
    c = o.filters[i];
  }
  output_conv = register_module("output_conv",
                                SameConvTranspose2d(c, 1, o.kernels[0], o.strides[0], o.conv_transpose));
  mirrorable_ = layers_mirrorable();
  mirrored_ = mirrorable_;
  initialise();
}

bool ConvVaeImpl::layers_mirrorable() {
  int64_t h = options_.n_mels, w = options_.frames;
  for (size_t i = 0; i < encoder_convs->size(); ++i) {
    if (!encoder_convs[i]->as<SameConv2dImpl>()->mirrorable(h, w)) return false;
    h = (h + options_.strides[i][0] - 1) / options_.strides[i][0];
    w = (w + options_.strides[i][1] - 1) / options_.strides[i][1];
  }
  const size_t n = options_.filters.size();
  for (size_t i = 0; i < decoder_convs->size(); ++i) {
    if (!decoder_convs[i]->as<SameConvTranspose2dImpl>()->mirrorable(h, w)) return false;
    h *= options_.strides[n - 1 - i][0];
    w *= options_.strides[n - 1 - i][1];
  }
  return output_conv->mirrorable(h, w);
}

bool ConvVaeImpl::set_mirrored(bool on) {
  mirrored_ = on && mirrorable_;
  return mirrored_;
}

void ConvVaeImpl::initialise() {
  torch::NoGradGuard no_grad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(options_.init_seed);
  for (auto& p : named_parameters()) {
    auto& t = p.value();
    if (t.dim() < 2) {
      if (p.key().find("norms") == std::string::npos) t.zero_();
      continue;
    }
    // Glorot uniform with Keras' fans; for both conv layouts fan_in + fan_out is the same sum.
    const int64_t receptive = t.numel() / (t.size(0) * t.size(1));
    const double limit = std::sqrt(6.0 / static_cast<double>((t.size(0) + t.size(1)) * receptive));
    t.uniform_(-limit, limit, gen);
  }
}

int64_t ConvVaeImpl::parameter_count() const {
  int64_t count = 0;
  for (const auto& p : parameters()) count += p.numel();
  for (const auto& b : named_buffers()) {
    if (b.key().find("running_") != std::string::npos) count += b.value().numel();
  }
  return count;
}

void ConvVaeImpl::set_conv_transpose_mode(ConvTransposeMode mode) {
  options_.conv_transpose = mode;
  for (auto& m : *decoder_convs) m->as<SameConvTranspose2dImpl>()->set_mode(mode);
  output_conv->set_mode(mode);
}

void ConvVaeImpl::check_input(const torch::Tensor& x) const {
  if (x.dim() != 4 || x.size(1) != 1 || x.size(2) != options_.n_mels || x.size(3) != options_.frames) {
    throw ShapeError(fmt::format("ConvVae input: got {}, expected [N, 1, {}, {}]", shape_string(x.sizes()),
                                 options_.n_mels, options_.frames));
  }
}

std::pair<torch::Tensor, torch::Tensor> ConvVaeImpl::encode_distribution(const torch::Tensor& x) {
  check_input(x);
  torch::Tensor h = to_activation_format(mirrored_ ? x.flip({2, 3}) : x);
  for (size_t i = 0; i < encoder_convs->size(); ++i) {
    auto* conv = encoder_convs[i]->as<SameConv2dImpl>();
    h = relu_batch_norm(mirrored_ ? conv->forward_mirrored(h) : conv->forward(h),
                        *encoder_norms[i]->as<torch::nn::BatchNorm2dImpl>());
  }
  if (mirrored_) h = h.flip({2, 3});
  const int64_t n = h.size(0);
  if (options_.latent_frames > 0) {
    // [N, C, H, T] → [N, T, C·H]: one column per latent frame, the code laid out frame by frame.
    h = h.permute({0, 3, 1, 2}).contiguous().view({n, options_.latent_frames, -1});
  } else {
    h = h.contiguous().flatten(1);
  }
  // A log-variance of 20 already means a standard deviation of 2·10^4 in a space whose data sit
  // within a few units: the bound keeps one bad batch from overflowing exp() and the KL term.
  return {mu->forward(h).reshape({n, options_.latent_dim}),
          log_var->forward(h).clamp(-30.0, 20.0).reshape({n, options_.latent_dim})};
}

torch::Tensor ConvVaeImpl::encode(const torch::Tensor& x) { return encode_distribution(x).first; }

torch::Tensor ConvVaeImpl::decode(const torch::Tensor& z) {
  if (z.dim() != 2 || z.size(1) != options_.latent_dim) {
    throw ShapeError(fmt::format("ConvVae latent: got {}, expected [N, {}]", shape_string(z.sizes()), options_.latent_dim));
  }
  const auto shape = options_.bottleneck_shape();
  torch::Tensor h;
  if (options_.latent_frames > 0) {
    h = decoder_dense->forward(z.reshape({z.size(0), options_.latent_frames, -1}))
            .view({z.size(0), shape[2], shape[0], shape[1]})
            .permute({0, 2, 3, 1})
            .contiguous();
  } else {
    h = decoder_dense->forward(z).view({z.size(0), shape[0], shape[1], shape[2]});
  }
  h = to_activation_format(mirrored_ ? h.flip({2, 3}) : h);
  for (size_t i = 0; i < decoder_convs->size(); ++i) {
    auto* conv = decoder_convs[i]->as<SameConvTranspose2dImpl>();
    // The bias joins the fused ReLU + BatchNorm: no pass over the activations to add it.
    h = relu_batch_norm(mirrored_ ? conv->forward_mirrored(h, false) : conv->forward(h, false),
                        *decoder_norms[i]->as<torch::nn::BatchNorm2dImpl>(), conv->bias);
  }
  if (mirrored_) return torch::sigmoid(output_conv->forward_mirrored(h)).flip({2, 3}).contiguous();
  return torch::sigmoid(output_conv->forward(h)).contiguous();
}

torch::Tensor ConvVaeImpl::to_activation_format(const torch::Tensor& t) const {
  return channels_last_ && t.is_cpu() ? t.contiguous(torch::MemoryFormat::ChannelsLast) : t;
}

torch::Tensor ConvVaeImpl::sample_latent(const torch::Tensor& mu, const torch::Tensor& log_var,
                                         torch::Generator& generator) {
  // One independent draw per element: the original drew a single scalar for the whole batch.
  const auto eps = torch::randn(mu.sizes(), generator, mu.options().device(generator.device()))
                       .to(mu.device(), /*non_blocking=*/false);
  return mu + torch::exp(log_var * 0.5) * eps;
}

VaeOutput ConvVaeImpl::forward(const torch::Tensor& x) { return forward(x, generator_); }

VaeOutput ConvVaeImpl::forward(const torch::Tensor& x, torch::Generator& generator) {
  auto [m, lv] = encode_distribution(x);
  const auto z = is_training() ? sample_latent(m, lv, generator) : m;
  return {decode(z), m, lv};
}

}  // namespace mh::model
