#pragma once

#include <cstddef>
#include <cstdint>

namespace bantam {

// Sizes visible through the C API match jackd2's (jack_client_name_size() == 65,
// jack_port_name_size() == 321, jack_port_type_size() == 32), all counting the NUL.
inline constexpr size_t kClientNameSize = 65;
inline constexpr size_t kPortNameSize = 321;
inline constexpr size_t kPortTypeSize = 32;

inline constexpr uint32_t kMaxClients = 128; // refnum 0 is the driver ("system")
inline constexpr uint32_t kMaxPorts = 2048;  // port ids 1..kMaxPorts-1; 0 is never a port
inline constexpr uint32_t kMaxBufferFrames = 8192;
inline constexpr uint32_t kMaxConnections = 8192;
inline constexpr uint32_t kSnapshotSlots = 3;
inline constexpr uint32_t kDriverRefnum = 0;

enum class PortType : uint32_t { audio = 0, midi = 1 };
inline constexpr const char* kAudioTypeName = "32 bit float mono audio";
inline constexpr const char* kMidiTypeName = "8 bit raw midi";

} // namespace bantam
