//! Two `tandem` processes sharing one PostgreSQL database and one Redis: what is posted on one
//! node reaches a WebSocket on the other within a second, and both agree on who is online.
//! Needs `TEST_DATABASE_URL` and `TEST_REDIS_URL`; fails (never skips) without them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

mod postgres {
    use futures_util::StreamExt;
    use serde_json::{Value, json};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    const BIN: &str = env!("CARGO_BIN_EXE_tandem");
    const SECRET: &str = "cluster-test-signing-key-0123456789abcdefghij";

    fn required(name: &str) -> String {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: the cluster test needs PostgreSQL and Redis (make test sets both)"))
    }

    struct Node {
        child: Child,
        base: String,
        namespace: String,
    }

    impl Drop for Node {
        fn drop(&mut self) {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let _ = self.child.wait();
            let _ = std::fs::remove_dir_all(data_dir(&self.namespace));
        }
    }

    /// Where a node keeps its local files (the uploads of this test's cluster), outside the
    /// source tree.
    fn data_dir(namespace: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("tandem-cluster-{namespace}"))
    }

    fn tandem(database: &str, redis: &str, namespace: &str) -> Command {
        let mut command = Command::new(BIN);
        for (key, _) in std::env::vars() {
            if key.starts_with("TANDEM_") {
                command.env_remove(key);
            }
        }
        command
            .env("DATABASE_URL", database)
            .env("REDIS_URL", redis)
            .env("TANDEM_REDIS_NAMESPACE", namespace)
            .env("TANDEM_DATA_DIR", data_dir(namespace))
            .env("TANDEM_AUTH__JWT_SECRET", SECRET)
            .env("TANDEM_AUTH__BCRYPT_COST", "4")
            // People here join by domain and go straight to work; no mail is read.
            .env("TANDEM_AUTH__REQUIRE_EMAIL_VERIFICATION", "false")
            // Everyone signs in from 127.0.0.1.
            .env("TANDEM_LIMITS__SIGN_IN_REQUESTS_PER_MINUTE", "100000")
            .env("TANDEM_MIGRATE_ON_START", "false")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        command
    }

    async fn start(database: &str, redis: &str, namespace: &str) -> Node {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = tandem(database, redis, namespace)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .spawn()
            .unwrap();
        let mut node = Node {
            child,
            base: format!("http://127.0.0.1:{port}"),
            namespace: namespace.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(
                node.child.try_wait().unwrap().is_none(),
                "a node exited during startup"
            );
            let ready = reqwest::get(format!("{}/readyz", node.base))
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return node;
            }
            assert!(
                Instant::now() < deadline,
                "a node was not ready within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn post(
        client: &reqwest::Client,
        url: String,
        token: Option<&str>,
        body: Value,
    ) -> Value {
        let mut request = client.post(url).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{status}: {body}");
        body
    }

    async fn online(client: &reqwest::Client, node: &Node, token: &str) -> Vec<i64> {
        let body: Value = client
            .get(format!("{}/api/v1/users/online", node.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_message_posted_on_one_node_reaches_a_socket_on_the_other_and_presence_agrees() {
        let server = required("TEST_DATABASE_URL");
        let redis = required("TEST_REDIS_URL");
        let suffix = format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let name = format!("tandem_cluster_{suffix}");
        let database = tandem_persistence::provisioning::create_postgres_database(&server, &name)
            .await
            .unwrap();
        let namespace = format!("tandem-cluster-{suffix}:");
        let migrated = tandem(&database, &redis, &namespace)
            .arg("migrate")
            .status()
            .unwrap();
        assert!(migrated.success());

        let (a, b) = (
            start(&database, &redis, &namespace).await,
            start(&database, &redis, &namespace).await,
        );
        let client = reqwest::Client::new();
        let ana = post(&client, format!("{}/api/v1/auth/register", a.base), None, json!({ "email": "ana@acme.io", "username": "ana", "password": "violet harbor kettle", "organization_name": "Acme" })).await;
        let bob = post(&client, format!("{}/api/v1/auth/register", b.base), None, json!({ "email": "bob@acme.io", "username": "bob", "password": "violet harbor kettle" })).await;
        let (ana_token, bob_token) = (
            ana["access_token"].as_str().unwrap(),
            bob["access_token"].as_str().unwrap(),
        );
        let channel = post(
            &client,
            format!("{}/api/v1/channels", a.base),
            Some(ana_token),
            json!({ "name": "general" }),
        )
        .await;
        let id = channel["id"].as_i64().unwrap();
        post(
            &client,
            format!("{}/api/v1/channels/{id}/join", b.base),
            Some(bob_token),
            json!({}),
        )
        .await;

        // Ana listens on node A; Bob posts on node B.
        let mut request = format!("{}/api/v1/ws/chat/{id}", a.base.replacen("http", "ws", 1))
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {ana_token}").parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let frame = |message: Message| {
            serde_json::from_str::<Value>(message.to_text().unwrap_or("{}")).unwrap_or(Value::Null)
        };
        let ready = frame(
            tokio::time::timeout(Duration::from_secs(5), socket.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap(),
        );
        assert_eq!(ready["type"], "ready");

        let sent = post(
            &client,
            format!("{}/api/v1/channels/{id}/messages", b.base),
            Some(bob_token),
            json!({ "content": "across nodes" }),
        )
        .await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        let delivered = loop {
            let next = tokio::time::timeout_at(deadline, socket.next())
                .await
                .expect("delivered within one second")
                .unwrap()
                .unwrap();
            let value = frame(next);
            if value["type"] == "chat_message" {
                break value;
            }
        };
        assert_eq!(
            (
                delivered["seq"].clone(),
                delivered["message"]["content"].as_str()
            ),
            (sent["seq"].clone(), Some("across nodes"))
        );

        // Bob connects on node B: both nodes see him online (and Ana, connected on A).
        let bob_id = bob["user"]["id"].as_i64().unwrap();
        let ana_id = ana["user"]["id"].as_i64().unwrap();
        let mut request = format!(
            "{}/api/v1/ws/notifications/{bob_id}",
            b.base.replacen("http", "ws", 1)
        )
        .into_client_request()
        .unwrap();
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {bob_token}").parse().unwrap(),
        );
        let (bob_socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let mut agreed = false;
        for _ in 0..50 {
            let (on_a, on_b) = (
                online(&client, &a, ana_token).await,
                online(&client, &b, bob_token).await,
            );
            if on_a == on_b && on_a == [ana_id, bob_id] {
                agreed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(agreed, "both nodes list ana and bob online");

        drop(bob_socket);
        drop(socket);
        drop((a, b));
        let _ = tandem_persistence::provisioning::drop_postgres_database(&server, &name).await;
    }
}
