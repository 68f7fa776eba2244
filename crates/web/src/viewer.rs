//! The signed-in user a request is served for: their session, their staff
//! record and team, and their scope (core's one rule of what they may see
//! and change). The guards that make one are in `extract`; pages and the
//! page frame read it.

use ipstrack_core::model::TeamIdx;
use ipstrack_core::scope::Scope;
use ipstrack_store::Session;

/// The signed-in user, with their place in the service.
pub struct Viewer {
    pub session: Session,
    /// Their staff record (index in the dataset), if linked.
    pub staff: Option<usize>,
    /// Their team (index), from the staff record.
    pub team: Option<TeamIdx>,
    /// What they may see and change (core's one rule of scope).
    pub scope: Scope,
}
