#pragma once

// Lock-free single-producer/single-consumer byte ring with the semantics of JACK's
// jack_ringbuffer_* API, working directly on the public jack_ringbuffer_t so that
// src/libjack/ringbuffer.cpp is a thin C layer over these functions.
//
// Semantics (the same as jackd2):
//  - The size is the requested size rounded up to a power of two, at least 2. One byte is
//    always left free so that "full" and "empty" can be told apart: at most size - 1 bytes are
//    stored. write_ptr and read_ptr are offsets in [0, size).
//  - read_space = (write_ptr - read_ptr) mod size, write_space = size - 1 - read_space.
//  - read/peek/write move min(cnt, available) bytes and return that count.
//  - read_advance/write_advance are not clamped: like JACK they move the pointer by cnt modulo
//    size. Advancing by more than is available is a caller error (the ring then looks like it
//    holds stale bytes), never an out-of-bounds access.
//  - The vector functions describe the readable/writable bytes as at most two stretches: from
//    the pointer up to the end of the buffer, then from the start. An unused second element has
//    len 0 and buf set to the start of the buffer (JACK leaves that buf unset).
//  - reset() empties the ring and zeroes the buffer; reset_size() empties the ring and changes
//    the size in use. Neither is thread safe.
//
// Threading: one reader thread and one writer thread. The writer owns write_ptr and the reader
// owns read_ptr; each publishes its pointer with a release store after touching the buffer and
// reads the other side's pointer with an acquire load before touching it, so the bytes are
// always visible before the pointer that hands them over. The public struct declares the
// pointers `volatile size_t` and that layout is kept for the ABI; they are only ever accessed
// through std::atomic_ref<size_t>, which GCC and Clang implement with __atomic builtins on the
// underlying object (volatile is cast away; no code here relies on volatile semantics).
//
// Rings must come from create(): the allocated size, which reset_size() needs, is kept in a
// hidden field after the public struct.

#include "rt/annotations.hpp"

#include <jack/ringbuffer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>

#include <sys/mman.h>

