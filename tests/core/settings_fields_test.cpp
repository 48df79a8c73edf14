#include "core/settings_fields.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

namespace mh {
namespace {

enum class Colour { kRed, kGreen };

struct Inner {
  int depth = 3;
};

struct Toy {
  int count = 5;
  std::int64_t big = 64;
  std::uint64_t seed = 7;
  double share = 0.5;
  double floor = 1e-3;
  bool loud = false;
  std::string label = "toy";
  std::string kind = "small";
  Colour colour = Colour::kRed;
  Inner inner;
};

const FieldTable<Toy>& toy_fields() {
  static const FieldTable<Toy> table{
      {"count", "how many", &Toy::count, 1, 10},
      {"big", "a wide number", &Toy::big, 1, 4096},
      {"seed", "any seed", &Toy::seed},
      {"share", "a share", &Toy::share, 0, 1},
      {"floor", "above zero", &Toy::floor, 0, 1, Open::kLo},
      {"loud", "a switch", &Toy::loud},
      {"label", "free text", &Toy::label},
      {"kind", "a fixed choice", one_of(&Toy::kind, {"small", "large"})},
      {"colour", "an enum", enum_words(&Toy::colour, {{Colour::kRed, "red"}, {Colour::kGreen, "green"}})},
  };
  return table;
}

const FieldTable<Inner>& inner_fields() {
  static const FieldTable<Inner> table{{"depth", "nested, same TOML table", &Inner::depth, 0, 9}};
  return table;
}

std::string validation_error(const Toy& t) {
  try {
    validate_fields(toy_fields(), t, "toy.");
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "";
}

/// Reads `text`'s [toy] table with both tables, rejecting unknown keys once.
Toy read_toy(const std::string& text, Toy t = {}) {
  const auto doc = parse_toml(text, "toy.toml");
  TomlSection root(&doc, "");
  auto section = root.section("toy");
  read_fields(toy_fields(), section, t);
  read_fields(inner_fields(), section, t.inner);
  section.reject_unknown_keys();
  return t;
}

std::string read_error(const std::string& text) {
  try {
    read_toy(text);
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "";
}

TEST(SettingsFields, DefaultsAreValid) { EXPECT_EQ(validation_error(Toy{}), ""); }

TEST(SettingsFields, AValueOutOfRangeNamesFieldValueAndRange) {
  Toy t;
  t.count = 11;
  EXPECT_EQ(validation_error(t), "toy.count = 11 is out of range: allowed [1, 10]");
  t = Toy{};
  t.big = 0;
  EXPECT_EQ(validation_error(t), "toy.big = 0 is out of range: allowed [1, 4096]");
  t = Toy{};
  t.share = 1.5;
  EXPECT_EQ(validation_error(t), "toy.share = 1.5 is out of range: allowed [0, 1]");
  t = Toy{};
  t.share = std::nan("");
  EXPECT_NE(validation_error(t).find("toy.share = nan"), std::string::npos);
}

TEST(SettingsFields, AnOpenEndIsExcludedAndShownSo) {
  Toy t;
  t.floor = 0;
  EXPECT_EQ(validation_error(t), "toy.floor = 0 is out of range: allowed (0, 1]");
  t.floor = 1;
  EXPECT_EQ(validation_error(t), "");
}

TEST(SettingsFields, AStringOutsideItsChoicesIsRefusedListingThem) {
  Toy t;
  t.kind = "medium";
  EXPECT_EQ(validation_error(t), "toy.kind = 'medium' is not allowed: choose one of small, large");
}

TEST(SettingsFields, TomlRoundTripKeepsEveryField) {
  Toy t;
  t.count = 9;
  t.big = 4000;
  t.seed = 123456789012ull;
  t.share = 0.25;
  t.loud = true;
  t.label = "changed";
  t.kind = "large";
  t.colour = Colour::kGreen;
  t.inner.depth = 8;
  toml::table section;
  write_fields(toy_fields(), t, section);
  write_fields(inner_fields(), t.inner, section);
  std::ostringstream text;
  text << toml::table{{"toy", section}};
  const Toy back = read_toy(text.str());
  EXPECT_EQ(back.count, 9);
  EXPECT_EQ(back.big, 4000);
  EXPECT_EQ(back.seed, 123456789012ull);
  EXPECT_EQ(back.share, 0.25);
  EXPECT_TRUE(back.loud);
  EXPECT_EQ(back.label, "changed");
  EXPECT_EQ(back.kind, "large");
  EXPECT_EQ(back.colour, Colour::kGreen);
  EXPECT_EQ(back.inner.depth, 8);
  // The words are written as words, and the seed as a TOML integer.
  EXPECT_NE(text.str().find("colour = 'green'"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("seed = 123456789012"), std::string::npos) << text.str();
}

TEST(SettingsFields, AbsentKeysKeepTheirValues) {
  Toy base;
  base.count = 2;
  const Toy t = read_toy("[toy]\nshare = 0.75\n", base);
  EXPECT_EQ(t.count, 2);
  EXPECT_EQ(t.share, 0.75);
  EXPECT_EQ(t.colour, Colour::kRed);
}

TEST(SettingsFields, AnUnknownKeyIsRefusedWithItsDottedName) {
  EXPECT_EQ(read_error("[toy]\ndepht = 2\n"), "unknown setting 'toy.depht'");
  // The nested table's keys are known to the same section.
  EXPECT_EQ(read_toy("[toy]\ndepth = 2\n").inner.depth, 2);
}

TEST(SettingsFields, AWordOutsideTheChoicesIsRefusedListingThem) {
  EXPECT_EQ(read_error("[toy]\ncolour = 'blue'\n"), "toy.colour = 'blue' is not allowed: choose one of red, green");
  EXPECT_EQ(read_error("[toy]\nkind = 'huge'\n"), "toy.kind = 'huge' is not allowed: choose one of small, large");
  EXPECT_EQ(read_error("[toy]\ncount = 'many'\n"), "toy.count must be an integer");
}

TEST(SettingsFields, JsonRoundTripKeepsEveryField) {
  Toy t;
  t.seed = 18446744073709551615ull;
  t.colour = Colour::kGreen;
  t.kind = "large";
  t.big = 99;
  const auto j = fields_to_json(toy_fields(), t);
  EXPECT_EQ(j.at("colour"), "green");
  EXPECT_EQ(j.size(), toy_fields().size());
  Toy back;
  fields_from_json(toy_fields(), j, back, "toy.");
  EXPECT_EQ(back.seed, t.seed);
  EXPECT_EQ(back.colour, Colour::kGreen);
  EXPECT_EQ(back.kind, "large");
  EXPECT_EQ(back.big, 99);
}

TEST(SettingsFields, JsonMissingFieldsReadTheirLegacyValueOrAreRefused) {
  Toy t;
  t.count = 10;  // the default is 5: the legacy value must win over both
  auto j = fields_to_json(toy_fields(), t);
  j.erase("count");
  j.erase("loud");
  Toy back;
  back.count = 4;
  fields_from_json(toy_fields(), j, back, "toy.", {{"count", 1}, {"loud", true}});
  EXPECT_EQ(back.count, 1);
  EXPECT_TRUE(back.loud);
  // A field present wins over its legacy value.
  j["count"] = 3;
  fields_from_json(toy_fields(), j, back, "toy.", {{"count", 1}, {"loud", true}});
  EXPECT_EQ(back.count, 3);
  // Without a legacy value, a missing field is an error naming it.
  try {
    fields_from_json(toy_fields(), j, back, "toy.");
    FAIL() << "no error for a missing field";
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("toy.loud"), std::string::npos) << e.what();
  }
}

TEST(SettingsFields, JsonOfTheWrongTypeOrWordIsRefusedNamingTheField) {
  auto j = fields_to_json(toy_fields(), Toy{});
  j["seed"] = -1;
  Toy back;
  try {
    fields_from_json(toy_fields(), j, back, "toy.");
    FAIL() << "a negative seed was read";
  } catch (const SettingsError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("toy.seed: ", 0), 0u) << e.what();
  }
  j = fields_to_json(toy_fields(), Toy{});
  j["colour"] = "blue";
  try {
    fields_from_json(toy_fields(), j, back, "toy.");
    FAIL() << "an unknown word was read";
  } catch (const SettingsError& e) {
    EXPECT_EQ(std::string(e.what()), "toy.colour = 'blue' is not allowed: choose one of red, green");
  }
}

TEST(SettingsFields, DescribeListsEveryFieldWithDefaultMeaningAndRange) {
  const auto text = describe_fields(toy_fields(), Toy{}, "toy.");
  for (const char* line :
       {"toy.count = 5  # how many [1, 10]\n", "toy.floor = 0.001  # above zero (0, 1]\n", "toy.seed = 7  # any seed\n",
        "toy.loud = false  # a switch\n", "toy.label = \"toy\"  # free text\n",
        "toy.colour = \"red\"  # an enum [red | green]\n", "toy.kind = \"small\"  # a fixed choice [small | large]\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, toy_fields().size());
}

}  // namespace
}  // namespace mh
