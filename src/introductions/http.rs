//! Introductions pages: the caller's introductions, proposing one (brokers),
//! one introduction with its answer and conversion forms, the broker
//! dashboard, and the platform admins' list of brokers.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::access;
use super::dashboard::{self, BrokerDashboard};
use super::model::*;
use super::store::{self, Broker};
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::{allows, authorize, Action};
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{page, page_number, FormErrors, PageCtx, Pagination};
use crate::work::{self, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/introductions", get(index))
        .route("/introductions/new", get(new_page).post(create))
        .route("/introductions/dashboard", get(dashboard_page))
        .route("/introductions/{id}", get(show))
        .route("/introductions/{id}/respond", post(respond))
        .route("/introductions/{id}/convert", post(convert))
        .route("/admin/brokers", get(brokers_page).post(grant))
        .route("/admin/brokers/{code}/remove", post(revoke))
}

const PER_PAGE: i64 = 25;

#[derive(Template)]
#[template(path = "introductions/index.html")]
struct IndexPage {
    ctx: PageCtx,
    introductions: Vec<IntroductionView>,
    pagination: Pagination,
    is_broker: bool,
    own_code: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    page: Option<String>,
}

async fn index(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let number = page_number(q.page.as_deref());
    let actor = user.actor();
    let org = user.organisation_id;
    let ((introductions, total), is_broker) = state
        .db
        .read(move |c| {
            Ok((
                store::list(c, &actor, (number - 1) * PER_PAGE, PER_PAGE)?,
                store::is_broker(c, org)?,
            ))
        })
        .await?;
    page(
        IndexPage {
            ctx,
            pagination: Pagination::new("/introductions", &[], number, PER_PAGE, total),
            introductions,
            is_broker,
            own_code: user.organisation_code,
        },
        false,
    )
}

/// The proposal form's fields, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ProposalForm {
    /// One organisation a line, by code or name.
    pub parties: String,
    pub note: String,
    pub need_id: String,
}

impl ProposalForm {
    /// The draft, or what could not be read.
    fn draft(&self) -> Result<IntroductionDraft, FieldError> {
        let need = self.need_id.trim();
        let need_id = if need.is_empty() {
            None
        } else {
            Some(need.parse::<i64>().map_err(|_| {
                FieldError::new(
                    "need_id",
                    "Enter the need's number, like 12, or leave it empty",
                )
            })?)
        };
        Ok(IntroductionDraft {
            parties: self.parties.lines().map(str::to_string).collect(),
            note: self.note.clone(),
            need_id,
        })
    }
}

#[derive(Template)]
#[template(path = "introductions/new.html")]
struct NewPage {
    ctx: PageCtx,
    errors: FormErrors,
    form: ProposalForm,
}

fn new_form(ctx: PageCtx, errors: Vec<FieldError>, form: ProposalForm) -> AppResult<Response> {
    let invalid = !errors.is_empty();
    page(
        NewPage {
            ctx,
            errors: FormErrors(errors),
            form,
        },
        invalid,
    )
}

/// May this person propose? Asked of the policy with whether their
/// organisation is a broker now.
async fn may_propose(state: &AppState, user: &crate::auth::SessionUser) -> AppResult<()> {
    let org = user.organisation_id;
    let broker = state.db.read(move |c| store::is_broker(c, org)).await?;
    authorize(Some(&user.actor()), Action::ProposeIntroduction { broker })
}

