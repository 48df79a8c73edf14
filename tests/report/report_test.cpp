#include "report/report.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "report/fake_session.hpp"
#include "report/mel_image.hpp"
#include "report/colour_map.hpp"
#include "report/png.hpp"
#include "report/png_decode.hpp"
#include "report/session_reader.hpp"
#include "report/song_images.hpp"
#include "report/sound_session.hpp"
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
  EXPECT_TRUE(contains(html, "answers <a href=\"#song-0\">0</a>"));  // song 1's parent links to song 0
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

/// Song 0's WAV removed by the songs cap, as the conversation logs it.
void prune_first_song(const fs::path& session) {
  fs::remove(session / "songs/0000_Valerio_human.wav");
  std::ofstream(session / "events.jsonl", std::ios::app)
      << "\n{\"seq\": 50, \"time\": \"2026-01-01T00:00:00Z\", \"type\": \"songs_pruned\", "
         "\"wavs\": [\"0000_Valerio_human.wav\"], \"bytes_freed\": 44100, \"songs_bytes\": 100, "
         "\"songs_max_mb\": 0.1, \"line\": \"songs folder over 0.1 MB\"}\n";
}

TEST(Report, ASongWhoseAudioTheCapRemovedKeepsItsPictureAndIsNotAProblem) {
  test::TempDir dir;
  test::make_fake_session(dir.path(), /*finished=*/true);
  report::write_report(dir.path());
  prune_first_song(dir.path());
  const auto session = report::read_session(dir.path());
  ASSERT_EQ(session.songs.size(), 3u);
  EXPECT_TRUE(session.songs[0].pruned);
  EXPECT_FALSE(session.songs[1].pruned);
  for (const auto& w : session.warnings) EXPECT_EQ(w.find("song 0 has no audio file"), std::string::npos) << w;
  ASSERT_EQ(session.notes.size(), 1u);
  EXPECT_TRUE(contains(session.notes[0], "removed the audio of 1 older songs"));
  const auto summary = report::write_report(dir.path());
  EXPECT_EQ(summary.images_kept, 3);  // song 0's picture from before stays
  const auto html = read_file(dir / "report/index.html");
  EXPECT_TRUE(contains(html, "audio removed by the songs cap"));
  EXPECT_TRUE(contains(html, "src=\"mel/0000.png\""));
}

TEST(Report, PicturesDrawnBeforeTheCapRemovesWavsSurviveThem) {
  test::TempDir dir;
  test::make_fake_session(dir.path(), /*finished=*/true);
  const auto wav = dir / "songs/0000_Valerio_human.wav";
  const auto drawn = report::draw_images_before_removal(dir.path(), {wav});
  EXPECT_EQ(drawn.drawn, 1);
  EXPECT_TRUE(is_png(read_file(dir / "report/mel/0000.png")));
  prune_first_song(dir.path());
  const auto summary = report::write_report(dir.path());
  EXPECT_EQ(summary.images_drawn + summary.images_kept, 3);
  EXPECT_TRUE(contains(read_file(dir / "report/index.html"), "src=\"mel/0000.png\""));
}

TEST(Report, APageOfTheNewestSongsSaysHowManyAreLeftOutAndKeepsTheRange) {
  test::TempDir dir;
  test::make_fake_session(dir.path(), /*finished=*/true);
  const auto all = report::read_session(dir.path());
  const auto whole = report::draw_song_images(all, dir / "report", false);
  const auto newest = report::newest_songs(all, 1);
  ASSERT_EQ(newest.songs.size(), 1u);
  EXPECT_EQ(newest.songs[0].number, 2);
  EXPECT_EQ(newest.songs_left_out, 2);
  EXPECT_EQ(report::newest_songs(all, 0).songs.size(), 3u);
  EXPECT_EQ(report::newest_songs(all, 5).songs_left_out, 0);
  // Read that way, only the newest songs' sidecars are read: a broken older one goes unnoticed.
  test::write_text_file(dir / "songs/0000_Valerio_human.json", "{\"song\": 0, \"map\": ");
  const auto read_newest = report::read_session(dir.path(), 1);
  ASSERT_EQ(read_newest.songs.size(), 1u);
  EXPECT_EQ(read_newest.songs_left_out, 2);
  EXPECT_TRUE(read_newest.songs[0].has_sidecar);
  for (const auto& w : read_newest.warnings) EXPECT_EQ(w.find("0000_Valerio_human.json"), std::string::npos) << w;
  EXPECT_EQ(read_newest.songs[0].info, newest.songs[0].info);
  // Only the shown song is looked at; the range stays the whole session's.
  const auto window = report::draw_song_images(newest, dir / "report", false);
  EXPECT_EQ(window.paths.size(), 1u);
  EXPECT_DOUBLE_EQ(window.range.top_db, whole.range.top_db);
  const auto html = report::render_html(newest, window.paths, window.range);
  EXPECT_TRUE(contains(html, "<li>Songs: 3</li>"));
  EXPECT_TRUE(contains(html, "The newest 1 songs; 2 older ones"));
  EXPECT_TRUE(contains(html, "answers song 1, older than the songs shown here"));
  EXPECT_FALSE(contains(html, "id=\"song-0\""));
}

