#pragma once
// A small cache shared between threads, for what is made from a record at a version.

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace avtaleflyt {

// What was made from a record at a version (a case's document as sent, the case as a signing
// link shows it), kept for the records used most recently: made once per version, not per
// request. Shared by the request threads, guarded by its own mutex; at most `capacity` keys, the
// one used least recently dropped first. Never older than a version it has seen for a key.
template <typename Value, typename Key = std::int64_t>
class RecentVersions {
  public:
    explicit RecentVersions(std::size_t capacity) : capacity_(capacity) {}

    std::shared_ptr<const Value> find(const Key& key, std::int64_t version) {
        const std::lock_guard<std::mutex> guard(mutex_);
        const auto it = entries_.find(key);
        if (it == entries_.end() || it->second.version != version)
            return nullptr;
        uses_.splice(uses_.begin(), uses_, it->second.use);
        return it->second.value;
    }

    void keep(const Key& key, std::int64_t version, std::shared_ptr<const Value> value) {
        const std::lock_guard<std::mutex> guard(mutex_);
        if (const auto it = entries_.find(key); it != entries_.end()) {
            if (it->second.version > version)
                return;  // a newer version is kept already
            it->second.version = version;
            it->second.value = std::move(value);
            uses_.splice(uses_.begin(), uses_, it->second.use);
            return;
        }
        if (entries_.size() >= capacity_) {
            entries_.erase(uses_.back());
            uses_.pop_back();
        }
        uses_.push_front(key);
        entries_.emplace(key, Entry{version, std::move(value), uses_.begin()});
    }

  private:
    struct Entry {
        std::int64_t version;
        std::shared_ptr<const Value> value;
        typename std::list<Key>::iterator use;
    };
    const std::size_t capacity_;
    std::mutex mutex_;
    std::unordered_map<Key, Entry> entries_;
    std::list<Key> uses_;  // most recent first
};

}  // namespace avtaleflyt
