// Repository::ListTree and WriteFile, against the source tree read back with plain file calls.
#include <cstdio>
#include <map>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

// Every entry under `root`, relative to it, sorted: what ListTree must visit.
std::vector<std::string> AllEntries(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    out.push_back(e.path().lexically_relative(root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class TreeWalkTest : public BackedUpTest {
 protected:
  TreeWalkTest() : BackedUpTest(7) {}
};

TEST_F(TreeWalkTest, ListTreeVisitsEveryEntryOnceWithItsPathAndDirectoriesFirst) {
  std::vector<std::string> visited;
  std::map<std::string, Entry> entries;
  Status s = repo_->ListTree("latest", "", [&](const std::string& path, const Entry& entry) {
    visited.push_back(path);
    entries[path] = entry;
  });
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<std::string> sorted = visited;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, AllEntries(dir_.Join("src")));
  for (size_t i = 0; i < visited.size(); i++) {
    const auto slash = visited[i].rfind('/');
    if (slash == std::string::npos) continue;
    const std::string parent = visited[i].substr(0, slash);
    EXPECT_LT(std::find(visited.begin(), visited.end(), parent) - visited.begin(), static_cast<ptrdiff_t>(i))
        << parent << " after " << visited[i];
  }
  for (const std::string& file : RegularFiles(dir_.Join("src"))) {
    EXPECT_EQ(entries[file].type, FileType::kRegular) << file;
    EXPECT_EQ(entries[file].size, std::filesystem::file_size(dir_.Join("src/" + file))) << file;
  }
  EXPECT_EQ(entries["link"].type, FileType::kSymlink);
  EXPECT_EQ(entries["link"].symlink_target, "docs/a.bin");

  std::vector<std::string> below;
  s = repo_->ListTree("latest", "docs/",
                      [&](const std::string& path, const Entry&) { below.push_back(path); });
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<std::string> want;
  for (const std::string& e : AllEntries(dir_.Join("src/docs"))) want.push_back("docs/" + e);
  std::sort(below.begin(), below.end());
  EXPECT_EQ(below, want);
}

TEST_F(TreeWalkTest, ListTreeOfAFileOrAMissingPathIsAnErrorNamingIt) {
  const auto ignore = [](const std::string&, const Entry&) {};
  Status s = repo_->ListTree("latest", "readme.txt", ignore);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("readme.txt"), std::string::npos) << s.message();
  s = repo_->ListTree("latest", "nope", ignore);
  EXPECT_TRUE(s.IsNotFound()) << s.message();
  EXPECT_NE(s.message().find("nope"), std::string::npos) << s.message();
}

TEST_F(TreeWalkTest, WriteFileWritesTheFileAsBackedUp) {
  for (const std::string& file : RegularFiles(dir_.Join("src"))) {
    const std::string out = dir_.Join("out");
    std::FILE* f = std::fopen(out.c_str(), "w");
    ASSERT_NE(f, nullptr);
    Status s = repo_->WriteFile("latest", file, f);
    ASSERT_EQ(std::fclose(f), 0);
    ASSERT_TRUE(s.ok()) << file << ": " << s.message();
    EXPECT_TRUE(ReadFile(out) == ReadFile(dir_.Join("src/" + file))) << file << " differs";
  }
  Status s = repo_->WriteFile("latest", "docs", stdout);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.message();
}

}  // namespace
}  // namespace strata::test
