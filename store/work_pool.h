// WorkPool: runs the independent parts of one request (the frames a read must decode) on several cores.
// The caller works too, so a request never waits for a busy pool: at worst it does everything itself.
// Belongs to its owner (one per Store). Its threads start at the first request that can use them, not
// when it is made: a process that forks before it reads anything (fuse_daemonize, the block cache's
// walk in a child) forks with no threads of ours.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

namespace strata {

class WorkPool {
 public:
  // `helpers` threads besides the callers; 0 runs everything on the caller's thread.
  explicit WorkPool(unsigned helpers) : helpers_(helpers) {}
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Calls fn(i) once for each i in [0, n), on the calling thread and on idle helpers, and returns when all
  // calls have returned. Many threads may call it at once.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

  // Helpers for this machine: one per core beyond the first, at most 3.
  static unsigned DefaultHelpers();

 private:
  struct Batch;
  void Help();
  // Starts the helpers once; false if this is a child forked after they started (they are not here).
  bool Started();

  const unsigned helpers_;
  std::once_flag start_;
  pid_t started_in_ = 0;
  // A semaphore, not a condition variable: a forked child must be able to destroy it although the
  // parent's helpers were waiting on it (pthread_cond_destroy would wait for them forever).
  std::counting_semaphore<> wake_{0};
  std::mutex mu_;
  std::deque<std::shared_ptr<Batch>> queue_;  // batches with indices not yet taken; guarded by mu_
  bool stopping_ = false;                     // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace strata
