//! The domain model: a service's validated case data (formats.md, rules.md §2).
//!
//! Values here can only be built from a bundle that passed every BAD-1 check
//! (see [`crate::bundle`]), so the engine can rely on them: references resolve
//! to indices, dates are real days, hours are exact hundredths, every end is on
//! or after its start. Records keep their input order (export gives back the
//! same bundle); the engine sorts what it needs once per referral.

use crate::policy::Policy;
use crate::time::Day;
use std::sync::Arc;

pub mod fidelity_review;
pub mod fidelity_scale;
mod identity;
mod job;
mod preparation;
pub use fidelity_review::FidelityReview;
pub use identity::{IdentityLink, MAX_EMAIL, MAX_SUBJECT};
pub use job::{Job, JobEndReason, JobType, Registration};
pub use preparation::{Disclosure, DisclosureChoice};

/// An index into one of the dataset's lists, as its own type: a staff
/// member's index cannot be taken for a client's, and it reads its record
/// through the dataset ([`Dataset::team`], [`Dataset::staff_member`],
/// [`Dataset::client`]) or indexes a list kept beside it with `index()`.
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub u32);

        impl $name {
            /// The record at `position` in its list.
            pub fn at(position: usize) -> $name {
                $name(u32::try_from(position).expect("lists hold fewer than 2^32 records"))
            }

            /// The position in its list (to index a list kept beside it).
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// Index of a team in [`Dataset::teams`].
    TeamIdx
);
index_type!(
    /// Index of a staff member in [`Dataset::staff`].
    StaffIdx
);
index_type!(
    /// Index of a client in [`Dataset::clients`].
    ClientIdx
);

/// Hours in integer hundredths (T-0): 37.5 hours is `Hours(3750)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Hours(pub u32);

/// Full-time equivalent in ten-thousandths: 1.0 is `Fte(10_000)`, 0.5 is `Fte(5_000)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Fte(pub u32);

impl Fte {
    pub const FULL: Fte = Fte(10_000);
}

/// A service's case data.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub service: Service,
    pub policy: Policy,
    pub teams: Vec<Team>,
    pub staff: Vec<Staff>,
    /// Shared between versions of the dataset until a client is added.
    pub clients: Arc<Vec<Client>>,
    /// Each referral behind its own `Arc`, so that a new version of the
    /// dataset after a write shares every unchanged referral with the old one.
    pub referrals: Vec<Arc<Referral>>,
    /// Each referral's client, by the referral's position in `referrals`:
    /// finding a person's referrals reads four bytes a referral rather than
    /// each referral's record (see [`Dataset::client_referrals`]).
    pub referral_clients: Arc<Vec<ClientIdx>>,
    /// The ES's contacts with employers (issue 13), in input order; shared
    /// between versions of the dataset until one changes.
    pub employer_contacts: Arc<Vec<EmployerContact>>,
    /// The fidelity reviews (issue 26), in input order; shared between
    /// versions of the dataset until one changes.
    pub fidelity_reviews: Arc<Vec<FidelityReview>>,
}

/// A contact an ES made with an employer to build a relationship for their
/// clients (IPS fidelity: employer contacts; issue 13). Not part of any KPI.
#[derive(Clone, Debug, PartialEq)]
pub struct EmployerContact {
    pub id: String,
    /// The ES who made it.
    pub es: StaffIdx,
    pub date: Day,
    pub employer: String,
    pub kind: EmployerContactKind,
    /// What was said and the next step (never logged).
    pub note: Option<Box<str>>,
    /// The client it was made for, if any.
    pub client: Option<ClientIdx>,
}

/// How an employer contact was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmployerContactKind {
    /// In person, at the employer's or elsewhere (the fidelity scale's
    /// face-to-face employer contact).
    Visit,
    Call,
    Email,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: String,
    pub start_date: Day,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Team {
    pub id: String,
    pub name: String,
}

/// A person's role in the service: of a staff record in the bundle and of a
/// user of ipstrack alike (one type for both; its words are [`ROLES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Employment Specialist: the only role that carries a caseload.
    Es,
    TeamLead,
    Manager,
    Admin,
}

