//! `ipstrack import --xlsx/--csv` and `export --spreadsheet` end to end on
//! SQLite: the preview, no partial write, skipping accepted, the round trip.

mod common;

use std::path::Path;

use common::*;

/// A database holding the example's service, teams and staff but no case data.
fn staff_only(dir: &Path, example_name: &str) -> String {
    let text = std::fs::read_to_string(example(example_name)).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["clients"] = serde_json::json!([]);
    doc["referrals"] = serde_json::json!([]);
    let bundle = dir.join("staff.json");
    std::fs::write(&bundle, doc.to_string()).unwrap();
    let db = dir.join("ips.sqlite").to_string_lossy().into_owned();
    ok(&ipstrack(&[
        "import",
        "--data",
        &bundle.to_string_lossy(),
        "--db",
        &db,
    ]));
    db
}

/// The caseload example imported into a database `source.sqlite` under `dir`
/// and exported from it as the workbook `caseload.xlsx`: (database, workbook).
fn caseload_exported_as_a_workbook(dir: &Path) -> (String, String) {
    let source = dir.join("source.sqlite").to_string_lossy().into_owned();
    import_example(&source, "caseload.bundle.json");
    let xlsx = dir.join("caseload.xlsx").to_string_lossy().into_owned();
    ok(&ipstrack(&[
        "export",
        "--spreadsheet",
        "--out",
        &xlsx,
        "--db",
        &source,
    ]));
    (source, xlsx)
}

#[test]
fn a_spreadsheet_exported_and_imported_into_a_new_database_gives_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    // The caseload example's records end before today, so none is refused as future.
    let (source, xlsx) = caseload_exported_as_a_workbook(dir.path());

    let target_dir = tempfile::tempdir().unwrap();
    let db = staff_only(target_dir.path(), "caseload.bundle.json");
    let preview = ok(&ipstrack(&[
        "import",
        "--xlsx",
        &xlsx,
        "--db",
        &db,
        "--dry-run",
    ]));
    says(
        &preview,
        &[
            "Referrals: 14 to create, 0 to update, 0 unchanged",
            "No problems found.",
            "Dry run: nothing was written.",
        ],
    );
    let written = ok(&ipstrack(&["import", "--xlsx", &xlsx, "--db", &db]));
    assert!(
        written.contains("Written: referrals 14 created, 0 updated"),
        "{written}"
    );
    for (period, as_of) in [("2024/25", "2025-03-31"), ("2024/25-Q3", "2024-10-31")] {
        let args = |db: &str| {
            ok(&ipstrack(&[
                "report", "--db", db, "--period", period, "--as-of", as_of,
            ]))
        };
        assert_eq!(args(&db), args(&source), "{period}");
    }
    // Every change is in the audit log, by the importing user.
    let audit = ok(&ipstrack(&["audit", "--db", &db]));
    assert!(
        audit.lines().filter(|l| l.contains("cli:tester")).count() >= 14,
        "{audit}"
    );
}

