// Metadata: not implemented yet (issue 3: the rest of the JACK API).
//
// The well-known property keys are real data now (programs read them even when they never set a
// property). Every setter and remover fails with -1, every getter reports "no such property"
// with -1 and leaves its outputs empty, so callers that free what a getter returned stay safe.

#include "libjack/abi.hpp"

#include <jack/metadata.h>

#include <cstdlib>

// Exported data objects. JACK_EXPORT (extern "C") on a variable makes a declaration; the
// definitions below inherit its C linkage and default visibility.
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

JACK_EXPORT int jack_set_property(jack_client_t*, jack_uuid_t, const char*, const char*,
                                  const char*) {
    return -1;
}

JACK_EXPORT int jack_get_property(jack_uuid_t, const char*, char** value, char** type) {
    if (value != nullptr) *value = nullptr;
    if (type != nullptr) *type = nullptr;
    return -1;
}

JACK_EXPORT int jack_get_properties(jack_uuid_t subject, jack_description_t* desc) {
    if (desc != nullptr) {
        desc->subject = subject;
        desc->property_cnt = 0;
        desc->properties = nullptr;
        desc->property_size = 0;
    }
    return -1;
}

JACK_EXPORT int jack_get_all_properties(jack_description_t** descs) {
    if (descs != nullptr) *descs = nullptr;
    return -1;
}

JACK_EXPORT int jack_remove_property(jack_client_t*, jack_uuid_t, const char*) {
    return -1;
}

JACK_EXPORT int jack_remove_properties(jack_client_t*, jack_uuid_t) {
    return -1;
}

JACK_EXPORT int jack_remove_all_properties(jack_client_t*) {
    return -1;
}

// Real already: releases a description the way the getters will allocate it (malloc'd strings
// and property array; the description itself only when asked).
JACK_EXPORT void jack_free_description(jack_description_t* desc, int free_description_itself) {
    if (desc == nullptr) return;
    if (desc->properties != nullptr) {
        for (uint32_t i = 0; i < desc->property_cnt; ++i) {
            jack_property_t& property = desc->properties[i];
            std::free(const_cast<char*>(property.key));
            std::free(const_cast<char*>(property.data));
            std::free(const_cast<char*>(property.type));
        }
        std::free(desc->properties);
    }
    desc->properties = nullptr;
    desc->property_cnt = 0;
    desc->property_size = 0;
    if (free_description_itself != 0) std::free(desc);
}
