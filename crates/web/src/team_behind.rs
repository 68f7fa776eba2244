//! Why behind (issue 14): beside each `behind` status on the team dashboard,
//! the reason in numbers, from core's [`reasons`].

use ipstrack_core::Day;
use ipstrack_core::behind::reasons_among;
use ipstrack_core::model::Dataset;
use ipstrack_core::model::StaffIdx;
use ipstrack_core::report::{PartReferrals, PeriodOut, SpecialistKpis};
use ipstrack_core::targets::Status;
use ipstrack_core::time::DayRange;
use maud::{Markup, html};

use crate::ui::layout::plural;

/// The reasons beside each status of one ES (empty where not behind).
pub(crate) struct Why {
    pub access: Markup,
    pub into_work: Markup,
    pub job_outcome_rate: Markup,
    pub sustainment: Markup,
}

fn reason(behind: bool, lines: Vec<String>) -> Markup {
    html! {
        @if behind && !lines.is_empty() {
            ul class="why" { @for l in &lines { li { (l) } } }
        }
    }
}

/// Why ES `s` is behind, for each KPI whose status is `behind`.
pub(crate) fn why(
    d: &Dataset,
    s: &SpecialistKpis,
    (period, as_of): (&PeriodOut, Day),
    among: &PartReferrals,
) -> Why {
    let behind = |st: Option<Status>| st == Some(Status::Behind);
    let st = &s.targets.status;
    let any = [
        st.access,
        st.people_into_work,
        st.job_outcome_rate,
        st.sustainment_rate_13w,
    ]
    .into_iter()
    .any(behind);
    let Some(es) = d.staff.iter().position(|x| x.id == s.id).filter(|_| any) else {
        return Why {
            access: html! {},
            into_work: html! {},
            job_outcome_rate: html! {},
            sustainment: html! {},
        };
    };
    let days = DayRange::new(period.start, period.end.min(as_of));
    let f = reasons_among(d, among, StaffIdx::at(es), days, as_of);
    let staff = &d.staff[es];

    let mut access = vec![format!(
        "{} waiting for a first meeting",
        plural(i64::from(f.awaiting_first_meeting), "referral", "referrals")
    )];
    if let Some(w) = f.longest_wait_days.filter(|_| f.awaiting_first_meeting > 0) {
        access.push(format!(
            "the longest has waited {}",
            plural(i64::from(w), "day", "days")
        ));
    }
    access.push(match f.days_since_last_access {
        Some(0) => "last access today".into(),
        Some(n) => format!("last access {} ago", plural(i64::from(n), "day", "days")),
        None => "no access yet".into(),
    });
    if staff.fte.0 < 10_000 {
        access.push(format!(
            "part-time target (FTE {})",
            f64::from(staff.fte.0) / 10_000.0
        ));
    }
    if s.targets.year == 1 {
        access.push("year-1 target, from the start in post after training".into());
    }

    let seeking = vec![
        format!(
            "{} of {} seeking work moved into work",
            s.kpis.job_outcome_rate.numerator, s.kpis.job_outcome_rate.denominator
        ),
        format!(
            "{} still seeking work{}",
            plural(i64::from(f.seeking_work_not_in_work), "person", "people"),
            f.median_weeks_supported
                .map(|w| format!(
                    ", supported for {} (median)",
                    plural(i64::from(w), "week", "weeks")
                ))
                .unwrap_or_default()
        ),
    ];
    let sustainment = vec![
        format!(
            "{} of {} sustained 13 weeks; {} pending",
            s.kpis.sustainment_rate_13w.numerator,
            s.kpis.sustainment_rate_13w.denominator,
            s.kpis.sustainment_rate_13w.pending
        ),
        format!(
            "{} ended before 13 weeks",
            plural(
                i64::from(f.runs_ended_before_13_weeks),
                "run of work",
                "runs of work"
            )
        ),
    ];
    Why {
        access: reason(behind(st.access), access),
        into_work: reason(behind(st.people_into_work), seeking.clone()),
        job_outcome_rate: reason(behind(st.job_outcome_rate), seeking),
        sustainment: reason(behind(st.sustainment_rate_13w), sustainment),
    }
}
