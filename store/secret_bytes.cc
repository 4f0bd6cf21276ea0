#include "store/secret_bytes.h"

#include <sodium.h>

#include <atomic>
#include <cstring>
#include <utility>

#include "store/hash.h"

namespace strata {
namespace {
std::atomic<SecretBytes::WipeObserver> wipe_observer{nullptr};
}  // namespace

Result<SecretBytes> SecretBytes::Allocate(size_t n) {
  InitSodium();
  SecretBytes s;
  if (n == 0) return s;
  s.data_ = static_cast<uint8_t*>(sodium_malloc(n));
  if (s.data_ == nullptr) return Status::FromErrno("allocate secure memory for a key", ENOMEM);
  s.size_ = n;
  sodium_memzero(s.data_, n);
  return s;
}

Result<SecretBytes> SecretBytes::CopyOf(std::string_view bytes) {
  STRATA_ASSIGN_OR_RETURN(SecretBytes s, Allocate(bytes.size()));
  if (!bytes.empty()) std::memcpy(s.mutable_data(), bytes.data(), bytes.size());
  s.Seal();
  return s;
}

Result<SecretBytes> SecretBytes::Prefix(size_t n) const { return CopyOf(view().substr(0, n)); }

SecretBytes::~SecretBytes() { Release(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SecretBytes::Seal() {
  if (data_ != nullptr) sodium_mprotect_readonly(data_);
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  return size_ == other.size_ && (size_ == 0 || sodium_memcmp(data_, other.data_, size_) == 0);
}

void SecretBytes::SetWipeObserverForTest(WipeObserver observer) { wipe_observer.store(observer); }

void SecretBytes::Release() {
  if (data_ == nullptr) return;
  sodium_mprotect_readwrite(data_);
  sodium_memzero(data_, size_);
  if (WipeObserver observer = wipe_observer.load(); observer != nullptr) observer(data_, size_);
  sodium_free(data_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace strata
