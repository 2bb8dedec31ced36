#pragma once
// Where signaling and TURN meet (DESIGN.md rule 4, turn.require_active_session).
//
// The signaling side says which users are active (a live session, attached
// or inside its resume window, that is in at least one room) and when a user
// stops being so, at which point the user's TURN relays must go. The TURN
// workers ask is_active() on every authenticated request, and must not wait
// for the signaling side to answer. So each worker keeps its own copy of the
// active set (View), updated by batches of changes that flush() hands to it,
// and a relay teardown costs that user's allocations only.
//
//   signaling loop                         TURN worker i (its own thread)
//   --------------                         ------------------------------
//   set_active("alice")    -- pending --
//   set_inactive("bob")    -- pending --
//   flush() ---- Batch {+alice, -bob} ---> sink i posts it to the worker:
//                                          View::apply: alice in, bob out;
//                                          bob's REST allocations torn down
//
// A View lags the signaling side by one hand-off. A user who just joined a
// room may get TURN credentials and send an Allocate before the batch
// arrives; a snapshot miss therefore asks the bridge's authoritative set
// (one small mutex, taken only on misses here and on activity changes on
// the signaling side, never per message). A user who just went inactive is
// still in the snapshot for that moment; the batch then tears down whatever
// was allocated meanwhile.
//
// Thread contract:
// - add_sink(): start-up, before anything else;
// - set_active(), set_inactive(), flush(): the signaling loop's thread;
// - is_active_now(): any thread;
// - a View: one worker thread (the one its sink posts to).
// Static TURN users (turn.static_users) never pass through here: their
// allocations are not the bridge's to tear down.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace switchboard::shared {

class SessionBridge {
public:
    struct Update {
        std::string user;
        bool active;  // false: inactive, and its relays go
        std::string reason;  // why it went inactive (for the log)
    };
    using Batch = std::shared_ptr<const std::vector<Update>>;
    // Hands a batch to one worker; the worker applies it to its View in order.
    using Sink = std::function<void(Batch)>;

    void add_sink(Sink sink) { sinks_.push_back(std::move(sink)); }

    void set_active(std::string_view user);
    void set_inactive(std::string_view user, std::string_view reason);
    // Sends the changes since the last flush, as one batch, to every sink.
    void flush();

    // The authoritative answer, as of the signaling side's last change.
    bool is_active_now(std::string_view user) const;

    class View {
    public:
        explicit View(const SessionBridge& bridge) : bridge_(&bridge) {}

        // Applies `batch`; calls on_gone(user, reason) for each user that
        // went inactive.
        void apply(const std::vector<Update>& batch,
                   const std::function<void(const std::string&, const std::string&)>& on_gone);
        bool is_active(std::string_view user) const;
        std::size_t size() const { return active_.size(); }

    private:
        const SessionBridge* bridge_;
        std::unordered_set<std::string> active_;
    };

private:
    std::vector<Sink> sinks_;
    std::vector<Update> pending_;
    mutable std::mutex mutex_;            // guards active_
    std::unordered_set<std::string> active_;
};

}  // namespace switchboard::shared
