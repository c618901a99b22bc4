// Bad input (issue 7.7): every command-line argument of every subcommand, and every
// TANDEM_* environment variable, given wrong, missing and malicious values. The rule each
// case checks is in bad_input.h.
#include <gtest/gtest.h>

#include "tests/reliability/bad_input.h"

namespace tandem::reliability {
namespace {

std::vector<BadInputCase> run_cases() {
  const std::string backend = "{backend}";
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", "{model}", "--backend", backend};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::string x = "x={dir}/x.npy";
  return {
      {"NoSubcommand", {}, "subcommand"},
      {"UnknownSubcommand", {"frobnicate"}, "frobnicate"},
      {"UnknownOption", run({"--frobnicate"}), "--frobnicate"},
      {"RunWithoutModel", {"run"}, "model"},
      {"ModelDoesNotExist", {"run", "{dir}/nope.onnx", "--backend", backend}, "nope.onnx"},
      {"TwoModels", {"run", "{model}", "{model}"}, "model.onnx"},
      {"BackendMissingValue", {"run", "{model}", "--backend"}, "--backend"},
      {"BackendUnknown", {"run", "{model}", "--backend", "cuda"}, "cuda"},
      {"BackendEmpty", {"run", "{model}", "--backend", ""}, "backend"},
      {"BackendWithNewline", {"run", "{model}", "--backend", "cu\nda"}, "unknown backend"},
      {"BackendHuge", {"run", "{model}", "--backend", std::string(100000, 'a')}, "unknown backend"},
      {"DeviceMissingValue", run({"--device"}), "--device"},
      {"DeviceUnknownType", run({"--device", "type=tpu"}), "tpu"},
      {"DeviceNegativeIndex", run({"--device", "index=-1"}), "-1"},
      {"DeviceIndexOverflow", run({"--device", "index=99999999999"}), "99999999999"},
      {"DeviceEmptyTerm", run({"--device", "gpu,,cpu"}), "empty term"},
      {"DeviceTypeTwice", run({"--device", "type=gpu,type=cpu"}), "twice"},
      {"DeviceUnknownKey", run({"--device", "colour=red"}), "colour"},
      {"DeviceMatchesNothing", run({"--device", "name=NoSuchDevice"}), "NoSuchDevice"},
      {"InputMissingValue", run({"--input"}), "--input"},
      {"InputWithoutEquals", run({"--input", "{dir}/x.npy"}), "x.npy"},
      {"InputWithoutName", run({"--input", "={dir}/x.npy"}), "--input"},
      {"InputUnknownName", run({"--input", "nosuch={dir}/x.npy"}), "nosuch"},
      {"InputEmptyPath", run({"--input", "x="}), "--input"},
      {"InputGivenTwice", run({"--input", x, "--input", x}), "twice"},
      {"SeedNegative", run({"--seed", "-1"}), "--seed"},
      {"SeedTooLarge", run({"--seed", "18446744073709551616"}), "--seed"},
      {"SeedNotANumber", run({"--seed", "abc"}), "--seed"},
      {"RepeatNegative", run({"--repeat", "-1"}), "--repeat"},
      {"RepeatTooLarge", run({"--repeat", "1000001"}), "--repeat"},
      {"RepeatNotANumber", run({"--repeat", "often"}), "--repeat"},
      {"SaveOutputsMissingValue", run({"--save-outputs"}), "--save-outputs"},
      {"SaveOutputsIsAFile", run({"--save-outputs", "{dir}/existing_file"}), "existing_file"},
      {"SaveOutputsUnderAFile", run({"--save-outputs", "{dir}/existing_file/out"}), "existing_file"},
      {"ConfigMissingValue", run({"--config"}), "--config"},
      {"ConfigDoesNotExist", run({"--config", "{dir}/nope.yaml"}), "nope.yaml"},
      {"ConfigIsADirectory", run({"--config", "{dir}/dir"}), "dir"},
      {"ConfigIsAFifo", run({"--config", "{dir}/fifo"}), "fifo"},
      {"ConfigIsACharacterDevice", run({"--config", "/dev/zero"}), "/dev/zero"},
      {"EnvBackendUnknown", run({}), "TANDEM_BACKEND", "", {{"TANDEM_BACKEND", "cuda"}}},
      {"EnvBackendEmptyItem", run({}), "TANDEM_BACKEND", "", {{"TANDEM_BACKEND", "vulkan,,opencl"}}},
      {"EnvBackendTwice", run({}), "TANDEM_BACKEND", "", {{"TANDEM_BACKEND", "vulkan,vulkan"}}},
      {"EnvDeviceBad", run({}), "TANDEM_DEVICE", "", {{"TANDEM_DEVICE", "type=tpu"}}},
      {"EnvCacheDirUnknownUser", run({}), "TANDEM_CACHE_DIR", "",
       {{"TANDEM_CACHE_DIR", "~nosuchuser_tandem/cache"}}},
  };
}

std::vector<BadInputCase> other_command_cases() {
  return {
      {"CacheWithoutSubcommand", {"cache"}, "subcommand"},
      {"CacheInspectMissingFile", {"cache", "inspect"}, "file"},
      {"CacheInspectNoSuchFile", {"cache", "inspect", "{dir}/nope.bin"}, "nope.bin"},
      {"CacheInspectDirectory", {"cache", "inspect", "{dir}/dir"}, "dir"},
      {"CacheInspectFifo", {"cache", "inspect", "{dir}/fifo"}, "fifo"},
      {"CacheVerifyGarbage", {"cache", "verify", "{dir}/garbage.bin"}, "garbage.bin"},
      {"CacheVerifyEmpty", {"cache", "verify", "{dir}/empty"}, "empty"},
      {"CacheVerifyFifo", {"cache", "verify", "{dir}/fifo"}, "fifo"},
      {"CacheVerifyTruncated", {"cache", "verify", "{file}"}, "truncated",
       std::string("TANDEMC\0\1\0\0\0\xff\xff\xff\xff", 16)},
      {"CacheBuildWithoutOut", {"cache", "build", "{model}"}, "--out"},
      {"CacheBuildBadModel", {"cache", "build", "{dir}/garbage.bin", "--out", "{dir}/out.bin"}, "garbage.bin"},
      {"CacheBuildBadConfig", {"cache", "build", "{model}", "--config", "{dir}/nope.yaml", "--out", "{dir}/out.bin"},
       "nope.yaml"},
      {"CacheClearBadConfig", {"cache", "clear", "--config", "{dir}/nope.yaml"}, "nope.yaml"},
      {"DevicesUnexpectedArgument", {"devices", "foo"}, "foo"},
      {"ConformanceJobsZero", {"conformance", "--jobs", "0", "--list"}, "--jobs"},
      {"ConformanceNoSuchCases", {"conformance", "--cases", "{dir}/nope", "--list"}, "nope"},
      {"ConformanceCasesIsAFile", {"conformance", "--cases", "{dir}/existing_file", "--list"}, "existing_file"},
      {"ConformanceBadFilter", {"conformance", "--filter", "(", "--list"}, "--filter"},
      {"ConformanceBadBackend", {"conformance", "--backend", "cuda", "--list"}, "cuda"},
      {"ReportWithoutSubcommand", {"report"}, "subcommand"},
      {"ReportMergeWithoutFiles", {"report", "merge"}, "reports"},
      {"ReportMergeNoSuchFile", {"report", "merge", "{dir}/nope.json"}, "nope.json"},
      {"ReportMergeGarbage", {"report", "merge", "{dir}/garbage.bin"}, "garbage.bin"},
      {"ReportMergeWrongJson", {"report", "merge", "{file}"}, "case-ReportMergeWrongJson", "[1, 2, 3]\n"},
  };
}

class BadRunArguments : public ::testing::TestWithParam<BadInputCase> {};
TEST_P(BadRunArguments, OneLineErrorAndNothingChanged) { check_bad_input(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Run, BadRunArguments, ::testing::ValuesIn(run_cases()), BadInputName());

class BadCommandArguments : public ::testing::TestWithParam<BadInputCase> {};
TEST_P(BadCommandArguments, OneLineErrorAndNothingChanged) { check_bad_input(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Commands, BadCommandArguments, ::testing::ValuesIn(other_command_cases()),
                         BadInputName());

}  // namespace
}  // namespace tandem::reliability
