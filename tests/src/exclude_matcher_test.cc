#include "src/exclude_matcher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/testutil.h"

namespace strata {
namespace {

using test::TempDir;
using test::WriteFile;

ExcludeMatcher Make(std::initializer_list<std::string_view> patterns) {
  ExcludeMatcher m;
  for (std::string_view p : patterns) {
    Status s = m.Add(p);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  return m;
}

// Paths with arbitrary bytes, readable in failure messages.
std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

TEST(ExcludeMatcherTest, EmptyMatcherExcludesNothing) {
  ExcludeMatcher m;
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.Excluded("a", false));
  EXPECT_FALSE(m.Excluded("a/b", true));
}

TEST(ExcludeMatcherTest, RootIsNeverExcluded) {
  ExcludeMatcher m = Make({"*", "/**", "**"});
  EXPECT_FALSE(m.empty());
  EXPECT_FALSE(m.Excluded("", true));
  EXPECT_TRUE(m.Excluded("a", true));
}

TEST(ExcludeMatcherTest, PatternWithoutSlashMatchesNameAtAnyDepth) {
  ExcludeMatcher m = Make({"foo", "*.o"});
  EXPECT_TRUE(m.Excluded("foo", false));
  EXPECT_TRUE(m.Excluded("foo", true));
  EXPECT_TRUE(m.Excluded("a/foo", false));
  EXPECT_TRUE(m.Excluded("a/b/foo", true));
  EXPECT_TRUE(m.Excluded("x.o", false));
  EXPECT_TRUE(m.Excluded("a/b/.o", false));
  EXPECT_FALSE(m.Excluded("foobar", false));
  EXPECT_FALSE(m.Excluded("afoo", false));
  EXPECT_FALSE(m.Excluded("foo/bar", false));
  EXPECT_FALSE(m.Excluded("x.o/y", false));
  EXPECT_FALSE(m.Excluded("x.oo", false));
}

TEST(ExcludeMatcherTest, SlashAtStartOrMiddleAnchorsToRoot) {
  ExcludeMatcher m = Make({"/top", "a/b", "doc/*.txt"});
  EXPECT_TRUE(m.Excluded("top", false));
  EXPECT_FALSE(m.Excluded("x/top", false));
  EXPECT_TRUE(m.Excluded("a/b", true));
  EXPECT_FALSE(m.Excluded("x/a/b", true));
  EXPECT_FALSE(m.Excluded("a/b/c", false));
  EXPECT_TRUE(m.Excluded("doc/x.txt", false));
  EXPECT_FALSE(m.Excluded("doc/sub/x.txt", false));
  EXPECT_FALSE(m.Excluded("src/doc/x.txt", false));
}

TEST(ExcludeMatcherTest, TrailingSlashMatchesOnlyDirectories) {
  ExcludeMatcher m = Make({"build/", "/out/", "a/tmp/"});
  EXPECT_TRUE(m.Excluded("build", true));
  EXPECT_TRUE(m.Excluded("x/y/build", true));
  EXPECT_FALSE(m.Excluded("build", false));
  EXPECT_FALSE(m.Excluded("x/build", false));
  EXPECT_TRUE(m.Excluded("out", true));
  EXPECT_FALSE(m.Excluded("x/out", true));
  EXPECT_FALSE(m.Excluded("out", false));
  EXPECT_TRUE(m.Excluded("a/tmp", true));
  EXPECT_FALSE(m.Excluded("a/tmp", false));
}

TEST(ExcludeMatcherTest, StarAndQuestionMarkDoNotCrossSlash) {
  ExcludeMatcher m = Make({"a/*", "x/?", "p*q/r"});
  EXPECT_TRUE(m.Excluded("a/b", false));
  EXPECT_TRUE(m.Excluded("a/.hidden", false));
  EXPECT_FALSE(m.Excluded("a/b/c", false));
  EXPECT_FALSE(m.Excluded("a", true));
  EXPECT_TRUE(m.Excluded("x/y", false));
  EXPECT_FALSE(m.Excluded("x/yy", false));
  EXPECT_TRUE(m.Excluded("pq/r", false));
  EXPECT_TRUE(m.Excluded("pzzq/r", false));
  EXPECT_FALSE(m.Excluded("p/q/r", false));

  ExcludeMatcher n = Make({"a?b", "*x*y*"});
  EXPECT_TRUE(n.Excluded("d/acb", false));
  EXPECT_FALSE(n.Excluded("ab", false));
  EXPECT_TRUE(n.Excluded("xy", false));
  EXPECT_TRUE(n.Excluded("d/0x1y2", false));
  EXPECT_FALSE(n.Excluded("yx", false));
}

TEST(ExcludeMatcherTest, CharacterClasses) {
  ExcludeMatcher m = Make({"[abc].1", "[a-c]x.2", "[!a]x.3", "[^a]x.4", "[]]x.5", "[a-]x.6", "[\\]a].7",
                           "[[:digit:]][[:upper:]].8", "[[:x].9", "[!]-a].10"});
  EXPECT_TRUE(m.Excluded("b.1", false));
  EXPECT_FALSE(m.Excluded("d.1", false));
  EXPECT_TRUE(m.Excluded("cx.2", false));
  EXPECT_FALSE(m.Excluded("dx.2", false));
  EXPECT_TRUE(m.Excluded("bx.3", false));
  EXPECT_FALSE(m.Excluded("ax.3", false));
  EXPECT_TRUE(m.Excluded("bx.4", false));
  EXPECT_FALSE(m.Excluded("ax.4", false));
  EXPECT_TRUE(m.Excluded("]x.5", false));
  EXPECT_TRUE(m.Excluded("-x.6", false));
  EXPECT_TRUE(m.Excluded("ax.6", false));
  EXPECT_FALSE(m.Excluded("bx.6", false));
  EXPECT_TRUE(m.Excluded("].7", false));
  EXPECT_TRUE(m.Excluded("a.7", false));
  EXPECT_FALSE(m.Excluded("\\.7", false));
  EXPECT_TRUE(m.Excluded("7Q.8", false));
  EXPECT_FALSE(m.Excluded("7q.8", false));
  // "[:" without ":]" is a plain '[': the class is {'[', ':', 'x'}.
  EXPECT_TRUE(m.Excluded("[.9", false));
  EXPECT_TRUE(m.Excluded(":.9", false));
  EXPECT_TRUE(m.Excluded("x.9", false));
  EXPECT_FALSE(m.Excluded("[:x].9", false));
  // A range from ']' to 'a', negated.
  EXPECT_FALSE(m.Excluded("^.10", false));
  EXPECT_TRUE(m.Excluded("b.10", false));
}

TEST(ExcludeMatcherTest, ClassesNeverMatchSlash) {
  ExcludeMatcher m = Make({"a[/]b", "x[!a]y", "p[^q]r"});
  EXPECT_FALSE(m.Excluded("a/b", false));
  EXPECT_FALSE(m.Excluded("x/y", false));
  EXPECT_TRUE(m.Excluded("xby", false));
  EXPECT_FALSE(m.Excluded("p/r", false));
}

TEST(ExcludeMatcherTest, LeadingDoubleStarMatchesAtAnyDepth) {
  ExcludeMatcher m = Make({"**/foo", "**/a/b"});
  EXPECT_TRUE(m.Excluded("foo", false));
  EXPECT_TRUE(m.Excluded("x/foo", false));
  EXPECT_TRUE(m.Excluded("x/y/foo", true));
  EXPECT_FALSE(m.Excluded("xfoo", false));
  EXPECT_TRUE(m.Excluded("a/b", false));
  EXPECT_TRUE(m.Excluded("x/y/a/b", false));
  EXPECT_FALSE(m.Excluded("a/x/b", false));
}

TEST(ExcludeMatcherTest, TrailingDoubleStarMatchesEverythingInside) {
  ExcludeMatcher m = Make({"a/**"});
  EXPECT_FALSE(m.Excluded("a", true));
  EXPECT_TRUE(m.Excluded("a/x", false));
  EXPECT_TRUE(m.Excluded("a/x/y/z", true));
  EXPECT_FALSE(m.Excluded("b/a/x", false));
  EXPECT_FALSE(m.Excluded("ab/x", false));
}

TEST(ExcludeMatcherTest, MiddleDoubleStarMatchesZeroOrMoreDirectories) {
  ExcludeMatcher m = Make({"a/**/b", "x/**/**/y/**/z"});
  EXPECT_TRUE(m.Excluded("a/b", false));
  EXPECT_TRUE(m.Excluded("a/x/b", false));
  EXPECT_TRUE(m.Excluded("a/x/y/b", true));
  EXPECT_FALSE(m.Excluded("a/xb", false));
  EXPECT_FALSE(m.Excluded("ab", false));
  EXPECT_FALSE(m.Excluded("c/a/b", false));
  EXPECT_FALSE(m.Excluded("a/b/c", false));
  EXPECT_TRUE(m.Excluded("x/y/z", false));
  EXPECT_TRUE(m.Excluded("x/1/2/y/3/z", false));
  EXPECT_FALSE(m.Excluded("x/y/z/w", false));
}

TEST(ExcludeMatcherTest, DoubleStarInsideAComponentIsASingleStar) {
  ExcludeMatcher m = Make({"a**b", "d/**e", "f**/g"});
  EXPECT_TRUE(m.Excluded("ab", false));
  EXPECT_TRUE(m.Excluded("x/aqqb", false));
  EXPECT_TRUE(m.Excluded("d/e", false));
  EXPECT_TRUE(m.Excluded("d/xxe", false));
  EXPECT_FALSE(m.Excluded("d/x/e", false));
  EXPECT_TRUE(m.Excluded("fzz/g", false));
  EXPECT_FALSE(m.Excluded("f/z/g", false));
}

TEST(ExcludeMatcherTest, DoubleStarBeforeEscapedSlashNeedsOneDirectoryLikeGit) {
  ExcludeMatcher m = Make({"a/**\\/b"});
  EXPECT_FALSE(m.Excluded("a/b", false));
  EXPECT_TRUE(m.Excluded("a/x/b", false));
  EXPECT_TRUE(m.Excluded("a/x/y/b", false));
}

TEST(ExcludeMatcherTest, LastMatchingPatternWins) {
  ExcludeMatcher m = Make({"*.log", "!keep.log"});
  EXPECT_TRUE(m.Excluded("a.log", false));
  EXPECT_FALSE(m.Excluded("keep.log", false));
  EXPECT_FALSE(m.Excluded("d/keep.log", false));

  ExcludeMatcher n = Make({"!keep.log", "*.log"});
  EXPECT_TRUE(n.Excluded("keep.log", false));

  ExcludeMatcher o = Make({"*.log", "!keep.log", "/keep.log"});
  EXPECT_TRUE(o.Excluded("keep.log", false));
  EXPECT_FALSE(o.Excluded("d/keep.log", false));
}

TEST(ExcludeMatcherTest, NegationReincludesInsideANonExcludedDirectory) {
  ExcludeMatcher m = Make({"a/**", "!a/keep", "cache/", "!cache/"});
  EXPECT_FALSE(m.Excluded("a", true));
  EXPECT_TRUE(m.Excluded("a/x", false));
  EXPECT_FALSE(m.Excluded("a/keep", false));
  EXPECT_FALSE(m.Excluded("cache", true));
}

TEST(ExcludeMatcherTest, BackslashEscapes) {
  ExcludeMatcher m = Make({"\\#hash", "\\!bang", "\\*", "q\\?", "\\[x]", "\\a\\b"});
  EXPECT_TRUE(m.Excluded("#hash", false));
  EXPECT_TRUE(m.Excluded("!bang", false));
  EXPECT_TRUE(m.Excluded("*", false));
  EXPECT_FALSE(m.Excluded("star", false));
  EXPECT_TRUE(m.Excluded("q?", false));
  EXPECT_FALSE(m.Excluded("qq", false));
  EXPECT_TRUE(m.Excluded("[x]", false));
  EXPECT_FALSE(m.Excluded("x", false));
  EXPECT_TRUE(m.Excluded("ab", false));
}

TEST(ExcludeMatcherTest, TrailingSpacesAreTrimmedUnlessEscaped) {
  ExcludeMatcher m = Make({"one  ", "two\\ ", "three\\  ", "four\t", "fi ve"});
  EXPECT_TRUE(m.Excluded("one", false));
  EXPECT_FALSE(m.Excluded("one  ", false));
  EXPECT_TRUE(m.Excluded("two ", false));
  EXPECT_FALSE(m.Excluded("two", false));
  EXPECT_TRUE(m.Excluded("three ", false));
  EXPECT_TRUE(m.Excluded("four\t", false));
  EXPECT_FALSE(m.Excluded("four", false));
  EXPECT_TRUE(m.Excluded("fi ve", false));
}

TEST(ExcludeMatcherTest, NamesAreBytes) {
  ExcludeMatcher m = Make({"caf\xe9", "new\nline", "[\x80-\xff]*", "d/?"});
  EXPECT_TRUE(m.Excluded("x/caf\xe9", false));
  EXPECT_FALSE(m.Excluded("caf\xc3\xa9", false));
  EXPECT_TRUE(m.Excluded("new\nline", false));
  EXPECT_TRUE(m.Excluded("\xfe\xff", false));
  EXPECT_FALSE(m.Excluded("a\xfe", false));
  EXPECT_TRUE(m.Excluded("d/\xff", false));
  EXPECT_TRUE(m.Excluded("d/\n", false));

  ExcludeMatcher star = Make({"*"});
  EXPECT_TRUE(star.Excluded("\n\r\t\x01\xff", false));
}

TEST(ExcludeMatcherTest, MalformedPatternsAreInvalidArgument) {
  const std::string kPatterns[] = {"foo[",  "[!",        "[]",         "[a-",      "[\\", "foo\\",
                                   "a/b\\", "[[:foo:]]", "[[:alpha:]", "[[:alpha", "!",   "/",
                                   "!/",    "//",        "!//",        {"a\0b", 3}};
  for (const std::string& p : kPatterns) {
    ExcludeMatcher m;
    Status s = m.Add(p);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << Printable(p);
    EXPECT_NE(s.message().find("exclude pattern"), std::string::npos) << s.message();
    EXPECT_TRUE(m.empty()) << Printable(p);
  }
  ExcludeMatcher m;
  Status s = m.Add("src/foo[");
  EXPECT_EQ(s.message(), "exclude pattern \"src/foo[\": unterminated '['");
  s = m.Add("[[:foo:]]");
  EXPECT_EQ(s.message(), "exclude pattern \"[[:foo:]]\": unknown character class \"[:foo:]\"");
  s = m.Add("a\nb\\");
  EXPECT_EQ(s.message(), "exclude pattern \"a\\x0ab\\\": ends with an unescaped '\\'");
}

TEST(ExcludeMatcherTest, AddRejectsBlankAndCommentPatterns) {
  ExcludeMatcher m;
  EXPECT_EQ(m.Add("").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(m.Add("   ").code(), Status::Code::kInvalidArgument);
  Status s = m.Add("#*#");
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("\\#*#"), std::string::npos) << s.message();
  EXPECT_TRUE(m.empty());
  ASSERT_TRUE(m.Add("\\#*#").ok());
  EXPECT_TRUE(m.Excluded("#autosave#", false));
  ASSERT_TRUE(m.Add(" #x").ok());
  EXPECT_TRUE(m.Excluded(" #x", false));
}

TEST(ExcludeMatcherTest, AddFromFileReadsGitignoreFormat) {
  TempDir dir;
  std::string path = dir.Join("excludes");
  WriteFile(path,
            "\xef\xbb\xbf"
            "# a comment\n"
            "\n"
            "*.tmp\r\n"
            "   \n"
            "\r\n"
            " #not-a-comment\n"
            "\\#hash\n"
            "trailing   \n"
            "cache/\n"
            "!keep.tmp\n"
            "last-line-without-newline");
  ExcludeMatcher m;
  Status s = m.AddFromFile(path);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(m.Excluded("a.tmp", false));
  EXPECT_FALSE(m.Excluded("keep.tmp", false));
  EXPECT_FALSE(m.Excluded("# a comment", false));
  EXPECT_TRUE(m.Excluded(" #not-a-comment", false));
  EXPECT_TRUE(m.Excluded("#hash", false));
  EXPECT_TRUE(m.Excluded("trailing", false));
  EXPECT_TRUE(m.Excluded("x/cache", true));
  EXPECT_FALSE(m.Excluded("x/cache", false));
  EXPECT_TRUE(m.Excluded("last-line-without-newline", false));
  EXPECT_FALSE(m.Excluded("\xef\xbb\xbf# a comment", false));
}

TEST(ExcludeMatcherTest, AddFromFileOfOnlyCommentsAddsNothing) {
  TempDir dir;
  std::string path = dir.Join("excludes");
  WriteFile(path, "# nothing\n\n   \n");
  ExcludeMatcher m;
  ASSERT_TRUE(m.AddFromFile(path).ok());
  EXPECT_TRUE(m.empty());
}

TEST(ExcludeMatcherTest, AddFromFileNamesFileAndLineAndAddsNothingOnError) {
  TempDir dir;
  std::string path = dir.Join("excludes");
  WriteFile(path, "ok1\n# comment\nbad[\nok2\n");
  ExcludeMatcher m;
  ASSERT_TRUE(m.Add("first").ok());
  Status s = m.AddFromFile(path);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), path + ":3: exclude pattern \"bad[\": unterminated '['");
  EXPECT_FALSE(m.Excluded("ok1", false));
  EXPECT_TRUE(m.Excluded("first", false));
}

