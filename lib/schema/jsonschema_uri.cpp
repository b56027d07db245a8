// JSON Schema URIs: RFC 3986 reference resolution (for $id and $ref) and
// the percent-decoding and JSON Pointer helpers the compiler and the
// evaluator share.
#include <cctype>
#include <string>

#include "schema/jsonschema.h"
#include "schema/jsonschema_internal.h"

namespace olly {
namespace detail {
namespace {

struct UriParts {
  std::string_view scheme, authority, path, query, fragment;
  bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

UriParts parse_uri(std::string_view s) {
  UriParts u;
  size_t hash = s.find('#');
  if (hash != s.npos) {
    u.fragment = s.substr(hash + 1);
    u.has_fragment = true;
    s = s.substr(0, hash);
  }
  size_t q = s.find('?');
  if (q != s.npos) {
    u.query = s.substr(q + 1);
    u.has_query = true;
    s = s.substr(0, q);
  }
  size_t colon = s.find(':');
  if (colon != s.npos && colon > 0) {
    bool ok = std::isalpha(static_cast<unsigned char>(s[0]));
    for (size_t i = 1; i < colon && ok; ++i) {
      char c = s[i];
      ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    }
    if (ok) {
      u.scheme = s.substr(0, colon);
      u.has_scheme = true;
      s = s.substr(colon + 1);
    }
  }
  if (s.substr(0, 2) == "//") {
    s = s.substr(2);
    size_t slash = s.find('/');
    u.authority = s.substr(0, slash);
    u.has_authority = true;
    s = slash == s.npos ? std::string_view() : s.substr(slash);
  }
  u.path = s;
  return u;
}

std::string remove_dot_segments(std::string_view in) {
  std::string input(in), out;
  while (!input.empty()) {
    if (input.rfind("../", 0) == 0) {
      input.erase(0, 3);
    } else if (input.rfind("./", 0) == 0) {
      input.erase(0, 2);
    } else if (input.rfind("/./", 0) == 0) {
      input.erase(0, 2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.rfind("/../", 0) == 0 || input == "/..") {
      input = input == "/.." ? "/" : input.substr(3);
      size_t last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      size_t start = input[0] == '/' ? 1 : 0;
      size_t next = input.find('/', start);
      out += input.substr(0, next);
      input.erase(0, next == std::string::npos ? input.size() : next);
    }
  }
  return out;
}

}  // namespace

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

std::pair<std::string, std::string> split_fragment(const std::string& uri) {
  size_t hash = uri.find('#');
  if (hash == std::string::npos) return {uri, ""};
  return {uri.substr(0, hash), uri.substr(hash + 1)};
}

}  // namespace detail

std::string resolve_uri(std::string_view base, std::string_view ref) {
  using namespace detail;
  UriParts b = parse_uri(base), r = parse_uri(ref);
  std::string scheme, authority, path, query;
  bool has_authority = false, has_query = false;
  if (r.has_scheme) {
    scheme = r.scheme;
    has_authority = r.has_authority;
    authority = r.authority;
    path = remove_dot_segments(r.path);
    has_query = r.has_query;
    query = r.query;
  } else {
    scheme = b.scheme;
    if (r.has_authority) {
      has_authority = true;
      authority = r.authority;
      path = remove_dot_segments(r.path);
      has_query = r.has_query;
      query = r.query;
    } else {
      has_authority = b.has_authority;
      authority = b.authority;
      if (r.path.empty()) {
        path = b.path;
        has_query = r.has_query || b.has_query;
        query = r.has_query ? r.query : b.query;
      } else {
        if (r.path[0] == '/') {
          path = remove_dot_segments(r.path);
        } else {
          std::string merged;
          if (b.has_authority && b.path.empty()) {
            merged = "/" + std::string(r.path);
          } else {
            size_t slash = b.path.rfind('/');
            merged = slash == std::string_view::npos ? std::string(r.path)
                                                     : std::string(b.path.substr(0, slash + 1)) + std::string(r.path);
          }
          // URNs and other non-hierarchical bases keep their path as is
          path = merged.find('/') == std::string::npos ? merged : remove_dot_segments(merged);
        }
        has_query = r.has_query;
        query = r.query;
      }
    }
  }
  std::string out;
  if (!scheme.empty()) out += scheme + ":";
  if (has_authority) out += "//" + authority;
  out += path;
  if (has_query) out += "?" + query;
  if (r.has_fragment) out += "#" + std::string(r.fragment);
  return out;
}

}  // namespace olly
