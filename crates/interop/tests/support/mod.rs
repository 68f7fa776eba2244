//! What the tests of the plan's reviews and the employer contacts in
//! spreadsheets share: a service with both, and the round trip's helpers.
#![allow(dead_code)] // each test file uses some of them

use ipstrack_core::Day;
use ipstrack_core::bundle::{BundleDoc, EmployerContactDoc, ReferralDoc, parse_document, validate};
use ipstrack_interop::spreadsheet::{
    ImportOptions, Mapping, Preview, Sheet, caseload_csv, caseload_xlsx, preview, read_csv,
    read_workbook,
};

pub fn options() -> ImportOptions {
    ImportOptions {
        today: Day::parse("2026-11-23").unwrap(),
        team: None,
    }
}

pub fn lead_of(team: &str) -> ImportOptions {
    ImportOptions {
        team: Some(team.into()),
        ..options()
    }
}

/// Three specialists (es1 and es2 in the north team, es3 in the south),
/// three clients, each with a referral; r1 and r2 with a reviewed plan, r3
/// with a plan never reviewed, r4 with none; and four employer contacts.
pub fn service() -> BundleDoc {
    let doc = parse_document(
        r#"{
          "format": "ipstrack-bundle/1",
          "service": { "name": "Northshire IPS", "start_date": "2019-04-01" },
          "teams": [ { "id": "north", "name": "North" }, { "id": "south", "name": "South" } ],
          "staff": [
            { "id": "es1", "name": "Alice Smith", "role": "es", "team": "north",
              "start_date": "2022-01-10", "fte": 1 },
            { "id": "es2", "name": "Bilal Khan", "role": "es", "team": "north",
              "start_date": "2022-01-10", "fte": 1 },
            { "id": "es3", "name": "Carys Jones", "role": "es", "team": "south",
              "start_date": "2022-01-10", "fte": 1 }
          ],
          "clients": [ { "id": "c1" }, { "id": "c2" }, { "id": "c3" } ],
          "referrals": [
            { "id": "r1", "client": "c1", "received": "2024-04-02",
              "status_at_referral": "unemployed", "es": "es1", "access": "2024-04-10",
              "vocational_plan": { "start": "2024-04-20", "end": "2024-10-01",
                "reviews": ["2024-05-10", "2024-07-01", "2024-09-02"],
                "agreed_with_clinical_team": true } },
            { "id": "r2", "client": "c2", "received": "2024-05-01",
              "status_at_referral": "unemployed", "es": "es2", "access": "2024-05-03",
              "vocational_plan": { "start": "2024-05-06", "reviews": ["2024-06-03"],
                "agreed_with_clinical_team": false } },
            { "id": "r3", "client": "c3", "received": "2024-06-01",
              "status_at_referral": "employed", "es": "es3", "access": "2024-06-03",
              "vocational_plan": { "start": "2024-06-05" } },
            { "id": "r4", "client": "c1", "received": "2025-01-06",
              "status_at_referral": "unemployed", "es": "es1" }
          ],
          "employer_contacts": [
            { "id": "ec1", "es": "es1", "date": "2024-05-02", "employer": "Co-op Food",
              "kind": "visit", "note": "Met the manager; two roles in the spring",
              "client": "c1" },
            { "id": "ec2", "es": "es2", "date": "2024-05-03", "employer": "Leeds City Council",
              "kind": "call" },
            { "id": "ec3", "es": "es3", "date": "2024-06-10", "employer": "+Plus Logistics",
              "kind": "email", "note": "Sent the job carving leaflet" },
            { "id": "ec7", "es": "es1", "date": "2024-06-11", "employer": "Co-op Food",
              "kind": "call", "client": "c3" }
          ]
        }"#,
    )
    .unwrap();
    validate(&doc).unwrap_or_else(|e| panic!("{e}"));
    doc
}

/// The service's staff alone: no clients, referrals or employer contacts.
pub fn staff_only(doc: &BundleDoc) -> BundleDoc {
    BundleDoc {
        clients: Vec::new(),
        referrals: Vec::new(),
        employer_contacts: Vec::new(),
        ..doc.clone()
    }
}

/// The preview of `sheets`, read under the default headings, over the
/// records `stored`, on the import day of [`options`].
pub fn preview_over(sheets: &[Sheet], stored: &BundleDoc) -> Preview {
    preview(sheets, &Mapping::default(), stored, &options())
}

/// The preview of a first import: `sheets` over the service's staff alone.
pub fn first_import(sheets: &[Sheet]) -> Preview {
    preview_over(sheets, &staff_only(&service()))
}

/// `doc`'s export, as a workbook and as CSV files, imported again over
/// `doc`: clean, and no referral created, updated or written.
pub fn assert_export_imported_again_changes_nothing(doc: &BundleDoc) {
    for (format, sheets) in [("xlsx", xlsx_sheets(doc)), ("csv", csv_sheets(doc))] {
        let again = preview_over(&sheets, doc);
        assert!(again.is_clean(), "{format}: {:#?}", again.problems);
        assert_eq!(
            (again.referrals.create, again.referrals.update),
            (0, 0),
            "{format}"
        );
        let written = again.to_import(false).unwrap();
        assert!(written.referrals.is_empty(), "{format}");
    }
}

/// The stored records with a clean preview's records put over them.
pub fn imported(base: &BundleDoc, p: &Preview) -> BundleDoc {
    let written = p.to_import(false).expect("a clean file");
    let mut doc = base.clone();
    fn put<T: Clone>(into: &mut Vec<T>, from: &[T], id: impl Fn(&T) -> &str) {
        for x in from {
            match into.iter().position(|y| id(y) == id(x)) {
                Some(i) => into[i] = x.clone(),
                None => into.push(x.clone()),
            }
        }
    }
    put(&mut doc.clients, &written.clients, |c| &c.id);
    put(&mut doc.referrals, &written.referrals, |r| &r.id);
    put(
        &mut doc.employer_contacts,
        &written.employer_contacts,
        |e| &e.id,
    );
    doc
}

/// Referrals as the store keeps them, by id.
pub fn referrals(doc: &BundleDoc) -> Vec<ReferralDoc> {
    let mut out: Vec<ReferralDoc> = doc
        .referrals
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.fill_absent();
            r
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

pub fn contacts(doc: &BundleDoc) -> Vec<EmployerContactDoc> {
    let mut out = doc.employer_contacts.clone();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

pub fn shown(p: &Preview) -> Vec<String> {
    p.problems.iter().map(ToString::to_string).collect()
}

pub fn xlsx_sheets(doc: &BundleDoc) -> Vec<Sheet> {
    read_workbook(
        "export.xlsx",
        &caseload_xlsx(doc, &Mapping::default()).unwrap(),
    )
    .unwrap()
}

pub fn csv_sheets(doc: &BundleDoc) -> Vec<Sheet> {
    caseload_csv(doc, &Mapping::default())
        .unwrap()
        .into_iter()
        .map(|(file, text)| read_csv(&file, text.as_bytes()).unwrap())
        .collect()
}

/// The employer contacts a preview would create and update.
pub fn employer_contacts_written(p: &Preview) -> (usize, usize) {
    (p.employer_contacts.create, p.employer_contacts.update)
}

/// The employer contacts a preview would create and update, and those it
/// leaves unchanged.
pub fn employer_contact_counts(p: &Preview) -> (usize, usize, usize) {
    let (create, update) = employer_contacts_written(p);
    (create, update, p.employer_contacts.unchanged)
}
