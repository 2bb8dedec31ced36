#include "turn/stun/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "shared/address.hpp"

namespace switchboard::turn::stun {
namespace {

constexpr std::size_t kMaxIpText = 64;  // longer than any IP literal

}  // namespace

Address Address::from_ipv4(const std::array<std::uint8_t, 4>& ip, std::uint16_t port) noexcept {
    Address address;
    address.family = Family::v4;
    std::copy(ip.begin(), ip.end(), address.bytes.begin() + 12);
    address.port = port;
    return address;
}

Address Address::from_ipv6(const std::array<std::uint8_t, 16>& ip, std::uint16_t port) noexcept {
    Address address;
    address.family = Family::v6;
    address.bytes = ip;
    address.port = port;
    return address;
}

std::optional<Address> Address::from_ip(std::string_view ip, std::uint16_t port) {
    // inet_pton reads a C string: an embedded NUL would hide what follows.
    if (ip.empty() || ip.size() >= kMaxIpText || ip.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    char text[kMaxIpText] = {};
    std::copy(ip.begin(), ip.end(), text);
    std::array<std::uint8_t, 4> v4{};
    if (inet_pton(AF_INET, text, v4.data()) == 1) {
        return from_ipv4(v4, port);
    }
    std::array<std::uint8_t, 16> v6{};
    if (inet_pton(AF_INET6, text, v6.data()) == 1) {
        return from_ipv6(v6, port);
    }
    return std::nullopt;
}

std::optional<Address> Address::parse(std::string_view text) {
    std::string_view host;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find("]:");
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
        // Brackets are for IPv6 only.
        if (host.find(':') == std::string_view::npos) {
            return std::nullopt;
        }
    } else {
        const std::size_t colon = text.find(':');
        if (colon == std::string_view::npos ||
            text.find(':', colon + 1) != std::string_view::npos) {
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    std::uint16_t port = 0;
    const char* end = port_text.data() + port_text.size();
    const auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
    if (port_text.empty() || ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return from_ip(host, port);
}

std::array<std::uint8_t, 4> Address::ipv4() const noexcept {
    return {bytes[12], bytes[13], bytes[14], bytes[15]};
}

std::string Address::ip_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (family == Family::v4) {
        const std::array<std::uint8_t, 4> v4 = ipv4();
        inet_ntop(AF_INET, v4.data(), text, sizeof text);
    } else {
        inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    }
    return text;
}

std::string Address::to_string() const {
    return shared::format_endpoint(ip_string(), port);
}

std::size_t AddressHash::operator()(const Address& address) const noexcept {
    // FNV-1a over every field that operator== compares.
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    const auto mix = [&hash](std::uint8_t byte) {
        hash ^= byte;
        hash *= 0x100000001b3ULL;
    };
    mix(static_cast<std::uint8_t>(address.family));
    for (const std::uint8_t byte : address.bytes) {
        mix(byte);
    }
    mix(static_cast<std::uint8_t>(address.port >> 8));
    mix(static_cast<std::uint8_t>(address.port));
    return static_cast<std::size_t>(hash);
}

}  // namespace switchboard::turn::stun
