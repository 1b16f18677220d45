//! Health check pages: the partnership's "Health checks" page (its rounds,
//! and the lead's form to start one), a round's page (response rates; the
//! lead invites, reminds and closes), and the answer page at the invitee's
//! link, which needs no account: it is an ordinary page route, so its form
//! carries the CSRF token the site gives signed-out visitors.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::model::*;
use super::{answers, invitations, store};
use crate::error::{AppError, AppResult, FieldError};
use crate::health::questionnaire::model::{FactorView, SCALE};
use crate::health::questionnaire::store as questionnaires;
use crate::partnerships::header::Header;
use crate::partnerships::model::{ActiveMember, Partnership};
use crate::policy::{allows, Action};
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, FormErrors, PageCtx};
use crate::work::Work;

/// Invitation rows on the round's form.
pub const FORM_ROWS: usize = 5;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/health-checks", get(index).post(start))
        .route("/health-checks/{id}", get(show))
        .route("/health-checks/{id}/invitations", post(invite))
        .route("/health-checks/{id}/reminders", post(remind))
        .route("/health-checks/{id}/close", post(close))
        .route("/health/{token}", get(answer_page).post(answer))
}

fn today() -> chrono::NaiveDate {
    crate::db::now().date()
}

#[derive(Deserialize, Default)]
pub struct Notice {
    notice: Option<String>,
}

fn notice_text(code: Option<&str>) -> Option<String> {
    match code? {
        "started" => Some("Round started. Now invite the stakeholders.".into()),
        "invited" => Some("Invitations sent. Each person has been emailed their own link.".into()),
        "reminded" => Some("Reminders sent to everyone who has not answered.".into()),
        "none_to_remind" => {
            Some("Nobody needed a reminder: everyone has answered or was reminded today.".into())
        }
        "closed" => Some("Round closed. No more answers will be taken.".into()),
        _ => None,
    }
}

// ---------------------------------------------------------------- partnership page

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RoundForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    questionnaire_id: String,
    #[serde(default)]
    opens_on_day: String,
    #[serde(default)]
    opens_on_month: String,
    #[serde(default)]
    opens_on_year: String,
    #[serde(default)]
    closes_on_day: String,
    #[serde(default)]
    closes_on_month: String,
    #[serde(default)]
    closes_on_year: String,
    #[serde(default)]
    min_group: String,
    #[serde(default)]
    divergence_gap: String,
}

const ROUND_ORDER: &[&str] = &[
    "title",
    "questionnaire_id",
    "opens_on",
    "closes_on",
    "min_group",
    "divergence_gap",
];

impl RoundForm {
    /// An empty form with the report settings' defaults filled in.
    fn blank() -> RoundForm {
        RoundForm {
            min_group: MIN_GROUP_DEFAULT.to_string(),
            divergence_gap: points(DIVERGENCE_GAP_DEFAULT),
            ..Default::default()
        }
    }

    fn to_draft(&self) -> (RoundDraft, Vec<FieldError>) {
        let mut reading = Vec::new();
        let opens_on = forms::keep(
            &mut reading,
            forms::date(
                "opens_on",
                "The date the round opens",
                &self.opens_on_day,
                &self.opens_on_month,
                &self.opens_on_year,
            ),
        )
        .flatten();
        let closes_on = forms::keep(
            &mut reading,
            forms::date(
                "closes_on",
                "The date the round closes",
                &self.closes_on_day,
                &self.closes_on_month,
                &self.closes_on_year,
            ),
        )
        .flatten();
        let min_group = match self.min_group.trim() {
            "" => None,
            n => forms::keep(
                &mut reading,
                n.parse::<i64>().map_err(|_| {
                    FieldError::new(
                        "min_group",
                        "The anonymity threshold must be a whole number of people, like 3 or 5",
                    )
                }),
            ),
        };
        let divergence_gap = match self.divergence_gap.trim() {
            "" => None,
            g => forms::keep(
                &mut reading,
                g.parse::<f64>()
                    .ok()
                    .filter(|g| g.is_finite())
                    .ok_or_else(|| {
                        FieldError::new(
                            "divergence_gap",
                            "The divergence gap must be a number of points, like 1.0 or 0.5",
                        )
                    }),
            ),
        };
        (
            RoundDraft {
                title: self.title.clone(),
                questionnaire_id: self.questionnaire_id.trim().parse().ok(),
                opens_on,
                closes_on,
                min_group,
                divergence_gap,
            },
            reading,
        )
    }
}

