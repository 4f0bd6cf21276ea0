// WorkPool: every index runs exactly once, callers may share the pool, and a forked child still works.
#include "store/work_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace strata {
namespace {

TEST(WorkPoolTest, EveryIndexRunsExactlyOnce) {
  for (unsigned helpers : {0u, 1u, 3u}) {
    WorkPool pool(helpers);
    for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{1000}}) {
      std::vector<std::atomic<int>> runs(n);
      pool.ParallelFor(n, [&](size_t i) { runs[i].fetch_add(1); });
      for (size_t i = 0; i < n; i++)
        EXPECT_EQ(runs[i].load(), 1) << helpers << " helpers, n " << n << ", i " << i;
    }
  }
}

TEST(WorkPoolTest, HelpersShareTheWork) {
  WorkPool pool(2);
  std::mutex mu;
  std::set<std::thread::id> threads;
  pool.ParallelFor(30, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard<std::mutex> lock(mu);
    threads.insert(std::this_thread::get_id());
  });
  EXPECT_GT(threads.size(), 1u);
}

TEST(WorkPoolTest, ManyCallersAtOnce) {
  WorkPool pool(2);
  std::vector<std::thread> callers;
  callers.reserve(6);
  std::atomic<size_t> total{0};
  for (int c = 0; c < 6; c++) {
    callers.emplace_back([&] {
      for (int round = 0; round < 200; round++) {
        std::atomic<size_t> mine{0};
        pool.ParallelFor(5, [&](size_t i) { mine.fetch_add(i + 1); });
        EXPECT_EQ(mine.load(), 15u);
        total.fetch_add(1);
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(total.load(), 1200u);
}

TEST(WorkPoolTest, ForkedChildWorksWithoutTheHelpers) {
  auto pool = std::make_unique<WorkPool>(2);
  std::atomic<int> sum{0};
  pool->ParallelFor(10, [&](size_t i) { sum.fetch_add(static_cast<int>(i)); });
  ASSERT_EQ(sum.load(), 45);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The helpers did not cross the fork: the child does the work itself and its pool is destroyed
    // without waiting for threads that are not there.
    std::atomic<int> child_sum{0};
    pool->ParallelFor(10, [&](size_t i) { child_sum.fetch_add(static_cast<int>(i)); });
    pool.reset();
    _exit(child_sum.load() == 45 ? 0 : 1);
  }
  int status = 0;
  pid_t waited = 0;
  for (int i = 0; i < 100 && (waited = waitpid(pid, &status, WNOHANG)) == 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (waited == 0) kill(pid, SIGKILL), waitpid(pid, &status, 0);
  ASSERT_EQ(waited, pid) << "the child hung";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace strata
