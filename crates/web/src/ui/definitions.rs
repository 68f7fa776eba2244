//! What each key performance indicator means, in the IPS Grow framework's
//! words with the rule it follows (docs/rules.md), and a KPI's name as a link
//! to its entry on the definitions page (`/definitions`, `definitions.rs`),
//! as every figure's heading shows it.

use maud::{Markup, html};

/// A KPI's entry: its anchor on the page, its name, the rules it follows
/// (docs/rules.md) and its definition.
pub(crate) struct Definition {
    pub anchor: &'static str,
    pub name: &'static str,
    pub rules: &'static str,
    pub words: &'static str,
}

pub(crate) const DEFINITIONS: [Definition; 12] = [
    Definition {
        anchor: "referrals",
        name: "Referrals",
        rules: "REF-1",
        words: "Referrals received in the period, counted separately for people who were unemployed and people in work (job retention) when referred.",
    },
    Definition {
        anchor: "access",
        name: "Access",
        rules: "ACC-1, ACC-2",
        words: "The first meaningful contact between the employment specialist and the person after they agree to take part. Counted once per person, in the period it happened.",
    },
    Definition {
        anchor: "into-work",
        name: "People moved into work",
        rules: "JOB-1, JOB-3, JOB-4",
        words: "People whose first job start of paid work (4 hours or more worked) began in the period. Self-employment counts only once registered as a sole trader or company.",
    },
    Definition {
        anchor: "job-starts",
        name: "Total job starts",
        rules: "JOB-5",
        words: "Every job start of paid work (4 hours or more worked) in the period, including second and later jobs of the same person.",
    },
    Definition {
        anchor: "sustained",
        name: "Job sustainment at 13, 26 and 52 weeks",
        rules: "SUS-1 to SUS-6",
        words: "People who stayed in paid work for 13, 26 or 52 weeks, breaks under 6 weeks allowed; one of each for each person. After discharge, work counts only as far as an in-work check or a recorded end shows.",
    },
    Definition {
        anchor: "caseload",
        name: "Active caseload",
        rules: "CASE-1, CASE-2",
        words: "People accessed, not discharged or on hold, with a two-way contact in the last 4 weeks and an active vocational plan. Open cases are all accessed and not discharged; the waiting list is never active.",
    },
    Definition {
        anchor: "carried-over",
        name: "Carried over",
        rules: "CASE-3",
        words: "Active cases carried over from the previous financial year: the people active on the last day of that year. Every quarter of a year shows the year's figure.",
    },
    Definition {
        anchor: "job-outcome-rate",
        name: "Job outcome rate",
        rules: "RATE-1, TGT-3",
        words: "Of the unemployed people supported and seeking work, the share who moved into work. The target is 40% a year: a quarter is judged on the financial year to date.",
    },
    Definition {
        anchor: "sustainment-rate",
        name: "13-week sustainment rate",
        rules: "RATE-2, TGT-3",
        words: "Of the unemployed people who moved into work and started at least 13 weeks ago, the share who sustained 13 weeks. The target is 65% a year: a quarter is judged on the financial year to date.",
    },
    Definition {
        anchor: "working-rate",
        name: "Working rate",
        rules: "RATE-3",
        words: "Of the unemployed people supported in the period, the share who worked at any time in it, whether they started before it or not.",
    },
    Definition {
        anchor: "access-target",
        name: "Access target",
        rules: "TGT-1",
        words: "35 people in an employment specialist's first year, after 3 months of training; 40 a year from the second year; in proportion to their hours (FTE).",
    },
    Definition {
        anchor: "into-work-target",
        name: "People-into-work target",
        rules: "TGT-2",
        words: "40% of the access target (16 of 40).",
    },
];

/// A KPI's name as a link to its definition.
pub(crate) fn defined(anchor: &str, name: &str) -> Markup {
    debug_assert!(DEFINITIONS.iter().any(|d| d.anchor == anchor), "{anchor}");
    html! { a href=(format!("/definitions#{anchor}")) class="defined" { (name) } }
}
