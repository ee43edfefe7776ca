#pragma once

// WAV files behind the dummy driver, so tests can hear the graph: a capture source loaded
// whole before the server starts, and a playback sink drained to disk by its own thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "rt/annotations.hpp"
#include "rt/spsc_queue.hpp"

namespace bantam::drivers {

// Interleaved samples of a whole file; after its end, capture reads silence.
class WavSource {
  public:
    // Throws std::runtime_error. Channels beyond the file's read silence.
    WavSource(const std::string& path, uint32_t expected_rate);
    RT_NONBLOCKING void read(std::span<float* const> channels, uint32_t frames) noexcept;

  private:
    std::vector<float> samples_;
    uint32_t channels_ = 0;
    size_t frames_total_ = 0;
    size_t position_ = 0;
};

// Playback written to a WAV file (32-bit float). The RT side pushes interleaved frames into a
// queue; a writer thread drains it. If the writer falls behind by more than the queue, frames
// are dropped and counted, never waited for.
class WavSink {
  public:
    WavSink(const std::string& path, uint32_t rate, uint32_t channels); // throws
    ~WavSink();
    RT_NONBLOCKING void write(std::span<const float* const> channels, uint32_t frames) noexcept;
    uint64_t dropped_frames() const noexcept { return dropped_.load(); }

  private:
    void drain_loop();
    std::string path_;
    uint32_t channels_;
    struct Opaque;
    std::unique_ptr<Opaque> file_;
    rt::SpscQueue<float> queue_;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> dropped_{0};
    std::thread writer_;
};

} // namespace bantam::drivers
