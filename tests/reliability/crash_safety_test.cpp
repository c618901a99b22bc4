// Crash safety (issue 7.2): a tandem process that writes its backend's cache is killed with
// SIGKILL at 100 random instants, a third each before, during and after the write. After
// each kill no torn file is left that loads, and the next run succeeds with the reference's
// outputs and a cache status of hit, miss or recovered, as the file it found deserves.
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "core/cache/cache_file.h"
#include "tests/reliability/tandem_runs.h"

namespace tandem::reliability {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 100;

// Tells, through inotify on the cache directory, when a writer has created its temporary
// file and when it has renamed it over the cache file.
class WriteWatcher {
 public:
  enum class Event { TemporaryCreated, Renamed };

  WriteWatcher(const std::string& dir, std::string file_name) : file_name_(std::move(file_name)) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0 || ::inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO) < 0) {
      throw std::runtime_error("inotify on " + dir + " failed");
    }
  }
  ~WriteWatcher() { ::close(fd_); }
  WriteWatcher(const WriteWatcher&) = delete;
  WriteWatcher& operator=(const WriteWatcher&) = delete;

  // True when `event` happens while `child` runs; false if it ends first or `limit` passes.
  bool wait_for(Event event, ChildProcess& child, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (happened(event)) return true;
      if (!child.running()) return happened(event);
      pollfd ready{fd_, POLLIN, 0};
      ::poll(&ready, 1, 1);
    }
    return false;
  }

  // Whether `event` has happened since the watch began.
  bool happened(Event event) {
    alignas(inotify_event) char buffer[8192];
    ssize_t got;
    while ((got = ::read(fd_, buffer, sizeof buffer)) > 0) {
      for (char* at = buffer; at < buffer + got;) {
        const auto* item = reinterpret_cast<const inotify_event*>(at);
        const std::string name = item->len ? item->name : "";
        if ((item->mask & IN_CREATE) && name.rfind(file_name_ + ".tmp.", 0) == 0) {
          temporary_created_ = true;
        }
        if ((item->mask & IN_MOVED_TO) && name == file_name_) renamed_ = true;
        at += sizeof(inotify_event) + item->len;
      }
    }
    return event == Event::TemporaryCreated ? temporary_created_ : renamed_;
  }

 private:
  int fd_ = -1;
  std::string file_name_;
  bool temporary_created_ = false;
  bool renamed_ = false;
};

// When, after start, an uninterrupted writer creates its temporary file, renames it into
// place and exits: medians of a few runs on an empty cache.
struct WriteTimeline {
  double temporary_created = 0;
  double renamed = 0;
  double exited = 0;
};

enum class Phase { BeforeWrite, DuringWrite, AfterWrite };
enum class Planted { Nothing, CorruptedCopy, TruncatedCopy };

struct KillTally {
  int killed[3] = {0, 0, 0};     // by phase
  int finished_first = 0;         // the writer was done before its instant came

  // The phase with the fewest kills so far (the earliest on a tie). A write takes a few
  // milliseconds, so a kill aimed into it often lands after the rename; aiming at the phase
  // that is short gives each its share without relying on the aim.
  Phase scarcest() const {
    int phase = 0;
    for (int p = 1; p < 3; ++p) {
      if (killed[p] < killed[phase]) phase = p;
    }
    return static_cast<Phase>(phase);
  }
};

class CrashSafety : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!backend_has_device(GetParam())) GTEST_SKIP() << "no " << GetParam() << " device";
    model_ = test_model("conv_relu.onnx");
    reference_ = reference_outputs(model_);
  }

  ChildOptions writer_options(const std::string& outputs) const {
    ChildOptions options = tandem_options(run_args(model_, GetParam(), outputs), cache_.path());
    use_pocl_kernel_cache(options, pocl_cache_.path());
    return options;
  }

  std::string cache_file() const { return cache_ / file_name_; }

  void remove_cache_file() const {
    std::error_code ignored;
    fs::remove(cache_file(), ignored);
    fs::remove(cache_file() + ".corrupt", ignored);
  }

  WriteTimeline calibrate();
  std::vector<std::uint8_t> plant(Planted what, std::mt19937& random);
  void kill_writer(Phase phase, const WriteTimeline& timeline, std::mt19937& random,
                   KillTally& tally, int instant);
  void check_next_run(const std::vector<std::uint8_t>& planted, int instant);

  std::string model_;
  std::string reference_;
  ScratchDir cache_;
  ScratchDir pocl_cache_;
  ScratchDir outputs_;
  std::string file_name_;
  std::vector<std::uint8_t> good_bytes_;
};