TEST(ExcludeMatcherTest, AddFromContentReadsTheFileFormatAndNamesTheGivenName) {
  ExcludeMatcher m;
  ASSERT_TRUE(m.AddFromContent("\xef\xbb\xbf# comment\r\n*.tmp\r\n\n!keep.tmp\n", "inline").ok());
  EXPECT_TRUE(m.Excluded("a.tmp", false));
  EXPECT_FALSE(m.Excluded("keep.tmp", false));
  EXPECT_FALSE(m.Excluded("# comment", false));
  Status s = m.AddFromContent("ok\n[z\n", "inline");
  EXPECT_EQ(s.message(), "inline:2: exclude pattern \"[z\": unterminated '['");
  EXPECT_FALSE(m.Excluded("ok", false));
}

TEST(ExcludeMatcherTest, AddFromFileReportsMissingFile) {
  TempDir dir;
  std::string path = dir.Join("missing");
  ExcludeMatcher m;
  Status s = m.AddFromFile(path);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_EQ(m.AddFromFile(dir.path()).code(), Status::Code::kIOError);
}

TEST(ExcludeMatcherTest, FilePatternsAndAddedPatternsShareOneOrder) {
  TempDir dir;
  std::string path = dir.Join("excludes");
  WriteFile(path, "!a.log\n");
  ExcludeMatcher m;
  ASSERT_TRUE(m.Add("*.log").ok());
  ASSERT_TRUE(m.AddFromFile(path).ok());
  EXPECT_FALSE(m.Excluded("a.log", false));
  ASSERT_TRUE(m.Add("a.*").ok());
  EXPECT_TRUE(m.Excluded("a.log", false));
}

