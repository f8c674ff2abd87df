//! The store's file records (`FileRepository`), which no contract suite covers yet: checked
//! here against the rules of the port and of the SQL adapter.

use super::place::{Place, now};
use chrono::TimeDelta;
use tandem_app::ports::{ImageOutcome, ImageState, PortError, StoredFile};
use tandem_domain::{ChannelEventKind, FileId, UserId};

fn ids(files: &[StoredFile]) -> Vec<FileId> {
    files.iter().map(|f| f.id).collect()
}

#[tokio::test]
async fn an_upload_is_recorded_unattached_and_counts_for_its_uploader() {
    let place = Place::new().await;
    let at = now();
    let file = place.upload(place.ana, &place.channel, 1_000, at).await;

    assert_eq!(
        (file.message_id, file.image_state),
        (None, ImageState::Pending)
    );
    assert_eq!(
        (file.size, file.created_at, file.filename.as_str()),
        (1_000, at, "photo.png")
    );
    assert_eq!(file.thumb_key, None);
    let found = place.files.find(file.id).await.unwrap().unwrap();
    assert_eq!(found.blob_key, file.blob_key);
    place.upload(place.ana, &place.other, 500, at).await;
    place.upload(place.bob, &place.channel, 7, at).await;
    assert_eq!(place.files.bytes_used(place.ana).await.unwrap(), 1_500);
    assert_eq!(
        place.files.bytes_used(UserId::new(i64::MAX)).await.unwrap(),
        0
    );
    assert_eq!(
        place
            .files
            .find(FileId::new(i64::MAX))
            .await
            .unwrap()
            .map(|f| f.id),
        None
    );
}