namespace bantam::rt::ringbuffer {

namespace detail {

// What create() allocates: the public struct first, so a jack_ringbuffer_t* handed out to
// callers converts back to the allocation (pointer-interconvertible, standard layout).
struct Allocation {
    jack_ringbuffer_t ring;
    std::size_t allocated_size;
};
static_assert(std::is_standard_layout_v<Allocation>);
static_assert(offsetof(Allocation, ring) == 0);

static_assert(std::atomic_ref<std::size_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::size_t>::required_alignment <= alignof(std::size_t));

inline constexpr std::size_t min_size = 2;
inline constexpr std::size_t max_size = std::size_t{1}
                                        << (std::numeric_limits<std::size_t>::digits - 1);

RT_NONBLOCKING inline Allocation& allocation_of(jack_ringbuffer_t& rb) noexcept {
    return *reinterpret_cast<Allocation*>(&rb);
}

RT_NONBLOCKING inline const Allocation& allocation_of(const jack_ringbuffer_t& rb) noexcept {
    return *reinterpret_cast<const Allocation*>(&rb);
}

RT_NONBLOCKING inline std::atomic_ref<std::size_t>
atomic_pointer(const volatile std::size_t& pointer) noexcept {
    return std::atomic_ref<std::size_t>(const_cast<std::size_t&>(pointer));
}

RT_NONBLOCKING inline std::size_t load_acquire(const volatile std::size_t& pointer) noexcept {
    return atomic_pointer(pointer).load(std::memory_order_acquire);
}

// For the pointer the calling thread owns: only this thread stores it.
RT_NONBLOCKING inline std::size_t load_own(const volatile std::size_t& pointer) noexcept {
    return atomic_pointer(pointer).load(std::memory_order_relaxed);
}

RT_NONBLOCKING inline void store_release(volatile std::size_t& pointer,
                                         std::size_t value) noexcept {
    atomic_pointer(pointer).store(value, std::memory_order_release);
}

// The stretches covering `len` bytes starting at offset `pos`, wrapping at the end.
RT_NONBLOCKING inline std::array<jack_ringbuffer_data_t, 2>
split(const jack_ringbuffer_t& rb, std::size_t pos, std::size_t len) noexcept {
    const std::size_t first = std::min(len, rb.size - pos);
    return {{{rb.buf + pos, first}, {rb.buf, len - first}}};
}

RT_NONBLOCKING inline void copy_out(const jack_ringbuffer_t& rb, std::size_t pos, char* dest,
                                    std::size_t len) noexcept {
    const auto parts = split(rb, pos, len);
    std::memcpy(dest, parts[0].buf, parts[0].len);
    if (parts[1].len != 0) std::memcpy(dest + parts[0].len, parts[1].buf, parts[1].len);
}

} // namespace detail

// Allocates a ring of at least `size` bytes (rounded up to a power of two, at least 2; holds
// one byte less). The buffer starts zeroed. Returns nullptr if the memory cannot be allocated.
[[nodiscard]] inline jack_ringbuffer_t* create(std::size_t size) noexcept {
    if (size > detail::max_size) return nullptr;
    const std::size_t rounded = std::bit_ceil(std::max(size, detail::min_size));
    auto* buf = static_cast<char*>(std::calloc(rounded, 1));
    if (buf == nullptr) return nullptr;
    auto* allocation = new (std::nothrow)
        detail::Allocation{jack_ringbuffer_t{buf, 0, 0, rounded, rounded - 1, 0}, rounded};
    if (allocation == nullptr) {
        std::free(buf);
        return nullptr;
    }
    return &allocation->ring;
}

// Frees a ring from create(), unlocking its buffer first if lock_memory() locked it.
// nullptr is ignored.
inline void destroy(jack_ringbuffer_t* rb) noexcept {
    if (rb == nullptr) return;
    detail::Allocation* allocation = &detail::allocation_of(*rb);
    if (rb->mlocked != 0) ::munlock(rb->buf, allocation->allocated_size);
    std::free(rb->buf);
    delete allocation;
}

struct Deleter {
    void operator()(jack_ringbuffer_t* rb) const noexcept { destroy(rb); }
};
using UniqueRingbuffer = std::unique_ptr<jack_ringbuffer_t, Deleter>;

// The size the buffer was allocated with: the upper bound for reset_size().
RT_NONBLOCKING inline std::size_t allocated_size(const jack_ringbuffer_t& rb) noexcept {
    return detail::allocation_of(rb).allocated_size;
}

// mlock()s the whole buffer. Returns 0 and sets rb.mlocked on success, -1 otherwise.
// Not real-time safe.
inline int lock_memory(jack_ringbuffer_t& rb) noexcept {
    if (::mlock(rb.buf, allocated_size(rb)) != 0) return -1;
    rb.mlocked = 1;
    return 0;
}

// Empties the ring and zeroes the buffer (the part in use). Not thread safe.
RT_NONBLOCKING inline void reset(jack_ringbuffer_t& rb) noexcept {
    detail::store_release(rb.read_ptr, 0);
    detail::store_release(rb.write_ptr, 0);
    std::memset(rb.buf, 0, rb.size);
}

// Empties the ring and uses only the first `size` bytes of the buffer from now on (capacity
// size - 1). JACK takes `size` as is; here it is first limited to [1, allocated_size()] and
// rounded down to a power of two, so that the index mask stays valid and the ring never
// reaches past its allocation. The buffer contents are left alone. Not thread safe.
RT_NONBLOCKING inline void reset_size(jack_ringbuffer_t& rb, std::size_t size) noexcept {
    const std::size_t limited = std::clamp<std::size_t>(size, 1, allocated_size(rb));
    const std::size_t usable = std::bit_floor(limited);
    detail::store_release(rb.read_ptr, 0);
    detail::store_release(rb.write_ptr, 0);
    rb.size = usable;
    rb.size_mask = usable - 1;
}

// Bytes ready to read. Either thread may ask.
RT_NONBLOCKING inline std::size_t read_space(const jack_ringbuffer_t& rb) noexcept {
    const std::size_t w = detail::load_acquire(rb.write_ptr);
    const std::size_t r = detail::load_acquire(rb.read_ptr);
    return (w - r) & rb.size_mask;
}

// Bytes that can be written. Either thread may ask.
RT_NONBLOCKING inline std::size_t write_space(const jack_ringbuffer_t& rb) noexcept {
    const std::size_t w = detail::load_acquire(rb.write_ptr);
    const std::size_t r = detail::load_acquire(rb.read_ptr);
    return (r - w - 1) & rb.size_mask;
}

// Reader: copies up to `count` bytes into `dest` without consuming them.
RT_NONBLOCKING inline std::size_t peek(const jack_ringbuffer_t& rb, char* dest,
                                       std::size_t count) noexcept {
    const std::size_t r = detail::load_own(rb.read_ptr);
    const std::size_t w = detail::load_acquire(rb.write_ptr);
    const std::size_t n = std::min(count, (w - r) & rb.size_mask);
    if (n != 0) detail::copy_out(rb, r, dest, n);
    return n;
}

// Reader: copies up to `count` bytes into `dest` and consumes them.
RT_NONBLOCKING inline std::size_t read(jack_ringbuffer_t& rb, char* dest,
                                       std::size_t count) noexcept {
    const std::size_t r = detail::load_own(rb.read_ptr);
    const std::size_t w = detail::load_acquire(rb.write_ptr);
    const std::size_t n = std::min(count, (w - r) & rb.size_mask);
    if (n == 0) return 0;
    detail::copy_out(rb, r, dest, n);
    detail::store_release(rb.read_ptr, (r + n) & rb.size_mask);
    return n;
}

// Writer: copies up to `count` bytes from `src` into the ring.
RT_NONBLOCKING inline std::size_t write(jack_ringbuffer_t& rb, const char* src,
                                        std::size_t count) noexcept {
    const std::size_t w = detail::load_own(rb.write_ptr);
    const std::size_t r = detail::load_acquire(rb.read_ptr);
    const std::size_t n = std::min(count, (r - w - 1) & rb.size_mask);
    if (n == 0) return 0;
    const auto parts = detail::split(rb, w, n);
    std::memcpy(parts[0].buf, src, parts[0].len);
    if (parts[1].len != 0) std::memcpy(parts[1].buf, src + parts[0].len, parts[1].len);
    detail::store_release(rb.write_ptr, (w + n) & rb.size_mask);
    return n;
}

// Reader: consumes `count` bytes read in place through read_vector(). Not clamped (see top).
RT_NONBLOCKING inline void read_advance(jack_ringbuffer_t& rb, std::size_t count) noexcept {
    const std::size_t r = detail::load_own(rb.read_ptr);
    detail::store_release(rb.read_ptr, (r + count) & rb.size_mask);
}

// Writer: publishes `count` bytes written in place through write_vector(). Not clamped.
RT_NONBLOCKING inline void write_advance(jack_ringbuffer_t& rb, std::size_t count) noexcept {
    const std::size_t w = detail::load_own(rb.write_ptr);
    detail::store_release(rb.write_ptr, (w + count) & rb.size_mask);
}

// Reader: where the readable bytes are, in order.
RT_NONBLOCKING inline std::array<jack_ringbuffer_data_t, 2>
read_vector(const jack_ringbuffer_t& rb) noexcept {
    const std::size_t r = detail::load_own(rb.read_ptr);
    const std::size_t w = detail::load_acquire(rb.write_ptr);
    return detail::split(rb, r, (w - r) & rb.size_mask);
}

// Writer: where the writable space is, in order.
RT_NONBLOCKING inline std::array<jack_ringbuffer_data_t, 2>
write_vector(const jack_ringbuffer_t& rb) noexcept {
    const std::size_t w = detail::load_own(rb.write_ptr);
    const std::size_t r = detail::load_acquire(rb.read_ptr);
    return detail::split(rb, w, (r - w - 1) & rb.size_mask);
}

} // namespace bantam::rt::ringbuffer
