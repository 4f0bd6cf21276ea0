#include "store/secret_bytes.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace strata {
namespace {

// What the wipe observer saw: the address, the size and whether every byte was zero at that moment.
struct Wipe {
  const uint8_t* data;
  size_t size;
  bool zero;
};
std::vector<Wipe> wipes;

void RecordWipe(const uint8_t* data, size_t size) {
  wipes.push_back({data, size, sodium_is_zero(data, size) == 1});
}

class SecretBytesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wipes.clear();
    SecretBytes::SetWipeObserverForTest(RecordWipe);
  }
  void TearDown() override { SecretBytes::SetWipeObserverForTest(nullptr); }
};

TEST_F(SecretBytesTest, AllocateIsZeroedAndWritableUntilSealed) {
  auto s = SecretBytes::Allocate(48);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 48u);
  EXPECT_EQ(sodium_is_zero(s->data(), s->size()), 1);
  std::memset(s->mutable_data(), 0xab, 48);
  s->Seal();
  EXPECT_EQ(s->view(), std::string(48, '\xab'));
}

TEST_F(SecretBytesTest, CopyOfAndPrefix) {
  auto s = SecretBytes::CopyOf("correct horse battery staple");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->view(), "correct horse battery staple");
  auto p = s->Prefix(7);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->view(), "correct");
  EXPECT_NE(p->data(), s->data());  // its own memory
  auto e = SecretBytes::CopyOf("");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->empty());
}

TEST_F(SecretBytesTest, DestructionZeroesTheMemoryBeforeFreeing) {
  const uint8_t* where = nullptr;
  {
    auto s = SecretBytes::CopyOf(std::string(32, '\x5a'));
    ASSERT_TRUE(s.ok());
    where = s->data();
    EXPECT_TRUE(wipes.empty());
  }
  ASSERT_EQ(wipes.size(), 1u);
  EXPECT_EQ(wipes[0].data, where);
  EXPECT_EQ(wipes[0].size, 32u);
  EXPECT_TRUE(wipes[0].zero);
}

TEST_F(SecretBytesTest, MoveTransfersOwnershipAndWipesOnce) {
  auto a = SecretBytes::CopyOf("first secret");
  auto b = SecretBytes::CopyOf("second secret");
  ASSERT_TRUE(a.ok() && b.ok());
  const uint8_t* a_mem = a->data();
  const uint8_t* b_mem = b->data();
  SecretBytes moved(std::move(*a));
  EXPECT_TRUE(a->empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_EQ(moved.data(), a_mem);
  EXPECT_EQ(moved.view(), "first secret");
  EXPECT_TRUE(wipes.empty());

  moved = std::move(*b);  // the first secret is wiped now, the second moves in
  ASSERT_EQ(wipes.size(), 1u);
  EXPECT_EQ(wipes[0].data, a_mem);
  EXPECT_TRUE(wipes[0].zero);
  EXPECT_EQ(moved.data(), b_mem);
  EXPECT_EQ(moved.view(), "second secret");
}

TEST_F(SecretBytesTest, EqualsComparesContentAndSize) {
  auto a = SecretBytes::CopyOf("abc");
  auto b = SecretBytes::CopyOf("abc");
  auto c = SecretBytes::CopyOf("abd");
  auto d = SecretBytes::CopyOf("abcd");
  EXPECT_TRUE(a->Equals(*b));
  EXPECT_FALSE(a->Equals(*c));
  EXPECT_FALSE(a->Equals(*d));
  EXPECT_TRUE(SecretBytes().Equals(SecretBytes()));
}

TEST(SecretBytesDeathTest, SealedMemoryIsReadOnly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto s = SecretBytes::CopyOf("key material");
  ASSERT_TRUE(s.ok());
  EXPECT_DEATH(s->mutable_data()[0] = 'K', "");
}

}  // namespace
}  // namespace strata
