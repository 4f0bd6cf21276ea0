// Env: the one seam between the store and the operating system (LevelDB's Env idea). Every byte the
// store reads or writes goes through it, so tests can inject short reads, ENOSPC and crashes between
// steps, and an object-storage backend can be added without touching format code.
//
// All methods are thread-safe. Paths are absolute or relative to the process cwd.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

namespace strata {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly n bytes at offset into `out` (resized to n); a short file is Corruption naming the path.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Drops everything after `size` (used to discard an object whose content turned out to be stored).
  virtual Status Truncate(uint64_t size) = 0;
  virtual uint64_t Size() const = 0;
  // Makes the bytes durable; nothing to do for what is not a regular file (a pipe keeps no bytes).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

// Bytes read in order from something that cannot seek or be read twice (standard input: a pipe).
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into `out` (resized to what was read): empty only at the end of the input.
  virtual Status Read(size_t n, std::string* out) = 0;
  virtual const std::string& path() const = 0;
};

// A file without a name, written then read back: its space is freed when the last reader closes it or the
// process dies, even by SIGKILL, so nothing is left to clean up.
class AnonymousFile : public WritableFile {
 public:
  // A reader of what was appended so far, named `name` in errors; it outlives Close.
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenForReading(const std::string& name) = 0;
};

// A read-only memory map of a whole file: index files are binary-searched in place, so a reader's memory
// does not grow with the number of objects in the store (the pages belong to the page cache).
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view data() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;
  static Env* Default();  // the POSIX implementation; never deleted

  virtual Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) = 0;
  // Creates (truncating) a file for appending.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<MappedFile>> MapReadOnly(const std::string& path) = 0;
  virtual Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_size) = 0;
  // Writes `data` to `path` so that readers see either the old file or the complete new one, and the
  // result survives a crash: temp file in the same directory, fsync, rename, fsync of the directory.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data) = 0;
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status SyncDir(const std::string& path) = 0;
  // Creates the directory if missing; an existing directory is fine.
  virtual Status CreateDir(const std::string& path) = 0;
  // Names in a directory, without "." and "..". A missing directory is NotFound.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // The process's standard input and output, named so in errors; closing them leaves the process's own
  // descriptors open.
  virtual Result<std::unique_ptr<SequentialFile>> StandardInput() = 0;
  virtual Result<std::unique_ptr<WritableFile>> StandardOutput() = 0;
  // An anonymous file in directory `dir`, on its file system; NotSupported where that cannot make one.
  virtual Result<std::unique_ptr<AnonymousFile>> NewAnonymousFile(const std::string& dir) = 0;
};

}  // namespace strata
