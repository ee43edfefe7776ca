#include "drivers/alsa/sample_format.hpp"

#include <bit>
#include <cstring>

namespace bantam::drivers::alsa {

static_assert(std::endian::native == std::endian::little,
              "device buffers are read as little-endian (the *_LE formats)");

namespace {

// Rounds half away from zero in double, where every product of a float and a power of two up
// to 2^31 is exact, so integer-valued samples are never moved by the rounding.
RT_NONBLOCKING int32_t to_integer(float sample, int bits) noexcept {
    const double full_scale = double(uint32_t(1) << (bits - 1));
    const double scaled = double(sample) * full_scale;
    if (scaled != scaled) return 0;
    if (scaled >= full_scale - 0.5) return int32_t(full_scale - 1);
    if (scaled <= -full_scale) return int32_t(-full_scale);
    return int32_t(scaled >= 0 ? scaled + 0.5 : scaled - 0.5);
}

RT_NONBLOCKING float from_integer(int32_t sample, int bits) noexcept {
    return float(double(sample) / double(uint32_t(1) << (bits - 1)));
}

RT_NONBLOCKING int32_t load_s32(const std::byte* at) noexcept {
    int32_t value;
    std::memcpy(&value, at, sizeof value);
    return value;
}

RT_NONBLOCKING void store_s32(std::byte* at, int32_t value) noexcept {
    std::memcpy(at, &value, sizeof value);
}

} // namespace

std::string_view format_name(SampleFormat format) noexcept {
    switch (format) {
    case SampleFormat::s32:
        return "S32_LE";
    case SampleFormat::s24_3:
        return "S24_3LE";
    case SampleFormat::s24:
        return "S24_LE";
    case SampleFormat::s16:
        return "S16_LE";
    case SampleFormat::float32:
        return "FLOAT_LE";
    }
    return "?";
}

uint32_t bytes_per_sample(SampleFormat format) noexcept {
    switch (format) {
    case SampleFormat::s24_3:
        return 3;
    case SampleFormat::s16:
        return 2;
    default:
        return 4;
    }
}

void decode_samples(SampleFormat format, ChannelBuffer source, float* destination,
                    uint32_t frames) noexcept {
    const std::byte* at = source.first;
    for (uint32_t i = 0; i < frames; ++i, at += source.stride) {
        switch (format) {
        case SampleFormat::s32:
            destination[i] = from_integer(load_s32(at), 32);
            break;
        case SampleFormat::s24: // the low three bytes; the top byte is padding
            destination[i] = from_integer(int32_t(uint32_t(load_s32(at)) << 8) >> 8, 24);
            break;
        case SampleFormat::s24_3: {
            uint32_t bits = uint32_t(at[0]) << 8 | uint32_t(at[1]) << 16 | uint32_t(at[2]) << 24;
            destination[i] = from_integer(int32_t(bits) >> 8, 24);
            break;
        }
        case SampleFormat::s16: {
            int16_t value;
            std::memcpy(&value, at, sizeof value);
            destination[i] = from_integer(value, 16);
            break;
        }
        case SampleFormat::float32:
            std::memcpy(&destination[i], at, sizeof(float));
            break;
        }
    }
}

void encode_samples(SampleFormat format, const float* source, ChannelBuffer destination,
                    uint32_t frames) noexcept {
    std::byte* at = destination.first;
    for (uint32_t i = 0; i < frames; ++i, at += destination.stride) {
        switch (format) {
        case SampleFormat::s32:
            store_s32(at, to_integer(source[i], 32));
            break;
        case SampleFormat::s24: // sign-extended into the padding byte, as cards expect
            store_s32(at, to_integer(source[i], 24));
            break;
        case SampleFormat::s24_3: {
            uint32_t value = uint32_t(to_integer(source[i], 24));
            at[0] = std::byte(value);
            at[1] = std::byte(value >> 8);
            at[2] = std::byte(value >> 16);
            break;
        }
        case SampleFormat::s16: {
            int16_t value = int16_t(to_integer(source[i], 16));
            std::memcpy(at, &value, sizeof value);
            break;
        }
        case SampleFormat::float32: {
            float value = source[i];
            if (value != value) value = 0.0f;
            std::memcpy(at, &value, sizeof value);
            break;
        }
        }
    }
}

void encode_silence(SampleFormat format, ChannelBuffer destination, uint32_t frames) noexcept {
    // Zero bytes are silence in every supported format.
    const uint32_t size = bytes_per_sample(format);
    std::byte* at = destination.first;
    for (uint32_t i = 0; i < frames; ++i, at += destination.stride)
        for (uint32_t b = 0; b < size; ++b)
            at[b] = std::byte{0};
}

} // namespace bantam::drivers::alsa
