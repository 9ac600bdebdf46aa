// The extension builds its DOM with createElement and textContent only: data from the index or
// the API can never become markup or script.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { extensionFiles, readExtensionFile } from './helpers.mjs';

const FORBIDDEN = [
  /\binnerHTML\b/,
  /\bouterHTML\b/,
  /\binsertAdjacentHTML\b/,
  /\bdocument\.write(?:ln)?\b/,
  /\bcreateContextualFragment\b/,
  /\bsetHTMLUnsafe\b/,
  /\bparseHTMLUnsafe\b/,
  /\bDOMParser\b/,
  /\beval\s*\(/,
  /\bnew\s+Function\s*\(/,
  /\bsetTimeout\s*\(\s*['"`]/,
  /\.srcdoc\b/,
];

const sources = extensionFiles().filter((path) => /\.(m?js|html)$/.test(path));

test('there are sources to check', () => {
  for (const path of ['background.js', 'content/overlay.js', 'popup/popup.js', 'options/options.js']) {
    assert.ok(sources.includes(path), path);
  }
});

test('no HTML-parsing or code-evaluating API anywhere in the extension', () => {
  const found = [];
  for (const path of sources) {
    const lines = readExtensionFile(path).split('\n');
    lines.forEach((line, number) => {
      for (const pattern of FORBIDDEN) {
        if (pattern.test(line)) found.push(`${path}:${number + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(found, []);
});

test('extension pages load only their own scripts, with no inline script or handler', () => {
  for (const path of sources.filter((p) => p.endsWith('.html'))) {
    const html = readExtensionFile(path);
    for (const tag of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(tag[1], /\bsrc="[^":]+"/, `${path}: a script without a local src`);
      assert.equal(tag[2].trim(), '', `${path}: inline script`);
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${path}: inline event handler`);
    assert.doesNotMatch(html, /\b(?:src|href)="(?:https?:)?\/\//, `${path}: remote resource`);
  }
});
