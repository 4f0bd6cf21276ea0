// MemoryEnv: an Env over a map of in-memory files, so fuzz targets feed their input to the store's real
// file-reading code (pack trailers, frame tables, index files) without touching the disk on every run.
// Only what those readers and ObjectIndex::Write need is implemented; the rest is NotSupported.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "store/env.h"

namespace strata::fuzz {

class MemoryEnv : public Env {
 public:
  void Put(const std::string& path, std::string content);
  // The content of `path`, or nullptr.
  const std::string* Get(const std::string& path) const;

  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<MappedFile>> MapReadOnly(const std::string& path) override;
  Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_size) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> StandardInput() override;
  Result<std::unique_ptr<WritableFile>> StandardOutput() override;
  Result<std::unique_ptr<AnonymousFile>> NewAnonymousFile(const std::string& dir) override;

 private:
  mutable std::mutex mu_;
  // Files are never removed or replaced while a reader holds them (the targets write first, then read),
  // so readers may keep views into these strings.
  std::map<std::string, std::string> files_;  // guarded by mu_
};

}  // namespace strata::fuzz
