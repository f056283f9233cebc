import { describe, expect, it } from 'vitest';
import { Eta } from 'eta';
import { asciiHtml, asciiTemplates, escapeHtml, pageBytes } from '../../src/platform/ascii-html.js';

describe('pages written in ASCII', () => {
  it('escapes HTML and writes anything outside ASCII as one reference per character', () => {
    expect(escapeHtml(`<b class="x">Tom & Jerry's</b>`)).toBe('&lt;b class=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;');
    expect(escapeHtml('café · 5 s')).toBe('caf&#xe9; &#xb7; 5 s');
    expect(escapeHtml('“Sunset” → 🌅')).toBe('&#x201c;Sunset&#x201d; &#x2192; &#x1f305;');
    expect(escapeHtml(42)).toBe('42');
    expect(asciiHtml('<p>↑ up</p>')).toBe('<p>&#x2191; up</p>');
  });

  it('leaves the templates’ code alone and rewrites only their text', () => {
    const eta = new Eta({ autoEscape: true, escapeFunction: escapeHtml, plugins: [asciiTemplates] });
    const html = eta.renderString('<p title="<%= it.t %>">← <%= "→" %> <%~ it.raw %></p>', { t: 'ok 🙂', raw: '<i>x</i>' });
    expect(html).toBe('<p title="ok &#x1f642;">&#x2190; &#x2192; <i>x</i></p>');
    expect(/[^\0-\x7f]/.test(html)).toBe(false);
  });

  it('drops the templates’ indentation, and only theirs: backslashes, quotes and values stay as they are', () => {
    const eta = new Eta({ autoEscape: true, escapeFunction: escapeHtml, plugins: [asciiTemplates] });
    const template = '<div>\n    <p data-x=\'a\\nb\'>  two   words  </p>\n\n    <%~ it.raw %>\n  </div>';
    expect(eta.renderString(template, { raw: 'keep\n    this' })).toBe("<div>\n<p data-x='a\\nb'> two words </p>\nkeep\n    this </div>");
  });

  it('sends UTF-8 whatever the page holds', () => {
    expect(pageBytes('<p>plain</p>').toString('utf8')).toBe('<p>plain</p>');
    // Raw text past the escaping is still encoded right, only more slowly.
    for (const raw of ['<p>café</p>', '<p>→ 🌅</p>']) expect(pageBytes(raw).toString('utf8')).toBe(raw);
  });
});
