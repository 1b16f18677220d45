//! The audit trail page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::audit::AuditEntry;
use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::orgs::model::Organisation;
use crate::policy::{authorize, Action, Role};
use crate::state::AppState;
use crate::web::{html, page_number, PageCtx, Pagination};

const PER_PAGE: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit_page))
}

#[derive(Template)]
#[template(path = "audit/index.html")]
struct AuditPage {
    ctx: PageCtx,
    org: Option<Organisation>,
    entries: Vec<AuditEntry>,
    pagination: Pagination,
}

#[derive(Deserialize)]
struct AuditQuery {
    org: Option<String>,
    page: Option<String>,
}

async fn audit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<AuditQuery>,
) -> AppResult<impl IntoResponse> {
    // Organisation admins see their own organisation's trail unless they ask for another.
    let code = q
        .org
        .filter(|c| !c.trim().is_empty())
        .or_else(|| (user.role != Role::PlatformAdmin).then(|| user.organisation_code.clone()));
    let org = match code {
        Some(code) => Some(
            state
                .db
                .read(move |c| crate::orgs::store::find(c, &code))
                .await?,
        ),
        None => None,
    };
    authorize(
        Some(&user.actor()),
        Action::ViewAudit {
            organisation_id: org.as_ref().map(|o| o.id),
        },
    )?;
    let page = page_number(q.page.as_deref());
    let org_id = org.as_ref().map(|o| o.id);
    let actor = user.actor();
    let (entries, total) = state
        .db
        .read(move |c| {
            // Entries about a record are shown only to those who may see the record.
            let readable = || {
                vec![
                    crate::partnerships::access::audit_readable_by(Some(&actor)),
                    crate::needs::access::audit_readable_by(Some(&actor)),
                    crate::introductions::access::audit_readable_by(Some(&actor)),
                    crate::health::rounds::access::audit_readable_by(Some(&actor)),
                ]
            };
            crate::audit::list(c, org_id, readable, (page - 1) * PER_PAGE, PER_PAGE)
        })
        .await?;
    let params = [(
        "org",
        org.as_ref().map(|o| o.code.clone()).unwrap_or_default(),
    )];
    let pagination = Pagination::new("/audit", &params, page, PER_PAGE, total);
    html(AuditPage {
        ctx: ctx.with_nav(if user.role == Role::PlatformAdmin {
            "admin"
        } else {
            ""
        }),
        org,
        entries,
        pagination,
    })
}
