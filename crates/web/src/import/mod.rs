//! The spreadsheet upload page (team leads, managers, admins): upload an IPS
//! Grow style workbook or CSV files, see the preview — records to create and
//! update, every stored referral it would replace and what that removes,
//! every problem by sheet, row and column — and import it when clean, or
//! accept leaving out the rows listed. Nothing is written before the
//! confirmation, and the confirmation checks the preview still holds: a
//! referral changed since the preview (a contact recorded meanwhile) refuses
//! the import, named, and nothing is written (issue 20).
//!
//! Uploaded files stay in memory only, for the user who sent them, until
//! imported or for 30 minutes; they are never logged or written to disk.

use std::hash::{Hash, Hasher};

use std::time::Instant;

use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use ipstrack_core::bundle::to_document;
use ipstrack_core::model::Role;
use ipstrack_interop::spreadsheet::{
    ImportOptions, Mapping, Preview, ReadErrorKind, Sheet, preview, read_file,
};
use ipstrack_store::{Replaced, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

use crate::cookies::same;
use crate::error::{WebError, WebResult};
use crate::extract::{Leads, Posted, SignedIn, audit_out_of_scope};
use crate::ui::form::problem_summary;
use crate::ui::layout::layout;
use crate::viewer::Viewer;
use crate::{Shared, Snapshot};

use crate::state::uploads::{MAX_UPLOAD_BYTES, Upload};

/// Problems listed on the page (all are counted).
const SHOWN_PROBLEMS: usize = 500;

/// The upload page, the upload (with its own size limit) and the confirmation.
pub(crate) fn routes() -> axum::Router<Shared> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/import",
            get(import_page)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/import/confirm", post(confirm))
}

/// Who may import: team leads (for their team), managers and admins.
fn import_scope(v: &Viewer, data: &Snapshot) -> Option<Option<String>> {
    v.scope
        .imports()
        .map(|team| team.map(|t| data.dataset.team(t).id.clone()))
}

/// The team whose referrals the user may import (`None`: every team), or
/// 404 for a user who may not import.
fn may_import(v: &Viewer, data: &Snapshot) -> WebResult<Option<String>> {
    import_scope(v, data).ok_or_else(|| WebError::out_of_scope(v, "page", "import"))
}

pub(crate) async fn import_page(SignedIn { v, data }: SignedIn) -> WebResult<Markup> {
    may_import(&v, &data)?;
    Ok(upload_form(&v, None))
}

fn upload_form(v: &Viewer, problem: Option<&str>) -> Markup {
    layout(
        v,
        "Import a spreadsheet",
        html! {
            (problem_summary(problem, "file"))
            (upload_form_fields(v))
        },
    )
}

/// The upload page's text and form, under its problem summary.
fn upload_form_fields(v: &Viewer) -> Markup {
    html! {
        p { "Bring in clients, referrals and jobs from an IPS Grow style spreadsheet (xlsx or ods) or CSV files: one row per client, or per job. You will see what would change and every problem before anything is written." }
        @if v.session.user.role == Role::TeamLead {
            p { "As a team lead you can import referrals of your own team's employment specialists." }
        }
        form method="post" action="/import" enctype="multipart/form-data" class="panel" {
            input type="hidden" name="csrf" value=(v.session.csrf);
            div class="field" {
                label for="file" { "Spreadsheet or CSV files" }
                input id="file" name="file" type="file" multiple accept=".xlsx,.xlsm,.ods,.csv" required;
            }
            div class="field" {
                label for="mapping" { "Column mapping file (optional: without it the IPS Grow data tool headings are used)" }
                input id="mapping" name="mapping" type="file" accept=".toml,text/plain";
            }
            button type="submit" { "Preview the import" }
        }
        details {
            summary { "The default column mapping (copy it to change headings)" }
            pre { (ipstrack_interop::spreadsheet::DEFAULT_MAPPING) }
        }
    }
}

/// The multipart form of an upload.
struct UploadForm {
    csrf: String,
    files: Vec<(String, Vec<u8>)>,
    mapping: Option<String>,
}

/// Why an upload could not be read.
enum UploadError {
    /// Over [`MAX_UPLOAD_BYTES`] (told by the body, when no length was declared).
    TooLarge,
    Unreadable(String),
}

fn upload_error(e: MultipartError) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge
    } else {
        UploadError::Unreadable(format!("The upload could not be read: {}.", e.body_text()))
    }
}

/// 413 with the limit named, on the upload page.
/// The upload page again (422), with what to do differently.
fn upload_again(v: &Viewer, problem: &str) -> WebError {
    WebError::Page(
        StatusCode::UNPROCESSABLE_ENTITY,
        upload_form(v, Some(problem)),
    )
}

