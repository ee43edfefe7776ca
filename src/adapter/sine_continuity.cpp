#include "adapter/sine_continuity.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace bantam::adapter {

SineContinuityChecker::SineContinuityChecker(double cycles_per_sample, double amplitude,
                                             size_t block)
    : amplitude_(amplitude), block_(block) {
    w_ = 2 * std::numbers::pi * cycles_per_sample;
    threshold_ = 0.25 * amplitude * w_ * w_;
    window_.reserve(block + 2);
}

void SineContinuityChecker::push(const float* samples, size_t count, size_t stride) {
    for (size_t i = 0; i < count; ++i) {
        window_.push_back(samples[i * stride]);
        if (window_.size() == block_ + 2) analyse_block();
    }
}

void SineContinuityChecker::flag(uint64_t index) {
    if (flagged_before_ && index - last_flag_ <= kMergeDistance) {
        last_flag_ = index;
        return;
    }
    flagged_before_ = true;
    last_flag_ = index;
    ++discontinuities_;
    if (positions_.size() < 16) positions_.push_back(index);
}

// window_[0..block_+1]: residuals for the block's samples window_[1..block_].
void SineContinuityChecker::analyse_block() {
    double cross = 0, energy = 0;
    for (size_t n = 1; n <= block_; ++n) {
        cross += window_[n] * (window_[n - 1] + window_[n + 1]);
        energy += window_[n] * window_[n];
    }
    const double two_cos_w = energy > 0 ? cross / energy : 2.0;
    const double block_amplitude = std::sqrt(2 * energy / double(block_));
    const double block_w = std::acos(std::clamp(two_cos_w / 2, -1.0, 1.0));
    if (std::fabs(block_amplitude - amplitude_) > 0.1 * amplitude_ ||
        std::fabs(block_w - w_) > 0.01 * w_)
        flag(window_start_ + 1);
    for (size_t n = 1; n <= block_; ++n) {
        const double residual = std::fabs(window_[n + 1] + window_[n - 1] - two_cos_w * window_[n]);
        worst_residual_ = std::max(worst_residual_, residual);
        if (residual > threshold_) flag(window_start_ + n);
    }
    checked_ += block_;
    // The last two samples are the next block's context.
    window_[0] = window_[block_];
    window_[1] = window_[block_ + 1];
    window_.resize(2);
    window_start_ += block_;
}

} // namespace bantam::adapter
