// Issue 27: signing in with the organisation's account, in a real browser
// against a real OpenID provider (npm's oidc-provider, ./oidc-provider.mjs).
// A second ipstrack server on the same database is set up as a trust's IT
// would: --oidc-issuer, --oidc-client-id, the secret in the environment,
// and local passwords off but for the break-glass admin. Then:
//  - the admin signs in with the break-glass password and links an ES by
//    their work e-mail address;
//  - the ES opens their caseload, is sent to the provider, signs in there
//    and lands on their caseload; the return used again is refused;
//  - the ES signs out of ipstrack, then of the provider, and is back at
//    ipstrack's sign-in page;
//  - a person the provider knows and ipstrack does not is told to ask their
//    administrator;
//  - the ES's password no longer signs in.
// (Each bad token — forged, expired, for another client or issuer,
// replayed, no token — is refused in crates/web/tests/web/oidc.rs, against
// a provider that can be told to make them.)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startProvider } from './oidc-provider.mjs';

const SECRET = 'browser-test-client-secret';

async function waitFor(url) {
  for (let i = 0; i < 240; i++) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer`);
}

/// Starts the provider and an ipstrack server signing in with it; returns
/// { base, signInBreakGlass, stop }.
export async function startWithProvider({ binary, db, port, providerPort, password }) {
  const base = `http://127.0.0.1:${port}`;
  const provider = await startProvider({
    port: providerPort,
    clientId: 'ipstrack',
    clientSecret: SECRET,
    redirectUri: `${base}/sign-in/oidc/callback`,
    postLogoutRedirectUri: `${base}/sign-in`,
  });
  const server = spawn(binary, [
    'serve', '--db', db, '--listen', `127.0.0.1:${port}`,
    '--public-url', base,
    '--oidc-issuer', provider.issuer, '--oidc-client-id', 'ipstrack',
    '--oidc-provider-name', 'Test provider',
    '--local-passwords', 'break-glass', '--break-glass-admin', 'admin',
  ], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, IPSTRACK_OIDC_CLIENT_SECRET: SECRET },
  });
  await waitFor(`${base}/sign-in`);
  async function signInBreakGlass(page, user) {
    await page.goto(`${base}/sign-in`);
    await page.getByText('Sign in with a password (break-glass administrator only)').click();
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForLoadState();
  }
  return {
    base,
    signInBreakGlass,
    async stop() {
      server.kill();
      await provider.close();
    },
  };
}

/// At the provider's sign-in page: signs in as `login`.
async function atProvider(page, login) {
  await page.waitForURL(/127\.0\.0\.1:\d+\/interaction\//);
  assert.match(await page.title(), /Test provider: sign in/);
  await page.getByLabel('Login').fill(login);
  await page.getByRole('button', { name: 'Continue' }).click();
}

export async function organisationSignIn({ browser, base, signInBreakGlass, es, password, artifacts }) {
  // The admin, with the break-glass password, links the ES by e-mail.
  const admin = await (await browser.newContext()).newPage();
  await admin.goto(`${base}/sign-in`);
  await admin.screenshot({ path: join(artifacts, 'sign-in-organisation.png'), fullPage: true });
  await signInBreakGlass(admin, 'admin');
  await admin.goto(`${base}/admin/users`);
  await admin.getByRole('link', { name: `Change the link of ${es}` }).click();
  await admin.getByLabel('Work e-mail address').fill(`${es}@example.nhs.uk`);
  await admin.getByRole('button', { name: 'Save the link' }).click();
  assert.match(await admin.locator('.success-message').innerText(), /The link to their organisation account is saved/);
  assert.match(await admin.locator('#identity-now').innerText(), new RegExp(`Waiting for their first sign-in as ${es}@example.nhs.uk`));
  await admin.screenshot({ path: join(artifacts, 'link-organisation-account.png'), fullPage: true });

  // The ES opens their caseload, signs in at the provider, lands on it.
  const context = await browser.newContext();
  const page = await context.newPage();
  let callback = null;
  page.on('request', (r) => { if (r.url().includes('/sign-in/oidc/callback')) callback = r.url(); });
  await page.goto(`${base}/caseload`);
  await page.waitForURL(/\/sign-in/);
  await page.getByRole('link', { name: 'Sign in with Test provider' }).click();
  await atProvider(page, es);
  await page.waitForURL(`${base}/caseload`);
  assert.match(await page.locator('h1').innerText(), /caseload/i);
  await page.screenshot({ path: join(artifacts, 'caseload-after-organisation-sign-in.png'), fullPage: true });
  // The return used again (replayed) is refused.
  assert.ok(callback, 'the provider sent the browser back');
  const replay = await (await browser.newContext()).newPage();
  const replayed = await replay.goto(callback);
  assert.equal(replayed.status(), 400);
  assert.match(await replay.locator('main').innerText(), /The sign-in has expired/);
  const links = await admin.goto(`${base}/admin/users/${es}/account`);
  assert.ok(links.ok());
  assert.match(await admin.locator('#identity-now').innerText(), new RegExp(`^Linked to the identifier ${es}$`), 'the e-mail link became the subject');

  // Signing out of ipstrack, then of the provider.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/signed-out`);
  assert.match(await page.locator('main').innerText(), /You have signed out of ipstrack/);
  await page.screenshot({ path: join(artifacts, 'signed-out.png'), fullPage: true });
  await page.getByRole('link', { name: 'Sign out of Test provider too' }).click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.waitForURL(/\/sign-in$/);
  // Signed out at the provider: signing in again asks who they are.
  await page.getByRole('link', { name: 'Sign in with Test provider' }).click();
  await page.waitForURL(/\/interaction\//);

  // A person the provider knows and ipstrack does not.
  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto(`${base}/sign-in`);
  await stranger.getByRole('link', { name: 'Sign in with Test provider' }).click();
  await atProvider(stranger, 'someone-new');
  await stranger.waitForURL(/\/sign-in\/oidc\/callback/);
  assert.match(await stranger.locator('h1').innerText(), /Ask your administrator/);
  await stranger.screenshot({ path: join(artifacts, 'ask-your-administrator.png'), fullPage: true });

  // The ES's password no longer signs in (only the break-glass admin's does).
  const withPassword = await (await browser.newContext()).newPage();
  await signInBreakGlass(withPassword, es);
  assert.match(withPassword.url(), /\/sign-in/);
  assert.match(await withPassword.locator('main').innerText(), /The username or password is not right/);
  void password;
}