#[derive(Template)]
#[template(path = "health/partnership.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    rounds: Vec<RoundView>,
    can_run: bool,
    questionnaires: Vec<(String, String)>,
    form: RoundForm,
    errors: FormErrors,
}

fn index_page(
    w: &mut Work<'_, Partnership>,
    ctx: PageCtx,
    form: RoundForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let today = today();
    let rounds = store::of_partnership(w.conn, w.record.id)?
        .iter()
        .map(|r| store::view(w.conn, r, today))
        .collect::<AppResult<Vec<_>>>()?;
    let actor = w.person().map(|u| u.actor());
    let can_run = allows(actor.as_ref(), Action::RunHealthCheck(w.rel));
    let questionnaires = questionnaires::usable_by(w.conn, w.organisation_id(), false)?
        .into_iter()
        .map(|q| {
            (
                q.id.to_string(),
                format!("{} (version {})", q.name, q.version),
            )
        })
        .collect();
    let has_errors = !errors.is_empty();
    page(
        IndexPage {
            h: Header::of(w, "health"),
            ctx,
            rounds,
            can_run,
            questionnaires,
            form,
            errors: FormErrors(errors),
        },
        has_errors,
    )
}

async fn index(visit: Visit<Partnership>) -> AppResult<Response> {
    visit
        .page(Action::ViewHealthReport, |w, ctx| {
            index_page(w, ctx, RoundForm::blank(), Vec::new())
        })
        .await
}

async fn start(visit: Visit<Partnership>, Form(form): Form<RoundForm>) -> AppResult<Response> {
    let again_form = form.clone();
    let change = move |w: &mut Work<'_, Partnership>| {
        let (draft, reading) = form.to_draft();
        let qs = store::usable_questionnaires(w.conn, w.organisation_id())?;
        let ctx = RoundContext {
            today: today(),
            questionnaires: &qs,
        };
        let input = forms::checked(reading, RoundInput::parse(&draft, &ctx), ROUND_ORDER)
            .map_err(AppError::Invalid)?;
        store::create(w, &input)
    };
    visit
        .submit(
            Action::RunHealthCheck,
            change,
            |round: HealthRound| format!("/health-checks/{}?notice=started", round.id),
            |visit, errors| async move {
                visit
                    .page(Action::RunHealthCheck, move |w, ctx| {
                        index_page(w, ctx, again_form, errors)
                    })
                    .await
            },
        )
        .await
}

// ---------------------------------------------------------------- round page

#[derive(Clone, Debug, Default)]
pub struct InviteRow {
    pub n: usize,
    pub email: String,
    pub organisation: String,
    pub role: String,
}

impl InviteRow {
    pub fn field(&self, name: &str) -> String {
        format!("invite{}_{name}", self.n)
    }
}

fn blank_rows() -> Vec<InviteRow> {
    (1..=FORM_ROWS)
        .map(|n| InviteRow {
            n,
            ..Default::default()
        })
        .collect()
}

#[derive(Template)]
#[template(path = "health/round.html")]
struct RoundPage {
    ctx: PageCtx,
    round: RoundView,
    stage: &'static str,
    can_run: bool,
    members: Vec<ActiveMember>,
    roles: Vec<(String, String)>,
    rows: Vec<InviteRow>,
    errors: FormErrors,
    notice: Option<String>,
}

