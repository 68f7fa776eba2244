//! The bundle as written: the serde documents (`*Doc`) that the JSON is read
//! into and written from. Unknown fields are refused; dates, enumerations and
//! ids are still text here ([`validate`](super::validate) checks them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Number;

/// The `format` value of a bundle.
pub const BUNDLE_FORMAT: &str = "ipstrack-bundle/1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleDoc {
    pub format: String,
    pub service: ServiceDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyDoc>,
    pub teams: Vec<TeamDoc>,
    pub staff: Vec<StaffDoc>,
    pub clients: Vec<ClientDoc>,
    pub referrals: Vec<ReferralDoc>,
    /// The ES's contacts with employers (issue 13); left out when none, so
    /// bundles without them read and write as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub employer_contacts: Vec<EmployerContactDoc>,
    /// The fidelity reviews (issue 26); left out when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fidelity_reviews: Vec<FidelityReviewDoc>,
    /// The version each referral had in the database the bundle was taken
    /// from (issue 20, docs/formats.md): an import refuses a referral stored
    /// at another version since. Left out when empty (a bundle made
    /// elsewhere), so bundles without it read and write as before.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub referral_versions: BTreeMap<String, i64>,
}

/// A contact an ES made with an employer (issue 13): `kind` is `visit`,
/// `call` or `email`; `client` the client it was made for, if any.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmployerContactDoc {
    pub id: String,
    pub es: String,
    pub date: String,
    pub employer: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

/// A fidelity review (issue 26, docs/formats.md): `team` the team it
/// reviews (none: the whole service); `period` in T-2's words (`2025/26`,
/// `2025/26-Q1`, `2025-04-01..2025-09-30`); `stage` `draft` or `finished`;
/// `items` by their number on the scale, each with the score the records
/// suggested, the reviewers' score and their note.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FidelityReviewDoc {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub period: String,
    pub review_date: String,
    pub reviewers: Vec<String>,
    pub stage: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<FidelityItemDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<FidelityActionDoc>,
}

/// One item of a fidelity review: its number on the scale (1 to 25).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FidelityItemDoc {
    pub item: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An action of a fidelity review's plan: the item (1 to 25) scored
/// below 4, what, who and by when.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FidelityActionDoc {
    pub item: u32,
    pub what: String,
    pub who: String,
    pub by_when: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDoc {
    pub name: String,
    pub start_date: String,
}

/// Overrides of the default [`Policy`](crate::policy::Policy); every field optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_window_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertive_engagement_extra_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_limit_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_hours_threshold: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sustainment_gap_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_target_year1: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_target_year2: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_outcome_rate_target: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sustainment_rate_target: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fidelity_caseload: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caseload_band: Option<[u32; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_share_max: Option<Number>,
    /// *(rev. 3)* SUS-6: `evidenced` (the default) or `not_counted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sustainment_after_discharge: Option<String>,
    /// *(rev. 3)* ENG-1 (14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_due_days: Option<i32>,
    /// *(rev. 3)* ENG-2 (91).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_review_days: Option<i32>,
    /// *(rev. 3)* ENG-4 (30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rapid_search_days: Option<i32>,
}

/// A list that may be written as `null` or left out (both read as empty).
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamDoc {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffDoc {
    pub id: String,
    pub name: String,
    pub role: String,
    pub team: String,
    pub start_date: String,
    #[serde(default)]
    pub end_date: Option<String>,
    pub fte: Number,
}

/// A client as written (formats.md `clients[]`): every field but `id`
/// optional; the identity fields of revision 2 are left out of a written
/// bundle when empty, so bundles without them read and write as before.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClientDoc {
    pub id: String,
    #[serde(default)]
    pub nhs_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethnic_category: Option<String>,
    /// The client, known to another team, whose NHS number this client was
    /// entered with by someone who may not see them: the two are kept apart
    /// until a manager merges them (issue 21). Set by the doors from
    /// [`crate::scope::Scope::nhs_number_holder`], never taken from a form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub possible_duplicate_of: Option<String>,
}

impl ClientDoc {
    /// The fields after `id`, as a bundle names them (each optional text).
    pub const FIELDS: [&'static str; 8] = [
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "phone",
        "postcode",
        "gender",
        "ethnic_category",
    ];

    /// The [`FIELDS`](Self::FIELDS)' values, in their order.
    pub fn values(&self) -> [&Option<String>; 8] {
        [
            &self.nhs_number,
            &self.given_name,
            &self.family_name,
            &self.date_of_birth,
            &self.phone,
            &self.postcode,
            &self.gender,
            &self.ethnic_category,
        ]
    }

