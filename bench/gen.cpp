// olly-bench-gen: a seeded generator of realistic HTTP request events.
//
//   olly-bench-gen --lines 1000000 --seed 42 > events.ndjson
//   olly-bench-gen --lines 100000 --seed 7 --format combined > access.log
//   olly-bench-gen --lines 100000 --seed 7 --format logfmt > app.logfmt
//   olly-bench-gen --lines 100000 --seed 7 --format syslog > app.syslog
//   olly-bench-gen --lines 100000 --seed 7 --format logs > app-logs.ndjson
//   olly-bench-gen --lines 100000 --seed 7 --format spans > spans.ndjson
//
// The same seed gives the same events in every format, byte for byte, on
// every machine (our own PRNG, no <random> distributions, whose output is
// implementation-defined). Events are about 400 bytes of NDJSON: a request
// log line with a nested http object and, on 5xx, an error object.
//
// Output is built in one large buffer by plain appends and written with
// write(2): every string comes from the fixed ASCII tables below and none
// needs JSON escaping, so this bench tool skips olly's JsonBuilder on purpose.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---------------------------------------------------------------- randomness

// xoshiro256** seeded through splitmix64: fast, and identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : state_) word = splitmix(seed);
  }
  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) { return static_cast<uint64_t>(uniform() * static_cast<double>(n)); }
  // Standard normal (Box-Muller; the second value is dropped to keep the
  // stream position independent of call pairing).
  double normal() {
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::array<uint64_t, 4> state_{};
};

// A table of choices with Zipf-like popularity: item k has weight 1/(k+1)^s
// unless explicit weights are given.
class Weighted {
 public:
  explicit Weighted(size_t n, double s = 1.0) {
    std::vector<double> weights(n);
    for (size_t k = 0; k < n; ++k) weights[k] = 1.0 / std::pow(static_cast<double>(k + 1), s);
    build(weights);
  }
  explicit Weighted(const std::vector<double>& weights) { build(weights); }
  size_t pick(Rng& rng) const {
    const double u = rng.uniform() * total_;
    return static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end() - 1, u) -
                               cumulative_.begin());
  }

 private:
  void build(const std::vector<double>& weights) {
    double sum = 0;
    for (double w : weights) cumulative_.push_back(sum += w);
    total_ = sum;
  }
  std::vector<double> cumulative_;
  double total_ = 0;
};

// ---------------------------------------------------------------- the world

struct Route {
  std::string_view method;
  std::string_view route;    // template, e.g. /api/v1/orders/:id
  std::string_view prefix;   // concrete path up to the id
  std::string_view suffix;   // after the id ("" if none)
  bool has_id;
  bool has_query;            // /search?q=...&page=N
  int service;               // index into kServices
  double latency_median_ms;
  double bytes_median;
};

constexpr std::array<std::string_view, 8> kServices = {
    "orders", "users", "search", "cart", "auth", "inventory", "payments", "api-gateway"};

// Ordered by popularity (Zipf over the index).
constexpr std::array<Route, 16> kRoutes = {{
    {"GET", "/api/v1/orders/:id", "/api/v1/orders/", "", true, false, 0, 18, 2400},
    {"GET", "/api/v1/products/:id", "/api/v1/products/", "", true, false, 5, 12, 3800},
    {"GET", "/api/v1/search", "/api/v1/search", "", false, true, 2, 45, 9200},
    {"GET", "/api/v2/orders/:id", "/api/v2/orders/", "", true, false, 0, 15, 2600},
    {"GET", "/api/v1/cart", "/api/v1/cart", "", false, false, 3, 9, 1200},
    {"GET", "/health", "/health", "", false, false, 7, 0.8, 15},
    {"GET", "/api/v1/users/:id", "/api/v1/users/", "", true, false, 1, 11, 900},
    {"POST", "/api/v1/cart/items", "/api/v1/cart/items", "", false, false, 3, 22, 350},
    {"GET", "/api/v2/orders/:id/items", "/api/v2/orders/", "/items", true, false, 0, 25, 5400},
    {"POST", "/api/v1/auth/refresh", "/api/v1/auth/refresh", "", false, false, 4, 6, 420},
    {"POST", "/api/v1/orders", "/api/v1/orders", "", false, false, 0, 60, 700},
    {"POST", "/api/v1/auth/login", "/api/v1/auth/login", "", false, false, 4, 85, 450},
    {"PUT", "/api/v1/users/:id", "/api/v1/users/", "", true, false, 1, 30, 650},
    {"POST", "/api/v1/payments", "/api/v1/payments", "", false, false, 6, 240, 520},
    {"GET", "/metrics", "/metrics", "", false, false, 7, 3, 24000},
    {"DELETE", "/api/v1/cart/items/:id", "/api/v1/cart/items/", "", true, false, 3, 14, 40},
}};

