// The overlay: a small card in a corner of a listed platform's pages, in a closed shadow root so
// the page can neither read it nor restyle it. A classic script (MV3 content scripts are not
// modules); the background does the matching and the translating and sends ready-made text.
// The DOM is built with createElement and textContent only.
(() => {
  'use strict';

  if (globalThis.behindTheFeedOverlay) return;
  globalThis.behindTheFeedOverlay = true;

  const HOST_TAG = 'behind-the-feed-overlay';
  const POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];
  const MAX_REATTACH = 5;

  // Inline and !important: a page rule such as `* { display: none !important }` loses to these.
  const HOST_STYLE = {
    all: 'initial',
    position: 'fixed',
    'z-index': '2147483647',
    display: 'block',
    visibility: 'visible',
    opacity: '1',
    margin: '0',
    padding: '0',
    border: '0',
    width: 'auto',
    height: 'auto',
    transform: 'none',
    filter: 'none',
    'clip-path': 'none',
    'pointer-events': 'auto',
  };
  const CORNERS = {
    'bottom-right': { bottom: '16px', right: '16px', top: 'auto', left: 'auto' },
    'bottom-left': { bottom: '16px', left: '16px', top: 'auto', right: 'auto' },
    'top-right': { top: '16px', right: '16px', bottom: 'auto', left: 'auto' },
    'top-left': { top: '16px', left: '16px', bottom: 'auto', right: 'auto' },
  };

  // Rules in the shadow root: !important here beats any !important from the page, because the
  // inner context wins for important declarations.
  const STYLES = `
:host {
  all: initial !important;
  position: fixed !important;
  z-index: 2147483647 !important;
  display: block !important;
  visibility: visible !important;
  opacity: 1 !important;
  transform: none !important;
  filter: none !important;
  clip-path: none !important;
  pointer-events: auto !important;
}
:host([data-position="bottom-right"]) { bottom: 16px !important; right: 16px !important; top: auto !important; left: auto !important; }
:host([data-position="bottom-left"]) { bottom: 16px !important; left: 16px !important; top: auto !important; right: auto !important; }
:host([data-position="top-right"]) { top: 16px !important; right: 16px !important; bottom: auto !important; left: auto !important; }
:host([data-position="top-left"]) { top: 16px !important; left: 16px !important; bottom: auto !important; right: auto !important; }
:host::before, :host::after { content: none !important; display: none !important; }
.card {
  box-sizing: border-box;
  display: block;
  width: 340px;
  max-width: calc(100vw - 32px);
  max-height: calc(100vh - 32px);
  overflow: auto;
  margin: 0;
  padding: 14px 16px 12px;
  background: #fffdf8;
  color: #1c1b19;
  border: 1px solid #d8d2c4;
  border-left: 5px solid #8a3b12;
  border-radius: 10px;
  box-shadow: 0 6px 24px rgba(0, 0, 0, 0.22);
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  text-align: left;
  animation: btf-in 180ms ease-out;
}
@keyframes btf-in { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }
.head { display: flex; align-items: flex-start; gap: 8px; margin: 0 0 8px; }
.titles { flex: 1 1 auto; min-width: 0; }
.brand { margin: 0; font-size: 11px; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase; color: #8a3b12; }
.name { margin: 2px 0 0; font-size: 17px; font-weight: 700; line-height: 1.25; color: inherit; overflow-wrap: anywhere; }
.total { margin: 2px 0 0; font-size: 13px; color: #55514a; }
.lines { list-style: none; margin: 0 0 10px; padding: 0; }
.line { margin: 0; padding: 7px 0; border-top: 1px solid #ebe5d8; }
.kind { margin: 0; font-size: 13px; color: #55514a; }
.kind strong { color: #1c1b19; font-weight: 700; }
/* The summary stays short here (the whole of it is one click away, in Details); the key facts below wrap, never clipped. */
.headline {
  margin: 3px 0 0;
  font-size: 13px;
  overflow: hidden;
  display: -webkit-box;
  -webkit-box-orient: vertical;
  -webkit-line-clamp: 2;
  line-clamp: 2;
  overflow-wrap: break-word;
}
.facts { display: grid; grid-template-columns: auto 1fr; gap: 1px 8px; margin: 4px 0 0; font-size: 12.5px; }
.facts dt { margin: 0; color: #55514a; }
.facts dd { margin: 0; overflow-wrap: break-word; min-width: 0; }
.alleged {
  display: inline-block; margin: 0 0 0 6px; padding: 0 6px; border: 1px solid #a33a00; border-radius: 4px;
  color: #8a2e00; background: #fff1e0; font-size: 11.5px; font-weight: 700; line-height: 1.5;
}
.line.allegation { border-left: 3px dashed #a33a00; padding-left: 8px; }
.source { margin: 3px 0 0; font-size: 12.5px; overflow-wrap: break-word; }
a { color: #1f4f9f; text-decoration: underline; }
a:focus-visible { outline: 3px solid #1f5fbf; outline-offset: 1px; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; }
.dismiss { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 8px 0 0; font-size: 13px; }
.dismiss label { color: #55514a; }
select {
  font: 13px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  padding: 4px 6px; border: 1px solid #b9b1a0; border-radius: 6px; background: #ffffff; color: #1c1b19;
}
select:focus-visible { outline: 3px solid #1f5fbf; outline-offset: 2px; }
.off { margin: 0 0 8px; font-size: 14px; }
button {
  all: initial;
  box-sizing: border-box;
  display: inline-block;
  cursor: pointer;
  padding: 6px 10px;
  border: 1px solid #b9b1a0;
  border-radius: 6px;
  background: #f3efe6;
  color: #1c1b19;
  font: 600 13px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
button:hover { background: #e9e2d3; }
button:focus-visible { outline: 3px solid #1f5fbf; outline-offset: 2px; }
button.primary { background: #8a3b12; border-color: #8a3b12; color: #ffffff; }
button.primary:hover { background: #6f2f0e; }
button.close {
  flex: 0 0 auto;
  width: 28px;
  height: 28px;
  padding: 0;
  border-color: transparent;
  background: transparent;
  font-size: 20px;
  line-height: 26px;
  text-align: center;
}
@media (prefers-color-scheme: dark) {
  .card { background: #23211e; color: #f2eee6; border-color: #4a4540; border-left-color: #e0894f; }
  .brand { color: #f0a06a; }
  .total, .kind { color: #c9c2b6; }
  .kind strong { color: #f2eee6; }
  .line { border-top-color: #3a3632; }
  .dismiss label { color: #c9c2b6; }
  select { background: #34302b; border-color: #5a544c; color: #f2eee6; }
  .facts dt { color: #c9c2b6; }
  .alleged { color: #ffd2b0; background: #4a2a14; border-color: #e0894f; }
  .line.allegation { border-left-color: #e0894f; }
  a { color: #8ab4f8; }
  button { background: #34302b; border-color: #5a544c; color: #f2eee6; }
  button:hover { background: #403b35; }
  button:focus-visible { outline-color: #8ab4f8; }
  button.primary { background: #e0894f; border-color: #e0894f; color: #1c1b19; }
  button.primary:hover { background: #f0a06a; }
  button.close { background: transparent; border-color: transparent; }
}
@media (prefers-reduced-motion: reduce) {
  .card { animation: none; }
}
`;

  let host = null;
  let shown = null;
  let card = null;
  // The platform this page's card is for: drawn, on its way, or closed by the user on this page.
  let pageSlug = null;
  let reattached = 0;
  let returnFocusTo = null;
  let undoPending = false;
  let undoTimer = null;

  function send(type, extra = {}) {
    try {
      return chrome.runtime.sendMessage({ ...extra, type }).catch(() => null);
    } catch {
      // The extension was reloaded or removed under this page.
      return Promise.resolve(null);
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(className, text, onClick) {
    const node = element('button', className, text);
    node.type = 'button';
    node.addEventListener('click', onClick);
    return node;
  }

  // Only absolute http(s) links; anything else is shown as words.
  function httpUrl(value) {
    try {
      const url = new URL(String(value));
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '';
    } catch {
      return '';
    }
  }

  function factsList(facts, strings) {
    const list = element('dl', 'facts');
    const add = (label, value) => {
      if (!value) return;
      list.append(element('dt', '', label), element('dd', '', value));
    };
    add(strings.who, facts.who.join(', '));
    add(strings.where, facts.where.join(', '));
    add(strings.when, facts.when);
    add(strings.sure, facts.sure);
    return list.childElementCount ? list : null;
  }

  function sourceLine(facts, strings) {
    if (!facts.publisher && !facts.url) return null;
    const line = element('p', 'source', `${strings.source} `);
    const href = httpUrl(facts.url);
    const name = facts.publisher || href;
    if (href) {
      const link = element('a', '', name);
      link.href = href;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.title = strings.sourceTitle;
      line.append(link);
    } else {
      line.append(document.createTextNode(name));
    }
    return line;
  }

  // A kind's facts under its line (drawn with the card, or added in place when they come later):
  // the allegation mark, the summary when the index had no headline, then the facts and source.
  function addFacts(item, line, strings) {
    const facts = line.facts && typeof line.facts === 'object' ? line.facts : null;
    if (!facts) return;
    if (facts.allegation) {
      item.classList.add('allegation');
      item.querySelector('.kind').append(element('span', 'alleged', facts.sure));
    }
    if (!item.querySelector('.headline') && facts.summary) item.append(element('p', 'headline', facts.summary));
    const list = factsList(facts, strings);
    const source = sourceLine(facts, strings);
    if (list) item.append(list);
    if (source) item.append(source);
  }

  function languageLine(text) {
    const line = element('p', 'total', text);
    line.dataset.part = 'language';
    return line;
  }

  /**
   * The facts the card was drawn without (the background had them not at hand): kept in the
   * card's data (a card drawn later, or again after Undo, has them) and added to the card on
   * screen in place, its look the same as if they had come with it.
   */
  function applyFacts(data, reply) {
    if (!reply || typeof reply !== 'object' || reply.slug !== data.slug || !data.factsPending) return;
    const facts = reply.facts && typeof reply.facts === 'object' ? reply.facts : {};
    data.factsPending = false;
    const fresh = [];
    for (const line of data.lines) {
      if (line.facts || !Object.hasOwn(facts, line.kind)) continue;
      line.facts = facts[line.kind];
      fresh.push(line);
    }
    const text = typeof reply.languageLine === 'string' ? reply.languageLine : '';
    const addLine = text && !data.languageLine;
    if (addLine) data.languageLine = text;
    if (shown !== data || !card) return;
    const items = card.querySelectorAll('li.line');
    for (const line of fresh) {
      const item = [...items].find((node) => node.dataset.kind === line.kind);
      if (item) addFacts(item, line, data.strings);
    }
    const lines = card.querySelector('ul.lines');
    if (addLine && lines) lines.after(languageLine(text));
  }

  function requestFacts(data, extra) {
    if (!data.factsPending) return;
    send('overlay-facts', extra).then((reply) => applyFacts(data, reply));
  }

  function place(position) {
    const corner = POSITIONS.includes(position) ? position : POSITIONS[0];
    host.dataset.position = corner;
    for (const [name, value] of Object.entries(CORNERS[corner])) {
      host.style.setProperty(name, value, 'important');
    }
  }

  function remove() {
    const hadFocus = host && host.matches(':focus-within');
    shown = null;
    card = null;
    undoPending = false;
    clearTimeout(undoTimer);
    if (host) host.remove();
    if (hadFocus && returnFocusTo && returnFocusTo.isConnected) returnFocusTo.focus();
    returnFocusTo = null;
  }

  function buildCard(data) {
    const { strings } = data;
    const card = element('section', 'card');
    card.setAttribute('role', 'complementary');
    card.setAttribute('aria-label', strings.regionLabel);
    card.lang = data.lang;

    const head = element('div', 'head');
    const titles = element('div', 'titles');
    titles.append(
      element('p', 'brand', strings.brand),
      element('h2', 'name', data.name),
      element('p', 'total', strings.total),
    );
    // Dismiss for the time chosen below (30 days unless changed), on this platform in every tab.
    const durations = element('select');
    durations.id = 'btf-dismiss-for';
    for (const choice of strings.dismissChoices || []) {
      const option = element('option', '', choice.label);
      option.value = choice.value;
      durations.append(option);
    }
    durations.value = data.dismissDefault;
    // The card goes once the dismissal is stored, so a reload right after the click cannot
    // bring it back (send never rejects: a gone background still closes the card).
    const dismissNow = () => {
      send('dismiss', { duration: durations.value }).finally(remove);
    };
    const close = button('close', '\u00d7', dismissNow);
    close.setAttribute('aria-label', strings.close);
    close.title = strings.close;
    head.append(titles, close);

    const lines = element('ul', 'lines');
    for (const line of data.lines) {
      const item = element('li', 'line');
      item.dataset.kind = line.kind;
      const kind = element('p', 'kind');
      kind.append(element('strong', '', line.label), document.createTextNode(` (${line.count})`));
      kind.title = line.countLabel;
      item.append(kind);
      if (line.headline) item.append(element('p', 'headline', line.headline));
      addFacts(item, line, strings);
      lines.append(item);
    }

    const actions = element('div', 'actions');
    const hide = button('', strings.hide, () => {
      send('hide-site');
      remove();
    });
    hide.title = strings.hideTitle;
    actions.append(
      button('primary', strings.details, () => send('open-panel')),
      hide,
      button('', strings.off, () => showUndo(card, data)),
    );
    const dismissRow = element('div', 'dismiss');
    const forLabel = element('label', '', strings.dismissFor);
    forLabel.htmlFor = durations.id;
    dismissRow.append(forLabel, durations, button('', strings.dismiss, dismissNow));

    card.append(head, lines, ...(data.languageLine ? [languageLine(data.languageLine)] : []), actions, dismissRow);
    card.addEventListener('focusin', (event) => {
      // Remember where focus came from, to give it back when the card closes.
      if (event.relatedTarget && !card.contains(event.relatedTarget)) returnFocusTo = event.relatedTarget;
    });
    return card;
  }

  // "Turn overlays off": off everywhere at once, and Undo right here for a few seconds.
  function showUndo(current, data) {
    undoPending = true;
    send('overlays-off');
    const status = element('p', 'off', data.strings.offDone);
    status.setAttribute('role', 'status');
    const undo = button('primary', data.strings.undo, async () => {
      clearTimeout(undoTimer);
      undoPending = false;
      await send('overlays-undo');
      if (!host) return;
      const again = buildCard(data);
      current.replaceWith(again);
      card = again;
      const first = again.querySelector('button');
      if (first) first.focus();
    });
    const actions = element('div', 'actions');
    actions.append(undo);
    current.replaceChildren(status, actions);
    undo.focus();
    undoTimer = setTimeout(remove, data.undoMs || 10000);
  }

  // In the top layer, the card escapes the opacity, transforms, filters, clipping and stacking of
  // everything else on the page.
  function raise() {
    try {
      if (host.isConnected && !host.matches(':popover-open')) host.showPopover();
    } catch {
      // No popover support: the fixed position and the highest z-index still apply.
    }
  }

  // A page that hides its own root element (`* { display: none !important }` matches <html>)
  // hides every descendant, the top layer included. The root then gets its box back; the page's
  // own content stays as hidden as the page made it.
  function keepRootRendered() {
    const root = document.documentElement;
    if (getComputedStyle(root).display === 'none') root.style.setProperty('display', 'block', 'important');
  }

  function draw(data) {
    host = document.createElement(HOST_TAG);
    for (const [name, value] of Object.entries(HOST_STYLE)) host.style.setProperty(name, value, 'important');
    host.setAttribute('popover', 'manual');
    place(data.position);
    const root = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = STYLES;
    card = buildCard(data);
    root.append(style, card);
    shown = data;
    // Attach to <html>, not <body>: a page's body rules and re-renders do not reach it there.
    document.documentElement.append(host);
    raise();
    keepRootRendered();
  }

  function watchRemoval() {
    new MutationObserver(() => {
      if (shown && host && !host.isConnected && reattached < MAX_REATTACH && document.documentElement) {
        reattached += 1;
        document.documentElement.append(host);
        raise();
      }
    }).observe(document.documentElement, { childList: true });
  }

  function whenParsed(callback) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', callback, { once: true });
    } else {
      callback();
    }
  }

  let watching = false;

  function ask() {
    const page = { pageLang: document.documentElement ? document.documentElement.lang : '' };
    return send('overlay-data', page).then((data) => {
      if (!data || !Array.isArray(data.lines) || !data.strings) return;
      pageSlug = data.slug;
      requestFacts(data, page);
      whenParsed(() => {
        if (shown || !document.documentElement) return;
        draw(data);
        if (!watching) watchRemoval();
        watching = true;
      });
    });
  }

  // Ask as soon as the page starts loading (run_at document_start), draw once it is parsed.
  ask();

  // Escape closes the card from anywhere on the page (for this page only; the page's own
  // handlers still get the key).
  document.addEventListener(
    'keydown',
    (event) => {
      if (event.key === 'Escape' && shown && !event.isComposing) remove();
    },
    true,
  );

  function dismissedNow(value) {
    if (!shown || !value || typeof value !== 'object' || !Object.hasOwn(value, shown.slug)) return false;
    const until = value[shown.slug];
    return until === 'always' || (Number.isFinite(until) && until > Date.now());
  }

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local') return;
    if (!shown) {
      // Turned on again (Undo in another tab, or the settings): draw here too.
      if (changes.overlaysEnabled && changes.overlaysEnabled.newValue !== false) ask();
      return;
    }
    const hidden = changes.hiddenSites ? changes.hiddenSites.newValue || [] : [];
    if (changes.overlaysEnabled && changes.overlaysEnabled.newValue === false) {
      if (!undoPending) remove();
    } else if (hidden.includes(shown.slug) || hidden.includes(shown.host)) remove();
    else if (changes.dismissedPlatforms && dismissedNow(changes.dismissedPlatforms.newValue)) remove();
    else if (changes.overlayPosition) place(changes.overlayPosition.newValue);
  });

  // A single-page site changed its URL without loading a page (background.js tells the tab):
  // the platform may differ (google.com/maps to google.com/search). Ask again; the same platform's
  // card stays as it is (or closed, if the user closed it here), another platform's card replaces
  // it, and a page that had none gets one if the new URL is listed (dismissals still apply).
  chrome.runtime.onMessage.addListener((message, sender) => {
    if (sender.id !== chrome.runtime.id || !message || message.type !== 'url-changed') return;
    send('overlay-data').then((data) => {
      // Compared when the answer comes, not when asked: the page's first card may have been drawn
      // meanwhile (a page load reports its URL too), and is then kept, not drawn again.
      const now = data && Array.isArray(data.lines) ? data.slug : null;
      if (now === pageSlug) return;
      pageSlug = now;
      if (shown) remove();
      if (!now || !data.strings) return;
      requestFacts(data);
      whenParsed(() => {
        if (!shown && document.documentElement) draw(data);
      });
    });
  });
})();
