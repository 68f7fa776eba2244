//! Dates as spreadsheets hold them: Excel dates, serial numbers, UK dates
//! written as text and ISO dates. A date that could be read two ways is
//! refused by name, never guessed.

use ipstrack_core::Day;

use super::cells::Cell;

/// The earliest year read as a date: anything before is a typo or an empty
/// formula (Excel's day 0 is 1899-12-31), not IPS data.
pub(crate) const FIRST_YEAR: i16 = 1990;
/// The earliest year read as a date of birth (the first day ipstrack holds,
/// [`Day::FIRST`]).
pub(crate) const FIRST_BIRTH_YEAR: i16 = 1900;
const LAST_YEAR: i16 = 2099;

/// A date cell as first read, before the other cells of its column are seen.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DateReading {
    /// Only one reading: a date cell, ISO text, a serial number, a written month,
    /// or day/month text whose day is over 12 (or equal to the month).
    Sure(Day),
    /// Day/month text with both numbers 12 or under: read day first (UK),
    /// unless the column also holds month-first dates.
    DayFirst { day: Day, other: Day },
    /// Text that only reads month first (03/31/2025): a US date.
    MonthFirst { text: String },
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_name(token: &str) -> Option<i8> {
    let t = token.to_lowercase();
    if t.len() < 3 {
        return None;
    }
    let t = if t == "sept" { "sep".to_string() } else { t };
    MONTHS
        .iter()
        .position(|m| m.starts_with(&t))
        .map(|i| i as i8 + 1)
}

fn number(token: &str) -> Option<i32> {
    if token.is_empty() || token.len() > 5 || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

fn in_range(day: Day, first: i16) -> Result<Day, String> {
    let y = day.date().year();
    if (first..=LAST_YEAR).contains(&y) {
        Ok(day)
    } else {
        Err(format!(
            "{day} is outside {first}–{LAST_YEAR}: check the year"
        ))
    }
}

fn real(text: &str, first: i16, year: i32, month: i32, day: i32) -> Result<Day, String> {
    let d = i8::try_from(day).ok();
    let m = i8::try_from(month).ok();
    let y = i16::try_from(year).ok();
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) => Day::ymd(y, m, d)
            .ok_or_else(|| format!("'{text}' is not a real date"))
            .and_then(|d| in_range(d, first)),
        _ => Err(format!("'{text}' is not a real date")),
    }
}

/// An Excel serial number (1900 date system) as a day.
fn serial(text: &str, first: i16, n: f64) -> Result<Day, String> {
    if !(1.0..2_958_466.0).contains(&n) {
        return Err(format!("'{text}' is not a date"));
    }
    // Day 60 is Excel's 29 February 1900, which never was; from day 61 on the
    // serial counts from 1899-12-30.
    let base = Day::ymd(1899, 12, 30).expect("a real day");
    let whole = n.floor() as i32;
    let whole = if whole < 61 { whole + 1 } else { whole };
    in_range(base.plus(whole), first)
}

/// Reads a cell as a date of case data (from [`FIRST_YEAR`] on). `Ok(None)`
/// for an empty cell.
#[cfg(test)]
pub(crate) fn read(cell: &Cell) -> Result<Option<DateReading>, String> {
    read_from(cell, FIRST_YEAR)
}

/// Reads a cell as a date in the years `first` to 2099 (case data from
/// [`FIRST_YEAR`], dates of birth from [`FIRST_BIRTH_YEAR`]). `Ok(None)` for
/// an empty cell.
pub(crate) fn read_from(cell: &Cell, first: i16) -> Result<Option<DateReading>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date { year, month, day } => {
            let text = cell.shown();
            real(
                &text,
                first,
                i32::from(*year),
                i32::from(*month),
                i32::from(*day),
            )
            .map(|d| Some(DateReading::Sure(d)))
        }
        Cell::Number(n) => serial(&cell.shown(), first, *n).map(|d| Some(DateReading::Sure(d))),
        Cell::Bool(_) | Cell::Error(_) => Err(format!("'{}' is not a date", cell.shown())),
        Cell::Text(text) => read_text(text, first).map(Some),
    }
}

