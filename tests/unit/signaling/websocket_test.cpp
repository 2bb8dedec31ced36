// RFC 6455 framing (signaling/protocol/websocket.hpp): table-driven, with
// the RFC's own examples where it gives them.
#include "signaling/protocol/websocket.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace switchboard::signaling::protocol::ws {
namespace {

// A client frame: masked with `mask`, FIN unless `more`, the RSV bits given.
std::string client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                         std::uint32_t mask = 0x37fa213d, std::uint8_t rsv = 0) {
    std::string f;
    f.push_back(static_cast<char>((fin ? 0x80 : 0) | rsv | opcode));
    const std::uint64_t n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<char>(0x80 | n));
    } else if (n < 65536) {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n));
    } else {
        f.push_back(static_cast<char>(0x80 | 127));
        for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>(n >> (56 - 8 * i)));
    }
    const char m[4] = {static_cast<char>(mask >> 24), static_cast<char>(mask >> 16),
                       static_cast<char>(mask >> 8), static_cast<char>(mask)};
    f.append(m, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        f.push_back(static_cast<char>(payload[i] ^ m[i % 4]));
    return f;
}

std::string text(std::string_view p, bool fin = true) {
    return client_frame(0x1, p, fin);
}
std::string cont(std::string_view p, bool fin = true) {
    return client_frame(0x0, p, fin);
}
std::string close_frame(std::uint16_t code, std::string_view reason = "") {
    std::string p;
    p.push_back(static_cast<char>(code >> 8));
    p.push_back(static_cast<char>(code));
    p += reason;
    return client_frame(0x8, p);
}

// Records events as "text:<payload>", "binary:...", "ping:...", "pong:...",
// "close:<code>:<reason>".
struct Recorder final : EventHandler {
    bool on_event(const Event& e) override {
        static const char* names[] = {"text", "binary", "ping", "pong", "close"};
        std::string line = std::string(names[static_cast<int>(e.kind)]) + ":";
        if (e.kind == Event::Kind::close) line += std::to_string(e.code) + ":";
        events.push_back(line + std::string(e.payload));
        return !(stop_after_close && e.kind == Event::Kind::close);
    }
    std::vector<std::string> events;
    bool stop_after_close = false;
};

struct Outcome {
    std::uint16_t code = 0;
    std::vector<std::string> events;
};

// Feeds `bytes` in chunks of `chunk` bytes (0: all at once).
Outcome feed(const std::string& bytes, std::size_t chunk = 0, std::size_t max = 65536) {
    Reader reader(max);
    Recorder rec;
    std::string copy = bytes;
    Outcome out;
    const std::size_t step = chunk == 0 ? std::max<std::size_t>(copy.size(), 1) : chunk;
    for (std::size_t at = 0; at < copy.size() && out.code == 0; at += step) {
        out.code =
            reader.consume(std::span(copy).subspan(at, std::min(step, copy.size() - at)), rec);
    }
    out.events = rec.events;
    return out;
}

TEST(WebSocketReader, TheRfcSingleFrameMaskedTextExample) {
    // Section 5.7: "A single-frame masked text message ... contains "Hello"".
    const std::string bytes("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
    EXPECT_EQ(feed(bytes).events, std::vector<std::string>{"text:Hello"});
}

TEST(WebSocketReader, EveryLengthEncodingAndEverySplitGiveTheSameMessages) {
    const std::string big16(300, 'x'), big64(70000, 'y');
    const std::string stream = text("a") + text(big16) + client_frame(0x9, "ping!") + text(big64) +
                               client_frame(0x2, std::string("\0\1\2", 3)) + client_frame(0xA, "") +
                               text("");
    const std::vector<std::string> want = {
        "text:a", "text:" + big16, "ping:ping!", "text:" + big64, std::string("binary:\0\1\2", 10),
        "pong:",  "text:"};
    for (std::size_t chunk : {0, 1, 2, 3, 7, 13, 64, 1000, 4096}) {
        const auto out = feed(stream, chunk, 100000);
        EXPECT_EQ(out.code, 0) << "chunk " << chunk;
        EXPECT_EQ(out.events, want) << "chunk " << chunk;
    }
}

TEST(WebSocketReader, RandomSplitsOfFragmentedMessagesWithControlFramesBetween) {
    const std::string stream = text("frag", false) + client_frame(0x9, "p1") + cont("ment", false) +
                               cont("ed", true) + text("whole") + close_frame(1000, "bye");
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        Reader reader(1024);
        Recorder rec;
        std::string copy = stream;
        std::size_t at = 0;
        std::uint16_t code = 0;
        while (at < copy.size() && code == 0) {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 9, copy.size() - at);
            code = reader.consume(std::span(copy).subspan(at, n), rec);
            at += n;
        }
        ASSERT_EQ(code, 0);
        ASSERT_EQ(rec.events, (std::vector<std::string>{"ping:p1", "text:fragmented", "text:whole",
                                                        "close:1000:bye"}));
        EXPECT_EQ(reader.buffered(), 0u);
    }
}