constexpr std::array<std::string_view, 5> kRegions = {"us-east-1", "eu-west-1", "us-west-2",
                                                      "ap-southeast-1", "eu-central-1"};
constexpr std::array<std::string_view, 3> kVersions = {"1.14.2", "1.14.3", "1.15.0-rc.1"};
constexpr std::array<std::string_view, 8> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0",
    "Mozilla/5.0 (iPhone) Safari/604.1",
    "Mozilla/5.0 (Macintosh) Safari/605.1",
    "okhttp/4.12.0",
    "Mozilla/5.0 (X11; Linux) Firefox/133.0",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "kube-probe/1.31",
};
constexpr std::array<std::string_view, 8> kSearchTerms = {
    "shoes", "laptop", "coffee", "headphones", "desk", "jacket", "camera", "gift"};

struct ErrorKind {
  std::string_view type;
  std::string_view message;
};
constexpr std::array<ErrorKind, 6> kErrors = {{
    {"UpstreamTimeout", "upstream did not answer within 30s"},
    {"DatabaseError", "connection pool exhausted (max=50)"},
    {"NullPointerException", "order.customer was null"},
    {"ConnectionReset", "connection reset by peer"},
    {"ServiceUnavailable", "circuit breaker open for inventory"},
    {"DeadlineExceeded", "context deadline exceeded"},
}};

constexpr int kHostsPerService = 6;
constexpr int kUpstreamsPerService = 4;
constexpr uint64_t kUsers = 200000;

// ---------------------------------------------------------------- one event

struct Event {
  int64_t ts_ms = 0;
  const Route* route = nullptr;
  uint64_t id = 0;             // path id when the route has one
  int search_term = 0;
  int search_page = 0;
  int host = 0;
  int upstream = 0;
  int status = 200;
  uint64_t latency_centi_ms = 0;  // latency in hundredths of a millisecond
  uint64_t bytes = 0;
  uint64_t user = 0;           // 0 = anonymous
  uint64_t trace_hi = 0, trace_lo = 0, span = 0;
  int region = 0;
  int version = 0;
  int user_agent = 0;
  uint32_t client_ip = 0;
  int error = -1;              // index into kErrors on 5xx
};

struct GenOptions {
  uint64_t lines = 1000;
  uint64_t seed = 1;
  std::string start = "2026-11-25T00:00:00Z";
  double errors_rate = 0.02;
  double rate = 500;           // events per second
  std::string format = "json";
};

class Generator {
 public:
  Generator(const GenOptions& opts, int64_t start_ms)
      : rng_(opts.seed), errors_rate_(opts.errors_rate), mean_gap_ms_(1000.0 / opts.rate),
        now_ms_(static_cast<double>(start_ms)), routes_(kRoutes.size(), 1.1),
        hosts_(kHostsPerService, 0.8), upstreams_(kUpstreamsPerService, 0.6),
        regions_(kRegions.size(), 1.2), versions_(std::vector<double>{70, 25, 5}),
        agents_(kUserAgents.size() - 1, 0.9), errors_(kErrors.size(), 0.9),
        terms_(kSearchTerms.size(), 1.0),
        status4xx_(std::vector<double>{20, 12, 4, 45, 5, 8, 6}),
        status5xx_(std::vector<double>{50, 20, 20, 10}) {}

