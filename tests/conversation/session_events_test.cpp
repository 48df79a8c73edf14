// The typed events of a session's log: every type round-trips, lines of a session written by an
// earlier version read (and write back byte for byte), and a bad line is an EventError.
#include "conversation/session_events.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "conversation/session_log.hpp"
#include "core/errors.hpp"
#include "support/paths.hpp"

namespace mh::conversation {
namespace {
using nlohmann::json;

/// One event of every type with every field set, the optional ones included.
std::vector<events::EventBody> every_type_filled() {
  events::SessionStart start;
  start.session_id = "ea9918b55ea27dea";
  start.agents = {"Valerio", "Dennis"};
  start.agent_dirs = {"/srv/agents/Valerio", "/srv/agents/Dennis"};
  start.rounds = 12;
  start.first_round = 1;
  start.turns_per_round = 6;
  start.preset = "complete";
  start.seed = 18446744073709551615ull;
  start.first_new_song = {16, 15};
  events::Song song;
  song.round = 2;
  song.turn = 1;
  song.song = 7;
  song.id = "ea9918b55ea27dea/7";
  song.singer = "Dennis";
  song.listener = "Valerio";
  song.kind = "variation";
  song.parent = 6;
  song.sigma = 0.5;
  song.seed = 7960286522194355700ull;
  song.depth = 3;
  song.from = "ML2";
  song.duration_s = 19.5;
  song.wav = "songs/0007_Dennis_variation.wav";
  song.sidecar = "songs/0007_Dennis_variation.json";
  song.line = "ZiiiSch... I'm singing a variation of the last song.";
  song.listening = json{{"envelope_db", 6.2}, {"note_frames", 848}};
  events::Listen listen;
  listen.agent = "Valerio";
  listen.song = 7;
  listen.round = 2;
  listen.dataset_song = 22;
  listen.human_fraction = 0.75;
  listen.human_fraction_dataset = 0.8;
  listen.human_fraction_updates = 0.7;
  events::Emancipation freed;
  freed.agent = "Dennis";
  freed.song = 54;
  freed.round = 10;
  freed.human_fraction = 0.49;
  freed.line = "Dennis now holds more machine music than human music";
  events::DreamStart dream_start;
  dream_start.agent = "Valerio";
  dream_start.dream = 1;
  dream_start.round = 2;
  dream_start.items = 300;
  dream_start.songs = 18;
  dream_start.songs_too_long = 1;
  dream_start.policy = "accumulate";
  dream_start.batch_size = 8;
  dream_start.learning_rate = 2e-3;
  dream_start.budget_s = 60;
  events::DreamEnd dream_end;
  dream_end.agent = "Valerio";
  dream_end.dream = 1;
  dream_end.round = 2;
  dream_end.seconds = 12.5;
  dream_end.measures = {{"agent", "Valerio"}, {"frechet", 766.25}, {"t_star_dream", nullptr}};
  dream_end.out_of_time = false;
  dream_end.ml1_epochs = 2;
  dream_end.ml2 = "fine-tune";
  dream_end.order_drift = 0.0238;
  dream_end.dataset_songs = 22;
  dream_end.generation_mean = std::vector<double>{1.25, -0.5};
  events::Control control;
  control.command = "sigma";
  control.address = "/metahuman/sigma";
  control.value = 0.9;
  control.agent = 1;
  control.line = "control: σ = 0.9 for Dennis's variations";
  events::ControlIgnored ignored;
  ignored.reason = "7 messages dropped";
  ignored.dropped = 7;
  ignored.line = "control: ignored 7 messages (too many between two songs)";
  events::SongsPruned pruned;
  pruned.wavs = {"0000_Valerio_human.wav", "0001_Dennis_imitation.wav"};
  pruned.bytes_freed = 5000000000ull;
  pruned.songs_bytes = 29000000;
  pruned.songs_max_mb = 30;
  pruned.line = "songs folder over 30 MB";
  return {start, events::RoundStart{3}, song,     listen,     freed,    dream_start,
          dream_end, events::SessionEnd{12}, control, ignored, pruned};
}

TEST(SessionEvents, EveryTypeRoundTripsThroughItsLineWithEveryField) {
  const auto bodies = every_type_filled();
  const auto schemas = events::event_schemas();
  ASSERT_EQ(bodies.size(), schemas.size()) << "a new event type needs a case here";
  for (size_t i = 0; i < bodies.size(); ++i) {
    const events::Event e{static_cast<int64_t>(i), "2026-12-06T11:30:27Z", bodies[i]};
    const json j = events::to_json(e);
    EXPECT_EQ(j["type"], schemas[i].type);
    EXPECT_EQ(j.size(), schemas[i].fields.size() + events::header_schema().size()) << j.dump();
    const auto back = events::parse_event_line(j.dump());
    EXPECT_EQ(back.seq, e.seq);
    EXPECT_EQ(back.time, e.time);
    EXPECT_EQ(back.body.index(), e.body.index()) << schemas[i].type;
    EXPECT_EQ(events::to_json(back).dump(), j.dump()) << schemas[i].type;
  }
}

TEST(SessionEvents, EmptyOptionalFieldsAreLeftOutAndReadBackAsAbsent) {
  events::Song song;
  song.singer = "Valerio";
  const json j = events::to_json({0, "t", song});
  EXPECT_TRUE(j.contains("parent"));  // always written: null when the song answers none
  EXPECT_TRUE(j["parent"].is_null());
  for (const char* key : {"id", "depth", "from", "listening"}) EXPECT_FALSE(j.contains(key)) << key;
  const auto back = events::parse_event(j);
  const auto& s = std::get<events::Song>(back.body);
  EXPECT_FALSE(s.parent);
  EXPECT_FALSE(s.id);
  EXPECT_FALSE(s.listening);
}

TEST(SessionEvents, AnUnknownOrderDriftIsWrittenAsNullAndReadBackAsNaN) {
  events::DreamEnd d;
  d.order_drift = std::nan("");
  const json j = events::to_json({0, "t", d});
  EXPECT_TRUE(j["order_drift"].is_null());
  const auto back = std::get<events::DreamEnd>(events::parse_event(j).body);
  ASSERT_TRUE(back.order_drift);
  EXPECT_TRUE(std::isnan(*back.order_drift));
}

// Lines of the demo's session, written before `human_fraction_dataset` was logged on listens and
// `learning_rate` on dreams (the agent folders, the dream's generation mean and its measures
// shortened).
const std::vector<std::string> kOldLines = {
    R"({"agent_dirs":["/srv/demo/agents/Valerio","/srv/demo/agents/Dennis"],"agents":["Valerio","Dennis"],"first_new_song":[16,15],"first_round":1,"preset":"complete","rounds":12,"seed":0,"seq":0,"session_id":"ea9918b55ea27dea","time":"2026-12-06T11:30:27Z","turns_per_round":6,"type":"session_start"})",
    R"({"round":1,"seq":1,"time":"2026-12-06T11:30:28Z","type":"round_start"})",
    R"({"depth":1,"duration_s":19.682585034013606,"from":"linns_basket","id":"ea9918b55ea27dea/0","kind":"human","line":"Valerio sings a human song","listener":"Dennis","listening":{"envelope_db":1.3691706934591488,"envelope_ratio":3.012470200668659,"frames_db":4.270140744226884,"frames_ratio":1.6273009124680962,"long_term_db":0.826459627729878,"long_term_max_db":3.62526121083647,"snippets":10},"parent":null,"round":1,"seed":7070836379803831727,"seq":2,"sidecar":"songs/0000_Valerio_human.json","sigma":0.0,"singer":"Valerio","song":0,"time":"2026-12-06T11:30:28Z","turn":0,"type":"song","wav":"songs/0000_Valerio_human.wav"})",
    R"({"agent":"Dennis","dataset_song":15,"human_fraction":0.9675324675324676,"human_fraction_updates":0.956140350877193,"round":1,"seq":3,"song":0,"time":"2026-12-06T11:30:28Z","type":"listen"})",
    R"({"depth":1,"duration_s":19.68875283446712,"from":"ML2","id":"ea9918b55ea27dea/6","kind":"machine","line":"Valerio sings its own song","listener":"Dennis","parent":null,"round":2,"seed":3207296026000306913,"seq":15,"sidecar":"songs/0006_Valerio_machine.json","sigma":0.0,"singer":"Valerio","song":6,"time":"2026-12-06T11:30:32Z","turn":0,"type":"song","wav":"songs/0006_Valerio_machine.wav"})",
    R"({"agent":"Valerio","batch_size":8,"budget_s":0.0,"dream":1,"items":300,"policy":"accumulate","round":2,"seq":27,"songs":18,"songs_too_long":0,"time":"2026-12-06T11:30:36Z","type":"dream_start"})",
    R"({"agent":"Valerio","dataset_songs":22,"dream":1,"generation_mean":[1.410295083001256,-0.23476122748106718,-1.1603187201544642,-0.5329601206816733],"measures":{"agent":"Valerio","dataset_items":380,"dream":1,"drift_step":null,"forgetting":1.0186844981148442,"frechet":766.259833048038,"frechet_ratio":1.0,"human_fraction":0.8421052631578947,"ml2_motion":{"ratio":{"closest_pair":0.9333120599740194},"window":8},"round":2,"t_star_dream":null,"t_star_round":null,"t_star_song":null},"ml1_epochs":2,"ml2":"fine-tune","order_drift":0.02380396152606134,"out_of_time":false,"round":2,"seconds":12.572390191,"seq":28,"time":"2026-12-06T11:30:49Z","type":"dream_end"})",
    R"({"agent":"Dennis","human_fraction":0.49337748344370863,"line":"Dennis now holds more machine music than human music","round":10,"seq":137,"song":54,"time":"2026-12-06T11:32:52Z","type":"emancipation"})",
    R"({"rounds_done":12,"seq":183,"time":"2026-12-06T11:34:10Z","type":"session_end"})",
};

TEST(SessionEvents, LinesOfAnOlderSessionReadAndWriteBackByteForByte) {
  for (const auto& line : kOldLines) {
    const auto e = events::parse_event_line(line);
    EXPECT_EQ(events::to_json(e).dump(), line);
  }
  const auto start = std::get<events::SessionStart>(events::parse_event_line(kOldLines[0]).body);
  EXPECT_EQ(start.agents, (std::vector<std::string>{"Valerio", "Dennis"}));
  EXPECT_EQ(start.first_new_song, (std::vector<std::int64_t>{16, 15}));
  const auto song = std::get<events::Song>(events::parse_event_line(kOldLines[2]).body);
  EXPECT_EQ(song.seed, 7070836379803831727ull);
  EXPECT_FALSE(song.parent);
  EXPECT_EQ(song.from, "linns_basket");
  ASSERT_TRUE(song.listening);
  EXPECT_EQ((*song.listening)["snippets"], 10);
  const auto listen = std::get<events::Listen>(events::parse_event_line(kOldLines[3]).body);
  EXPECT_FALSE(listen.human_fraction_dataset);  // not yet logged then
  EXPECT_EQ(listen.round, 1);
  const auto dream = std::get<events::DreamStart>(events::parse_event_line(kOldLines[5]).body);
  EXPECT_FALSE(dream.learning_rate);
  const auto end = std::get<events::DreamEnd>(events::parse_event_line(kOldLines[6]).body);
  EXPECT_EQ(end.dataset_songs, 22);
  ASSERT_TRUE(end.generation_mean);
  EXPECT_EQ(end.generation_mean->size(), 4u);
}

TEST(SessionEvents, TheFirstSessionsEventsReadWithTheirLaterFieldsAbsent) {
  // A song and a listen as the first conversation version wrote them.
  const auto song = events::parse_event_line(
      R"({"duration_s":1.5,"kind":"human","line":"Valerio sings a human song","listener":"Dennis","parent":null,"round":0,"seed":3,"seq":2,"sidecar":"songs/0000_Valerio_human.json","sigma":0.0,"singer":"Valerio","song":0,"time":"2026-11-24T13:05:00Z","turn":0,"type":"song","wav":"songs/0000_Valerio_human.wav","fidelity_db":4.5})");
  const auto& s = std::get<events::Song>(song.body);
  EXPECT_FALSE(s.id);
  EXPECT_FALSE(s.depth);
  EXPECT_FALSE(s.from);
  EXPECT_FALSE(s.listening);
  const auto listen = events::parse_event_line(
      R"({"agent":"Dennis","dataset_song":15,"human_fraction":0.96,"seq":3,"song":0,"time":"2026-11-24T13:05:01Z","type":"listen"})");
  EXPECT_FALSE(std::get<events::Listen>(listen.body).round);
  EXPECT_FALSE(std::get<events::Listen>(listen.body).human_fraction_updates);
}

void expect_event_refused(const std::string& line, const std::string& says) {
  try {
    (void)events::parse_event_line(line);
    ADD_FAILURE() << "accepted: " << line;
  } catch (const EventError& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << line << " → " << e.what();
    EXPECT_EQ(static_cast<int>(e.exit_code()), static_cast<int>(ExitCode::kSession));
  }
}

TEST(SessionEvents, AMalformedLineIsAnEventErrorNamingWhatIsWrong) {
  const std::string t = R"("seq":4,"time":"2026-12-06T11:30:28Z",)";
  expect_event_refused("{\"seq\":4,\"type\":\"song\"", "must be JSON");
  expect_event_refused("[1, 2]", "must be a JSON object");
  expect_event_refused("{" + t + R"("round":1})", "'type'");
  expect_event_refused("{" + t + R"("type":"round_begins","round":1})", "unknown event type 'round_begins'");
  expect_event_refused(R"({"type":"round_start","round":1,"time":"t"})", "'seq'");
  expect_event_refused(R"({"type":"round_start","round":1,"seq":1})", "'time'");
  expect_event_refused("{" + t + R"("type":"round_start"})", "round_start event: 'round' is missing");
  expect_event_refused("{" + t + R"("type":"round_start","round":1.5})", "'round' must be an integer, got 1.5");
  expect_event_refused("{" + t + R"("type":"round_start","round":1e300})", "'round' must be an integer");
  expect_event_refused("{" + t + R"("type":"round_start","round":9999999999})", "'round' must be an integer");
  expect_event_refused("{" + t + R"("type":"session_end","rounds_done":"12"})", "'rounds_done' must be an integer");
  expect_event_refused("{" + t + R"("type":"listen","agent":"A","song":0,"dataset_song":1,"human_fraction":"half"})",
                 "'human_fraction' must be a number");
  expect_event_refused("{" + t + R"("type":"listen","agent":"A","song":0,"dataset_song":1,"human_fraction":0.5,"round":"2"})",
                 "'round' must be an integer");
  expect_event_refused("{" + t + R"("type":"songs_pruned","wavs":["a.wav",3],"bytes_freed":1,"songs_bytes":1,"songs_max_mb":1,"line":""})",
                 "'wavs' must be an array");
  expect_event_refused("{" + t + R"("type":"dream_end","agent":"A","dream":1,"round":1,"seconds":1,"measures":[],"dataset_songs":1})",
                 "'measures' must be an object");
  const std::string seed = "\"seed\":7070836379803831727", parent = "\"parent\":null";
  std::string song = kOldLines[2];
  song.replace(song.find(seed), seed.size(), "\"seed\":-5");
  expect_event_refused(song, "'seed' must be a non-negative integer, got -5");
  std::string orphan = kOldLines[2];
  orphan.replace(orphan.find(parent), parent.size(), "\"parent\":\"x\"");
  expect_event_refused(orphan, "'parent' must be an integer or null");
}

TEST(SessionEvents, ALogWithAMalformedEventIsRefusedWithItsLineNumber) {
  test::TempDir dir;
  const auto path = dir / "events.jsonl";
  std::ofstream(path, std::ios::binary) << kOldLines[0] << "\n"
                                        << R"({"seq":1,"time":"t","type":"round_start","round":"one"})" << "\n";
  try {
    SessionLog log(path);
    FAIL() << "expected EventError";
  } catch (const EventError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2: round_start event: 'round' must be an integer"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mh::conversation
