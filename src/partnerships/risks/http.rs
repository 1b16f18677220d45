//! Risk register pages: the register with exposure and heat map, adding and
//! editing a risk, a risk's page with its reviews, and the CSV export.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::heatmap::HeatMap;
use super::model::*;
use super::store;
use crate::auth::{SessionUser, SignedIn};
use crate::error::{AppError, AppResult, FieldError};
use crate::money::{parse_percent, percent};
use crate::partnerships::http::{load, Header};
use crate::partnerships::model::Partnership;
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::web::{forms, html, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/risks", get(register))
        .route("/partnerships/{id}/risks.csv", get(super::export::csv))
        .route("/partnerships/{id}/risks/new", get(new_page).post(create))
        .route("/partnerships/{id}/risks/{rid}", get(risk_page))
        .route(
            "/partnerships/{id}/risks/{rid}/edit",
            get(edit_page).post(edit),
        )
        .route("/partnerships/{id}/risks/{rid}/reviews", post(add_review))
}

type Active = Vec<(i64, String, String)>;

#[derive(Template)]
#[template(path = "partnerships/risks/register.html")]
struct RegisterPage {
    ctx: PageCtx,
    h: Header,
    risks: Vec<RiskView>,
    exposure: Vec<PartnerRiskExposure>,
    map: HeatMap,
}

impl RegisterPage {
    fn open_count(&self) -> usize {
        self.risks.iter().filter(|r| r.is_open()).count()
    }
}

async fn register(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    let (risks, members) = state
        .db
        .read(move |c| Ok((store::list(c, id)?, store::member_names(c, id)?)))
        .await?;
    let exposure = exposure(&risks, &members);
    let map = HeatMap::new(heat_map(&risks));
    let h = Header::new(p, rel, "risks", ctx.user.as_ref());
    Ok(html(RegisterPage {
        ctx: ctx.with_nav("partnerships"),
        h,
        risks,
        exposure,
        map,
    })?
    .into_response())
}

/// The add/edit form's fields as typed. Shares arrive as `share-<CODE>`.
#[derive(Clone, Debug, Default)]
pub struct RiskForm {
    pub title: String,
    pub description: String,
    pub category: String,
    pub likelihood: String,
    pub impact: String,
    pub owner: String,
    pub mitigation: String,
    pub status: String,
    /// (organisation code, percentage as typed).
    pub shares: Vec<(String, String)>,
}

impl RiskForm {
    pub fn from_pairs(fields: Vec<(String, String)>) -> RiskForm {
        let mut f = RiskForm::default();
        for (key, value) in fields {
            match key.as_str() {
                "title" => f.title = value,
                "description" => f.description = value,
                "category" => f.category = value,
                "likelihood" => f.likelihood = value,
                "impact" => f.impact = value,
                "owner" => f.owner = value,
                "mitigation" => f.mitigation = value,
                "status" => f.status = value,
                _ => {
                    if let Some(code) = key.strip_prefix("share-") {
                        f.shares.push((code.to_string(), value));
                    }
                }
            }
        }
        f
    }

    pub fn from_input(input: &RiskInput) -> RiskForm {
        let number = |n: i32| if n == 0 { String::new() } else { n.to_string() };
        RiskForm {
            title: input.title.clone(),
            description: input.description.clone(),
            category: input.category.clone(),
            likelihood: number(input.likelihood),
            impact: number(input.impact),
            owner: input.owner.clone(),
            mitigation: input.mitigation.clone(),
            status: input.status.clone(),
            shares: input
                .shares
                .iter()
                .map(|(code, bp)| (code.clone(), percent(*bp).trim_end_matches('%').to_string()))
                .collect(),
        }
    }

