#pragma once

// Conversion between the engine's float samples and the sample formats sound cards take.
// Full scale is a power of two (1.0 is 2^(bits-1)), so scaling is exact: every S16 and S24
// sample, and every S32 sample whose low 8 bits are zero, goes to float and back unchanged.
// Floats beyond full scale are clipped; NaN becomes silence.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rt/annotations.hpp"

namespace bantam::drivers::alsa {

enum class SampleFormat : uint8_t { s32, s24_3, s24, s16, float32 };

// The order the driver asks a device for a format, as jackd does: the widest integer format
// first, then narrower ones, and float only where the device offers nothing else.
inline constexpr SampleFormat kFormatPreference[] = {SampleFormat::s32, SampleFormat::s24_3,
                                                     SampleFormat::s24, SampleFormat::s16,
                                                     SampleFormat::float32};

// ALSA's name for the format ("S24_3LE").
std::string_view format_name(SampleFormat format) noexcept;
// Bytes one sample occupies in the device buffer (S24 sits in 4).
uint32_t bytes_per_sample(SampleFormat format) noexcept;

// One channel of a device buffer: the address of its first sample and the distance in bytes
// from one frame to the next (the frame size when interleaved, the sample size when not).
struct ChannelBuffer {
    std::byte* first;
    size_t stride;
};

// Thread: any (RT). Never allocate.
RT_NONBLOCKING void decode_samples(SampleFormat format, ChannelBuffer source, float* destination,
                                   uint32_t frames) noexcept;
RT_NONBLOCKING void encode_samples(SampleFormat format, const float* source,
                                   ChannelBuffer destination, uint32_t frames) noexcept;
RT_NONBLOCKING void encode_silence(SampleFormat format, ChannelBuffer destination,
                                   uint32_t frames) noexcept;

} // namespace bantam::drivers::alsa
