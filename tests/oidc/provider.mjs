// A real OpenID Connect provider (the npm package oidc-provider) on loopback, for OnePlan's tests.
//
// Environment:
//   OIDC_PORT            the loopback port; the issuer is http://127.0.0.1:PORT
//   OIDC_CLIENT_ID       the one client's id
//   OIDC_CLIENT_SECRET   and secret (client_secret_basic)
//   OIDC_REDIRECT_URIS   the client's redirect URIs, comma-separated
//   OIDC_ACCOUNTS        JSON: {"login": {"sub": "login", "email": "...", "email_verified": true}}
//                        (oidc-provider makes the login the account's `sub`)
//
// The development interactions give a real login and consent form: the login is a key of
// OIDC_ACCOUNTS (any password). POST /test/tamper?mode=MODE makes the NEXT token response carry an
// ID token that is wrong in one way (audience, issuer, nonce, expired: re-signed with the
// provider's own key; signature: signed with another key under the same key id).

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const KEY_ID = 'oneplan-test-signing-key';
const TAMPER_MODES = new Set(['audience', 'issuer', 'nonce', 'expired', 'signature']);

function newRsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey;
}

const signingKey = newRsaKey();
const impostorKey = newRsaKey();

const base64url = (value) => Buffer.from(value).toString('base64url');

function resign(idToken, change, key) {
  const [encodedHeader, encodedPayload] = idToken.split('.');
  const header = JSON.parse(Buffer.from(encodedHeader, 'base64url'));
  const payload = { ...JSON.parse(Buffer.from(encodedPayload, 'base64url')), ...change };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function tampered(idToken, mode) {
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'audience':
      return resign(idToken, { aud: 'some-other-service' }, signingKey);
    case 'issuer':
      return resign(idToken, { iss: 'http://127.0.0.1:9/impostor' }, signingKey);
    case 'nonce':
      return resign(idToken, { nonce: randomBytes(16).toString('base64url') }, signingKey);
    case 'expired':
      return resign(idToken, { iat: now - 7200, exp: now - 3600 }, signingKey);
    case 'signature':
      return resign(idToken, {}, impostorKey);
    default:
      throw new Error(`unknown tamper mode ${mode}`);
  }
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: (process.env.OIDC_REDIRECT_URIS || '').split(',').filter(Boolean),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...signingKey.export({ format: 'jwk' }), kid: KEY_ID, alg: 'RS256', use: 'sig' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // Put the e-mail claims in the ID token, as the identity providers of councils and trusts do.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, login) {
    const account = accounts[login];
    if (!account) return undefined;
    return { accountId: login, claims: async () => ({ ...account }) };
  },
});

let tamperMode = null;

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/tamper' && ctx.method === 'POST') {
    const mode = ctx.query.mode || null;
    if (mode !== null && !TAMPER_MODES.has(mode)) ctx.throw(400, `unknown tamper mode ${mode}`);
    tamperMode = mode;
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && tamperMode && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: tampered(ctx.body.id_token, tamperMode) };
    tamperMode = null;
  }
});

const server = provider.listen(port, '127.0.0.1');
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
