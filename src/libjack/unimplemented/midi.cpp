// MIDI port buffers: not implemented yet (issue 3: the rest of the JACK API).
//
// Until then a port buffer is treated as an empty MIDI buffer with no room: it holds no events,
// loses none, and accepts none. Error codes are negative errno values, as libjack-jackd2 returns.

#include "libjack/abi.hpp"

#include <jack/midiport.h>

#include <cerrno>

JACK_EXPORT uint32_t jack_midi_get_event_count(void*) {
    return 0;
}

// There is no event at any index: the buffer is empty.
JACK_EXPORT int jack_midi_event_get(jack_midi_event_t*, void*, uint32_t) {
    return -ENODATA;
}

JACK_EXPORT void jack_midi_clear_buffer(void*) {}

JACK_EXPORT void jack_midi_reset_buffer(void*) {}

JACK_EXPORT size_t jack_midi_max_event_size(void*) {
    return 0;
}

JACK_EXPORT jack_midi_data_t* jack_midi_event_reserve(void*, jack_nframes_t, size_t) {
    return nullptr;
}

JACK_EXPORT int jack_midi_event_write(void*, jack_nframes_t, const jack_midi_data_t*, size_t) {
    return -ENOBUFS;
}

JACK_EXPORT uint32_t jack_midi_get_lost_event_count(void*) {
    return 0;
}
