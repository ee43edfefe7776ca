// metadata.h: properties on clients and ports, kept by the server.

#include <cstdlib>
#include <cstring>
#include <jack/metadata.h>

#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;
using bantam::client::PropertyRecord;
using bantam::ipc::MetadataOp;

// Exported data objects: JACK_EXPORT (extern "C") on a variable declares it; the definitions
// below take its C linkage and default visibility.
JACK_EXPORT const char* JACK_METADATA_CONNECTED;
JACK_EXPORT const char* JACK_METADATA_EVENT_TYPES;
JACK_EXPORT const char* JACK_METADATA_HARDWARE;
JACK_EXPORT const char* JACK_METADATA_ICON_LARGE;
JACK_EXPORT const char* JACK_METADATA_ICON_NAME;
JACK_EXPORT const char* JACK_METADATA_ICON_SMALL;
JACK_EXPORT const char* JACK_METADATA_ORDER;
JACK_EXPORT const char* JACK_METADATA_PORT_GROUP;
JACK_EXPORT const char* JACK_METADATA_PRETTY_NAME;
JACK_EXPORT const char* JACK_METADATA_SIGNAL_TYPE;

#define BANTAM_METADATA_KEY(name) "http://jackaudio.org/metadata/" name
const char* JACK_METADATA_CONNECTED = BANTAM_METADATA_KEY("connected");
const char* JACK_METADATA_EVENT_TYPES = BANTAM_METADATA_KEY("event-types");
const char* JACK_METADATA_HARDWARE = BANTAM_METADATA_KEY("hardware");
const char* JACK_METADATA_ICON_LARGE = BANTAM_METADATA_KEY("icon-large");
const char* JACK_METADATA_ICON_NAME = BANTAM_METADATA_KEY("icon-name");
const char* JACK_METADATA_ICON_SMALL = BANTAM_METADATA_KEY("icon-small");
const char* JACK_METADATA_ORDER = BANTAM_METADATA_KEY("order");
const char* JACK_METADATA_PORT_GROUP = BANTAM_METADATA_KEY("port-group");
const char* JACK_METADATA_PRETTY_NAME = BANTAM_METADATA_KEY("pretty-name");
const char* JACK_METADATA_SIGNAL_TYPE = BANTAM_METADATA_KEY("signal-type");
#undef BANTAM_METADATA_KEY

namespace {
// The getters take no client: they ask through any client this process has open.
client::Client* any_client() {
    return client::any_open_client();
}

char* duplicate(const std::string& text) {
    return strdup(text.c_str());
}

// Fills a description the way jack_free_description releases it: malloc'd strings and array.
int describe(uint64_t subject, const std::vector<PropertyRecord>& records,
             jack_description_t* desc) {
    desc->subject = subject;
    desc->property_cnt = 0;
    desc->property_size = 0;
    desc->properties = nullptr;
    if (records.empty()) return 0;
    auto* properties =
        static_cast<jack_property_t*>(std::calloc(records.size(), sizeof(jack_property_t)));
    if (!properties) return -1;
    for (size_t i = 0; i < records.size(); ++i) {
        properties[i].key = duplicate(records[i].key);
        properties[i].data = duplicate(records[i].value);
        properties[i].type = records[i].type.empty() ? nullptr : duplicate(records[i].type);
    }
    desc->properties = properties;
    desc->property_cnt = uint32_t(records.size());
    desc->property_size = uint32_t(records.size());
    return int(records.size());
}
} // namespace

JACK_EXPORT int jack_set_property(jack_client_t* client, jack_uuid_t subject, const char* key,
                                  const char* value, const char* type) {
    if (!client || !key || !value) return -1;
    return abi_guard(-1, [&] {
        return from_handle(client)->metadata_request(MetadataOp::set, subject, key, value, type) ==
                       0
                   ? 0
                   : -1;
    });
}

JACK_EXPORT int jack_get_property(jack_uuid_t subject, const char* key, char** value, char** type) {
    if (value) *value = nullptr;
    if (type) *type = nullptr;
    client::Client* client = any_client();
    if (!client || !key || !value) return -1;
    return abi_guard(-1, [&] {
        std::vector<PropertyRecord> records;
        if (client->metadata_request(MetadataOp::get, subject, key, nullptr, nullptr, &records) !=
                0 ||
            records.size() != 1)
            return -1;
        *value = duplicate(records[0].value);
        if (type) *type = records[0].type.empty() ? nullptr : duplicate(records[0].type);
        return 0;
    });
}

JACK_EXPORT int jack_get_properties(jack_uuid_t subject, jack_description_t* desc) {
    client::Client* client = any_client();
    if (!client || !desc) return -1;
    return abi_guard(-1, [&] {
        std::vector<PropertyRecord> records;
        if (client->metadata_request(MetadataOp::get_subject, subject, nullptr, nullptr, nullptr,
                                     &records) < 0)
            return -1;
        return describe(subject, records, desc);
    });
}

JACK_EXPORT int jack_get_all_properties(jack_description_t** descs) {
    client::Client* client = any_client();
    if (!client || !descs) return -1;
    *descs = nullptr;
    return abi_guard(-1, [&] {
        std::vector<PropertyRecord> records;
        if (client->metadata_request(MetadataOp::get_all, 0, nullptr, nullptr, nullptr, &records) <
            0)
            return -1;
        // Records arrive grouped by subject.
        std::vector<std::vector<PropertyRecord>> groups;
        for (auto& record : records) {
            if (groups.empty() || groups.back().front().subject != record.subject)
                groups.emplace_back();
            groups.back().push_back(std::move(record));
        }
        if (groups.empty()) return 0;
        auto* out = static_cast<jack_description_t*>(
            std::calloc(groups.size(), sizeof(jack_description_t)));
        if (!out) return -1;
        for (size_t i = 0; i < groups.size(); ++i)
            describe(groups[i].front().subject, groups[i], &out[i]);
        *descs = out;
        return int(groups.size());
    });
}

JACK_EXPORT int jack_remove_property(jack_client_t* client, jack_uuid_t subject, const char* key) {
    if (!client || !key) return -1;
    return abi_guard(-1, [&] {
        return from_handle(client)->metadata_request(MetadataOp::remove, subject, key, nullptr,
                                                     nullptr) == 0
                   ? 0
                   : -1;
    });
}

JACK_EXPORT int jack_remove_properties(jack_client_t* client, jack_uuid_t subject) {
    if (!client) return -1;
    return abi_guard(-1, [&] {
        return from_handle(client)->metadata_request(MetadataOp::remove_subject, subject, nullptr,
                                                     nullptr, nullptr);
    });
}

JACK_EXPORT int jack_remove_all_properties(jack_client_t* client) {
    if (!client) return -1;
    return abi_guard(-1, [&] {
        return from_handle(client)->metadata_request(MetadataOp::remove_all, 0, nullptr, nullptr,
                                                     nullptr) == 0
                   ? 0
                   : -1;
    });
}

JACK_EXPORT void jack_free_description(jack_description_t* desc, int free_description_itself) {
    if (!desc) return;
    for (uint32_t i = 0; i < desc->property_cnt && desc->properties; ++i) {
        std::free(const_cast<char*>(desc->properties[i].key));
        std::free(const_cast<char*>(desc->properties[i].data));
        std::free(const_cast<char*>(desc->properties[i].type));
    }
    std::free(desc->properties);
    desc->properties = nullptr;
    desc->property_cnt = 0;
    if (free_description_itself) std::free(desc);
}
