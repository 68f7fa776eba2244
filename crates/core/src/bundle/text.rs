//! Free text as every door reads it (BAD-1): trimmed, within its limit,
//! one line or lines, without invisible or reordering characters.

use super::limits;

/// The longest note on a contact ([`limits::NOTE_CHARS`]).
pub const MAX_NOTE_CHARS: usize = limits::NOTE_CHARS;
/// The longest employer's name ([`limits::EMPLOYER_CHARS`]).
pub const MAX_EMPLOYER_CHARS: usize = limits::EMPLOYER_CHARS;

/// How a free-text field is read: its limit, and whether it may hold line
/// breaks (a note) or is one line (a name, a reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextRule {
    pub max: usize,
    pub lines: bool,
}

impl TextRule {
    /// One line of at most `max` characters.
    pub const fn line(max: usize) -> TextRule {
        TextRule { max, lines: false }
    }
    /// Text of at most `max` characters that may hold line breaks.
    pub const fn lines(max: usize) -> TextRule {
        TextRule { max, lines: true }
    }
}

/// Why a text cannot be kept (BAD-1, revision 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextProblem {
    /// More characters than its limit.
    TooLong { max: usize },
    /// A control character (a line break in a one-line field).
    Control,
    /// A character that makes the text display in another order than it is
    /// stored (U+202A–U+202E, U+2066–U+2069): a name could pass for another.
    Reorders(char),
    /// Nothing a person can read: only invisible, joining or format characters.
    Invisible,
}

impl TextProblem {
    /// The problem in words, after the field's name (`reason` + this).
    pub fn words(&self) -> String {
        match self {
            TextProblem::TooLong { max } => format!("must be {max} characters or fewer"),
            TextProblem::Control => "holds a control character".into(),
            TextProblem::Reorders(c) => format!(
                "holds a character that reorders text (U+{:04X})",
                u32::from(*c)
            ),
            TextProblem::Invisible => "holds no letter, number or symbol".into(),
        }
    }
}

/// Whether a character reorders the text around it (bidi embeddings,
/// overrides and isolates).
fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a character is one a person reads: a letter, number, punctuation
/// mark or symbol (not a space, mark, control or invisible format character).
fn visible(c: char) -> bool {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
    )
}

/// Reads a free-text value as every door stores it (BAD-1, revision 3):
/// trimmed; `Ok(None)` when blank; refused when longer than its limit, when
/// it holds a control character (line breaks and tabs allowed in text of
/// lines), a character that reorders text, or nothing visible.
pub fn read_text(value: &str, rule: TextRule) -> Result<Option<&str>, TextProblem> {
    let text = value.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Counted without allocating; stops once past the limit.
    if text.chars().nth(rule.max).is_some() {
        return Err(TextProblem::TooLong { max: rule.max });
    }
    if let Some(c) = text.chars().find(|&c| reorders(c)) {
        return Err(TextProblem::Reorders(c));
    }
    let allowed = |c: char| rule.lines && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(TextProblem::Control);
    }
    if !text.chars().any(visible) {
        return Err(TextProblem::Invisible);
    }
    Ok(Some(text))
}
