// The site-access hint, the same in the panel and the settings: the listed sites the extension
// cannot read, and one button asking the browser for exactly those origins. The request is made
// in the click itself (browsers only show it during a user gesture); after a grant the background
// registers the content script for sites the manifest lacks (lib/access.js).

import { currentAccess } from './access.js';

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Fill `container` with the hint, or empty it (and hide it) when nothing is missing. In the panel
 * pass `slug`: the hint shows only when that platform's sites lack access (the page at hand),
 * still listing every site that does. Answers the access diff.
 */
export async function renderAccessHint(container, { t, index, slug = null, api = chrome }) {
  const access = await currentAccess(index, api);
  const relevant = slug ? access.missing.some((site) => site.slug === slug) : access.missing.length > 0;
  container.replaceChildren();
  container.hidden = !relevant;
  if (!relevant) return access;
  const names = index.platforms || {};
  container.append(
    element('h2', 'access-heading', t('accessHeading')),
    element('p', 'hint', slug ? t('accessIntroHere', names[slug]?.name || slug) : t('accessIntro')),
  );
  const list = element('ul', 'access-sites');
  for (const site of access.missing) {
    const item = element('li', '', site.isNew ? t('accessNewSite', site.host) : site.host);
    item.dataset.host = site.host;
    list.append(item);
  }
  const status = element('p', 'access-status');
  status.setAttribute('role', 'status');
  const origins = access.origins;
  const allow = element('button', 'primary', t('accessAllow'));
  allow.type = 'button';
  allow.id = 'access-allow';
  allow.addEventListener('click', () => {
    // Exactly the missing origins, asked for here and now, nothing else.
    api.permissions.request({ origins }).then(
      async (granted) => {
        if (!granted) {
          status.textContent = t('accessDenied');
          return;
        }
        await api.runtime.sendMessage({ type: 'site-access-changed' }).catch(() => null);
        await renderAccessHint(container, { t, index, slug, api });
        container.hidden = false;
        container.append(element('p', 'access-status ok', t('accessGranted')));
      },
      (error) => {
        status.textContent = t('accessError', String(error?.message || error));
      },
    );
  });
  container.append(list, allow, status);
  return access;
}
