#include "report/report.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "report/fake_session.hpp"
#include "report/mel_image.hpp"
#include "report/png.hpp"
#include "report/session_reader.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
bool is_png(const std::string& bytes) { return bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0; }

TEST(Report, ListsEverySongWithARelativeAudioPlayerAndAMelImage) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  const auto summary = report::write_report(dir.path());
  ASSERT_TRUE(fs::exists(dir / "report/index.html"));
  EXPECT_EQ(summary.songs, 3);
  EXPECT_EQ(summary.images_drawn, 3);
  const auto html = read_file(dir / "report/index.html");
  for (const char* wav : {"0000_Valerio_human", "0001_Dennis_imitation", "0002_Valerio_variation"}) {
    EXPECT_TRUE(contains(html, fmt::format("<audio controls preload=\"metadata\" src=\"../songs/{}.wav\">", wav))) << wav;
  }
  for (int n = 0; n < 3; ++n) {
    const auto png = fmt::format("mel/{:04d}.png", n);
    EXPECT_TRUE(contains(html, "src=\"" + png + "\"")) << png;
    EXPECT_TRUE(is_png(read_file(dir / "report" / png))) << png;
  }
  EXPECT_TRUE(contains(html, "<a href=\"#song-0\">0</a>"));  // song 1's parent links to song 0
  EXPECT_TRUE(contains(html, "human excerpt"));
  EXPECT_TRUE(contains(html, "σ 0.5"));
}

TEST(Report, NeedsNoNetworkAndEmbedsTheChartingLibrary) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  report::write_report(dir.path());
  const auto html = read_file(dir / "report/index.html");
  EXPECT_TRUE(contains(html, "Chart.js v4"));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(<(script|link|img|audio)[^>]*(src|href)="(https?:)?//)")));
  EXPECT_FALSE(contains(html, "<script src"));
}

TEST(Report, EscapesTextFromTheSessionInMarkupAndScript) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  report::write_report(dir.path());
  const auto html = read_file(dir / "report/index.html");
  EXPECT_TRUE(contains(html, "DubiSchubiDu &lt;&amp;&gt;"));
  EXPECT_TRUE(contains(html, "Ave &lt;/script&gt; Maria"));
  EXPECT_FALSE(contains(html, "Ave </script>"));
  EXPECT_EQ(report::json_for_script(nlohmann::json("</script><!--")), "\"\\u003c/script>\\u003c!--\"");
  EXPECT_EQ(report::html_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST(Report, AnUnfinishedSessionIsMarkedAndItsHalfWrittenLineReported) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  const auto summary = report::write_report(dir.path());
  EXPECT_FALSE(summary.session_finished);
  const auto html = read_file(dir / "report/index.html");
  EXPECT_TRUE(contains(html, "not finished"));
  EXPECT_TRUE(contains(html, "events.jsonl line 11 is not a complete JSON object"));
  EXPECT_TRUE(contains(html, "no event logged"));  // song 2 has a sidecar and a WAV but no event
}

TEST(Report, AFinishedSessionSaysSo) {
  test::TempDir dir;
  test::make_fake_session(dir.path(), /*finished=*/true);
  const auto summary = report::write_report(dir.path());
  EXPECT_TRUE(summary.session_finished);
  EXPECT_TRUE(contains(read_file(dir / "report/index.html"), "finished after 2 rounds"));
}

TEST(Report, PageDataCarriesMapsMeasuresListensAndHistories) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  const auto session = report::read_session(dir.path());
  EXPECT_EQ(session.agents, (std::vector<std::string>{"Valerio", "Dennis"}));
  EXPECT_EQ(session.measures.size(), 4u);
  EXPECT_EQ(session.map["Valerio"]["reference"].size(), 40u);
  ASSERT_TRUE(session.histories.contains("Valerio"));
  EXPECT_EQ(session.histories["Valerio"]["ml1"].size(), 5u);
  EXPECT_FALSE(session.histories.contains("Dennis"));  // its folder holds no history: skipped quietly
  ASSERT_EQ(session.songs.size(), 3u);
  EXPECT_TRUE(session.songs[2].has_sidecar);
  EXPECT_FALSE(session.songs[2].has_event);
  EXPECT_EQ(session.songs[1].info["map"]["Dennis"].size(), 3u);
}

