#include "adapter/adapter_config.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace bantam::adapter {

namespace {
double minimum_latency(const AdapterConfig& config, uint32_t jack_period) noexcept {
    if (config.direction == Direction::capture)
        return config.device_period + jack_period_in_device_frames(config, jack_period);
    return double(config.device_period) * config.device_periods;
}

double default_margin(const AdapterConfig& config, uint32_t jack_period) noexcept {
    return std::max(double(config.device_period),
                    jack_period_in_device_frames(config, jack_period));
}

[[noreturn]] void reject(const std::string& message) {
    throw std::invalid_argument(message);
}
} // namespace

double jack_period_in_device_frames(const AdapterConfig& config, uint32_t jack_period) noexcept {
    return std::ceil(jack_period * config.device_rate / config.jack_rate);
}

AdapterSizing size_adapter(const AdapterConfig& config, uint32_t jack_period) noexcept {
    AdapterSizing sizing;
    sizing.minimum = minimum_latency(config, jack_period);
    if (config.target_frames != 0 && config.max_diff_frames != 0) {
        sizing.target = config.target_frames;
        sizing.max_diff = config.max_diff_frames;
    } else if (config.target_frames != 0) {
        sizing.target = config.target_frames;
        sizing.max_diff = std::max(1.0, sizing.target - sizing.minimum);
    } else {
        sizing.max_diff = config.max_diff_frames != 0 ? double(config.max_diff_frames)
                                                      : default_margin(config, jack_period);
        sizing.target = sizing.minimum + sizing.max_diff;
    }
    if (config.fifo_frames != 0) {
        sizing.fifo_frames = config.fifo_frames;
    } else {
        // Room for the largest JACK period Bantam allows, so a buffer-size change never needs a
        // new FIFO: the most ever buffered is target + max_diff plus one period of each side.
        const AdapterSizing largest = [&] {
            AdapterConfig copy = config;
            copy.fifo_frames = 1;
            return size_adapter(copy, std::max(jack_period, kMaxJackPeriod));
        }();
        sizing.fifo_frames = size_t(
            std::max(largest.target, sizing.target) + std::max(largest.max_diff, sizing.max_diff) +
            config.device_period + jack_period_in_device_frames(config, kMaxJackPeriod) + 64);
    }
    return sizing;
}

void validate(const AdapterConfig& config) {
    if (config.channels == 0) reject("no channels");
    if (config.jack_rate <= 0 || config.device_rate <= 0) reject("sample rates must be positive");
    const double ratio = config.jack_rate / config.device_rate;
    if (ratio > 8 || ratio < 1.0 / 8)
        reject("the device rate " + std::to_string(int(config.device_rate)) +
               " is too far from JACK's " + std::to_string(int(config.jack_rate)));
    if (config.jack_period == 0 || config.jack_period > kMaxJackPeriod)
        reject("JACK period " + std::to_string(config.jack_period) + " out of range");
    if (config.device_period == 0 || config.device_periods < 2)
        reject("the device needs a period and at least 2 periods");
    if (converter_for_quality(config.quality) < 0)
        reject("resampling quality " + std::to_string(config.quality) + " out of range (0..4)");
    const AdapterSizing sizing = size_adapter(config, config.jack_period);
    if (sizing.max_diff > sizing.target)
        reject("max_diff (" + std::to_string(int(sizing.max_diff)) +
               ") can not be larger than the target delay (" + std::to_string(int(sizing.target)) +
               ")");
    if (sizing.target - sizing.max_diff < sizing.minimum)
        reject("target delay " + std::to_string(int(sizing.target)) + " minus max_diff " +
               std::to_string(int(sizing.max_diff)) + " is below the " +
               std::to_string(int(sizing.minimum)) + " frames this device and JACK period need");
    const double needed = sizing.target + sizing.max_diff + config.device_period +
                          jack_period_in_device_frames(config, config.jack_period);
    if (double(sizing.fifo_frames) < needed)
        reject("ring buffer of " + std::to_string(sizing.fifo_frames) + " frames is too small (" +
               std::to_string(int(std::ceil(needed))) + " needed)");
}

} // namespace bantam::adapter
