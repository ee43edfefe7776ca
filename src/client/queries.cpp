// Read-only questions about the graph, answered from the control segment without a request.

#include <algorithm>
#include <regex.h>

#include "client/server_link.hpp"

namespace bantam::client {

namespace {
// POSIX extended regex, unanchored, as jack_get_ports documents. NULL or "" matches all.
class Pattern {
  public:
    explicit Pattern(const char* text) {
        if (text && *text)
            valid_ = regcomp(&regex_, text, REG_EXTENDED | REG_NOSUB) == 0, used_ = true;
    }
    ~Pattern() {
        if (used_ && valid_) regfree(&regex_);
    }
    Pattern(const Pattern&) = delete;
    Pattern& operator=(const Pattern&) = delete;
    bool ok() const { return !used_ || valid_; }
    bool matches(const std::string& text) const {
        return !used_ || regexec(&regex_, text.c_str(), 0, nullptr, 0) == 0;
    }

  private:
    regex_t regex_{};
    bool used_ = false;
    bool valid_ = false;
};
} // namespace

std::vector<std::string> ServerLink::matching_ports(const char* name_pattern,
                                                    const char* type_pattern,
                                                    unsigned long flags) const {
    std::vector<std::string> names;
    Pattern by_name(name_pattern), by_type(type_pattern);
    if (!by_name.ok() || !by_type.ok()) return names;
    std::vector<PortInfo> ports = live_ports();
    // Physical ports first, then in registration order (the uuid counter).
    std::sort(ports.begin(), ports.end(), [](const PortInfo& a, const PortInfo& b) {
        bool a_physical = a.flags & JackPortIsPhysical, b_physical = b.flags & JackPortIsPhysical;
        if (a_physical != b_physical) return a_physical;
        return a.uuid < b.uuid;
    });
    for (const auto& port : ports) {
        if ((port.flags & flags) != flags) continue;
        const char* type = port.type == PortType::midi ? kMidiTypeName : kAudioTypeName;
        if (!by_name.matches(port.name) || !by_type.matches(type)) continue;
        names.push_back(port.name);
    }
    return names;
}

std::vector<std::string> ServerLink::connection_names(uint32_t id) const {
    std::vector<std::string> names;
    PortInfo info;
    for (uint32_t peer : peers(id))
        if (read_port(peer, info)) names.push_back(info.name);
    return names;
}

} // namespace bantam::client
