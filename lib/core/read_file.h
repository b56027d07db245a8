// Reading a whole small file into memory: contracts, time zone files. (Event
// input is streamed by LineReader, never read whole.)
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace olly {

// Reads the rest of f into data. False with reason set on a read error (the
// system's message) or past max_bytes ("file too large").
bool read_all(std::FILE* f, std::string& data, std::string& reason, size_t max_bytes = SIZE_MAX);

// Opens path, reads it whole and closes it. False with reason set: the
// system's message when it cannot be opened or read, or as read_all.
bool read_file(const std::string& path, std::string& data, std::string& reason, size_t max_bytes = SIZE_MAX);

// Writes text to path so that a process killed at any moment leaves the old
// file or the new one, never a torn one (alert state, pattern models).
// Throws InputError whose message starts with flag (the option naming path).
void write_file_atomically(std::string_view flag, const std::string& path, const std::string& text);

}  // namespace olly
