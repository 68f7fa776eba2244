//! A file to download (a CSV, a workbook): its type, its name, and never
//! kept by a browser or a proxy (it may hold personal data).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The content type of an xlsx workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `body` as an attachment named `file` of type `content_type`.
pub(crate) fn download(content_type: &str, file: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
