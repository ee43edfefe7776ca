#pragma once

// JACK MIDI port buffers, inside the fixed 32 KiB buffer every port has (ipc::PortBuffer).
//
// Layout (all fields 32-bit, native endian; offsets in bytes from the buffer's start):
//
//   [0, 32)                  Header: magic, buffer_size, nframes, write_pos, event_count,
//                            lost_events, 2 reserved words
//   [32, 32 + 12 * count)    Event records in time order: time, size, and either the data
//                            itself (size <= 4) or the offset of the data in the buffer
//   ...free...
//   [32768 - write_pos, end) Out-of-line event data, growing down from the buffer's end
//
// This is JACK2's scheme (common/JackMidiPort.h): O(1) indexed access, events of any size
// that fits, nothing to allocate. An event needs a 12-byte record and, above 4 bytes, its
// data: jack_midi_max_event_size is what one more event could hold (at least 4 while a record
// still fits, 0 once none does).
//
// Buffers are shared memory that other clients write, so every reader validates what it reads
// (magic, counts, offsets) and never touches a byte outside the buffer, whatever the contents.
// A buffer failing validation reads as "not a MIDI buffer" (no events), as JACK's IsValid().
//
// Error codes are negative errno values, as libjack-jackd2 returns them. Thread: any; nothing
// here allocates, locks or blocks.

#include <cstddef>
#include <cstdint>

#include "ipc/shared_layout.hpp"
#include "rt/annotations.hpp"

