#include "signaling/protocol/websocket.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "shared/crypto.hpp"
#include "shared/utf8.hpp"

namespace switchboard::signaling::protocol::ws {
namespace {

// Section 5.5: "All control frames MUST have a payload length of 125 bytes or less".
constexpr std::size_t kMaxControlPayload = 125;
constexpr std::size_t kMaxHeader = 14;  // 2 + 8 (64-bit length) + 4 (mask)

bool is_control(Opcode op) {
    return static_cast<std::uint8_t>(op) >= 0x8;
}

// Section 5.3: payload[i] ^= mask[i % 4], eight bytes at a time.
void unmask(std::span<char> payload, const std::uint8_t (&mask)[4]) {
    std::uint64_t wide;
    std::uint8_t pattern[8];
    for (int i = 0; i < 8; ++i) pattern[i] = mask[i % 4];
    std::memcpy(&wide, pattern, sizeof wide);
    std::size_t i = 0;
    for (; i + 8 <= payload.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, payload.data() + i, sizeof word);
        word ^= wide;
        std::memcpy(payload.data() + i, &word, sizeof word);
    }
    for (; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
}

std::uint8_t byte(std::span<const char> b, std::size_t i) {
    return static_cast<std::uint8_t>(b[i]);
}

}  // namespace

bool valid_close_code(std::uint16_t code) {
    // Section 7.4.1 and the IANA registry (1012-1014 were added to it later);
    // 3000-4999 are for libraries and applications (4001, 4008, 4029 here).
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

std::size_t Reader::parse_header(std::span<const char> bytes, Header& h) {
    if (bytes.size() < 2) return 0;
    const std::uint8_t b0 = byte(bytes, 0);
    const std::uint8_t b1 = byte(bytes, 1);
    // "RSV1, RSV2, RSV3: ... MUST be 0 unless an extension is negotiated".
    if ((b0 & 0x70) != 0) return stop(close::protocol_error), 0;
    h.fin = (b0 & 0x80) != 0;
    const std::uint8_t op = b0 & 0x0F;
    if (op > 0x2 && (op < 0x8 || op > 0xA))
        return stop(close::protocol_error), 0;  // reserved opcodes
    h.opcode = static_cast<Opcode>(op);
    // Section 5.1: "The server MUST close the connection upon receiving a
    // frame that is not masked."
    if ((b1 & 0x80) == 0) return stop(close::protocol_error), 0;
    std::size_t size = 2;
    std::uint64_t length = b1 & 0x7F;
    if (length == 126) {
        if (bytes.size() < 4) return 0;
        length = (std::uint64_t{byte(bytes, 2)} << 8) | byte(bytes, 3);
        size = 4;
    } else if (length == 127) {
        if (bytes.size() < 10) return 0;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | byte(bytes, i);
        // "the most significant bit MUST be 0".
        if ((length >> 63) != 0) return stop(close::protocol_error), 0;
        size = 10;
    }
    if (is_control(h.opcode) && (!h.fin || length > kMaxControlPayload))
        return stop(close::protocol_error), 0;
    // A message over the limit is refused from its header, before its
    // payload is buffered.
    if (!is_control(h.opcode) &&
        (h.opcode == Opcode::continuation ? message_.size() : 0) + length > max_message_) {
        return stop(close::too_big), 0;
    }
    if (bytes.size() < size + 4) return 0;
    for (std::size_t i = 0; i < 4; ++i) h.mask[i] = byte(bytes, size + i);
    h.header_size = size + 4;
    h.payload_size = length;
    return h.header_size;
}

bool Reader::frame(const Header& h, std::span<char> payload, EventHandler& handler) {
    unmask(payload, h.mask);
    const std::string_view text(payload.data(), payload.size());
    Event event{Event::Kind::ping, text, 0};
    switch (h.opcode) {
        case Opcode::text:
        case Opcode::binary:
            // Section 5.4: a new data frame while a fragmented message is open.
            if (in_message_) return stop(close::protocol_error);
            if (!h.fin) {
                in_message_ = true;
                message_is_text_ = h.opcode == Opcode::text;
                message_.assign(text);
                return true;
            }
            event.kind = h.opcode == Opcode::text ? Event::Kind::text : Event::Kind::binary;
            break;
        case Opcode::continuation:
            if (!in_message_) return stop(close::protocol_error);
            message_.append(text);
            if (!h.fin) return true;
            in_message_ = false;
            event.kind = message_is_text_ ? Event::Kind::text : Event::Kind::binary;
            event.payload = message_;
            break;
        case Opcode::ping: event.kind = Event::Kind::ping; break;
        case Opcode::pong: event.kind = Event::Kind::pong; break;
        case Opcode::close:
            // Section 5.5.1: an optional 2-byte code, then a UTF-8 reason.
            if (text.size() == 1) return stop(close::protocol_error);
            event.kind = Event::Kind::close;
            event.code = close::no_status;
            if (text.size() >= 2) {
                event.code = static_cast<std::uint16_t>((byte(payload, 0) << 8) | byte(payload, 1));
                if (!valid_close_code(event.code)) return stop(close::protocol_error);
                event.payload = text.substr(2);
                if (!shared::valid_utf8(event.payload)) return stop(close::invalid_payload);
            }
            break;
    }
    // Section 8.1: text that is not UTF-8 fails the connection.
    if (event.kind == Event::Kind::text && !shared::valid_utf8(event.payload))
        return stop(close::invalid_payload);
    const bool go_on = handler.on_event(event);
    if (event.payload.data() == message_.data())
        std::string().swap(message_);  // give the memory back
    if (!go_on) stopped_ = true;
    return go_on;
}

std::uint16_t Reader::consume(std::span<char> data, EventHandler& handler) {
    if (failed_ != 0 || stopped_) return failed_;
    // First a frame the last call left incomplete, completed from the front of `data`.
    while (!partial_.empty()) {
        Header h;
        const std::size_t header = parse_header(partial_, h);
        if (failed_ != 0) return failed_;
        if (header == 0) {  // not even the header yet: move up to a longest header over
            if (data.empty()) return 0;
            const std::size_t take = std::min(kMaxHeader - partial_.size(), data.size());
            partial_.append(data.data(), take);
            data = data.subspan(take);
            continue;
        }
        // Bounded: parse_header checked the size against max_message_ (125 for control frames).
        const std::size_t total = header + static_cast<std::size_t>(h.payload_size);
        if (partial_.size() < total) {
            const std::size_t take = std::min(total - partial_.size(), data.size());
            partial_.append(data.data(), take);
            data = data.subspan(take);
            if (partial_.size() < total) return 0;
        }
        std::string whole;
        whole.swap(partial_);
        // Bytes past this frame (moved over with its header) start the next one.
        if (whole.size() > total) partial_.assign(whole, total);
        if (!frame(h, std::span(whole).subspan(header, total - header), handler)) return failed_;
    }
    // Then whole frames in place; the tail of an incomplete one is kept.
    while (!data.empty()) {
        Header h;
        const std::size_t header = parse_header(data, h);
        if (failed_ != 0) return failed_;
        if (header == 0 || data.size() - header < h.payload_size) {
            partial_.assign(data.data(), data.size());
            return 0;
        }
        const auto payload = static_cast<std::size_t>(h.payload_size);
        if (!frame(h, data.subspan(header, payload), handler)) return failed_;
        data = data.subspan(header + payload);
    }
    return 0;
}

std::size_t frame_size(std::size_t payload_size) {
    return payload_size + (payload_size < 126 ? 2 : payload_size < 65536 ? 4 : 10);
}

std::size_t written_frame_size(std::string_view bytes) {
    const auto length = static_cast<std::uint8_t>(bytes[1]) & 0x7F;
    if (length < 126) return 2 + length;
    std::size_t n = 0;
    const std::size_t digits = length == 126 ? 2 : 8;
    for (std::size_t i = 0; i < digits; ++i) n = (n << 8) | static_cast<std::uint8_t>(bytes[2 + i]);
    return 2 + digits + n;
}

void append_frame(std::string& out, Opcode opcode, std::string_view payload) {
    char header[10];
    std::size_t size = 2;
    header[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));
    const std::uint64_t n = payload.size();
    if (n < 126) {
        header[1] = static_cast<char>(n);
    } else if (n < 65536) {
        header[1] = 126;
        header[2] = static_cast<char>(n >> 8);
        header[3] = static_cast<char>(n);
        size = 4;
    } else {
        header[1] = 127;
        for (int i = 0; i < 8; ++i) header[2 + i] = static_cast<char>(n >> (56 - 8 * i));
        size = 10;
    }
    out.append(header, size);
    out.append(payload);
}

void append_close(std::string& out, std::uint16_t code, std::string_view reason) {
    char payload[kMaxControlPayload];
    payload[0] = static_cast<char>(code >> 8);
    payload[1] = static_cast<char>(code);
    const auto cut = shared::utf8_prefix(reason, kMaxControlPayload - 2);
    std::memcpy(payload + 2, cut.data(), cut.size());
    append_frame(out, Opcode::close, std::string_view(payload, 2 + cut.size()));
}

std::string accept_key(std::string_view client_key) {
    // Section 4.2.2 item 5.4: base64(SHA-1(key + GUID)).
    std::string text(client_key);
    text += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    return shared::base64_encode(shared::sha1(shared::as_bytes(text)));
}

bool valid_client_key(std::string_view client_key) {
    const auto decoded = shared::base64_decode(client_key);
    return decoded && decoded->size() == 16;
}

}  // namespace switchboard::signaling::protocol::ws
