//! The members page: who is in the partnership, invitations and answers,
//! roles and contacts, agreed cost shares and the cost-sharing calculator.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::calculator::{self, Calculation, Method};
use super::model::{accepts, InviteDraft, InviteInput, MemberChange, MemberDraft};
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::confirm::{self, Confirm};
use crate::partnerships::header::Header;
use crate::partnerships::model::*;
use crate::partnerships::notice::{self, Done};
use crate::partnerships::store as partnerships;
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{page, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/members", get(index).post(invite))
        .route("/partnerships/{id}/members/{member}", post(update))
        .route(
            "/partnerships/{id}/members/{member}/remove",
            get(remove_page).post(remove),
        )
        .route("/partnerships/{id}/cost-shares", post(cost_shares))
        .route("/partnerships/{id}/respond", post(respond))
        .route("/partnerships/{id}/calculator", post(calculate))
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CalculatorForm {
    pub amount: String,
    pub method: String,
}

impl CalculatorForm {
    /// The amount and the method, and what could not be read.
    fn read(&self) -> (Option<i64>, Option<Method>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let amount = crate::money::parse_pounds(&self.amount)
            .map_err(|m| errors.push(FieldError::new("amount", m)))
            .ok();
        let method = Method::parse(&self.method);
        if method.is_none() {
            errors.push(FieldError::new("method", "Select how to split the cost"));
        }
        (amount, method, errors)
    }
}

#[derive(Template)]
#[template(path = "partnerships/members/index.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    members: Vec<MemberView>,
    errors: FormErrors,
    invite: InviteDraft,
    /// When the name typed to invite matches several organisations: them,
    /// to choose one.
    choices: Vec<crate::orgs::model::Organisation>,
    calculator: Option<Calculation>,
    calculator_form: CalculatorForm,
}

impl IndexPage {
    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        MemberRole::options()
    }
    fn active(&self) -> Vec<&MemberView> {
        self.members.iter().filter(|m| m.is_active()).collect()
    }
    /// A partner's people change their own organisation's contact (the
    /// lead changes anyone's in the fuller form).
    fn own_contact_form(&self, m: &MemberView) -> bool {
        let own = self
            .ctx
            .user
            .as_ref()
            .is_some_and(|u| u.organisation_code == m.organisation_code);
        !self.h.can_manage
            && m.is_active()
            && crate::policy::allows(
                self.h.actor.as_ref(),
                Action::ChangeOrganisationsRecord {
                    rel: self.h.rel,
                    own,
                },
            )
    }
    fn share_value(&self, m: &MemberView) -> String {
        m.cost_share_bp
            .map(|bp| crate::money::percent(bp).trim_end_matches('%').to_string())
            .unwrap_or_default()
    }
}

/// What the page shows besides the members: problems, and what was typed.
#[derive(Default)]
struct Shown {
    errors: Vec<FieldError>,
    invite: Option<InviteDraft>,
    calculator: Option<Calculation>,
    calculator_form: CalculatorForm,
}

async fn render(visit: Visit<Partnership>, shown: Shown, done: Done) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            let invalid = !shown.errors.is_empty();
            let choices = match &shown.invite {
                Some(i) if shown.errors.iter().any(|e| e.field == "organisation") => {
                    match crate::orgs::store::by_code_or_name(w.conn, &i.organisation)? {
                        crate::orgs::store::Named::Several(found, _) => found,
                        _ => vec![],
                    }
                }
                _ => vec![],
            };
            page(
                IndexPage {
                    h: Header::of(w, "members").with_notice(w, done)?,
                    members: partnerships::members_as_seen(w.conn, w.record.id, w.rel)?,
                    errors: FormErrors(shown.errors),
                    invite: shown.invite.unwrap_or_else(|| InviteDraft {
                        role: MemberRole::Partner.code().into(),
                        ..Default::default()
                    }),
                    choices,
                    calculator: shown.calculator,
                    calculator_form: shown.calculator_form,
                    ctx: ctx.with_nav("partnerships"),
                },
                invalid,
            )
        })
        .await
}

async fn index(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    render(visit, Shown::default(), done).await
}

/// Does `change` for someone allowed `action`, then back to the members
/// page; when it is refused, the page again with what went wrong and `shown`.
async fn submit<F>(
    visit: Visit<Partnership>,
    action: fn(Relation) -> Action,
    change: F,
    shown: Shown,
) -> AppResult<Response>
where
    F: FnOnce(&mut Work<'_, Partnership>) -> AppResult<()> + Send + 'static,
{
    let to = format!("/partnerships/{}/members", visit.id);
    let change = move |w: &mut Work<'_, Partnership>| {
        change(w)?;
        notice::noted(w, ())
    };
    let again = |visit, errors| render(visit, Shown { errors, ..shown }, Done::default());
    visit.submit(action, change, |n| n.to(to), again).await
}

async fn invite(visit: Visit<Partnership>, Form(form): Form<InviteDraft>) -> AppResult<Response> {
    let draft = form.clone();
    let change = move |w: &mut Work<'_, Partnership>| {
        let input = InviteInput::parse(w.conn, &draft)?;
        store::invite(w, &input)
    };
    let shown = Shown {
        invite: Some(form),
        ..Default::default()
    };
    submit(visit, Action::ManageMembership, change, shown).await
}

