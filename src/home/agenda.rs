//! "What needs me": what a signed-in person's organisation must answer, what
//! falls due, the health checks it runs and what changed, each with the page
//! to act on.
//!
//! A fixed handful of queries, none per row. Every list is filtered in SQL by
//! the visibility twins (`partnership_visible_to!`, `need_visible_to!`,
//! `introduction_visible_to!`), and every row is then asked of the policy
//! again from the organisation's memberships, loaded once, so nothing is
//! shown that the person's own pages would hide.
//!
//! Concord does not record when a person last visited, so "changed" means
//! changed in the last [`CHANGED_DAYS`] days; the person's unread
//! notifications stand beside it.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{
    agreements, health_invitations, health_rounds, introduction_parties, introductions,
    need_interests, needs, objectives, organisations, partnership_members, partnerships,
    review_actions, reviews,
};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::health::rounds::model::RoundStatus;
use crate::introductions::model::{IntroductionStatus, PartyStatus};
use crate::needs::interest::model::{InterestKind, InterestStatus};
use crate::needs::model::{NeedStatus, NeedVisibility};
use crate::partnerships::model::Status;
use crate::policy::{allows, Action, Actor, MemberRole, MemberStatus, Relation, Visibility};
use crate::time::Timestamp;

/// Reviews and review actions count as due this many days ahead.
pub const DUE_DAYS: u64 = 30;
/// "Changed recently" looks back this many days.
pub const CHANGED_DAYS: u64 = 14;
/// At most this many items of one kind.
const LIMIT: i64 = 50;

crate::vocab::vocabulary!(
    /// What an item on the agenda is.
    ItemKind {
        PartnershipInvitation = "partnership_invitation": "Invitation to join a partnership",
        Introduction = "introduction": "Introduction by a broker",
        NeedInterest = "need_interest": "Interest in your organisation's need",
        NeedStillActive = "need_still_active": "Need to confirm as still active",
        ReviewDue = "review_due": "Partnership review",
        ReviewAction = "review_action": "Action from a review",
        ObjectiveDue = "objective_due": "Objective",
        AgreementRenewal = "agreement_renewal": "Agreement up for renewal",
        HealthRound = "health_round": "Health check round",
        PartnershipChanged = "partnership_changed": "Partnership changed",
    }
);

/// One thing that needs the person, and where to act on it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct AgendaItem {
    #[schema(value_type = ItemKind)]
    pub kind: ItemKind,
    /// What it is about: a partnership's or need's name, or who introduces.
    pub title: String,
    /// What is wanted, in a sentence.
    pub detail: String,
    /// The page on this site where the person acts on it.
    pub link: String,
    /// The date it falls due, when it has one.
    pub due: Option<NaiveDate>,
    /// The due date has passed.
    pub overdue: bool,
    /// When it happened (asked, invited, changed), when that is what counts.
    pub at: Option<Timestamp>,
}

impl AgendaItem {
    fn new(kind: ItemKind, title: String, detail: String, link: String) -> AgendaItem {
        AgendaItem {
            kind,
            title,
            detail,
            link,
            due: None,
            overdue: false,
            at: None,
        }
    }

    fn due_on(mut self, due: NaiveDate, today: NaiveDate) -> AgendaItem {
        self.due = Some(due);
        self.overdue = due < today;
        self
    }

    fn at(mut self, at: Timestamp) -> AgendaItem {
        self.at = Some(at);
        self
    }

    /// "Overdue since 1 April 2026", "Due 15 December 2026", or nothing.
    pub fn when(&self) -> String {
        match self.due {
            Some(d) if self.overdue => format!("Overdue since {}", d.format("%-d %B %Y")),
            Some(d) => format!("Due {}", d.format("%-d %B %Y")),
            None => String::new(),
        }
    }
}

/// What needs a signed-in person, in four groups.
#[derive(Serialize, Clone, Debug, Default, ToSchema)]
pub struct Agenda {
    /// Waiting for an answer from the person's organisation: partnership
    /// invitations, introductions, interest in its needs, needs asking
    /// "still active?". Oldest first.
    pub to_answer: Vec<AgendaItem>,
    /// Reviews overdue or due within 30 days, review actions and objectives
    /// the organisation owns (due within 30 days, or overdue), agreements up
    /// for renewal (within 90 days, or overdue). Soonest first.
    pub due: Vec<AgendaItem>,
    /// Open health-check rounds of partnerships the organisation leads.
    pub health_checks: Vec<AgendaItem>,
    /// The organisation's partnerships changed in the last 14 days, newest first.
    pub changed: Vec<AgendaItem>,
    /// How far back `changed` looks, in days.
    pub changed_days: u64,
}

