#include "tests/fuzz/memory_env.h"

namespace strata::fuzz {
namespace {

class MemoryFile : public RandomAccessFile {
 public:
  MemoryFile(std::string path, std::string_view data) : path_(std::move(path)), data_(data) {}

  // Same contract as the POSIX file: a read past the end is Corruption naming the file.
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (offset > data_.size() || n > data_.size() - offset) {
      return Status::Corruption(path_ + ": read of " + std::to_string(n) + " bytes at offset " +
                                std::to_string(offset) + " is past the end of the file");
    }
    out->assign(data_.substr(offset, n));
    return Status::Ok();
  }
  uint64_t Size() const override { return data_.size(); }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::string_view data_;
};

class MemoryMap : public MappedFile {
 public:
  explicit MemoryMap(std::string_view data) : data_(data) {}
  std::string_view data() const override { return data_; }

 private:
  std::string_view data_;
};

Status NotSupported(const std::string& op, const std::string& path) {
  return Status::NotSupported("memory env: " + op + " " + path);
}

}  // namespace

void MemoryEnv::Put(const std::string& path, std::string content) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path] = std::move(content);
}

const std::string* MemoryEnv::Get(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

Result<std::unique_ptr<RandomAccessFile>> MemoryEnv::OpenRandomAccess(const std::string& path) {
  const std::string* data = Get(path);
  if (data == nullptr) return Status::NotFound(path + ": no such file");
  return std::unique_ptr<RandomAccessFile>(new MemoryFile(path, *data));
}

Result<std::unique_ptr<WritableFile>> MemoryEnv::NewWritableFile(const std::string& path) {
  return NotSupported("create", path);
}

Result<std::unique_ptr<MappedFile>> MemoryEnv::MapReadOnly(const std::string& path) {
  const std::string* data = Get(path);
  if (data == nullptr) return Status::NotFound(path + ": no such file");
  return std::unique_ptr<MappedFile>(new MemoryMap(*data));
}

Result<std::string> MemoryEnv::ReadWholeFile(const std::string& path, uint64_t max_size) {
  const std::string* data = Get(path);
  if (data == nullptr) return Status::NotFound(path + ": no such file");
  if (data->size() > max_size) return Status::Corruption(path + ": file is too large");
  return *data;
}

Status MemoryEnv::WriteFileAtomic(const std::string& path, std::string_view data) {
  Put(path, std::string(data));
  return Status::Ok();
}

Status MemoryEnv::RenameFile(const std::string& from, const std::string& to) {
  return NotSupported("rename " + from + " to", to);
}

Status MemoryEnv::RemoveFile(const std::string& path) { return NotSupported("remove", path); }

Status MemoryEnv::SyncDir(const std::string& /*path*/) { return Status::Ok(); }

Status MemoryEnv::CreateDir(const std::string& /*path*/) { return Status::Ok(); }

Result<std::vector<std::string>> MemoryEnv::ListDir(const std::string& path) {
  const std::string prefix = path + "/";
  std::vector<std::string> names;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix); ++it) {
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    std::string_view name = rest.substr(0, rest.find('/'));
    if (names.empty() || names.back() != name) names.emplace_back(name);
  }
  return names;
}

bool MemoryEnv::FileExists(const std::string& path) { return Get(path) != nullptr; }

Result<std::unique_ptr<SequentialFile>> MemoryEnv::StandardInput() { return NotSupported("read", "stdin"); }

Result<std::unique_ptr<WritableFile>> MemoryEnv::StandardOutput() { return NotSupported("write", "stdout"); }

Result<std::unique_ptr<AnonymousFile>> MemoryEnv::NewAnonymousFile(const std::string& dir) {
  return NotSupported("anonymous file in", dir);
}

}  // namespace strata::fuzz
