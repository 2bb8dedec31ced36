#include "turn/allocation.hpp"

#include <algorithm>
#include <utility>

namespace switchboard::turn {
namespace {

constexpr double kMinBurstBytes = 1500;

}  // namespace

std::size_t IpBytesHash::operator()(const shared::IpBytes& ip) const noexcept {
    // FNV-1a: the key is a peer's address, but the table holds at most
    // kMaxPermissionsPerAllocation entries, so collisions cost little.
    std::size_t hash = 14695981039346656037ULL;
    for (const auto byte : ip) {
        hash = (hash ^ byte) * 1099511628211ULL;
    }
    return hash;
}

shared::TokenBucket bandwidth_bucket(std::uint64_t bits_per_second, TimePoint now) {
    const double rate = static_cast<double>(bits_per_second) / 8;
    return shared::TokenBucket(rate, std::max(rate, kMinBurstBytes), now);
}

Allocation::Allocation(AllocationId id, const FiveTuple& tuple, const stun::Address& relayed,
                       std::string username, std::string user, bool rest, TimePoint expires,
                       std::uint64_t max_bits_per_second, TimePoint now)
    : id_(id),
      tuple_(tuple),
      username_(std::move(username)),
      user_(std::move(user)),
      rest_(rest),
      expires_(expires),
      bucket_(bandwidth_bucket(max_bits_per_second, now)) {
    add_relay(id, relayed);
}

void Allocation::add_relay(AllocationId id, const stun::Address& relayed) {
    relays_[index(relayed.family)] = Relay{id, relayed};
}

std::optional<Allocation::Relay> Allocation::take_relay(stun::Address::Family family) {
    return std::exchange(relays_[index(family)], std::nullopt);
}

void Allocation::set_allocate_response(const stun::TransactionId& id,
                                       std::vector<std::uint8_t> response) {
    allocate_id_ = id;
    allocate_response_ = std::move(response);
}

const std::vector<std::uint8_t>* Allocation::allocate_response(
    const stun::TransactionId& id) const {
    return !allocate_response_.empty() && id == allocate_id_ ? &allocate_response_ : nullptr;
}

const Allocation::Permission* Allocation::permission(const shared::IpBytes& ip,
                                                     TimePoint now) const {
    const auto it = permissions_.find(ip);
    return it != permissions_.end() && now < it->second.expires ? &it->second : nullptr;
}

bool Allocation::has_permission_entry(const shared::IpBytes& ip) const {
    return permissions_.contains(ip);
}

void Allocation::install_permission(const shared::IpBytes& ip, TimePoint now, bool policy_allows) {
    permissions_[ip] = Permission{now + kPermissionLifetime, policy_allows};
}

void Allocation::unbind(std::uint16_t number) {
    const auto it = channels_.find(number);
    if (it != channels_.end()) {
        channel_by_peer_.erase(it->second.peer);
        channels_.erase(it);
    }
}

Allocation::BindResult Allocation::bind_channel(std::uint16_t number, const stun::Address& peer,
                                                TimePoint now) {
    // An expired binding no longer exists (section 12: "When a channel
    // binding expires, the channel becomes unbound"), whatever tick() has
    // not yet swept.
    if (const auto it = channels_.find(number);
        it != channels_.end() && now >= it->second.expires) {
        unbind(number);
    }
    if (const auto it = channel_by_peer_.find(peer); it != channel_by_peer_.end()) {
        if (now >= channels_.at(it->second).expires) {
            unbind(it->second);
        }
    }
    const auto by_number = channels_.find(number);
    if (by_number != channels_.end() && !(by_number->second.peer == peer)) {
        return BindResult::number_taken;
    }
    const auto by_peer = channel_by_peer_.find(peer);
    if (by_peer != channel_by_peer_.end() && by_peer->second != number) {
        return BindResult::peer_taken;
    }
    if (by_number == channels_.end() && channels_.size() >= kMaxChannelsPerAllocation) {
        sweep_channels(now);  // what tick() has not yet swept does not count
        if (channels_.size() >= kMaxChannelsPerAllocation) return BindResult::full;
    }
    channels_[number] = Channel{peer, now + kChannelLifetime};
    channel_by_peer_[peer] = number;
    return BindResult::ok;
}

const stun::Address* Allocation::channel_peer(std::uint16_t number, TimePoint now) const {
    const auto it = channels_.find(number);
    return it != channels_.end() && now < it->second.expires ? &it->second.peer : nullptr;
}

std::optional<std::uint16_t> Allocation::channel_for(const stun::Address& peer,
                                                     TimePoint now) const {
    const auto it = channel_by_peer_.find(peer);
    if (it == channel_by_peer_.end() || now >= channels_.at(it->second).expires) {
        return std::nullopt;
    }
    return it->second;
}

const std::vector<std::uint8_t>* Allocation::cached_response(const stun::TransactionId& id,
                                                             TimePoint now) const {
    for (const auto& entry : cache_) {
        if (!entry.bytes.empty() && entry.id == id && now < entry.expires) {
            return &entry.bytes;
        }
    }
    return nullptr;
}

void Allocation::cache_response(const stun::TransactionId& id, std::span<const std::uint8_t> bytes,
                                TimePoint now) {
    auto& entry = cache_[cache_next_];
    cache_next_ = (cache_next_ + 1) % cache_.size();
    entry.id = id;
    entry.bytes.assign(bytes.begin(), bytes.end());  // keeps the capacity
    entry.expires = now + kResponseCacheLifetime;
}

void Allocation::sweep_channels(TimePoint now) {
    for (auto it = channels_.begin(); it != channels_.end();) {
        if (now >= it->second.expires) {
            channel_by_peer_.erase(it->second.peer);
            it = channels_.erase(it);
        } else {
            ++it;
        }
    }
}

void Allocation::expire(TimePoint now) {
    std::erase_if(permissions_, [&](const auto& entry) { return now >= entry.second.expires; });
    sweep_channels(now);
    for (auto& entry : cache_) {
        if (!entry.bytes.empty() && now >= entry.expires) {
            entry.bytes.clear();
        }
    }
}

}  // namespace switchboard::turn
