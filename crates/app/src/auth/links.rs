//! What every emailed account link shares: a 256-bit secret of which only a digest is kept,
//! a web-app address to open it at, and the email carrying it, stored in the outbox and sent
//! by a job in the person's language.

use super::session::{hash_refresh_token, random_secret};
use crate::AuthContext;
use crate::notifications::templates::{AccountMail, Addressee, account_mail};
use crate::ports::{Job, PortError};
use tandem_domain::{EmailDomain, Language, User};

/// A new link's secret, for the email, and its digest, for storage.
pub(crate) fn new_secret() -> (String, String) {
    let secret = random_secret();
    let digest = hash_refresh_token(&secret);
    (secret, digest)
}

/// The digest a presented secret is looked up by; `None` for something that cannot be one.
pub(crate) fn digest_of(presented: &str) -> Option<String> {
    let plausible = !presented.is_empty()
        && presented.len() <= 128
        && presented
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then(|| hash_refresh_token(presented))
}

/// `https://chat.example.com/<page>?token=<secret>`.
pub(crate) fn link(ctx: &AuthContext, page: &str, secret: &str) -> String {
    format!(
        "{}/{page}?token={secret}",
        ctx.policy.base_url.trim_end_matches('/')
    )
}

/// Whether an organization may claim `domain` for sign-ups: never a public mail provider's,
/// and only one the operator allows when they listed some.
pub(crate) fn may_claim(policy: &crate::AuthPolicy, domain: &EmailDomain) -> bool {
    if !domain.is_claimable() {
        return false;
    }
    let Some(allowed) = &policy.claimable_domains else {
        return true;
    };
    let name = domain.as_str();
    allowed
        .iter()
        .any(|pattern| match pattern.strip_prefix("*.") {
            Some(parent) => name
                .strip_suffix(parent)
                .is_some_and(|sub| sub.ends_with('.')),
            None => pattern == name,
        })
}

/// Stores `mail` for `to` (a person with an account, or an address that has none yet) and
/// queues its sending.
pub(crate) async fn send(
    ctx: &AuthContext,
    to: Recipient<'_>,
    mail: AccountMail<'_>,
) -> Result<(), PortError> {
    let (user_id, name, language) = match to.user {
        Some(user) => {
            let language = ctx.notifications.settings(user.id).await?.language;
            let name = user
                .display_name
                .as_ref()
                .map_or_else(|| user.username.as_str(), |d| d.as_str());
            (Some(user.id), name, language)
        }
        None => (None, to.email, Language::default()),
    };
    let addressee = Addressee {
        user_id,
        email: to.email,
        name,
        language,
        base_url: &ctx.policy.base_url,
    };
    let id = ctx
        .outbox
        .store(&account_mail(&addressee, mail), ctx.clock.now())
        .await?;
    crate::jobs::queue(&*ctx.jobs, &*ctx.clock, Job::SendMail { mail_id: id.0 }).await?;
    Ok(())
}

/// Who an account email goes to.
#[derive(Clone, Copy)]
pub(crate) struct Recipient<'a> {
    pub user: Option<&'a User>,
    /// The address to send to (for an email change, the new one).
    pub email: &'a str,
}

/// Whether `address` may be sent another account email in this window; counts this one.
///
/// # Errors
/// When the rate limiter cannot be reached.
pub(crate) async fn within_email_allowance(
    ctx: &AuthContext,
    address: &str,
) -> Result<bool, PortError> {
    let key = format!("account-emails:{address}");
    let window = ctx.rate_limiter.current(&key).await?;
    if window.count >= ctx.policy.max_account_emails_per_address {
        return Ok(false);
    }
    ctx.rate_limiter
        .increment(&key, ctx.policy.email_window)
        .await?;
    Ok(true)
}

/// Hours, for the email's "works for N hours".
pub(crate) fn hours(duration: std::time::Duration) -> u32 {
    u32::try_from(duration.as_secs().div_ceil(3600)).unwrap_or(u32::MAX)
}

/// Minutes, for the email's "works for N minutes".
pub(crate) fn minutes(duration: std::time::Duration) -> u32 {
    u32::try_from(duration.as_secs().div_ceil(60)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allowed: Option<&[&str]>) -> crate::AuthPolicy {
        crate::AuthPolicy {
            claimable_domains: allowed.map(|list| list.iter().map(|d| (*d).to_owned()).collect()),
            ..crate::AuthPolicy::default()
        }
    }

    fn domain(name: &str) -> EmailDomain {
        EmailDomain::from_trusted(name.to_owned())
    }

    #[test]
    fn public_providers_are_never_claimable_and_a_list_restricts_the_rest() {
        assert!(may_claim(&policy(None), &domain("acme.io")));
        assert!(!may_claim(&policy(None), &domain("gmail.com")));
        let listed = policy(Some(&["acme.io", "*.corp.example"]));
        assert!(may_claim(&listed, &domain("acme.io")));
        assert!(may_claim(&listed, &domain("eu.corp.example")));
        assert!(!may_claim(&listed, &domain("corp.example")));
        assert!(!may_claim(&listed, &domain("evilcorp.example")));
        assert!(!may_claim(&listed, &domain("acme.io.evil")));
        assert!(!may_claim(&policy(Some(&[])), &domain("acme.io")));
    }

    #[test]
    fn only_plausible_secrets_are_looked_up() {
        let (secret, digest) = new_secret();
        assert_eq!(digest_of(&secret), Some(digest));
        assert_eq!(digest_of(""), None);
        assert_eq!(digest_of("a'; DROP TABLE users; --"), None);
        assert_eq!(digest_of(&"a".repeat(129)), None);
    }
}
