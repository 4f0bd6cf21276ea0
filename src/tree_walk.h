// TreeWalk: the path of trees a recursive walk (ls -r, restore) is inside, so that a crafted store cannot
// make it recurse without end: a tree that contains itself (object ids are not verified on read) or
// directories nested deeper than format::kMaxTreeDepth are refused, naming the tree, instead of
// overflowing the stack.
#pragma once

#include <vector>

#include "store/object_id.h"
#include "store/status.h"

namespace strata {

class TreeWalk {
 public:
  // Enters `tree`, one level below the current one; Corruption if it is already on the path or the path
  // is kMaxTreeDepth trees long. Each successful Enter is matched by one Leave.
  Status Enter(const ObjectId& tree);
  void Leave() { path_.pop_back(); }

 private:
  std::vector<ObjectId> path_;
};

}  // namespace strata