async fn new_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<NeedQuery>,
) -> AppResult<Response> {
    may_propose(&state, &user).await?;
    let form = ProposalForm {
        need_id: q.need.unwrap_or_default(),
        ..Default::default()
    };
    new_form(ctx, vec![], form)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NeedQuery {
    /// A need to start from (a link from a need's page).
    need: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<ProposalForm>,
) -> AppResult<Response> {
    let user = ctx.user.clone().ok_or(AppError::Unauthenticated)?;
    may_propose(&state, &user).await?;
    let draft = match form.draft() {
        Ok(draft) => draft,
        Err(e) => {
            // Report every other problem along with the one that could not be read.
            let mut errors = vec![e];
            let rest = IntroductionDraft {
                parties: form.parties.lines().map(str::to_string).collect(),
                note: form.note.clone(),
                need_id: None,
            };
            let u = user.clone();
            if let Err(AppError::Invalid(more)) =
                state.db.read(move |c| store::check(c, &u, &rest)).await
            {
                errors.extend(more);
            }
            crate::web::forms::in_field_order(&mut errors, &FIELD_ORDER);
            return new_form(ctx, errors, form);
        }
    };
    let result = state
        .db
        .write(move |c| store::propose(c, &user, &draft))
        .await;
    crate::web::submitted(
        result,
        |i| format!("/introductions/{}?done=proposed", i.id),
        |errors| async { new_form(ctx, errors, form) },
    )
    .await
}

/// The answer and conversion forms' fields, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ActionForm {
    pub answer: String,
    pub reason: String,
    pub into: String,
    pub lead: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "introductions/show.html")]
struct ShowPage {
    ctx: PageCtx,
    view: IntroductionView,
    own_code: String,
    can_respond: bool,
    can_convert: bool,
    /// The caller's organisation is among those introduced.
    is_party: bool,
    errors: FormErrors,
    form: ActionForm,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "proposed" => "Introduction proposed. The organisations' people have been told.",
            "accepted" => "You accepted the introduction for your organisation.",
            "declined" => "You declined the introduction for your organisation.",
            "converted" => "The introduction has been converted.",
            _ => return None,
        }
        .to_string(),
    )
}

fn show_page(
    w: &mut Work<'_, Introduction>,
    ctx: PageCtx,
    errors: Vec<FieldError>,
    form: ActionForm,
    notice: Option<String>,
) -> AppResult<Response> {
    let user = w.user()?.clone();
    let actor = user.actor();
    let view = store::view(w.conn, &w.record, Some(&actor))?;
    let own_pending = view
        .party_of(&user.organisation_code)
        .is_some_and(|p| p.status == PartyStatus::Pending);
    let invalid = !errors.is_empty();
    page(
        ShowPage {
            can_respond: view.status == IntroductionStatus::Proposed
                && own_pending
                && allows(Some(&actor), access::respond(w.rel)),
            can_convert: view.status == IntroductionStatus::Accepted
                && allows(Some(&actor), access::convert(w.rel)),
            is_party: access::is_party_rel(w.rel),
            own_code: user.organisation_code,
            ctx,
            view,
            errors: FormErrors(errors),
            form,
            notice,
        },
        invalid,
    )
}

async fn show(visit: Visit<Introduction>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let notice = notice(q.done.as_deref());
    visit
        .page(access::view, move |w, ctx| {
            show_page(w, ctx, vec![], ActionForm::default(), notice)
        })
        .await
}

async fn again(
    visit: Visit<Introduction>,
    errors: Vec<FieldError>,
    form: ActionForm,
) -> AppResult<Response> {
    visit
        .page(access::view, move |w, ctx| {
            show_page(w, ctx, errors, form, None)
        })
        .await
}

async fn respond(visit: Visit<Introduction>, Form(form): Form<ActionForm>) -> AppResult<Response> {
    let id = visit.id;
    let draft = ResponseDraft {
        answer: form.answer.clone(),
        reason: form.reason.clone(),
    };
    let change = move |w: &mut Work<'_, Introduction>| {
        let input = ResponseInput::parse(&draft).map_err(AppError::Invalid)?;
        store::respond(w, &input)?;
        Ok(input.accept)
    };
    let to = move |accepted: bool| {
        let done = if accepted { "accepted" } else { "declined" };
        format!("/introductions/{id}?done={done}")
    };
    visit
        .submit(access::respond, change, to, |v, e| again(v, e, form))
        .await
}

