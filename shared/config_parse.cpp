#include "shared/config_parse.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <system_error>

#include "shared/duration.hpp"

namespace switchboard::shared::config_detail {
namespace {

// Config and secret files are small; the cap keeps a mistyped path such as
// /dev/zero from hanging or exhausting memory at start-up.
constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr std::size_t kMaxShownChars = 40;

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

// std::strerror is not thread-safe; the category message is.
std::string errno_text() {
    return std::generic_category().message(errno);
}

std::string join_key(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    return std::string(parent) + "." + std::string(key);
}

// Plain edit distance; key sets are a dozen short names, so O(n*m) is nothing.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string suggestion(std::string_view parent, std::string_view key,
                       std::initializer_list<std::string_view> known) {
    std::string_view best;
    std::size_t best_distance = 3;  // beyond two edits it is a different word
    for (std::string_view candidate : known) {
        const std::size_t d = edit_distance(key, candidate);
        if (d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    if (best.empty()) return "";
    return " (did you mean \"" + join_key(parent, best) + "\"?)";
}

const YAML::Node& scalar_or_fail(const Field& field, std::string_view what) {
    if (!field.node.IsScalar()) fail_expected(field, what);
    return field.node;
}

std::string describe_range(std::uint64_t min, std::uint64_t max) {
    constexpr auto kNoMax = std::numeric_limits<std::uint64_t>::max();
    if (max != kNoMax)
        return "an integer between " + std::to_string(min) + " and " + std::to_string(max);
    if (min == 0) return "a non-negative integer";
    if (min == 1) return "a positive integer";
    return "an integer >= " + std::to_string(min);
}

}  // namespace

std::string position(std::string_view file, const YAML::Mark& mark) {
    if (mark.is_null()) return std::string(file);
    return std::string(file) + ":" + std::to_string(mark.line + 1) + ":" +
           std::to_string(mark.column + 1);
}

std::string describe(const YAML::Node& node) {
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a map";
    if (!node.IsScalar()) return "null";
    std::string shown = "\"";
    std::size_t count = 0;
    for (const char c : node.Scalar()) {
        if (++count > kMaxShownChars) {
            shown += "...";
            break;
        }
        if (c == '"' || c == '\\') {
            shown += '\\';
            shown += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            shown += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "?";
        } else {
            shown += c;
        }
    }
    return shown + "\"";
}

void fail(const Field& field, std::string_view message) {
    std::string text = position(field.file, field.mark) + ": ";
    if (!field.key.empty()) text += field.key + ": ";
    throw ConfigFailure{text + std::string(message)};
}

void fail_expected(const Field& field, std::string_view what) {
    fail(field, "expected " + std::string(what) + ", got " + describe(field.node));
}

Section::Section(Field field, std::initializer_list<std::string_view> known_keys)
    : field_(std::move(field)) {
    if (field_.node.IsNull()) return;
    if (!field_.node.IsMap()) fail_expected(field_, "a map");
    std::vector<std::pair<std::string, int>> seen;  // key, 1-based line
    for (const auto& entry : field_.node) {
        const YAML::Node key = entry.first;
        const std::string where = position(field_.file, key.Mark());
        if (!key.IsScalar()) {
            throw ConfigFailure{
                where + ": expected a key name in " +
                (field_.key.empty() ? std::string("the top-level map") : field_.key) + ", got " +
                describe(key)};
        }
        const std::string& name = key.Scalar();
        const std::string dotted = join_key(field_.key, name);
        if (std::find(known_keys.begin(), known_keys.end(), name) == known_keys.end()) {
            throw ConfigFailure{where + ": unknown key \"" + dotted + "\"" +
                                suggestion(field_.key, name, known_keys)};
        }
        const auto previous =
            std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == name; });
        if (previous != seen.end()) {
            throw ConfigFailure{where + ": duplicate key \"" + dotted + "\" (first set on line " +
                                std::to_string(previous->second) + ")"};
        }
        seen.emplace_back(name, key.Mark().line + 1);
    }
}

std::optional<Field> Section::get(std::string_view key) const {
    if (!field_.node.IsMap()) return std::nullopt;
    for (const auto& entry : field_.node) {
        if (entry.first.Scalar() == key) {
            return Field{entry.second, join_key(field_.key, key), entry.first.Mark(), field_.file};
        }
    }
    return std::nullopt;
}

