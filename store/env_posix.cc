#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "store/env.h"

namespace strata {
namespace {

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { close(fd_); }

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (offset > size_ || n > size_ - offset) {
      return Status::Corruption(path_ + ": read of " + std::to_string(n) + " bytes at offset " +
                                std::to_string(offset) + " is past the end of the file (" +
                                std::to_string(size_) + " bytes)");
    }
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      ssize_t r = pread(fd_, out->data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(path_, errno);
      }
      if (r == 0) return Status::Corruption(path_ + ": file is shorter than expected (truncated?)");
      done += static_cast<size_t>(r);
    }
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t w = write(fd, data.data(), data.size());
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(w));
  }
  return Status::Ok();
}

// Appends to a descriptor it owns; `Base` is WritableFile or one of its refinements.
template <class Base>
class PosixWriter : public Base {
 public:
  PosixWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
    struct stat st;
    regular_ = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  }
  ~PosixWriter() override {
    if (fd_ >= 0) close(fd_);
  }
  PosixWriter(const PosixWriter&) = delete;
  PosixWriter& operator=(const PosixWriter&) = delete;

  Status Append(std::string_view data) override {
    STRATA_RETURN_IF_ERROR(WriteAll(fd_, data, path_));
    size_ += data.size();
    return Status::Ok();
  }
  Status Truncate(uint64_t size) override {
    if (ftruncate(fd_, static_cast<off_t>(size)) != 0) return Status::FromErrno("truncate " + path_, errno);
    if (lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) return Status::FromErrno("seek " + path_, errno);
    size_ = size;
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }
  Status Sync() override {
    // fdatasync of a pipe or a terminal fails (EINVAL), and there is nothing there to make durable.
    if (regular_ && fdatasync(fd_) != 0) return Status::FromErrno("fsync " + path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (close(fd) != 0) return Status::FromErrno("close " + path_, errno);
    return Status::Ok();
  }

 protected:
  int fd() const { return fd_; }

 private:
  std::string path_;
  int fd_;
  bool regular_ = false;
  uint64_t size_ = 0;
};

using PosixWritableFile = PosixWriter<WritableFile>;

class PosixAnonymousFile : public PosixWriter<AnonymousFile> {
 public:
  using PosixWriter::PosixWriter;
  Result<std::unique_ptr<RandomAccessFile>> OpenForReading(const std::string& name) override {
    // A descriptor of its own: the reader outlives Close, and the file lives as long as the reader.
    int own = fcntl(fd(), F_DUPFD_CLOEXEC, 0);
    if (own < 0) return Status::FromErrno(name, errno);
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(name, own, Size()));
  }
};

class PosixSequentialFile : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { close(fd_); }
  PosixSequentialFile(const PosixSequentialFile&) = delete;
  PosixSequentialFile& operator=(const PosixSequentialFile&) = delete;

  Status Read(size_t n, std::string* out) override {
    out->resize(n);
    for (;;) {
      ssize_t r = read(fd_, out->data(), n);
      if (r >= 0) {
        out->resize(static_cast<size_t>(r));
        return Status::Ok();
      }
      if (errno != EINTR) return Status::FromErrno("read " + path_, errno);
    }
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
};

// A descriptor of our own for one of the process's standard ones, so that closing it leaves theirs open.
Result<int> DupStandard(int fd, const std::string& name) {
  int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) return Status::FromErrno(name, errno);
  return own;
}

class PosixMappedFile : public MappedFile {
 public:
  PosixMappedFile(void* base, size_t size) : base_(base), size_(size) {}
  ~PosixMappedFile() override {
    if (size_ > 0) munmap(base_, size_);
  }
  std::string_view data() const override { return {static_cast<const char*>(base_), size_}; }

 private:
  void* base_;
  size_t size_;
};

