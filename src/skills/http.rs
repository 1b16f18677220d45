//! Skills pages: take the questionnaire and see one's own profile
//! (`/account/skills`), and an organisation's aggregate for its admins.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::model::*;
use super::store::{self, OrgSkills, OwnSkills};
use crate::auth::{SessionUser, SignedIn};
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::{authorize, Action};
use crate::state::AppState;
use crate::web::{page, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/skills", get(own).post(take))
        .route("/organisations/{code}/skills", get(organisation))
}

#[derive(Template)]
#[template(path = "skills/own.html")]
struct OwnPage {
    ctx: PageCtx,
    skills: OwnSkills,
    chart: Option<String>,
    /// The answers as typed (a refused form keeps them).
    typed: BTreeMap<String, String>,
    errors: FormErrors,
    notice: Option<&'static str>,
}

impl OwnPage {
    fn competencies(&self) -> &'static [Competency] {
        Competency::ALL
    }
    fn scale(&self) -> &'static [(i32, &'static str)] {
        &SCALE
    }
    fn is_chosen(&self, code: &str, score: &i32) -> bool {
        self.typed
            .get(code)
            .is_some_and(|v| *v == score.to_string())
    }
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

async fn own(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let notice = (q.done.as_deref() == Some("saved")).then_some("Your answers are saved");
    own_page(&state, ctx, &user, BTreeMap::new(), vec![], notice).await
}

async fn own_page(
    state: &AppState,
    ctx: PageCtx,
    user: &SessionUser,
    typed: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    let id = user.id;
    let skills = state.db.read(move |c| store::own(c, id)).await?;
    let chart = skills
        .latest
        .as_ref()
        .map(|p| store::chart("own-skills", "Your collaboration skills", &p.competencies));
    let invalid = !errors.is_empty();
    page(
        OwnPage {
            ctx: ctx.with_nav("account"),
            skills,
            chart,
            typed,
            errors: FormErrors(errors),
            notice,
        },
        invalid,
    )
}

async fn take(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    let typed: BTreeMap<String, String> = pairs
        .into_iter()
        .filter(|(k, _)| STATEMENTS.iter().any(|(code, _, _)| code == k))
        .collect();
    let draft = SkillsDraft {
        answers: typed
            .iter()
            .filter_map(|(k, v)| v.trim().parse::<i64>().ok().map(|n| (k.clone(), n)))
            .collect(),
    };
    let saved = match SkillsInput::parse(&draft) {
        Ok(input) => {
            let u = user.clone();
            state.db.write(move |c| store::save(c, &u, &input)).await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match saved {
        Ok(_) => Ok(Redirect::to("/account/skills?done=saved").into_response()),
        Err(AppError::Invalid(errors)) => own_page(&state, ctx, &user, typed, errors, None).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "skills/organisation.html")]
struct OrgPage {
    ctx: PageCtx,
    skills: OrgSkills,
    chart: Option<String>,
}

async fn organisation(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let org = state
        .db
        .read(move |c| {
            let o = crate::orgs::store::find(c, &code)?;
            Ok((o.id, o.code, o.name))
        })
        .await?;
    authorize(
        ctx.user.as_ref().map(SessionUser::actor).as_ref(),
        Action::ViewSkillsAggregate {
            organisation_id: org.0,
        },
    )?;
    let skills = state.db.read(move |c| store::aggregate(c, &org)).await?;
    let chart = skills.competencies.as_ref().map(|m| {
        store::chart(
            "org-skills",
            &format!("Collaboration skills in {}", skills.organisation_name),
            m,
        )
    });
    page(
        OrgPage {
            ctx: ctx.with_nav("organisations"),
            skills,
            chart,
        },
        false,
    )
}