impl Agenda {
    pub fn is_empty(&self) -> bool {
        self.to_answer.is_empty()
            && self.due.is_empty()
            && self.health_checks.is_empty()
            && self.changed.is_empty()
    }
}

/// How the actor's organisation relates to each partnership it belongs to
/// or is invited to; one query.
fn memberships(conn: &mut DbConn, org: i64) -> AppResult<HashMap<i64, Membership>> {
    use partnership_members as pm;
    Ok(pm::table
        .filter(pm::organisation_id.eq(org))
        .filter(pm::status.eq_any([MemberStatus::Active, MemberStatus::Invited]))
        .select((pm::partnership_id, pm::role, pm::status, pm::invited_at))
        .load::<(i64, MemberRole, MemberStatus, Timestamp)>(conn)?
        .into_iter()
        .map(|(id, role, status, invited_at)| {
            (
                id,
                Membership {
                    role,
                    status,
                    invited_at,
                },
            )
        })
        .collect())
}

/// The organisation's membership of one partnership.
#[derive(Clone, Copy)]
struct Membership {
    role: MemberRole,
    status: MemberStatus,
    invited_at: Timestamp,
}

fn may_see_partnership(
    actor: &Actor,
    mine: &HashMap<i64, Membership>,
    id: i64,
    visibility: Visibility,
) -> Option<Relation> {
    let membership = mine.get(&id).map(|m| (m.role, m.status));
    let rel = Relation::of_member(visibility, membership);
    allows(Some(actor), Action::ViewPartnership(rel)).then_some(rel)
}

