//! The site's cookies and the credentials a request carries: reading a
//! cookie by name, the `Set-Cookie` values the site sends (the whole site,
//! not for scripts, strict, secure behind TLS), the session's token (a
//! script's bearer token, else the session cookie) and comparing secrets in
//! constant time.

use axum::http::{HeaderMap, header};

use crate::state::AppState;

/// The session's cookie (its value the session's token).
pub(crate) const SESSION_COOKIE: &str = "ipstrack_session";

/// The value of the request's cookie `name`, read by the `cookie` crate
/// (the first, if sent twice).
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .and_then(|c| c.value_raw())
}

/// A `Set-Cookie` value for `name`: the whole site, not for scripts, sent
/// only to this site (strict), over HTTPS when the server is behind it,
/// kept `max_age` seconds (0: removed) or for the browser's session.
pub(crate) fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> String {
    built_cookie(state, name, value, max_age, cookie::SameSite::Strict)
}

/// [`set_cookie`], but sent too when the person comes back from another
/// site by a link or redirect (lax): the state of a sign-in at the
/// organisation's identity provider, which sends them back.
pub(crate) fn set_lax_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> String {
    built_cookie(state, name, value, max_age, cookie::SameSite::Lax)
}

fn built_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
    same_site: cookie::SameSite,
) -> String {
    let mut built = cookie::Cookie::build((name.to_string(), value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .secure(state.config.secure_cookies);
    if let Some(seconds) = max_age {
        built = built.max_age(cookie::time::Duration::seconds(seconds));
    }
    built.build().to_string()
}

/// A script's token (`Authorization: Bearer …`), else the session cookie.
pub(crate) fn token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    bearer.or_else(|| cookie(headers, SESSION_COOKIE))
}

/// Whether two secrets are equal, in time that does not depend on where
/// they differ (`subtle`).
pub(crate) fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::COOKIE, v.parse().unwrap());
        }
        h
    }

    /// A request's cookies read by the `cookie` crate: among others, from
    /// several headers, the first of a name sent twice; a broken pair is
    /// skipped, not the header.
    #[test]
    fn cookies_are_read_by_name_whatever_else_is_sent() {
        let h = headers(&["a=1; ipstrack_session=abc; b=2", "ipstrack_session=later"]);
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "b"), Some("2"));
        assert_eq!(cookie(&h, "missing"), None);
        let h = headers(&["=novalue; x=y"]);
        assert_eq!(cookie(&h, "x"), Some("y"));
    }

    #[test]
    fn secrets_are_compared_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
        assert!(!same("", "a"));
    }
}
