#pragma once

#include <cstddef>

namespace bantam::ipc {

// An anonymous shared segment (memfd). The server creates it and hands the descriptor to
// clients over the socket, so nothing named is left behind when a process dies.
class SharedMemory {
  public:
    SharedMemory() = default;
    SharedMemory(const SharedMemory&) = delete;
    SharedMemory& operator=(const SharedMemory&) = delete;
    SharedMemory(SharedMemory&& other) noexcept;
    SharedMemory& operator=(SharedMemory&& other) noexcept;
    ~SharedMemory();

    // Creates and maps a zero-filled segment read-write. Throws std::runtime_error.
    static SharedMemory create(const char* name, size_t size);
    // Maps a descriptor received from the server; takes ownership of fd. Throws.
    static SharedMemory attach(int fd, size_t size, bool writable);

    // After this no process can map the segment writable again; existing mappings keep their
    // access. Used on the control segment before its descriptor is handed to any client.
    void seal_against_writers();

    // Gives the whole pages inside [begin, begin + length) back to the kernel in every process
    // that maps the segment; they read as zero afterwards. False if the kernel refused.
    bool discard(const void* begin, size_t length) noexcept;

    void* data() const noexcept { return data_; }
    size_t size() const noexcept { return size_; }
    int fd() const noexcept { return fd_; }

  private:
    void release() noexcept;
    int fd_ = -1;
    void* data_ = nullptr;
    size_t size_ = 0;
};

} // namespace bantam::ipc
