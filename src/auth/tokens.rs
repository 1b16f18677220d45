//! Bearer API tokens. A user creates and revokes their own; the secret is
//! shown once and stored only as a hash.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use diesel::prelude::*;
use serde::Serialize;

use super::{hash_token, random_token, ApiCaller, SessionUser, SESSION_USER};
use crate::audit::{self, Change};
use crate::db::schema::{api_tokens, organisations, users};
use crate::db::DbConn;
use crate::error::{ApiError, AppError, AppResult};
use crate::state::AppState;

/// Tokens start with this, so they are easy to spot in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "concord_";

#[derive(Queryable, Selectable, Serialize, Clone, Debug)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub token_prefix: String,
    pub created_at: crate::time::Timestamp,
    pub last_used_at: Option<crate::time::Timestamp>,
    pub revoked_at: Option<crate::time::Timestamp>,
}

pub fn list(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<ApiToken>> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id.desc())
        .select(ApiToken::as_select())
        .load(conn)?)
}

/// Creates a token and returns its secret, which is never shown again.
pub fn create(conn: &mut DbConn, user: &SessionUser, name: &str) -> AppResult<String> {
    let name = crate::text::required_line(
        "name",
        "Token name",
        name,
        100,
        "Enter a name for the token, so you can tell your tokens apart",
    )
    .map_err(|e| AppError::Invalid(vec![e]))?;
    let name = name.as_str();
    let secret = format!("{TOKEN_PREFIX}{}", random_token());
    let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user.id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(hash_token(&secret)),
            api_tokens::token_prefix.eq(&prefix),
            api_tokens::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &user.audit_actor(),
        Change::new("api_token.create", "user", user.id)
            .in_organisation(user.organisation_id)
            .after(serde_json::json!({ "name": name, "prefix": prefix })),
    )?;
    Ok(secret)
}

pub fn revoke(conn: &mut DbConn, user: &SessionUser, token_id: i64) -> AppResult<()> {
    let token: ApiToken = api_tokens::table
        .filter(api_tokens::id.eq(token_id))
        .filter(api_tokens::user_id.eq(user.id))
        .select(ApiToken::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if token.revoked_at.is_some() {
        return Ok(());
    }
    diesel::update(api_tokens::table.filter(api_tokens::id.eq(token_id)))
        .set(api_tokens::revoked_at.eq(Some(crate::db::now())))
        .execute(conn)?;
    audit::record(
        conn,
        &user.audit_actor(),
        Change::new("api_token.revoke", "user", user.id).in_organisation(user.organisation_id).before(
                serde_json::json!({ "name": token.name, "prefix": token.token_prefix, "revoked": false }),
            ).after(
                serde_json::json!({ "name": token.name, "prefix": token.token_prefix, "revoked": true }),
            ),
    )?;
    Ok(())
}

/// The active user with this email, as a token's owner (for the command line).
pub fn owner_by_email(conn: &mut DbConn, email: &str) -> AppResult<SessionUser> {
    Ok(users::table
        .inner_join(organisations::table)
        .filter(users::email.eq(email.trim().to_lowercase()))
        .filter(users::is_active.eq(true))
        .select(SESSION_USER)
        .first(conn)?)
}

/// Revokes every live token of a user (after their password changes).
pub fn revoke_all(conn: &mut DbConn, user_id: i64) -> AppResult<usize> {
    Ok(diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(crate::db::now())))
    .execute(conn)?)
}

/// The token's owner and whether its last-used time is worth updating.
fn find_user(conn: &mut DbConn, secret: &str) -> AppResult<Option<(SessionUser, Option<i64>)>> {
    let hash = hash_token(secret);
    let row: Option<(i64, Option<chrono::NaiveDateTime>, SessionUser)> = api_tokens::table
        .inner_join(users::table.inner_join(organisations::table))
        .filter(api_tokens::token_hash.eq(&hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::is_active.eq(true))
        .select((api_tokens::id, api_tokens::last_used_at, SESSION_USER))
        .first(conn)
        .optional()?;
    let Some((token_id, last_used, user)) = row else {
        return Ok(None);
    };
    // Record use at most every few minutes, so reads do not each cost a write.
    let stale = last_used.is_none_or(|t| crate::db::now() - t > chrono::Duration::minutes(5));
    Ok(Some((user, stale.then_some(token_id))))
}

fn touch(conn: &mut DbConn, token_id: i64) -> AppResult<()> {
    diesel::update(api_tokens::table.filter(api_tokens::id.eq(token_id)))
        .set(api_tokens::last_used_at.eq(Some(crate::db::now())))
        .execute(conn)?;
    Ok(())
}

/// Middleware for the API: resolves `Authorization: Bearer <token>`. No header
/// means an anonymous caller; a wrong or revoked token is refused outright.
pub async fn middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("").to_string());
    let caller = match header {
        None => ApiCaller(None),
        Some(value) => {
            let Some(secret) = value
                .strip_prefix("Bearer ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
            else {
                return ApiError(AppError::Unauthenticated).into_response();
            };
            let secret = secret.to_string();
            match state.db.read(move |c| find_user(c, &secret)).await {
                Ok(Some((user, stale))) => {
                    if let Some(token_id) = stale {
                        if let Err(e) = state.db.write(move |c| touch(c, token_id)).await {
                            tracing::warn!(error = %e, "could not record API token use");
                        }
                    }
                    ApiCaller(Some(user))
                }
                Ok(None) => return ApiError(AppError::Unauthenticated).into_response(),
                Err(e) => return ApiError(e).into_response(),
            }
        }
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}
