//! Strategy pages: the strategy (its own people), the form to write it (its
//! admins), the strategy review, and one partnership against its
//! organisations' strategies.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::model::*;
use super::store::{self, PartnershipStanding, StrategyReview, StrategyView, Version};
use crate::auth::SessionUser;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::model::Partnership;
use crate::policy::{allows, authorize, Action};
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organisations/{code}/strategy", get(show))
        .route(
            "/organisations/{code}/strategy/edit",
            get(edit_page).post(edit),
        )
        .route("/organisations/{code}/strategy/review", get(review))
        .route("/partnerships/{id}/strategy", get(partnership))
}

type Org = (i64, String, String);

/// The organisation (404 if unknown), then whether the caller may do
/// `action` for it: 401 when signed out, 403 when not allowed.
async fn organisation_for(
    state: &AppState,
    ctx: &PageCtx,
    code: String,
    action: fn(i64) -> Action,
) -> AppResult<Org> {
    let org = state
        .db
        .read(move |c| store::organisation(c, &code))
        .await?;
    authorize(
        ctx.user.as_ref().map(SessionUser::actor).as_ref(),
        action(org.0),
    )?;
    Ok(org)
}

fn view_action(organisation_id: i64) -> Action {
    Action::ViewCollaborationStrategy { organisation_id }
}

fn set_action(organisation_id: i64) -> Action {
    Action::SetCollaborationStrategy { organisation_id }
}

#[derive(Template)]
#[template(path = "strategy/show.html")]
struct ShowPage {
    ctx: PageCtx,
    strategy: StrategyView,
    versions: Vec<Version>,
    can_edit: bool,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let org = organisation_for(&state, &ctx, code, view_action).await?;
    let can_edit = allows(
        ctx.user.as_ref().map(SessionUser::actor).as_ref(),
        set_action(org.0),
    );
    let (strategy, versions) = state
        .db
        .read(move |c| Ok((store::current(c, &org)?, store::versions(c, org.0)?)))
        .await?;
    let notice = (q.done.as_deref() == Some("saved")).then_some("Strategy saved");
    page(
        ShowPage {
            ctx: ctx.with_nav("organisations"),
            strategy,
            versions,
            can_edit,
            notice,
        },
        false,
    )
}

/// The strategy form's fields, as typed.
#[derive(Clone, Debug, Default)]
pub struct StrategyForm {
    pub outcomes: String,
    /// The criterion kinds ticked.
    pub ticked: Vec<String>,
    /// The numbers typed, by criterion kind.
    pub thresholds: Vec<(String, String)>,
}

impl StrategyForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> StrategyForm {
        let mut form = StrategyForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "outcomes" => form.outcomes = v,
                "criteria" => form.ticked.push(v),
                k if CriterionKind::parse(k).is_some() => form.thresholds.push((k.to_string(), v)),
                _ => {}
            }
        }
        form
    }

    fn from_view(v: &StrategyView) -> StrategyForm {
        StrategyForm {
            outcomes: v.outcomes.clone(),
            ticked: v
                .criteria
                .iter()
                .map(|c| c.kind.code().to_string())
                .collect(),
            thresholds: v
                .criteria
                .iter()
                .filter_map(|c| c.threshold.map(|t| (c.kind.code().to_string(), number(t))))
                .collect(),
        }
    }

    pub fn is_ticked(&self, kind: &CriterionKind) -> bool {
        self.ticked.iter().any(|t| t == kind.code())
    }

    pub fn value(&self, kind: &CriterionKind) -> &str {
        self.thresholds
            .iter()
            .find(|(k, _)| k == kind.code())
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// What could be read (a number that is not a number is a reading error).
    fn to_draft(&self) -> (StrategyDraft, Vec<FieldError>) {
        let mut reading = Vec::new();
        let mut criteria = Vec::new();
        for kind in CriterionKind::ALL.iter().filter(|k| self.is_ticked(k)) {
            let typed = self.value(kind).trim();
            let threshold = match kind.threshold_label() {
                Some(_) if !typed.is_empty() => forms::keep(
                    &mut reading,
                    forms::number(kind.code(), kind.label(), typed),
                ),
                _ => None,
            };
            criteria.push(CriterionDraft {
                kind: kind.code().to_string(),
                threshold,
            });
        }
        // Kinds not offered by the form (typed by hand) are refused by the rules.
        for t in &self.ticked {
            if CriterionKind::parse(t).is_none() {
                criteria.push(CriterionDraft {
                    kind: t.clone(),
                    threshold: None,
                });
            }
        }
        (
            StrategyDraft {
                outcomes: self.outcomes.clone(),
                criteria,
            },
            reading,
        )
    }

    fn check(&self) -> Result<StrategyInput, Vec<FieldError>> {
        let (draft, reading) = self.to_draft();
        forms::checked(reading, StrategyInput::parse(&draft), &FIELD_ORDER)
    }
}

