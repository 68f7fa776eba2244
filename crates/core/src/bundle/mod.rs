//! The data bundle (`ipstrack-bundle/1`, formats.md): reading, BAD-1 validation,
//! BAD-2 warnings, and writing it back from the domain model.
//!
//! Reading happens in two steps. Serde reads the JSON into [`BundleDoc`], the
//! bundle exactly as written (unknown fields refused; dates, enumerations and
//! ids still text). [`validate`] then checks every record and either builds
//! the [`Dataset`](crate::model::Dataset) or returns *every* BAD-1 error it
//! found, each naming the record and the field. A bundle with any error is
//! refused whole.

mod document;
mod validation;
mod vocabulary;
mod warnings;

pub use document::*;
pub use validation::*;
pub use vocabulary::*;
pub use warnings::*;
