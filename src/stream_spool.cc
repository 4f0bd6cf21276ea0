#include "src/stream_spool.h"

namespace strata {
namespace {

constexpr size_t kChunk = 1 << 20;

}  // namespace

Result<std::unique_ptr<RandomAccessFile>> SpoolToAnonymousFile(Env* env, SequentialFile* in,
                                                               const std::string& dir) {
  const std::string what = "keeping " + in->path() + " until it is verified";
  auto file = env->NewAnonymousFile(dir);
  if (!file.ok()) return file.status().WithContext(what);
  std::string chunk;
  for (;;) {
    Status s = in->Read(kChunk, &chunk);
    if (s.ok() && chunk.empty()) break;
    if (s.ok()) s = (*file)->Append(chunk);
    if (!s.ok()) return s.WithContext(what);
  }
  auto spooled = (*file)->OpenForReading(in->path());
  if (!spooled.ok()) return spooled.status().WithContext(what);
  (void)(*file)->Close();  // the reader keeps the file
  return spooled;
}

}  // namespace strata