/// Each role's word in bundles, the database and the CLI.
pub const ROLES: [(&str, Role); 4] = [
    ("es", Role::Es),
    ("team_lead", Role::TeamLead),
    ("manager", Role::Manager),
    ("admin", Role::Admin),
];

impl Role {
    /// The role's word in bundles, the database and the CLI (`team_lead`).
    pub fn as_str(self) -> &'static str {
        ROLES
            .iter()
            .find(|(_, r)| *r == self)
            .map(|(word, _)| *word)
            .expect("every role has its word")
    }

    /// The role a word names (`es`, `team_lead`, `manager`, `admin`).
    pub fn parse(text: &str) -> Option<Role> {
        ROLES
            .iter()
            .find(|(word, _)| *word == text)
            .map(|(_, r)| *r)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub team: TeamIdx,
    /// First day in post.
    pub start_date: Day,
    /// Last day in post, if they have left.
    pub end_date: Option<Day>,
    pub fte: Fte,
}

impl Staff {
    /// In post on `day` (start and end inclusive).
    pub fn in_post_on(&self, day: Day) -> bool {
        self.start_date <= day && self.end_date.is_none_or(|end| day <= end)
    }
}

/// A person supported by the service: their id and, when recorded, who
/// they are (formats.md `clients[]`, revision 2). Codes are the NHS Data
/// Dictionary's, as the MHSDS MPI table uses them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Client {
    pub id: String,
    pub nhs_number: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<Day>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    /// Person stated gender code (1, 2, 9, X).
    pub gender: Option<String>,
    /// Ethnic category code (A to S, Z, 99).
    pub ethnic_category: Option<String>,
    /// The client with the same NHS number this one may be a second record
    /// of, until a manager merges them (issue 21).
    pub possible_duplicate_of: Option<String>,
}

impl Client {
    /// The person's name as people say it ("Amira Khan"), when recorded.
    pub fn name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.given_name, &self.family_name]
            .into_iter()
            .flatten()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The name, else "client c12" (a person recorded before names were).
    pub fn display_name(&self) -> String {
        self.name().unwrap_or_else(|| format!("client {}", self.id))
    }
}

/// employment status at referral. Every count is split by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Unemployed or economically inactive at referral; targets and rates use this group.
    Unemployed,
    /// In work at referral (job retention, or in work and seeking a new job).
    Employed,
}

/// One episode of IPS support for one client.
#[derive(Clone, Debug, PartialEq)]
pub struct Referral {
    pub id: String,
    pub client: ClientIdx,
    pub received: Day,
    pub status_at_referral: Group,
    /// The ES assigned at receipt; `None` while unallocated.
    pub es: Option<StaffIdx>,
    pub transfers: Vec<Transfer>,
    /// ACC-1: first meaningful contact after agreeing to take part.
    pub access: Option<Day>,
    pub vocational_plan: Option<Spell>,
    /// The days the vocational plan was reviewed (issue 13).
    pub plan_reviews: Vec<Day>,
    /// Whether the vocational plan was agreed with the clinical team.
    pub plan_agreed: Option<bool>,
    /// The kind of work the person wants, on the vocational plan (issue 26;
    /// personal data: never logged).
    pub job_preferences: Option<Box<str>>,
    /// The day a better-off calculation (benefits and work-incentive
    /// advice) was offered (issue 26: FIDR-17).
    pub better_off_calculation: Option<Day>,
    /// The person's choice about disclosing their condition to employers,
    /// and when it was discussed (issue 26: FIDR-18).
    pub disclosure: Option<Disclosure>,
    pub contacts: Vec<Contact>,
    pub holds: Vec<Spell>,
    pub waiting_list: Vec<WaitingSpell>,
    pub engagement: Vec<EngagementChange>,
    pub decisions: Vec<Decision>,
    pub discharge: Option<Discharge>,
    pub jobs: Vec<Job>,
    /// *(rev. 3)* Dated confirmations that the person is still in work
    /// (SUS-6), in input order.
    pub in_work_checks: Vec<InWorkCheck>,
    /// Marked as entered by mistake (issue 23, ERR-1): kept, audited and
    /// restorable, but out of every figure ([`Dataset::counted_referrals`]).
    pub entered_in_error: Option<EnteredInError>,
    /// The version of the stored record (a database counts each change to
    /// the referral); 0 for a referral read from a bundle. Not part of the
    /// bundle: a page that shows a referral sends it back with an edit, and
    /// the store refuses the edit if the referral changed since.
    pub version: i64,
}

