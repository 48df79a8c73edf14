#include "core/enum_words.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "corpus/manifest.hpp"

namespace mh {
namespace {

enum class Tide { kLow, kSlack, kHigh };
constexpr EnumWords<Tide, 3> kTideWords{{{"low", Tide::kLow}, {"slack", Tide::kSlack}, {"high", Tide::kHigh}}};

TEST(EnumWords, EveryValueRoundTripsThroughItsWord) {
  for (const auto& [word, value] : kTideWords) {
    EXPECT_EQ(word_of(kTideWords, value), word);
    EXPECT_EQ(find_word(kTideWords, word), value);
  }
  EXPECT_FALSE(find_word(kTideWords, "Low").has_value());
  EXPECT_EQ(allowed_words(kTideWords), "low, slack, high");
}

TEST(EnumWords, AnUnknownSettingWordNamesTheFieldTheWordAndTheChoices) {
  std::string what;
  try {
    parse_word(kTideWords, "spring", "sea.tide");
  } catch (const SettingsError& e) {
    what = e.what();
  }
  for (const char* part : {"sea.tide", "spring", "low, slack, high"}) {
    EXPECT_NE(what.find(part), std::string::npos) << "missing '" << part << "' in: " << what;
  }
  EXPECT_EQ(parse_word(kTideWords, "high", "sea.tide"), Tide::kHigh);
}

TEST(EnumWords, ManifestWordsReadBackAndRefuseStrangers) {
  for (const auto kind : {corpus::SongKind::kHuman, corpus::SongKind::kImitation, corpus::SongKind::kVariation,
                          corpus::SongKind::kMachine}) {
    EXPECT_EQ(corpus::parse_song_kind(corpus::to_string(kind)), kind);
  }
  for (const auto split : {corpus::Split::kTrain, corpus::Split::kValidation, corpus::Split::kReference}) {
    EXPECT_EQ(corpus::parse_split(corpus::to_string(split)), split);
  }
  EXPECT_THROW(corpus::parse_split("test"), DatasetError);
  EXPECT_THROW(corpus::parse_song_kind("dream"), DatasetError);
}

}  // namespace
}  // namespace mh
