#pragma once
// A child process the reliability tests start, limit, kill and reap: the tandem binary run
// as a user would, but with the faults a user's machine has (a full disk, a kill -9, a
// permission that is not there) arranged in the child between fork and exec.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tandem::reliability {

struct ChildOptions {
  std::vector<std::string> args;   // args[0] is the program's path
  // Set (or, with no value, removed) on top of this process's environment; later wins.
  std::vector<std::pair<std::string, std::optional<std::string>>> environment;
  // Runs in the child after fork, before exec: setrlimit, setuid, signal dispositions. It
  // must not throw; a non-zero return makes the child exit with 127 before exec.
  std::function<int()> before_exec;
  std::string working_directory;   // empty: this process's
};

struct ChildResult {
  int exit_code = -1;              // when it exited
  int signal = 0;                  // when a signal ended it
  bool timed_out = false;          // wait() gave up and killed it
  std::string out;
  std::string err;
  long max_rss_kb = 0;             // peak resident memory, from wait4
  double seconds = 0;              // from start to exit

  bool exited_cleanly() const { return signal == 0 && !timed_out && exit_code == 0; }
  // "exit 1", "signal 9", "timed out": for assertion messages.
  std::string how_it_ended() const;
};

// Starts the child in its own process group, stdout and stderr captured through pipes
// (pipes, not files, so RLIMIT_FSIZE limits only what tandem itself writes).
class ChildProcess {
 public:
  explicit ChildProcess(const ChildOptions& options);
  ~ChildProcess();   // a child still running is killed (SIGKILL, whole group) and reaped
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  double seconds_running() const;
  // False once the child has ended (it is then reaped; wait() still returns its result).
  bool running();
  // SIGKILL to the child's whole process group (a driver may have forked helpers).
  void kill_group();
  // Collects output until the child ends or `timeout` passes (then it is killed).
  ChildResult wait(std::chrono::milliseconds timeout);

 private:
  bool reap(bool block);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::chrono::steady_clock::time_point started_;
  bool reaped_ = false;
  ChildResult ended_;   // exit status, rusage and time, once reaped
};

// Runs a child to completion.
ChildResult run_child(const ChildOptions& options,
                      std::chrono::milliseconds timeout = std::chrono::minutes(3));

// Lets several children be started and then released at the same instant: each one blocks
// in before_exec until release() is called.
class StartGate {
 public:
  StartGate();
  ~StartGate();
  StartGate(const StartGate&) = delete;
  StartGate& operator=(const StartGate&) = delete;

  // For before_exec: waits (in the child) until the parent releases the gate.
  int wait_in_child() const;
  void release();

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

}  // namespace tandem::reliability
