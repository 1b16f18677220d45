//! Server-side sessions stored in the database (so several app instances can
//! share them), and the CSRF check on every state-changing form.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use diesel::prelude::*;

use super::{constant_time_eq, hash_token, random_token, RequestAuth, SessionUser, SESSION_USER};
use crate::db::schema::{organisations, sessions, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "concord_session";
pub const CSRF_COOKIE: &str = "concord_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const SESSION_HOURS: i64 = 12;
/// Largest form body accepted.
const FORM_LIMIT: usize = 2 * 1024 * 1024;
/// Largest file upload accepted (CSV imports); the import pages say so.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

/// Looks up the signed-in user for a session token, if the session is live.
pub fn load_user(conn: &mut DbConn, id_hash: &str) -> AppResult<Option<(SessionUser, String)>> {
    Ok(sessions::table
        .inner_join(users::table.inner_join(organisations::table))
        .filter(sessions::id_hash.eq(id_hash))
        .filter(sessions::expires_at.gt(crate::db::now()))
        .filter(users::is_active.eq(true))
        .select((SESSION_USER, sessions::csrf_token))
        .first::<(SessionUser, String)>(conn)
        .optional()?)
}

/// Unread notifications, counted here (not by the notifications capability)
/// because every page's header shows the number.
fn unread_count(conn: &mut DbConn, user_id: i64) -> AppResult<i64> {
    use crate::db::schema::notifications as n;
    Ok(n::table
        .filter(n::user_id.eq(user_id))
        .filter(n::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Starts a session; returns the secret to put in the cookie. `user_agent`
/// lets the person recognise it on their account page.
pub fn create(conn: &mut DbConn, user_id: i64, user_agent: &str) -> AppResult<String> {
    let token = random_token();
    let now = crate::db::now();
    // Housekeeping: expired sessions are of no use to anyone.
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::id_hash.eq(hash_token(&token)),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(random_token()),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + Duration::hours(SESSION_HOURS)),
            sessions::user_agent.eq(user_agent.chars().take(300).collect::<String>()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// A live session as its owner sees it on the account page.
#[derive(Clone, Debug)]
pub struct ActiveSession {
    /// Names the session in forms without giving away its secret or hash.
    pub handle: String,
    pub created_at: crate::time::Timestamp,
    pub expires_at: crate::time::Timestamp,
    pub user_agent: String,
    /// The session this request came with.
    pub current: bool,
}

fn handle_of(id_hash: &str) -> String {
    id_hash.chars().take(16).collect()
}

/// A user's live sessions, newest first.
pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    current: Option<&str>,
) -> AppResult<Vec<ActiveSession>> {
    let rows: Vec<(
        String,
        crate::time::Timestamp,
        crate::time::Timestamp,
        String,
    )> = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(crate::db::now()))
        .order(sessions::created_at.desc())
        .select((
            sessions::id_hash,
            sessions::created_at,
            sessions::expires_at,
            sessions::user_agent,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(hash, created_at, expires_at, user_agent)| ActiveSession {
            handle: handle_of(&hash),
            current: current == Some(hash.as_str()),
            created_at,
            expires_at,
            user_agent,
        })
        .collect())
}

/// Ends one of the user's own sessions, named by its handle.
pub fn end(conn: &mut DbConn, user_id: i64, handle: &str) -> AppResult<bool> {
    if handle.len() != 16 || !handle.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let hashes: Vec<String> = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .select(sessions::id_hash)
        .load(conn)?;
    let Some(hash) = hashes.into_iter().find(|h| handle_of(h) == handle) else {
        return Ok(false);
    };
    destroy(conn, &hash)?;
    Ok(true)
}

pub fn destroy(conn: &mut DbConn, id_hash: &str) -> AppResult<()> {
    diesel::delete(sessions::table.filter(sessions::id_hash.eq(id_hash))).execute(conn)?;
    Ok(())
}

/// Ends every session of a user except, optionally, the current one
/// (after a password change, other devices must sign in again).
pub fn destroy_others(conn: &mut DbConn, user_id: i64, keep: Option<&str>) -> AppResult<()> {
    let mut query = diesel::delete(sessions::table)
        .filter(sessions::user_id.eq(user_id))
        .into_boxed();
    if let Some(keep) = keep {
        query = query.filter(sessions::id_hash.ne(keep.to_string()));
    }
    query.execute(conn)?;
    Ok(())
}

pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_hours(SESSION_HOURS))
        .build()
}

pub fn removal_cookie(name: &'static str) -> Cookie<'static> {
    Cookie::build((name, ""))
        .path("/")
        .max_age(time_hours(0))
        .build()
}

fn time_hours(h: i64) -> cookie::time::Duration {
    cookie::time::Duration::hours(h)
}

/// Middleware for every page route: finds the signed-in user, makes sure there
/// is a CSRF token, and refuses state-changing requests without it.
pub async fn middleware(
    State(state): State<AppState>,
    jar: CookieJar,
    request: Request,
    next: Next,
) -> Response {
    let session_hash = jar.get(SESSION_COOKIE).map(|c| hash_token(c.value()));
    let loaded = match &session_hash {
        Some(hash) => {
            let hash = hash.clone();
            let found = state.db.read(move |c| {
                let Some((user, csrf)) = load_user(c, &hash)? else {
                    return Ok(None);
                };
                let unread = unread_count(c, user.id)?;
                Ok(Some((user, csrf, unread)))
            });
            match found.await {
                Ok(found) => found,
                Err(e) => return e.into_response(),
            }
        }
        None => None,
    };
    let stale_session = session_hash.is_some() && loaded.is_none();
    let (user, session_csrf, unread_notifications) = match loaded {
        Some((u, csrf, unread)) => (Some(u), Some(csrf), unread),
        None => (None, None, 0),
    };
    // Signed-out visitors get a random token in a cookie that forms echo back
    // (double submit); signed-in users' tokens live in their session row.
    let cookie_csrf = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() >= 32);
    let mut new_cookie_csrf = None;
    let csrf_token = match (session_csrf, cookie_csrf) {
        (Some(t), _) => t,
        (None, Some(t)) => t,
        (None, None) => {
            let t = random_token();
            new_cookie_csrf = Some(t.clone());
            t
        }
    };

    let auth = RequestAuth {
        user,
        csrf_token,
        session_hash: session_hash.filter(|_| !stale_session),
        unread_notifications,
    };
    // Responses carry who is signed in, so error pages drawn later show it.
    let with_auth = |mut response: Response, auth: &RequestAuth| {
        response.extensions_mut().insert(auth.clone());
        response
    };
    let mut request = request;
    if !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        let (parts, body) = request.into_parts();
        let upload = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("multipart/form-data"));
        let limit = if upload { UPLOAD_LIMIT } else { FORM_LIMIT };
        let bytes = match axum::body::to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => {
                let e = AppError::TooLarge(if upload {
                    format!("The file must be {} MB or smaller.", UPLOAD_LIMIT >> 20)
                } else {
                    "The form is too large.".into()
                });
                return with_auth(e.into_response(), &auth);
            }
        };
        if !upload && bytes.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00")) {
            let e = AppError::BadRequest("The form must not contain a NUL character.".into());
            return with_auth(e.into_response(), &auth);
        }
        let submitted = form_field(&parts, &bytes, CSRF_FIELD);
        if !submitted.is_some_and(|s| constant_time_eq(&s, &auth.csrf_token)) {
            tracing::warn!(path = %parts.uri.path(), "CSRF token missing or wrong");
            return with_auth(AppError::CsrfFailed.into_response(), &auth);
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }

    request.extensions_mut().insert(auth.clone());
    let response = with_auth(next.run(request).await, &auth);
    let mut jar = CookieJar::new();
    if let Some(token) = new_cookie_csrf {
        jar = jar.add(
            Cookie::build((CSRF_COOKIE, token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(state.config.secure_cookies)
                .build(),
        );
    }
    // A stale cookie is removed, unless this response signs someone in
    // with a new one (sign-in with an old cookie must not end signed out).
    let signs_in = response
        .headers()
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .any(|v| {
            v.to_str()
                .is_ok_and(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        });
    if stale_session && !signs_in {
        jar = jar.add(removal_cookie(SESSION_COOKIE));
    }
    (jar, response).into_response()
}

/// Reads one field from a urlencoded or multipart form body.
fn form_field(parts: &axum::http::request::Parts, body: &[u8], name: &str) -> Option<String> {
    let content_type = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    } else if content_type.starts_with("multipart/form-data") {
        multipart_field(content_type, body, name)
    } else {
        None
    }
}

/// Finds a small text field in a multipart body. Forms that upload files put
/// the CSRF field first, so only the start of the body is searched.
fn multipart_field(content_type: &str, body: &[u8], name: &str) -> Option<String> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let marker = format!("name=\"{name}\"");
    for part in text.split(&format!("--{boundary}")) {
        if let Some(head_end) = part.find("\r\n\r\n") {
            if part[..head_end].contains(&marker) {
                return Some(part[head_end + 4..].trim_end_matches("\r\n").to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fields_in_multipart_bodies() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nsecret123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\na,b\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field("multipart/form-data; boundary=XyZ", body, "csrf_token").as_deref(),
            Some("secret123")
        );
        assert_eq!(
            multipart_field("multipart/form-data; boundary=XyZ", body, "other"),
            None
        );
    }
}
