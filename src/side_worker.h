// SideWorker: a second thread that runs one consumer over the same chunks the caller is processing, so
// two CPU-bound passes over a large file (its signature, and its delta or compression) overlap instead of
// adding up. The caller hands a chunk with Start, does its own work on it, then calls Wait before the
// chunk's memory is reused.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

namespace strata {

class SideWorker {
 public:
  explicit SideWorker(std::function<void(std::string_view)> consume);
  // Waits for the chunk in flight, if any.
  ~SideWorker();
  SideWorker(const SideWorker&) = delete;
  SideWorker& operator=(const SideWorker&) = delete;

  // `chunk` must stay valid and unchanged until Wait returns.
  void Start(std::string_view chunk);
  void Wait();

 private:
  void Run();

  std::function<void(std::string_view)> consume_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string_view chunk_;  // guarded by mu_
  bool busy_ = false;       // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  std::thread thread_;
};

}  // namespace strata
