// olly-redact: mask, hash or drop secrets and personal data, by field path
// and by detectors that scan every string value.
#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "redact/stage.h"
#include "expr/timerange.h"

using namespace olly;

namespace {

constexpr const char* kDetectors =
    "Each detector runs only when a cheap scan of the string finds what it needs (an @, three dots, a run "
    "of digits, a literal such as eyJ or AKIA), then an RE2 pattern, then a check in code. When two "
    "matches overlap, the one listed first here wins.\n\n"
    "- private_key: a PEM block, -----BEGIN ... PRIVATE KEY----- to its END line (to the end of the "
    "string when the END is missing); with --raw the block's lines that follow are dropped up to its END "
    "line.\n"
    "- jwt: three base64url segments whose header decodes to a JSON object naming \"alg\".\n"
    "- url_password: the password of scheme://user:password@host; only the password goes.\n"
    "- bearer: the token after \"Bearer \" (at least 12 characters with a letter and a digit).\n"
    "- basic: the credentials after \"Basic \", when they decode to user:password.\n"
    "- aws: access key ids (AKIA..., ASIA...) and 40-character secret keys after a name with \"secret\" "
    "in it (aws_secret_access_key=..., or the value of a member whose name contains \"secret\").\n"
    "- gcp: API keys (AIza...) and the private_key_id of a service account key (its private_key is a "
    "private_key block).\n"
    "- azure: AccountKey= and SharedAccessKey= in connection strings, and sig= in SAS URLs.\n"
    "- card: payment card numbers, 13 to 16 digits bare or 4-4-4-4 and 4-6-5 with spaces or dashes, of a "
    "known issuer (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay), passing the Luhn check.\n"
    "- email: addresses with a top-level domain of letters (logo@2x.png is a file, not an address).\n"
    "- ipv6: addresses inet_pton accepts, with at least two groups (::1 and std::string are left alone).\n"
    "- ipv4: four octets of at most 255 without leading zeros; not a version (after v, version, release, "
    "build, or Product/, or in a member whose name says version or build; 1.2.3.4-rc1 and 1.2.3.4.5 are "
    "versions).\n"
    "- phone: conservative: +CC and 7 to 14 digits (E.164, separators allowed) or the North American "
    "(415) 555-0132 and 415-555-0132 shapes; never a bare run of digits.\n\n"
    "Look-alikes stay: trace and span ids, UUIDs, hashes, timestamps, versions, order numbers that fail "
    "the Luhn check. tests/data/redact/corpus.ndjson is the labeled corpus the test suite measures "
    "precision and recall on. Member names are not scanned, only string values.";

constexpr const char* kActions =
    "- mask: keeps the shape: j***@e***.com, 4111 **** **** 1111, 10.*.*.*, 2001:*:*:*:*:*:*:*, "
    "+* ***-***-**32, AKIA****************, ***.***.*** (jwt), a private key's BEGIN and END lines around "
    "****; other secrets become **** (their length is not kept). A --field value is masked letter by "
    "letter: every letter and digit becomes *.\n"
    "- replace: [REDACTED:NAME] for a detector or pattern, [REDACTED] for a --field.\n"
    "- hash: hmac: and the first 16 hex digits of HMAC-SHA-256(key, value), e.g. hmac:5d41402abc4b2a76. "
    "The same value and key give the same token on every machine, so hashed ids still join. A string "
    "is hashed as its decoded text, a number as its text as written (42 and \"42\" hash alike).\n"
    "- drop: removes the member (or array element) that holds the value; with --raw, the line.\n"
    "- drop-event: removes the whole event (line).\n\n"
    "Defaults: email, ipv4, ipv6, card, phone and url_password mask; the other detectors and --pattern "
    "replace; --field replaces, --hash hashes, --drop-field drops. A --field path that names an object or "
    "array applies its action to every string and number inside (true, false and null stay). When "
    "several paths select one value, the first given wins.";

}  // namespace

