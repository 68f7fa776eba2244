//! The page frame (header, navigation by role, skip link), bare pages and
//! plain messages.

use ipstrack_core::model::Role;
use maud::{DOCTYPE, Markup, html};

use crate::Viewer;

/// Every page's head: its title, the stylesheet and the script.
fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " – ipstrack" }
            link rel="stylesheet" href=(crate::assets::STYLE.href());
            script src=(crate::assets::SCRIPT.href()) defer {}
        }
    }
}

/// The page frame: header with the navigation of the viewer's role.
pub fn layout(v: &Viewer, title: &str, body: Markup) -> Markup {
    let role = v.session.user.role;
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            (head(title))
            body {
                a href="#main" class="skip-link" { "Skip to main content" }
                header {
                    a href="/" { "ipstrack" }
                    nav aria-label="Main" {
                        @if role == Role::Es && v.staff.is_some() { a href="/caseload" { "My caseload" } " " }
                        a href="/referrals/new" { "New referral" } " "
                        @if role != Role::Es { a href="/team" { "Team" } " " a href="/team/worklist" { "Team worklist" } " " a href="/equality" { "Equality" } " " a href="/data-quality" { "Data quality" } " " a href="/fidelity" { "Fidelity" } " " a href="/import" { "Import" } " " }
                        @if matches!(role, Role::Manager | Role::Admin) { a href="/service" { "Service" } " " a href="/returns" { "Returns" } " " a href="/admin/staff" { "Staff" } " " }
                        @if role == Role::Admin { a href="/audit" { "Audit log" } " " a href="/admin/users" { "Users" } " " a href="/admin/policy" { "Policy" } }
                    }
                    form method="get" action="/search" role="search" class="header-search" {
                        label for="header-search" class="visually-hidden" { "Find a person: name, NHS number, client or referral id" }
                        input id="header-search" name="q" type="search" placeholder="Find a person" maxlength="100";
                        " " button type="submit" class="secondary" { "Search" }
                    }
                    form method="post" action="/sign-out" {
                        input type="hidden" name="csrf" value=(v.session.csrf);
                        a href="/account/password" { (v.session.user.username) } " "
                        button class="secondary" type="submit" { "Sign out" }
                    }
                }
                main id="main" tabindex="-1" { h1 { (title) } (body) }
            }
        }
    }
}

/// A form's one-time token: the store applies a form sent twice (a retry
/// after a time-out, a double click) once.
pub(crate) fn once_field() -> Markup {
    html! { input type="hidden" name="once" value=(ipstrack_store::random_token()); }
}

pub(crate) fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            (head(title))
            body { header { a href="/" { "ipstrack" } } main id="main" { h1 { (title) } (body) } }
        }
    }
}

pub fn not_found() -> Markup {
    bare(
        "Page not found",
        html! { p { "There is no such page, or it is not yours to see." } p { a href="/" { "Go to your start page" } } },
    )
}

pub fn message(text: &str) -> Markup {
    html! { div class="error-summary" role="alert" { p { (text) } } }
}

/// Users and roles (admins).
/// "1 address", "3 addresses".
pub(crate) fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
