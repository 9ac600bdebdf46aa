// Times extension/lib/match.js on an index of 10,000 listed hosts: building the host map, then
// matching 10,000 hosts (half under a listed host, half not; some full URLs, a few IDN).
// Run: node bench/match_bench.mjs   Target: under 20 ms in all (index parsed, 10,000 matched).
import { matchHost } from '../extension/lib/match.js';

const LISTED = 10_000;
const LOOKUPS = 10_000;

// A small deterministic generator, so every run measures the same work.
let seed = 20261126;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
function word(min, max) {
  // One string per word (no concatenation), so the set-up leaves little garbage for the timed part.
  const size = min + Math.floor(random() * (max - min + 1));
  const codes = new Array(size);
  codes[0] = LETTERS.charCodeAt(Math.floor(random() * 26));
  for (let i = 1; i < size; i += 1) codes[i] = LETTERS.charCodeAt(Math.floor(random() * LETTERS.length));
  return String.fromCharCode(...codes);
}
const TLDS = ['com', 'org', 'net', 'io', 'co.uk', 'de', 'fr', 'com.br', 'xn--p1ai'];
const tld = () => TLDS[Math.floor(random() * TLDS.length)];

const names = [];
for (let i = 0; i < LISTED; i += 1) names.push(`${word(3, 12)}.${tld()}`);
const inputs = [];
for (let i = 0; i < LOOKUPS; i += 1) {
  const roll = random();
  const listed = names[Math.floor(random() * names.length)];
  if (roll < 0.3) inputs.push(`www.${listed}`);
  else if (roll < 0.45) inputs.push(`https://m.${listed}/some/path?q=${i}`);
  else if (roll < 0.5) inputs.push(listed);
  else if (roll < 0.9) inputs.push(`${word(2, 8)}.${word(4, 14)}.${tld()}`);
  else if (roll < 0.97) inputs.push(`https://${word(4, 14)}.${tld()}/`);
  else inputs.push(`b\u00fccher-${i}.example`);
}

// The index arrives as JSON (bundled file or server answer), so building it means parsing it.
const indexJson = JSON.stringify({ hosts: Object.fromEntries(names.map((name, i) => [name, `platform-${i % 500}`])) });

function run() {
  const started = performance.now();
  const { hosts } = JSON.parse(indexJson);
  const built = performance.now();
  let hits = 0;
  for (const input of inputs) if (matchHost(input, hosts) !== null) hits += 1;
  const done = performance.now();
  return { build: built - started, match: done - built, total: done - started, hits };
}

const first = run(); // includes the JIT's warm-up
const runs = Array.from({ length: 9 }, run).sort((a, b) => a.total - b.total);
const steady = runs[Math.floor(runs.length / 2)];
const ms = (value) => value.toFixed(1);
const line = (r) => `${ms(r.total)} ms in all (parse index ${ms(r.build)} ms, match ${ms(r.match)} ms)`;
console.log(`${LISTED} listed hosts, ${LOOKUPS} lookups, ${first.hits} hits`);
console.log(`first run, with JIT warm-up: ${line(first)}`);
console.log(`steady state, median of 9 runs: ${line(steady)}`);
console.log(`target under 20 ms in all: ${steady.total < 20 ? 'met' : 'MISSED'} (steady state)`);
