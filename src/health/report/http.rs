//! The report's pages: the printable report with its pictures and tables,
//! the anonymised responses as CSV, and an action from the report that
//! becomes one of the partnership's review actions.

use askama::Template;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;

use super::load::{self, Loaded};
use super::stats::{self, Report};
use super::view::{self, TableRow};
use crate::error::{AppError, AppResult, FieldError};
use crate::health::HealthRound;
use crate::partnerships::model::{ActiveMember, Partnership};
use crate::partnerships::reviews::model::{
    ActionDraft, ActionNames, ReviewContext, ReviewDraft, ReviewInput,
};
use crate::partnerships::reviews::store as reviews;
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health-checks/{id}/report", get(show))
        .route("/health-checks/{id}/report/actions", post(add_action))
        .route("/health-checks/{id}/responses.csv", get(csv))
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The add-an-action form as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub action1_description: String,
    #[serde(default)]
    pub action1_owner: String,
    #[serde(default)]
    pub action1_due_on_day: String,
    #[serde(default)]
    pub action1_due_on_month: String,
    #[serde(default)]
    pub action1_due_on_year: String,
}

#[derive(Template)]
#[template(path = "health/report.html")]
struct ReportPage {
    ctx: PageCtx,
    round: load::RoundFacts,
    partnership_name: String,
    invited: i64,
    report: Report,
    factor_names: Vec<String>,
    by_partner: Vec<TableRow>,
    by_role: Vec<TableRow>,
    profile: String,
    heat: String,
    can_act: bool,
    members: Vec<ActiveMember>,
    errors: FormErrors,
    form: ActionForm,
    added: bool,
}

impl ReportPage {
    fn show(&self, mean: &Option<f64>) -> String {
        stats::show(*mean)
    }
    fn owner_options(&self) -> Vec<(String, String)> {
        let mut options = vec![(String::new(), "Choose an organisation".to_string())];
        options.extend(
            self.members
                .iter()
                .map(|m| (m.code.clone(), m.name.clone())),
        );
        options
    }
    fn dont_know_share(&self) -> String {
        let all = self.report.scores + self.report.dont_know;
        if all == 0 {
            "–".to_string()
        } else {
            format!("{:.0}%", self.report.dont_know as f64 * 100.0 / all as f64)
        }
    }
}

fn draw(
    w: &mut Work<'_, HealthRound>,
    ctx: PageCtx,
    errors: Vec<FieldError>,
    form: ActionForm,
    added: bool,
) -> AppResult<Response> {
    let loaded: Loaded = load::load(w.conn, w.record.id)?;
    let report = loaded.report();
    let partnership_name = partnerships_name(w, loaded.round.partnership_id)?;
    // The round's lead adds actions, as one who may change the partnership.
    let can_act = w.allow(Action::RunHealthCheck(w.rel)).is_ok()
        && w.allow(Action::EditPartnership(w.rel)).is_ok();
    let members = if can_act {
        partnerships::active_members(w.conn, loaded.round.partnership_id)?.0
    } else {
        Vec::new()
    };
    let has_errors = !errors.is_empty();
    page(
        ReportPage {
            ctx: ctx.with_nav("partnerships"),
            partnership_name,
            invited: loaded.invited,
            factor_names: report.factors.iter().map(|f| f.name.clone()).collect(),
            by_partner: view::table(&report.by_partner),
            by_role: view::table(&report.by_role),
            profile: view::profile_svg(&report),
            heat: view::heat_svg(&report),
            round: loaded.round,
            report,
            can_act,
            members,
            errors: FormErrors(errors),
            form,
            added,
        },
        has_errors,
    )
}

fn partnerships_name(w: &mut Work<'_, HealthRound>, id: i64) -> AppResult<String> {
    use crate::db::schema::partnerships;
    use diesel::prelude::*;
    Ok(partnerships::table
        .find(id)
        .select(partnerships::name)
        .first(w.conn)?)
}

#[derive(serde::Deserialize, Default)]
struct Shown {
    added: Option<String>,
}

async fn show(
    visit: Visit<HealthRound>,
    axum::extract::Query(q): axum::extract::Query<Shown>,
) -> AppResult<Response> {
    let added = q.added.is_some();
    visit
        .page(Action::ViewHealthReport, move |w, ctx| {
            draw(w, ctx, Vec::new(), ActionForm::default(), added)
        })
        .await
}

async fn csv(visit: Visit<HealthRound>) -> AppResult<Response> {
    let name = format!("health-check-{}-responses.csv", visit.id);
    let body = HealthRound::view(&visit.state.db, visit.user(), visit.id, |w| {
        view::responses_csv(&load::load(w.conn, w.record.id)?)
    })
    .await?;
    Ok(crate::web::csv::download(&name, body))
}

/// An action from the report: recorded as a review of the partnership held
/// today, decision "improve", whose findings name the report, with this one
/// action — through the partnership's own unit of work and the reviews'
/// store, so the reviews page, reminders and history treat it like any other.
async fn add_action(
    visit: Visit<HealthRound>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let round_id = visit.id;
    // The round first, as its lead: outsiders get 404 here, other members 403.
    let (partnership_id, title) = HealthRound::view_as(
        &visit.state.db,
        visit.user(),
        round_id,
        Action::RunHealthCheck,
        |w| Ok((w.record.partnership_id, w.record.title.clone())),
    )
    .await?;
    let typed = form.clone();
    let result = Partnership::act(
        &visit.state.db,
        visit.user(),
        partnership_id,
        Action::EditPartnership,
        move |w| {
            let today = today();
            let mut reading = Vec::new();
            let due_on = forms::keep(
                &mut reading,
                forms::date(
                    "action1_due_on",
                    "The due date",
                    &typed.action1_due_on_day,
                    &typed.action1_due_on_month,
                    &typed.action1_due_on_year,
                ),
            )
            .flatten();
            let draft = ReviewDraft {
                held_on: Some(today),
                findings: format!("Action agreed from the health check report “{title}”."),
                decision: "improve".to_string(),
                actions: vec![ActionDraft {
                    description: typed.action1_description.clone(),
                    owner: typed.action1_owner.clone(),
                    due_on,
                }],
            };
            let members = partnerships::active_members(w.conn, w.record.id)?;
            let names = ActionNames::FormRows(vec![1]);
            let ctx = ReviewContext {
                today,
                members: &members,
                names: &names,
            };
            let order = ["action1_description", "action1_owner", "action1_due_on"];
            let input: ReviewInput =
                forms::checked(reading, ReviewInput::parse(&draft, &ctx), &order)
                    .map_err(AppError::Invalid)?;
            reviews::create(w, &input, today)
        },
    )
    .await;
    match result {
        Ok(_) => Ok(axum::response::Redirect::to(&format!(
            "/health-checks/{round_id}/report?added=1#actions"
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            visit
                .page(Action::ViewHealthReport, move |w, ctx| {
                    draw(w, ctx, errors, form, false)
                })
                .await
        }
        Err(e) => Err(e),
    }
}