/// ERR-1 (issue 23): a referral marked as entered by mistake — a person
/// referred twice, the wrong person, a test record — with when, why and by
/// whom. It stays stored and shown with its mark until restored, and no
/// figure, caseload, worklist or search count reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct EnteredInError {
    /// The day it was marked (not before the referral was received).
    pub on: Day,
    /// Why it was entered in error (required; never logged).
    pub reason: String,
    /// Who marked it, by name as recorded.
    pub by: String,
}

impl Referral {
    /// Counted in figures: not marked as entered in error (ERR-1).
    pub fn is_counted(&self) -> bool {
        self.entered_in_error.is_none()
    }
}

impl Dataset {
    /// The team at `i`.
    pub fn team(&self, i: TeamIdx) -> &Team {
        &self.teams[i.index()]
    }

    /// The staff member at `i`.
    pub fn staff_member(&self, i: StaffIdx) -> &Staff {
        &self.staff[i.index()]
    }

    /// The client at `i`.
    pub fn client(&self, i: ClientIdx) -> &Client {
        &self.clients[i.index()]
    }

    /// Every referral of the client `client` (counted or not), with its
    /// position in [`Dataset::referrals`].
    pub fn client_referrals(
        &self,
        client: ClientIdx,
    ) -> impl Iterator<Item = (usize, &Referral)> + '_ {
        self.referral_clients
            .iter()
            .enumerate()
            .filter(move |(_, c)| **c == client)
            .map(|(at, _)| (at, self.referrals[at].as_ref()))
    }

    /// ERR-1: the referrals every figure reads — all but those entered in
    /// error — with their index in [`Dataset::referrals`]. The one place that
    /// decides which referrals count: the report, caseloads, worklists,
    /// data-quality warnings, the MHSDS extract and every page's counts go
    /// through it; only a referral's own page, the bundle and the store read
    /// `referrals` whole.
    pub fn counted_referrals(&self) -> impl Iterator<Item = (usize, &Referral)> + Clone + '_ {
        self.referrals
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_counted())
            .map(|(at, r)| (at, r.as_ref()))
    }
}

/// A change of the assigned ES from `date` on.
#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    pub date: Day,
    pub es: StaffIdx,
}

/// A dated spell, start and end inclusive; no end means still running (T-4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spell {
    pub start: Day,
    pub end: Option<Day>,
}

