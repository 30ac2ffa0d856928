// A real OpenID provider (panva's certified oidc-provider) on loopback, for the
// sign-in tests. Configured by environment:
//   OIDC_PORT      the port on 127.0.0.1
//   OIDC_CONFIG    a JSON file: {client: {client_id, client_secret, redirect_uris,
//                  post_logout_redirect_uris, backchannel_logout_uri?},
//                  accounts: {sub: {claims..., active, amr, acr}}}
// A sign-out at the provider (its /session/end page) tells the client through
// back-channel logout. POST /test/sign signs any JSON {header, payload} with the
// provider's own key: a test's way to make logout tokens the app must refuse
// although their signature is good. No real provider has such an endpoint.
// The accounts are read again at every sign-in, so a test can deactivate one or
// change its claims while the provider runs. A fresh signing key is made at each
// start: restarting the provider is a key rotation.
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider, { interactionPolicy } from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const read = () => JSON.parse(readFileSync(process.env.OIDC_CONFIG, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
const SCOPE_CLAIMS = ['name', 'groups', 'unit', 'acr', 'amr'];

// An account deactivated while its session here lives must sign in again, which
// the sign-in page then refuses (as a real provider ends a disabled user's sessions).
const policy = interactionPolicy.base();
policy.get('login').checks.add(new interactionPolicy.Check('account_inactive', 'the account is not active',
  (ctx) => (read().accounts[ctx.oidc.session.accountId]?.active === false
    ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT)));

const provider = new Provider(issuer, {
  clients: [{ ...read().client, response_types: ['code'], grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    ...(read().client.backchannel_logout_uri ? { backchannel_logout_session_required: true } : {}) }],
  jwks: { keys: [jwk] },
  claims: { openid: ['sub', 'acr', 'amr'], profile: ['name'], bekymring: ['groups', 'unit'] },
  scopes: ['openid', 'profile', 'bekymring'],
  // The test relying party reads its claims from the ID token, as Entra ID gives them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  ttl: { IdToken: 3600, AccessToken: 600, AuthorizationCode: 60, Session: 3600, Interaction: 600, Grant: 3600 },
  cookies: { keys: ['test-only-cookie-key'] },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true },
    backchannelLogout: { enabled: true } },
  // The clients live on loopback too, which the provider's own guard against
  // server-side request forgery refuses: for the tests its requests go out unguarded.
  fetch: (url, { dispatcher, ...options }) => fetch(url, options),
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => {
    const account = read().accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, name: account.name, groups: account.groups, unit: account.unit }) };
  },
  // Consent is given by the municipality, not asked of each user.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile bekymring');
    grant.addOIDCClaims(SCOPE_CLAIMS);
    await grant.save();
    return grant;
  },
});

const page = (uid, error) => `<!doctype html><html lang="en"><head><title>Test provider</title></head><body>
<main><h1>Test provider sign-in</h1>${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login"><label>User <input name="login" autocomplete="off"></label>
<button type="submit">Sign in at the provider</button></form></main></body></html>`;

async function text(req) {
  let all = '';
  for await (const chunk of req) all += chunk;
  return all;
}

const body = async (req) => new URLSearchParams(await text(req));

const base64url = (value) => Buffer.from(value).toString('base64url');

provider.use(async (ctx, next) => {
  if (ctx.path !== '/test/sign' || ctx.method !== 'POST') return next();
  const { header, payload } = JSON.parse(await text(ctx.req));
  const input = `${base64url(JSON.stringify({ alg: 'RS256', kid: jwk.kid, ...header }))}.${base64url(JSON.stringify(payload))}`;
  ctx.type = 'text';
  ctx.body = `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
  return undefined;
});

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (!match[2]) {
    ctx.type = 'html';
    ctx.body = page(details.uid);
    return undefined;
  }
  const login = (await body(ctx.req)).get('login') || '';
  const account = read().accounts[login];
  if (!account || account.active === false) {
    ctx.status = 403;
    ctx.type = 'html';
    ctx.body = page(details.uid, 'This account is not active at the provider.');
    return undefined;
  }
  const result = { login: { accountId: login, amr: account.amr, acr: account.acr } };
  return provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
});

provider.on('server_error', (ctx, err) => console.log(`server error: ${err.stack}`));
provider.on('backchannel.error', (ctx, err, client) => console.log(`backchannel logout to ${client.clientId} failed: ${err}`));
provider.on('backchannel.success', (ctx, client) => console.log(`backchannel logout to ${client.clientId} sent`));

provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
