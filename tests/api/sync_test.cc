// Repository::Sync, SyncToFile and Receive through the public API, on real backups. The oracles are the
// source trees as they were at each backup (copied with plain file calls) and the store directories as
// the file system lists them: every synced snapshot restores to its saved tree from the destination, a
// second sync adds no file to the destination, and a refused stream leaves it exactly as it was.
#include <filesystem>
#include <map>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

namespace fs = std::filesystem;

PasswordCallback Password(const std::string& password) {
  return [password]() -> Result<std::string> { return password; };
}

void InitEncrypted(const std::string& path, const std::string& password) {
  InitOptions options;
  options.key_strength = KeyStrength::kMinimum;
  options.password = Password(password);
  Status s = Repository::Init(path, options);
  ASSERT_TRUE(s.ok()) << s.message();
}

// Options making a store that shares the keys of the encrypted store `source` (password "password a"),
// under a password of its own, "password c".
InitOptions InitFromA(const std::string& source) {
  InitOptions from;
  from.from = source;
  from.from_password = Password("password a");
  from.password = Password("password c");
  from.key_strength = KeyStrength::kMinimum;
  return from;
}

std::unique_ptr<Repository> OpenWith(const std::string& path, const std::string& password) {
  OpenOptions options;
  options.path = path;
  options.password = Password(password);
  auto repo = Repository::Open(options);
  EXPECT_TRUE(repo.ok()) << repo.status().message();
  return repo.ok() ? std::move(repo).value() : nullptr;
}

// Every file of a store with its size: what a sync must not change when it has nothing to send.
std::map<std::string, uintmax_t> Files(const std::string& store) {
  std::map<std::string, uintmax_t> out;
  for (const auto& e : fs::recursive_directory_iterator(store)) {
    if (e.is_regular_file()) out[e.path().lexically_relative(store).string()] = e.file_size();
  }
  return out;
}

// Two backups of a changing tree into `repo`; the tree as it was at each is saved under dir/saved<i>.
std::vector<std::string> TwoBackups(Repository& repo, const TempDir& dir) {
  std::vector<std::string> ids;
  MakeTree(dir.Join("src"), 7);
  for (int i = 0; i < 2; i++) {
    if (i == 1) WriteFile(dir.Join("src/docs/new.bin"), RandomBytes(200000, 99));
    BackupRequest request;
    request.sources = {dir.Join("src")};
    auto made = repo.Backup(request);
    EXPECT_TRUE(made.ok()) << made.status().message();
    if (!made.ok()) return ids;
    ids.push_back(made->snapshot_id);
    fs::copy(dir.Join("src"), dir.Join("saved" + std::to_string(i)),
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
  return ids;
}

void ExpectRestores(Repository& repo, const std::string& snapshot, const TempDir& dir, int saved) {
  const std::string dest = dir.Join("restored-" + snapshot.substr(0, 12));
  auto restored = repo.Restore(snapshot, "", dest, RestoreRequest{});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  ExpectSameTree(dir.Join("saved" + std::to_string(saved)), dest);
}

TEST(SyncApiTest, EncryptedStoresWithDifferentPasswordsReencodeAndResyncNothing) {
  TempDir dir;
  InitEncrypted(dir.Join("a"), "password a");
  InitEncrypted(dir.Join("b"), "password b");
  auto src = OpenWith(dir.Join("a"), "password a");
  auto dst = OpenWith(dir.Join("b"), "password b");
  ASSERT_TRUE(src && dst);
  const std::vector<std::string> ids = TwoBackups(*src, dir);
  ASSERT_EQ(ids.size(), 2u);

  RecordingObserver progress;
  auto first = src->Sync(*dst, SyncRequest{{ids[0]}, ""}, &progress);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(first->verbatim);
  ASSERT_EQ(first->synced.size(), 1u);
  EXPECT_EQ(first->synced[0].source.id, ids[0]);
  EXPECT_NE(first->synced[0].copy_id, ids[0]);  // other keys, other ids
  EXPECT_GT(first->objects_sent, 0u);
  progress.ExpectThrottledAndDone();
  const uint64_t first_bytes = first->bytes_sent;

  auto all = src->Sync(*dst, SyncRequest{});
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->synced.size(), 1u);
  EXPECT_EQ(all->synced[0].source.id, ids[1]);
  ASSERT_EQ(all->present.size(), 1u);
  EXPECT_GT(all->objects_present, 0u);  // the first snapshot's files, unchanged in the second
  EXPECT_LT(all->bytes_sent, first_bytes);

  auto listed = dst->ListSnapshots();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  for (int i = 0; i < 2; i++) {
    EXPECT_EQ((*listed)[i].origin_id, ids[i]);
    ExpectRestores(*dst, (*listed)[i].id, dir, i);
  }

  const auto before = Files(dir.Join("b"));
  auto again = src->Sync(*dst, SyncRequest{});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->synced.empty());
  EXPECT_EQ(again->present.size(), 2u);
  EXPECT_EQ(again->objects_sent, 0u);
  EXPECT_EQ(again->bytes_sent, 0u);
  EXPECT_EQ(Files(dir.Join("b")), before);

  // Back the other way: the copies are recognized as the originals.
  auto back = dst->Sync(*src, SyncRequest{});
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->synced.empty());
  EXPECT_EQ(back->present.size(), 2u);

  CheckRequest check;
  check.read_data = true;
  auto checked = dst->Check(check);
  ASSERT_TRUE(checked.ok()) << checked.status().message();
  EXPECT_TRUE(checked->damaged.empty());
}

