// Paths inside a snapshot as diff, log and tar export name them: relative to the snapshot root, with no
// empty or "." components, so that every spelling of one path ("a/b", "/a/b/", "./a//b") reports alike.
#pragma once

#include <string>
#include <string_view>

namespace strata {

// "" for the root ("", ".", "/", "./").
std::string NormalizedPath(std::string_view path);
// A normalized path as messages show it: the root as ".".
std::string ShownPath(const std::string& path);
// `name` inside the directory at `dir` (a normalized path).
std::string ChildPath(const std::string& dir, const std::string& name);

}  // namespace strata
