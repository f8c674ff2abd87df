//! The password policy: what a new password must be before it is ever hashed.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

/// The most frequent passwords of real breaches (`password/breached.txt`), shipped with the
/// binary: no network is asked.
static BREACHED: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("password/breached.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Famous passphrases, too well known to protect anything whatever a breach list says.
const FAMOUS: &[&str] = &[
    "correcthorsebatterystaple",
    "correcthorsebattery",
    "correcthorse",
    "thequickbrownfox",
    "thequickbrownfoxjumpsoverthelazydog",
];

/// A plain-text password that passed the policy. Its `Debug` never shows the value.
#[derive(Clone)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("must be at least {min} characters long", min = Password::MIN_CHARS)]
    TooShort,
    /// bcrypt only reads the first 72 bytes; longer passwords would be silently truncated.
    #[error("must be at most {max} bytes long", max = Password::MAX_BYTES)]
    TooLong,
    #[error(
        "is too easy to guess: avoid common passwords, repeated characters and your own name or email"
    )]
    TooWeak,
    #[error(
        "is one of the passwords most used in breaches (or one with a few digits or symbols added): choose another"
    )]
    Breached,
}

impl PasswordError {
    pub const fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "password_too_short",
            Self::TooLong => "password_too_long",
            Self::TooWeak => "password_too_weak",
            Self::Breached => "password_breached",
        }
    }
}

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_BYTES: usize = 72;

    /// A few hundred of the passwords that lead every breach list, in lower case.
    const COMMON: &'static [&'static str] = &[
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "12345678",
        "123456789",
        "1234567890",
        "0123456789",
        "87654321",
        "11111111",
        "00000000",
        "qwertyuiop",
        "qwerty123",
        "qwerty12",
        "1q2w3e4r",
        "1qaz2wsx",
        "zaq12wsx",
        "asdfghjkl",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "welcome123",
        "letmein1",
        "trustno1",
        "dragon12",
        "superman",
        "starwars",
        "whatever",
        "computer",
        "michael1",
        "jennifer",
        "abcdefgh",
        "abcd1234",
        "abc12345",
        "admin123",
        "administrator",
        "changeme",
        "changeme1",
        "default1",
        "secret123",
        "mustang1",
        "monkey12",
        "shadow12",
        "master12",
        "football1",
        "baseball1",
        "qwerty1234",
        "azertyuiop",
        "contraseña",
        "contrasena",
        "tandem123",
        "chat1234",
        "company1",
        "welcome!",
        "password!",
        "letmein!",
    ];

    /// Checks the policy. `personal` holds words the password must not simply repeat
    /// (the username, the email's local part).
    ///
    /// # Errors
    /// [`PasswordError`] naming the rule that failed.
    pub fn parse(raw: &str, personal: &[&str]) -> Result<Self, PasswordError> {
        if raw.chars().count() < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(PasswordError::TooLong);
        }
        let lower = raw.to_lowercase();
        let distinct = {
            let mut chars: Vec<char> = lower.chars().collect();
            chars.sort_unstable();
            chars.dedup();
            chars.len()
        };
        let is_personal = personal.iter().any(|word| {
            !word.is_empty()
                && lower.contains(&word.to_lowercase())
                && word.chars().count() * 2 >= lower.chars().count()
        });
        if Self::COMMON.contains(&lower.as_str())
            || distinct < 4
            || Self::is_sequence(&lower)
            || is_personal
        {
            return Err(PasswordError::TooWeak);
        }
        if Self::is_breached(&lower) {
            return Err(PasswordError::Breached);
        }
        Ok(Self(raw.to_owned()))
    }

    /// Whether `lower` (the password in lower case) is a breached or famous password, as typed,
    /// without its separators, without the digits and symbols around it (`Summer2024!` is
    /// `summer`), or with its look-alike digits read as letters (`Passw0rd` is `password`).
    fn is_breached(lower: &str) -> bool {
        let squashed: String = lower
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
            .collect();
        let core = squashed.trim_matches(|c: char| !c.is_alphabetic());
        let candidates = [
            lower.to_owned(),
            squashed.clone(),
            core.to_owned(),
            unleet(&squashed),
            unleet(core),
        ];
        candidates.iter().any(|candidate| {
            candidate.chars().count() >= 4
                && (BREACHED.contains(candidate.as_str()) || FAMOUS.contains(&candidate.as_str()))
        })
    }

    /// Wraps a password presented at login, which is checked against a hash, not the policy.
    pub fn presented(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `abcdefgh`, `98765432` and the like.
    fn is_sequence(s: &str) -> bool {
        let bytes = s.as_bytes();
        bytes.len() >= 2
            && (bytes.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
                || bytes.windows(2).all(|w| w[0] == w[1].wrapping_add(1)))
    }
}

/// Digits and symbols read as the letters they stand in for.
fn unleet(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' | '|' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' | '+' => 't',
            '8' => 'b',
            '9' => 'g',
            other => other,
        })
        .collect()
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_passwords_pass() {
        assert!(Password::parse("violet harbor kettle", &["ana"]).is_ok());
        assert!(Password::parse("Tr1cky-Pa55", &[]).is_ok());
    }

    #[test]
    fn breached_and_famous_passwords_are_refused_however_dressed_up() {
        for raw in [
            "Summer2024",
            "Passw0rd!",
            "p@ssw0rd123",
            "iloveyou!!",
            "Football#1",
            "correct horse battery",
            "Correct-Horse-Battery-Staple",
            "monkey-2023",
        ] {
            assert_eq!(
                Password::parse(raw, &[]).unwrap_err(),
                PasswordError::Breached,
                "{raw:?}"
            );
        }
        assert!(BREACHED.len() > 29_000, "the list is shipped whole");
    }

    #[test]
    fn weak_passwords_are_refused_with_the_rule_they_break() {
        let cases: &[(&str, PasswordError)] = &[
            ("short1!", PasswordError::TooShort),
            ("password", PasswordError::TooWeak),
            ("PassWord123", PasswordError::TooWeak),
            ("aaaaaaaaaaaa", PasswordError::TooWeak),
            ("abababab", PasswordError::TooWeak),
            ("abcdefghij", PasswordError::TooWeak),
            ("98765432", PasswordError::TooWeak),
            ("anagarcia1", PasswordError::TooWeak),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                &Password::parse(raw, &["anagarcia"]).unwrap_err(),
                expected,
                "{raw:?}"
            );
        }
        assert_eq!(
            Password::parse(&"x1".repeat(40), &[]).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let p = Password::parse("violet harbor kettle", &[]).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
