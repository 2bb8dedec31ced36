#include "turn/stun/password_algorithm.hpp"

#include "turn/stun/wire.hpp"

namespace switchboard::turn::stun {

// RFC 8489 section 14.11, PASSWORD-ALGORITHMS, a list of:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |         Algorithm 1           | Algorithm 1 Parameters Length |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                    Algorithm 1 Parameters (variable)
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |         Algorithm 2           | Algorithm 2 Parameters Length |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                    Algorithm 2 Parameters (variable)
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                             ...
//
// Section 14.12, PASSWORD-ALGORITHM, is one such entry.
std::variant<PasswordAlgorithm, ParseError> decode_password_algorithm(
    std::span<const std::uint8_t> value) {
    if (value.size() < 4) {
        return ParseError::bad_attribute_length;
    }
    const std::size_t length = wire::read_u16(value, 2);
    if (value.size() < 4 + length || value.size() > 4 + wire::padded(length)) {
        return ParseError::bad_attribute_length;
    }
    return PasswordAlgorithm{wire::read_u16(value, 0), value.subspan(4, length)};
}

std::variant<std::vector<PasswordAlgorithm>, ParseError> decode_password_algorithms(
    std::span<const std::uint8_t> value) {
    std::vector<PasswordAlgorithm> algorithms;
    std::size_t offset = 0;
    while (offset < value.size()) {
        if (value.size() - offset < 4) {
            return ParseError::bad_attribute_length;
        }
        const std::size_t length = wire::read_u16(value, offset + 2);
        if (length > value.size() - offset - 4) {
            return ParseError::bad_attribute_length;
        }
        algorithms.push_back({wire::read_u16(value, offset), value.subspan(offset + 4, length)});
        offset += 4 + wire::padded(length);
    }
    return algorithms;
}

}  // namespace switchboard::turn::stun
