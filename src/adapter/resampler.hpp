#pragma once

// Resampler: libsamplerate's streaming converter for interleaved float frames, with a ratio
// that may change on every call. libsamplerate moves from the previous call's ratio to the new
// one gradually across the output block, so the small, frequent adjustments the drift loop makes
// never step the signal's phase.
//
// Quality follows the numbering of jackd2's audioadapter and alsa_in (-q): 0 linear,
// 1 zero-order hold, 2 sinc fastest (the default here), 3 sinc medium, 4 sinc best.
//
// The state is allocated by the constructor (src_new); process() does not allocate.

#include <cstddef>
#include <cstdint>

#include "rt/annotations.hpp"

typedef struct SRC_STATE_tag SRC_STATE;

namespace bantam::adapter {

inline constexpr int kDefaultQuality = 2;
inline constexpr int kMaxQuality = 4;

class Resampler {
  public:
    // Throws std::runtime_error if libsamplerate refuses (unknown quality, no memory).
    Resampler(int quality, size_t channels);
    ~Resampler();
    Resampler(const Resampler&) = delete;
    Resampler& operator=(const Resampler&) = delete;

    struct Result {
        size_t input_used = 0;
        size_t output_generated = 0;
        bool ok = true; // false: libsamplerate reported an error (an invalid ratio)
    };

    // Thread: the one that owns this resampler (the JACK thread). ratio = output rate / input
    // rate. Consumes up to input_frames and produces up to output_frames.
    RT_NONBLOCKING Result process(const float* input, size_t input_frames, float* output,
                                  size_t output_frames, double ratio) noexcept;

    // Thread: owner. Forgets the signal's history (the next output starts from silence).
    RT_NONBLOCKING void reset() noexcept;

    size_t channels() const noexcept { return channels_; }

  private:
    SRC_STATE* state_;
    size_t channels_;
};

// libsamplerate's converter for a -q quality, or -1 if out of range.
int converter_for_quality(int quality) noexcept;
const char* quality_name(int quality) noexcept;

} // namespace bantam::adapter
