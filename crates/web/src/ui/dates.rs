//! Dates as people read them in the UK (GOV.UK style): 7 Oct 2024. Files and
//! the API keep ISO dates (2024-10-07); pages use these.

use ipstrack_core::Day;

/// A day as people read it: `7 Oct 2024`.
pub(crate) fn uk_date(day: Day) -> String {
    day.date().strftime("%-d %b %Y").to_string()
}

/// A moment stored as an RFC 3339 timestamp, as people in the UK read it,
/// in UK time: `27 Nov 2026, 00:03 GMT`, `27 Jun 2026, 01:03 BST` (UTC
/// where the system has no time zone data); the text itself if it is not
/// one.
pub(crate) fn uk_timestamp(text: &str) -> String {
    let Ok(t) = text.parse::<jiff::Timestamp>() else {
        return text.to_string();
    };
    match jiff::tz::TimeZone::get("Europe/London") {
        Ok(london) => t
            .to_zoned(london)
            .strftime("%-d %b %Y, %H:%M %Z")
            .to_string(),
        Err(_) => t.strftime("%-d %b %Y, %H:%M UTC").to_string(),
    }
}

/// A text with every ISO day in it (`2025-01-13`) written the UK way
/// (`13 Jan 2025`): core's messages name days as files do.
pub(crate) fn uk_dates_in(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let iso = text.get(i..i + 10).filter(|t| {
            let b = t.as_bytes();
            b[4] == b'-'
                && b[7] == b'-'
                && [0, 1, 2, 3, 5, 6, 8, 9]
                    .iter()
                    .all(|&k| b[k].is_ascii_digit())
        });
        let apart = |k: usize| k >= bytes.len() || !bytes[k].is_ascii_alphanumeric();
        match iso.and_then(Day::parse) {
            Some(day) if (i == 0 || apart(i - 1)) && apart(i + 10) => {
                out.push_str(&uk_date(day));
                i += 10;
            }
            _ => {
                let c = text[i..].chars().next().expect("within the text");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// A day as the GOV.UK date input's example gives one: "6 12 2026".
pub(crate) fn example_date(day: Day) -> String {
    let d = day.date();
    format!("{} {} {}", d.day(), d.month(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_the_uk_way() {
        assert_eq!(uk_date(Day::parse("2024-10-07").unwrap()), "7 Oct 2024");
        assert_eq!(uk_date(Day::parse("2026-12-10").unwrap()), "10 Dec 2026");
        assert_eq!(
            uk_timestamp("2026-11-27T00:03:54.123Z"),
            "27 Nov 2026, 00:03 GMT"
        );
        assert_eq!(
            uk_timestamp("2026-06-27T00:03:54Z"),
            "27 Jun 2026, 01:03 BST"
        );
        assert_eq!(uk_timestamp("not a time"), "not a time");
        assert_eq!(
            uk_dates_in("contact on 2025-01-13 is after discharge on 2025-01-10"),
            "contact on 13 Jan 2025 is after discharge on 10 Jan 2025"
        );
        assert_eq!(
            uk_dates_in("x2025-01-13 and 2025-02-30 – é"),
            "x2025-01-13 and 2025-02-30 – é"
        );
        assert_eq!(uk_dates_in("2024-04-01"), "1 Apr 2024");
    }
}
