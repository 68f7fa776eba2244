//! The pages of signing in at the organisation's identity provider.

use maud::{Markup, html};

use super::Oidc;
use crate::ui::layout::bare;

/// A sign-in that could not go on, with what to do.
pub(super) fn problem(title: &str, text: &str, again: Option<&str>) -> Markup {
    bare(
        title,
        html! {
            p { (text) }
            @if let Some(href) = again { p { a href=(href) { "Sign in again" } } }
        },
    )
}

/// Signed in: on to `next`. A page that moves on by itself rather than a
/// redirect, so that the browser sends the new session cookie (strict) on
/// the way from the provider's site.
pub(super) fn signing_in(next: &str) -> Markup {
    html! {
        (maud::DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta http-equiv="refresh" content={ "0;url=" (next) };
                title { "Signing you in – ipstrack" }
            }
            body { main id="main" { p { "You are signed in. " a href=(next) { "Continue" } } } }
        }
    }
}

/// A person the provider knows and ipstrack does not (SIGN-3).
pub(super) fn ask_your_administrator(oidc: &Oidc) -> Markup {
    bare(
        "Ask your administrator",
        html! {
            p { "You signed in with " (oidc.provider_name()) ", but ipstrack has no user for that account." }
            p { "Ask your ipstrack administrator to add you, or to link your user to your " (oidc.provider_name()) " account." }
            @if let Some(url) = oidc.sign_out_url() {
                p { "If you used the wrong account, " a href=(url) { "sign out of " (oidc.provider_name()) } " and sign in again." }
            }
        },
    )
}

/// Signed out of ipstrack, with the provider's sign-out offered.
pub(super) fn signed_out(oidc: Option<&Oidc>) -> Markup {
    bare(
        "You have signed out",
        html! {
            div class="success" role="status" { p { "You have signed out of ipstrack." } }
            @if let Some(oidc) = oidc {
                @if let Some(url) = oidc.sign_out_url() {
                    p { "You are still signed in to " (oidc.provider_name()) " in this browser." }
                    p { a class="button" href=(url) { "Sign out of " (oidc.provider_name()) " too" } }
                }
            }
            p { a href="/sign-in" { "Sign in again" } }
        },
    )
}
