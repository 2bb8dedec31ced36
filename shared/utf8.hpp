#pragma once
// UTF-8 validation (RFC 3629 section 4): what RFC 6455 section 8.1 asks of
// every text message and close reason. Pure.

#include <string_view>

namespace switchboard::shared {

// True when `text` is well-formed UTF-8: no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence. ASCII runs
// are checked eight bytes at a time.
bool valid_utf8(std::string_view text);

// The longest prefix of `text`, at most `max_bytes` long, that does not cut a
// multi-byte sequence (for truncating a valid string).
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace switchboard::shared