TEST(WebSocketReader, ExactlyTheLimitIsAcceptedOneMoreIsTooBigFromTheHeaderAlone) {
    EXPECT_EQ(feed(text(std::string(1024, 'a')), 0, 1024).code, 0);
    // The header alone is enough to refuse: no payload is buffered for it.
    const std::string header = text(std::string(1025, 'a')).substr(0, 8);
    EXPECT_EQ(feed(header, 0, 1024).code, close::too_big);
    // Fragments add up.
    EXPECT_EQ(feed(text(std::string(600, 'a'), false) + cont(std::string(425, 'b')), 0, 1024).code,
              close::too_big);
    EXPECT_EQ(feed(text(std::string(600, 'a'), false) + cont(std::string(424, 'b')), 0, 1024).code,
              0);
}

TEST(WebSocketReader, ProtocolViolationsFailWith1002) {
    struct Case {
        const char* why;
        std::string bytes;
    };
    std::string unmasked = text("hi");
    unmasked[1] = static_cast<char>(unmasked[1] & 0x7F);
    std::string top_bit_length("\x81\xFF\x80\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00", 14);
    const Case cases[] = {
        {"unmasked", unmasked},
        {"RSV1 (no extension negotiated)", client_frame(0x1, "hi", true, 1, 0x40)},
        {"RSV3", client_frame(0x1, "hi", true, 1, 0x10)},
        {"reserved data opcode 3", client_frame(0x3, "hi")},
        {"reserved control opcode B", client_frame(0xB, "hi")},
        {"fragmented ping", client_frame(0x9, "hi", false)},
        {"control frame over 125 bytes", client_frame(0x9, std::string(126, 'p'))},
        {"continuation with nothing to continue", cont("x")},
        {"a new message while one is fragmented", text("a", false) + text("b")},
        {"64-bit length with its top bit set", top_bit_length},
        {"close with a 1-byte payload", client_frame(0x8, "x")},
        {"close code 1005 (reporting only)", close_frame(1005)},
        {"close code 1006", close_frame(1006)},
        {"close code 1004 (reserved)", close_frame(1004)},
        {"close code 999", close_frame(999)},
        {"close code 2999", close_frame(2999)},
        {"close code 5000", close_frame(5000)},
    };
    for (const auto& c : cases) {
        const auto out = feed(c.bytes);
        EXPECT_EQ(out.code, close::protocol_error) << c.why;
        EXPECT_TRUE(out.events.empty()) << c.why;
    }
}

TEST(WebSocketReader, TextThatIsNotUtf8Fails1007) {
    EXPECT_EQ(feed(text("caf\xC3")).code, close::invalid_payload);
    EXPECT_EQ(feed(text("\xED\xA0\x80")).code, close::invalid_payload);  // a surrogate
    // A character split across fragments is fine; an invalid one across them is not.
    EXPECT_EQ(feed(text("caf\xC3", false) + cont("\xA9")).events,
              std::vector<std::string>{"text:caf\xC3\xA9"});
    EXPECT_EQ(feed(text("caf\xC3", false) + cont("x")).code, close::invalid_payload);
    EXPECT_EQ(feed(close_frame(1000, "\xFF")).code, close::invalid_payload);
    // Binary is not text: any bytes.
    EXPECT_EQ(feed(client_frame(0x2, "\xFF")).code, 0);
}

