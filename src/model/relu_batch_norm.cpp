#include "model/relu_batch_norm.hpp"

#include <ATen/Parallel.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/parallel.hpp"

namespace mh::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// GCC/Clang vector extensions: eight floats, one AVX register in the AVX2 clone below (split
// into SSE halves in the baseline one, which GCC compiles several times slower: the clones
// matter). No Vec is passed or returned by value across a function call, even an inlined one:
// between the AVX2 clone and a baseline helper that changes the ABI, which clang refuses. Loads
// are expressions on an unaligned, aliasing view of the floats; ReLU is a macro.
using Vec = float __attribute__((vector_size(32)));
using UnalignedVec = float __attribute__((vector_size(32), aligned(4), may_alias));
constexpr int64_t kLanes = 8;
#define MH_LOAD(p) (static_cast<Vec>(*reinterpret_cast<const UnalignedVec*>(p)))
// NaN stays NaN, as in torch's relu.
#define MH_RELU(v) ((v) < Vec{} ? Vec{} : (v))

#define MH_INLINE inline __attribute__((always_inline))

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MH_NO_CLONES 1  // ifunc resolvers run before the sanitizer's runtime is set up
#endif
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__) && !defined(MH_NO_CLONES)
#define MH_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MH_VECTOR_CLONES
#endif

MH_INLINE void store(float* p, const Vec& v) { *reinterpret_cast<UnalignedVec*>(p) = v; }

// Outputs far larger than the caches are written with non-temporal stores: a plain store first
// reads each line it fills (the activations are 268 MB in `seed`), and nothing reads them again
// before the next layer has gone through memory anyway. `p` must be 16-byte aligned.
#if defined(__x86_64__)
#define MH_STREAM_STORES 1
MH_INLINE void store_streaming(float* p, const Vec& v) {
  union {
    Vec whole;
    __m128 half[2];
  } u{v};
  _mm_stream_ps(p, u.half[0]);
  _mm_stream_ps(p + 4, u.half[1]);
}
// Non-temporal stores are weakly ordered: fence before another thread may read the output.
inline void fence_streaming() { _mm_sfence(); }
#else
MH_INLINE void store_streaming(float* p, const Vec& v) { store(p, v); }
inline void fence_streaming() {}
#endif
constexpr size_t kStreamingBytes = size_t{64} << 20;

bool use_streaming(const torch::Tensor& out) {
#ifdef MH_STREAM_STORES
  return out.nbytes() >= kStreamingBytes;
#else
  (void)out;
  return false;
#endif
}

MH_INLINE bool aligned_16(const float* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }
MH_INLINE float relu(float v) { return v < 0.0f ? 0.0f : v; }
MH_INLINE double lane_sum(const Vec& v) {
  double s = 0;
  for (int64_t l = 0; l < kLanes; ++l) s += v[l];
  return s;
}

// Count, mean and sum of squared deviations of relu(values). A plane's come from two passes over
// it while it is in cache, so the variance has no cancellation; merge() combines two sets
// exactly in double (Chan, Golub and LeVeque).
struct Moments {
  double count = 0, mean = 0, m2 = 0;
  void merge(const Moments& o) {
    const double total = count + o.count;
    if (total == 0) return;
    const double delta = o.mean - mean;
    mean += delta * o.count / total;
    m2 += o.m2 + delta * delta * count * o.count / total;
    count = total;
  }
};

// Float lanes sum at most this many values before their partial goes into a double: a whole
// 4096-value plane summed in float drifted by 1e-4 relative (every term positive).
constexpr int64_t kChunk = 512;

// Everything below reads relu(p + shift): `shift` is the convolution's bias when it is folded in.
MH_VECTOR_CLONES
Moments relu_plane_moments(const float* p, int64_t n, float shift) {
  const int64_t vector_end = n - n % kLanes;
  const Vec vs = shift - Vec{};
  double sum = 0;
  for (int64_t start = 0; start < vector_end; start += kChunk) {
    Vec acc{};
    for (int64_t i = start; i < std::min(vector_end, start + kChunk); i += kLanes) {
      const Vec y = MH_LOAD(p + i) + vs;
      acc += MH_RELU(y);
    }
    sum += lane_sum(acc);
  }
  for (int64_t i = vector_end; i < n; ++i) sum += relu(p[i] + shift);
  const double mean = sum / static_cast<double>(n);
  const Vec m = static_cast<float>(mean) - Vec{};
  double m2 = 0;
  for (int64_t start = 0; start < vector_end; start += kChunk) {
    Vec sq{};
    for (int64_t i = start; i < std::min(vector_end, start + kChunk); i += kLanes) {
      const Vec y = MH_LOAD(p + i) + vs;
      const Vec d = MH_RELU(y) - m;
      sq += d * d;
    }
    m2 += lane_sum(sq);
  }
  for (int64_t i = vector_end; i < n; ++i) {
    const double d = relu(p[i] + shift) - static_cast<float>(mean);
    m2 += d * d;
  }
  return {static_cast<double>(n), mean, m2};
}

