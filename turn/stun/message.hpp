#pragma once
// STUN message header and the parsed, non-owning view of a whole message
// (RFC 8489 sections 5, 6 and 14). Pure: no I/O, no exceptions, no heap
// allocation; safe to call from any thread. A MessageView points into the
// caller's buffer and is valid only as long as that buffer is.

#include "shared/crypto.hpp"
#include "turn/stun/parse_error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace switchboard::turn::stun {

inline constexpr std::uint32_t kMagicCookie = 0x2112A442;
inline constexpr std::size_t kHeaderSize = 20;
inline constexpr std::size_t kAttributeHeaderSize = 4;
// The Length field is 16 bits and a multiple of 4.
inline constexpr std::size_t kMaxMessageLength = 0xFFFC;
// Browsers send fewer than 15; the bound keeps a parse O(1) in memory and
// refuses floods of empty attributes.
inline constexpr std::size_t kMaxAttributes = 64;

// STUN methods of RFC 8489 (Binding) and RFC 8656 (TURN). Values a peer
// sends that are not listed here still parse; the handler answers them.
enum class Method : std::uint16_t {
    binding = 0x001,
    allocate = 0x003,
    refresh = 0x004,
    send = 0x006,
    data = 0x007,
    create_permission = 0x008,
    channel_bind = 0x009,
};

enum class MessageClass : std::uint8_t {
    request = 0b00,
    indication = 0b01,
    success_response = 0b10,
    error_response = 0b11,
};

// RFC 8489 section 5, the Message Type field: the class bits C1 C0 are
// interleaved with the 12 method bits M11..M0.
//
//                     0                 1
//                     2  3  4 5 6 7 8 9 0 1 2 3 4 5
//                    +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//                    |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
//                    |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
//                    +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
constexpr std::uint16_t make_message_type(Method method, MessageClass cls) noexcept {
    const auto m = static_cast<std::uint16_t>(method);
    const auto c = static_cast<std::uint16_t>(cls);
    return static_cast<std::uint16_t>((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) |
                                      ((c & 0b01) << 4) | ((c & 0b10) << 7));
}

constexpr Method method_of(std::uint16_t type) noexcept {
    return static_cast<Method>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}

constexpr MessageClass class_of(std::uint16_t type) noexcept {
    return static_cast<MessageClass>(((type >> 4) & 0b01) | ((type >> 7) & 0b10));
}

// For logs and metric labels: "Allocate", "ChannelBind"; "unknown" otherwise.
std::string_view to_string(Method method) noexcept;
// "request", "indication", "success response", "error response".
std::string_view to_string(MessageClass cls) noexcept;

struct TransactionId {
    std::array<std::uint8_t, 12> bytes{};

    // RFC 8489 section 5: "The transaction ID MUST be uniformly and randomly
    // chosen from the interval 0 .. 2**96-1, and MUST be cryptographically
    // random." Uses the OpenSSL CSPRNG, directly or through a pool (hot
    // paths).
    static TransactionId random();
    static TransactionId random(shared::RandomPool& pool);

    bool operator==(const TransactionId&) const = default;
};

// One attribute as it appears in the message.
struct Attribute {
    std::uint16_t type = 0;
    std::span<const std::uint8_t> value;  // Length bytes, without the padding
    std::size_t offset = 0;               // of the attribute header, from the message start
};

// A message that passed parse_message. Only parse_message makes one.
class MessageView {
public:
    std::uint16_t type() const noexcept { return type_; }
    Method method() const noexcept { return method_of(type_); }
    MessageClass message_class() const noexcept { return class_of(type_); }
    const TransactionId& transaction_id() const noexcept { return transaction_id_; }

    // The whole message, header included (exactly the bytes parsed).
    std::span<const std::uint8_t> bytes() const noexcept { return bytes_; }

    // In message order. Attributes that RFC 8489 section 14.5 says to ignore
    // (after MESSAGE-INTEGRITY, other than MESSAGE-INTEGRITY-SHA256 and
    // FINGERPRINT; anything after FINGERPRINT) are not listed.
    std::span<const Attribute> attributes() const noexcept { return {attributes_.data(), count_}; }

    // RFC 8489 section 14: "only the first occurrence needs to be processed
    // by a receiver, and any duplicates MAY be ignored". nullptr if absent.
    const Attribute* find(std::uint16_t type) const noexcept;

    // Offsets of the attribute headers, for integrity.hpp.
    std::optional<std::size_t> message_integrity_offset() const noexcept { return integrity_; }
    std::optional<std::size_t> message_integrity_sha256_offset() const noexcept {
        return integrity_sha256_;
    }
    std::optional<std::size_t> fingerprint_offset() const noexcept { return fingerprint_; }

private:
    friend std::variant<MessageView, ParseError> parse_message(std::span<const std::uint8_t>);
    MessageView() = default;

    std::span<const std::uint8_t> bytes_;
    std::uint16_t type_ = 0;
    TransactionId transaction_id_;
    std::optional<std::size_t> integrity_;
    std::optional<std::size_t> integrity_sha256_;
    std::optional<std::size_t> fingerprint_;
    std::size_t count_ = 0;
    std::array<Attribute, kMaxAttributes> attributes_{};
};

// Parses one whole STUN message: a UDP datagram, or one frame that
// framing.hpp cut from a TCP/TLS stream. Checks the header (RFC 8489 section
// 6.3: zero top bits, magic cookie, a sensible length), that Length is a
// multiple of 4 and equals bytes.size() - 20, and walks the attributes;
// MESSAGE-INTEGRITY must be 20 bytes, MESSAGE-INTEGRITY-SHA256 16 to 32 in
// steps of 4, FINGERPRINT 4. Does not check the method, unknown
// comprehension-required attributes (unknown_attributes.hpp), integrity or
// fingerprint (integrity.hpp): those are the handler's decisions.
std::variant<MessageView, ParseError> parse_message(std::span<const std::uint8_t> bytes);
// The view would outlive a temporary buffer (as std::regex_match refuses
// temporary strings with match_results).
std::variant<MessageView, ParseError> parse_message(std::vector<std::uint8_t>&&) = delete;

// Demultiplexing (RFC 7983): a cheap check that `bytes` starts like a STUN
// message (20 bytes or more, top two bits zero, the magic cookie). A true
// result says nothing about the rest; parse_message decides.
bool looks_like_stun(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace switchboard::turn::stun
