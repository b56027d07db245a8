// olly-patterns: message templates from raw logs.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/cli.h"
#include "core/diag.h"
#include "core/read_file.h"
#include "core/runner.h"
#include "core/writer.h"
#include "patterns/model.h"
#include "patterns/stage.h"
#include "expr/timerange.h"

using namespace olly;

namespace {

struct Flags {
  std::string field;
  bool tag = false;
  size_t batch = 10000;
  std::vector<std::string> masks;
  bool no_default_masks = false;
  std::string diff;
  double alpha = 0.01;
  std::string model;
  bool partial = false;
  bool merge = false;
  size_t max_templates = 10000;
  size_t top = 5;
  std::vector<std::string> files;
  CommonOptions common;
};

PatternsConfig build_config(const Flags& f) {
  PatternsConfig c;
  c.field = f.field;
  c.time_field = f.common.time_field;
  c.time_format = resolve_time_layout(f.common);
  c.range = resolve_time_range(f.common);
  if (c.range.active() && f.field.empty()) {
    throw UsageError("--since/--until select events by their time field: name the message's field with "
                     "--field (raw lines have no time)");
  }
  for (const std::string& m : f.masks) {
    size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(fmt::format("--mask {}: expected NAME=REGEX (an RE2 regular expression)", m));
    c.masks.push_back({m.substr(0, eq), m.substr(eq + 1)});
  }
  c.builtin_masks = !f.no_default_masks;
  try {
    Tokenizer check(c.masks, c.builtin_masks);
  } catch (const std::invalid_argument& e) {
    throw UsageError(fmt::format("--mask: {}", e.what()));
  }
  if (f.max_templates == 0) throw UsageError("--max-templates: must be at least 1");
  if (f.batch == 0) throw UsageError("--batch: must be at least 1");
  if (!(f.alpha > 0 && f.alpha < 1)) throw UsageError("--alpha: must be between 0 and 1 (e.g. 0.01)");
  if (f.partial && f.merge) throw UsageError("--partial and --merge cannot be combined");
  if (f.tag && (f.partial || f.merge || !f.diff.empty()))
    throw UsageError("--tag writes events; it cannot be combined with --partial, --merge or --diff");
  if (f.partial && !f.diff.empty()) throw UsageError("--partial and --diff cannot be combined");
  c.max_templates = f.max_templates;
  return c;
}

// Every input can be read twice (--tag mines first, then tags): no stdin.
bool inputs_rereadable(const std::vector<std::string>& files) {
  if (files.empty()) return false;
  for (const std::string& f : files) {
    if (f == "-") return false;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f, ec)) return false;
  }
  return true;
}

// Keeps the max most recently seen templates (--max-templates); returns how
// many were dropped.
size_t keep_recent(std::vector<MinedTemplate>& templates, const ShapeTable& table, size_t max) {
  if (templates.size() <= max) return 0;
  std::vector<std::pair<uint64_t, size_t>> recency;
  for (size_t i = 0; i < templates.size(); ++i) {
    uint64_t last = 0;
    for (uint32_t s : templates[i].shapes) last = std::max(last, table.shapes()[s].last_seen);
    recency.emplace_back(last, i);
  }
  std::sort(recency.begin(), recency.end(), std::greater<>());
  std::vector<bool> keep(templates.size(), false);
  for (size_t i = 0; i < max; ++i) keep[recency[i].second] = true;
  std::vector<MinedTemplate> kept;
  for (size_t i = 0; i < templates.size(); ++i)
    if (keep[i]) kept.push_back(std::move(templates[i]));
  size_t dropped = templates.size() - kept.size();
  templates = std::move(kept);
  return dropped;
}

const char* kMasks =
    "Before grouping, a token is masked (a variable whatever the data says) when its whole shape is "
    "one of: a number, with an optional sign, decimals, exponent and unit (42, -1.5e3, 30%, 512KB); "
    "a duration (250ms, 1.5s, 10min); hex (0x1f, and bare hex of 8 or more characters with a digit: "
    "ids and hashes); a UUID; an IPv4 address with an optional port, an IPv6 address, a MAC address; "
    "a path (/var/log/x, ./x, ~/x, C:\\x); a URL (scheme://...); a date, clock time or timestamp. "
    "Words are first taken whole, so 10.0.0.1:8080 is one address; a word no mask takes is cut at "
    "= : , ; ( ) [ ] { } \" ' | < > and each piece is tested again, so uid=0 is the word uid and a "
    "masked number.\n\n"
    "--mask NAME=REGEX (RE2, repeatable) masks every match of REGEX first, as one token (blk_-?\\d+ "
    "for HDFS block ids); a match inside a word that is one built-in value (a URL, a path, an "
    "address) masks the whole value. --no-default-masks leaves only the --mask ones.";

