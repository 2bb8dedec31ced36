#pragma once
// Helpers shared by the STUN codec tests: hex fixtures, build-then-parse
// round trips, and readable checks of std::variant<T, ParseError> results.

#include "turn/stun/builder.hpp"
#include "turn/stun/message.hpp"
#include "turn/stun/parse_error.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchboard::turn::stun {

// gtest prints the reason, not an integer, when a ParseError check fails.
inline void PrintTo(ParseError error, std::ostream* out) {
    *out << "ParseError(" << make_error_code(error).message() << ")";
}

namespace test {

// Hex digits; whitespace is skipped and '#' comments run to the end of the
// line. Any other character, or an odd digit count, fails the test.
inline std::vector<std::uint8_t> from_hex(std::string_view text) {
    std::vector<std::uint8_t> bytes;
    int pending = -1;
    bool comment = false;
    for (const char c : text) {
        if (comment) {
            comment = c != '\n';
            continue;
        }
        if (c == '#') {
            comment = true;
            continue;
        }
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            continue;
        }
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (digit < 0) {
            ADD_FAILURE() << "not a hex digit: '" << c << "'";
            return {};
        }
        if (pending < 0) {
            pending = digit;
        } else {
            bytes.push_back(static_cast<std::uint8_t>(pending * 16 + digit));
            pending = -1;
        }
    }
    if (pending >= 0) {
        ADD_FAILURE() << "odd number of hex digits";
    }
    return bytes;
}

inline std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const std::uint8_t b : bytes) {
        if (!out.empty()) out += ' ';
        out += kDigits[b >> 4];
        out += kDigits[b & 0xF];
    }
    return out;
}

// tests/data/stun/<name>, hex decoded.
inline std::vector<std::uint8_t> load_fixture(const std::string& name) {
    const std::string path = std::string(SB_TEST_DATA_DIR) + "/stun/" + name;
    std::ifstream in(path);
    if (!in) {
        ADD_FAILURE() << "cannot open " << path;
        return {};
    }
    std::stringstream text;
    text << in.rdbuf();
    return from_hex(text.str());
}

inline std::vector<std::uint8_t> bytes_of(std::string_view text) {
    return {text.begin(), text.end()};
}

// The transaction id of RFC 5769 sections 2.1 to 2.3.
inline TransactionId rfc5769_transaction_id() {
    return TransactionId{{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae}};
}

// The value, or nullopt after recording a failure that names the error.
template <class T>
std::optional<T> ok(const std::variant<T, ParseError>& result) {
    if (const ParseError* error = std::get_if<ParseError>(&result)) {
        ADD_FAILURE() << "unexpected error: " << make_error_code(*error).message();
        return std::nullopt;
    }
    return std::get<T>(result);
}

// The error, or nullopt if the result is a value.
template <class T>
std::optional<ParseError> error_of(const std::variant<T, ParseError>& result) {
    if (const ParseError* error = std::get_if<ParseError>(&result)) {
        return *error;
    }
    return std::nullopt;
}

// Runs `add` on a fresh builder (Allocate request, the RFC 5769 id) and
// returns the message; the builder must still be ok().
template <class Add>
std::vector<std::uint8_t> build(Add&& add, Method method = Method::allocate,
                                MessageClass cls = MessageClass::request) {
    MessageBuilder builder(method, cls, rfc5769_transaction_id());
    add(builder);
    EXPECT_TRUE(builder.ok());
    return std::move(builder).take();
}

// Parses `message` and copies out the value of its first `type` attribute.
inline std::optional<std::vector<std::uint8_t>> attribute_value(
    std::span<const std::uint8_t> message, std::uint16_t type) {
    const auto parsed = parse_message(message);
    const auto* view = std::get_if<MessageView>(&parsed);
    if (view == nullptr) {
        ADD_FAILURE() << "does not parse: "
                      << make_error_code(std::get<ParseError>(parsed)).message();
        return std::nullopt;
    }
    const Attribute* attribute = view->find(type);
    if (attribute == nullptr) {
        ADD_FAILURE() << "attribute " << type << " missing";
        return std::nullopt;
    }
    return std::vector<std::uint8_t>(attribute->value.begin(), attribute->value.end());
}

}  // namespace test
}  // namespace switchboard::turn::stun
