//! Nothing is forgotten: a need nobody has changed for [`STALE_AFTER_DAYS`]
//! asks its owner "still active?" (a daily job); the owner answers yes (the
//! need stays listed and the clock starts again) or no (it closes). Without
//! an answer it drops out of the default listings after
//! `search::DORMANT_AFTER_DAYS` more days, and comes back when answered.

use askama::Template;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::Form;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{Need, NeedStatus, NeedView};
use crate::api::{JsonBody, On};
use crate::db::schema::needs;
use crate::db::Db;
use crate::error::{ApiResult, AppResult, FieldError};
use crate::notifications::{deliver, Note, NotificationKind, Subject};
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{page, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

/// Days without a change before the owner is asked.
pub const STALE_AFTER_DAYS: i64 = 90;

/// Needs asked about per transaction.
const BATCH: usize = 200;

pub const JOB: crate::jobs::Kind = crate::jobs::Kind {
    name: "needs.still_active",
    run,
    schedule: crate::jobs::Schedule::Daily(match chrono::NaiveTime::from_hms_opt(6, 30, 0) {
        Some(t) => t,
        None => panic!("06:30 is a time"),
    }),
};

fn run(db: &Db, _: &serde_json::Value) -> AppResult<()> {
    ask(db, crate::db::now()).map(|_| ())
}

/// Asks the owners of every open need unchanged since `now` less
/// [`STALE_AFTER_DAYS`] and not asked yet. Returns how many needs were asked.
pub fn ask(db: &Db, now: NaiveDateTime) -> AppResult<usize> {
    let cutoff = now - Duration::days(STALE_AFTER_DAYS);
    let stale: Vec<(i64, i64)> = db.read_blocking(|c| {
        Ok(needs::table
            .filter(needs::status.eq(NeedStatus::Open))
            .filter(needs::asked_active_at.is_null())
            .filter(needs::updated_at.lt(cutoff))
            .order(needs::id)
            .select((needs::id, needs::organisation_id))
            .load(c)?)
    })?;
    let mut asked = 0;
    for chunk in stale.chunks(BATCH) {
        asked += db.write_blocking(|c| {
            let mut asked = 0;
            for &(id, organisation) in chunk {
                // Claimed by the update itself: another worker, or the owner
                // changing the need meanwhile, leaves nothing to ask.
                let claimed = diesel::update(
                    needs::table
                        .find(id)
                        .filter(needs::asked_active_at.is_null())
                        .filter(needs::updated_at.lt(cutoff)),
                )
                .set(needs::asked_active_at.eq(Some(now)))
                .execute(c)?;
                if claimed == 0 {
                    continue;
                }
                let people = crate::partnerships::notify::people_of(c, &[organisation])?;
                deliver(
                    c,
                    &people,
                    &Note {
                        kind: NotificationKind::NeedCheck,
                        subject: Subject::new(Need::KIND, id),
                        what: format!(
                            "has not changed for {STALE_AFTER_DAYS} days: is it still active?"
                        ),
                        link: Some(format!("/needs/{id}/still-active")),
                        audit_id: None,
                    },
                )?;
                asked += 1;
            }
            Ok(asked)
        })?;
    }
    Ok(asked)
}

/// The owner's answer: still active (listed again, clock restarted), or not
/// (closed).
pub fn answer(w: &mut Work<'_, Need>, active: bool) -> AppResult<Need> {
    let id = w.record.id;
    if active {
        diesel::update(needs::table.find(id))
            .set(needs::asked_active_at.eq(None::<NaiveDateTime>))
            .execute(w.conn)?;
        // The audit touches the need, which restarts its 90 days.
        w.audit("need.still_active", None, None)?;
    } else {
        diesel::update(needs::table.find(id))
            .set((
                needs::status.eq(NeedStatus::Closed),
                needs::asked_active_at.eq(None::<NaiveDateTime>),
            ))
            .execute(w.conn)?;
        w.audit(
            "need.close",
            Some(serde_json::json!({"status": "open"})),
            Some(serde_json::json!({"status": "closed"})),
        )?;
    }
    w.reload()?;
    Ok(w.record.clone())
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/needs/{id}/still-active", get(question).post(answered))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/api/v1/needs/{id}/still-active", post(api_answer))
}

#[derive(Template)]
#[template(path = "needs/still_active.html")]
struct QuestionPage {
    ctx: PageCtx,
    need: Need,
    errors: FormErrors,
}

async fn question(visit: Visit<Need>) -> AppResult<Response> {
    question_page(visit, Vec::new()).await
}

async fn question_page(visit: Visit<Need>, errors: Vec<FieldError>) -> AppResult<Response> {
    let failed = !errors.is_empty();
    visit
        .page(Action::EditNeed, move |w, ctx| {
            page(
                QuestionPage {
                    ctx: ctx.with_nav("needs"),
                    need: w.record.clone(),
                    errors: FormErrors(errors),
                },
                failed,
            )
        })
        .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AnswerForm {
    answer: String,
}

async fn answered(visit: Visit<Need>, Form(form): Form<AnswerForm>) -> AppResult<Response> {
    let active = match form.answer.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            let error = FieldError::new(
                "answer",
                "Select yes if the need is still active, or no to close it",
            );
            return question_page(visit, vec![error]).await;
        }
    };
    let to = move |need: Need| {
        let notice = if active { "still-active" } else { "closed" };
        format!("/needs/{}?notice={notice}", need.id)
    };
    visit
        .then_go(Action::EditNeed, move |w| answer(w, active), to)
        .await
}

/// Whether the need is still active.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StillActive {
    /// `true` keeps it listed; `false` closes it.
    pub active: bool,
}

/// Answer "still active?": its own organisation's people only.
#[utoipa::path(post, path = "/api/v1/needs/{id}/still-active", tag = "needs",
    request_body = StillActive,
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 200, body = NeedView)), security(("bearer" = [])))]
pub async fn api_answer(on: On<Need>, body: JsonBody<StillActive>) -> ApiResult<Json<NeedView>> {
    on.change(Action::EditNeed, body, |w, said| {
        let need = answer(w, said.active)?;
        super::store::view(w.conn, &need)
    })
    .await
}
