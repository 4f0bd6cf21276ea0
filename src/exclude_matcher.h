// Exclude patterns for `strata backup --exclude PAT` and `--exclude-from FILE`.
//
// The syntax and meaning are exactly those of .gitignore, so users can reuse what they know (and their
// .gitignore files), and git itself can serve as the test oracle. Paths and patterns are byte strings;
// nothing assumes UTF-8.
//
// Where strata deliberately differs from git:
//  - git silently keeps patterns that can never match: an unterminated '[' (it is not a literal '['), an
//    unknown "[:class:]", a trailing unescaped '\', or nothing left after '!', a leading '/' and a trailing
//    '/'. A backup that quietly includes what the user meant to exclude is worse than one that refuses to
//    start, so these are InvalidArgument. So is a NUL byte, which git would silently cut the line at.
//  - Add() takes a pattern as typed for --exclude, where a blank pattern or one starting with '#' is a
//    mistake rather than a comment, so both are InvalidArgument; AddFromFile() skips them as git does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

namespace strata {

namespace exclude_internal {
struct Pattern;
}  // namespace exclude_internal

class ExcludeMatcher {
 public:
  ExcludeMatcher();
  ~ExcludeMatcher();
  ExcludeMatcher(ExcludeMatcher&&) noexcept;
  ExcludeMatcher& operator=(ExcludeMatcher&&) noexcept;

  // Adds one pattern; it takes precedence over all earlier ones. Trailing spaces are trimmed unless
  // escaped with '\'. Errors are InvalidArgument and quote the pattern.
  Status Add(std::string_view pattern);

  // Adds the patterns of a file in gitignore format: one per line, '#' comments, blank lines, CRLF line
  // ends and a UTF-8 BOM are allowed. All or nothing: on error no pattern of the file is added, and a bad
  // pattern is reported as "FILE:LINE: ...".
  Status AddFromFile(const std::string& path);
  // The same for the content of such a file; `name` stands for the file in errors.
  Status AddFromContent(std::string_view content, const std::string& name);

  // Whether `rel_path` is excluded. It is relative to the source root, without leading or trailing '/'
  // and with components separated by single '/'; the root itself ("") is never excluded. `is_dir` must
  // come from lstat(): as in git, a symlink to a directory is not a directory. As in git, nothing below
  // an excluded directory can be re-included, so the caller must not descend into one; the verdict for
  // paths below it is meaningless.
  bool Excluded(std::string_view rel_path, bool is_dir) const;

  bool empty() const;

 private:
  std::vector<exclude_internal::Pattern> patterns_;
};

}  // namespace strata
