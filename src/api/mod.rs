//! The JSON API under /api/v1: shared types, the OpenAPI document, and the
//! router. Each slice's `api.rs` holds its own handlers.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiResult, AppError};
use crate::AppState;

pub const MAX_PER_PAGE: i64 = 100;

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub total_pages: i64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, paging: Paging, total: i64) -> Self {
        Page {
            items,
            page: paging.page,
            per_page: paging.per_page,
            total,
            total_pages: ((total + paging.per_page - 1) / paging.per_page).max(1),
        }
    }
}

/// `page` and `per_page` query parameters.
#[derive(Deserialize, IntoParams, Clone, Copy, Debug)]
#[into_params(parameter_in = Query)]
pub struct PagingParams {
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

impl PagingParams {
    pub fn check(self) -> Result<Paging, AppError> {
        let mut errors = Vec::new();
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if !(1..=1_000_000).contains(&page) {
            errors.push(crate::error::FieldError::new(
                "page",
                "page must be a whole number from 1",
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(crate::error::FieldError::new(
                "per_page",
                format!("per_page must be from 1 to {MAX_PER_PAGE}"),
            ));
        }
        if errors.is_empty() {
            Ok(Paging { page, per_page })
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

/// Turns axum's plain-text query rejections into problem details.
pub fn query<T>(q: Result<axum::extract::Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|axum::extract::Query(v)| v).map_err(|e| {
        ApiError(AppError::BadRequest(format!(
            "Bad query string: {}",
            e.body_text()
        )))
    })
}

/// Turns axum's plain-text JSON rejections into problem details.
pub fn json<T>(j: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    j.map(|Json(v)| v).map_err(|e| match e {
        JsonRejection::MissingJsonContentType(_) => ApiError(AppError::BadRequest(
            "Send the body as JSON with 'Content-Type: application/json'.".into(),
        )),
        other => ApiError(AppError::Invalid(vec![crate::error::FieldError::new(
            "body",
            other.body_text(),
        )])),
    })
}

/// The caller, as seen by the API.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: crate::policy::Role,
    pub organisation: crate::orgs::model::OrgRef,
}

/// Who am I? The user the bearer token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn me(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<Me>> {
    let user = caller.require()?.clone();
    crate::policy::authorize(Some(&user.actor()), crate::policy::Action::ManageOwnAccount)?;
    let org_id = user.organisation_id;
    let org = state
        .db
        .read(move |c| crate::orgs::store::find_by_id(c, org_id))
        .await?;
    Ok(Json(Me {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: user.role,
        organisation: crate::orgs::model::OrgRef {
            code: org.code,
            name: org.name,
            short_name: org.short_name,
        },
    }))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Concord API", version = "1", description = "Find partners, run partnerships and share what works across UK public services. Public reference data needs no token; everything else needs 'Authorization: Bearer TOKEN' (create one on your account page). Errors are RFC 9457 problem details."),
    paths(
        me,
        crate::orgs::api::list,
        crate::orgs::api::get_one,
        crate::orgs::api::services,
        crate::orgs::api::create,
        crate::services::api::list,
        crate::services::api::get_one,
        crate::users::api::invite,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "organisations", description = "Councils and partner organisations"),
        (name = "services", description = "The Local Government Service List"),
        (name = "account", description = "The caller's own account"),
        (name = "admin", description = "Platform administration"),
    )
)]
pub struct ApiDoc;

/// The whole document: the core paths and every slice's own part.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::partnerships::openapi());
    doc
}

async fn openapi() -> impl IntoResponse {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOC.get_or_init(|| serde_json::to_string(&document()).unwrap_or_default());
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.as_str(),
    )
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .merge(crate::orgs::api::routes())
        .merge(crate::services::api::routes())
        .merge(crate::users::api::routes())
        .merge(crate::partnerships::api_routes())
        // Unknown API paths get problem details, not the HTML 404 page.
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(|| async { ApiError(AppError::MethodNotAllowed) })
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::auth::tokens::middleware,
        ))
}
