//! ipstrack's domain model and rules engine.
//!
//! Pure functions over plain data: no I/O, no database, no HTTP. All KPI logic
//! of `rules.md` lives here. The flow is: bundle text → [`bundle::read_bundle`]
//! (BAD-1 validation, BAD-2 warnings) → [`model::Dataset`] →
//! [`report::report`] (per-referral facts, aggregated by ES, team and service)
//! → one [`report::Report`] value, rendered at the edge.

pub mod alert;
pub mod attribution;
pub mod behind;
pub mod bundle;
pub mod caseload;
pub mod employer_engagement;
pub mod equality;
pub mod evidence;
pub mod fidelity;
pub mod jobs;
pub mod mhsds;
pub mod model;
pub mod policy;
pub mod report;
pub mod returns;
pub mod scope;
pub mod standards;
pub mod targets;
pub mod time;
pub mod worklist;

pub use bundle::{BundleErrors, Loaded, Warning, read_bundle};
pub use model::Dataset;
pub use policy::Policy;
pub use report::{Report, report};
pub use time::{Day, Period};