TEST(SyncApiTest, InitFromSharesKeysSoObjectsAndIdsGoAcrossVerbatim) {
  TempDir dir;
  InitEncrypted(dir.Join("a"), "password a");
  InitOptions from = InitFromA(dir.Join("a"));
  ASSERT_TRUE(Repository::Init(dir.Join("c"), from).ok());
  // A wrong source password creates nothing.
  from.from_password = Password("wrong");
  Status wrong = Repository::Init(dir.Join("d"), from);
  EXPECT_EQ(wrong.code(), Status::Code::kWrongPassword) << wrong.message();
  EXPECT_FALSE(fs::exists(dir.Join("d/strata-store")));

  auto src = OpenWith(dir.Join("a"), "password a");
  auto dst = OpenWith(dir.Join("c"), "password c");
  ASSERT_TRUE(src && dst);
  // The new store has a password of its own.
  OpenOptions with_source_password;
  with_source_password.path = dir.Join("c");
  with_source_password.password = Password("password a");
  EXPECT_EQ(Repository::Open(with_source_password).status().code(), Status::Code::kWrongPassword);
  const std::vector<std::string> ids = TwoBackups(*src, dir);
  ASSERT_EQ(ids.size(), 2u);
  auto synced = src->Sync(*dst, SyncRequest{});
  ASSERT_TRUE(synced.ok()) << synced.status().message();
  EXPECT_TRUE(synced->verbatim);
  ASSERT_EQ(synced->synced.size(), 2u);
  for (int i = 0; i < 2; i++) {
    EXPECT_EQ(synced->synced[i].copy_id, ids[i]);  // the same manifest, byte for byte
    ExpectRestores(*dst, ids[i], dir, i);
  }
}

// Two plain stores share their ids, but not their delta chains: the destination backed up the middle
// content of a file on its own (FULL, depth 0) while the source stored it as a delta (depth 1). The source's
// next delta on it arrives with its depth corrected, or readers would refuse the chain.
TEST(SyncApiTest, DeltaOnABaseTheDestinationStoredOtherwiseGetsItsDepthFixed) {
  TempDir dir;
  InitPlain(dir.Join("a"));
  InitPlain(dir.Join("b"));
  auto src = OpenRepo(dir.Join("a"));
  auto dst = OpenRepo(dir.Join("b"));
  ASSERT_TRUE(src && dst);
  fs::create_directories(dir.Join("src"));
  std::string content = RandomBytes(400000, 5);
  BackupRequest request;
  request.sources = {dir.Join("src")};
  std::vector<std::string> versions;
  for (int i = 0; i < 3; i++) {
    content.replace(1000 + 50000 * i, 10, "changed...");
    WriteFile(dir.Join("src/file"), content);
    versions.push_back(content);
    ASSERT_TRUE(src->Backup(request).ok());
    if (i == 1) {
      ASSERT_TRUE(dst->Backup(request).ok());
    }
  }
  auto logged = src->Log("file");
  ASSERT_TRUE(logged.ok()) << logged.status().message();
  ASSERT_EQ(logged->size(), 3u);
  EXPECT_EQ(logged->back().chain_depth, 2u);  // a delta on a delta on the first
  auto synced = src->Sync(*dst, SyncRequest{});
  ASSERT_TRUE(synced.ok()) << synced.status().message();
  EXPECT_TRUE(synced->verbatim);
  ASSERT_EQ(synced->synced.size(), 3u);
  for (int i = 0; i < 3; i++) {
    auto reader = dst->OpenFile(synced->synced[i].copy_id, "file");
    ASSERT_TRUE(reader.ok()) << i << ": " << reader.status().message();
    std::string read;
    ASSERT_TRUE((*reader)->Read(0, versions[i].size() + 1, &read).ok()) << i;
    EXPECT_TRUE(read == versions[i]) << i;
  }
  auto copied = dst->Log("file");
  ASSERT_TRUE(copied.ok()) << copied.status().message();
  EXPECT_EQ(copied->back().snapshot.id, synced->synced[2].copy_id);
  EXPECT_EQ(copied->back().chain_depth, 1u);  // on the destination's own FULL record of the middle content
  CheckRequest check;
  check.read_data = true;
  auto checked = dst->Check(check);
  ASSERT_TRUE(checked.ok()) << checked.status().message();
  EXPECT_TRUE(checked->damaged.empty());
}

