// The name this machine goes by in manifests and store locks.
#pragma once

#include <string>

namespace strata {

// gethostname(2), or "unknown" if it fails.
std::string HostName();

}  // namespace strata
