//! How a frame travels on the event bus: a fixed header the core reads without parsing the
//! frame, then the frame's text, encoded once by the publisher and forwarded unchanged by every
//! receiver.

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Bytes before the text: the `seq`, the origin time, the flags.
const HEADER: usize = 17;
/// The change may take the channel away from some of its listeners (a member left, the channel
/// changed): listeners check that they may still read it once they have passed it on.
const RECHECK_ACCESS: u8 = 1;

/// A frame on the bus: the channel `seq` as 8 big-endian bytes (0 for unsequenced frames such
/// as typing), when the change happened as 8 big-endian bytes of microseconds since the Unix
/// epoch (0 when not given), one byte of flags, then the frame's UTF-8 text.
///
/// The origin time lets receivers measure delivery latency (stored change → socket) without
/// parsing; it is a wall-clock time, so across nodes it is as exact as their clocks agree.
/// Nodes of a cluster must run the same envelope format: upgrade all nodes together when it
/// changes (the flags byte was added with the shared real-time core).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope(Arc<[u8]>);

impl Envelope {
    /// A stored change's frame.
    pub fn sequenced(
        seq: i64,
        origin: Option<DateTime<Utc>>,
        rechecks_access: bool,
        text: &str,
    ) -> Self {
        let micros = origin.map_or(0, |at| at.timestamp_micros());
        let mut bytes = Vec::with_capacity(HEADER + text.len());
        bytes.extend_from_slice(&seq.to_be_bytes());
        bytes.extend_from_slice(&micros.to_be_bytes());
        bytes.push(if rechecks_access { RECHECK_ACCESS } else { 0 });
        bytes.extend_from_slice(text.as_bytes());
        Self(bytes.into())
    }

    /// A frame about nothing stored (typing, presence, a notification): no `seq`, no order.
    pub fn unsequenced(text: &str) -> Self {
        Self::sequenced(0, None, false, text)
    }

    /// Reads bytes from the bus; `None` for bytes that are not an envelope.
    pub fn open(bytes: Arc<[u8]>) -> Option<Self> {
        let text = bytes.get(HEADER..)?;
        std::str::from_utf8(text).ok()?;
        Some(Self(bytes))
    }

    /// The bytes to publish.
    pub fn bytes(&self) -> Arc<[u8]> {
        self.0.clone()
    }

    /// The channel `seq` of the frame; 0 for unsequenced frames.
    pub fn seq(&self) -> i64 {
        self.0
            .first_chunk::<8>()
            .map_or(0, |bytes| i64::from_be_bytes(*bytes))
    }

    /// When the change happened, when the publisher said.
    pub fn origin(&self) -> Option<DateTime<Utc>> {
        let micros = self
            .0
            .get(8..16)
            .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
            .map_or(0, i64::from_be_bytes);
        (micros != 0)
            .then(|| DateTime::from_timestamp_micros(micros))
            .flatten()
    }

    /// Whether listeners must check they may still read the channel after passing this on.
    pub fn rechecks_access(&self) -> bool {
        self.0
            .get(16)
            .is_some_and(|flags| flags & RECHECK_ACCESS != 0)
    }

    /// The frame's text, exactly as the publisher encoded it.
    pub fn text(&self) -> &str {
        // Checked in `open` and written from a `&str` otherwise.
        self.0
            .get(HEADER..)
            .and_then(|text| std::str::from_utf8(text).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_carry_the_seq_the_origin_the_flags_and_the_text_unchanged() {
        let at = DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap();
        let sent = Envelope::sequenced(42, Some(at), true, r#"{"type":"member_left"}"#);
        let received = Envelope::open(sent.bytes()).unwrap();
        assert_eq!(received.seq(), 42);
        assert_eq!(received.origin(), Some(at));
        assert!(received.rechecks_access());
        assert_eq!(received.text(), r#"{"type":"member_left"}"#);

        let plain = Envelope::open(Envelope::unsequenced("{}").bytes()).unwrap();
        assert_eq!((plain.seq(), plain.origin()), (0, None));
        assert!(!plain.rechecks_access());
    }

    #[test]
    fn bytes_that_are_not_an_envelope_are_refused() {
        assert!(Envelope::open(Arc::from(&b"short"[..])).is_none());
        assert!(Envelope::open(Arc::from(&b"sixteen bytes!!!"[..])).is_none());
        let mut invalid = vec![0u8; HEADER];
        invalid.extend_from_slice(&[0xff, 0xfe]);
        assert!(Envelope::open(Arc::from(invalid)).is_none());
    }
}
