//! The signature of an outgoing delivery: HMAC-SHA256 (RFC 2104) with the hook's secret over
//! `"{timestamp}.{body}"`, in lower-case hex. The receiver computes the same and compares, and
//! refuses a timestamp outside its replay window (five minutes is the usual one).

use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0_u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The `X-Tandem-Signature` value: `v1=` and the hex HMAC of `"{timestamp}.{body}"`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mac = hmac_sha256(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes());
    let mut hex = String::with_capacity(3 + 64);
    hex.push_str("v1=");
    for byte in mac {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// RFC 4231's test cases 1, 2 and 6 (a key longer than the block).
    #[test]
    fn matches_the_rfc_4231_vectors() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signs_the_timestamp_and_the_body() {
        let signed = sign("whsec_x", 1_700_000_000, "{}");
        assert!(signed.starts_with("v1=") && signed.len() == 67, "{signed}");
        assert_eq!(
            &signed[3..],
            hex(&hmac_sha256(b"whsec_x", b"1700000000.{}"))
        );
        assert_ne!(signed, sign("whsec_x", 1_700_000_001, "{}"));
        assert_ne!(signed, sign("whsec_y", 1_700_000_000, "{}"));
    }
}
