//! Equality of access and outcomes (issue 26, EQ-1..EQ-7): referrals,
//! access, people into work and 13-week sustainment by ethnic group, gender
//! and age band at referral, for the service or one team, each group's rates
//! beside the whole's with the difference and whether it is beyond chance;
//! and the one rule by which every count is shown or exported (EQ-5), so that
//! small numbers never identify anyone.
//!
//! Each group's figures are the report's own (`report::kpis_among`) over the
//! group's referrals alone: the figures of a group are what the report would
//! give a service made of those referrals.

use crate::attribution::assigned_on;
use crate::model::{Client, Dataset, Referral, TeamIdx};
use crate::report::{Kpis, Part, ReportError, kpis_among};
use crate::time::{Day, Period};

/// One group of a dimension: its name, and whether its rates are compared
/// with the whole's (EQ-1: "Not stated" and "Not known" are shown but kept
/// apart from the comparison).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    pub label: &'static str,
    pub compared: bool,
}

const fn compared(label: &'static str) -> Group {
    Group {
        label,
        compared: true,
    }
}

const fn apart(label: &'static str) -> Group {
    Group {
        label,
        compared: false,
    }
}

/// EQ-1: the NHS Data Dictionary's broad ethnic groups, in its order.
pub const ETHNIC_GROUPS: [Group; 7] = [
    compared("White"),
    compared("Mixed"),
    compared("Asian or Asian British"),
    compared("Black or Black British"),
    compared("Other ethnic group"),
    apart("Not stated"),
    apart("Not known"),
];

/// EQ-2: person stated gender.
pub const GENDERS: [Group; 4] = [
    compared("Male"),
    compared("Female"),
    compared("Indeterminate"),
    apart("Not known"),
];

/// EQ-3: age bands at referral.
pub const AGE_BANDS: [Group; 8] = [
    compared("Under 16"),
    compared("16 to 24"),
    compared("25 to 34"),
    compared("35 to 44"),
    compared("45 to 54"),
    compared("55 to 64"),
    compared("65 and over"),
    apart("Not known"),
];

/// EQ-1: the broad group (an index into [`ETHNIC_GROUPS`]) of an ethnic
/// category code: A–C White, D–G Mixed, H–L Asian or Asian British, M–P
/// Black or Black British, R–S Other, Z Not stated, 99, none or anything
/// else Not known.
pub fn ethnic_group(code: Option<&str>) -> usize {
    match code.map(str::trim).unwrap_or_default() {
        "A" | "B" | "C" => 0,
        "D" | "E" | "F" | "G" => 1,
        "H" | "J" | "K" | "L" => 2,
        "M" | "N" | "P" => 3,
        "R" | "S" => 4,
        "Z" => 5,
        _ => 6,
    }
}

/// EQ-2: the group (an index into [`GENDERS`]) of a person stated gender
/// code: 1 Male, 2 Female, 9 Indeterminate, X, none or anything else Not
/// known.
pub fn gender_group(code: Option<&str>) -> usize {
    match code.map(str::trim).unwrap_or_default() {
        "1" => 0,
        "2" => 1,
        "9" => 2,
        _ => 3,
    }
}

/// Whole years from `born` to `on` (a birthday counts on its day; one born
/// on 29 February has it on 1 March in a year without one).
pub fn age_on(born: Day, on: Day) -> Option<i32> {
    if born > on {
        return None;
    }
    let (b, o) = (born.date(), on.date());
    let mut years = i32::from(o.year()) - i32::from(b.year());
    if (o.month(), o.day()) < (b.month(), b.day()) {
        years -= 1;
    }
    Some(years)
}

/// EQ-3: the age band (an index into [`AGE_BANDS`]) of a person born on
/// `born` referred on `received`: their age on the received day; no date of
/// birth, or one after the referral, is Not known.
pub fn age_band(born: Option<Day>, received: Day) -> usize {
    match born.and_then(|b| age_on(b, received)) {
        None => 7,
        Some(..16) => 0,
        Some(16..=24) => 1,
        Some(25..=34) => 2,
        Some(35..=44) => 3,
        Some(45..=54) => 4,
        Some(55..=64) => 5,
        Some(_) => 6,
    }
}

/// The three ways people are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    Ethnicity,
    Gender,
    Age,
}

