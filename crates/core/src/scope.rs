//! Who may see and change what (issue 20): one rule, stated once, that every
//! page, API call, import and search asks. A viewer's [`Scope`] follows from
//! their role and their staff record: an Employment Specialist their own
//! caseload (the referrals assigned to them today, R-2), a team lead their
//! team's, a manager or admin the whole service; a user whose role needs a
//! staff record and has none sees nothing.

use crate::attribution::assigned_on;
use crate::model::{ClientIdx, Dataset, Referral, Role, StaffIdx, TeamIdx};
use crate::time::Day;

/// What a viewer may see and change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// An ES: the referrals assigned to them today, their own plan.
    Caseload(StaffIdx),
    /// A team lead: their team's referrals, ES and pages.
    Team(TeamIdx),
    /// A manager or admin: the whole service.
    Service,
    /// An ES or team lead with no staff record: nothing.
    Nothing,
}

impl Scope {
    /// The scope of a user of `role` linked to staff record `staff` (an
    /// index into `data.staff`).
    pub fn of(role: Role, staff: Option<StaffIdx>, data: &Dataset) -> Scope {
        match (role, staff) {
            (Role::Manager | Role::Admin, _) => Scope::Service,
            (Role::TeamLead, Some(s)) => Scope::Team(data.staff_member(s).team),
            (Role::Es, Some(s)) => Scope::Caseload(s),
            (Role::Es | Role::TeamLead, None) => Scope::Nothing,
        }
    }

    /// Whether an ES (by index) is within the scope: themselves, their team's
    /// ES, or any ES of the service.
    pub fn specialist(self, data: &Dataset, es: StaffIdx) -> bool {
        let Some(s) = data.staff.get(es.index()) else {
            return false;
        };
        s.role == Role::Es
            && match self {
                Scope::Caseload(me) => me == es,
                Scope::Team(team) => s.team == team,
                Scope::Service => true,
                Scope::Nothing => false,
            }
    }

    /// Whether a referral is within the scope: assigned today to an ES of it
    /// (a manager or admin sees every referral, unassigned ones too).
    pub fn referral(self, data: &Dataset, r: &Referral, today: Day) -> bool {
        match self {
            Scope::Service => true,
            Scope::Nothing => false,
            _ => assigned_on(r, today, today).is_some_and(|es| self.specialist(data, es)),
        }
    }

    /// Whether a client is within the scope: one of their referrals is.
    pub fn client(self, data: &Dataset, client: ClientIdx, today: Day) -> bool {
        // A referral entered in error still makes its person one's own: the
        // person exists, and may be referred again correctly (ERR-1).
        data.referrals
            .iter()
            .any(|r| r.client == client && self.referral(data, r, today))
    }

    /// Whether a team's pages are within the scope.
    pub fn team(self, team: TeamIdx) -> bool {
        match self {
            Scope::Team(mine) => mine == team,
            Scope::Service => true,
            Scope::Caseload(_) | Scope::Nothing => false,
        }
    }

    /// The team a page about one team shows when none is asked for: a team
    /// lead's own, else the viewer's (a manager linked to a staff record),
    /// else the first.
    pub fn default_team(self, data: &Dataset, own: Option<TeamIdx>) -> Option<TeamIdx> {
        match self {
            Scope::Team(mine) => Some(mine),
            Scope::Service => own.or((!data.teams.is_empty()).then_some(TeamIdx(0))),
            Scope::Caseload(_) | Scope::Nothing => None,
        }
    }

    /// EQ-4: whose equality figures a viewer may see, asked for `team`
    /// (`None`: their default): a team lead their own team's, a manager or
    /// admin the service's (by default) or any team's; an ES none.
    /// `Some(None)` is the whole service, `Some(Some(team))` one team
    /// (`equality::Whole::from` reads it).
    pub fn equality(self, team: Option<TeamIdx>) -> Option<Option<TeamIdx>> {
        match (self, team) {
            (Scope::Service, None) => Some(None),
            (Scope::Team(mine), None) => Some(Some(mine)),
            (_, Some(t)) => self.team(t).then_some(Some(t)),
            (Scope::Caseload(_) | Scope::Nothing, None) => None,
        }
    }

