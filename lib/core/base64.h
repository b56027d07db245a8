// Base64 (RFC 4648, standard alphabet, padded): binary sketch state in
// the JSON partial-state format, and --errors records of lines that are
// not UTF-8 (raw_base64).
#pragma once
#include <string>
#include <string_view>

namespace olly {

void append_base64(std::string& out, std::string_view bytes);
// Decodes text into out; false on a malformed input.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace olly