// out = relu(p + shift) · a + b
MH_VECTOR_CLONES
void relu_scale_shift(const float* p, float* out, int64_t n, float shift, float a, float b, bool stream) {
  const Vec vs = shift - Vec{}, va = a - Vec{}, vb = b - Vec{};
  int64_t i = 0;
  if (stream && aligned_16(out)) {
    for (; i + kLanes <= n; i += kLanes) {
      const Vec y = MH_LOAD(p + i) + vs;
      store_streaming(out + i, MH_RELU(y) * va + vb);
    }
  }
  for (; i + kLanes <= n; i += kLanes) {
    const Vec y = MH_LOAD(p + i) + vs;
    store(out + i, MH_RELU(y) * va + vb);
  }
  for (; i < n; ++i) out[i] = relu(p[i] + shift) * a + b;
}

// Σ g and Σ g · (relu(p) − mean) over a plane.
struct GradSums {
  double g = 0, gy = 0;
  void merge(const GradSums& o) {
    g += o.g;
    gy += o.gy;
  }
};

MH_VECTOR_CLONES
GradSums grad_plane_sums(const float* p, const float* g, int64_t n, float shift, float mean) {
  const int64_t vector_end = n - n % kLanes;
  const Vec vs = shift - Vec{}, m = mean - Vec{};
  GradSums s;
  for (int64_t start = 0; start < vector_end; start += kChunk) {
    Vec sg{}, sgy{};
    for (int64_t i = start; i < std::min(vector_end, start + kChunk); i += kLanes) {
      const Vec gv = MH_LOAD(g + i);
      sg += gv;
      const Vec y = MH_LOAD(p + i) + vs;
      sgy += gv * (MH_RELU(y) - m);
    }
    s.g += lane_sum(sg);
    s.gy += lane_sum(sgy);
  }
  for (int64_t i = vector_end; i < n; ++i) {
    s.g += g[i];
    s.gy += static_cast<double>(g[i]) * (relu(p[i] + shift) - mean);
  }
  return s;
}

struct Sum {
  double value = 0;
  void merge(const Sum& o) { value += o.value; }
};

// gx = y > 0 ? a · g − k · y + c : 0 with y = p + shift (the BatchNorm input gradient, masked by
// the ReLU); returns Σ gx, the gradient of the folded-in bias.
MH_VECTOR_CLONES
Sum masked_grad(const float* p, const float* g, float* gx, int64_t n, float shift, float a, float k, float c,
                bool stream) {
  const int64_t vector_end = n - n % kLanes;
  const bool streaming = stream && aligned_16(gx);
  const Vec vs = shift - Vec{}, va = a - Vec{}, vk = k - Vec{}, vc = c - Vec{};
  Sum sum;
  for (int64_t start = 0; start < vector_end; start += kChunk) {
    Vec acc{};
    for (int64_t i = start; i < std::min(vector_end, start + kChunk); i += kLanes) {
      const Vec y = MH_LOAD(p + i) + vs;
      const Vec out = y > Vec{} ? va * MH_LOAD(g + i) - vk * y + vc : Vec{};
      acc += out;
      if (streaming) {
        store_streaming(gx + i, out);
      } else {
        store(gx + i, out);
      }
    }
    sum.value += lane_sum(acc);
  }
  for (int64_t i = vector_end; i < n; ++i) {
    const float y = p[i] + shift;
    gx[i] = y > 0.0f ? a * g[i] - k * y + c : 0.0f;
    sum.value += gx[i];
  }
  return sum;
}

// Calls body(worker, begin, end) over shares of [0, total), one per intra-op thread: on LibTorch's
// own OpenMP threads when this file is built with OpenMP (ATen's parallel_for is inline and
// runs serially otherwise), on plain threads if not.
template <typename Body>
void parallel_over(int64_t total, Body&& body) {
#ifdef _OPENMP
  at::parallel_for(0, total, 1, [&](int64_t begin, int64_t end) { body(at::get_thread_num(), begin, end); });
#else
  run_shares(total, intra_op_workers(total), body);
#endif
}

