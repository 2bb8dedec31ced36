#include "shared/address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace switchboard::shared {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr unsigned kMappedPrefixBits = 96;

std::optional<IpBytes> parse_ipv4(std::string_view text) {
    const std::string owned(text);  // inet_pton wants a NUL-terminated string
    std::array<std::uint8_t, 4> v4{};
    if (inet_pton(AF_INET, owned.c_str(), v4.data()) != 1) return std::nullopt;
    IpBytes ip{};
    std::memcpy(ip.data(), kMappedPrefix.data(), kMappedPrefix.size());
    std::memcpy(ip.data() + kMappedPrefix.size(), v4.data(), v4.size());
    return ip;
}

std::optional<IpBytes> parse_ipv6(std::string_view text) {
    const std::string owned(text);
    IpBytes ip{};
    if (inet_pton(AF_INET6, owned.c_str(), ip.data()) != 1) return std::nullopt;
    return ip;
}

// Strict decimal: digits only, no sign, no spaces, within [0, max].
std::optional<unsigned> parse_decimal(std::string_view text, unsigned max) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

}  // namespace

std::optional<IpBytes> parse_ip(std::string_view text) {
    if (auto v4 = parse_ipv4(text)) return v4;
    return parse_ipv6(text);
}

bool is_loopback(const IpBytes& ip) {
    static const IpBytes v6_loopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return (is_ipv4_mapped(ip) && ip[12] == 127) || ip == v6_loopback;
}

bool is_ipv4_mapped(const IpBytes& ip) {
    return std::memcmp(ip.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0;
}

std::string format_ip(const IpBytes& ip) {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (is_ipv4_mapped(ip)) {
        inet_ntop(AF_INET, ip.data() + kMappedPrefix.size(), buffer, sizeof buffer);
    } else {
        inet_ntop(AF_INET6, ip.data(), buffer, sizeof buffer);
    }
    return buffer;
}

std::string url_host(std::string_view host) {
    if (host.find(':') != std::string_view::npos && host.front() != '[')
        return "[" + std::string(host) + "]";
    return std::string(host);
}

std::string format_endpoint(std::string_view host, std::uint16_t port) {
    return url_host(host) + ":" + std::to_string(port);
}

std::string Endpoint::to_string() const {
    return format_endpoint(host, port);
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
    std::string_view host;
    std::string_view rest;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        rest = text.substr(close + 1);
        if (!parse_ipv6(host)) return std::nullopt;
    } else {
        const auto colon = text.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        rest = text.substr(colon);
        if (!parse_ipv4(host)) return std::nullopt;  // also rejects unbracketed IPv6
    }
    if (rest.size() < 2 || rest.front() != ':') return std::nullopt;
    const auto port = parse_decimal(rest.substr(1), 65535);
    if (!port) return std::nullopt;
    return Endpoint{std::string(host), static_cast<std::uint16_t>(*port)};
}

bool Cidr::contains(const IpBytes& ip) const {
    const unsigned full_bytes = prefix_length / 8;
    if (std::memcmp(ip.data(), network.data(), full_bytes) != 0) return false;
    const unsigned rest_bits = prefix_length % 8;
    if (rest_bits == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest_bits));
    return (ip[full_bytes] & mask) == network[full_bytes];
}

std::string Cidr::to_string() const {
    if (is_ipv4_mapped(network) && prefix_length >= kMappedPrefixBits) {
        return format_ip(network) + "/" + std::to_string(prefix_length - kMappedPrefixBits);
    }
    return format_ip(network) + "/" + std::to_string(prefix_length);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
    const auto slash = text.find('/');
    const std::string_view address = text.substr(0, slash);
    Cidr cidr;
    unsigned max_length = 128;
    if (auto v4 = parse_ipv4(address)) {
        cidr.network = *v4;
        max_length = 32;
    } else if (auto v6 = parse_ipv6(address)) {
        cidr.network = *v6;
    } else {
        return std::nullopt;
    }
    unsigned length = max_length;
    if (slash != std::string_view::npos) {
        const auto parsed = parse_decimal(text.substr(slash + 1), max_length);
        if (!parsed) return std::nullopt;
        length = *parsed;
    }
    cidr.prefix_length = length + (128 - max_length);

    // Clear the host bits so contains() can compare bytes directly.
    for (unsigned bit = cidr.prefix_length; bit < 128; ++bit) {
        cidr.network[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    }
    return cidr;
}

}  // namespace switchboard::shared
