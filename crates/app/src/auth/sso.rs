//! Single sign-on through an organization's OpenID Connect provider.
//!
//! Admins add providers ([`add_provider`]: the issuer is checked by reading its discovery
//! document). Signing in is three steps: [`start`] stores a fresh `state`, `nonce` and PKCE
//! verifier and answers the provider's authorization URL; the provider sends the person back to
//! [`finish`], which takes the attempt by its state (once), redeems the code, checks the ID
//! token, and finds or creates the account; the browser then exchanges the short-lived ticket
//! [`finish`] answers for a session at [`redeem_ticket`], so no token ever travels in a URL.
//!
//! Who the person is: the provider's `sub` once linked; otherwise the address in the ID token,
//! only when the provider says it is verified and its domain is one the provider may sign
//! people in for. An account of the organization with that address is linked; none is created
//! (a member, address proven); an account of another organization is refused.

use super::links::digest_of;
use super::session::{self, AuthSession, ClientInfo, hash_refresh_token, random_secret};
use crate::AuthContext;
use crate::ports::{
    AccountLink, AuthorizationRequest, ClientCredentials, IdentityClaims, LinkPurpose,
    NewAccountLink, NewSsoProvider, NewUser, OidcError, PortError, SsoAttempt, UniqueField,
};
use chrono::Duration;
use tandem_domain::{
    Actor, ClientId, Email, EmailDomain, IssuerUrl, OrganizationId, ProviderLabel, Role,
    SsoProvider, SsoProviderId, User, Username,
};

/// How long a person has at the provider before the attempt is forgotten.
pub const ATTEMPT_TTL: Duration = Duration::minutes(10);
/// How long the browser has to exchange the ticket for a session.
const TICKET_TTL: Duration = Duration::minutes(2);

#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("only admins can manage single sign-on")]
    Forbidden,
    #[error("no such identity provider")]
    NotFound,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    /// The provider could not be reached or refused: say so without the details.
    #[error("the identity provider could not complete the sign-in; try again")]
    Provider(OidcError),
    /// Unknown, used or expired `state`: the same to the caller.
    #[error("this sign-in is not valid any more (it was used, or took too long); start again")]
    InvalidState,
    #[error("this sign-in link is not valid any more; start again")]
    InvalidTicket,
    #[error("the identity provider did not confirm this person's email address")]
    EmailUnverified,
    #[error("this identity provider may not sign people in with an address at {0}")]
    DomainNotAllowed(String),
    #[error(
        "this address has an account in another organization; sign in there with your password"
    )]
    AccountElsewhere,
    #[error("this account has been deactivated")]
    AccountDisabled,
    #[error(transparent)]
    Port(#[from] PortError),
}

fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> SsoError {
    SsoError::Invalid {
        field,
        code,
        message: message.into(),
    }
}

/// A provider to add, as an admin typed it.
#[derive(Debug, Clone)]
pub struct AddProvider {
    pub label: ProviderLabel,
    pub issuer: IssuerUrl,
    pub client_id: ClientId,
    pub client_secret: String,
    pub allowed_domains: Vec<EmailDomain>,
}

fn admin(actor: &Actor) -> Result<(), SsoError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(SsoError::Forbidden)
    }
}

/// The organization's providers (admins).
///
/// # Errors
/// `Forbidden`, `Port`.
pub async fn list_providers(
    ctx: &AuthContext,
    actor: &Actor,
) -> Result<Vec<SsoProvider>, SsoError> {
    admin(actor)?;
    Ok(ctx.sso.providers(actor.organization_id).await?)
}

/// Adds a provider once its discovery document answers as the issuer it names (admins).
///
/// # Errors
/// `Forbidden`, `Invalid` (secret, or an issuer whose configuration cannot be read), `Port`.
pub async fn add_provider(
    ctx: &AuthContext,
    actor: &Actor,
    cmd: AddProvider,
) -> Result<SsoProvider, SsoError> {
    admin(actor)?;
    let secret = cmd.client_secret.trim();
    if secret.is_empty() || secret.len() > 500 {
        return Err(invalid(
            "client_secret",
            "invalid_client_secret",
            "must be 1 to 500 characters",
        ));
    }
    if let Err(error) = ctx.oidc.discover(cmd.issuer.as_str()).await {
        return Err(invalid(
            "issuer",
            "issuer_unusable",
            format!("its OpenID Connect configuration could not be read: {error}"),
        ));
    }
    let created = ctx
        .sso
        .create_provider(NewSsoProvider {
            organization_id: actor.organization_id,
            label: cmd.label,
            issuer: cmd.issuer,
            client_id: cmd.client_id,
            client_secret: ctx.secrets.seal(secret),
            allowed_domains: cmd.allowed_domains,
            created_at: ctx.clock.now(),
        })
        .await?;
    tracing::info!(provider_id = %created.id, by = %actor.id, issuer = created.issuer.as_str(), "single sign-on provider added");
    Ok(created)
}

