//! Demo needs from real councils: some far apart with the same need in
//! different words, some neighbours with different needs, so that a new
//! user sees good matches at once. Loaded by `concord demo`, once each.

use diesel::prelude::*;

use super::model::*;
use super::store;
use crate::audit::Actor;
use crate::db::schema::needs;
use crate::db::Db;

struct Demo {
    org: &'static str,
    title: &'static str,
    problem: &'static str,
    phase: Phase,
    collaboration: &'static [Collaboration],
    budget: BudgetBand,
    services: &'static [i64],
    tags: &'static [&'static str],
    visibility: NeedVisibility,
}

use BudgetBand as B;
use Collaboration as C;
use NeedVisibility as V;

const DEMOS: &[Demo] = &[
    Demo {
        org: "CON",
        title: "Report a missed bin collection online",
        problem: "Residents phone the contact centre when their bin is not emptied. Crews already log missed streets on their tablets, but nobody can see it: we want people to report online, see if their street was missed, and get told when it is put right.",
        phase: Phase::Discovery,
        collaboration: &[C::CoDevelop, C::ShareFunding],
        budget: B::From50kTo250k,
        services: &[524],
        tags: &["waste", "bins", "contact centre"],
        visibility: V::Public,
    },
    Demo {
        org: "NET",
        title: "Digital household waste reporting",
        problem: "Our refuse teams and call handlers work from different systems. We want one digital service where households report a missed collection or a damaged container and track it.",
        phase: Phase::Alpha,
        collaboration: &[C::CoDevelop, C::OpenToConversation],
        budget: B::From50kTo250k,
        services: &[524],
        tags: &["waste", "refuse"],
        visibility: V::Public,
    },
    Demo {
        org: "HLD",
        title: "Fix lamp posts faster across a large rural area",
        problem: "Faults in lamp posts are reported by phone and letter and take weeks to reach the contractor. We want residents to report a broken light on a map and our contractor to receive it the same day.",
        phase: Phase::Concept,
        collaboration: &[C::ShareIdeas, C::BuyTogether],
        budget: B::From10kTo50k,
        services: &[564],
        tags: &["lighting", "highways"],
        visibility: V::Public,
    },
    Demo {
        org: "KEN",
        title: "Street lighting fault reporting and repair contract",
        problem: "Our street lighting maintenance contract ends in 2027. We want to buy the next one with other councils and include online fault reporting for residents.",
        phase: Phase::Discovery,
        collaboration: &[C::BuyTogether, C::ShareFunding],
        budget: B::Over1m,
        services: &[564],
        tags: &["lighting", "procurement"],
        visibility: V::SignedIn,
    },
    Demo {
        org: "NWM",
        title: "Rats and pest control bookings",
        problem: "People book pest control visits by phone; many visits are missed because nobody is in. We want online booking with reminders.",
        phase: Phase::Beta,
        collaboration: &[C::ShareIdeas],
        budget: B::Under10k,
        services: &[431],
        tags: &["pests", "booking"],
        visibility: V::Public,
    },
    Demo {
        org: "WIL",
        title: "Report fly-tipping with a photo",
        problem: "Fly-tipping reports arrive without a location or a photo, so crews drive around looking for it. We want a reporting form with a map pin and a photo, routed to the right crew.",
        phase: Phase::Live,
        collaboration: &[C::ShareIdeas, C::OpenToConversation],
        budget: B::NotKnown,
        services: &[587],
        tags: &["fly-tipping", "environment"],
        visibility: V::Public,
    },
    Demo {
        org: "BIR",
        title: "Plan home to school transport routes",
        problem: "Routes for children with special educational needs are planned by hand each summer. We want software that plans routes and lets families see pick-up times.",
        phase: Phase::Discovery,
        collaboration: &[C::CoDevelop, C::BuyTogether],
        budget: B::From250kTo1m,
        services: &[891],
        tags: &["SEND", "transport"],
        visibility: V::SignedIn,
    },
    Demo {
        org: "SAW",
        title: "Council tax reminders by text message",
        problem: "Many first reminders for council tax go unread in the post. We want to send reminders by text and email, and see whether it brings payments in earlier.",
        phase: Phase::Alpha,
        collaboration: &[C::ShareIdeas, C::ShareFunding],
        budget: B::Under10k,
        services: &[58],
        tags: &["revenues", "nudges"],
        visibility: V::Public,
    },
];

/// Loads the demo needs that are not there yet; returns how many were added.
pub fn load(db: &Db, actor: &Actor) -> anyhow::Result<usize> {
    let mut added = 0;
    for demo in DEMOS {
        let exists: i64 = db.read_blocking(|c| {
            Ok(needs::table
                .filter(needs::title.eq(demo.title))
                .count()
                .get_result(c)?)
        })?;
        if exists > 0 {
            continue;
        }
        db.write_blocking(|c| {
            let org = crate::orgs::store::find(c, demo.org)?;
            let draft = NeedDraft {
                title: demo.title.into(),
                problem: demo.problem.into(),
                phase: demo.phase.code().into(),
                collaboration: demo
                    .collaboration
                    .iter()
                    .map(|c| c.code().to_string())
                    .collect(),
                budget_band: Some(demo.budget.code().into()),
                services: demo.services.to_vec(),
                tags: demo.tags.iter().map(|t| t.to_string()).collect(),
                visibility: demo.visibility.code().into(),
                ..Default::default()
            };
            let input = NeedInput::parse(&draft).map_err(crate::error::AppError::Invalid)?;
            store::create(c, &input, org.id, None, actor)
        })?;
        added += 1;
    }
    Ok(added)
}
