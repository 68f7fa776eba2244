//! A stored fidelity review's workbook (issue 26, crates/interop/src/fidelity.rs):
//! read back with calamine, each item carries the reviewers' score and note
//! and the suggestion the review kept; the Summary sheet its period, date,
//! reviewers, stage, totals, band and action plan; text cells are safe
//! from formula injection.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use ipstrack_core::fidelity::{
    Action, Evidence, ItemId, ItemScore, ReviewInput, ReviewScope, Stage, check_review, evidence,
};
use ipstrack_core::{Day, Period, read_bundle};
use ipstrack_interop::fidelity::{fidelity_xlsx, review_xlsx};

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

fn evidence_of_the_example() -> Vec<Evidence> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/examples/random-101.bundle.json"),
    )
    .unwrap();
    let loaded = read_bundle(&text).unwrap();
    let period = Period::parse("2024/25").unwrap();
    evidence(
        &loaded.dataset,
        ReviewScope::Service,
        &period,
        day("2025-03-31"),
    )
}

/// A review of 2024/25: item 1 scored 5, item 3 3 and item 15 2 (each with
/// an action), every other item 4 — 98, fair fidelity — or, as a draft,
/// items 20 to 25 not scored.
fn review(stage: Stage) -> ipstrack_core::fidelity::Review {
    let mut items: [ItemScore; 25] = Default::default();
    for (at, item) in items.iter_mut().enumerate() {
        let score = match at + 1 {
            20.. if stage == Stage::Draft => None,
            1 => Some(5),
            3 => Some(3),
            15 => Some(2),
            _ => Some(4),
        };
        item.score = score;
    }
    items[0].suggested = Some(5);
    // The records suggested 4 when it was scored, whatever they say today.
    items[14].suggested = Some(4);
    items[14].note = "=HYPERLINK(\"http://x\") searches start late".into();
    items[2].note = "Two staff cover the whole service.".into();
    let action = |item: u8, what: &str, who: &str, by_when: &str| Action {
        item: ItemId::from_number(item).unwrap(),
        what: what.into(),
        who: who.into(),
        by_when: day(by_when),
    };
    let input = ReviewInput {
        period: Period::parse("2024/25").unwrap(),
        review_date: day("2025-04-10"),
        reviewers: vec!["Ann Lee".into(), "@Bo Chan".into()],
        items,
        actions: vec![
            action(
                3,
                "Recruit a second specialist",
                "Service manager",
                "2025-09-30",
            ),
            action(15, "-Meet employers in week one", "Team lead", "2025-06-30"),
        ],
        stage,
    };
    check_review(&input, None).unwrap()
}

fn book(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes)).unwrap()
}

fn number(cell: Option<&Data>) -> Option<f64> {
    match cell {
        Some(Data::Float(n)) => Some(*n),
        Some(Data::Int(n)) => Some(*n as f64),
        Some(Data::DateTime(d)) => Some(d.as_f64()),
        _ => None,
    }
}

