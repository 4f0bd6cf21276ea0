// kill_at: an LD_PRELOAD shim for the crash tests. It sends the process SIGKILL at one exact point of its
// I/O, which a timer from outside cannot hit reliably: a manifest commit lasts a few milliseconds.
//
//   LD_PRELOAD=.../libstrata_kill_at.so STRATA_KILL_AT="CALL GLOB [N]" strata backup ...
//
// CALL is rename, write, fsync or fdatasync. GLOB (fnmatch(3) without flags, so '*' also matches '/') is
// matched against rename's new path, or against the path of the file descriptor for the others. The Nth
// matching call (default 1) kills the process before it is made; every other call passes straight through.
// Without STRATA_KILL_AT the shim does nothing.
#include <dlfcn.h>
#include <fnmatch.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Target {
  std::string call;
  std::string glob;
  long nth = 1;
};

const Target* ParseTarget() {
  const char* spec = std::getenv("STRATA_KILL_AT");  // NOLINT(concurrency-mt-unsafe): read-only environment
  if (spec == nullptr || *spec == '\0') return nullptr;
  static Target target;
  char call[32] = {};
  char glob[4096] = {};
  long nth = 1;
  if (std::sscanf(spec, "%31s %4095s %ld", call, glob, &nth) < 2 || nth < 1) {
    std::fprintf(stderr, "kill_at: bad STRATA_KILL_AT '%s' (want \"CALL GLOB [N]\")\n", spec);
    std::abort();
  }
  target = Target{call, glob, nth};
  return &target;
}

const Target* TheTarget() {
  static const Target* target = ParseTarget();
  return target;
}

std::string FdPath(int fd) {
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char buf[4096];
  ssize_t n = readlink(link, buf, sizeof buf - 1);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

// Kills the process if this is the Nth call of `call` on a path matching the target's glob.
void MaybeKill(const char* call, const char* path) {
  const Target* t = TheTarget();
  if (t == nullptr || t->call != call || fnmatch(t->glob.c_str(), path, 0) != 0) return;
  static std::atomic<long> seen{0};
  if (seen.fetch_add(1) + 1 == t->nth) kill(getpid(), SIGKILL);
}

void MaybeKillFd(const char* call, int fd) {
  const Target* t = TheTarget();
  if (t != nullptr && t->call == call) MaybeKill(call, FdPath(fd).c_str());
}

template <typename Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int rename(const char* from, const char* to) {
  static auto next = Next<int (*)(const char*, const char*)>("rename");
  MaybeKill("rename", to);
  return next(from, to);
}

ssize_t write(int fd, const void* buf, size_t n) {
  static auto next = Next<ssize_t (*)(int, const void*, size_t)>("write");
  MaybeKillFd("write", fd);
  return next(fd, buf, n);
}

int fsync(int fd) {
  static auto next = Next<int (*)(int)>("fsync");
  MaybeKillFd("fsync", fd);
  return next(fd);
}

int fdatasync(int fd) {
  static auto next = Next<int (*)(int)>("fdatasync");
  MaybeKillFd("fdatasync", fd);
  return next(fd);
}

}  // extern "C"