impl Spell {
    /// The spell covers `day` as known on that day.
    pub fn covers(&self, day: Day) -> bool {
        self.start <= day && self.end.is_none_or(|end| day <= end)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct WaitingSpell {
    pub spell: Spell,
    pub expected_return: Option<Day>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactKind {
    FaceToFace,
    Remote,
    InWorkSupport,
    /// An attempt that got no reply (CASE-1.5).
    AssertiveEngagement,
}

impl ContactKind {
    /// A contact in which the client took part (CASE-1.5).
    pub fn is_two_way(self) -> bool {
        !matches!(self, ContactKind::AssertiveEngagement)
    }
}

/// How a contact was held (its consultation mechanism), when recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    FaceToFace,
    Telephone,
    Video,
    Email,
    TextMessage,
    Other,
}

impl ContactKind {
    /// Whether a contact of this kind can have been held by `mechanism`: a
    /// face-to-face contact only face to face, a remote one never face to
    /// face; in-work support and assertive-engagement attempts any way.
    pub fn admits(self, mechanism: Mechanism) -> bool {
        match self {
            ContactKind::FaceToFace => mechanism == Mechanism::FaceToFace,
            ContactKind::Remote => mechanism != Mechanism::FaceToFace,
            ContactKind::InWorkSupport | ContactKind::AssertiveEngagement => true,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    pub date: Day,
    pub kind: ContactKind,
    /// How it was held; `None` when not recorded.
    pub mechanism: Option<Mechanism>,
    /// What happened and the next step (personal data: never logged).
    pub note: Option<Box<str>>,
    /// Where it was held, when recorded (issue 26: the fidelity scale's
    /// community-based services).
    pub location: Option<ContactLocation>,
}

/// Where a contact with a client was held (issue 26): the IPS fidelity
/// scale's community-based services item counts the contacts held out in
/// the community, at home or at work against those at the office.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactLocation {
    /// Out in the community: a café, a library, a jobcentre.
    Community,
    /// The client's home.
    Home,
    /// The client's workplace (in-work support).
    Workplace,
    /// The service's or the mental health team's office.
    Office,
    /// By telephone, video or message: not in person.
    Remote,
}

impl ContactLocation {
    /// Held out in the community, at home or at work (the fidelity scale's
    /// community-based contacts), not at the office or remotely.
    pub fn in_the_community(self) -> bool {
        matches!(
            self,
            ContactLocation::Community | ContactLocation::Home | ContactLocation::Workplace
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engagement {
    SeekingWork,
    InWorkSupport,
    /// Receiving support but not proactively looking for work (CASE-1.7).
    NotSeekingWork,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EngagementChange {
    pub date: Day,
    pub status: Engagement,
}

/// A team status decision overriding CASE-1 criteria 3–7 while it covers a day.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub spell: Spell,
    pub active: bool,
    pub reason: Option<String>,
    /// *(rev. 3, ENG-3)* The names or staff ids of those who agreed it, as
    /// recorded (trimmed, in input order); empty when not recorded.
    pub agreed_by: Vec<String>,
}

/// *(rev. 3, SUS-6)* A dated confirmation that the person is still in work.
#[derive(Clone, Debug, PartialEq)]
pub struct InWorkCheck {
    pub date: Day,
    pub source: CheckSource,
    /// What was seen or said (personal data: never logged).
    pub note: Option<Box<str>>,
}

/// Who or what confirmed that a person is still in work (SUS-6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckSource {
    Payslip,
    Employer,
    /// The person themself.
    Client,
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Discharge {
    /// The first day the referral is closed (T-4).
    pub date: Day,
    pub reason: Option<String>,
}

/// An NHS number: 10 digits whose last is the modulus-11 check digit of the
/// first nine (weights 10 down to 2; a check value of 10 is never issued).
pub fn nhs_number_is_valid(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10 || text.chars().any(|c| !c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits[..9]
        .iter()
        .enumerate()
        .map(|(i, d)| d * (10 - i as u32))
        .sum();
    let check = (11 - sum % 11) % 11;
    check != 10 && check == digits[9]
}

#[cfg(test)]
mod tests {
    use super::nhs_number_is_valid;

    #[test]
    fn nhs_numbers_are_checked_by_their_check_digit() {
        assert!(nhs_number_is_valid("9434765919"));
        assert!(!nhs_number_is_valid("9434765918"), "wrong check digit");
        assert!(!nhs_number_is_valid("943476591"), "nine digits");
        assert!(
            !nhs_number_is_valid("943 476 5919"),
            "spaces are not digits"
        );
        assert!(
            !nhs_number_is_valid("1234567890"),
            "check value 10 is never issued"
        );
    }
}

/// A stored record that a user's request matched although it is outside
/// their scope (a referral page of another team, an import row naming
/// another team's client). The user is told nothing of it; the match is
/// written to the audit log.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutOfScope {
    /// `client` or `referral`.
    pub record_type: &'static str,
    pub record_id: String,
    /// How it was matched: `id` (asked for by id) or `nhs_number`.
    pub matched_by: &'static str,
}
