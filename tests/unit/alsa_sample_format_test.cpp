// The ALSA driver's sample conversion: exact round trips for every value a format can hold
// (within float's 24-bit mantissa), clipping, NaN, and the byte layouts of the 24-bit formats.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "drivers/alsa/sample_format.hpp"

using namespace bantam::drivers::alsa;

namespace {

// One mono channel of `frames` samples of `format`, tightly packed.
struct Mono {
    SampleFormat format;
    std::vector<std::byte> bytes;
    Mono(SampleFormat f, size_t frames) : format(f), bytes(frames * bytes_per_sample(f)) {}
    ChannelBuffer channel() { return {bytes.data(), bytes_per_sample(format)}; }
    uint32_t frames() const { return uint32_t(bytes.size() / bytes_per_sample(format)); }
};

// Round trip of integers: integer -> device bytes -> float -> device bytes -> integer.
void expect_integers_round_trip(SampleFormat format, int bits, const std::vector<int32_t>& values) {
    Mono device(format, values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        uint32_t raw = uint32_t(values[i]);
        std::memcpy(device.bytes.data() + i * bytes_per_sample(format), &raw,
                    bytes_per_sample(format));
    }
    std::vector<float> floats(values.size());
    decode_samples(format, device.channel(), floats.data(), device.frames());
    Mono back(format, values.size());
    encode_samples(format, floats.data(), back.channel(), back.frames());
    for (size_t i = 0; i < values.size(); ++i) {
        int32_t value = 0;
        std::memcpy(&value, back.bytes.data() + i * bytes_per_sample(format),
                    bytes_per_sample(format));
        if (bits < 32) value = int32_t(uint32_t(value) << (32 - bits)) >> (32 - bits);
        ASSERT_EQ(value, values[i]) << format_name(format) << " sample " << i;
        ASSERT_EQ(floats[i], float(std::ldexp(double(values[i]), 1 - bits)));
    }
}

// Every value for 16 bits; for 24, every value within 2^16 of zero and of both ends of the
// range, and every 251st value in between (all of them takes seconds under the sanitizers).
std::vector<int32_t> test_values(int bits) {
    const int64_t low = -(int64_t(1) << (bits - 1)), high = (int64_t(1) << (bits - 1)) - 1;
    std::vector<int32_t> values;
    for (int64_t v = low; v <= high;) {
        values.push_back(int32_t(v));
        const bool near_edge = v < low + 65536 || v > high - 65536 || (v > -65536 && v < 65536);
        v += near_edge ? 1 : 251;
    }
    return values;
}

template <typename T> T encoded(SampleFormat format, float sample) {
    Mono device(format, 1);
    encode_samples(format, &sample, device.channel(), 1);
    T value{};
    std::memcpy(&value, device.bytes.data(), std::min(sizeof(T), device.bytes.size()));
    return value;
}

} // namespace

TEST(alsa_sample_format, integer_samples_round_trip) {
    expect_integers_round_trip(SampleFormat::s16, 16, test_values(16));
    expect_integers_round_trip(SampleFormat::s24_3, 24, test_values(24));
    expect_integers_round_trip(SampleFormat::s24, 24, test_values(24));
}

TEST(alsa_sample_format, s32_is_exact_to_24_significant_bits) {
    std::mt19937 random(7);
    std::vector<int32_t> values = {std::numeric_limits<int32_t>::min(), int32_t(0x7fffff00), 256,
                                   -256};
    for (int i = 0; i < 100000; ++i)
        values.push_back(int32_t(random() & 0xffffff00u));
    expect_integers_round_trip(SampleFormat::s32, 32, values);
    // Beyond 24 bits the float rounds: never by more than half a float step.
    for (int i = 0; i < 100000; ++i) {
        const int32_t value = int32_t(random());
        float sample = 0;
        Mono device(SampleFormat::s32, 1);
        std::memcpy(device.bytes.data(), &value, 4);
        decode_samples(SampleFormat::s32, device.channel(), &sample, 1);
        ASSERT_LE(std::abs(int64_t(encoded<int32_t>(SampleFormat::s32, sample)) - value), 128);
    }
}