    /// Field `name` (one of [`FIELDS`](Self::FIELDS)); `None` for another name.
    pub fn field_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "nhs_number" => &mut self.nhs_number,
            "given_name" => &mut self.given_name,
            "family_name" => &mut self.family_name,
            "date_of_birth" => &mut self.date_of_birth,
            "phone" => &mut self.phone,
            "postcode" => &mut self.postcode,
            "gender" => &mut self.gender,
            "ethnic_category" => &mut self.ethnic_category,
            _ => return None,
        })
    }

    /// The value of field `name` (one of [`FIELDS`](Self::FIELDS)).
    pub fn field(&self, name: &str) -> Option<String> {
        let at = Self::FIELDS.iter().position(|f| *f == name)?;
        self.values()[at].clone()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralDoc {
    pub id: String,
    pub client: String,
    pub received: String,
    pub status_at_referral: String,
    #[serde(default)]
    pub es: Option<String>,
    #[serde(default)]
    pub transfers: Option<Vec<TransferDoc>>,
    #[serde(default)]
    pub access: Option<String>,
    #[serde(default)]
    pub vocational_plan: Option<PlanDoc>,
    #[serde(default)]
    pub contacts: Option<Vec<ContactDoc>>,
    #[serde(default)]
    pub holds: Option<Vec<SpellDoc>>,
    #[serde(default)]
    pub waiting_list: Option<Vec<WaitingSpellDoc>>,
    #[serde(default)]
    pub engagement: Option<Vec<EngagementDoc>>,
    #[serde(default)]
    pub decisions: Option<Vec<DecisionDoc>>,
    #[serde(default)]
    pub discharge: Option<DischargeDoc>,
    #[serde(default)]
    pub jobs: Option<Vec<JobDoc>>,
    /// *(rev. 3)* Dated confirmations that the person is still in work
    /// (SUS-6); left out when none, so bundles without them read and write
    /// as before.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub in_work_checks: Vec<InWorkCheckDoc>,
    /// ERR-1 (issue 23): marked as entered by mistake; left out when not,
    /// so bundles without it read and write as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_in_error: Option<EnteredInErrorDoc>,
    /// Issue 26 (FIDR-17): the day a better-off calculation (benefits and
    /// work-incentive advice) was offered; left out when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub better_off_calculation: Option<String>,
    /// Issue 26 (FIDR-18): the person's choice about disclosing their
    /// condition to employers, and when it was discussed; left out when not
    /// recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<DisclosureDoc>,
}

/// Issue 26: a disclosure choice (`full`, `partial`, `none`) and the day it
/// was discussed (docs/formats.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisclosureDoc {
    pub choice: String,
    pub date: String,
}

/// ERR-1 (issue 23): when, why and by whom a referral was marked as
/// entered in error (docs/formats.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnteredInErrorDoc {
    pub date: String,
    pub reason: String,
    pub recorded_by: String,
}

impl ReferralDoc {
    /// The same referral written in full: absent lists as empty lists, an
    /// absent `retained` as false (how the store keeps it, so two forms of one
    /// referral compare equal).
    pub fn fill_absent(&mut self) {
        self.transfers.get_or_insert_default();
        self.contacts.get_or_insert_default();
        self.holds.get_or_insert_default();
        self.waiting_list.get_or_insert_default();
        self.engagement.get_or_insert_default();
        self.decisions.get_or_insert_default();
        for j in self.jobs.get_or_insert_default() {
            j.retained.get_or_insert(false);
        }
    }

    /// A referral as received: who, when, employment status at referral, and
    /// nothing recorded yet.
    pub fn new(id: String, client: String, received: String, status_at_referral: String) -> Self {
        ReferralDoc {
            id,
            client,
            received,
            status_at_referral,
            es: None,
            transfers: None,
            access: None,
            vocational_plan: None,
            contacts: None,
            holds: None,
            waiting_list: None,
            engagement: None,
            decisions: None,
            discharge: None,
            jobs: None,
            in_work_checks: Vec::new(),
            entered_in_error: None,
            better_off_calculation: None,
            disclosure: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferDoc {
    pub date: String,
    pub es: String,
}

/// The vocational plan: its spell, the days it was reviewed, whether it
/// was agreed with the clinical team (issue 13) and the kind of work the
/// person wants (issue 26); each left out when not recorded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanDoc {
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_with_clinical_team: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_preferences: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpellDoc {
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WaitingSpellDoc {
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub expected_return: Option<String>,
}

#[derive(Clone, Default, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactDoc {
    pub date: String,
    pub kind: String,
    /// How the contact was held ([`MECHANISMS`](super::MECHANISMS)); omitted when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<String>,
    /// What happened and the next step, in a few words (at most
    /// [`MAX_NOTE_CHARS`](super::MAX_NOTE_CHARS)); omitted when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where it was held ([`CONTACT_LOCATIONS`](super::CONTACT_LOCATIONS),
    /// issue 26); omitted when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EngagementDoc {
    pub date: String,
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionDoc {
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// *(rev. 3, ENG-3)* The names or staff ids of those who agreed it; left
    /// out when none.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub agreed_by: Vec<String>,
}

/// *(rev. 3)* A dated confirmation that the person is still in work (SUS-6):
/// `source` is `payslip`, `employer`, `client` or `other`; `note` optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InWorkCheckDoc {
    pub date: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DischargeDoc {
    pub date: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JobDoc {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub employer: Option<String>,
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub hours_per_week: Option<Number>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<f64>>))]
    pub weekly_hours: Option<Vec<Number>>,
    #[serde(default)]
    pub four_hours_confirmed: Option<String>,
    #[serde(default)]
    pub self_employment_registration: Option<String>,
    /// What shows the self-employment is real: a UTR, a payslip or the
    /// accounts seen (issue 13); omitted when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_employment_evidence: Option<String>,
    #[serde(default)]
    pub retained: Option<bool>,
    #[serde(default)]
    pub return_to_work: Option<String>,
    /// Pays at least the minimum wage (issue 26: competitive jobs); omitted
    /// when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pays_minimum_wage: Option<bool>,
    /// Open to anyone, not set aside for people with a disability (issue
    /// 26); omitted when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_to_anyone: Option<bool>,
    /// Why the job ended ([`JOB_END_REASONS`](super::JOB_END_REASONS),
    /// issue 26); only with an `end`; omitted when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
}
