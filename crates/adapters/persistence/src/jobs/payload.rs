//! The stored form of a job: JSON tagged with its kind, `{"kind":"process_image","file_id":1}`.
//!
//! A mirror of [`Job`] rather than serde on the port type, so that the use cases stay free of
//! serialization and a new kind of job does not compile until its stored form is chosen.

use serde::{Deserialize, Serialize};
use tandem_app::ports::Job;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Payload {
    ProcessImage {
        file_id: i64,
    },
    DeleteBlobs {
        keys: Vec<String>,
    },
    NotifyMessage {
        message_id: i64,
    },
    NotifyInvite {
        channel_id: i64,
        user_id: i64,
        by: i64,
    },
    NotifyReport {
        message_id: i64,
        reported_by: i64,
    },
    SendMail {
        mail_id: i64,
    },
    DeliverWebhook {
        delivery_id: i64,
    },
}

/// The job as the `payload` column holds it.
pub(super) fn encode(job: &Job) -> Result<String, serde_json::Error> {
    let payload = match job.clone() {
        Job::ProcessImage { file_id } => Payload::ProcessImage { file_id },
        Job::DeleteBlobs { keys } => Payload::DeleteBlobs { keys },
        Job::NotifyMessage { message_id } => Payload::NotifyMessage { message_id },
        Job::NotifyInvite {
            channel_id,
            user_id,
            by,
        } => Payload::NotifyInvite {
            channel_id,
            user_id,
            by,
        },
        Job::NotifyReport {
            message_id,
            reported_by,
        } => Payload::NotifyReport {
            message_id,
            reported_by,
        },
        Job::SendMail { mail_id } => Payload::SendMail { mail_id },
        Job::DeliverWebhook { delivery_id } => Payload::DeliverWebhook { delivery_id },
    };
    serde_json::to_string(&payload)
}

/// The job a `payload` column holds; an error for an unknown kind or a broken document.
pub(super) fn decode(payload: &str) -> Result<Job, serde_json::Error> {
    Ok(match serde_json::from_str(payload)? {
        Payload::ProcessImage { file_id } => Job::ProcessImage { file_id },
        Payload::DeleteBlobs { keys } => Job::DeleteBlobs { keys },
        Payload::NotifyMessage { message_id } => Job::NotifyMessage { message_id },
        Payload::NotifyInvite {
            channel_id,
            user_id,
            by,
        } => Job::NotifyInvite {
            channel_id,
            user_id,
            by,
        },
        Payload::NotifyReport {
            message_id,
            reported_by,
        } => Job::NotifyReport {
            message_id,
            reported_by,
        },
        Payload::SendMail { mail_id } => Job::SendMail { mail_id },
        Payload::DeliverWebhook { delivery_id } => Job::DeliverWebhook { delivery_id },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    #[test]
    fn payloads_are_json_tagged_with_the_kind_of_the_job() {
        let cases = [
            (
                Job::ProcessImage { file_id: 1 },
                r#"{"kind":"process_image","file_id":1}"#,
            ),
            (
                Job::DeleteBlobs {
                    keys: vec!["files/a".to_owned(), "files/a.thumb".to_owned()],
                },
                r#"{"kind":"delete_blobs","keys":["files/a","files/a.thumb"]}"#,
            ),
            (
                Job::NotifyMessage { message_id: 7 },
                r#"{"kind":"notify_message","message_id":7}"#,
            ),
            (
                Job::NotifyInvite {
                    channel_id: 3,
                    user_id: 4,
                    by: 5,
                },
                r#"{"kind":"notify_invite","channel_id":3,"user_id":4,"by":5}"#,
            ),
            (
                Job::NotifyReport {
                    message_id: 7,
                    reported_by: 8,
                },
                r#"{"kind":"notify_report","message_id":7,"reported_by":8}"#,
            ),
            (
                Job::SendMail { mail_id: 9 },
                r#"{"kind":"send_mail","mail_id":9}"#,
            ),
            (
                Job::DeliverWebhook { delivery_id: 10 },
                r#"{"kind":"deliver_webhook","delivery_id":10}"#,
            ),
        ];
        for (job, json) in cases {
            assert_eq!(encode(&job).unwrap(), json);
            assert_eq!(decode(json).unwrap(), job);
            let tag: serde_json::Value = serde_json::from_str(json).unwrap();
            assert_eq!(tag["kind"], job.kind(), "the tag is the port's kind name");
        }
    }

    #[test]
    fn unknown_kinds_and_broken_documents_do_not_decode() {
        for bad in [
            r#"{"kind":"send_email","to":"a@b.c"}"#,
            r#"{"kind":"process_image"}"#,
            r#"{"file_id":1}"#,
            "not json",
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
