//! Spreadsheet import of who a client is (revision 2): names, date of birth,
//! phone, postcode, gender and ethnicity read under any default heading,
//! checked cell by cell, kept when a sheet has no column for them, and
//! written out under the default headings.

mod support;

use support::*;

use ipstrack_core::bundle::{BundleDoc, validate};
use ipstrack_interop::spreadsheet::{
    Mapping, Preview, caseload_csv, caseload_xlsx, preview, read_file, read_workbook,
};
use rust_xlsxwriter::{Format, Workbook};

/// The service with these clients and, for each, a referral `r-<client>` for es1.
fn service_with(clients: serde_json::Value) -> BundleDoc {
    let mut doc = staff_only(&service());
    doc.clients = serde_json::from_value(clients).unwrap();
    for (i, c) in doc.clients.iter().enumerate() {
        let referral = serde_json::json!({
            "id": format!("r-{}", c.id), "client": c.id,
            "received": format!("2024-04-{:02}", i + 1),
            "status_at_referral": "unemployed", "es": "es1"
        });
        doc.referrals
            .push(serde_json::from_value(referral).unwrap());
    }
    validate(&doc).unwrap_or_else(|e| panic!("{e}"));
    doc
}

/// The clients a clean preview would write, by id.
fn clients_written(p: &Preview) -> Vec<ipstrack_core::bundle::ClientDoc> {
    assert!(p.is_clean(), "{:#?}", p.problems);
    let mut clients = p.to_import(false).unwrap().clients.clone();
    clients.sort_by(|a, b| a.id.cmp(&b.id));
    clients
}

/// (given, family, date of birth, phone, postcode, gender, ethnic category) of a client.
type Identity = [Option<String>; 7];

fn identity(c: &ipstrack_core::bundle::ClientDoc) -> Identity {
    [
        c.given_name.clone(),
        c.family_name.clone(),
        c.date_of_birth.clone(),
        c.phone.clone(),
        c.postcode.clone(),
        c.gender.clone(),
        c.ethnic_category.clone(),
    ]
}

fn some(values: [&str; 7]) -> Identity {
    values.map(|v| (!v.is_empty()).then(|| v.to_string()))
}

/// Amira Khan's identity as the files here give it (female, White British).
fn amira_khan() -> Identity {
    some([
        "Amira",
        "Khan",
        "1968-07-14",
        "07700 900123",
        "LS1 4AP",
        "2",
        "A",
    ])
}

