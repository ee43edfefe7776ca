#pragma once

// DriftController: the control loop that keeps the adapter's buffer at its target fill while
// the device clock and the JACK clock drift apart.
//
// Plant: the buffer's fill error e (device frames above the target) changes at
//     de/dt = device_rate * (c + d)
// where c is the relative correction applied to the resampling ratio (ratio = nominal*(1+c);
// both directions are written so that a negative c drains the buffer) and d the unknown relative
// drift between the clocks. That is an integrator, so a PI controller on e gives a second-order
// loop with no steady-state error for a constant drift:
//     c = -(kp * e_s + ki * integral(e_s) dt)
// with e_s the error after a one-pole low-pass that removes the measurement's jitter (the
// device's pointer advances in bursts, USB cards' by a millisecond at a time). kp and ki follow
// from the loop's natural frequency wn and damping z: kp = 2 z wn / rate, ki = wn^2 / rate. For a
// step of drift d the error peaks at about rate*d/(wn*e) frames (z = 1) and returns to zero with
// time constant 1/wn; the integrator then holds -d.
//
// The correction is clamped to +-max_correction_ppm: real clocks are within a few hundred ppm of
// each other, and a ratio that could swing further would only let a bad measurement be heard.
// While clamped, the integrator stops growing (anti-windup).
//
// Pure arithmetic, no allocation: safe on the real-time thread.

#include "rt/annotations.hpp"

namespace bantam::adapter {

struct LoopTuning {
    double natural_hz = 0.05;          // the loop's natural frequency
    double damping = 1.0;              // 1: critically damped, no overshoot of the ratio
    double smoothing_hz = 0.5;         // corner of the measurement low-pass
    double max_correction_ppm = 500.0; // the ratio stays within this of nominal
};

class DriftController {
  public:
    // device_rate: frames per second of the buffer being controlled; interval: seconds between
    // updates (one JACK period).
    DriftController(double device_rate, double interval, const LoopTuning& tuning) noexcept;

    // Thread: JACK. Feeds one measurement (device frames above target) and returns the relative
    // correction c to apply to the ratio.
    RT_NONBLOCKING double update(double error_frames) noexcept;

    // Thread: JACK. After the buffer was re-centred: the low-pass restarts from `error_frames`;
    // the integrator keeps the drift it learned, which a device restart does not change.
    RT_NONBLOCKING void restart_measurement(double error_frames) noexcept;

    // Thread: JACK. A new update interval (the JACK buffer size changed); gains are per second
    // and stay the same.
    RT_NONBLOCKING void set_interval(double interval) noexcept;

    double correction() const noexcept { return correction_; }
    double smoothed_error() const noexcept { return smoothed_; }
    double max_correction() const noexcept { return max_correction_; }

  private:
    double kp_;
    double ki_;
    double smoothing_hz_;
    double max_correction_;
    double interval_ = 0;
    double alpha_ = 0; // low-pass coefficient for one interval
    double smoothed_ = 0;
    double integral_ = 0; // ki * integral(e_s) dt, already in units of correction
    double correction_ = 0;
};

} // namespace bantam::adapter
