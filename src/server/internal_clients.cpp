#include "server/internal_clients.hpp"

#include <cerrno>
#include <exception>
#include <jack/jack.h>
#include <pthread.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

#include "common/log.hpp"

namespace bantam::server {

InternalClientHost::InternalClientHost(std::string server_name)
    : server_name_(std::move(server_name)), completions_(std::make_shared<Completions>()) {
    completions_->event.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!completions_->event) throw std::system_error(errno, std::generic_category(), "eventfd");
}

InternalClientHost::~InternalClientHost() {
    take_finished();
    if (!threads_.empty())
        BANTAM_WARN("%zu internal client job(s) still running at exit", threads_.size());
    for (auto& [id, thread] : threads_)
        thread.detach();
}

bool InternalClientHost::start(InternalJob job) {
    uint64_t id = next_job_++;
    auto run = [completions = completions_, server_name = server_name_, id, job = std::move(job)] {
        pthread_setname_np(pthread_self(), "bantam-loader");
        InternalResult result;
        try {
            result = job.kind == InternalJob::Kind::load ? load_internal_client(job, server_name)
                                                         : unload_internal_client(job);
        } catch (const std::exception& error) {
            BANTAM_ERROR("internal client '%s': %s", job.name.c_str(), error.what());
            result.job = job;
            result.jack_status = JackFailure;
        }
        result.job_id = id;
        {
            std::lock_guard lock(completions->mutex);
            completions->finished.push_back(std::move(result));
        }
        uint64_t one = 1;
        if (write(completions->event.get(), &one, sizeof one) < 0) {
        }
    };
    try {
        threads_.emplace(id, std::thread(std::move(run)));
    } catch (const std::system_error& error) {
        BANTAM_ERROR("cannot start a loader thread: %s", error.what());
        return false;
    }
    return true;
}

std::vector<InternalResult> InternalClientHost::take_finished() {
    uint64_t count;
    if (read(completions_->event.get(), &count, sizeof count) < 0) {
    }
    std::vector<InternalResult> results;
    {
        std::lock_guard lock(completions_->mutex);
        results.swap(completions_->finished);
    }
    // Each thread has done its work; only its return is left to wait for.
    for (const InternalResult& result : results) {
        auto found = threads_.find(result.job_id);
        if (found == threads_.end()) continue;
        found->second.join();
        threads_.erase(found);
    }
    return results;
}

std::optional<InternalModule> InternalClientHost::remove(uint32_t refnum) {
    auto found = loaded_.find(refnum);
    if (found == loaded_.end()) return std::nullopt;
    InternalModule module = found->second;
    loaded_.erase(found);
    return module;
}

std::vector<uint32_t> InternalClientHost::refnums() const {
    std::vector<uint32_t> result;
    for (const auto& [refnum, module] : loaded_)
        result.push_back(refnum);
    return result;
}

} // namespace bantam::server