#[test]
fn identity_fields_are_read_under_any_default_heading_from_codes_or_words() {
    let csv = "Client ID,Referral date,Employment status at referral,Employment specialist,\
               First name,Surname,DOB,Mobile,Post code,Gender,Ethnic category\n\
               c1,02/04/2024,Unemployed,es1,Amira,Khan,14/07/1968,07700 900123,ls1 4ap,2,A\n\
               c2,03/04/2024,Unemployed,es1,Tom,O'Brien,1951-02-03,+44 113 496 0000,SW1A 1AA,Male,White - Irish\n\
               c3,04/04/2024,Unemployed,es1,,,3 Feb 1951,,,not known,Not known\n\
               c4,05/04/2024,Unemployed,es1,Zoë,Lee,,,,x,Prefer not to say\n\
               c5,06/04/2024,Unemployed,es1,,,,,,Indeterminate,Asian or Asian British: Indian\n\
               c6,07/04/2024,Unemployed,es1,,,,,,F,white british\n\
               c7,08/04/2024,Unemployed,es1,,,,,,9,99\n";
    let sheets = read_file("people.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    let got: Vec<Identity> = clients_written(&p).iter().map(identity).collect();
    assert_eq!(
        got,
        [
            amira_khan(),
            some([
                "Tom",
                "O'Brien",
                "1951-02-03",
                "+44 113 496 0000",
                "SW1A 1AA",
                "1",
                "B"
            ]),
            some(["", "", "1951-02-03", "", "", "X", "99"]),
            some(["Zoë", "Lee", "", "", "", "X", "Z"]),
            some(["", "", "", "", "", "9", "H"]),
            some(["", "", "", "", "", "2", "A"]),
            some(["", "", "", "", "", "9", "99"]),
        ]
    );

    // In a workbook: the date of birth an Excel date, the phone, gender and
    // ethnic category typed as numbers (the phone loses its leading 0, which
    // comes back).
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headings = [
        "Client ID",
        "Referral date",
        "Employment status at referral",
        "Forename",
        "Last name",
        "Date of birth",
        "Telephone",
        "Postcode",
        "Gender",
        "Ethnicity",
    ];
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let day = |t: &str| jiff::civil::Date::strptime("%Y-%m-%d", t).unwrap();
    sheet.write_string(1, 0, "c1").unwrap();
    sheet
        .write_date_with_format(1, 1, day("2024-04-02"), &date)
        .unwrap();
    sheet.write_string(1, 2, "Unemployed").unwrap();
    sheet.write_string(1, 3, " Amira ").unwrap();
    sheet.write_string(1, 4, "Khan").unwrap();
    sheet
        .write_date_with_format(1, 5, day("1949-12-31"), &date)
        .unwrap();
    sheet.write_number(1, 6, 7_700_900_123.0).unwrap();
    sheet.write_string(1, 7, "LS1 4AP").unwrap();
    sheet.write_number(1, 8, 1).unwrap();
    sheet.write_number(1, 9, 99).unwrap();
    let sheets = read_workbook("people.xlsx", &book.save_to_buffer().unwrap()).unwrap();
    let p = first_import(&sheets);
    let got: Vec<Identity> = clients_written(&p).iter().map(identity).collect();
    assert_eq!(
        got,
        [some([
            "Amira",
            "Khan",
            "1949-12-31",
            "07700900123",
            "LS1 4AP",
            "1",
            "99"
        ])]
    );
}

#[test]
fn bad1_a_bad_identity_value_is_a_problem_on_its_cell_and_nothing_is_written() {
    let long = "x".repeat(101);
    let csv = format!(
        "Client ID,Referral date,Employment status at referral,Employment specialist,\
         Given name,Family name,Date of birth,Phone,Postcode,Gender,Ethnicity\n\
         c1,02/04/2024,Unemployed,es1,{long},,,,,,\n\
         c2,03/04/2024,Unemployed,es1,,Ann\u{7}Lee,,,,,\n\
         c3,04/04/2024,Unemployed,es1,,,31/02/1970,,,,\n\
         c4,05/04/2024,Unemployed,es1,,,14/07/2030,,,,\n\
         c5,06/04/2024,Unemployed,es1,,,14/07/68,,,,\n\
         c6,07/04/2024,Unemployed,es1,,,,call me,,,\n\
         c7,08/04/2024,Unemployed,es1,,,,0113 496 0000 0000 0000,,,\n\
         c8,09/04/2024,Unemployed,es1,,,,,LS1,,\n\
         c9,10/04/2024,Unemployed,es1,,,,,,Robot,\n\
         c10,11/04/2024,Unemployed,es1,,,,,,,Martian\n\
         c11,12/04/2024,Unemployed,es1,Amira,Khan,14/07/1968,07700 900123,LS1 4AP,Female,White: British\n"
    );
    let sheets = read_file("people.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    let shown = shown(&p);
    let at = |row: u32, column: &str, client: &str, day: u32| {
        format!("people.csv row {row}, column {column} (referral {client}-2024-04-{day:02}): ")
    };
    let expected = [
        at(2, "E (Given name)", "c1", 2) + "given_name must be 100 characters or fewer",
        at(3, "F (Family name)", "c2", 3) + "family_name holds a control character",
        at(4, "G (Date of birth)", "c3", 4) + "'31/02/1970' is not a real date",
        at(5, "G (Date of birth)", "c4", 5) + "2030-07-14 is after today (2026-11-23)",
        at(6, "G (Date of birth)", "c5", 6)
            + "'14/07/68' has a two-digit year, which could be 1968 or 2068: write the year in full",
        at(7, "H (Phone)", "c6", 7) + "phone holds characters other than digits, spaces, + ( ) -",
        at(8, "H (Phone)", "c7", 8) + "phone must be 20 characters or fewer",
        at(9, "I (Postcode)", "c8", 9) + "postcode `LS1` is not a UK postcode",
        at(10, "J (Gender)", "c9", 10)
            + "'Robot' is not a known gender (add it under [values.gender] in the mapping)",
        at(11, "K (Ethnicity)", "c10", 11)
            + "'Martian' is not a known ethnic category (add it under [values.ethnic_category] in the mapping)",
    ];
    assert_eq!(shown, expected, "{}", shown.join("\n"));
    assert!(p.to_import(false).is_none(), "nothing is written");
    // Accepting skips writes only the clean row, whole.
    let written = p.to_import(true).unwrap();
    assert_eq!(written.clients.len(), 1);
    assert_eq!(identity(&written.clients[0]), amira_khan());
}

#[test]
fn a_sheet_without_an_identity_column_keeps_the_stored_value() {
    let stored = service_with(serde_json::json!([{
        "id": "c1", "nhs_number": "9434765919", "given_name": "Amira", "family_name": "Khan",
        "date_of_birth": "1968-07-14", "phone": "07700 900123", "postcode": "LS1 4AP",
        "gender": "2", "ethnic_category": "A"
    }]));
    let c1 = stored.clients[0].clone();
    let import = |csv: &str| {
        let sheets = read_file("c1.csv", csv.as_bytes()).unwrap();
        preview_over(&sheets, &stored)
    };
    let head =
        "Referral ID,Client ID,Referral date,Employment status at referral,Employment specialist";
    let row = "r-c1,c1,01/04/2024,Unemployed,es1";

    // No identity column: the client is kept as it is.
    let p = import(&format!("{head}\n{row}\n"));
    assert!(p.is_clean(), "{:#?}", p.problems);
    assert_eq!((p.clients.create, p.clients.update), (0, 0));
    assert!(p.to_import(false).unwrap().clients.is_empty());

    // One column: that field changes, every other is kept.
    let p = import(&format!("{head},Phone,Gender\n{row},0113 496 0999,X\n"));
    let written = clients_written(&p);
    assert_eq!(p.clients.update, 1);
    let mut expected = c1.clone();
    expected.phone = Some("0113 496 0999".into());
    expected.gender = Some("X".into());
    assert_eq!(written, [expected]);

    // The column there but its cell blank: that field is cleared.
    let p = import(&format!("{head},Postcode\n{row},\n"));
    let mut expected = c1.clone();
    expected.postcode = None;
    assert_eq!(clients_written(&p), [expected]);

    // A new referral of the stored client keeps the client too.
    let p = import(&format!(
        "{head},Family name\nr2,c1,01/09/2024,Unemployed,es1,Khan-Ali\n"
    ));
    let mut expected = c1.clone();
    expected.family_name = Some("Khan-Ali".into());
    assert_eq!(clients_written(&p), [expected]);
}

#[test]
fn two_referrals_of_one_client_that_disagree_on_a_field_are_a_problem() {
    let csv = "Referral ID,Client ID,Referral date,Employment status at referral,Employment specialist,Date of birth,Gender\n\
               r1,c1,02/04/2024,Unemployed,es1,14/07/1968,Female\n\
               r2,c1,02/09/2024,Unemployed,es1,15/07/1968,2\n";
    let sheets = read_file("x.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    let shown = shown(&p);
    assert_eq!(
        shown,
        [
            "x.csv row 3, column F (Date of birth) (referral r2): client c1 has a different date of birth in referral r1"
        ]
    );
    // Agreeing referrals give one client.
    let csv = csv.replace("15/07/1968", "14/07/1968");
    let sheets = read_file("x.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    let written = clients_written(&p);
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].date_of_birth.as_deref(), Some("1968-07-14"));
    assert_eq!(written[0].gender.as_deref(), Some("2"));
}

/// Clients with every identity field (and some with few or none), for the round trip.
fn people() -> BundleDoc {
    service_with(serde_json::json!([
        {"id": "c1", "nhs_number": "9434765919", "given_name": "Amira", "family_name": "Khan",
         "date_of_birth": "1968-07-14", "phone": "07700 900123", "postcode": "LS1 4AP",
         "gender": "2", "ethnic_category": "A"},
        {"id": "c2", "given_name": "Zoë", "family_name": "O'Brien-Smith",
         "date_of_birth": "1948-11-30", "phone": "+44 113 496 0000", "postcode": "SW1A 1AA",
         "gender": "1", "ethnic_category": "R"},
        {"id": "c3", "given_name": "-Sam", "family_name": "=Lee", "date_of_birth": "2001-02-03",
         "phone": "(0113) 496-0001", "postcode": "M1 1AE", "gender": "9", "ethnic_category": "99"},
        {"id": "c4", "gender": "X", "ethnic_category": "Z"},
        {"id": "c5", "date_of_birth": "1990-01-01", "ethnic_category": "S"},
        {"id": "c6"}
    ]))
}

#[test]
fn export_then_import_gives_every_identity_field_unchanged() {
    let doc = people();
    let base = staff_only(&doc);
    for (format, sheets) in [("xlsx", xlsx_sheets(&doc)), ("csv", csv_sheets(&doc))] {
        let p = preview_over(&sheets, &base);
        assert_eq!(clients_written(&p), doc.clients, "{format}");
        // Imported again over what it wrote, nothing changes.
        let stored = imported(&base, &p);
        let again = preview_over(&sheets, &stored);
        assert!(again.is_clean(), "{format}: {:#?}", again.problems);
        assert_eq!(
            (again.clients.update, again.clients.unchanged),
            (0, doc.clients.len()),
            "{format}"
        );
    }
}

#[test]
fn the_caseload_sheet_holds_the_identity_fields_under_the_default_headings() {
    let doc = people();
    let (_, text) = caseload_csv(&doc, &Mapping::default())
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let mut lines = text.lines();
    for start in [
        "Referral ID,Client ID,NHS number,Given name,Family name,Date of birth,Phone,Postcode,Gender,Ethnicity,Referral date,",
        "r-c1,c1,9434765919,Amira,Khan,14/07/1968,07700 900123,LS1 4AP,Female,White: British,01/04/2024,",
        // Text a spreadsheet would take for a formula is defused.
        "r-c2,c2,,Zoë,O'Brien-Smith,30/11/1948,'+44 113 496 0000,SW1A 1AA,Male,Other ethnic groups: Chinese,",
        "r-c3,c3,,'-Sam,'=Lee,03/02/2001,(0113) 496-0001,M1 1AE,Indeterminate,Not known,",
        "r-c4,c4,,,,,,,Not known,Not stated,",
    ] {
        assert!(lines.next().unwrap().starts_with(start), "{start}\n{text}");
    }
}

#[test]
fn contact_notes_and_a_self_employments_evidence_go_out_and_come_back() {
    let mapping = Mapping::default();
    let mut doc = people();
    let r = &mut doc.referrals[0];
    r.contacts = Some(vec![ipstrack_core::bundle::ContactDoc {
        date: r.received.clone(),
        kind: "face_to_face".into(),
        mechanism: None,
        note: Some("CV done; next: the Co-op".into()),
        location: None,
    }]);
    r.jobs = Some(vec![ipstrack_core::bundle::JobDoc {
        id: "j1".into(),
        kind: "self_employed".into(),
        employer: Some("Own business".into()),
        start: r.received.clone(),
        end: None,
        hours_per_week: Some(10.into()),
        weekly_hours: None,
        four_hours_confirmed: None,
        self_employment_registration: Some("sole_trader".into()),
        self_employment_evidence: Some("UTR seen".into()),
        retained: Some(false),
        return_to_work: None,
        pays_minimum_wage: None,
        open_to_anyone: None,
        end_reason: None,
    }]);
    let base = staff_only(&doc);
    let sheets = read_workbook("x.xlsx", &caseload_xlsx(&doc, &mapping).unwrap()).unwrap();
    let p = preview(&sheets, &mapping, &base, &options());
    assert!(p.is_clean(), "{:#?}", p.problems);
    let written = p.to_import(false).unwrap();
    let back = written
        .referrals
        .iter()
        .find(|x| x.id == doc.referrals[0].id)
        .unwrap();
    assert_eq!(
        back.contacts.as_ref().unwrap()[0].note.as_deref(),
        Some("CV done; next: the Co-op")
    );
    assert_eq!(
        back.jobs.as_ref().unwrap()[0]
            .self_employment_evidence
            .as_deref(),
        Some("UTR seen")
    );
}