fn read_text(text: &str, first: i16) -> Result<DateReading, String> {
    let not_a_date = || format!("'{text}' is not a date");
    // A time of midnight after the date is allowed (Excel and ISO exports).
    let date_part = text
        .split(['T', ' '])
        .take_while(|t| !t.contains(':'))
        .collect::<Vec<_>>()
        .join(" ");
    let tokens: Vec<&str> = date_part
        .split(['/', '-', '.', ' ', ','])
        .filter(|t| !t.is_empty())
        .collect();
    match tokens.as_slice() {
        [one] => {
            let n = number(one).ok_or_else(not_a_date)?;
            serial(text, first, f64::from(n)).map(DateReading::Sure)
        }
        [a, b, c] => {
            // A written month: 31 Mar 2025, 31-March-2025, March 31 2025.
            if let Some(m) = month_name(b) {
                let d = number(a).ok_or_else(not_a_date)?;
                let y = full_year(text, c)?;
                return real(text, first, y, i32::from(m), d).map(DateReading::Sure);
            }
            if let Some(m) = month_name(a) {
                let d = number(b).ok_or_else(not_a_date)?;
                let y = full_year(text, c)?;
                return real(text, first, y, i32::from(m), d).map(DateReading::Sure);
            }
            let (x, y, z) = (
                number(a).ok_or_else(not_a_date)?,
                number(b).ok_or_else(not_a_date)?,
                number(c).ok_or_else(not_a_date)?,
            );
            if a.len() == 4 {
                // ISO order: 2025-03-31 (also 2025/03/31).
                return real(text, first, x, y, z).map(DateReading::Sure);
            }
            let year = full_year(text, c)?;
            match (x, y) {
                (d, m) if d > 12 || m == d => real(text, first, year, m, d).map(DateReading::Sure),
                (_, d) if d > 12 => Ok(DateReading::MonthFirst {
                    text: text.to_string(),
                }),
                (d, m) => {
                    let day = real(text, first, year, m, d)?;
                    let other = real(text, first, year, d, m)?;
                    Ok(DateReading::DayFirst { day, other })
                }
            }
        }
        _ => Err(not_a_date()),
    }
}

fn full_year(text: &str, token: &str) -> Result<i32, String> {
    match token.len() {
        4 => number(token).ok_or_else(|| format!("'{text}' is not a date")),
        2 => Err(format!(
            "'{text}' has a two-digit year, which could be 19{token} or 20{token}: write the year in full"
        )),
        _ => Err(format!("'{text}' is not a date")),
    }
}

/// Settles the readings of one column: day first unless the column also has
/// month-first dates, in which case day/month dates that read both ways are
/// refused as ambiguous, and month-first ones as not UK dates.
pub(crate) fn settle(
    readings: &[(u32, DateReading)],
) -> impl Iterator<Item = (u32, Result<Day, String>)> + '_ {
    let month_first = readings.iter().find_map(|(row, r)| match r {
        DateReading::MonthFirst { text } => Some((*row, text.clone())),
        _ => None,
    });
    readings.iter().map(move |(row, r)| {
        let result = match r {
            DateReading::Sure(d) => Ok(*d),
            DateReading::DayFirst { day, other } => match &month_first {
                None => Ok(*day),
                Some((first_row, example)) => Err(format!(
                    "'{}' is ambiguous: {} or {}? This column also holds month-first dates such as '{example}' (row {first_row})",
                    uk_date(*day),
                    long(*day),
                    long(*other)
                )),
            },
            DateReading::MonthFirst { text } => {
                let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
                Err(format!(
                    "'{text}' is not a UK date (there is no month {}); dates are read day first",
                    parts.get(1).map_or("", |p| p.trim())
                ))
            }
        };
        (*row, result)
    })
}

/// A day as a UK date: 31/03/2025.
pub(crate) fn uk_date(d: Day) -> String {
    let date = d.date();
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
}

