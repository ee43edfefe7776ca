#include "client/autostart.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "common/paths.hpp"

namespace bantam::client {

namespace {

std::string bantamd_path() {
    if (const char* env = std::getenv("BANTAMD"); env && *env) return env;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&start_server), &info) && info.dli_fname) {
        std::string lib = info.dli_fname;
        auto slash = lib.rfind('/');
        if (slash != std::string::npos) {
            std::string candidate = lib.substr(0, slash) + "/../bin/bantamd";
            if (access(candidate.c_str(), X_OK) == 0) return candidate;
        }
    }
    return "bantamd";
}

std::vector<std::string> server_command(const std::string& server_name) {
    std::vector<std::string> words;
    if (const char* home = std::getenv("HOME")) {
        std::ifstream rc(std::string(home) + "/.jackdrc");
        std::string line;
        if (rc && std::getline(rc, line)) {
            std::istringstream split(line);
            for (std::string word; split >> word;)
                words.push_back(word);
        }
    }
    if (words.empty()) words = {"bantamd", "-d", "dummy"};
    // A ~/.jackdrc written for jackd starts bantamd instead: same syntax.
    std::string program = words[0].substr(words[0].rfind('/') + 1);
    if (program == "jackd" || program == "jackdmp" || program == "bantamd")
        words[0] = bantamd_path();
    std::vector<std::string> command{words[0], "-T", "-n", server_name};
    command.insert(command.end(), words.begin() + 1, words.end());
    return command;
}

} // namespace

bool autostart_allowed() {
    return std::getenv("JACK_NO_START_SERVER") == nullptr;
}

bool start_server(const std::string& server_name) {
    std::vector<std::string> command = server_command(server_name);
    std::vector<char*> argv;
    for (auto& word : command)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t child = fork();
    if (child < 0) return false;
    if (child == 0) {
        // Double fork: the server must not be our child, nor die with our session.
        setsid();
        if (fork() != 0) _exit(0);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        execvp(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return true;
}

} // namespace bantam::client
