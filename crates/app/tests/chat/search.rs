//! Searching: only what the caller may read, and any text is only ever text.

use crate::world::{assert_invalid, world};
use tandem_app::channels::ChatError;
use tandem_app::messages::{SearchRequest, delete_message, search_messages};
use tandem_domain::{Actor, MessageId};

fn query(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.to_owned(),
        ..SearchRequest::default()
    }
}

async fn found(
    w: &crate::world::World,
    who: &Actor,
    request: SearchRequest,
) -> Result<Vec<MessageId>, ChatError> {
    let hits = search_messages(w.chat(), who, request).await?;
    let mut ids: Vec<MessageId> = hits.into_iter().map(|h| h.message.id).collect();
    ids.sort_unstable();
    Ok(ids)
}

#[tokio::test]
async fn search_finds_only_messages_of_channels_the_caller_may_read() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let globex = w.globex().await;
    let public = w.send(&w.bob, general.id, "deploy at noon").await;
    let private = w.send(&w.bob, staff.id, "deploy keys rotated").await;
    let foreign = w.send(&w.dee, globex.id, "deploy globex").await;

    assert_eq!(
        found(&w, &w.bob, query("deploy")).await.unwrap(),
        [public.id, private.id]
    );
    assert_eq!(
        found(&w, &w.cy, query("deploy")).await.unwrap(),
        [public.id]
    );
    assert_eq!(
        found(&w, &w.dee, query("DEPLOY")).await.unwrap(),
        [foreign.id]
    );
    let narrowed = SearchRequest {
        channel_id: Some(staff.id),
        ..query("deploy")
    };
    assert!(
        found(&w, &w.cy, narrowed).await.unwrap().is_empty(),
        "naming a channel does not open it"
    );
}

#[tokio::test]
async fn a_blank_search_is_refused() {
    let w = world().await;
    for blank in ["", "   ", "\n\t"] {
        let result = search_messages(w.chat(), &w.ana, query(blank)).await;
        assert_invalid(&result, "q", "required");
    }
}

#[tokio::test]
async fn deleted_messages_are_not_found_by_search() {
    let w = world().await;
    let general = w.general().await;
    let kept = w.send(&w.bob, general.id, "release notes").await;
    let gone = w.send(&w.bob, general.id, "release party").await;
    delete_message(w.chat(), &w.bob, gone.id).await.unwrap();
    assert_eq!(
        found(&w, &w.ana, query("release")).await.unwrap(),
        [kept.id]
    );
}

#[tokio::test]
async fn injection_looking_queries_are_plain_text() {
    let w = world().await;
    let general = w.general().await;
    let sql = w
        .send(&w.bob, general.id, "'; DROP TABLE messages; --")
        .await;
    w.send(&w.bob, general.id, "an ordinary message").await;
    assert_eq!(
        found(&w, &w.ana, query("DROP TABLE")).await.unwrap(),
        [sql.id]
    );
    assert_eq!(found(&w, &w.ana, query("; --")).await.unwrap(), [sql.id]);
    for odd in [
        "%",
        "_",
        "' OR '1'='1",
        "\\",
        "*",
        "\"unclosed",
        "a:b | c & !d",
    ] {
        let result = found(&w, &w.ana, query(odd)).await.unwrap();
        assert!(result.is_empty(), "{odd:?} matches no message: {result:?}");
    }
}
