#include "ipc/shared_memory.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace bantam::ipc {

namespace {
[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}
} // namespace

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : fd_(other.fd_), data_(other.data_), size_(other.size_) {
    other.fd_ = -1;
    other.data_ = nullptr;
    other.size_ = 0;
}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = other.fd_;
        data_ = other.data_;
        size_ = other.size_;
        other.fd_ = -1;
        other.data_ = nullptr;
        other.size_ = 0;
    }
    return *this;
}

SharedMemory::~SharedMemory() {
    release();
}

void SharedMemory::release() noexcept {
    if (data_) munmap(data_, size_);
    if (fd_ >= 0) close(fd_);
    data_ = nullptr;
    fd_ = -1;
}

bool SharedMemory::discard(const void* begin, size_t length) noexcept {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t start = size_t(static_cast<const char*>(begin) - static_cast<char*>(data_));
    if (!data_ || start > size_ || length > size_ - start) return false;
    const size_t first = (start + page - 1) / page * page, end = (start + length) / page * page;
    if (first >= end) return true;
    return fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(first),
                     off_t(end - first)) == 0;
}

SharedMemory SharedMemory::create(const char* name, size_t size) {
    SharedMemory shm;
    shm.fd_ = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (shm.fd_ < 0) fail("memfd_create");
    if (ftruncate(shm.fd_, off_t(size)) != 0) fail("ftruncate shared memory");
    shm.data_ = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, shm.fd_, 0);
    if (shm.data_ == MAP_FAILED) {
        shm.data_ = nullptr;
        fail("mmap shared memory");
    }
    shm.size_ = size;
    return shm;
}

SharedMemory SharedMemory::attach(int fd, size_t size, bool writable) {
    SharedMemory shm;
    shm.fd_ = fd;
    off_t actual = lseek(fd, 0, SEEK_END);
    if (actual < 0 || size_t(actual) < size) {
        errno = EINVAL;
        fail("shared memory segment is smaller than expected");
    }
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    shm.data_ = mmap(nullptr, size, prot, MAP_SHARED, fd, 0);
    if (shm.data_ == MAP_FAILED) {
        shm.data_ = nullptr;
        fail("mmap shared memory");
    }
    shm.size_ = size;
    return shm;
}

void SharedMemory::seal_against_writers() {
    if (fcntl(fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE) != 0)
        fail("sealing shared memory");
}

} // namespace bantam::ipc
