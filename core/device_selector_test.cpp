// DeviceSelector: the selector syntax, matching rules and its printed form.
#include <gtest/gtest.h>

#include "core/config.h"
#include "core/error.h"

namespace tandem {
namespace {

std::string error_of(const std::string& text) {
  try {
    DeviceSelector::parse(text);
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

DeviceInfo device(int index, const std::string& name, const std::string& vendor,
                  const std::string& type) {
  DeviceInfo info;
  info.backend = "opencl";
  info.index = index;
  info.name = name;
  info.vendor = vendor;
  info.type = type;
  return info;
}

TEST(DeviceSelector, ParsesEveryForm) {
  EXPECT_EQ(DeviceSelector::parse("gpu").type, "gpu");
  EXPECT_EQ(DeviceSelector::parse("CPU").type, "cpu");
  EXPECT_EQ(DeviceSelector::parse("1").index, 1);
  EXPECT_EQ(DeviceSelector::parse("index=3").index, 3);
  EXPECT_EQ(DeviceSelector::parse("name=H100").name, "H100");
  const DeviceSelector both = DeviceSelector::parse(" vendor = nvidia , TYPE=gpu ");
  EXPECT_EQ(both.vendor, "nvidia");
  EXPECT_EQ(both.type, "gpu");
  EXPECT_EQ(both.index, -1);
  EXPECT_TRUE(DeviceSelector::parse("").empty());
  EXPECT_TRUE(DeviceSelector::parse("any").empty());
  EXPECT_EQ(DeviceSelector::parse("name=Intel(R) UHD Graphics 770").name,
            "Intel(R) UHD Graphics 770");
}

TEST(DeviceSelector, RejectsBadSelectors) {
  EXPECT_EQ(error_of("tpu"), "device selector 'tpu': 'tpu' is not gpu, cpu, other, an index or "
                             "one of type=, vendor=, name=, index=");
  EXPECT_EQ(error_of("type=tpu"), "device selector 'type=tpu': type 'tpu' is not one of gpu, "
                                  "cpu, other");
  EXPECT_EQ(error_of("gpu,type=cpu"), "device selector 'gpu,type=cpu': type given twice");
  EXPECT_EQ(error_of("1,index=2"), "device selector '1,index=2': index given twice");
  EXPECT_EQ(error_of("name="), "device selector 'name=': 'name=' has no value");
  EXPECT_EQ(error_of("gpu,,1"), "device selector 'gpu,,1': empty term");
  EXPECT_EQ(error_of("color=red"),
            "device selector 'color=red': unknown key 'color' (known: type, vendor, name, index)");
  EXPECT_EQ(error_of("index=-1"),
            "device selector 'index=-1': index '-1' is not a whole number from 0 to 2147483647");
  EXPECT_EQ(error_of("name=x,\nfoo"),
            "device selector 'name=x,\\x0afoo': '\\x0afoo' is not gpu, cpu, other, an index or "
            "one of type=, vendor=, name=, index=");
  EXPECT_EQ(error_of("99999999999"), "device selector '99999999999': index '99999999999' is not "
                                     "a whole number from 0 to 2147483647");
}

TEST(DeviceSelector, MatchesSubstringsIgnoringCaseAndTypeExactly) {
  const DeviceInfo h100 = device(0, "NVIDIA H100 80GB HBM3", "NVIDIA Corporation", "gpu");
  const DeviceInfo pocl = device(1, "cpu-haswell-AMD EPYC 7B13", "AuthenticAMD", "cpu");
  EXPECT_TRUE(DeviceSelector{}.matches(h100));
  EXPECT_TRUE(DeviceSelector::parse("vendor=nvidia").matches(h100));
  EXPECT_FALSE(DeviceSelector::parse("vendor=nvidia").matches(pocl));
  EXPECT_TRUE(DeviceSelector::parse("name=h100").matches(h100));
  EXPECT_TRUE(DeviceSelector::parse("name=epyc").matches(pocl));
  EXPECT_TRUE(DeviceSelector::parse("cpu").matches(pocl));
  EXPECT_FALSE(DeviceSelector::parse("cpu").matches(h100));
  EXPECT_TRUE(DeviceSelector::parse("1").matches(pocl));
  EXPECT_FALSE(DeviceSelector::parse("1").matches(h100));
  EXPECT_FALSE(DeviceSelector::parse("gpu,name=epyc").matches(pocl));
  EXPECT_TRUE(DeviceSelector::parse("gpu,vendor=NVIDIA,name=80gb,index=0").matches(h100));
  // The type is compared whole: "gp" is not a type, and a device of type "other" is not a gpu.
  EXPECT_FALSE(DeviceSelector::parse("gpu").matches(device(0, "x", "y", "other")));
}

// pocl listed before the GPU, as the loader may list them: "gpu" skips it, "any" takes it.
TEST(DeviceSelector, FirstMatchInListOrder) {
  const std::vector<DeviceInfo> devices = {
      device(0, "cpu-haswell-AMD EPYC 7B13", "AuthenticAMD", "cpu"),
      device(1, "NVIDIA H100 80GB HBM3", "NVIDIA Corporation", "gpu"),
      device(2, "NVIDIA H100 80GB HBM3", "NVIDIA Corporation", "gpu")};
  EXPECT_EQ(DeviceSelector{}.first_match(devices), &devices[0]);
  EXPECT_EQ(DeviceSelector::parse("gpu").first_match(devices), &devices[1]);
  EXPECT_EQ(DeviceSelector::parse("2").first_match(devices), &devices[2]);
  EXPECT_EQ(DeviceSelector::parse("vendor=intel").first_match(devices), nullptr);
  EXPECT_EQ(DeviceSelector{}.first_match({}), nullptr);
}

TEST(DeviceSelector, PrintsAFormThatParsesBack) {
  EXPECT_EQ(DeviceSelector{}.to_string(), "any");
  EXPECT_EQ(DeviceSelector::parse("vendor=nvidia,gpu").to_string(), "type=gpu,vendor=nvidia");
  for (const char* text : {"gpu", "2", "name=H100,index=0", "cpu,vendor=amd,name=epyc,index=1",
                           ""}) {
    const DeviceSelector selector = DeviceSelector::parse(text);
    const DeviceSelector again = DeviceSelector::parse(selector.to_string());
    EXPECT_EQ(again.type, selector.type) << text;
    EXPECT_EQ(again.vendor, selector.vendor) << text;
    EXPECT_EQ(again.name, selector.name) << text;
    EXPECT_EQ(again.index, selector.index) << text;
  }
  EXPECT_EQ(DeviceSelector::parse("cpu,vendor=amd,name=epyc,index=1").to_string(),
            "type=cpu,vendor=amd,name=epyc,index=1");
}

}  // namespace
}  // namespace tandem