#[tokio::test]
async fn sharing_attaches_the_files_to_the_message_in_the_order_given() {
    let place = Place::new().await;
    let first = place.upload(place.ana, &place.channel, 10, now()).await;
    let second = place.upload(place.ana, &place.channel, 20, now()).await;

    let message = place.share(place.ana, &[second.id, first.id]).await;
    let shown: Vec<FileId> = message.attachments.iter().map(|a| a.id).collect();
    assert_eq!(shown, [second.id, first.id]);
    assert_eq!(message.attachments[0], second.attachment());
    for file in [&first, &second] {
        let stored = place.files.find(file.id).await.unwrap().unwrap();
        assert_eq!(stored.message_id, Some(message.id));
    }
    let found = place
        .messages
        .find(message.id, place.bob)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.attachments, message.attachments);
    let later = now() + TimeDelta::hours(1);
    assert!(
        place
            .files
            .unattached_before(later, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_file_that_cannot_be_shared_refuses_the_whole_message() {
    let place = Place::new().await;
    let mine = place.upload(place.ana, &place.channel, 10, now()).await;
    let bobs = place.upload(place.bob, &place.channel, 10, now()).await;
    let elsewhere = place.upload(place.ana, &place.other, 10, now()).await;
    let shared = place.upload(place.ana, &place.channel, 10, now()).await;
    place.share(place.ana, &[shared.id]).await;
    let before = place.last_seq().await;

    for refused in [
        vec![mine.id, bobs.id],
        vec![mine.id, elsewhere.id],
        vec![mine.id, shared.id],
        vec![mine.id, FileId::new(i64::MAX)],
        vec![mine.id, mine.id],
    ] {
        let result = place
            .messages
            .append(place.sharing(place.ana, &refused))
            .await;
        assert!(
            matches!(result, Err(PortError::NotFound)),
            "{refused:?}: {result:?}"
        );
    }
    assert_eq!(place.last_seq().await, before, "nothing written");
    let still = place.files.find(mine.id).await.unwrap().unwrap();
    assert_eq!(still.message_id, None, "not half attached");
}

#[tokio::test]
async fn an_image_result_of_an_unshared_upload_changes_only_the_record() {
    let place = Place::new().await;
    let file = place.upload(place.ana, &place.channel, 10, now()).await;
    let before = place.last_seq().await;
    let (thumb, web) = (file.blob_key.derived("thumb"), file.blob_key.derived("web"));
    let outcome = ImageOutcome::Done {
        width: 640,
        height: 480,
        thumb_key: thumb.clone(),
        web_key: web.clone(),
    };

    let changed = place
        .files
        .record_image(file.id, outcome, place.ana, now())
        .await;
    assert!(changed.unwrap().is_none());
    let stored = place.files.find(file.id).await.unwrap().unwrap();
    assert_eq!(stored.image_state, ImageState::Done);
    assert_eq!((stored.width, stored.height), (Some(640), Some(480)));
    assert_eq!(stored.blob_keys(), [file.blob_key.clone(), thumb, web]);
    assert_eq!(place.last_seq().await, before, "no event without a message");
    let unknown = place
        .files
        .record_image(FileId::new(i64::MAX), ImageOutcome::Plain, place.ana, now())
        .await;
    assert!(matches!(unknown, Err(PortError::NotFound)), "{unknown:?}");
}

#[tokio::test]
async fn an_image_result_of_a_shared_file_logs_an_edit_of_its_message() {
    let place = Place::new().await;
    let file = place.upload(place.ana, &place.channel, 10, now()).await;
    let message = place.share(place.ana, &[file.id]).await;
    let at = now();

    let (seen, event) = place
        .files
        .record_image(file.id, ImageOutcome::Plain, place.bob, at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.kind, ChannelEventKind::MessageEdited);
    assert_eq!(
        (event.seq, event.message_id),
        (message.seq + 1, Some(message.id))
    );
    assert_eq!((event.actor_id, event.created_at), (place.bob, at));
    assert_eq!(seen.id, message.id);
    assert!(!seen.attachments[0].inline, "a plain file now");
    assert_eq!(seen.content, message.content, "the words stay");
    let stored = place.files.find(file.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.image_state, stored.inline),
        (ImageState::Plain, false)
    );
}

#[tokio::test]
async fn removing_a_messages_files_stops_them_at_once_until_they_are_forgotten() {
    let place = Place::new().await;
    let first = place.upload(place.ana, &place.channel, 10, now()).await;
    let second = place.upload(place.ana, &place.channel, 20, now()).await;
    let kept = place.upload(place.ana, &place.channel, 5, now()).await;
    let message = place.share(place.ana, &[second.id, first.id]).await;
    place
        .messages
        .delete(message.id, place.ana, now())
        .await
        .unwrap();
    let tombstone = place
        .messages
        .find(message.id, place.ana)
        .await
        .unwrap()
        .unwrap();
    assert!(
        tombstone.attachments.is_empty(),
        "a tombstone shows no files"
    );

    let removed = place.files.remove_for_message(message.id).await.unwrap();
    assert_eq!(ids(&removed), [second.id, first.id], "in their order");
    assert_eq!(
        place.files.find(first.id).await.unwrap().map(|f| f.id),
        None
    );
    assert_eq!(place.files.bytes_used(place.ana).await.unwrap(), kept.size);
    let late = place
        .files
        .record_image(first.id, ImageOutcome::Plain, place.ana, now())
        .await;
    assert!(matches!(late, Err(PortError::NotFound)), "{late:?}");
    assert!(
        place
            .files
            .remove_for_message(message.id)
            .await
            .unwrap()
            .is_empty()
    );

    place.files.forget(&ids(&removed)).await.unwrap();
    place.files.forget(&ids(&removed)).await.unwrap();
    assert_eq!(
        place.files.find(kept.id).await.unwrap().map(|f| f.id),
        Some(kept.id)
    );
}

#[tokio::test]
async fn unshared_uploads_are_swept_oldest_first_once_their_grace_is_over() {
    let place = Place::new().await;
    let start = now() - TimeDelta::hours(3);
    let at = |hours: i64| start + TimeDelta::hours(hours);
    let newest = place.upload(place.ana, &place.channel, 1, at(2)).await;
    let oldest = place.upload(place.bob, &place.channel, 1, at(0)).await;
    let middle = place.upload(place.ana, &place.other, 1, at(1)).await;
    let shared = place.upload(place.ana, &place.channel, 1, at(0)).await;
    place.share(place.ana, &[shared.id]).await;

    let swept = place.files.unattached_before(at(2), 10).await.unwrap();
    assert_eq!(ids(&swept), [oldest.id, middle.id], "strictly before");
    let one = place.files.unattached_before(at(3), 1).await.unwrap();
    assert_eq!(ids(&one), [oldest.id]);
    place.files.forget(&[oldest.id]).await.unwrap();
    let rest = place.files.unattached_before(at(3), 10).await.unwrap();
    assert_eq!(ids(&rest), [middle.id, newest.id]);
}
