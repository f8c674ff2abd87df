//! File sharing over HTTP: multipart uploads streamed into the blob store, and downloads with
//! ranges, validators and headers that keep active content from running in Tandem's origin.

use crate::dto::chat::UploadForm;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::{Caller, TokenQuery, authenticate_with_query};
use actix_multipart::{Field, Multipart};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, stream};
use tandem_api_types::MessageResponse;
use tandem_app::AppContext;
use tandem_app::files::{self, Download, FileVariant, Upload};
use tandem_app::messages::{self, MAX_ATTACHMENTS, SendMessage};
use tandem_app::ports::{BlobError, ByteRange, ByteStream};
use tandem_domain::{ChannelId, ClientMsgId, FileId, MessageId};
use tokio::sync::mpsc;

/// The longest caption part, in bytes (the message length rule applies after).
const MAX_TEXT_PART: usize = 64 * 1024;
/// Chunks buffered between the request body and the blob store: memory stays bounded.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Share files in a channel: one message of type `file` (or `image` when every file is a
/// previewable image) with the files as its attachments.
///
/// `multipart/form-data` with one or more parts carrying a filename (the files, in order; at
/// most 10) and optional text parts `caption` (the message's text), `client_msg_id` and
/// `reply_to_id`. Each file is streamed to storage as it arrives; its type is read from its
/// content (the declared type and extension are ignored) and checked against the accepted
/// types; its name is cleaned. A file larger than `files.max_file_bytes` stops the upload with
/// 413 as soon as it passes the limit, and nothing of it is kept. Images get a thumbnail and a
/// web-sized version in the background (metadata such as GPS positions removed); the message
/// is then updated with a `message_edited` event.
#[utoipa::path(
    tag = "files",
    params(("channel_id" = i64, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "Files (parts with a filename), and optional `caption`, `client_msg_id`, `reply_to_id`"),
    responses(
        (status = 201, description = "Shared", body = MessageResponse),
        (status = 400, description = "Malformed or interrupted multipart body", body = ErrorBody),
        (status = 403, description = "May not post in this channel", body = ErrorBody),
        (status = 404, description = "No such channel for you", body = ErrorBody),
        (status = 413, description = "A file is too large, or the storage quota is reached", body = ErrorBody),
        (status = 415, description = "Not multipart/form-data, or a file type that is not accepted", body = ErrorBody),
        (status = 422, description = "No file, an empty file, too many files, a bad name or caption", body = ErrorBody),
        (status = 429, description = "Too many uploads; see Retry-After", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/channels/{channel_id}/files")]
pub async fn upload(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the files as multipart/form-data",
        ));
    }
    let channel_id = ChannelId::new(path.into_inner());
    let actor = caller.actor();
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut command = SendMessage {
        channel_id,
        content: String::new(),
        reply_to_id: None,
        client_msg_id: None,
        attachments: Vec::new(),
    };
    while let Some(field) = multipart.next().await {
        let field = field.map_err(malformed)?;
        let disposition = field.content_disposition();
        let name = disposition
            .and_then(|d| d.get_name())
            .unwrap_or("")
            .to_owned();
        let filename = disposition
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        if let Some(filename) = filename {
            if command.attachments.len() == MAX_ATTACHMENTS {
                return Err(ApiError::field(
                    "file",
                    "too_many_files",
                    format!("a message may share at most {MAX_ATTACHMENTS} files"),
                ));
            }
            let stored = store(&ctx, &actor, channel_id, filename, field).await?;
            command.attachments.push(stored);
            continue;
        }
        match name.as_str() {
            "caption" => command.content = text(field, &name).await?,
            "client_msg_id" => {
                let raw = text(field, &name).await?;
                command.client_msg_id = Some(ClientMsgId::parse(&raw).map_err(|error| {
                    ApiError::field("client_msg_id", error.code, error.message)
                })?);
            }
            "reply_to_id" => {
                let raw = text(field, &name).await?;
                let id = raw.trim().parse::<i64>().map_err(|_| {
                    ApiError::field("reply_to_id", "invalid_id", "must be a message id")
                })?;
                command.reply_to_id = Some(MessageId::new(id));
            }
            other => {
                return Err(ApiError::field(
                    other,
                    "unknown_field",
                    "expected files and the text fields caption, client_msg_id, reply_to_id",
                ));
            }
        }
    }
    // Files stored before a later refusal are never shared; the sweep of unshared uploads
    // removes them after `files.orphan_grace_secs`.
    if command.attachments.is_empty() {
        return Err(ApiError::field(
            "file",
            "no_file",
            "send at least one file (a form part with a filename)",
        ));
    }
    let sent = messages::send_message(&ctx.chat, &actor, command).await?;
    Ok(HttpResponse::Created().json(MessageResponse::from(sent.message)))
}

