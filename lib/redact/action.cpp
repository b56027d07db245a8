#include "redact/action.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <stdexcept>

namespace olly::redact {

const char* action_name(Action a) {
  switch (a) {
    case Action::mask: return "mask";
    case Action::replace: return "replace";
    case Action::hash: return "hash";
    case Action::drop: return "drop";
    case Action::drop_event: return "drop-event";
  }
  return "";
}

bool parse_action(std::string_view name, Action& out) {
  for (Action a : {Action::mask, Action::replace, Action::hash, Action::drop, Action::drop_event}) {
    if (name == action_name(a)) {
      out = a;
      return true;
    }
  }
  return false;
}

Action default_action(Builtin b) {
  switch (b) {
    case Builtin::email:
    case Builtin::ipv4:
    case Builtin::ipv6:
    case Builtin::card:
    case Builtin::phone:
    case Builtin::url_password:
      return Action::mask;
    default:
      return Action::replace;
  }
}

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

void generic_mask(std::string_view text, std::string& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // One * per character, whatever its length in bytes.
      if ((c & 0xC0) != 0x80) out.push_back('*');
    } else if (is_alnum(static_cast<char>(c))) {
      out.push_back('*');
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

void mask_email(std::string_view text, std::string& out) {
  size_t at = text.find('@');
  size_t dot = text.rfind('.');
  if (at == std::string_view::npos || dot == std::string_view::npos || dot < at || at == 0) {
    generic_mask(text, out);
    return;
  }
  out.push_back(text[0]);
  out.append("***@");
  if (at + 1 < dot) out.push_back(text[at + 1]);
  out.append("***");
  out.append(text.substr(dot));
}

// Keeps the first `keep_head` and last `keep_tail` digits; other digits become *.
void mask_digits(std::string_view text, size_t keep_head, size_t keep_tail, std::string& out) {
  size_t total = 0;
  for (char c : text) total += is_digit(c);
  size_t seen = 0;
  for (char c : text) {
    if (!is_digit(c)) {
      out.push_back(c);
      continue;
    }
    out.push_back(seen < keep_head || seen >= total - std::min(total, keep_tail) ? c : '*');
    ++seen;
  }
}

// The first group (octet) kept, every later group one *.
void mask_address(std::string_view text, char sep, std::string& out) {
  size_t first = text.find(sep);
  if (first == std::string_view::npos) first = text.size();
  out.append(text.substr(0, first));
  bool in_group = false;
  for (size_t i = first; i < text.size(); ++i) {
    char c = text[i];
    if (c == ':' || c == '.') {
      out.push_back(c);
      in_group = false;
    } else if (!in_group) {
      out.push_back('*');
      in_group = true;
    }
  }
}

void mask_private_key(std::string_view text, std::string& out) {
  size_t head = text.find("-----", 5);
  if (head == std::string_view::npos) {
    out.append("****");
    return;
  }
  head += 5;
  out.append(text.substr(0, head));
  out.append("****");
  size_t end = text.find("-----END ", head);
  if (end != std::string_view::npos) out.append(text.substr(end));
}

}  // namespace

void append_mask(Builtin b, std::string_view text, std::string& out) {
  switch (b) {
    case Builtin::email: mask_email(text, out); return;
    case Builtin::card: mask_digits(text, 4, 4, out); return;
    case Builtin::phone: mask_digits(text, 0, 2, out); return;
    case Builtin::ipv4: mask_address(text, '.', out); return;
    case Builtin::ipv6: mask_address(text, ':', out); return;
    case Builtin::aws:
    case Builtin::gcp:
      if (text.size() == 20 || text.size() == 39) {  // AKIA... and AIza... key ids: the kind stays
        out.append(text.substr(0, 4));
        out.append(text.size() - 4, '*');
      } else {
        out.append("****");
      }
      return;
    case Builtin::jwt: out.append("***.***.***"); return;
    case Builtin::private_key: mask_private_key(text, out); return;
    case Builtin::url_password:
    case Builtin::bearer:
    case Builtin::basic:
    case Builtin::azure:
      out.append("****");
      return;
    case Builtin::count: generic_mask(text, out); return;
  }
}

struct Hasher::Impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  ~Impl() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

Hasher::Hasher(std::string key) : key_(std::move(key)), impl_(std::make_unique<Impl>()) {
  if (key_.empty()) throw std::invalid_argument("empty HMAC key");
  impl_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!impl_->mac) throw std::runtime_error("OpenSSL has no HMAC");
  impl_->ctx = EVP_MAC_CTX_new(impl_->mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (!impl_->ctx || EVP_MAC_init(impl_->ctx, reinterpret_cast<const unsigned char*>(key_.data()), key_.size(),
                                  params) != 1) {
    throw std::runtime_error("OpenSSL HMAC-SHA-256 setup failed");
  }
}

Hasher::~Hasher() = default;

void Hasher::mac(std::string_view text, unsigned char out[32]) {
  size_t len = 0;
  // Re-initialised with the key already set: the same key, a fresh MAC.
  if (EVP_MAC_init(impl_->ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(impl_->ctx, reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1 ||
      EVP_MAC_final(impl_->ctx, out, &len, 32) != 1 || len != 32) {
    throw std::runtime_error("OpenSSL HMAC-SHA-256 failed");
  }
}

void Hasher::append_token(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char m[32];
  mac(text, m);
  out.append(kHashPrefix);
  for (int i = 0; i < 8; ++i) {
    out.push_back(kHex[m[i] >> 4]);
    out.push_back(kHex[m[i] & 15]);
  }
}

std::string Hasher::hex(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char m[32];
  mac(text, m);
  std::string s;
  for (unsigned char c : m) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

}  // namespace olly::redact
