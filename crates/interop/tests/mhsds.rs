//! The MHSDS-aligned extract: each table's rows and codes, for a worked
//! example and for small hand-built services.

use ipstrack_core::mhsds::mhs116;
use ipstrack_core::{Day, Loaded, Period, read_bundle};
use ipstrack_interop::mhsds::{
    IPS_SNOMED, MPI_COLUMNS, NhsNumberProblem, TABLE_NAMES, mhsds_extract,
};
use serde_json::{Value, json};

fn d(s: &str) -> Day {
    Day::parse(s).unwrap()
}

fn example_text(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/examples")
            .join(format!("{name}.bundle.json")),
    )
    .unwrap()
}

/// A service with teams `t1` (es1) and `t2` (es2) around `clients` and `referrals`.
fn service(clients: Value, referrals: Value) -> Loaded {
    let doc = json!({
        "format": "ipstrack-bundle/1",
        "service": {"name": "Test IPS", "start_date": "2018-04-01"},
        "teams": [{"id": "t1", "name": "North"}, {"id": "t2", "name": "=South"}],
        "staff": [
            {"id": "es1", "name": "A", "role": "es", "team": "t1", "start_date": "2020-01-06", "fte": 1},
            {"id": "es2", "name": "B", "role": "es", "team": "t2", "start_date": "2020-01-06", "fte": 1}
        ],
        "clients": clients,
        "referrals": referrals,
    });
    read_bundle(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// A referral of client `client` for es1, received 2024-09-02, no access.
fn referral(id: &str, client: &str, extra: Value) -> Value {
    let mut r = json!({"id": id, "client": client, "received": "2024-09-02",
                       "status_at_referral": "unemployed", "es": "es1"});
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

fn q3() -> Period {
    Period::parse("2024/25-Q3").unwrap()
}

#[test]
fn an_example_service_gives_every_table_with_the_ips_codes() {
    let text = example_text("random-101");
    let loaded = read_bundle(&text).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let period = q3();
    let as_of = d("2024-12-31");
    let x = mhsds_extract(&loaded.dataset, &period, as_of).unwrap();
    assert!(x.tables.iter().map(|t| t.name).eq(TABLE_NAMES));

    // Referrals open at any time in the period (or discharged in it), worked
    // out here from the bundle's JSON.
    let (start, end) = ("2024-10-01", "2024-12-31");
    let open: Vec<&Value> = doc["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["received"].as_str().unwrap() <= end
                && r["discharge"]["date"].as_str().is_none_or(|dd| dd >= start)
        })
        .collect();
    let ids: Vec<&str> = open.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(!ids.is_empty());
    assert_eq!(x.table("MHS101Referral").column("ServiceRequestId"), ids);
    assert_eq!(
        x.table("MHS102ServiceTypeReferredTo")
            .column("ServiceRequestId"),
        ids
    );
    assert!(
        x.table("MHS102ServiceTypeReferredTo")
            .column("ServTeamTypeRefToMH")
            .iter()
            .all(|c| *c == "D05")
    );
    let teams = x.table("MHS902ServiceTeamDetails");
    assert_eq!(teams.column("CareProfTeamLocalId"), ["t1", "t2"]);
    assert_eq!(teams.column("ServTeamTypeMH"), ["D05", "D05"]);
    assert_eq!(teams.column("TeamName"), ["North", "South"]);

    // Care contacts: the two-way contacts and access meetings in the period.
    let mut expected = 0;
    for r in &open {
        let in_period = |day: &str| start <= day && day <= end;
        let contact_days: Vec<&str> = r["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["kind"] != "assertive_engagement")
            .map(|k| k["date"].as_str().unwrap())
            .collect();
        expected += contact_days.iter().filter(|day| in_period(day)).count();
        if let Some(a) = r["access"].as_str()
            && in_period(a)
            && !contact_days.contains(&a)
        {
            expected += 1;
        }
    }
    let contacts = x.table("MHS201CareContact");
    assert_eq!(contacts.rows.len(), expected);
    assert!(expected > 0);
    assert!(contacts.column("AttendOrDNACode").iter().all(|c| *c == "5"));
    assert!(
        contacts
            .column("CareContDate")
            .iter()
            .all(|day| (start..=end).contains(day))
    );
    let mut unique = contacts.column("CareContactId");
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), expected, "contact ids are unique");
    // No mechanism is recorded in the example: face to face by its kind, else 98.
    assert!(
        contacts
            .column("ConsMechanismMH")
            .iter()
            .all(|c| *c == "01" || *c == "98")
    );
    let activity = x.table("MHS202CareActivity");
    assert_eq!(
        activity.column("CareContactId"),
        contacts.column("CareContactId")
    );
    assert!(
        activity
            .column("CodeProcAndProcStatus")
            .iter()
            .all(|c| *c == IPS_SNOMED && *c == "1082621000000104")
    );

    // MHS116: the reconciliation file carries the core count.
    let m = mhs116(&loaded.dataset, period.end, as_of);
    assert!(m.referrals > 0);
    let rec = x.table("MHS116Reconciliation");
    assert_eq!(rec.column("Measure"), ["MHS116"]);
    assert_eq!(rec.column("WindowStart"), ["2024-01-01"]);
    assert_eq!(rec.column("WindowEnd"), ["2024-12-31"]);
    assert_eq!(rec.column("Referrals"), [m.referrals.to_string()]);
    assert_eq!(rec.column("People"), [m.people.to_string()]);
    assert_eq!(x.table("MHS116Referrals").rows.len(), m.referrals as usize);

    // The example has no NHS numbers: blank, trace required, each listed.
    let mpi = x.table("MHS001MPI");
    assert!(mpi.column("NHSNumber").iter().all(|n| n.is_empty()));
    assert!(mpi.column("NHSNumberStatus").iter().all(|s| *s == "03"));
    assert_eq!(x.nhs_number_problems.len(), mpi.rows.len());

    let csv = contacts.to_csv().unwrap();
    assert!(
        csv.starts_with("CareContactId,ServiceRequestId,LocalPatientId,CareProfTeamLocalId,CareContDate,AttendOrDNACode,ConsMechanismMH\n"),
        "{csv}"
    );
}

#[test]
fn nhs_numbers_are_sent_only_with_a_valid_check_digit() {
    // A bundle refuses a wrong NHS number (BAD-1); the extract still leaves
    // one out should a dataset hold it (made here by hand).
    let mut loaded = service(
        json!([{"id": "c1", "nhs_number": "9434765919"},
               {"id": "c2"},
               {"id": "c3"},
               {"id": "c4"}]),
        json!([
            referral("r1", "c1", json!({})),
            referral("r2", "c2", json!({})),
            referral("r3", "c3", json!({})),
            referral("r4", "c4", json!({})),
            referral("r5", "c1", json!({"received": "2024-11-01"}))
        ]),
    );
    let clients = std::sync::Arc::make_mut(&mut loaded.dataset.clients);
    clients[1].nhs_number = Some("9434765918".into());
    clients[2].nhs_number = Some("943 476 5919".into());
    let x = mhsds_extract(&loaded.dataset, &q3(), d("2024-12-31")).unwrap();
    let mpi = x.table("MHS001MPI");
    assert_eq!(mpi.column("LocalPatientId"), ["c1", "c2", "c3", "c4"]);
    assert_eq!(mpi.column("NHSNumber"), ["9434765919", "", "", ""]);
    assert_eq!(mpi.column("NHSNumberStatus"), ["02", "03", "03", "03"]);
    assert_eq!(
        x.nhs_number_problems,
        [
            ("c2".to_string(), NhsNumberProblem::FailsCheckDigit),
            ("c3".to_string(), NhsNumberProblem::FailsCheckDigit),
            ("c4".to_string(), NhsNumberProblem::Missing),
        ]
    );
    for t in &x.tables {
        let csv = t.to_csv().unwrap();
        assert!(
            !csv.contains("9434765918"),
            "{}: a failing number is never written",
            t.name
        );
    }
}

#[test]
fn mpi_carries_birth_date_postcode_gender_and_ethnic_category_but_no_names_or_phone() {
    let mut loaded = service(
        json!([
            {"id": "c1", "nhs_number": "9434765919", "given_name": "Amira",
             "family_name": "Khan", "date_of_birth": "1968-07-14", "phone": "07700 900123",
             "postcode": "ls1 4ap", "gender": "2", "ethnic_category": "A"},
            {"id": "c2", "given_name": "Tom", "date_of_birth": "1951-02-03",
             "gender": "X", "ethnic_category": "99"},
            {"id": "c3"},
            {"id": "c4", "postcode": "SW1A 1AA", "gender": "9", "ethnic_category": "Z"}
        ]),
        json!([
            referral("r1", "c1", json!({})),
            referral("r2", "c2", json!({})),
            referral("r3", "c3", json!({})),
            referral("r4", "c4", json!({}))
        ]),
    );
    // Codes outside their lists, should a dataset hold them (made by hand).
    let clients = std::sync::Arc::make_mut(&mut loaded.dataset.clients);
    clients[3].gender = Some("F".into());
    clients[3].ethnic_category = Some("=1".into());
    clients[3].postcode = Some("=LS1".into());
    let x = mhsds_extract(&loaded.dataset, &q3(), d("2024-12-31")).unwrap();
    let mpi = x.table("MHS001MPI");
    assert_eq!(
        mpi.header,
        [
            "LocalPatientId",
            "NHSNumber",
            "NHSNumberStatus",
            "PersonBirthDate",
            "Postcode",
            "Gender",
            "EthnicCategory"
        ]
    );
    assert_eq!(mpi.header, MPI_COLUMNS);
    assert_eq!(mpi.column("LocalPatientId"), ["c1", "c2", "c3", "c4"]);
    assert_eq!(
        mpi.column("PersonBirthDate"),
        ["1968-07-14", "1951-02-03", "", ""]
    );
    assert_eq!(mpi.column("Postcode"), ["LS1 4AP", "", "", ""]);
    assert_eq!(mpi.column("Gender"), ["2", "X", "", ""]);
    assert_eq!(mpi.column("EthnicCategory"), ["A", "99", "", ""]);
    let csv = mpi.to_csv().unwrap();
    assert!(
        csv.starts_with(
            "LocalPatientId,NHSNumber,NHSNumberStatus,PersonBirthDate,Postcode,Gender,EthnicCategory\n\
             c1,9434765919,02,1968-07-14,LS1 4AP,2,A\n"
        ),
        "{csv}"
    );
    // MHSDS carries no names and no phone numbers: no table holds them.
    for t in &x.tables {
        let csv = t.to_csv().unwrap();
        for private in ["Amira", "Khan", "Tom", "07700"] {
            assert!(!csv.contains(private), "{}: {private}", t.name);
        }
    }
}

#[test]
fn referrals_in_a_period_are_those_open_in_it_or_discharged_in_it() {
    let c = json!([{"id": "c1"}]);
    let loaded = service(
        c,
        json!([
            referral(
                "closed-before",
                "c1",
                json!({"received": "2024-06-01",
                     "discharge": {"date": "2024-09-30"}})
            ),
            referral(
                "closed-on-first-day",
                "c1",
                json!({"received": "2024-06-01",
                     "discharge": {"date": "2024-10-01"}})
            ),
            referral(
                "closed-after",
                "c1",
                json!({"received": "2024-06-01",
                     "discharge": {"date": "2025-01-01"}})
            ),
            referral("received-last-day", "c1", json!({"received": "2024-12-31"})),
            referral("received-after", "c1", json!({"received": "2025-01-01"})),
            referral(
                "received-after-as-of",
                "c1",
                json!({"received": "2024-12-01"})
            ),
        ]),
    );
    let x = mhsds_extract(&loaded.dataset, &q3(), d("2024-11-30")).unwrap();
    let t = x.table("MHS101Referral");
    assert_eq!(
        t.column("ServiceRequestId"),
        ["closed-on-first-day", "closed-after"]
    );
    // A discharge after the extract's last day is not known in it.
    assert_eq!(t.column("ServDischDate"), ["2024-10-01", ""]);
    let x = mhsds_extract(&loaded.dataset, &q3(), d("2025-03-31")).unwrap();
    assert_eq!(
        x.table("MHS101Referral").column("ServiceRequestId"),
        [
            "closed-on-first-day",
            "closed-after",
            "received-last-day",
            "received-after-as-of"
        ]
    );
    assert!(mhsds_extract(&loaded.dataset, &q3(), d("2024-09-30")).is_err());
}

#[test]
fn care_contacts_carry_the_consultation_mechanism_and_exclude_attempts() {
    let loaded = service(
        json!([{"id": "c1"}]),
        json!([referral(
            "r1",
            "c1",
            json!({
            "access": "2024-10-01",
            "transfers": [{"date": "2024-10-05", "es": "es2"}],
            "contacts": [
                {"date": "2024-10-02", "kind": "face_to_face"},
                {"date": "2024-10-03", "kind": "face_to_face", "mechanism": "face_to_face"},
                {"date": "2024-10-04", "kind": "remote"},
                {"date": "2024-10-05", "kind": "remote", "mechanism": "telephone"},
                {"date": "2024-10-05", "kind": "remote", "mechanism": "video"},
                {"date": "2024-10-06", "kind": "in_work_support", "mechanism": "email"},
                {"date": "2024-10-07", "kind": "in_work_support", "mechanism": "text_message"},
                {"date": "2024-10-08", "kind": "in_work_support", "mechanism": "other"},
                {"date": "2024-10-09", "kind": "assertive_engagement", "mechanism": "telephone"},
                {"date": "2024-09-30", "kind": "remote", "mechanism": "video"},
                {"date": "2025-01-01", "kind": "remote", "mechanism": "video"}
            ]})
        )]),
    );
    let x = mhsds_extract(&loaded.dataset, &q3(), d("2025-03-31")).unwrap();
    let t = x.table("MHS201CareContact");
    assert_eq!(
        t.column("CareContactId"),
        [
            "r1-20241001-A",
            "r1-20241002-1",
            "r1-20241003-1",
            "r1-20241004-1",
            "r1-20241005-1",
            "r1-20241005-2",
            "r1-20241006-1",
            "r1-20241007-1",
            "r1-20241008-1",
        ]
    );
    assert_eq!(
        t.column("ConsMechanismMH"),
        ["98", "01", "01", "98", "02", "11", "05", "09", "98"]
    );
    assert_eq!(
        t.column("CareProfTeamLocalId"),
        ["t1", "t1", "t1", "t1", "t2", "t2", "t2", "t2", "t2"],
        "the team of the ES holding the referral that day"
    );
    let a = x.table("MHS202CareActivity");
    assert_eq!(a.column("CareActId")[0], "r1-20241001-A-1");
    assert_eq!(a.rows.len(), 9);
    // The team holding it at the end of the period; its name defused.
    assert_eq!(
        x.table("MHS102ServiceTypeReferredTo")
            .column("CareProfTeamLocalId"),
        ["t2"]
    );
    assert_eq!(
        x.table("MHS902ServiceTeamDetails").column("TeamName"),
        ["North", "'=South"]
    );
}

#[test]
fn employment_status_and_weekly_hours_at_referral_and_discharge() {
    // Each referral is discharged on 2024-12-01 with one job of `hours` a week
    // in progress that day.
    let hours = [
        (1.0, "04"),
        (4.0, "04"),
        (4.99, "04"),
        (5.0, "03"),
        (15.0, "03"),
        (15.99, "03"),
        (16.0, "02"),
        (29.0, "02"),
        (29.99, "02"),
        (30.0, "01"),
        (0.0, "99"),
    ];
    let mut referrals: Vec<Value> = hours
        .iter()
        .enumerate()
        .map(|(i, (h, _))| {
            referral(
                &format!("r{i:02}"),
                "c1",
                json!({
                "discharge": {"date": "2024-12-01"},
                "jobs": [{"id": "j1", "type": "employee", "start": "2024-10-01",
                          "hours_per_week": h}]}),
            )
        })
        .collect();
    referrals.push(referral(
        "employed",
        "c2",
        json!({
        "received": "2024-10-10", "status_at_referral": "employed",
        "jobs": [{"id": "j0", "type": "employee", "start": "2019-01-01",
                  "hours_per_week": 20, "retained": true}]}),
    ));
    referrals.push(referral(
        "not-seeking",
        "c2",
        json!({
        "received": "2024-10-11",
        "engagement": [{"date": "2024-10-11", "status": "not_seeking_work"}],
        "discharge": {"date": "2024-12-02"}}),
    ));
    referrals.push(referral(
        "job-ended",
        "c2",
        json!({
        "received": "2024-10-12", "discharge": {"date": "2024-12-02"},
        "jobs": [{"id": "j1", "type": "employee", "start": "2024-10-20", "end": "2024-12-01",
                  "hours_per_week": 30}]}),
    ));
    let loaded = service(json!([{"id": "c1"}, {"id": "c2"}]), json!(referrals));
    let x = mhsds_extract(&loaded.dataset, &q3(), d("2024-12-31")).unwrap();
    let t = x.table("MHS004EmpStatus");
    let rows: Vec<(String, String, String, String, String)> = t
        .rows
        .iter()
        .map(|r| {
            (
                r[4].clone(),
                r[5].clone(),
                r[2].clone(),
                r[1].clone(),
                r[3].clone(),
            )
        })
        .collect();
    let at = |id: &str, when: &str| {
        rows.iter()
            .find(|r| r.0 == id && r.1 == when)
            .map(|r| (r.2.as_str(), r.3.as_str(), r.4.as_str()))
    };
    for (i, (h, band)) in hours.iter().enumerate() {
        let id = format!("r{i:02}");
        assert_eq!(
            at(&id, "discharge"),
            Some(("2024-12-01", "01", *band)),
            "{h} hours"
        );
        // Received before the period: no row at referral in this extract.
        assert_eq!(at(&id, "referral"), None);
    }
    for (id, when, row) in [
        ("employed", "referral", ("2024-10-10", "01", "02")),
        ("not-seeking", "referral", ("2024-10-11", "06", "98")),
        ("not-seeking", "discharge", ("2024-12-02", "06", "98")),
        ("job-ended", "referral", ("2024-10-12", "02", "98")),
        ("job-ended", "discharge", ("2024-12-02", "02", "98")),
    ] {
        assert_eq!(at(id, when), Some(row), "{id} at {when}");
    }
    assert_eq!(
        t.header,
        [
            "LocalPatientId",
            "EmployStatus",
            "EmployStatusRecDate",
            "WeekHoursWorked",
            "ServiceRequestId",
            "RecordedAt"
        ]
    );
}

#[test]
fn mhs116_in_the_extract_equals_the_core_count() {
    let loaded = service(
        json!([{"id": "c1"}, {"id": "c2"}]),
        json!([
            referral(
                "first-in-window",
                "c1",
                json!({"received": "2024-01-01",
                "contacts": [{"date": "2024-01-01", "kind": "remote"}]})
            ),
            referral(
                "first-before",
                "c1",
                json!({"received": "2023-12-01",
                "contacts": [{"date": "2023-12-31", "kind": "remote"},
                             {"date": "2024-06-01", "kind": "remote"}]})
            ),
            referral(
                "attempts-only",
                "c2",
                json!({"received": "2024-05-01",
                "contacts": [{"date": "2024-05-02", "kind": "assertive_engagement"}]})
            ),
            referral(
                "access-only",
                "c2",
                json!({"received": "2024-12-30", "access": "2024-12-31"})
            ),
        ]),
    );
    let x = mhsds_extract(&loaded.dataset, &q3(), d("2024-12-31")).unwrap();
    let m = mhs116(&loaded.dataset, d("2024-12-31"), d("2024-12-31"));
    assert_eq!((m.referrals, m.people), (2, 2));
    assert_eq!(x.mhs116, m);
    let rec = x.table("MHS116Reconciliation");
    assert_eq!(rec.column("Referrals"), ["2"]);
    assert_eq!(rec.column("People"), ["2"]);
    let listed = x.table("MHS116Referrals");
    assert_eq!(
        listed.column("ServiceRequestId"),
        ["first-in-window", "access-only"]
    );
    assert_eq!(
        listed.column("FirstDirectContactDate"),
        ["2024-01-01", "2024-12-31"]
    );
}
