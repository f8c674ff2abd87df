//! The emails, in English and Spanish, as plain text and HTML: a mention, a direct message, a
//! digest of what is unread, an invitation to a channel, and the account emails (verifying an
//! address, an invitation to an organization, a password reset). Everything a person wrote (names,
//! channel names, excerpts) is escaped in the HTML part; links go to the web app.

mod account;

pub use account::{AccountMail, account_mail};

use crate::ports::{OutgoingMail, StoredNotification};
use std::fmt::Write;
use tandem_domain::{Language, NotificationKind};

/// Who an email goes to, and where its links point.
#[derive(Debug, Clone)]
pub struct Addressee<'a> {
    /// `None` for someone without an account yet (an invitation).
    pub user_id: Option<tandem_domain::UserId>,
    pub email: &'a str,
    pub name: &'a str,
    pub language: Language,
    /// The web app's address, without a trailing slash.
    pub base_url: &'a str,
}

/// The email about `total` unread notifications of which `shown` are the oldest: the
/// single-notification template when there is one, a digest otherwise (listing `shown`,
/// counting the rest). `None` when there is nothing to say.
pub fn notifications_mail(
    to: &Addressee<'_>,
    shown: &[StoredNotification],
    total: u64,
) -> Option<OutgoingMail> {
    match shown {
        [] => None,
        [one] if total <= 1 => Some(single(to, one)),
        many => Some(digest(to, many, total.max(many.len() as u64))),
    }
}

struct Texts {
    mentioned: &'static str,
    direct: &'static str,
    invited: &'static str,
    digest_one: &'static str,
    digest_many: &'static str,
    and_more: &'static str,
    open: &'static str,
    open_channel: &'static str,
    greeting: &'static str,
    why: &'static str,
    settings: &'static str,
    someone: &'static str,
}

const ENGLISH: Texts = Texts {
    mentioned: "{sender} mentioned you in #{channel}",
    direct: "New message from {sender}",
    invited: "{sender} added you to #{channel}",
    digest_one: "You have 1 unread notification",
    digest_many: "You have {count} unread notifications",
    and_more: "and {count} more in Tandem",
    open: "Open the message",
    open_channel: "Open the channel",
    greeting: "Hi {name},",
    why: "You get this email because it was still unread in Tandem.",
    settings: "Change your notification settings",
    someone: "Someone",
};

const SPANISH: Texts = Texts {
    mentioned: "{sender} te mencionó en #{channel}",
    direct: "Nuevo mensaje de {sender}",
    invited: "{sender} te añadió a #{channel}",
    digest_one: "Tienes 1 notificación sin leer",
    digest_many: "Tienes {count} notificaciones sin leer",
    and_more: "y {count} más en Tandem",
    open: "Abrir el mensaje",
    open_channel: "Abrir el canal",
    greeting: "Hola {name}:",
    why: "Recibes este correo porque aún no lo habías leído en Tandem.",
    settings: "Cambiar tus preferencias de notificación",
    someone: "Alguien",
};

fn texts(language: Language) -> &'static Texts {
    match language {
        Language::English => &ENGLISH,
        Language::Spanish => &SPANISH,
    }
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Subject lines are one line: a newline in a name must not start a header.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n']).collect::<Vec<_>>().join(" ")
}

fn fill(template: &str, sender: &str, channel: &str) -> String {
    template
        .replace("{sender}", sender)
        .replace("{channel}", channel)
}

fn sender_name(t: &Texts, n: &StoredNotification) -> String {
    n.sender.as_ref().map_or_else(
        || t.someone.to_owned(),
        |s| s.display_name.clone().unwrap_or_else(|| s.username.clone()),
    )
}

/// `{base}/c/{channel}?message={id}`, or the channel, or the app.
fn link(base: &str, n: &StoredNotification) -> String {
    match (n.channel_id, n.message_id) {
        (Some(channel), Some(message)) => format!("{base}/c/{channel}?message={message}"),
        (Some(channel), None) => format!("{base}/c/{channel}"),
        _ => format!("{base}/"),
    }
}

fn headline(t: &Texts, n: &StoredNotification) -> String {
    let sender = sender_name(t, n);
    let channel = n.channel_name.clone().unwrap_or_default();
    let template = match n.kind {
        NotificationKind::ChannelInvite => t.invited,
        NotificationKind::NewMessage => t.direct,
        _ => t.mentioned,
    };
    fill(template, &sender, &channel)
}

fn kind_name(n: &StoredNotification) -> &'static str {
    match n.kind {
        NotificationKind::ChannelInvite => "channel_invite",
        NotificationKind::NewMessage => "direct_message",
        _ => "mention",
    }
}

