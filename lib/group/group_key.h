// Group keys (lib/group; see group_table.h): the values of the `by` fields
// of one event, encoded into one byte string (the GroupTable key), decoded
// again to write them out and to sort groups by value. Missing and null are
// the same group (null).
//
// Encoding, per field: 'n' null; 'f' / 't' false / true; 'i' + 8 bytes
// int64; 'd' + 8 bytes double (integral doubles are encoded as 'i', so 5.0
// and 5 group together and partial states round-trip); 's' / 'a' / 'o' +
// 4-byte length + bytes (string unescaped, array/object raw JSON).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "expr/value.h"

namespace olly {

class JsonBuilder;

void append_key_part(std::string& key, const Value& v);

// Decodes one encoded key into its values (strings view into key).
std::vector<Value> decode_key(std::string_view key);

// Orders keys by their values: null < booleans < numbers < strings < arrays
// < objects; numbers numerically, strings bytewise. Returns <0, 0, >0.
int compare_keys(std::string_view a, std::string_view b);

// Writes "name":value for each by-field.
void write_key_fields(JsonBuilder& out, const std::vector<std::string>& names, std::string_view key);

// The by-fields as nested member names (http.method -> {"http","method"}),
// so a dotted path is written back where it was read from. Empty when a
// field is not a plain member path (an array index) or when one field is a
// prefix of another (http and http.method): those are written flat.
std::vector<std::vector<std::string>> nested_key_names(const std::vector<std::string>& names);
// Writes the by-fields nested: {"http":{"method":"GET","route":"/a"}}.
void write_key_fields_nested(JsonBuilder& out, const std::vector<std::vector<std::string>>& names,
                             std::string_view key);

}  // namespace olly
