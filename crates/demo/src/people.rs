//! Who the demo's clients are: varied names of people living in England,
//! ages of working age, phone numbers from Ofcom's range for drama (07700
//! 900000–900999, never a real line), postcodes of one city's districts with
//! made-up inward codes, and gender and ethnic category codes in about the
//! shares of England's working-age population. Drawn from a stream of their
//! own, so that adding them changed nothing else a seed gives.

use ipstrack_core::Day;
use ipstrack_core::bundle::ClientDoc;

use crate::rng::Rng;

const GIVEN_FEMALE: [&str; 40] = [
    "Amira",
    "Olivia",
    "Grace",
    "Chloe",
    "Aisha",
    "Fatima",
    "Sophie",
    "Emma",
    "Jade",
    "Lauren",
    "Priya",
    "Zainab",
    "Hannah",
    "Megan",
    "Chantelle",
    "Agnieszka",
    "Siobhan",
    "Mei",
    "Abimbola",
    "Kirsty",
    "Rebecca",
    "Shabana",
    "Nadia",
    "Ruth",
    "Joanne",
    "Leanne",
    "Maria",
    "Ewa",
    "Yasmin",
    "Samantha",
    "Funmilayo",
    "Charlotte",
    "Gemma",
    "Rukhsana",
    "Ioana",
    "Bethany",
    "Keisha",
    "Niamh",
    "Lucy",
    "Tanya",
];
const GIVEN_MALE: [&str; 40] = [
    "Mohammed", "Jack", "Daniel", "Oliver", "Harry", "Kwame", "Imran", "Liam", "Tomasz", "Ryan",
    "Connor", "Aaron", "Bilal", "Jamal", "Lewis", "Arjun", "Wei", "Callum", "Dylan", "Marcus",
    "Sean", "Gareth", "Patrick", "Adeel", "Kieran", "Nathan", "Luke", "Emeka", "Andrzej", "Jordan",
    "Dean", "Tariq", "Ahmed", "Craig", "Joel", "Mihai", "Reuben", "Owen", "Darren", "Samuel",
];
const FAMILY: [&str; 60] = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Khan", "Ahmed", "Hussain", "Begum",
    "Ali", "Shah", "Akhtar", "Singh", "Kaur", "Okafor", "Mensah", "Adeyemi", "Campbell", "Nowak",
    "Kowalski", "Popescu", "Murphy", "O'Brien", "Kelly", "Chen", "Wang", "Nguyen", "Mohamed",
    "Osei", "Baptiste", "Grant", "Bennett", "Wood", "Jackson", "Turner", "Hill", "Cooper", "Ward",
    "Morris", "Moore", "King",
];
/// The districts of one city (Leeds), where the demo service works.
const DISTRICTS: [&str; 16] = [
    "LS1", "LS2", "LS4", "LS6", "LS7", "LS8", "LS9", "LS10", "LS11", "LS12", "LS13", "LS14",
    "LS15", "LS16", "LS17", "LS28",
];
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
/// Ethnic category codes weighted roughly as England's working-age people.
const ETHNIC: [(u32, &str); 12] = [
    (70, "A"),
    (2, "B"),
    (6, "C"),
    (2, "D"),
    (1, "G"),
    (3, "H"),
    (4, "J"),
    (1, "K"),
    (2, "L"),
    (2, "N"),
    (3, "Z"),
    (4, "99"),
];

/// Share of clients who are women (the others men).
const FEMALE_SHARE: f64 = 0.45;
/// Share of clients whose gender is recorded as `X` (not stated).
const GENDER_X_SHARE: f64 = 0.03;
/// Share of clients with a phone number recorded.
const PHONE_SHARE: f64 = 0.9;
/// Share of clients with a postcode recorded.
const POSTCODE_SHARE: f64 = 0.95;

/// The stream of the clients' identities of a seed.
pub(crate) struct People(Rng);

impl People {
    pub(crate) fn new(seed: u64) -> People {
        People(Rng::new(seed ^ 0x9e37_79b9_7f4a_7c15))
    }

    /// A new client `id`, first referred on `received`.
    pub(crate) fn client(
        &mut self,
        id: String,
        nhs_number: Option<String>,
        received: Day,
    ) -> ClientDoc {
        let r = &mut self.0;
        let female = r.chance(FEMALE_SHARE);
        let given = if female {
            r.pick(&GIVEN_FEMALE)
        } else {
            r.pick(&GIVEN_MALE)
        };
        let gender = if r.chance(GENDER_X_SHARE) {
            "X"
        } else if female {
            "2"
        } else {
            "1"
        };
        let age_days = r.range(18 * 365, 64 * 365);
        let inward = format!(
            "{}{}{}",
            r.range(1, 9),
            INWARD_LETTERS[r.index(INWARD_LETTERS.len())] as char,
            INWARD_LETTERS[r.index(INWARD_LETTERS.len())] as char
        );
        ClientDoc {
            id,
            nhs_number,
            given_name: Some(given.to_string()),
            family_name: Some(r.pick(&FAMILY).to_string()),
            date_of_birth: Some(received.plus(-age_days).to_string()),
            phone: r
                .chance(PHONE_SHARE)
                .then(|| format!("07700 900{:03}", r.range(0, 999))),
            postcode: r
                .chance(POSTCODE_SHARE)
                .then(|| format!("{} {inward}", r.pick(&DISTRICTS))),
            gender: Some(gender.to_string()),
            ethnic_category: Some(r.weighted(&ETHNIC).to_string()),
            possible_duplicate_of: None,
        }
    }
}
