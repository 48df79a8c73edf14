#include "conversation/conversation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <thread>

#include "agent/agent.hpp"
#include "agent/agent_voice.hpp"
#include "agent/song_file.hpp"
#include "audio/read_audio.hpp"
#include "audio/resample.hpp"
#include "conversation/dream.hpp"
#include "conversation/generation_measures.hpp"
#include "conversation/human_share.hpp"
#include "conversation/judge.hpp"
#include "conversation/measures.hpp"
#include "conversation/retention.hpp"
#include "conversation/session_log.hpp"
#include "conversation/session_paths.hpp"
#include "conversation/song_files.hpp"
#include "core/errors.hpp"
#include "core/json_checks.hpp"
#include "core/seed_mix.hpp"
#include "core/files.hpp"

namespace mh::conversation {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// What the loop remembers about a session song (from its event).
struct SongInfo {
  int64_t number = 0;
  std::string key;                   ///< session-wide id "<session id>/<number>"
  std::vector<corpus::LineageStep> lineage;  ///< root first, this song last
  std::string singer, kind;
  int depth = 0;
  int round = 0;
  double sigma = 0;               ///< latent noise of a variation
  std::optional<int64_t> parent;  ///< the song it answers
  std::uint64_t seed = 0;
  fs::path wav;
};

struct Party {
  Party(agent::Agent a, const RoleSettings* r, int i) : name(a.name()), agent(std::move(a)), role(r), index(i) {}
  std::string name;
  agent::Agent agent;
  const RoleSettings* role = nullptr;
  int index = 0;  ///< 0 for A, 1 for B
  std::optional<Judge> judge;
  int64_t first_new_song = 0;  ///< dataset song id after the last dream
  std::vector<int64_t> songs_since_dream;
  /// Listening figures of each song sung since the last dream, by kind (human songs against
  /// their stored source, imitations and variations against what the singer heard).
  std::map<std::string, std::vector<json>> listening_since_dream;
  std::optional<torch::Tensor> previous_mean;
  std::optional<double> first_frechet, first_frechet_k;
  int dreams = 0;
  /// The emancipation point t*: the song and round after which its item-count human share first
  /// fell below one half, and the first dream that trained on such data.
  std::optional<events::Emancipation> emancipation;
  std::optional<int> emancipation_dream;
};

corpus::SongKind dataset_kind(const std::string& kind) {
  if (kind == "file") return corpus::SongKind::kHuman;
  if (kind == "variation") return corpus::SongKind::kVariation;
  if (kind == "machine") return corpus::SongKind::kMachine;
  return corpus::SongKind::kImitation;  // a human excerpt is the singer's imitation of a human song
}

/// A song sung for a turn, before it is written.
struct Performance {
  agent::SungSong song;
  json source = nullptr;  ///< where a human excerpt or a file opening came from
};

json lineage_json(const std::vector<corpus::LineageStep>& steps) {
  json lineage = json::array();
  for (const auto& step : steps) {
    json j{{"song", step.song}, {"singer", step.singer}, {"act", step.act}, {"sigma", step.sigma}};
    if (!step.from.empty()) j["from"] = step.from;
    lineage.push_back(j);
  }
  return lineage;
}

/// What the song's event and its sidecar both say about it.
json song_identity(const SongInfo& info, int turn, const std::string& listener) {
  return {{"song", info.number},   {"id", info.key},       {"round", info.round},
          {"turn", turn},          {"singer", info.singer}, {"listener", listener},
          {"kind", info.kind},     {"parent", info.parent ? json(*info.parent) : json(nullptr)},
          {"sigma", info.sigma},   {"seed", info.seed},     {"depth", info.depth}};
}

/// The sidecar's fields (agent::write_song adds the latents, rate, duration and the caller the map).
json song_sidecar(const SongInfo& info, int turn, const std::string& listener, const agent::Agent& singer,
                  const json& source) {
  json sidecar = song_identity(info, turn, listener);
  sidecar.update({{"snippet_seconds", singer.settings().front_end.snippet.seconds},
                  {"ml1_version", singer.ml1_version()},
                  {"ml2_version", singer.has_ml2() ? json(singer.ml2_version()) : json(nullptr)},
                  {"source", source},
                  {"lineage", lineage_json(info.lineage)}});
  return sidecar;
}

// The original's speech lines (its Conversator.py), word for word: the OSC sketch shows them and
// a visitor reads them. A file opening has no line there, so it gets one in the same voice.
std::string song_line(const std::string& kind) {
  if (kind == "human") return "LaLeLu... I'm singing one of the human songs...";
  if (kind == "imitation") return "Let me try to sing, what i just heard. DubiSchubiDu...";
  if (kind == "variation") return "ZiiiSch... I'm singing a variation of the last song.";
  if (kind == "machine") return "BriiBrazzzFuaazz... I'm singing a machine song.";
  if (kind == "file") return "Listen... I'm singing a recording someone gave me.";
  return "I'm singing a " + kind + ".";
}

events::Song song_event(const SongInfo& info, int turn, const std::string& listener, double duration_s) {
  events::Song e;
  e.round = info.round;
  e.turn = turn;
  e.song = info.number;
  e.id = info.key;
  e.singer = info.singer;
  e.listener = listener;
  e.kind = info.kind;
  e.parent = info.parent;
  e.sigma = info.sigma;
  e.seed = info.seed;
  e.depth = info.depth;
  if (!info.parent) e.from = info.lineage.back().from;
  e.duration_s = duration_s;
  e.wav = info.wav.generic_string();
  e.sidecar = agent::song_sidecar_path(info.wav).generic_string();
  e.line = song_line(info.kind);
  return e;
}

// The notes an answer keeps of the song it answers (dsp/notes.hpp), beside the mel figures of
// its `listening` object: "frames" would read as mel frames there, so the count is note_frames.
void add_notes(json& listening, const dsp::NoteFigures& notes) {
  const auto j = notes.to_json();
  for (const char* key : {"pitch_agreement", "chroma_similarity", "onset_correlation"}) listening[key] = j[key];
  listening["note_frames"] = notes.frames;
}

class Loop {
 public:
  explicit Loop(const ConversationOptions& o) : o_(o), log_(o.session / kEventsFile) {}

