#pragma once
// The WebSocket framing of RFC 6455, server side, as a pure codec: bytes from
// the client in, messages and control frames out; frames to the client
// appended to a buffer. The io layer owns the sockets (and the TLS); this
// owns every rule about the bytes, so that it is unit-tested and fuzzed
// without them.
//
// Section 5.2, the base framing protocol:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-------+-+-------------+-------------------------------+
//   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//   |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//   |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//   | |1|2|3|       |K|             |                               |
//   +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//   |     Extended payload length continued, if payload len == 127  |
//   + - - - - - - - - - - - - - - - +-------------------------------+
//   |                               |Masking-key, if MASK set to 1  |
//   +-------------------------------+-------------------------------+
//   | Masking-key (continued)       |          Payload Data         |
//   +-------------------------------- - - - - - - - - - - - - - - - +
//
// No extension is negotiated (permessage-deflate is not offered), so the RSV
// bits must be 0.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace switchboard::signaling::protocol::ws {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Close codes this codec fails a connection with (section 7.4.1).
namespace close {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t no_status = 1005;  // a close frame with no code: never sent
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t too_big = 1009;
}  // namespace close

// What the reader produced. `payload` is valid only during the callback.
struct Event {
    enum class Kind { text, binary, ping, pong, close };
    Kind kind;
    std::string_view payload;  // the message, ping/pong data, or the close reason
    std::uint16_t code = 0;    // close: the client's code (close::no_status if none)
};

// Section 7.4: may a close frame carry this code? (1005, 1006 and 1015 are
// for reporting only; 1004 and the unassigned ranges below 3000 are reserved.)
bool valid_close_code(std::uint16_t code);

// Receives what the Reader finds.
class EventHandler {
public:
    virtual ~EventHandler() = default;
    // Return false to stop reading (e.g. after a close frame): the rest of
    // the bytes given to consume() is then dropped.
    virtual bool on_event(const Event& event) = 0;
};

// Reads client frames. Feed it bytes as they arrive; it unmasks payloads in
// place (the caller's buffer is scratch), hands complete messages and control
// frames to the handler, reassembles fragmented messages and keeps the bytes
// of an incomplete frame for the next call. A message that arrives whole in
// one call is handed over without a copy.
//
// Failure (the return value, a close code): 1002 for a protocol violation (an
// unmasked frame, RSV bits, an unknown opcode, a fragmented or oversized
// control frame, a stray or missing continuation, a 64-bit length with its
// top bit set, a bad close frame), 1009 for a message over the limit (known
// from the header, before its payload arrives), 1007 for text or a close
// reason that is not UTF-8. After a failure the reader reads nothing more.
class Reader {
public:
    explicit Reader(std::size_t max_message_bytes) : max_message_(max_message_bytes) {}

    // Returns 0, or the code to fail the connection with.
    std::uint16_t consume(std::span<char> data, EventHandler& handler);

    // Bytes held for an incomplete frame or a fragmented message.
    std::size_t buffered() const { return partial_.size() + message_.size(); }

private:
    struct Header {
        bool fin = false;
        Opcode opcode = Opcode::continuation;
        std::size_t header_size = 0;
        std::uint64_t payload_size = 0;
        std::uint8_t mask[4] = {};
    };
    // Reads a frame header at the start of `bytes`: its size, or 0 when more
    // bytes are needed; sets failed_ when the header breaks a rule.
    std::size_t parse_header(std::span<const char> bytes, Header& h);
    // One whole frame; false to stop (failed_ set, or the handler said so).
    bool frame(const Header& h, std::span<char> payload, EventHandler& handler);
    bool stop(std::uint16_t code) {
        failed_ = code;
        return false;
    }

    const std::size_t max_message_;
    std::string partial_;  // an incomplete frame, header first
    std::string message_;  // fragments of a message so far
    bool in_message_ = false;
    bool message_is_text_ = false;
    bool stopped_ = false;  // the handler asked to stop
    std::uint16_t failed_ = 0;
};

// Server frames are never masked (section 5.1). The payload is copied.
void append_frame(std::string& out, Opcode opcode, std::string_view payload);
// A close frame: the code, then the reason cut to fit the 125-byte control
// frame limit on a character boundary.
void append_close(std::string& out, std::uint16_t code, std::string_view reason);
// The size append_frame adds for a payload of `payload_size` bytes.
std::size_t frame_size(std::size_t payload_size);
// The size of the server frame (as append_frame wrote it) that starts
// `bytes`; `bytes` must hold at least its header.
std::size_t written_frame_size(std::string_view bytes);

// Section 4.2.2: Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);
// Section 4.1: the key is base64 of 16 bytes.
bool valid_client_key(std::string_view client_key);

}  // namespace switchboard::signaling::protocol::ws