/// Removes a provider (admins). People it signed in keep their accounts. The last one stays
/// while single sign-on is the organization's only way in: its members would have none.
///
/// # Errors
/// `Forbidden`, `NotFound`, `Invalid` (`sso_only`), `Port`.
pub async fn remove_provider(
    ctx: &AuthContext,
    actor: &Actor,
    id: SsoProviderId,
) -> Result<(), SsoError> {
    admin(actor)?;
    let providers = ctx.sso.providers(actor.organization_id).await?;
    let sso_only = ctx
        .organizations
        .find_by_id(actor.organization_id)
        .await?
        .is_some_and(|o| o.sso_only);
    if sso_only && providers.len() == 1 && providers[0].id == id {
        return Err(invalid(
            "sso_only",
            "sso_only",
            "single sign-on is your organization's only way in: turn that off before removing its last provider",
        ));
    }
    if ctx.sso.delete_provider(actor.organization_id, id).await? {
        Ok(())
    } else {
        Err(SsoError::NotFound)
    }
}

/// The providers someone with this address may sign in through: those of the organization
/// that owns its domain and allow it. Nothing for an address no organization owns.
///
/// # Errors
/// `Port`.
pub async fn providers_for(ctx: &AuthContext, email: &Email) -> Result<Vec<SsoProvider>, SsoError> {
    let domain = EmailDomain::of(email);
    let Some(organization) = ctx.organizations.find_active_by_domain(&domain).await? else {
        return Ok(Vec::new());
    };
    let providers = ctx.sso.providers(organization.id).await?;
    Ok(providers
        .into_iter()
        .filter(|p| p.allows(&domain))
        .collect())
}

/// Where the provider sends people back: `<base_url>/api/v1/auth/sso/callback`.
pub fn redirect_uri(ctx: &AuthContext) -> String {
    format!(
        "{}/api/v1/auth/sso/callback",
        ctx.policy.base_url.trim_end_matches('/')
    )
}

/// Starts a sign-in: the provider's authorization URL for a new attempt.
///
/// # Errors
/// `NotFound`, `Provider` (its configuration cannot be read), `Port`.
pub async fn start(
    ctx: &AuthContext,
    id: SsoProviderId,
    login_hint: Option<&Email>,
) -> Result<String, SsoError> {
    let (provider, _) = ctx.sso.provider(id).await?.ok_or(SsoError::NotFound)?;
    let metadata = ctx
        .oidc
        .discover(provider.issuer.as_str())
        .await
        .map_err(SsoError::Provider)?;
    let now = ctx.clock.now();
    let request = AuthorizationRequest {
        client_id: provider.client_id.as_str().to_owned(),
        redirect_uri: redirect_uri(ctx),
        state: random_secret(),
        nonce: random_secret(),
        code_verifier: random_secret(),
        login_hint: login_hint.map(|e| e.as_str().to_owned()),
    };
    ctx.sso
        .start_attempt(SsoAttempt {
            provider_id: id,
            state_hash: hash_refresh_token(&request.state),
            nonce: request.nonce.clone(),
            code_verifier: request.code_verifier.clone(),
            created_at: now,
            expires_at: now + ATTEMPT_TTL,
        })
        .await?;
    Ok(ctx.oidc.authorization_url(&metadata, &request))
}

/// The provider sent the person back with `code` for the attempt `state`: checks everything,
/// finds or creates the account, and answers a short-lived ticket for [`redeem_ticket`].
///
/// # Errors
/// `InvalidState`, `Provider`, `EmailUnverified`, `DomainNotAllowed`, `AccountElsewhere`,
/// `AccountDisabled`, `Port`.
pub async fn finish(ctx: &AuthContext, state: &str, code: &str) -> Result<String, SsoError> {
    let now = ctx.clock.now();
    let state_hash = digest_of(state).ok_or(SsoError::InvalidState)?;
    let attempt = ctx
        .sso
        .take_attempt(&state_hash, now)
        .await?
        .ok_or(SsoError::InvalidState)?;
    let (provider, secret) = ctx
        .sso
        .provider(attempt.provider_id)
        .await?
        .ok_or(SsoError::InvalidState)?;
    let metadata = ctx
        .oidc
        .discover(provider.issuer.as_str())
        .await
        .map_err(SsoError::Provider)?;
    let client_secret = ctx.secrets.open(&secret).ok_or_else(|| {
        tracing::error!(provider_id = %provider.id, "the provider's client secret does not open: was auth.encryption_key changed?");
        SsoError::Provider(OidcError::Refused(
            "the client secret cannot be read".to_owned(),
        ))
    })?;
    let client = ClientCredentials {
        client_id: provider.client_id.as_str().to_owned(),
        client_secret,
    };
    let claims = ctx
        .oidc
        .redeem(
            &metadata,
            &client,
            code,
            &attempt.code_verifier,
            &redirect_uri(ctx),
            &attempt.nonce,
            now,
        )
        .await
        .map_err(|error| {
            tracing::warn!(provider_id = %provider.id, %error, "a single sign-on was refused");
            SsoError::Provider(error)
        })?;
    let user = account_for(ctx, &provider, &claims).await?;
    if !user.is_active {
        return Err(SsoError::AccountDisabled);
    }
    let ticket = random_secret();
    ctx.identity
        .store_link(NewAccountLink {
            purpose: LinkPurpose::SsoSignIn,
            user_id: user.id,
            email: user.email.clone(),
            token_hash: hash_refresh_token(&ticket),
            created_at: now,
            expires_at: now + TICKET_TTL,
        })
        .await?;
    Ok(ticket)
}

