// C ABI for <jack/uuid.h>: thin wrappers over src/common/uuid.hpp, with jackd2 1.9.21's
// semantics. Null pointers are ignored (or make jack_uuid_parse fail) where JACK would crash.

#include "common/uuid.hpp"
#include "libjack/abi.hpp"

#include <jack/types.h>
#include <jack/uuid.h>

#include <cstdint>
#include <span>
#include <type_traits>

static_assert(std::is_same_v<jack_uuid_t, bantam::Uuid>);
static_assert(JACK_UUID_STRING_SIZE == bantam::uuid_string_size);
static_assert(JACK_UUID_EMPTY_INITIALIZER == bantam::empty_uuid);

JACK_EXPORT jack_uuid_t jack_client_uuid_generate() {
    return bantam::generate_client_uuid();
}

JACK_EXPORT jack_uuid_t jack_port_uuid_generate(uint32_t port_id) {
    return bantam::port_uuid(port_id);
}

JACK_EXPORT uint32_t jack_uuid_to_index(jack_uuid_t u) {
    return bantam::uuid_to_index(u);
}

JACK_EXPORT int jack_uuid_compare(jack_uuid_t a, jack_uuid_t b) {
    return bantam::compare_uuids(a, b);
}

JACK_EXPORT void jack_uuid_copy(jack_uuid_t* dst, jack_uuid_t src) {
    if (dst == nullptr) return;
    *dst = src;
}

JACK_EXPORT void jack_uuid_clear(jack_uuid_t* u) {
    if (u == nullptr) return;
    *u = bantam::empty_uuid;
}

JACK_EXPORT int jack_uuid_parse(const char* buf, jack_uuid_t* u) {
    if (buf == nullptr || u == nullptr) return -1;
    const auto value = bantam::scan_uuid_number(buf);
    if (!value) return -1;
    // Like jackd2, the number is stored even when it is then rejected for lacking type bits.
    *u = *value;
    return bantam::uuid_has_type(*value) ? 0 : -1;
}

JACK_EXPORT void jack_uuid_unparse(jack_uuid_t u, char buf[JACK_UUID_STRING_SIZE]) {
    if (buf == nullptr) return;
    bantam::format_uuid(u, std::span<char, JACK_UUID_STRING_SIZE>(buf, JACK_UUID_STRING_SIZE));
}

JACK_EXPORT int jack_uuid_empty(jack_uuid_t u) {
    return bantam::uuid_is_empty(u) ? 1 : 0;
}
