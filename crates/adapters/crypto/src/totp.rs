//! [`TotpCodes`]: time-based one-time codes (RFC 6238) by `totp-rs`, with the parameters every
//! authenticator app uses: HMAC-SHA1, six digits, 30-second steps, one step of clock drift
//! either way. Secrets are kept sealed ([`Sealer`]).

use crate::seal::{KeyError, Sealer};
use chrono::{DateTime, Utc};
use rand::RngCore;
use tandem_app::ports::{NewSecret, OneTimeCodes, SecretBox};
use totp_rs::{Builder, Secret};

/// Secrets of 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
const SECRET_BYTES: usize = 20;

pub struct TotpCodes {
    sealer: Sealer,
}

impl std::fmt::Debug for TotpCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpCodes { sealer: <hidden> }")
    }
}

impl TotpCodes {
    /// Seals secrets under a key derived from `server_key`.
    ///
    /// # Errors
    /// [`KeyError`] if the key derivation fails.
    pub fn new(server_key: &[u8]) -> Result<Self, KeyError> {
        Ok(Self {
            sealer: Sealer::new(server_key, "tandem two-factor secret")?,
        })
    }
}

impl OneTimeCodes for TotpCodes {
    fn new_secret(&self) -> NewSecret {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let shown = Secret::from(bytes.as_slice()).to_base32();
        let stored = self.sealer.seal(&shown);
        NewSecret { shown, stored }
    }

    fn matching_step(&self, stored: &str, code: &str, at: DateTime<Utc>) -> Option<i64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let secret = Secret::try_from_base32(&self.sealer.open(stored)?).ok()?;
        let totp = Builder::new().with_secret(secret).build().ok()?;
        let time = u64::try_from(at.timestamp()).ok()?;
        totp.check(code, time)
            .and_then(|step| i64::try_from(step).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes() -> TotpCodes {
        TotpCodes::new(b"a server key of at least 32 bytes").unwrap()
    }

    /// RFC 6238, appendix B: the SHA-1 key `12345678901234567890`, eight digits there; the
    /// last six digits are the six-digit codes.
    #[test]
    fn matches_the_rfc_test_vectors() {
        let secret = Secret::from(b"12345678901234567890".as_slice()).to_base32();
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            let at = DateTime::from_timestamp(time, 0).unwrap();
            assert_eq!(
                codes().matching_step(&secret, code, at),
                Some(time / 30),
                "{time}"
            );
        }
    }

    #[test]
    fn a_code_matches_one_step_of_drift_and_no_more() {
        let secret = Secret::from(b"12345678901234567890".as_slice()).to_base32();
        let code = "005924"; // step 41152263 (time 1234567890)
        let at = |time| DateTime::from_timestamp(time, 0).unwrap();
        assert!(
            codes()
                .matching_step(&secret, code, at(1_234_567_890 + 30))
                .is_some()
        );
        assert!(
            codes()
                .matching_step(&secret, code, at(1_234_567_890 - 30))
                .is_some()
        );
        assert_eq!(
            codes().matching_step(&secret, code, at(1_234_567_890 + 90)),
            None
        );
        assert_eq!(
            codes().matching_step(&secret, "5924", at(1_234_567_890)),
            None
        );
        assert_eq!(
            codes().matching_step(&secret, "00592a", at(1_234_567_890)),
            None
        );
        assert_eq!(
            codes().matching_step("not base32!", code, at(1_234_567_890)),
            None
        );
    }

    #[test]
    fn new_secrets_are_base32_of_160_bits_and_differ() {
        let (one, two) = (codes().new_secret(), codes().new_secret());
        assert_ne!(one.shown, two.shown);
        assert_eq!(one.shown.len(), 32, "{one:?}");
        assert!(Secret::try_from_base32(&one.shown).is_ok());
    }

    #[test]
    fn secrets_are_stored_sealed_and_open_only_with_the_same_key() {
        let secret = codes().new_secret();
        assert!(secret.stored.starts_with("v1:"), "{}", secret.stored);
        assert!(!secret.stored.contains(&secret.shown));
        let again = codes().new_secret();
        assert_ne!(secret.stored, again.stored, "a fresh nonce each time");

        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let totp = Builder::new()
            .with_secret(Secret::try_from_base32(&secret.shown).unwrap())
            .build()
            .unwrap();
        let code = totp.generate(1_700_000_000).to_string();
        assert!(codes().matching_step(&secret.stored, &code, now).is_some());
        let other_server = TotpCodes::new(b"another server's key, 32 bytes..").unwrap();
        assert_eq!(other_server.matching_step(&secret.stored, &code, now), None);
        // A tampered value does not open.
        let mut tampered = secret.stored.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(codes().matching_step(&tampered, &code, now), None);
        assert_eq!(codes().matching_step("v1:", &code, now), None);
        // Secrets kept before sealing (plain base32) still work.
        assert!(codes().matching_step(&secret.shown, &code, now).is_some());
    }
}
