// C ABI for <jack/ringbuffer.h>: check arguments, then one call into bantam::rt::ringbuffer
// (src/rt/ring_buffer.hpp), which has the semantics and the threading rules. A null ring or
// data pointer means "nothing to do" (0 bytes, -1 from mlock) where JACK would crash.

#include "libjack/abi.hpp"
#include "rt/ring_buffer.hpp"

#include <jack/ringbuffer.h>

#include <cstddef>

namespace ring = bantam::rt::ringbuffer;

namespace {

void fill_vector(jack_ringbuffer_data_t* vec,
                 const std::array<jack_ringbuffer_data_t, 2>& parts) noexcept {
    vec[0] = parts[0];
    vec[1] = parts[1];
}

} // namespace

JACK_EXPORT jack_ringbuffer_t* jack_ringbuffer_create(size_t sz) {
    return ring::create(sz);
}

JACK_EXPORT void jack_ringbuffer_free(jack_ringbuffer_t* rb) {
    ring::destroy(rb);
}

JACK_EXPORT RT_HOT void jack_ringbuffer_get_read_vector(const jack_ringbuffer_t* rb,
                                                        jack_ringbuffer_data_t* vec) {
    if (vec == nullptr) return;
    if (rb == nullptr) {
        fill_vector(vec, {});
        return;
    }
    fill_vector(vec, ring::read_vector(*rb));
}

JACK_EXPORT RT_HOT void jack_ringbuffer_get_write_vector(const jack_ringbuffer_t* rb,
                                                         jack_ringbuffer_data_t* vec) {
    if (vec == nullptr) return;
    if (rb == nullptr) {
        fill_vector(vec, {});
        return;
    }
    fill_vector(vec, ring::write_vector(*rb));
}

JACK_EXPORT RT_HOT size_t jack_ringbuffer_read(jack_ringbuffer_t* rb, char* dest, size_t cnt) {
    if (rb == nullptr || dest == nullptr) return 0;
    return ring::read(*rb, dest, cnt);
}

JACK_EXPORT RT_HOT size_t jack_ringbuffer_peek(jack_ringbuffer_t* rb, char* dest, size_t cnt) {
    if (rb == nullptr || dest == nullptr) return 0;
    return ring::peek(*rb, dest, cnt);
}

JACK_EXPORT RT_HOT void jack_ringbuffer_read_advance(jack_ringbuffer_t* rb, size_t cnt) {
    if (rb == nullptr) return;
    ring::read_advance(*rb, cnt);
}

JACK_EXPORT RT_HOT size_t jack_ringbuffer_read_space(const jack_ringbuffer_t* rb) {
    if (rb == nullptr) return 0;
    return ring::read_space(*rb);
}

JACK_EXPORT int jack_ringbuffer_mlock(jack_ringbuffer_t* rb) {
    if (rb == nullptr) return -1;
    return ring::lock_memory(*rb);
}

JACK_EXPORT void jack_ringbuffer_reset(jack_ringbuffer_t* rb) {
    if (rb == nullptr) return;
    ring::reset(*rb);
}

JACK_EXPORT void jack_ringbuffer_reset_size(jack_ringbuffer_t* rb, size_t sz) {
    if (rb == nullptr) return;
    ring::reset_size(*rb, sz);
}

JACK_EXPORT RT_HOT size_t jack_ringbuffer_write(jack_ringbuffer_t* rb, const char* src,
                                                size_t cnt) {
    if (rb == nullptr || src == nullptr) return 0;
    return ring::write(*rb, src, cnt);
}

JACK_EXPORT RT_HOT void jack_ringbuffer_write_advance(jack_ringbuffer_t* rb, size_t cnt) {
    if (rb == nullptr) return;
    ring::write_advance(*rb, cnt);
}

JACK_EXPORT RT_HOT size_t jack_ringbuffer_write_space(const jack_ringbuffer_t* rb) {
    if (rb == nullptr) return 0;
    return ring::write_space(*rb);
}
