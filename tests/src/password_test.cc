#include "src/password.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "tests/testutil.h"

namespace strata {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A fake environment; the terminal is a path that does not exist unless a test gives one.
class PasswordTest : public ::testing::Test {
 protected:
  PasswordContext Context() {
    PasswordContext c;
    c.getenv = [this](const std::string& name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
    c.tty_path = dir_.Join("no-tty");
    return c;
  }
  Result<SecretBytes> Read(const PasswordRequest& r = {}) { return ReadPassword(r, Context()); }

  test::TempDir dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(PasswordTest, FileLosesOneTrailingNewline) {
  const std::string f = dir_.Join("pw");
  for (auto [content, expected] : {std::pair{"secret\n", "secret"},
                                   {"secret", "secret"},
                                   {"secret\n\n", "secret\n"},
                                   {"sec ret \r\n", "sec ret \r"},
                                   {"\xff\x01 binary", "\xff\x01 binary"}}) {
    test::WriteFile(f, content);
    PasswordRequest r;
    r.file = f;
    auto pw = Read(r);
    ASSERT_TRUE(pw.ok()) << pw.status().message();
    EXPECT_EQ(pw->view(), expected);
  }
}

TEST_F(PasswordTest, BadFilesAreOneLineErrorsNamingTheFile) {
  const std::string f = dir_.Join("pw");
  PasswordRequest r;
  r.file = f;
  auto missing = Read(r);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Contains(missing.status().message(), "password file " + f)) << missing.status().message();

  for (const char* empty : {"", "\n"}) {
    test::WriteFile(f, empty);
    auto pw = Read(r);
    ASSERT_EQ(pw.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_TRUE(Contains(pw.status().message(), f)) << pw.status().message();
    EXPECT_TRUE(Contains(pw.status().message(), "empty")) << pw.status().message();
  }

  test::WriteFile(f, std::string(kMaxPasswordSize, 'p') + "\n");
  auto longest = Read(r);
  ASSERT_TRUE(longest.ok());
  EXPECT_EQ(longest->size(), kMaxPasswordSize);
  test::WriteFile(f, std::string(kMaxPasswordSize + 1, 'p'));
  auto too_long = Read(r);
  ASSERT_EQ(too_long.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(Contains(too_long.status().message(), "longer than")) << too_long.status().message();

  r.file = dir_.path();  // a directory
  EXPECT_FALSE(Read(r).ok());
}

TEST_F(PasswordTest, SourcesInOrder) {
  test::WriteFile(dir_.Join("option"), "from option\n");
  test::WriteFile(dir_.Join("envfile"), "from env file\n");
  env_["STRATA_PASSWORD_FILE"] = dir_.Join("envfile");
  env_["STRATA_PASSWORD"] = "from env";
  PasswordRequest with_option;
  with_option.file = dir_.Join("option");
  EXPECT_EQ(Read(with_option)->view(), "from option");
  EXPECT_EQ(Read()->view(), "from env file");
  env_["STRATA_PASSWORD_FILE"] = "";  // empty counts as unset
  EXPECT_EQ(Read()->view(), "from env");
  env_.erase("STRATA_PASSWORD_FILE");
  EXPECT_EQ(Read()->view(), "from env");
  env_["STRATA_PASSWORD"] = "";
  EXPECT_EQ(Read().status().code(), Status::Code::kFailedPrecondition);  // on to the (missing) terminal
}

TEST_F(PasswordTest, EnvFileErrorsNameTheFile) {
  env_["STRATA_PASSWORD_FILE"] = dir_.Join("absent");
  env_["STRATA_PASSWORD"] = "not used";
  auto pw = Read();
  ASSERT_FALSE(pw.ok());
  EXPECT_TRUE(Contains(pw.status().message(), dir_.Join("absent"))) << pw.status().message();
}

TEST_F(PasswordTest, NewPasswordSources) {
  env_["STRATA_PASSWORD"] = "current";
  env_["STRATA_NEW_PASSWORD"] = "next";
  EXPECT_EQ(Read()->view(), "current");
  EXPECT_EQ(Read(NewPasswordRequest(""))->view(), "next");
  test::WriteFile(dir_.Join("new"), "next from file\n");
  env_["STRATA_NEW_PASSWORD_FILE"] = dir_.Join("new");
  EXPECT_EQ(Read(NewPasswordRequest(""))->view(), "next from file");
  env_.clear();
  auto none = Read(NewPasswordRequest(""));
  EXPECT_TRUE(Contains(none.status().message(), "--new-password-file")) << none.status().message();
  EXPECT_TRUE(Contains(none.status().message(), "STRATA_NEW_PASSWORD")) << none.status().message();
}

// The real thing: a process without a controlling terminal (setsid), the real environment and /dev/tty.
TEST(PasswordNoTtyTest, NoSourceAndNoTerminalIsOneClearLine) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    setsid();
    unsetenv("STRATA_PASSWORD");       // NOLINT(concurrency-mt-unsafe): the child is single-threaded
    unsetenv("STRATA_PASSWORD_FILE");  // NOLINT(concurrency-mt-unsafe)
    auto pw = ReadPassword(PasswordRequest{});
    const std::string msg = pw.ok() ? "unexpected password" : pw.status().message();
    (void)!write(fds[1], msg.data(), msg.size());
    _exit(pw.status().code() == Status::Code::kFailedPrecondition ? 0 : 1);
  }
  close(fds[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << msg;
  EXPECT_EQ(
      msg,
      "no password: use --password-file FILE, or set STRATA_PASSWORD_FILE or STRATA_PASSWORD (there is no "
      "terminal to ask on)");
  EXPECT_FALSE(Contains(msg, "\n"));
}

// A pseudo-terminal stands in for the user's terminal: the test types on the master side and sees what
// the terminal would show.
class PasswordPromptTest : public PasswordTest {
 protected:
  void SetUp() override {
    master_ = posix_openpt(O_RDWR | O_NOCTTY);
    ASSERT_GE(master_, 0);
    ASSERT_EQ(grantpt(master_), 0);
    ASSERT_EQ(unlockpt(master_), 0);
    char name[128];
    ASSERT_EQ(ptsname_r(master_, name, sizeof name), 0);
    slave_path_ = name;
    // Hold the slave open so the terminal keeps its settings between the code's opens.
    slave_ = open(name, O_RDWR | O_NOCTTY);
    ASSERT_GE(slave_, 0);
  }
  void TearDown() override {
    close(slave_);
    close(master_);
  }

  // Reads what the terminal showed until `expected` appears (or 5 s pass).
  std::string ScreenUntil(const std::string& expected) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!Contains(screen_, expected) && std::chrono::steady_clock::now() < deadline) {
      struct pollfd p = {master_, POLLIN, 0};
      if (poll(&p, 1, 50) > 0) {
        char buf[256];
        ssize_t n = read(master_, buf, sizeof buf);
        if (n > 0) screen_.append(buf, static_cast<size_t>(n));
      }
    }
    return screen_;
  }
  void Type(const std::string& keys) {
    ASSERT_EQ(write(master_, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  }

  // Runs ReadPassword on the terminal while `user` answers prompts.
  Result<SecretBytes> Ask(const PasswordRequest& r, const std::function<void()>& user) {
    PasswordContext c = Context();
    c.tty_path = slave_path_;
    Result<SecretBytes> result = Status::Cancelled("not run");
    std::thread asker([&] { result = ReadPassword(r, c); });
    user();
    asker.join();
    return result;
  }

  int master_ = -1;
  int slave_ = -1;
  std::string slave_path_;
  std::string screen_;
};

TEST_F(PasswordPromptTest, PromptsWithoutEcho) {
  struct termios before;
  ASSERT_EQ(tcgetattr(slave_, &before), 0);
  ASSERT_TRUE(before.c_lflag & ECHO);
  PasswordRequest r;
  r.prompt = "Password for /s: ";
  auto pw = Ask(r, [&] {
    ScreenUntil("Password for /s: ");
    Type("typed secret\n");
  });
  ASSERT_TRUE(pw.ok()) << pw.status().message();
  EXPECT_EQ(pw->view(), "typed secret");
  const std::string screen = ScreenUntil("\n");
  EXPECT_FALSE(Contains(screen, "typed")) << screen;
  EXPECT_TRUE(Contains(screen, "\n")) << screen;  // the newline still echoes
  struct termios after;
  ASSERT_EQ(tcgetattr(slave_, &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);  // echo is back on
}

TEST_F(PasswordPromptTest, NewPasswordIsAskedTwice) {
  auto pw = Ask(NewPasswordRequest(""), [&] {
    ScreenUntil("New password: ");
    Type("n3w\n");
    ScreenUntil("Again: ");
    Type("n3w\n");
  });
  ASSERT_TRUE(pw.ok()) << pw.status().message();
  EXPECT_EQ(pw->view(), "n3w");
  EXPECT_FALSE(Contains(screen_, "n3w")) << screen_;
}

TEST_F(PasswordPromptTest, DifferentAnswersAreRefused) {
  auto pw = Ask(NewPasswordRequest(""), [&] {
    ScreenUntil("New password: ");
    Type("one\n");
    ScreenUntil("Again: ");
    Type("two\n");
  });
  EXPECT_EQ(pw.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(pw.status().message(), "the passwords do not match");
}

TEST_F(PasswordPromptTest, EmptyAnswerAndEndOfInput) {
  auto empty = Ask({}, [&] {
    ScreenUntil("Password: ");
    Type("\n");
  });
  EXPECT_TRUE(Contains(empty.status().message(), "empty")) << empty.status().message();
  screen_.clear();
  auto eof = Ask({}, [&] {
    ScreenUntil("Password: ");
    Type("\x04");  // ^D at the start of a line
  });
  EXPECT_EQ(eof.status().code(), Status::Code::kCancelled);
}

// Ctrl-C at the prompt must not leave the terminal without echo.
TEST_F(PasswordPromptTest, InterruptRestoresEcho) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    PasswordContext c = Context();
    c.tty_path = slave_path_;
    (void)ReadPassword(PasswordRequest{}, c);
    _exit(0);
  }
  ScreenUntil("Password: ");
  struct termios during;
  ASSERT_EQ(tcgetattr(slave_, &during), 0);
  EXPECT_FALSE(during.c_lflag & ECHO);
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGINT);
  struct termios after;
  ASSERT_EQ(tcgetattr(slave_, &after), 0);
  EXPECT_TRUE(after.c_lflag & ECHO);
}

}  // namespace
}  // namespace strata