impl Dimension {
    pub const ALL: [Dimension; 3] = [Dimension::Ethnicity, Dimension::Gender, Dimension::Age];

    /// Its name on a page.
    pub fn title(self) -> &'static str {
        match self {
            Dimension::Ethnicity => "Ethnic group",
            Dimension::Gender => "Gender",
            Dimension::Age => "Age at referral",
        }
    }

    /// Its name in an export.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::Ethnicity => "ethnic_group",
            Dimension::Gender => "gender",
            Dimension::Age => "age_band",
        }
    }

    pub fn groups(self) -> &'static [Group] {
        match self {
            Dimension::Ethnicity => &ETHNIC_GROUPS,
            Dimension::Gender => &GENDERS,
            Dimension::Age => &AGE_BANDS,
        }
    }

    /// The group of a referral of `client` received on `received`.
    pub fn group_of(self, client: &Client, received: Day) -> usize {
        match self {
            Dimension::Ethnicity => ethnic_group(client.ethnic_category.as_deref()),
            Dimension::Gender => gender_group(client.gender.as_deref()),
            Dimension::Age => age_band(client.date_of_birth, received),
        }
    }
}

/// Whose figures: the service's or one team's (EQ-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Whole {
    Service,
    Team(TeamIdx),
}

impl From<Option<TeamIdx>> for Whole {
    /// The service (`None`) or one team, as `Scope::equality` gives them.
    fn from(team: Option<TeamIdx>) -> Whole {
        team.map_or(Whole::Service, Whole::Team)
    }
}

/// A group's (or the whole's) counts, before EQ-5 (never shown as they are).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// REF-1: referrals received in the period.
    pub referrals: u32,
    /// EQ-6: of those, the referrals with an access date by the as-of date.
    pub referrals_accessed: u32,
    /// ACC-2: people accessed in the period.
    pub people_accessed: u32,
    /// JOB-4: people into work in the period.
    pub people_into_work: u32,
    /// SUS-3: 13-week sustainment outcomes in the period.
    pub sustained_13w: u32,
    /// RATE-1: people seeking work (denominator) and those moved into work.
    pub seeking_work: u32,
    pub moved_into_work: u32,
    /// RATE-2: people judged at 13 weeks (denominator) and those sustained.
    pub judged_13w: u32,
    pub achieved_13w: u32,
}

impl Counts {
    fn of(k: &Kpis, (referrals, referrals_accessed): (u32, u32)) -> Counts {
        Counts {
            referrals,
            referrals_accessed,
            people_accessed: k.access.unemployed + k.access.employed,
            people_into_work: k.people_into_work.unemployed + k.people_into_work.employed,
            sustained_13w: k.sustained.w13.unemployed + k.sustained.w13.employed,
            seeking_work: k.job_outcome_rate.denominator,
            moved_into_work: k.job_outcome_rate.numerator,
            judged_13w: k.sustainment_rate_13w.denominator,
            achieved_13w: k.sustainment_rate_13w.numerator,
        }
    }

    /// A rate's numerator and denominator.
    pub fn fraction(&self, rate: RateKind) -> (u32, u32) {
        match rate {
            RateKind::Access => (self.referrals_accessed, self.referrals),
            RateKind::IntoWork => (self.moved_into_work, self.seeking_work),
            RateKind::Sustainment13w => (self.achieved_13w, self.judged_13w),
        }
    }
}

/// EQ-6: the three rates compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateKind {
    /// Referrals received in the period accessed by the as-of date, of
    /// those received.
    Access,
    /// RATE-1.
    IntoWork,
    /// RATE-2.
    Sustainment13w,
}

impl RateKind {
    pub const ALL: [RateKind; 3] = [
        RateKind::Access,
        RateKind::IntoWork,
        RateKind::Sustainment13w,
    ];

    pub fn title(self) -> &'static str {
        match self {
            RateKind::Access => "Access rate",
            RateKind::IntoWork => "Job outcome rate",
            RateKind::Sustainment13w => "13-week sustainment rate",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            RateKind::Access => "access_rate",
            RateKind::IntoWork => "job_outcome_rate",
            RateKind::Sustainment13w => "sustainment_rate_13w",
        }
    }
}

