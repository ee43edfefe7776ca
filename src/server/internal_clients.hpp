#pragma once

// Internal clients: shared objects following JACK's in-process convention
// (`int jack_initialize(jack_client_t*, const char* load_init)`, `void jack_finish(void* arg)`)
// that bantamd loads and runs. Each one is an ordinary client of this server, opened through
// our libjack.so (which bantamd links, so the object's jack_* calls bind to it) and connected to
// the server's own socket: it gets the whole API, and its requests come back to the control
// thread like anyone else's. So the control thread never waits for one: loading and unloading
// run on a loader thread per job, which reports through an eventfd the control loop watches.

#include <cstdint>
#include <jack/types.h>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ipc/socket.hpp"

namespace bantam::server {

// One loaded object: its library, the client it runs as and its jack_finish.
struct InternalModule {
    void* library = nullptr;
    jack_client_t* client = nullptr;
    void (*finish)(void* arg) = nullptr;
};

struct InternalJob {
    enum class Kind { load, unload };
    Kind kind = Kind::load;
    uint32_t requester = 0;      // the client that gets the reply (0: nobody)
    uint64_t requester_uuid = 0; // ... if that refnum is still the same client
    // load
    std::string name;   // the client name asked for
    std::string object; // a name to search for, or a path
    std::string init;
    bool has_init = false;
    uint32_t options = 0; // jack_options_t: JackUseExactName
    // unload
    uint32_t refnum = 0;
    InternalModule module;
};

struct InternalResult {
    InternalJob job;
    uint32_t jack_status = 0; // JackStatus bits; JackFailure on failure
    uint32_t refnum = 0;      // load: the new internal client's refnum, its handle
    std::string client_name;  // load: its final (unique) name
    InternalModule module;    // load: what to finish and close at unload
    uint64_t job_id = 0;
};

// Thread: loader. Finds the object, dlopens it, opens its client on server `server_name` and
// calls jack_initialize. On failure nothing stays loaded or open.
InternalResult load_internal_client(const InternalJob& job, const std::string& server_name);
// Thread: loader. Deactivates the client, calls jack_finish with its process argument, closes
// it and unloads the object.
InternalResult unload_internal_client(const InternalJob& job);
// Where a load name is found: a path (containing '/') as given; otherwise NAME.so (or NAME if it
// ends in .so) in each directory of $BANTAM_INTERNAL_DIR (colon-separated), then in lib/bantam/
// beside bantamd's bin/ directory. Empty if none is readable.
std::string find_internal_object(const std::string& object);

// Thread: control, every method (the loader threads only report to Completions).
class InternalClientHost {
  public:
    explicit InternalClientHost(std::string server_name);
    // Joins the loader threads that finished; any still running (a forced stop) is detached.
    ~InternalClientHost();
    InternalClientHost(const InternalClientHost&) = delete;
    InternalClientHost& operator=(const InternalClientHost&) = delete;

    // Readable when finished jobs wait in take_finished().
    int completion_fd() const noexcept { return completions_->event.get(); }
    // Runs the job on a loader thread of its own; false if no thread could be started.
    bool start(InternalJob job);
    // The jobs whose loader thread has finished, their threads joined.
    std::vector<InternalResult> take_finished();
    bool busy() const noexcept { return !threads_.empty(); }

    // Loaded internal clients, by refnum.
    void add(uint32_t refnum, const InternalModule& module) { loaded_[refnum] = module; }
    std::optional<InternalModule> remove(uint32_t refnum);
    bool contains(uint32_t refnum) const { return loaded_.count(refnum) != 0; }
    std::vector<uint32_t> refnums() const;

  private:
    // Shared with the loader threads, so that one detached at exit never outlives it.
    struct Completions {
        ipc::UniqueFd event;
        std::mutex mutex;
        std::vector<InternalResult> finished; // guarded by mutex
    };

    std::string server_name_;
    std::shared_ptr<Completions> completions_;
    std::map<uint64_t, std::thread> threads_;
    uint64_t next_job_ = 1;
    std::map<uint32_t, InternalModule> loaded_;
};

} // namespace bantam::server
