//! The ES's contacts with employers (issue 13): over the last twelve weeks
//! before `until`, each ES in post makes two to seven a week on weekdays —
//! about half visits, a third calls, the rest emails —, some with a note.
//! Drawn from their own random stream, so the case data (and every figure)
//! is the same with or without them.

use ipstrack_core::Day;
use ipstrack_core::bundle::EmployerContactDoc;

use crate::episode::EMPLOYERS;
use crate::rng::Rng;
use crate::staff::Specialist;
use crate::text::workday;

/// Weeks of employer contacts before `until`.
const WEEKS: i32 = 12;

const KINDS: [(u32, &str); 3] = [(50, "visit"), (35, "call"), (15, "email")];

/// Share of employer contacts with a note.
const NOTE_SHARE: f64 = 0.4;

const NOTES: [&str; 6] = [
    "Met the store manager; open to a trial shift",
    "Spoke to HR about part-time roles",
    "Left details; call back next week",
    "Vacancies expected after the summer",
    "Agreed to an informal interview for a client",
    "Sent the IPS leaflet and my contact details",
];

/// The employer contacts of the `specialists` over the last [`WEEKS`]
/// weeks to `until`, ids `ec1…` in order of ES then date.
pub(crate) fn employer_contacts(
    seed: u64,
    specialists: &[Specialist],
    until: Day,
) -> Vec<EmployerContactDoc> {
    let mut rng = Rng::new(seed ^ 0x656d_706c_6f79_6572);
    let first = until.plus(-7 * WEEKS + 1);
    let mut contacts = Vec::new();
    for s in specialists {
        for week in 0..WEEKS {
            let week_start = first.plus(7 * week);
            for _ in 0..rng.range(2, 7) {
                let day = workday(week_start.plus(rng.range(0, 6)));
                if day > until || !s.in_post_on(day) {
                    continue;
                }
                contacts.push(EmployerContactDoc {
                    id: String::new(),
                    es: s.id.clone(),
                    date: day.to_string(),
                    employer: rng.pick(&EMPLOYERS).to_string(),
                    kind: rng.weighted(&KINDS).to_string(),
                    note: rng.chance(NOTE_SHARE).then(|| rng.pick(&NOTES).to_string()),
                    client: None,
                });
            }
        }
    }
    contacts.sort_by(|a, b| (a.es.len(), &a.es, &a.date).cmp(&(b.es.len(), &b.es, &b.date)));
    for (n, c) in contacts.iter_mut().enumerate() {
        c.id = format!("ec{}", n + 1);
    }
    contacts
}