fn single(to: &Addressee<'_>, n: &StoredNotification) -> OutgoingMail {
    let t = texts(to.language);
    let subject = one_line(&headline(t, n));
    let url = link(to.base_url, n);
    let action = if n.message_id.is_some() {
        t.open
    } else {
        t.open_channel
    };
    let greeting = t.greeting.replace("{name}", to.name);
    let excerpt = n.excerpt.clone().unwrap_or_default();
    let settings_url = format!("{}/settings/notifications", to.base_url);

    let mut text = format!("{greeting}\n\n{subject}\n");
    if !excerpt.is_empty() {
        let _ = write!(text, "\n> {excerpt}\n");
    }
    let _ = write!(
        text,
        "\n{action}: {url}\n\n--\n{}\n{}: {settings_url}\n",
        t.why, t.settings
    );

    let mut body = format!(
        "<p>{}</p><p><strong>{}</strong></p>",
        escape(&greeting),
        escape(&subject)
    );
    if !excerpt.is_empty() {
        let _ = write!(
            body,
            "<blockquote style=\"margin:0 0 16px;padding:8px 12px;border-left:3px solid #4f46e5;color:#334155\">{}</blockquote>",
            escape(&excerpt)
        );
    }
    let _ = write!(body, "{}", button(&url, action));
    OutgoingMail {
        kind: kind_name(n).to_owned(),
        user_id: to.user_id,
        to: to.email.to_owned(),
        to_name: Some(to.name.to_owned()),
        subject: subject.clone(),
        text,
        html: page(
            to.language,
            &subject,
            &body,
            t.why,
            Some((&settings_url, t.settings)),
        ),
    }
}

fn digest(to: &Addressee<'_>, all: &[StoredNotification], total: u64) -> OutgoingMail {
    let t = texts(to.language);
    let subject = if total == 1 {
        t.digest_one.to_owned()
    } else {
        t.digest_many.replace("{count}", &total.to_string())
    };
    let more = total.saturating_sub(all.len() as u64);
    let greeting = t.greeting.replace("{name}", to.name);
    let settings_url = format!("{}/settings/notifications", to.base_url);
    let mut text = format!("{greeting}\n\n{subject}:\n");
    let mut items = String::new();
    for n in all {
        let line = headline(t, n);
        let url = link(to.base_url, n);
        let excerpt = n.excerpt.clone().unwrap_or_default();
        let _ = write!(text, "\n* {line}\n");
        if !excerpt.is_empty() {
            let _ = writeln!(text, "  > {excerpt}");
        }
        let _ = writeln!(text, "  {url}");
        let _ = write!(
            items,
            "<li style=\"margin:0 0 12px\"><a href=\"{}\" style=\"color:#4f46e5;font-weight:600\">{}</a>{}</li>",
            escape(&url),
            escape(&line),
            if excerpt.is_empty() {
                String::new()
            } else {
                format!(
                    "<br><span style=\"color:#334155\">{}</span>",
                    escape(&excerpt)
                )
            }
        );
    }
    let mut rest = String::new();
    if more > 0 {
        let line = t.and_more.replace("{count}", &more.to_string());
        let open = format!("{}/", to.base_url);
        let _ = write!(text, "\n{line}: {open}\n");
        rest = format!(
            "<p><a href=\"{}\" style=\"color:#4f46e5\">{}</a></p>",
            escape(&open),
            escape(&line)
        );
    }
    let _ = write!(text, "\n--\n{}\n{}: {settings_url}\n", t.why, t.settings);
    let body = format!(
        "<p>{}</p><p><strong>{}</strong></p><ul style=\"padding-left:18px\">{items}</ul>{rest}",
        escape(&greeting),
        escape(&subject)
    );
    OutgoingMail {
        kind: "digest".to_owned(),
        user_id: to.user_id,
        to: to.email.to_owned(),
        to_name: Some(to.name.to_owned()),
        subject: subject.clone(),
        text,
        html: page(
            to.language,
            &subject,
            &body,
            t.why,
            Some((&settings_url, t.settings)),
        ),
    }
}

pub(super) fn button(url: &str, label: &str) -> String {
    format!(
        "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;border-radius:6px;background:#4f46e5;color:#ffffff;text-decoration:none;font-weight:600\">{}</a></p>",
        escape(url),
        escape(label)
    )
}

