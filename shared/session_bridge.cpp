#include "shared/session_bridge.hpp"

namespace switchboard::shared {

void SessionBridge::set_active(std::string_view user) {
    {
        std::lock_guard lock(mutex_);
        if (!active_.emplace(user).second) return;
    }
    pending_.push_back({std::string(user), true, {}});
}

void SessionBridge::set_inactive(std::string_view user, std::string_view reason) {
    {
        std::lock_guard lock(mutex_);
        if (active_.erase(std::string(user)) == 0) return;
    }
    pending_.push_back({std::string(user), false, std::string(reason)});
}

void SessionBridge::flush() {
    if (pending_.empty()) return;
    auto batch = std::make_shared<const std::vector<Update>>(std::move(pending_));
    pending_.clear();
    for (const auto& sink : sinks_) sink(batch);
}

bool SessionBridge::is_active_now(std::string_view user) const {
    std::lock_guard lock(mutex_);
    return active_.contains(std::string(user));
}

void SessionBridge::View::apply(const std::vector<Update>& batch,
                                const std::function<void(const std::string&, const std::string&)>& on_gone) {
    for (const auto& update : batch) {
        if (update.active) {
            active_.insert(update.user);
        } else {
            active_.erase(update.user);
            if (on_gone) on_gone(update.user, update.reason);
        }
    }
}

bool SessionBridge::View::is_active(std::string_view user) const {
    return active_.contains(std::string(user)) || bridge_->is_active_now(user);
}

}  // namespace switchboard::shared
