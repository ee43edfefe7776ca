#pragma once

// Device reservation (org.freedesktop.ReserveDevice1 on the session bus), as jackd does it:
// before opening card N, bantamd takes the bus name org.freedesktop.ReserveDevice1.AudioN. A
// desktop sound server holding the card (PulseAudio, PipeWire) is asked to release it first,
// and hands it over; one that refuses is named in the error. While bantamd runs it answers
// others' requests with no (it reserves at the highest priority, as jackd) and releases the
// name when the driver closes. Without a session bus there is nobody to ask: nothing is done.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

struct DBusConnection;

namespace bantam::drivers::alsa {

// The card an ALSA device name opens: "hw:1", "plughw:1,0", "hw:CARD=1,DEV=0" -> 1, "hw:PCH"
// -> PCH's index when that card exists; -1 for anything else (plugins, "default", files).
int card_of_device(const std::string& alsa_device);

class DeviceReservation {
  public:
    // Thread: control. Reserves card `card` for `device`; throws std::runtime_error (one
    // line naming the holder) if someone holds it and does not release it. Returns nullptr
    // when there is no session bus.
    static std::unique_ptr<DeviceReservation> acquire(int card, const std::string& device);
    ~DeviceReservation();
    DeviceReservation(const DeviceReservation&) = delete;
    DeviceReservation& operator=(const DeviceReservation&) = delete;

    const std::string& bus_name() const noexcept { return bus_name_; }

  private:
    DeviceReservation(DBusConnection* bus, int card, std::string device);
    // DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER (also when already ours), _EXISTS, or -1 with
    // the bus's reason in `why`.
    int request_name(unsigned flags, std::string& why);
    bool ask_holder_to_release();
    std::string describe_holder();
    void serve() noexcept;

    DBusConnection* bus_;
    std::string bus_name_, object_path_, device_;
    std::atomic<bool> stopping_{false};
    std::thread server_;
    friend struct ReservationObject;
};

} // namespace bantam::drivers::alsa
