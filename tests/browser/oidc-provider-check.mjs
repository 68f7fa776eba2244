// Checks the test OpenID provider (oidc-provider.mjs) without a browser:
// discovery, keys, a whole code flow with PKCE (sign-in form followed by hand,
// cookies kept), both ways of sending the client secret, the ID token's
// signature and claims, refusals (no PKCE, wrong redirect URI, wrong secret)
// and RP-initiated sign-out. Exits non-zero on the first failure.
//   node tests/browser/oidc-provider-check.mjs
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { startProvider } from './oidc-provider.mjs';

const port = 19000 + (process.pid % 1000);
const clientId = 'ipstrack';
const clientSecret = 'check-secret';
const app = 'http://127.0.0.1:8080';
const redirectUri = `${app}/sign-in/oidc/callback`;
const postLogoutRedirectUri = `${app}/sign-in`;

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');

// A small cookie jar: name and path to value.
class Jar {
  constructor() { this.cookies = new Map(); }
  store(url, response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, val = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = val;
        if (key.toLowerCase() === 'expires' && Date.parse(val) < Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      const key = `${name}\t${path}`;
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }
  header(url) {
    const { pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

async function request(jar, url, options = {}) {
  const headers = { ...(options.headers ?? {}) };
  const cookie = jar.header(url);
  if (cookie) headers.cookie = cookie;
  const response = await fetch(url, { ...options, headers, redirect: 'manual' });
  jar.store(url, response);
  return response;
}

// Follows redirects by hand until one leaves the provider (or a page is shown).
async function follow(jar, issuer, url) {
  let current = url;
  for (let i = 0; i < 10; i++) {
    if (!current.startsWith(issuer)) return { url: current };
    const response = await request(jar, current);
    if (response.status >= 300 && response.status < 400) {
      current = new URL(response.headers.get('location'), current).href;
      continue;
    }
    return { url: current, response, html: await response.text() };
  }
  throw new Error('too many redirects');
}

function pkce() {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

function authorizeUrl(config, { challenge, state, nonce, redirect = redirectUri, withPkce = true }) {
  const url = new URL(config.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirect);
  url.searchParams.set('scope', 'openid email profile');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  if (withPkce) {
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.href;
}

function decodeJwt(token) {
  const [header, payload, signature] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url')),
    payload: JSON.parse(Buffer.from(payload, 'base64url')),
    signed: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

// Signs in as `login` and returns the code, with the verifier and nonce used.
async function signIn(jar, issuer, config, login, { expectLoginPage = true } = {}) {
  const { verifier, challenge } = pkce();
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  let step = await follow(jar, issuer, authorizeUrl(config, { challenge, state, nonce }));
  if (expectLoginPage) {
    assert.ok(step.response, `expected the sign-in page, went to ${step.url}`);
    assert.equal(step.response.status, 200);
    assert.match(step.html, /<title>Test provider: sign in<\/title>/);
    assert.match(step.html, /<label for="login">Login<\/label>/);
    assert.match(step.html, /<input id="login" name="login" type="text"/);
    assert.match(step.html, /<button type="submit">Continue<\/button>/);
    const action = /<form method="post" action="([^"]+)"/.exec(step.html)[1];
    const submit = new URL(action, step.url).href;
    const response = await request(jar, submit, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login }).toString(),
    });
    assert.ok([302, 303].includes(response.status), `login form answered ${response.status}`);
    step = await follow(jar, issuer, new URL(response.headers.get('location'), submit).href);
  }
  assert.ok(!step.response, `expected a redirect to the client, got a page at ${step.url}: ${step.html?.slice(0, 300)}`);
  const back = new URL(step.url);
  assert.equal(`${back.origin}${back.pathname}`, redirectUri, 'came back to the redirect URI');
  assert.equal(back.searchParams.get('error'), null, `error ${back.searchParams.get('error_description')}`);
  assert.equal(back.searchParams.get('state'), state, 'state returned');
  assert.equal(back.searchParams.get('iss'), issuer, 'iss returned (RFC 9207)');
  const code = back.searchParams.get('code');
  assert.ok(code, 'a code');
  return { code, verifier, nonce };
}

async function exchange(config, code, verifier, how) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (how === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  } else {
    body.set('client_id', clientId);
    body.set('client_secret', how === 'wrong-secret' ? 'not-the-secret' : clientSecret);
  }
  const response = await fetch(config.token_endpoint, { method: 'POST', headers, body: body.toString() });
  return { status: response.status, json: await response.json() };
}

function checkIdToken(idToken, jwks, issuer, nonce, login) {
  const { header, payload, signed, signature } = decodeJwt(idToken);
  assert.equal(header.alg, 'RS256', 'ID token signed with RS256');
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'the ID token names a key of jwks_uri');
  assert.ok(verify('RSA-SHA256', Buffer.from(signed), createPublicKey({ key: jwk, format: 'jwk' }), signature),
    'the ID token signature verifies');
  assert.equal(payload.iss, issuer);
  assert.equal(payload.aud, clientId);
  assert.equal(payload.nonce, nonce);
  assert.equal(payload.sub, login);
  assert.equal(payload.email, `${login}@example.nhs.uk`);
  assert.equal(payload.email_verified, true);
  assert.equal(payload.name, login);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(payload.exp > now && payload.iat <= now + 5, 'exp and iat sensible');
  return payload;
}

