#include <stdexcept>

#include "drivers/alsa/alsa_driver.hpp"
#include "drivers/alsa/alsa_options.hpp"
#include "drivers/driver.hpp"
#include "drivers/dummy/dummy_driver.hpp"

namespace bantam::drivers {

std::unique_ptr<Driver> create_driver(const std::string& name,
                                      const std::vector<std::string>& args) {
    if (name == "dummy") return std::make_unique<DummyDriver>(parse_dummy_options(args));
    if (name == "alsa") return alsa::create_alsa_driver(args);
    throw std::invalid_argument("unknown driver '" + name + "' (available: alsa, dummy)");
}

std::string driver_usage(const std::string& name) {
    if (name == "dummy") return dummy_usage();
    if (name == "alsa") return alsa::alsa_usage();
    return "available drivers: alsa, dummy\n";
}

} // namespace bantam::drivers