/// Streams one file part into the upload use case through a small bounded channel: the part
/// is read here, on the request's task, while the use case writes to the store.
async fn store(
    ctx: &AppContext,
    actor: &tandem_domain::Actor,
    channel_id: ChannelId,
    filename: String,
    mut field: Field,
) -> Result<FileId, ApiError> {
    let (sender, receiver) = mpsc::channel::<Result<Bytes, BlobError>>(CHUNKS_IN_FLIGHT);
    let body: ByteStream = stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    })
    .fuse()
    .boxed();
    let pump = async move {
        while let Some(chunk) = field.next().await {
            let item = chunk.map_err(|error| BlobError::Body(error.to_string().into()));
            let failed = item.is_err();
            if sender.send(item).await.is_err() || failed {
                break;
            }
        }
    };
    let storing = files::upload_file(
        &ctx.files,
        actor,
        Upload {
            channel_id,
            filename,
            body,
        },
    );
    let ((), stored) = futures_util::future::join(pump, storing).await;
    Ok(stored?.id)
}

/// A text part, at most [`MAX_TEXT_PART`] bytes of UTF-8.
async fn text(mut field: Field, name: &str) -> Result<String, ApiError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field.next().await {
        bytes.extend_from_slice(&chunk.map_err(malformed)?);
        if bytes.len() > MAX_TEXT_PART {
            return Err(ApiError::field(name, "too_long", "this field is too long"));
        }
    }
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::field(name, "invalid_text", "must be UTF-8 text"))
}

fn malformed(error: actix_multipart::MultipartError) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedMultipart,
        format!("the multipart body could not be read: {error}"),
    )
}