const op = await startProvider({ port, clientId, clientSecret, redirectUri, postLogoutRedirectUri, claimsInIdToken: true });
let failed = false;
try {
  const { issuer } = op;
  assert.equal(issuer, `http://127.0.0.1:${port}`);

  // Discovery and keys.
  const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
  assert.equal(discovery.status, 200);
  const config = await discovery.json();
  assert.equal(config.issuer, issuer);
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint']) {
    assert.ok(config[field]?.startsWith(`${issuer}/`), `${field} is on the issuer: ${config[field]}`);
  }
  assert.deepEqual(config.id_token_signing_alg_values_supported, ['RS256']);
  assert.ok(config.code_challenge_methods_supported.includes('S256'));
  assert.ok(config.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
  assert.ok(config.token_endpoint_auth_methods_supported.includes('client_secret_post'));
  for (const scope of ['openid', 'email', 'profile']) assert.ok(config.scopes_supported.includes(scope), scope);
  console.log('discovery:', JSON.stringify({
    issuer: config.issuer,
    authorization_endpoint: config.authorization_endpoint,
    token_endpoint: config.token_endpoint,
    jwks_uri: config.jwks_uri,
    end_session_endpoint: config.end_session_endpoint,
    id_token_signing_alg_values_supported: config.id_token_signing_alg_values_supported,
  }));
  const jwksResponse = await fetch(config.jwks_uri);
  assert.equal(jwksResponse.status, 200);
  const jwks = await jwksResponse.json();
  assert.ok(jwks.keys.length >= 1 && jwks.keys.every((k) => k.kty === 'RSA' && !k.d), 'public RSA keys only');

  // A whole code flow with PKCE; the secret sent with HTTP Basic.
  const jar = new Jar();
  const first = await signIn(jar, issuer, config, 'alice');
  const tokens = await exchange(config, first.code, first.verifier, 'basic');
  assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
  assert.equal(tokens.json.token_type, 'Bearer');
  const claims = checkIdToken(tokens.json.id_token, jwks, issuer, first.nonce, 'alice');
  console.log('ID token claims:', JSON.stringify(claims));

  // A code is good once.
  const again = await exchange(config, first.code, first.verifier, 'basic');
  assert.equal(again.status, 400);
  assert.equal(again.json.error, 'invalid_grant');

  // Signed in already: straight back with a code, no page. Secret in the body.
  const second = await signIn(jar, issuer, config, 'alice', { expectLoginPage: false });
  const tokens2 = await exchange(config, second.code, second.verifier, 'post');
  assert.equal(tokens2.status, 200, JSON.stringify(tokens2.json));
  checkIdToken(tokens2.json.id_token, jwks, issuer, second.nonce, 'alice');

  // Wrong secret.
  const third = await signIn(new Jar(), issuer, config, 'bob');
  const wrong = await exchange(config, third.code, third.verifier, 'wrong-secret');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error, 'invalid_client');
  // Wrong verifier.
  const badVerifier = await exchange(config, third.code, pkce().verifier, 'post');
  assert.equal(badVerifier.status, 400);
  assert.equal(badVerifier.json.error, 'invalid_grant');

  // No PKCE: refused back at the redirect URI.
  {
    const step = await follow(new Jar(), issuer, authorizeUrl(config, { state: 's', nonce: 'n', withPkce: false }));
    const back = new URL(step.url);
    assert.equal(back.searchParams.get('error'), 'invalid_request', 'PKCE required');
  }
  // A redirect URI that is not registered: an error page, no redirect.
  {
    const step = await follow(new Jar(), issuer, authorizeUrl(config, {
      challenge: pkce().challenge, state: 's', nonce: 'n', redirect: `${app}/elsewhere`,
    }));
    assert.ok(step.response && step.response.status === 400, 'unregistered redirect URI refused');
    assert.match(step.html, /redirect_uri/);
  }

  // RP-initiated sign-out with id_token_hint and post_logout_redirect_uri.
  const logout = new URL(config.end_session_endpoint);
  logout.searchParams.set('id_token_hint', tokens2.json.id_token);
  logout.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
  logout.searchParams.set('state', 'bye');
  const confirm = await request(jar, logout.href);
  assert.equal(confirm.status, 200, 'the end-session endpoint shows a page');
  const html = await confirm.text();
  assert.match(html, /<title>Test provider: sign out<\/title>/);
  assert.match(html, /<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out<\/button>/);
  assert.match(html, /No, stay signed in/);
  const form = /<form id="op.logoutForm" method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
  assert.ok(form, 'the sign-out form');
  const fields = new URLSearchParams();
  for (const [, name, value] of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) {
    fields.set(name, value);
  }
  fields.set('logout', 'yes');
  const action = new URL(form[1], logout).href;
  const done = await request(jar, action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
  });
  assert.ok([302, 303].includes(done.status), `sign-out confirm answered ${done.status}`);
  const landing = new URL(done.headers.get('location'), action);
  assert.equal(`${landing.origin}${landing.pathname}`, postLogoutRedirectUri, 'returned to the post-logout redirect URI');
  assert.equal(landing.searchParams.get('state'), 'bye');
  console.log(`sign-out: ${config.end_session_endpoint} shows a page with "Yes, sign me out"; it posts to ${form[1]} and returns to ${landing.href}`);

  // Signed out: the next sign-in shows the sign-in page again.
  await signIn(jar, issuer, config, 'alice');

  console.log('oidc-provider-check: all checks passed');
} catch (error) {
  failed = true;
  console.error('oidc-provider-check FAILED:', error);
} finally {
  await op.close();
}
process.exit(failed ? 1 : 0);
