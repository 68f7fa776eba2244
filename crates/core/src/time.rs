//! Calendar days, financial years, quarters and report periods (T-1, T-2, T-3).
//!
//! All case data is dated by calendar day (T-1). The engine works on [`Day`], a
//! day number, so that "N weeks" is plain integer arithmetic; calendar months
//! (training time, year 1 of a specialist) go through `jiff`.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;

/// A calendar day, counted from 1970-01-01 (T-1: no times, no time zones).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i32);

const EPOCH: Date = jiff::civil::date(1970, 1, 1);

impl Day {
    /// The day of a civil date.
    pub fn from_date(date: Date) -> Day {
        let days = (date - EPOCH).get_days();
        Day(days)
    }

    /// Builds a day from year, month and day; `None` when it is not a real date.
    pub fn ymd(year: i16, month: i8, day: i8) -> Option<Day> {
        Date::new(year, month, day).ok().map(Day::from_date)
    }

    /// The first day ipstrack accepts anywhere (bundle, forms, queries,
    /// imports, the command line).
    pub const FIRST: Day = Day(-25_567);
    /// The last day ipstrack accepts.
    pub const LAST: Day = Day(47_481);

    /// Within [`Day::FIRST`]..=[`Day::LAST`] (1900-01-01 to 2099-12-31).
    pub fn in_range(self) -> bool {
        (Day::FIRST..=Day::LAST).contains(&self)
    }

    /// Parses a strict `YYYY-MM-DD` date (T-1) between 1900-01-01 and
    /// 2099-12-31 (issue 11: every date has a bound, so that no computation
    /// runs for centuries or meets a year the calendar library cannot hold).
    pub fn parse(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        if b.len() != 10
            || b[4] != b'-'
            || b[7] != b'-'
            || !b
                .iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        {
            return None;
        }
        let year: i16 = text[0..4].parse().ok()?;
        let month: i8 = text[5..7].parse().ok()?;
        let day: i8 = text[8..10].parse().ok()?;
        Day::ymd(year, month, day).filter(|d| d.in_range())
    }

    /// The civil date of this day.
    pub fn date(self) -> Date {
        EPOCH + self.0.days()
    }

    /// The day `n` days later (earlier when negative).
    pub fn plus(self, n: i32) -> Day {
        Day(self.0 + n)
    }

    /// Whole days from `earlier` to `self` (`self − earlier`).
    pub fn since(self, earlier: Day) -> i32 {
        self.0 - earlier.0
    }

    /// The same day `n` calendar months later, clamped to the month's end
    /// (T-1: 31 Jan + 1 month = 28/29 Feb).
    pub fn plus_months(self, n: i32) -> Day {
        Day::from_date(self.date() + n.months())
    }

    /// The financial year containing this day, named by its starting year
    /// (T-2: 2024/25 runs 2024-04-01 to 2025-03-31).
    pub fn financial_year(self) -> i16 {
        let d = self.date();
        if d.month() >= 4 {
            d.year()
        } else {
            d.year() - 1
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Day {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Day {}

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date())
    }
}

/// An inclusive range of days (T-2, T-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRange {
    pub start: Day,
    pub end: Day,
}

impl DayRange {
    pub fn new(start: Day, end: Day) -> DayRange {
        DayRange { start, end }
    }

    pub fn contains(&self, day: Day) -> bool {
        self.start <= day && day <= self.end
    }

    /// Number of days in the range (0 when empty).
    pub fn len(&self) -> i64 {
        i64::from(self.end.since(self.start) + 1).max(0)
    }

    pub fn is_empty(&self) -> bool {
        self.end < self.start
    }

    /// The days common to both ranges (possibly empty).
    pub fn intersect(&self, other: DayRange) -> DayRange {
        DayRange::new(self.start.max(other.start), self.end.min(other.end))
    }
}

/// The first and last day of financial year `fy` (`2024` for 2024/25).
pub fn financial_year_range(fy: i16) -> DayRange {
    let start = Day::ymd(fy, 4, 1).expect("1 April exists");
    let end = Day::ymd(fy + 1, 3, 31).expect("31 March exists");
    DayRange::new(start, end)
}

