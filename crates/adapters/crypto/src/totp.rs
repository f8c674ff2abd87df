//! [`TotpCodes`]: time-based one-time codes (RFC 6238) by `totp-rs`, with the parameters every
//! authenticator app uses: HMAC-SHA1, six digits, 30-second steps, one step of clock drift
//! either way.

use chrono::{DateTime, Utc};
use rand::RngCore;
use tandem_app::ports::OneTimeCodes;
use totp_rs::{Builder, Secret};

/// Secrets of 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
const SECRET_BYTES: usize = 20;

#[derive(Debug, Default, Clone, Copy)]
pub struct TotpCodes;

impl OneTimeCodes for TotpCodes {
    fn new_secret(&self) -> String {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Secret::from(bytes.as_slice()).to_base32()
    }

    fn matching_step(&self, secret: &str, code: &str, at: DateTime<Utc>) -> Option<i64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let secret = Secret::try_from_base32(secret).ok()?;
        let totp = Builder::new().with_secret(secret).build().ok()?;
        let time = u64::try_from(at.timestamp()).ok()?;
        totp.check(code, time)
            .and_then(|step| i64::try_from(step).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                TotpCodes.matching_step(&secret, code, at),
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
            TotpCodes
                .matching_step(&secret, code, at(1_234_567_890 + 30))
                .is_some()
        );
        assert!(
            TotpCodes
                .matching_step(&secret, code, at(1_234_567_890 - 30))
                .is_some()
        );
        assert_eq!(
            TotpCodes.matching_step(&secret, code, at(1_234_567_890 + 90)),
            None
        );
        assert_eq!(
            TotpCodes.matching_step(&secret, "5924", at(1_234_567_890)),
            None
        );
        assert_eq!(
            TotpCodes.matching_step(&secret, "00592a", at(1_234_567_890)),
            None
        );
        assert_eq!(
            TotpCodes.matching_step("not base32!", code, at(1_234_567_890)),
            None
        );
    }

    #[test]
    fn new_secrets_are_base32_of_160_bits_and_differ() {
        let (one, two) = (TotpCodes.new_secret(), TotpCodes.new_secret());
        assert_ne!(one, two);
        assert_eq!(one.len(), 32, "{one}");
        assert!(Secret::try_from_base32(&one).is_ok());
    }
}
