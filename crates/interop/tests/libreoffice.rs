//! The IPS Grow workbook opens in LibreOffice with the report's figures: each
//! example return is written as xlsx, LibreOffice (headless) converts every
//! sheet to CSV, and every figure is compared with the JSON report.
//!
//! Runs when `IPSTRACK_TEST_LIBREOFFICE` names the `libreoffice` binary (CI
//! installs Debian's `libreoffice-calc-nogui` and sets it); otherwise it says
//! so and passes, since a fresh developer machine has no LibreOffice.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ipstrack_core::{Day, Period, read_bundle, report};
use ipstrack_interop::{COLUMNS, grow_return, grow_return_xlsx, safe_text};
use serde_json::Value;

#[path = "fixtures/grow_return_figures.rs"]
mod grow_return_figures;
use grow_return_figures::figures;

/// The worked examples: (bundle, period, as-of date).
const EXAMPLES: [(&str, &str, &str); 5] = [
    ("caseload", "2024/25-Q3", "2024-10-31"),
    ("random-101", "2024/25-Q2", "2024-08-20"),
    ("random-101", "2024/25-Q3", "2024-12-31"),
    ("random-102", "2024/25", "2025-03-31"),
    ("sustainment", "2024/25", "2025-03-31"),
];

/// LibreOffice's CSV filter: comma, double quotes, UTF-8, raw values (not as
/// shown), every sheet to its own file (the last token, -1).
const CSV_FILTER: &str =
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";

fn libreoffice() -> Option<PathBuf> {
    match std::env::var_os("IPSTRACK_TEST_LIBREOFFICE").filter(|v| !v.is_empty()) {
        Some(binary) => Some(PathBuf::from(binary)),
        None => {
            // Written to stderr itself, not through eprintln!, so that the
            // test harness does not swallow the notice of a passing test.
            let mut err = std::io::stderr().lock();
            writeln!(
                err,
                "NOTICE: the LibreOffice check of the xlsx return did not run: set \
                 IPSTRACK_TEST_LIBREOFFICE to the libreoffice binary (Debian: apt-get install \
                 libreoffice-calc-nogui; IPSTRACK_TEST_LIBREOFFICE=$(command -v libreoffice))"
            )
            .ok();
            None
        }
    }
}

/// Runs LibreOffice with a private profile (parallel runs do not share one),
/// converting `files` to CSV in `out`; gives up after three minutes.
fn convert(binary: &Path, dir: &Path, files: &[PathBuf], out: &Path) {
    convert_to(binary, dir, files, out, CSV_FILTER);
}

/// Runs LibreOffice converting `files` with `filter` (see [`convert`]).
fn convert_to(binary: &Path, dir: &Path, files: &[PathBuf], out: &Path, filter: &str) {
    // One LibreOffice at a time: two starting at once (each with its own
    // profile) have been seen to abort on a busy machine.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let profile = format!("file://{}", dir.join("profile").display());
    let mut child = Command::new(binary)
        .arg(format!("-env:UserInstallation={profile}"))
        // A fixed locale, so that dates are written one way (en-US).
        .env("LC_ALL", "C.UTF-8")
        .env("LANG", "C.UTF-8")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(out)
        .args(files)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(180) {
            child.kill().ok();
            panic!("LibreOffice did not finish converting within 3 minutes");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "LibreOffice failed ({}): {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/examples")
}

/// A date cell as LibreOffice writes a date's value in the en-US locale
/// the conversion runs in (`MM/DD/YYYY`).
fn same_day(cell: &str, day: Day) -> bool {
    cell == day.date().strftime("%m/%d/%Y").to_string()
}

/// A number cell as LibreOffice writes its value: plain (`12`, `0.3333`),
/// or a percentage for the rate formatted as one (`33.33%`).
fn number(cell: &str) -> Option<f64> {
    match cell.strip_suffix('%') {
        Some(percent) => percent.parse::<f64>().ok().map(|p| p / 100.0),
        None => cell.parse().ok(),
    }
}

