#include "src/side_worker.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/testutil.h"

namespace strata {
namespace {

// The worker sees every chunk whole and in order, even when the caller overwrites its buffer right after
// Wait, as the backup's reader does.
TEST(SideWorkerTest, SeesEveryChunkBeforeTheBufferIsReused) {
  const std::string data = test::RandomBytes(3 << 20, 7);
  std::string seen;
  std::string buffer;
  {
    SideWorker side([&seen](std::string_view chunk) { seen.append(chunk); });
    for (size_t pos = 0; pos < data.size(); pos += 4093) {
      buffer.assign(data, pos, 4093);
      side.Start(buffer);
      side.Wait();
      buffer.assign(buffer.size(), 'x');
    }
  }
  EXPECT_EQ(seen, data);
}

TEST(SideWorkerTest, DestructorWaitsForTheChunkInFlight) {
  int consumed = 0;
  {
    SideWorker side([&consumed](std::string_view chunk) { consumed += static_cast<int>(chunk.size()); });
    side.Start("abc");
  }
  EXPECT_EQ(consumed, 3);
}

}  // namespace
}  // namespace strata
