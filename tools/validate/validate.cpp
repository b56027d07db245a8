#include "validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <climits>
#include <utility>
#include <cstdlib>
#include <sys/stat.h>

#include "core/diag.h"
#include "core/read_file.h"
#include "core/writer.h"

namespace olly {

namespace {

std::string read_or_throw(const std::string& path, std::string_view what) {
  std::string text, reason;
  if (!read_file(path, text, reason)) throw UsageError(fmt::format("{} '{}': {}", what, path, reason));
  return text;
}

// What a path names, for telling whether two flags name the same file:
// (device, inode) when it exists, else its resolved directory and name.
std::string file_identity(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    // a terminal or pipe behind /dev/stdout and /dev/stderr may be one: only files clobber each other
    if (!S_ISREG(st.st_mode)) return "path:" + path;
    return fmt::format("inode:{}:{}", st.st_dev, st.st_ino);
  }
  std::string dir = ".", base = path;
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
    base = path.substr(slash + 1);
  }
  char resolved[PATH_MAX];
  if (::realpath(dir.c_str(), resolved)) dir = resolved;
  if (::stat(dir.c_str(), &st) == 0) return fmt::format("dir:{}:{}/{}", st.st_dev, st.st_ino, base);
  return "path:" + dir + "/" + base;
}

std::FILE* open_output(const std::string& path, std::string_view flag) {
  if (path.empty()) return nullptr;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw UsageError(fmt::format("{} {}: {}", flag, path, std::strerror(errno)));
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  return f;
}

// The value at path in the event, as compact JSON; nullopt when absent.
std::optional<std::string> lookup(simdjson::dom::element e, const Path& path) {
  for (auto& step : path.steps) {
    if (step.is_index()) {
      if (e.type() != simdjson::dom::element_type::ARRAY) return std::nullopt;
      if (simdjson::dom::array(e).at(static_cast<size_t>(step.index)).get(e)) return std::nullopt;
    } else {
      if (e.type() != simdjson::dom::element_type::OBJECT) return std::nullopt;
      if (simdjson::dom::object(e).at_key(step.key).get(e)) return std::nullopt;
    }
  }
  return simdjson::minify(e);
}

}  // namespace

JsonSchema load_contract(const std::string& path, bool formats) {
  SchemaOptions opts;
  opts.format_assertion = formats;
  opts.name = path;
  return JsonSchema(read_or_throw(path, "contract"), opts);
}

ValidateStage::ValidateStage(const ValidateOptions& opts, size_t input_count)
    : schema_(std::make_shared<const JsonSchema>(load_contract(opts.contract, opts.formats))),
      summary_(opts.summary),
      quiet_(opts.quiet),
      with_file_(input_count > 1),
      max_errors_(opts.max_errors),
      pass_path_(opts.pass_path),
      fail_path_(opts.fail_path) {
  for (auto& k : opts.keys) keys_.push_back(parse_path_or_throw(k, "--key"));
  if (!opts.pass_path.empty() && !opts.fail_path.empty() &&
      (opts.pass_path == opts.fail_path || file_identity(opts.pass_path) == file_identity(opts.fail_path)))
    throw UsageError(fmt::format("--pass {} and --fail {} name the same file", opts.pass_path, opts.fail_path));
  pass_ = open_output(opts.pass_path, "--pass");
  fail_ = open_output(opts.fail_path, "--fail");
}

ValidateStage::ValidateStage(const ValidateStage& from, CloneTag)
    : schema_(from.schema_),
      keys_(from.keys_),
      summary_(from.summary_),
      quiet_(from.quiet_),
      with_file_(from.with_file_),
      max_errors_(from.max_errors_),
      hold_pass_(from.pass_ != nullptr),
      hold_fail_(from.fail_ != nullptr) {}

std::unique_ptr<Stage> ValidateStage::clone() const {
  return std::unique_ptr<Stage>(new ValidateStage(*this, CloneTag{}));
}

void ValidateStage::absorb(Stage& range) {
  auto& r = static_cast<ValidateStage&>(range);
  valid_ += std::exchange(r.valid_, 0);
  invalid_ += std::exchange(r.invalid_, 0);
  written_ += std::exchange(r.written_, 0);
  suppressed_ += std::exchange(r.suppressed_, 0);
  // Ranges come in input order: a tally's example stays the first instance.
  for (auto& [where, t] : r.tallies_) {
    Tally& total = tallies_[where];
    if (total.count == 0) total.example = t.example;
    total.count += t.count;
  }
  r.tallies_.clear();
  if (pass_) std::fwrite(r.pass_held_.data(), 1, r.pass_held_.size(), pass_);
  if (fail_) std::fwrite(r.fail_held_.data(), 1, r.fail_held_.size(), fail_);
  r.pass_held_.clear();
  r.fail_held_.clear();
}

ValidateStage::~ValidateStage() {
  if (pass_) std::fclose(pass_);
  if (fail_) std::fclose(fail_);
}

