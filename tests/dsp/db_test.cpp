#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <optional>

#include "core/errors.hpp"
#include "dsp/db.hpp"
#include "support/paths.hpp"

namespace mh::dsp {
namespace {

torch::Tensor f64(const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); }

TEST(PowerToDb, MatchesEveryReferenceCase) {
  const auto roots = test::reference_roots("librosa_testdata/power_to_db_cases.json");
  MH_REQUIRE_REFERENCE(roots);
  for (const auto& root : roots) {
    SCOPED_TRACE(root.string());
    std::ifstream in(root / "librosa_testdata/power_to_db_cases.json");
    ASSERT_TRUE(in.good());
    const auto doc = nlohmann::json::parse(in);
    int checked = 0;
    for (const auto& c : doc["cases"]) {
      const auto x = f64(c["x"].get<std::vector<double>>());
      const auto expected = f64(c["expected"].get<std::vector<double>>());
      const double amin = c["amin"].get<double>();
      std::optional<double> top_db;
      if (!c["top_db"].is_null()) top_db = c["top_db"].get<double>();
      torch::Tensor y;
      if (c["ref"].is_string() && c["ref"] == "max") {
        y = power_to_db_max_ref(x, amin, top_db);
      } else {
        const double ref = c["ref"].is_string() ? std::stod(c["ref"].get<std::string>()) : c["ref"].get<double>();
        y = power_to_db(x, ref, amin, top_db);
      }
      ASSERT_EQ(y.sizes(), expected.sizes());
      // np.isclose defaults, as librosa's own test.
      const auto excess = (y - expected).abs() - (1e-8 + 1e-5 * expected.abs());
      EXPECT_LE(excess.max().item<double>(), 0.0) << c["group"] << " " << c.dump().substr(0, 200);
      ++checked;
    }
    EXPECT_EQ(checked, 139);
    for (const auto& e : doc["errors"]) {
      const auto x = f64(e["x"].get<std::vector<double>>());
      EXPECT_THROW(power_to_db(x, 1.0, e["amin"].get<double>(), e["top_db"].get<double>()), SettingsError)
          << e["expect"];
    }
  }
}

TEST(PowerToDb, TopDbFloorIsTakenPerSnippetOverTheLastTwoDimensions) {
  // Two snippets 60 dB apart: each keeps its own 80 dB range.
  auto p = torch::full({2, 3, 4}, 1e-12, torch::kFloat32);
  p[0][1][2] = 1.0f;    // snippet 0 peaks at 0 dB
  p[1][0][0] = 1e-6f;   // snippet 1 peaks at −60 dB
  const auto y = power_to_db(p, 1.0, 1e-10, 80.0);
  EXPECT_NEAR(y[0].min().item<double>(), -80.0, 1e-4);
  EXPECT_NEAR(y[1].min().item<double>(), -100.0, 1e-4);  // amin, above −60 − 80
  EXPECT_NEAR(y[1].max().item<double>(), -60.0, 1e-4);
  EXPECT_EQ(y.scalar_type(), torch::kFloat32);
  // Whole-array max (librosa on the batch) would give snippet 1 the floor −80 instead.
  const auto whole = power_to_db(p.reshape({-1}), 1.0, 1e-10, 80.0);
  EXPECT_NEAR(whole.min().item<double>(), -80.0, 1e-4);
}

TEST(PowerToDb, WithoutTopDbSilenceReachesTheAminFloor) {
  const auto y = power_to_db(torch::zeros({4, 5}), 1.0, 1e-10, std::nullopt);
  EXPECT_TRUE(torch::allclose(y, torch::full({4, 5}, -100.0f)));
  const auto z = power_to_db(torch::zeros({4, 5}), 1.0, 1e-10, 80.0);
  EXPECT_TRUE(torch::allclose(z, torch::full({4, 5}, -100.0f)));
}

TEST(PowerToDb, ZeroTopDbFlattensToTheMaxAsLibrosa) {
  const auto y = power_to_db(f64({1.0, 10.0, 100.0}), 1.0, 1e-10, 0.0);
  EXPECT_TRUE(torch::allclose(y, f64({20.0, 20.0, 20.0})));
}

TEST(PowerToDb, MaxRefPutsEachSnippetsPeakAtZero) {
  auto p = torch::rand({3, 8, 8}, torch::TensorOptions().dtype(torch::kFloat64)) * torch::tensor({1.0, 1e3, 1e-3}).view({3, 1, 1});
  const auto y = power_to_db_max_ref(p, 1e-10, std::nullopt);
  EXPECT_TRUE(torch::allclose(y.amax({1, 2}), torch::zeros({3}, torch::kFloat64), 0.0, 1e-12));
}

TEST(PowerToDb, EmptyInputGivesEmptyOutput) {
  EXPECT_EQ(power_to_db(torch::zeros({0, 128, 4})).numel(), 0);
  EXPECT_EQ(power_to_db_max_ref(torch::zeros({0})).numel(), 0);
}

TEST(DbToPower, InvertsPowerToDbWhereNoFloorApplied) {
  const auto p = f64({1e-9, 1e-3, 0.5, 1.0, 7.0, 1e4});
  EXPECT_TRUE(torch::allclose(db_to_power(power_to_db(p, 1.0, 1e-10, std::nullopt)), p, 1e-12, 0.0));
  EXPECT_TRUE(torch::allclose(db_to_power(power_to_db(p, 2.0, 1e-10, std::nullopt), 2.0), p, 1e-12, 0.0));
  EXPECT_NEAR(db_to_power(f64({-100.0}))[0].item<double>(), 1e-10, 1e-22);
}

TEST(NormaliseDb, MapsTheFloorToZeroAndTheCeilingToOne) {
  const auto db = f64({-100.0, 0.0, 100.0, 20.0});
  EXPECT_TRUE(torch::allclose(normalise_db(db), f64({0.0, 0.5, 1.0, 0.6})));
  EXPECT_TRUE(torch::allclose(denormalise_db(normalise_db(db)), db));
  EXPECT_TRUE(torch::allclose(normalise_db(f64({-60.0, -20.0}), -60.0, -20.0), f64({0.0, 1.0})));
  EXPECT_TRUE(torch::allclose(normalise_db(f64({-120.0})), f64({-0.1})));  // no clipping
}

TEST(NormaliseDb, RefusesAnEmptyRange) {
  EXPECT_THROW(normalise_db(f64({0.0}), 10.0, 10.0), SettingsError);
  EXPECT_THROW(denormalise_db(f64({0.0}), 10.0, -10.0), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
