// Shared by the extension's node tests: paths, a chrome.storage stand-in, the English translator.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXTENSION_DIR = fileURLToPath(new URL('../../extension/', import.meta.url));

export function readJson(path) {
  return JSON.parse(readFileSync(join(EXTENSION_DIR, path), 'utf8'));
}

/** Every file under extension/, as paths relative to it. */
export function extensionFiles(dir = EXTENSION_DIR) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...extensionFiles(path));
    else files.push(relative(EXTENSION_DIR, path));
  }
  return files.sort();
}

export function readExtensionFile(path) {
  return readFileSync(join(EXTENSION_DIR, path), 'utf8');
}

/** An in-memory chrome.storage.local with the same get/set/remove semantics. */
export function memoryStorage(initial = {}) {
  const data = structuredClone(initial);
  return {
    data,
    async get(keys) {
      if (keys === null || keys === undefined) return structuredClone(data);
      const wanted = typeof keys === 'string' ? { [keys]: undefined } : Array.isArray(keys)
        ? Object.fromEntries(keys.map((key) => [key, undefined]))
        : keys;
      const result = {};
      for (const [key, fallback] of Object.entries(wanted)) {
        if (Object.hasOwn(data, key)) result[key] = structuredClone(data[key]);
        else if (fallback !== undefined) result[key] = fallback;
      }
      return result;
    },
    async set(items) {
      Object.assign(data, structuredClone(items));
    },
    async remove(keys) {
      for (const key of typeof keys === 'string' ? [keys] : keys) delete data[key];
    },
  };
}