    /// What was typed for a member's share.
    pub fn share(&self, code: &str) -> String {
        self.shares
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The input, or every problem found at once. A blank share counts as 0%.
    pub fn to_input(&self, active: &[(i64, String, String)]) -> Result<RiskInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut shares = Vec::new();
        for (_, code, name) in active {
            let typed = self.share(code);
            if typed.trim().is_empty() {
                shares.push((code.clone(), 0));
                continue;
            }
            match parse_percent(&typed) {
                Ok(bp) => shares.push((code.clone(), bp)),
                Err(msg) => errors.push(FieldError::new(
                    &format!("share-{code}"),
                    format!("{name}'s share: {msg}"),
                )),
            }
        }
        let int = |v: &str| v.trim().parse::<i32>().unwrap_or(0);
        let input = RiskInput {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            likelihood: int(&self.likelihood),
            impact: int(&self.impact),
            owner: self.owner.clone(),
            mitigation: self.mitigation.clone(),
            status: self.status.clone(),
            shares,
        };
        errors.extend(validate(&input));
        if !input.owner.trim().is_empty()
            && !active
                .iter()
                .any(|(_, c, _)| c.eq_ignore_ascii_case(input.owner.trim()))
        {
            errors.push(FieldError::new(
                "owner",
                "Select a member organisation to own the risk",
            ));
        }
        if errors.iter().all(|e| !e.field.starts_with("share-")) {
            if let Err(e) = check_shares(active, &input.shares) {
                errors.extend(e);
            }
        }
        store::sort_errors(&mut errors);
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "partnerships/risks/form.html")]
struct FormPage {
    ctx: PageCtx,
    h: Header,
    errors: FormErrors,
    form: RiskForm,
    /// None when adding.
    risk: Option<RiskView>,
    active: Active,
    /// The shares shown are the members' agreed cost shares.
    prefilled: bool,
}

impl FormPage {
    fn categories(&self) -> Vec<(&'static str, &'static str)> {
        RiskCategory::options()
    }
    fn likelihoods(&self) -> Vec<(String, String)> {
        likelihood_options()
    }
    fn impacts(&self) -> Vec<(String, String)> {
        impact_options()
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        RiskStatus::options()
    }
    /// Active members, after a blank choice so nobody owns a risk by accident.
    fn owners(&self) -> Vec<(String, String)> {
        std::iter::once((String::new(), "Select an organisation".to_string()))
            .chain(
                self.active
                    .iter()
                    .map(|(_, code, name)| (code.clone(), name.clone())),
            )
            .collect()
    }
    fn share_error(&self, code: &str) -> Option<&str> {
        self.errors.get(&format!("share-{code}"))
    }
    fn has_share_errors(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.field == "shares" || e.field.starts_with("share-"))
    }
    fn action(&self) -> String {
        match &self.risk {
            Some(r) => format!("/partnerships/{}/risks/{}/edit", self.h.p.id, r.id),
            None => format!("/partnerships/{}/risks/new", self.h.p.id),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    ctx: PageCtx,
    p: Partnership,
    rel: Relation,
    errors: Vec<FieldError>,
    form: RiskForm,
    risk: Option<RiskView>,
    active: Active,
    prefilled: bool,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let h = Header::new(p, rel, "risks", ctx.user.as_ref());
    Ok((
        status,
        html(FormPage {
            ctx: ctx.with_nav("partnerships"),
            h,
            errors: FormErrors(errors),
            form,
            risk,
            active,
            prefilled,
        })?,
    )
        .into_response())
}

async fn new_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let (active, defaults) = state
        .db
        .read(move |c| {
            Ok((
                crate::partnerships::store::active_member_orgs(c, id)?,
                store::default_shares(c, id)?,
            ))
        })
        .await?;
    let own = active
        .iter()
        .find(|(org, _, _)| *org == user.organisation_id)
        .map(|(_, code, _)| code.clone())
        .unwrap_or_default();
    let input = RiskInput {
        owner: own,
        status: RiskStatus::Open.code().into(),
        shares: defaults.clone().unwrap_or_default(),
        ..Default::default()
    };
    form_page(
        ctx,
        p,
        rel,
        vec![],
        RiskForm::from_input(&input),
        None,
        active,
        defaults.is_some(),
    )
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let active = state
        .db
        .read(move |c| crate::partnerships::store::active_member_orgs(c, id))
        .await?;
    let form = RiskForm::from_pairs(fields);
    let input = match form.to_input(&active) {
        Ok(i) => i,
        Err(errors) => return form_page(ctx, p, rel, errors, form, None, active, false),
    };
    let (p2, actor) = (p.clone(), user.audit_actor());
    match state
        .db
        .write(move |c| store::create(c, &p2, &input, &actor))
        .await
    {
        Ok(r) => Ok(Redirect::to(&format!("/partnerships/{id}/risks/{}", r.id)).into_response()),
        Err(AppError::Invalid(errors)) => form_page(ctx, p, rel, errors, form, None, active, false),
        Err(e) => Err(e),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, rid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let (risk, active) = state
        .db
        .read(move |c| {
            Ok((
                store::get(c, id, rid)?,
                crate::partnerships::store::active_member_orgs(c, id)?,
            ))
        })
        .await?;
    let form = RiskForm::from_input(&store::input_of(&risk));
    form_page(ctx, p, rel, vec![], form, Some(risk), active, false)
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, rid)): Path<(i64, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let (risk, active) = state
        .db
        .read(move |c| {
            Ok((
                store::get(c, id, rid)?,
                crate::partnerships::store::active_member_orgs(c, id)?,
            ))
        })
        .await?;
    let form = RiskForm::from_pairs(fields);
    let input = match form.to_input(&active) {
        Ok(i) => i,
        Err(errors) => return form_page(ctx, p, rel, errors, form, Some(risk), active, false),
    };
    let (p2, actor) = (p.clone(), user.audit_actor());
    match state
        .db
        .write(move |c| store::update(c, &p2, rid, &input, &actor))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/partnerships/{id}/risks/{rid}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            form_page(ctx, p, rel, errors, form, Some(risk), active, false)
        }
        Err(e) => Err(e),
    }
}

