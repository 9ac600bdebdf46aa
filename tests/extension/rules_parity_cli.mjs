// Reads {"index": {"hosts", "rules"}, "inputs": [[text, hostOnly], ...]} as JSON on stdin and
// writes, for each input, matchUrl's answer ({slug, host, scope, path} or null) and urlPath's,
// as a JSON list. tests/test_match_parity.py runs it to compare extension/lib/match.js with
// server/domains.py on rules with scopes.
import { matchUrl, urlPath } from '../../extension/lib/match.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { index, inputs } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = inputs.map(([text, hostOnly]) => ({
  rule: matchUrl(text, index, { hostOnly }),
  path: urlPath(text),
}));
process.stdout.write(JSON.stringify(results));
