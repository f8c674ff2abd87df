//! Invitations: an admin invites an address (with a role and channels to join); the emailed
//! link creates the account, or brings in an account of the organization that waits for
//! verification, with its address proven.

use super::links::{self, Recipient};
use super::session::{self, AuthSession, ClientInfo};
use crate::AuthContext;
use crate::notifications::templates::AccountMail;
use crate::ports::{Invitation, NewInvitation, NewUser, PortError, ProfileChanges, UniqueField};
use tandem_domain::{
    Actor, ChannelId, ChannelKind, DisplayName, Email, Password, PasswordError, Role, User,
    Username,
};

/// The most channels one invitation joins.
pub const MAX_INVITATION_CHANNELS: usize = 50;
/// The most invitations an admin sees at once.
pub const MAX_LISTED: u64 = 500;

#[derive(Debug, Clone)]
pub struct Invite {
    pub email: Email,
    pub role: Role,
    pub channel_ids: Vec<ChannelId>,
}

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("only admins can invite people")]
    Forbidden,
    #[error("{0} already has an account in your organization")]
    AlreadyMember(String),
    #[error(
        "channel {0} cannot be joined by invitation (it is not a channel of your organization, or it is archived or a direct conversation)"
    )]
    InvalidChannel(i64),
    #[error("an invitation joins at most {MAX_INVITATION_CHANNELS} channels")]
    TooManyChannels,
    #[error("no such invitation")]
    NotFound,
    /// Unknown, used, revoked, expired, or not a token at all: the same to the caller.
    #[error("this invitation is not valid (it may have been used, revoked, or have expired)")]
    InvalidToken,
    #[error(
        "this address already has an account in another organization; sign in there, or ask to be invited with another address"
    )]
    AccountElsewhere,
    #[error("this account has been deactivated")]
    AccountDisabled,
    #[error("a username is needed to create the account")]
    UsernameRequired,
    #[error("the password is incorrect")]
    WrongPassword,
    #[error("the password {0}")]
    WeakPassword(#[from] PasswordError),
    #[error("{0} is already taken")]
    Conflict(UniqueField),
    #[error("too many emails to this address; try again later")]
    TooManyEmails { retry_after: std::time::Duration },
    #[error(transparent)]
    Port(PortError),
}

impl From<PortError> for InvitationError {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Conflict(field) => Self::Conflict(field),
            other => Self::Port(other),
        }
    }
}

fn admin_only(actor: &Actor) -> Result<(), InvitationError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(InvitationError::Forbidden)
    }
}

/// Invites `cmd.email`; inviting an address again replaces its pending invitation.
///
/// # Errors
/// `Forbidden`, `AlreadyMember`, `InvalidChannel`, `TooManyChannels`, `TooManyEmails`, `Port`.
pub async fn invite(
    ctx: &AuthContext,
    actor: &Actor,
    cmd: Invite,
) -> Result<Invitation, InvitationError> {
    admin_only(actor)?;
    let mut channel_ids = cmd.channel_ids;
    channel_ids.sort_unstable();
    channel_ids.dedup();
    if channel_ids.len() > MAX_INVITATION_CHANNELS {
        return Err(InvitationError::TooManyChannels);
    }
    for id in &channel_ids {
        let joinable = ctx.chat.channels.find_by_id(*id).await?.is_some_and(|c| {
            c.organization_id == actor.organization_id
                && c.kind != ChannelKind::Direct
                && !c.is_archived
        });
        if !joinable {
            return Err(InvitationError::InvalidChannel(id.get()));
        }
    }
    if let Some(existing) = ctx.users.find_credentials_by_email(&cmd.email).await?
        && existing.user.organization_id == actor.organization_id
        && super::authenticate::admitted(ctx, &existing.user)
    {
        return Err(InvitationError::AlreadyMember(
            cmd.email.as_str().to_owned(),
        ));
    }
    if !links::within_email_allowance(ctx, cmd.email.as_str()).await? {
        return Err(InvitationError::TooManyEmails {
            retry_after: ctx.policy.email_window,
        });
    }
    let inviter = ctx
        .users
        .find_by_id(actor.id)
        .await?
        .ok_or(PortError::NotFound)?;
    let organization = ctx
        .organizations
        .find_by_id(actor.organization_id)
        .await?
        .ok_or(PortError::NotFound)?;
    let (secret, digest) = links::new_secret();
    let now = ctx.clock.now();
    let ttl = ctx.policy.invitation_ttl;
    let invitation = ctx
        .identity
        .create_invitation(
            NewInvitation {
                organization_id: actor.organization_id,
                email: cmd.email.clone(),
                role: cmd.role,
                channel_ids,
                token_hash: digest,
                invited_by: actor.id,
                created_at: now,
                expires_at: now + ttl,
            },
            now,
        )
        .await?;
    let link = links::link(ctx, "invite", &secret);
    let inviter_name = inviter
        .display_name
        .as_ref()
        .map_or_else(|| inviter.username.as_str(), |d| d.as_str());
    let mail = AccountMail::Invitation {
        link: &link,
        organization: organization.name.as_str(),
        inviter: inviter_name,
        valid_hours: links::hours(ttl),
    };
    let recipient = Recipient {
        user: None,
        email: cmd.email.as_str(),
    };
    links::send(ctx, recipient, mail).await?;
    tracing::info!(invitation_id = invitation.id, by = %actor.id, "invitation sent");
    Ok(invitation)
}

