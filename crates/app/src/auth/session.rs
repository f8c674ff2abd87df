//! Starting a session: a new refresh-token family and a first access token.

use crate::AuthContext;
use crate::ports::{AccessClaims, IssuedAccessToken, NewRefreshToken, NewSession, PortError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tandem_domain::{User, UserId};

/// What a client receives after register, login or refresh.
#[derive(Debug, Clone)]
pub struct AuthSession {
    pub access_token: IssuedAccessToken,
    /// The plain refresh token. Only its hash is stored; this is the one time it exists.
    pub refresh_token: String,
    pub user: User,
}

/// Where a request comes from, as a session records it.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The client's address; `None` when unknown.
    pub address: Option<String>,
    /// The `User-Agent` header, cut to a readable length.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// The longest user agent a session keeps.
    pub const MAX_USER_AGENT_CHARS: usize = 256;

    pub fn new(address: Option<String>, user_agent: Option<&str>) -> Self {
        let user_agent = user_agent
            .map(|agent| {
                agent
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(Self::MAX_USER_AGENT_CHARS)
                    .collect::<String>()
            })
            .filter(|agent| !agent.trim().is_empty());
        Self {
            address,
            user_agent,
        }
    }
}

/// The denylist key that refuses every access token of one session.
pub(crate) fn session_key(session_id: i64) -> String {
    format!("session:{session_id}")
}

/// Refresh tokens are stored as SHA-256 digests: they are 256 random bits, so a fast hash is
/// enough, and a database leak gives nobody a usable token.
pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) async fn issue_access(
    ctx: &AuthContext,
    user: &User,
    session_id: Option<i64>,
) -> Result<IssuedAccessToken, PortError> {
    let two_factor_setup_required = two_factor_setup_required(ctx, user).await?;
    ctx.tokens.issue(&AccessClaims {
        user_id: user.id,
        organization_id: user.organization_id,
        role: user.role,
        session_id,
        two_factor_setup_required,
    })
}

/// Whether `user`'s organization requires a second factor of them and they have none: checked
/// when a token is issued (sign-in, refresh), so requests pay nothing for it.
async fn two_factor_setup_required(ctx: &AuthContext, user: &User) -> Result<bool, PortError> {
    let required = ctx
        .organizations
        .find_by_id(user.organization_id)
        .await?
        .is_some_and(|org| org.two_factor_policy.requires(user.role));
    if !required {
        return Ok(false);
    }
    let enabled = ctx
        .identity
        .two_factor(user.id)
        .await?
        .is_some_and(|state| state.enabled_at.is_some());
    Ok(!enabled)
}

/// Lets someone who proved who they are (the password, and a code where asked) in: records the
/// activity and opens their session.
pub(crate) async fn sign_in(
    ctx: &AuthContext,
    mut user: User,
    client: ClientInfo,
) -> Result<AuthSession, PortError> {
    let now = ctx.clock.now();
    ctx.users.touch(user.id, now).await?;
    user.last_activity = Some(now);
    start(ctx, user, client).await
}

/// The two parts of a `<user id>.<secret>` token (unlock links, sign-in challenges), or `None`
/// for anything else.
pub(crate) fn split_user_token(token: &str) -> Option<(UserId, &str)> {
    token
        .split_once('.')
        .and_then(|(id, secret)| Some((UserId::new(id.parse().ok()?), secret)))
        .filter(|(_, secret)| !secret.is_empty() && secret.len() <= 64)
}

/// Opens a new session (a new refresh-token family) for `user`, recording where it was opened.
pub(crate) async fn start(
    ctx: &AuthContext,
    user: User,
    client: ClientInfo,
) -> Result<AuthSession, PortError> {
    let now = ctx.clock.now();
    let refresh_token = random_secret();
    let family = random_secret();
    ctx.sessions
        .create(NewRefreshToken {
            user_id: user.id,
            family: family.clone(),
            token_hash: hash_refresh_token(&refresh_token),
            created_at: now,
            expires_at: now + ctx.policy.refresh_token_ttl,
        })
        .await?;
    let session_id = ctx
        .identity
        .open_session(NewSession {
            user_id: user.id,
            family,
            user_agent: client.user_agent,
            address: client.address,
            created_at: now,
        })
        .await?;
    let access_token = issue_access(ctx, &user, Some(session_id)).await?;
    Ok(AuthSession {
        access_token,
        refresh_token,
        user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_token_hashes_are_stable_and_do_not_reveal_the_token() {
        let token = random_secret();
        assert_eq!(hash_refresh_token(&token), hash_refresh_token(&token));
        assert_ne!(hash_refresh_token(&token), token);
        assert_ne!(random_secret(), random_secret());
    }
}
