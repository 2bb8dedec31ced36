#pragma once
// Writes one STUN message: header, attributes with zero padding, and the
// closing MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256 / FINGERPRINT
// (RFC 8489 sections 5, 14.5 to 14.7). Pure and single-threaded: one builder
// per message, on the thread that sends it.
//
// No exceptions: an add that cannot be honoured (the message would pass the
// 16-bit Length, a value is invalid for its type, or an ordinary attribute
// follows MESSAGE-INTEGRITY) leaves the buffer as it was and clears ok().
// Later adds are refused too; check ok() once before sending. That matters
// for DATA, whose size a remote peer chooses.
//
// The Length field is kept current after every add, so bytes() is always a
// well-formed message.

#include "turn/stun/message.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace switchboard::turn::stun {

class MessageBuilder {
public:
    MessageBuilder(Method method, MessageClass cls, const TransactionId& transaction_id);

    // Writes into `buffer` after clearing it, keeping its capacity: pass a
    // buffer back in (from take()) to build without allocating.
    MessageBuilder(Method method, MessageClass cls, const TransactionId& transaction_id,
                   std::vector<std::uint8_t> buffer);

    const TransactionId& transaction_id() const noexcept { return transaction_id_; }

    // Appends an attribute with a copy of `value`, padded with zeros.
    void add(std::uint16_t type, std::span<const std::uint8_t> value);

    // Appends an attribute whose value the caller then writes in place:
    // returns `length` zeroed bytes (padding already written), or an empty
    // span if refused (ok() tells a refusal from a zero length). The span is
    // valid until the next add.
    std::span<std::uint8_t> append(std::uint16_t type, std::size_t length);

    // Refuses the message (clears ok()); for attribute encoders given a value
    // they cannot encode.
    void fail() noexcept { ok_ = false; }

    // RFC 8489 section 14.5: HMAC-SHA1 with `key` (the short-term password,
    // or long_term_key()) over the message so far, with Length already
    // counting this attribute. Only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
    // may follow.
    void add_message_integrity(std::span<const std::uint8_t> key);

    // RFC 8489 section 14.6: the same with HMAC-SHA256, untruncated (32
    // bytes). Only FINGERPRINT may follow.
    void add_message_integrity_sha256(std::span<const std::uint8_t> key);

    // RFC 8489 section 14.7: CRC-32 of the message so far (Length counting
    // this attribute) XOR 0x5354554e. Nothing may follow.
    void add_fingerprint();

    bool ok() const noexcept { return ok_; }

    // The message as built so far.
    std::span<const std::uint8_t> bytes() const noexcept { return buffer_; }

    // Hands the buffer over; the builder is empty afterwards.
    std::vector<std::uint8_t> take() && { return std::move(buffer_); }

private:
    enum class Stage { open, after_integrity, after_integrity_sha256, closed };

    std::span<std::uint8_t> append_unchecked(std::uint16_t type, std::size_t length);
    void update_length() noexcept;

    std::vector<std::uint8_t> buffer_;
    TransactionId transaction_id_;
    Stage stage_ = Stage::open;
    bool ok_ = true;
};

}  // namespace switchboard::turn::stun