TEST(ReportImages, OutOfTimeLeavesTheRestToTheNextReportAndSaysSo) {
  test::TempDir dir;
  test::make_fake_session(dir.path(), /*finished=*/true);
  const auto session = report::read_session(dir.path());
  const auto hurried = report::draw_song_images(session, dir / "report", false, 1e-9);
  EXPECT_EQ(hurried.drawn, 0);
  EXPECT_EQ(hurried.left, 3);
  ASSERT_EQ(hurried.warnings.size(), 1u);
  EXPECT_TRUE(contains(hurried.warnings[0], "3 older songs have no spectrogram yet")) << hurried.warnings[0];
  report::ReportOptions options;
  options.image_seconds = 1e-9;
  EXPECT_EQ(report::write_report(dir.path(), options).images_left, 3);
  const auto later = report::draw_song_images(session, dir / "report", false);
  EXPECT_EQ(later.drawn, 3);
  EXPECT_EQ(later.left, 0);
  EXPECT_EQ(report::draw_song_images(session, dir / "report", false).kept, 3);
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
  const auto image = report::mel_db_to_image(db, report::DbRange{0, 80});
  ASSERT_EQ(image.width, 3);
  ASSERT_EQ(image.height, 4);
  auto brightness = [&](int x, int y) {
    const auto* p = &image.rgb[(static_cast<std::size_t>(y) * 3 + x) * 3];
    return p[0] + p[1] + p[2];
  };
  EXPECT_GT(brightness(1, 3), brightness(1, 0));
  EXPECT_GT(brightness(1, 3), brightness(0, 3));
  EXPECT_THROW(report::mel_db_to_image(torch::zeros({3}), report::DbRange{}), ShapeError);
  EXPECT_THROW(report::mel_db_to_image(db, report::DbRange{0, 0}), InputError);
}

TEST(MelImage, TheRangeIsFixedNotStretchedToEachPicture) {
  // The same shape 40 dB quieter must come out darker: a per-picture scale would draw both alike.
  auto loud = torch::full({2, 2}, -100.0f);
  loud[0][0] = 0.0f;
  const auto quiet = loud - 40.0f;
  const report::DbRange range{0, 80};
  const auto a = report::mel_db_to_image(loud, range);
  const auto b = report::mel_db_to_image(quiet, range);
  const auto at = [](const report::RgbImage& im, int x, int y) { return &im.rgb[(static_cast<std::size_t>(y) * 2 + x) * 3]; };
  EXPECT_GT(at(a, 0, 1)[0] + at(a, 0, 1)[1] + at(a, 0, 1)[2], at(b, 0, 1)[0] + at(b, 0, 1)[1] + at(b, 0, 1)[2] + 100);
  const auto top = report::magma(1.0);
  const auto bottom = report::magma(0.0);
  EXPECT_TRUE(std::equal(top.begin(), top.end(), at(a, 0, 1)));      // the peak: the bright end
  EXPECT_TRUE(std::equal(bottom.begin(), bottom.end(), at(a, 1, 1)));  // -100 dB, below the range
}

TEST(MelImage, SilenceIsAlwaysAtTheDarkEnd) {
  EXPECT_DOUBLE_EQ(report::silence_db(), -100.0);
  EXPECT_DOUBLE_EQ(report::session_db_range(12.34).top_db, 12.4);  // rounded up to 0.1 dB
  EXPECT_DOUBLE_EQ(report::session_db_range(12.34).bottom_db(), 12.4 - 80);
  // A session of near-silence: the top stays range_db above silence, never at it.
  EXPECT_DOUBLE_EQ(report::session_db_range(-100.0).top_db, -20.0);
  EXPECT_DOUBLE_EQ(report::session_db_range(-INFINITY).top_db, -20.0);
  EXPECT_THROW(report::session_db_range(0, -1), InputError);
}

