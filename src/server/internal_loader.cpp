// The loader thread's work: find, load and start an internal client; stop and unload one.
// The jack_* calls here are our libjack.so's, the library the loaded objects bind to.

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <jack/jack.h>
#include <unistd.h>

#include "client/client.hpp"
#include "common/log.hpp"
#include "server/internal_clients.hpp"

namespace bantam::server {

namespace {
using InitializeFunction = int (*)(jack_client_t* client, const char* load_init);
using FinishFunction = void (*)(void* arg);

// jack_client_t points straight at the client::Client that libjack.so created (see
// libjack/abi.hpp). bantamd links no copy of the client runtime, so only the class's inline
// accessors may be used on it here; every operation goes through the C API.
const client::Client& runtime_client(jack_client_t* client) {
    return *reinterpret_cast<const client::Client*>(client);
}

std::vector<std::string> search_directories() {
    std::vector<std::string> directories;
    if (const char* list = std::getenv("BANTAM_INTERNAL_DIR")) {
        std::string text = list;
        for (size_t begin = 0; begin <= text.size();) {
            size_t end = text.find(':', begin);
            if (end == std::string::npos) end = text.size();
            if (end > begin) directories.push_back(text.substr(begin, end - begin));
            begin = end + 1;
        }
    }
    // build/bin/bantamd looks in build/lib/bantam/. Never in jackd2's own directory: its
    // objects need libjackserver.
    std::error_code error;
    auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error)
        directories.push_back((executable.parent_path().parent_path() / "lib" / "bantam").string());
    return directories;
}

InternalResult failed(const InternalJob& job, uint32_t jack_status) {
    InternalResult result;
    result.job = job;
    result.jack_status = JackFailure | jack_status;
    return result;
}
} // namespace

std::string find_internal_object(const std::string& object) {
    if (object.empty()) return {};
    if (object.find('/') != std::string::npos)
        return access(object.c_str(), R_OK) == 0 ? object : std::string();
    std::string file = object.ends_with(".so") ? object : object + ".so";
    for (const std::string& directory : search_directories()) {
        std::string candidate = directory + "/" + file;
        if (access(candidate.c_str(), R_OK) == 0) return candidate;
    }
    return {};
}

InternalResult load_internal_client(const InternalJob& job, const std::string& server_name) {
    std::string path = find_internal_object(job.object);
    if (path.empty()) {
        BANTAM_ERROR("internal client '%s': no shared object '%s' found", job.name.c_str(),
                     job.object.c_str());
        return failed(job, JackLoadFailure);
    }
    void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        BANTAM_ERROR("internal client '%s': %s", job.name.c_str(), dlerror());
        return failed(job, JackLoadFailure);
    }
    auto initialize = reinterpret_cast<InitializeFunction>(dlsym(library, "jack_initialize"));
    auto finish = reinterpret_cast<FinishFunction>(dlsym(library, "jack_finish"));
    if (!initialize || !finish) {
        BANTAM_ERROR("internal client '%s': %s does not export jack_initialize and jack_finish",
                     job.name.c_str(), path.c_str());
        dlclose(library);
        return failed(job, JackLoadFailure);
    }

    jack_status_t status{};
    auto options =
        jack_options_t(JackNoStartServer | JackServerName | (job.options & JackUseExactName));
    jack_client_t* client =
        jack_client_open(job.name.c_str(), options, &status, server_name.c_str());
    if (!client) {
        dlclose(library);
        return failed(job, status);
    }
    // As JACK2: a failed jack_initialize is not followed by jack_finish.
    if (initialize(client, job.has_init ? job.init.c_str() : nullptr) != 0) {
        BANTAM_ERROR("internal client '%s': jack_initialize failed", jack_get_client_name(client));
        jack_client_close(client);
        dlclose(library);
        return failed(job, JackInitFailure);
    }
    InternalResult result;
    result.job = job;
    result.jack_status = status & JackNameNotUnique;
    result.refnum = runtime_client(client).refnum();
    result.client_name = jack_get_client_name(client);
    result.module = {library, client, finish};
    BANTAM_DEBUG("internal client '%s' loaded from %s", result.client_name.c_str(), path.c_str());
    return result;
}

InternalResult unload_internal_client(const InternalJob& job) {
    const InternalModule& module = job.module;
    // As JACK2: the client is closed before jack_finish, so no callback (process, latency,
    // any notification) can still run on what jack_finish frees.
    jack_deactivate(module.client);
    void* process_arg = runtime_client(module.client).callbacks_for_setting_view().process_arg;
    jack_client_close(module.client);
    module.finish(process_arg);
    dlclose(module.library);
    InternalResult result;
    result.job = job;
    return result;
}

} // namespace bantam::server
