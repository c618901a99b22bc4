#include "conformance/cache_scenarios.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <map>

#include "conformance/cache_tampering.h"
#include "conformance/fifo_watchdog.h"
#include "core/temp_dir.h"
#include "core/reference_backend.h"

namespace tandem::conformance {
namespace {

// A backend with a real cache file in the shared container, as the GPU backends keep
// theirs: one entry per plan. `careless` reports miss whatever it finds, as a backend
// that never reads its cache would; the scenarios must catch that.
class CachingExecutable : public Executable {
 public:
  CachingExecutable(Plan plan, CacheReport report)
      : plan_(std::move(plan)), report_(std::move(report)) {}
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) override {
    std::vector<Tensor> outputs = run_reference(plan_, inputs);
    for (Tensor& output : outputs) output = output.cast(DType::F32);
    return outputs;
  }
  CacheReport cache_report() const override { return report_; }

 private:
  Plan plan_;
  CacheReport report_;
};

CacheReport load_status(const CacheLoadResult& loaded, const std::string& key) {
  switch (loaded.outcome) {
    case CacheLoadOutcome::Loaded:
      for (const CacheEntry& entry : loaded.entries) {
        if (entry.key == key) return {"", CacheStatus::Hit, ""};
      }
      return {"", CacheStatus::Miss, "no entry " + key};
    case CacheLoadOutcome::Missing:
      return {"", CacheStatus::Miss, ""};
    case CacheLoadOutcome::Mismatch:
      return {"", CacheStatus::Invalidated, loaded.reason};
    case CacheLoadOutcome::Corrupt:
    case CacheLoadOutcome::Untrusted:
      return {"", CacheStatus::Recovered, loaded.reason};
  }
  return {};
}

class CachingBackend : public Backend {
 public:
  explicit CachingBackend(bool careless) : careless_(careless) {}
  std::string name() const override { return careless_ ? "test-careless-cache" : "test-caching"; }
  std::vector<DeviceInfo> devices() override {
    return {{name(),
             0,
             "Cache Test Device",
             "tandem",
             "cpu",
             "7.1",
             {{"device_name", "Cache Test Device"},
              {"driver_version", "7.1"},
              {"pointer_bits", "64"}}}};
  }
  std::unique_ptr<Executable> compile(const Plan& plan, const DeviceInfo& device,
                                      const CompileOptions& options) override {
    if (options.cache.mode == CacheMode::Off) {
      return std::make_unique<CachingExecutable>(plan, CacheReport{"", CacheStatus::Off, ""});
    }
    const std::string path = options.cache.dir + "/test_programs.bin";
    const CacheFileHeader header{"test-programs", 1, TANDEM_VERSION, device.identity};
    const std::string key =
        "program|model.cl|" + std::to_string(plan.graph.nodes().size()) + "|-DTEST_OPTION";
    const CacheLoadResult loaded = read_cache_file(path, header);
    CacheReport report = load_status(loaded, key);
    report.path = path;
    if (careless_) report = {path, CacheStatus::Miss, ""};
    const bool writable = options.cache.mode == CacheMode::ReadWrite;
    if (writable && report.status == CacheStatus::Recovered) set_aside_cache_file(path);
    if (writable && report.status != CacheStatus::Hit) {
      const std::vector<std::uint8_t> payload(40,
                                              static_cast<std::uint8_t>(plan.graph.nodes().size()));
      try {
        update_cache_file(path, header, {{key, payload, 1700000000}}, {});
      } catch (const Error& error) {
        report.reason +=
            (report.reason.empty() ? "" : "; ") + std::string("not written: ") + error.what();
      }
    }
    if (!writable) report.reason += (report.reason.empty() ? "" : "; ") + std::string("read-only");
    return std::make_unique<CachingExecutable>(plan, report);
  }

