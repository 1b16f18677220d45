//! Reading questionnaires and publishing versions. Rounds refer to a
//! version, so a version's factors and statements are never changed or
//! removed once published.

use diesel::prelude::*;

use super::model::{FactorInput, FactorView, QuestionnaireView, StatementView};
use crate::db::schema::{health_factors as hf, health_statements as hs};
use crate::db::schema::{questionnaire_versions as qv, questionnaires as q};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
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

/// Starts a questionnaire for an organisation (or Concord's own), as a copy
/// of `from`'s latest version; returns its id. The caller has asked the
/// policy (`EditQuestionnaire`).
pub fn create(
    conn: &mut DbConn,
    organisation_id: Option<i64>,
    name: &str,
    from: i64,
) -> AppResult<i64> {
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(q::table)
        .values((
            q::organisation_id.eq(organisation_id),
            q::name.eq(name),
            q::created_at.eq(now),
        ))
        .returning(q::id)
        .get_result(conn)?;
    let (version_id, _, _) = latest_version(conn, from)?.ok_or(AppError::NotFound)?;
    let copy = factors(conn, version_id)?
        .into_iter()
        .map(|f| FactorInput {
            code: f.code,
            name: f.name,
            description: f.description,
            statements: f.statements.into_iter().map(|s| s.text).collect(),
        })
        .collect::<Vec<_>>();
    publish(conn, id, &copy)?;
    Ok(id)
}

/// Publishes the next version of a questionnaire with these factors;
/// returns the new version's id. Earlier versions stay as they were.
pub fn publish(
    conn: &mut DbConn,
    questionnaire_id: i64,
    factors: &[FactorInput],
) -> AppResult<i64> {
    let next = latest_version(conn, questionnaire_id)?.map_or(1, |(_, v, _)| v + 1);
    let version_id: i64 = diesel::insert_into(qv::table)
        .values((
            qv::questionnaire_id.eq(questionnaire_id),
            qv::version.eq(next),
            qv::published_at.eq(crate::db::now()),
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