fn need_relation(actor: &Actor, owner: i64, visibility: NeedVisibility) -> Relation {
    let mut rel = Relation::outsider(visibility.as_policy());
    if owner == actor.organisation_id {
        rel.role = Some(MemberRole::Lead);
    }
    rel
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

const OPEN: [Status; 4] = [
    Status::Proposed,
    Status::Active,
    Status::UnderReview,
    Status::Exiting,
];

/// Everything that needs `actor` on `today`.
pub fn load(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> AppResult<Agenda> {
    use partnerships as p;
    let org = actor.organisation_id;
    let viewer = Some(actor);
    let mine = memberships(conn, org)?;
    // The organisation's partnerships by status, as a subquery the index on
    // (organisation_id, status) answers.
    let member_of = |status: MemberStatus| {
        partnership_members::table
            .filter(partnership_members::organisation_id.eq(org))
            .filter(partnership_members::status.eq(status))
            .select(partnership_members::partnership_id)
    };
    let soon = today + Days::new(DUE_DAYS);
    let mut agenda = Agenda {
        changed_days: CHANGED_DAYS,
        ..Default::default()
    };

    // Partnerships inviting the organisation.
    let invited: Vec<(i64, String, Visibility)> = p::table
        .filter(p::id.eq_any(member_of(MemberStatus::Invited)))
        .filter(crate::partnerships::access::partnership_visible_to!(viewer))
        .order(p::id.asc())
        .limit(LIMIT)
        .select((p::id, p::name, p::visibility))
        .load(conn)?;
    for (id, name, visibility) in invited {
        let Some(rel) = may_see_partnership(actor, &mine, id, visibility) else {
            continue;
        };
        let Some(membership) = mine.get(&id).copied() else {
            continue;
        };
        let role = membership.role.label().to_lowercase();
        let at = membership.invited_at;
        let detail = if allows(Some(actor), Action::RespondToInvitation(rel)) {
            format!("Your organisation is invited as {role}. Accept or decline the invitation.")
        } else {
            format!("Your organisation is invited as {role}. Your organisation's administrator accepts or declines it.")
        };
        agenda.to_answer.push(
            AgendaItem::new(
                ItemKind::PartnershipInvitation,
                name,
                detail,
                format!("/partnerships/{id}"),
            )
            .at(at),
        );
    }

    // Introductions waiting for the organisation's answer.
    {
        use introduction_parties as ip;
        use introductions as i;
        let rows: Vec<(i64, String, String, Timestamp)> = i::table
            .inner_join(organisations::table.on(organisations::id.eq(i::broker_organisation_id)))
            .filter(i::status.eq(IntroductionStatus::Proposed))
            .filter(
                i::id.eq_any(
                    ip::table
                        .filter(ip::organisation_id.eq(org))
                        .filter(ip::status.eq(PartyStatus::Pending))
                        .select(ip::introduction_id),
                ),
            )
            .filter(crate::introductions::access::introduction_visible_to!(
                viewer
            ))
            .order(i::id.asc())
            .limit(LIMIT)
            .select((i::id, organisations::short_name, i::note, i::created_at))
            .load(conn)?;
        // Each row names the organisation as a party (filtered above).
        let party = allows(
            Some(actor),
            Action::ViewIntroduction {
                broker: false,
                party: true,
            },
        );
        let answers = allows(Some(actor), Action::RespondToIntroduction { party: true });
        for (id, broker, note, at) in rows.into_iter().filter(|_| party) {
            let mut detail = if answers {
                "Accept or decline for your organisation.".to_string()
            } else {
                "Waiting for your organisation's answer.".to_string()
            };
            let note = crate::text::truncate(&note, 120);
            if !note.is_empty() {
                detail = format!("“{note}” {detail}");
            }
            agenda.to_answer.push(
                AgendaItem::new(
                    ItemKind::Introduction,
                    format!("Introduction from {broker}"),
                    detail,
                    format!("/introductions/{id}"),
                )
                .at(at),
            );
        }
    }

    // Other organisations' interest in the organisation's needs.
    {
        use need_interests as ni;
        use needs as n;
        let rows: Vec<(
            i64,
            String,
            i64,
            NeedVisibility,
            String,
            InterestKind,
            Timestamp,
        )> = ni::table
            .inner_join(n::table)
            .inner_join(organisations::table.on(organisations::id.eq(ni::organisation_id)))
            .filter(n::organisation_id.eq(org))
            .filter(n::status.eq(NeedStatus::Open))
            .filter(ni::status.eq(InterestStatus::Pending))
            .filter(crate::needs::access::need_visible_to!(viewer))
            .order(ni::created_at.asc())
            .limit(LIMIT)
            .select((
                n::id,
                n::title,
                n::organisation_id,
                n::visibility,
                organisations::short_name,
                ni::kind,
                ni::created_at,
            ))
            .load(conn)?;
        for (id, title, owner, visibility, who, kind, at) in rows {
            if !allows(
                Some(actor),
                Action::EditNeed(need_relation(actor, owner, visibility)),
            ) {
                continue;
            }
            let wants = match kind {
                InterestKind::Watcher => "wants to watch how it goes",
                InterestKind::Contributor => "wants to contribute to the work",
                InterestKind::CoFunder => "wants to co-fund it",
            };
            agenda.to_answer.push(
                AgendaItem::new(
                    ItemKind::NeedInterest,
                    title,
                    format!("{who} {wants}. Accept or decline."),
                    format!("/needs/{id}#interest"),
                )
                .at(at),
            );
        }
    }

    // The organisation's needs asking "still active?".
    {
        use needs as n;
        let rows: Vec<(i64, String, i64, NeedVisibility, Timestamp)> = n::table
            .filter(n::organisation_id.eq(org))
            .filter(n::status.eq(NeedStatus::Open))
            .filter(n::asked_active_at.is_not_null())
            .filter(crate::needs::access::need_visible_to!(viewer))
            .order(n::asked_active_at.asc())
            .limit(LIMIT)
            .select((
                n::id,
                n::title,
                n::organisation_id,
                n::visibility,
                n::asked_active_at.assume_not_null(),
            ))
            .load(conn)?;
        for (id, title, owner, visibility, at) in rows {
            if !allows(
                Some(actor),
                Action::EditNeed(need_relation(actor, owner, visibility)),
            ) {
                continue;
            }
            agenda.to_answer.push(
                AgendaItem::new(
                    ItemKind::NeedStillActive,
                    title,
                    "Unchanged for 90 days: is it still active? Unanswered, it leaves the listings."
                        .into(),
                    format!("/needs/{id}/still-active"),
                )
                .at(at),
            );
        }
    }
    agenda.to_answer.sort_by_key(|item| item.at.map(|t| t.0));

    // Reviews overdue or due soon, in the organisation's partnerships.
    let due_reviews: Vec<(i64, String, Visibility, NaiveDate)> = p::table
        .filter(p::id.eq_any(member_of(MemberStatus::Active)))
        .filter(crate::partnerships::access::partnership_visible_to!(viewer))
        .filter(p::status.eq_any(OPEN))
        .filter(p::next_review_due.le(soon))
        .order((p::next_review_due.asc(), p::id.asc()))
        .limit(LIMIT)
        .select((
            p::id,
            p::name,
            p::visibility,
            p::next_review_due.assume_not_null(),
        ))
        .load(conn)?;
    for (id, name, visibility, due) in due_reviews {
        let Some(rel) = may_see_partnership(actor, &mine, id, visibility) else {
            continue;
        };
        let detail = if rel.role == Some(MemberRole::Lead) {
            "The partnership's review: your organisation leads it, so record it when it is held."
        } else {
            "The partnership's review, which the lead organisation records."
        };
        agenda.due.push(
            AgendaItem::new(
                ItemKind::ReviewDue,
                name,
                detail.into(),
                format!("/partnerships/{id}/reviews#record"),
            )
            .due_on(due, today),
        );
    }

    // Open review actions the organisation owns, due soon or overdue.
    let actions: Vec<(i64, String, Visibility, String, NaiveDate)> = review_actions::table
        .inner_join(reviews::table.inner_join(p::table))
        .filter(review_actions::owner_organisation_id.eq(org))
        .filter(review_actions::done_on.is_null())
        .filter(review_actions::due_on.le(soon))
        .filter(p::status.eq_any(OPEN))
        .filter(crate::partnerships::access::partnership_visible_to!(viewer))
        .order((review_actions::due_on.asc(), review_actions::id.asc()))
        .limit(LIMIT)
        .select((
            p::id,
            p::name,
            p::visibility,
            review_actions::description,
            review_actions::due_on,
        ))
        .load(conn)?;
    for (id, name, visibility, description, due) in actions {
        if may_see_partnership(actor, &mine, id, visibility).is_none() {
            continue;
        }
        agenda.due.push(
            AgendaItem::new(
                ItemKind::ReviewAction,
                name,
                format!(
                    "Your organisation's action: {}",
                    crate::text::truncate(&description, 160)
                ),
                format!("/partnerships/{id}/reviews#actions"),
            )
            .due_on(due, today),
        );
    }

    // Objectives the organisation owns, due within 30 days or in the last 30.
    let recent = today - Days::new(DUE_DAYS);
    let objs: Vec<(i64, String, Visibility, i64, String, NaiveDate)> = objectives::table
        .inner_join(p::table)
        .filter(objectives::owner_organisation_id.eq(org))
        .filter(objectives::due_date.le(soon))
        .filter(objectives::due_date.ge(recent))
        .filter(p::status.eq_any(OPEN))
        .filter(crate::partnerships::access::partnership_visible_to!(viewer))
        .order((objectives::due_date.asc(), objectives::id.asc()))
        .limit(LIMIT)
        .select((
            p::id,
            p::name,
            p::visibility,
            objectives::id,
            objectives::title,
            objectives::due_date,
        ))
        .load(conn)?;
    for (id, name, visibility, oid, title, due) in objs {
        if may_see_partnership(actor, &mine, id, visibility).is_none() {
            continue;
        }
        agenda.due.push(
            AgendaItem::new(
                ItemKind::ObjectiveDue,
                name,
                format!("Your organisation's objective: {title}. Record its progress."),
                format!("/partnerships/{id}/objectives/{oid}"),
            )
            .due_on(due, today),
        );
    }

    // Agreements up for renewal, in the organisation's partnerships.
    let renewal_horizon =
        today + Days::new(crate::partnerships::governance::model::RENEWAL_WARNING_DAYS);
    let renewals: Vec<(i64, String, Visibility, String, NaiveDate)> = agreements::table
        .inner_join(p::table)
        .filter(p::id.eq_any(member_of(MemberStatus::Active)))
        .filter(crate::partnerships::access::partnership_visible_to!(viewer))
        .filter(p::status.eq_any(OPEN))
        .filter(agreements::renewal_due.le(renewal_horizon))
        .order((agreements::renewal_due.asc(), agreements::id.asc()))
        .limit(LIMIT)
        .select((
            p::id,
            p::name,
            p::visibility,
            agreements::title,
            agreements::renewal_due.assume_not_null(),
        ))
        .load(conn)?;
    for (id, name, visibility, title, due) in renewals {
        if may_see_partnership(actor, &mine, id, visibility).is_none() {
            continue;
        }
        agenda.due.push(
            AgendaItem::new(
                ItemKind::AgreementRenewal,
                name,
                format!("The agreement “{title}” is up for renewal."),
                format!("/partnerships/{id}/governance"),
            )
            .due_on(due, today),
        );
    }
    agenda.due.sort_by_key(|item| item.due);

    // Open health-check rounds of partnerships the organisation leads.
    let rounds: Vec<(i64, String, i64, String, Visibility, NaiveDate)> = health_rounds::table
        .inner_join(p::table)
        .filter(health_rounds::status.eq(RoundStatus::Open))
        .filter(crate::partnerships::access::partnership_visible_to!(viewer))
        .filter(p::id.eq_any(
            member_of(MemberStatus::Active).filter(partnership_members::role.eq(MemberRole::Lead)),
        ))
        .order((health_rounds::closes_on.asc(), health_rounds::id.asc()))
        .limit(LIMIT)
        .select((
            health_rounds::id,
            health_rounds::title,
            p::id,
            p::name,
            p::visibility,
            health_rounds::closes_on,
        ))
        .load(conn)?;
    let round_ids: Vec<i64> = rounds.iter().map(|r| r.0).collect();
    // Invited and answered, per round, in one grouped query.
    let mut answered: HashMap<i64, (i64, i64)> = HashMap::new();
    if !round_ids.is_empty() {
        let rows: Vec<(i64, Option<Timestamp>)> = health_invitations::table
            .filter(health_invitations::round_id.eq_any(&round_ids))
            .select((
                health_invitations::round_id,
                health_invitations::responded_at,
            ))
            .load(conn)?;
        for (round, responded) in rows {
            let e = answered.entry(round).or_default();
            e.0 += 1;
            if responded.is_some() {
                e.1 += 1;
            }
        }
    }
    for (rid, title, id, name, visibility, closes) in rounds {
        let Some(rel) = may_see_partnership(actor, &mine, id, visibility) else {
            continue;
        };
        if !allows(Some(actor), Action::RunHealthCheck(rel)) {
            continue;
        }
        let (invited, responded) = answered.get(&rid).copied().unwrap_or_default();
        let detail = if invited == 0 {
            format!(
                "{title}: nobody is invited yet. Invite stakeholders; it closes on {}.",
                day(closes)
            )
        } else {
            format!(
                "{title}: {responded} of {invited} invited have answered. It closes on {}.",
                day(closes)
            )
        };
        let mut item = AgendaItem::new(
            ItemKind::HealthRound,
            name,
            detail,
            format!("/health-checks/{rid}"),
        );
        item.due = Some(closes);
        agenda.health_checks.push(item);
    }

    // The organisation's partnerships changed lately.
    let since = crate::db::now() - chrono::Duration::days(CHANGED_DAYS as i64);
    let changed: Vec<(i64, String, Visibility, Timestamp)> = p::table
        .filter(p::id.eq_any(member_of(MemberStatus::Active)))
        .filter(crate::partnerships::access::partnership_visible_to!(viewer))
        .filter(p::updated_at.ge(since))
        .order((p::updated_at.desc(), p::id.desc()))
        .limit(10)
        .select((p::id, p::name, p::visibility, p::updated_at))
        .load(conn)?;
    for (id, name, visibility, at) in changed {
        if may_see_partnership(actor, &mine, id, visibility).is_none() {
            continue;
        }
        agenda.changed.push(
            AgendaItem::new(
                ItemKind::PartnershipChanged,
                name,
                format!("Changed on {}. See what changed.", at.0.format("%-d %B %Y")),
                format!("/partnerships/{id}/history"),
            )
            .at(at),
        );
    }
    Ok(agenda)
}

/// The day due dates are judged on: today in UTC, as the server sees it.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}
