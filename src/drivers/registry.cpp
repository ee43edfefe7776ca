#include <stdexcept>

#include "drivers/driver.hpp"
#include "drivers/dummy/dummy_driver.hpp"

namespace bantam::drivers {

std::unique_ptr<Driver> create_driver(const std::string& name,
                                      const std::vector<std::string>& args) {
    if (name == "dummy") return std::make_unique<DummyDriver>(parse_dummy_options(args));
    if (name == "alsa")
        throw std::invalid_argument("the alsa driver is not available yet; use -d dummy");
    throw std::invalid_argument("unknown driver '" + name + "' (available: dummy)");
}

std::string driver_usage(const std::string& name) {
    if (name == "dummy") return dummy_usage();
    return "available drivers: dummy\n";
}

} // namespace bantam::drivers
