#include "src/side_worker.h"

#include <utility>

namespace strata {

SideWorker::SideWorker(std::function<void(std::string_view)> consume)
    : consume_(std::move(consume)), thread_([this] { Run(); }) {}

SideWorker::~SideWorker() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !busy_; });
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SideWorker::Start(std::string_view chunk) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    chunk_ = chunk;
    busy_ = true;
  }
  cv_.notify_all();
}

void SideWorker::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !busy_; });
}

void SideWorker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return busy_ || stop_; });
    if (stop_) return;
    std::string_view chunk = chunk_;
    lock.unlock();
    consume_(chunk);
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace strata
