#include "model/relu_batch_norm.hpp"

#include <ATen/Parallel.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/parallel.hpp"

namespace mh::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Vec is only passed between always-inlined helpers, never across a call boundary.
#pragma GCC diagnostic ignored "-Wpsabi"

// GCC/Clang vector extensions: eight floats, split into SSE halves on a baseline x86-64 build
// and one AVX register in the AVX2 clone below. Loads and stores go through memcpy because the
// planes are not 32-byte aligned.
using Vec = float __attribute__((vector_size(32)));
constexpr int64_t kLanes = 8;

#define MH_INLINE inline __attribute__((always_inline))

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define MH_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MH_VECTOR_CLONES
#endif

MH_INLINE Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
MH_INLINE void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }

// Outputs far larger than the caches are written with non-temporal stores: a plain store first
// reads each line it fills (the activations are 268 MB in `seed`), and nothing reads them again
// before the next layer has gone through memory anyway. `p` must be 16-byte aligned.
#if defined(__x86_64__)
#define MH_STREAM_STORES 1
MH_INLINE void store_streaming(float* p, Vec v) {
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
MH_INLINE void store_streaming(float* p, Vec v) { store(p, v); }
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
// NaN stays NaN, as in torch's relu.
MH_INLINE Vec relu(Vec v) { return v < Vec{} ? Vec{} : v; }
MH_INLINE float relu(float v) { return v < 0.0f ? 0.0f : v; }
MH_INLINE double lane_sum(Vec v) {
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

MH_VECTOR_CLONES
Moments relu_plane_moments(const float* p, int64_t n) {
  const int64_t vector_end = n - n % kLanes;
  double sum = 0;
  for (int64_t start = 0; start < vector_end; start += kChunk) {
    Vec acc{};
    for (int64_t i = start; i < std::min(vector_end, start + kChunk); i += kLanes) acc += relu(load(p + i));
    sum += lane_sum(acc);
  }
  for (int64_t i = vector_end; i < n; ++i) sum += relu(p[i]);
  const double mean = sum / static_cast<double>(n);
  const Vec m = static_cast<float>(mean) - Vec{};
  double m2 = 0;
  for (int64_t start = 0; start < vector_end; start += kChunk) {
    Vec sq{};
    for (int64_t i = start; i < std::min(vector_end, start + kChunk); i += kLanes) {
      const Vec d = relu(load(p + i)) - m;
      sq += d * d;
    }
    m2 += lane_sum(sq);
  }
  for (int64_t i = vector_end; i < n; ++i) {
    const double d = relu(p[i]) - static_cast<float>(mean);
    m2 += d * d;
  }
  return {static_cast<double>(n), mean, m2};
}

// out = relu(p) · a + b
MH_VECTOR_CLONES
void relu_scale_shift(const float* p, float* out, int64_t n, float a, float b, bool stream) {
  const Vec va = a - Vec{}, vb = b - Vec{};
  int64_t i = 0;
  if (stream && aligned_16(out)) {
    for (; i + kLanes <= n; i += kLanes) store_streaming(out + i, relu(load(p + i)) * va + vb);
  }
  for (; i + kLanes <= n; i += kLanes) store(out + i, relu(load(p + i)) * va + vb);
  for (; i < n; ++i) out[i] = relu(p[i]) * a + b;
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
GradSums grad_plane_sums(const float* p, const float* g, int64_t n, float mean) {
  const int64_t vector_end = n - n % kLanes;
  const Vec m = mean - Vec{};
  GradSums s;
  for (int64_t start = 0; start < vector_end; start += kChunk) {
    Vec sg{}, sgy{};
    for (int64_t i = start; i < std::min(vector_end, start + kChunk); i += kLanes) {
      const Vec gv = load(g + i);
      sg += gv;
      sgy += gv * (relu(load(p + i)) - m);
    }
    s.g += lane_sum(sg);
    s.gy += lane_sum(sgy);
  }
  for (int64_t i = vector_end; i < n; ++i) {
    s.g += g[i];
    s.gy += static_cast<double>(g[i]) * (relu(p[i]) - mean);
  }
  return s;
}

// gx = p > 0 ? a · g − k · p + c : 0 (the BatchNorm input gradient, masked by the ReLU).
MH_VECTOR_CLONES
void masked_grad(const float* p, const float* g, float* gx, int64_t n, float a, float k, float c, bool stream) {
  const Vec va = a - Vec{}, vk = k - Vec{}, vc = c - Vec{};
  int64_t i = 0;
  if (stream && aligned_16(gx)) {
    for (; i + kLanes <= n; i += kLanes) {
      const Vec pv = load(p + i);
      store_streaming(gx + i, pv > Vec{} ? va * load(g + i) - vk * pv + vc : Vec{});
    }
  }
  for (; i + kLanes <= n; i += kLanes) {
    const Vec pv = load(p + i);
    store(gx + i, pv > Vec{} ? va * load(g + i) - vk * pv + vc : Vec{});
  }
  for (; i < n; ++i) gx[i] = p[i] > 0.0f ? a * g[i] - k * p[i] + c : 0.0f;
}

// Calls body(worker, begin, end) over shares of [0, total), one per intra-op thread: on LibTorch's
// own OpenMP threads when this file is built with OpenMP (ATen's parallel_for is inline and
// runs serially otherwise), on plain threads if not.
int64_t worker_count(int64_t total) { return std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), total)); }

template <typename Body>
void parallel_over(int64_t total, Body&& body) {
#ifdef _OPENMP
  at::parallel_for(0, total, 1, [&](int64_t begin, int64_t end) { body(at::get_thread_num(), begin, end); });
#else
  run_shares(total, worker_count(total), body);
#endif
}

struct Shape {
  int64_t n, c, plane;
};