    /// FIDR-20: whether a fidelity review of `team` (`None`: the whole
    /// service) may be read, started and changed: a team lead their own
    /// team's, a manager or admin the service's and any team's; an ES none.
    /// A review outside the scope answers as one that does not exist.
    pub fn fidelity_review(self, team: Option<TeamIdx>) -> bool {
        match team {
            Some(t) => self.team(t),
            None => self == Scope::Service,
        }
    }

    /// Whether a referral may be given (a new referral, a transfer) to this
    /// ES on `today`: an ES of the scope in post that day.
    pub fn may_assign(self, data: &Dataset, es: StaffIdx, today: Day) -> bool {
        self.specialist(data, es) && data.staff_member(es).in_post_on(today)
    }

    /// Whether an ES's employer contacts may be recorded and changed: by the
    /// ES and their team lead (managers and admins read them).
    pub fn records_employer_contacts_of(self, data: &Dataset, es: StaffIdx) -> bool {
        matches!(self, Scope::Caseload(_) | Scope::Team(_)) && self.specialist(data, es)
    }

    /// The teams whose referrals a spreadsheet import may create or change:
    /// `Some(None)` every team, `Some(Some(team))` one team (a team lead's),
    /// `None` no import at all (an ES).
    pub fn imports(self) -> Option<Option<TeamIdx>> {
        match self {
            Scope::Service => Some(None),
            Scope::Team(team) => Some(Some(team)),
            Scope::Caseload(_) | Scope::Nothing => None,
        }
    }

    /// Who else holds NHS number `nhs` (as kept: its ten digits), as a viewer
    /// of this scope entering client `client` may be told (issue 21). A
    /// client they can see is named, so they add the referral to that
    /// person; a client they cannot see is never told — not by words, not by
    /// a refusal — the client is kept as a possible duplicate of it for a
    /// manager to merge.
    pub fn nhs_number_holder(
        self,
        data: &Dataset,
        client: &str,
        nhs: &str,
        today: Day,
    ) -> NumberHolder {
        let holders = || {
            data.clients
                .iter()
                .enumerate()
                .filter(|(_, c)| c.id != client && c.nhs_number.as_deref() == Some(nhs))
        };
        if let Some((at, _)) =
            holders().find(|&(at, _)| self.client(data, ClientIdx::at(at), today))
        {
            return NumberHolder::Visible(at);
        }
        // The first record of the person (not itself a possible duplicate).
        holders()
            .min_by_key(|(_, c)| c.possible_duplicate_of.is_some())
            .map_or(NumberHolder::Nobody, |(at, _)| NumberHolder::Hidden(at))
    }

    /// Whether the viewer is shown which clients may be one person entered
    /// twice, and merges them: the whole service's view only (a team lead
    /// would learn of another team's client).
    pub fn sees_possible_duplicates(self) -> bool {
        self == Scope::Service
    }

    /// A client as this viewer is shown it: without the client it may be a
    /// duplicate of, unless they see the whole service.
    pub fn client_as_shown(self, doc: &crate::bundle::ClientDoc) -> crate::bundle::ClientDoc {
        let mut shown = doc.clone();
        if !self.sees_possible_duplicates() {
            shown.possible_duplicate_of = None;
        }
        shown
    }
}

/// Who already holds an NHS number, as [`Scope::nhs_number_holder`] tells
/// it (indices into `data.clients`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberHolder {
    /// No other client has it.
    Nobody,
    /// A client the viewer can see: name them, and refuse a second client.
    Visible(usize),
    /// A client the viewer cannot see: keep the new or changed client as a
    /// possible duplicate of it, answered as if there were none.
    Hidden(usize),
}
