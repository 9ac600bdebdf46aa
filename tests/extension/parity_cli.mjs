// Reads {"hosts": {...}, "inputs": [...]} as JSON on stdin and writes, for each input,
// {"normalized": host} or {"error": message}, plus "slug" (matchHost's answer), as a JSON list.
// tests/test_match_parity.py runs it to compare extension/lib/match.js with server/domains.py.
import { matchHost, normalizeHost } from '../../extension/lib/match.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { hosts, inputs } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = inputs.map((input) => {
  const slug = matchHost(input, hosts);
  try {
    return { normalized: normalizeHost(input), slug };
  } catch (error) {
    return { error: error.message, slug };
  }
});
process.stdout.write(JSON.stringify(results));
