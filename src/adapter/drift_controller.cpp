#include "adapter/drift_controller.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace bantam::adapter {

DriftController::DriftController(double device_rate, double interval,
                                 const LoopTuning& tuning) noexcept
    : smoothing_hz_(tuning.smoothing_hz), max_correction_(tuning.max_correction_ppm * 1e-6) {
    const double natural = 2 * std::numbers::pi * tuning.natural_hz;
    kp_ = 2 * tuning.damping * natural / device_rate;
    ki_ = natural * natural / device_rate;
    set_interval(interval);
}

void DriftController::set_interval(double interval) noexcept {
    interval_ = interval;
    alpha_ = 1 - std::exp(-2 * std::numbers::pi * smoothing_hz_ * interval);
}

double DriftController::update(double error_frames) noexcept {
    smoothed_ += alpha_ * (error_frames - smoothed_);
    const double step = ki_ * smoothed_ * interval_;
    const double unclamped = -(kp_ * smoothed_ + integral_ + step);
    // Integrate unless that would push a correction already at its limit further out.
    const bool winding_up =
        (unclamped > max_correction_ && step < 0) || (unclamped < -max_correction_ && step > 0);
    if (!winding_up) integral_ += step;
    integral_ = std::clamp(integral_, -max_correction_, max_correction_);
    correction_ = std::clamp(-(kp_ * smoothed_ + integral_), -max_correction_, max_correction_);
    return correction_;
}

void DriftController::restart_measurement(double error_frames) noexcept {
    smoothed_ = error_frames;
    correction_ = std::clamp(-(kp_ * smoothed_ + integral_), -max_correction_, max_correction_);
}

} // namespace bantam::adapter
