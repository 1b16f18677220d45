//! Organisation pages: the directory and each organisation's page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::model::*;
use super::store;
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult};
use crate::lgsl::store::Service;
use crate::money::thousands;
use crate::policy::{allows, authorize, Action};
use crate::state::AppState;
use crate::web::{html, page_number, FormErrors, PageCtx, Pagination};

pub const PER_PAGE: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(directory))
        .route("/organisations/{code}", get(organisation))
        .route("/organisations/{code}/edit", get(edit_page).post(edit))
}

#[derive(Template)]
#[template(path = "orgs/directory.html")]
struct DirectoryPage {
    ctx: PageCtx,
    filter: OrgFilter,
    facets: Facets,
    orgs: Vec<Organisation>,
    pagination: Pagination,
    /// What the directory holds, counted as on the home and about pages.
    counts: super::counts::OrgCounts,
}

impl DirectoryPage {
    fn q(&self) -> &str {
        self.filter.q.as_deref().unwrap_or("")
    }
    fn is(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }
    fn status(&self) -> &str {
        self.filter.status.as_deref().unwrap_or("current")
    }
    fn population(&self, org: &Organisation) -> String {
        org.population.map(thousands).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct DirectoryQuery {
    #[serde(flatten)]
    filter: OrgFilter,
    page: Option<String>,
}

async fn directory(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<DirectoryQuery>,
) -> AppResult<impl IntoResponse> {
    authorize(
        ctx.user.as_ref().map(|u| u.actor()).as_ref(),
        Action::ViewPublicData,
    )?;
    let filter = query.filter.clean();
    let page = page_number(query.page.as_deref());
    let f = filter.clone();
    let (orgs, total, facets, counts) = state
        .db
        .read(move |c| {
            let (orgs, total) = store::search(c, &f, (page - 1) * PER_PAGE, PER_PAGE)?;
            Ok((orgs, total, store::facets(c)?, super::counts::counts(c)?))
        })
        .await?;
    let pagination = Pagination::new("/organisations", &filter.params(), page, PER_PAGE, total);
    html(DirectoryPage {
        ctx: ctx.with_nav("organisations"),
        filter,
        facets,
        orgs,
        pagination,
        counts,
    })
}

#[derive(Template)]
#[template(path = "orgs/organisation.html")]
struct OrganisationPage {
    ctx: PageCtx,
    org: Organisation,
    detail: OrganisationDetail,
    services: Vec<Service>,
    can_edit: bool,
    can_view_members: bool,
    partnerships: Vec<crate::partnerships::register::portfolio::PortfolioRow>,
    watch: Option<crate::notifications::watches::WatchButton>,
    activity: Vec<crate::partnerships::history::Activity>,
    /// "Councils and projects like this", the best few.
    alike: Vec<crate::needs::matches::NeedMatch>,
}

impl OrganisationPage {
    fn population(&self) -> String {
        self.org
            .population
            .map(thousands)
            .unwrap_or_else(|| "Not known".into())
    }
}

async fn organisation(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let actor = ctx.user.as_ref().map(|u| u.actor());
    authorize(actor.as_ref(), Action::ViewPublicData)?;
    let viewer = actor.clone();
    let user_id = ctx.user.as_ref().map(|u| u.id);
    let (org, detail, services, partnerships, watch, activity, alike) = state
        .db
        .read(move |c| {
            let org = store::find(c, &code)?;
            let detail = store::detail(c, &org)?;
            let services = crate::lgsl::store::for_tier(c, org.tier.as_deref())?;
            // Only the partnerships this viewer may see.
            let filter = crate::partnerships::register::portfolio::PortfolioFilter {
                organisation: Some(org.code.clone()),
                ..Default::default()
            }
            .clean(viewer.is_some());
            let partnerships =
                crate::partnerships::register::portfolio::all(c, &filter, viewer.as_ref())?;
            let watch = crate::notifications::watches::button(
                c,
                user_id,
                &crate::notifications::Subject::new("organisation", org.id),
                &org.name,
                &format!("/organisations/{}", org.code),
            )?;
            let activity =
                crate::partnerships::history::for_organisation(c, org.id, viewer.as_ref(), 10)?;
            let alike = crate::needs::matches::for_organisation(c, org.id, viewer.as_ref(), 6)?;
            Ok((org, detail, services, partnerships, watch, activity, alike))
        })
        .await?;
    // GSS codes and lower-case codes work too, but each organisation has one address.
    let canonical = format!("/organisations/{}", org.code);
    let can_edit = allows(
        actor.as_ref(),
        Action::EditOrganisation {
            organisation_id: org.id,
        },
    );
    let can_view_members = allows(
        actor.as_ref(),
        Action::ViewMembers {
            organisation_id: org.id,
        },
    );
    let page = OrganisationPage {
        ctx: ctx.with_nav("organisations"),
        org,
        detail,
        services,
        can_edit,
        can_view_members,
        partnerships,
        watch,
        activity,
        alike,
    };
    Ok((
        [(
            axum::http::header::LINK,
            format!("<{canonical}>; rel=\"canonical\""),
        )],
        html(page)?,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "orgs/edit.html")]
struct EditPage {
    ctx: PageCtx,
    org: Organisation,
    errors: FormErrors,
    website: String,
}

async fn load_for_edit(
    state: &AppState,
    user: &crate::auth::SessionUser,
    code: String,
) -> AppResult<Organisation> {
    let org = state.db.read(move |c| store::find(c, &code)).await?;
    authorize(
        Some(&user.actor()),
        Action::EditOrganisation {
            organisation_id: org.id,
        },
    )?;
    Ok(org)
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let org = load_for_edit(&state, &user, code).await?;
    let website = org.website.clone().unwrap_or_default();
    Ok(html(EditPage {
        ctx: ctx.with_nav("organisations"),
        org,
        errors: FormErrors::default(),
        website,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    website: String,
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(code): Path<String>,
    Form(form): Form<EditForm>,
) -> AppResult<Response> {
    let org = load_for_edit(&state, &user, code).await?;
    let (o, w, actor) = (org.clone(), form.website.clone(), user.audit_actor());
    match state
        .db
        .write(move |c| store::update_website(c, &o, Some(&w), &actor))
        .await
    {
        Ok(updated) => {
            Ok(Redirect::to(&format!("/organisations/{}", updated.code)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = EditPage {
                ctx: ctx.with_nav("organisations"),
                org,
                errors: FormErrors(errors),
                website: form.website,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(page)?).into_response())
        }
        Err(e) => Err(e),
    }
}