  ConversationOutcome run();

 private:
  // Replay: an action whose event is already in the log is not done again.
  template <typename T>
  const T* replayed() {
    if (cursor_ >= log_.size()) return nullptr;
    if (const T* e = events::get_if<T>(log_.at(cursor_))) {
      ++cursor_;
      return e;
    }
    throw SessionError(fmt::format("{}: event {} is '{}', expected '{}': the log does not belong to these settings",
                                   (o_.session / kEventsFile).string(), cursor_,
                                   events::type_of(log_.at(cursor_).body), T::kType));
  }
  /// The next event to replay, when it is a `T`.
  template <typename T>
  bool next_is() const {
    return cursor_ < log_.size() && events::get_if<T>(log_.at(cursor_));
  }
  events::Event emit(events::EventBody e) {
    ++cursor_;
    return log_.emit(std::move(e));
  }
  bool stop_requested() const { return o_.stop && o_.stop->load(); }

  void start();
  void prepare_judges();
  /// The song of one turn: replayed from its event, or sung, written and logged.
  int64_t sing(int round, int turn, Party& singer, Party& listener, const std::string& kind, double sigma,
               std::optional<int64_t> parent);
  SongInfo new_song(int round, const Party& singer, const std::string& kind, double sigma,
                    std::optional<int64_t> parent) const;
  /// Sings info's kind of song; notes where an opening came from in info's lineage.
  Performance perform(Party& singer, SongInfo& info, torch::Generator& gen) const;
  void listen(Party& listener, int64_t song);
  /// After a listen event (new or replayed): the emancipation event, once.
  void note_human_share(Party& listener, const events::Listen& listen_event);
  bool dream(Party& p, int round);
  /// Between songs: replays the control events logged here, or takes new commands (and waits
  /// while paused). False when stopped.
  bool poll_control(int round);
  /// Applies one control event, new or replayed; false when it asks to stop (new ones only).
  bool obey(const events::EventBody& event, int round, bool is_new);
  /// After a song: the songs folder within songs_max_mb (logged as songs_pruned).
  void keep_songs_within_cap();
  /// Runs one round's turns; false when stopped.
  bool play_round(int round);
  std::uint64_t dream_seed(const Party& p, int index) const {
    return mix_seed(s_.seed, 0xD8EA4, static_cast<std::uint64_t>(index) * 2 + static_cast<std::uint64_t>(p.index));
  }
  Party& party(Role r) { return parties_[r == Role::kA ? 0 : 1]; }
  void write_measures_file();
  void write_map_file();

