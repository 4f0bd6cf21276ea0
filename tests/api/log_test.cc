// The LogSink receives what goes wrong with the path, snapshot and object it concerns. The oracle is the
// damage itself: one byte flipped by hand in the pack that holds the one file's content.
#include <fstream>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

// The largest pack of the store: the one holding the big file's frames.
std::string LargestPack(const std::string& store) {
  std::string largest;
  uintmax_t size = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(store + "/packs")) {
    if (e.path().extension() == ".pack" && e.file_size() > size) {
      size = e.file_size();
      largest = e.path().string();
    }
  }
  return largest;
}

void FlipByteInTheMiddle(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f) << path;
  const std::streamoff middle = static_cast<std::streamoff>(std::filesystem::file_size(path) / 2);
  f.seekg(middle);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0xff);
  f.seekp(middle);
  f.write(&c, 1);
  ASSERT_TRUE(f) << path;
}

const LogRecord* FindRecord(const RecordingSink& sink, LogLevel level, const std::string& path) {
  for (const LogRecord& r : sink.records()) {
    if (r.level == level && r.fields.path == path) return &r;
  }
  return nullptr;
}

TEST(LogTest, DamageReachesTheSinkWithItsFields) {
  TempDir dir;
  std::filesystem::create_directories(dir.Join("src"));
  const std::string content = RandomBytes(2 << 20, 5);
  WriteFile(dir.Join("src/big.bin"), content);
  InitPlain(dir.Join("store"));
  RecordingSink sink;
  auto repo = OpenRepo(dir.Join("store"), &sink);
  ASSERT_TRUE(repo);
  BackupRequest request;
  request.sources = {dir.Join("src")};
  auto made = repo->Backup(request);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_TRUE(sink.records().empty());

  FlipByteInTheMiddle(LargestPack(dir.Join("store")));

  auto report = repo->Check(CheckRequest{.read_data = true});
  ASSERT_TRUE(report.ok()) << report.status().message();
  ASSERT_FALSE(report->ok());
  ASSERT_EQ(report->damaged.size(), 1u);
  const DamagedObject& damaged = report->damaged[0];
  ASSERT_EQ(damaged.paths.size(), 1u);
  EXPECT_EQ(damaged.paths[0].path, "big.bin");
  EXPECT_EQ(damaged.paths[0].snapshot, made->snapshot_name);
  EXPECT_EQ(damaged.paths[0].snapshot_id, made->snapshot_id);
  const LogRecord* checked = FindRecord(sink, LogLevel::kError, "big.bin");
  ASSERT_NE(checked, nullptr);
  EXPECT_EQ(checked->fields.snapshot, made->snapshot_name);
  EXPECT_EQ(checked->fields.object, damaged.object);
  EXPECT_NE(checked->message.find(damaged.object), std::string::npos) << checked->message;

  // A restore reports the file it could not write, under the destination, and leaves no wrong bytes.
  const std::string dest = dir.Join("out");
  auto restored = repo->Restore(made->snapshot_id, "", dest, RestoreRequest{});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->errors, 1u);
  EXPECT_EQ(restored->files, 0u);
  const LogRecord* failed = FindRecord(sink, LogLevel::kError, dest + "/big.bin");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->fields.snapshot, made->snapshot_name);
  EXPECT_NE(failed->message.find(dest + "/big.bin"), std::string::npos) << failed->message;
  EXPECT_FALSE(std::filesystem::exists(dest + "/big.bin"));
}

}  // namespace
}  // namespace strata::test
