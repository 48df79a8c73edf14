#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "audio/write_wav.hpp"
#include "core/files.hpp"
#include "model/ml1_checkpoint.hpp"
#include "support/paths.hpp"
#include "support/tiny_agent.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;

std::string converse_cli() { return test::cli_path().string(); }

void write_tone(const fs::path& path, double seconds, double hz) {
  const auto t = torch::arange(static_cast<int64_t>(seconds * 44100), torch::kFloat64) / 44100.0;
  audio::write_wav(path, (0.3 * torch::sin(2 * M_PI * hz * t + 0.3 * torch::sin(2 * M_PI * 4 * t))).to(torch::kFloat32),
                   44100);
}

/// Two tiny agents made with `metahuman agent new`, once for the whole suite.
class Converse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    write_file_atomic(*dir_ / "tiny.toml",
                      test::kTinyAgentToml);
    write_file_atomic(*dir_ / "conversation.toml",
                      "rounds = 1\ndream_every = 1\nexcerpt_min_s = 0.5\nexcerpt_max_s = 1.0\nreference_snippets = 16\n"
                      "seed = 5\n[a]\ndream_ml1_epochs = 1\ndream_ml2_epochs = 1\n"
                      "[b]\ndream_ml1_epochs = 1\ndream_ml2_epochs = 1\nvariation_sigma = 0.8\n");
    for (const auto& [name, base] : {std::pair{"Valerio", 220.0}, std::pair{"Dennis", 330.0}}) {
      const fs::path corpus = *dir_ / ("corpus_" + std::string(name));
      fs::create_directories(corpus);
      for (int i = 0; i < 5; ++i) write_tone(corpus / ("t" + std::to_string(i) + ".wav"), 2.0 + 0.25 * i, base * (1 + 0.2 * i));
      const auto r = test::run_command(converse_cli() + " agent new --agent " + (*dir_ / name).string() + " --name " + name +
                                       " --corpus " + corpus.string() + " --settings " + (*dir_ / "tiny.toml").string());
      if (r.exit_code != 0) setup_error_ += r.output;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  /// Fresh copies of the two agents under `run`.
  static void copy_agents(const fs::path& run) {
    for (const char* name : {"Valerio", "Dennis"}) fs::copy(*dir_ / name, run / name, fs::copy_options::recursive);
  }
  static std::string converse_args(const fs::path& run) {
    return " converse --session " + (run / "session").string() + " --agents " + (run / "Valerio").string() + " " +
           (run / "Dennis").string() + " --settings " + (*dir_ / "conversation.toml").string();
  }
  static std::map<std::string, std::string> songs(const fs::path& session) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(session / "songs")) {
      if (e.path().extension() == ".wav") out[e.path().filename().string()] = read_file(e.path());
    }
    return out;
  }
  static size_t event_lines(const fs::path& session) {
    std::ifstream in(session / "events.jsonl");
    return static_cast<size_t>(std::count(std::istreambuf_iterator<char>(in), {}, '\n'));
  }

  static test::TempDir* dir_;
  static std::string setup_error_;
};
test::TempDir* Converse::dir_ = nullptr;
std::string Converse::setup_error_;

