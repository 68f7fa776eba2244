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
mod fields;
mod loaded;
mod reading;
mod validation;
mod vocabulary;
mod warnings;
mod writing;

pub use document::*;
pub use fields::*;
pub use loaded::*;
pub use reading::*;
pub use validation::*;
pub use vocabulary::*;
pub use warnings::*;
pub use writing::*;

/// A small valid bundle, for the tests of each part.
#[cfg(test)]
const MINIMAL: &str = r#"{"format": "ipstrack-bundle/1",
        "service": {"name": "S", "start_date": "2018-04-01"},
        "teams": [{"id": "t1", "name": "North"}],
        "staff": [{"id": "es1", "name": "A", "role": "es", "team": "t1", "start_date": "2020-01-01", "fte": 1}],
        "clients": [{"id": "c1"}],
        "referrals": [{"id": "r1", "client": "c1", "received": "2024-04-01", "status_at_referral": "unemployed",
                       "jobs": [{"id": "j1", "type": "employee", "start": "2024-05-01", "hours_per_week": 16}]}]}"#;
