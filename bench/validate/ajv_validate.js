// The peer baseline for olly-validate: read NDJSON line by line, JSON.parse
// each line and validate it with one compiled ajv (2020-12) validator.
// Usage: node ajv_validate.js CONTRACT FILE   -> prints {"events":N,"invalid":M,"bad":B}
'use strict';
const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020');

const [contractPath, dataPath] = process.argv.slice(2);
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
const validate = ajv.compile(JSON.parse(fs.readFileSync(contractPath, 'utf8')));

let events = 0, invalid = 0, bad = 0;
function line(text) {
  if (text.length === 0) return;
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    ++bad;
    return;
  }
  ++events;
  if (!validate(value)) ++invalid;
}

// Read in 1 MiB chunks and split on newlines (faster than readline).
const fd = fs.openSync(dataPath, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
let rest = '';
for (;;) {
  const n = fs.readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  const chunk = rest + buf.toString('utf8', 0, n);
  const lines = chunk.split('\n');
  rest = lines.pop();
  for (const l of lines) line(l);
}
line(rest);
fs.closeSync(fd);
console.log(JSON.stringify({ events, invalid, bad }));
