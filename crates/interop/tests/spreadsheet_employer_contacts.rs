//! The ES's employer contacts in spreadsheets: a sheet told apart from the
//! contacts sheet, rows matched to stored contacts or numbered, bad rows
//! named by sheet, row and column and left out on their own, and a team
//! lead's import kept to their own team.

mod support;

use ipstrack_interop::spreadsheet::{Mapping, Table, preview, read_csv, read_file};
use support::*;
// ---------------------------------------------------------------------------
// Employer contacts
// ---------------------------------------------------------------------------

const EC_HEAD: &str =
    "Employment specialist,Date of employer contact,Employer name,Type of employer contact";

#[test]
fn a_contacts_sheet_and_an_employer_contacts_sheet_are_told_apart() {
    let doc = service();
    let sheets = xlsx_sheets(&doc);
    let p = preview_over(&sheets, &doc);
    let tables: Vec<(String, Option<Table>)> =
        p.sheets.iter().map(|s| (s.name.clone(), s.table)).collect();
    assert!(tables.contains(&("Contacts".into(), Some(Table::Contacts))));
    assert!(tables.contains(&("Employer contacts".into(), Some(Table::EmployerContacts))));
    assert!(tables.contains(&("Caseload".into(), Some(Table::Caseload))));

    // A contacts sheet with an ES and an employer column is still contacts;
    // an employer contacts sheet with a Client ID is not a contacts sheet.
    let contacts = "Referral ID,Contact date,Contact type,Employment specialist,Employer,Note\n\
                    r1,03/05/2024,Face to face,es1,Co-op Food,CV done\n";
    let employer =
        format!("{EC_HEAD},Client ID,Referral date\nes1,03/05/2024,Co-op Food,Visit,c1,\n");
    let sheets = vec![
        read_csv("contacts.csv", contacts.as_bytes()).unwrap(),
        read_csv("employers.csv", employer.as_bytes()).unwrap(),
    ];
    let p = preview_over(&sheets, &doc);
    assert_eq!(p.sheets[0].table, Some(Table::Contacts));
    assert_eq!(p.sheets[1].table, Some(Table::EmployerContacts));
    assert_eq!(p.sheets[1].unused_columns, ["F (Referral date)"]);
    assert!(p.is_clean(), "{:#?}", p.problems);
    assert_eq!(p.referrals.update, 1);
    assert_eq!(p.employer_contacts.create, 1);
}

#[test]
fn employer_contacts_without_an_id_are_matched_to_stored_ones_or_numbered() {
    let stored = service();
    let csv = format!(
        "{EC_HEAD},Notes\n\
         Alice Smith,02/05/2024,Co-op Food,In person,Met the manager again\n\
         es2,2024-05-03, Leeds City Council ,Phone,\n\
         es2,04/05/2024,Leeds City Council,Telephone,\n\
         es2,04/05/2024,Leeds City Council,Telephone,\n\
         es1,11/06/2024,Co-op Food,Call,\n"
    );
    let sheets = read_file("employers.csv", csv.as_bytes()).unwrap();
    let p = preview_over(&sheets, &stored);
    assert!(p.is_clean(), "{:#?}", p.problems);
    // ec1 and ec2 are matched (ec1's note changes, ec2 stays as it is); ec7
    // is matched and, the sheet having a note column but no client column,
    // keeps its client; the two calls of 4 May are new: ec5 and ec6 (four
    // stored, so from ec5 on, ec7 taken).
    assert_eq!(employer_contact_counts(&p), (2, 1, 2));
    let written = contacts(p.to_import(false).unwrap());
    let ids: Vec<&str> = written.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["ec1", "ec5", "ec6"]);
    assert_eq!(written[0].note.as_deref(), Some("Met the manager again"));
    assert_eq!(
        written[0].client.as_deref(),
        Some("c1"),
        "no client column: kept"
    );
    assert_eq!(written[1].es, "es2");
    assert_eq!(written[1].date, "2024-05-04");
    assert_eq!(written[1].kind, "call");
    assert_eq!(written[1].note, None);
    // Imported, the same sheet again creates nothing.
    let stored = imported(&stored, &p);
    let again = preview_over(&sheets, &stored);
    assert_eq!(employer_contacts_written(&again), (0, 0));
}