#[test]
fn the_xlsx_return_opens_in_libreoffice_with_the_reports_figures() {
    let Some(binary) = libreoffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("csv");
    std::fs::create_dir(&out).unwrap();
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for (i, (bundle, period, as_of)) in EXAMPLES.iter().enumerate() {
        let text =
            std::fs::read_to_string(fixtures().join(format!("{bundle}.bundle.json"))).unwrap();
        let loaded = read_bundle(&text).unwrap();
        let period = Period::parse(period).unwrap();
        let r = report(
            &loaded.dataset,
            &loaded.warnings,
            &period,
            Day::parse(as_of).unwrap(),
        )
        .unwrap();
        let rows = grow_return(&r, &loaded.dataset);
        let path = dir.path().join(format!("return{i}.xlsx"));
        std::fs::write(&path, grow_return_xlsx(&r, &rows).unwrap()).unwrap();
        files.push(path);
        expected.push((loaded, r));
    }
    assert_eq!(
        COLUMNS.len(),
        figures().len(),
        "every column of the return is checked"
    );
    convert(&binary, dir.path(), &files, &out);

    let mut nonzero_rates = 0;
    for (i, (loaded, r)) in expected.iter().enumerate() {
        let json = serde_json::to_value(r).unwrap();
        let d = &loaded.dataset;
        let mut rows_seen = 0;
        let whole_year = ipstrack_interop::is_financial_year(r.period.start, r.period.end);
        for (sheet, level) in [
            ("Service", "service"),
            ("Teams", "team"),
            ("Specialists", "es"),
        ] {
            let path = out.join(format!("return{i}-{sheet}.csv"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                let listing: Vec<_> = std::fs::read_dir(&out)
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .collect();
                panic!("{}: {e}; LibreOffice wrote {listing:?}", path.display())
            });
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let headings: Vec<String> =
                reader.headers().unwrap().iter().map(String::from).collect();
            assert_eq!(
                &headings[..7],
                [
                    "Id",
                    "Name",
                    "Team",
                    "Period",
                    "Period start",
                    "Period end",
                    "As of"
                ],
                "{sheet}"
            );
            assert_eq!(headings.len(), 7 + figures().len(), "{sheet}");
            let blocks: Vec<&Value> = match level {
                "service" => vec![&json["service"]],
                "team" => json["teams"].as_array().unwrap().iter().collect(),
                _ => json["specialists"].as_array().unwrap().iter().collect(),
            };
            let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            assert_eq!(
                records.len(),
                blocks.len(),
                "return {i} {sheet}: one row each"
            );
            for (record, block) in records.iter().zip(&blocks) {
                let who = block["id"].as_str().unwrap_or_default();
                assert_eq!(&record[0], who, "return {i} {sheet}");
                let name = match level {
                    "service" => d.service.name.clone(),
                    "team" => d.teams.iter().find(|t| t.id == who).unwrap().name.clone(),
                    _ => d.staff.iter().find(|s| s.id == who).unwrap().name.clone(),
                };
                assert_eq!(record[1], safe_text(&name), "return {i} {sheet} {who}");
                assert_eq!(&record[3], r.period.label, "return {i} {sheet} {who}");
                for (c, day) in [(4, r.period.start), (5, r.period.end), (6, r.as_of)] {
                    assert!(
                        same_day(&record[c], day),
                        "return {i} {sheet} {who} {}: {}",
                        headings[c],
                        &record[c]
                    );
                }
                for (c, heading) in headings.iter().enumerate().skip(7) {
                    let (_, pointer) = figures()
                        .into_iter()
                        .find(|(h, _)| h == heading)
                        .unwrap_or_else(|| panic!("a column the test does not know: {heading}"));
                    let want = &grow_return_figures::expected(block, &pointer, whole_year);
                    let cell = &record[c];
                    match want.as_f64() {
                        Some(v) => {
                            nonzero_rates += usize::from(heading == "Job outcome rate" && v > 0.0);
                            let got = number(cell).unwrap_or_else(|| {
                                panic!(
                                    "return {i} {sheet} {who} {heading}: {cell:?} is not a number"
                                )
                            });
                            assert!(
                                (got - v).abs() < 1e-9,
                                "return {i} {sheet} {who} {heading}: {cell:?}, the report has {v}"
                            );
                        }
                        None => assert!(
                            want.is_null() && cell.is_empty(),
                            "return {i} {sheet} {who} {heading}: {cell:?}"
                        ),
                    }
                }
                rows_seen += 1;
            }
        }
        assert_eq!(rows_seen, 1 + r.teams.len() + r.specialists.len());
    }
    assert!(nonzero_rates > 0, "some job outcome rates were compared");
}

/// The spreadsheet limits leave real files alone: the caseload workbook as
/// LibreOffice saves it, in ods (repeated empty rows and cells to the sheet's
/// end) and in xlsx, reads as the workbook ipstrack wrote.
#[test]
fn workbooks_saved_by_libreoffice_are_read_within_the_limits() {
    use ipstrack_interop::spreadsheet::{Mapping, caseload_xlsx, read_workbook};
    let Some(binary) = libreoffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures().join("caseload.bundle.json")).unwrap();
    let doc = ipstrack_core::bundle::parse_document(&text).unwrap();
    let written = caseload_xlsx(&doc, &Mapping::default()).unwrap();
    let source = dir.path().join("caseload.xlsx");
    std::fs::write(&source, &written).unwrap();
    let expected = read_workbook("caseload.xlsx", &written).unwrap();
    for (filter, ext) in [("ods", "ods"), ("xlsx:Calc MS Excel 2007 XML", "xlsx")] {
        let out = dir.path().join(ext);
        std::fs::create_dir(&out).unwrap();
        convert_to(
            &binary,
            dir.path(),
            std::slice::from_ref(&source),
            &out,
            filter,
        );
        let saved = std::fs::read(out.join(format!("caseload.{ext}"))).unwrap();
        let sheets = read_workbook(ext, &saved).unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!(sheets.len(), expected.len(), "{ext}");
        for (s, e) in sheets.iter().zip(&expected) {
            assert_eq!(s.name, e.name, "{ext}");
            assert_eq!(s.rows.len(), e.rows.len(), "{ext} {}", s.name);
            assert_eq!(
                s.rows[0].cells, e.rows[0].cells,
                "{ext} {}: headings",
                s.name
            );
        }
    }
}