fn text(range: &Range<Data>, at: (u32, u32)) -> String {
    range
        .get_value(at)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// An Excel date's serial number.
fn serial(iso: &str) -> f64 {
    let base = jiff::civil::date(1899, 12, 30);
    base.until(day(iso).date()).unwrap().get_days() as f64
}

/// Each item's row (item number → (sheet range, row)).
fn rows_of(book: &mut Xlsx<Cursor<Vec<u8>>>) -> Vec<(u8, Range<Data>, u32)> {
    let mut out = Vec::new();
    for sheet in ["Staffing", "Organisation", "Services"] {
        let range = book.worksheet_range(sheet).unwrap();
        for row in 3..range.height() as u32 {
            let n = number(range.get_value((row, 0))).unwrap() as u8;
            out.push((n, range.clone(), row));
        }
    }
    out
}

#[test]
fn a_finished_review_fills_each_item_and_sums_up_with_its_action_plan() {
    let evidence = evidence_of_the_example();
    let review = review(Stage::Finished);
    let bytes = review_xlsx("Fidelity review – North team, 2024/25", &evidence, &review).unwrap();
    let mut book = book(bytes);
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Staffing", "Organisation", "Services"]
    );

    // Each item: the reviewers' score and note; the suggestion the review kept.
    let rows = rows_of(&mut book);
    assert_eq!(
        rows.iter().map(|(n, _, _)| *n).collect::<Vec<_>>(),
        (1..=25).collect::<Vec<u8>>()
    );
    for (n, range, row) in &rows {
        let scored = &review.items[usize::from(*n) - 1];
        assert_eq!(
            number(range.get_value((*row, 6))),
            scored.score.map(f64::from),
            "item {n}'s score"
        );
        let note = text(range, (*row, 7));
        if scored.note.is_empty() {
            assert_eq!(note, "", "item {n}");
        }
        let kept = scored.suggested.or(evidence[usize::from(*n) - 1].suggested);
        assert_eq!(
            number(range.get_value((*row, 4))),
            kept.map(f64::from),
            "item {n}'s suggestion"
        );
    }
    let (_, services, row15) = &rows[14];
    assert_eq!(
        text(services, (*row15, 7)),
        "'=HYPERLINK(\"http://x\") searches start late",
        "a note is never a formula"
    );
    assert_eq!(number(services.get_value((*row15, 4))), Some(4.0));
    let (_, staffing, row3) = &rows[2];
    assert_eq!(
        text(staffing, (*row3, 7)),
        "Two staff cover the whole service."
    );

    // The summary.
    let summary = book.worksheet_range("Summary").unwrap();
    assert_eq!(
        text(&summary, (0, 0)),
        "Fidelity review – North team, 2024/25"
    );
    let value_of = |label: &str| {
        (0..summary.height() as u32)
            .find(|r| text(&summary, (*r, 0)) == label)
            .unwrap_or_else(|| panic!("{label}"))
    };
    assert_eq!(
        text(&summary, (value_of("Period"), 1)),
        "2024/25 (01/04/2024 to 31/03/2025)"
    );
    assert_eq!(
        number(summary.get_value((value_of("Review date"), 1))),
        Some(serial("2025-04-10"))
    );
    assert_eq!(
        text(&summary, (value_of("Reviewers"), 1)),
        "Ann Lee, @Bo Chan"
    );
    assert_eq!(text(&summary, (value_of("Stage"), 1)), "Finished");
    let total = value_of("Total");
    assert_eq!(number(summary.get_value((total, 1))), Some(98.0));
    assert_eq!(text(&summary, (total, 2)), "out of 125");
    assert_eq!(text(&summary, (value_of("Band"), 1)), "fair fidelity");
    let sections = value_of("Section");
    let totals = review.totals();
    let mut sum = 0.0;
    for (i, s) in totals.sections.iter().enumerate() {
        let row = sections + 1 + i as u32;
        assert_eq!(text(&summary, (row, 0)), s.section.name());
        assert_eq!(
            number(summary.get_value((row, 1))),
            Some(f64::from(s.score))
        );
        assert_eq!(
            number(summary.get_value((row, 2))),
            Some(f64::from(s.maximum))
        );
        sum += f64::from(s.maximum);
    }
    assert_eq!(sum, 125.0);

    // The action plan: item, what, who, by when (a date shown dd/mm/yyyy).
    let plan = value_of("Action plan");
    assert_eq!(
        (1..=5)
            .map(|c| text(&summary, (plan + 1, c - 1)))
            .collect::<Vec<_>>(),
        ["Item", "Name", "What", "Who", "By when"]
    );
    let first = plan + 2;
    assert_eq!(number(summary.get_value((first, 0))), Some(3.0));
    assert_eq!(text(&summary, (first, 2)), "Recruit a second specialist");
    assert_eq!(text(&summary, (first, 3)), "Service manager");
    assert_eq!(
        number(summary.get_value((first, 4))),
        Some(serial("2025-09-30"))
    );
    assert_eq!(number(summary.get_value((first + 1, 0))), Some(15.0));
    assert_eq!(
        text(&summary, (first + 1, 2)),
        "'-Meet employers in week one"
    );
    assert_eq!(text(&summary, (first + 1, 3)), "Team lead");
    assert_eq!(
        number(summary.get_value((first + 1, 4))),
        Some(serial("2025-06-30"))
    );
    assert!(matches!(
        summary.get_value((first + 1, 4)),
        Some(Data::DateTime(_))
    ));
}

#[test]
fn a_draft_says_not_all_items_are_scored() {
    let evidence = evidence_of_the_example();
    let review = review(Stage::Draft);
    let mut book = book(review_xlsx("Draft", &evidence, &review).unwrap());
    let summary = book.worksheet_range("Summary").unwrap();
    let row = |label: &str| {
        (0..summary.height() as u32)
            .find(|r| text(&summary, (*r, 0)) == label)
            .unwrap()
    };
    assert_eq!(text(&summary, (row("Stage"), 1)), "Draft");
    assert_eq!(text(&summary, (row("Band"), 1)), "not all items scored");
    let rows = rows_of(&mut book);
    let (_, range, r) = &rows[21];
    assert!(matches!(range.get_value((*r, 6)), None | Some(Data::Empty)));
}

#[test]
fn the_evidence_workbook_alone_keeps_its_three_sheets_and_empty_columns() {
    let evidence = evidence_of_the_example();
    let mut book = book(fidelity_xlsx("Evidence", &evidence).unwrap());
    assert_eq!(book.sheet_names(), ["Staffing", "Organisation", "Services"]);
    for (n, range, row) in rows_of(&mut book) {
        assert!(
            matches!(range.get_value((row, 6)), None | Some(Data::Empty)),
            "item {n}"
        );
        assert_eq!(
            number(range.get_value((row, 4))),
            evidence[usize::from(n) - 1].suggested.map(f64::from)
        );
    }
}