namespace bantam::ipc::midi {

inline constexpr uint32_t kMagic = 0x424d4944; // "BMID"
inline constexpr uint32_t kBufferBytes = sizeof(PortBuffer);
inline constexpr uint32_t kInlineMax = 4; // event data up to this size lives in its record

struct Header {
    uint32_t magic;
    uint32_t buffer_size; // bytes of the whole buffer, header included
    uint32_t nframes;     // the period the buffer was reset for: event times are < nframes
    uint32_t write_pos;   // bytes of out-of-line data, stored down from the buffer's end
    uint32_t event_count;
    uint32_t lost_events; // events that did not fit (write/reserve, or merging inputs)
    uint32_t reserved[2];
};

struct EventRecord {
    uint32_t time;
    uint32_t size;
    unsigned char payload[kInlineMax]; // the data (size <= 4) or its uint32 offset in the buffer
};

inline constexpr uint32_t kHeaderBytes = sizeof(Header);
inline constexpr uint32_t kEventBytes = sizeof(EventRecord);
inline constexpr uint32_t kMaxEvents = (kBufferBytes - kHeaderBytes) / kEventBytes;
static_assert(kHeaderBytes == 32 && kEventBytes == 12);
static_assert(alignof(PortBuffer) >= alignof(Header));

struct Event {
    uint32_t time = 0;
    uint32_t size = 0;
    unsigned char* data = nullptr;
};

// Makes `buffer` (kBufferBytes) an empty MIDI buffer for periods of `nframes` (JACK's
// MidiBufferInit): what an unconnected input reads, and what an output's buffer becomes when
// it has no header for the current period (see Client::port_buffer).
RT_NONBLOCKING void init(void* buffer, uint32_t nframes) noexcept;

// True when `buffer` holds a consistent MIDI header (magic, size, counts within bounds).
RT_NONBLOCKING bool valid(const void* buffer) noexcept;

// jack_midi_clear_buffer: drops every event and the lost count, keeps nframes. No effect on an
// invalid buffer.
RT_NONBLOCKING void clear(void* buffer) noexcept;

RT_NONBLOCKING uint32_t nframes(const void* buffer) noexcept;      // 0 if invalid
RT_NONBLOCKING uint32_t event_count(const void* buffer) noexcept;  // 0 if invalid
RT_NONBLOCKING uint32_t lost_count(const void* buffer) noexcept;   // 0 if invalid
RT_NONBLOCKING size_t max_event_size(const void* buffer) noexcept; // 0 if invalid or full

// Event `index`: 0, -EINVAL (invalid buffer or a record pointing outside it), or -ENOBUFS
// (no such event), as jack_midi_event_get in libjack-jackd2.
RT_NONBLOCKING int get(const void* buffer, uint32_t index, Event& event) noexcept;

// jack_midi_event_reserve: room for `size` bytes at `time`. 0 with `*data` set; -EINVAL for an
// invalid buffer, `time >= nframes` or `time` earlier than the last event (nothing counted);
// -ENOBUFS when the event does not fit (counted in lost_events).
RT_NONBLOCKING int reserve(void* buffer, uint32_t time, size_t size, unsigned char** data) noexcept;

// jack_midi_event_write: reserve, then copy `size` bytes of `data`. Same results; a null `data`
// with a non-zero size is -EINVAL.
RT_NONBLOCKING int write(void* buffer, uint32_t time, const unsigned char* data,
                         size_t size) noexcept;

namespace detail {
RT_NONBLOCKING uint32_t event_time(const void* buffer, uint32_t index) noexcept;
// The first event of `buffer` (`count` events, sorted by time) whose (time, source, index) key
// comes after (last_time, last_source, last_index); `count` if none. Checked, not assumed, so
// unsorted (corrupt) records cannot make a merge go backwards.
RT_NONBLOCKING uint32_t first_after(const void* buffer, uint32_t count, uint32_t source,
                                    uint32_t last_time, uint32_t last_source,
                                    uint32_t last_index) noexcept;
enum class Copy { copied, full, corrupt };
RT_NONBLOCKING Copy copy_event(void* dest, const void* source, uint32_t index) noexcept;
RT_NONBLOCKING void add_lost(void* buffer, uint64_t lost) noexcept;
} // namespace detail

// Merges the events of `count` sources into `dest`, reset for `frames`: in time order, and
// stable (equal times keep source order, then each source's own order), as JACK2's mixdown.
// `source(i)` returns the i-th source buffer, or nullptr for one that contributes nothing; an
// invalid buffer contributes nothing either. lost_events becomes the sum of the sources' lost
// counts plus every event not merged: once one does not fit, merging stops (as JACK2).
// No state is kept per source: each step takes the smallest (time, source, index) key after
// the last one copied, so any number of sources merges without allocation, in at most
// kMaxEvents steps whatever the sources hold.
template <typename SourceAt>
RT_NONBLOCKING void merge(void* dest, uint32_t frames, uint32_t count,
                          const SourceAt& source) noexcept {
    init(dest, frames);
    uint64_t total = 0, lost = 0;
    for (uint32_t i = 0; i < count; ++i) {
        const void* buffer = source(i);
        if (!buffer || !valid(buffer)) continue;
        total += event_count(buffer);
        lost += lost_count(buffer);
    }
    uint64_t merged = 0;
    bool started = false;
    uint32_t last_time = 0, last_source = 0, last_index = 0;
    for (uint32_t step = 0; step <= kMaxEvents; ++step) {
        const void* best = nullptr;
        uint32_t best_time = 0, best_source = 0, best_index = 0;
        for (uint32_t i = 0; i < count; ++i) {
            const void* buffer = source(i);
            if (!buffer || !valid(buffer)) continue;
            uint32_t events = event_count(buffer);
            uint32_t index =
                started ? detail::first_after(buffer, events, i, last_time, last_source, last_index)
                        : 0;
            if (index >= events) continue;
            uint32_t time = detail::event_time(buffer, index);
            // Strictly earlier only: on equal times the earlier source (connection) wins.
            if (!best || time < best_time) {
                best = buffer;
                best_time = time;
                best_source = i;
                best_index = index;
            }
        }
        if (!best) break;
        detail::Copy copied = detail::copy_event(dest, best, best_index);
        if (copied == detail::Copy::full) break;
        if (copied == detail::Copy::copied) ++merged; // a corrupt record is skipped (lost)
        started = true;
        last_time = best_time;
        last_source = best_source;
        last_index = best_index;
    }
    detail::add_lost(dest, lost + (total > merged ? total - merged : 0));
}

// The same over an array of buffers (nullptr entries allowed).
RT_NONBLOCKING void merge(void* dest, uint32_t frames, const void* const* sources,
                          uint32_t count) noexcept;

} // namespace bantam::ipc::midi