  Event next() {
    Event e;
    now_ms_ += rng_.exponential(mean_gap_ms_);
    e.ts_ms = static_cast<int64_t>(now_ms_);
    e.route = &kRoutes[routes_.pick(rng_)];
    const bool probe = e.route->service == 7;  // /health, /metrics
    if (e.route->has_id) e.id = 1000 + rng_.below(900000);
    if (e.route->has_query) {
      e.search_term = static_cast<int>(terms_.pick(rng_));
      e.search_page = 1 + static_cast<int>(rng_.below(5));
    }
    e.host = static_cast<int>(hosts_.pick(rng_));
    e.upstream = static_cast<int>(upstreams_.pick(rng_));
    e.region = static_cast<int>(regions_.pick(rng_));
    e.version = static_cast<int>(versions_.pick(rng_));
    e.user_agent = probe ? static_cast<int>(kUserAgents.size() - 1) : static_cast<int>(agents_.pick(rng_));
    // Log-uniform user ids: a few heavy users, a long tail.
    e.user = probe ? 0 : static_cast<uint64_t>(std::exp(rng_.uniform() * std::log(double(kUsers))));
    e.trace_hi = rng_.next();
    e.trace_lo = rng_.next();
    e.span = rng_.next();
    e.client_ip = probe ? 0x0a000001u + static_cast<uint32_t>(rng_.below(4))
                        : static_cast<uint32_t>(rng_.next());

    // Status: 5xx at errors_rate (a bit more on the release candidate), 4xx at
    // about 6%, otherwise success by method.
    const double u = rng_.uniform();
    const double five_rate = errors_rate_ * (e.version == 2 ? 3.0 : 1.0);
    if (probe) {
      e.status = u < errors_rate_ / 4 ? 503 : 200;
    } else if (u < five_rate) {
      static constexpr int k5xx[] = {500, 502, 503, 504};
      e.status = k5xx[status5xx_.pick(rng_)];
    } else if (u < five_rate + 0.06) {
      static constexpr int k4xx[] = {400, 401, 403, 404, 409, 422, 429};
      e.status = k4xx[status4xx_.pick(rng_)];
    } else if (e.route->method == "POST") {
      e.status = 201;
    } else if (e.route->method == "PUT" || e.route->method == "DELETE") {
      e.status = 204;
    } else {
      e.status = rng_.uniform() < 0.03 ? 304 : 200;
    }

    // Latency: lognormal around the route's median, a slow tail of 1.5%, and
    // timeouts for 504.
    double latency = e.route->latency_median_ms * std::exp(0.55 * rng_.normal());
    if (rng_.uniform() < 0.015) latency *= 5 + 35 * rng_.uniform();
    if (e.status >= 500) latency *= 3;
    if (e.status == 504) latency = 30000 + rng_.uniform() * 50;
    e.latency_centi_ms = static_cast<uint64_t>(latency * 100) + 1;

    double bytes = e.route->bytes_median * std::exp(0.4 * rng_.normal());
    if (e.status >= 400) bytes = 80 + rng_.below(120);
    if (e.status == 204 || e.status == 304) bytes = 0;
    e.bytes = static_cast<uint64_t>(bytes);

    if (e.status >= 500) e.error = static_cast<int>(errors_.pick(rng_));
    return e;
  }

 private:
  Rng rng_;
  double errors_rate_;
  double mean_gap_ms_;
  double now_ms_;
  Weighted routes_, hosts_, upstreams_, regions_, versions_, agents_, errors_, terms_;
  Weighted status4xx_, status5xx_;
};

// ---------------------------------------------------------------- time

// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm).
void civil_from_days(int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Parses YYYY-MM-DDTHH:MM:SSZ (the only form --start takes).
bool parse_start(const std::string& s, int64_t& ms) {
  int y, mo, d, h, mi, se;
  char z = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 ||
      z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return false;
  ms = (days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
        mi * 60 + se) * 1000;
  return true;
}

constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Formats whole seconds once per distinct second: events share seconds.
class TimeFormatter {
 public:
  // 2026-11-25T00:00:00.123Z
  std::string_view rfc3339(int64_t ms) {
    update(ms / 1000);
    std::memcpy(rfc_ + 20, digits3(static_cast<unsigned>(ms % 1000)).data(), 3);
    return {rfc_, 24};
  }
  // 25/Nov/2026:00:00:00 +0000
  std::string_view clf(int64_t ms) {
    update(ms / 1000);
    return {clf_, 26};
  }

 private:
  static std::array<char, 3> digits3(unsigned v) {
    return {char('0' + v / 100), char('0' + v / 10 % 10), char('0' + v % 10)};
  }
  void update(int64_t sec) {
    if (sec == cached_sec_) return;
    cached_sec_ = sec;
    int y;
    unsigned m, d;
    int64_t days = sec / 86400;
    int64_t rem = sec % 86400;
    if (rem < 0) rem += 86400, --days;
    civil_from_days(days, y, m, d);
    const unsigned hh = unsigned(rem / 3600), mm = unsigned(rem / 60 % 60), ss = unsigned(rem % 60);
    std::snprintf(rfc_, sizeof rfc_, "%04d-%02u-%02uT%02u:%02u:%02u.000Z", y, m, d, hh, mm, ss);
    std::snprintf(clf_, sizeof clf_, "%02u/%s/%04d:%02u:%02u:%02u +0000", d,
                  kMonthNames[m - 1].data(), y, hh, mm, ss);
  }
  int64_t cached_sec_ = INT64_MIN;
  char rfc_[64] = {};
  char clf_[64] = {};
};

// ---------------------------------------------------------------- output

class Out {
 public:
  Out() { buf_.reserve(kFlushAt + 64 * 1024); }
  ~Out() { flush(); }
  void add(std::string_view s) { buf_.append(s); }
  void add(char c) { buf_.push_back(c); }
  void add_uint(uint64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    buf_.append(tmp, static_cast<size_t>(r.ptr - tmp));
  }
  // Hundredths as a decimal with two places: 1247 -> 12.47
  void add_centi(uint64_t v) {
    add_uint(v / 100);
    add('.');
    add(char('0' + v / 10 % 10));
    add(char('0' + v % 10));
  }
  void add_hex(uint64_t v, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    char tmp[16];
    for (int i = digits - 1; i >= 0; --i, v >>= 4) tmp[i] = kHex[v & 15];
    buf_.append(tmp, static_cast<size_t>(digits));
  }
  void add_user(uint64_t user) {
    char tmp[8] = {'u', '_', '0', '0', '0', '0', '0', '0'};
    for (int i = 7; i >= 2; --i, user /= 10) tmp[i] = char('0' + user % 10);
    buf_.append(tmp, 8);
  }
  void add_ip(uint32_t ip) {
    add_uint(ip >> 24);
    add('.');
    add_uint(ip >> 16 & 255);
    add('.');
    add_uint(ip >> 8 & 255);
    add('.');
    add_uint(ip & 255);
  }
  void maybe_flush() {
    if (buf_.size() >= kFlushAt) flush();
  }
  void flush() {
    const char* p = buf_.data();
    size_t left = buf_.size();
    while (left > 0) {
      const ssize_t n = ::write(1, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EPIPE) std::_Exit(0);
        std::perror("olly-bench-gen: write");
        std::_Exit(3);
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    buf_.clear();
  }

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  std::string buf_;
};

std::string_view level_of(int status) {
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

std::string_view message_of(const Event& e) {
  if (e.error >= 0) return "request failed";
  switch (e.status) {
    case 401: return "missing or expired token";
    case 403: return "permission denied";
    case 404: return "resource not found";
    case 409: return "version conflict";
    case 422: return "validation failed";
    case 429: return "rate limit exceeded";
    default: return e.status >= 400 ? "bad request" : "request completed";
  }
}

void add_host(Out& out, const Event& e) {
  out.add(kServices[static_cast<size_t>(e.route->service)]);
  out.add('-');
  out.add_uint(static_cast<uint64_t>(e.host + 1));
}

void add_path(Out& out, const Event& e) {
  out.add(e.route->prefix);
  if (e.route->has_id) out.add_uint(e.id);
  out.add(e.route->suffix);
  if (e.route->has_query) {
    out.add("?q=");
    out.add(kSearchTerms[static_cast<size_t>(e.search_term)]);
    out.add("&page=");
    out.add_uint(static_cast<uint64_t>(e.search_page));
  }
}

void add_upstream(Out& out, const Event& e) {
  out.add("10.0.");
  out.add_uint(static_cast<uint64_t>(e.route->service + 1));
  out.add('.');
  out.add_uint(static_cast<uint64_t>(e.upstream + 10));
  out.add(":8080");
}

void write_json(Out& out, TimeFormatter& tf, const Event& e) {
  const auto service = kServices[static_cast<size_t>(e.route->service)];
  out.add("{\"ts\":\"");
  out.add(tf.rfc3339(e.ts_ms));
  out.add("\",\"level\":\"");
  out.add(level_of(e.status));
  out.add("\",\"service\":\"");
  out.add(service);
  out.add("\",\"host\":\"");
  add_host(out, e);
  out.add("\",\"method\":\"");
  out.add(e.route->method);
  out.add("\",\"path\":\"");
  add_path(out, e);
  out.add("\",\"status\":");
  out.add_uint(static_cast<uint64_t>(e.status));
  out.add(",\"latency_ms\":");
  out.add_centi(e.latency_centi_ms);
  out.add(",\"bytes\":");
  out.add_uint(e.bytes);
  if (e.user) {
    out.add(",\"user_id\":\"");
    out.add_user(e.user);
    out.add('"');
  } else {
    out.add(",\"user_id\":null");
  }
  out.add(",\"trace_id\":\"");
  out.add_hex(e.trace_hi, 16);
  out.add_hex(e.trace_lo, 16);
  out.add("\",\"span_id\":\"");
  out.add_hex(e.span, 16);
  out.add("\",\"region\":\"");
  out.add(kRegions[static_cast<size_t>(e.region)]);
  out.add("\",\"version\":\"");
  out.add(kVersions[static_cast<size_t>(e.version)]);
  out.add("\",\"msg\":\"");
  out.add(message_of(e));
  out.add("\",\"http\":{\"method\":\"");
  out.add(e.route->method);
  out.add("\",\"route\":\"");
  out.add(e.route->route);
  out.add("\",\"user_agent\":\"");
  out.add(kUserAgents[static_cast<size_t>(e.user_agent)]);
  out.add("\",\"upstream\":\"");
  add_upstream(out, e);
  out.add("\"}");
  if (e.error >= 0) {
    const auto& err = kErrors[static_cast<size_t>(e.error)];
    out.add(",\"error\":{\"type\":\"");
    out.add(err.type);
    out.add("\",\"message\":\"");
    out.add(err.message);
    out.add("\"}");
  }
  out.add("}\n");
}

// nginx "combined": $remote_addr - $remote_user [$time_local] "$request"
// $status $body_bytes_sent "$http_referer" "$http_user_agent"
void write_combined(Out& out, TimeFormatter& tf, const Event& e) {
  out.add_ip(e.client_ip);
  out.add(" - ");
  if (e.user) {
    out.add_user(e.user);
  } else {
    out.add('-');
  }
  out.add(" [");
  out.add(tf.clf(e.ts_ms));
  out.add("] \"");
  out.add(e.route->method);
  out.add(' ');
  add_path(out, e);
  out.add(" HTTP/1.1\" ");
  out.add_uint(static_cast<uint64_t>(e.status));
  out.add(' ');
  out.add_uint(e.bytes);
  out.add(" \"-\" \"");
  out.add(kUserAgents[static_cast<size_t>(e.user_agent)]);
  out.add("\"\n");
}

void write_logfmt(Out& out, TimeFormatter& tf, const Event& e) {
  out.add("ts=");
  out.add(tf.rfc3339(e.ts_ms));
  out.add(" level=");
  out.add(level_of(e.status));
  out.add(" service=");
  out.add(kServices[static_cast<size_t>(e.route->service)]);
  out.add(" host=");
  add_host(out, e);
  out.add(" method=");
  out.add(e.route->method);
  out.add(" path=");
  // go-logfmt quotes any value holding a space, '=', '"' or a control
  // character: the search path's query string holds '=' (and no quote or backslash).
  if (e.route->has_query) out.add('"');
  add_path(out, e);
  if (e.route->has_query) out.add('"');
  out.add(" status=");
  out.add_uint(static_cast<uint64_t>(e.status));
  out.add(" latency_ms=");
  out.add_centi(e.latency_centi_ms);
  out.add(" bytes=");
  out.add_uint(e.bytes);
  out.add(" user_id=");
  if (e.user) out.add_user(e.user);
  out.add(" trace_id=");
  out.add_hex(e.trace_hi, 16);
  out.add_hex(e.trace_lo, 16);
  out.add(" span_id=");
  out.add_hex(e.span, 16);
  out.add(" region=");
  out.add(kRegions[static_cast<size_t>(e.region)]);
  out.add(" version=");
  out.add(kVersions[static_cast<size_t>(e.version)]);
  out.add(" msg=\"");
  out.add(message_of(e));
  out.add("\" http.route=");
  out.add(e.route->route);
  out.add(" http.user_agent=\"");
  out.add(kUserAgents[static_cast<size_t>(e.user_agent)]);
  out.add("\" http.client_ip=");
  out.add_ip(e.client_ip);
  out.add(" http.upstream=");
  add_upstream(out, e);
  if (e.error >= 0) {
    const auto& err = kErrors[static_cast<size_t>(e.error)];
    out.add(" error.type=");
    out.add(err.type);
    out.add(" error.message=\"");
    out.add(err.message);
    out.add('"');
  }
  out.add('\n');
}

// RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG, as an app
// logging to a collector would send it: facility local4, severity from level.
//   <166>1 2026-11-25T00:00:00.003Z orders-2 orders 1234 - - GET /api/v2/orders/315789 200 18.63ms
void write_syslog(Out& out, TimeFormatter& tf, const Event& e) {
  constexpr uint64_t kLocal4 = 20;
  const uint64_t severity = e.status >= 500 ? 3 : e.status >= 400 ? 4 : 6;
  out.add('<');
  out.add_uint(kLocal4 * 8 + severity);
  out.add(">1 ");
  out.add(tf.rfc3339(e.ts_ms));
  out.add(' ');
  add_host(out, e);
  out.add(' ');
  out.add(kServices[static_cast<size_t>(e.route->service)]);
  out.add(' ');
  // A stable pid per host: one process per host and service.
  out.add_uint(static_cast<uint64_t>(1000 + 97 * e.route->service + 13 * e.host));
  out.add(" - - ");
  out.add(e.route->method);
  out.add(' ');
  add_path(out, e);
  out.add(' ');
  out.add_uint(static_cast<uint64_t>(e.status));
  out.add(' ');
  out.add_centi(e.latency_centi_ms);
  out.add("ms\n");
}

// Log lines of the same requests, for olly-correlate join's second input:
// the request's trace_id, written 0-255 ms after the request (so the stream
// is out of order by up to a quarter second, well within --lateness).
//   {"ts":"2026-11-25T00:00:00.131Z","trace_id":"...","service":"orders","level":"info","msg":"request completed"}
void write_log(Out& out, TimeFormatter& tf, const Event& e) {
  out.add("{\"ts\":\"");
  out.add(tf.rfc3339(e.ts_ms + static_cast<int64_t>(e.span & 255)));
  out.add("\",\"trace_id\":\"");
  out.add_hex(e.trace_hi, 16);
  out.add_hex(e.trace_lo, 16);
  out.add("\",\"service\":\"");
  out.add(kServices[static_cast<size_t>(e.route->service)]);
  out.add("\",\"level\":\"");
  out.add(level_of(e.status));
  out.add("\",\"msg\":\"");
  out.add(message_of(e));
  out.add("\"}\n");
}

// ---------------------------------------------------------------- spans

// Span events as `olly parse otlp` writes them, for olly-correlate traces:
// traces of 1 to 15 spans (a random tree: each span's parent is an earlier
// span of its trace, its interval inside the parent's), started at --rate / 8
// traces a second. kConcurrent traces are open at once and each step writes
// the next span of a random one, so the spans of a trace are interleaved
// with those of others, as a collector exports them.
class SpanGenerator {
 public:
  SpanGenerator(const GenOptions& opts, int64_t start_ms)
      : rng_(opts.seed), mean_gap_ns_(8e9 / opts.rate), errors_rate_(opts.errors_rate),
        now_ns_(static_cast<double>(start_ms) * 1e6) {
    for (auto& t : open_) start(t);
  }

  void write_next(Out& out, TimeFormatter& tf) {
    Trace& t = open_[rng_.below(kConcurrent)];
    const Span& sp = t.spans[t.next];
    out.add("{\"signal\":\"span\",\"ts\":\"");
    out.add(tf.rfc3339(sp.start / 1000000));
    out.add("\",\"name\":\"");
    out.add(kSpanNames[sp.name]);
    out.add("\",\"service\":\"");
    out.add(kServices[sp.service]);
    out.add("\",\"trace_id\":\"");
    out.add_hex(t.hi, 16);
    out.add_hex(t.lo, 16);
    out.add("\",\"span_id\":\"");
    out.add_hex(sp.id, 16);
    if (t.next > 0) {
      out.add("\",\"parent_span_id\":\"");
      out.add_hex(t.spans[sp.parent].id, 16);
    }
    out.add("\",\"kind\":\"");
    out.add(t.next == 0 ? "SERVER" : "CLIENT");
    out.add('"');
    if (sp.error) out.add(",\"status\":\"ERROR\"");
    out.add(",\"duration_ms\":");
    const uint64_t us = static_cast<uint64_t>((sp.end - sp.start) / 1000);
    out.add_uint(us / 1000);
    out.add('.');
    const unsigned frac = static_cast<unsigned>(us % 1000);
    out.add(char('0' + frac / 100));
    out.add(char('0' + frac / 10 % 10));
    out.add(char('0' + frac % 10));
    out.add(",\"start_time_unix_nano\":");
    out.add_uint(static_cast<uint64_t>(sp.start));
    out.add(",\"end_time_unix_nano\":");
    out.add_uint(static_cast<uint64_t>(sp.end));
    out.add(",\"resource\":{\"service.name\":\"");
    out.add(kServices[sp.service]);
    out.add("\"},\"scope\":{\"name\":\"bench\"}}\n");
    if (++t.next == t.spans.size()) start(t);
  }

 private:
  static constexpr size_t kConcurrent = 64;
  static constexpr std::array<std::string_view, 8> kSpanNames = {
      "GET /api/v2/orders", "POST /api/checkout", "SELECT orders", "redis GET", "charge card",
      "render", "auth check", "publish event"};
  struct Span {
    uint64_t id;
    uint32_t parent;
    uint8_t service, name;
    bool error;
    int64_t start, end;
  };
  struct Trace {
    uint64_t hi = 0, lo = 0;
    std::vector<Span> spans;
    size_t next = 0;
  };

  void start(Trace& t) {
    now_ns_ += rng_.exponential(mean_gap_ns_ / 1e6) * 1e6;
    t.hi = rng_.next();
    t.lo = rng_.next();
    t.next = 0;
    t.spans.clear();
    const size_t n = 1 + rng_.below(15);
    const int64_t root_start = static_cast<int64_t>(now_ns_);
    const int64_t root_len = 1000000 + static_cast<int64_t>(rng_.below(200000000));
    t.spans.push_back(Span{rng_.next(), 0, static_cast<uint8_t>(rng_.below(kServices.size())),
                           static_cast<uint8_t>(rng_.below(2)), false, root_start, root_start + root_len});
    for (size_t i = 1; i < n; ++i) {
      const uint32_t parent = static_cast<uint32_t>(rng_.below(i));
      const Span& p = t.spans[parent];
      const int64_t len = p.end - p.start;
      const int64_t s = p.start + static_cast<int64_t>(rng_.uniform() * static_cast<double>(len) * 0.8);
      const int64_t e = s + 1 + static_cast<int64_t>(rng_.uniform() * static_cast<double>(p.end - s - 1));
      t.spans.push_back(Span{rng_.next(), parent, static_cast<uint8_t>(rng_.below(kServices.size())),
                             static_cast<uint8_t>(2 + rng_.below(kSpanNames.size() - 2)),
                             rng_.uniform() < errors_rate_, s, e});
    }
  }

  Rng rng_;
  double mean_gap_ns_;
  double errors_rate_;
  double now_ns_;
  std::array<Trace, kConcurrent> open_;
};

}  // namespace

int main(int argc, char** argv) {
  GenOptions opts;
  CLI::App app{"olly-bench-gen: seeded generator of realistic request events (NDJSON, "
               "nginx combined, logfmt or RFC 5424 syslog) for olly's benchmarks"};
  app.add_option("--lines,-n", opts.lines, "number of events")->capture_default_str();
  app.add_option("--seed,-s", opts.seed, "random seed (same seed, same output)")->capture_default_str();
  app.add_option("--start", opts.start, "first timestamp, YYYY-MM-DDTHH:MM:SSZ")->capture_default_str();
  app.add_option("--errors-rate", opts.errors_rate, "fraction of 5xx responses")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  app.add_option("--rate", opts.rate, "mean events per second (spacing of ts)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--format,-f", opts.format,
                 "json, combined (nginx), logfmt, syslog (RFC 5424), logs (log lines of the same requests) or "
                 "spans (OTLP spans as olly parse otlp writes them; --rate is spans a second)")
      ->check(CLI::IsMember({"json", "combined", "logfmt", "syslog", "logs", "spans"}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  int64_t start_ms = 0;
  if (!parse_start(opts.start, start_ms)) {
    std::fprintf(stderr, "olly-bench-gen: --start: expected YYYY-MM-DDTHH:MM:SSZ, got '%s'\n",
                 opts.start.c_str());
    return 2;
  }

  TimeFormatter tf;
  Out out;
  if (opts.format == "spans") {
    SpanGenerator spans(opts, start_ms);
    for (uint64_t i = 0; i < opts.lines; ++i) {
      spans.write_next(out, tf);
      out.maybe_flush();
    }
    out.flush();
    return 0;
  }
  Generator gen(opts, start_ms);
  const int format = opts.format == "json"       ? 0
                     : opts.format == "combined" ? 1
                     : opts.format == "logfmt"   ? 2
                     : opts.format == "syslog"   ? 3
                                                 : 4;
  for (uint64_t i = 0; i < opts.lines; ++i) {
    const Event e = gen.next();
    if (format == 0) {
      write_json(out, tf, e);
    } else if (format == 1) {
      write_combined(out, tf, e);
    } else if (format == 2) {
      write_logfmt(out, tf, e);
    } else if (format == 3) {
      write_syslog(out, tf, e);
    } else {
      write_log(out, tf, e);
    }
    out.maybe_flush();
  }
  out.flush();
  return 0;
}