// Opens `path` read-only and stats it; the caller owns the returned descriptor.
Result<int> OpenForReading(const std::string& path, struct stat* st) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(path, errno);
  if (fstat(fd, st) != 0) {
    int err = errno;
    close(fd);
    return Status::FromErrno(path, err);
  }
  return fd;
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class PosixEnv : public Env {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    struct stat st;
    STRATA_ASSIGN_OR_RETURN(int fd, OpenForReading(path, &st));
    if (!S_ISREG(st.st_mode)) {
      close(fd);
      return Status::Corruption(path + ": not a regular file");
    }
    return std::unique_ptr<RandomAccessFile>(
        new PosixRandomAccessFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno("create " + path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  Result<std::unique_ptr<MappedFile>> MapReadOnly(const std::string& path) override {
    struct stat st;
    STRATA_ASSIGN_OR_RETURN(int fd, OpenForReading(path, &st));
    size_t size = static_cast<size_t>(st.st_size);
    void* base = nullptr;
    if (size > 0) {
      base = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (base == MAP_FAILED) {
        int err = errno;
        close(fd);
        return Status::FromErrno("mmap " + path, err);
      }
    }
    close(fd);
    return std::unique_ptr<MappedFile>(new PosixMappedFile(base, size));
  }

  Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_size) override {
    STRATA_ASSIGN_OR_RETURN(auto file, OpenRandomAccess(path));
    if (file->Size() > max_size) {
      return Status::Corruption(path + ": file is implausibly large (" + std::to_string(file->Size()) +
                                " bytes)");
    }
    std::string out;
    STRATA_RETURN_IF_ERROR(file->Read(0, file->Size(), &out));
    return out;
  }

  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    {
      STRATA_ASSIGN_OR_RETURN(auto file, NewWritableFile(tmp));
      Status s = file->Append(data);
      if (s.ok()) s = file->Sync();
      if (s.ok()) s = file->Close();
      if (!s.ok()) {
        unlink(tmp.c_str());
        return s;
      }
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      unlink(tmp.c_str());
      return Status::FromErrno("rename " + tmp, err);
    }
    return SyncDir(DirName(path));
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (rename(from.c_str(), to.c_str()) != 0)
      return Status::FromErrno("rename " + from + " to " + to, errno);
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (unlink(path.c_str()) != 0) return Status::FromErrno("remove " + path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& path) override {
    int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open directory " + path, errno);
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    if (rc != 0) return Status::FromErrno("fsync directory " + path, err);
    return Status::Ok();
  }

  Status CreateDir(const std::string& path) override {
    if (mkdir(path.c_str(), 0755) == 0) return Status::Ok();
    if (errno == EEXIST) {
      struct stat st;
      if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::Ok();
      return Status::InvalidArgument(path + ": exists and is not a directory");
    }
    return Status::FromErrno("create directory " + path, errno);
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* dir = opendir(path.c_str());
    if (dir == nullptr) return Status::FromErrno(path, errno);
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): this DIR* is ours alone  //
                                        // NOLINT(concurrency-mt-unsafe): this DIR* is ours alone
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    int err = errno;
    closedir(dir);
    if (err != 0) return Status::FromErrno(path, err);
    return names;
  }

  bool FileExists(const std::string& path) override { return access(path.c_str(), F_OK) == 0; }

  Result<std::unique_ptr<SequentialFile>> StandardInput() override {
    const std::string name = "standard input";
    STRATA_ASSIGN_OR_RETURN(int fd, DupStandard(STDIN_FILENO, name));
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(name, fd));
  }

  Result<std::unique_ptr<WritableFile>> StandardOutput() override {
    const std::string name = "standard output";
    STRATA_ASSIGN_OR_RETURN(int fd, DupStandard(STDOUT_FILENO, name));
    return std::unique_ptr<WritableFile>(new PosixWritableFile(name, fd));
  }

  Result<std::unique_ptr<AnonymousFile>> NewAnonymousFile(const std::string& dir) override {
    int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
      // EISDIR: a kernel older than O_TMPFILE; EOPNOTSUPP: a file system without it.
      if (errno == EOPNOTSUPP || errno == EISDIR) {
        return Status::NotSupported(dir + ": the file system cannot make anonymous files (O_TMPFILE)");
      }
      return Status::FromErrno("anonymous file in " + dir, errno);
    }
    return std::unique_ptr<AnonymousFile>(new PosixAnonymousFile("an anonymous file in " + dir, fd));
  }
};

}  // namespace

Env* Env::Default() {
  static Env* env = new PosixEnv();
  return env;
}

}  // namespace strata
