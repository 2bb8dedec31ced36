#pragma once
// One TURN allocation (RFC 8656 section 2.2): the client's 5-tuple, its
// relayed transport address, the authenticated user, the time-to-expiry,
// the permissions (section 9) and channel bindings (section 12), plus what
// the engine keeps to answer retransmissions without redoing them and the
// bandwidth limit. A pure state machine: every method takes the time.
//
// Thread context: owned by one Engine (worker thread); not thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "shared/address.hpp"
#include "shared/clock.hpp"
#include "turn/engine.hpp"
#include "turn/stun/message.hpp"

namespace switchboard::turn {

using TimePoint = shared::Clock::Steady::time_point;

// RFC 8656 section 2.2: "the default value of 10 minutes".
inline constexpr std::chrono::seconds kDefaultAllocationLifetime{600};
// Section 9: "The Permission Lifetime MUST be 300 seconds (= 5 minutes)."
inline constexpr std::chrono::seconds kPermissionLifetime{300};
// Section 12: "a channel binding lasts for 10 minutes unless refreshed".
inline constexpr std::chrono::seconds kChannelLifetime{600};
// RFC 8489 section 6.3.1 suggests answering retransmissions from a cache
// kept for 40 seconds (Rc * RTO + Ti of the default timers).
inline constexpr std::chrono::seconds kResponseCacheLifetime{40};
inline constexpr std::size_t kResponseCacheSize = 8;
// Bounds the memory one client can make us hold; past it, 508.
inline constexpr std::size_t kMaxPermissionsPerAllocation = 256;

struct IpBytesHash {
    std::size_t operator()(const shared::IpBytes& ip) const noexcept;
};

// Bytes per second with a burst of one second's worth (at least one full
// 1500-byte packet). Unlimited when constructed with 0.
class TokenBucket {
public:
    TokenBucket(std::uint64_t bits_per_second, TimePoint now);
    // Takes `bytes` tokens if there are that many; false (nothing taken)
    // otherwise: the packet is dropped, not queued.
    bool consume(std::size_t bytes, TimePoint now);

private:
    double rate_ = 0;  // bytes per second; 0 = unlimited
    double burst_ = 0;
    double tokens_ = 0;
    TimePoint last_;
};

class Allocation {
public:
    Allocation(AllocationId id, const FiveTuple& tuple, const stun::Address& relayed,
               std::string username, std::string user, TimePoint expires,
               std::uint64_t max_bits_per_second, TimePoint now);

    AllocationId id() const noexcept { return id_; }
    const FiveTuple& tuple() const noexcept { return tuple_; }
    const stun::Address& relayed() const noexcept { return relayed_; }
    // USERNAME of the creating Allocate: later requests must carry the same
    // (RFC 8656 section 5, else 441).
    const std::string& username() const noexcept { return username_; }
    // The quota/drop_user key (REST user id or static username).
    const std::string& user() const noexcept { return user_; }

    TimePoint expires() const noexcept { return expires_; }
    void set_expires(TimePoint expires) noexcept { expires_ = expires; }
    bool expired(TimePoint now) const noexcept { return now >= expires_; }

    // The creating Allocate's transaction and success response: "the server
    // ... MUST" answer a retransmission of it with the same response, not a
    // second allocation (RFC 8656 section 7.2, RFC 8489 section 6.3.1).
    void set_allocate_response(const stun::TransactionId& id, std::vector<std::uint8_t> response);
    const std::vector<std::uint8_t>* allocate_response(const stun::TransactionId& id) const;

    // Permissions, by peer IP (the port is ignored, section 9). Each keeps
    // the peer policy's verdict on its IP, taken when it was installed, so
    // the data path does not scan the deny list per packet; false means the
    // IP is only reachable through the relay-to-relay exception, which the
    // data path re-checks per packet (it holds for one IP and port).
    struct Permission {
        TimePoint expires;
        bool policy_allows = false;
    };
    // nullptr when there is none or it has expired.
    const Permission* permission(const shared::IpBytes& ip, TimePoint now) const;
    bool has_permission(const shared::IpBytes& ip, TimePoint now) const {
        return permission(ip, now) != nullptr;
    }
    bool has_permission_entry(const shared::IpBytes& ip) const;
    std::size_t permission_count() const noexcept { return permissions_.size(); }
    // Installs or refreshes for kPermissionLifetime.
    void install_permission(const shared::IpBytes& ip, TimePoint now, bool policy_allows = true);

    // Channels (section 12): a number bound to one peer cannot be rebound
    // to another, a peer bound to one number cannot get another; binding
    // the same pair again refreshes it.
    enum class BindResult { ok, number_taken, peer_taken };
    BindResult bind_channel(std::uint16_t number, const stun::Address& peer, TimePoint now);
    const stun::Address* channel_peer(std::uint16_t number, TimePoint now) const;
    std::optional<std::uint16_t> channel_for(const stun::Address& peer, TimePoint now) const;
    std::size_t channel_count() const noexcept { return channels_.size(); }

    bool admit(std::size_t bytes, TimePoint now) { return bucket_.consume(bytes, now); }

    // The last kResponseCacheSize responses, for kResponseCacheLifetime.
    const std::vector<std::uint8_t>* cached_response(const stun::TransactionId& id,
                                                     TimePoint now) const;
    void cache_response(const stun::TransactionId& id, std::span<const std::uint8_t> bytes,
                        TimePoint now);

    // Drops expired permissions, channels and cached responses.
    void expire(TimePoint now);

private:
    struct Channel {
        stun::Address peer;
        TimePoint expires;
    };
    struct CachedResponse {
        stun::TransactionId id;
        std::vector<std::uint8_t> bytes;
        TimePoint expires;
    };

    void unbind(std::uint16_t number);

    AllocationId id_;
    FiveTuple tuple_;
    stun::Address relayed_;
    std::string username_;
    std::string user_;
    TimePoint expires_;
    stun::TransactionId allocate_id_;
    std::vector<std::uint8_t> allocate_response_;
    std::unordered_map<shared::IpBytes, Permission, IpBytesHash> permissions_;
    std::unordered_map<std::uint16_t, Channel> channels_;
    std::unordered_map<stun::Address, std::uint16_t> channel_by_peer_;
    TokenBucket bucket_;
    std::array<CachedResponse, kResponseCacheSize> cache_{};
    std::size_t cache_next_ = 0;
};

}  // namespace switchboard::turn
