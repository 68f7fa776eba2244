//! The steps a referral page's forms make ([`Step`], [`Edit`], [`Entry`],
//! [`Replacement`]) and how each is put into a referral.

use ipstrack_core::bundle::{
    ContactDoc, DecisionDoc, DischargeDoc, DisclosureDoc, EngagementDoc, EnteredInErrorDoc,
    InWorkCheckDoc, JobDoc, PlanDoc, ReferralDoc, SpellDoc, TransferDoc, WaitingSpellDoc,
};

use crate::{Result, StoreError};

/// A recorded entry of a referral, as a correction names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Access,
    Plan,
    Discharge,
    Contact,
    Hold,
    Waiting,
    Engagement,
    Decision,
    Transfer,
    Job,
    InWorkCheck,
    /// ERR-1: the mark of a referral entered in error; removing it restores
    /// the referral.
    EnteredInError,
    /// Issue 26: the day a better-off calculation was offered.
    BetterOffCalculation,
    /// Issue 26: the person's disclosure choice.
    Disclosure,
}

impl Entry {
    /// The child table of a listed entry; `None` for the referral's own fields.
    pub(crate) fn table(self) -> Option<&'static str> {
        match self {
            Entry::Access
            | Entry::Plan
            | Entry::Discharge
            | Entry::EnteredInError
            | Entry::BetterOffCalculation
            | Entry::Disclosure => None,
            Entry::Contact => Some("contacts"),
            Entry::Hold => Some("holds"),
            Entry::Waiting => Some("waiting_list"),
            Entry::Engagement => Some("engagement"),
            Entry::Decision => Some("decisions"),
            Entry::Transfer => Some("transfers"),
            Entry::Job => Some("jobs"),
            Entry::InWorkCheck => Some("in_work_checks"),
        }
    }
}

/// One change to a referral, as the referral page's forms make it.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    // Additions: never in conflict with another write.
    Contact(ContactDoc),
    Hold(SpellDoc),
    Waiting(WaitingSpellDoc),
    Engagement(EngagementDoc),
    Decision(DecisionDoc),
    Transfer(TransferDoc),
    /// A job; an empty id is given the next free `jN` of the referral.
    Job(JobDoc),
    /// A confirmation that the person is still in work (SUS-6).
    InWorkCheck(InWorkCheckDoc),
    /// An edit, made from a page that showed the referral at `seen_version`:
    /// refused when the referral changed since. An edit cannot be made
    /// without the version.
    Edit {
        edit: Edit,
        seen_version: i64,
    },
}

/// What an edit changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    Access(String),
    Plan(PlanDoc),
    Discharge(DischargeDoc),
    /// ERR-1: the referral marked as entered in error (restored by removing
    /// [`Entry::EnteredInError`]).
    EnteredInError(EnteredInErrorDoc),
    /// Issue 26: the day a better-off calculation was offered, set or
    /// changed (taken out by removing [`Entry::BetterOffCalculation`]).
    BetterOffCalculation(String),
    /// Issue 26: the person's disclosure choice and when it was discussed.
    Disclosure(DisclosureDoc),
    /// Issue 26: the job preferences on the vocational plan (`None` clears
    /// them); refused ([`StoreError::NotAllowed`]) without a plan.
    JobPreferences(Option<String>),
    /// A correction: the `index`-th entry of a kind, as listed on the page.
    Remove {
        entry: Entry,
        index: usize,
    },
    /// A correction: the `index`-th entry of its kind replaced whole (a job
    /// keeps its id).
    Replace(Replacement),
}

/// An entry and what replaces it, by its position among its kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Replacement {
    Contact(usize, ContactDoc),
    Hold(usize, SpellDoc),
    Waiting(usize, WaitingSpellDoc),
    Engagement(usize, EngagementDoc),
    Decision(usize, DecisionDoc),
    Transfer(usize, TransferDoc),
    /// Boxed: a job is the largest entry by far.
    Job(usize, Box<JobDoc>),
    InWorkCheck(usize, InWorkCheckDoc),
}

