// A test OpenID provider for the browser tests, built on npm's oidc-provider.
//
//   import { startProvider } from './oidc-provider.mjs';
//   const op = await startProvider({ port, clientId, clientSecret, redirectUri, postLogoutRedirectUri });
//   ... op.issuer is http://127.0.0.1:PORT ...
//   await op.close();
//
// Or alone, to try ipstrack by hand:
//   node tests/browser/oidc-provider.mjs --port 4455 --redirect http://127.0.0.1:8080/sign-in/oidc/callback
//   (optional: --client-id ID --client-secret SECRET --post-logout URL)
//
// One static confidential client (client_secret_basic or client_secret_post,
// code flow, PKCE with S256 required). ID tokens are signed with RS256 by a key
// made at start. Every login name is accepted; its claims are
// { sub: NAME, email: NAME@example.nhs.uk, email_verified: true, name: NAME },
// given by the user info endpoint (the ID token has `sub` only, as
// oidc-provider does by default), and in the ID token too with
// claimsInIdToken.
//
// The pages are this file's own, not oidc-provider's development pages: those
// load a web font from the internet, and the tests reach nothing outside this
// machine. Nothing here asks for consent: the client is treated as first-party.
//
// What a browser test sees:
//   sign-in page  (title "Test provider: sign in"): a text box labelled "Login"
//                 (name="login") and a button "Continue". Any name is accepted.
//   sign-out page (title "Test provider: sign out", at the end_session_endpoint
//                 /session/end): a question and the buttons "Yes, sign me out"
//                 and "No, stay signed in". Yes ends the provider's session and
//                 returns to post_logout_redirect_uri when the request named the
//                 client (id_token_hint or client_id) and that address is registered;
//                 otherwise it shows "You have signed out of the test provider".
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>body{font-family:sans-serif;max-width:30em;margin:2em auto;padding:0 1em}
label,input,button{display:block;font-size:1.1em;margin:.5em 0}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      data += chunk;
      if (data.length > 10000) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

export async function startProvider({
  port,
  clientId = 'ipstrack',
  clientSecret = 'ipstrack-test-secret',
  redirectUri,
  postLogoutRedirectUri,
  claimsInIdToken = false,
}) {
  if (!port) throw new Error('startProvider needs a port');
  if (!redirectUri) throw new Error('startProvider needs a redirectUri');
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

  const configuration = {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: postLogoutRedirectUri ? [postLogoutRedirectUri] : [],
      id_token_signed_response_alg: 'RS256',
    }],
    // The client may use either way of sending its secret.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    jwks: { keys: [signingKey] },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // By default, as oidc-provider does, the ID token carries `sub` only and
    // the other claims come from the user info endpoint (/me), as CIS2 does;
    // with claimsInIdToken they are in the ID token too.
    conformIdTokenClaims: !claimsInIdToken,
    findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: `${id}@example.nhs.uk`, email_verified: true, name: id };
        },
      };
    },
    // No consent page: the one client gets every scope it asks for.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    interactions: {
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = page('Test provider: sign out', `<h1>Sign out of the test provider?</h1>
${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = page('Test provider: signed out', '<h1>You have signed out of the test provider</h1>');
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Test provider: error', `<h1>The test provider refused the request</h1>
<dl>${Object.entries(out).map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl>`);
    },
    ttl: {
      Session: 3600,
      Interaction: 600,
      Grant: 3600,
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: 600,
    },
  };

  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(req, res, uid, action) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      send(res, 400, page('Test provider: error', '<h1>This sign-in has expired. Start again.</h1>'));
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, page('Test provider: error', '<h1>This sign-in does not match. Start again.</h1>'));
      return;
    }
    const { prompt } = details;
    if (req.method === 'GET' && !action) {
      if (prompt.name === 'login') {
        send(res, 200, page('Test provider: sign in', `<h1>Sign in to the test provider</h1>
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="login">Login</label>
<input id="login" name="login" type="text" required autofocus>
<button type="submit">Continue</button>
</form>`));
        return;
      }
      if (prompt.name === 'consent') {
        // Not expected (loadExistingGrant grants everything), but never stop here.
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
        if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return;
      }
      send(res, 501, page('Test provider: error', `<h1>Prompt ${escape(prompt.name)} is not supported</h1>`));
      return;
    }
    if (req.method === 'POST' && action === 'login' && prompt.name === 'login') {
      const body = await readBody(req);
      const login = (body.get('login') ?? '').trim();
      if (!login) {
        send(res, 400, page('Test provider: sign in', '<h1>Enter a login name</h1>'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      return;
    }
    send(res, 405, page('Test provider: error', '<h1>Not allowed</h1>'));
  }

  const server = createServer((req, res) => {
    const match = /^\/interaction\/([^/?]+)(?:\/([a-z]+))?(?:\?.*)?$/.exec(req.url);
    if (match) {
      interaction(req, res, match[1], match[2]).catch((error) => {
        if (!res.headersSent) send(res, 500, page('Test provider: error', `<h1>${escape(error.message)}</h1>`));
      });
      return;
    }
    callback(req, res);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    issuer,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4455' },
      redirect: { type: 'string', default: 'http://127.0.0.1:8080/sign-in/oidc/callback' },
      'post-logout': { type: 'string' },
      'client-id': { type: 'string', default: 'ipstrack' },
      'client-secret': { type: 'string', default: 'ipstrack-test-secret' },
    },
  });
  const redirectUri = values.redirect;
  const postLogoutRedirectUri = values['post-logout']
    ?? redirectUri.replace(/\/sign-in\/oidc\/callback$/, '/sign-in');
  const op = await startProvider({
    port: Number(values.port),
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    redirectUri,
    postLogoutRedirectUri,
  });
  console.log(op.issuer);
  console.log(`client id ${values['client-id']}, client secret ${values['client-secret']}`);
  console.log(`redirect URI ${redirectUri}; post-logout redirect URI ${postLogoutRedirectUri}`);
  const stop = async () => { await op.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
