#include "store/temp_packs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "store/host_name.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using test::DeadPid;
using test::TempDir;

constexpr int64_t kNow = 2000000000;

PackId Pack(uint8_t fill) {
  PackId id;
  id.fill(fill);
  return id;
}

class TempPacksTest : public ::testing::Test {
 protected:
  TempPacksTest() {
    EXPECT_EQ(0, mkdir(dir_.Join("tmp").c_str(), 0700));
    EXPECT_EQ(0, mkdir(dir_.Join("locks").c_str(), 0700));
    timing_.clock = [] { return kNow; };
  }
  void PlantLock(const std::string& id, int64_t pid, int64_t refreshed) {
    LockInfo info;
    info.command = "backup";
    info.host = HostName();
    info.pid = pid;
    info.started = info.refreshed = refreshed;
    test::WriteFile(dir_.Join("locks/" + id + ".lock"), info.Encode());
  }
  // A temporary pack last written `age` seconds before kNow.
  std::string PlantPack(const std::string& name, int64_t age) {
    const std::string path = dir_.Join("tmp/" + name);
    test::WriteFile(path, "unsealed pack bytes");
    struct timespec times[2] = {{kNow - age, 0}, {kNow - age, 0}};
    EXPECT_EQ(0, utimensat(AT_FDCWD, path.c_str(), times, 0));
    return name;
  }
  bool Exists(const std::string& name) const {
    struct stat st;
    return stat(dir_.Join("tmp/" + name).c_str(), &st) == 0;
  }

  TempDir dir_;
  LockTiming timing_;
  const std::string live_ = std::string(32, 'a');
  const std::string dead_ = std::string(32, 'b');
  const std::string old_ = std::string(32, 'c');
  const std::string gone_ = std::string(32, 'd');
};

TEST_F(TempPacksTest, NameCarriesTheLockId) {
  EXPECT_EQ(live_ + "-" + std::string(32, '0') + ".pack.tmp", TempPackName(live_, Pack(0)));
  EXPECT_EQ(std::string(32, 'f') + ".pack.tmp", TempPackName("", Pack(0xff)));
}

// Only packs of live writers survive, whatever their age; unnamed ones fall under the age rule.
TEST_F(TempPacksTest, RemovesPacksOfDeadWritersAtOnce) {
  PlantLock(live_, getpid(), kNow - 60);
  PlantLock(dead_, DeadPid(), kNow - 60);
  PlantLock(old_, getpid(), kNow - 2 * 3600);  // not refreshed for two hours: stale though its pid runs
  const std::string live_pack = PlantPack(TempPackName(live_, Pack(1)), 5 * 3600);
  const std::string dead_pack = PlantPack(TempPackName(dead_, Pack(2)), 0);
  const std::string old_pack = PlantPack(TempPackName(old_, Pack(3)), 0);
  const std::string gone_pack = PlantPack(TempPackName(gone_, Pack(4)), 0);
  const std::string fresh_unnamed = PlantPack(TempPackName("", Pack(5)), 60);
  const std::string old_unnamed = PlantPack(TempPackName("", Pack(6)), 2 * 3600);
  const std::string odd = PlantPack("XYZ-" + TempPackName("", Pack(7)), 60);
  const std::string other = PlantPack("not-a-pack", 5 * 3600);

  auto swept = RemoveDeadTempPacks(Env::Default(), dir_.path(), timing_);
  ASSERT_TRUE(swept.ok()) << swept.status().message();
  std::vector<std::string> removed = swept->removed;
  std::sort(removed.begin(), removed.end());
  std::vector<std::string> expected = {dead_pack, old_pack, gone_pack, old_unnamed};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(expected, removed);
  for (const std::string& name : expected) EXPECT_FALSE(Exists(name)) << name;
  for (const std::string& name : {live_pack, fresh_unnamed, odd, other}) EXPECT_TRUE(Exists(name)) << name;
}

TEST_F(TempPacksTest, StoreWithoutTmpHasNothingToSweep) {
  TempDir empty;
  auto swept = RemoveDeadTempPacks(Env::Default(), empty.path(), timing_);
  ASSERT_TRUE(swept.ok());
  EXPECT_TRUE(swept->removed.empty());
}

}  // namespace
}  // namespace strata
