// ObjectId: the 32-byte content address of a stored object (see strata-store(5), "Object ids").
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

struct ObjectId {
  static constexpr size_t kSize = 32;
  std::array<uint8_t, kSize> bytes{};

  bool IsZero() const;
  std::string Hex() const;
  std::string_view View() const { return {reinterpret_cast<const char*>(bytes.data()), kSize}; }
  // Parses exactly 64 lowercase or uppercase hex digits.
  static std::optional<ObjectId> FromHex(std::string_view hex);
  static ObjectId FromBytes(std::string_view raw);  // raw.size() must be kSize

  auto operator<=>(const ObjectId&) const = default;  // NOLINT(modernize-use-nullptr): clang-tidy 14 bug
  bool operator==(const ObjectId&) const = default;
};

struct ObjectIdHash {
  size_t operator()(const ObjectId& id) const {
    size_t h;
    std::memcpy(&h, id.bytes.data(), sizeof h);  // ids are uniformly distributed already
    return h;
  }
};

std::string HexEncode(std::string_view raw);

}  // namespace strata
