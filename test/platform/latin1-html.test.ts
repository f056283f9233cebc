import { describe, expect, it } from 'vitest';
import { Eta } from 'eta';
import { escapeHtml, latin1, latin1Templates } from '../../src/platform/latin1-html.js';

describe('pages written in characters up to U+00FF', () => {
  it('escapes HTML and writes anything above U+00FF as one reference per character', () => {
    expect(escapeHtml(`<b class="x">Tom & Jerry's</b>`)).toBe('&lt;b class=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;');
    expect(escapeHtml('café · 5 s')).toBe('café · 5 s');
    expect(escapeHtml('“Sunset” → 🌅')).toBe('&#x201c;Sunset&#x201d; &#x2192; &#x1f305;');
    expect(escapeHtml(42)).toBe('42');
    expect(latin1('<p>↑ up</p>')).toBe('<p>&#x2191; up</p>');
  });

  it('leaves the templates’ code alone and rewrites only their text', () => {
    const eta = new Eta({ autoEscape: true, escapeFunction: escapeHtml, plugins: [latin1Templates] });
    const html = eta.renderString('<p title="<%= it.t %>">← <%= "→" %> <%~ it.raw %></p>', { t: 'ok 🙂', raw: '<i>x</i>' });
    expect(html).toBe('<p title="ok &#x1f642;">&#x2190; &#x2192; <i>x</i></p>');
    expect(/[^\0-\xff]/.test(html)).toBe(false);
  });
});
