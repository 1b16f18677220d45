//! Reading questionnaires and publishing versions. Rounds refer to a
//! version, so a version's factors and statements are never changed or
//! removed once published.

use diesel::prelude::*;

use super::model::*;
use crate::audit::{self, Change};
use crate::auth::SessionUser;
use crate::db::schema::{health_factors as hf, health_rounds as hr, health_statements as hs};
use crate::db::schema::{organisations as orgs, users};
use crate::db::schema::{questionnaire_versions as qv, questionnaires as q};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::policy::{allows, authorize, Action, Actor};
use crate::time::Timestamp;

/// A version's factors with their statements, in order.
pub fn factors(conn: &mut DbConn, version_id: i64) -> AppResult<Vec<FactorView>> {
    let factors: Vec<(i64, String, String, String)> = hf::table
        .filter(hf::version_id.eq(version_id))
        .order((hf::position.asc(), hf::id.asc()))
        .select((hf::id, hf::code, hf::name, hf::description))
        .load(conn)?;
    let ids: Vec<i64> = factors.iter().map(|f| f.0).collect();
    let statements: Vec<(i64, i64, String)> = hs::table
        .filter(hs::factor_id.eq_any(&ids))
        .order((hs::position.asc(), hs::id.asc()))
        .select((hs::id, hs::factor_id, hs::text))
        .load(conn)?;
    Ok(factors
        .into_iter()
        .map(|(id, code, name, description)| FactorView {
            id,
            code,
            name,
            description,
            statements: statements
                .iter()
                .filter(|s| s.1 == id)
                .map(|s| StatementView {
                    id: s.0,
                    text: s.2.clone(),
                })
                .collect(),
        })
        .collect())
}

/// The latest version of a questionnaire: (version id, number, published).
pub fn latest_version(
    conn: &mut DbConn,
    questionnaire_id: i64,
) -> AppResult<Option<(i64, i32, Timestamp)>> {
    Ok(qv::table
        .filter(qv::questionnaire_id.eq(questionnaire_id))
        .order(qv::version.desc())
        .select((qv::id, qv::version, qv::published_at))
        .first(conn)
        .optional()?)
}

/// The questionnaires an organisation may use: Concord's own first, then
/// its own, each at its latest version (`with_factors` for the API).
pub fn usable_by(
    conn: &mut DbConn,
    organisation_id: Option<i64>,
    with_factors: bool,
) -> AppResult<Vec<QuestionnaireView>> {
    let org = organisation_id.unwrap_or(-1);
    let rows: Vec<(i64, Option<i64>, String)> = q::table
        .filter(q::organisation_id.is_null().or(q::organisation_id.eq(org)))
        .order((q::organisation_id.is_not_null(), q::name.asc(), q::id.asc()))
        .select((q::id, q::organisation_id, q::name))
        .load(conn)?;
    let mut out = Vec::new();
    for (id, organisation_id, name) in rows {
        let Some((version_id, version, published_at)) = latest_version(conn, id)? else {
            continue;
        };
        let factors = if with_factors {
            factors(conn, version_id)?
        } else {
            Vec::new()
        };
        out.push(QuestionnaireView {
            id,
            organisation_id,
            name,
            version,
            version_id,
            published_at,
            factors,
        });
    }
    Ok(out)
}

/// The questionnaire a version belongs to: (name, version number).
pub fn version_label(conn: &mut DbConn, version_id: i64) -> AppResult<(i64, String, i32)> {
    Ok(qv::table
        .inner_join(q::table)
        .filter(qv::id.eq(version_id))
        .select((q::id, q::name, qv::version))
        .first(conn)?)
}

/// Concord's own questionnaire (the migration ships it).
pub fn default_id(conn: &mut DbConn) -> AppResult<i64> {
    q::table
        .filter(q::organisation_id.is_null())
        .order(q::id.asc())
        .select(q::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::internal("Concord's own questionnaire is missing"))
}

/// A questionnaire as stored.
#[derive(Clone, Debug)]
pub struct Questionnaire {
    pub id: i64,
    pub organisation_id: Option<i64>,
    pub name: String,
    pub created_at: Timestamp,
}

