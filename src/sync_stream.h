// Sync streams: what `strata sync --to-file` writes and `strata receive` reads, to carry snapshots between
// stores that cannot see each other. A stream holds objects exactly as the source stores them (frames
// sealed, ids keyed) and manifests as sealed files, so it reveals no more than the source store does and
// only a store sharing the source's keys can receive it. The format is in strata-store(5), "SYNC STREAMS":
// a magic, a version, then records (header, objects, manifests, end), each with its length and a check
// keyed like object ids, so a truncated, damaged, reordered or foreign stream is refused before anything
// is written.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace strata {

enum class StreamRecord : uint8_t { kHeader = 1, kObject = 2, kManifest = 3, kEnd = 4 };

struct StreamHeader {
  std::array<uint8_t, 16> uuid{};  // of the store that wrote the stream
  ObjectId key_check;              // Store::KeyCheck of that store
  // Identities (Manifest::Identity) of the snapshots whose objects the stream leaves out: the receiver
  // must hold each of them.
  std::vector<ObjectId> since;

  std::string UuidString() const;
};

class StreamWriter {
 public:
  // Writes the header for `src` into `file` (a new file or standard output), named `name` in errors.
  static Result<std::unique_ptr<StreamWriter>> Create(std::unique_ptr<WritableFile> file, std::string name,
                                                      const Store& src, const std::vector<ObjectId>& since);
  ~StreamWriter();
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  // An object as `src` stores it.
  Status AddObject(Store* src, const IndexEntry& entry);
  // A snapshot: the manifest file's bytes (Store::EncodeManifestFile) under its id.
  Status AddManifest(const ObjectId& id, std::string_view file_bytes);
  // Writes the end record and makes the file durable (if it is a file). A stream without it is refused as
  // truncated.
  Status Finish();
  // Bytes written so far.
  uint64_t size() const;

 private:
  StreamWriter(std::string path, std::unique_ptr<WritableFile> file, std::string key);
  // Appends one record: `head` then `tail_len` more bytes from `tail` (called with a position and a
  // length, it yields them in pieces), under the record's check.
  Status Record(StreamRecord kind, std::string_view head, uint64_t tail_len,
                const std::function<Status(uint64_t at, size_t n, std::string* out)>& tail);

  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::string key_;  // of the checks after the header: the object-id key (empty for a plain store)
  const StoreCipher* cipher_ = nullptr;
  uint64_t size_ = 0;
  uint64_t records_ = 0;
  uint64_t objects_ = 0;
  uint64_t manifests_ = 0;
  uint64_t stored_bytes_ = 0;
};

// One record of a stream, as StreamReader::Next returns it.
struct StreamItem {
  StreamRecord kind = StreamRecord::kEnd;
  IndexEntry entry;        // kObject: as the source stores it (pack and offset mean nothing here)
  uint64_t stored_at = 0;  // kObject: where its stored bytes start in the stream file
  ObjectId snapshot;       // kManifest: the snapshot id
  std::string manifest;    // kManifest: the manifest file's bytes
};

class StreamReader {
 public:
  // Opens a stream for `dst` and reads its header. A file that is not a stream, of another version, or
  // written by a store whose keys `dst` does not share is an error naming the file; nothing is written.
  static Result<std::unique_ptr<StreamReader>> Open(Env* env, const std::string& path, const Store& dst);
  // The same for a stream already open (one spooled from a pipe), named as `file` is.
  static Result<std::unique_ptr<StreamReader>> Open(std::unique_ptr<RandomAccessFile> file, const Store& dst);

  const StreamHeader& header() const { return header_; }
  const std::string& path() const { return path_; }
  // Reads every record and verifies it: checks, order, the end record's totals, nothing after it.
  Status Validate();
  // Back to the first record after the header.
  void Rewind();
  // The next record (its check verified; with `read_objects` also an object's stored bytes); false at the
  // end record.
  Result<bool> Next(StreamItem* item, bool read_objects);
  // `n` stored bytes of an object, from `at` within them.
  Status ReadStored(const StreamItem& item, uint64_t at, size_t n, std::string* out) const;

 private:
  StreamReader(std::string path, std::unique_ptr<RandomAccessFile> file, const Store& dst);
  Status ReadHeader();
  Status Damaged(const std::string& why) const;

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  const Store& dst_;
  StreamHeader header_;
  uint64_t first_record_ = 0;  // offset of the record after the header
  uint64_t pos_ = 0;
  uint64_t seq_ = 0;  // of the next record
  uint64_t objects_ = 0;
  uint64_t manifests_ = 0;
  uint64_t stored_bytes_ = 0;
};

}  // namespace strata
