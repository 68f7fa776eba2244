//! The return's files: the current figures of a quarter, or a submitted
//! return's frozen ones, as the xlsx or CSV IPS Grow asks for.

use super::*;

/// The files of the IPS Grow return: the current figures, or the frozen ones
/// of a submitted return.
#[derive(Clone, Copy)]
pub(crate) enum GrowFile {
    Xlsx,
    Csv,
}

impl GrowFile {
    fn extension(self) -> &'static str {
        match self {
            GrowFile::Xlsx => "xlsx",
            GrowFile::Csv => "csv",
        }
    }
}

/// `/returns/grow-return.{xlsx,csv}` (the current figures) and
/// `/returns/submitted-return.{xlsx,csv}` (a submitted return's).
pub(crate) async fn grow_return(
    State(state): State<Shared>,
    Manager(signed_in): Manager,
    Path(file): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> WebResult {
    let (frozen, file) = match file.as_str() {
        "grow-return.xlsx" => (false, GrowFile::Xlsx),
        "grow-return.csv" => (false, GrowFile::Csv),
        "submitted-return.xlsx" => (true, GrowFile::Xlsx),
        "submitted-return.csv" => (true, GrowFile::Csv),
        _ => return Err(WebError::NotFound),
    };
    if frozen {
        submitted_download(&state, signed_in, &q, file).await
    } else {
        grow_return_download(&state, signed_in, &q, file)
    }
}

/// A file name made of letters, digits and dashes only (`2024/25-Q3` → `2024-25-Q3`).
pub(crate) fn file_name_part(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The IPS Grow return of a period (managers and admins, like the returns
/// page): the current figures, from the snapshot's cached report.
pub(crate) fn grow_return_download(
    state: &AppState,
    SignedIn { v, data }: SignedIn,
    q: &PeriodQuery,
    file: GrowFile,
) -> WebResult {
    let bad = |message: &str| WebError::bad_request(&v, "IPS Grow return", message);
    if q.period.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(bad(
            "Choose the period of the return, for example 2024/25-Q3.",
        ));
    }
    let (period, as_of) = period_of(q, state.today()).map_err(|e| bad(&e))?;
    let report = data
        .report(&period, as_of)
        .map_err(|e| bad(&e.to_string()))?;
    let rows = ipstrack_interop::grow_return(&report, &data.dataset);
    tracing::info!(user = %v.session.user.username, period = %report.period.label, file = %file.extension(), "IPS Grow return downloaded");
    return_file(&ReturnOf::of(&report), &rows, file, "")
}

/// The frozen figures of a submitted return, as submitted (named from
/// today's teams and staff).
pub(super) async fn submitted_download(
    state: &AppState,
    SignedIn { v, data }: SignedIn,
    q: &PeriodQuery,
    file: GrowFile,
) -> WebResult {
    let bad = |message: &str| WebError::bad_request(&v, "Submitted return", message);
    let typed = q.period.as_deref().unwrap_or_default().trim();
    let period = Period::parse(typed).map_err(|e| bad(&e.to_string()))?;
    let submissions = state.store.submissions().await?;
    let s = submitted(&submissions, &period).ok_or_else(|| {
        bad(&format!(
            "The return for {} has not been submitted.",
            period.label
        ))
    })?;
    let (of, rows) =
        ipstrack_interop::submitted_return(&s.report, &data.dataset).ok_or_else(|| {
            WebError::internal(format!("submission {}: not a report", s.period_label))
        })?;
    tracing::info!(user = %v.session.user.username, period = %of.label, file = %file.extension(), "submitted IPS Grow return downloaded");
    return_file(&of, &rows, file, "-submitted")
}

/// A return's rows as the xlsx or CSV file, named after its period and
/// as-of date (`suffix` before the extension).
pub(super) fn return_file(
    of: &ReturnOf,
    rows: &[ReturnRow],
    file: GrowFile,
    suffix: &str,
) -> WebResult {
    let extension = file.extension();
    let (content_type, body) = match file {
        GrowFile::Xlsx => (
            crate::ui::download::XLSX,
            ipstrack_interop::return_xlsx(of, rows).map_err(WebError::internal)?,
        ),
        GrowFile::Csv => (
            "text/csv; charset=utf-8",
            ipstrack_interop::return_csv(of, rows)
                .map_err(WebError::internal)?
                .into_bytes(),
        ),
    };
    let name = format!(
        "ips-grow-return-{}-as-of-{}{suffix}.{extension}",
        file_name_part(&of.label),
        of.as_of
    );
    Ok(crate::ui::download::download(content_type, &name, body))
}
