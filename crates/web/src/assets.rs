//! The stylesheet and the script: served with an ETag and cached for a year,
//! since pages link them by a URL that carries their content's hash (a new
//! release links a new URL).

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

/// A file built into the binary.
pub struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
    /// The first 16 hex digits of the body's SHA-256.
    hash: String,
}

/// The stylesheet.
pub static STYLE: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "/static/style.css",
        "text/css; charset=utf-8",
        include_str!("../static/style.css"),
    )
});

/// The script (progressive enhancement only: every page works without it).
pub static SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "/static/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/app.js"),
    )
});

/// The stylesheet and the script (they need no state: any router's).
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> axum::Router<S> {
    axum::Router::new()
        .route(STYLE.path(), get(stylesheet))
        .route(SCRIPT.path(), get(script))
}

async fn stylesheet(headers: HeaderMap) -> Response {
    STYLE.respond(&headers)
}

async fn script(headers: HeaderMap) -> Response {
    SCRIPT.respond(&headers)
}

impl Asset {
    fn new(path: &'static str, content_type: &'static str, body: &'static str) -> Asset {
        let hash = hex::encode(Sha256::digest(body.as_bytes()))[..16].to_string();
        Asset {
            path,
            content_type,
            body,
            hash,
        }
    }

    pub fn path(&self) -> &'static str {
        self.path
    }

    fn hash(&self) -> &str {
        &self.hash
    }

    /// The URL pages link: the path with the content's hash.
    pub fn href(&self) -> String {
        format!("{}?v={}", self.path, self.hash())
    }

    /// The file, or 304 when the browser holds this very version.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let etag = format!("\"{}\"", self.hash());
        let cached = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
        let etag = HeaderValue::from_str(&etag).expect("hex digits");
        let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
        if cached {
            return (
                StatusCode::NOT_MODIFIED,
                [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
            )
                .into_response();
        }
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type),
                ),
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache),
            ],
            self.body,
        )
            .into_response()
    }
}
