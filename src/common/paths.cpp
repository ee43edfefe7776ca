#include "common/paths.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace bantam::paths {

std::string default_server_name() {
    const char* env = std::getenv("JACK_DEFAULT_SERVER");
    return (env && *env) ? env : "default";
}

std::string user_dir() {
    if (const char* dir = std::getenv("BANTAM_RUNTIME_DIR"); dir && *dir) return dir;
    // Keyed on the user alone, never on the environment (as jackd2's sockets in /dev/shm): a
    // client with another XDG_RUNTIME_DIR than the server's (a systemd unit, sudo -u or runuser
    // of the same user, a program given a private runtime directory) still finds the server.
    // /dev/shm rather than /tmp, which a unit with PrivateTmp sees a copy of.
    const std::string uid = std::to_string(getuid());
    struct stat st {};
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)) return "/dev/shm/bantam-" + uid;
    return "/tmp/bantam-" + uid;
}

std::string untrusted_user_dir_reason() {
    std::string dir = user_dir();
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0) return {}; // no server has made it yet: nothing to trust
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
        return dir + " is not a directory owned by this user";
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", unsigned(st.st_mode & 0777));
        return dir + " is open to other users (mode " + mode + ")";
    }
    return {};
}

std::string ensure_user_dir() {
    std::string dir = user_dir();
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create " + dir + ": " + std::strerror(errno));
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0)
        throw std::runtime_error("cannot inspect " + dir + ": " + std::strerror(errno));
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
        throw std::runtime_error(dir +
                                 " is not a directory owned by this user; refusing to use it");
    if ((st.st_mode & 077) != 0 && chmod(dir.c_str(), 0700) != 0)
        throw std::runtime_error("cannot restrict " + dir + " to mode 0700");
    return dir;
}

std::string server_socket_path(const std::string& server_name) {
    return user_dir() + "/" + server_name + ".sock";
}

std::string server_lock_path(const std::string& server_name) {
    return user_dir() + "/" + server_name + ".lock";
}

} // namespace bantam::paths