// Per-channel reduction of plane_fn(i) over the planes i of an NCHW tensor. Each worker reads a
// contiguous run of planes (one long stream, which the prefetcher follows, instead of a 16-KB
// plane every 8 MB) into partials per channel, merged afterwards in worker order.
template <typename Partial, typename PlaneFn>
std::vector<Partial> reduce_planes(const Shape& s, PlaneFn&& plane_fn) {
  const int64_t planes = s.n * s.c;
  std::vector<std::vector<Partial>> partials(static_cast<size_t>(worker_count(planes)), std::vector<Partial>(s.c));
  parallel_over(planes, [&](int64_t w, int64_t begin, int64_t end) {
    auto& mine = partials[static_cast<size_t>(w)];
    for (int64_t i = begin; i < end; ++i) mine[static_cast<size_t>(i % s.c)].merge(plane_fn(i));
  });
  for (size_t w = 1; w < partials.size(); ++w) {
    for (size_t c = 0; c < partials[0].size(); ++c) partials[0][c].merge(partials[w][c]);
  }
  return std::move(partials[0]);
}

Shape shape_of(const torch::Tensor& x) { return {x.size(0), x.size(1), x.size(2) * x.size(3)}; }

struct FusedReluBatchNorm : public torch::autograd::Function<FusedReluBatchNorm> {
  // running_mean and running_var are updated in place; they take no gradient.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, torch::Tensor running_mean, torch::Tensor running_var,
                               double momentum, double eps) {
    const auto s = shape_of(x);
    const int64_t count = s.n * s.plane;
    TORCH_CHECK(count > 1, "Expected more than 1 value per channel when training, got input size ", x.sizes());
    auto mean = torch::empty({s.c}, x.options());
    auto invstd = torch::empty({s.c}, x.options());
    const float* xp = x.data_ptr<float>();
    float* meanp = mean.data_ptr<float>();
    float* invp = invstd.data_ptr<float>();
    float* rm = running_mean.data_ptr<float>();
    float* rv = running_var.data_ptr<float>();
    const auto moments =
        reduce_planes<Moments>(s, [&](int64_t i) { return relu_plane_moments(xp + i * s.plane, s.plane); });
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
        relu_scale_shift(xp + i * s.plane, op + i * s.plane, s.plane, a, bp[c] - meanp[c] * a, stream);
      }
      if (stream) fence_streaming();
    });
    ctx->save_for_backward({x, weight, mean, invstd});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& weight = saved[1];
    const auto& mean = saved[2];
    const auto& invstd = saved[3];
    const auto g = grads[0].contiguous();
    const auto s = shape_of(x);
    const double count = static_cast<double>(s.n * s.plane);
    auto gweight = torch::empty({s.c}, x.options());
    auto gbias = torch::empty({s.c}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* gp = g.data_ptr<float>();
    const float* meanp = mean.data_ptr<float>();
    const float* invp = invstd.data_ptr<float>();
    float* gwp = gweight.data_ptr<float>();
    float* gbp = gbias.data_ptr<float>();
    const auto sums = reduce_planes<GradSums>(s, [&](int64_t i) {
      return grad_plane_sums(xp + i * s.plane, gp + i * s.plane, s.plane, meanp[i % s.c]);
    });
    for (int64_t c = 0; c < s.c; ++c) {
      gbp[c] = static_cast<float>(sums[static_cast<size_t>(c)].g);
      gwp[c] = static_cast<float>(sums[static_cast<size_t>(c)].gy * invp[c]);
    }
    torch::Tensor gx;
    if (ctx->needs_input_grad(0)) {
      gx = torch::empty_like(x);
      const float* wp = weight.data_ptr<float>();
      float* gxp = gx.data_ptr<float>();
      const bool stream = use_streaming(gx);
      parallel_over(s.n * s.c, [&](int64_t, int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          const int64_t c = i % s.c;
          // gy = a·(g − Σg/M − x̂·Σg x̂/M) with x̂ = (y − mean)·invstd and Σg x̂ = gweight,
          // written as a·g − k·y + c0.
          const double a = static_cast<double>(wp[c]) * invp[c];
          const double k = a * invp[c] * gwp[c] / count;
          const double c0 = k * meanp[c] - a * gbp[c] / count;
          masked_grad(xp + i * s.plane, gp + i * s.plane, gxp + i * s.plane, s.plane, static_cast<float>(a),
                      static_cast<float>(k), static_cast<float>(c0), stream);
        }
        if (stream) fence_streaming();
      });
    }
    return {gx, gweight, gbias, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool fused_relu_batch_norm_applies(const torch::Tensor& x, const torch::nn::BatchNorm2dImpl& bn) {
  const auto& o = bn.options;
  return bn.is_training() && x.is_cpu() && x.scalar_type() == torch::kFloat32 && x.dim() == 4 &&
         x.is_contiguous() && o.affine() && o.track_running_stats() && o.momentum().has_value() &&
         x.size(1) == o.num_features() && bn.weight.scalar_type() == torch::kFloat32 &&
         bn.running_mean.is_contiguous() && bn.running_var.is_contiguous() && bn.weight.is_contiguous() &&
         bn.bias.is_contiguous();
}

torch::Tensor relu_batch_norm(torch::Tensor x, torch::nn::BatchNorm2dImpl& bn) {
  if (!fused_relu_batch_norm_applies(x, bn)) {
    return bn.forward(torch::GradMode::is_enabled() ? torch::relu(x) : x.relu_());
  }
  {
    torch::NoGradGuard no_grad;
    bn.num_batches_tracked.add_(1);
  }
  return FusedReluBatchNorm::apply(x, bn.weight, bn.bias, bn.running_mean, bn.running_var, *bn.options.momentum(),
                                   bn.options.eps());
}

}  // namespace mh::model