async fn convert(visit: Visit<Introduction>, Form(form): Form<ActionForm>) -> AppResult<Response> {
    let id = visit.id;
    let draft = ConversionDraft {
        into: form.into.clone(),
        lead: Some(form.lead.clone()),
        name: Some(form.name.clone()),
    };
    let change = move |w: &mut Work<'_, Introduction>| store::convert(w, &draft);
    let to = move |_| format!("/introductions/{id}?done=converted");
    visit
        .submit(access::convert, change, to, |v, e| again(v, e, form))
        .await
}

#[derive(Template)]
#[template(path = "introductions/dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    d: BrokerDashboard,
    chart: Option<String>,
    /// Platform admins outside the broker see counts, not introductions.
    counts_only: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DashboardQuery {
    broker: Option<String>,
}

async fn dashboard_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let u = user.clone();
    let d = state
        .db
        .read(move |c| dashboard::for_caller(c, &u, q.broker.as_deref()))
        .await?;
    let counts_only = d.broker.code != user.organisation_code;
    page(
        DashboardPage {
            chart: dashboard::svg(&d.months),
            ctx,
            d,
            counts_only,
        },
        false,
    )
}

#[derive(Template)]
#[template(path = "admin/brokers.html")]
struct BrokersPage {
    ctx: PageCtx,
    brokers: Vec<Broker>,
    errors: FormErrors,
    code: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BrokersQuery {
    done: Option<String>,
    code: Option<String>,
}

async fn brokers_list(
    state: &AppState,
    ctx: PageCtx,
    errors: Vec<FieldError>,
    code: String,
    notice: Option<String>,
) -> AppResult<Response> {
    let brokers = state.db.read(store::brokers).await?;
    let invalid = !errors.is_empty();
    page(
        BrokersPage {
            ctx: ctx.with_nav("admin"),
            brokers,
            errors: FormErrors(errors),
            code,
            notice,
        },
        invalid,
    )
}

async fn brokers_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<BrokersQuery>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::AdministerPlatform)?;
    let code = q.code.unwrap_or_default();
    let notice = match q.done.as_deref() {
        Some("added") => Some(format!("{code} is now a broker.")),
        Some("removed") => Some(format!("{code} is no longer a broker.")),
        _ => None,
    };
    brokers_list(&state, ctx, vec![], String::new(), notice).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct BrokerForm {
    code: String,
}

async fn grant(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<BrokerForm>,
) -> AppResult<Response> {
    let typed = form.code.clone();
    let result = work::unscoped(
        &state.db,
        ctx.user.as_ref(),
        Action::AdministerPlatform,
        move |c, user| {
            let org = match store::find_organisation(c, &typed)? {
                Some((id, _, true)) => crate::orgs::store::find_by_id(c, id)?,
                Some((_, name, false)) => {
                    return Err(AppError::invalid(
                        "code",
                        format!("{name} no longer exists"),
                    ))
                }
                None if typed.trim().is_empty() => {
                    return Err(AppError::invalid(
                        "code",
                        "Enter the organisation's register code or name, like LGA",
                    ))
                }
                None => {
                    return Err(AppError::invalid(
                        "code",
                        format!("No organisation has the code or name '{}'", typed.trim()),
                    ))
                }
            };
            store::grant(c, &org, Some(user.id), &user.audit_actor())
        },
    )
    .await;
    match result {
        Ok(b) => Ok(Redirect::to(&format!(
            "/admin/brokers?done=added&code={}",
            b.organisation.code
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => brokers_list(&state, ctx, errors, form.code, None).await,
        Err(e) => Err(e),
    }
}

async fn revoke(
    State(state): State<AppState>,
    ctx: PageCtx,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    let c2 = code.clone();
    work::unscoped(
        &state.db,
        ctx.user.as_ref(),
        Action::AdministerPlatform,
        move |c, user| {
            let org = crate::orgs::store::find(c, &c2)?;
            store::revoke(c, &org, &user.audit_actor())
        },
    )
    .await?;
    let code = code.trim().to_uppercase();
    let safe: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    Ok(Redirect::to(&format!("/admin/brokers?done=removed&code={safe}")).into_response())
}
