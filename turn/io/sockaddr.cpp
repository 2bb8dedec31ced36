#include "turn/io/sockaddr.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace switchboard::turn::io {

socklen_t to_sockaddr(const stun::Address& a, sockaddr_storage& out) {
    std::memset(&out, 0, sizeof out);
    if (a.family == stun::Address::Family::v4) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(a.port);
        const auto v4 = a.ipv4();
        std::memcpy(&sin->sin_addr, v4.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(a.port);
    std::memcpy(&sin6->sin6_addr, a.bytes.data(), 16);
    return sizeof(sockaddr_in6);
}

std::optional<stun::Address> from_sockaddr(const sockaddr* sa) {
    if (sa->sa_family == AF_INET) {
        sockaddr_in sin;
        std::memcpy(&sin, sa, sizeof sin);
        std::array<std::uint8_t, 4> ip{};
        std::memcpy(ip.data(), &sin.sin_addr, 4);
        return stun::Address::from_ipv4(ip, ntohs(sin.sin_port));
    }
    if (sa->sa_family == AF_INET6) {
        sockaddr_in6 sin6;
        std::memcpy(&sin6, sa, sizeof sin6);
        std::array<std::uint8_t, 16> ip{};
        std::memcpy(ip.data(), &sin6.sin6_addr, 16);
        // A v4 client on a dual-stack socket: treat it as the IPv4 it is.
        static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        if (std::equal(ip.begin(), ip.begin() + 12, kMapped)) {
            return stun::Address::from_ipv4({ip[12], ip[13], ip[14], ip[15]},
                                            ntohs(sin6.sin6_port));
        }
        return stun::Address::from_ipv6(ip, ntohs(sin6.sin6_port));
    }
    return std::nullopt;
}

bool enable_pktinfo(int fd, bool v6) {
    const int on = 1;
    if (v6) return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) == 0;
    return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == 0;
}

bool is_wildcard(const stun::Address& a) {
    if (a.family == stun::Address::Family::v4) {
        const auto v4 = a.ipv4();
        return v4 == std::array<std::uint8_t, 4>{0, 0, 0, 0};
    }
    return std::all_of(a.bytes.begin(), a.bytes.end(), [](std::uint8_t b) { return b == 0; });
}

namespace {

constexpr std::size_t kDatagramBytes = 65536 + 64;  // any UDP payload fits

// The destination address from IP_PKTINFO / IPV6_PKTINFO, when present.
std::optional<stun::Address> destination(msghdr& msg) {
    std::optional<stun::Address> to;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            std::array<std::uint8_t, 4> ip{};
            std::memcpy(ip.data(), &info.ipi_addr, 4);
            to = stun::Address::from_ipv4(ip, 0);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            std::array<std::uint8_t, 16> ip{};
            std::memcpy(ip.data(), &info.ipi6_addr, 16);
            to = stun::Address::from_ipv6(ip, 0);
        }
    }
    return to;
}

}  // namespace

struct ReceiveBatch::Slot {
    sockaddr_storage from;
    iovec iov;
    alignas(cmsghdr) char control[128];
};

ReceiveBatch::ReceiveBatch(std::size_t capacity)
    : capacity_(capacity),
      // new[] without (): the pages stay untouched until datagrams land there.
      storage_(new std::uint8_t[capacity * kDatagramBytes]),
      slots_(capacity),
      headers_(capacity),
      datagrams_(capacity) {
    for (std::size_t i = 0; i < capacity; ++i) {
        slots_[i].iov = {storage_.get() + i * kDatagramBytes, kDatagramBytes};
    }
}

ReceiveBatch::~ReceiveBatch() = default;

std::span<const std::uint8_t> ReceiveBatch::bytes(std::size_t i) const {
    return {storage_.get() + i * kDatagramBytes, datagrams_[i].size};
}

std::size_t ReceiveBatch::receive(int fd) {
    for (std::size_t i = 0; i < capacity_; ++i) {
        msghdr& msg = headers_[i].msg_hdr;
        msg = msghdr{};
        msg.msg_name = &slots_[i].from;
        msg.msg_namelen = sizeof slots_[i].from;
        msg.msg_iov = &slots_[i].iov;
        msg.msg_iovlen = 1;
        msg.msg_control = slots_[i].control;
        msg.msg_controllen = sizeof slots_[i].control;
        headers_[i].msg_len = 0;
    }
    const int n =
        ::recvmmsg(fd, headers_.data(), static_cast<unsigned>(capacity_), MSG_DONTWAIT, nullptr);
    if (n <= 0) return 0;  // EAGAIN (nothing waiting), or an error: the caller waits again
    for (int i = 0; i < n; ++i) {
        msghdr& msg = headers_[i].msg_hdr;
        Datagram& d = datagrams_[i];
        const auto address = from_sockaddr(reinterpret_cast<const sockaddr*>(&slots_[i].from));
        // Truncated (cannot happen with 64 KiB) or from an unknown family: skip.
        d.size = (!address || (msg.msg_flags & MSG_TRUNC)) ? 0 : headers_[i].msg_len;
        if (address) d.from = *address;
        d.to = destination(msg);
    }
    return static_cast<std::size_t>(n);
}

bool send(int fd, const stun::Address& to, const stun::Address* source,
          std::span<const std::uint8_t> bytes) {
    sockaddr_storage dest{};
    const socklen_t len = to_sockaddr(to, dest);
    iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_name = &dest;
    msg.msg_namelen = len;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
    if (source != nullptr) {
        msg.msg_control = control;
        cmsghdr* c = reinterpret_cast<cmsghdr*>(control);
        if (source->family == stun::Address::Family::v4) {
            msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
            in_pktinfo info{};
            const auto v4 = source->ipv4();
            std::memcpy(&info.ipi_spec_dst, v4.data(), 4);
            std::memcpy(CMSG_DATA(c), &info, sizeof info);
        } else {
            msg.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
            in6_pktinfo info{};
            std::memcpy(&info.ipi6_addr, source->bytes.data(), 16);
            std::memcpy(CMSG_DATA(c), &info, sizeof info);
        }
    }
    return ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

std::vector<stun::Address> interface_addresses() {
    std::vector<stun::Address> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) {
        throw std::runtime_error(
            "cannot list this host's addresses (getifaddrs: " + std::string(std::strerror(errno)) +
            "), which a wildcard TURN listener must refuse as peers; if a sandbox restricts socket "
            "families (systemd RestrictAddressFamilies=), allow AF_NETLINK, or listen on specific "
            "addresses");
    }
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        if (auto a = from_sockaddr(i->ifa_addr)) out.push_back(*a);
    }
    ::freeifaddrs(list);
    return out;
}

}  // namespace switchboard::turn::io
