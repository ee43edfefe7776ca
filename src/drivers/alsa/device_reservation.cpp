#include "drivers/alsa/device_reservation.hpp"

#include <algorithm>
#include <alsa/asoundlib.h>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <dbus/dbus.h>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>

#include "common/log.hpp"

namespace bantam::drivers::alsa {

namespace {

constexpr const char* kInterface = "org.freedesktop.ReserveDevice1";
constexpr const char* kApplicationName = "Bantam audio server (bantamd)";
// jackd's priority: nobody may take the card from a running audio server.
constexpr dbus_int32_t kPriority = INT32_MAX;
// Long enough for a sound server to close the card before it answers.
constexpr int kReleaseTimeoutMs = 5000;

struct Error {
    DBusError error;
    Error() { dbus_error_init(&error); }
    ~Error() { dbus_error_free(&error); }
    bool set() const { return dbus_error_is_set(&error); }
    std::string text() const { return set() ? error.message : "unknown error"; }
};

struct Message {
    DBusMessage* message;
    explicit Message(DBusMessage* m) : message(m) {}
    ~Message() {
        if (message) dbus_message_unref(message);
    }
};

// The session bus, never autolaunched: DBUS_SESSION_BUS_ADDRESS, else the user bus socket.
DBusConnection* connect_session_bus() {
    Error error;
    DBusConnection* bus = nullptr;
    const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS");
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    struct stat info {};
    if (address && *address) {
        bus = dbus_bus_get_private(DBUS_BUS_SESSION, &error.error);
    } else if (runtime && stat((std::string(runtime) + "/bus").c_str(), &info) == 0 &&
               S_ISSOCK(info.st_mode)) {
        bus = dbus_connection_open_private(("unix:path=" + std::string(runtime) + "/bus").c_str(),
                                           &error.error);
        if (bus && !dbus_bus_register(bus, &error.error)) {
            dbus_connection_close(bus);
            dbus_connection_unref(bus);
            bus = nullptr;
        }
    } else {
        BANTAM_DEBUG("alsa: no session bus: sound cards are not reserved");
        return nullptr;
    }
    if (!bus)
        BANTAM_WARN("alsa: cannot reach the session bus (%s): the card is not reserved",
                    error.text().c_str());
    else
        dbus_connection_set_exit_on_disconnect(bus, false);
    return bus;
}

void append_variant(DBusMessageIter* into, int type, const void* value) {
    const char signature[2] = {char(type), '\0'};
    DBusMessageIter variant;
    dbus_message_iter_open_container(into, DBUS_TYPE_VARIANT, signature, &variant);
    dbus_message_iter_append_basic(&variant, type, value);
    dbus_message_iter_close_container(into, &variant);
}

} // namespace

// Answers the reservation object's calls: RequestRelease (always no) and its properties.
struct ReservationObject {
    static DBusHandlerResult handle(DBusConnection* bus, DBusMessage* call, void* data) {
        auto* self = static_cast<DeviceReservation*>(data);
        const char* application = kApplicationName;
        const char* device = self->device_.c_str();
        DBusMessage* reply = nullptr;
        if (dbus_message_is_method_call(call, kInterface, "RequestRelease")) {
            reply = dbus_message_new_method_return(call);
            dbus_bool_t released = false;
            dbus_message_append_args(reply, DBUS_TYPE_BOOLEAN, &released, DBUS_TYPE_INVALID);
        } else if (dbus_message_is_method_call(call, DBUS_INTERFACE_PROPERTIES, "Get")) {
            const char *interface = nullptr, *property = nullptr;
            if (!dbus_message_get_args(call, nullptr, DBUS_TYPE_STRING, &interface,
                                       DBUS_TYPE_STRING, &property, DBUS_TYPE_INVALID))
                return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
            reply = dbus_message_new_method_return(call);
            DBusMessageIter out;
            dbus_message_iter_init_append(reply, &out);
            if (std::string(property) == "Priority")
                append_variant(&out, DBUS_TYPE_INT32, &kPriority);
            else if (std::string(property) == "ApplicationName")
                append_variant(&out, DBUS_TYPE_STRING, &application);
            else if (std::string(property) == "ApplicationDeviceName")
                append_variant(&out, DBUS_TYPE_STRING, &device);
            else {
                dbus_message_unref(reply);
                reply = dbus_message_new_error(call, DBUS_ERROR_UNKNOWN_PROPERTY, property);
            }
        } else if (dbus_message_is_method_call(call, DBUS_INTERFACE_PROPERTIES, "GetAll")) {
            reply = dbus_message_new_method_return(call);
            DBusMessageIter out, all, entry;
            dbus_message_iter_init_append(reply, &out);
            dbus_message_iter_open_container(&out, DBUS_TYPE_ARRAY, "{sv}", &all);
            auto add = [&](const char* key, int type, const void* value) {
                dbus_message_iter_open_container(&all, DBUS_TYPE_DICT_ENTRY, nullptr, &entry);
                dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key);
                append_variant(&entry, type, value);
                dbus_message_iter_close_container(&all, &entry);
            };
            add("Priority", DBUS_TYPE_INT32, &kPriority);
            add("ApplicationName", DBUS_TYPE_STRING, &application);
            add("ApplicationDeviceName", DBUS_TYPE_STRING, &device);
            dbus_message_iter_close_container(&out, &all);
        } else {
            return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
        }
        dbus_connection_send(bus, reply, nullptr);
        dbus_message_unref(reply);
        return DBUS_HANDLER_RESULT_HANDLED;
    }
};

