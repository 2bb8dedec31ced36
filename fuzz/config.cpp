// The config loader (shared/config.hpp parse_config): YAML from the
// operator, every key validated. Run it with stdin closed (a *_file key may
// name /dev/stdin); files it names are read-only and bounded in size.
#include <cstddef>
#include <cstdint>
#include <string>

#include "shared/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)switchboard::shared::parse_config(std::string(reinterpret_cast<const char*>(data), size),
                                            "fuzz.yaml");
    return 0;
}