impl Step {
    /// An addition: applied whatever changed since the page was shown.
    pub fn is_addition(&self) -> bool {
        !matches!(self, Step::Edit { .. })
    }
}

/// Puts `step` into `doc` (a fresh copy of the stored referral).
pub(crate) fn apply(doc: &mut ReferralDoc, step: &Step) -> Result<()> {
    match step.clone() {
        Step::Contact(c) => doc.contacts.get_or_insert_default().push(c),
        Step::Hold(h) => doc.holds.get_or_insert_default().push(h),
        Step::Waiting(w) => doc.waiting_list.get_or_insert_default().push(w),
        Step::Engagement(e) => doc.engagement.get_or_insert_default().push(e),
        Step::Decision(d) => doc.decisions.get_or_insert_default().push(d),
        Step::Transfer(x) => doc.transfers.get_or_insert_default().push(x),
        Step::InWorkCheck(c) => doc.in_work_checks.push(c),
        Step::Job(mut j) => {
            let jobs = doc.jobs.get_or_insert_default();
            if j.id.is_empty() {
                let mut n = jobs.len() + 1;
                while jobs.iter().any(|x| x.id == format!("j{n}")) {
                    n += 1;
                }
                j.id = format!("j{n}");
            }
            jobs.push(j);
        }
        Step::Edit { edit, .. } => apply_edit(doc, edit)?,
    }
    Ok(())
}

/// Puts an edit into `doc`.
fn apply_edit(doc: &mut ReferralDoc, edit: Edit) -> Result<()> {
    match edit {
        Edit::Access(a) => doc.access = Some(a),
        Edit::Plan(p) => doc.vocational_plan = Some(p),
        Edit::Discharge(d) => doc.discharge = Some(d),
        Edit::EnteredInError(e) => doc.entered_in_error = Some(e),
        Edit::BetterOffCalculation(d) => doc.better_off_calculation = Some(d),
        Edit::Disclosure(d) => doc.disclosure = Some(d),
        Edit::JobPreferences(text) => match doc.vocational_plan.as_mut() {
            Some(plan) => plan.job_preferences = text,
            None => {
                return Err(StoreError::NotAllowed(
                    "Record the vocational plan first: job preferences are kept on it".into(),
                ));
            }
        },
        Edit::Replace(replacement) => {
            fn put<T>(list: &mut Option<Vec<T>>, index: usize, new: T) -> bool {
                match list {
                    Some(items) if index < items.len() => {
                        items[index] = new;
                        true
                    }
                    _ => false,
                }
            }
            let replaced = match replacement {
                Replacement::Contact(i, c) => put(&mut doc.contacts, i, c),
                Replacement::Hold(i, h) => put(&mut doc.holds, i, h),
                Replacement::Waiting(i, w) => put(&mut doc.waiting_list, i, w),
                Replacement::Engagement(i, e) => put(&mut doc.engagement, i, e),
                Replacement::Decision(i, x) => put(&mut doc.decisions, i, x),
                Replacement::Transfer(i, t) => put(&mut doc.transfers, i, t),
                Replacement::InWorkCheck(i, c) => match doc.in_work_checks.get_mut(i) {
                    Some(old) => {
                        *old = c;
                        true
                    }
                    None => false,
                },
                Replacement::Job(i, mut j) => {
                    match doc.jobs.as_ref().and_then(|jobs| jobs.get(i)) {
                        Some(old) => j.id = old.id.clone(),
                        None => return Err(StoreError::NotFound("entry".into())),
                    }
                    put(&mut doc.jobs, i, *j)
                }
            };
            if !replaced {
                return Err(StoreError::NotFound("entry".into()));
            }
        }
        Edit::Remove { entry, index } => {
            fn take<T>(list: &mut Option<Vec<T>>, index: usize) -> bool {
                match list {
                    Some(items) if index < items.len() => {
                        items.remove(index);
                        true
                    }
                    _ => false,
                }
            }
            let removed = match entry {
                Entry::Access => doc.access.take().is_some(),
                Entry::Plan => doc.vocational_plan.take().is_some(),
                Entry::Discharge => doc.discharge.take().is_some(),
                Entry::EnteredInError => doc.entered_in_error.take().is_some(),
                Entry::BetterOffCalculation => doc.better_off_calculation.take().is_some(),
                Entry::Disclosure => doc.disclosure.take().is_some(),
                Entry::Contact => take(&mut doc.contacts, index),
                Entry::Hold => take(&mut doc.holds, index),
                Entry::Waiting => take(&mut doc.waiting_list, index),
                Entry::Engagement => take(&mut doc.engagement, index),
                Entry::Decision => take(&mut doc.decisions, index),
                Entry::Transfer => take(&mut doc.transfers, index),
                Entry::Job => take(&mut doc.jobs, index),
                Entry::InWorkCheck => {
                    index < doc.in_work_checks.len() && {
                        doc.in_work_checks.remove(index);
                        true
                    }
                }
            };
            if !removed {
                return Err(StoreError::NotFound("entry".into()));
            }
        }
    }
    Ok(())
}

