//! `validator` rules that delegate to the domain parsers, so each rule is written once.

use std::borrow::Cow;
use tandem_domain::{
    ChannelDescription, ChannelName, ClientMsgId, DisplayName, Email, Emoji, InvalidInput,
    OrganizationName, ProfilePicture, ReportReason, Username,
};
use validator::ValidationError;

fn to_validation(error: InvalidInput) -> ValidationError {
    ValidationError::new(error.code).with_message(Cow::Owned(error.message))
}

/// # Errors
/// When [`Email::parse`] refuses the value.
pub fn email(value: &str) -> Result<(), ValidationError> {
    Email::parse(value).map(drop).map_err(to_validation)
}

/// # Errors
/// When [`Username::parse`] refuses the value.
pub fn username(value: &str) -> Result<(), ValidationError> {
    Username::parse(value).map(drop).map_err(to_validation)
}

/// # Errors
/// When [`OrganizationName::parse`] refuses the value.
pub fn organization_name(value: &str) -> Result<(), ValidationError> {
    OrganizationName::parse(value)
        .map(drop)
        .map_err(to_validation)
}

/// # Errors
/// When [`DisplayName::parse`] refuses the value.
pub fn display_name(value: &str) -> Result<(), ValidationError> {
    DisplayName::parse(value).map(drop).map_err(to_validation)
}

/// # Errors
/// When [`ProfilePicture::parse`] refuses the value.
pub fn profile_picture(value: &str) -> Result<(), ValidationError> {
    ProfilePicture::parse(value)
        .map(drop)
        .map_err(to_validation)
}

/// # Errors
/// When [`ChannelName::parse`] refuses the value.
pub fn channel_name(value: &str) -> Result<(), ValidationError> {
    ChannelName::parse(value).map(drop).map_err(to_validation)
}

/// # Errors
/// When [`ChannelDescription::parse`] refuses the value.
pub fn channel_description(value: &str) -> Result<(), ValidationError> {
    ChannelDescription::parse(value)
        .map(drop)
        .map_err(to_validation)
}

/// # Errors
/// When [`ClientMsgId::parse`] refuses the value.
pub fn client_msg_id(value: &str) -> Result<(), ValidationError> {
    ClientMsgId::parse(value).map(drop).map_err(to_validation)
}

/// # Errors
/// When [`Emoji::parse`] refuses the value.
pub fn emoji(value: &str) -> Result<(), ValidationError> {
    Emoji::parse(value).map(drop).map_err(to_validation)
}

/// # Errors
/// When [`ReportReason::parse`] refuses the value.
pub fn report_reason(value: &str) -> Result<(), ValidationError> {
    ReportReason::parse(value).map(drop).map_err(to_validation)
}

/// Deserializes a field that distinguishes "absent" (`None`) from `null` (`Some(None)`).
///
/// # Errors
/// When the value is neither null nor a `T`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// A query's count (`limit`, `offset`): a whole number the document's `int64` admits, so a
/// value past it is refused here as it is in a path, rather than read as a huge count.
///
/// # Errors
/// When the value is not a whole number from 0 to 2^63 − 1.
pub fn count<'de, D>(deserializer: D) -> Result<Option<u64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value: Option<u64> = serde::Deserialize::deserialize(deserializer)?;
    match value {
        Some(n) if i64::try_from(n).is_err() => Err(serde::de::Error::custom(format!(
            "{n} is past the largest count, {}",
            i64::MAX
        ))),
        other => Ok(other),
    }
}