  torch::Tensor heard_audio(const Party& listener, const SongInfo& song) const {
    return audio::read_audio(o_.session / song.wav, listener.agent.settings().front_end.mel.sample_rate_hz).samples;
  }
  json map_of(const torch::Tensor& audio_by_party_a, const torch::Tensor& audio_by_party_b);

  const ConversationOptions& o_;
  ConversationSettings s_;
  SessionLog log_;
  size_t cursor_ = 0;
  std::vector<Party> parties_;
  std::vector<SongInfo> songs_;
  std::string session_id_;
  bool opened_ = false;  ///< an open turn has been sung (a file opening sings its file once)
  RunControl control_;
  bool stop_command_ = false;
  std::string measures_lines_;  ///< measures.jsonl: one line per dream consumed, replayed or new
};

void Loop::start() {
  const fs::path settings_path = o_.session / kSettingsFile;
  if (log_.size() > 0 && !o_.resume) {
    throw SessionError(fmt::format("{}: the session already holds a conversation: use --resume to continue it, or "
                                   "another folder", o_.session.string()));
  }
  if (o_.resume && fs::exists(settings_path)) {
    s_ = parse_conversation_settings(read_file(settings_path), settings_path.string(), true);
  } else {
    s_ = o_.settings;
    s_.validate();
    fs::create_directories(o_.session);
    write_file_atomic(settings_path, to_toml_text(s_));
  }
  // A kill during a save leaves the save's temporary behind; the resumed run writes the file again.
  const auto mel = std::filesystem::path(kReportDir) / kReportMelDir;  // drawn before the songs cap
  for (const auto& sub : {std::filesystem::path(), std::filesystem::path(kSongsDir), std::filesystem::path(kDreamsDir),
                          std::filesystem::path(kJudgesDir), std::filesystem::path(kReportDir), mel}) {
    remove_stale_temporaries(o_.session / sub);
  }
  parties_.emplace_back(agent::Agent::open(o_.agent_a), &s_.a, 0);
  parties_.emplace_back(agent::Agent::open(o_.agent_b), &s_.b, 1);
  if (!o_.device.empty()) {
    for (auto& p : parties_) p.agent.set_device(agent::resolve_device(o_.device));
  }
  for (auto& p : parties_) {
    p.first_new_song = static_cast<int64_t>(p.agent.dataset().manifest().songs().size());
    if (!p.agent.has_ml1()) p.agent.ml1();  // throws "train ML1 first" naming the agent
  }
  if (parties_[0].name == parties_[1].name) {
    throw SettingsError(fmt::format("both agents are called '{}': give them different names in their agent.toml",
                                    parties_[0].name));
  }
  if (s_.sings_machine_songs()) {
    for (auto& p : parties_) {
      if (!p.agent.has_ml2()) {
        throw CheckpointError(fmt::format("{}: the choreography sings machine songs (opening = '{}'), which needs ML2: "
                                          "run `metahuman train --agent {} --stage ml2` first, or choose opening = "
                                          "'human'", p.agent.dir().string(), to_string(s_.opening),
                                          p.agent.dir().string()));
      }
    }
  }
  if (const auto* e = replayed<events::SessionStart>()) {
    if (e->agents != std::vector<std::string>{parties_[0].name, parties_[1].name}) {
      throw SessionError(fmt::format("{}: the session was started by agents {}, not {} and {}", o_.session.string(),
                                     json(e->agents).dump(), parties_[0].name, parties_[1].name));
    }
    if (e->first_new_song.size() < parties_.size()) {
      throw SessionError(fmt::format("{}: session_start has {} first_new_song entries for {} agents",
                                     (o_.session / kEventsFile).string(), e->first_new_song.size(), parties_.size()));
    }
    for (size_t i = 0; i < parties_.size(); ++i) parties_[i].first_new_song = e->first_new_song[i];
    session_id_ = e->session_id.value_or("");
    if (session_id_.empty()) {
      throw SessionError(fmt::format("{}: session_start has no session_id: the session was started by an earlier "
                                     "version", (o_.session / kEventsFile).string()));
    }
  } else {
    // Unique to this start, stable across resume (it is read back from the log).
    session_id_ = fmt::format("{:016x}", fnv1a64(fmt::format("{}|{}|{}", fs::absolute(o_.session).string(), s_.seed,
                                                             utc_now_iso())));
    events::SessionStart first;
    first.session_id = session_id_;
    first.agents = {parties_[0].name, parties_[1].name};
    first.agent_dirs = {fs::absolute(o_.agent_a).string(), fs::absolute(o_.agent_b).string()};
    first.rounds = s_.rounds;
    first.first_round = 1;
    first.turns_per_round = static_cast<int64_t>(s_.turns.size());
    first.preset = s_.preset;
    first.seed = s_.seed;
    first.first_new_song = {parties_[0].first_new_song, parties_[1].first_new_song};
    emit(first);
  }
  for (auto* sink : o_.sinks) log_.add_sink(sink);
  prepare_judges();
}

void Loop::prepare_judges() {
  const fs::path dir = o_.session / kJudgesDir;
  for (size_t i = 0; i < parties_.size(); ++i) {
    auto& p = parties_[i];
    const fs::path ckpt = dir / (p.name + "_ml1.ckpt"), meta = dir / (p.name + ".json");
    if (fs::exists(meta) && fs::exists(ckpt)) {
      json m;
      try {
        m = json::parse(read_file(meta));
      } catch (const json::exception& e) {
        throw SessionError(fmt::format("{}: not JSON: {}", meta.string(), e.what()));
      }
      p.judge = Judge::restore(p.agent, read_file(ckpt), m, meta.string());
    } else {
      p.judge = Judge::create(p.agent, s_.reference_snippets, mix_seed(s_.seed, 0xA11CE, i));
      fs::create_directories(dir);
      write_file_atomic(ckpt, p.judge->ml1_bytes());
      write_file_atomic(meta, p.judge->meta().dump() + "\n");
    }
  }
  write_map_file();
}

void Loop::write_map_file() {
  json agents = json::object();
  for (auto& p : parties_) {
    const auto xy = p.judge->project(p.judge->reference_embedding());
    json pts = json::array();
    for (int64_t i = 0; i < xy.size(0); ++i) {
      pts.push_back({std::round(xy[i][0].item<double>() * 1e4) / 1e4, std::round(xy[i][1].item<double>() * 1e4) / 1e4});
    }
    agents[p.name] = {{"reference", pts}, {"explained_variance", p.judge->explained_variance()}};
  }
  write_file_atomic(o_.session / kMapFile, json{{"agents", agents}}.dump() + "\n");
}

json Loop::map_of(const torch::Tensor& audio_a, const torch::Tensor& audio_b) {
  json out = json::object();
  const torch::Tensor* audio[2] = {&audio_a, &audio_b};
  for (size_t i = 0; i < parties_.size(); ++i) {
    auto& p = parties_[i];
    const auto xy = p.judge->project(p.judge->embed(p.agent.mel_snippets(*audio[i])));
    json pts = json::array();
    for (int64_t t = 0; t < xy.size(0); ++t) {
      pts.push_back({std::round(xy[t][0].item<double>() * 1e4) / 1e4, std::round(xy[t][1].item<double>() * 1e4) / 1e4});
    }
    out[p.name] = pts;
  }
  return out;
}

SongInfo Loop::new_song(int round, const Party& singer, const std::string& kind, double sigma,
                        std::optional<int64_t> parent) const {
  const int64_t number = static_cast<int64_t>(songs_.size());
  SongInfo info;
  info.number = number;
  info.key = fmt::format("{}/{}", session_id_, number);
  info.singer = singer.name;
  info.kind = kind;
  info.depth = kind == "file" ? 0 : (parent ? songs_[static_cast<size_t>(*parent)].depth + 1 : 1);
  info.wav = song_wav_path(number, singer.name, kind);
  info.round = round;
  info.sigma = kind == "variation" ? sigma : 0.0;
  info.parent = parent;
  info.seed = mix_seed(s_.seed, 1 + static_cast<std::uint64_t>(number));
  if (parent) info.lineage = songs_.at(static_cast<size_t>(*parent)).lineage;
  info.lineage.push_back({info.key, singer.name, kind, info.sigma, ""});
  return info;
}

Performance Loop::perform(Party& singer, SongInfo& info, torch::Generator& gen) const {
  auto& a = singer.agent;
  Performance out;
  if (info.kind == "human") {
    const auto excerpt = s_.excerpt_window == ExcerptWindow::kFixed
                             ? agent::pick_window_excerpt(a, s_.excerpt_min_s, s_.excerpt_max_s, gen)
                             : agent::pick_excerpt(a, s_.excerpt_min_s, s_.excerpt_max_s, gen);
    const double snippet_s = a.settings().front_end.snippet.seconds;
    out.source = {{"dataset_song", excerpt.song_id}, {"title", excerpt.title},
                  {"from_s", static_cast<double>(excerpt.first) * snippet_s},
                  {"to_s", static_cast<double>(excerpt.first + excerpt.count) * snippet_s}};
    info.lineage.back().from = excerpt.title;
    // The judge's ML1 is the singer's as it was at the session's start: it encodes the path the
    // song had then, which the current ML1 decodes.
    out.song = s_.excerpt_latents == ExcerptLatents::kStored
                   ? agent::sing_path(a, singer.judge->embed(excerpt.mel).to(torch::kFloat32), excerpt.mel, gen)
                   : agent::imitate(a, excerpt.mel, gen);
  } else if (info.kind == "machine") {
    out.song = agent::compose_song(a, s_.machine_song_s, gen);
    info.lineage.back().from = "ML2";
  } else if (info.kind == "file") {
    out.song.audio = audio::read_audio(s_.opening_file, a.settings().front_end.mel.sample_rate_hz).samples;
    out.song.latents = agent::latent_path(a, out.song.audio);
    out.source = {{"file", s_.opening_file}};
    info.lineage.back().from = fs::path(s_.opening_file).filename().string();
  } else {  // imitation or variation of what the singer just heard
    out.song = agent::answer_recording(a, heard_audio(singer, songs_.at(static_cast<size_t>(*info.parent))), info.sigma,
                                       gen);
  }
  return out;
}

int64_t Loop::sing(int round, int turn, Party& singer, Party& listener, const std::string& kind, double sigma,
                   std::optional<int64_t> parent) {
  SongInfo info = new_song(round, singer, kind, sigma, parent);
  if (const auto* e = replayed<events::Song>()) {
    if (e->song != info.number || e->singer != singer.name || e->kind != kind) {
      throw SessionError(fmt::format("{}: event {} does not describe song {}", (o_.session / kEventsFile).string(),
                                     cursor_ - 1, info.number));
    }
    if (e->listening) singer.listening_since_dream[kind].push_back(*e->listening);
    if (!parent) info.lineage.back().from = e->from.value_or("");
  } else {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(info.seed);
    const auto made = perform(singer, info, gen);
    const int rate = singer.agent.settings().front_end.mel.sample_rate_hz;
    const json sidecar = song_sidecar(info, turn, listener.name, singer.agent, made.source);
    // The map positions come from the written file, as every listener hears it.
    agent::write_song(o_.session / info.wav, made.song.audio, rate, sidecar, made.song.latents, [&](json& s) {
      s["map"] = map_of(heard_audio(parties_[0], info), heard_audio(parties_[1], info));
    });
    auto event = song_event(info, turn, listener.name, static_cast<double>(made.song.audio.numel()) / rate);
    if (made.song.listening) {
      json listening = made.song.listening->to_json();
      if (made.song.notes) add_notes(listening, *made.song.notes);
      singer.listening_since_dream[kind].push_back(listening);
      event.listening = std::move(listening);
    }
    emit(event);
  }
  songs_.push_back(info);
  singer.songs_since_dream.push_back(info.number);
  keep_songs_within_cap();
  return info.number;
}

void Loop::listen(Party& listener, int64_t number) {
  auto& song = songs_.at(static_cast<size_t>(number));
  if (const auto* e = replayed<events::Listen>()) {
    note_human_share(listener, *e);
    return;
  }
  // A key unique to this session, song and listener: a listen redone after a kill finds the
  // song it already stored instead of storing it twice.
  const std::uint64_t key = fnv1a64(fmt::format("{}|{}|{}|{}", fs::absolute(o_.session).string(), s_.seed, number,
                                                listener.name)) | 1ULL;
  auto& store = listener.agent.dataset();
  int64_t id = store.manifest().find_content(key);
  if (id < 0) {
    const auto audio = heard_audio(listener, song);
    const auto mel = listener.agent.mel_snippets(audio);
    corpus::SongRecord record;
    record.title = song.wav.stem().string();
    record.source = (o_.session / song.wav).string();
    record.duration_s = static_cast<double>(audio.numel()) / listener.agent.settings().front_end.mel.sample_rate_hz;
    record.snippet_seconds = listener.agent.settings().front_end.snippet.seconds;
    record.content_hash = key;
    corpus::Provenance p;
    p.kind = dataset_kind(song.kind);
    p.origin = p.kind == corpus::SongKind::kHuman ? "human" : song.singer;
    p.depth = p.kind == corpus::SongKind::kHuman ? 0 : std::max(1, song.depth);
    p.round = song.round;
    p.seed = song.seed;
    p.split = corpus::Split::kTrain;
    p.variation_sigma = song.sigma;
    p.song_key = song.key;
    p.lineage = song.lineage;
    id = store.append_song(record, mel, p);
  }
  const HumanShare share = human_share(store.manifest());
  // What the next dream would train on, drawn as it will draw it.
  const double updates = plan_dream(listener.agent, *listener.role, listener.first_new_song,
                                    dream_seed(listener, listener.dreams + 1)).human_share;
  events::Listen e;
  e.agent = listener.name;
  e.song = number;
  e.round = song.round;
  e.dataset_song = id;
  e.human_fraction = share.of_trained();
  e.human_fraction_dataset = share.of_dataset();
  e.human_fraction_updates = updates;
  emit(e);
  note_human_share(listener, e);
}

void Loop::note_human_share(Party& listener, const events::Listen& listen_event) {
  if (listener.emancipation) return;
  if (!(listen_event.human_fraction < 0.5)) return;
  events::Emancipation point;
  point.agent = listener.name;
  point.song = listen_event.song;
  point.round = songs_.at(static_cast<size_t>(listen_event.song)).round;
  point.human_fraction = listen_event.human_fraction;
  point.line = fmt::format("{} now holds more machine music than human music", listener.name);
  if (!replayed<events::Emancipation>()) emit(point);
  listener.emancipation = point;
}

bool Loop::dream(Party& p, int round) {
  const int index = p.dreams + 1;
  const std::uint64_t seed = dream_seed(p, index);
  const auto* start = replayed<events::DreamStart>();
  const DreamPlan plan = plan_dream(p.agent, *p.role, p.first_new_song, seed);
  if (!start) {
    events::DreamStart e;
    e.agent = p.name;
    e.dream = index;
    e.round = round;
    e.items = static_cast<int64_t>(plan.items.size());
    e.songs = static_cast<int64_t>(plan.songs.size());
    e.songs_too_long = plan.songs_too_long;
    e.policy = to_string(p.role->dream_policy);
    e.batch_size = plan.batch_size;
    e.learning_rate = plan.learning_rate;
    e.budget_s = plan.budget_s;
    emit(e);
  }
  const auto* end = replayed<events::DreamEnd>();
  if (!end) {
    DreamCallbacks cb;
    cb.stop = o_.stop;
    if (o_.dream_progress) {
      cb.progress = [&](const char* stage, int64_t epoch, double loss) { o_.dream_progress(p.name, stage, epoch, loss); };
    }
    const auto t0 = std::chrono::steady_clock::now();
    json ml1_validation = json::object();
    cb.ml1_trained = [&](const agent::TrainOutcome& r) {
      ml1_validation = {{"ml1_val_mse", number_or_null(r.val_reconstruction)},
                        {"ml1_val_mean_snippet", number_or_null(r.val_mean_snippet)},
                        {"ml1_val_time_flat", number_or_null(r.val_time_flat)}};
    };
    const auto done = run_dream(p.agent, plan, o_.session / kDreamsDir, fmt::format("{}_{:03d}", p.name, index), cb);
    if (!done) return false;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    GenerationInput in;
    std::vector<torch::Tensor> mels;
    for (const auto number : p.songs_since_dream) mels.push_back(p.agent.mel_snippets(heard_audio(p, songs_[static_cast<size_t>(number)])));
    if (!mels.empty()) in.mel = torch::cat(mels, 0);
    in.listening = p.listening_since_dream;
    in.update_human_share = plan.human_share;
    in.previous_mean = p.previous_mean;
    in.first_frechet = p.first_frechet;
    in.first_frechet_k = p.first_frechet_k;
    in.seed = seed;
    const auto m = measure_generation(p.agent, *p.judge, in);
    json measures = m.values;
    measures.update(ml1_validation);
    // ML2's held-out error and how its songs move (docs/ml2_composing.md), flat for plotting.
    measures["ml2_val_mse"] = number_or_null(done->ml2_val);
    const auto& motion = done->ml2_motion;
    for (const char* key : {"step", "spread", "variety", "nearest", "closest_pair"}) {
      measures[std::string("ml2_") + key + "_ratio"] = motion.is_object() ? motion["ratio"][key] : json(nullptr);
    }
    measures["ml2_motion"] = motion.is_object() ? motion : json(nullptr);
    measures["agent"] = p.name;
    measures["dream"] = index;
    measures["round"] = round;
    // t*: written by the program once it happened, null before. The dream counts as emancipated
    // when the items it trained on were mostly machine music (docs/conversation.md).
    if (!p.emancipation_dream && plan.human_share < 0.5) p.emancipation_dream = index;
    measures["t_star_dream"] = p.emancipation_dream ? json(*p.emancipation_dream) : json(nullptr);
    measures["t_star_round"] = p.emancipation ? json(p.emancipation->round) : json(nullptr);
    measures["t_star_song"] = p.emancipation ? json(p.emancipation->song) : json(nullptr);
    events::DreamEnd event;
    event.agent = p.name;
    event.dream = index;
    event.round = round;
    event.seconds = seconds;
    event.measures = measures;
    event.out_of_time = done->out_of_time;
    event.ml1_epochs = done->ml1_epochs_done;
    event.ml2 = done->ml2;
    event.order_drift = done->order_drift;
    event.dataset_songs = static_cast<int64_t>(p.agent.dataset().manifest().songs().size());
    if (m.mean.defined()) {
      event.generation_mean = std::vector<double>(m.mean.data_ptr<double>(), m.mean.data_ptr<double>() + m.mean.numel());
    }
    emit(event);
  }
  // State after the dream, from its event (new or replayed): the same either way.
  const auto& e = std::get<events::DreamEnd>(log_.at(cursor_ - 1).body);
  measures_lines_ += e.measures.dump() + "\n";
  if (!end) write_measures_file();
  p.dreams = index;
  p.first_new_song = e.dataset_songs;
  p.songs_since_dream.clear();
  p.listening_since_dream.clear();
  if (e.generation_mean) p.previous_mean = torch::tensor(*e.generation_mean, torch::kFloat64);
  // A measures object without a figure (a session from before it) leaves it unknown.
  const auto number = [&](const char* key) -> std::optional<double> {
    const auto it = e.measures.find(key);
    return it != e.measures.end() && it->is_number() ? std::optional<double>(it->get<double>()) : std::nullopt;
  };
  if (!p.first_frechet) p.first_frechet = number("frechet");
  if (!p.first_frechet_k) p.first_frechet_k = number("frechet_k");
  if (const auto t_star = number("t_star_dream")) p.emancipation_dream = static_cast<int>(*t_star);
  // Only after a dream done now: a replayed one does not yet know a later emancipation dream.
  if (!end) prune_dream_snapshots(o_.session / kDreamsDir, p.name, s_.dream_snapshots_keep, p.emancipation_dream);
  return true;
}

void Loop::write_measures_file() { write_file_atomic(o_.session / kMeasuresFile, measures_lines_); }

bool Loop::poll_control(int round) {
  for (;;) {
    while (cursor_ < log_.size() && is_control_event(log_.at(cursor_).body)) {
      const auto body = log_.at(cursor_++).body;
      if (!obey(body, round, false)) return false;
    }
    if (cursor_ < log_.size()) return true;  // replaying: no more commands came here
    if (o_.control) {
      std::int64_t dropped = 0;
      for (const auto& note : o_.control->take(&dropped)) {
        if (!obey(emit(control_event(note, {parties_[0].name, parties_[1].name})).body, round, true)) return false;
      }
      if (dropped > 0) emit(dropped_control_event(dropped));
    } else if (control_.paused()) {
      // Nothing could ever resume it (a paused session continued without --control).
      events::Control resume;
      resume.command = to_string(ControlKind::kResume);
      resume.line = "control: resume (no control input to wait for)";
      obey(emit(resume).body, round, true);
    }
    if (!control_.paused()) return true;
    if (stop_requested()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool Loop::obey(const events::EventBody& event, int round, bool is_new) {
  const auto kind = control_.apply(event);
  if (kind == ControlKind::kDream) {
    for (const Role r : s_.dream_order) {
      if (!dream(party(r), round)) return false;
    }
  }
  // A replayed stop was obeyed before the resume; the resumed run goes on.
  if (kind == ControlKind::kStop && is_new) {
    stop_command_ = true;
    return false;
  }
  return true;
}

void Loop::keep_songs_within_cap() {
  if (next_is<events::SongsPruned>()) ++cursor_;
  if (cursor_ < log_.size() || s_.songs_max_mb <= 0) return;  // replaying, or no cap
  // The loop still reads the songs of this round and those each agent sang since its last dream.
  int64_t protect_from = songs_.back().number;
  while (protect_from > 0 && songs_[static_cast<size_t>(protect_from - 1)].round == songs_.back().round) --protect_from;
  for (const auto& p : parties_) {
    if (!p.songs_since_dream.empty()) protect_from = std::min(protect_from, p.songs_since_dream.front());
  }
  const auto max_bytes = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(s_.songs_max_mb * 1e6)));
  const auto pruned = cap_songs_folder(o_.session / kSongsDir, max_bytes, protect_from, o_.before_songs_removed);
  if (pruned.wavs.empty()) return;
  events::SongsPruned e;
  e.wavs = pruned.wavs;
  e.bytes_freed = pruned.bytes_freed;
  e.songs_bytes = pruned.bytes_after;
  e.songs_max_mb = s_.songs_max_mb;
  e.line = fmt::format("songs' WAVs over {} MB: removed the WAVs of {} older songs ({:.1f} MB), sidecars kept",
                       s_.songs_max_mb, pruned.wavs.size(), static_cast<double>(pruned.bytes_freed) / 1e6);
  emit(e);
}

bool Loop::play_round(int round) {
  std::optional<int64_t> previous;
  for (size_t t = 0; t < s_.turns.size(); ++t) {
    // Memory stays flat over weeks: the events already consumed are not needed again.
    log_.forget_before(cursor_ > 0 ? cursor_ - 1 : 0);
    if (stop_requested() || !poll_control(round)) return false;
    const Turn& turn = s_.turns[t];
    Party& singer = party(turn.singer);
    Party& listener = party(turn.singer == Role::kA ? Role::kB : Role::kA);
    Act act = turn.act;
    if (act == Act::kOpen) {
      act = opening_act(s_.opening, round, !opened_);
      opened_ = true;
    }
    const bool answers = act == Act::kImitation || act == Act::kVariation;
    const double sigma = act == Act::kVariation
                             ? control_.sigma_for(singer.index)
                                   .value_or(turn.sigma >= 0 ? turn.sigma : singer.role->variation_sigma)
                             : 0.0;
    const int64_t song = sing(round, static_cast<int>(t), singer, listener, to_string(act), sigma,
                              answers ? previous : std::nullopt);
    if (turn.remembered) listen(listener, song);
    previous = song;
  }
  return true;
}

ConversationOutcome Loop::run() {
  start();
  ConversationOutcome out;
  out.until_stopped = s_.rounds == 0;
  for (int round = 1; s_.rounds == 0 || round <= s_.rounds; ++round) {
    if (stop_requested()) {
      out.stopped = true;
      return out;
    }
    if (!replayed<events::RoundStart>()) emit(events::RoundStart{round});
    if (!play_round(round)) {
      out.stopped = true;
      out.stop_command = stop_command_;
      return out;
    }
    out.rounds_done = round;
    if (s_.dream_every > 0 && round % s_.dream_every == 0) {
      for (const Role r : s_.dream_order) {
        if (!dream(party(r), round)) {
          out.stopped = true;
          return out;
        }
      }
    }
  }
  if (!replayed<events::SessionEnd>()) emit(events::SessionEnd{s_.rounds});
  write_measures_file();
  out.finished = true;
  return out;
}

}  // namespace

ConversationOutcome converse(const ConversationOptions& options) {
  Loop loop(options);
  return loop.run();
}

}  // namespace mh::conversation
