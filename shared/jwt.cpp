#include "shared/jwt.hpp"

#include "shared/crypto.hpp"
#include "shared/identifier.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <limits>

namespace switchboard::shared {
namespace {

constexpr std::string_view kAlgorithm = "HS256";
constexpr std::string_view kAnyRoom = "*";
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

// Iterative parsing: a payload of nested brackets must not recurse once per
// bracket on a worker thread's stack.
constexpr unsigned kParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;

class JwtCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "jwt"; }

    std::string message(int value) const override {
        switch (static_cast<JwtError>(value)) {
            case JwtError::malformed: return "malformed token";
            case JwtError::bad_algorithm: return "algorithm is not HS256";
            case JwtError::bad_signature: return "bad signature";
            case JwtError::expired: return "token expired";
            case JwtError::not_yet_valid: return "token not yet valid";
            case JwtError::missing_subject: return "missing sub claim";
            case JwtError::bad_subject: return "sub is not a valid user id";
            case JwtError::missing_expiry: return "missing exp claim";
            case JwtError::bad_claim: return "claim has the wrong type or value";
        }
        return "unknown jwt error";
    }
};

std::string_view view(const rapidjson::Value& v) {
    return {v.GetString(), v.GetStringLength()};
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    // b is a non-negative leeway here; exp may be any integer the issuer chose.
    if (a > std::numeric_limits<std::int64_t>::max() - b) {
        return std::numeric_limits<std::int64_t>::max();
    }
    return a + b;
}

// The object, or nothing when the bytes are not one UTF-8 JSON object with
// distinct top-level keys. Duplicate keys are refused because parsers differ
// on which one wins (RFC 7515 section 4: reject or take the last; RapidJSON
// would silently take the first).
bool parse_object(rapidjson::Document& doc, const std::vector<std::uint8_t>& bytes) {
    if (bytes.empty()) {
        return false;
    }
    doc.Parse<kParseFlags>(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (doc.HasParseError() || !doc.IsObject()) {
        return false;
    }
    std::vector<std::string_view> keys;
    keys.reserve(doc.MemberCount());
    for (const auto& member : doc.GetObject()) {
        keys.push_back(view(member.name));
    }
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}

// RFC 7515 section 2: base64url *without* padding, so '=' is malformed here
// even though base64url_decode tolerates correct padding.
std::optional<std::vector<std::uint8_t>> decode_part(std::string_view part) {
    if (part.find('=') != std::string_view::npos) {
        return std::nullopt;
    }
    return base64url_decode(part);
}

// Reads an optional integer claim. False when present but not an integer.
bool read_integer(const rapidjson::Document& doc, const char* key,
                  std::optional<std::int64_t>& out) {
    const auto it = doc.FindMember(key);
    if (it == doc.MemberEnd()) {
        return true;
    }
    if (!it->value.IsInt64()) {
        return false;
    }
    out = it->value.GetInt64();
    return true;
}

bool read_rooms(const rapidjson::Document& doc, JwtClaims& claims) {
    const auto it = doc.FindMember("rooms");
    if (it == doc.MemberEnd()) {
        return true;
    }
    const rapidjson::Value& rooms = it->value;
    if (rooms.IsString()) {
        return view(rooms) == kAnyRoom;
    }
    if (!rooms.IsArray()) {
        return false;
    }
    claims.any_room = false;
    for (const auto& room : rooms.GetArray()) {
        if (!room.IsString()) {
            return false;
        }
        const std::string_view id = view(room);
        if (id == kAnyRoom) {
            claims.any_room = true;
        } else if (valid_identifier(id)) {
            claims.rooms.emplace_back(id);
        } else {
            // An id no join could ever name is an issuer bug; say so now.
            return false;
        }
    }
    return true;
}

std::variant<JwtClaims, JwtError> read_claims(const rapidjson::Document& doc) {
    JwtClaims claims;
    const auto sub = doc.FindMember("sub");
    if (sub == doc.MemberEnd()) {
        return JwtError::missing_subject;
    }
    if (!sub->value.IsString() || !valid_identifier(view(sub->value))) {
        return JwtError::bad_subject;
    }
    claims.sub = std::string(view(sub->value));

    const auto exp = doc.FindMember("exp");
    if (exp == doc.MemberEnd()) {
        return JwtError::missing_expiry;
    }
    if (!exp->value.IsInt64()) {
        return JwtError::bad_claim;
    }
    claims.exp = exp->value.GetInt64();

    if (!read_integer(doc, "nbf", claims.nbf) || !read_integer(doc, "iat", claims.iat) ||
        !read_rooms(doc, claims)) {
        return JwtError::bad_claim;
    }
    const auto name = doc.FindMember("name");
    if (name != doc.MemberEnd()) {
        if (!name->value.IsString()) {
            return JwtError::bad_claim;
        }
        claims.name = std::string(view(name->value));
    }
    const auto admin = doc.FindMember("admin");
    if (admin != doc.MemberEnd()) {
        if (!admin->value.IsBool()) {
            return JwtError::bad_claim;
        }
        claims.admin = admin->value.GetBool();
    }
    return claims;
}

std::optional<JwtError> check_times(const JwtClaims& claims, std::int64_t now,
                                    std::int64_t leeway) {
    if (now >= saturating_add(claims.exp, leeway)) {
        return JwtError::expired;
    }
    const std::int64_t latest_start = saturating_add(now, leeway);
    if ((claims.nbf && *claims.nbf > latest_start) || (claims.iat && *claims.iat > latest_start)) {
        return JwtError::not_yet_valid;
    }
    return std::nullopt;
}

}  // namespace

