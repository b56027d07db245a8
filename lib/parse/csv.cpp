// CSV (RFC 4180) and TSV records to JSON objects, fed line by line.
#include <fmt/format.h>

#include <cstring>

#include "parse/line_detail.h"
#include "parse/line_formats.h"

namespace olly::parse {

CsvReader::CsvReader(Options opts) : opts_(std::move(opts)) {
  if (!opts_.columns.empty()) {
    set_columns(opts_.columns);
    have_header_ = true;
  }
}

void CsvReader::set_columns(std::vector<std::string> names) {
  for (size_t c = 0; c < names.size(); ++c) {
    if (names[c].empty()) names[c] = fmt::format("_{}", c + 1);
    // Repeated names get _2, _3, ... (skipping names already taken).
    auto taken = [&](const std::string& name) {
      for (size_t k = 0; k < c; ++k)
        if (names[k] == name) return true;
      return false;
    };
    const std::string base = names[c];
    for (int n = 2; taken(names[c]); ++n) names[c] = fmt::format("{}_{}", base, n);
  }
  columns_ = std::move(names);
  keys_json_.clear();
  for (const auto& name : columns_) {
    std::string k;
    append_json_string(k, name);
    k.push_back(':');
    keys_json_.push_back(std::move(k));
  }
}

// Reads a quoted field's body from text[i] on (just after its opening quote,
// or at the start of a line that continues it) into field_text_. True with i
// after the closing quote; false when the line ends inside the quotes.
bool CsvReader::quoted_body(std::string_view text, size_t& i) {
  const size_t n = text.size();
  while (true) {
    const void* q = i < n ? std::memchr(text.data() + i, '"', n - i) : nullptr;
    if (!q) {
      field_text_.append(text.data() + i, n - i);
      i = n;
      return false;
    }
    size_t quote = static_cast<size_t>(static_cast<const char*>(q) - text.data());
    field_text_.append(text.data() + i, quote - i);
    if (quote + 1 < n && text[quote + 1] == '"') {  // "" is one quote
      field_text_.push_back('"');
      i = quote + 2;
      continue;
    }
    i = quote + 1;
    return true;
  }
}

// Splits one physical line into fields_. With resume, the line continues a
// quoted field left open by the line before (fields_ and field_text_ hold
// the record so far): each line is scanned once, however many lines the
// record spans.
bool CsvReader::split(std::string_view text, bool resume, bool& open_quote, std::string& reason) {
  if (!resume) {
    fields_.clear();
    field_text_.clear();
  }
  open_quote = false;
  const char delim = opts_.delimiter;
  const size_t n = text.size();
  size_t i = 0;
  while (true) {
    if (resume || (opts_.quoting && i < n && text[i] == '"')) {
      size_t begin;
      if (resume) {
        begin = open_field_begin_;
        field_text_.push_back('\n');  // the line break inside the quotes
        resume = false;
      } else {
        begin = field_text_.size();
        ++i;
      }
      if (!quoted_body(text, i)) {
        open_field_begin_ = begin;
        open_quote = true;
        return true;
      }
      if (i < n && text[i] != delim) {
        detail::set_reason(reason, "unexpected text after a closing quote", i);
        return false;
      }
      fields_.push_back({begin, field_text_.size(), true});
    } else {
      size_t begin = field_text_.size();
      const void* d = i < n ? std::memchr(text.data() + i, delim, n - i) : nullptr;
      size_t end = d ? static_cast<size_t>(static_cast<const char*>(d) - text.data()) : n;
      std::string_view raw = text.substr(i, end - i);
      if (!opts_.quoting && !raw.empty() && std::memchr(raw.data(), '\\', raw.size())) {
        for (size_t k = 0; k < raw.size(); ++k) {
          char c = raw[k];
          if (c == '\\' && k + 1 < raw.size()) {
            char e = raw[k + 1];
            char decoded = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == '\\' ? '\\' : 0;
            if (decoded) {
              field_text_.push_back(decoded);
              ++k;
              continue;
            }
          }
          field_text_.push_back(c);
        }
      } else {
        field_text_.append(raw);
      }
      fields_.push_back({begin, field_text_.size(), false});
      i = end;
    }
    if (i >= n) return true;
    ++i;  // the delimiter; a trailing one means a last, empty field
  }
}

CsvReader::Result CsvReader::feed(std::string_view line, JsonBuilder& out, std::string& reason) {
  line = detail::strip_cr(line);
  if (first_line_) {
    first_line_ = false;
    if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
  }
  const bool resume = in_quote_;
  if (resume) {
    ++pending_lines_;
    pending_bytes_ += line.size() + 1;
  } else {
    pending_lines_ = 1;
    if (line.empty()) return Result::skipped;
    pending_bytes_ = line.size();
  }
  bool open = false;
  if (!split(line, resume, open, reason)) {
    in_quote_ = false;
    return Result::error;
  }
  if (open) {
    in_quote_ = true;
    if (pending_bytes_ > opts_.max_record_bytes) {
      reason = fmt::format("quoted field open for {} lines and over {} bytes (unterminated quote?)",
                           pending_lines_, opts_.max_record_bytes);
      in_quote_ = false;
      return Result::error;
    }
    return Result::need_more;
  }
  in_quote_ = false;
  if (!have_header_) {
    std::vector<std::string> names;
    names.reserve(fields_.size());
    for (const Field& f : fields_) names.emplace_back(field_text_, f.begin, f.end - f.begin);
    set_columns(std::move(names));
    have_header_ = true;
    return Result::header;
  }
  return emit(out, reason);
}

CsvReader::Result CsvReader::emit(JsonBuilder& out, std::string& reason) {
  if (fields_.size() != columns_.size()) {
    reason = fmt::format("record has {} field{}, expected {}", fields_.size(),
                         fields_.size() == 1 ? "" : "s", columns_.size());
    return Result::error;
  }
  out.begin_object();
  for (size_t c = 0; c < fields_.size(); ++c) {
    const Field& f = fields_[c];
    std::string_view v(field_text_.data() + f.begin, f.end - f.begin);
    out.raw(std::string_view());  // the comma
    std::string& buf = out.out();
    buf.append(keys_json_[c]);
    if (opts_.infer_types && !f.quoted) {
      if (v.empty()) { buf.append("null"); continue; }
      detail::append_inferred(buf, v);
      continue;
    }
    detail::append_string(buf, v);
  }
  out.end_object();
  return Result::record;
}

bool CsvReader::finish(std::string& reason) {
  if (!in_quote_) return true;
  reason = fmt::format("unterminated quoted field at end of input (record started {} lines before)",
                       pending_lines_);
  in_quote_ = false;
  return false;
}

}  // namespace olly::parse
