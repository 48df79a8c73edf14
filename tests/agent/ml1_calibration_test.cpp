#include <gtest/gtest.h>

#include "agent/agent.hpp"
#include "agent_test_util.hpp"
#include "core/files.hpp"
#include "model/ml1_checkpoint.hpp"

namespace mh {
namespace {

namespace fs = std::filesystem;

// Rewrites ml1.ckpt as a checkpoint of before the statistics were re-estimated: no
// "batch_norm" entry and the moving averages of a short run (here: their initial values).
void make_old_checkpoint(const fs::path& path) {
  auto blob = model::unpack_checkpoint(read_file(path), model::kMl1Kind);
  blob.metadata.erase("batch_norm");
  blob.metadata["has_optimizer"] = false;  // the rewritten payload holds the model only
  auto loaded = model::load_ml1_checkpoint(read_file(path), torch::kCPU);
  for (auto& b : loaded.model->named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().zero_();
    if (b.key().find("running_var") != std::string::npos) b.value().fill_(1);
  }
  torch::serialize::OutputArchive root, model_archive;
  loaded.model->save(model_archive);
  root.write("model", model_archive);
  blob.payload = model::archive_bytes(root);
  write_file_atomic(path, model::pack_checkpoint(blob));
}

TEST(Ml1Calibration, ACheckpointFromBeforeTheReEstimationIsRecalibratedOnFirstUseAndSaved) {
  test::TempDir dir;
  test::copy_agent(test::TinyAgents::get().ml1(), dir / "a");
  const auto ckpt = dir / "a" / "ml1.ckpt";
  ASSERT_TRUE(model::load_ml1_checkpoint(read_file(ckpt), torch::kCPU).batch_norm_recalibrated);
  const auto good = model::load_ml1_checkpoint(read_file(ckpt), torch::kCPU);
  make_old_checkpoint(ckpt);
  ASSERT_FALSE(model::load_ml1_checkpoint(read_file(ckpt), torch::kCPU).batch_norm_recalibrated);

  auto a = agent::Agent::open(dir / "a");
  auto m = a.ml1();
  EXPECT_FALSE(m->is_training());
  const auto saved = model::load_ml1_checkpoint(read_file(ckpt), torch::kCPU);
  EXPECT_TRUE(saved.batch_norm_recalibrated);
  // The statistics come back to those the trainer estimated from the same snippets.
  const auto expected = good.model->named_buffers();
  for (const auto& b : saved.model->named_buffers()) {
    if (b.key().find("running_") == std::string::npos) continue;
    EXPECT_TRUE(torch::allclose(b.value(), expected[b.key()], 1e-4, 1e-5)) << b.key();
  }
}

}  // namespace
}  // namespace mh
