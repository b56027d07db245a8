// Base64 (RFC 4648, standard alphabet, padded) for binary sketch state in
// the JSON partial-state format.
#pragma once
#include <string>
#include <string_view>

namespace olly {

void append_base64(std::string& out, std::string_view bytes);
// Decodes text into out; false on a malformed input.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace olly