fn too_large(v: &Viewer) -> WebError {
    let message = format!(
        "The upload is larger than {} MB: ipstrack takes at most {} MB at once. Split the workbook or send its sheets as CSV files one by one.",
        MAX_UPLOAD_BYTES / (1024 * 1024),
        MAX_UPLOAD_BYTES / (1024 * 1024)
    );
    WebError::Page(
        StatusCode::PAYLOAD_TOO_LARGE,
        upload_form(v, Some(&message)),
    )
}

async fn read_upload(mut multipart: Multipart) -> Result<UploadForm, UploadError> {
    let mut form = UploadForm {
        csrf: String::new(),
        files: Vec::new(),
        mapping: None,
    };
    while let Some(field) = multipart.next_field().await.map_err(upload_error)? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(upload_error)?;
        match name.as_str() {
            "csrf" => form.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" if !bytes.is_empty() => form
                .files
                .push((file_name.unwrap_or_else(|| "upload".into()), bytes.to_vec())),
            "mapping" if !bytes.is_empty() => {
                form.mapping = Some(String::from_utf8(bytes.to_vec()).map_err(|_| {
                    UploadError::Unreadable("The mapping file is not UTF-8 text.".to_string())
                })?)
            }
            _ => {}
        }
    }
    Ok(form)
}

/// Reads the files and previews them over the data as it is now. A file
/// over the spreadsheet limits answers 413, with the limit named; a file
/// that cannot be read, 422.
fn make_preview(
    data: &Snapshot,
    files: &[(String, Vec<u8>)],
    mapping: Option<&str>,
    team: Option<String>,
    today: ipstrack_core::Day,
) -> Result<Preview, (StatusCode, String)> {
    let mapping = match mapping {
        Some(text) => Mapping::from_toml(text)
            .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?,
        None => Mapping::default(),
    };
    let mut sheets: Vec<Sheet> = Vec::new();
    for (name, bytes) in files {
        sheets.extend(read_file(name, bytes).map_err(|e| {
            let status = match e.kind {
                ReadErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                ReadErrorKind::NotReadable => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, e.to_string())
        })?);
    }
    let existing = to_document(&data.dataset);
    Ok(preview(
        &sheets,
        &mapping,
        &existing,
        &ImportOptions { today, team },
    ))
}

/// What the user saw: the confirmation must find the same.
fn fingerprint(p: &Preview) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    p.created.hash(&mut h);
    p.updated.hash(&mut h);
    let c = &p.employer_contacts;
    (c.create, c.update, c.unchanged).hash(&mut h);
    for s in &p.skipped {
        s.referral.hash(&mut h);
        s.rows.hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

pub(crate) async fn upload(
    State(state): State<Shared>,
    headers: HeaderMap,
    SignedIn { v, data }: SignedIn,
    multipart: Multipart,
) -> WebResult<Markup> {
    // Who is sending, and may they import at all, is told by the headers:
    // refuse before reading a byte of the body.
    let team = may_import(&v, &data)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.parse::<u64>().ok());
    if declared.is_some_and(|l| l > MAX_UPLOAD_BYTES as u64) {
        return Err(too_large(&v));
    }
    // One upload is read and previewed at a time (the others wait their
    // turn), so memory stays bounded however many are sent at once.
    let _turn = state.uploads.turn().await;
    let form = read_upload(multipart).await.map_err(|e| match e {
        UploadError::TooLarge => too_large(&v),
        UploadError::Unreadable(e) => WebError::Text(StatusCode::BAD_REQUEST, e),
    })?;
    if !same(&v.session.csrf, &form.csrf) {
        return Err(WebError::FormExpired);
    }
    if form.files.is_empty() {
        return Err(upload_again(
            &v,
            "Choose a spreadsheet or CSV file to import.",
        ));
    }
    let mapping = form.mapping.as_deref();
    let p = make_preview(&data, &form.files, mapping, team, state.today())
        .map_err(|(status, e)| WebError::Page(status, upload_form(&v, Some(&e))))?;
    audit_out_of_scope(&state, &v, p.out_of_scope.clone()).await?;
    let token = state.uploads.put(Upload {
        username: v.session.user.username.clone(),
        files: form.files,
        mapping: form.mapping,
        versions: p.versions().clone(),
        at: Instant::now(),
    });
    Ok(preview_page(&v, &data, &p, &token, None))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    upload: String,
    fingerprint: String,
    accept: Option<String>,
}

