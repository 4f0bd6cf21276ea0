// Spooling a sync stream that arrives through a pipe (`strata receive --from-file -`). A receiver verifies
// the whole stream before it writes anything, then reads it again, and a pipe can be read only once: its
// bytes go first into an anonymous file in the receiving store's tmp/ directory (the file system the packs
// are written to, so a stream that fits there in passing fits), which vanishes with the process however it
// ends. strata-store(5), "SYNC STREAMS".
#pragma once

#include <memory>
#include <string>

#include "store/env.h"

namespace strata {

// Copies `in` to its end into an anonymous file in `dir`; returns that file, named as `in` is.
Result<std::unique_ptr<RandomAccessFile>> SpoolToAnonymousFile(Env* env, SequentialFile* in,
                                                               const std::string& dir);

}  // namespace strata