/// The review form's fields as typed.
#[derive(Deserialize, Clone, Debug, Default)]
pub struct ReviewForm {
    #[serde(default)]
    pub reviewed_on_day: String,
    #[serde(default)]
    pub reviewed_on_month: String,
    #[serde(default)]
    pub reviewed_on_year: String,
    #[serde(default)]
    pub likelihood: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
}

impl ReviewForm {
    fn to_input(&self, today: chrono::NaiveDate) -> Result<ReviewInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let reviewed_on = forms::required_date(
            "reviewed_on",
            "Date of the review",
            &self.reviewed_on_day,
            &self.reviewed_on_month,
            &self.reviewed_on_year,
        )
        .map_err(|e| errors.push(e))
        .ok();
        let int = |v: &str| v.trim().parse::<i32>().unwrap_or(0);
        let input = ReviewInput {
            reviewed_on,
            likelihood: int(&self.likelihood),
            impact: int(&self.impact),
            status: self.status.clone(),
            note: self.note.clone(),
        };
        for e in validate_review(&input, today) {
            if !errors.iter().any(|x: &FieldError| x.field == e.field) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "partnerships/risks/risk.html")]
struct RiskPage {
    ctx: PageCtx,
    h: Header,
    d: RiskDetail,
    errors: FormErrors,
    review: ReviewForm,
}

impl RiskPage {
    fn likelihoods(&self) -> Vec<(String, String)> {
        likelihood_options()
    }
    fn impacts(&self) -> Vec<(String, String)> {
        impact_options()
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        RiskStatus::options()
    }
    /// A share's part of the risk's score (0 once the risk is closed).
    fn contribution(&self, s: &RiskShare) -> String {
        if self.d.risk.is_open() {
            exposure_label(i64::from(self.d.risk.score) * i64::from(s.share_bp))
        } else {
            "0.00".into()
        }
    }
}

async fn render_risk(
    state: &AppState,
    ctx: PageCtx,
    user: Option<&SessionUser>,
    id: i64,
    rid: i64,
    errors: Vec<FieldError>,
    review: Option<ReviewForm>,
) -> AppResult<Response> {
    let (p, rel) = load(state, user, id, Action::ViewPartnership).await?;
    let d = state.db.read(move |c| store::detail(c, id, rid)).await?;
    let review = review.unwrap_or_else(|| ReviewForm {
        likelihood: d.risk.likelihood.to_string(),
        impact: d.risk.impact.to_string(),
        status: d.risk.status.code().into(),
        ..Default::default()
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let h = Header::new(p, rel, "risks", ctx.user.as_ref());
    Ok((
        status,
        html(RiskPage {
            ctx: ctx.with_nav("partnerships"),
            h,
            d,
            errors: FormErrors(errors),
            review,
        })?,
    )
        .into_response())
}

async fn risk_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, rid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    render_risk(&state, ctx, user.as_ref(), id, rid, vec![], None).await
}

async fn add_review(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, rid)): Path<(i64, i64)>,
    Form(form): Form<ReviewForm>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let today = chrono::Utc::now().date_naive();
    let result = match form.to_input(today) {
        Ok(input) => {
            let (user_id, actor) = (user.id, user.audit_actor());
            state
                .db
                .write(move |c| store::review(c, &p, rid, &input, Some(user_id), &actor, today))
                .await
                .map(|_| ())
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}/risks/{rid}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_risk(&state, ctx, Some(&user), id, rid, errors, Some(form)).await
        }
        Err(e) => Err(e),
    }
}

/// A CSV download's headers.
pub fn attachment(filename: &str) -> [(header::HeaderName, String); 2] {
    [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ),
    ]
}
