//! The crate graph is the architecture: dependencies point inward only
//! (domain ← app ← api-types ← adapters ← server), adapters never depend on one another, and
//! the test kit is for tests only.
//! Checked over `cargo metadata`, so a stray dependency fails the build's tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Frameworks and drivers the inner crates must never reach, even transitively.
const INFRASTRUCTURE: &[&str] = &[
    "actix-web",
    "actix-ws",
    "actix-http",
    "awc",
    "sea-orm",
    "sea-orm-migration",
    "sqlx",
    "redis",
    "deadpool-redis",
    "object_store",
    "jsonwebtoken",
    "bcrypt",
    "utoipa",
    "hyper",
    "reqwest",
    "tokio-postgres",
    "lettre",
];

const ADAPTERS: &[&str] = &[
    "tandem-http",
    "tandem-realtime",
    "tandem-persistence",
    "tandem-storage",
    "tandem-memory",
    "tandem-redis",
    "tandem-crypto",
    "tandem-mail",
    "tandem-oidc",
    "tandem-outbound",
];

struct Graph {
    /// Package name → names of its normal (non-dev, non-build) dependencies.
    edges: HashMap<String, BTreeSet<String>>,
}

impl Graph {
    fn load() -> Self {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        // The host's dependency graph only: other platforms' crates (wasm, windows) are never
        // downloaded here, and `--offline` must not need them.
        let version = std::process::Command::new(&cargo)
            .arg("-vV")
            .output()
            .expect("cargo -vV runs");
        let host = String::from_utf8_lossy(&version.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
            .expect("cargo -vV names the host");
        let output = std::process::Command::new(cargo)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--offline",
                "--filter-platform",
                &host,
                "--manifest-path",
            ])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
        let names: HashMap<&str, &str> = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
            .collect();
        let mut edges = HashMap::new();
        for node in metadata["resolve"]["nodes"].as_array().unwrap() {
            let deps = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].is_null())
                })
                .map(|d| names[d["pkg"].as_str().unwrap()].to_owned())
                .collect();
            edges.insert(names[node["id"].as_str().unwrap()].to_owned(), deps);
        }
        Self { edges }
    }

    fn direct(&self, package: &str) -> &BTreeSet<String> {
        self.edges
            .get(package)
            .unwrap_or_else(|| panic!("{package} is in the workspace"))
    }

    fn reachable(&self, package: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![package.to_owned()];
        while let Some(next) = stack.pop() {
            for dep in self.edges.get(&next).into_iter().flatten() {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen
    }
}

#[test]
fn the_domain_and_the_use_cases_know_no_framework_or_driver() {
    let graph = Graph::load();
    for inner in ["tandem-domain", "tandem-app"] {
        let reached = graph.reachable(inner);
        let leaks: Vec<_> = INFRASTRUCTURE
            .iter()
            .filter(|name| reached.contains(**name))
            .collect();
        assert!(
            leaks.is_empty(),
            "{inner} depends (transitively) on {leaks:?}"
        );
    }
}

#[test]
fn dependencies_point_inward_only() {
    let graph = Graph::load();
    let domain = graph.direct("tandem-domain");
    assert!(
        domain.iter().all(|d| !d.starts_with("tandem-")),
        "the domain depends on no other crate of ours: {domain:?}"
    );
    let app = graph.direct("tandem-app");
    let ours: Vec<_> = app.iter().filter(|d| d.starts_with("tandem-")).collect();
    assert_eq!(
        ours,
        ["tandem-domain"],
        "the use cases depend on the domain only"
    );
    for adapter in ADAPTERS {
        let deps = graph.direct(adapter);
        let others: Vec<_> = deps
            .iter()
            .filter(|d| ADAPTERS.contains(&d.as_str()) || *d == "tandem-server")
            .collect();
        assert!(
            others.is_empty(),
            "{adapter} depends on {others:?}: adapters only meet in the server"
        );
    }
}

#[test]
fn the_shared_interface_types_know_the_use_cases_but_no_adapter_or_framework() {
    // tandem-api-types holds what the REST and real-time adapters share (JSON shapes, frames,
    // the error table, bearer parsing); it must not become a back door between adapters, nor
    // bring a web framework or a driver into them. utoipa documents the shapes.
    let graph = Graph::load();
    let ours: Vec<_> = graph
        .direct("tandem-api-types")
        .iter()
        .filter(|d| d.starts_with("tandem-"))
        .cloned()
        .collect();
    assert_eq!(ours, ["tandem-app", "tandem-domain"]);
    let reached = graph.reachable("tandem-api-types");
    let leaks: Vec<_> = INFRASTRUCTURE
        .iter()
        .filter(|name| **name != "utoipa" && reached.contains(**name))
        .collect();
    assert!(leaks.is_empty(), "tandem-api-types reaches {leaks:?}");
}

#[test]
fn the_test_kit_is_for_tests_only_and_knows_no_adapter() {
    let graph = Graph::load();
    let ours: Vec<_> = graph
        .direct("tandem-testkit")
        .iter()
        .filter(|d| d.starts_with("tandem-"))
        .cloned()
        .collect();
    assert_eq!(ours, ["tandem-app", "tandem-domain"]);
    let shipped: Vec<_> = graph
        .edges
        .iter()
        .filter(|(_, deps)| deps.contains("tandem-testkit"))
        .map(|(package, _)| package.clone())
        .collect();
    assert!(
        shipped.is_empty(),
        "{shipped:?} depend on tandem-testkit outside their tests"
    );
}

#[test]
fn every_crate_of_ours_has_its_place_in_the_graph() {
    // A new crate must be classified here (and so checked by the rules above).
    let known: Vec<&str> = [
        "tandem-domain",
        "tandem-app",
        "tandem-api-types",
        "tandem-testkit",
    ]
    .into_iter()
    .chain(ADAPTERS.iter().copied())
    .chain([
        "tandem-server",
        "tandem-migrations",
        "tandem-tests",
        "tandem-load",
    ])
    .collect();
    let graph = Graph::load();
    let unknown: Vec<_> = graph
        .edges
        .keys()
        .filter(|p| p.starts_with("tandem-") && !known.contains(&p.as_str()))
        .collect();
    assert!(unknown.is_empty(), "unclassified crates: {unknown:?}");
}

#[test]
fn the_check_itself_sees_real_edges() {
    // Guards against a vacuous pass: the graph must show the edges we know exist.
    let graph = Graph::load();
    assert!(graph.direct("tandem-http").contains("actix-web"));
    assert!(graph.direct("tandem-server").contains("tandem-http"));
    assert!(graph.reachable("tandem-persistence").contains("sqlx"));
}