struct Shape {
  int64_t n, c, plane;
};

// Per-channel reduction of plane_fn(i) over the planes i of an NCHW tensor (plane_fn may also
// write the plane's output). Each worker reads a contiguous run of planes (one long stream, which
// the prefetcher follows, instead of a 16-KB plane every 8 MB) into partials per channel, merged
// afterwards in worker order.
template <typename Partial, typename PlaneFn>
std::vector<Partial> reduce_planes(const Shape& s, PlaneFn&& plane_fn) {
  const int64_t planes = s.n * s.c;
  std::vector<std::vector<Partial>> partials(static_cast<size_t>(intra_op_workers(planes)), std::vector<Partial>(s.c));
  parallel_over(planes, [&](int64_t w, int64_t begin, int64_t end) {
    auto& mine = partials.at(static_cast<size_t>(w));  // throws, never overruns, if the pool differs
    for (int64_t i = begin; i < end; ++i) mine[static_cast<size_t>(i % s.c)].merge(plane_fn(i));
    fence_streaming();  // in case plane_fn wrote with non-temporal stores
  });
  for (size_t w = 1; w < partials.size(); ++w) {
    for (size_t c = 0; c < partials[0].size(); ++c) partials[0][c].merge(partials[w][c]);
  }
  return std::move(partials[0]);
}

Shape shape_of(const torch::Tensor& x) { return {x.size(0), x.size(1), x.size(2) * x.size(3)}; }

// An absent pre-bias travels through autograd as an empty tensor (an undefined one is refused).
const float* data_or_null(const torch::Tensor& t) { return t.numel() > 0 ? t.data_ptr<float>() : nullptr; }

