//! Proving an email address: after signing up (which lets someone who joined by their
//! domain into the organization, and gives a founder's organization its domain), and before
//! a new address replaces the old one.

use super::change_password::{ChangePasswordError, check_current_password};
use super::links::{self, Recipient};
use crate::AuthContext;
use crate::auth::Authenticated;
use crate::notifications::templates::AccountMail;
use crate::ports::{LinkPurpose, NewAccountLink, PortError, UniqueField};
use tandem_domain::{Email, EmailDomain, Role, User};

#[derive(Debug, thiserror::Error)]
pub enum VerificationError {
    /// Unknown, used, expired, superseded, or not a token at all: the same to the caller.
    #[error(
        "this confirmation link is not valid (it may have been used, replaced by a newer one, or have expired)"
    )]
    InvalidToken,
    #[error("{0} is already taken")]
    Conflict(UniqueField),
    #[error("the current password is incorrect")]
    WrongPassword,
    #[error("too many attempts; try again in {} seconds", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: std::time::Duration },
    #[error("that is already your address")]
    SameEmail,
    #[error(transparent)]
    Port(PortError),
}

impl From<PortError> for VerificationError {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Conflict(field) => Self::Conflict(field),
            other => Self::Port(other),
        }
    }
}

impl From<ChangePasswordError> for VerificationError {
    fn from(error: ChangePasswordError) -> Self {
        match error {
            ChangePasswordError::TooManyAttempts { retry_after } => {
                Self::TooManyAttempts { retry_after }
            }
            ChangePasswordError::Port(port) => Self::Port(port),
            ChangePasswordError::WrongCurrentPassword | ChangePasswordError::WeakPassword(_) => {
                Self::WrongPassword
            }
        }
    }
}

/// Emails `user` a link proving their address. Best effort: a failure is logged, and
/// `POST /auth/verify-email/resend` sends another.
pub(crate) async fn offer(ctx: &AuthContext, user: &User) {
    if let Err(error) = send_link(ctx, user, LinkPurpose::VerifyEmail, &user.email).await {
        tracing::warn!(%error, user_id = %user.id, "could not email an address confirmation");
    }
}

async fn send_link(
    ctx: &AuthContext,
    user: &User,
    purpose: LinkPurpose,
    to: &Email,
) -> Result<(), PortError> {
    let (secret, digest) = links::new_secret();
    let now = ctx.clock.now();
    let ttl = ctx.policy.verification_link_ttl;
    ctx.identity
        .store_link(NewAccountLink {
            purpose,
            user_id: user.id,
            email: to.clone(),
            token_hash: digest,
            created_at: now,
            expires_at: now + ttl,
        })
        .await?;
    let link = links::link(ctx, "verify-email", &secret);
    let recipient = Recipient {
        user: Some(user),
        email: to.as_str(),
    };
    let mail = AccountMail::VerifyEmail {
        link: &link,
        valid_hours: links::hours(ttl),
    };
    links::send(ctx, recipient, mail).await
}

/// Sends the caller a fresh confirmation link (the earlier ones stop working). Nothing is
/// sent to an address already proven.
///
/// # Errors
/// `TooManyAttempts` past the allowance of account emails; `Port`.
pub async fn resend_verification(
    ctx: &AuthContext,
    caller: &Authenticated,
) -> Result<(), VerificationError> {
    let user = &caller.user;
    if user.email_verified {
        return Ok(());
    }
    if !links::within_email_allowance(ctx, user.email.as_str()).await? {
        return Err(VerificationError::TooManyAttempts {
            retry_after: ctx.policy.email_window,
        });
    }
    send_link(ctx, user, LinkPurpose::VerifyEmail, &user.email).await?;
    Ok(())
}

/// Asks to change the caller's address: the new one is emailed a link, and the change happens
/// when it is opened. The current password is required (a stolen access token cannot move
/// the account to another mailbox, from where a password reset would take it).
///
/// # Errors
/// `WrongPassword`, `TooManyAttempts`, `SameEmail`, `Conflict(Email)`, `Port`.
pub async fn request_email_change(
    ctx: &AuthContext,
    caller: &Authenticated,
    new_email: Email,
    password: &str,
) -> Result<(), VerificationError> {
    let user = &caller.user;
    check_current_password(ctx, user, password).await?;
    if new_email == user.email {
        return Err(VerificationError::SameEmail);
    }
    if ctx
        .users
        .find_credentials_by_email(&new_email)
        .await?
        .is_some()
    {
        return Err(VerificationError::Conflict(UniqueField::Email));
    }
    if !links::within_email_allowance(ctx, new_email.as_str()).await? {
        return Err(VerificationError::TooManyAttempts {
            retry_after: ctx.policy.email_window,
        });
    }
    send_link(ctx, user, LinkPurpose::ChangeEmail, &new_email).await?;
    tracing::info!(user_id = %user.id, "email change requested; confirmation sent to the new address");
    Ok(())
}

/// Opens a confirmation link: the address is proven (for a change, it becomes the account's
/// address). A founder who proves an address at a domain their organization may claim gives
/// it that domain, so colleagues can join by signing up.
///
/// # Errors
/// `InvalidToken`, `Conflict(Email)` when a changed-to address was taken meanwhile, `Port`.
pub async fn verify_email(ctx: &AuthContext, token: &str) -> Result<User, VerificationError> {
    let digest = links::digest_of(token).ok_or(VerificationError::InvalidToken)?;
    let now = ctx.clock.now();
    let link = match ctx
        .identity
        .use_link(LinkPurpose::VerifyEmail, &digest, now)
        .await?
    {
        Some(link) => link,
        None => ctx
            .identity
            .use_link(LinkPurpose::ChangeEmail, &digest, now)
            .await?
            .ok_or(VerificationError::InvalidToken)?,
    };
    let user = ctx
        .users
        .find_by_id(link.user_id)
        .await?
        .filter(|u| u.is_active)
        .ok_or(VerificationError::InvalidToken)?;
    // A confirmation of an address the account no longer has proves nothing about it.
    if link.purpose == LinkPurpose::VerifyEmail && link.email != user.email {
        return Err(VerificationError::InvalidToken);
    }
    let user = ctx.identity.verify_email(user.id, &link.email, now).await?;
    if user.role == Role::Admin {
        claim_domain(ctx, &user).await?;
    }
    tracing::info!(user_id = %user.id, changed = link.purpose == LinkPurpose::ChangeEmail, "email address confirmed");
    Ok(user)
}

/// Gives the admin's organization their address's domain for sign-ups, when it has none, the
/// domain is allowed, and nobody else has it.
async fn claim_domain(ctx: &AuthContext, admin: &User) -> Result<(), PortError> {
    let domain = EmailDomain::of(&admin.email);
    if !links::may_claim(&ctx.policy, &domain) {
        return Ok(());
    }
    if ctx
        .identity
        .claim_domain(admin.organization_id, &domain)
        .await?
    {
        tracing::info!(organization_id = %admin.organization_id, domain = domain.as_str(), "organization claimed its domain after its admin proved an address there");
    }
    Ok(())
}
