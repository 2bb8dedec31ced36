#pragma once
// YAML-node helpers for the configuration loader. Internal to config.cpp and
// config_dump.cpp: every reader here reports the first problem by throwing
// ConfigFailure, which parse_config catches and turns into a ConfigError.
// The exception never leaves the loader, and start-up is the only time it
// runs; it keeps the schema code in config.cpp a flat list of reads instead of
// a ladder of error checks.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/address.hpp"

namespace switchboard::shared::config_detail {

struct ConfigFailure {
    std::string message;
};

// A value found in the file, with what is needed to complain about it: the
// dotted key ("signaling.heartbeat.interval", "turn.listen_udp[1]") and the
// position to report (the key's for map entries, the element's in lists).
struct Field {
    YAML::Node node;
    std::string key;
    YAML::Mark mark;
    std::string_view file;  // outlives every Field: owned by parse_config
};

// "<file>:<line>:<col>" (1-based), or just "<file>" when the mark is unknown.
std::string position(std::string_view file, const YAML::Mark& mark);
// A short description of what was found, for "expected X, got Y".
std::string describe(const YAML::Node& node);

[[noreturn]] void fail(const Field& field, std::string_view message);
[[noreturn]] void fail_expected(const Field& field, std::string_view what);

// A YAML map with a closed set of keys. The constructor fails on the first
// unknown or duplicated key (suggesting the closest known one), so a typo is
// never silently ignored. A null value (`turn:` with nothing under it) reads
// as an empty map, i.e. all defaults.
class Section {
public:
    Section(Field field, std::initializer_list<std::string_view> known_keys);

    // The entry for `key`, or nullopt when the file does not set it.
    std::optional<Field> get(std::string_view key) const;
    const Field& field() const { return field_; }

private:
    Field field_;
};

std::string to_string(const Field& field);
// A string that must not be empty.
std::string to_nonempty_string(const Field& field);
bool to_bool(const Field& field);
std::uint64_t to_uint(const Field& field, std::uint64_t min, std::uint64_t max);
double to_number(const Field& field, double min, bool min_inclusive);
std::chrono::milliseconds to_duration(const Field& field, bool allow_zero);
Endpoint to_endpoint(const Field& field);
Cidr to_cidr(const Field& field);
// A specific unicast address (not 0.0.0.0 / ::), kept as written; "" stays "".
std::string to_optional_ip(const Field& field);
// The elements of a sequence, keyed "<key>[i]".
std::vector<Field> to_list(const Field& field);

// Reads a small text file (config or secret). False with `error` set to
// "cannot read <path>: <reason>" on failure.
bool read_small_file(const std::string& path, std::string& out, std::string& error);
// Reads the file named by `field` (its value is the path), failing on the key.
std::string read_file_named_by(const Field& field);

}  // namespace switchboard::shared::config_detail