WriteTimeline CrashSafety::calibrate() {
  // The first run learns the file name (and warms pocl's cache); three more are timed.
  const TandemRun first = run_tandem_child(writer_options(outputs_ / "calibrate"));
  if (!first.child.exited_cleanly()) throw std::runtime_error(first.describe());
  file_name_ = fs::path(first.cache_path()).filename().string();
  good_bytes_ = read_file_bytes(cache_file());
  std::vector<WriteTimeline> runs;
  for (int i = 0; i < 3; ++i) {
    remove_cache_file();
    WriteWatcher watcher(cache_.path(), file_name_);
    ChildProcess child(writer_options(outputs_ / "calibrate"));
    WriteTimeline timeline;
    if (watcher.wait_for(WriteWatcher::Event::TemporaryCreated, child, std::chrono::seconds(60))) {
      timeline.temporary_created = child.seconds_running();
    }
    if (watcher.wait_for(WriteWatcher::Event::Renamed, child, std::chrono::seconds(60))) {
      timeline.renamed = child.seconds_running();
    }
    const ChildResult result = child.wait(std::chrono::seconds(60));
    if (!result.exited_cleanly() || timeline.renamed == 0) {
      throw std::runtime_error("calibration run did not write the cache: " + result.err);
    }
    timeline.exited = result.seconds;
    runs.push_back(timeline);
  }
  std::sort(runs.begin(), runs.end(),
            [](const WriteTimeline& a, const WriteTimeline& b) { return a.exited < b.exited; });
  return runs[1];
}

// Leaves the cache file as the killed writer will find it; returns the bytes planted.
std::vector<std::uint8_t> CrashSafety::plant(Planted what, std::mt19937& random) {
  remove_cache_file();
  if (what == Planted::Nothing) return {};
  std::vector<std::uint8_t> bytes = good_bytes_;
  if (what == Planted::CorruptedCopy) {
    bytes[std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(random)] ^= 0x5a;
  } else {
    // What a writer without rename would leave after a crash: the file's first part.
    bytes.resize(std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(random));
  }
  write_file_bytes(cache_file(), bytes);
  return bytes;
}

// Aims the kill at `phase`, then files it under the phase it really hit: the write's system
// calls raise inotify events before they return, so after the kill the events read tell.
void CrashSafety::kill_writer(Phase phase, const WriteTimeline& timeline, std::mt19937& random,
                              KillTally& tally, int instant) {
  auto uniform = [&](double from, double to) {
    return std::chrono::duration<double>(std::uniform_real_distribution<double>(from, to)(random));
  };
  WriteWatcher watcher(cache_.path(), file_name_);
  ChildProcess child(writer_options(outputs_ / ("killed-" + std::to_string(instant))));
  using Event = WriteWatcher::Event;
  if (phase == Phase::BeforeWrite) {
    std::this_thread::sleep_for(uniform(0, timeline.temporary_created));
  } else if (phase == Phase::DuringWrite) {
    watcher.wait_for(Event::TemporaryCreated, child, std::chrono::seconds(60));
    std::this_thread::sleep_for(uniform(0, 1.2 * (timeline.renamed - timeline.temporary_created)));
  } else {
    watcher.wait_for(Event::Renamed, child, std::chrono::seconds(60));
    std::this_thread::sleep_for(uniform(0, timeline.exited - timeline.renamed));
  }
  child.kill_group();
  const ChildResult result = child.wait(std::chrono::seconds(60));
  if (result.exited_cleanly()) {
    ++tally.finished_first;
    return;
  }
  EXPECT_EQ(result.signal, SIGKILL)
      << "instant " << instant << ": writer " << result.how_it_ended() << ": " << result.err;
  const Phase hit = watcher.happened(Event::Renamed)            ? Phase::AfterWrite
                    : watcher.happened(Event::TemporaryCreated) ? Phase::DuringWrite
                                                                : Phase::BeforeWrite;
  ++tally.killed[static_cast<int>(hit)];
}

