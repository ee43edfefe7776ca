#include "server/metadata.hpp"

#include <algorithm>
#include <cstring>

namespace bantam::server {

bool MetadataStore::set(uint64_t subject, const std::string& key, const std::string& value,
                        const std::string& type) {
    auto& list = by_subject_[subject];
    for (auto& property : list)
        if (property.key == key) {
            property.value = value;
            property.type = type;
            return false;
        }
    list.push_back({key, value, type});
    return true;
}

const Property* MetadataStore::get(uint64_t subject, const std::string& key) const {
    auto found = by_subject_.find(subject);
    if (found == by_subject_.end()) return nullptr;
    for (const auto& property : found->second)
        if (property.key == key) return &property;
    return nullptr;
}

const std::vector<Property>* MetadataStore::properties(uint64_t subject) const {
    auto found = by_subject_.find(subject);
    return found == by_subject_.end() ? nullptr : &found->second;
}

std::vector<uint64_t> MetadataStore::subjects() const {
    std::vector<uint64_t> result;
    for (const auto& [subject, list] : by_subject_)
        if (!list.empty()) result.push_back(subject);
    return result;
}

bool MetadataStore::remove(uint64_t subject, const std::string& key) {
    auto found = by_subject_.find(subject);
    if (found == by_subject_.end()) return false;
    auto& list = found->second;
    auto it =
        std::find_if(list.begin(), list.end(), [&](const Property& p) { return p.key == key; });
    if (it == list.end()) return false;
    list.erase(it);
    if (list.empty()) by_subject_.erase(found);
    return true;
}

size_t MetadataStore::remove_subject(uint64_t subject) {
    auto found = by_subject_.find(subject);
    if (found == by_subject_.end()) return 0;
    size_t count = found->second.size();
    by_subject_.erase(found);
    return count;
}

size_t MetadataStore::clear() {
    size_t count = 0;
    for (const auto& [subject, list] : by_subject_)
        count += list.size();
    by_subject_.clear();
    return count;
}

void append_property(std::vector<std::byte>& out, uint64_t subject, const Property& property) {
    auto put = [&](const void* data, size_t size) {
        const auto* bytes = static_cast<const std::byte*>(data);
        out.insert(out.end(), bytes, bytes + size);
    };
    uint32_t lengths[3] = {uint32_t(property.key.size()), uint32_t(property.value.size()),
                           uint32_t(property.type.size())};
    put(&subject, sizeof subject);
    put(lengths, sizeof lengths);
    put(property.key.data(), property.key.size());
    put(property.value.data(), property.value.size());
    put(property.type.data(), property.type.size());
}

} // namespace bantam::server