pub(crate) async fn confirm(
    State(state): State<Shared>,
    Posted { data, v, form, .. }: Posted<ConfirmForm, Leads>,
) -> WebResult<Markup> {
    let team = may_import(&v, &data)?;
    let _turn = state.uploads.turn().await;
    let Some(upload) = state.uploads.take(&form.upload, &v.session.user.username) else {
        let expired = "That upload has expired (files are kept for 30 minutes): upload it again.";
        return Err(upload_again(&v, expired));
    };
    let mapping = upload.mapping.as_deref();
    let p = make_preview(&data, &upload.files, mapping, team, state.today())
        .map_err(|(_, e)| WebError::internal(e))?;
    let accept = form.accept.as_deref() == Some("yes");
    let changed = fingerprint(&p) != form.fingerprint;
    let bundle = if changed { None } else { p.to_import(accept) };
    let Some(bundle) = bundle else {
        let message = if changed {
            "The data changed since the preview: check the list again before importing."
        } else {
            "Nothing was written: tick the box to accept leaving out the rows listed, or mend them and upload the file again."
        };
        let token = form.upload.clone();
        state.uploads.put_back(token.clone(), upload);
        return Err(WebError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            preview_page(&v, &data, &p, &token, Some(message)),
        ));
    };
    // The versions the user's preview was built on (over those of this
    // check): the store refuses a referral changed since (issue 20).
    let mut bundle = bundle.clone();
    bundle.referral_versions.extend(upload.versions);
    match state.store.import(&bundle, &v.session.user.username).await {
        Ok(summary) => {
            state.refresh().await;
            tracing::info!(
                user = %v.session.user.username,
                referrals_created = summary.referrals.created,
                referrals_updated = summary.referrals.updated,
                "spreadsheet imported"
            );
            Ok(done_page(&v, &summary, &p))
        }
        Err(StoreError::Invalid(errors)) => {
            let message = format!("The import was refused, nothing was written: {errors}");
            Err(WebError::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                upload_form(&v, Some(&message)),
            ))
        }
        Err(StoreError::Stale(stale)) => {
            tracing::info!(
                user = %v.session.user.username,
                referrals = stale.len(),
                "spreadsheet import refused: referrals changed since the preview"
            );
            Err(WebError::Page(
                StatusCode::CONFLICT,
                changed_since_page(&v, &data, &stale),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The person a referral is for, by name (or "client c12" when none is
/// recorded), linked to the referral's page when it is in the snapshot.
fn person(data: &Snapshot, referral: &str, client: &str) -> Markup {
    let d = &data.dataset;
    let name = data.client_index(client).map_or_else(
        || format!("client {client}"),
        |at| d.clients[at].display_name(),
    );
    html! {
        @if data.referral_index(referral).is_some() {
            a href=(format!("/referrals/{referral}")) { (name) }
        } @else {
            (name)
        }
    }
}

/// 409: referrals changed between the preview and the confirmation; each
/// named with what importing would have removed, and the upload form to
/// send the file again.
fn changed_since_page(v: &Viewer, data: &Snapshot, stale: &[Replaced]) -> Markup {
    let n = stale.len();
    layout(
        v,
        "Import a spreadsheet",
        html! {
            div class="error-summary" role="alert" tabindex="-1" {
                h2 { "Nothing was written" }
                p {
                    @if n == 1 { "1 referral" } @else { (n) " referrals" }
                    " changed since the preview (someone recorded something on "
                    @if n == 1 { "it" } @else { "them" }
                    " meanwhile). Importing the file would have removed what was recorded, so nothing was imported:"
                }
                ul { @for r in stale {
                    li {
                        (person(data, &r.id, &r.client))
                        ": changed since the preview; importing would "
                        @if r.removed.is_empty() { "undo what was changed since" } @else { (r.removed.describe()) }
                        "."
                    }
                } }
                p { "To import the file, upload the file again: the new preview shows these referrals as they are now." }
            }
            (upload_form_fields(v))
        },
    )
}

fn preview_page(
    v: &Viewer,
    data: &Snapshot,
    p: &Preview,
    token: &str,
    message: Option<&str>,
) -> Markup {
    let clean = p.is_clean();
    let losing: Vec<_> = p
        .replaced
        .iter()
        .filter(|r| !r.removed.is_empty())
        .collect();
    layout(
        v,
        "Import preview",
        html! {
            @if let Some(m) = message {
                div class="error-summary" role="alert" tabindex="-1" { p { (m) } }
            }
            h2 { "Sheets" }
            table {
                thead { tr { th scope="col" { "Sheet" } th scope="col" { "Read as" } th scope="col" { "Headings on row" } th scope="col" { "Rows" } th scope="col" { "Notes" } } }
                tbody { @for s in &p.sheets {
                    tr {
                        td { (s.name) }
                        td { (s.table.map_or("–", |t| t.label())) }
                        td { (s.header_row.map_or("–".to_string(), |r| r.to_string())) }
                        td { (s.rows) }
                        td {
                            @if let Some(n) = &s.note { (n) " " }
                            @if s.blank_rows > 0 { (s.blank_rows) " blank rows left out. " }
                            @if !s.unused_columns.is_empty() { "Columns not read: " (s.unused_columns.join(", ")) }
                        }
                    }
                } }
            }
            h2 { "What would change" }
            table {
                thead { tr { th scope="col" { "" } th scope="col" { "Create" } th scope="col" { "Update" } th scope="col" { "Unchanged" } } }
                tbody {
                    tr { th scope="row" { "Referrals" } td { (p.referrals.create) } td { (p.referrals.update) } td { (p.referrals.unchanged) } }
                    tr { th scope="row" { "Clients" } td { (p.clients.create) } td { (p.clients.update) } td { (p.clients.unchanged) } }
                    tr { th scope="row" { "Employer contacts" } td { (p.employer_contacts.create) } td { (p.employer_contacts.update) } td { (p.employer_contacts.unchanged) } }
                }
            }
            @if !p.updated.is_empty() {
                p { "Referrals to update: " (p.updated.iter().take(50).cloned().collect::<Vec<_>>().join(", ")) @if p.updated.len() > 50 { " and " (p.updated.len() - 50) " more" } }
            }
            @if !losing.is_empty() {
                h2 { "What updating would remove" }
                p { "Each referral updated is replaced by the file's form of it: what it holds now and the file does not is removed." }
                ul { @for r in losing.iter().take(SHOWN_PROBLEMS) {
                    li { (person(data, &r.referral, &r.client)) ": importing " (r.removed) "." }
                } }
                @if losing.len() > SHOWN_PROBLEMS {
                    p { "… and " (losing.len() - SHOWN_PROBLEMS) " more (the command line lists them all: ipstrack import --dry-run)." }
                }
            }
            @if clean {
                p class="ok" { "No problems found." }
            } @else {
                h2 id="problems" { (p.problems.len()) @if p.problems.len() == 1 { " problem" } @else { " problems" } }
                table {
                    thead { tr { th scope="col" { "Sheet" } th scope="col" { "Row" } th scope="col" { "Column" } th scope="col" { "Referral" } th scope="col" { "Problem" } } }
                    tbody { @for problem in p.problems.iter().take(SHOWN_PROBLEMS) {
                        tr {
                            td { (problem.sheet) }
                            td { (problem.row.map_or("–".to_string(), |r| r.to_string())) }
                            td { (problem.column.as_deref().unwrap_or("–")) }
                            td { (problem.referral.as_deref().unwrap_or("–")) }
                            td { (problem.message) }
                        }
                    } }
                }
                @if p.problems.len() > SHOWN_PROBLEMS {
                    p { "… and " (p.problems.len() - SHOWN_PROBLEMS) " more (the command line lists them all: ipstrack import --dry-run)." }
                }
                h2 { "Rows left out if you accept skipping" }
                ul { @for s in p.skipped.iter().take(SHOWN_PROBLEMS) {
                    li {
                        @if let Some(r) = &s.referral { "Referral " (r) ": " }
                        (s.rows.iter().map(|(sheet, row)| format!("{sheet} row {row}")).collect::<Vec<_>>().join(", "))
                    }
                } }
            }
            form method="post" action="/import/confirm" class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                input type="hidden" name="upload" value=(token);
                input type="hidden" name="fingerprint" value=(fingerprint(p));
                @if clean {
                    button type="submit" { "Import" }
                } @else {
                    div class="field checkbox" {
                        input id="accept" name="accept" type="checkbox" value="yes";
                        label for="accept" { "Leave out the rows listed (" (p.skipped_rows()) ") and import the rest" }
                    }
                    button type="submit" { "Import without the rows listed" }
                }
                " "
                a href="/import" { "Cancel" }
            }
        },
    )
}

fn done_page(v: &Viewer, s: &ipstrack_store::ImportSummary, p: &Preview) -> Markup {
    layout(
        v,
        "Spreadsheet imported",
        html! {
            p { "Referrals: " (s.referrals.created) " created, " (s.referrals.updated) " updated. Clients: " (s.clients.created) " created, " (s.clients.updated) " updated. Employer contacts: " (s.employer_contacts.created) " created, " (s.employer_contacts.updated) " updated." }
            @if !p.is_clean() { p { (p.skipped_rows()) " rows were left out, as listed in the preview." } }
            p { "Every change is in the audit log under your name." }
            p { a href="/team" { "Go to the team dashboard" } " · " a href="/import" { "Import another file" } }
        },
    )
}
