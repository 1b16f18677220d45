//! Partnership pages: create, overview, edit, members and history. The
//! sections (objectives, risks, ledger, reviews, SWOT) have their own modules.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::access;
use super::members::{self, InviteInput, MemberUpdate};
use super::model::*;
use super::store;
use crate::audit::AuditEntry;
use crate::auth::{SessionUser, SignedIn};
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::{allows, Action, Relation};
use crate::state::AppState;
use crate::web::{forms, html, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/new", get(new_page).post(create))
        .route("/partnerships/{id}", get(overview))
        .route("/partnerships/{id}/edit", get(edit_page).post(edit))
        .route("/partnerships/{id}/members", get(members_page).post(invite))
        .route("/partnerships/{id}/members/{member}", post(update_member))
        .route(
            "/partnerships/{id}/members/{member}/remove",
            post(remove_member),
        )
        .route("/partnerships/{id}/cost-shares", post(cost_shares))
        .route("/partnerships/{id}/respond", post(respond))
        .route("/partnerships/{id}/history", get(history))
}

/// What every partnership page's header and section navigation needs.
#[derive(Clone, Debug)]
pub struct Header {
    pub p: Partnership,
    pub rel: Relation,
    pub section: &'static str,
    pub can_edit: bool,
    pub can_manage: bool,
    pub can_respond: bool,
}

pub const SECTIONS: &[(&str, &str, &str)] = &[
    ("overview", "", "Overview"),
    ("members", "/members", "Members"),
    ("objectives", "/objectives", "Objectives"),
    ("governance", "/governance", "Governance"),
    ("risks", "/risks", "Risks"),
    ("ledger", "/ledger", "Costs and benefits"),
    ("reviews", "/reviews", "Reviews"),
    ("swot", "/swot", "SWOT"),
    ("history", "/history", "History"),
];

impl Header {
    pub fn new(
        p: Partnership,
        rel: Relation,
        section: &'static str,
        user: Option<&SessionUser>,
    ) -> Header {
        let actor = user.map(|u| u.actor());
        Header {
            can_edit: allows(actor.as_ref(), Action::EditPartnership(rel)),
            can_manage: allows(actor.as_ref(), Action::ManageMembership(rel)),
            can_respond: allows(actor.as_ref(), Action::RespondToInvitation(rel)),
            p,
            rel,
            section,
        }
    }
}

/// Loads a partnership for a page: not found unless visible, forbidden
/// unless `action` is allowed.
pub async fn load(
    state: &AppState,
    user: Option<&SessionUser>,
    id: i64,
    action: fn(Relation) -> Action,
) -> AppResult<(Partnership, Relation)> {
    let actor = user.map(|u| u.actor());
    state
        .db
        .read(move |c| access::load_for(c, id, actor.as_ref(), action))
        .await
}

/// The form fields for a partnership, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct PartnershipForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub degree: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub visibility: String,
    #[serde(default)]
    pub start_date_day: String,
    #[serde(default)]
    pub start_date_month: String,
    #[serde(default)]
    pub start_date_year: String,
    #[serde(default)]
    pub end_date_day: String,
    #[serde(default)]
    pub end_date_month: String,
    #[serde(default)]
    pub end_date_year: String,
    #[serde(default)]
    pub services: String,
    #[serde(default)]
    pub decision_body: String,
    #[serde(default)]
    pub decision_rule: String,
    #[serde(default)]
    pub meeting_cadence: String,
    #[serde(default)]
    pub review_cadence_months: String,
    #[serde(default)]
    pub exit_plan: String,
}

impl PartnershipForm {
    pub fn from_input(input: &PartnershipInput) -> Self {
        let (sd, sm, sy) = forms::date_parts(input.start_date);
        let (ed, em, ey) = forms::date_parts(input.end_date);
        PartnershipForm {
            name: input.name.clone(),
            purpose: input.purpose.clone(),
            kind: input.kind.clone(),
            degree: input.degree.clone(),
            stage: input.stage.to_string(),
            status: input.status.clone(),
            visibility: input.visibility.clone(),
            start_date_day: sd,
            start_date_month: sm,
            start_date_year: sy,
            end_date_day: ed,
            end_date_month: em,
            end_date_year: ey,
            services: input
                .services
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            decision_body: input.decision_body.clone(),
            decision_rule: input.decision_rule.clone(),
            meeting_cadence: input.meeting_cadence.clone(),
            review_cadence_months: input
                .review_cadence_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            exit_plan: input.exit_plan.clone(),
        }
    }

