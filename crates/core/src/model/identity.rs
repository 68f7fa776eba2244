//! A user's link to their account at the organisation's identity provider
//! (OpenID Connect: Microsoft Entra ID, NHS CIS2), as an admin sets it
//! (SIGN-1). Every way a link arrives — the admin's page, the CLI, a
//! restore — reads it through [`IdentityLink::subject`] or
//! [`IdentityLink::email`], so the limits below are stated once.

/// The longest subject kept, in characters (OpenID Connect allows 255 ASCII
/// characters; a little more for providers that name users by a longer
/// claim).
pub const MAX_SUBJECT: usize = 255;
/// The longest e-mail address kept, in characters (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;

/// How a user is known at the identity provider: by the claim that names
/// the person (`sub` by default), or, until their first sign-in, by their
/// e-mail address (SIGN-2: used once, then replaced by the subject).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityLink {
    Subject(String),
    Email(String),
}

impl IdentityLink {
    /// A subject as typed: trimmed, 1 to [`MAX_SUBJECT`] characters, no
    /// spaces or control characters (a subject is an opaque identifier).
    pub fn subject(text: &str) -> Result<IdentityLink, String> {
        let s = trimmed(
            text,
            MAX_SUBJECT,
            "Enter the person's identifier at the provider",
            "The identifier at the provider",
        )?;
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("The identifier at the provider has no spaces".into());
        }
        Ok(IdentityLink::Subject(s.to_string()))
    }

    /// An e-mail address as typed: trimmed, compared without regard to
    /// case (kept in lower case), at most [`MAX_EMAIL`] characters, one `@`
    /// with text either side and a dot in the domain, no spaces.
    pub fn email(text: &str) -> Result<IdentityLink, String> {
        let e = trimmed(
            text,
            MAX_EMAIL,
            "Enter the person's work e-mail address",
            "The e-mail address",
        )?;
        let well_formed = match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
        if !well_formed || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("Enter an e-mail address in the right format, like name@nhs.net".into());
        }
        Ok(IdentityLink::Email(e.to_lowercase()))
    }

    /// The value kept.
    pub fn value(&self) -> &str {
        match self {
            IdentityLink::Subject(s) | IdentityLink::Email(s) => s,
        }
    }
}

/// `text` trimmed, if not empty (else `empty`) and at most `max`
/// characters (else "`what` has at most `max` characters").
fn trimmed<'a>(text: &'a str, max: usize, empty: &str, what: &str) -> Result<&'a str, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(empty.into());
    }
    // Bytes first: a long value is not counted character by character.
    if t.len() > max * 4 || t.chars().count() > max {
        return Err(format!("{what} has at most {max} characters"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_1_a_subject_is_trimmed_and_bounded() {
        assert_eq!(
            IdentityLink::subject("  a1b2-c3 "),
            Ok(IdentityLink::Subject("a1b2-c3".into()))
        );
        assert!(IdentityLink::subject("   ").is_err());
        assert!(IdentityLink::subject("two words").is_err());
        assert!(IdentityLink::subject(&"x".repeat(MAX_SUBJECT)).is_ok());
        assert!(IdentityLink::subject(&"x".repeat(MAX_SUBJECT + 1)).is_err());
        assert!(IdentityLink::subject(&"é".repeat(MAX_SUBJECT)).is_ok());
    }

    #[test]
    fn sign_2_an_email_is_kept_in_lower_case_and_must_look_like_one() {
        assert_eq!(
            IdentityLink::email(" Sam.Jones@NHS.net "),
            Ok(IdentityLink::Email("sam.jones@nhs.net".into()))
        );
        for bad in [
            "",
            "sam",
            "sam@",
            "@nhs.net",
            "sam@nhs",
            "a@b@nhs.net",
            "sam jones@nhs.net",
            "sam@nhs.net.",
        ] {
            assert!(IdentityLink::email(bad).is_err(), "{bad}");
        }
        let local = "a".repeat(MAX_EMAIL - "@nhs.net".len());
        assert!(IdentityLink::email(&format!("{local}@nhs.net")).is_ok());
        assert!(IdentityLink::email(&format!("{local}a@nhs.net")).is_err());
    }
}
