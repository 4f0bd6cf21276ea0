#include "store/lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/host_name.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using test::DeadPid;
using test::TempDir;

class LockTest : public ::testing::Test {
 protected:
  std::string LocksDir() const { return dir_.Join("locks"); }
  // Writes a lock file by hand, the way another process (or an older crash) would have left it.
  void PlantLock(const std::string& id, LockKind kind, const std::string& host, int64_t pid,
                 int64_t refreshed) {
    LockInfo info;
    info.kind = kind;
    info.command = "planted";
    info.host = host;
    info.pid = pid;
    info.started = refreshed;
    info.refreshed = refreshed;
    ASSERT_TRUE(Env::Default()->CreateDir(LocksDir()).ok());
    test::WriteFile(LocksDir() + "/" + id + ".lock", info.Encode());
  }
  size_t LockFiles() const {
    auto names = Env::Default()->ListDir(LocksDir());
    return names.ok() ? names->size() : 0;
  }
  Result<std::unique_ptr<StoreLock>> Take(LockKind kind, std::vector<std::string>* notes = nullptr) {
    return StoreLock::Acquire(Env::Default(), dir_.path(), kind, "test", [notes](const std::string& n) {
      if (notes != nullptr) notes->push_back(n);
    });
  }

  TempDir dir_;
  const std::string a_ = std::string(32, 'a');
  const std::string b_ = std::string(32, 'b');
};

TEST_F(LockTest, EncodeDecodeRoundTrip) {
  LockInfo info;
  info.kind = LockKind::kExclusive;
  info.command = "prune";
  info.host = "host one";
  info.pid = 4242;
  info.started = 1700000000;
  info.refreshed = 1700000300;
  auto back = LockInfo::Decode(info.Encode(), "x");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->kind, LockKind::kExclusive);
  EXPECT_EQ(back->command, "prune");
  EXPECT_EQ(back->host, "host one");
  EXPECT_EQ(back->pid, 4242);
  EXPECT_EQ(back->started, 1700000000);
  EXPECT_EQ(back->refreshed, 1700000300);
}

TEST_F(LockTest, DecodeRefusesMalformedFiles) {
  const std::string good =
      "strata-lock 1\nkind shared\ncommand backup\nhost h\npid 12\nstarted 5\nrefreshed 6\n";
  ASSERT_TRUE(LockInfo::Decode(good, "x").ok());
  EXPECT_TRUE(LockInfo::Decode(good + "future field\n", "x").ok()) << "unknown fields are ignored";
  for (const std::string& bad : {
           std::string(""),
           std::string("strata-lock 2\nkind shared\nhost h\npid 12\nstarted 5\nrefreshed 6\n"),
           std::string("strata-lock 1\nkind both\nhost h\npid 12\nstarted 5\nrefreshed 6\n"),
           std::string("strata-lock 1\nkind shared\nhost h\npid 0\nstarted 5\nrefreshed 6\n"),
           std::string("strata-lock 1\nkind shared\nhost h\npid 12x\nstarted 5\nrefreshed 6\n"),
           std::string("strata-lock 1\nkind shared\nhost h\npid 12\nstarted 5\n"),
           std::string("strata-lock 1\nkind shared\nhost h\npid 12\nstarted 5\nrefreshed 6"),
           std::string("strata-lock 1\nkind shared\nkind shared\nhost h\npid 12\nstarted 5\nrefreshed 6\n"),
           std::string("strata-lock 1\nkind shared\nhost \npid 12\nstarted 5\nrefreshed 6\n"),
           good + std::string(5000, 'x') + "\n",
       }) {
    EXPECT_FALSE(LockInfo::Decode(bad, "x").ok()) << bad;
  }
}

TEST_F(LockTest, SharedLocksCoexistAndAreRemovedOnRelease) {
  auto first = Take(LockKind::kShared);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = Take(LockKind::kShared);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(LockFiles(), 2u);
  auto listed = ListLocks(Env::Default(), dir_.path());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  for (const LockInfo& l : *listed) {
    EXPECT_EQ(l.host, HostName());
    EXPECT_EQ(l.pid, getpid());
    EXPECT_EQ(l.command, "test");
    EXPECT_EQ(StaleReason(l, {}), "");
  }
  EXPECT_TRUE((*first)->Release().ok());
  EXPECT_EQ(LockFiles(), 1u);
  second->reset();
  EXPECT_EQ(LockFiles(), 0u) << "the destructor removes the lock";
}

