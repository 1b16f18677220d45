//! Pages for people: an organisation's members and invitations, accepting an
//! invitation, and the platform admin area.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use diesel::prelude::*;
use serde::Deserialize;

use super::store::{self, Invitation, User};
use crate::auth::{password, session, SessionUser, SignedIn};
use crate::db::schema::{invitations, organisations, outbox, users};
use crate::error::{AppError, AppResult};
use crate::orgs::model::{NewOrganisation, Organisation, PARTNER_TYPES};
use crate::policy::{allows, authorize, Action, Role};
use crate::state::AppState;
use crate::web::{html, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations/{code}/members",
            get(members_page).post(invite),
        )
        .route(
            "/invitations/{token}",
            get(invitation_page).post(accept_invitation),
        )
        .route("/admin", get(admin_page))
        .route(
            "/admin/organisations/new",
            get(new_org_page).post(create_org),
        )
        .route("/admin/users/new", get(new_user_page).post(create_user))
}

/// Roles a user may hand out in an organisation, as (value, label) options.
fn grantable_roles(user: &SessionUser, org_id: i64) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .into_iter()
        .filter(|r| {
            allows(
                Some(&user.actor()),
                Action::InviteMember {
                    organisation_id: org_id,
                    role: *r,
                },
            )
        })
        .rev()
        .map(|r| (r.code(), r.label()))
        .collect()
}

#[derive(Template)]
#[template(path = "admin/members.html")]
struct MembersPage {
    ctx: PageCtx,
    org: Organisation,
    people: Vec<User>,
    pending: Vec<Invitation>,
    roles: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    email: String,
    role: String,
    sent_to: Option<String>,
}

async fn render_members(
    state: &AppState,
    ctx: PageCtx,
    user: &SessionUser,
    org: Organisation,
    errors: FormErrors,
    email: String,
    role: String,
    sent_to: Option<String>,
) -> AppResult<Response> {
    authorize(
        Some(&user.actor()),
        Action::ViewMembers {
            organisation_id: org.id,
        },
    )?;
    let org_id = org.id;
    let (people, pending) = state.db.read(move |c| store::members(c, org_id)).await?;
    let roles = grantable_roles(user, org.id);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = MembersPage {
        ctx: ctx.with_nav("organisations"),
        org,
        people,
        pending,
        roles,
        errors,
        email,
        role,
        sent_to,
    };
    Ok((status, html(page)?).into_response())
}

