// Repository::Diff, Log and ExportTar through the public API, against edits made with plain file calls
// and, for the archive, against what GNU tar extracts from it.
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <map>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

int64_t MtimeNs(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
}

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeTree(Src(), 1);
    InitPlain(dir_.Join("store"));
    repo_ = OpenRepo(dir_.Join("store"));
    ASSERT_TRUE(repo_);
    Backup();
    for (const char* d : {"", "docs", "docs/deep", "docs/deep/er", "empty-dir"})
      dir_mtimes_[d] = MtimeNs(Src(d));

    // The edits: an append (a delta), a chmod, a deletion, a new file, a symlink that becomes a directory.
    WriteFile(Src("docs/a.bin"), ReadFile(Src("docs/a.bin")) + RandomBytes(500, 77));
    ASSERT_EQ(chmod(Src("readme.txt").c_str(), 0600), 0);
    std::filesystem::remove(Src("docs/deep/er/c.bin"));
    WriteFile(Src("new.txt"), "new\n");
    std::filesystem::remove(Src("link"));
    std::filesystem::create_directory(Src("link"));
    WriteFile(Src("link/inside"), "inside\n");
    Backup();
  }

  std::string Src(const std::string& rel = "") const {
    return rel.empty() ? dir_.Join("src") : dir_.Join("src/" + rel);
  }

  void Backup() {
    BackupRequest request;
    request.sources = {Src()};
    auto made = repo_->Backup(request);
    ASSERT_TRUE(made.ok()) << made.status().message();
    auto list = repo_->ListSnapshots();
    ASSERT_TRUE(list.ok());
    snapshots_.push_back(list->back().id);
  }

  TempDir dir_;
  std::unique_ptr<Repository> repo_;
  std::vector<std::string> snapshots_;
  std::map<std::string, int64_t> dir_mtimes_;  // directories' mtimes at the first backup
};

