#include "turn/stun/parse_error.hpp"

#include <string>

namespace switchboard::turn::stun {
namespace {

class StunCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "stun"; }

    std::string message(int value) const override {
        switch (static_cast<ParseError>(value)) {
            case ParseError::too_short: return "too short";
            case ParseError::not_stun: return "not a STUN message";
            case ParseError::bad_magic_cookie: return "bad magic cookie";
            case ParseError::bad_length: return "length is not a multiple of 4";
            case ParseError::length_mismatch: return "length does not match the data";
            case ParseError::truncated_attribute: return "truncated attribute";
            case ParseError::too_many_attributes: return "too many attributes";
            case ParseError::bad_attribute_length: return "bad attribute length";
            case ParseError::bad_attribute_value: return "bad attribute value";
            case ParseError::bad_address_family: return "bad address family";
            case ParseError::value_too_long: return "attribute value too long";
            case ParseError::bad_channel_number: return "bad channel number";
            case ParseError::not_stun_or_channel_data:
                return "neither a STUN message nor ChannelData";
            case ParseError::frame_too_large: return "frame too large";
        }
        return "unknown stun error";
    }
};

}  // namespace

const std::error_category& stun_category() noexcept {
    static const StunCategory category;
    return category;
}

std::error_code make_error_code(ParseError error) noexcept {
    return {static_cast<int>(error), stun_category()};
}

}  // namespace switchboard::turn::stun