bool JwtClaims::allows_room(std::string_view room) const {
    return any_room || std::find(rooms.begin(), rooms.end(), room) != rooms.end();
}

const std::error_category& jwt_category() noexcept {
    static const JwtCategory category;
    return category;
}

std::error_code make_error_code(JwtError error) noexcept {
    return {static_cast<int>(error), jwt_category()};
}

std::variant<JwtClaims, JwtError> verify_jwt(std::string_view token, std::string_view secret,
                                             std::int64_t now_unix, std::int64_t leeway_seconds) {
    if (token.empty() || token.size() > kMaxJwtBytes) {
        return JwtError::malformed;
    }
    const std::size_t dot1 = token.find('.');
    const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        return JwtError::malformed;
    }
    const auto header_bytes = decode_part(token.substr(0, dot1));
    const auto payload_bytes = decode_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
    const auto signature = decode_part(token.substr(dot2 + 1));
    if (!header_bytes || !payload_bytes || !signature) {
        return JwtError::malformed;
    }

    rapidjson::Document header;
    if (!parse_object(header, *header_bytes)) {
        return JwtError::malformed;
    }
    // RFC 8725 section 3.1: the algorithm is pinned, never taken from the
    // token; "none" and the RS256/HS256 key-confusion trick stop here.
    const auto alg = header.FindMember("alg");
    if (alg == header.MemberEnd() || !alg->value.IsString() || view(alg->value) != kAlgorithm) {
        return JwtError::bad_algorithm;
    }
    // We implement no header extensions, so a critical one cannot be honoured.
    if (header.HasMember("crit")) {
        return JwtError::malformed;
    }

    if (secret.empty()) {
        return JwtError::bad_signature;
    }
    const Sha256Digest expected = hmac_sha256(secret, token.substr(0, dot2));
    if (!constant_time_equal(as_text(*signature), as_text(expected))) {
        return JwtError::bad_signature;
    }

    rapidjson::Document payload;
    if (!parse_object(payload, *payload_bytes)) {
        return JwtError::malformed;
    }
    auto result = read_claims(payload);
    const std::int64_t leeway = std::max<std::int64_t>(leeway_seconds, 0);
    if (const auto* claims = std::get_if<JwtClaims>(&result)) {
        if (const auto error = check_times(*claims, now_unix, leeway)) {
            return *error;
        }
    }
    return result;
}

std::string mint_jwt(std::string_view secret, const JwtClaims& claims) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    const auto write_string = [&writer](std::string_view s) {
        writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    };
    writer.StartObject();
    writer.Key("sub");
    write_string(claims.sub);
    writer.Key("exp");
    writer.Int64(claims.exp);
    if (claims.nbf) {
        writer.Key("nbf");
        writer.Int64(*claims.nbf);
    }
    if (claims.iat) {
        writer.Key("iat");
        writer.Int64(*claims.iat);
    }
    if (!claims.any_room || !claims.rooms.empty()) {
        writer.Key("rooms");
        writer.StartArray();
        for (const auto& room : claims.rooms) {
            write_string(room);
        }
        if (claims.any_room) {
            write_string(kAnyRoom);
        }
        writer.EndArray();
    }
    if (claims.name) {
        writer.Key("name");
        write_string(*claims.name);
    }
    if (claims.admin) {
        writer.Key("admin");
        writer.Bool(true);
    }
    writer.EndObject();

    std::string token = base64url_encode(as_bytes(kHeaderJson));
    token += '.';
    token += base64url_encode(as_bytes(std::string_view(buffer.GetString(), buffer.GetSize())));
    const Sha256Digest signature = hmac_sha256(secret, token);
    token += '.';
    token += base64url_encode(signature);
    return token;
}

}  // namespace switchboard::shared