/// The frame every HTML email shares: `body` (already HTML), then a small footer saying why
/// the email came, with a link when given.
pub(super) fn page(
    language: Language,
    title: &str,
    body: &str,
    why: &str,
    link: Option<(&str, &str)>,
) -> String {
    let link = link.map_or_else(String::new, |(url, label)| {
        format!(
            "<br><a href=\"{}\" style=\"color:#64748b\">{}</a>",
            escape(url),
            escape(label)
        )
    });
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{}</title></head>\
<body style=\"margin:0;padding:24px;background:#f1f5f9;font-family:-apple-system,Segoe UI,Roboto,sans-serif;color:#0f172a\">\
<div style=\"max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px\">{}\
<p style=\"margin-top:24px;font-size:12px;color:#64748b\">{}{link}</p></div></body></html>",
        language.as_str(),
        escape(title),
        body,
        escape(why),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;
    use crate::ports::NotificationSender;
    use chrono::Utc;
    use tandem_domain::{ChannelId, MessageId, UserId};

    fn notification(kind: NotificationKind, excerpt: &str) -> StoredNotification {
        StoredNotification {
            id: 1,
            user_id: UserId::new(2),
            kind,
            channel_id: Some(ChannelId::new(3)),
            channel_name: Some("general".to_owned()),
            message_id: Some(MessageId::new(4)),
            seq: Some(5),
            thread_root_id: None,
            sender: Some(NotificationSender {
                id: UserId::new(6),
                username: "mallory".to_owned(),
                display_name: Some("<b>Mallory</b>\r\nBcc: all@x".to_owned()),
                profile_picture: None,
            }),
            excerpt: Some(excerpt.to_owned()),
            quiet: false,
            created_at: Utc::now(),
            read_at: None,
        }
    }

    fn to(language: Language) -> Addressee<'static> {
        Addressee {
            user_id: Some(UserId::new(2)),
            email: "bob@acme.io",
            name: "Bob",
            language,
            base_url: "https://chat.acme.io",
        }
    }

    #[test]
    fn a_mention_links_to_the_message_and_escapes_what_people_wrote() {
        let n = notification(NotificationKind::Mention, "<script>alert(1)</script> & you");
        let mail = notifications_mail(&to(Language::English), &[n], 1).unwrap();
        assert_eq!(mail.kind, "mention");
        assert!(
            !mail.subject.contains('\n') && !mail.subject.contains('\r'),
            "{}",
            mail.subject
        );
        assert!(
            mail.subject.ends_with("mentioned you in #general"),
            "{}",
            mail.subject
        );
        assert!(mail.text.contains("https://chat.acme.io/c/3?message=4"));
        assert!(
            mail.text.contains("<script>alert(1)</script> & you"),
            "plain text is plain"
        );
        assert!(
            mail.html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; you")
        );
        assert!(mail.html.contains("&lt;b&gt;Mallory&lt;/b&gt;"));
        assert!(!mail.html.contains("<script>") && !mail.html.contains("<b>Mallory"));
        assert!(
            mail.html
                .contains("href=\"https://chat.acme.io/c/3?message=4\"")
        );
    }

    #[test]
    fn spanish_readers_get_spanish() {
        let n = notification(NotificationKind::NewMessage, "hola");
        let mail = notifications_mail(&to(Language::Spanish), &[n], 1).unwrap();
        assert!(
            mail.subject.starts_with("Nuevo mensaje de"),
            "{}",
            mail.subject
        );
        assert!(mail.text.starts_with("Hola Bob:"));
        assert!(mail.html.contains("lang=\"es\""));
        let both = [
            notification(NotificationKind::Mention, "uno"),
            notification(NotificationKind::NewMessage, "dos"),
        ];
        let digest = notifications_mail(&to(Language::Spanish), &both, 2).unwrap();
        assert_eq!(digest.kind, "digest");
        assert_eq!(digest.subject, "Tienes 2 notificaciones sin leer");
        assert!(digest.text.contains("> uno") && digest.text.contains("> dos"));
    }

    #[test]
    fn nothing_to_say_is_no_email() {
        assert!(notifications_mail(&to(Language::English), &[], 0).is_none());
    }

    #[test]
    fn a_digest_lists_the_oldest_and_counts_the_rest() {
        let shown = [
            notification(NotificationKind::Mention, "first"),
            notification(NotificationKind::Mention, "second"),
        ];
        let mail = notifications_mail(&to(Language::English), &shown, 700).unwrap();
        assert_eq!(mail.subject, "You have 700 unread notifications");
        assert!(
            mail.text.contains("and 698 more in Tandem"),
            "{}",
            mail.text
        );
        // One shown of many is a digest too, not a single mention.
        let one = notifications_mail(&to(Language::English), &shown[..1], 3).unwrap();
        assert_eq!(one.kind, "digest");
    }
}
