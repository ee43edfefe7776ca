#include "common/paths.hpp"

#include <cerrno>
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
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
        return std::string(xdg) + "/bantam";
    return "/tmp/bantam-" + std::to_string(getuid());
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
