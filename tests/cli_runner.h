#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/sanitized_child.h"

// Runs the tandem binary through the shell, as a user would, and captures what it printed.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline CliResult run_tandem(const std::string& arguments, const std::string& env = "") {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tandem-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  const std::string preload = tandem::testing::sanitizer_preload(env + " " + arguments);
  const std::string command = (preload.empty() ? "" : "LD_PRELOAD='" + preload + "' ") + env +
                              " " + TANDEM_EXE + " " + arguments + " >" +
                              (dir / "out").string() + " 2>" + (dir / "err").string() + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_text(dir / "out");
  result.err = read_text(dir / "err");
  std::filesystem::remove_all(dir);
  return result;
}

inline int count_lines(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}