const char* kOutput =
    "One event per template, most frequent first: template_id (a hash of the template text: the same "
    "template has the same id on every run and machine), template (constant words and <*>, with the "
    "punctuation of its most common line), count, share (of all lines mined), first_seen and last_seen "
    "(event time, when events have a time field: see --time-field), example (one of its lines, the "
    "same whatever the order of the input), and "
    "variables: for each <*> in order, its top values with counts and the count of all other values "
    "(top: the --top most frequent among the first 8 distinct values seen per line shape; counts "
    "past those go to other).\n\n"
    "With --tag, every event passes through with template_id and template added (a raw line becomes "
    "{\"message\": LINE, \"template_id\": ..., \"template\": ...}). Files are read twice: mined whole "
    "(with all cores), then tagged, so every line gets its final template. On stdin or a pipe the "
    "events are held until --batch of them arrived (or the first of them waited a second, so tail -f "
    "streams), the lines so far are mined, and the held events are written: a later batch may "
    "generalise a template, and events already written keep the one they had. Without --tag the "
    "templates are written when the input ends.\n\n"
    "With --diff BASELINE, the baseline (a file of lines or events, or a --model file) and the input "
    "are mined together, and the output is the templates that are new or whose share of lines grew "
    "significantly: change (new or grew), count and baseline_count, share and baseline_share, growth "
    "(the ratio of the shares; null when new), p_value (a likelihood-ratio test of the two shares, "
    "Bonferroni-corrected for the number of templates; only those below --alpha are written, so a "
    "template seen once today and never before is not news in a big log).";

