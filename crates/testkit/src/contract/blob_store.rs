//! Contract suite for [`BlobStore`]: what every blob store adapter must do.
//!
//! Every case writes under fresh random keys, so the suite can run again (and concurrently)
//! against one shared bucket or directory without cleaning it.

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream};
use tandem_app::ports::{BlobError, BlobKey, BlobStore, ByteRange, ByteStream};

/// Runs every case in this suite against `store`.
pub async fn run_all(store: &dyn BlobStore) {
    small_and_empty_blobs_round_trip(store).await;
    a_multi_mebibyte_body_in_many_chunks_round_trips_byte_for_byte(store).await;
    ranges_select_the_bytes_they_name(store).await;
    ranges_outside_the_blob_are_not_satisfiable(store).await;
    a_missing_key_is_not_found(store).await;
    delete_removes_the_blob_and_is_idempotent(store).await;
    a_body_that_fails_midway_leaves_nothing_and_returns_its_error(store).await;
    a_body_that_fails_leaves_the_previous_blob_untouched(store).await;
    putting_again_replaces_the_blob(store).await;
    derived_keys_are_separate_blobs(store).await;
    concurrent_puts_of_different_keys_keep_each_blob_intact(store).await;
}

pub async fn small_and_empty_blobs_round_trip(store: &dyn BlobStore) {
    for content in [&b"hello, blob"[..], b"", b"\0\xff binary \x7f"] {
        let key = key();
        let written = store.put(&key, body(&[content])).await.unwrap();
        assert_eq!(written, content.len() as u64);
        let read = store.get(&key, None).await.unwrap();
        assert_eq!(read.total_size, content.len() as u64);
        assert_eq!(read.len(), content.len() as u64);
        assert!(!read.is_partial());
        assert_eq!(collect(read.body).await, content, "{content:?}");
    }
}

/// Irregular chunk sizes across several multipart parts: order and boundaries must survive.
pub async fn a_multi_mebibyte_body_in_many_chunks_round_trips_byte_for_byte(store: &dyn BlobStore) {
    let content = pattern(12 * 1024 * 1024 + 12_345, 7);
    let chunks: Vec<&[u8]> = content.chunks(100_003).collect();
    assert!(chunks.len() > 100);
    let key = key();
    let written = store.put(&key, body(&chunks)).await.unwrap();
    assert_eq!(written, content.len() as u64);

    let read = store.get(&key, None).await.unwrap();
    assert_eq!(
        (read.start, read.end_inclusive),
        (0, content.len() as u64 - 1)
    );
    let stored = collect(read.body).await;
    assert_eq!(stored.len(), content.len());
    assert!(
        stored == content,
        "the stored bytes differ from the uploaded ones"
    );
}

pub async fn ranges_select_the_bytes_they_name(store: &dyn BlobStore) {
    let content = pattern(10_000, 3);
    let key = key();
    store.put(&key, body(&[&content])).await.unwrap();
    let last = content.len() as u64 - 1;
    for (start, end_inclusive, expected_end) in [
        (0, None, last),
        (1234, None, last),
        (100, Some(199), 199),
        (0, Some(0), 0),
        (last, None, last),
        (last, Some(last), last),
        // An end past the blob is cut to its last byte, as HTTP does.
        (9_000, Some(50_000), last),
    ] {
        let range = ByteRange {
            start,
            end_inclusive,
        };
        let read = store.get(&key, Some(range)).await.unwrap();
        assert_eq!(read.total_size, content.len() as u64, "{range:?}");
        assert_eq!(
            (read.start, read.end_inclusive),
            (start, expected_end),
            "{range:?}"
        );
        assert_eq!(read.len(), expected_end - start + 1);
        let expected = &content[start as usize..=expected_end as usize];
        assert!(collect(read.body).await == expected, "{range:?}");
    }
}

pub async fn ranges_outside_the_blob_are_not_satisfiable(store: &dyn BlobStore) {
    let key = key();
    store.put(&key, body(&[b"0123456789"])).await.unwrap();
    for (start, end_inclusive) in [(10, None), (10, Some(20)), (500, None), (5, Some(4))] {
        let range = ByteRange {
            start,
            end_inclusive,
        };
        match store.get(&key, Some(range)).await {
            Err(BlobError::RangeNotSatisfiable { total_size: 10 }) => {}
            other => panic!("{range:?}: expected RangeNotSatisfiable of 10, got {other:?}"),
        }
    }
    let empty = self::key();
    store.put(&empty, body(&[])).await.unwrap();
    let range = ByteRange {
        start: 0,
        end_inclusive: None,
    };
    match store.get(&empty, Some(range)).await {
        Err(BlobError::RangeNotSatisfiable { total_size: 0 }) => {}
        other => panic!("a range of an empty blob: got {other:?}"),
    }
}

