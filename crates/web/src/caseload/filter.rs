//! How a caseload is sorted, and which of its referrals are shown (issue
//! 23): by status, by the next thing to do, by part of a name — a form above
//! the table, so it works on a phone where the table is a list of cards.

use ipstrack_core::Day;
use ipstrack_core::alert::{Alert, WorkItem};
use serde::Deserialize;

/// Which referrals of the caseload are shown: by status, by the next thing
/// to do, by name (part of it, any case). Empty: every one.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) due: String,
    #[serde(default)]
    pub(super) name: String,
}

/// The status choices of the filter: (value, words).
pub(super) const STATUS_CHOICES: [(&str, &str); 6] = [
    ("", "Any status"),
    ("active", "Active"),
    ("inactive", "Inactive"),
    ("not_seen", "Not yet seen"),
    ("waiting", "On the waiting list"),
    ("overdue", "Something overdue"),
];

/// The "next to do" choices of the filter: (value, words).
pub(super) const DUE_CHOICES: [(&str, &str); 7] = [
    ("", "Anything or nothing"),
    ("contact", "A contact"),
    ("in_work", "An in-work check"),
    ("hours", "Confirm 4 hours"),
    ("plan", "A plan review"),
    ("other", "Something else"),
    ("nothing", "Nothing due"),
];

/// The longest name a filter looks for (longer is cut): the search's bound.
pub(super) const NAME_FILTER_CHARS: usize = crate::state::searches::MAX_QUERY_CHARS;

/// The kind of "next to do" an alert is, as the filter names it.
fn due_kind(alert: &Alert) -> &'static str {
    match alert {
        Alert::ContactDue { .. }
        | Alert::ContactLapsed { .. }
        | Alert::FortnightlyContactDue { .. } => "contact",
        Alert::ConfirmStillInWork { .. } | Alert::MilestoneDue { .. } => "in_work",
        Alert::AwaitingFourHours { .. } => "hours",
        Alert::PlanReviewDue { .. } => "plan",
        _ => "other",
    }
}

impl Filter {
    /// The filter as asked, its choices known and its name trimmed and cut.
    pub(super) fn cleaned(&self) -> Filter {
        let known = |v: &str, choices: &[(&str, &str)]| {
            if choices.iter().any(|(c, _)| *c == v) {
                v.to_string()
            } else {
                String::new()
            }
        };
        Filter {
            status: known(self.status.trim(), &STATUS_CHOICES),
            due: known(self.due.trim(), &DUE_CHOICES),
            name: self.name.trim().chars().take(NAME_FILTER_CHARS).collect(),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.status.is_empty() && self.due.is_empty() && self.name.is_empty()
    }

    /// Whether a referral of the caseload is shown: its entry, first item
    /// due and the person's name.
    pub(super) fn keeps(
        &self,
        e: &ipstrack_core::caseload::CaseloadEntry,
        due: Option<&WorkItem>,
        name: &str,
        today: Day,
    ) -> bool {
        let s = &e.status;
        let status = match self.status.as_str() {
            "active" => s.active,
            "inactive" => s.open && !s.active,
            "not_seen" => s.received && !s.open,
            "waiting" => s.waiting_list,
            "overdue" => due.is_some_and(|i| i.date < today),
            _ => true,
        };
        let next = match (self.due.as_str(), due) {
            ("", _) => true,
            ("nothing", d) => d.is_none(),
            (kind, Some(i)) => due_kind(&i.alert) == kind,
            (_, None) => false,
        };
        let name = self.name.is_empty() || name.to_lowercase().contains(&self.name.to_lowercase());
        status && next && name
    }

    /// The filter as a query string's parts (after `&`), empty when none.
    pub(super) fn query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("status", &self.status),
            ("due", &self.due),
            ("name", &self.name),
        ] {
            if !v.is_empty() {
                parts.push(format!("&{k}={}", crate::ui::form::query_value(v)));
            }
        }
        parts.concat()
    }
}

/// How the caseload table is sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// The soonest of the first thing due on the worklist (the overdue
    /// first) and the day the person becomes inactive; then days until
    /// inactive and the next milestone.
    Urgency,
    /// Days until inactive for want of contact, the fewest first.
    Inactive,
    /// The next sustainment milestone, the soonest first.
    Milestone,
    /// The person's name.
    Person,
}

impl Sort {
    const ALL: [(&'static str, Sort); 4] = [
        ("urgency", Sort::Urgency),
        ("inactive", Sort::Inactive),
        ("milestone", Sort::Milestone),
        ("person", Sort::Person),
    ];

    pub(super) fn parse(text: Option<&str>) -> Sort {
        Sort::ALL
            .iter()
            .find(|(w, _)| Some(*w) == text)
            .map_or(Sort::Urgency, |(_, s)| *s)
    }

    pub(super) fn word(self) -> &'static str {
        Sort::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map(|(w, _)| *w)
            .expect("every sort has its word")
    }
}
