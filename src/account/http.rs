//! Sign in, sign out, and the account page (password and API tokens).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;

use diesel::prelude::*;
use serde::Deserialize;

use crate::audit::{self, Change};
use crate::auth::session::{self, SESSION_COOKIE};
use crate::auth::tokens::{self, ApiToken};
use crate::auth::{
    local_redirect, password, throttle, ClientAddress, RequestAuth, SessionUser, SignedIn,
};
use crate::db::schema::users;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::policy::{authorize, Action};
use crate::state::AppState;
use crate::web::{html, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/signed-out", get(signed_out))
        .route("/account", get(account))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/sessions/{handle}/end", post(end_session))
}

#[derive(Template)]
#[template(path = "auth/sign_in.html")]
struct SignInPage {
    ctx: PageCtx,
    errors: FormErrors,
    email: String,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn sign_in_page(ctx: PageCtx, Query(q): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return Redirect::to("/account").into_response();
    }
    let next = q
        .next
        .as_deref()
        .and_then(local_redirect)
        .unwrap_or_default();
    html(SignInPage {
        ctx,
        errors: FormErrors::default(),
        email: String::new(),
        next,
    })
    .into_response()
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

enum SignInOutcome {
    Ok { token: String },
    Wait(throttle::Verdict),
    Wrong,
}

fn attempt_sign_in(
    conn: &mut DbConn,
    email: &str,
    password_given: &str,
    client: &str,
    user_agent: &str,
) -> AppResult<SignInOutcome> {
    let now = crate::db::now();
    match throttle::verdict(conn, email, client, now)? {
        throttle::Verdict::Go => {}
        wait => return Ok(SignInOutcome::Wait(wait)),
    }
    let user: Option<(i64, String, bool)> = users::table
        .filter(users::email.eq(email))
        .select((users::id, users::password_hash, users::is_active))
        .first(conn)
        .optional()?;
    let ok_user = match &user {
        Some((id, hash, true)) if password::verify(password_given, hash) => Some(*id),
        Some(_) => None,
        None => {
            password::verify_dummy(password_given);
            None
        }
    };
    match ok_user {
        Some(user_id) => {
            throttle::clear(conn, email, client, now)?;
            Ok(SignInOutcome::Ok {
                token: session::create(conn, user_id, user_agent)?,
            })
        }
        None => {
            throttle::record_failure(conn, email, client, now)?;
            Ok(SignInOutcome::Wrong)
        }
    }
}

async fn sign_in(
    State(state): State<AppState>,
    ctx: PageCtx,
    jar: CookieJar,
    ClientAddress(client): ClientAddress,
    headers: axum::http::HeaderMap,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_lowercase();
    let next = local_redirect(&form.next).unwrap_or_default();
    let mut errors = FormErrors::default();
    if email.is_empty() {
        errors.push("email", "Enter your email address");
    }
    if form.password.is_empty() {
        errors.push("password", "Enter your password");
    }
    if errors.is_empty() {
        let (e, p) = (email.clone(), form.password.clone());
        let user_agent = headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let c = client.clone();
        // A write: it records failures and creates the session in one go.
        match state
            .db
            .write(move |conn| attempt_sign_in(conn, &e, &p, &c, &user_agent))
            .await?
        {
            SignInOutcome::Ok { token } => {
                tracing::info!(email = %email, "signed in");
                let jar = jar.add(session::session_cookie(token, state.config.secure_cookies));
                let target = if next.is_empty() {
                    "/".to_string()
                } else {
                    next
                };
                return Ok((jar, Redirect::to(&target)).into_response());
            }
            SignInOutcome::Wait(verdict) => {
                tracing::warn!(email = %email, client = %client, ?verdict, "sign-in slowed down");
                let (whose, seconds) = match verdict {
                    throttle::Verdict::WaitAddress(s) => ("from your network", s),
                    throttle::Verdict::Wait(s) => ("to this account", s),
                    throttle::Verdict::Go => ("to this account", 1),
                };
                let message = format!(
                    "Too many failed attempts to sign in {whose}. Wait {seconds} second{}, then try again.",
                    if seconds == 1 { "" } else { "s" }
                );
                errors.push("email", message);
                let page = SignInPage {
                    ctx,
                    errors,
                    email: form.email,
                    next,
                };
                return Ok((StatusCode::TOO_MANY_REQUESTS, html(page)?).into_response());
            }
            SignInOutcome::Wrong => {
                tracing::info!(email = %email, "sign-in failed");
                errors.push("email", "The email address or password is not right");
            }
        }
    }
    let page = SignInPage {
        ctx,
        errors,
        email: form.email,
        next,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html(page)?).into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    axum::Extension(auth): axum::Extension<RequestAuth>,
    jar: CookieJar,
) -> AppResult<Response> {
    if let Some(hash) = auth.session_hash {
        state.db.write(move |c| session::destroy(c, &hash)).await?;
    }
    let jar = jar.add(session::removal_cookie(SESSION_COOKIE));
    Ok((jar, Redirect::to("/signed-out")).into_response())
}

#[derive(Template)]
#[template(path = "auth/signed_out.html")]
struct SignedOutPage {
    ctx: PageCtx,
}

async fn signed_out(ctx: PageCtx) -> AppResult<impl IntoResponse> {
    html(SignedOutPage { ctx })
}

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage {
    ctx: PageCtx,
    user: SessionUser,
    tokens: Vec<ApiToken>,
    sessions: Vec<session::ActiveSession>,
    errors: FormErrors,
    token_name: String,
    new_token: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct AccountQuery {
    notice: Option<String>,
}

async fn account_page(
    state: &AppState,
    ctx: PageCtx,
    auth: &RequestAuth,
    user: SessionUser,
    errors: FormErrors,
    token_name: String,
    new_token: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    let (id, current) = (user.id, auth.session_hash.clone());
    let (tokens, sessions) = state
        .db
        .read(move |c| {
            Ok((
                tokens::list(c, id)?,
                session::list(c, id, current.as_deref())?,
            ))
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AccountPage {
        ctx: ctx.with_nav(""),
        user,
        tokens,
        sessions,
        errors,
        token_name,
        new_token,
        notice,
    };
    Ok((status, html(page)?).into_response())
}

async fn account(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    axum::Extension(auth): axum::Extension<RequestAuth>,
    Query(q): Query<AccountQuery>,
) -> AppResult<Response> {
    let notice = match q.notice.as_deref() {
        Some("password") => Some(
            "Your password has been changed. Your other sessions have been signed out and your API tokens revoked.".to_string(),
        ),
        Some("ended") => Some("The session has been signed out.".to_string()),
        Some("revoked") => Some(
            "The API token has been revoked. Programs using it can no longer sign in.".to_string(),
        ),
        Some("welcome") => Some("Welcome to Concord. Your account is ready.".to_string()),
        _ => None,
    };
    account_page(
        &state,
        ctx,
        &auth,
        user,
        FormErrors::default(),
        String::new(),
        None,
        notice,
    )
    .await
}

/// Signs out one of the person's other sessions (a lost laptop, say).
async fn end_session(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    let (id, actor, org) = (user.id, user.audit_actor(), user.organisation_id);
    let ended = state
        .db
        .write(move |c| {
            let ended = session::end(c, id, &handle)?;
            if ended {
                audit::record(
                    c,
                    &actor,
                    Change::new("user.end_session", "user", id).in_organisation(org),
                )?;
            }
            Ok(ended)
        })
        .await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/account?notice=ended").into_response())
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    axum::Extension(auth): axum::Extension<RequestAuth>,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    let u = user.clone();
    let name = form.name.clone();
    match state.db.write(move |c| tokens::create(c, &u, &name)).await {
        Ok(secret) => {
            account_page(
                &state,
                ctx,
                &auth,
                user,
                FormErrors::default(),
                String::new(),
                Some(secret),
                None,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            account_page(
                &state,
                ctx,
                &auth,
                user,
                FormErrors(errors),
                form.name,
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    state
        .db
        .write(move |c| tokens::revoke(c, &user, id))
        .await?;
    Ok(Redirect::to("/account?notice=revoked").into_response())
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    ctx: PageCtx,
    errors: FormErrors,
}

async fn password_page(ctx: PageCtx, SignedIn(user): SignedIn) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    Ok(html(PasswordPage {
        ctx,
        errors: FormErrors::default(),
    })?
    .into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    axum::Extension(auth): axum::Extension<RequestAuth>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    let mut errors = FormErrors::default();
    if form.current_password.is_empty() {
        errors.push("current_password", "Enter your current password");
    }
    errors.0.extend(password::check_new(
        &form.new_password,
        &form.confirm_password,
    ));
    if errors.is_empty() {
        let user_id = user.id;
        let audit_actor = user.audit_actor();
        let org = user.organisation_id;
        let keep = auth.session_hash.clone();
        let changed = state
            .db
            .write(move |c| {
                let stored: String = users::table
                    .find(user_id)
                    .select(users::password_hash)
                    .first(c)?;
                if !password::verify(&form.current_password, &stored) {
                    return Ok(false);
                }
                let new_hash = password::hash(&form.new_password)?;
                diesel::update(users::table.find(user_id))
                    .set((
                        users::password_hash.eq(new_hash),
                        users::updated_at.eq(crate::db::now()),
                    ))
                    .execute(c)?;
                session::destroy_others(c, user_id, keep.as_deref())?;
                // Whoever knew the old password may have made tokens with it.
                tokens::revoke_all(c, user_id)?;
                audit::record(
                    c,
                    &audit_actor,
                    Change::new("user.change_password", "user", user_id)
                        .in_organisation(org)
                        .after(serde_json::json!({ "password": "changed" })),
                )?;
                Ok(true)
            })
            .await?;
        if changed {
            return Ok(Redirect::to("/account?notice=password").into_response());
        }
        errors.push("current_password", "Your current password is not right");
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        html(PasswordPage { ctx, errors })?,
    )
        .into_response())
}