/// One group's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupCounts {
    pub group: Group,
    pub counts: Counts,
}

/// A dimension's groups, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DimensionCounts {
    pub dimension: Dimension,
    pub groups: Vec<GroupCounts>,
}

/// The equality figures of a period as known on a day, before EQ-5.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equality {
    pub of: Whole,
    pub period: Period,
    pub as_of: Day,
    pub whole: Counts,
    pub dimensions: Vec<DimensionCounts>,
}

/// EQ-4: the figures of `of` for `period` as known on `as_of`, whole and by
/// each group of each dimension.
pub fn equality(
    data: &Dataset,
    period: &Period,
    as_of: Day,
    of: Whole,
) -> Result<Equality, ReportError> {
    let (at, team): (Vec<usize>, Option<TeamIdx>) = match of {
        Whole::Service => (data.counted_referrals().map(|(at, _)| at).collect(), None),
        Whole::Team(t) => (Part::Team(t).referrals(data).positions().to_vec(), Some(t)),
    };
    let figures = |at: &[usize]| -> Result<Counts, ReportError> {
        let k = kpis_among(data, period, as_of, at, team)?;
        Ok(Counts::of(&k, received(data, period, as_of, at, team)))
    };
    let whole = figures(&at)?;
    let mut dimensions = Vec::with_capacity(3);
    for dimension in Dimension::ALL {
        let mut positions = vec![Vec::new(); dimension.groups().len()];
        for &p in &at {
            let r = &data.referrals[p];
            positions[dimension.group_of(data.client(r.client), r.received)].push(p);
        }
        let groups = dimension
            .groups()
            .iter()
            .zip(&positions)
            .map(|(group, at)| {
                Ok(GroupCounts {
                    group: *group,
                    counts: figures(at)?,
                })
            })
            .collect::<Result<_, ReportError>>()?;
        dimensions.push(DimensionCounts { dimension, groups });
    }
    Ok(Equality {
        of,
        period: period.clone(),
        as_of,
        whole,
        dimensions,
    })
}

/// REF-1 over the referrals at `at` (credited to `team`'s ES on the day
/// received, R-2, or to the service), and EQ-6's numerator: those of them
/// with an access date on or before the as-of date.
fn received(
    data: &Dataset,
    period: &Period,
    as_of: Day,
    at: &[usize],
    team: Option<TeamIdx>,
) -> (u32, u32) {
    let last = period.end.min(as_of);
    let counts = |r: &Referral| {
        r.is_counted()
            && (period.start..=last).contains(&r.received)
            && team.is_none_or(|t| {
                assigned_on(r, r.received, as_of).is_some_and(|es| data.staff_member(es).team == t)
            })
    };
    let mut n = (0, 0);
    for &p in at {
        let r = &data.referrals[p];
        if counts(r) {
            n.0 += 1;
            if r.access.is_some_and(|a| a <= as_of) {
                n.1 += 1;
            }
        }
    }
    n
}

/// EQ-5: a count as it may be shown or exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// 0, or a count of 8 or more rounded to the nearest 5.
    Count(u32),
    /// 1 to 7: never shown.
    Suppressed,
}

/// The largest count suppressed (EQ-5).
pub const SUPPRESSED_UP_TO: u32 = 7;

/// EQ-5, the one rule for every count shown or exported: 0 stays 0, 1 to 7
/// are suppressed, any other is rounded to the nearest 5 (a half rounds up,
/// which for whole numbers never arises).
pub fn shown(n: u32) -> Shown {
    match n {
        0 => Shown::Count(0),
        1..=SUPPRESSED_UP_TO => Shown::Suppressed,
        _ => Shown::Count((n + 2) / 5 * 5),
    }
}

impl Shown {
    /// On a page: the rounded count, or "fewer than 8".
    pub fn words(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Suppressed => "fewer than 8".to_string(),
        }
    }

    /// In an export: the rounded count, or `*`.
    pub fn csv(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Suppressed => "*".to_string(),
        }
    }
}

/// EQ-5: whether a count is small enough to identify someone.
fn small(n: u32) -> bool {
    (1..=SUPPRESSED_UP_TO).contains(&n)
}

