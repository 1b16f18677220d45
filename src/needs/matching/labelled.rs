//! The labelled set: short needs written as councils write them, with the matches we know.
//!
//! Needs in one `group` are the same need, mostly from councils far apart and in
//! different words (the matches the engine must find); needs without a group are
//! neighbours of a group member with a different need, some sharing a word or the
//! boilerplate ("digital", "residents") — they must not outrank a true match. A few
//! near-duplicates sit in the same group. Written before the engine was tuned; the
//! figures it gives are in the module docs.

/// One need of the labelled set.
pub struct Labelled {
    pub id: i64,
    /// The council, for reading the set; the organisation id is derived from it.
    pub council: &'static str,
    /// The need it is the same as, if any.
    pub group: Option<&'static str>,
    pub text: &'static str,
    /// LGSL services the council chose, when it chose any.
    pub services: &'static [i64],
}

const fn need(
    id: i64,
    council: &'static str,
    group: Option<&'static str>,
    text: &'static str,
) -> Labelled {
    Labelled {
        id,
        council,
        group,
        text,
        services: &[],
    }
}

pub const NEEDS: &[Labelled] = &[
    // Missed bins and household waste collection.
    need(1, "Cornwall", Some("bins"), "Bin collection app: residents want to report a missed bin and check their collection day from their phone."),
    need(2, "Newcastle upon Tyne", Some("bins"), "Digital household waste reporting: let householders tell us when their rubbish or recycling was not picked up, and track the crew's response."),
    need(3, "Kent", Some("bins"), "Report a missed bin collection online and get a text message when the crew will come back."),
    // Street lighting.
    need(4, "Norfolk", Some("lights"), "Lamp posts: people ring us about broken lamp posts and we cannot tell them when the lamp will be fixed."),
    need(5, "Lancashire", Some("lights"), "Street lighting fault reporting, with a map of faulty street lights and the repair status of each."),
    // School transport.
    need(6, "Hertfordshire", Some("school_transport"), "Home to school transport applications for eligible pupils, including children with special educational needs, replacing paper forms."),
    need(7, "North Yorkshire", Some("school_transport"), "Free travel to school: parents apply for a bus pass for their child and we check eligibility by walking distance."),
    // Blue badges.
    need(8, "Birmingham", Some("blue_badge"), "Blue badge applications take weeks; we want disabled drivers to apply and upload their evidence online."),
    need(9, "Devon", Some("blue_badge"), "Disabled parking permit renewals: cut the backlog of badge renewals and mobility assessments."),
    // Housing repairs.
    need(10, "Leeds", Some("housing_repairs"), "Council tenants reporting repairs in their homes such as damp, mould and broken boilers, with appointment booking."),
    need(11, "Southwark", Some("housing_repairs"), "Housing maintenance requests from tenants: leaking roofs, heating faults and repair appointments."),
    // Planning applications.
    need(12, "Bristol", Some("planning"), "Planning applications: validation takes too long and half of submissions arrive with missing drawings."),
    need(13, "Durham", Some("planning"), "Make it easier for householders to apply for planning permission for an extension and follow the decision."),
    // Pest control.
    need(14, "Manchester", Some("pests"), "Pest control bookings for rats, mice and wasp nests, paid for online."),
    need(15, "Plymouth", Some("pests"), "Rodent infestation treatment: residents book a visit from a pest technician and pay."),
    // Garden waste subscriptions.
    need(16, "Wiltshire", Some("garden_waste"), "Garden waste subscription renewals: annual green bin permits and stickers."),
    need(17, "Cumberland", Some("garden_waste"), "Paid collection of grass cuttings and hedge trimmings: signing up and renewing every year."),
    // Council tax reminders.
    need(18, "Essex", Some("council_tax"), "Council tax reminders by text message and email before the instalment is due, to reduce arrears."),
    need(19, "Gateshead", Some("council_tax"), "Nudging households who fall behind on their council tax bill with SMS prompts before we issue a summons."),
    // Fly-tipping.
    need(20, "Suffolk", Some("fly_tipping"), "Fly-tipping reports with photos and location, so enforcement officers can prosecute offenders."),
    need(21, "Northumberland", Some("fly_tipping"), "Illegal dumping of rubbish on verges and lay-bys: a way for the public to report it and for crews to clear it quickly."),
    // Adult social care assessments.
    need(22, "Surrey", Some("adult_care"), "Adult social care needs assessments: an online self-assessment for older people and carers before a social worker visits."),
    need(23, "Sunderland", Some("adult_care"), "Care Act assessments for elderly and disabled people are delayed; we want people to start their own assessment."),
    // Potholes.
    need(24, "Somerset", Some("potholes"), "Pothole reporting and repair tracking for our highways."),
    need(25, "Lincolnshire", Some("potholes"), "Road surface defects: let drivers and cyclists tell us about holes in the road and see when they are fixed."),
    // Residents' parking permits.
    need(26, "Brighton and Hove", Some("parking_permits"), "Residents' parking permits: apply, pay and renew virtual permits without paper."),
    need(27, "York", Some("parking_permits"), "Virtual permits for on-street parking zones, and visitor vouchers."),
    // Homelessness prevention.
    need(28, "Cardiff", Some("homelessness"), "Homelessness prevention: find households at risk of eviction early and refer them for advice."),
    need(29, "Middlesbrough", Some("homelessness"), "Rough sleeping and people threatened with losing their tenancy: a shared triage tool for housing options officers."),
    // Libraries.
    need(30, "Hampshire", Some("libraries"), "Library e-books and self-service book loans across all our branches."),
    need(31, "Salford", Some("libraries"), "Borrowing books from libraries: a joint catalogue and reservation system."),
    // Registration appointments.
    need(32, "Nottinghamshire", Some("registration"), "Booking appointments to register a birth or a death."),
    need(33, "Swansea", Some("registration"), "Register office: couples book wedding ceremonies and parents book birth registration slots."),
    // Noise nuisance.
    need(34, "Camden", Some("noise"), "Noise nuisance complaints about neighbours: recording noise with an app as evidence."),
    need(35, "Wirral", Some("noise"), "Loud music and barking dogs: a diary and recording tool for statutory nuisance investigations."),
    // Taxi licensing.
    need(36, "Sheffield", Some("taxis"), "Taxi and private hire driver licence applications and renewals."),
    need(37, "East Sussex", Some("taxis"), "Hackney carriage and minicab licensing: drivers upload criminal record checks and medicals."),
    // Food hygiene inspections.
    need(38, "Liverpool", Some("food_hygiene"), "Food hygiene inspections of restaurants and takeaways on tablets in the field."),
    need(39, "Oxfordshire", Some("food_hygiene"), "Food safety officers visiting cafés: mobile inspection forms and hygiene ratings."),
    // Foster carers.
    need(40, "Derbyshire", Some("fostering"), "Recruiting foster carers: an enquiry journey for people interested in fostering."),
    need(41, "Cornwall", Some("fostering"), "Finding more families to foster children in our care."),
    // Near-duplicates.
    need(42, "Medway", Some("bins"), "Missed bin collection reporting app for residents."),
    need(43, "Lancaster", Some("lights"), "Report a broken street light."),
    // Neighbours with a different need, some sharing a word or the boilerplate.
    need(50, "Devon", None, "Improve digital services for residents across the council."),
    need(51, "Plymouth", None, "Commercial waste contracts for local businesses: quoting and invoicing trade customers."),
    need(52, "Suffolk", None, "Christmas lights and festive events in market towns: sponsorship and volunteers."),
    need(53, "Preston", None, "Street naming and numbering for new housing developments."),
    need(54, "Solihull", None, "Staff ID badges and building access control for council offices."),
    need(55, "Sutton", None, "Children's social care case records moving to a new case management system."),
    need(56, "Swindon", None, "Community gardens and allotment waiting lists."),
    need(57, "Harrogate", None, "Electric bus fleet and charging depots for public transport."),
    need(58, "Thurrock", None, "Business rates relief applications from small shops."),
    need(59, "Bath and North East Somerset", None, "Local plan consultation: engaging communities on where new homes should be built."),
    need(60, "North Tyneside", None, "Fleet maintenance: servicing and repairs for council vehicles and gritters."),
    need(61, "Stockport", None, "Tree surveys and tree preservation orders."),
    need(62, "Dorset", None, "Replace our telephony and contact centre with a cloud system."),
    need(63, "Lambeth", None, "A chatbot on the website answering residents' questions about council services."),
    need(64, "Rotherham", None, "Energy efficiency grants for home insulation and heat pumps in private housing."),
];

