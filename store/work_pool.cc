#include "store/work_pool.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>

namespace strata {

struct WorkPool::Batch {
  const std::function<void(size_t)>* fn;
  size_t n;
  std::atomic<size_t> next{0};
  std::mutex mu;
  size_t done = 0;                    // guarded by mu
  std::binary_semaphore finished{0};  // released once, when done reaches n (a semaphore: see wake_)

  // Takes and runs indices until none are left.
  void Work() {
    size_t ran = 0;
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n; ran++) (*fn)(i);
    if (ran == 0) return;
    std::lock_guard<std::mutex> lock(mu);
    done += ran;
    if (done == n) finished.release();
  }
};

bool WorkPool::Started() {
  std::call_once(start_, [this] {
    started_in_ = getpid();
    for (unsigned i = 0; i < helpers_; i++) threads_.emplace_back([this] { Help(); });
  });
  return started_in_ == getpid();
}

WorkPool::~WorkPool() {
  if (threads_.empty()) return;
  if (started_in_ != getpid()) {
    // A forked child has copies of the thread handles but not the threads: there is nothing to join.
    for (std::thread& t : threads_) t.detach();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.release(static_cast<std::ptrdiff_t>(threads_.size()));
  for (std::thread& t : threads_) t.join();
}

unsigned WorkPool::DefaultHelpers() {
  unsigned cores = std::thread::hardware_concurrency();
  return std::min(cores > 1 ? cores - 1 : 0, 3u);
}

void WorkPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n <= 1 || helpers_ == 0 || !Started()) {
    for (size_t i = 0; i < n; i++) fn(i);
    return;
  }
  auto batch = std::make_shared<Batch>();
  batch->fn = &fn;
  batch->n = n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(batch);
  }
  wake_.release(static_cast<std::ptrdiff_t>(std::min(n - 1, threads_.size())));
  batch->Work();
  batch->finished.acquire();
  // Helpers drop exhausted batches as they meet them; this one may still be queued.
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find(queue_.begin(), queue_.end(), batch);
  if (it != queue_.end()) queue_.erase(it);
}

void WorkPool::Help() {
  while (true) {
    wake_.acquire();
    std::shared_ptr<Batch> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      // Batches whose indices are all taken by now are dropped; the wake-up may find none left.
      while (!queue_.empty() && queue_.front()->next.load(std::memory_order_relaxed) >= queue_.front()->n) {
        queue_.pop_front();
      }
      if (queue_.empty()) continue;
      batch = queue_.front();
    }
    batch->Work();
  }
}

}  // namespace strata