 private:
  bool careless_;
};

const BackendRegistration caching("test-caching",
                                  [] { return std::make_unique<CachingBackend>(false); });
const BackendRegistration careless("test-careless-cache",
                                   [] { return std::make_unique<CachingBackend>(true); });

std::map<std::string, CaseResult> run_all(const std::string& backend) {
  static const Case model = cache_model_case();
  static const PreparedCase prepared = prepare_case(model, ".");
  EXPECT_TRUE(prepared.error.empty() && prepared.skip_reason.empty())
      << prepared.error << prepared.skip_reason;
  const DeviceInfo device = BackendRegistry::instance().create(backend)->devices().front();
  std::map<std::string, CaseResult> results;
  std::atomic<int> reported{0};
  for (CaseResult& r : run_cache_scenarios(
           backend, device, prepared, [](const std::string&) { return true; },
           [&](const CaseResult&) { ++reported; }, 2)) {
    results.emplace(r.case_id, std::move(r));
  }
  EXPECT_EQ(reported, static_cast<int>(results.size()));
  return results;
}

TEST(CacheScenarios, ACarefulBackendPassesEveryScenario) {
  const std::map<std::string, CaseResult> results = run_all("test-caching");
  EXPECT_GE(results.size(), 40u);
  for (const auto& [id, r] : results) {
    if (r.outcome == Outcome::Skip) {
      EXPECT_FALSE(r.reason.empty()) << id;
      continue;
    }
    EXPECT_EQ(r.outcome, Outcome::Pass) << id << ": " << r.reason;
    EXPECT_EQ(r.family, "cache");
  }
  EXPECT_EQ(results.at("cache/cold").cache_status, "miss");
  EXPECT_EQ(results.at("cache/warm").cache_status, "hit");
  EXPECT_EQ(results.at("cache/stale_entry_keys").cache_status, "miss");
  EXPECT_EQ(results.at("cache/identity_driver_version").cache_status, "invalidated");
  EXPECT_EQ(results.at("cache/identity_pointer_bits").cache_status, "invalidated");
  EXPECT_EQ(results.at("cache/engine_version_bump").cache_status, "invalidated");
  EXPECT_EQ(results.at("cache/truncated_at_8").cache_status, "recovered");
  EXPECT_EQ(results.at("cache/zero_length").cache_status, "recovered");
  EXPECT_EQ(results.at("cache/flipped_bit_in_checksum").cache_status, "recovered");
  EXPECT_EQ(results.at("cache/fifo_at_path").cache_status, "recovered");
  EXPECT_EQ(results.at("cache/directory_at_path").cache_status, "recovered");
  EXPECT_EQ(results.at("cache/group_writable_file").cache_status, "recovered");
  EXPECT_EQ(results.at("cache/read_only_mode_warm").cache_status, "hit");
  EXPECT_EQ(results.at("cache/cache_off").cache_status, "off");
  EXPECT_EQ(results.at("cache/container_rejects_damage").outcome, Outcome::Pass);
  EXPECT_EQ(results.at("cache/kernel_source_changed").cache_status, "miss");
  EXPECT_EQ(results.at("cache/build_options_changed").cache_status, "miss");
  int truncations = 0;
  for (const auto& [id, r] : results) truncations += id.rfind("cache/truncated_", 0) == 0;
  EXPECT_GE(truncations, 15);
}

TEST(CacheScenarios, ABackendThatIgnoresItsCacheFails) {
  const std::map<std::string, CaseResult> results = run_all("test-careless-cache");
  EXPECT_EQ(results.at("cache/cold").outcome, Outcome::Pass);
  for (const char* id :
       {"cache/warm", "cache/identity_driver_version", "cache/engine_version_bump",
        "cache/truncated_at_8", "cache/flipped_bit_in_entry", "cache/fifo_at_path"}) {
    EXPECT_EQ(results.at(id).outcome, Outcome::Fail) << id;
  }
  EXPECT_NE(results.at("cache/warm").reason.find("status miss"), std::string::npos)
      << results.at("cache/warm").reason;
  EXPECT_NE(results.at("cache/warm").reason.find("expected hit"), std::string::npos);
}

TEST(FifoWatchdog, ReleasesAReaderBlockedOnTheFifo) {
  TempDir dir("tandem-fifo-test");
  const std::string fifo = dir.path() + "/cache.bin";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  FifoWatchdog watchdog(fifo, std::chrono::milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  const int fd = ::open(fifo.c_str(), O_RDONLY);  // blocks until the watchdog writes
  ASSERT_GE(fd, 0);
  char byte = 0;
  EXPECT_EQ(::read(fd, &byte, 1), 0);  // end of file: the writer closed at once
  ::close(fd);
  watchdog.stop();
  EXPECT_TRUE(watchdog.fired());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST(FifoWatchdog, QuietWhenNobodyReadsOrThePathIsAFile) {
  TempDir dir("tandem-fifo-test");
  const std::string fifo = dir.path() + "/cache.bin";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  FifoWatchdog idle(fifo, std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // slow, but never reading
  idle.stop();
  EXPECT_FALSE(idle.fired());
  write_file_bytes(dir.path() + "/file.bin", {1, 2, 3});
  FifoWatchdog none(dir.path() + "/file.bin", std::chrono::milliseconds(0));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(none.fired());
}

CacheImage sample_image() {
  const CacheFileHeader header{
      "test-programs", 1, "0.1.0", {{"device_name", "Cache Test Device"}, {"driver", "pocl 5.0"}}};
  std::vector<CacheEntry> entries = {
      {"program|conv.cl|abc|-O2", std::vector<std::uint8_t>(100, 0x5a), 1700000000},
      {"program|eltwise.cl|def|", std::vector<std::uint8_t>(30, 0x11), 1700000001}};
  for (std::size_t i = 0; i < entries[0].payload.size(); ++i)
    entries[0].payload[i] = static_cast<std::uint8_t>(i * 7);
  return parse_cache_image(serialize_cache(header, entries), "sample");
}

TEST(CacheTampering, EveryHeaderBoundaryTruncationIsCorrupt) {
  const CacheImage image = sample_image();
  const std::vector<std::size_t> boundaries = header_field_boundaries(image);
  EXPECT_GE(boundaries.size(), 14u);
  // The kind string starts right after the 16-byte preamble and its length prefix.
  EXPECT_NE(std::find(boundaries.begin(), boundaries.end(), 20u), boundaries.end());
  for (std::size_t offset : boundaries) {
    ASSERT_LT(offset, image.bytes.size());
    const CacheLoadResult r = parse_cache_bytes({image.bytes.data(), offset}, &image.header);
    EXPECT_EQ(r.outcome, CacheLoadOutcome::Corrupt) << offset;
  }
  for (std::size_t offset : random_offsets(image, 5, 3)) EXPECT_GT(offset, boundaries.back());
}

TEST(CacheTampering, ChecksumAndPayloadBytesAreLocated) {
  const CacheImage image = sample_image();
  const std::size_t payload = payload_offset(image);
  ASSERT_LT(payload, image.bytes.size());
  EXPECT_EQ(image.bytes[payload + 1], 7);
  const std::vector<std::size_t> checksum = checksum_offsets(image);
  ASSERT_FALSE(checksum.empty());
  for (std::size_t offset : checksum) {
    EXPECT_NE(offset, payload);
    const CacheLoadResult r =
        parse_cache_bytes(with_bit_flipped(image.bytes, offset, 2), &image.header);
    EXPECT_EQ(r.outcome, CacheLoadOutcome::Corrupt) << offset;
  }
}

TEST(CacheTampering, RewrittenHeadersAndKeysStayWellFormed) {
  const CacheImage image = sample_image();
  CacheFileHeader other = image.header;
  other.identity[1].second = "pocl 6.0";
  const CacheLoadResult mismatch = parse_cache_bytes(with_header(image, other), &image.header);
  EXPECT_EQ(mismatch.outcome, CacheLoadOutcome::Mismatch);
  const CacheLoadResult stale = parse_cache_bytes(with_stale_keys(image), &image.header);
  ASSERT_EQ(stale.outcome, CacheLoadOutcome::Loaded);
  ASSERT_EQ(stale.entries.size(), 2u);
  EXPECT_NE(stale.entries[0].key, image.entries[0].key);
  EXPECT_EQ(stale.entries[0].payload, image.entries[0].payload);
  EXPECT_EQ(parse_cache_bytes(random_bytes(image.bytes.size(), 9), &image.header).outcome,
            CacheLoadOutcome::Corrupt);
  EXPECT_EQ(random_bytes(64, 9), random_bytes(64, 9));
  EXPECT_NE(random_bytes(64, 9), random_bytes(64, 10));
}

// A changed source or build option changes a program's key and its cubin's (OpenCL on
// NVIDIA), never a tuning entry's.
TEST(CacheTampering, ProgramKeysChangeWithTheirCubins) {
  const CacheFileHeader header{"test-programs", 1, "0.1.0", {{"device_name", "Cache Test"}}};
  const std::vector<CacheEntry> entries = {
      {"program|conv.cl|abc|-O2", {1, 2}, 1},
      {"cubin|conv.cl|abc|-O2", {3, 4}, 1},
      {"tuning|conv.cl|abc|-O2|k|8", {5}, 1}};
  const CacheImage image = parse_cache_image(serialize_cache(header, entries), "sample");
  const CacheLoadResult source = parse_cache_bytes(
      with_program_keys_changed(image, ProgramKeyField::SourceHash), &image.header);
  ASSERT_EQ(source.outcome, CacheLoadOutcome::Loaded);
  ASSERT_EQ(source.entries.size(), 3u);
  EXPECT_EQ(source.entries[0].key, "program|conv.cl|000|-O2");
  EXPECT_EQ(source.entries[1].key, "cubin|conv.cl|000|-O2");
  EXPECT_EQ(source.entries[2].key, entries[2].key);
  const CacheLoadResult options = parse_cache_bytes(
      with_program_keys_changed(image, ProgramKeyField::BuildOptions), &image.header);
  ASSERT_EQ(options.outcome, CacheLoadOutcome::Loaded);
  EXPECT_EQ(options.entries[1].key, "cubin|conv.cl|abc|-O2 -DTANDEM_OLDER_BUILD_OPTION");
}

}  // namespace
}  // namespace tandem::conformance
