#include "adapter/resampler.hpp"

#include <samplerate.h>

#include <stdexcept>
#include <string>

namespace bantam::adapter {

int converter_for_quality(int quality) noexcept {
    switch (quality) {
    case 0:
        return SRC_LINEAR;
    case 1:
        return SRC_ZERO_ORDER_HOLD;
    case 2:
        return SRC_SINC_FASTEST;
    case 3:
        return SRC_SINC_MEDIUM_QUALITY;
    case 4:
        return SRC_SINC_BEST_QUALITY;
    default:
        return -1;
    }
}

const char* quality_name(int quality) noexcept {
    const int converter = converter_for_quality(quality);
    return converter < 0 ? "invalid" : src_get_name(converter);
}

Resampler::Resampler(int quality, size_t channels) : channels_(channels) {
    const int converter = converter_for_quality(quality);
    if (converter < 0)
        throw std::runtime_error("resampling quality " + std::to_string(quality) +
                                 " is out of range (0..4)");
    int error = 0;
    state_ = src_new(converter, int(channels), &error);
    if (!state_) throw std::runtime_error(std::string("libsamplerate: ") + src_strerror(error));
}

Resampler::~Resampler() {
    src_delete(state_);
}

Resampler::Result Resampler::process(const float* input, size_t input_frames, float* output,
                                     size_t output_frames, double ratio) noexcept {
    SRC_DATA data{};
    data.data_in = input;
    data.data_out = output;
    data.input_frames = long(input_frames);
    data.output_frames = long(output_frames);
    data.src_ratio = ratio;
    data.end_of_input = 0;
    // libsamplerate's process path works in the state src_new allocated; it neither allocates
    // nor locks.
    RT_ASSUME_SAFE_BEGIN
    const int error = src_process(state_, &data);
    RT_ASSUME_SAFE_END
    if (error != 0) return {0, 0, false};
    return {size_t(data.input_frames_used), size_t(data.output_frames_gen), true};
}

void Resampler::reset() noexcept {
    RT_ASSUME_SAFE_BEGIN
    src_reset(state_);
    RT_ASSUME_SAFE_END
}

} // namespace bantam::adapter