TEST(ExcludeMatcherTest, IsMovable) {
  ExcludeMatcher m = Make({"x"});
  ExcludeMatcher n = std::move(m);
  EXPECT_TRUE(n.Excluded("x", false));
  m = std::move(n);
  EXPECT_TRUE(m.Excluded("x", false));
}

// Patterns that make a naive backtracking matcher exponential finish at once.
TEST(ExcludeMatcherTest, PathologicalPatternsStayFast) {
  ExcludeMatcher m = Make({"*a*a*a*a*a*a*a*a*a*a*a*a*b", "**/a/**/a/**/a/**/a/**/a/**/b"});
  std::string name(4000, 'a');
  EXPECT_FALSE(m.Excluded(name, false));
  std::string deep;
  for (int i = 0; i < 400; ++i) deep += "a/";
  deep += "c";
  EXPECT_FALSE(m.Excluded(deep, false));
  deep.back() = 'b';
  EXPECT_TRUE(m.Excluded(deep, false));
}

// --- git as the oracle -------------------------------------------------------------------------------

// A test tree entry; `is_dir` is what lstat() says, as the backup walker will see it.
struct Entry {
  std::string path;
  bool is_dir;
};

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// What git decides for a walker that never descends into an excluded directory.
bool ExcludedWithParents(const ExcludeMatcher& m, std::string_view path, bool is_dir) {
  for (size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
    if (m.Excluded(path.substr(0, slash), true)) return true;
  }
  return m.Excluded(path, is_dir);
}