/// Neighbours of a need (by id) whose different need must not outrank its true matches.
pub const NEIGHBOURS: &[(i64, &[i64])] = &[
    (1, &[50, 51, 63]),
    (41, &[50, 51]),
    (4, &[52]),
    (5, &[52, 53]),
    (20, &[52]),
    (8, &[54]),
    (9, &[50]),
    (15, &[51]),
    (22, &[55]),
    (16, &[56]),
    (7, &[57]),
    (18, &[58]),
    (12, &[59]),
    (13, &[59]),
    (10, &[60, 64]),
    (2, &[60]),
    (24, &[61]),
    (35, &[50]),
];

/// Known matches the engine misses (outside the top 10), with why: each needs knowledge
/// that neither WordNet nor LGSL holds. They stay in the figures; the top-10 test
/// allows them but still wants them in the top 20, and fails if any other match is
/// missed. A hand-written glossary of UK council words could fix them, but one written
/// against this set would only flatter its figures: test it on needs it has not seen.
pub const KNOWN_MISSES: &[(i64, i64, &str)] = &[
    (
        16,
        17,
        "garden waste is grass cuttings and hedge trimmings: in neither source",
    ),
    (
        28,
        29,
        "rough sleeping and losing a tenancy are homelessness: in neither source",
    ),
    (
        29,
        28,
        "rough sleeping and losing a tenancy are homelessness: in neither source",
    ),
];

/// Neighbours the engine wrongly ranks above a true match, as (query, neighbour, match,
/// why). The neighbour test allows these and no others.
pub const KNOWN_NEIGHBOUR_MISSES: &[(i64, i64, i64, &str)] = &[(
    13,
    59,
    12,
    "a local plan and a planning application share their main word, \"plan\"",
)];
