// Freewheel mode: not implemented yet (issue 3: the rest of the JACK API). The server cannot
// enter or leave freewheel mode, so the request fails with -1.

#include "libjack/abi.hpp"

#include <jack/jack.h>

JACK_EXPORT int jack_set_freewheel(jack_client_t*, int) {
    return -1;
}
