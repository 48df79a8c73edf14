#include "report/chain_section.hpp"

#include <gtest/gtest.h>

#include "core/files.hpp"
#include "report/fake_session.hpp"
#include "report/report.hpp"
#include "report/session_reader.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

bool page_has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

json chain_pass(int n, const char* singer, double original, double previous) {
  return {{"pass", n},
          {"singer", singer},
          {"wav", fmt::format("pass_{:02d}_{}.wav", n, singer)},
          {"original", {{"pitch_agreement", original}, {"chroma_similarity", 0.9 - 0.1 * n}}},
          {"previous", {{"pitch_agreement", previous}}}};
}

void write_chain(const fs::path& dir, const json& chain) {
  fs::create_directories(dir);
  test::write_text_file(dir / "chain.json", chain.dump());
}

json three_passes() {
  return {{"agents", {"Valerio", "Dennis"}},
          {"excerpt", "cs6-1pre.flac"},
          {"half_pass", 3},
          {"passes", {chain_pass(1, "Valerio", 0.6, 0.6), chain_pass(2, "Dennis", 0.4, 0.7), chain_pass(3, "Valerio", 0.25, 0.65)}}};
}

TEST(ReportChains, AChainInTheSessionIsReadDrawnAndPlayable) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  write_chain(dir / "chains/chain_01", three_passes());
  const auto s = report::read_session(dir.path());
  ASSERT_EQ(s.chains.size(), 1u);
  EXPECT_EQ(s.chains[0].at("name"), "chain_01");

  const auto html = report::chains_section(s);
  EXPECT_TRUE(page_has(html, "id=\"chain-chart-chain_01\"")) << html;
  EXPECT_TRUE(page_has(html, "src=\"../chains/chain_01/pass_02_Dennis.wav\"")) << html;
  EXPECT_TRUE(page_has(html, "half of the first pass's at pass 3")) << html;
  EXPECT_TRUE(page_has(html, "excerpt 40 %")) << html;

  const auto data = report::chains_data(s);
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("passes").size(), 3u);
  EXPECT_DOUBLE_EQ(data[0].at("passes")[2].at("original").at("pitch_agreement").get<double>(), 0.25);

  report::write_report(dir.path());
  const auto page = read_file(dir / "report/index.html");
  EXPECT_TRUE(page_has(page, "<section id=\"chains\">"));
  EXPECT_TRUE(page_has(page, "href=\"#chains\""));
  EXPECT_TRUE(page_has(page, "\"half_pass\":3"));
}

TEST(ReportChains, ASessionWithoutChainsHasNoChainSection) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  const auto s = report::read_session(dir.path());
  EXPECT_TRUE(s.chains.empty());
  EXPECT_EQ(report::chains_section(s), "");
  report::write_report(dir.path());
  EXPECT_FALSE(page_has(read_file(dir / "report/index.html"), "<section id=\"chains\">"));
}

TEST(ReportChains, ABrokenChainIsAWarningAndALinkedFolderIsNotFollowed) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  fs::create_directories(dir / "chains/chain_01");
  test::write_text_file(dir / "chains/chain_01/chain.json", "{\"passes\": [");
  test::TempDir outside;
  write_chain(outside.path(), three_passes());
  fs::create_directory_symlink(outside.path(), dir / "chains/chain_02");
  const auto s = report::read_session(dir.path());
  EXPECT_TRUE(s.chains.empty());
  bool warned = false;
  for (const auto& w : s.warnings) warned = warned || page_has(w, "chains/chain_01/chain.json");
  EXPECT_TRUE(warned);
}

TEST(ReportChains, APassWhoseFileNameLeavesTheFolderGetsNoPlayer) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  auto chain = three_passes();
  chain["passes"][0]["wav"] = "../../secret.wav";
  write_chain(dir / "chains/chain_01", chain);
  const auto html = report::chains_section(report::read_session(dir.path()));
  EXPECT_FALSE(page_has(html, "secret")) << html;
  EXPECT_TRUE(page_has(html, "no audio file")) << html;
}

TEST(ReportSongCards, ASongCardShowsTheNotesItKeptOfWhatItAnswers) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  auto events = read_file(dir / "events.jsonl");
  const std::string key = "\"kind\":\"imitation\"";
  const auto at = events.find(key);
  ASSERT_NE(at, std::string::npos);
  events.insert(at, "\"listening\":{\"pitch_agreement\":0.42,\"chroma_similarity\":0.61,\"onset_correlation\":0.7,"
                    "\"envelope_db\":2.5},");
  test::write_text_file(dir / "events.jsonl", events);
  report::write_report(dir.path());
  const auto page = read_file(dir / "report/index.html");
  EXPECT_TRUE(page_has(page, "pitch classes 42 % · chroma 0.61 · onsets r 0.70 · envelope 2.5 dB")) << page.size();
}

}  // namespace
}  // namespace mh
