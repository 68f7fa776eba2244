// Issue 14: every page of every role, at a laptop's and a phone's size.
// Each page is screenshot (tests/browser/artifacts/pages/), must be no wider
// than the window (no sideways scrolling of the page itself), and axe-core
// (run in the page) must report no violation of WCAG 2.x A/AA.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

export const SIZES = [
  { name: 'laptop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844, isMobile: true, hasTouch: true },
];

/// Visits `paths` ([name, path]) as `user` (signed in with `signIn`) at
/// each size; returns the problems found (an empty list when all is well).
export async function tour(browser, base, artifacts, signIn, user, paths) {
  const dir = join(artifacts, 'pages');
  mkdirSync(dir, { recursive: true });
  const problems = [];
  for (const size of SIZES) {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      isMobile: size.isMobile ?? false,
      hasTouch: size.hasTouch ?? false,
      // axe-core is injected as a script, which the pages' CSP refuses.
      bypassCSP: true,
      // People in England read and type dates the UK way.
      locale: 'en-GB',
    });
    const page = await context.newPage();
    if (user) await signIn(page, user);
    for (const [name, path] of paths) {
      const response = await page.goto(`${base}${path}`);
      const where = `${user ?? 'visitor'} ${name} (${path}) at ${size.width}px`;
      if (!response || response.status() >= 400) {
        problems.push(`${where}: status ${response?.status()}`);
        continue;
      }
      await page.screenshot({ path: join(dir, `${user ?? 'visitor'}-${name}-${size.width}.png`), fullPage: true });
      // Against the window's own width: a phone browser widens its layout
      // to fit what sticks out, so innerWidth cannot be trusted there.
      const widths = await page.evaluate((width) => ({
        page: document.documentElement.scrollWidth,
        window: width,
        // The widest element sticking out, to say what to fix.
        culprit: [...document.querySelectorAll('main *, header *')]
          .filter((e) => e.getBoundingClientRect().right > width + 1)
          .filter((e) => !e.closest('.table-scroll, table'))
          .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''}`)
          .slice(0, 3),
      }), size.width);
      if (widths.page > widths.window) {
        problems.push(`${where}: the page is ${widths.page}px wide in a ${widths.window}px window (${widths.culprit.join(', ')})`);
      }
      await page.addScriptTag({ path: axePath });
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
      });
      for (const v of violations) problems.push(`${where}: axe ${v}`);
    }
    await context.close();
  }
  return problems;
}
