#include "signaling/ice_servers.hpp"

#include "shared/address.hpp"
#include "shared/turn_credentials.hpp"

namespace switchboard::signaling {
namespace {

std::string minting_secret(const shared::Config& config) {
    return config.turn.secrets.empty() ? std::string() : config.turn.secrets.front();
}

std::int64_t ttl_of(const shared::Config& config) {
    return std::chrono::duration_cast<std::chrono::seconds>(config.turn.credential_ttl).count();
}

}  // namespace

IceServerFactory::IceServerFactory(const shared::Config& config)
    : secret_(minting_secret(config)), ttl_seconds_(ttl_of(config)) {
    if (!config.turn.enabled) return;
    const std::string host = shared::url_host(config.public_host);
    const auto& udp = config.turn.listen_udp;
    const auto& tcp = config.turn.listen_tcp;
    const auto& tls = config.turn.listen_tls;
    // STUN Binding is answered on every TURN listener; advertise UDP first,
    // since that is what browsers use for server-reflexive candidates.
    if (!udp.empty()) {
        stun_urls_.push_back("stun:" + host + ":" + std::to_string(udp.front().port));
    } else if (!tcp.empty()) {
        stun_urls_.push_back("stun:" + host + ":" + std::to_string(tcp.front().port));
    }
    if (!udp.empty()) {
        turn_urls_.push_back("turn:" + host + ":" + std::to_string(udp.front().port) +
                             "?transport=udp");
    }
    if (!tcp.empty()) {
        turn_urls_.push_back("turn:" + host + ":" + std::to_string(tcp.front().port) +
                             "?transport=tcp");
    }
    if (!tls.empty()) {
        turn_urls_.push_back("turns:" + host + ":" + std::to_string(tls.front().port) +
                             "?transport=tcp");
    }
}

protocol::IceServerList IceServerFactory::make(std::string_view user_id,
                                               std::int64_t now_unix) const {
    protocol::IceServerList list;
    list.stun_urls = stun_urls_;
    list.turn_urls = turn_urls_;
    std::unique_lock lock(mutex_);
    const auto cred = shared::mint_turn_credential(secret_, user_id, now_unix, ttl_seconds_);
    lock.unlock();
    list.username = cred.username;
    list.credential = cred.password;
    list.expires_at = cred.expires_at;
    return list;
}

std::int64_t IceServerFactory::ttl_seconds() const {
    std::lock_guard lock(mutex_);
    return ttl_seconds_;
}

void IceServerFactory::reload(const shared::Config& config) {
    std::lock_guard lock(mutex_);
    secret_ = minting_secret(config);
    ttl_seconds_ = ttl_of(config);
}

}  // namespace switchboard::signaling