// A git repository with a fixed tree; Ignored() asks `git check-ignore` about every entry.
class GitOracle {
 public:
  GitOracle() : repo_(dir_.Join("repo")) {
    // Keep the user's and the system's git configuration (core.excludesFile above all) out of it.
    env_ = "env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE -u GIT_CONFIG_PARAMETERS HOME=" +
           ShellQuote(dir_.path()) + " XDG_CONFIG_HOME=" + ShellQuote(dir_.path()) +
           " GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null ";
    ok_ = std::system((env_ + "git init -q " + ShellQuote(repo_)).c_str()) == 0;
  }

  bool ok() const { return ok_; }
  const std::string& repo() const { return repo_; }
  const std::vector<Entry>& entries() const { return entries_; }

  void AddDir(const std::string& path) {
    ASSERT_EQ(mkdir((repo_ + "/" + path).c_str(), 0755), 0) << Printable(path);
    entries_.push_back({path, true});
  }
  void AddFile(const std::string& path) {
    WriteFile(repo_ + "/" + path, "");
    entries_.push_back({path, false});
  }
  void AddSymlink(const std::string& path, const std::string& target) {
    ASSERT_EQ(symlink(target.c_str(), (repo_ + "/" + path).c_str()), 0) << Printable(path);
    entries_.push_back({path, false});
  }