TEST(WebSocketReader, CloseFramesCarryTheirCodeAndReason) {
    EXPECT_EQ(feed(close_frame(1000, "done")).events, std::vector<std::string>{"close:1000:done"});
    EXPECT_EQ(feed(close_frame(4001)).events, std::vector<std::string>{"close:4001:"});
    EXPECT_EQ(feed(client_frame(0x8, "")).events, std::vector<std::string>{"close:1005:"});
    for (std::uint16_t code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999}) {
        EXPECT_EQ(feed(close_frame(code)).code, 0) << code;
    }
}

TEST(WebSocketReader, AHandlerThatStopsStopsTheReader) {
    Reader reader(1024);
    Recorder rec;
    rec.stop_after_close = true;
    std::string bytes = close_frame(1000) + text("after the close");
    EXPECT_EQ(reader.consume(bytes, rec), 0);
    std::string more = text("more");
    EXPECT_EQ(reader.consume(more, rec), 0);
    EXPECT_EQ(rec.events, std::vector<std::string>{"close:1000:"});
}

TEST(WebSocketReader, AFailedReaderReadsNothingMore) {
    Reader reader(1024);
    Recorder rec;
    std::string bad = cont("x");
    EXPECT_EQ(reader.consume(bad, rec), close::protocol_error);
    std::string good = text("hi");
    EXPECT_EQ(reader.consume(good, rec), close::protocol_error);
    EXPECT_TRUE(rec.events.empty());
}

// Decodes one unmasked server frame: opcode and payload.
std::pair<int, std::string> server_frame(std::string_view f) {
    EXPECT_GE(f.size(), 2u);
    const auto b1 = static_cast<std::uint8_t>(f[1]);
    EXPECT_EQ(b1 & 0x80, 0) << "server frames are not masked";
    std::size_t header = 2;
    std::uint64_t n = b1 & 0x7F;
    if (n == 126) {
        n = (std::uint64_t{static_cast<std::uint8_t>(f[2])} << 8) | static_cast<std::uint8_t>(f[3]);
        header = 4;
    } else if (n == 127) {
        n = 0;
        for (int i = 2; i < 10; ++i) n = (n << 8) | static_cast<std::uint8_t>(f[i]);
        header = 10;
    }
    EXPECT_EQ(f.size(), header + n);
    EXPECT_EQ(static_cast<std::uint8_t>(f[0]) & 0xF0, 0x80) << "FIN, no RSV";
    return {static_cast<std::uint8_t>(f[0]) & 0x0F, std::string(f.substr(header))};
}

TEST(WebSocketWriter, FramesUseTheShortestLengthAndNoMask) {
    for (std::size_t n : {0, 1, 125, 126, 65535, 65536, 70000}) {
        std::string out;
        append_frame(out, Opcode::text, std::string(n, 'z'));
        EXPECT_EQ(out.size(), frame_size(n)) << n;
        EXPECT_EQ(server_frame(out), (std::pair<int, std::string>{1, std::string(n, 'z')})) << n;
    }
    EXPECT_EQ(frame_size(125), 127u);
    EXPECT_EQ(frame_size(126), 130u);
    EXPECT_EQ(frame_size(65536), 65546u);
}

TEST(WebSocketWriter, CloseReasonsAreCutToTheControlLimitOnACharacterBoundary) {
    std::string out;
    append_close(out, 4008, "heartbeat timeout");
    EXPECT_EQ(server_frame(out), (std::pair<int, std::string>{8, "\x0F\xA8heartbeat timeout"}));
    out.clear();
    std::string euros;
    for (int i = 0; i < 60; ++i) euros += "\xE2\x82\xAC";  // 180 bytes
    append_close(out, 1000, euros);
    const auto [op, payload] = server_frame(out);
    EXPECT_EQ(op, 8);
    EXPECT_EQ(payload.size(), 2u + 123u);  // 41 whole euros
    EXPECT_EQ(payload.substr(2), euros.substr(0, 123));
}

TEST(WebSocketHandshake, TheRfcAcceptKeyExample) {
    // Section 1.3.
    EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    EXPECT_TRUE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
    EXPECT_FALSE(valid_client_key(""));
    EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25j"));    // 15 bytes... 12 in fact
    EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ"));  // no padding
    EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ==x"));
}

}  // namespace
}  // namespace switchboard::signaling::protocol::ws