TEST_F(Converse, ConverseWritesSongsEventsAndAMeasuresTable) {
  test::TempDir run;
  copy_agents(run.path());
  const auto r = test::run_command(converse_cli() + converse_args(run.path()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(songs(run / "session").size(), 6u);
  EXPECT_NE(r.output.find("forgetting"), std::string::npos) << r.output;  // the measures table
  EXPECT_NE(r.output.find("Valerio: still"), std::string::npos) << r.output;  // tiny runs stay mostly human
  EXPECT_NE(r.output.find("Dennis sings imitation"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(", notes "), std::string::npos) << r.output;  // an answer's pitch agreement
  const auto again = test::run_command(converse_cli() + converse_args(run.path()));
  EXPECT_EQ(again.exit_code, 9) << again.output;  // a session error
  EXPECT_NE(again.output.find("--resume"), std::string::npos) << again.output;
  // A session belongs to its agents: resuming it with others is one line.
  const auto others = test::run_command(converse_cli() + " converse --session " + (run / "session").string() +
                                        " --agents " + (run / "Dennis").string() + " " + (run / "Valerio").string() +
                                        " --resume");
  EXPECT_EQ(others.exit_code, 9) << others.output;
  EXPECT_EQ(std::count(others.output.begin(), others.output.end(), '\n'), 1) << others.output;
  EXPECT_NE(others.output.find("the session was started by agents"), std::string::npos) << others.output;
}

TEST_F(Converse, KilledWithSigkillAndResumedEndsWithTheSameSongBytes) {
  test::TempDir whole;
  copy_agents(whole.path());
  ASSERT_EQ(test::run_command(converse_cli() + converse_args(whole.path())).exit_code, 0);
  const auto expected = songs(whole / "session");

  test::TempDir killed;
  copy_agents(killed.path());
  const fs::path session = killed / "session";
  // Kill points: after the first song, inside the round, in the first dream.
  for (const size_t at_events : {3u, 11u, 15u}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const std::string command = "exec " + converse_cli() + converse_args(killed.path()) + " --resume >/dev/null 2>&1";
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    int status = 0;
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      if (fs::exists(session / "events.jsonl") && event_lines(session) >= at_events) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }
  const auto r = test::run_command(converse_cli() + converse_args(killed.path()) + " --resume");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto got = songs(session);
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [name, bytes] : expected) {
    EXPECT_TRUE(got.count(name) && fnv1a64(got.at(name)) == fnv1a64(bytes)) << name << " differs";
  }
  // The checkpoints hold wall-clock times in their history; the weights must be identical.
  const auto pk = model::load_ml1_checkpoint(read_file(killed / "Dennis" / "ml1.ckpt"), torch::kCPU).model->named_parameters();
  const auto pw = model::load_ml1_checkpoint(read_file(whole / "Dennis" / "ml1.ckpt"), torch::kCPU).model->named_parameters();
  for (const auto& p : pk) EXPECT_TRUE(torch::equal(p.value(), pw[p.key()])) << p.key();
}

/// Starts `command` in the background with its output in `log`.
pid_t start_in_background(const std::string& command, const fs::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string line = "exec " + command + " >" + log.string() + " 2>&1";
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

/// Waits until `ready` holds (true) or the process exits (false), within a generous limit.
bool wait_until(pid_t pid, const std::function<bool()>& ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

/// The exit code of `pid`, or -1 when it does not end in time (it is then killed) or ends by a signal.
int exit_code_of(pid_t pid) {
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

std::vector<nlohmann::json> events_of(const fs::path& session, const std::string& type) {
  std::vector<nlohmann::json> out;
  std::ifstream in(session / "events.jsonl");
  for (std::string line; std::getline(in, line);) {
    const auto e = nlohmann::json::parse(line, nullptr, false);  // the last line may be half written
    if (!e.is_discarded() && e["type"] == type) out.push_back(e);
  }
  return out;
}

TEST_F(Converse, ForeverStoppedBySigtermExitsZeroWithTheContinueLineAndContinues) {
  test::TempDir run;
  copy_agents(run.path());
  const fs::path session = run / "session";
  size_t songs_before = 0;
  for (const int pass : {1, 2}) {
    const std::string command = converse_cli() + converse_args(run.path()) + (pass == 1 ? " --forever" : " --resume");
    const fs::path log = run / ("pass" + std::to_string(pass) + ".txt");
    const pid_t pid = start_in_background(command, log);
    ASSERT_GE(pid, 0);
    // A few new songs, then the signal a service manager sends.
    const bool sang = wait_until(pid, [&] {
      return fs::exists(session / "events.jsonl") && events_of(session, "song").size() >= songs_before + 3;
    });
    EXPECT_TRUE(sang) << read_file(log);
    kill(pid, SIGTERM);
    ASSERT_EQ(exit_code_of(pid), 0) << read_file(log);
    const std::string output = read_file(log);
    const std::string last = output.substr(output.rfind('\n', output.size() - 2) + 1);
    EXPECT_NE(last.find("continue with: metahuman converse --session " + session.string()), std::string::npos)
        << output;
    EXPECT_NE(last.find("--resume"), std::string::npos) << last;
    const auto songs = events_of(session, "song");
    EXPECT_GE(songs.size(), songs_before + 3);
    for (size_t i = 0; i < songs.size(); ++i) EXPECT_EQ(songs[i]["song"], static_cast<int64_t>(i));
    songs_before = songs.size();
  }
  EXPECT_TRUE(events_of(session, "session_end").empty());
}

TEST_F(Converse, OscCommandsSteerARunningConversationAndStopEndsItWithExitZero) {
  // A free port: bound, read, released.
  const int probe = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string port = std::to_string(ntohs(a.sin_port));
  ::close(probe);

  test::TempDir run;
  copy_agents(run.path());
  const fs::path session = run / "session", log = run / "out.txt";
  const pid_t pid =
      start_in_background(converse_cli() + converse_args(run.path()) + " --forever --control " + port, log);
  ASSERT_GE(pid, 0);
  const bool sang = wait_until(pid, [&] {
    return fs::exists(session / "events.jsonl") && !events_of(session, "song").empty();
  });
  EXPECT_TRUE(sang) << read_file(log);
  lo_address to = lo_address_new("127.0.0.1", port.c_str());
  lo_send(to, "/metahuman/sigma", "f", 0.8f);
  lo_send(to, "/metahuman/sigma", "s", "loud");
  lo_send(to, "/metahuman/stop", "");
  lo_address_free(to);
  ASSERT_EQ(exit_code_of(pid), 0) << read_file(log);
  const std::string output = read_file(log);
  EXPECT_NE(output.find("listening for OSC commands on 127.0.0.1:" + port), std::string::npos) << output;
  EXPECT_NE(output.find("control: ignored /metahuman/sigma (s)"), std::string::npos) << output;
  EXPECT_NE(output.find("continue with:"), std::string::npos) << output;
  EXPECT_NE(output.find("--control " + port), std::string::npos) << output;
  const auto control = events_of(session, "control");
  ASSERT_EQ(control.size(), 2u);
  EXPECT_EQ(control[0]["command"], "sigma");
  EXPECT_NEAR(control[0]["value"].get<double>(), 0.8, 1e-6);
  EXPECT_EQ(control[1]["command"], "stop");
  EXPECT_EQ(events_of(session, "control_ignored").size(), 1u);
}

TEST(ConverseSettings, APresetNamePrintsItsSettings) {
  const auto r = test::run_command(converse_cli() + " converse --settings original --rounds 20 --print-settings");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("preset = 'original'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rounds = 20"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[[turns]]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("dream_batch_size = 32"), std::string::npos) << r.output;
  const auto missing = test::run_command(converse_cli() + " converse --settings originl --print-settings");
  EXPECT_EQ(missing.exit_code, 3) << missing.output;
  EXPECT_NE(missing.output.find("not a preset"), std::string::npos) << missing.output;
  const auto usage = test::run_command(converse_cli() + " converse --settings original");
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  const auto forever = test::run_command(converse_cli() + " converse --settings original --forever --print-settings");
  EXPECT_EQ(forever.exit_code, 0) << forever.output;
  EXPECT_NE(forever.output.find("rounds = 0"), std::string::npos) << forever.output;
  const auto both = test::run_command(converse_cli() + " converse --forever --rounds 3 --print-settings");
  EXPECT_EQ(both.exit_code, 2) << both.output;
}

TEST_F(Converse, BadConversationSettingsNameTheField) {
  test::TempDir run;
  write_file_atomic(run / "bad.toml", "rounds = 2\n[b]\nmix_human_share = 1.5\n");
  const auto r = test::run_command(converse_cli() + " converse --session " + (run / "s").string() + " --agents " +
                                   (*dir_ / "Valerio").string() + " " + (*dir_ / "Dennis").string() + " --settings " +
                                   (run / "bad.toml").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("b.mix_human_share"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(run / "s" / "events.jsonl"));
}

}  // namespace
}  // namespace mh
