#include "tests/reliability/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

extern char** environ;

namespace tandem::reliability {

namespace {

// argv and envp are built before fork: after it, the child only calls exec.
struct ExecArguments {
  std::vector<std::string> storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

std::vector<char*> pointers_to(std::vector<std::string>& strings, std::size_t from,
                               std::size_t to) {
  std::vector<char*> pointers;
  for (std::size_t i = from; i < to; ++i) pointers.push_back(strings[i].data());
  pointers.push_back(nullptr);
  return pointers;
}

ExecArguments exec_arguments(const ChildOptions& options) {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    const std::string text = *entry;
    const std::size_t equals = text.find('=');
    if (equals != std::string::npos) environment[text.substr(0, equals)] = text.substr(equals + 1);
  }
  for (const auto& [name, value] : options.environment) {
    if (value) {
      environment[name] = *value;
    } else {
      environment.erase(name);
    }
  }
  ExecArguments exec;
  exec.storage = options.args;
  for (const auto& [name, value] : environment) exec.storage.push_back(name + "=" + value);
  exec.argv = pointers_to(exec.storage, 0, options.args.size());
  exec.envp = pointers_to(exec.storage, options.args.size(), exec.storage.size());
  return exec;
}

void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
}

// Reads what is available; false at end of file.
bool drain(int fd, std::string& into) {
  char buffer[4096];
  const ssize_t got = ::read(fd, buffer, sizeof buffer);
  if (got > 0) {
    into.append(buffer, static_cast<std::size_t>(got));
    return true;
  }
  return got < 0 && (errno == EINTR || errno == EAGAIN);
}

// What is left in a non-blocking pipe, without waiting for more.
void drain_available(int fd, std::string& into) {
  char buffer[4096];
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0) into.append(buffer, static_cast<std::size_t>(got));
}

[[noreturn]] void become_child(const ChildOptions& options, const ExecArguments& exec,
                               int out_fd, int err_fd) {
  ::setpgid(0, 0);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  ::signal(SIGPIPE, SIG_DFL);
  if (!options.working_directory.empty() && ::chdir(options.working_directory.c_str()) != 0) {
    ::_exit(127);
  }
  if (options.before_exec && options.before_exec() != 0) ::_exit(127);
  ::execve(exec.argv[0], exec.argv.data(), exec.envp.data());
  ::_exit(127);
}

}  // namespace

std::string ChildResult::how_it_ended() const {
  if (timed_out) return "timed out";
  if (signal != 0) return "signal " + std::to_string(signal);
  return "exit " + std::to_string(exit_code);
}

ChildProcess::ChildProcess(const ChildOptions& options) {
  const ExecArguments exec = exec_arguments(options);
  int out_pipe[2];
  int err_pipe[2];
  make_pipe(out_pipe);
  make_pipe(err_pipe);
  started_ = std::chrono::steady_clock::now();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) become_child(options, exec, out_pipe[1], err_pipe[1]);
  // Also from the parent, so a kill right after this constructor reaches the group.
  ::setpgid(pid_, pid_);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  ::fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  ::fcntl(err_fd_, F_SETFL, O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    kill_group();
    reap(true);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

double ChildProcess::seconds_running() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void ChildProcess::kill_group() {
  if (!reaped_) ::kill(-pid_, SIGKILL);
}

bool ChildProcess::running() { return !reap(false); }

bool ChildProcess::reap(bool block) {
  if (reaped_) return true;
  int status = 0;
  rusage usage{};
  pid_t got;
  do {
    got = ::wait4(pid_, &status, block ? 0 : WNOHANG, &usage);
  } while (got < 0 && errno == EINTR);
  if (got != pid_) return false;
  reaped_ = true;
  ended_.seconds = seconds_running();
  ended_.max_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) ended_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) ended_.signal = WTERMSIG(status);
  // Helpers the child forked die with it: none may outlive the test.
  ::kill(-pid_, SIGKILL);
  return true;
}

ChildResult ChildProcess::wait(std::chrono::milliseconds timeout) {
  ChildResult result;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true;
  bool err_open = true;
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      kill_group();
      break;
    }
    // A negative fd is skipped by poll: a closed pipe would otherwise report POLLHUP at once.
    pollfd fds[2] = {{out_open ? out_fd_ : -1, POLLIN, 0}, {err_open ? err_fd_ : -1, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 200)));
    if (ready < 0 && errno != EINTR) break;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP))) out_open = drain(out_fd_, result.out);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP))) err_open = drain(err_fd_, result.err);
    // A grandchild may keep the pipes open after the child is gone: stop at its exit.
    if (reap(false)) break;
  }
  reap(true);
  result.exit_code = ended_.exit_code;
  result.signal = ended_.signal;
  result.seconds = ended_.seconds;
  result.max_rss_kb = ended_.max_rss_kb;
  result.timed_out = timed_out;
  drain_available(out_fd_, result.out);
  drain_available(err_fd_, result.err);
  return result;
}

ChildResult run_child(const ChildOptions& options, std::chrono::milliseconds timeout) {
  ChildProcess child(options);
  return child.wait(timeout);
}

StartGate::StartGate() {
  int fds[2];
  make_pipe(fds);
  read_fd_ = fds[0];
  write_fd_ = fds[1];
}

StartGate::~StartGate() {
  release();
  if (read_fd_ >= 0) ::close(read_fd_);
}

int StartGate::wait_in_child() const {
  // O_CLOEXEC closes nothing before exec: the child's copy of the write end must go, or
  // the read below would never see end of file.
  ::close(write_fd_);
  char byte;
  ssize_t got;
  do {
    got = ::read(read_fd_, &byte, 1);
  } while (got < 0 && errno == EINTR);
  return 0;
}

void StartGate::release() {
  if (write_fd_ >= 0) {
    ::close(write_fd_);
    write_fd_ = -1;
  }
}

}  // namespace tandem::reliability