fn long(d: Day) -> String {
    let date = d.date();
    let month = MONTHS[(date.month() - 1) as usize];
    let mut m = month.to_string();
    m[..1].make_ascii_uppercase();
    format!("{} {m} {}", date.day(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn one(text: &str) -> Result<Day, String> {
        let r = read(&Cell::Text(text.into()))?.unwrap();
        settle(&[(2, r)]).next().unwrap().1
    }

    #[test]
    fn uk_iso_written_and_serial_dates_are_read() {
        for text in [
            "31/03/2025",
            "31-03-2025",
            "31.03.2025",
            "2025-03-31",
            "2025/03/31",
            "2025-03-31T00:00:00",
            "31/03/2025 00:00",
            "31 Mar 2025",
            "31-Mar-2025",
            "31 March 2025",
            "March 31, 2025",
            "45747",
        ] {
            assert_eq!(one(text), Ok(day("2025-03-31")), "{text}");
        }
        assert_eq!(one("1/4/2025"), Ok(day("2025-04-01")));
        assert_eq!(one("04/04/2025"), Ok(day("2025-04-04")));
        assert_eq!(
            read(&Cell::Number(45747.0)).unwrap(),
            Some(DateReading::Sure(day("2025-03-31")))
        );
        assert_eq!(
            read(&Cell::Date {
                year: 2024,
                month: 2,
                day: 29
            })
            .unwrap(),
            Some(DateReading::Sure(day("2024-02-29")))
        );
    }

    #[test]
    fn serial_numbers_count_from_excel_epoch() {
        // Excel: 1 is 1900-01-01, 61 is 1900-03-01, 32874 is 1990-01-01.
        assert_eq!(serial("32874", FIRST_YEAR, 32874.0), Ok(day("1990-01-01")));
        assert_eq!(
            serial("45292.75", FIRST_YEAR, 45292.75),
            Ok(day("2024-01-01"))
        );
        assert!(
            serial("5", FIRST_YEAR, 5.0)
                .unwrap_err()
                .contains("check the year")
        );
        assert_eq!(serial("5", FIRST_BIRTH_YEAR, 5.0), Ok(day("1900-01-05")));
    }

    #[test]
    fn two_digit_years_and_non_dates_are_refused_by_name() {
        assert!(one("31/03/25").unwrap_err().contains("two-digit year"));
        assert!(one("31/02/2025").unwrap_err().contains("not a real date"));
        assert!(
            one("next Tuesday")
                .unwrap_err()
                .contains("'next Tuesday' is not a date")
        );
        assert!(one("1/2/3/4").is_err());
        assert!(read(&Cell::Bool(true)).is_err());
        assert!(one("31/03/2200").unwrap_err().contains("check the year"));
    }

    #[test]
    fn dates_of_birth_are_read_from_1900_on() {
        let birth = |text: &str| {
            let r = read_from(&Cell::Text(text.into()), FIRST_BIRTH_YEAR)?.unwrap();
            settle(&[(2, r)]).next().unwrap().1
        };
        assert_eq!(birth("14/07/1968"), Ok(day("1968-07-14")));
        assert_eq!(birth("3 Feb 1951"), Ok(day("1951-02-03")));
        assert!(one("14/07/1968").unwrap_err().contains("outside 1990"));
        assert!(birth("14/07/68").unwrap_err().contains("two-digit year"));
        assert!(birth("14/07/1899").unwrap_err().contains("outside 1900"));
    }

    #[test]
    fn month_first_dates_are_not_uk_dates() {
        let e = one("03/31/2025").unwrap_err();
        assert!(e.contains("not a UK date"), "{e}");
        assert!(e.contains("month 31"), "{e}");
    }

    #[test]
    fn day_month_dates_are_ambiguous_beside_month_first_ones() {
        let readings = vec![
            (2, read(&Cell::Text("04/03/2025".into())).unwrap().unwrap()),
            (3, read(&Cell::Text("03/31/2025".into())).unwrap().unwrap()),
            (4, read(&Cell::Text("05/05/2025".into())).unwrap().unwrap()),
            (5, read(&Cell::Text("2025-04-03".into())).unwrap().unwrap()),
        ];
        let settled: Vec<_> = settle(&readings).collect();
        let e = settled[0].1.clone().unwrap_err();
        assert!(e.contains("4 March 2025 or 3 April 2025"), "{e}");
        assert!(e.contains("'03/31/2025' (row 3)"), "{e}");
        assert!(settled[1].1.is_err());
        assert_eq!(settled[2].1, Ok(day("2025-05-05")));
        assert_eq!(settled[3].1, Ok(day("2025-04-03")));
    }
}