/// Download a shared file.
///
/// `GET /api/v1/files/{file_id}`, for people who may read the channel it was shared in (its
/// uploader, before it is shared); 404 for anyone else. Supports `Range: bytes=a-b` (206, or
/// 416 past the end), `If-None-Match` (304) and caches privately for a year: a file never
/// changes. Anything but a safe image is sent as an attachment, with `nosniff` and a sandbox
/// policy. With `files.presigned_downloads_secs` set (S3), answers 302 to a short-lived URL
/// of the store instead. Browsers may pass the access token as `?token=`.
#[utoipa::path(
    tag = "files",
    params(("file_id" = i64, Path), TokenQuery),
    responses(
        (status = 200, description = "The file, with the type it was stored with (`application/octet-stream` when unknown)", content_type = "*/*"),
        (status = 206, description = "The requested range"),
        (status = 302, description = "Fetch it from the object store at `Location` (presigned downloads)"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "No such file for you", body = ErrorBody),
        (status = 416, description = "The range starts past the end", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/files/{file_id}")]
pub async fn download(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    path: web::Path<i64>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = FileId::new(path.into_inner());
    serve(&req, &ctx, id, query.into_inner(), FileVariant::Original).await
}

/// Download an image's thumbnail (see `thumbnail_url`); 404 until the image job made it.
#[utoipa::path(
    tag = "files",
    params(("file_id" = i64, Path), TokenQuery),
    responses(
        (status = 200, description = "The thumbnail (PNG or JPEG)", content_type = "image/*"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "No such file for you, or no thumbnail", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/files/{file_id}/thumbnail")]
pub async fn thumbnail(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    path: web::Path<i64>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = FileId::new(path.into_inner());
    serve(&req, &ctx, id, query.into_inner(), FileVariant::Thumbnail).await
}

/// Download an image's web-sized version (see `preview_url`): at most
/// `files.image_max_dimension` pixels a side, without the original's metadata (camera, GPS
/// position); 404 until the image job made it.
#[utoipa::path(
    tag = "files",
    params(("file_id" = i64, Path), TokenQuery),
    responses(
        (status = 200, description = "The web version (PNG or JPEG)", content_type = "image/*"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "No such file for you, or no web version", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/files/{file_id}/preview")]
pub async fn preview(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    path: web::Path<i64>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = FileId::new(path.into_inner());
    serve(&req, &ctx, id, query.into_inner(), FileVariant::Preview).await
}

async fn serve(
    req: &HttpRequest,
    ctx: &AppContext,
    id: FileId,
    query: TokenQuery,
    variant: FileVariant,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_with_query(req, ctx, query.token).await?;
    let etag = format!(
        "\"{id}-{}\"",
        match variant {
            FileVariant::Original => "o",
            FileVariant::Thumbnail => "t",
            FileVariant::Preview => "p",
        }
    );
    let range = requested_range(req, &etag);
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let opened = files::open_file(
        &ctx.files,
        &caller.actor(),
        id,
        variant,
        range,
        not_modified,
    )
    .await;
    let opened = match opened {
        Err(files::FileError::RangeNotSatisfiable { total_size }) => {
            let mut response = ApiError::from(files::FileError::RangeNotSatisfiable { total_size })
                .error_response();
            response.headers_mut().insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes */{total_size}")),
            );
            return Ok(response);
        }
        other => other?,
    };
    let (file, read) = match opened {
        Download::Redirect { url, .. } => {
            return Ok(HttpResponse::Found()
                .insert_header((header::LOCATION, url))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish());
        }
        Download::Unchanged { file } => (file, None),
        Download::Bytes { file, read } => (file, Some(read)),
    };
    let mut response = match &read {
        None => HttpResponse::NotModified(),
        Some(read) if read.is_partial() => HttpResponse::PartialContent(),
        Some(_) => HttpResponse::Ok(),
    };
    let media_type = files::served_type(&file, variant).to_owned();
    response
        .insert_header((header::ETAG, etag))
        .insert_header((
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable",
        ))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "sandbox; default-src 'none'"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            files::content_disposition(&file, variant),
        ))
        .insert_header((header::CONTENT_TYPE, media_type));
    let Some(read) = read else {
        return Ok(response.finish());
    };
    if read.is_partial() {
        response.insert_header((
            header::CONTENT_RANGE,
            format!(
                "bytes {}-{}/{}",
                read.start, read.end_inclusive, read.total_size
            ),
        ));
    }
    response.no_chunking(read.len());
    let body = read
        .body
        .map(|chunk| chunk.map_err(|error| std::io::Error::other(error.to_string())));
    Ok(response.streaming(body))
}

/// `Range: bytes=a-b` or `bytes=a-` (one range; anything else, including suffix ranges and
/// an `If-Range` that does not match, gets the whole file, as RFC 9110 allows).
fn requested_range(req: &HttpRequest, etag: &str) -> Option<ByteRange> {
    if let Some(if_range) = req.headers().get(header::IF_RANGE)
        && if_range.to_str().ok() != Some(etag)
    {
        return None;
    }
    let value = req.headers().get(header::RANGE)?.to_str().ok()?;
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let start = start.trim().parse::<u64>().ok()?;
    let end = match end.trim() {
        "" => None,
        end => Some(end.parse::<u64>().ok()?),
    };
    Some(ByteRange {
        start,
        end_inclusive: end,
    })
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}