TEST(SyncApiTest, StreamRoundTripTwiceAndRefusedStreamsChangeNothing) {
  TempDir dir;
  InitEncrypted(dir.Join("a"), "password a");
  ASSERT_TRUE(Repository::Init(dir.Join("c"), InitFromA(dir.Join("a"))).ok());
  InitEncrypted(dir.Join("other"), "password a");  // same password, other keys
  auto src = OpenWith(dir.Join("a"), "password a");
  auto dst = OpenWith(dir.Join("c"), "password c");
  auto other = OpenWith(dir.Join("other"), "password a");
  ASSERT_TRUE(src && dst && other);
  const std::vector<std::string> ids = TwoBackups(*src, dir);
  ASSERT_EQ(ids.size(), 2u);

  const std::string first = dir.Join("first.stream");
  auto wrote = src->SyncToFile(first, SyncRequest{{ids[0]}, ""});
  ASSERT_TRUE(wrote.ok()) << wrote.status().message();
  EXPECT_EQ(wrote->bytes_sent, fs::file_size(first));
  const std::string rest = dir.Join("rest.stream");
  ASSERT_TRUE(src->SyncToFile(rest, SyncRequest{{}, ids[0]}).ok());
  EXPECT_LT(fs::file_size(rest), fs::file_size(first));  // the first snapshot's objects are left out

  const auto empty = Files(dir.Join("c"));
  // Builds on a snapshot the store lacks: refused.
  auto early = dst->Receive(rest);
  EXPECT_EQ(early.status().code(), Status::Code::kFailedPrecondition) << early.status().message();
  // Other keys: refused.
  auto foreign = other->Receive(first);
  EXPECT_EQ(foreign.status().code(), Status::Code::kFailedPrecondition) << foreign.status().message();
  // Truncated anywhere: refused.
  const std::string bytes = ReadFile(first);
  for (size_t cut : {size_t{3}, size_t{12}, size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    WriteFile(dir.Join("cut.stream"), bytes.substr(0, cut));
    auto cut_result = dst->Receive(dir.Join("cut.stream"));
    EXPECT_EQ(cut_result.status().code(), Status::Code::kCorruption)
        << cut << ": " << cut_result.status().message();
  }
  // One flipped byte in the middle: refused.
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 1;
  WriteFile(dir.Join("flipped.stream"), flipped);
  EXPECT_FALSE(dst->Receive(dir.Join("flipped.stream")).ok());
  // Not a stream at all.
  auto not_stream = dst->Receive(dir.Join("src/readme.txt"));
  EXPECT_EQ(not_stream.status().code(), Status::Code::kFailedPrecondition) << not_stream.status().message();
  EXPECT_EQ(Files(dir.Join("c")), empty);

  for (const std::string& stream : {first, rest}) {
    auto received = dst->Receive(stream);
    ASSERT_TRUE(received.ok()) << received.status().message();
    EXPECT_EQ(received->synced.size(), 1u);
  }
  const auto full = Files(dir.Join("c"));
  auto twice = dst->Receive(first);
  ASSERT_TRUE(twice.ok()) << twice.status().message();
  EXPECT_TRUE(twice->synced.empty());
  EXPECT_EQ(twice->objects_sent, 0u);
  EXPECT_EQ(Files(dir.Join("c")), full);
  for (int i = 0; i < 2; i++) ExpectRestores(*dst, ids[i], dir, i);
}

}  // namespace
}  // namespace strata::test
