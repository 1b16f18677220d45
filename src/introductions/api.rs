//! The introductions and brokers API: the same store functions and policy
//! as the pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

use super::access;
use super::dashboard::{self, BrokerDashboard};
use super::model::*;
use super::store::{self, Broker, Conversion};
use crate::api::{Created, JsonBody, On, Page, PagingParams, Path, Query};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::policy::{authorize, Action};
use crate::state::AppState;
use crate::work;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/introductions", get(list).post(create))
        .route("/api/v1/introductions/dashboard", get(broker_dashboard))
        .route("/api/v1/introductions/{id}", get(get_one))
        .route("/api/v1/introductions/{id}/response", post(respond))
        .route("/api/v1/introductions/{id}/convert", post(convert))
        .route("/api/v1/brokers", get(list_brokers))
        .route("/api/v1/brokers/{code}", put(grant).delete(revoke))
}

/// The introductions the caller's organisation proposed or is a party to, newest first.
#[utoipa::path(get, path = "/api/v1/introductions", tag = "introductions", params(PagingParams),
    responses((status = 200, body = Page<IntroductionView>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(paging): Query<PagingParams>,
) -> ApiResult<Json<Page<IntroductionView>>> {
    let actor = caller.require()?.actor();
    let paging = paging.check()?;
    let (items, total) = state
        .db
        .read(move |c| store::list(c, &actor, paging.offset(), paging.per_page))
        .await?;
    Ok(Json(Page::new(items, paging, total)))
}

/// A broker's person proposes an introduction between two or more organisations.
#[utoipa::path(post, path = "/api/v1/introductions", tag = "introductions", request_body = IntroductionDraft,
    responses((status = 201, body = IntroductionView)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: JsonBody<IntroductionDraft>,
) -> ApiResult<Created<IntroductionView>> {
    let user = caller.require()?.clone();
    let view = state
        .db
        .write(move |c| {
            // Who may propose is settled before the body is judged.
            let broker = store::is_broker(c, user.organisation_id)?;
            authorize(Some(&user.actor()), Action::ProposeIntroduction { broker })?;
            let draft = body.parse()?;
            let intro = store::propose(c, &user, &draft)?;
            store::view(c, &intro, Some(&user.actor()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One introduction, for its broker and parties.
#[utoipa::path(get, path = "/api/v1/introductions/{id}", tag = "introductions",
    params(("id" = i64, Path, description = "Introduction id")),
    responses((status = 200, body = IntroductionView)))]
pub async fn get_one(on: On<Introduction>, caller: ApiCaller) -> ApiResult<Json<IntroductionView>> {
    let viewer = caller.actor();
    on.read(move |w| store::view(w.conn, &w.record, viewer.as_ref()))
        .await
}

/// The caller's organisation accepts or declines (once; only for itself).
#[utoipa::path(post, path = "/api/v1/introductions/{id}/response", tag = "introductions",
    request_body = ResponseDraft,
    params(("id" = i64, Path, description = "Introduction id")),
    responses((status = 200, body = IntroductionView)), security(("bearer" = [])))]
pub async fn respond(
    on: On<Introduction>,
    caller: ApiCaller,
    body: JsonBody<ResponseDraft>,
) -> ApiResult<Json<IntroductionView>> {
    let viewer = caller.actor();
    on.change(access::respond, body, move |w, draft| {
        let input = ResponseInput::parse(&draft).map_err(AppError::Invalid)?;
        store::respond(w, &input)?;
        store::view(w.conn, &w.record, viewer.as_ref())
    })
    .await
}

/// Turns an accepted introduction into a partnership or a need with partners.
#[utoipa::path(post, path = "/api/v1/introductions/{id}/convert", tag = "introductions",
    request_body = ConversionDraft,
    params(("id" = i64, Path, description = "Introduction id")),
    responses((status = 201, body = Conversion)), security(("bearer" = [])))]
pub async fn convert(
    on: On<Introduction>,
    body: JsonBody<ConversionDraft>,
) -> ApiResult<Created<Conversion>> {
    on.create(access::convert, body, |w, draft| store::convert(w, &draft))
        .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// The broker's register code; the caller's own organisation if left out.
    pub broker: Option<String>,
}

/// A broker's introductions made, accepted and converted by month: for its
/// people and platform administrators.
#[utoipa::path(get, path = "/api/v1/introductions/dashboard", tag = "introductions",
    params(DashboardQuery),
    responses((status = 200, body = BrokerDashboard),
        (status = 403, description = "The caller is neither one of the broker's people nor a platform administrator.",
            body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn broker_dashboard(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<DashboardQuery>,
) -> ApiResult<Json<BrokerDashboard>> {
    let user = caller.require()?.clone();
    Ok(Json(
        state
            .db
            .read(move |c| dashboard::for_caller(c, &user, q.broker.as_deref()))
            .await?,
    ))
}

/// The organisations marked as brokers.
#[utoipa::path(get, path = "/api/v1/brokers", tag = "introductions",
    responses((status = 200, body = Vec<Broker>)))]
pub async fn list_brokers(State(state): State<AppState>) -> ApiResult<Json<Vec<Broker>>> {
    Ok(Json(state.db.read(store::brokers).await?))
}

/// Marks an organisation as a broker (platform administrators).
#[utoipa::path(put, path = "/api/v1/brokers/{code}", tag = "introductions",
    params(("code" = String, Path, description = "Organisation register code, e.g. LGA")),
    responses((status = 200, body = Broker)), security(("bearer" = [])))]
pub async fn grant(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<Broker>> {
    let broker = work::unscoped(
        &state.db,
        caller.user(),
        Action::AdministerPlatform,
        move |c, user| {
            let org = crate::orgs::store::find(c, &code)?;
            if !org.is_current {
                return Err(AppError::Conflict(format!(
                    "{} no longer exists, so it cannot be a broker",
                    org.name
                )));
            }
            store::grant(c, &org, Some(user.id), &user.audit_actor())
        },
    )
    .await?;
    Ok(Json(broker))
}

/// Takes the broker mark away (platform administrators).
#[utoipa::path(delete, path = "/api/v1/brokers/{code}", tag = "introductions",
    params(("code" = String, Path, description = "Organisation register code, e.g. LGA")),
    responses((status = 204, description = "No longer a broker")), security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    work::unscoped(
        &state.db,
        caller.user(),
        Action::AdministerPlatform,
        move |c, user| {
            let org = crate::orgs::store::find(c, &code)?;
            store::revoke(c, &org, &user.audit_actor())
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
