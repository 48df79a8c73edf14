#include "corpus/ingest.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio/write_wav.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "corpus_test_util.hpp"
#include "dsp/front_end.hpp"
#include "dsp/snippets.hpp"
#include "support/paths.hpp"

namespace mh::corpus {
namespace {

namespace fs = std::filesystem;

/// A tiny front end: 8 kHz, 16 mel bands, 0.25-s snippets of 16 frames.
dsp::FrontEndSettings tiny_front_end() {
  dsp::FrontEndSettings f;
  f.mel.sample_rate_hz = 8000;
  f.mel.stft.n_fft = 256;
  f.mel.stft.win_length = 256;
  f.mel.stft.hop_length = 128;
  f.mel.n_mels = 16;
  f.mel.fmax_hz = 4000;
  f.snippet.seconds = 0.25;
  f.snippet.silence_window_seconds = 0.05;
  return f;
}

StoreShape tiny_shape() { return {16, tiny_front_end().frames()}; }

torch::Tensor tone(double freq_hz, int rate_hz, double seconds, double amplitude = 0.3) {
  const auto t = torch::arange(static_cast<int64_t>(std::llround(seconds * rate_hz)), torch::kFloat64) / rate_hz;
  return (amplitude * torch::sin(2 * M_PI * freq_hz * t)).to(torch::kFloat32);
}

void write_tone(const fs::path& path, double freq_hz, double seconds, int rate_hz = 8000) {
  audio::write_wav(path, tone(freq_hz, rate_hz, seconds), rate_hz);
}

const FileReport& line_for(const IngestReport& r, const fs::path& path) {
  for (const auto& f : r.files) {
    if (f.path == path) return f;
  }
  throw std::runtime_error("no report line for " + path.string());
}

struct IngestFixture : ::testing::Test {
  mh::test::TempDir dir;
  fs::path songs = dir / "songs";
  SnippetStore store = SnippetStore::create(dir / "store", tiny_shape());
  void SetUp() override { fs::create_directories(songs); }
  IngestReport run(const std::vector<fs::path>& inputs, IngestSettings s = {}) {
    return ingest(store, inputs, tiny_front_end(), s);
  }
};

TEST_F(IngestFixture, EverySongIsStoredWithHumanProvenanceAndASplit) {
  write_tone(songs / "a.wav", 440, 1.0);
  write_tone(songs / "b.wav", 660, 1.0);
  write_tone(songs / "c.wav", 880, 1.0);
  const auto report = run({songs});
  EXPECT_EQ(report.songs_added(), 3);
  EXPECT_EQ(report.snippets_added(), 12);  // 1 s of 0.25-s snippets each
  EXPECT_EQ(report.refused(), 0);
  EXPECT_EQ(store.size(), 12);
  std::set<Split> sides;
  const auto reopened = SnippetStore::open(dir / "store");
  for (const auto& song : reopened.manifest().songs()) {
    EXPECT_EQ(song.provenance.origin, "human");
    EXPECT_EQ(song.provenance.kind, SongKind::kHuman);
    EXPECT_EQ(song.provenance.depth, 0);
    EXPECT_EQ(song.provenance.round, -1);
    EXPECT_EQ(song.record.content_hash, fnv1a64(read_file(song.record.source)));
    EXPECT_NEAR(song.record.duration_s, 1.0, 1e-3);
    EXPECT_DOUBLE_EQ(song.record.snippet_seconds, 0.25);
    sides.insert(song.provenance.split);
  }
  EXPECT_EQ(sides.size(), 3u);  // three songs: one on each side
}

TEST_F(IngestFixture, StoredSnippetsAreTheFrontEndsNormalisedMel) {
  write_tone(songs / "a.wav", 500, 0.6);
  run({songs / "a.wav"});
  const auto f = tiny_front_end();
  const auto signal = tone(500, 8000, 0.6);
  const auto kept = dsp::remove_silence(signal, f.snippet.silence_window_samples(8000), f.snippet.silence_threshold_dbfs);
  const auto expected = dsp::MelFrontEnd(f.mel).normalised(dsp::cut_snippets(kept, 2000));
  const auto stored = store.read(store.ids(Split::kTrain)).squeeze(1);
  ASSERT_EQ(stored.sizes(), expected.sizes());
  // 16-bit WAV samples, then 16-bit storage.
  EXPECT_LT((stored - expected).abs().max().item<double>(), 2e-3);
}

TEST_F(IngestFixture, AnEmptyFolderIsReported) {
  const auto report = run({songs});
  ASSERT_EQ(report.files.size(), 1u);
  EXPECT_EQ(report.files[0].status, FileStatus::kEmptyFolder);
  EXPECT_EQ(store.size(), 0);
}

TEST_F(IngestFixture, AllSilentAudioIsRefusedAsSilent) {
  audio::write_wav(songs / "quiet.wav", torch::zeros({8000}), 8000);
  const auto report = run({songs});
  EXPECT_EQ(line_for(report, songs / "quiet.wav").status, FileStatus::kSilent);
  EXPECT_NE(line_for(report, songs / "quiet.wav").reason.find("dBFS"), std::string::npos);
  EXPECT_EQ(store.size(), 0);
}

TEST_F(IngestFixture, MixedSampleRatesAreResampledToTheAgentsRate) {
  write_tone(songs / "low.wav", 440, 1.0, 22050);
  write_tone(songs / "high.wav", 440, 1.0, 48000);
  const auto report = run({songs});
  EXPECT_EQ(report.songs_added(), 2);
  EXPECT_EQ(line_for(report, songs / "low.wav").n_snippets, 4);
  EXPECT_EQ(line_for(report, songs / "high.wav").n_snippets, 4);
  EXPECT_NEAR(line_for(report, songs / "high.wav").duration_s, 1.0, 1e-3);
}

TEST_F(IngestFixture, ASongShorterThanOneSnippetIsPaddedNotDropped) {
  write_tone(songs / "short.wav", 440, 0.15);
  const auto report = run({songs});
  const auto& line = line_for(report, songs / "short.wav");
  EXPECT_EQ(line.status, FileStatus::kTaken);
  EXPECT_EQ(line.n_snippets, 1);
  EXPECT_EQ(store.size(), 1);
}

TEST_F(IngestFixture, AudioBelowTheMinimumLengthIsRefusedAsTooShort) {
  write_tone(songs / "blip.wav", 440, 0.15);
  IngestSettings s;
  s.min_seconds = 0.5;
  const auto report = run({songs}, s);
  EXPECT_EQ(line_for(report, songs / "blip.wav").status, FileStatus::kTooShort);
  EXPECT_EQ(store.size(), 0);
}

TEST_F(IngestFixture, NonAudioAndUndecodableFilesAreReportedAndSkipped) {
  write_tone(songs / "song.wav", 440, 0.5);
  std::ofstream(songs / "notes.txt") << "lyrics";
  std::ofstream(songs / "broken.wav") << "not really a wave file";
  std::ofstream(songs / ".DS_Store") << "x";
  const auto report = run({songs});
  EXPECT_EQ(report.files.size(), 4u);
  EXPECT_EQ(line_for(report, songs / "song.wav").status, FileStatus::kTaken);
  EXPECT_EQ(line_for(report, songs / "notes.txt").status, FileStatus::kNotAudio);
  EXPECT_EQ(line_for(report, songs / ".DS_Store").status, FileStatus::kHidden);
  const auto& broken = line_for(report, songs / "broken.wav");
  EXPECT_EQ(broken.status, FileStatus::kUnreadable);
  EXPECT_NE(broken.reason.find("broken.wav"), std::string::npos) << broken.reason;
  EXPECT_EQ(report.songs_added(), 1);
}

TEST_F(IngestFixture, ReingestingTheSameContentIsReportedAsDuplicate) {
  write_tone(songs / "a.wav", 440, 0.5);
  EXPECT_EQ(run({songs / "a.wav"}).songs_added(), 1);
  fs::copy_file(songs / "a.wav", songs / "copy.wav");
  const auto again = run({songs / "a.wav", songs / "copy.wav"});
  EXPECT_EQ(again.songs_added(), 0);
  EXPECT_EQ(line_for(again, songs / "a.wav").status, FileStatus::kDuplicate);
  EXPECT_NE(line_for(again, songs / "copy.wav").reason.find("stored song 0 'a'"), std::string::npos);
  EXPECT_EQ(store.size(), 2);

  write_tone(songs / "b.wav", 550, 0.5);
  fs::copy_file(songs / "b.wav", songs / "b_copy.wav");
  const auto twice = run({songs / "b.wav", songs / "b_copy.wav"});
  EXPECT_EQ(twice.songs_added(), 1);
  EXPECT_NE(line_for(twice, songs / "b_copy.wav").reason.find("in this ingest"), std::string::npos);
}

TEST_F(IngestFixture, AnIngestStoppedPartWayLeavesTheStoreAsItWas) {
  write_tone(songs / "first.wav", 440, 0.5);
  run({songs / "first.wav"});
  const auto manifest_before = read_file(dir / "store" / "manifest.json");
  write_tone(songs / "a.wav", 550, 0.5);
  write_tone(songs / "b.wav", 660, 0.5);
  int seen = 0;
  const IngestProgress stop_after_first = [&](const FileReport&, std::size_t, std::size_t) {
    if (++seen == 1) throw InterruptedError("stopped");
  };
  EXPECT_THROW(ingest(store, {songs / "a.wav", songs / "b.wav"}, tiny_front_end(), {}, stop_after_first),
               InterruptedError);
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(read_file(dir / "store" / "manifest.json"), manifest_before);
  EXPECT_EQ(SnippetStore::open(dir / "store").size(), 2);
  // The same store object carries on: the interrupted songs are not duplicates of anything.
  EXPECT_EQ(run({songs / "a.wav", songs / "b.wav"}).songs_added(), 2);
  EXPECT_EQ(SnippetStore::open(dir / "store").size(), 6);
}

TEST_F(IngestFixture, AMissingPathIsReported) {
  const auto report = run({songs / "nope"});
  ASSERT_EQ(report.files.size(), 1u);
  EXPECT_EQ(report.files[0].status, FileStatus::kMissing);
}

TEST_F(IngestFixture, TheReportReadsAsJsonAndAsATable) {
  write_tone(songs / "a.wav", 440, 0.5);
  std::ofstream(songs / "notes.txt") << "x";
  const auto report = run({songs});
  const auto j = nlohmann::json::parse(report.to_json());
  EXPECT_EQ(j.at("songs_added").get<int>(), 1);
  EXPECT_EQ(j.at("refused").get<int>(), 1);
  ASSERT_EQ(j.at("files").size(), 2u);
  EXPECT_EQ(j.at("files")[0].at("status").get<std::string>(), "taken");
  EXPECT_EQ(j.at("files")[0].at("n_snippets").get<int>(), 2);
  EXPECT_EQ(j.at("files")[1].at("status").get<std::string>(), "not audio");
  const auto table = report.to_table();
  EXPECT_NE(table.find("not audio"), std::string::npos) << table;
  EXPECT_NE(table.find("1 songs (2 snippets) added, 1 refused or skipped"), std::string::npos) << table;
}

TEST_F(IngestFixture, AStoreOfAnotherSnippetShapeIsRefused) {
  auto other = SnippetStore::create(dir / "other", StoreShape{128, 128});
  write_tone(songs / "a.wav", 440, 0.5);
  mh::corpus::test::expect_dataset_error([&] { ingest(other, {songs}, tiny_front_end(), {}); },
                                         "the store holds 128x128 snippets but the front end makes 16x16");
}

TEST_F(IngestFixture, StemsChangeWhatIsStored) {
  auto signal = tone(440, 8000, 1.0);
  for (int64_t c = 1000; c < 8000; c += 2000) signal[c] += 0.9f;
  audio::write_wav(songs / "mix.wav", signal, 8000);
  IngestSettings harmonic;
  harmonic.stem = dsp::Stem::kHarmonic;
  EXPECT_EQ(run({songs}, harmonic).songs_added(), 1);
  auto all_store = SnippetStore::create(dir / "all", tiny_shape());
  EXPECT_EQ(ingest(all_store, {songs}, tiny_front_end(), {}).songs_added(), 1);
  ASSERT_EQ(store.size(), all_store.size());
  const auto a = store.read({0, 1, 2, 3});
  const auto b = all_store.read({0, 1, 2, 3});
  EXPECT_GT((a - b).abs().max().item<double>(), 0.01);
}

}  // namespace
}  // namespace mh::corpus