fn round_page(
    w: &mut Work<'_, HealthRound>,
    ctx: PageCtx,
    rows: Vec<InviteRow>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Response> {
    let today = today();
    let round = store::view(w.conn, &w.record, today)?;
    let actor = w.person().map(|u| u.actor());
    let can_run = allows(actor.as_ref(), Action::RunHealthCheck(w.rel));
    let members = crate::partnerships::store::active_members(w.conn, w.record.partnership_id)?.0;
    let has_errors = !errors.is_empty();
    page(
        RoundPage {
            stage: w.record.stage(today),
            ctx,
            round,
            can_run,
            members,
            roles: StakeholderRole::ALL
                .iter()
                .map(|r| (r.code().to_string(), r.label().to_string()))
                .collect(),
            rows,
            errors: FormErrors(errors),
            notice,
        },
        has_errors,
    )
}

async fn show(visit: Visit<HealthRound>, Query(q): Query<Notice>) -> AppResult<Response> {
    let notice = notice_text(q.notice.as_deref());
    visit
        .page(Action::ViewHealthReport, move |w, ctx| {
            round_page(w, ctx, blank_rows(), Vec::new(), notice)
        })
        .await
}

async fn invite(
    visit: Visit<HealthRound>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |key: String| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let rows: Vec<InviteRow> = (1..=FORM_ROWS)
        .map(|n| InviteRow {
            n,
            email: get(format!("invite{n}_email")),
            organisation: get(format!("invite{n}_organisation")),
            role: get(format!("invite{n}_role")),
        })
        .collect();
    let again_rows = rows.clone();
    let id = visit.id;
    let change = move |w: &mut Work<'_, HealthRound>| {
        let members = crate::partnerships::store::active_members(w.conn, w.record.partnership_id)?;
        let already = invitations::invited_emails(w.conn, w.record.id)?;
        let filled: Vec<&InviteRow> = rows
            .iter()
            .filter(|r| {
                !(r.email.trim().is_empty() && r.organisation.is_empty() && r.role.is_empty())
            })
            .collect();
        let drafts: Vec<InvitationDraft> = filled
            .iter()
            .map(|r| InvitationDraft {
                email: r.email.clone(),
                organisation: r.organisation.clone(),
                role: r.role.clone(),
            })
            .collect();
        let inputs = InvitationInput::parse_all(&drafts, &members, &already, |i| {
            format!("invite{}_", filled[i].n)
        })
        .map_err(|errors| {
            AppError::Invalid(
                errors
                    .into_iter()
                    .map(|e| {
                        if e.field == "invitations" {
                            FieldError::new("invite1_email", e.message)
                        } else {
                            e
                        }
                    })
                    .collect(),
            )
        })?;
        invitations::invite(w, &inputs, today())
    };
    visit
        .submit(
            Action::RunHealthCheck,
            change,
            move |_| format!("/health-checks/{id}?notice=invited"),
            |visit, errors| async move {
                visit
                    .page(Action::RunHealthCheck, move |w, ctx| {
                        round_page(w, ctx, again_rows, errors, None)
                    })
                    .await
            },
        )
        .await
}

async fn remind(visit: Visit<HealthRound>) -> AppResult<Response> {
    let id = visit.id;
    visit
        .then_go(Action::RunHealthCheck, invitations::remind, move |sent| {
            let notice = if sent > 0 {
                "reminded"
            } else {
                "none_to_remind"
            };
            format!("/health-checks/{id}?notice={notice}")
        })
        .await
}

async fn close(visit: Visit<HealthRound>) -> AppResult<Response> {
    let id = visit.id;
    visit
        .then_go(Action::RunHealthCheck, store::close, move |_| {
            format!("/health-checks/{id}?notice=closed")
        })
        .await
}

// ---------------------------------------------------------------- answer page

