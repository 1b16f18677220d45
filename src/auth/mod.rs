//! Accounts, sessions, CSRF protection and API tokens.

pub mod password;
pub mod session;
pub mod throttle;
pub mod tokens;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;

use crate::db::schema::{organisations, users};
use crate::error::AppError;
use crate::policy::{Actor, Role};

/// The person behind a request, from a session cookie or an API token.
/// Loaded with [`SESSION_USER`] from users joined to organisations.
#[derive(Clone, Debug, Serialize, diesel::Queryable)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub organisation_id: i64,
    pub organisation_code: String,
    pub organisation_name: String,
    pub role: Role,
}

/// The columns a [`SessionUser`] is read from, in its fields' order.
pub const SESSION_USER: (
    users::id,
    users::email,
    users::display_name,
    users::organisation_id,
    organisations::code,
    organisations::name,
    users::role,
) = (
    users::id,
    users::email,
    users::display_name,
    users::organisation_id,
    organisations::code,
    organisations::name,
    users::role,
);

impl SessionUser {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            organisation_id: self.organisation_id,
            role: self.role,
        }
    }

    pub fn audit_actor(&self) -> crate::audit::Actor {
        crate::audit::Actor::user(self.id, &self.email)
    }
}

/// Set by the session middleware on every page request.
#[derive(Clone, Debug)]
pub struct RequestAuth {
    pub user: Option<SessionUser>,
    pub csrf_token: String,
    /// The hashed session id, so sign-out can end this session.
    pub session_hash: Option<String>,
    /// The signed-in person's unread notifications, for the header.
    pub unread_notifications: i64,
}

/// A page handler that needs someone signed in. Redirects to sign-in otherwise
/// (the `web` layer adds the page to come back to).
pub struct SignedIn(pub SessionUser);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestAuth>()
            .and_then(|a| a.user.clone())
            .map(SignedIn)
            .ok_or(AppError::Unauthenticated)
    }
}

/// The caller of an API request: `None` when no token was sent.
#[derive(Clone, Debug)]
pub struct ApiCaller(pub Option<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ApiCaller>()
            .cloned()
            .unwrap_or(ApiCaller(None)))
    }
}

impl ApiCaller {
    pub fn actor(&self) -> Option<Actor> {
        self.0.as_ref().map(SessionUser::actor)
    }

    /// The person behind the token, if one was sent.
    pub fn user(&self) -> Option<&SessionUser> {
        self.0.as_ref()
    }

    pub fn require(&self) -> Result<&SessionUser, AppError> {
        self.0.as_ref().ok_or(AppError::Unauthenticated)
    }
}

/// Where to go after signing in, if `next` is a page on this site. Browsers
/// drop tabs and line breaks from addresses and read `\` as `/`, so
/// `/\t/evil.example` means `//evil.example`: the same is done here before
/// the check, and the address must resolve to a path on this host.
pub fn local_redirect(next: &str) -> Option<String> {
    let cleaned: String = next
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    if !cleaned.starts_with('/') || cleaned.starts_with("//") {
        return None;
    }
    let base = url::Url::parse("http://concord.invalid/").ok()?;
    let url = base.join(&cleaned).ok()?;
    if url.origin() != base.origin() {
        return None;
    }
    Some(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    })
}

/// Only same-site paths are followed after sign-in, never another host.
pub fn is_local_path(path: &str) -> bool {
    local_redirect(path).is_some()
}

/// The address a request came from: the connection's peer, or the first
/// address in `X-Forwarded-For` when Concord is configured to trust its proxy.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

impl FromRequestParts<crate::state::AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .config
            .trust_forwarded_for
            .then(|| parts.headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddress(
            forwarded.or(peer).unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// Random URL-safe secret with 256 bits of entropy.
pub fn random_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Secrets are stored only as their SHA-256, so a database leak does not leak them.
pub fn hash_token(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            local_redirect("/organisations/BIR").as_deref(),
            Some("/organisations/BIR")
        );
        assert_eq!(
            local_redirect("/partnerships?scope=all").as_deref(),
            Some("/partnerships?scope=all")
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            "/\r\n/evil.example",
            "http:/evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(local_redirect(bad), None, "{bad:?}");
        }
        // A line break inside a path is dropped, never sent on in a header.
        assert_eq!(local_redirect("/acc\nount").as_deref(), Some("/account"));
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