TEST(Report, AnEmptyFolderGivesAReportSayingNothingWasSungYet) {
  test::TempDir dir;
  const auto summary = report::write_report(dir.path());
  EXPECT_EQ(summary.songs, 0);
  const auto html = read_file(dir / "report/index.html");
  EXPECT_TRUE(contains(html, "No song has been sung yet"));
  EXPECT_TRUE(contains(html, "events.jsonl is missing"));
}

TEST(Report, AMissingFolderIsAnInputError) {
  test::TempDir dir;
  EXPECT_THROW(report::write_report(dir / "nope"), InputError);
}

TEST(Report, ADamagedWavOrSidecarLeavesTheSongListedWithoutAPicture) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  test::write_text_file(dir / "songs/0001_Dennis_imitation.wav", "RIFF half a header");
  test::write_text_file(dir / "songs/0000_Valerio_human.json", "{\"song\": 0, \"map\": ");
  test::write_text_file(dir / "map.json", "{\"agents\": ");
  const auto summary = report::write_report(dir.path());
  EXPECT_EQ(summary.songs, 3);
  EXPECT_EQ(summary.images_drawn, 2);
  const auto html = read_file(dir / "report/index.html");
  EXPECT_TRUE(contains(html, "song 1: no spectrogram"));
  EXPECT_TRUE(contains(html, "0000_Valerio_human.json is not valid JSON"));
  EXPECT_TRUE(contains(html, "map.json is not a valid latent map"));
}

TEST(Report, ASecondRunKeepsUpToDateImages) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  report::write_report(dir.path());
  const auto again = report::write_report(dir.path());
  EXPECT_EQ(again.images_drawn, 0);
  EXPECT_EQ(again.images_kept, 3);
  report::ReportOptions redraw;
  redraw.redraw_images = true;
  EXPECT_EQ(report::write_report(dir.path(), redraw).images_drawn, 3);
}

TEST(Report, JsonLinesSkipBlankAndBrokenLines) {
  std::vector<std::string> warnings;
  const auto lines = report::parse_json_lines("{\"a\":1}\n\n[1]\n{\"b\":2}\n{\"c\"", "x.jsonl", warnings);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["b"], 2);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "x.jsonl line 3 is not a complete JSON object (skipped)");
}

TEST(MelImage, PutsLowBandsAtTheBottomAndLoudBinsBrighter) {
  auto db = torch::full({4, 3}, -100.0f);
  db[0][1] = 0.0f;  // lowest band, middle frame: the loudest
  const auto image = report::mel_db_to_image(db);
  ASSERT_EQ(image.width, 3);
  ASSERT_EQ(image.height, 4);
  auto brightness = [&](int x, int y) {
    const auto* p = &image.rgb[(static_cast<std::size_t>(y) * 3 + x) * 3];
    return p[0] + p[1] + p[2];
  };
  EXPECT_GT(brightness(1, 3), brightness(1, 0));
  EXPECT_GT(brightness(1, 3), brightness(0, 3));
  EXPECT_THROW(report::mel_db_to_image(torch::zeros({3})), ShapeError);
}

TEST(MelImage, OfAToneIsAPngWithOneRowPerMelBand) {
  test::TempDir dir;
  test::write_tone(dir / "tone.wav", 0.5, 440.0);
  const auto png = report::mel_png_of_audio(dir / "tone.wav");
  ASSERT_TRUE(is_png(png));
  // IHDR: width and height, big-endian, at bytes 16..23.
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<unsigned>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(be32(20), 128u);
  EXPECT_EQ(be32(16), 1u + 11025u / 690u);  // centred frames of 0.5 s at 22.05 kHz, hop 690
  EXPECT_THROW(report::mel_png_of_audio(dir / "missing.wav"), AudioError);
}

TEST(Png, RefusesABufferOfTheWrongSize) {
  EXPECT_THROW(report::encode_png_rgb(2, 2, std::vector<std::uint8_t>(11)), InputError);
  EXPECT_TRUE(is_png(report::encode_png_rgb(2, 2, std::vector<std::uint8_t>(12, 200))));
}

TEST(ReportCli, WritesTheReportAndNamesIt) {
  test::TempDir dir;
  test::make_fake_session(dir.path(), true);
  const auto r = test::run_command(test::cli_path().string() + " report --session " + dir.path().string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "index.html: 3 songs")) << r.output;
  EXPECT_TRUE(fs::exists(dir / "report/index.html"));
  const auto missing = test::run_command(test::cli_path().string() + " report --session " + (dir / "nope").string());
  EXPECT_EQ(missing.exit_code, 4) << missing.output;
}

}  // namespace
}  // namespace mh
