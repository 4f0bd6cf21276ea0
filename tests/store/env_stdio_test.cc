// Env's standard input and output and its anonymous files, against the real descriptors: what a pipe's
// other end receives, what a directory listing shows.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "store/env.h"
#include "tests/testutil.h"

namespace strata {
namespace {

// Puts `fd` in place of standard descriptor `target` until destroyed.
class Redirect {
 public:
  Redirect(int fd, int target) : target_(target), saved_(dup(target)) { dup2(fd, target); }
  ~Redirect() {
    dup2(saved_, target_);
    close(saved_);
  }
  Redirect(const Redirect&) = delete;
  Redirect& operator=(const Redirect&) = delete;

 private:
  int target_;
  int saved_;
};

std::string ReadToEnd(int fd) {
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(EnvStdioTest, StandardOutputWritesThePipeAndLeavesItOpen) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  const std::string data = test::RandomBytes(40000, 1);  // less than a pipe holds: no reader thread
  {
    Redirect r(p[1], STDOUT_FILENO);
    auto out = Env::Default()->StandardOutput();
    ASSERT_TRUE(out.ok()) << out.status().message();
    ASSERT_TRUE((*out)->Append(data).ok());
    // fdatasync of a pipe fails with EINVAL: Sync must not pass that on.
    Status s = (*out)->Sync();
    EXPECT_TRUE(s.ok()) << s.message();
    ASSERT_TRUE((*out)->Close().ok());
    EXPECT_EQ(write(STDOUT_FILENO, "!", 1), 1);
  }
  close(p[1]);
  EXPECT_EQ(ReadToEnd(p[0]), data + "!");
  close(p[0]);
}

TEST(EnvStdioTest, AClosedPipeIsABrokenPipeError) {
  auto old = std::signal(SIGPIPE, SIG_IGN);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  close(p[0]);
  {
    Redirect r(p[1], STDOUT_FILENO);
    auto out = Env::Default()->StandardOutput();
    ASSERT_TRUE(out.ok());
    Status s = (*out)->Append("bytes nobody reads");
    EXPECT_EQ(s.code(), Status::Code::kIOError);
    EXPECT_EQ(s.message(), "write standard output: broken pipe (the reading end was closed)");
  }
  close(p[1]);
  std::signal(SIGPIPE, old);
}

TEST(EnvStdioTest, StandardInputReadsToTheEnd) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  const std::string data = test::RandomBytes(30000, 2);
  ASSERT_EQ(write(p[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
  close(p[1]);
  std::string got;
  {
    Redirect r(p[0], STDIN_FILENO);
    auto in = Env::Default()->StandardInput();
    ASSERT_TRUE(in.ok());
    EXPECT_EQ((*in)->path(), "standard input");
    std::string chunk;
    do {
      ASSERT_TRUE((*in)->Read(7777, &chunk).ok());
      EXPECT_LE(chunk.size(), 7777U);
      got += chunk;
    } while (!chunk.empty());
  }
  close(p[0]);
  EXPECT_EQ(got, data);
}

TEST(EnvStdioTest, AnAnonymousFileHasNoNameAndOutlivesItsWriter) {
  test::TempDir dir;
  Env* env = Env::Default();
  auto file = env->NewAnonymousFile(dir.path());
  ASSERT_TRUE(file.ok()) << file.status().message();
  const std::string data = test::RandomBytes(3 << 20, 3);
  for (size_t at = 0; at < data.size(); at += 100000)
    ASSERT_TRUE((*file)->Append(data.substr(at, 100000)).ok());
  EXPECT_TRUE((*file)->Sync().ok());
  auto names = env->ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
  auto reader = (*file)->OpenForReading("the spool");
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*file)->Close().ok());
  file->reset();
  EXPECT_EQ((*reader)->path(), "the spool");
  ASSERT_EQ((*reader)->Size(), data.size());
  std::string got;
  ASSERT_TRUE((*reader)->Read(0, data.size(), &got).ok());
  EXPECT_EQ(got, data);
  EXPECT_FALSE((*reader)->Read(data.size() - 1, 2, &got).ok());
  names = env->ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
}

TEST(EnvStdioTest, AnAnonymousFileInAMissingDirectoryIsAnError) {
  test::TempDir dir;
  auto file = Env::Default()->NewAnonymousFile(dir.Join("missing"));
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find(dir.Join("missing")), std::string::npos) << file.status().message();
}

// `strata sync --to-file FIFO` too: a named pipe is no regular file.
TEST(EnvStdioTest, SyncOfANamedPipeSucceeds) {
  test::TempDir dir;
  const std::string fifo = dir.Join("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  auto out = Env::Default()->NewWritableFile(fifo);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_TRUE((*out)->Append("through a fifo").ok());
  Status s = (*out)->Sync();
  EXPECT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE((*out)->Close().ok());
  fcntl(reader, F_SETFL, 0);
  EXPECT_EQ(ReadToEnd(reader), "through a fifo");
  close(reader);
}

}  // namespace
}  // namespace strata