async fn members_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let org = state
        .db
        .read(move |c| crate::orgs::store::find(c, &code))
        .await?;
    render_members(
        &state,
        ctx,
        &user,
        org,
        FormErrors::default(),
        String::new(),
        "member".into(),
        None,
    )
    .await
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn invite(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(code): Path<String>,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let org = state
        .db
        .read(move |c| crate::orgs::store::find(c, &code))
        .await?;
    let Some(role) = Role::parse(&form.role) else {
        let mut errors = FormErrors::default();
        errors.push("role", "Select a role");
        return render_members(&state, ctx, &user, org, errors, form.email, form.role, None).await;
    };
    match super::invite(&state, &user, org.clone(), form.email.clone(), role).await {
        Ok(inv) => {
            render_members(
                &state,
                ctx,
                &user,
                org,
                FormErrors::default(),
                String::new(),
                "member".into(),
                Some(inv.email),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            render_members(
                &state,
                ctx,
                &user,
                org,
                FormErrors(errors),
                form.email,
                form.role,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "auth/invitation.html")]
struct InvitationPage {
    ctx: PageCtx,
    token: String,
    invitation: Invitation,
    org: Organisation,
    errors: FormErrors,
    display_name: String,
}

async fn invitation_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let t = token.clone();
    let (invitation, org) = state
        .db
        .read(move |c| store::find_invitation(c, &t))
        .await?;
    Ok(html(InvitationPage {
        ctx,
        token,
        invitation,
        org,
        errors: FormErrors::default(),
        display_name: String::new(),
    })?
    .into_response())
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn accept_invitation(
    State(state): State<AppState>,
    ctx: PageCtx,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let t = token.clone();
    let (invitation, org) = state
        .db
        .read(move |c| store::find_invitation(c, &t))
        .await?;
    let mut errors = FormErrors::default();
    let name = crate::text::required_line(
        "display_name",
        "Name",
        &form.display_name,
        100,
        "Enter your name",
    )
    .map_err(|e| errors.0.push(e))
    .unwrap_or_default();
    errors.0.extend(password::check_new(
        &form.new_password,
        &form.confirm_password,
    ));
    if !errors.is_empty() {
        let page = InvitationPage {
            ctx,
            token,
            invitation,
            org,
            errors,
            display_name: form.display_name,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(page)?).into_response());
    }
    let hash = password::hash(&form.new_password)?;
    let session_token = state
        .db
        .write(move |c| {
            let user = store::accept(c, &token, &name, &hash)?;
            session::create(c, user.id, "")
        })
        .await?;
    let jar = jar.add(session::session_cookie(
        session_token,
        state.config.secure_cookies,
    ));
    Ok((jar, Redirect::to("/account?notice=welcome")).into_response())
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminPage {
    ctx: PageCtx,
    organisations: i64,
    people: i64,
    pending_invitations: i64,
    unsent_email: i64,
}

async fn admin_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::AdministerPlatform)?;
    let (organisations, people, pending_invitations, unsent_email) = state
        .db
        .read(|c| {
            Ok((
                organisations::table
                    .filter(organisations::is_current.eq(true))
                    .count()
                    .get_result::<i64>(c)?,
                users::table.count().get_result::<i64>(c)?,
                invitations::table
                    .filter(invitations::accepted_at.is_null())
                    .filter(invitations::expires_at.gt(crate::db::now()))
                    .count()
                    .get_result::<i64>(c)?,
                outbox::table
                    .filter(outbox::status.ne_all(["sent", "cancelled"]))
                    .count()
                    .get_result::<i64>(c)?,
            ))
        })
        .await?;
    Ok(html(AdminPage {
        ctx: ctx.with_nav("admin"),
        organisations,
        people,
        pending_invitations,
        unsent_email,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "admin/new_organisation.html")]
struct NewOrgPage {
    ctx: PageCtx,
    errors: FormErrors,
    form: NewOrganisation,
    types: &'static [(&'static str, &'static str)],
}

async fn new_org_page(ctx: PageCtx, SignedIn(user): SignedIn) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::CreateOrganisation)?;
    Ok(html(NewOrgPage {
        ctx: ctx.with_nav("admin"),
        errors: FormErrors::default(),
        form: NewOrganisation::default(),
        types: PARTNER_TYPES,
    })?
    .into_response())
}

async fn create_org(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Form(form): Form<NewOrganisation>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::CreateOrganisation)?;
    let (input, actor) = (form.clone(), user.audit_actor());
    match state
        .db
        .write(move |c| crate::orgs::store::create(c, &input, &actor))
        .await
    {
        Ok(org) => Ok(Redirect::to(&format!("/organisations/{}", org.code)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = NewOrgPage {
                ctx: ctx.with_nav("admin"),
                errors: FormErrors(errors),
                form,
                types: PARTNER_TYPES,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "admin/new_user.html")]
struct NewUserPage {
    ctx: PageCtx,
    errors: FormErrors,
    email: String,
    org: String,
    role: String,
    sent_to: Option<String>,
}

async fn new_user_page(ctx: PageCtx, SignedIn(user): SignedIn) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::AdministerPlatform)?;
    Ok(html(NewUserPage {
        ctx: ctx.with_nav("admin"),
        errors: FormErrors::default(),
        email: String::new(),
        org: String::new(),
        role: "member".into(),
        sent_to: None,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    role: String,
}

async fn create_user(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Form(form): Form<NewUserForm>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::AdministerPlatform)?;
    let mut errors = FormErrors::default();
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.push("role", "Select a role");
    }
    let code = form.org.trim().to_string();
    let org = if code.is_empty() {
        errors.push("org", "Enter the organisation's code, like BIR");
        None
    } else {
        match state
            .db
            .read(move |c| crate::orgs::store::find(c, &code))
            .await
        {
            Ok(o) => Some(o),
            Err(AppError::NotFound) => {
                errors.push(
                    "org",
                    format!("No organisation has the code '{}'", form.org.trim()),
                );
                None
            }
            Err(e) => return Err(e),
        }
    };
    let render = |errors: FormErrors, sent_to: Option<String>, form: NewUserForm| {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let (email, org, role) = if sent_to.is_some() {
            (String::new(), String::new(), "member".to_string())
        } else {
            (form.email, form.org, form.role)
        };
        Ok::<_, AppError>(
            (
                status,
                html(NewUserPage {
                    ctx: ctx.clone().with_nav("admin"),
                    errors,
                    email,
                    org,
                    role,
                    sent_to,
                })?,
            )
                .into_response(),
        )
    };
    let (Some(org), Some(role)) = (org, role) else {
        return render(errors, None, form);
    };
    match super::invite(&state, &user, org, form.email.clone(), role).await {
        Ok(inv) => render(FormErrors::default(), Some(inv.email), form),
        Err(AppError::Invalid(errs)) => render(FormErrors(errs), None, form),
        Err(e) => Err(e),
    }
}
