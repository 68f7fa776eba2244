//! Dates as text, hours and FTE as JSON numbers, and NHS numbers.

use std::sync::LazyLock;

use ipstrack_core::Day;
use serde_json::Number;

/// The `YYYY-MM-DD` text of every day in a range, made once: formatting a
/// date through the calendar is the costliest step of a large service.
pub(crate) struct DayTexts {
    first: Day,
    texts: Vec<String>,
}

impl DayTexts {
    pub(crate) fn new(first: Day, last: Day) -> DayTexts {
        let texts = (0..=last.since(first).max(0))
            .map(|n| first.plus(n).to_string())
            .collect();
        DayTexts { first, texts }
    }

    pub(crate) fn of(&self, day: Day) -> String {
        usize::try_from(day.since(self.first))
            .ok()
            .and_then(|i| self.texts.get(i))
            .cloned()
            .unwrap_or_else(|| day.to_string())
    }
}

/// A Monday (1970-01-05).
static MONDAY: LazyLock<Day> = LazyLock::new(|| Day::ymd(1970, 1, 5).expect("a date"));

/// Day of the week, 0 = Monday … 6 = Sunday.
pub(crate) fn weekday(day: Day) -> i32 {
    day.since(*MONDAY).rem_euclid(7)
}

/// The day itself on a weekday, else the Monday after.
pub(crate) fn workday(day: Day) -> Day {
    match weekday(day) {
        5 => day.plus(2),
        6 => day.plus(1),
        _ => day,
    }
}

/// Hours given in hundredths, as a JSON number (an integer when whole).
pub(crate) fn hours(hundredths: u32) -> Number {
    if hundredths.is_multiple_of(100) {
        Number::from(hundredths / 100)
    } else {
        Number::from_f64(f64::from(hundredths) / 100.0).expect("finite")
    }
}

/// FTE given in hundredths, as a JSON number (1.0, 0.8, …).
pub(crate) fn fte(hundredths: u32) -> Number {
    Number::from_f64(f64::from(hundredths) / 100.0).expect("finite")
}

/// The NHS number check digit of nine digits (mod 11); `None` when it would
/// be 10, which makes the number invalid.
pub(crate) fn nhs_check_digit(digits: &[u8; 9]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * (10 - i as u32))
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

/// Unique, valid NHS numbers from the range NHS England keeps for testing
/// (999 000 0000 to 999 999 9999, never issued to a patient).
pub(crate) struct NhsNumbers {
    next: u32,
    offset: u32,
}

const NHS_BODIES: u32 = 1_000_000;

impl NhsNumbers {
    pub(crate) fn new(offset: u32) -> NhsNumbers {
        NhsNumbers {
            next: 0,
            offset: offset % NHS_BODIES,
        }
    }

    /// The next number; a bijection of a counter keeps them distinct (for
    /// up to about 900,000 clients).
    pub(crate) fn next(&mut self) -> String {
        loop {
            // 7_654_321 is coprime with 10^6, so this visits every body once.
            let body = ((u64::from(self.next) * 7_654_321 + u64::from(self.offset))
                % u64::from(NHS_BODIES)) as u32;
            self.next = self.next.wrapping_add(1);
            let mut digits = [9_u8; 9];
            let mut rest = body;
            for d in digits[3..].iter_mut().rev() {
                *d = (rest % 10) as u8;
                rest /= 10;
            }
            if let Some(check) = nhs_check_digit(&digits) {
                let mut text = String::with_capacity(10);
                text.extend(digits.iter().map(|d| char::from(b'0' + d)));
                text.push(char::from(b'0' + check));
                return text;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_nhs_number_has_its_check_digit() {
        // 943 476 5919 is the NHS's own example number.
        assert_eq!(nhs_check_digit(&[9, 4, 3, 4, 7, 6, 5, 9, 1]), Some(9));
    }

    #[test]
    fn nhs_numbers_are_distinct_and_valid() {
        let mut numbers = NhsNumbers::new(12_345);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let n = numbers.next();
            assert_eq!(n.len(), 10);
            assert!(n.starts_with("999"));
            let d: Vec<u8> = n.bytes().map(|b| b - b'0').collect();
            let body: [u8; 9] = d[..9].try_into().unwrap();
            assert_eq!(nhs_check_digit(&body), Some(d[9]));
            assert!(seen.insert(n));
        }
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday(Day::parse("2025-03-31").unwrap()), 0); // a Monday
        assert_eq!(weekday(Day::parse("2024-04-06").unwrap()), 5); // a Saturday
    }
}
