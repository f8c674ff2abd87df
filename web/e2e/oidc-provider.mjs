// A real OpenID Connect provider for the tests to sign in through: `oidc-provider` (an OpenID
// Certified implementation), listening on 127.0.0.1 at a free port.
//
//   OIDC_CLIENTS='[{"client_id":"tandem","client_secret":"…","redirect_uris":["http://…/callback"]}]' \
//     node e2e/oidc-provider.mjs
//
// prints one line of JSON, {"issuer":"http://127.0.0.1:PORT"}, once it listens, and runs until
// it is stopped. Nobody fills a form: the authorization request's `login_hint` names the
// account, which is signed in and grants what the client asked for at once. An account's email
// is its name, verified unless the name starts with `unverified`. Codes need PKCE (S256).
import http from 'node:http';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.OIDC_CLIENTS ?? '[]');
const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  pkce: { methods: ['S256'], required: () => true },
  features: { devInteractions: { enabled: false } },
  // The email claims go in the ID token itself, where a relying party reads them.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  findAccount: (_, id) => ({
    accountId: id,
    claims: () => ({ sub: id, email: id, email_verified: !id.startsWith('unverified') }),
  }),
  interactions: { url: (_, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['a test provider, not a secret'] },
  renderError: (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
});

// The interaction: sign in as the login hint and grant the requested scopes.
provider.use(async (ctx, next) => {
  if (ctx.method !== 'GET' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = details.params.login_hint;
  if (!accountId) {
    ctx.status = 400;
    ctx.body = { error: 'login_hint_required' };
    return;
  }
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(to);
});

server.on('request', provider.callback());
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// Whoever started it may stop reading after the first line.
process.stdout.on('error', () => {});
console.log(JSON.stringify({ issuer }));