std::string to_string(const Field& field) {
    return scalar_or_fail(field, "a string").Scalar();
}

std::string to_nonempty_string(const Field& field) {
    std::string value = to_string(field);
    if (value.empty()) fail_expected(field, "a non-empty string");
    return value;
}

bool to_bool(const Field& field) {
    bool value = false;
    if (!field.node.IsScalar() || !YAML::convert<bool>::decode(field.node, value)) {
        fail_expected(field, "true or false");
    }
    return value;
}

std::uint64_t to_uint(const Field& field, std::uint64_t min, std::uint64_t max) {
    const std::string& text = scalar_or_fail(field, describe_range(min, max)).Scalar();
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
        value > max) {
        fail_expected(field, describe_range(min, max));
    }
    return value;
}

double to_number(const Field& field, double min, bool min_inclusive) {
    char bound[32] = {};
    std::to_chars(bound, bound + sizeof bound - 1, min);
    const std::string what = std::string("a number ") + (min_inclusive ? ">= " : "> ") + bound;
    const std::string& text = scalar_or_fail(field, what).Scalar();
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    const bool in_range = min_inclusive ? value >= min : value > min;
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
        !std::isfinite(value) || !in_range) {
        fail_expected(field, what);
    }
    return value;
}

std::chrono::milliseconds to_duration(const Field& field, bool allow_zero) {
    constexpr std::string_view kWhat =
        "a duration such as 250ms, 30s, 10m or 1h (a bare number is seconds)";
    const auto value = parse_duration(scalar_or_fail(field, kWhat).Scalar());
    if (!value) fail_expected(field, kWhat);
    if (!allow_zero && value->count() == 0) fail_expected(field, "a duration > 0");
    return *value;
}

Endpoint to_endpoint(const Field& field) {
    constexpr std::string_view kWhat =
        "an address IP:port such as \"127.0.0.1:8080\" or \"[::1]:3478\"";
    const auto value = parse_endpoint(scalar_or_fail(field, kWhat).Scalar());
    if (!value) fail_expected(field, kWhat);
    return *value;
}

Cidr to_cidr(const Field& field) {
    constexpr std::string_view kWhat =
        "an IP address or CIDR block such as \"10.0.0.0/8\" or \"fd00::/8\"";
    const auto value = parse_cidr(scalar_or_fail(field, kWhat).Scalar());
    if (!value) fail_expected(field, kWhat);
    return *value;
}

std::string to_optional_ip(const Field& field) {
    constexpr std::string_view kWhat = "an IP address or \"\"";
    std::string text = scalar_or_fail(field, kWhat).Scalar();
    if (text.empty()) return text;
    const auto ip = parse_ip(text);
    if (!ip) fail_expected(field, kWhat);
    // A wildcard would be advertised to clients as their relay address.
    const IpBytes any6{};
    const auto any4 = parse_ip("0.0.0.0");
    if (*ip == any6 || *ip == *any4)
        fail_expected(field, "a specific IP address (not 0.0.0.0 or ::)");
    return text;
}

std::vector<Field> to_list(const Field& field) {
    if (!field.node.IsSequence()) fail_expected(field, "a list");
    std::vector<Field> items;
    for (std::size_t i = 0; i < field.node.size(); ++i) {
        const YAML::Node item = field.node[i];
        items.push_back(
            Field{item, field.key + "[" + std::to_string(i) + "]", item.Mark(), field.file});
    }
    return items;
}

bool read_small_file(const std::string& path, std::string& out, std::string& error) {
    const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) {
        error = "cannot read " + path + ": " + errno_text();
        return false;
    }
    out.clear();
    char buffer[4096];
    while (true) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
        out.append(buffer, n);
        if (out.size() > kMaxFileBytes) {
            error = "cannot read " + path + ": larger than 1 MiB";
            return false;
        }
        if (n < sizeof buffer) break;
    }
    if (std::ferror(file.get())) {
        error = "cannot read " + path + ": " + errno_text();  // e.g. EISDIR
        return false;
    }
    return true;
}

std::string read_file_named_by(const Field& field) {
    std::string content;
    std::string error;
    if (!read_small_file(to_nonempty_string(field), content, error)) fail(field, error);
    return content;
}

}  // namespace switchboard::shared::config_detail