TEST_F(LockTest, ExclusiveExcludesEveryOtherLiveLock) {
  {
    auto shared = Take(LockKind::kShared);
    ASSERT_TRUE(shared.ok());
    auto exclusive = Take(LockKind::kExclusive);
    ASSERT_FALSE(exclusive.ok());
    EXPECT_EQ(exclusive.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_NE(exclusive.status().message().find("is in use by test"), std::string::npos)
        << exclusive.status().message();
    EXPECT_EQ(LockFiles(), 1u) << "a refused acquirer leaves no lock behind";
  }
  auto exclusive = Take(LockKind::kExclusive);
  ASSERT_TRUE(exclusive.ok()) << exclusive.status().message();
  for (LockKind kind : {LockKind::kShared, LockKind::kExclusive}) {
    auto other = Take(kind);
    ASSERT_FALSE(other.ok());
    EXPECT_NE(other.status().message().find("is locked exclusively by test, host " + HostName()),
              std::string::npos)
        << other.status().message();
  }
  EXPECT_EQ(LockFiles(), 1u);
}

TEST_F(LockTest, DeadProcessOnThisHostIsStaleAndBlocksNothing) {
  const int64_t dead = DeadPid();
  PlantLock(a_, LockKind::kExclusive, HostName(), dead, time(nullptr));
  std::vector<std::string> notes;
  auto lock = Take(LockKind::kExclusive, &notes);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("locks/" + a_ + ".lock"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("process " + std::to_string(dead) + " is not running"), std::string::npos)
      << notes[0];
  EXPECT_NE(notes[0].find("strata unlock -s " + dir_.path()), std::string::npos) << notes[0];
}

TEST_F(LockTest, OtherHostsAreJudgedByAgeOnly) {
  const int64_t now = time(nullptr);
  // A pid that is dead here says nothing about a process on another host.
  PlantLock(a_, LockKind::kExclusive, "elsewhere.example", DeadPid(), now - 60);
  auto blocked = Take(LockKind::kShared);
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.status().message().find("host elsewhere.example"), std::string::npos);

  PlantLock(a_, LockKind::kExclusive, "elsewhere.example", 1, now - 2 * 3600);
  std::vector<std::string> notes;
  auto lock = Take(LockKind::kShared, &notes);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("not refreshed for 120 minutes"), std::string::npos) << notes[0];
}

TEST_F(LockTest, UnreadableLockIsStale) {
  ASSERT_TRUE(Env::Default()->CreateDir(LocksDir()).ok());
  test::WriteFile(LocksDir() + "/" + a_ + ".lock", "garbage");
  test::WriteFile(LocksDir() + "/not-a-lock-name", "ignored");
  std::vector<std::string> notes;
  auto lock = Take(LockKind::kExclusive, &notes);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("not a strata lock file"), std::string::npos) << notes[0];
}

TEST_F(LockTest, RemoveLocksKeepsLiveOnesUnlessAll) {
  PlantLock(a_, LockKind::kShared, HostName(), DeadPid(), time(nullptr));
  PlantLock(b_, LockKind::kExclusive, "elsewhere.example", 1, time(nullptr) - 4 * 3600);
  auto live = Take(LockKind::kShared);
  ASSERT_TRUE(live.ok());
  const std::string live_name = (*live)->path().substr((*live)->path().rfind('/') + 1);

  auto removed = RemoveLocks(Env::Default(), dir_.path(), false);
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  ASSERT_EQ(removed->removed.size(), 2u);
  EXPECT_EQ(removed->removed[0].file, a_ + ".lock");
  EXPECT_EQ(removed->removed[1].file, b_ + ".lock");
  ASSERT_EQ(removed->kept.size(), 1u);
  EXPECT_EQ(removed->kept[0].file, live_name);
  EXPECT_EQ(LockFiles(), 1u);

  auto all = RemoveLocks(Env::Default(), dir_.path(), true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->removed.size(), 1u);
  EXPECT_EQ(LockFiles(), 0u);
  // Its owner still releases it without trouble when it ends (the destructor).
}

TEST_F(LockTest, OwnerRefreshesItsLock) {
  std::atomic<int64_t> now{1000};
  LockTiming timing;
  timing.refresh_interval = 0;  // rewrite continuously
  timing.clock = [&now] { return now.load(); };
  auto lock = StoreLock::Acquire(Env::Default(), dir_.path(), LockKind::kShared, "test", {}, timing);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  now = 50000;
  int64_t refreshed = 0;
  for (int i = 0; i < 500 && refreshed != 50000; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto bytes = Env::Default()->ReadWholeFile((*lock)->path(), 4096);
    if (!bytes.ok()) continue;
    auto info = LockInfo::Decode(*bytes, "lock");
    ASSERT_TRUE(info.ok()) << "readers never see a half-written lock: " << info.status().message();
    refreshed = info->refreshed;
    EXPECT_EQ(info->started, 1000);
  }
  EXPECT_EQ(refreshed, 50000);
  // With the clock far ahead, the lock would be stale had it not been refreshed.
  LockInfo old;
  old.host = HostName();
  old.pid = getpid();
  old.refreshed = 1000;
  EXPECT_NE(StaleReason(old, timing), "");
}

}  // namespace
}  // namespace strata