const char* kModel =
    "--model FILE saves the template set as plain JSON after the run and, when FILE exists, loads it "
    "first: its templates steer mining (so a template keeps its text, and its id, across runs) and "
    "its counts add to the saved counts, but the output counts only this run's input. The file is "
    "{\"olly_patterns_model\":1,\"settings\":{...},\"templates\":[...]}, one template per line with "
    "template_id, template, words (null for <*>), count, first_ms and last_ms, example. A model made "
    "with other --mask options, or of another version, is refused (exit 2). It is written to a "
    "temporary file and renamed into place.\n\n"
    "--partial writes the state instead of templates: a header line and one line per distinct line "
    "shape (words, counts, times, example, masked values). --merge reads any number of partial "
    "streams and mines them as one run over all the input would: shard a log, run --partial where "
    "the shards are, merge in one place. State is bounded by line shapes (distinct lines after "
    "masking), not by lines: at most 16 x --max-templates shapes are kept; past that the least "
    "recently seen are dropped (their lines counted as evicted in --stats), and at most "
    "--max-templates templates are written (the most recently seen).";

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"Mine message templates from log lines.", "olly-patterns"};
  app.add_option("-f,--field", f.field,
                 "Mine this field of NDJSON events (default: raw lines, or the msg, message or log field of "
                 "a line that is a JSON object)")
      ->type_name("PATH");
  app.add_flag("--tag", f.tag, "Pass every event through with template_id and template added");
  app.add_option("--batch", f.batch, "With --tag on stdin: events held per mining round (default 10000)")
      ->type_name("N");
  app.add_option("--mask", f.masks, "NAME=REGEX: mask every RE2 match as a variable; repeatable")
      ->type_name("NAME=REGEX")
      ->allow_extra_args(false);
  app.add_flag("--no-default-masks", f.no_default_masks, "Mask only what --mask says (no numbers, IPs, ...)");
  app.add_option("--diff", f.diff, "Templates new or grown against BASELINE (lines, events or a --model file)")
      ->type_name("BASELINE");
  app.add_option("--alpha", f.alpha, "With --diff: the significance level (default 0.01)")->type_name("P");
  app.add_option("--model", f.model, "Load templates from FILE when it exists, and save them there after")
      ->type_name("FILE");
  app.add_flag("--partial", f.partial, "Write mergeable state instead of templates (see MODEL AND STATE)");
  app.add_flag("--merge", f.merge, "Read partial states (from --partial) and write their templates");
  app.add_option("--max-templates", f.max_templates, "Templates kept (default 10000; see MODEL AND STATE)")
      ->type_name("N");
  app.add_option("--top", f.top, "Values listed per variable (default 5)")->type_name("N");
  app.add_option("FILE", f.files, "Input files (.gz and .zst read transparently); stdin when none or -");
  RunnerOptions run;
  add_runner_options(app, run);
  app.add_option("--min-chunk", run.min_fold_range, "Smallest byte range a thread gets (testing)")->group("");
  add_common_options(app, f.common);

  ToolDoc doc;
  doc.name = "olly-patterns";
  doc.summary = "mine message templates from log lines";
  doc.synopsis = "olly-patterns [OPTIONS] [FILE...]";
  doc.description =
      "olly-patterns groups log lines by the message template that printed them and writes one "
      "event per template: the constant words, <*> for the variable parts, how often it occurred, "
      "when, an example and the most common values of each variable. It answers \"what kinds of "
      "lines are these, and which are new?\" during an incident, and --tag labels every event with "
      "its template so the other verbs can count, filter, alert on and explain templates.\n\n"
      "Mining looks at all lines of a file at once, never at their order, so shuffled input gives "
      "the same templates. Lines are reduced to their shapes (the words, with numbers, addresses, "
      "ids and the like masked: see MASKS); within shapes of one length, each word's frequency at "
      "its position is counted, and the words that occur together in the same lines make a "
      "template's constant core (the method of Brain, Yu et al. 2023). A column where a group of "
      "lines has a few different words (none numeric: up to three, up to eight in the first column, "
      "which most often says what happened, and in a column of state names: enum constants such as "
      "RUNNING or NOT_FOUND, and past participles such as Started) splits the group: \"VM Started\" "
      "and \"VM Paused\" stay two templates, as do \"boot (command 12)\" and \"halt (command 14)\"; "
      "a column with more values, or a masked one, is a variable, and so is an enum constant that is "
      "a field's value (after \"Type:\", \"=\" or inside brackets). A word that comes before a "
      "variable of many names in some lines (\"session closed for user <*>\") is a key: after it, "
      "even a few names are a variable (\"session opened for user <*>\" does not split by user).\n\n"
      "Lines that are empty, not UTF-8, or events without the field are bad records: counted, "
      "reported, sent to --errors, never mined.";
  doc.examples = {
      {"olly patterns patterns/app.log", "Templates of raw log lines, most frequent first."},
      {"olly patterns --field msg patterns/app.ndjson", "Templates of one field of NDJSON events."},
      {"olly patterns --field msg --diff patterns/yesterday.ndjson patterns/today.ndjson",
       "Which templates are new today, or grew significantly against yesterday?"},
      {"olly patterns --field msg --tag patterns/app.ndjson | olly agg count by template_id",
       "Tag each event with its template, then count per template with olly-agg."},
      {"olly patterns --mask 'block=blk_-?\\d+' patterns/hdfs.log", "Mask HDFS block ids as variables."},
  };
  doc.sections = {{"MASKS", kMasks}, {"OUTPUT", kOutput}, {"MODEL AND STATE", kModel}};
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly(7)", "olly-agg(1)", "olly-explain(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    PatternsConfig config = build_config(f);
    RunContext ctx(f.common);
    run.files = f.files;
    run.jobs = default_jobs(run.jobs);
    run.json = false;
    Emitter out(stdout_sink(), ctx.stats());

    ShapeStage stage(config, false);
    ShapeTable& table = stage.table();
    std::string model_text;
    if (!f.model.empty() && !f.merge) {
      std::error_code ec;
      if (std::filesystem::exists(f.model, ec)) {
        std::string reason;
        if (!read_file(f.model, model_text, reason)) throw InputError(fmt::format("--model {}: {}", f.model, reason));
        load_model(model_text, f.model, "--model", config, table, false);
      }
    }
    if (!f.diff.empty()) {
      std::string text, reason;
      std::error_code ec;
      if (!std::filesystem::exists(f.diff, ec)) throw InputError(fmt::format("--diff {}: no such file", f.diff));
      // A model is read whole; a log is streamed like the input.
      bool model = false;
      {
        std::FILE* fp = std::fopen(f.diff.c_str(), "rb");
        if (!fp) throw InputError(fmt::format("--diff {}: {}", f.diff, std::strerror(errno)));
        char head[64];
        size_t got = std::fread(head, 1, sizeof head, fp);
        std::fclose(fp);
        model = looks_like_model(std::string_view(head, got));
      }
      if (model) {
        if (!read_file(f.diff, text, reason)) throw InputError(fmt::format("--diff {}: {}", f.diff, reason));
        load_model(text, f.diff, "--diff", config, table, true);
      } else {
        // --since/--until pick the events under study; the baseline is read whole.
        PatternsConfig base_config = config;
        base_config.range = TimeRange();
        ShapeStage baseline(base_config, true);
        RunnerOptions base_run = run;
        base_run.files = {f.diff};
        run_stage(base_run, ctx, baseline);
        table.merge(baseline.table());
      }
    }

    uint64_t evicted_lines = 0;
    if (f.merge) {
      PartialStage partial(config, table);
      RunnerOptions merge_run = run;
      merge_run.jobs = 1;
      refuse_time_range(ctx.options(), "--merge");
      run_stage(merge_run, ctx, partial);
    } else if (f.tag && !inputs_rereadable(f.files)) {
      StreamTagStage tagger(config, f.batch);
      run_stage(run, ctx, tagger);
      ctx.add_stat("templates", static_cast<int64_t>(mine_templates(tagger.table(), tagger.table().tokenizer(),
                                                                    config.miner).size()));
      ctx.add_stat("evicted_lines", static_cast<int64_t>(tagger.evicted_lines()));
      if (config.range.active()) ctx.add_stat("out_of_range", static_cast<int64_t>(tagger.out_of_range()));
      return ctx.finish(kExitOk);
    } else if (f.tag) {
      // Mine the files whole first; their bad lines are reported by the tagging pass.
      CommonOptions quiet = f.common;
      quiet.errors_path.clear();
      quiet.strict = false;
      quiet.stats = false;
      quiet.progress = false;
      quiet.no_progress = true;
      RunContext mine_ctx(quiet);
      run_stage(run, mine_ctx, stage);
      TagIndex index;
      std::vector<uint32_t> shape_template;
      index.templates = mine_templates(table, table.tokenizer(), config.miner, &shape_template);
      for (size_t s = 0; s < table.shapes().size(); ++s) index.shape_template.emplace(table.shapes()[s].key, shape_template[s]);
      TagStage tagger(config, index);
      run_stage(run, ctx, tagger);
      ctx.add_stat("templates", static_cast<int64_t>(index.templates.size()));
      ctx.add_stat("shapes", static_cast<int64_t>(table.size()));
      ctx.add_stat("unmatched", static_cast<int64_t>(tagger.unmatched()));
      if (config.range.active()) ctx.add_stat("out_of_range", static_cast<int64_t>(tagger.out_of_range()));
      return ctx.finish(kExitOk);
    } else {
      run_stage(run, ctx, stage);
      evicted_lines = stage.evicted_lines();
      if (config.range.active()) ctx.add_stat("out_of_range", static_cast<int64_t>(stage.out_of_range()));
    }

    if (f.partial) {
      write_partial_header(out.buffer(), config);
      out.commit();
      for (const Shape& s : table.shapes()) {
        write_partial_shape(out.buffer(), s);
        out.commit();
      }
      ctx.add_stat("shapes", static_cast<int64_t>(table.size()));
      ctx.add_stat("evicted_lines", static_cast<int64_t>(evicted_lines));
      return ctx.finish(kExitOk);
    }

    std::vector<MinedTemplate> templates = mine_templates(table, table.tokenizer(), config.miner);
    uint64_t total = 0;  // shares are of every line mined, kept templates or not
    for (const MinedTemplate& t : templates) total += t.count;
    size_t evicted_templates = keep_recent(templates, table, config.max_templates);
    if (!f.model.empty()) write_file_atomically("--model", f.model, model_to_json(templates, config));
    size_t written = 0;
    if (!f.diff.empty()) {
      for (const TemplateChange& c : significant_changes(templates, f.alpha)) {
        write_change_event(out.buffer(), c, f.top);
        out.commit();
      }
    } else {
      for (const MinedTemplate& t : templates) {
        if (t.count == 0) continue;  // known only from the model or the baseline
        write_template_event(out.buffer(), t, total, f.top);
        out.commit();
        ++written;
      }
    }
    ctx.add_stat("templates", static_cast<int64_t>(f.diff.empty() ? written : templates.size()));
    ctx.add_stat("shapes", static_cast<int64_t>(table.size()));
    ctx.add_stat("evicted_lines", static_cast<int64_t>(evicted_lines));
    ctx.add_stat("evicted_templates", static_cast<int64_t>(evicted_templates));
    return ctx.finish(kExitOk);
  });
}
