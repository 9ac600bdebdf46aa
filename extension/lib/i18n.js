// Translations with a language the user can choose in the options. chrome.i18n always follows the
// browser's language and cannot switch at run time, so this reads the same _locales/*/messages.json
// files itself. The manifest's own strings (__MSG_...__) still go through chrome.i18n.

export const LANGUAGES = ['en', 'fr'];
export const DEFAULT_LANGUAGE = 'en';

/** The language to show: the user's choice, or for 'auto' the browser's if we have it, else English. */
export function resolveLanguage(setting, uiLanguage) {
  if (LANGUAGES.includes(setting)) return setting;
  const base = String(uiLanguage || '').toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.includes(base) ? base : DEFAULT_LANGUAGE;
}

/**
 * Fill a messages.json entry: named placeholders ($COUNT$) take their "content" ("$1"), and
 * $1..$9 take the substitutions; "$$" is a literal dollar sign.
 */
export function fillMessage(entry, substitutions = []) {
  if (!entry || typeof entry.message !== 'string') return '';
  const placeholders = {};
  for (const [name, value] of Object.entries(entry.placeholders || {})) {
    placeholders[name.toLowerCase()] = String(value && value.content != null ? value.content : '');
  }
  const substitute = (text) =>
    text.replace(/\$\$|\$([1-9])/g, (whole, digit) =>
      whole === '$$' ? '$' : String(substitutions[Number(digit) - 1] ?? ''),
    );
  // One pass over the message, so a substitution's own "$" or "$NAME$" is never expanded again.
  return entry.message.replace(/\$\$|\$([A-Za-z0-9_@]+)\$|\$([1-9])/g, (whole, name, digit) => {
    if (whole === '$$') return '$';
    if (digit) return String(substitutions[Number(digit) - 1] ?? '');
    const content = placeholders[name.toLowerCase()];
    return content === undefined ? whole : substitute(content);
  });
}

/**
 * A translator over `messages` (a parsed messages.json), falling back to `fallback` (English)
 * for a missing key and to the key itself as a last resort, so a gap shows rather than breaks.
 */
export function createTranslator(messages, fallback = {}) {
  return (key, ...substitutions) => {
    const entry = Object.hasOwn(messages, key) ? messages[key] : fallback[key];
    return entry ? fillMessage(entry, substitutions) : key;
  };
}

const cache = new Map();

async function readMessages(lang) {
  if (!cache.has(lang)) {
    const url = chrome.runtime.getURL(`_locales/${lang}/messages.json`);
    cache.set(lang, fetch(url).then((response) => response.json()));
  }
  return cache.get(lang);
}

/** The language chosen in the options (chrome.storage.local `language`) resolved to en or fr. */
export async function currentLanguage() {
  const { language } = await chrome.storage.local.get('language');
  return resolveLanguage(language || 'auto', chrome.i18n.getUILanguage());
}

/** {lang, t} for the language chosen in the options, or for `lang` if given. */
export async function loadTranslator(lang) {
  const chosen = lang || (await currentLanguage());
  const [messages, english] = await Promise.all([readMessages(chosen), readMessages(DEFAULT_LANGUAGE)]);
  return { lang: chosen, t: createTranslator(messages, english) };
}

/**
 * Translate a page: data-i18n="key" sets the text, data-i18n-aria-label / -placeholder / -title
 * set those attributes. Text only, never markup.
 */
export function localizePage(root, t, lang) {
  for (const element of root.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const [selector, dataName, attribute] of [
    ['[data-i18n-aria-label]', 'i18nAriaLabel', 'aria-label'],
    ['[data-i18n-placeholder]', 'i18nPlaceholder', 'placeholder'],
    ['[data-i18n-title]', 'i18nTitle', 'title'],
  ]) {
    for (const element of root.querySelectorAll(selector)) {
      element.setAttribute(attribute, t(element.dataset[dataName]));
    }
  }
  if (lang && root.documentElement) root.documentElement.lang = lang;
}
