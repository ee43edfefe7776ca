#pragma once

// AdapterClient: an ALSA device as the ports of a JACK client, one DriftAdapter and one
// DeviceThread per direction. Shared by the audioadapter internal client (inside bantamd) and
// bantam-alsa-in / bantam-alsa-out (separate programs); both only parse their options and hand
// their jack_client_t over.
//
// Ports: NAME:capture_N (device capture -> graph) and NAME:playback_N (graph -> device playback),
// as jackd2's audioadapter, alsa_in and alsa_out name them. Their latency is the adapter's
// target, converted to JACK frames. While JACK freewheels, the ports are silent.
//
// Thread: the constructor, start(), stop() and the reporting members run on the caller's
// (control) thread; the process callback runs on the JACK process thread and only calls the
// adapters' RT members.

#include <jack/jack.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapter/adapter_options.hpp"
#include "adapter/alsa_pcm.hpp"
#include "adapter/device_thread.hpp"
#include "adapter/drift_adapter.hpp"

namespace bantam::adapter {

class AdapterClient {
  public:
    // Opens the devices, builds the adapters and registers the ports; nothing runs yet. Throws
    // std::exception with one line on any failure (ports already registered are left to the
    // caller's jack_client_close or to the server's unload).
    AdapterClient(jack_client_t* client, const AdapterOptions& options);
    ~AdapterClient();
    AdapterClient(const AdapterClient&) = delete;
    AdapterClient& operator=(const AdapterClient&) = delete;

    // Starts the device threads, then activates the client. Throws on failure.
    void start();
    // Stops the device threads (the client must be deactivated first, or be closing).
    void stop() noexcept;

    // One line per direction: the device as it really runs, and the adapter's target.
    std::vector<std::string> describe() const;
    // One line per direction: fill error, ratio, counters (alsa_in -v).
    std::vector<std::string> status_lines() const;
    // Prints every loop sample queued since the last call (alsa_in -i).
    void print_loop_samples(std::FILE* out);
    // A device thread gave up (the device went away).
    bool device_failed() const;
    // Prints status_lines(), each after `prefix`, every `every` until stop() (audioadapter -v).
    void report_periodically(std::FILE* out, std::chrono::milliseconds every, std::string prefix);

  private:
    struct Side {
        std::unique_ptr<AlsaPcm> pcm;
        std::unique_ptr<DriftAdapter> adapter;
        std::unique_ptr<DeviceThread> thread;
        std::vector<jack_port_t*> ports;
        std::vector<float*> buffers; // this cycle's port buffers, sized once
    };

    void open_side(Side& side, Direction direction, const std::string& device, unsigned channels);
    static int process(jack_nframes_t frames, void* self) noexcept;
    static void freewheel(int starting, void* self) noexcept;
    static void latency(jack_latency_callback_mode_t mode, void* self) noexcept;

    jack_client_t* client_;
    AdapterOptions options_;
    Side capture_, playback_;
    // While JACK freewheels its cycles have nothing to do with the device's clock: the ports are
    // silent, and the adapters re-centre once real time resumes (a gap of many periods).
    std::atomic<bool> freewheeling_{false};
    std::thread reporter_;
    std::mutex reporter_lock_;
    std::condition_variable reporter_wake_;
    bool reporter_stop_ = false;
};

} // namespace bantam::adapter