/// The quarter (1..=4) of its financial year a day falls in: April–June is 1.
fn quarter_number(day: Day) -> u8 {
    let months_since_april = (i32::from(day.date().month()) - 4).rem_euclid(12);
    (months_since_april / 3 + 1) as u8
}

/// A reporting period: an inclusive date range with its canonical label (T-2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: Day,
    pub end: Day,
    pub label: String,
}

/// Why a period could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "period `{0}` is not valid: use a financial year (2024/25), a quarter (2024/25-Q3) or a date range (2024-04-01..2024-06-30) of at most {MAX_PERIOD_YEARS} years, between 1900 and 2099"
)]
pub struct PeriodError(pub String);

/// The longest custom period, in years (issue 11: a report's work grows with
/// its length).
pub const MAX_PERIOD_YEARS: i32 = 5;

impl Period {
    /// A financial year (`2024/25`).
    pub fn financial_year(fy: i16) -> Period {
        let r = financial_year_range(fy);
        Period {
            start: r.start,
            end: r.end,
            label: format!("{}/{:02}", fy, (fy + 1).rem_euclid(100)),
        }
    }

    /// Quarter `q` (1..=4) of financial year `fy`: Q1 Apr–Jun … Q4 Jan–Mar.
    pub fn quarter(fy: i16, q: u8) -> Period {
        let fy_start = financial_year_range(fy).start;
        let start = fy_start.plus_months(3 * (i32::from(q) - 1));
        let end = start.plus_months(3).plus(-1);
        Period {
            start,
            end,
            label: format!("{}/{:02}-Q{}", fy, (fy + 1).rem_euclid(100), q),
        }
    }

    /// The quarter of the financial year that contains `day` (T-2).
    pub fn quarter_containing(day: Day) -> Period {
        Period::quarter(day.financial_year(), quarter_number(day))
    }

    /// T-2: the last financial quarter that ended before `today` — the
    /// quarter a return is due for (on 15 Jan 2025: 2024/25-Q3; on 1 Apr
    /// 2025: 2024/25-Q4). A quarter closes at the end of its last day, so on
    /// 31 Dec 2024 it is still Q2.
    pub fn last_closed_quarter(today: Day) -> Period {
        Period::quarter_containing(Period::quarter_containing(today).start.plus(-1))
    }

    /// The financial year and quarter number when this period is exactly a
    /// quarter (`2024/25-Q3` → `(2024, 3)`), else `None`.
    pub fn as_quarter(&self) -> Option<(i16, u8)> {
        let q = Period::quarter_containing(self.start);
        (q.start == self.start && q.end == self.end)
            .then(|| (self.start.financial_year(), quarter_number(self.start)))
    }

    /// Any inclusive range; the label is `START..END`.
    pub fn range(start: Day, end: Day) -> Period {
        Period {
            start,
            end,
            label: format!("{start}..{end}"),
        }
    }

    pub fn days(&self) -> DayRange {
        DayRange::new(self.start, self.end)
    }

    /// T-3: the as-of date when none is given — the period's end or today,
    /// whichever is earlier.
    pub fn default_as_of(&self, today: Day) -> Day {
        self.end.min(today)
    }

    /// The days a trend is drawn on: the last day of each month counted from
    /// the period's start, up to the as-of date (the last is the earlier of
    /// the period's end and the as-of date).
    pub fn month_ends(&self, as_of: Day) -> Vec<Day> {
        let last = self.end.min(as_of);
        let mut ends = Vec::new();
        let mut end = self.start.plus_months(1).plus(-1).min(last);
        loop {
            ends.push(end);
            if end >= last {
                return ends;
            }
            end = end.plus(1).plus_months(1).plus(-1).min(last);
        }
    }