int card_of_device(const std::string& alsa_device) {
    const auto colon = alsa_device.find(':');
    if (colon == std::string::npos) return -1;
    const std::string plugin = alsa_device.substr(0, colon);
    if (plugin != "hw" && plugin != "plughw") return -1;
    std::string card = alsa_device.substr(colon + 1, alsa_device.find(',', colon) - colon - 1);
    if (card.rfind("CARD=", 0) == 0) card = card.substr(5);
    if (card.empty()) return -1;
    if (std::all_of(card.begin(), card.end(), [](unsigned char c) { return std::isdigit(c); }))
        return card.size() < 3 ? std::atoi(card.c_str()) : -1;
    const int index = snd_card_get_index(card.c_str());
    return index >= 0 ? index : -1;
}

std::unique_ptr<DeviceReservation> DeviceReservation::acquire(int card, const std::string& device) {
    dbus_threads_init_default();
    DBusConnection* bus = connect_session_bus();
    if (!bus) return nullptr;
    std::unique_ptr<DeviceReservation> reservation(new DeviceReservation(bus, card, device));
    std::string why;
    const int result = reservation->request_name(DBUS_NAME_FLAG_DO_NOT_QUEUE, why);
    if (result == DBUS_REQUEST_NAME_REPLY_EXISTS) {
        if (!reservation->ask_holder_to_release())
            throw std::runtime_error(device + " (card " + std::to_string(card) + ") is in use by " +
                                     reservation->describe_holder() + ", which did not release it");
    } else if (result != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
        throw std::runtime_error("cannot reserve " + device + " (card " + std::to_string(card) +
                                 ") on the session bus: " + why);
    }
    reservation->server_ = std::thread([r = reservation.get()] { r->serve(); });
    return reservation;
}

DeviceReservation::DeviceReservation(DBusConnection* bus, int card, std::string device)
    : bus_(bus), bus_name_(std::string(kInterface) + ".Audio" + std::to_string(card)),
      object_path_("/org/freedesktop/ReserveDevice1/Audio" + std::to_string(card)),
      device_(std::move(device)) {
    static const DBusObjectPathVTable vtable = {
        nullptr, &ReservationObject::handle, nullptr, nullptr, nullptr, nullptr};
    dbus_connection_register_object_path(bus_, object_path_.c_str(), &vtable, this);
}