/// The questionnaire if `actor` may see it, then whether they may do
/// `action` with it: 404 if there is none or it is another organisation's,
/// then 401 (signed out) or 403.
pub fn open(
    conn: &mut DbConn,
    id: i64,
    actor: Option<&Actor>,
    action: fn(Option<i64>) -> Action,
) -> AppResult<Questionnaire> {
    let (id, organisation_id, name, created_at) = q::table
        .find(id)
        .select((q::id, q::organisation_id, q::name, q::created_at))
        .first::<(i64, Option<i64>, String, Timestamp)>(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    // Concord's own is there for everyone; an organisation's, for its own.
    if organisation_id.is_some() && !allows(actor, Action::ViewQuestionnaire { organisation_id }) {
        return Err(AppError::NotFound);
    }
    authorize(actor, action(organisation_id))?;
    Ok(Questionnaire {
        id,
        organisation_id,
        name,
        created_at,
    })
}

pub fn view_action(organisation_id: Option<i64>) -> Action {
    Action::ViewQuestionnaire { organisation_id }
}

pub fn edit_action(organisation_id: Option<i64>) -> Action {
    Action::EditQuestionnaire { organisation_id }
}

/// The names an organisation's questionnaires (or Concord's) already have.
pub fn names_of(conn: &mut DbConn, organisation_id: Option<i64>) -> AppResult<Vec<String>> {
    let query = q::table.select(q::name).into_boxed();
    let query = match organisation_id {
        Some(org) => query.filter(q::organisation_id.eq(org)),
        None => query.filter(q::organisation_id.is_null()),
    };
    Ok(query.load(conn)?)
}

/// One version, by its number.
pub fn version(conn: &mut DbConn, questionnaire_id: i64, number: i32) -> AppResult<VersionView> {
    let found: (i64, i32, Timestamp, Option<i64>) = qv::table
        .filter(qv::questionnaire_id.eq(questionnaire_id))
        .filter(qv::version.eq(number))
        .select((qv::id, qv::version, qv::published_at, qv::published_by))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    version_view(conn, questionnaire_id, found)
}

fn version_view(
    conn: &mut DbConn,
    questionnaire_id: i64,
    (id, version, published_at, published_by): (i64, i32, Timestamp, Option<i64>),
) -> AppResult<VersionView> {
    let published_by = match published_by {
        Some(user) => users::table
            .find(user)
            .select(users::display_name)
            .first::<String>(conn)
            .optional()?,
        None => None,
    };
    let rounds = hr::table
        .filter(hr::version_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(VersionView {
        id,
        questionnaire_id,
        version,
        published_at,
        published_by,
        rounds,
        factors: factors(conn, id)?,
    })
}

/// The questionnaire with all its versions, newest first.
pub fn detail(conn: &mut DbConn, found: &Questionnaire) -> AppResult<QuestionnaireDetail> {
    let rows: Vec<(i64, i32, Timestamp, Option<i64>)> = qv::table
        .filter(qv::questionnaire_id.eq(found.id))
        .order(qv::version.desc())
        .select((qv::id, qv::version, qv::published_at, qv::published_by))
        .load(conn)?;
    let versions = rows
        .into_iter()
        .map(|row| version_view(conn, found.id, row))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(QuestionnaireDetail {
        id: found.id,
        organisation_id: found.organisation_id,
        owner: owner_name(conn, found.organisation_id)?,
        name: found.name.clone(),
        created_at: found.created_at,
        versions,
    })
}

/// "Concord", or the organisation's name.
pub fn owner_name(conn: &mut DbConn, organisation_id: Option<i64>) -> AppResult<String> {
    Ok(match organisation_id {
        Some(org) => orgs::table.find(org).select(orgs::name).first(conn)?,
        None => "Concord".into(),
    })
}

/// Factor codes by name a new version keeps: those of `questionnaire_id`'s
/// latest version, then Concord's own, so a factor keeps its code (and a
/// report's trend still compares it) while its name stays the same.
fn known_codes(
    conn: &mut DbConn,
    questionnaire_id: Option<i64>,
) -> AppResult<Vec<(String, String)>> {
    let mut known = Vec::new();
    let default = default_id(conn)?;
    for id in questionnaire_id.into_iter().chain([default]) {
        if let Some((version_id, _, _)) = latest_version(conn, id)? {
            known.extend(
                hf::table
                    .filter(hf::version_id.eq(version_id))
                    .select((hf::code, hf::name))
                    .load::<(String, String)>(conn)?,
            );
        }
    }
    Ok(known)
}

/// A questionnaire and its version as the audit trail shows them: in words.
fn written(name: &str, version: i32, factors: &[FactorInput]) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "version": version,
        "factors": factors
            .iter()
            .map(|f| serde_json::json!({"factor": f.name, "statements": f.statements}))
            .collect::<Vec<_>>(),
    })
}