#[test]
fn bad_employer_contact_rows_are_named_by_sheet_row_and_column_and_left_out_alone() {
    let long = "x".repeat(201);
    let csv = format!(
        "Employer contact ID,{EC_HEAD},Note,Client ID\n\
         ,Alice Smyth,02/05/2024,Co-op Food,Visit,,\n\
         ,es1,31/02/2024,Co-op Food,Visit,,\n\
         ,es1,02/05/2024,Co-op Food,Carrier pigeon,,\n\
         ,es1,02/05/2024,Co-op Food,Visit,,c99\n\
         ,es1,02/05/2024,,Visit,,\n\
         ,es1,02/05/2024,{long},Visit,,\n\
         ec20,es1,02/05/2024,Co-op Food,Visit,,\n\
         ec20,es2,03/05/2024,Aldi,Email,,\n\
         ,es2,03/05/2024,Aldi,E-mail,Sent the leaflet,c2\n"
    );
    let sheets = read_file("employers.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    let at = |row: u32, column: &str| format!("employers.csv row {row}, column {column}: ");
    assert_eq!(
        shown(&p),
        [
            at(2, "B (Employment specialist)")
                + "unknown employment specialist 'Alice Smyth': did you mean 'Alice Smith' (es1)?",
            at(3, "C (Date of employer contact)") + "'31/02/2024' is not a real date",
            at(4, "E (Type of employer contact)")
                + "'Carrier pigeon' is not a known employer contact kind (add it under [values.employer_contact_kind] in the mapping)",
            at(5, "G (Client ID)") + "there is no client c99 in the caseload sheet or in ipstrack",
            at(6, "D (Employer name)") + "no employer",
            at(7, "D (Employer name)") + "employer must be 200 characters or fewer",
            at(9, "A (Employer contact ID)") + "employer contact ec20 is on row 8 too",
            at(10, "G (Client ID)") + "there is no client c2 in the caseload sheet or in ipstrack",
        ],
        "{:#?}",
        shown(&p)
    );
    assert!(p.to_import(false).is_none(), "nothing is written");
    // Accepting skips writes the clean row alone; each bad row is left out
    // on its own.
    let written = p.to_import(true).unwrap();
    let ids: Vec<&str> = written
        .employer_contacts
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(ids, ["ec20"]);
    let rows: Vec<u32> = p
        .skipped
        .iter()
        .flat_map(|s| s.rows.iter().map(|(_, n)| *n))
        .collect();
    assert_eq!(rows, [2, 3, 4, 5, 6, 7, 9, 10]);
    assert!(p.skipped.iter().all(|s| s.referral.is_none()));
    assert_eq!(p.employer_contacts.create, 1);
}

#[test]
fn a_team_lead_imports_only_their_own_teams_employer_contacts() {
    let stored = service();
    let csv = format!(
        "Employer contact ID,{EC_HEAD},Client ID\n\
         ,Alice Smith,01/07/2024,Co-op Food,Visit,c1\n\
         ,Carys Jones,01/07/2024,Aldi,Call,\n\
         ec3,es1,10/06/2024,+Plus Logistics,Email,\n\
         ,es2,02/07/2024,Aldi,Call,c3\n"
    );
    let sheets = read_file("employers.csv", csv.as_bytes()).unwrap();
    let p = preview(&sheets, &Mapping::default(), &stored, &lead_of("north"));
    let shown = shown(&p);
    assert_eq!(shown.len(), 3, "{shown:#?}");
    assert_eq!(
        shown[0],
        "employers.csv row 3, column B (Employment specialist): names specialist es3, who is not in your team (north)"
    );
    // Another team's stored contact, and another team's client, are refused
    // without confirming them; the matches go to the audit log.
    assert!(
        shown[1].starts_with("employers.csv row 4, column A (Employer contact ID): employer contact id ec3 cannot be used in your import"),
        "{shown:#?}"
    );
    assert!(
        shown[2].starts_with(
            "employers.csv row 5, column F (Client ID): client id c3 cannot be used in your import"
        ),
        "{shown:#?}"
    );
    let matched: Vec<(&str, &str)> = p
        .out_of_scope
        .iter()
        .map(|o| (o.record_type, o.record_id.as_str()))
        .collect();
    assert_eq!(matched, [("client", "c3"), ("employer_contact", "ec3")]);
    let written = p.to_import(true).unwrap();
    assert_eq!(written.employer_contacts.len(), 1);
    assert_eq!(written.employer_contacts[0].es, "es1");
    assert_eq!(written.employer_contacts[0].id, "ec5");
    // The south team's lead imports the row of their own specialist.
    let p = preview(&sheets, &Mapping::default(), &stored, &lead_of("south"));
    let south: Vec<String> = p
        .to_import(true)
        .unwrap()
        .employer_contacts
        .iter()
        .map(|e| e.es.clone())
        .collect();
    assert_eq!(south, ["es3"]);
}
