#pragma once

// JACK metadata: properties (key, value, MIME type) attached to a subject uuid (a client or a
// port). Kept in the server, in insertion order per subject. Thread: control.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bantam::server {

struct Property {
    std::string key;
    std::string value;
    std::string type;
};

class MetadataStore {
  public:
    // Returns true if the key was new for that subject (created), false if it changed.
    bool set(uint64_t subject, const std::string& key, const std::string& value,
             const std::string& type);
    const Property* get(uint64_t subject, const std::string& key) const;
    const std::vector<Property>* properties(uint64_t subject) const;
    std::vector<uint64_t> subjects() const;
    bool remove(uint64_t subject, const std::string& key);
    size_t remove_subject(uint64_t subject); // how many properties went
    size_t clear();

  private:
    std::map<uint64_t, std::vector<Property>> by_subject_;
};

// The wire form of a list of properties, as sent in replies: records of
// [u64 subject][u32 key length][u32 value length][u32 type length][key][value][type].
void append_property(std::vector<std::byte>& out, uint64_t subject, const Property& property);

} // namespace bantam::server