fn audit_change(action: &str, found: &Questionnaire) -> Change {
    let change = Change::new(action, "questionnaire", found.id);
    match found.organisation_id {
        Some(org) => change.in_organisation(org),
        None => change,
    }
}

/// Creates a questionnaire for an organisation (or Concord's own) with its
/// first version; `like`: the questionnaire it was started from, whose
/// factor codes it keeps. The caller was allowed `EditQuestionnaire`.
pub fn create(
    conn: &mut DbConn,
    by: &SessionUser,
    organisation_id: Option<i64>,
    input: &QuestionnaireInput,
    like: Option<i64>,
) -> AppResult<Questionnaire> {
    let created_at = crate::db::now();
    let id: i64 = diesel::insert_into(q::table)
        .values((
            q::organisation_id.eq(organisation_id),
            q::name.eq(&input.name),
            q::created_at.eq(created_at),
        ))
        .returning(q::id)
        .get_result(conn)?;
    let mut factors = input.factors.clone();
    assign_codes(&mut factors, &known_codes(conn, like)?);
    insert_version(conn, id, 1, Some(by.id), &factors)?;
    let found = Questionnaire {
        id,
        organisation_id,
        name: input.name.clone(),
        created_at: Timestamp(created_at),
    };
    audit::record(
        conn,
        &by.audit_actor(),
        audit_change("questionnaire.create", &found).after(written(&input.name, 1, &factors)),
    )?;
    Ok(found)
}

/// Publishes the next version of a questionnaire; returns it. Earlier
/// versions, and the rounds on them, stay as they were. The caller was
/// allowed `EditQuestionnaire`.
pub fn publish(
    conn: &mut DbConn,
    by: &SessionUser,
    found: &Questionnaire,
    input: &FactorsInput,
) -> AppResult<VersionView> {
    let (before_id, before, _) = latest_version(conn, found.id)?.ok_or(AppError::NotFound)?;
    let mut factors = input.factors.clone();
    assign_codes(&mut factors, &known_codes(conn, Some(found.id))?);
    let next = before + 1;
    insert_version(conn, found.id, next, Some(by.id), &factors)?;
    let earlier: Vec<FactorInput> = super::store::factors(conn, before_id)?
        .into_iter()
        .map(|f| FactorInput {
            code: f.code,
            name: f.name,
            description: f.description,
            statements: f.statements.into_iter().map(|s| s.text).collect(),
        })
        .collect();
    audit::record(
        conn,
        &by.audit_actor(),
        audit_change("questionnaire.publish", found)
            .before(written(&found.name, before, &earlier))
            .after(written(&found.name, next, &factors)),
    )?;
    version(conn, found.id, next)
}

/// Writes a version with its factors and statements.
fn insert_version(
    conn: &mut DbConn,
    questionnaire_id: i64,
    number: i32,
    by: Option<i64>,
    factors: &[FactorInput],
) -> AppResult<i64> {
    let version_id: i64 = diesel::insert_into(qv::table)
        .values((
            qv::questionnaire_id.eq(questionnaire_id),
            qv::version.eq(number),
            qv::published_at.eq(crate::db::now()),
            qv::published_by.eq(by),
        ))
        .returning(qv::id)
        .get_result(conn)?;
    for (i, f) in factors.iter().enumerate() {
        let factor_id: i64 = diesel::insert_into(hf::table)
            .values((
                hf::version_id.eq(version_id),
                hf::position.eq(i as i32 + 1),
                hf::code.eq(&f.code),
                hf::name.eq(&f.name),
                hf::description.eq(&f.description),
            ))
            .returning(hf::id)
            .get_result(conn)?;
        for (j, text) in f.statements.iter().enumerate() {
            diesel::insert_into(hs::table)
                .values((
                    hs::factor_id.eq(factor_id),
                    hs::position.eq(j as i32 + 1),
                    hs::text.eq(text),
                ))
                .execute(conn)?;
        }
    }
    Ok(version_id)
}
