//! Personal access tokens: made by a signed-in person (never by another token), shown once,
//! stored as a digest, listed with their last use, revoked at once on every node (the row goes,
//! and the token's live connections close). Admins see and revoke every token of their
//! organization.

use super::authenticate::{AuthError, Authenticated};
use super::session::{hash_refresh_token, random_secret};
use crate::AuthContext;
use crate::ports::{NewAccessToken, PortError};
use chrono::{DateTime, Duration, Utc};
use tandem_domain::{
    AccessToken, AccessTokenId, OrganizationId, Role, TokenName, TokenScope, User, UserId,
};

/// What every personal access token starts with: it tells them from session tokens (JWTs),
/// and secret scanners from random strings.
pub const PREFIX: &str = "tdm_pat_";
/// At most this many tokens per person.
pub const MAX_PER_USER: usize = 50;
/// The longest life a token may be given.
pub const MAX_DAYS: i64 = 3650;
/// How often a token's last use is written down, at most.
const TOUCH_EVERY: Duration = Duration::minutes(1);
/// The life of a live connection opened with a token that does not expire: it reconnects
/// after this, and is checked again.
const CONNECTION_LIFE: Duration = Duration::days(1);

#[derive(Debug, thiserror::Error)]
pub enum AccessTokenError {
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("your organization's admins turned personal access tokens off")]
    Disabled,
    #[error("no such token")]
    NotFound,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    #[error(transparent)]
    Port(#[from] PortError),
}

/// What to make.
#[derive(Debug, Clone)]
pub struct CreateAccessToken {
    pub name: TokenName,
    pub scopes: Vec<TokenScope>,
    /// `None`: until revoked.
    pub expires_in_days: Option<i64>,
}

/// A new token: the stored record, and the secret, which exists only in this answer.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: AccessToken,
    pub secret: String,
}

/// # Errors
/// `Forbidden` for a request made with a token (tokens do not make tokens), or the admin
/// scope asked by someone who is not an admin; `Invalid` for no scope, a life outside 1 to
/// [`MAX_DAYS`] days, or [`MAX_PER_USER`] tokens already; `Port`.
pub async fn create_access_token(
    ctx: &AuthContext,
    caller: &Authenticated,
    request: CreateAccessToken,
) -> Result<IssuedToken, AccessTokenError> {
    signed_in(caller)?;
    if !tokens_enabled(ctx, caller.user.organization_id).await? {
        return Err(AccessTokenError::Disabled);
    }
    let mut scopes = request.scopes;
    scopes.sort_unstable();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(AccessTokenError::Invalid {
            field: "scopes",
            code: "required",
            message: "give at least one scope: read, write, channels or admin".to_owned(),
        });
    }
    if scopes.contains(&TokenScope::Admin) && caller.user.role != Role::Admin {
        return Err(AccessTokenError::Forbidden(
            "only admins can make a token with the admin scope",
        ));
    }
    if let Some(days) = request.expires_in_days
        && !(1..=MAX_DAYS).contains(&days)
    {
        return Err(AccessTokenError::Invalid {
            field: "expires_in_days",
            code: "out_of_range",
            message: format!("must be 1 to {MAX_DAYS} days, or left out for no expiry"),
        });
    }
    if ctx.access_tokens.list_for_user(caller.user.id).await?.len() >= MAX_PER_USER {
        return Err(AccessTokenError::Invalid {
            field: "name",
            code: "too_many_tokens",
            message: format!(
                "you have {MAX_PER_USER} tokens already: revoke one you no longer use"
            ),
        });
    }
    let secret = format!("{PREFIX}{}", random_secret());
    let now = ctx.clock.now();
    let token = ctx
        .access_tokens
        .create(NewAccessToken {
            organization_id: caller.user.organization_id,
            user_id: caller.user.id,
            name: request.name,
            scopes,
            token_hash: hash_refresh_token(&secret),
            created_at: now,
            expires_at: request
                .expires_in_days
                .map(|days| now + Duration::days(days)),
        })
        .await?;
    tracing::info!(user_id = %caller.user.id, token_id = %token.id, "personal access token created");
    Ok(IssuedToken { token, secret })
}

/// The caller's own tokens, newest first.
///
/// # Errors
/// `Forbidden` with a token; `Port`.
pub async fn my_access_tokens(
    ctx: &AuthContext,
    caller: &Authenticated,
) -> Result<Vec<AccessToken>, AccessTokenError> {
    signed_in(caller)?;
    Ok(ctx.access_tokens.list_for_user(caller.user.id).await?)
}

/// Every token of the caller's organization (admins).
///
/// # Errors
/// `Forbidden` for non-admins and with a token; `Port`.
pub async fn organization_access_tokens(
    ctx: &AuthContext,
    caller: &Authenticated,
) -> Result<Vec<AccessToken>, AccessTokenError> {
    signed_in(caller)?;
    admin(caller)?;
    Ok(ctx
        .access_tokens
        .list_for_organization(caller.user.organization_id)
        .await?)
}

/// Revokes a token: the caller's own, or, for an admin with `any_owner`, anyone's in the
/// organization. It stops working at once, and its live connections close on every node.
///
/// # Errors
/// `Forbidden` (not an admin, or with a token), `NotFound` (no such token where the caller
/// may look, another organization's included), `Port`.
pub async fn revoke_access_token(
    ctx: &AuthContext,
    caller: &Authenticated,
    id: AccessTokenId,
    any_owner: bool,
) -> Result<(), AccessTokenError> {
    signed_in(caller)?;
    if any_owner {
        admin(caller)?;
    }
    let owner = (!any_owner).then_some(caller.user.id);
    let revoked = ctx
        .access_tokens
        .delete(caller.user.organization_id, id, owner)
        .await?
        .ok_or(AccessTokenError::NotFound)?;
    ctx.announcer
        .sessions_ended(revoked.user_id, Some(&connection_key(revoked.id)))
        .await;
    tracing::info!(user_id = %caller.user.id, owner_id = %revoked.user_id, token_id = %revoked.id, "personal access token revoked");
    Ok(())
}

