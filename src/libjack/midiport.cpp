// C ABI for <jack/midiport.h>: argument conversion, then one call into bantam::ipc::midi
// (src/ipc/midi_buffer.hpp), which holds the buffer layout and JACK's rules. Results are those
// of libjack-jackd2: negative errno values, 0 or NULL for a buffer that is not a MIDI buffer.
//
// Where libjack-jackd2 would crash (a NULL buffer or event pointer in jack_midi_event_write or
// jack_midi_event_get, NULL data) these fail with -EINVAL instead. libjack-jackd2 prints an
// error when jack_midi_event_reserve fails; this runs on the real-time thread, so it does not.

#include "ipc/midi_buffer.hpp"
#include "libjack/abi.hpp"

#include <jack/midiport.h>

#include <cerrno>

namespace midi = bantam::ipc::midi;

JACK_EXPORT RT_HOT uint32_t jack_midi_get_event_count(void* port_buffer) {
    return midi::event_count(port_buffer);
}

// 0, -EINVAL (not a MIDI buffer) or -ENOBUFS (no event at that index), as libjack-jackd2; the
// header's "ENODATA" is not what JACK returns. `event` is untouched on failure.
JACK_EXPORT RT_HOT int jack_midi_event_get(jack_midi_event_t* event, void* port_buffer,
                                           uint32_t event_index) {
    if (!event) return -EINVAL;
    midi::Event found;
    int result = midi::get(port_buffer, event_index, found);
    if (result != 0) return result;
    event->time = found.time;
    event->size = found.size;
    event->buffer = found.data;
    return 0;
}

JACK_EXPORT RT_HOT void jack_midi_clear_buffer(void* port_buffer) {
    midi::clear(port_buffer);
}

// Deprecated: makes any memory of JACK's maximum buffer size a MIDI buffer, for periods of the
// maximum size, as libjack-jackd2 does.
JACK_EXPORT void jack_midi_reset_buffer(void* port_buffer) {
    if (port_buffer) midi::init(port_buffer, bantam::kMaxBufferFrames);
}

JACK_EXPORT RT_HOT size_t jack_midi_max_event_size(void* port_buffer) {
    return midi::max_event_size(port_buffer);
}

// NULL for a time at or after the period, earlier than the last event, or an event that does
// not fit (only the last counts as lost).
JACK_EXPORT RT_HOT jack_midi_data_t* jack_midi_event_reserve(void* port_buffer, jack_nframes_t time,
                                                             size_t data_size) {
    jack_midi_data_t* data = nullptr;
    midi::reserve(port_buffer, time, data_size, &data);
    return data;
}

// 0, -EINVAL (not a MIDI buffer, time out of order or at/after the period) or -ENOBUFS (does
// not fit; counted as lost).
JACK_EXPORT RT_HOT int jack_midi_event_write(void* port_buffer, jack_nframes_t time,
                                             const jack_midi_data_t* data, size_t data_size) {
    return midi::write(port_buffer, time, data, data_size);
}

JACK_EXPORT RT_HOT uint32_t jack_midi_get_lost_event_count(void* port_buffer) {
    return midi::lost_count(port_buffer);
}
