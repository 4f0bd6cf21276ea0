#include "src/stream_spool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/testutil.h"

namespace strata {
namespace {

// An input that hands out `data` in pieces of `piece` bytes, as a pipe does with what its writer wrote.
class PiecesInput : public SequentialFile {
 public:
  PiecesInput(std::string data, size_t piece) : data_(std::move(data)), piece_(piece) {}
  Status Read(size_t n, std::string* out) override {
    *out = data_.substr(at_, std::min(n, piece_));
    at_ += out->size();
    return Status::Ok();
  }
  const std::string& path() const override { return name_; }

 private:
  std::string data_;
  size_t piece_;
  size_t at_ = 0;
  std::string name_ = "the pipe";
};

std::string ReadAll(const RandomAccessFile& file) {
  std::string out;
  EXPECT_TRUE(file.Read(0, file.Size(), &out).ok());
  return out;
}

TEST(StreamSpoolTest, KeepsEveryByteInAFileWithoutAName) {
  test::TempDir dir;
  const std::string data = test::RandomBytes((3 << 20) + 17, 11);
  for (size_t piece : {size_t{1} << 20, size_t{65536}, size_t{4093}}) {
    PiecesInput in(data, piece);
    auto spooled = SpoolToAnonymousFile(Env::Default(), &in, dir.path());
    ASSERT_TRUE(spooled.ok()) << spooled.status().message();
    EXPECT_EQ((*spooled)->path(), "the pipe");
    EXPECT_EQ(ReadAll(**spooled), data) << "pieces of " << piece;
    auto names = Env::Default()->ListDir(dir.path());
    ASSERT_TRUE(names.ok());
    EXPECT_TRUE(names->empty());
  }
}

TEST(StreamSpoolTest, AnEmptyInputIsAnEmptyFile) {
  test::TempDir dir;
  PiecesInput in("", 1);
  auto spooled = SpoolToAnonymousFile(Env::Default(), &in, dir.path());
  ASSERT_TRUE(spooled.ok());
  EXPECT_EQ((*spooled)->Size(), 0U);
}

TEST(StreamSpoolTest, AMissingDirectoryIsAnErrorNamingIt) {
  test::TempDir dir;
  PiecesInput in("bytes", 5);
  auto spooled = SpoolToAnonymousFile(Env::Default(), &in, dir.Join("tmp"));
  ASSERT_FALSE(spooled.ok());
  EXPECT_EQ(spooled.status().message().rfind("keeping the pipe until it is verified: ", 0), 0U)
      << spooled.status().message();
  EXPECT_NE(spooled.status().message().find(dir.Join("tmp")), std::string::npos);
}

}  // namespace
}  // namespace strata