#[test]
fn a_csv_with_problems_writes_nothing_unless_skipping_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let db = staff_only(dir.path(), "random-102.bundle.json");
    let names: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("random-102.bundle.json")).unwrap())
            .unwrap();
    let es = names["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "es")
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    let misspelt = format!("{es}x");
    let csv = dir.path().join("caseload.csv");
    std::fs::write(
        &csv,
        format!(
            "Northshire caseload,,,\n\
             ,,,\n\
             Client ID,Referral date,Employment status at referral,Employment specialist\n\
             n1,02/04/2024,Unemployed,{es}\n\
             \n\
             n2,2024-04-03,Unemployed ,{misspelt}\n\
             n3,03/04/24,Employed,{es}\n\
             n4,45386,Employed,{es}\n"
        ),
    )
    .unwrap();
    let csv = csv.to_string_lossy();
    let export = |name: &str| {
        let out = dir.path().join(name);
        ok(&ipstrack(&[
            "export",
            "--out",
            &out.to_string_lossy(),
            "--db",
            &db,
        ]));
        std::fs::read_to_string(out).unwrap()
    };
    let before = export("before.json");

    let refused = ipstrack(&["import", "--csv", &csv, "--db", &db]);
    assert!(!refused.status.success());
    let text = stdout(&refused);
    assert!(
        text.contains("caseload.csv: Caseload (headings on row 3), 4 rows"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "caseload.csv row 6, column D (Employment specialist) (referral n2-2024-04-03): unknown employment specialist '{misspelt}'"
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "caseload.csv row 7, column B (Referral date): '03/04/24' has a two-digit year"
        ),
        "{text}"
    );
    assert!(text.contains("Nothing was written"), "{text}");
    assert_eq!(export("after.json"), before, "no partial write");

    let accepted = ok(&ipstrack(&[
        "import",
        "--csv",
        &csv,
        "--db",
        &db,
        "--skip-problem-rows",
    ]));
    says(
        &accepted,
        &["Written: referrals 2 created", "2 rows left out as listed"],
    );
    let after: serde_json::Value = serde_json::from_str(&export("accepted.json")).unwrap();
    let ids: Vec<&str> = after["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["n1-2024-04-02", "n4-2024-04-04"]);
}

#[test]
fn the_default_mapping_is_printed_to_copy_and_a_bad_mapping_is_refused_by_name() {
    let printed = ok(&ipstrack(&["import", "--print-mapping"]));
    assert!(printed.contains("[caseload]") && printed.contains("Date Vocational Profile Started"));
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("m.toml");
    std::fs::write(&mapping, "[caseload]\nclient = 'C'\n").unwrap();
    let csv = dir.path().join("x.csv");
    std::fs::write(&csv, "C\nc1\n").unwrap();
    let db = dir.path().join("x.sqlite");
    let o = ipstrack(&[
        "import",
        "--csv",
        &csv.to_string_lossy(),
        "--mapping",
        &mapping.to_string_lossy(),
        "--db",
        &db.to_string_lossy(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    says(&err, &["m.toml is not a usable mapping", "`received`"]);
}

#[path = "../../interop/tests/hostile/mod.rs"]
mod hostile;

/// Runs `ipstrack` with its address space limited to 1 GiB, as a small
/// server would be: a read sized from what a file declares would fail to
/// allocate and abort the process.
fn ipstrack_in_1_gib(args: &[&str]) -> std::process::Output {
    std::process::Command::new("bash")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_ipstrack"))
        .args(args)
        .env("IPSTRACK_ACTOR", "tester")
        .env_remove("IPSTRACK_DATABASE_URL")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// `ipstrack import` of `file` (`--xlsx` or `--csv`) into `db`, a dry run,
/// in 1 GiB of memory.
fn dry_run_in_1_gib(kind: &str, file: &str, db: &str) -> std::process::Output {
    ipstrack_in_1_gib(&["import", kind, file, "--db", db, "--dry-run"])
}

#[test]
fn hostile_spreadsheets_are_refused_within_1_gib_with_the_limit_named_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = staff_only(dir.path(), "caseload.bundle.json");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "last-cell.xlsx",
            hostile::xlsx_last_cell(),
            "the sheet “Caseload” has a value beyond column IV: ipstrack reads at most 256 columns (A to IV)",
        ),
        (
            "shared-text.xlsx",
            hostile::xlsx_huge_shared_text(70),
            "inflates to more than 64 MiB: ipstrack reads at most 64 MiB per part",
        ),
        (
            "rows.xlsx",
            hostile::xlsx_many_rows(100_001),
            "has more than 100,000 rows: ipstrack reads at most 100,000 rows per sheet",
        ),
        (
            "repeats.ods",
            hostile::ods_rows(
                r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#,
            ),
            "has a value beyond column IV",
        ),
    ];
    for (name, bytes, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let started = std::time::Instant::now();
        let out = dry_run_in_1_gib("--xlsx", &path.to_string_lossy(), &db);
        let took = started.elapsed();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(name) && err.contains(message), "{name}: {err}");
        assert!(took.as_secs() < 10, "{name}: took {took:?}");
    }
    // A real workbook still imports within the same limit.
    let (_, xlsx) = caseload_exported_as_a_workbook(dir.path());
    let preview = ok(&dry_run_in_1_gib("--xlsx", &xlsx, &db));
    assert!(preview.contains("No problems found."), "{preview}");
}

#[test]
fn a_file_larger_than_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = staff_only(dir.path(), "caseload.bundle.json");
    let path = dir.path().join("big.csv");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: 1 GiB on no disk.
    file.set_len(1 << 30).unwrap();
    let out = dry_run_in_1_gib("--csv", &path.to_string_lossy(), &db);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("larger than 32 MiB: ipstrack reads at most 32 MiB per file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn styles_and_workbooks_copied_into_many_are_refused_within_1_gib_with_the_limit_named() {
    // Before calamine opens the file: it copies a cell format's number
    // format and font into each cell format, and a sheet's part name into
    // each sheet naming it (a few KB that took gigabytes, or aborted).
    let dir = tempfile::tempdir().unwrap();
    let db = staff_only(dir.path(), "caseload.bundle.json");
    let xf = r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>"#;
    let font = format!(r#"<font><name val="{}"/></font>"#, "F".repeat(1 << 20));
    let sheet = |i: usize| format!(r#"<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>"#);
    let sheets: String = (1..=64).map(sheet).collect();
    let target = format!("worksheets/{}.xml", "x".repeat(16 << 20));
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "format.xlsx",
            hostile::xlsx_long_number_format(1 << 20, 2_000),
            "xl/styles.xml has a number format longer than 255 characters: ipstrack reads at most 255 characters per number format, as Excel does",
        ),
        (
            "formats.xlsx",
            hostile::xlsx_long_number_format(1 << 20, 60_000),
            "xl/styles.xml has a number format longer than 255 characters",
        ),
        (
            "font.xlsx",
            hostile::xlsx_styled(&hostile::Body::Text(hostile::styles_xml(
                "",
                &font,
                &xf.repeat(2_000),
            ))),
            "xl/styles.xml has a font name longer than 255 characters: ipstrack reads at most 255 characters per font name",
        ),
        (
            "target.xlsx",
            hostile::xlsx_workbook(&sheets, &hostile::worksheet_rel(&target)),
            "xl/_rels/workbook.xml.rels has a relationship target longer than 65,535 characters",
        ),
    ];
    for (name, bytes, message) in cases {
        assert!(bytes.len() < 64 * 1024, "{name}: {}", bytes.len());
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = dry_run_in_1_gib("--xlsx", &path.to_string_lossy(), &db);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(name) && err.contains(message), "{name}: {err}");
    }
}

#[test]
fn styles_at_the_limits_are_read_within_1_gib() {
    // The most calamine can copy: one number format and one font name of
    // 255 four-byte characters, in each of 64,000 cell formats.
    let dir = tempfile::tempdir().unwrap();
    let db = staff_only(dir.path(), "caseload.bundle.json");
    let long = "𝔉".repeat(255);
    let xf = r#"<xf numFmtId="164" fontId="0" fillId="0" borderId="0"/>"#;
    let styles = hostile::styles_xml(
        &format!(r#"<numFmt numFmtId="164" formatCode="{long}"/>"#),
        &format!(r#"<font><name val="{long}"/></font>"#),
        &xf.repeat(64_000),
    );
    let path = dir.path().join("styles.xlsx");
    std::fs::write(&path, hostile::xlsx_styled(&hostile::Body::Text(styles))).unwrap();
    let out = dry_run_in_1_gib("--xlsx", &path.to_string_lossy(), &db);
    let err = stderr(&out);
    // Read: the preview names the missing columns, not a limit.
    assert!(matches!(out.status.code(), Some(0 | 1)), "{err}");
    assert!(!err.contains("ipstrack reads at most"), "{err}");
    assert!(!err.contains("cannot be read"), "{err}");
}