pub async fn a_missing_key_is_not_found(store: &dyn BlobStore) {
    let key = key();
    assert_not_found(store, &key).await;
    let range = ByteRange {
        start: 0,
        end_inclusive: Some(10),
    };
    match store.get(&key, Some(range)).await {
        Err(BlobError::NotFound) => {}
        other => panic!("a ranged get of a missing key: expected NotFound, got {other:?}"),
    }
}

pub async fn delete_removes_the_blob_and_is_idempotent(store: &dyn BlobStore) {
    let key = key();
    store.put(&key, body(&[b"short-lived"])).await.unwrap();
    store.delete(&key).await.unwrap();
    assert_not_found(store, &key).await;
    store.delete(&key).await.unwrap();
    store.delete(&self::key()).await.unwrap();
}

/// The failure comes after more than one multipart part has been sent, so adapters must
/// really abort the upload, not just skip its completion.
pub async fn a_body_that_fails_midway_leaves_nothing_and_returns_its_error(store: &dyn BlobStore) {
    let key = key();
    let content = pattern(11 * 1024 * 1024, 5);
    match store.put(&key, failing_body(&content)).await {
        Err(BlobError::Body(error)) => assert!(
            error.downcast_ref::<ClientGone>().is_some(),
            "the body's own error must come back unchanged, got {error:?}"
        ),
        other => panic!("expected the body's error, got {other:?}"),
    }
    assert_not_found(store, &key).await;
}

pub async fn a_body_that_fails_leaves_the_previous_blob_untouched(store: &dyn BlobStore) {
    let key = key();
    store
        .put(&key, body(&[b"the first version"]))
        .await
        .unwrap();
    let failed = store.put(&key, failing_body(&pattern(64 * 1024, 9))).await;
    assert!(matches!(failed, Err(BlobError::Body(_))), "{failed:?}");
    let read = store.get(&key, None).await.unwrap();
    assert_eq!(collect(read.body).await, b"the first version");
}

pub async fn putting_again_replaces_the_blob(store: &dyn BlobStore) {
    let key = key();
    store
        .put(&key, body(&[b"a longer first version"]))
        .await
        .unwrap();
    store.put(&key, body(&[b"second"])).await.unwrap();
    let read = store.get(&key, None).await.unwrap();
    assert_eq!(read.total_size, 6);
    assert_eq!(collect(read.body).await, b"second");
}

pub async fn derived_keys_are_separate_blobs(store: &dyn BlobStore) {
    let original = key();
    let thumbnail = original.derived("thumb");
    assert_eq!(thumbnail.as_str(), format!("{}.thumb", original.as_str()));
    store.put(&original, body(&[b"original"])).await.unwrap();
    store.put(&thumbnail, body(&[b"thumb"])).await.unwrap();
    store.delete(&original).await.unwrap();
    let read = store.get(&thumbnail, None).await.unwrap();
    assert_eq!(collect(read.body).await, b"thumb");
}

pub async fn concurrent_puts_of_different_keys_keep_each_blob_intact(store: &dyn BlobStore) {
    let blobs: Vec<(BlobKey, Vec<u8>)> = (0..8u8)
        .map(|i| (key(), pattern(200_000 + usize::from(i) * 7_919, i)))
        .collect();
    let puts = blobs.iter().map(|(key, content)| {
        let chunks: Vec<&[u8]> = content.chunks(16 * 1024).collect();
        store.put(key, body(&chunks))
    });
    for written in futures_util::future::join_all(puts).await {
        written.unwrap();
    }
    for (key, content) in &blobs {
        let read = store.get(key, None).await.unwrap();
        assert!(collect(read.body).await == *content, "{key}");
    }
}

/// The error a client's body stream fails with in these cases.
#[derive(Debug, thiserror::Error)]
#[error("the client went away")]
pub struct ClientGone;

fn key() -> BlobKey {
    let key = BlobKey::generate("contract");
    assert_ne!(key, BlobKey::generate("contract"), "keys must be random");
    key
}

fn body(chunks: &[&[u8]]) -> ByteStream {
    let chunks: Vec<_> = chunks
        .iter()
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(chunks).boxed()
}

/// `content` in 256 KiB chunks, then the client goes away.
fn failing_body(content: &[u8]) -> ByteStream {
    let mut chunks: Vec<Result<Bytes, BlobError>> = content
        .chunks(256 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    chunks.push(Err(BlobError::Body(Box::new(ClientGone))));
    chunks.push(Ok(Bytes::from_static(b"never read")));
    stream::iter(chunks).boxed()
}

async fn collect(body: ByteStream) -> Vec<u8> {
    body.try_fold(Vec::new(), |mut all, chunk| async move {
        all.extend_from_slice(&chunk);
        Ok(all)
    })
    .await
    .unwrap()
}

async fn assert_not_found(store: &dyn BlobStore, key: &BlobKey) {
    match store.get(key, None).await {
        Err(BlobError::NotFound) => {}
        other => panic!("{key}: expected NotFound, got {other:?}"),
    }
}

/// `len` bytes that differ from any shifted copy of themselves, so a lost, doubled or
/// reordered chunk shows.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ u64::from(seed);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}