#[derive(Template)]
#[template(path = "health/answer.html")]
struct AnswerPage {
    ctx: PageCtx,
    token: String,
    invited: answers::Invited,
    factors: Vec<FactorView>,
    scores: HashMap<i64, String>,
    comments: HashMap<i64, String>,
    refused: Option<String>,
    saved: bool,
    errors: FormErrors,
    scale: Vec<(String, &'static str)>,
}

impl AnswerPage {
    pub fn score_of(&self, statement: &i64) -> String {
        self.scores.get(statement).cloned().unwrap_or_default()
    }
    pub fn comment_of(&self, factor: &i64) -> String {
        self.comments.get(factor).cloned().unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
pub struct Saved {
    saved: Option<String>,
}

async fn answer_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
    Query(q): Query<Saved>,
) -> AppResult<Response> {
    let t = token.clone();
    let (invited, factors, (scores, comments)) = state
        .db
        .read(move |c| {
            let invited = answers::find(c, &t)?.ok_or(AppError::NotFound)?;
            let factors = answers::questionnaire(c, &invited)?;
            let own = answers::own(c, invited.invitation_id)?;
            Ok((invited, factors, own))
        })
        .await?;
    let scores = scores
        .into_iter()
        .map(|(k, v)| (k, v.map_or("dont_know".to_string(), |s| s.to_string())))
        .collect();
    draw_answer(
        ctx,
        token,
        invited,
        factors,
        scores,
        comments,
        q.saved.is_some(),
        Vec::new(),
    )
}

fn draw_answer(
    ctx: PageCtx,
    token: String,
    invited: answers::Invited,
    factors: Vec<FactorView>,
    scores: HashMap<i64, String>,
    comments: HashMap<i64, String>,
    saved: bool,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let refused = invited.refused(crate::db::now());
    let has_errors = !errors.is_empty();
    let mut scale: Vec<(String, &'static str)> =
        SCALE.iter().map(|(s, l)| (s.to_string(), *l)).collect();
    scale.push(("dont_know".into(), "Don't know"));
    let response = page(
        AnswerPage {
            ctx,
            token,
            invited,
            factors,
            scores,
            comments,
            refused,
            saved,
            errors: FormErrors(errors),
            scale,
        },
        has_errors,
    )?;
    Ok(response)
}

/// Reads the answer form: `s{statement}` = 1..5 or dont_know, `c{factor}` = text.
fn read_answers(
    fields: &[(String, String)],
    factors: &[FactorView],
) -> (
    HealthResponseDraft,
    HashMap<i64, String>,
    HashMap<i64, String>,
    Vec<FieldError>,
) {
    let mut draft = HealthResponseDraft::default();
    let mut scores = HashMap::new();
    let mut comments = HashMap::new();
    let mut reading = Vec::new();
    let get = |key: String| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().to_string())
    };
    for f in factors {
        for s in &f.statements {
            match get(format!("s{}", s.id)).as_deref() {
                None | Some("") => {}
                Some("dont_know") => {
                    scores.insert(s.id, "dont_know".to_string());
                    draft.answers.push(AnswerDraft {
                        statement_id: s.id,
                        score: None,
                        dont_know: true,
                    });
                }
                Some(v) => match v.parse::<i32>() {
                    Ok(n) if (1..=5).contains(&n) => {
                        scores.insert(s.id, n.to_string());
                        draft.answers.push(AnswerDraft {
                            statement_id: s.id,
                            score: Some(n),
                            dont_know: false,
                        });
                    }
                    _ => reading.push(FieldError::new(
                        &format!("s{}", s.id),
                        "Choose a score from strongly disagree to strongly agree, or don't know",
                    )),
                },
            }
        }
        if let Some(text) = get(format!("c{}", f.id)) {
            comments.insert(f.id, text.clone());
            draft.comments.push(CommentDraft {
                factor_id: f.id,
                text,
            });
        }
    }
    (draft, scores, comments, reading)
}

async fn answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let t = token.clone();
    let outcome = state
        .db
        .write(move |c| {
            let invited = answers::find(c, &t)?.ok_or(AppError::NotFound)?;
            let factors = answers::questionnaire(c, &invited)?;
            let (draft, scores, comments, reading) = read_answers(&fields, &factors);
            if reading.is_empty() {
                let parsed = ResponseInput::parse(&draft, &factors);
                if let Ok(input) = parsed {
                    return match answers::save(c, &invited, &input, crate::db::now()) {
                        Ok(_) => Ok(Ok(())),
                        Err(AppError::Conflict(_)) => {
                            Ok(Err((invited, factors, scores, comments, Vec::new())))
                        }
                        Err(e) => Err(e),
                    };
                }
                let errors = parsed.err().unwrap_or_default();
                let errors = errors
                    .into_iter()
                    .map(|e| FieldError::new("answers", e.message))
                    .collect();
                return Ok(Err((invited, factors, scores, comments, errors)));
            }
            Ok(Err((invited, factors, scores, comments, reading)))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/health/{token}?saved=1")).into_response()),
        Err((invited, factors, scores, comments, errors)) => {
            let closed = errors.is_empty();
            let mut r = draw_answer(
                ctx, token, invited, factors, scores, comments, false, errors,
            )?;
            if closed {
                *r.status_mut() = axum::http::StatusCode::CONFLICT;
            }
            Ok(r)
        }
    }
}