#[derive(Template)]
#[template(path = "strategy/form.html")]
struct FormPage {
    ctx: PageCtx,
    organisation: String,
    organisation_name: String,
    form: StrategyForm,
    errors: FormErrors,
}

impl FormPage {
    fn kinds(&self) -> &'static [CriterionKind] {
        CriterionKind::ALL
    }
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let org = organisation_for(&state, &ctx, code, set_action).await?;
    let strategy = state.db.read(move |c| store::current(c, &org)).await?;
    form_page(ctx, &strategy, StrategyForm::from_view(&strategy), vec![])
}

fn form_page(
    ctx: PageCtx,
    strategy: &StrategyView,
    form: StrategyForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let invalid = !errors.is_empty();
    page(
        FormPage {
            ctx: ctx.with_nav("organisations"),
            organisation: strategy.organisation.clone(),
            organisation_name: strategy.organisation_name.clone(),
            form,
            errors: FormErrors(errors),
        },
        invalid,
    )
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let org = organisation_for(&state, &ctx, code, set_action).await?;
    let user = ctx.user.clone().ok_or(AppError::Unauthenticated)?;
    let form = StrategyForm::from_pairs(pairs);
    let checked = form.check();
    let o = org.clone();
    let saved = state
        .db
        .write(move |c| {
            let input = checked.map_err(AppError::Invalid)?;
            store::save(c, &user, &o, &input)
        })
        .await;
    match saved {
        Ok(s) => Ok(Redirect::to(&format!(
            "/organisations/{}/strategy?done=saved",
            s.organisation
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let strategy = state.db.read(move |c| store::current(c, &org)).await?;
            form_page(ctx, &strategy, form, errors)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "strategy/review.html")]
struct ReviewPage {
    ctx: PageCtx,
    review: StrategyReview,
    can_edit: bool,
}

impl ReviewPage {
    fn with_gaps(&self) -> usize {
        self.review
            .partnerships
            .iter()
            .filter(|p| p.not_met + p.not_known > 0)
            .count()
    }
}

async fn review(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let org = organisation_for(&state, &ctx, code, view_action).await?;
    let can_edit = allows(
        ctx.user.as_ref().map(SessionUser::actor).as_ref(),
        set_action(org.0),
    );
    let review = state
        .db
        .read(move |c| store::review(c, &org, store::today()))
        .await?;
    page(
        ReviewPage {
            ctx: ctx.with_nav("organisations"),
            review,
            can_edit,
        },
        false,
    )
}

#[derive(Template)]
#[template(path = "strategy/partnership.html")]
struct PartnershipPage {
    ctx: PageCtx,
    h: Header,
    standings: Vec<(StrategyView, PartnershipStanding)>,
    /// The viewer's own organisation is a member without a strategy yet.
    own_code: Option<String>,
}

/// One partnership against the strategies of its organisations the reader
/// may see: what a renewal asks to be checked.
async fn partnership(visit: Visit<Partnership>) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, |w, ctx| {
            let viewer = w.person().map(SessionUser::actor);
            let standings =
                store::for_partnership(w.conn, w.record.id, viewer.as_ref(), store::today())?;
            let own_code = match (&ctx.user, w.rel.role) {
                (Some(u), Some(_))
                    if !standings
                        .iter()
                        .any(|(s, _)| s.organisation == u.organisation_code) =>
                {
                    Some(u.organisation_code.clone())
                }
                _ => None,
            };
            page(
                PartnershipPage {
                    h: Header::of(w, "strategy"),
                    ctx: ctx.with_nav("partnerships"),
                    standings,
                    own_code,
                },
                false,
            )
        })
        .await
}
