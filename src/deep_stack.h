// RunOnDeepStack: runs a recursive walk of store objects on a thread whose stack is sized for the walk's
// bounds rather than for the main thread's default (8 MiB). The walks (check, restore, ls -r) recurse once
// per directory level, and check also once per delta in a chain; each is bounded (format::kMaxTreeDepth,
// 4097 records), but in a Debug build with the sanitizers the tests use, a frame takes about 2 KiB and a
// crafted store would overflow 8 MiB.
#pragma once

#include <cstddef>
#include <functional>

namespace strata {

// Calls `fn` on a new thread with a `stack_bytes` stack (address space: pages are only used as touched)
// and waits for it; if no such thread can be made, calls it here.
void RunOnDeepStack(size_t stack_bytes, const std::function<void()>& fn);

// Room for format::kMaxTreeDepth directory levels plus a 4097-long delta chain below the deepest, at about
// 2 KiB a frame with a margin of eight.
inline constexpr size_t kDeepWalkStack = 256 << 20;

}  // namespace strata