  // The entries git ignores under `gitignore`, which is also written to repo()/.gitignore.
  std::set<std::string> Ignored(const std::string& gitignore) {
    WriteFile(repo_ + "/.gitignore", gitignore);
    std::string in;
    for (const Entry& e : entries_) in += e.path + '\0';
    WriteFile(dir_.Join("in"), in);
    // Names starting with ':' would be pathspec magic; the tree has none.
    std::string cmd = env_ + "git -C " + ShellQuote(repo_) + " check-ignore --no-index --stdin -z < " +
                      ShellQuote(dir_.Join("in")) + " > " + ShellQuote(dir_.Join("out"));
    int rc = std::system(cmd.c_str());
    // Exit status 1 only means that nothing is ignored.
    EXPECT_TRUE(WIFEXITED(rc) && (WEXITSTATUS(rc) == 0 || WEXITSTATUS(rc) == 1)) << cmd;
    std::set<std::string> ignored;
    std::string out = test::ReadFile(dir_.Join("out"));
    for (size_t start = 0, end; (end = out.find('\0', start)) != std::string::npos; start = end + 1) {
      ignored.insert(out.substr(start, end - start));
    }
    return ignored;
  }

  // Asserts that the matcher, fed `gitignore` as an exclude file, agrees with git on every entry.
  void ExpectAgreement(const std::string& gitignore) {
    std::set<std::string> ignored = Ignored(gitignore);
    ExcludeMatcher m;
    Status s = m.AddFromFile(repo_ + "/.gitignore");
    ASSERT_TRUE(s.ok()) << s.message();
    for (const Entry& e : entries_) {
      EXPECT_EQ(ExcludedWithParents(m, e.path, e.is_dir), ignored.count(e.path) == 1)
          << "path \"" << Printable(e.path) << "\" (" << (e.is_dir ? "dir" : "file") << ") with patterns:\n"
          << Printable(gitignore);
    }
  }