    /// The input, or every problem found (typing errors and rule errors together).
    pub fn to_input(&self) -> Result<PartnershipInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let start_date = forms::date(
            "start_date",
            "Start date",
            &self.start_date_day,
            &self.start_date_month,
            &self.start_date_year,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let end_date = forms::date(
            "end_date",
            "End date",
            &self.end_date_day,
            &self.end_date_month,
            &self.end_date_year,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let services = forms::id_list("services", &self.services).unwrap_or_else(|e| {
            errors.push(e);
            vec![]
        });
        let review_cadence_months = forms::optional_int(
            "review_cadence_months",
            "Review cadence",
            &self.review_cadence_months,
            1,
            60,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let input = PartnershipInput {
            name: self.name.clone(),
            purpose: self.purpose.clone(),
            kind: self.kind.clone(),
            degree: self.degree.clone(),
            stage: self.stage.trim().parse().unwrap_or(0),
            status: self.status.clone(),
            visibility: self.visibility.clone(),
            start_date,
            end_date,
            services,
            decision_body: self.decision_body.clone(),
            decision_rule: self.decision_rule.clone(),
            meeting_cadence: self.meeting_cadence.clone(),
            review_cadence_months: review_cadence_months.map(|m| m as i32),
            exit_plan: self.exit_plan.clone(),
        };
        for e in store::validate(&input) {
            if !errors.iter().any(|x: &FieldError| x.field == e.field) {
                errors.push(e);
            }
        }
        // Show errors in the order the fields appear on the form.
        let order = [
            "name",
            "purpose",
            "kind",
            "degree",
            "stage",
            "status",
            "visibility",
            "start_date",
            "end_date",
            "services",
            "decision_body",
            "decision_rule",
            "meeting_cadence",
            "review_cadence_months",
            "exit_plan",
        ];
        errors.sort_by_key(|e| {
            order
                .iter()
                .position(|f| *f == e.field)
                .unwrap_or(order.len())
        });
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "partnerships/form.html")]
struct FormPage {
    ctx: PageCtx,
    errors: FormErrors,
    form: PartnershipForm,
    /// None when creating.
    p: Option<Partnership>,
    lead_name: String,
}

impl FormPage {}

async fn new_page(ctx: PageCtx, SignedIn(user): SignedIn) -> AppResult<Response> {
    crate::policy::authorize(Some(&user.actor()), Action::CreatePartnership)?;
    let form = PartnershipForm {
        stage: "1".into(),
        status: Status::Proposed.code().into(),
        visibility: Visibility::Partners.code().into(),
        ..Default::default()
    };
    let lead_name = user.organisation_name.clone();
    Ok(html(FormPage {
        ctx: ctx.with_nav("partnerships"),
        errors: FormErrors::default(),
        form,
        p: None,
        lead_name,
    })?
    .into_response())
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Form(form): Form<PartnershipForm>,
) -> AppResult<Response> {
    crate::policy::authorize(Some(&user.actor()), Action::CreatePartnership)?;
    let lead_name = user.organisation_name.clone();
    let invalid =
        |errors: Vec<FieldError>, form: PartnershipForm, ctx: PageCtx| -> AppResult<Response> {
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                html(FormPage {
                    ctx: ctx.with_nav("partnerships"),
                    errors: FormErrors(errors),
                    form,
                    p: None,
                    lead_name: lead_name.clone(),
                })?,
            )
                .into_response())
        };
    let input = match form.to_input() {
        Ok(i) => i,
        Err(errors) => return invalid(errors, form, ctx),
    };
    let (org_id, user_id, actor) = (user.organisation_id, user.id, user.audit_actor());
    let result = state
        .db
        .write(move |c| {
            let lead = crate::orgs::store::find_by_id(c, org_id)?;
            store::create(c, &input, &lead, Some(user_id), &actor)
        })
        .await;
    match result {
        Ok(p) => Ok(Redirect::to(&format!("/partnerships/{}", p.id)).into_response()),
        Err(AppError::Invalid(errors)) => invalid(errors, form, ctx),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "partnerships/overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    h: Header,
    members: Vec<MemberView>,
    services: Vec<crate::lgsl::store::Service>,
    summary: super::summary::Summary,
    today: chrono::NaiveDate,
}

async fn overview(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    let (p, rel) = load(&state, user.as_ref(), id, Action::ViewPartnership).await?;
    let pid = p.id;
    let (members, services, summary) = state
        .db
        .read(move |c| {
            Ok((
                store::members(c, pid)?,
                store::services_of(c, pid)?,
                super::summary::for_partnership(c, pid)?,
            ))
        })
        .await?;
    let h = Header::new(p, rel, "overview", user.as_ref());
    Ok(html(OverviewPage {
        ctx: ctx.with_nav("partnerships"),
        h,
        members,
        services,
        summary,
        today: chrono::Utc::now().date_naive(),
    })?
    .into_response())
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let p2 = p.clone();
    let input = state.db.read(move |c| store::input_of(c, &p2)).await?;
    let page = FormPage {
        ctx: ctx.with_nav("partnerships"),
        errors: FormErrors::default(),
        form: PartnershipForm::from_input(&input),
        p: Some(p),
        lead_name: String::new(),
    };
    Ok(html(page)?.into_response())
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<PartnershipForm>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let invalid =
        |errors: Vec<FieldError>, form: PartnershipForm, p: Partnership| -> AppResult<Response> {
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                html(FormPage {
                    ctx: ctx.clone().with_nav("partnerships"),
                    errors: FormErrors(errors),
                    form,
                    p: Some(p),
                    lead_name: String::new(),
                })?,
            )
                .into_response())
        };
    let input = match form.to_input() {
        Ok(i) => i,
        Err(errors) => return invalid(errors, form, p),
    };
    let (p2, actor) = (p.clone(), user.audit_actor());
    match state
        .db
        .write(move |c| store::update(c, &p2, &input, &actor))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/partnerships/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => invalid(errors, form, p),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "partnerships/members.html")]