/// The organization's invitations, newest first; `pending_only` leaves out the accepted,
/// revoked and expired ones.
///
/// # Errors
/// `Forbidden`, `Port`.
pub async fn list_invitations(
    ctx: &AuthContext,
    actor: &Actor,
    pending_only: bool,
) -> Result<Vec<Invitation>, InvitationError> {
    admin_only(actor)?;
    let pending_at = pending_only.then(|| ctx.clock.now());
    Ok(ctx
        .identity
        .invitations(actor.organization_id, pending_at, MAX_LISTED)
        .await?)
}

/// Revokes a pending invitation: its link stops working.
///
/// # Errors
/// `Forbidden`, `NotFound` (unknown, another organization's, or no longer pending), `Port`.
pub async fn revoke_invitation(
    ctx: &AuthContext,
    actor: &Actor,
    id: i64,
) -> Result<(), InvitationError> {
    admin_only(actor)?;
    if ctx
        .identity
        .revoke_invitation(actor.organization_id, id, ctx.clock.now())
        .await?
    {
        tracing::info!(invitation_id = id, by = %actor.id, "invitation revoked");
        Ok(())
    } else {
        Err(InvitationError::NotFound)
    }
}

/// What the invitation page shows before accepting.
#[derive(Debug, Clone)]
pub struct InvitationPreview {
    pub organization_name: String,
    pub email: Email,
    pub role: Role,
    pub inviter: Option<String>,
    /// The address already has an account here: accepting asks for its password.
    pub account_exists: bool,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

async fn pending(ctx: &AuthContext, token: &str) -> Result<Invitation, InvitationError> {
    let digest = links::digest_of(token).ok_or(InvitationError::InvalidToken)?;
    ctx.identity
        .find_invitation(&digest)
        .await?
        .filter(|i| i.status(ctx.clock.now()) == crate::ports::InvitationStatus::Pending)
        .ok_or(InvitationError::InvalidToken)
}

/// # Errors
/// `InvalidToken`, `Port`.
pub async fn preview_invitation(
    ctx: &AuthContext,
    token: &str,
) -> Result<InvitationPreview, InvitationError> {
    let invitation = pending(ctx, token).await?;
    let organization = ctx
        .organizations
        .find_by_id(invitation.organization_id)
        .await?
        .ok_or(InvitationError::InvalidToken)?;
    let inviter = match invitation.invited_by {
        Some(id) => ctx.users.find_by_id(id).await?.map(|u| {
            u.display_name
                .map_or_else(|| u.username.as_str().to_owned(), |d| d.as_str().to_owned())
        }),
        None => None,
    };
    let account_exists = ctx
        .users
        .find_credentials_by_email(&invitation.email)
        .await?
        .is_some();
    Ok(InvitationPreview {
        organization_name: organization.name.as_str().to_owned(),
        email: invitation.email,
        role: invitation.role,
        inviter,
        account_exists,
        expires_at: invitation.expires_at,
    })
}

#[derive(Debug, Clone)]
pub struct AcceptInvitation {
    pub token: String,
    /// Needed to create an account; ignored when the address has one.
    pub username: Option<Username>,
    pub display_name: Option<DisplayName>,
    /// The new account's password, or the existing account's.
    pub password: String,
    pub client: ClientInfo,
}

/// Accepts an invitation: creates the account (its address proven by the link) or, when the
/// address has an account of this organization waiting for verification, proves it with that
/// account's password; applies the role, joins the channels, and logs in.
///
/// # Errors
/// See [`InvitationError`].
pub async fn accept_invitation(
    ctx: &AuthContext,
    cmd: AcceptInvitation,
) -> Result<AuthSession, InvitationError> {
    let invitation = pending(ctx, &cmd.token).await?;
    let now = ctx.clock.now();
    let user = match ctx
        .users
        .find_credentials_by_email(&invitation.email)
        .await?
    {
        Some(existing) => {
            if existing.user.organization_id != invitation.organization_id {
                return Err(InvitationError::AccountElsewhere);
            }
            let presented = Password::presented(&cmd.password);
            if !ctx
                .hasher
                .verify(&presented, &existing.password_hash)
                .await?
            {
                return Err(InvitationError::WrongPassword);
            }
            if !existing.user.is_active {
                return Err(InvitationError::AccountDisabled);
            }
            let mut user = ctx
                .identity
                .verify_email(existing.user.id, &invitation.email, now)
                .await?;
            if user.role != Role::Admin && user.role != invitation.role {
                let changes = ProfileChanges {
                    role: Some(invitation.role),
                    ..ProfileChanges::default()
                };
                user = ctx.users.update_profile(user.id, &changes).await?;
            }
            user
        }
        None => {
            let username = cmd.username.ok_or(InvitationError::UsernameRequired)?;
            let password = Password::parse(
                &cmd.password,
                &[username.as_str(), invitation.email.local_part()],
            )?;
            let new_user = NewUser {
                email: invitation.email.clone(),
                username,
                display_name: cmd.display_name,
                password_hash: ctx.hasher.hash(&password).await?,
                role: invitation.role,
                created_at: now,
                email_verified: true,
                bot_owner_id: None,
            };
            ctx.users
                .create(invitation.organization_id, new_user)
                .await?
        }
    };
    if !ctx
        .identity
        .accept_invitation(invitation.id, user.id, now)
        .await?
    {
        // Revoked (or accepted elsewhere) in the meantime.
        return Err(InvitationError::InvalidToken);
    }
    join_channels(ctx, &invitation, &user).await;
    tracing::info!(invitation_id = invitation.id, user_id = %user.id, "invitation accepted");
    Ok(session::start(ctx, user, cmd.client).await?)
}

/// Joins the invitation's channels, as if the inviter added the person (the channel hears
/// of it). A channel archived or deleted since, or an inviter who left, is skipped.
async fn join_channels(ctx: &AuthContext, invitation: &Invitation, user: &User) {
    if invitation.channel_ids.is_empty() {
        return;
    }
    let inviter = match invitation.invited_by {
        Some(id) => ctx.users.find_by_id(id).await.ok().flatten(),
        None => None,
    };
    let Some(inviter) = inviter.filter(|u| u.is_active) else {
        tracing::warn!(
            invitation_id = invitation.id,
            "the inviter is gone; the invitation's channels were not joined"
        );
        return;
    };
    let actor = Actor::of(&inviter);
    for channel in &invitation.channel_ids {
        if let Err(error) = crate::channels::add_member(&ctx.chat, &actor, *channel, user.id).await
        {
            tracing::warn!(%error, channel_id = %channel, "an invitation's channel was not joined");
        }
    }
}
