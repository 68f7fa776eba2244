//! A store holding the random-101 example (core's test fixture), for this
//! crate's own tests and for the web tests, which take this file in by its
//! path (`tests/web/common.rs`).

use ipstrack_store::Store;

/// The store at `url` (a SQLite file or PostgreSQL) with the random-101
/// example imported.
pub async fn example_store(url: &str) -> Store {
    let store = Store::open(url).await.unwrap();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/examples/random-101.bundle.json"),
    )
    .unwrap();
    store
        .import(
            &ipstrack_core::bundle::parse_document(&text).unwrap(),
            "setup",
        )
        .await
        .unwrap();
    store
}
