// check() with a message built only when the check fails.
#include "core/error.h"

#include <gtest/gtest.h>

#include <string>

namespace tandem {
namespace {

TEST(Check, BuildsALazyMessageOnlyWhenItFails) {
  int built = 0;
  auto message = [&] {
    ++built;
    return std::string("input 'x': expected shape [2, 3]");
  };
  check(true, message);
  EXPECT_EQ(built, 0);
  try {
    check(false, message);
    FAIL() << "check(false, ...) returned";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), "input 'x': expected shape [2, 3]");
  }
  EXPECT_EQ(built, 1);
}

TEST(Check, ThrowsAStringMessageAsGiven) {
  EXPECT_NO_THROW(check(true, "unused"));
  try {
    check(false, "node 'a' (Add): no output 1");
    FAIL() << "check(false, ...) returned";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), "node 'a' (Add): no output 1");
  }
}

}  // namespace
}  // namespace tandem