/// EQ-5: a rate (a percentage) as it may be shown: none when nobody is in
/// its denominator, or when its numerator, its denominator or those in the
/// denominator but not the numerator number 1 to 7 (any of those would let
/// a small count be worked out from the rate).
pub fn shown_rate(numerator: u32, denominator: u32) -> Option<f64> {
    let rest = denominator.saturating_sub(numerator);
    (denominator > 0 && !small(numerator) && !small(denominator) && !small(rest))
        .then(|| 100.0 * f64::from(numerator) / f64::from(denominator))
}

/// The z of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// EQ-7: the 95% Wilson score interval of `x` successes in `n` trials, as
/// proportions (none for `n` 0).
pub fn wilson_95(x: u32, n: u32) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n = f64::from(n);
    let p = f64::from(x) / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// EQ-7: a group's rate beside the whole's, as shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShownRate {
    /// The group's rate, in percent (EQ-5).
    pub percent: Option<f64>,
    /// The group's rate less the whole's, in percentage points: for a group
    /// compared when both rates are shown.
    pub difference: Option<f64>,
    /// Whether the whole's rate is outside the 95% Wilson interval of the
    /// group's: when the difference is shown.
    pub beyond_chance: Option<bool>,
}

fn compare(group: Group, (x, n): (u32, u32), whole: (u32, u32)) -> ShownRate {
    let percent = shown_rate(x, n);
    let whole_percent = shown_rate(whole.0, whole.1);
    let (difference, beyond_chance) = match (group.compared, percent, whole_percent) {
        (true, Some(p), Some(w)) => {
            let beyond = wilson_95(x, n).map(|(lo, hi)| {
                let w = f64::from(whole.0) / f64::from(whole.1);
                w < lo || w > hi
            });
            (Some(p - w), beyond)
        }
        _ => (None, None),
    };
    ShownRate {
        percent,
        difference,
        beyond_chance,
    }
}

/// A row as shown: every count through [`shown`], every rate through
/// [`shown_rate`].
#[derive(Clone, Debug, PartialEq)]
pub struct ShownRow {
    pub label: &'static str,
    pub compared: bool,
    pub referrals: Shown,
    pub referrals_accessed: Shown,
    pub people_accessed: Shown,
    pub people_into_work: Shown,
    pub sustained_13w: Shown,
    pub seeking_work: Shown,
    pub judged_13w: Shown,
    /// In the order of [`RateKind::ALL`].
    pub rates: [ShownRate; 3],
}

impl ShownRow {
    fn of(group: Group, c: &Counts, whole: &Counts) -> ShownRow {
        let rate = |k: RateKind| compare(group, c.fraction(k), whole.fraction(k));
        ShownRow {
            label: group.label,
            compared: group.compared,
            referrals: shown(c.referrals),
            referrals_accessed: shown(c.referrals_accessed),
            people_accessed: shown(c.people_accessed),
            people_into_work: shown(c.people_into_work),
            sustained_13w: shown(c.sustained_13w),
            seeking_work: shown(c.seeking_work),
            judged_13w: shown(c.judged_13w),
            rates: RateKind::ALL.map(rate),
        }
    }

    /// Every count of the row, with its export key.
    pub fn counts(&self) -> [(&'static str, Shown); 7] {
        [
            ("referrals", self.referrals),
            ("referrals_accessed", self.referrals_accessed),
            ("people_accessed", self.people_accessed),
            ("people_into_work", self.people_into_work),
            ("sustained_13w", self.sustained_13w),
            ("seeking_work", self.seeking_work),
            ("judged_13w", self.judged_13w),
        ]
    }
}

/// A dimension as shown: its groups and the whole.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownDimension {
    pub dimension: Dimension,
    pub groups: Vec<ShownRow>,
    pub whole: ShownRow,
}

impl Equality {
    /// Every dimension as it may be shown or exported (EQ-5, EQ-7); the raw
    /// counts are for tests, never for a page.
    pub fn shown(&self) -> Vec<ShownDimension> {
        let whole = ShownRow::of(apart("All"), &self.whole, &self.whole);
        self.dimensions
            .iter()
            .map(|d| ShownDimension {
                dimension: d.dimension,
                groups: d
                    .groups
                    .iter()
                    .map(|g| ShownRow::of(g.group, &g.counts, &self.whole))
                    .collect(),
                whole: whole.clone(),
            })
            .collect()
    }
}
