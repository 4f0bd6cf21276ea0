// Fuzzes exclude patterns. The input is the content of an exclude file, a NUL, then NUL-separated paths
// (a trailing '/' marks a directory). Checks, for every path:
//  - the file's matcher agrees with its patterns taken one at a time (the last match decides);
//  - each pattern made only of literal bytes, '*', '?' and '/' (plus '!' and a trailing '/') matches
//    exactly where fnmatch(3) says it does, the reference for those patterns in gitignore(5).
#include <fnmatch.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/exclude_matcher.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr size_t kMaxLines = 64;
constexpr size_t kMaxPaths = 64;

struct Path {
  std::string path;
  bool is_dir;
};

// One pattern alone: whether it matches, which for a negated pattern shows as not excluding.
class SinglePattern {
 public:
  bool Init(std::string_view line) {
    negated_ = line.starts_with('!');
    // Behind "*", a negated pattern re-includes exactly what it matches.
    return (!negated_ || matcher_.Add("*").ok()) && matcher_.Add(line).ok();
  }
  bool negated() const { return negated_; }
  bool Matches(const Path& p) const { return matcher_.Excluded(p.path, p.is_dir) != negated_; }

 private:
  strata::ExcludeMatcher matcher_;
  bool negated_ = false;
};

// What fnmatch(3) says `line` matches, if it is a pattern fnmatch reads the same way.
bool FnmatchOracle(std::string_view line, const Path& p, bool* matches) {
  std::string_view body = line;
  if (body.starts_with('!')) body.remove_prefix(1);
  for (char c : body) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-' || c == '*' || c == '?' || c == '/';
    if (!plain) return false;
  }
  if (body.find("**") != std::string_view::npos) return false;
  const bool dir_only = body.ends_with('/');
  if (dir_only) body.remove_suffix(1);
  const bool basename = body.find('/') == std::string_view::npos;
  if (!basename && body.starts_with('/')) body.remove_prefix(1);
  if (body.empty()) return false;
  std::string_view text = p.path;
  if (basename) text = text.substr(text.rfind('/') + 1);
  *matches = (!dir_only || p.is_dir) &&
             fnmatch(std::string(body).c_str(), std::string(text).c_str(), basename ? 0 : FNM_PATHNAME) == 0;
  return true;
}

std::vector<Path> ParsePaths(std::string_view rest) {
  std::vector<Path> paths;
  while (!rest.empty() && paths.size() < kMaxPaths) {
    size_t nul = rest.find('\0');
    std::string_view path = rest.substr(0, nul);
    rest.remove_prefix(nul == std::string_view::npos ? rest.size() : nul + 1);
    const bool is_dir = path.ends_with('/');
    if (is_dir) path.remove_suffix(1);
    // Only the paths a backup produces: relative, no empty components.
    if (path.empty() || path.starts_with('/') || path.find("//") != std::string_view::npos) continue;
    paths.push_back({std::string(path), is_dir});
  }
  return paths;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  std::string_view content = input.substr(0, nul);
  const std::vector<Path> paths = ParsePaths(nul == std::string_view::npos ? "" : input.substr(nul + 1));

  strata::ExcludeMatcher matcher;
  strata::Status s = matcher.AddFromContent(content, "fuzz");
  if (!s.ok()) {
    STRATA_FUZZ_CHECK(s.message().starts_with("fuzz:"));
    STRATA_FUZZ_CHECK(matcher.empty());
    return 0;
  }
  STRATA_FUZZ_CHECK(!matcher.Excluded("", true));

  // The file's lines, as gitignore(5) reads them; Add() refuses the blank and comment lines the file
  // form skips.
  if (content.starts_with("\xef\xbb\xbf")) content.remove_prefix(3);
  std::vector<std::string_view> lines;
  std::vector<SinglePattern> singles;
  singles.reserve(kMaxLines);
  while (!content.empty()) {
    size_t newline = content.find('\n');
    std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline == std::string_view::npos ? content.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (lines.size() == kMaxLines) return 0;  // too many to check one by one
    if (!singles.emplace_back().Init(line)) {
      singles.pop_back();
      continue;
    }
    lines.push_back(line);
  }
  STRATA_FUZZ_CHECK(matcher.empty() == singles.empty());

  for (const Path& p : paths) {
    bool expected = false;
    for (size_t i = singles.size(); i-- > 0;) {
      if (singles[i].Matches(p)) {
        expected = !singles[i].negated();
        break;
      }
    }
    STRATA_FUZZ_CHECK(matcher.Excluded(p.path, p.is_dir) == expected);
    for (size_t i = 0; i < singles.size(); i++) {
      bool matches;
      if (FnmatchOracle(lines[i], p, &matches)) STRATA_FUZZ_CHECK(singles[i].Matches(p) == matches);
    }
  }
  return 0;
}