TEST_F(HistoryTest, DiffReportsTheEdits) {
  std::map<std::string, Change> got;
  auto summary = repo_->Diff(snapshots_[0], snapshots_[1], "", [&](const Change& c) { got[c.path] = c; });
  ASSERT_TRUE(summary.ok()) << summary.status().message();

  const std::map<std::string, ChangeKind> edits = {
      {"docs/a.bin", ChangeKind::kModified},        {"readme.txt", ChangeKind::kMetadata},
      {"docs/deep/er/c.bin", ChangeKind::kDeleted}, {"new.txt", ChangeKind::kCreated},
      {"link", ChangeKind::kTypeChanged},           {"link/inside", ChangeKind::kCreated}};
  for (const auto& [path, kind] : edits) {
    ASSERT_EQ(got.count(path), 1U) << path;
    EXPECT_EQ(got[path].kind, kind) << path;
  }
  EXPECT_EQ(got["readme.txt"].metadata, metadata_change::kMode);
  EXPECT_EQ(got["readme.txt"].after->mode, 0600U);
  EXPECT_FALSE(got["new.txt"].before.has_value());
  EXPECT_FALSE(got["docs/deep/er/c.bin"].after.has_value());
  EXPECT_EQ(got["link"].before->type, FileType::kSymlink);
  EXPECT_EQ(got["link"].after->type, FileType::kDirectory);
  EXPECT_EQ(got["docs/a.bin"].after->size, std::filesystem::file_size(Src("docs/a.bin")));

  // Everything else reported is a directory whose mtime the edits changed, and nothing but that.
  uint64_t dirs = 0;
  for (const auto& [path, c] : got) {
    if (edits.count(path) != 0) continue;
    ASSERT_EQ(dir_mtimes_.count(path), 1U) << "unexpected change: " << path;
    EXPECT_EQ(c.kind, ChangeKind::kMetadata) << path;
    EXPECT_EQ(c.metadata, metadata_change::kMtime) << path;
    EXPECT_NE(dir_mtimes_[path], MtimeNs(Src(path))) << path;
    dirs++;
  }
  for (const auto& [path, mtime] : dir_mtimes_) {
    if (!path.empty() && mtime != MtimeNs(Src(path))) {
      EXPECT_EQ(got.count(path), 1U) << path;
    }
  }
  EXPECT_EQ(summary->created, 2U);
  EXPECT_EQ(summary->deleted, 1U);
  EXPECT_EQ(summary->modified, 1U);
  EXPECT_EQ(summary->type_changed, 1U);
  EXPECT_EQ(summary->metadata, 1 + dirs);

  // A subtree, and a path in neither snapshot.
  std::vector<std::string> docs;
  ASSERT_TRUE(
      repo_->Diff(snapshots_[0], snapshots_[1], "/docs/", [&](const Change& c) { docs.push_back(c.path); })
          .ok());
  for (const std::string& p : docs) EXPECT_EQ(p.rfind("docs", 0), 0U) << p;
  EXPECT_NE(std::find(docs.begin(), docs.end(), "docs/a.bin"), docs.end());
  auto missing = repo_->Diff(snapshots_[0], snapshots_[1], "no/such", [](const Change&) {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("no/such"), std::string::npos);
}

TEST_F(HistoryTest, LogFollowsOnePath) {
  auto log = repo_->Log("docs/a.bin");
  ASSERT_TRUE(log.ok()) << log.status().message();
  ASSERT_EQ(log->size(), 2U);
  EXPECT_EQ((*log)[0].kind, ChangeKind::kCreated);
  EXPECT_EQ((*log)[0].snapshot.id, snapshots_[0]);
  EXPECT_EQ((*log)[0].storage, Storage::kFull);
  EXPECT_EQ((*log)[0].entry.size, 300000U);
  EXPECT_EQ((*log)[1].kind, ChangeKind::kModified);
  EXPECT_EQ((*log)[1].snapshot.id, snapshots_[1]);
  EXPECT_EQ((*log)[1].storage, Storage::kDelta);  // an append to a 300 kB file
  EXPECT_EQ((*log)[1].chain_depth, 1U);
  EXPECT_EQ((*log)[1].entry.size, std::filesystem::file_size(Src("docs/a.bin")));

  auto gone = repo_->Log("docs/deep/er/c.bin");
  ASSERT_TRUE(gone.ok());
  ASSERT_EQ(gone->size(), 2U);
  EXPECT_EQ((*gone)[1].kind, ChangeKind::kDeleted);
  EXPECT_EQ((*gone)[1].entry.size, 5U);  // as last seen

  auto missing = repo_->Log("never/there");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST_F(HistoryTest, ExportTarExtractsToTheTree) {
  std::string archive;
  auto summary = repo_->ExportTar("latest", "", [&](std::string_view bytes) {
    archive.append(bytes);
    return Status::Ok();
  });
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(archive.size() % 512, 0U);
  EXPECT_EQ(summary->bytes, TotalBytes(Src()));
  WriteFile(dir_.Join("a.tar"), archive);
  std::filesystem::create_directory(dir_.Join("out"));
  const std::string untar = "tar -xf '" + dir_.Join("a.tar") + "' -C '" + dir_.Join("out") + "'";
  ASSERT_EQ(std::system(untar.c_str()), 0);  // NOLINT(concurrency-mt-unsafe,cert-env33-c): the oracle
  ExpectSameTree(Src(), dir_.Join("out"));

  // The writer's error stops the export and comes back; so does cancelling.
  size_t written = 0;
  auto failed = repo_->ExportTar("latest", "", [&](std::string_view bytes) {
    written += bytes.size();
    return written > 4096 ? Status::FromErrno("archive", ENOSPC) : Status::Ok();
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Status::Code::kNoSpace);
  EXPECT_GT(written, 4096U);
  CancelToken cancel;
  cancel.Cancel();
  auto cancelled = repo_->ExportTar(
      "latest", "", [](std::string_view) { return Status::Ok(); }, &cancel);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.status().code(), Status::Code::kCancelled);
}

}  // namespace
}  // namespace strata::test
