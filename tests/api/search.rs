//! `/api/v1/messages/search`: ranked full text over what the caller may read.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    search_finds_words_parts_of_words_and_text_without_spaces,
    search_only_shows_what_the_caller_may_read,
    search_filters_narrow_the_results,
    any_query_text_is_safe,
);

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let url = format!("/api/v1/messages/search?{query}");
    app.get_ok(&url, token).await
}

fn contents(results: &Value) -> Vec<String> {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["content"].as_str().unwrap().to_owned())
        .collect()
}

async fn search_finds_words_parts_of_words_and_text_without_spaces(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.say(
        &ana.access_token,
        general,
        "The deployment finished at noon",
    )
    .await;
    app.say(
        &ana.access_token,
        general,
        "deploy deploy deploy: the pipeline is green",
    )
    .await;
    app.say(&ana.access_token, general, "明日の会議は10時です")
        .await;
    app.say(&ana.access_token, general, "nothing relevant here")
        .await;

    let found = search(&app, &ana.access_token, "q=deploy").await;
    let texts = contents(&found);
    assert_eq!(texts.len(), 2, "{found}");
    assert_eq!(
        texts[0], "deploy deploy deploy: the pipeline is green",
        "the closer match ranks first"
    );
    let first = &found["results"][0];
    let snippet = first["snippet"].as_str().unwrap();
    for range in first["highlights"].as_array().unwrap() {
        let (start, end) = (
            range[0].as_u64().unwrap() as usize,
            range[1].as_u64().unwrap() as usize,
        );
        let marked: String = snippet.chars().skip(start).take(end - start).collect();
        assert_eq!(marked.to_lowercase(), "deploy", "{first}");
    }
    assert!(first["rank"].as_f64().unwrap() >= found["results"][1]["rank"].as_f64().unwrap());

    assert_eq!(
        contents(&search(&app, &ana.access_token, "q=deploym").await),
        ["The deployment finished at noon"]
    );
    assert_eq!(
        contents(&search(&app, &ana.access_token, &format!("q={}", urlencode("会議"))).await),
        ["明日の会議は10時です"]
    );
    assert!(contents(&search(&app, &ana.access_token, "q=zebra").await).is_empty());
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn search_only_shows_what_the_caller_may_read(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let (zoe, _) = app.organization("globex.io", "Globex").await;
    let public = app.channel(&ana.access_token, "general", "public").await;
    let secret = app.channel(&ana.access_token, "secret", "private").await;
    let theirs = app.channel(&zoe.access_token, "general", "public").await;
    app.say(&ana.access_token, public, "quarterly numbers are public")
        .await;
    app.say(&ana.access_token, secret, "quarterly numbers are secret")
        .await;
    app.say(&zoe.access_token, theirs, "quarterly numbers of globex")
        .await;
    let deleted = app
        .say(&ana.access_token, public, "quarterly numbers deleted")
        .await;
    app.send_ok(
        Method::DELETE,
        &format!("/api/v1/messages/{}", deleted["id"]),
        &ana.access_token,
        &json!({}),
    )
    .await;

    assert_eq!(
        contents(&search(&app, &bob.access_token, "q=quarterly").await),
        ["quarterly numbers are public"],
        "bob is not in #secret"
    );
    let mut for_ana = contents(&search(&app, &ana.access_token, "q=quarterly").await);
    for_ana.sort();
    assert_eq!(
        for_ana,
        [
            "quarterly numbers are public",
            "quarterly numbers are secret"
        ]
    );
    assert_eq!(
        contents(&search(&app, &zoe.access_token, "q=quarterly").await),
        ["quarterly numbers of globex"]
    );
    // Archived channels stay searchable.
    app.post_ok(
        &format!("/api/v1/channels/{public}/archive"),
        &ana.access_token,
        &json!({}),
    )
    .await;
    assert_eq!(
        contents(&search(&app, &bob.access_token, "q=quarterly").await).len(),
        1
    );
}

async fn search_filters_narrow_the_results(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let one = app.channel(&ana.access_token, "one", "public").await;
    let two = app.channel(&ana.access_token, "two", "public").await;
    app.join(&bob.access_token, one).await;
    app.say(&ana.access_token, one, "budget from ana in one")
        .await;
    app.say(&bob.access_token, one, "budget from bob in one")
        .await;
    app.say(&ana.access_token, two, "budget from ana in two")
        .await;
    let by_channel = contents(
        &search(
            &app,
            &ana.access_token,
            &format!("q=budget&channel_id={one}"),
        )
        .await,
    );
    assert_eq!(by_channel.len(), 2);
    assert!(by_channel.iter().all(|c| c.ends_with("in one")));
    assert_eq!(
        contents(
            &search(
                &app,
                &ana.access_token,
                &format!("q=budget&user_id={}", bob.id)
            )
            .await
        ),
        ["budget from bob in one"]
    );
    let future = (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339()
        .replace('+', "%2B");
    assert!(
        contents(&search(&app, &ana.access_token, &format!("q=budget&after={future}")).await)
            .is_empty()
    );
    assert_eq!(
        contents(
            &search(
                &app,
                &ana.access_token,
                &format!("q=budget&before={future}")
            )
            .await
        )
        .len(),
        3
    );
    assert!(
        contents(&search(&app, &ana.access_token, "q=budget&has=file").await).is_empty(),
        "no files yet"
    );
    let page = search(&app, &ana.access_token, "q=budget&limit=2").await;
    assert_eq!(
        (
            page["results"].as_array().unwrap().len(),
            page["next_offset"].as_u64()
        ),
        (2, Some(2))
    );
    let rest = search(&app, &ana.access_token, "q=budget&limit=2&offset=2").await;
    assert_eq!(
        (
            rest["results"].as_array().unwrap().len(),
            rest["next_offset"].as_u64()
        ),
        (1, None)
    );
}

async fn any_query_text_is_safe(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.say(&ana.access_token, general, "an ordinary message")
        .await;
    let hostile = [
        "\"",
        "'",
        "\\",
        "*",
        "NEAR(",
        "a OR b",
        "-x",
        "%_%",
        "'; DROP TABLE messages; --",
        "\"unbalanced",
        "🎉",
        "((((",
        "ordinary*",
        &"x".repeat(1000),
    ];
    for query in hostile {
        let (status, body) = status_and_json(
            app.get(
                &format!("/api/v1/messages/search?q={}", urlencode(query)),
                Some(&ana.access_token),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{query:?}: {body}");
        assert!(body["results"].is_array());
    }
    assert_error(
        app.get("/api/v1/messages/search?q=%20%20", Some(&ana.access_token))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        app.get("/api/v1/messages/search", Some(&ana.access_token))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    // The table is intact.
    assert_eq!(
        contents(&search(&app, &ana.access_token, "q=ordinary").await),
        ["an ordinary message"]
    );
}