struct MembersPage {
    ctx: PageCtx,
    h: Header,
    members: Vec<MemberView>,
    errors: FormErrors,
    invite: InviteInput,
    calculator: Option<super::calculator::Calculation>,
    calculator_form: super::calculator::CalculatorForm,
}

impl MembersPage {
    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        MemberRole::options()
    }
    fn active(&self) -> Vec<&MemberView> {
        self.members.iter().filter(|m| m.is_active()).collect()
    }
    fn share_value(&self, m: &MemberView) -> String {
        m.cost_share_bp
            .map(|bp| crate::money::percent(bp).trim_end_matches('%').to_string())
            .unwrap_or_default()
    }
}

pub(super) async fn render_members(
    state: &AppState,
    ctx: PageCtx,
    p: Partnership,
    rel: Relation,
    errors: FormErrors,
    invite: InviteInput,
    calculator: Option<super::calculator::Calculation>,
    calculator_form: super::calculator::CalculatorForm,
) -> AppResult<Response> {
    let pid = p.id;
    let members = state.db.read(move |c| store::members(c, pid)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let h = Header::new(p, rel, "members", ctx.user.as_ref());
    Ok((
        status,
        html(MembersPage {
            ctx: ctx.with_nav("partnerships"),
            h,
            members,
            errors,
            invite,
            calculator,
            calculator_form,
        })?,
    )
        .into_response())
}

async fn members_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    let invite = InviteInput {
        role: MemberRole::Partner.code().into(),
        ..Default::default()
    };
    render_members(
        &state,
        ctx,
        p,
        rel,
        FormErrors::default(),
        invite,
        None,
        Default::default(),
    )
    .await
}

async fn invite(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<InviteInput>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::ManageMembership).await?;
    let (p2, f, actor) = (p.clone(), form.clone(), user.audit_actor());
    match state
        .db
        .write(move |c| members::invite(c, &p2, &f, &actor))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}/members")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_members(
                &state,
                ctx,
                p,
                rel,
                FormErrors(errors),
                form,
                None,
                Default::default(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn update_member(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, member)): Path<(i64, i64)>,
    Form(form): Form<MemberUpdate>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::ManageMembership).await?;
    let (p2, actor) = (p.clone(), user.audit_actor());
    match state
        .db
        .write(move |c| members::update(c, &p2, member, &form, &actor))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}/members")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_members(
                &state,
                ctx,
                p,
                rel,
                FormErrors(errors),
                InviteInput::default(),
                None,
                Default::default(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn remove_member(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, member)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::ManageMembership).await?;
    let (p2, actor) = (p.clone(), user.audit_actor());
    match state
        .db
        .write(move |c| members::remove(c, &p2, member, &actor))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}/members")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_members(
                &state,
                ctx,
                p,
                rel,
                FormErrors(errors),
                InviteInput::default(),
                None,
                Default::default(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn cost_shares(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::ManageMembership).await?;
    let mut shares = Vec::new();
    let mut errors = FormErrors::default();
    for (key, value) in &fields {
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
                Err(msg) => errors.push(key, msg),
            }
        }
    }
    if errors.is_empty() {
        let (p2, actor) = (p.clone(), user.audit_actor());
        match state
            .db
            .write(move |c| members::set_cost_shares(c, &p2, &shares, &actor))
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/partnerships/{id}/members")).into_response())
            }
            Err(AppError::Invalid(e)) => errors = FormErrors(e),
            Err(e) => return Err(e),
        }
    }
    render_members(
        &state,
        ctx,
        p,
        rel,
        errors,
        InviteInput::default(),
        None,
        Default::default(),
    )
    .await
}

#[derive(Deserialize)]
struct RespondForm {
    answer: String,
}

async fn respond(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<RespondForm>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::RespondToInvitation).await?;
    let accept = match form.answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::BadRequest("Choose accept or decline.".into())),
    };
    let (org, actor) = (user.organisation_id, user.audit_actor());
    state
        .db
        .write(move |c| members::respond(c, &p, org, accept, &actor))
        .await?;
    // After declining a partners-only partnership there is nothing left to see.
    Ok(Redirect::to(
        if accept {
            format!("/partnerships/{id}")
        } else {
            "/partnerships".to_string()
        }
        .as_str(),
    )
    .into_response())
}

#[derive(Template)]
#[template(path = "partnerships/history.html")]
struct HistoryPage {
    ctx: PageCtx,
    h: Header,
    entries: Vec<AuditEntry>,
}

async fn history(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    let entries = state
        .db
        .read(move |c| super::summary::history(c, id, 200))
        .await?;
    let h = Header::new(p, rel, "history", ctx.user.as_ref());
    Ok(html(HistoryPage {
        ctx: ctx.with_nav("partnerships"),
        h,
        entries,
    })?
    .into_response())
}