TEST(MelImage, MagmaRunsFromNearBlackToPaleYellowGettingBrighter) {
  EXPECT_EQ(report::magma(0.0), (std::array<std::uint8_t, 3>{0, 0, 4}));
  EXPECT_EQ(report::magma(1.0), (std::array<std::uint8_t, 3>{252, 253, 191}));
  EXPECT_EQ(report::magma(-3.0), report::magma(0.0));
  EXPECT_EQ(report::magma(NAN), report::magma(0.0));
  double last = -1;
  for (int i = 0; i <= 100; ++i) {
    const auto c = report::magma(i / 100.0);
    const double luma = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    EXPECT_GT(luma, last) << i;
    last = luma;
  }
  EXPECT_TRUE(contains(report::magma_css_gradient(), "rgb(0,0,4) 0.0%"));
  EXPECT_TRUE(contains(report::magma_css_gradient(), "rgb(252,253,191) 100.0%"));
}

TEST(MelImage, OfAToneHasOneRowPerMelBand) {
  test::TempDir dir;
  test::write_tone(dir / "tone.wav", 0.5, 440.0);
  const auto db = report::mel_db_of_audio(dir / "tone.wav");
  ASSERT_EQ(db.dim(), 2);
  EXPECT_EQ(db.size(0), 128);
  EXPECT_EQ(db.size(1), 1 + 11025 / 690);  // centred frames of 0.5 s at 22.05 kHz, hop 690
  const auto png = test::decode_png(report::mel_png(db, report::session_db_range(db.max().item<double>())));
  EXPECT_EQ(png.height, 128);
  EXPECT_EQ(png.width, 1 + 11025 / 690);
  EXPECT_THROW(report::mel_db_of_audio(dir / "missing.wav"), AudioError);
}

TEST(ReportImages, SilenceToneAndNoiseLookDifferent) {
  test::TempDir dir;
  test::make_sound_session(dir.path());
  const auto summary = report::write_report(dir.path());
  ASSERT_EQ(summary.images_drawn, 3);
  std::vector<test::DecodedPng> png;
  for (int n = 0; n < 3; ++n) png.push_back(test::decode_png(read_file(dir / fmt::format("report/mel/{:04d}.png", n))));
  const auto dark = report::magma(0.0);
  // Silence: every pixel the colour map's low end.
  for (std::size_t i = 0; i < png[0].rgb.size(); i += 3) {
    ASSERT_TRUE(std::equal(dark.begin(), dark.end(), png[0].rgb.begin() + i)) << "pixel " << i / 3;
  }
  // The tone: bright harmonics over dark bands; the noise: bright everywhere.
  const double silence = png[0].mean_luma(), tone = png[1].mean_luma(), noise = png[2].mean_luma();
  EXPECT_GT(tone, silence + 20) << tone;
  EXPECT_GT(noise, tone + 20) << noise;
  EXPECT_GT(png[1].brightest_row_luma() - png[1].darkest_row_luma(), 120);  // a line per harmonic, not a wash
  EXPECT_LT(png[2].brightest_row_luma() - png[2].darkest_row_luma(), png[1].brightest_row_luma() - png[1].darkest_row_luma());
}

TEST(ReportImages, ALouderNewSongRedrawsEveryPictureOnTheNewRange) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  report::write_report(dir.path());
  const auto levels = nlohmann::json::parse(read_file(dir / "report/mel/levels.json"));
  EXPECT_EQ(levels["peaks"].size(), 3u);
  const double before = test::decode_png(read_file(dir / "report/mel/0000.png")).brightest_row_luma();
  // Song 2 becomes much louder (its WAV is newer than its picture): the range moves up and song 0,
  // untouched, is redrawn darker.
  const auto loud = (10.0 * test::sound("tone", 1.5, 22050)).clamp(-1, 1);
  audio::write_wav(dir / "songs/0002_Valerio_variation.wav", loud, 22050);
  const auto again = report::write_report(dir.path());
  EXPECT_EQ(again.images_drawn, 3);
  EXPECT_EQ(again.images_kept, 0);
  const double after = test::decode_png(read_file(dir / "report/mel/0000.png")).brightest_row_luma();
  EXPECT_LT(after, before - 10) << levels.dump() << read_file(dir / "report/mel/levels.json");
  EXPECT_GT(nlohmann::json::parse(read_file(dir / "report/mel/levels.json"))["top_db"].get<double>(),
            levels["top_db"].get<double>());
}

