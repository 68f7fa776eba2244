//! What needs doing: the worklist's alerts (CASE-4) and the engagement
//! standards' (ENG-1..4), each dated, for an ES and their team lead.

use crate::model::StaffIdx;
use crate::policy::Basis;
use crate::targets::CaseloadStanding;
use crate::time::Day;

/// What needs doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alert {
    /// Active, but no two-way contact for 21+ days: inactive on `date` without one.
    ContactDue { last_contact: Day },
    /// *(issue 14)* Inactive since `date` for want of contact alone (every
    /// other criterion met, no team decision): overdue, a contact makes the
    /// client active again.
    ContactLapsed { last_contact: Option<Day> },
    /// A hold reaching its limit: inactive on `date` if still on hold.
    HoldReachingLimit { hold_start: Day },
    /// On the waiting list past the expected return date or for more than
    /// 3 months: close and invite a re-referral.
    WaitingListOverdue {
        spell_start: Day,
        expected_return: Option<Day>,
    },
    /// A 13/26/52-week milestone falls on `date`: gather evidence.
    MilestoneDue { weeks: i32 },
    /// A job started on `date` and is awaiting confirmation of 4 hours worked.
    AwaitingFourHours { job: String },
    /// *(rev. 2)* The ES's open caseload per FTE is outside the recommended
    /// band, or their active caseload per FTE is above the fidelity limit:
    /// `standing` has the figures and the policy they are judged by.
    CaseloadPerFte { standing: CaseloadStanding },
    /// *(rev. 3, SUS-7)* A discharged client's `weeks`-week milestone falls
    /// on `date` and their work after discharge is open-ended: confirm they
    /// are still in work (record an in-work check dated on or after it, or
    /// the job's end).
    ConfirmStillInWork { weeks: i32 },
    /// *(rev. 3, ENG-1)* An active client seeking work: a two-way contact
    /// fell due on `date`, 14 days after the last one.
    FortnightlyContactDue { last_contact: Day },
    /// *(rev. 3, ENG-2)* The open vocational plan, started or last reviewed
    /// on `last_review`, fell due for review on `date`.
    PlanReviewDue { last_review: Day },
    /// *(rev. 3, ENG-3)* The team decision in force since `decision_start`
    /// does not record the ES and one other member agreeing it:
    /// `agreed_by` distinct names recorded, `es_named` whether the assigned
    /// ES is one of them.
    DecisionAgreementMissing {
        decision_start: Day,
        agreed_by: u32,
        es_named: bool,
    },
    /// *(rev. 3, ENG-4)* Accessed on `access` and seeking work, with no
    /// employer contact for the client since: the first was due by `date`.
    RapidSearchDue { access: Day },
    /// Job-retention referrals are more than `max_share` of the open caseload (FID-2).
    RetentionShareHigh {
        employed: u32,
        open: u32,
        max_share: Basis,
    },
}

/// One worklist item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkItem {
    /// When it falls due (or fell due).
    pub date: Day,
    /// The ES concerned (the one assigned on the day), if any.
    pub es: Option<StaffIdx>,
    /// Index of the referral in the dataset, for client alerts.
    pub referral: Option<usize>,
    pub alert: Alert,
}
