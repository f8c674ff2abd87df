//! The account emails, in English and Spanish: confirming an email address, an invitation to
//! join an organization, a password reset, a sign-up attempt with an address that has an
//! account, and the way back in after failed logins paused an account. Each carries one link
//! with a single-use token and says how long it is valid; the footer tells someone who asked
//! for nothing that they can ignore it.

use super::{Addressee, button, escape, one_line, page};
use crate::ports::OutgoingMail;
use tandem_domain::Language;

/// Which account email, with what it needs.
#[derive(Debug, Clone, Copy)]
pub enum AccountMail<'a> {
    /// Confirm that this address is yours (after signing up, or changing it).
    VerifyEmail { link: &'a str, valid_hours: u32 },
    /// `inviter` invites you to `organization`.
    Invitation {
        link: &'a str,
        organization: &'a str,
        inviter: &'a str,
        valid_hours: u32,
    },
    /// Choose a new password.
    PasswordReset { link: &'a str, valid_minutes: u32 },
    /// Someone tried to sign up with this address, which has an account: sign in, or choose
    /// a new password with the link.
    SignUpAttempt { link: &'a str, valid_minutes: u32 },
    /// Failed logins paused your account; if they were yours, this lets you in again.
    Unlock {
        link: &'a str,
        failures: u64,
        address: &'a str,
        valid_minutes: u32,
    },
}

struct Texts {
    verify_subject: &'static str,
    verify_body: &'static str,
    verify_action: &'static str,
    invite_subject: &'static str,
    invite_body: &'static str,
    invite_action: &'static str,
    reset_subject: &'static str,
    reset_body: &'static str,
    reset_action: &'static str,
    attempt_subject: &'static str,
    attempt_body: &'static str,
    unlock_subject: &'static str,
    unlock_body: &'static str,
    unlock_action: &'static str,
    hours: &'static str,
    minutes: &'static str,
    greeting: &'static str,
    ignore: &'static str,
}

const ENGLISH: Texts = Texts {
    verify_subject: "Confirm your email address",
    verify_body: "Confirm that {email} is your address to finish setting up your Tandem account.",
    verify_action: "Confirm my address",
    invite_subject: "{inviter} invited you to {organization} on Tandem",
    invite_body: "{inviter} invited you to join {organization} on Tandem, where the team talks.",
    invite_action: "Accept the invitation",
    reset_subject: "Reset your Tandem password",
    reset_body: "Someone asked to reset the password of your Tandem account. Choosing a new one signs you out everywhere.",
    reset_action: "Choose a new password",
    attempt_subject: "You already have a Tandem account",
    attempt_body: "Someone tried to create a Tandem account with {email}, which already has one. If it was you, sign in with your password, or choose a new one with the link below. If it was not, nothing changed and no new account was made.",
    unlock_subject: "Sign-in to your Tandem account is paused",
    unlock_body: "Someone tried to sign in to your Tandem account {failures} times without the right password, the last time from {address}, so sign-in is paused for a while. If it was you, the link below lets you in again at once. If it was not, your password held; changing it is a good idea.",
    unlock_action: "Let me sign in again",
    hours: "The link works once, for {n} hours.",
    minutes: "The link works once, for {n} minutes.",
    greeting: "Hi {name},",
    ignore: "If you did not ask for this, ignore this email: nothing changes.",
};

const SPANISH: Texts = Texts {
    verify_subject: "Confirma tu dirección de correo",
    verify_body: "Confirma que {email} es tu dirección para terminar de configurar tu cuenta de Tandem.",
    verify_action: "Confirmar mi dirección",
    invite_subject: "{inviter} te invitó a {organization} en Tandem",
    invite_body: "{inviter} te invitó a unirte a {organization} en Tandem, donde conversa el equipo.",
    invite_action: "Aceptar la invitación",
    reset_subject: "Restablece tu contraseña de Tandem",
    reset_body: "Alguien pidió restablecer la contraseña de tu cuenta de Tandem. Elegir una nueva cierra tu sesión en todos los dispositivos.",
    reset_action: "Elegir una contraseña nueva",
    attempt_subject: "Ya tienes una cuenta de Tandem",
    attempt_body: "Alguien intentó crear una cuenta de Tandem con {email}, que ya tiene una. Si fuiste tú, entra con tu contraseña, o elige una nueva con el enlace de abajo. Si no, no cambió nada ni se creó otra cuenta.",
    unlock_subject: "El acceso a tu cuenta de Tandem está en pausa",
    unlock_body: "Alguien intentó entrar en tu cuenta de Tandem {failures} veces sin la contraseña correcta, la última desde {address}, así que el acceso está en pausa un tiempo. Si fuiste tú, el enlace de abajo te deja entrar de nuevo ahora mismo. Si no, tu contraseña resistió; conviene cambiarla.",
    unlock_action: "Dejarme entrar de nuevo",
    hours: "El enlace funciona una vez, durante {n} horas.",
    minutes: "El enlace funciona una vez, durante {n} minutos.",
    greeting: "Hola {name}:",
    ignore: "Si no lo pediste, ignora este correo: no cambia nada.",
};

/// The email, ready for the outbox.
pub fn account_mail(to: &Addressee<'_>, mail: AccountMail<'_>) -> OutgoingMail {
    let t = match to.language {
        Language::English => &ENGLISH,
        Language::Spanish => &SPANISH,
    };
    let (kind, subject, body, action, link, validity) = match mail {
        AccountMail::VerifyEmail { link, valid_hours } => (
            "verify_email",
            t.verify_subject.to_owned(),
            t.verify_body.replace("{email}", to.email),
            t.verify_action,
            link,
            t.hours.replace("{n}", &valid_hours.to_string()),
        ),
        AccountMail::Invitation {
            link,
            organization,
            inviter,
            valid_hours,
        } => {
            let fill = |s: &str| {
                s.replace("{inviter}", inviter)
                    .replace("{organization}", organization)
            };
            (
                "invitation",
                fill(t.invite_subject),
                fill(t.invite_body),
                t.invite_action,
                link,
                t.hours.replace("{n}", &valid_hours.to_string()),
            )
        }
        AccountMail::PasswordReset {
            link,
            valid_minutes,
        } => (
            "password_reset",
            t.reset_subject.to_owned(),
            t.reset_body.to_owned(),
            t.reset_action,
            link,
            t.minutes.replace("{n}", &valid_minutes.to_string()),
        ),
        AccountMail::SignUpAttempt {
            link,
            valid_minutes,
        } => (
            "sign_up_attempt",
            t.attempt_subject.to_owned(),
            t.attempt_body.replace("{email}", to.email),
            t.reset_action,
            link,
            t.minutes.replace("{n}", &valid_minutes.to_string()),
        ),
        AccountMail::Unlock {
            link,
            failures,
            address,
            valid_minutes,
        } => (
            "unlock",
            t.unlock_subject.to_owned(),
            t.unlock_body
                .replace("{failures}", &failures.to_string())
                .replace("{address}", address),
            t.unlock_action,
            link,
            t.minutes.replace("{n}", &valid_minutes.to_string()),
        ),
    };
    let subject = one_line(&subject);
    let greeting = t.greeting.replace("{name}", to.name);
    let text = format!(
        "{greeting}\n\n{body}\n\n{action}: {link}\n\n{validity}\n\n--\n{}\n",
        t.ignore
    );
    let html_body = format!(
        "<p>{}</p><p>{}</p>{}<p style=\"color:#334155\">{}</p>",
        escape(&greeting),
        escape(&body),
        button(link, action),
        escape(&validity)
    );
    OutgoingMail {
        kind: kind.to_owned(),
        user_id: to.user_id,
        to: to.email.to_owned(),
        to_name: Some(to.name.to_owned()),
        html: page(to.language, &subject, &html_body, t.ignore, None),
        subject,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_domain::UserId;

    fn to(language: Language) -> Addressee<'static> {
        Addressee {
            user_id: Some(UserId::new(1)),
            email: "ana@acme.io",
            name: "Ana",
            language,
            base_url: "https://chat.acme.io",
        }
    }

    #[test]
    fn each_account_email_carries_its_link_and_how_long_it_works() {
        let verify = account_mail(
            &to(Language::English),
            AccountMail::VerifyEmail {
                link: "https://chat.acme.io/verify?token=abc",
                valid_hours: 24,
            },
        );
        assert_eq!(verify.kind, "verify_email");
        assert_eq!(verify.subject, "Confirm your email address");
        assert!(verify.text.contains("ana@acme.io is your address"));
        assert!(
            verify
                .text
                .contains("https://chat.acme.io/verify?token=abc")
        );
        assert!(verify.text.contains("for 24 hours"));
        assert!(
            verify
                .html
                .contains("href=\"https://chat.acme.io/verify?token=abc\"")
        );

        let reset = account_mail(
            &to(Language::Spanish),
            AccountMail::PasswordReset {
                link: "https://chat.acme.io/reset?token=x&y=1",
                valid_minutes: 30,
            },
        );
        assert_eq!(reset.kind, "password_reset");
        assert_eq!(reset.subject, "Restablece tu contraseña de Tandem");
        assert!(reset.text.starts_with("Hola Ana:"));
        assert!(reset.text.contains("durante 30 minutos"));
        assert!(reset.html.contains("token=x&amp;y=1"), "{}", reset.html);

        let attempt = account_mail(
            &to(Language::English),
            AccountMail::SignUpAttempt {
                link: "https://chat.acme.io/reset-password?token=r",
                valid_minutes: 30,
            },
        );
        assert_eq!(attempt.kind, "sign_up_attempt");
        assert_eq!(attempt.subject, "You already have a Tandem account");
        assert!(
            attempt
                .text
                .contains("with ana@acme.io, which already has one")
        );
        assert!(
            attempt
                .text
                .contains("Choose a new password: https://chat.acme.io/reset-password?token=r")
        );
        assert!(attempt.text.contains("for 30 minutes"));
    }

    #[test]
    fn invitations_escape_the_names_people_chose() {
        let mail = account_mail(
            &to(Language::English),
            AccountMail::Invitation {
                link: "https://chat.acme.io/invite?token=t",
                organization: "<Acme & Co>",
                inviter: "Bob\r\nBcc: everyone@acme.io",
                valid_hours: 72,
            },
        );
        assert_eq!(mail.kind, "invitation");
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
        assert!(mail.html.contains("&lt;Acme &amp; Co&gt;"), "{}", mail.html);
        assert!(!mail.html.contains("<Acme"));
        assert!(mail.text.contains("for 72 hours"));
    }
}
