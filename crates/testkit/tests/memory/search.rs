//! What the store's search promises beyond the contract suite, as the SQL adapters behave:
//! whole words always rank first, and case is ignored in every script.

use super::place::Place;
use tandem_app::ports::{SearchHit, SearchQuery};
use tandem_domain::MessageId;

async fn search(place: &Place, text: &str) -> Vec<SearchHit> {
    let query = SearchQuery {
        organization_id: place.org,
        viewer: place.ana,
        text: text.to_owned(),
        channel_id: None,
        author_id: None,
        before: None,
        after: None,
        has_file: false,
        offset: 0,
        limit: 50,
    };
    place.search.search(&query).await.unwrap()
}

fn ids(hits: &[SearchHit]) -> Vec<MessageId> {
    hits.iter().map(|hit| hit.message.id).collect()
}

#[tokio::test]
async fn a_whole_word_outranks_any_number_of_partial_matches() {
    let place = Place::new().await;
    let whole = place.post(place.message(place.ana, "deploy")).await;
    // Newer and with more occurrences, but only inside longer words.
    let partial = place
        .post(place.message(place.bob, "redeploy, predeployed, redeploys (undeployable)"))
        .await;

    let hits = search(&place, "deploy").await;
    assert_eq!(ids(&hits), [whole.id, partial.id], "{hits:#?}");
    assert!(hits[0].rank > hits[1].rank);
    let punctuated = place.post(place.message(place.bob, "(deploy)!")).await;
    assert!(
        ids(&search(&place, "deploy").await).starts_with(&[punctuated.id, whole.id]),
        "punctuation ends a word"
    );
}

#[tokio::test]
async fn case_is_ignored_in_every_script() {
    let place = Place::new().await;
    let geneva = place
        .post(place.message(place.ana, "Réunion à GENÈVE"))
        .await;
    let delta = place.post(place.message(place.ana, "ΔΈΛΤΑ δέλτα")).await;

    assert_eq!(ids(&search(&place, "genève").await), [geneva.id]);
    assert_eq!(ids(&search(&place, "RÉUNION").await), [geneva.id]);
    let hits = search(&place, "δέλτα").await;
    assert_eq!(ids(&hits), [delta.id]);
    assert_eq!(hits[0].highlights, [(0, 5), (6, 11)], "both spellings");
}
