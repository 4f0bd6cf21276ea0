// A small thread-safe LRU cache of shared, immutable values, bounded by a caller-defined charge
// (bytes, usually). Values are shared_ptr so a reader keeps its value alive after eviction.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace strata {

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const Value> Get(const Key& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
  }

  void Put(const Key& key, std::shared_ptr<const Value> value, size_t charge) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      used_ -= it->second->charge;
      order_.erase(it->second);
      map_.erase(it);
    }
    order_.push_front(Node{key, std::move(value), charge});
    map_.emplace(key, order_.begin());
    used_ += charge;
    while (used_ > capacity_ && order_.size() > 1) {
      used_ -= order_.back().charge;
      map_.erase(order_.back().key);
      order_.pop_back();
    }
  }

 private:
  struct Node {
    Key key;
    std::shared_ptr<const Value> value;
    size_t charge;
  };
  const size_t capacity_;
  std::mutex mu_;
  std::list<Node> order_;  // most recent first; guarded by mu_
  std::unordered_map<Key, typename std::list<Node>::iterator, Hash> map_;  // guarded by mu_
  size_t used_ = 0;                                                        // guarded by mu_
};

}  // namespace strata