 private:
  TempDir dir_;
  std::string repo_;
  std::string env_;
  bool ok_ = false;
  std::vector<Entry> entries_;
};

bool GitAvailable() { return std::system("git --version >/dev/null 2>&1") == 0; }

// Directories a, b, foo nested three deep, each holding the same few files, and ".gitignore".
void BuildRegularTree(GitOracle* git, const std::string& dir, int depth) {
  for (const char* file : {"a.c", "b.o", "x.log", "keep.log", "ab", "foo.c"}) {
    git->AddFile(dir + file);
  }
  if (depth == 3) return;
  for (const char* sub : {"a", "b", "foo"}) {
    git->AddDir(dir + sub);
    BuildRegularTree(git, dir + sub + "/", depth + 1);
  }
}

TEST(ExcludeMatcherGitTest, AgreesWithGitOnHandWrittenPatterns) {
  if (!GitAvailable()) GTEST_SKIP() << "git is not on PATH";
  GitOracle git;
  ASSERT_TRUE(git.ok());
  BuildRegularTree(&git, "", 0);
  for (const char* name :
       {"#hash",    "!bang",       "sp ace",    "trail ", "trail", "*",    "?",    "[x]",
        "x",        "back\\slash", "new\nline", "cr\r",   "tab\t", "v\vt", "f\ft", "caf\xe9",
        "\xff\xfe", "7Q",          "]",         "-",      "^",     "!",    "[:x]", "x:"}) {
    git.AddFile(name);
  }
  git.AddDir("build");
  git.AddFile("build/out.o");
  git.AddDir("build/keep");
  git.AddFile("build/keep/me");
  git.AddDir("a/b/build");
  git.AddFile("a/b/build/x");
  git.AddDir("d\xe9j\xe0");
  git.AddFile("d\xe9j\xe0/vu");
  git.AddSymlink("link_to_a", "a");

  const char* const kScenarios[] = {
      "foo\n",
      "foo/\n",
      "/foo\n",
      "a/b\n",
      "a/b/\n",
      "/a/b/foo\n",
      "*.o\n*.log\n!keep.log\n",
      "*.log\n!keep.log\n*\n",
      "a/*\n",
      "a/*/\n",
      "*/foo\n",
      "**/foo\n",
      "**/a/b\n",
      "a/**\n",
      "a/**/\n",
      "a/**/foo.c\n",
      "a/**\\/foo.c\n",
      "**\\/foo.c\n",
      "/**\n!*.c\n",
      "**\n!*/\n",
      "a**\n",
      "a/**b\n",
      "*/*/*.c\n",
      "foo/**/**/a.c\n",
      "build/\n!build/keep/\n",
      "build/**\n!build/keep/\n",
      "/build/*\n!/build/keep\n",
      "build\n!build/keep/me\n",
      "a/\n!a/b\n",
      "link_to_a/\n",
      "link_to_a\n",
      "\\#hash\n\\!bang\n",
      "#hash\n!bang\n",
      "trail\\ \n",
      "trail   \n",
      "sp ace\n",
      "\\*\n\\?\n\\[x]\n",
      "back\\\\slash\n",
      "[abc]b\n",
      "[a-f]*.[co]\n",
      "[!a]*\n",
      "[^a]*\n",
      "[]]\n[-]\n[!]-a]\n",
      "[\\^]\n",
      "[[:x]\n",
      "[[:alpha:]]\n",
      "[[:digit:]][[:upper:]]\n",
      "[[:space:]]\n*[[:space:]]\n*[[:space:]]*\n",
      "*[[:cntrl:]]*\n",
      "*[[:punct:]]*\n",
      "[[:xdigit:]]*\n[[:lower:]][[:lower:]]\n",
      "[[:blank:]][[:graph:]][[:print:]]\n",
      "?\n",
      "??\n",
      "new?line\n",
      "*\xe9*\n",
      "[\x80-\xff]*\n",
      "*\n!a\n!a/b\n",
      "a\n!a\n",
      "foo.c\r\nab\r\n",
      "a/b/foo/\n",
      "b/\n!b/a\n",
      "/a/\n!/a/ab\n*.c\n",
  };
  for (const char* scenario : kScenarios) git.ExpectAgreement(scenario);
}