struct FusedReluBatchNorm : public torch::autograd::Function<FusedReluBatchNorm> {
  // pre_bias (the convolution's bias, folded in) may be undefined. running_mean and running_var
  // are updated in place; they take no gradient.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& pre_bias,
                               const torch::Tensor& weight, const torch::Tensor& bias, torch::Tensor running_mean,
                               torch::Tensor running_var, double momentum, double eps) {
    const auto s = shape_of(x);
    const int64_t count = s.n * s.plane;
    TORCH_CHECK(count > 1, "Expected more than 1 value per channel when training, got input size ", x.sizes());
    auto mean = torch::empty({s.c}, x.options());
    auto invstd = torch::empty({s.c}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* shift = data_or_null(pre_bias);
    const auto shift_of = [shift](int64_t c) { return shift != nullptr ? shift[c] : 0.0f; };
    float* meanp = mean.data_ptr<float>();
    float* invp = invstd.data_ptr<float>();
    float* rm = running_mean.data_ptr<float>();
    float* rv = running_var.data_ptr<float>();
    const auto moments = reduce_planes<Moments>(
        s, [&](int64_t i) { return relu_plane_moments(xp + i * s.plane, s.plane, shift_of(i % s.c)); });
    for (int64_t c = 0; c < s.c; ++c) {
      const auto& m = moments[static_cast<size_t>(c)];
      meanp[c] = static_cast<float>(m.mean);
      invp[c] = static_cast<float>(1.0 / std::sqrt(m.m2 / static_cast<double>(count) + eps));
      rm[c] = static_cast<float>((1.0 - momentum) * rm[c] + momentum * m.mean);
      rv[c] = static_cast<float>((1.0 - momentum) * rv[c] + momentum * m.m2 / static_cast<double>(count - 1));
    }
    auto out = torch::empty_like(x);
    const float* wp = weight.data_ptr<float>();
    const float* bp = bias.data_ptr<float>();
    float* op = out.data_ptr<float>();
    const bool stream = use_streaming(out);
    parallel_over(s.n * s.c, [&](int64_t, int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        const int64_t c = i % s.c;
        const float a = wp[c] * invp[c];
        relu_scale_shift(xp + i * s.plane, op + i * s.plane, s.plane, shift_of(c), a, bp[c] - meanp[c] * a, stream);
      }
      if (stream) fence_streaming();
    });
    ctx->save_for_backward({x, pre_bias, weight, mean, invstd});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& pre_bias = saved[1];
    const auto& weight = saved[2];
    const auto& mean = saved[3];
    const auto& invstd = saved[4];
    const auto g = grads[0].contiguous();
    const auto s = shape_of(x);
    const double count = static_cast<double>(s.n * s.plane);
    auto gweight = torch::empty({s.c}, x.options());
    auto gbias = torch::empty({s.c}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* gp = g.data_ptr<float>();
    const float* shift = data_or_null(pre_bias);
    const auto shift_of = [shift](int64_t c) { return shift != nullptr ? shift[c] : 0.0f; };
    const float* meanp = mean.data_ptr<float>();
    const float* invp = invstd.data_ptr<float>();
    float* gwp = gweight.data_ptr<float>();
    float* gbp = gbias.data_ptr<float>();
    const auto sums = reduce_planes<GradSums>(s, [&](int64_t i) {
      const int64_t c = i % s.c;
      return grad_plane_sums(xp + i * s.plane, gp + i * s.plane, s.plane, shift_of(c), meanp[c]);
    });
    for (int64_t c = 0; c < s.c; ++c) {
      gbp[c] = static_cast<float>(sums[static_cast<size_t>(c)].g);
      gwp[c] = static_cast<float>(sums[static_cast<size_t>(c)].gy * invp[c]);
    }
    torch::Tensor gx, gpre_bias;
    const bool pre_bias_grad = pre_bias.numel() > 0 && ctx->needs_input_grad(1);
    if (ctx->needs_input_grad(0) || pre_bias_grad) {
      gx = torch::empty_like(x);
      const float* wp = weight.data_ptr<float>();
      float* gxp = gx.data_ptr<float>();
      const bool stream = use_streaming(gx);
      const auto gx_sums = reduce_planes<Sum>(s, [&](int64_t i) {
        const int64_t c = i % s.c;
        // gy = a·(g − Σg/M − x̂·Σg x̂/M) with x̂ = (y − mean)·invstd and Σg x̂ = gweight,
        // written as a·g − k·y + c0.
        const double a = static_cast<double>(wp[c]) * invp[c];
        const double k = a * invp[c] * gwp[c] / count;
        const double c0 = k * meanp[c] - a * gbp[c] / count;
        return masked_grad(xp + i * s.plane, gp + i * s.plane, gxp + i * s.plane, s.plane, shift_of(c),
                           static_cast<float>(a), static_cast<float>(k), static_cast<float>(c0), stream);
      });
      if (pre_bias_grad) {
        gpre_bias = torch::empty({s.c}, x.options());
        float* gpb = gpre_bias.data_ptr<float>();
        for (int64_t c = 0; c < s.c; ++c) gpb[c] = static_cast<float>(gx_sums[static_cast<size_t>(c)].value);
      }
    }
    return {gx, gpre_bias, gweight, gbias, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool fused_relu_batch_norm_applies(const torch::Tensor& x, const torch::nn::BatchNorm2dImpl& bn,
                                   const torch::Tensor& pre_bias) {
  const auto& o = bn.options;
  const bool bias_fits = !pre_bias.defined() || (pre_bias.is_cpu() && pre_bias.scalar_type() == torch::kFloat32 &&
                                                 pre_bias.dim() == 1 && pre_bias.numel() == x.size(1) &&
                                                 pre_bias.is_contiguous());
  return bn.is_training() && x.is_cpu() && x.scalar_type() == torch::kFloat32 && x.dim() == 4 &&
         x.is_contiguous() && o.affine() && o.track_running_stats() && o.momentum().has_value() &&
         x.size(1) == o.num_features() && bn.weight.scalar_type() == torch::kFloat32 &&
         bn.running_mean.is_contiguous() && bn.running_var.is_contiguous() && bn.weight.is_contiguous() &&
         bn.bias.is_contiguous() && bias_fits;
}

torch::Tensor relu_batch_norm(torch::Tensor x, torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& pre_bias) {
  if (!fused_relu_batch_norm_applies(x, bn, pre_bias)) {
    if (pre_bias.defined()) x = x + pre_bias.view({1, -1, 1, 1});
    return bn.forward(torch::GradMode::is_enabled() ? torch::relu(x) : x.relu_());
  }
  {
    torch::NoGradGuard no_grad;
    bn.num_batches_tracked.add_(1);
  }
  const auto folded_bias = pre_bias.defined() ? pre_bias : torch::empty({0}, x.options());
  return FusedReluBatchNorm::apply(x, folded_bias, bn.weight, bn.bias, bn.running_mean, bn.running_var,
                                   *bn.options.momentum(), bn.options.eps());
}

}  // namespace mh::model
