#pragma once

// SineContinuityChecker: finds discontinuities in a stream that should be one steady sine.
//
// Any three consecutive samples of a sine satisfy x[n+1] + x[n-1] = 2 cos(w) x[n]. The checker
// estimates 2 cos(w) per block by least squares (so a frequency that drifts with the clocks, or
// a resampling ratio that moves by a few hundred ppm, costs nothing) and flags every sample whose
// residual r[n] = x[n+1] + x[n-1] - 2 cos(w) x[n] exceeds
//     threshold = 0.25 * A * w^2        (A: expected amplitude, w: expected radians per sample).
// One dropped or one repeated frame leaves a residual of at least 0.5 * A * w^2 at one of the
// samples next to it, whatever the sine's phase there (worked out over all phases, and tested),
// so the threshold catches both with a factor of two to spare, while a sinc resampler's error
// is orders of magnitude below it. A block whose amplitude is more than 10% off A (silence, a
// gap) or whose frequency is more than 1% off (another channel's sine) counts too. Flags closer
// together than kMergeDistance samples are one discontinuity.
//
// Not real-time code: the simulation and the tests use it.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bantam::adapter {

class SineContinuityChecker {
  public:
    static constexpr size_t kMergeDistance = 16;

    // cycles_per_sample: the sine's expected frequency over the stream's sample rate.
    SineContinuityChecker(double cycles_per_sample, double amplitude, size_t block = 4800);

    // Appends samples (every `stride`-th value from `samples`, e.g. one channel of interleaved
    // frames). Complete blocks are analysed as they fill.
    void push(const float* samples, size_t count, size_t stride = 1);

    uint64_t discontinuities() const { return discontinuities_; }
    uint64_t samples_checked() const { return checked_; }
    // Largest residual seen, as a fraction of the threshold (< 1: nothing flagged).
    double worst_residual() const { return worst_residual_ / threshold_; }
    // Stream indices of the first discontinuities found (up to 16).
    const std::vector<uint64_t>& positions() const { return positions_; }

  private:
    void analyse_block();
    void flag(uint64_t index);

    double w_; // expected radians per sample
    double threshold_;
    double amplitude_;
    size_t block_;
    std::vector<double> window_; // two samples of context, then the block
    uint64_t window_start_ = 0;  // stream index of window_[0]
    uint64_t checked_ = 0;
    uint64_t discontinuities_ = 0;
    uint64_t last_flag_ = 0;
    bool flagged_before_ = false;
    double worst_residual_ = 0;
    std::vector<uint64_t> positions_;
};

} // namespace bantam::adapter
