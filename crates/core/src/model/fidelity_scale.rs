//! The IPS fidelity scale (IPS-25, the Supported Employment Fidelity Scale
//! as the UK uses it): 25 items in three sections, each scored 1–5, 125 in
//! all, and the bands a total falls in (FIDR-1, FIDR-2). The anchors are
//! short paraphrases; docs/fidelity.md says, item by item, which stored copy
//! of the published text each was checked against, or that none was found.

use serde::Serialize;

/// The scale's three sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Staffing,
    Organisation,
    Services,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Staffing, Section::Organisation, Section::Services];

    /// The section's name in plain words.
    pub fn name(self) -> &'static str {
        match self {
            Section::Staffing => "Staffing",
            Section::Organisation => "Organisation",
            Section::Services => "Services",
        }
    }

    /// The items of the section, in scale order.
    pub fn items(self) -> impl Iterator<Item = &'static Item> {
        ITEMS.iter().filter(move |i| i.section == self)
    }

    /// The most the section can score (5 an item).
    pub fn maximum(self) -> u32 {
        5 * self.items().count() as u32
    }
}

/// One of the 25 items, by its number on the scale (1–25, sections in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemId {
    CaseloadSize = 1,
    EmploymentServicesStaff,
    VocationalGeneralists,
    IntegrationTeamAssignment,
    IntegrationFrequentContact,
    CollaborationWithVocationalRehabilitation,
    VocationalUnit,
    RoleOfEmploymentSupervisor,
    ZeroExclusion,
    FocusOnCompetitiveEmployment,
    ExecutiveTeamSupport,
    WorkIncentivesPlanning,
    Disclosure,
    OngoingWorkBasedAssessment,
    RapidJobSearch,
    IndividualisedJobSearch,
    JobDevelopmentFrequentContact,
    JobDevelopmentQualityOfContact,
    DiversityOfJobTypes,
    DiversityOfEmployers,
    CompetitiveJobs,
    IndividualisedFollowAlong,
    TimeUnlimitedFollowAlong,
    CommunityBasedServices,
    AssertiveEngagement,
}

impl ItemId {
    /// The 25 items in scale order.
    pub const ALL: [ItemId; 25] = {
        let mut all = [ItemId::CaseloadSize; 25];
        let mut i = 0;
        while i < 25 {
            all[i] = ITEMS[i].id;
            i += 1;
        }
        all
    };

    /// The item's number on the scale, 1 to 25.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// Its position in a list of the 25 (0 to 24).
    pub fn index(self) -> usize {
        usize::from(self.number() - 1)
    }

    /// The item numbered `number` (1 to 25).
    pub fn from_number(number: u8) -> Option<ItemId> {
        ITEMS.get(usize::from(number).checked_sub(1)?).map(|i| i.id)
    }

    /// The item's text on the scale.
    pub fn item(self) -> &'static Item {
        &ITEMS[self.index()]
    }

    /// "item 15 (rapid job search)": how messages name it.
    pub fn label(self) -> String {
        format!(
            "item {} ({})",
            self.number(),
            self.item().name.to_lowercase()
        )
    }
}

/// An item of the scale: what it looks for and what scores 1 to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: ItemId,
    pub section: Section,
    /// The item's name in plain words.
    pub name: &'static str,
    /// What the item looks for, in one line.
    pub description: &'static str,
    /// What scores 1, 2, 3, 4 and 5, in that order.
    pub anchors: [&'static str; 5],
}

impl Item {
    /// What score `score` (1–5) means; `None` for any other number.
    pub fn anchor(&self, score: u8) -> Option<&'static str> {
        self.anchors
            .get(usize::from(score).checked_sub(1)?)
            .copied()
    }
}

macro_rules! item {
    ($id:ident, $section:ident, $name:expr, $description:expr, [$a1:expr, $a2:expr, $a3:expr, $a4:expr, $a5:expr $(,)?]) => {
        Item {
            id: ItemId::$id,
            section: Section::$section,
            name: $name,
            description: $description,
            anchors: [$a1, $a2, $a3, $a4, $a5],
        }
    };
}