/// Exchanges a ticket from [`finish`] for a session (once).
///
/// # Errors
/// `InvalidTicket`, `AccountDisabled`, `Port`.
pub async fn redeem_ticket(
    ctx: &AuthContext,
    ticket: &str,
    client: ClientInfo,
) -> Result<AuthSession, SsoError> {
    let digest = digest_of(ticket).ok_or(SsoError::InvalidTicket)?;
    let Some(AccountLink { user_id, .. }) = ctx
        .identity
        .use_link(LinkPurpose::SsoSignIn, &digest, ctx.clock.now())
        .await?
    else {
        return Err(SsoError::InvalidTicket);
    };
    let user = ctx
        .users
        .find_by_id(user_id)
        .await?
        .ok_or(SsoError::InvalidTicket)?;
    if !user.is_active {
        return Err(SsoError::AccountDisabled);
    }
    Ok(session::sign_in(ctx, user, client).await?)
}

/// The account the provider's person is: linked before, or found (or created) by a verified
/// address the provider may vouch for.
async fn account_for(
    ctx: &AuthContext,
    provider: &SsoProvider,
    claims: &IdentityClaims,
) -> Result<User, SsoError> {
    if let Some(user_id) = ctx.sso.identity(provider.id, &claims.subject).await? {
        let user = ctx.users.find_by_id(user_id).await?;
        if let Some(user) = user.filter(|u| u.organization_id == provider.organization_id) {
            return Ok(user);
        }
    }
    if !claims.email_verified {
        return Err(SsoError::EmailUnverified);
    }
    let email = claims
        .email
        .as_deref()
        .and_then(|e| Email::parse(e).ok())
        .ok_or(SsoError::EmailUnverified)?;
    let domain = EmailDomain::of(&email);
    if !provider.allows(&domain) {
        return Err(SsoError::DomainNotAllowed(domain.as_str().to_owned()));
    }
    let now = ctx.clock.now();
    let user = match ctx.users.find_credentials_by_email(&email).await? {
        Some(existing) if existing.user.organization_id != provider.organization_id => {
            return Err(SsoError::AccountElsewhere);
        }
        Some(existing) => {
            // The provider proved the address: an account waiting for its link is confirmed.
            if existing.user.email_verified {
                existing.user
            } else {
                ctx.identity
                    .verify_email(existing.user.id, &email, now)
                    .await?
            }
        }
        None => {
            create_member(
                ctx,
                provider.organization_id,
                &email,
                claims.name.as_deref(),
            )
            .await?
        }
    };
    ctx.sso
        .link_identity(provider.id, &claims.subject, user.id, now)
        .await?;
    tracing::info!(provider_id = %provider.id, user_id = %user.id, "single sign-on linked an account");
    Ok(user)
}

/// A new member of the organization, signed in by the provider: the address counts as proven,
/// the password is random (they sign in through the provider, or reset it by email).
async fn create_member(
    ctx: &AuthContext,
    organization_id: OrganizationId,
    email: &Email,
    name: Option<&str>,
) -> Result<User, SsoError> {
    let password_hash = ctx
        .hasher
        .hash(&tandem_domain::Password::presented(&random_secret()))
        .await?;
    let base = username_base(email.local_part());
    for attempt in 0..5u32 {
        let candidate = if attempt == 0 {
            base.clone()
        } else {
            format!("{base}-{}", rand::random::<u16>() % 10_000)
        };
        let Ok(username) = Username::parse(&candidate) else {
            continue;
        };
        let new_user = NewUser {
            email: email.clone(),
            username,
            display_name: name.and_then(|n| tandem_domain::DisplayName::parse(n).ok()),
            password_hash: password_hash.clone(),
            role: Role::Member,
            created_at: ctx.clock.now(),
            email_verified: true,
            bot_owner_id: None,
        };
        match ctx.users.create(organization_id, new_user).await {
            Ok(user) => return Ok(user),
            Err(PortError::Conflict(UniqueField::Username)) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Err(PortError::Conflict(UniqueField::Username).into())
}

/// A username from an address's local part: the letters, digits, `.`, `_` and `-` it has,
/// lowercased, 2 to 27 characters (room for a suffix), `user` when nothing is left.
fn username_base(local_part: &str) -> String {
    let kept: String = local_part
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .take(27)
        .collect();
    if kept.len() < 2 {
        "user".to_owned()
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_come_from_the_local_part() {
        assert_eq!(username_base("Ana.Lopez"), "ana.lopez");
        assert_eq!(username_base("_x+tag"), "xtag");
        assert_eq!(username_base("é"), "user");
        assert_eq!(username_base(&"a".repeat(60)).len(), 27);
    }
}