    /// The quarters of the financial year the period starts in that have
    /// begun by the earlier of the period's end and the as-of date, each with
    /// the day its figures are known on (its end, or that earlier day).
    pub fn quarters_to(&self, as_of: Day) -> Vec<(Period, Day)> {
        let last = self.end.min(as_of);
        let fy = self.start.financial_year();
        (1..=4)
            .map(|q| Period::quarter(fy, q))
            .take_while(|q| q.start <= last)
            .map(|q| {
                let known = q.end.min(last);
                (q, known)
            })
            .collect()
    }

    /// Parses `2024/25`, `2024/25-Q3` or `2024-04-01..2024-06-30`.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError(text.to_string());
        if let Some((a, b)) = text.split_once("..") {
            let start = Day::parse(a).ok_or_else(err)?;
            let end = Day::parse(b).ok_or_else(err)?;
            if end < start || end >= start.plus_months(12 * MAX_PERIOD_YEARS) {
                return Err(err());
            }
            return Ok(Period::range(start, end));
        }
        let (fy_text, quarter) = match text.split_once("-Q") {
            Some((fy, q_text)) => {
                let q: u8 = q_text.parse().map_err(|_| err())?;
                if !(1..=4).contains(&q) || q_text.len() != 1 {
                    return Err(err());
                }
                (fy, Some(q))
            }
            None => (text, None),
        };
        let (y, yy) = fy_text.split_once('/').ok_or_else(err)?;
        if y.len() != 4 || yy.len() != 2 || !y.bytes().chain(yy.bytes()).all(|c| c.is_ascii_digit())
        {
            return Err(err());
        }
        let fy: i16 = y.parse().map_err(|_| err())?;
        let next: i16 = yy.parse().map_err(|_| err())?;
        // The last financial year that ends by 2099-12-31 is 2098/99.
        if (fy + 1).rem_euclid(100) != next || !(1900..=2098).contains(&fy) {
            return Err(err());
        }
        Ok(match quarter {
            Some(q) => Period::quarter(fy, q),
            None => Period::financial_year(fy),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn t_1_dates_are_strict_iso_calendar_days() {
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        assert!(Day::parse("2023-02-29").is_none());
        assert!(Day::parse("2024-2-01").is_none());
        assert!(Day::parse("2024-02-01T00:00").is_none());
        assert!(Day::parse("01/02/2024").is_none());
        assert!(Day::parse("+024-02-01").is_none());
        assert_eq!(d("2024-03-01").since(d("2024-02-28")), 2);
    }

    #[test]
    fn t_1_calendar_months_clamp_to_month_end() {
        assert_eq!(d("2024-01-31").plus_months(1), d("2024-02-29"));
        assert_eq!(d("2023-01-31").plus_months(1), d("2023-02-28"));
        assert_eq!(d("2024-02-29").plus_months(12), d("2025-02-28"));
        assert_eq!(d("2024-07-01").plus_months(3), d("2024-10-01"));
    }

    #[test]
    fn t_2_financial_year_edges() {
        assert_eq!(d("2024-03-31").financial_year(), 2023);
        assert_eq!(d("2024-04-01").financial_year(), 2024);
        assert_eq!(d("2025-03-31").financial_year(), 2024);
        let p = Period::parse("2024/25").unwrap();
        assert_eq!((p.start, p.end), (d("2024-04-01"), d("2025-03-31")));
        assert_eq!(p.label, "2024/25");
        assert_eq!(p.days().len(), 365);
        assert_eq!(Period::parse("2023/24").unwrap().days().len(), 366);
        assert_eq!(Period::parse("1999/00").unwrap().end, d("2000-03-31"));
    }

    #[test]
    fn t_2_quarters() {
        let q = |s: &str| {
            let p = Period::parse(s).unwrap();
            (p.start.to_string(), p.end.to_string(), p.label)
        };
        assert_eq!(
            q("2024/25-Q1"),
            (
                "2024-04-01".into(),
                "2024-06-30".into(),
                "2024/25-Q1".into()
            )
        );
        assert_eq!(
            q("2024/25-Q2"),
            (
                "2024-07-01".into(),
                "2024-09-30".into(),
                "2024/25-Q2".into()
            )
        );
        assert_eq!(
            q("2024/25-Q3"),
            (
                "2024-10-01".into(),
                "2024-12-31".into(),
                "2024/25-Q3".into()
            )
        );
        assert_eq!(
            q("2024/25-Q4"),
            (
                "2025-01-01".into(),
                "2025-03-31".into(),
                "2024/25-Q4".into()
            )
        );
    }

    #[test]
    fn trends_run_month_by_month_and_quarter_by_quarter_to_the_as_of_date() {
        let fy = Period::parse("2024/25").unwrap();
        let ends: Vec<String> = fy
            .month_ends(d("2024-12-10"))
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(ends.len(), 9);
        assert_eq!(ends[0], "2024-04-30");
        assert_eq!(ends[1], "2024-05-31");
        assert_eq!(ends[7], "2024-11-30");
        assert_eq!(ends[8], "2024-12-10");
        assert_eq!(fy.month_ends(d("2026-01-01")).len(), 12);
        assert_eq!(fy.month_ends(d("2024-04-01")), vec![d("2024-04-01")]);
        // A range starting mid-month: months counted from its start.
        let range = Period::parse("2024-06-15..2024-08-20").unwrap();
        assert_eq!(
            range.month_ends(d("2025-01-01")),
            vec![d("2024-07-14"), d("2024-08-14"), d("2024-08-20")]
        );
        let quarters = fy.quarters_to(d("2024-10-01"));
        assert_eq!(quarters.len(), 3);
        assert_eq!(quarters[0].0.label, "2024/25-Q1");
        assert_eq!(quarters[0].1, d("2024-06-30"));
        assert_eq!(quarters[2].0.label, "2024/25-Q3");
        assert_eq!(quarters[2].1, d("2024-10-01"));
        let q3 = Period::parse("2024/25-Q3").unwrap();
        assert_eq!(q3.quarters_to(d("2025-06-01")).len(), 3);
    }

    #[test]
    fn t_2_ranges_and_bad_periods() {
        let p = Period::parse("2024-06-15..2024-12-14").unwrap();
        assert_eq!(p.label, "2024-06-15..2024-12-14");
        assert_eq!(p.days().len(), 183);
        for bad in [
            "",
            "2024",
            "2024/26",
            "2024/25-Q5",
            "2024/25-Q0",
            "2024/25-Q",
            "24/25",
            "2024-06-15..2024-06-14",
            "2024-06-15..",
            "2024-13-01..2024-12-01",
            "2024/25-Q01",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}

#[cfg(test)]
mod bounds {
    use super::*;

    #[test]
    fn every_date_falls_in_1900_to_2099() {
        assert_eq!(Day::parse("1900-01-01"), Some(Day::FIRST));
        assert_eq!(Day::parse("2099-12-31"), Some(Day::LAST));
        assert_eq!(Day::FIRST.to_string(), "1900-01-01");
        assert_eq!(Day::LAST.to_string(), "2099-12-31");
        assert!(Day::parse("1899-12-31").is_none());
        assert!(Day::parse("2100-01-01").is_none());
        assert!(Day::parse("9999-12-31").is_none());
    }

    #[test]
    fn a_custom_period_lasts_at_most_5_years() {
        assert!(Period::parse("2020-04-01..2025-03-31").is_ok());
        assert!(Period::parse("2020-04-01..2025-04-01").is_err());
        assert!(Period::parse("2024-04-21..2524-03-31").is_err());
        assert!(Period::parse("2024-04-01..9999-03-31").is_err());
        assert!(Period::parse("2098/99").is_ok());
        assert!(Period::parse("2099/00").is_err());
        assert!(Period::parse("9998/99-Q4").is_err());
        assert!(Period::parse("1899/00").is_err());
        let e = Period::parse("2024-04-21..2524-03-31")
            .unwrap_err()
            .to_string();
        assert!(e.contains("at most 5 years"), "{e}");
    }
}
