//! Resetting a forgotten password by email, and an admin forcing a reset.
//!
//! Asking always gets the same answer, whether or not the address has an account, so nobody
//! learns who has one. The emailed link works once, for a short while; using it sets the new
//! password, proves the address, lifts any pause on failed logins and ends every session.

use super::change_password::end_all_sessions;
use super::links::{self, Recipient};
use super::login::password_check_failures_key;
use crate::AuthContext;
use crate::notifications::templates::AccountMail;
use crate::ports::{LinkPurpose, NewAccountLink, PortError};
use tandem_domain::{Actor, Email, Password, PasswordError, Role, User, UserId};

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error(
        "this password reset link is not valid (it may have been used, replaced by a newer one, or have expired)"
    )]
    InvalidToken,
    #[error("the new password {0}")]
    WeakPassword(#[from] PasswordError),
    #[error("only admins can do this")]
    Forbidden,
    #[error("no such user in your organization")]
    NotFound,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// The value a password hash is replaced with when an admin forces a reset: no password
/// verifies against it, so only the emailed link lets the person in.
const NO_PASSWORD: &str = "!reset-required";

/// Emails a reset link to `email` when an active account has it (and the address has not
/// had its allowance of account emails this hour). Returns the same `Ok` either way.
///
/// # Errors
/// `Port` only, when the store cannot be reached.
pub async fn request_password_reset(ctx: &AuthContext, email: &str) -> Result<(), ResetError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let Some(found) = ctx.users.find_credentials_by_email(&email).await? else {
        // About the time a real request takes to store its link: the answer's timing does
        // not tell either.
        ctx.hasher
            .waste_time(&Password::presented(email.as_str()))
            .await;
        return Ok(());
    };
    // A bot's address is made up: nothing is sent to it.
    if !found.user.is_active
        || found.user.is_bot
        || !links::within_email_allowance(ctx, email.as_str()).await?
    {
        return Ok(());
    }
    send_reset(ctx, &found.user).await?;
    tracing::info!(user_id = %found.user.id, "password reset link emailed");
    Ok(())
}

async fn send_reset(ctx: &AuthContext, user: &User) -> Result<(), PortError> {
    send_reset_link(ctx, user, |link, valid_minutes| {
        AccountMail::PasswordReset {
            link,
            valid_minutes,
        }
    })
    .await
}

/// Tells the owner of an account that someone tried to sign up with its address, with a link
/// to choose a new password in case it was them and they forgot theirs.
pub(crate) async fn tell_of_sign_up_attempt(
    ctx: &AuthContext,
    user: &User,
) -> Result<(), PortError> {
    send_reset_link(ctx, user, |link, valid_minutes| {
        AccountMail::SignUpAttempt {
            link,
            valid_minutes,
        }
    })
    .await
}

async fn send_reset_link(
    ctx: &AuthContext,
    user: &User,
    mail: impl for<'a> FnOnce(&'a str, u32) -> AccountMail<'a>,
) -> Result<(), PortError> {
    let (secret, digest) = links::new_secret();
    let now = ctx.clock.now();
    let ttl = ctx.policy.reset_link_ttl;
    ctx.identity
        .store_link(NewAccountLink {
            purpose: LinkPurpose::ResetPassword,
            user_id: user.id,
            email: user.email.clone(),
            token_hash: digest,
            created_at: now,
            expires_at: now + ttl,
        })
        .await?;
    let link = links::link(ctx, "reset-password", &secret);
    let recipient = Recipient {
        user: Some(user),
        email: user.email.as_str(),
    };
    links::send(ctx, recipient, mail(&link, links::minutes(ttl))).await
}

/// Sets a new password with an emailed link.
///
/// # Errors
/// `InvalidToken` (checked before the password, which a stranger could otherwise probe the
/// policy with), `WeakPassword`, `Port`.
pub async fn reset_password(
    ctx: &AuthContext,
    token: &str,
    new_password: &str,
    client_address: Option<&str>,
) -> Result<(), ResetError> {
    let digest = links::digest_of(token).ok_or(ResetError::InvalidToken)?;
    let now = ctx.clock.now();
    // The password is checked against the policy before the link is spent, so a weak choice
    // can be corrected with the same link.
    let pending = ctx
        .identity
        .find_link(LinkPurpose::ResetPassword, &digest, now)
        .await?
        .ok_or(ResetError::InvalidToken)?;
    let user = ctx
        .users
        .find_by_id(pending.user_id)
        .await?
        .filter(|u| u.is_active && u.email == pending.email)
        .ok_or(ResetError::InvalidToken)?;
    let password = Password::parse(
        new_password,
        &[user.username.as_str(), user.email.local_part()],
    )?;
    ctx.identity
        .use_link(LinkPurpose::ResetPassword, &digest, now)
        .await?
        .ok_or(ResetError::InvalidToken)?;
    let hash = ctx.hasher.hash(&password).await?;
    ctx.users.set_password_hash(user.id, &hash).await?;
    // Opening the link proved the mailbox.
    if !user.email_verified {
        ctx.identity.verify_email(user.id, &user.email, now).await?;
    }
    end_all_sessions(ctx, user.id).await?;
    // The owner chose a new password: earlier failed guesses no longer hold them back.
    super::unlock::forgive_failed_logins(ctx, user.id, client_address).await?;
    ctx.rate_limiter
        .clear(&password_check_failures_key(user.id))
        .await?;
    tracing::info!(user_id = %user.id, "password reset by emailed link; all sessions ended");
    Ok(())
}

/// An admin makes someone of their organization choose a new password: the current one
/// stops working, every session ends, and a reset link is emailed to them.
///
/// # Errors
/// `Forbidden` for non-admins, `NotFound` for someone outside the organization, `Port`.
pub async fn force_password_reset(
    ctx: &AuthContext,
    actor: &Actor,
    user_id: UserId,
) -> Result<(), ResetError> {
    if actor.role != Role::Admin {
        return Err(ResetError::Forbidden);
    }
    let user = ctx
        .users
        .find_by_id(user_id)
        .await?
        .filter(|u| u.organization_id == actor.organization_id)
        .ok_or(ResetError::NotFound)?;
    ctx.users.set_password_hash(user.id, NO_PASSWORD).await?;
    end_all_sessions(ctx, user.id).await?;
    send_reset(ctx, &user).await?;
    tracing::info!(user_id = %user.id, by = %actor.id, "password reset forced by an admin");
    Ok(())
}
