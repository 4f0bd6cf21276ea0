#include "src/tree_walk.h"

#include <gtest/gtest.h>

#include <string>

#include "src/deep_stack.h"
#include "store/format.h"
#include "store/hash.h"

namespace strata {
namespace {

ObjectId Tree(size_t i) { return HashBytes("tree " + std::to_string(i)); }

TEST(TreeWalkTest, RefusesATreeAlreadyOnThePath) {
  TreeWalk walk;
  ASSERT_TRUE(walk.Enter(Tree(0)).ok());
  ASSERT_TRUE(walk.Enter(Tree(1)).ok());
  Status again = walk.Enter(Tree(0));
  EXPECT_TRUE(again.IsCorruption());
  EXPECT_NE(again.message().find(Tree(0).Hex() + " contains itself"), std::string::npos) << again.message();
  // A sibling directory may share a tree with one that was left.
  walk.Leave();
  EXPECT_TRUE(walk.Enter(Tree(1)).ok());
}

TEST(TreeWalkTest, StopsAtTheDepthLimit) {
  TreeWalk walk;
  for (size_t i = 0; i < format::kMaxTreeDepth; i++) ASSERT_TRUE(walk.Enter(Tree(i)).ok()) << i;
  Status deeper = walk.Enter(Tree(format::kMaxTreeDepth));
  EXPECT_TRUE(deeper.IsCorruption());
  EXPECT_NE(deeper.message().find("nested more than 4096 deep"), std::string::npos) << deeper.message();
}

// Each level holds a 4 KiB frame (volatile, so it is neither dropped nor the call turned into a loop):
// 40000 levels take about 160 MiB, twenty times the main thread's 8 MiB, and fit in kDeepWalkStack.
size_t Recurse(size_t levels) {
  volatile char frame[4096];
  frame[levels % sizeof frame] = 1;
  return levels == 0 ? 0 : Recurse(levels - 1) + frame[levels % sizeof frame];
}

TEST(DeepStackTest, RunsRecursionDeeperThanTheMainStack) {
  size_t depth = 0;
  RunOnDeepStack(kDeepWalkStack, [&] { depth = Recurse(40000); });
  EXPECT_EQ(40000u, depth);
}

}  // namespace
}  // namespace strata
