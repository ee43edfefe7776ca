#pragma once

#include <pthread.h>

namespace bantam {

// Holds pthread_cancel off for a scope. A stuck process thread is cancelled (deferred, at its
// next cancellation point: see Client::stop_process_thread), and a callback may be inside
// libjack when that happens: the socket calls, waits and logging in there are cancellation
// points inside noexcept code, where being unwound would end the program.
class NoCancellation {
  public:
    NoCancellation() noexcept { pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &previous_); }
    ~NoCancellation() {
        int ignored;
        pthread_setcancelstate(previous_, &ignored);
    }
    NoCancellation(const NoCancellation&) = delete;
    NoCancellation& operator=(const NoCancellation&) = delete;

  private:
    int previous_ = PTHREAD_CANCEL_ENABLE;
};

} // namespace bantam