int main(int argc, char** argv) {
  redact::RedactOptions opts;
  CommonOptions common;
  std::vector<std::string> files;
  CLI::App app{"Mask, hash or drop secrets and personal data.", "olly-redact"};
  app.add_option("-f,--field", opts.fields,
                 "Redact these fields (comma-separated paths; * is any depth: '*.token')")
      ->type_name("PATHS")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--hash", opts.hash_fields, "Hash these fields with the key (comma-separated paths)")
      ->type_name("PATHS")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--drop-field", opts.drop_fields, "Remove these fields (comma-separated paths)")
      ->type_name("PATHS")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("-d,--detect", opts.detect,
                 "Scan every string value with these detectors (comma-separated; all: every one)")
      ->type_name("LIST")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("-p,--pattern", opts.patterns, "A detector of your own: NAME=REGEX (RE2; repeatable)")
      ->type_name("NAME=REGEX")
      ->allow_extra_args(false);
  app.add_option("-a,--action", opts.actions,
                 "What a detector, pattern or path does: NAME=mask|replace|hash|drop|drop-event (comma-separated)")
      ->type_name("NAME=ACTION")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--key-file", opts.key_file, "The hash key: this file's bytes (less one final newline)")
      ->type_name("FILE");
  app.add_option("--key-env", opts.key_env, "The hash key: the value of this environment variable")
      ->type_name("VAR");
  app.add_flag("--raw", opts.raw, "Input is plain text lines, not NDJSON: detectors and patterns only");
  app.add_option("FILE", files, "Input files (.gz and .zst read transparently); stdin when none or -");
  RunnerOptions run;
  add_runner_options(app, run);
  add_common_options(app, common);

  ToolDoc doc;
  doc.name = "olly-redact";
  doc.summary = "mask, hash or drop secrets and personal data";
  doc.synopsis = "olly-redact [OPTIONS] [--detect LIST] [--field PATHS] [--hash PATHS] [FILE...]";
  doc.description =
      "olly-redact takes secrets and personal data out of events before they are shared: by field path "
      "(--field, --hash, --drop-field) and by detectors that scan every string value (--detect, "
      "--pattern). Only what a path or a detector picked changes: every other byte of the line is copied "
      "as it came, so field order, numbers and spacing stay. A string holding a match is written again "
      "with its escapes only when it had escapes (the match may sit across one); otherwise only the "
      "match's bytes change.\n\n"
      "Paths are as in every olly verb (a.b, a[0], a[\"odd.key\"]), and * as a whole step is any number "
      "of steps, so '*.token' is every member named token at any depth, in arrays too; * inside a name "
      "is a wildcard over that one key ('*_token').\n\n"
      "--hash and the hash action need a key, from --key-file or from the environment variable "
      "--key-env names; olly-redact refuses to run (exit 2) without one, or with an empty one. Keep the "
      "key secret: anyone with it can test guesses against the tokens.\n\n"
      "With --raw each input line is plain text (a log file as it is) and only the detectors and "
      "--pattern apply; blank lines are kept.\n\n"
      "--stats adds, to the usual counts, how many matches each detector and how many values each path "
      "changed (detect.NAME, field.PATH: never the values), events_changed and events_dropped. Lines "
      "that are not JSON are counted, reported at the end and sent to --errors FILE, as in every verb.";
  doc.examples = {
      {"olly redact --detect all --hash user_id --key-file redact/key redact/app.ndjson",
       "Share an excerpt: every detector on, user ids hashed so they still join."},
      {"olly redact --field password,'*.token' --drop-field request.headers.cookie redact/app.ndjson",
       "Replace passwords and tokens at any depth, and drop the cookie header."},
      {"olly redact --detect email,card --action email=hash,card=replace --key-file redact/key redact/app.ndjson",
       "Hash emails and replace card numbers, with the key in redact/key."},
      {"olly redact --raw --detect all --pattern ticket='TKT-[0-9]{6}' redact/app.log",
       "Redact a plain log file, with a pattern of your own."},
  };
  doc.sections = {{"DETECTORS", kDetectors}, {"ACTIONS", kActions}};
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly(7)", "olly-filter(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    auto config = redact::RedactConfig::build(opts);
    RunContext ctx(common);
    redact::RedactStage stage(config);
    run.files = files;
    run.json = !opts.raw;
    run.jobs = default_jobs(run.jobs);
    run_event_stage(run, ctx, stage);
    if (common.stats) stage.report(ctx);
    return ctx.finish(kExitOk);
  });
}
