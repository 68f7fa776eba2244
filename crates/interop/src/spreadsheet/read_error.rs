//! Why a file was not read as a spreadsheet, and how a column is named in
//! messages (A, B, … Z, AA).

/// A file that cannot be read as a spreadsheet at all.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ReadError {
    pub file: String,
    pub message: String,
    pub kind: ReadErrorKind,
}

/// Why a file was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// Not a spreadsheet, or a damaged one.
    NotReadable,
    /// Over one of the [limits](super::limits): the message names it.
    TooLarge,
}

/// The spreadsheet letter of a column (0 is A, 26 is AA).
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push((b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