/// The table of a replaced entry's kind, and a document holding that whole
/// list of `doc` (its rows are written anew).
pub(crate) fn whole_list(
    doc: &ReferralDoc,
    replacement: &Replacement,
) -> (&'static str, ReferralDoc) {
    let mut only = ReferralDoc::new(
        doc.id.clone(),
        doc.client.clone(),
        doc.received.clone(),
        doc.status_at_referral.clone(),
    );
    let table = match replacement {
        Replacement::Contact(..) => {
            only.contacts = doc.contacts.clone();
            "contacts"
        }
        Replacement::Hold(..) => {
            only.holds = doc.holds.clone();
            "holds"
        }
        Replacement::Waiting(..) => {
            only.waiting_list = doc.waiting_list.clone();
            "waiting_list"
        }
        Replacement::Engagement(..) => {
            only.engagement = doc.engagement.clone();
            "engagement"
        }
        Replacement::Decision(..) => {
            only.decisions = doc.decisions.clone();
            "decisions"
        }
        Replacement::Transfer(..) => {
            only.transfers = doc.transfers.clone();
            "transfers"
        }
        Replacement::Job(..) => {
            only.jobs = doc.jobs.clone();
            "jobs"
        }
        Replacement::InWorkCheck(..) => {
            only.in_work_checks = doc.in_work_checks.clone();
            "in_work_checks"
        }
    };
    (table, only)
}

/// The child table of an addition and a referral holding only the new entry
/// (the last of its list in `doc`).
pub(crate) fn last_entry(doc: &ReferralDoc, step: &Step) -> (&'static str, ReferralDoc) {
    let mut only = ReferralDoc::new(
        doc.id.clone(),
        doc.client.clone(),
        doc.received.clone(),
        doc.status_at_referral.clone(),
    );
    fn last<T: Clone>(list: &Option<Vec<T>>) -> Option<Vec<T>> {
        list.as_ref()
            .and_then(|l| l.last())
            .map(|x| vec![x.clone()])
    }
    let table = match step {
        Step::Contact(_) => {
            only.contacts = last(&doc.contacts);
            "contacts"
        }
        Step::Hold(_) => {
            only.holds = last(&doc.holds);
            "holds"
        }
        Step::Waiting(_) => {
            only.waiting_list = last(&doc.waiting_list);
            "waiting_list"
        }
        Step::Engagement(_) => {
            only.engagement = last(&doc.engagement);
            "engagement"
        }
        Step::Decision(_) => {
            only.decisions = last(&doc.decisions);
            "decisions"
        }
        Step::Transfer(_) => {
            only.transfers = last(&doc.transfers);
            "transfers"
        }
        Step::InWorkCheck(_) => {
            only.in_work_checks = doc.in_work_checks.last().cloned().into_iter().collect();
            "in_work_checks"
        }
        _ => {
            only.jobs = last(&doc.jobs);
            "jobs"
        }
    };
    (table, only)
}