void ValidateStage::write_line(std::FILE* f, std::string& held, std::string_view raw, bool cr) {
  if (f) {
    std::fwrite(raw.data(), 1, raw.size(), f);
    if (cr) std::fputc('\r', f);  // the line's bytes unchanged: CRLF stays CRLF
    std::fputc('\n', f);
    return;
  }
  if (&held == &pass_held_ ? !hold_pass_ : !hold_fail_) return;
  held.append(raw);
  if (cr) held.push_back('\r');
  held.push_back('\n');
}

void ValidateStage::on_bad_line(const Event& ev, std::string_view) {
  // a line that is not a JSON document does not honour the contract
  ++invalid_;
  write_line(fail_, fail_held_, ev.raw, ev.cr);
}

Result ValidateStage::on_event(Event& ev, Emitter& out) {
  // olly validate CONTRACT: the common event contract is decided in one On-Demand pass
  if (schema_->has_fast_path()) {
    bool ok = false;
    if (schema_->fast_valid(*ev.doc, ok) == simdjson::SUCCESS && ok) {
      ++valid_;
      write_line(pass_, pass_held_, ev.raw, ev.cr);
      return Result::ok();
    }
  }
  // invalid (or undecided): the DOM evaluator checks the whole line and describes it
  simdjson::dom::element event;
  if (auto err = dom_.parse(padded_.set(ev.raw)).get(event)) return Result::bad(err);
  violations_.clear();
  bool describe = !quiet_ && (summary_ || max_errors_ < 0 || written_ < static_cast<uint64_t>(max_errors_));
  undecided_.clear();
  bool ok = schema_->evaluate(event, describe ? &violations_ : nullptr, undecided_);
  // no verdict (too deep, too expensive, a $ref cycle): a bad record, never valid or invalid
  if (!undecided_.empty()) return Result::bad(undecided_);
  if (ok) {
    ++valid_;
    write_line(pass_, pass_held_, ev.raw, ev.cr);
    return Result::ok();
  }
  ++invalid_;
  write_line(fail_, fail_held_, ev.raw, ev.cr);
  if (quiet_) return Result::ok();
  if (!describe) {
    ++suppressed_;
    return Result::ok();
  }
  write_violations(ev, event, out);
  return Result::ok();
}

void ValidateStage::write_violations(const Event& ev, simdjson::dom::element event, Emitter& out) {
  if (summary_) {
    for (auto& v : violations_) {
      auto& t = tallies_[{v.keyword, v.schema_location}];
      if (t.count++ == 0) t.example = v.instance_location;
    }
    return;
  }
  for (auto& v : violations_) {
    if (max_errors_ >= 0 && written_ >= static_cast<uint64_t>(max_errors_)) {
      ++suppressed_;  // this event is only partly described
      break;
    }
    ++written_;
    JsonBuilder b(out.buffer());
    b.begin_object();
    if (with_file_) b.field("file", ev.file);
    b.key("line");
    b.raw({});
    out.line_number(ev.line);
    b.field("instance_location", v.instance_location);
    b.field("schema_location", v.schema_location);
    b.field("keyword", v.keyword);
    b.field("message", v.message);
    if (v.instance_location.empty() && event.type() == simdjson::dom::element_type::OBJECT) {
      // the value would be the whole event: the line number points at it
    } else {
      b.field_raw("value", v.value);
      if (v.value_truncated) b.field_bool("value_truncated", true);
    }
    if (!keys_.empty()) {
      b.key("key");
      b.begin_object();
      for (auto& k : keys_) {
        b.key(k.text);
        auto value = lookup(event, k);
        if (value) b.raw(*value);
        else b.null();
      }
      b.end_object();
    }
    if (!v.owner.empty()) b.field("owner", v.owner);
    b.end_object();
    out.commit();
  }
}

void ValidateStage::on_end(Emitter& out) {
  if (pass_ && std::fflush(pass_) != 0) throw InputError(fmt::format("--pass {}: write error", pass_path_));
  if (fail_ && std::fflush(fail_) != 0) throw InputError(fmt::format("--fail {}: write error", fail_path_));
  if (summary_) {
    std::vector<std::pair<std::pair<std::string, std::string>, Tally>> rows(tallies_.begin(), tallies_.end());
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
    for (auto& [where, t] : rows) {
      JsonBuilder b(out.buffer());
      b.begin_object();
      b.field("keyword", where.first);
      b.field("schema_location", where.second);
      b.key("count");
      b.uint64(t.count);
      b.field("example_instance_location", t.example);
      b.end_object();
      out.commit();
    }
    JsonBuilder b(out.buffer());
    b.begin_object();
    b.key("events");
    b.uint64(valid_ + invalid_);
    b.key("valid");
    b.uint64(valid_);
    b.key("invalid");
    b.uint64(invalid_);
    b.end_object();
    out.commit();
  }
  if (suppressed_ > 0)
    report("--max-errors {} reached: {} more invalid event{} not (fully) described", max_errors_, suppressed_,
           suppressed_ == 1 ? "" : "s");
}

}  // namespace olly
