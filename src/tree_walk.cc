#include "src/tree_walk.h"

#include <algorithm>

#include "store/format.h"

namespace strata {

Status TreeWalk::Enter(const ObjectId& tree) {
  if (path_.size() >= format::kMaxTreeDepth) {
    return Status::Corruption("tree " + tree.Hex() + ": directories nested more than " +
                              std::to_string(format::kMaxTreeDepth) + " deep");
  }
  // Linear, but the path is bounded, and a directory is entered once per walk.
  if (std::find(path_.begin(), path_.end(), tree) != path_.end()) {
    return Status::Corruption("tree " + tree.Hex() + " contains itself");
  }
  path_.push_back(tree);
  return Status::Ok();
}

}  // namespace strata