/// FIDR-1: the 25 items in scale order (`ITEMS[i].id.index() == i`).
#[rustfmt::skip]
pub const ITEMS: [Item; 25] = [
    item!(CaseloadSize, Staffing, "Caseload size",
        "The most active clients any full-time ES holds: 20 or fewer, job search and in-work support alike.",
        ["41 or more clients per ES",
         "31 to 40 clients per ES",
         "26 to 30 clients per ES",
         "21 to 25 clients per ES",
         "20 or fewer clients per ES"]),
    item!(EmploymentServicesStaff, Staffing, "Employment services staff",
        "ES provide only employment services.",
        ["ES provide employment services less than 60% of the time",
         "ES provide employment services 60–74% of the time",
         "ES provide employment services 75–89% of the time",
         "ES provide employment services 90–95% of the time",
         "ES provide employment services 96% or more of the time"]),
    item!(VocationalGeneralists, Staffing, "Vocational generalists",
        "Each ES carries out every phase of employment service (intake, engagement, assessment, job placement, job coaching, follow-along) before any step down to another practitioner; referral to a benefits adviser is in keeping.",
        ["ES only refer clients on to other providers and programmes",
         "ES keep a caseload but refer clients to other programmes for employment support",
         "ES provide one phase of employment support",
         "ES provide two or more phases but not all",
         "ES carry out every phase of employment support"]),
    item!(IntegrationTeamAssignment, Organisation, "Integration through team assignment",
        "ES are part of up to two mental health teams, from which at least 90% of their caseload comes.",
        ["ES are not part of mental health teams",
         "ES are part of a team, or of teams from which less than 60% of their caseload comes",
         "ES are part of teams from which 60–74% of their caseload comes",
         "ES are part of teams from which 75–89% of their caseload comes",
         "ES are part of one or two teams from which 90% or more of their caseload comes"]),
    item!(IntegrationFrequentContact, Organisation, "Integration through frequent team contact",
        "ES take part in the teams' meetings, share records and decisions, sit near the team and help it think about work (5 elements).",
        ["One element or none",
         "Two elements",
         "Three elements",
         "Four elements",
         "All five elements"]),
    item!(CollaborationWithVocationalRehabilitation, Organisation, "Collaboration with vocational rehabilitation",
        "ES and vocational rehabilitation (in the UK, Jobcentre Plus and other employment partners) talk about shared clients often.",
        ["Contacts about shared clients less than quarterly, or none",
         "Contacts about shared clients at least quarterly",
         "Contacts about shared clients monthly",
         "Contacts monthly and some scheduled meetings",
         "Contacts at least monthly with scheduled meetings to share referrals and information"]),
    item!(VocationalUnit, Organisation, "Vocational unit",
        "At least two full-time ES and a team leader form a unit with weekly group supervision, sharing job leads and covering for each other.",
        ["ES are not part of a unit",
         "ES share a supervisor but not a unit",
         "ES form a unit with some shared work",
         "ES form a unit with weekly group supervision",
         "A unit of two or more ES and a leader with weekly client-based supervision, shared leads and cover"]),
    item!(RoleOfEmploymentSupervisor, Organisation, "Role of the employment supervisor",
        "The team leader supervises no more than ten ES, carries a small caseload, supervises weekly, goes with ES into the field and reviews outcomes (5 elements).",
        ["One element or none",
         "Two elements",
         "Three elements",
         "Four elements",
         "All five elements"]),
    item!(ZeroExclusion, Organisation, "Zero exclusion",
        "Everyone who wants to work may take part: no one is screened out for readiness, substance use, symptoms or history.",
        ["People are screened out by formal or informal criteria",
         "Most are screened out",
         "Some are screened out",
         "Few are screened out; referrals come from several sources",
         "No eligibility criteria; everyone who wants to work is referred from every source"]),
    item!(FocusOnCompetitiveEmployment, Organisation, "Focus on competitive employment",
        "The organisation promotes competitive work: asking everyone about work, leaflets, success stories, reviewing outcomes (5 strategies).",
        ["One strategy or none",
         "Two strategies",
         "Three strategies",
         "Four strategies",
         "All five strategies"]),
    item!(ExecutiveTeamSupport, Organisation, "Executive team support",
        "Leaders know IPS, take part in quality work, have a steering group and remove barriers (5 elements).",
        ["One element or none",
         "Two elements",
         "Three elements",
         "Four elements",
         "All five elements"]),
    item!(WorkIncentivesPlanning, Services, "Work incentives planning",
        "Everyone is offered individual benefits and work-incentive advice before starting a job.",
        ["No help with benefits",
         "Referral elsewhere without follow-up",
         "Some people get benefits advice",
         "Most people get benefits advice",
         "Everyone is offered comprehensive benefits advice before starting a job"]),
    item!(Disclosure, Services, "Disclosure",
        "ES give clients accurate information and help them decide what to tell employers about their condition.",
        ["No element",
         "One element",
         "Two elements",
         "Three elements",
         "All four elements"]),
    item!(OngoingWorkBasedAssessment, Services, "Ongoing, work-based assessment",
        "Assessment goes on through work experience, not in lengthy tests before the job search.",
        ["Lengthy assessment before the job search",
         "Assessment mostly before the job search",
         "Some assessment updated with experience",
         "Assessment updated with each job experience",
         "Ongoing assessment from work experiences, shared with the person"]),
    item!(RapidJobSearch, Services, "Rapid job search",
        "The first face-to-face contact with an employer about a job comes within 30 days of starting with IPS, on average.",
        ["271 days or more on average",
         "151 to 270 days on average",
         "61 to 150 days on average",
         "31 to 60 days on average",
         "Within 30 days on average"]),
    item!(IndividualisedJobSearch, Services, "Individualised job search",
        "Employer contacts follow each person's job preferences, strengths, symptoms and history, not the jobs that happen to be open.",
        ["Less than 25% of employer contacts follow preferences",
         "25–49%",
         "50–74%",
         "75–89%",
         "90% or more"]),
    item!(JobDevelopmentFrequentContact, Services, "Job development — frequent employer contact",
        "Each ES makes at least 6 face-to-face employer contacts a week on behalf of people looking for work.",
        ["Fewer than 2 face-to-face employer contacts a week",
         "2 a week, or no tracking",
         "4 a week, tracked and reviewed monthly",
         "5 a week, tracked and reviewed weekly",
         "6 or more a week, tracked and reviewed weekly"]),
    item!(JobDevelopmentQualityOfContact, Services, "Job development — quality of employer contact",
        "ES build relationships with employers over several visits, learning their needs and offering what IPS can.",
        ["ES meet employers only to hand in applications, or not at all",
         "ES contact employers to ask about openings",
         "ES learn about some employers' needs",
         "ES learn about employers' needs and what they look for in staff",
         "ES build relationships over several visits and propose good matches"]),
    item!(DiversityOfJobTypes, Services, "Diversity of job types",
        "ES help people into different kinds of jobs.",
        ["Less than 50% of jobs are different",
         "50–59% of jobs are different",
         "60–69% of jobs are different",
         "70–84% of jobs are different",
         "85–100% of jobs are different"]),
    item!(DiversityOfEmployers, Services, "Diversity of employers",
        "ES help people into jobs with different employers.",
        ["Less than 50% of jobs are with different employers",
         "50–59% are with different employers",
         "60–69% are with different employers",
         "70–84% are with different employers",
         "85–100% are with different employers"]),
    item!(CompetitiveJobs, Services, "Competitive jobs",
        "Jobs are competitive: open to anyone, paying at least the minimum wage, not set aside for people with disabilities.",
        ["Less than 65% of jobs are competitive, or fewer than 10 jobs",
         "65–74% are competitive",
         "75–84% are competitive",
         "85–94% are competitive",
         "95% or more are competitive"]),
    item!(IndividualisedFollowAlong, Services, "Individualised follow-along supports",
        "People in work get support shaped by the job, their preferences, history and needs, and employers get support too.",
        ["Most people in work get no support",
         "About half get a narrow range of support",
         "Most get a narrow range of support",
         "People get different kinds of support, employers too when asked",
         "Varied support for people and employers, and help to move to better jobs"]),
    item!(TimeUnlimitedFollowAlong, Services, "Time-unlimited follow-along supports",
        "ES meet people in work face to face before and soon after the start, weekly in the first month, then at least monthly for a year or more.",
        ["No face-to-face contact after a job starts",
         "Face-to-face contact with fewer than half of those in work",
         "Face-to-face contact with at least half of those in work",
         "Within 3 days of the start, weekly for a month, monthly for a year",
         "Also within a week before the start, with a planned step down and contact within 3 days of a job loss"]),
    item!(CommunityBasedServices, Services, "Community-based services",
        "ES spend most of their scheduled time out of the office, with clients and employers.",
        ["30% of time or less in the community",
         "30–39% in the community",
         "40–49% in the community",
         "50–64% in the community",
         "65% or more in the community"]),
    item!(AssertiveEngagement, Services, "Assertive engagement and outreach",
        "Support is not ended for missed appointments; outreach is made and recorded, with the team and family (6 strategies).",
        ["Two strategies or fewer",
         "Three strategies",
         "Four strategies",
         "Five strategies",
         "All six strategies"]),
];

/// The most a review can score: 25 items at 5.
pub const MAXIMUM: u32 = 125;

/// FIDR-2: what a total says, as the UK reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// 73 or less.
    NotIps,
    /// 74 to 99.
    Fair,
    /// 100 to 114.
    Good,
    /// 115 to 125.
    Exemplary,
}

impl Band {
    /// The band of a total of all 25 items (25 to 125).
    pub fn of(total: u32) -> Band {
        match total {
            115.. => Band::Exemplary,
            100..=114 => Band::Good,
            74..=99 => Band::Fair,
            _ => Band::NotIps,
        }
    }

    /// The band's words: "exemplary fidelity", "not IPS".
    pub fn words(self) -> &'static str {
        match self {
            Band::Exemplary => "exemplary fidelity",
            Band::Good => "good fidelity",
            Band::Fair => "fair fidelity",
            Band::NotIps => "not IPS",
        }
    }
}
