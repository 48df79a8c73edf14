#include "conversation/generation_measures.hpp"

#include <cmath>
#include <limits>
#include <fmt/format.h>

#include <numeric>

#include "agent/agent.hpp"
#include "conversation/human_share.hpp"
#include "conversation/judge.hpp"
#include "conversation/measures.hpp"
#include "dsp/db.hpp"

namespace mh::conversation {

torch::Tensor normalised_mel_to_power(const torch::Tensor& mel) {
  return dsp::db_to_power(dsp::denormalise_db(mel.to(torch::kFloat64)));
}

GenerationMeasures measure_generation(const agent::Agent& agent, const Judge& judge, const GenerationInput& in) {
  GenerationMeasures out;
  auto& v = out.values;
  const auto& manifest = agent.dataset().manifest();
  int64_t depth_sum = 0;
  for (const auto& song : manifest.songs()) depth_sum += static_cast<int64_t>(song.provenance.depth) * song.n_snippets();
  const int64_t items = manifest.n_items();
  const HumanShare share = human_share(manifest);
  v["dataset_items"] = items;
  v["trained_items"] = share.trained;
  v["human_fraction"] = share.of_trained();
  v["human_fraction_dataset"] = share.of_dataset();
  v["human_fraction_updates"] = in.update_human_share;
  v["mean_depth"] = items ? static_cast<double>(depth_sum) / static_cast<double>(items) : 0.0;

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto& ref_mel = judge.reference_mel();
  const Gaussian ref = fit_gaussian(judge.reference_embedding());
  const double ref_scale = std::sqrt(std::max(ref.covariance.trace().item<double>(), 1e-30));

  auto model = agent.ml1();
  const double e_now = reconstruction_error(model, ref_mel, agent.device());
  v["forgetting"] = judge.reference_error0() > 0 ? e_now / judge.reference_error0() : nan;
  v["reconstruction_error"] = e_now;

  // Each kind apart: a variation is meant to move away from what was heard, a human song is
  // measured against its stored source.
  for (const char* prefix : {"human", "imitation", "variation"}) {
    const auto found = in.listening.find(prefix);
    const std::vector<nlohmann::json> none;
    const auto& answers = found == in.listening.end() ? none : found->second;
    for (const char* key : {"envelope_db", "frames_db", "long_term_db", "long_term_max_db", "envelope_ratio", "frames_ratio"}) {
      double sum = 0;
      int count = 0;
      for (const auto& a : answers) {
        if (a.contains(key) && a[key].is_number()) {
          sum += a[key].get<double>();
          ++count;
        }
      }
      v[fmt::format("{}_{}", prefix, key)] = count ? sum / count : nan;
    }
  }

  torch::Tensor gen_mel = in.mel;
  v["generation_snippets"] = gen_mel.defined() ? gen_mel.size(0) : 0;
  if (!gen_mel.defined() || gen_mel.size(0) < 2) {
    for (const char* k : {"frechet", "frechet_low", "frechet_high", "frechet_ratio", "frechet_k", "frechet_k_low",
                          "frechet_k_high", "frechet_k_ratio", "frechet_k_ratio_low", "frechet_k_ratio_high",
                          "variance_ratio", "participation_ratio", "mean_drift",
                          "drift_step", "ltas_distance_db", "spectral_flatness", "reference_flatness"}) {
      v[k] = nan;
    }
    return out;
  }
  if (gen_mel.size(0) > ref_mel.size(0)) {
    auto g = at::make_generator<at::CPUGeneratorImpl>(in.seed);
    const auto idx = std::get<0>(torch::randperm(gen_mel.size(0), g, torch::kInt64).slice(0, 0, ref_mel.size(0)).sort());
    gen_mel = gen_mel.index_select(0, idx);
  }
  const auto emb = judge.embed(gen_mel);
  const Gaussian gen = fit_gaussian(emb);
  const double fd = frechet_distance(gen, ref);
  v["frechet"] = fd;
  v["frechet_ratio"] = in.first_frechet && *in.first_frechet > 0 ? fd / *in.first_frechet : 1.0;
  // Drawn again, the same songs and reference would give another FD: the interval says how far.
  const auto& ref_emb = judge.reference_embedding();
  const auto fd_interval = bootstrap_frechet(emb, ref_emb, kBootstrapResamples, kBootstrapLevel, in.seed ^ 0xB0075);
  v["frechet_low"] = fd_interval.low;
  v["frechet_high"] = fd_interval.high;
  // In the judge's k principal axes of H the reference outnumbers the dimension several times,
  // so its covariance is of full rank (docs/measures.md).
  const auto gen_k = judge.drift_project(emb), ref_k = judge.drift_project(ref_emb);
  const double fd_k = frechet_distance(fit_gaussian(gen_k), fit_gaussian(ref_k));
  const auto k_interval = bootstrap_frechet(gen_k, ref_k, kBootstrapResamples, kBootstrapLevel, in.seed ^ 0xB0076);
  const double first_k = in.first_frechet_k && *in.first_frechet_k > 0 ? *in.first_frechet_k : fd_k;
  v["drift_dimensions"] = judge.drift_dimensions();
  v["frechet_k"] = fd_k;
  v["frechet_k_low"] = k_interval.low;
  v["frechet_k_high"] = k_interval.high;
  v["frechet_k_ratio"] = first_k > 0 ? fd_k / first_k : nan;
  v["frechet_k_ratio_low"] = first_k > 0 ? k_interval.low / first_k : nan;
  v["frechet_k_ratio_high"] = first_k > 0 ? k_interval.high / first_k : nan;
  v["variance_ratio"] = variance_ratio(gen, ref);
  v["participation_ratio"] = participation_ratio(gen);
  v["mean_drift"] = mean_drift(gen, ref, ref);
  v["drift_step"] = in.previous_mean ? (gen.mean - *in.previous_mean).norm().item<double>() / ref_scale : nan;
  out.mean = gen.mean;

  const auto ltas_gen = long_term_average_spectrum_db(normalised_mel_to_power(gen_mel));
  const auto ltas_ref = long_term_average_spectrum_db(normalised_mel_to_power(ref_mel));
  v["ltas_distance_db"] = ltas_distance_db(ltas_gen, ltas_ref);
  v["spectral_flatness"] = spectral_flatness(ltas_gen);
  v["reference_flatness"] = spectral_flatness(ltas_ref);
  return out;
}

}  // namespace mh::conversation