/// A bot's token ([`super::bots::BOT_SCOPES`], no expiry); the secret is returned.
pub(super) async fn issue_bot_token(
    ctx: &AuthContext,
    bot: &User,
    now: DateTime<Utc>,
) -> Result<String, AccessTokenError> {
    let secret = format!("{PREFIX}{}", random_secret());
    let token = ctx
        .access_tokens
        .create(NewAccessToken {
            organization_id: bot.organization_id,
            user_id: bot.id,
            name: TokenName::from_trusted(format!("{} (bot)", bot.username.as_str())),
            scopes: super::bots::BOT_SCOPES.to_vec(),
            token_hash: hash_refresh_token(&secret),
            created_at: now,
            expires_at: None,
        })
        .await?;
    tracing::info!(bot_id = %bot.id, token_id = %token.id, "bot token issued");
    Ok(secret)
}

/// Revokes every token of `user` (a bot being given a new one, or deactivated); their live
/// connections close on every node.
pub(super) async fn revoke_all_of(ctx: &AuthContext, user: &User) -> Result<(), PortError> {
    for token in ctx.access_tokens.list_for_user(user.id).await? {
        if ctx
            .access_tokens
            .delete(user.organization_id, token.id, Some(user.id))
            .await?
            .is_some()
        {
            ctx.announcer
                .sessions_ended(user.id, Some(&connection_key(token.id)))
                .await;
        }
    }
    Ok(())
}

async fn tokens_enabled(
    ctx: &AuthContext,
    organization_id: OrganizationId,
) -> Result<bool, PortError> {
    Ok(ctx
        .organizations
        .find_by_id(organization_id)
        .await?
        .is_some_and(|org| org.access_tokens_enabled))
}

/// Closes the live connections of every person's token in the organization (its admins just
/// turned tokens off); bots' go on.
pub(crate) async fn disconnect_people_tokens(
    ctx: &AuthContext,
    organization_id: OrganizationId,
) -> Result<(), PortError> {
    for token in ctx
        .access_tokens
        .list_for_organization(organization_id)
        .await?
    {
        let bot = ctx
            .users
            .find_by_id(token.user_id)
            .await?
            .is_some_and(|user| user.is_bot);
        if !bot {
            ctx.announcer
                .sessions_ended(token.user_id, Some(&connection_key(token.id)))
                .await;
        }
    }
    Ok(())
}

fn signed_in(caller: &Authenticated) -> Result<(), AccessTokenError> {
    if caller.scopes.is_some() {
        return Err(AccessTokenError::Forbidden(
            "tokens are managed when signed in, not with a token",
        ));
    }
    Ok(())
}

fn admin(caller: &Authenticated) -> Result<(), AccessTokenError> {
    if caller.user.role != Role::Admin {
        return Err(AccessTokenError::Forbidden(
            "only admins can see and revoke other people's tokens",
        ));
    }
    Ok(())
}

/// What ends a token's live connections: [`Authenticated::token_id`] for its callers.
fn connection_key(id: AccessTokenId) -> String {
    format!("token:{id}")
}

/// Whose budget a request made with a personal access token spends: the token's owner (a
/// bot's own, for a bot), while the token is valid; `None` for an unknown or expired one, and
/// for anything but a personal access token (nothing is looked up for those).
///
/// # Errors
/// `Port`.
pub async fn token_holder(ctx: &AuthContext, bearer: &str) -> Result<Option<UserId>, PortError> {
    if !bearer.starts_with(PREFIX) {
        return Ok(None);
    }
    let token = ctx
        .access_tokens
        .find_by_hash(&hash_refresh_token(bearer))
        .await?;
    Ok(token
        .filter(|token| !token.expired(ctx.clock.now()))
        .map(|token| token.user_id))
}

/// The caller behind a personal access token (`bearer` starts with [`PREFIX`]).
pub(super) async fn authenticate(
    ctx: &AuthContext,
    bearer: &str,
) -> Result<Authenticated, AuthError> {
    let token = ctx
        .access_tokens
        .find_by_hash(&hash_refresh_token(bearer))
        .await?
        .ok_or(AuthError::Invalid)?;
    let now = ctx.clock.now();
    if token.expired(now) {
        return Err(AuthError::Expired);
    }
    let user = ctx
        .users
        .find_by_id(token.user_id)
        .await?
        .filter(|user| user.organization_id == token.organization_id)
        .ok_or(AuthError::Invalid)?;
    if !user.is_active {
        return Err(AuthError::AccountDisabled);
    }
    if !user.is_bot && !tokens_enabled(ctx, user.organization_id).await? {
        return Err(AuthError::AccessTokensDisabled);
    }
    if token
        .last_used_at
        .is_none_or(|last| now - last >= TOUCH_EVERY)
        && let Err(error) = ctx.access_tokens.touch(token.id, now).await
    {
        tracing::warn!(%error, token_id = %token.id, "could not record a token's use");
    }
    let life_end = now + CONNECTION_LIFE;
    Ok(Authenticated {
        user,
        token_id: connection_key(token.id),
        session_id: None,
        two_factor_setup_required: false,
        expires_at: token.expires_at.map_or(life_end, |at| at.min(life_end)),
        scopes: Some(token.scopes),
    })
}
