//! Tandem's [`Mailer`]s: SMTP through `lettre` (implicit TLS, STARTTLS or plain, with
//! authentication and pooled connections), and, when no mail server is configured, `.eml`
//! files in a directory, so a newcomer on the embedded default can read what would be sent.
//!
//! Both build the same message: `multipart/alternative` with the plain text first and the
//! HTML second, a `From` of the configured address and a `To` with the person's name.

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::time::Duration;
use tandem_app::ports::{MailError, Mailer, OutgoingMail};

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (usually port 465).
    Tls,
    /// Plain, upgraded with `STARTTLS`, which must succeed (usually port 587).
    StartTls,
    /// No encryption: only for a relay on the same machine or network, and for tests.
    None,
}

/// Where and how to reach the mail server.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    /// Never logged.
    pub password: Option<SecretString>,
    /// How long one exchange with the server may take.
    pub timeout: Duration,
}

/// Builds the message both mailers send or write.
///
/// # Errors
/// `Permanent` when an address does not parse: trying again cannot help.
pub fn build_message(from: &Mailbox, mail: &OutgoingMail) -> Result<Message, MailError> {
    let address = mail.to.parse().map_err(|e| {
        MailError::Permanent(format!("the address {:?} is not valid: {e}", mail.to))
    })?;
    let to = Mailbox::new(mail.to_name.clone(), address);
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| MailError::Permanent(format!("the email cannot be built: {e}")))
}

/// Parses `Tandem <tandem@example.com>` or a bare address.
///
/// # Errors
/// A message saying why, for the settings error.
pub fn parse_from(from: &str) -> Result<Mailbox, String> {
    from.parse()
        .map_err(|e| format!("mail.from {from:?} is not an email address: {e}"))
}

/// Sends through an SMTP server, reusing connections.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// # Errors
    /// When TLS cannot be set up for `host`.
    pub fn new(settings: &SmtpSettings, from: Mailbox) -> Result<Self, String> {
        let tls = || {
            TlsParameters::new(settings.host.clone())
                .map_err(|e| format!("setting up TLS for {}: {e}", settings.host))
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
                .port(settings.port)
                .timeout(Some(settings.timeout))
                .tls(match settings.tls {
                    TlsMode::Tls => Tls::Wrapper(tls()?),
                    TlsMode::StartTls => Tls::Required(tls()?),
                    TlsMode::None => Tls::None,
                });
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = build_message(&self.from, mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            // 5xx: the server refused the address or the message for good.
            Err(error) if error.is_permanent() => Err(MailError::Permanent(error.to_string())),
            Err(error) => Err(MailError::Transient(error.to_string())),
        }
    }
}

/// Writes each email as an `.eml` file (RFC 5322, readable by any mail program) in a
/// directory, for the embedded default without a mail server.
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl FileMailer {
    pub fn new(dir: PathBuf, from: Mailbox) -> Self {
        Self { dir, from }
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = build_message(&self.from, mail)?;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| MailError::Transient(format!("creating {}: {e}", self.dir.display())))?;
        let name = format!(
            "{}-{}-{:08x}.eml",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
            mail.kind,
            rand_suffix()
        );
        let path = self.dir.join(name);
        tokio::fs::write(&path, message.formatted())
            .await
            .map_err(|e| MailError::Transient(format!("writing {}: {e}", path.display())))?;
        tracing::info!(path = %path.display(), kind = %mail.kind, "no mail server configured: the email was written to a file");
        Ok(())
    }
}

/// Enough to keep two files of the same millisecond apart.
fn rand_suffix() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    // Truncation is intended: any 32 bits of a random hash will do.
    #[allow(clippy::cast_possible_truncation)]
    let bits = RandomState::new().hash_one(std::time::Instant::now()) as u32;
    bits
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    fn mail(to: &str) -> OutgoingMail {
        OutgoingMail {
            kind: "mention".to_owned(),
            user_id: None,
            to: to.to_owned(),
            to_name: Some("Ana García".to_owned()),
            subject: "Bob mentioned you in #general".to_owned(),
            text: "plain part".to_owned(),
            html: "<p>html part</p>".to_owned(),
        }
    }

    #[test]
    fn messages_carry_both_parts_and_the_persons_name() {
        let from = parse_from("Tandem <tandem@acme.io>").unwrap();
        let message = build_message(&from, &mail("ana@acme.io")).unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(text.contains("From: Tandem <tandem@acme.io>"), "{text}");
        assert!(text.contains("ana@acme.io"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(
            text.contains("plain part") && text.contains("<p>html part</p>"),
            "{text}"
        );
    }

    #[test]
    fn a_broken_address_fails_for_good() {
        let from = parse_from("tandem@acme.io").unwrap();
        let error = build_message(&from, &mail("not an address")).unwrap_err();
        assert!(matches!(error, MailError::Permanent(_)), "{error:?}");
        assert!(parse_from("nobody").is_err());
    }

    #[tokio::test]
    async fn without_a_server_emails_become_files() {
        let dir = std::env::temp_dir().join(format!("tandem-mail-{}", rand_suffix()));
        let mailer = FileMailer::new(dir.clone(), parse_from("tandem@acme.io").unwrap());
        mailer.send(&mail("ana@acme.io")).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
        let path = files[0].as_ref().unwrap().path();
        assert_eq!(path.extension().unwrap(), "eml");
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(
            written.contains("Subject: Bob mentioned you in #general"),
            "{written}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