DeviceReservation::~DeviceReservation() {
    stopping_ = true;
    if (server_.joinable()) server_.join();
    Error error;
    dbus_bus_release_name(bus_, bus_name_.c_str(), &error.error);
    dbus_connection_unregister_object_path(bus_, object_path_.c_str());
    dbus_connection_flush(bus_);
    dbus_connection_close(bus_);
    dbus_connection_unref(bus_);
}

int DeviceReservation::request_name(unsigned flags, std::string& why) {
    Error error;
    const int result = dbus_bus_request_name(bus_, bus_name_.c_str(), flags, &error.error);
    if (result < 0) why = error.text();
    return result == DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER ? DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
                                                           : result;
}

bool DeviceReservation::ask_holder_to_release() {
    Message call(dbus_message_new_method_call(bus_name_.c_str(), object_path_.c_str(), kInterface,
                                              "RequestRelease"));
    dbus_int32_t priority = kPriority;
    dbus_message_append_args(call.message, DBUS_TYPE_INT32, &priority, DBUS_TYPE_INVALID);
    Error error;
    Message reply(dbus_connection_send_with_reply_and_block(bus_, call.message, kReleaseTimeoutMs,
                                                            &error.error));
    dbus_bool_t released = false;
    if (!reply.message ||
        !dbus_message_get_args(reply.message, nullptr, DBUS_TYPE_BOOLEAN, &released,
                               DBUS_TYPE_INVALID) ||
        !released)
        return false;
    // The holder agreed: it allowed replacement when it took the name, or gives it up itself.
    for (int tries = 0; tries < 40; ++tries) {
        std::string why;
        if (request_name(DBUS_NAME_FLAG_DO_NOT_QUEUE | DBUS_NAME_FLAG_REPLACE_EXISTING, why) ==
            DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER)
            return true;
        dbus_connection_read_write(bus_, 50);
    }
    return false;
}

std::string DeviceReservation::describe_holder() {
    Message call(dbus_message_new_method_call(bus_name_.c_str(), object_path_.c_str(),
                                              DBUS_INTERFACE_PROPERTIES, "Get"));
    const char *interface = kInterface, *property = "ApplicationName";
    dbus_message_append_args(call.message, DBUS_TYPE_STRING, &interface, DBUS_TYPE_STRING,
                             &property, DBUS_TYPE_INVALID);
    Error error;
    Message reply(
        dbus_connection_send_with_reply_and_block(bus_, call.message, 1000, &error.error));
    DBusMessageIter iter, variant;
    if (reply.message && dbus_message_iter_init(reply.message, &iter) &&
        dbus_message_iter_get_arg_type(&iter) == DBUS_TYPE_VARIANT) {
        dbus_message_iter_recurse(&iter, &variant);
        if (dbus_message_iter_get_arg_type(&variant) == DBUS_TYPE_STRING) {
            const char* name = nullptr;
            dbus_message_iter_get_basic(&variant, &name);
            return std::string("'") + name + "'";
        }
    }
    // No ApplicationName: name the process that owns the bus name.
    Message pid_call(dbus_message_new_method_call(
        DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "GetConnectionUnixProcessID"));
    const char* name = bus_name_.c_str();
    dbus_message_append_args(pid_call.message, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID);
    Error pid_error;
    Message pid_reply(
        dbus_connection_send_with_reply_and_block(bus_, pid_call.message, 1000, &pid_error.error));
    dbus_uint32_t pid = 0;
    if (pid_reply.message && dbus_message_get_args(pid_reply.message, nullptr, DBUS_TYPE_UINT32,
                                                   &pid, DBUS_TYPE_INVALID)) {
        std::string command;
        std::getline(std::ifstream("/proc/" + std::to_string(pid) + "/comm"), command);
        return "process " + std::to_string(pid) + (command.empty() ? "" : " (" + command + ")");
    }
    return "another program (" + bus_name_ + " is taken)";
}

void DeviceReservation::serve() noexcept {
    while (!stopping_.load() && dbus_connection_read_write_dispatch(bus_, 100)) {
    }
}

} // namespace bantam::drivers::alsa