TEST(alsa_sample_format, float_passes_unchanged_and_unclipped) {
    const float samples[] = {0.0f, -0.0f, 1e-30f, 0.123456789f, -1.0f, 1.0f, 2.5f, -7.0f};
    for (float sample : samples)
        EXPECT_EQ(encoded<float>(SampleFormat::float32, sample), sample);
}

TEST(alsa_sample_format, integers_clip_at_full_scale) {
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, 1.0f), 32767);
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, 1.5f), 32767);
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, -1.0f), -32768);
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, -3.0f), -32768);
    EXPECT_EQ(encoded<int32_t>(SampleFormat::s32, 1.0f), std::numeric_limits<int32_t>::max());
    EXPECT_EQ(encoded<int32_t>(SampleFormat::s32, -1.0f), std::numeric_limits<int32_t>::min());
    EXPECT_EQ(encoded<int32_t>(SampleFormat::s24, 4.0f), 0x7fffff);
    EXPECT_EQ(encoded<int32_t>(SampleFormat::s24, -4.0f), -0x800000);
}

TEST(alsa_sample_format, rounds_to_nearest) {
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, 0.4f / 32768), 0);
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, 0.6f / 32768), 1);
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, -0.6f / 32768), -1);
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, 100.7f / 32768), 101);
}

TEST(alsa_sample_format, nan_becomes_silence) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(encoded<int16_t>(SampleFormat::s16, nan), 0);
    EXPECT_EQ(encoded<int32_t>(SampleFormat::s32, nan), 0);
    EXPECT_EQ(encoded<int32_t>(SampleFormat::s24_3, nan) & 0xffffff, 0);
    EXPECT_EQ(encoded<int32_t>(SampleFormat::s24, nan), 0);
    EXPECT_EQ(encoded<float>(SampleFormat::float32, nan), 0.0f);
}

TEST(alsa_sample_format, s24_layouts) {
    // S24_3LE: three little-endian bytes. S24_LE: the low three bytes of four, sign-extended
    // when written, the top byte ignored when read.
    const float sample = float(0x123456) / float(1 << 23);
    Mono packed(SampleFormat::s24_3, 1);
    encode_samples(SampleFormat::s24_3, &sample, packed.channel(), 1);
    EXPECT_EQ(packed.bytes,
              (std::vector<std::byte>{std::byte{0x56}, std::byte{0x34}, std::byte{0x12}}));
    EXPECT_EQ(uint32_t(encoded<int32_t>(SampleFormat::s24, -1.0f / float(1 << 23))), 0xffffffffu);
    Mono padded(SampleFormat::s24, 1);
    const uint32_t with_junk_on_top = 0xab800000; // -2^23 in the low three bytes
    std::memcpy(padded.bytes.data(), &with_junk_on_top, 4);
    float decoded = 0;
    decode_samples(SampleFormat::s24, padded.channel(), &decoded, 1);
    EXPECT_EQ(decoded, -1.0f);
}

TEST(alsa_sample_format, interleaved_channels_stay_apart) {
    // Two channels of S16 interleaved: writing channel 1 leaves channel 0 alone.
    std::vector<std::byte> frames(4 * 4, std::byte{0x77});
    const float ramp[] = {0.5f, -0.5f, 0.25f, -0.25f};
    encode_samples(SampleFormat::s16, ramp, {frames.data() + 2, 4}, 4);
    float back[4] = {};
    decode_samples(SampleFormat::s16, {frames.data() + 2, 4}, back, 4);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(back[i], ramp[i]);
        EXPECT_EQ(frames[size_t(i) * 4], std::byte{0x77});
        EXPECT_EQ(frames[size_t(i) * 4 + 1], std::byte{0x77});
    }
    encode_silence(SampleFormat::s16, {frames.data() + 2, 4}, 4);
    decode_samples(SampleFormat::s16, {frames.data() + 2, 4}, back, 4);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(back[i], 0.0f);
        EXPECT_EQ(frames[size_t(i) * 4], std::byte{0x77});
    }
}

TEST(alsa_sample_format, preference_is_jackds) {
    std::vector<std::string_view> names;
    for (SampleFormat format : kFormatPreference)
        names.push_back(format_name(format));
    EXPECT_EQ(names,
              (std::vector<std::string_view>{"S32_LE", "S24_3LE", "S24_LE", "S16_LE", "FLOAT_LE"}));
}