// Random pattern sets over the names in the tree, compared with git.
TEST(ExcludeMatcherGitTest, AgreesWithGitOnRandomPatterns) {
  if (!GitAvailable()) GTEST_SKIP() << "git is not on PATH";
  GitOracle git;
  ASSERT_TRUE(git.ok());
  BuildRegularTree(&git, "", 0);

  const char* const kParts[] = {"a",   "b",    "foo", "ab",   "a.c",   "*.c",  "*.log", "keep.log", "*",
                                "?",   "a*",   "*o",  "[ab]", "[!a]*", "**",   "**",    "f?o",      "[a-c].?",
                                "*.*", "?.?*", "x*",  "*b",   "[^f]*", "**a*", "*.o"};
  std::mt19937 rng(20240531);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  for (int round = 0; round < 150; ++round) {
    std::string gitignore;
    int patterns = 1 + pick(5);
    for (int i = 0; i < patterns; ++i) {
      std::string p;
      if (pick(4) == 0) p += '!';
      if (pick(4) == 0) p += '/';
      int parts = 1 + pick(3);
      for (int j = 0; j < parts; ++j) {
        if (j > 0) p += '/';
        p += kParts[pick(static_cast<int>(std::size(kParts)))];
      }
      if (pick(4) == 0) p += '/';
      gitignore += p + '\n';
    }
    git.ExpectAgreement(gitignore);
    if (HasFailure()) break;
  }
}

// The patterns Add() rejects are the ones git keeps but never matches with: rejecting them loses nothing.
TEST(ExcludeMatcherGitTest, RejectedPatternsMatchNothingInGit) {
  if (!GitAvailable()) GTEST_SKIP() << "git is not on PATH";
  GitOracle git;
  ASSERT_TRUE(git.ok());
  for (const char* name : {"foo[", "foo", "fooa", "foo\\", "[", "[!", "a", "x", "[[:foo:]]", "!", "-", "]"}) {
    git.AddFile(name);
  }
  git.AddDir("d");
  git.AddFile("d/a");
  for (const char* pattern : {"foo[", "foo[a", "*[", "[", "[!", "[]", "[a-", "[\\", "foo\\", "*\\",
                              "[[:foo:]]", "[[:alpha:]", "[[:alpha", "!", "/", "!/", "//", "d/a\\"}) {
    ExcludeMatcher m;
    EXPECT_EQ(m.Add(pattern).code(), Status::Code::kInvalidArgument) << pattern;
    EXPECT_TRUE(git.Ignored(std::string(pattern) + "\n").empty()) << pattern;
  }
}

}  // namespace
}  // namespace strata