TEST(ReportImages, ADamagedLevelsFileIsRedrawnNotTrusted) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  report::write_report(dir.path());
  test::write_text_file(dir / "report/mel/levels.json", "{\"range_db\": ");
  EXPECT_EQ(report::write_report(dir.path()).images_drawn, 3);
  EXPECT_EQ(report::write_report(dir.path()).images_kept, 3);
}

TEST(ReportPage, ShowsEachSongBesideTheSongItAnswersAndAColourBar) {
  test::TempDir dir;
  test::make_fake_session(dir.path());
  report::write_report(dir.path());
  const auto html = read_file(dir / "report/index.html");
  const auto card = [&](int n) {
    const auto from = html.find(fmt::format("<article id=\"song-{}\"", n));
    return from == std::string::npos ? std::string() : html.substr(from, html.find("</article>", from) - from);
  };
  EXPECT_TRUE(contains(card(1), "<img class=\"mel-thumb\" src=\"mel/0000.png\"")) << card(1);
  EXPECT_TRUE(contains(card(1), "<img class=\"mel\" src=\"mel/0001.png\"")) << card(1);
  EXPECT_TRUE(contains(card(2), "<img class=\"mel-thumb\" src=\"mel/0001.png\"")) << card(2);
  EXPECT_FALSE(contains(card(0), "mel-thumb")) << card(0);
  EXPECT_TRUE(contains(card(0), "from the human corpus")) << card(0);
  // One time scale: the longest song (1.5 s) fills its box, the shortest (1 s) two thirds of it.
  EXPECT_TRUE(contains(card(2), "src=\"mel/0002.png\" alt=\"mel spectrogram of song 2\" style=\"width: 100.0%\""));
  EXPECT_TRUE(contains(card(0), "src=\"mel/0000.png\" alt=\"mel spectrogram of song 0\" style=\"width: 66.7%\""));
  EXPECT_TRUE(contains(html, "id=\"mel-colourbar\""));
  EXPECT_TRUE(contains(html, "−80</span>"));
  EXPECT_TRUE(contains(html, "0 dB</span>"));
  EXPECT_TRUE(contains(card(1), ">1k</span>"));  // the frequency axis
}

TEST(Png, RefusesABufferOfTheWrongSize) {
  EXPECT_THROW(report::encode_png_rgb(2, 2, std::vector<std::uint8_t>(11)), ShapeError);
  EXPECT_TRUE(is_png(report::encode_png_rgb(2, 2, std::vector<std::uint8_t>(12, 200))));
}

TEST(Png, APaletteImageDecodesToItsColoursAndRefusesIndicesOutsideIt) {
  const std::vector<std::array<std::uint8_t, 3>> palette{{0, 0, 0}, {255, 128, 7}};
  const auto bytes = report::encode_png_indexed(3, 2, {0, 1, 0, 1, 1, 0}, palette);
  const auto png = test::decode_png(bytes);
  ASSERT_EQ(png.width, 3);
  ASSERT_EQ(png.height, 2);
  EXPECT_EQ(png.rgb[3], 255);  // pixel (1, 0) is colour 1
  EXPECT_EQ(png.rgb[4], 128);
  EXPECT_EQ(png.rgb[5], 7);
  EXPECT_EQ(png.rgb[0], 0);
  EXPECT_THROW(report::encode_png_indexed(3, 2, {0, 1, 2, 0, 0, 0}, palette), ShapeError);
  EXPECT_THROW(report::encode_png_indexed(3, 2, {0, 1}, palette), ShapeError);
  EXPECT_THROW(report::encode_png_indexed(1, 1, {0}, {}), ShapeError);
}

TEST(MelImage, ThePictureIsTheColourScaleWithinAStepOfTheFullColourOne) {
  test::TempDir dir;
  test::write_tone(dir / "tone.wav", 0.5, 440.0);
  const auto db = report::mel_db_of_audio(dir / "tone.wav");
  const auto range = report::session_db_range(db.max().item<double>());
  const auto full = report::mel_db_to_image(db, range);
  const auto png = test::decode_png(report::mel_png(db, range));
  ASSERT_EQ(png.rgb.size(), full.rgb.size());
  int worst = 0;
  for (std::size_t i = 0; i < full.rgb.size(); ++i) worst = std::max(worst, std::abs(png.rgb[i] - full.rgb[i]));
  EXPECT_LE(worst, 4);  // 256 levels of an 80-dB scale: a step is 0.3 dB
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
