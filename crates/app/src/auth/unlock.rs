//! The owner's way back in after failed logins paused their account: when a failure reaches a
//! limit on a real account, its owner is emailed (once per window) a single-use link that
//! lifts the account-wide pause and the pause of the address that opens it. Someone guessing
//! passwords thus never keeps the owner out; they only tell the owner they are trying.
//!
//! The link's token is `<user id>.<256 random bits>`; only a digest of the random part is
//! kept, as a short-lived key of the rate limiter's store (so every node sees it, and it
//! expires by itself).

use super::login::{account_failures_key, pair_failures_key};
use super::session::{hash_refresh_token, random_secret, split_user_token};
use crate::AuthContext;
use crate::notifications::templates::{AccountMail, Addressee, account_mail};
use crate::ports::{Job, PortError};
use tandem_domain::{User, UserId};

#[derive(Debug, thiserror::Error)]
pub enum UnlockError {
    /// Unknown, used, expired, or not a token at all: the same to the caller.
    #[error("this unlock link is not valid (it may have been used or have expired)")]
    InvalidToken,
    #[error(transparent)]
    Port(#[from] PortError),
}

fn offered_key(user: UserId) -> String {
    format!("unlock-offered:{user}")
}

fn token_key(user: UserId, secret: &str) -> String {
    format!("unlock-token:{user}:{}", hash_refresh_token(secret))
}

/// Emails `user` a link that lets them in again, unless one went out in this window. Best
/// effort: a failure to send is logged, and the login's answer is the same either way.
pub(crate) async fn offer(ctx: &AuthContext, user: &User, address: &str, failures: u64) {
    if let Err(error) = try_offer(ctx, user, address, failures).await {
        tracing::warn!(%error, user_id = %user.id, "could not email the account's owner an unlock link");
    }
}

async fn try_offer(
    ctx: &AuthContext,
    user: &User,
    address: &str,
    failures: u64,
) -> Result<(), PortError> {
    let policy = &ctx.policy;
    let offered = ctx
        .rate_limiter
        .increment(&offered_key(user.id), policy.login_window)
        .await?;
    if offered.count != 1 {
        return Ok(());
    }
    let secret = random_secret();
    ctx.rate_limiter
        .increment(&token_key(user.id, &secret), policy.unlock_link_ttl)
        .await?;
    let link = format!(
        "{}/unlock?token={}.{secret}",
        policy.base_url.trim_end_matches('/'),
        user.id
    );
    let language = ctx.notifications.settings(user.id).await?.language;
    let name = user
        .display_name
        .as_ref()
        .map_or_else(|| user.username.as_str(), |d| d.as_str());
    let to = Addressee {
        user_id: Some(user.id),
        email: user.email.as_str(),
        name,
        language,
        base_url: &policy.base_url,
    };
    let mail = account_mail(
        &to,
        AccountMail::Unlock {
            link: &link,
            failures,
            address,
            valid_minutes: u32::try_from(policy.unlock_link_ttl.as_secs() / 60).unwrap_or(u32::MAX),
        },
    );
    let id = ctx.outbox.store(&mail, ctx.clock.now()).await?;
    crate::jobs::queue(&*ctx.jobs, &*ctx.clock, Job::SendMail { mail_id: id.0 }).await?;
    tracing::info!(user_id = %user.id, "emailed the account's owner an unlock link");
    Ok(())
}

/// Uses an unlock link: lifts the account-wide pause on failed logins and the pause of
/// `client_address` for this account. Single use.
///
/// # Errors
/// `InvalidToken` for anything but a live token; `Port` when the store cannot be reached.
pub async fn unlock(
    ctx: &AuthContext,
    token: &str,
    client_address: Option<String>,
) -> Result<(), UnlockError> {
    let (user, secret) = split_user_token(token).ok_or(UnlockError::InvalidToken)?;
    let key = token_key(user, secret);
    if ctx.rate_limiter.current(&key).await?.count == 0 {
        return Err(UnlockError::InvalidToken);
    }
    ctx.rate_limiter.clear(&key).await?;
    forgive_failed_logins(ctx, user, client_address.as_deref()).await?;
    tracing::info!(user_id = %user, "an unlock link lifted the pause on failed logins");
    Ok(())
}

/// The owner proved themselves (an unlock or reset link): the pause on their account, and on
/// the address they proved it from, is lifted, and the next pause may email them again.
///
/// # Errors
/// `PortError` when the rate limiter cannot be reached.
pub(crate) async fn forgive_failed_logins(
    ctx: &AuthContext,
    user: UserId,
    client_address: Option<&str>,
) -> Result<(), PortError> {
    let account = format!("user:{user}");
    let address = client_address.unwrap_or("unknown");
    ctx.rate_limiter
        .clear(&account_failures_key(&account))
        .await?;
    ctx.rate_limiter
        .clear(&pair_failures_key(&account, address))
        .await?;
    ctx.rate_limiter.clear(&offered_key(user)).await
}
