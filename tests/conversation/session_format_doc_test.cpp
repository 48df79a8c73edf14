// docs/session_format.md against the code: every event type with every field, which fields may
// be absent, and every file and folder of a session, both ways, so that neither drifts alone.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "conversation/session_events.hpp"
#include "conversation/session_paths.hpp"
#include "core/files.hpp"
#include "support/paths.hpp"

namespace mh::conversation {
namespace {

struct DocParts {
  std::vector<std::string> file_rows;                        ///< the session table's rows
  std::string events_intro;                                  ///< before the first bullet
  std::map<std::string, std::string> bullets;                ///< event type → its bullet's text
  std::map<std::string, std::set<std::string>> may_be_absent;  ///< the absent-fields table
};

/// Every `quoted` word of `text`, in order.
std::vector<std::string> backticked(const std::string& text) {
  std::vector<std::string> out;
  for (size_t open = text.find('`'); open != std::string::npos; open = text.find('`', open)) {
    const size_t close = text.find('`', open + 1);
    if (close == std::string::npos) break;
    out.push_back(text.substr(open + 1, close - open - 1));
    open = close + 1;
  }
  return out;
}

DocParts read_session_format_doc() {
  std::istringstream in(read_file(test::source_dir() / "docs" / "session_format.md"));
  DocParts doc;
  enum class Part { kTop, kEvents, kAfter } part = Part::kTop;
  std::string line, bullet_type;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      part = line.rfind("## Events", 0) == 0 ? Part::kEvents : (part == Part::kTop ? Part::kTop : Part::kAfter);
      bullet_type.clear();
      continue;
    }
    if (part == Part::kTop) {
      if (line.rfind("| `", 0) == 0) doc.file_rows.push_back(line);
    } else if (part == Part::kEvents) {
      if (line.rfind("- `", 0) == 0) {
        bullet_type = backticked(line).at(0);
        EXPECT_FALSE(doc.bullets.count(bullet_type)) << "two bullets for " << bullet_type;
        doc.bullets[bullet_type] = line;
      } else if (!bullet_type.empty() && line.rfind("  ", 0) == 0) {
        doc.bullets[bullet_type] += "\n" + line;
      } else if (line.rfind("| `", 0) == 0) {
        const auto cells = line.substr(1);
        const auto bar = cells.find('|');
        const auto type = backticked(cells.substr(0, bar)).at(0);
        for (const auto& key : backticked(cells.substr(bar))) doc.may_be_absent[type].insert(key);
        bullet_type.clear();
      } else {
        if (doc.bullets.empty()) doc.events_intro += line + "\n";
        bullet_type.clear();
      }
    }
  }
  return doc;
}

TEST(SessionFormatDoc, ListsEveryEventTypeAndEveryFieldOfEach) {
  const auto doc = read_session_format_doc();
  for (const auto& header : events::header_schema()) {
    EXPECT_NE(doc.events_intro.find("`\"" + header.key + "\"`"), std::string::npos) << "header field " << header.key;
  }
  std::set<std::string> types;
  for (const auto& schema : events::event_schemas()) {
    types.insert(schema.type);
    const auto it = doc.bullets.find(schema.type);
    ASSERT_NE(it, doc.bullets.end()) << "docs/session_format.md has no bullet for event type " << schema.type;
    const auto named = backticked(it->second);
    const std::set<std::string> words(named.begin(), named.end());
    for (const auto& field : schema.fields) {
      EXPECT_TRUE(words.count(field.key)) << schema.type << " event: the doc does not name `" << field.key << "`";
    }
  }
  for (const auto& [type, text] : doc.bullets) {
    EXPECT_TRUE(types.count(type)) << "the doc describes an event type the code does not have: " << type;
  }
}

TEST(SessionFormatDoc, NamesExactlyTheFieldsThatMayBeAbsent) {
  const auto doc = read_session_format_doc();
  std::map<std::string, std::set<std::string>> code;
  for (const auto& schema : events::event_schemas()) {
    for (const auto& field : schema.fields) {
      if (!field.always) code[schema.type].insert(field.key);
    }
  }
  EXPECT_EQ(doc.may_be_absent, code);
}

TEST(SessionFormatDoc, ListsEveryFileAndFolderOfASession) {
  const auto doc = read_session_format_doc();
  std::set<std::string> top_level;
  for (const auto& path : session_paths()) {
    const auto slash = path.find('/');
    top_level.insert(slash == std::string::npos ? path : path.substr(0, slash + 1));
    bool listed = false;
    for (const auto& row : doc.file_rows) listed = listed || row.find("| `" + path) == 0;
    EXPECT_TRUE(listed) << "docs/session_format.md's table has no row for " << path;
  }
  for (const auto& row : doc.file_rows) {
    const auto path = backticked(row).at(0);
    const auto slash = path.find('/');
    const auto top = slash == std::string::npos ? path : path.substr(0, slash + 1);
    EXPECT_TRUE(top_level.count(top)) << "the doc lists a session path the code does not name: " << path;
  }
}

}  // namespace
}  // namespace mh::conversation