// The file the kill left is complete or exactly what was planted, and the next run reads it
// for what it is.
void CrashSafety::check_next_run(const std::vector<std::uint8_t>& planted, int instant) {
  const bool exists = fs::exists(cache_file());
  const std::vector<std::uint8_t> left = exists ? read_file_bytes(cache_file())
                                                : std::vector<std::uint8_t>{};
  const bool complete = exists && parse_cache_bytes(left, nullptr).outcome == CacheLoadOutcome::Loaded;
  const bool untouched_plant = exists && !planted.empty() && left == planted;
  ASSERT_TRUE(!exists || complete || untouched_plant)
      << "instant " << instant << ": the kill left a torn cache file of " << left.size() << " bytes";

  const std::string outputs = outputs_ / ("next-" + std::to_string(instant));
  const TandemRun next = run_tandem_child(writer_options(outputs));
  ASSERT_TRUE(next.child.exited_cleanly()) << "instant " << instant << ": " << next.describe();
  const std::string expected = complete ? "hit" : untouched_plant ? "recovered" : "miss";
  EXPECT_EQ(next.cache_status(), expected) << "instant " << instant << ": " << next.describe();
  EXPECT_EQ(compare_outputs(reference_, outputs), "") << "instant " << instant;
  EXPECT_EQ(parse_cache_bytes(read_file_bytes(cache_file()), nullptr).outcome, CacheLoadOutcome::Loaded)
      << "instant " << instant << ": the next run left no valid cache file";
  fs::remove_all(outputs);
}

TEST_P(CrashSafety, KillAtHundredInstantsBeforeDuringAndAfterTheWrite) {
  const WriteTimeline timeline = calibrate();
  std::mt19937 random(20251124);
  KillTally tally;
  // A writer that finishes before its kill lands (timing on a loaded machine) does not
  // count: instants are drawn until kKills kills have really interrupted a writer and each
  // phase has its share. Each kill aims at the scarcest phase; on a loaded machine one aimed
  // before or during the write can land after it (a full ctest run on 2 cores once left 8
  // and 7 of the first 100), so the draws go on.
  const auto landed = [&tally] { return tally.killed[0] + tally.killed[1] + tally.killed[2]; };
  const auto shared = [&tally] {
    return std::min({tally.killed[0], tally.killed[1], tally.killed[2]}) >= kKills / 10;
  };
  for (int instant = 0; (landed() < kKills || !shared()) && instant < 4 * kKills; ++instant) {
    const auto planted_kind = static_cast<Planted>(random() % 3);
    const std::vector<std::uint8_t> planted = plant(planted_kind, random);
    kill_writer(tally.scarcest(), timeline, random, tally, instant);
    check_next_run(planted, instant);
    if (HasFatalFailure()) return;
  }
  std::printf("%s: %d kills before the write, %d during, %d after; %d writers finished first "
              "(write at %.3f-%.3f s of %.3f s)\n",
              GetParam().c_str(), tally.killed[0], tally.killed[1], tally.killed[2],
              tally.finished_first, timeline.temporary_created, timeline.renamed, timeline.exited);
  // Every counted instant really interrupted the writer, and each phase got its share, or
  // the test proves little.
  EXPECT_GE(landed(), kKills);
  for (int phase = 0; phase < 3; ++phase) {
    EXPECT_GE(tally.killed[phase], kKills / 10) << "too few kills in phase " << phase;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashSafety, ::testing::Values("opencl", "vulkan"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

}  // namespace
}  // namespace tandem::reliability
