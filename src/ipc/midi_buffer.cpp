#include "ipc/midi_buffer.hpp"

#include <cerrno>
#include <cstring>

namespace bantam::ipc::midi {

namespace {

RT_NONBLOCKING Header* header(void* buffer) noexcept {
    return static_cast<Header*>(buffer);
}
RT_NONBLOCKING const Header* header(const void* buffer) noexcept {
    return static_cast<const Header*>(buffer);
}
RT_NONBLOCKING EventRecord* records(void* buffer) noexcept {
    return reinterpret_cast<EventRecord*>(static_cast<unsigned char*>(buffer) + kHeaderBytes);
}
RT_NONBLOCKING const EventRecord* records(const void* buffer) noexcept {
    return reinterpret_cast<const EventRecord*>(static_cast<const unsigned char*>(buffer) +
                                                kHeaderBytes);
}

// Bytes free between the records (with room for one more) and the out-of-line data; negative
// when not even one more record fits. Assumes a valid header.
RT_NONBLOCKING int64_t room_after_next_record(const Header& h) noexcept {
    return int64_t(kBufferBytes) - int64_t(kHeaderBytes) -
           int64_t(kEventBytes) * (int64_t(h.event_count) + 1) - int64_t(h.write_pos);
}

// The data of `record` inside `buffer`, or nullptr if the record points outside it.
RT_NONBLOCKING unsigned char* event_data(const void* buffer, const EventRecord& record) noexcept {
    if (record.size <= kInlineMax) return const_cast<unsigned char*>(record.payload);
    uint32_t offset;
    std::memcpy(&offset, record.payload, sizeof offset);
    if (offset < kHeaderBytes || offset > kBufferBytes || record.size > kBufferBytes - offset)
        return nullptr;
    return const_cast<unsigned char*>(static_cast<const unsigned char*>(buffer)) + offset;
}

// Appends an event checking room only: JACK2's ReserveEvent without its lost count. Merging
// uses it directly (no time rules: it copies what the sources hold, as JACK2's mixdown).
RT_NONBLOCKING unsigned char* append_unchecked(void* buffer, uint32_t time, size_t size) noexcept {
    Header& h = *header(buffer);
    int64_t room = room_after_next_record(h);
    if (room < 0) return nullptr;
    if (size > kInlineMax && size > uint64_t(room)) return nullptr;
    EventRecord& record = records(buffer)[h.event_count];
    record.time = time;
    record.size = uint32_t(size);
    ++h.event_count;
    if (size <= kInlineMax) return record.payload;
    h.write_pos += uint32_t(size);
    uint32_t offset = kBufferBytes - h.write_pos;
    std::memcpy(record.payload, &offset, sizeof offset);
    return static_cast<unsigned char*>(buffer) + offset;
}

} // namespace

void init(void* buffer, uint32_t frames) noexcept {
    Header& h = *header(buffer);
    h.magic = kMagic;
    h.buffer_size = kBufferBytes;
    h.nframes = frames;
    h.write_pos = 0;
    h.event_count = 0;
    h.lost_events = 0;
    h.reserved[0] = h.reserved[1] = 0;
}

bool valid(const void* buffer) noexcept {
    if (!buffer) return false;
    const Header& h = *header(buffer);
    if (h.magic != kMagic || h.buffer_size != kBufferBytes) return false;
    uint32_t count = h.event_count, data = h.write_pos;
    return count <= kMaxEvents && data <= kBufferBytes - kHeaderBytes - count * kEventBytes;
}

void clear(void* buffer) noexcept {
    if (valid(buffer)) init(buffer, header(buffer)->nframes);
}

uint32_t nframes(const void* buffer) noexcept {
    return valid(buffer) ? header(buffer)->nframes : 0;
}

uint32_t event_count(const void* buffer) noexcept {
    if (!valid(buffer)) return 0;
    uint32_t count = header(buffer)->event_count;
    return count <= kMaxEvents ? count : 0; // re-checked: another client may be writing
}

uint32_t lost_count(const void* buffer) noexcept {
    return valid(buffer) ? header(buffer)->lost_events : 0;
}

size_t max_event_size(const void* buffer) noexcept {
    if (!valid(buffer)) return 0;
    int64_t room = room_after_next_record(*header(buffer));
    if (room < 0) return 0;
    // An event of up to kInlineMax bytes needs its record only.
    return room < int64_t(kInlineMax) ? kInlineMax : size_t(room);
}

int get(const void* buffer, uint32_t index, Event& event) noexcept {
    if (!valid(buffer)) return -EINVAL;
    uint32_t count = header(buffer)->event_count;
    if (index >= count || index >= kMaxEvents) return -ENOBUFS;
    const EventRecord& record = records(buffer)[index];
    unsigned char* data = event_data(buffer, record);
    if (!data) return -EINVAL;
    event.time = record.time;
    event.size = record.size;
    event.data = data;
    return 0;
}

int reserve(void* buffer, uint32_t time, size_t size, unsigned char** data) noexcept {
    if (data) *data = nullptr;
    if (!valid(buffer)) return -EINVAL;
    Header& h = *header(buffer);
    if (time >= h.nframes) return -EINVAL;
    if (h.event_count > 0 && records(buffer)[h.event_count - 1].time > time) return -EINVAL;
    unsigned char* reserved = size <= kBufferBytes ? append_unchecked(buffer, time, size) : nullptr;
    if (!reserved) {
        ++h.lost_events;
        return -ENOBUFS;
    }
    if (data) *data = reserved;
    return 0;
}

int write(void* buffer, uint32_t time, const unsigned char* data, size_t size) noexcept {
    if (!data && size > 0) return -EINVAL;
    unsigned char* destination = nullptr;
    int result = reserve(buffer, time, size, &destination);
    if (result == 0 && size > 0) std::memcpy(destination, data, size);
    return result;
}

namespace {
struct ArraySources {
    const void* const* sources;
    RT_NONBLOCKING const void* operator()(uint32_t i) const noexcept { return sources[i]; }
};
} // namespace

void merge(void* dest, uint32_t frames, const void* const* sources, uint32_t count) noexcept {
    if (!sources) count = 0;
    merge(dest, frames, count, ArraySources{sources});
}

namespace detail {

uint32_t event_time(const void* buffer, uint32_t index) noexcept {
    return records(buffer)[index].time;
}

namespace {
// Whether event `index` (at `time`) of `source` comes after the last key merged.
RT_NONBLOCKING bool key_after(uint32_t time, uint32_t source, uint32_t index, uint32_t last_time,
                              uint32_t last_source, uint32_t last_index) noexcept {
    if (time != last_time) return time > last_time;
    if (source != last_source) return source > last_source;
    return index > last_index;
}
} // namespace

uint32_t first_after(const void* buffer, uint32_t count, uint32_t source, uint32_t last_time,
                     uint32_t last_source, uint32_t last_index) noexcept {
    const EventRecord* events = records(buffer);
    uint32_t index;
    if (source == last_source) {
        index = last_index + 1; // everything up to last_index of this source was taken
    } else {
        // Times are sorted: binary search for the first event after the key.
        uint32_t low = 0, high = count;
        while (low < high) {
            uint32_t mid = low + (high - low) / 2;
            if (key_after(events[mid].time, source, mid, last_time, last_source, last_index))
                high = mid;
            else
                low = mid + 1;
        }
        index = low;
    }
    if (index >= count ||
        !key_after(events[index].time, source, index, last_time, last_source, last_index))
        return count;
    return index;
}

Copy copy_event(void* dest, const void* source, uint32_t index) noexcept {
    Event event;
    if (get(source, index, event) != 0) return Copy::corrupt;
    unsigned char* target = append_unchecked(dest, event.time, event.size);
    if (!target) return Copy::full;
    std::memcpy(target, event.data, event.size);
    return Copy::copied;
}

void add_lost(void* buffer, uint64_t lost) noexcept {
    Header& h = *header(buffer);
    uint64_t sum = uint64_t(h.lost_events) + lost;
    h.lost_events = sum > UINT32_MAX ? UINT32_MAX : uint32_t(sum);
}

} // namespace detail

} // namespace bantam::ipc::midi