/// Whether a role or only a contact changes is the store's to judge
/// (`ManageMembership` or `ChangeOrganisationsRecord`), so the work opens for anyone
/// who may see the partnership.
async fn update(visit: Visit<Partnership>, Form(form): Form<MemberDraft>) -> AppResult<Response> {
    let member = visit.param("member")?;
    let change = move |w: &mut Work<'_, Partnership>| {
        let change = MemberChange::parse(&form).map_err(AppError::Invalid)?;
        store::update(w, member, &change)
    };
    submit(visit, Action::EditPartnership, change, Shown::default()).await
}

/// Asks before removing a member organisation: for the lead only.
async fn remove_page(visit: Visit<Partnership>) -> AppResult<Response> {
    let member = visit.param("member")?;
    visit
        .page(Action::ManageMembership, move |w, ctx| {
            let id = w.record.id;
            let m = partnerships::members_as_seen(w.conn, id, w.rel)?
                .into_iter()
                .find(|m| m.id == member)
                .ok_or(AppError::NotFound)?;
            let c = Confirm {
                title: format!("Remove {}", m.organisation_name),
                question: format!(
                    "Are you sure you want to remove {} from the partnership?",
                    m.organisation_name
                ),
                detail: "Its people will no longer change the partnership, and its cost share is cleared. What it recorded stays, and the partnership’s history keeps that it was a member.".into(),
                action: format!("/partnerships/{id}/members/{}/remove", m.id),
                button: format!("Remove {}", m.organisation_name),
                back: format!("/partnerships/{id}/members"),
                back_label: "members".into(),
            };
            confirm::page_of(ctx, Header::of(w, "members"), c)
        })
        .await
}

/// Refused for the lead, which must be handed over first.
async fn remove(visit: Visit<Partnership>) -> AppResult<Response> {
    let member = visit.param("member")?;
    let change = move |w: &mut Work<'_, Partnership>| store::remove(w, member);
    submit(visit, Action::ManageMembership, change, Shown::default()).await
}

/// The shares as typed, `share-<member id>` = a percentage; and what could not be read.
fn typed_shares(fields: &[(String, String)]) -> (Vec<(i64, Option<i32>)>, Vec<FieldError>) {
    let mut shares = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in fields {
        let Some(member) = key
            .strip_prefix("share-")
            .and_then(|m| m.parse::<i64>().ok())
        else {
            continue;
        };
        if value.trim().is_empty() {
            shares.push((member, None));
        } else {
            match crate::money::parse_percent(value) {
                Ok(bp) => shares.push((member, Some(bp))),
                Err(msg) => errors.push(FieldError::new(key, msg)),
            }
        }
    }
    (shares, errors)
}

async fn cost_shares(
    visit: Visit<Partnership>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (shares, reading) = typed_shares(&fields);
    let change = move |w: &mut Work<'_, Partnership>| {
        if !reading.is_empty() {
            return Err(AppError::Invalid(reading));
        }
        let shares = store::check_cost_shares(w.conn, w.record.id, &shares)?;
        store::set_cost_shares(w, &shares)
    };
    submit(visit, Action::ManageMembership, change, Shown::default()).await
}

#[derive(Deserialize)]
struct RespondForm {
    #[serde(default)]
    answer: String,
}

async fn respond(visit: Visit<Partnership>, Form(form): Form<RespondForm>) -> AppResult<Response> {
    let id = visit.id;
    let change = move |w: &mut Work<'_, Partnership>| {
        let accept = accepts(&form.answer)
            .ok_or_else(|| AppError::BadRequest("Choose accept or decline.".into()))?;
        store::respond(w, accept)?;
        Ok(accept)
    };
    // After declining a partners-only partnership there is nothing left to see.
    let to = move |accept: bool| {
        if accept {
            format!("/partnerships/{id}")
        } else {
            "/partnerships".to_string()
        }
    };
    visit.then_go(Action::RespondToInvitation, change, to).await
}

async fn calculate(
    visit: Visit<Partnership>,
    Form(form): Form<CalculatorForm>,
) -> AppResult<Response> {
    let (amount, method, mut errors) = form.read();
    // Anyone who may see the partnership may use the calculator (nothing is saved),
    // but the page only offers it to people who are signed in.
    let calculation = Partnership::view(&visit.state.db, visit.user(), visit.id, move |w| {
        w.user()?;
        match (amount, method) {
            (Some(amount), Some(method)) => {
                let members = partnerships::members(w.conn, w.record.id)?;
                Ok(calculator::calculate_split(&members, amount, method).map_err(|e| vec![e]))
            }
            _ => Ok(Err(vec![])),
        }
    })
    .await?;
    let calculator = calculation.map_err(|e| errors.extend(e)).ok();
    let shown = Shown {
        errors,
        calculator,
        calculator_form: form,
        invite: None,
    };
    render(visit, shown, Done::default()).await
}
