//! Risk register pages: the register with exposure and heat map, adding and
//! editing a risk, a risk's page with its reviews, and the CSV download.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::exposure::*;
use super::heatmap::HeatMap;
use super::input::*;
use super::model::*;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::money::{parse_percent, percent};
use crate::partnerships::header::Header;
use crate::partnerships::model::{ActiveMember, ActiveMembers, Partnership};
use crate::partnerships::notice::{self, Done, Noted};
use crate::partnerships::owned;
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/risks", get(index))
        .route("/partnerships/{id}/risks.csv", get(csv))
        .route("/partnerships/{id}/risks/new", get(new_page).post(create))
        .route("/partnerships/{id}/risks/{rid}", get(show))
        .route(
            "/partnerships/{id}/risks/{rid}/edit",
            get(edit_page).post(edit),
        )
        .route("/partnerships/{id}/risks/{rid}/reviews", post(add_review))
}

#[derive(Template)]
#[template(path = "partnerships/risks/index.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    risks: Vec<RiskView>,
    exposure: Vec<PartnerRiskExposure>,
    map: HeatMap,
}

impl IndexPage {
    fn open_count(&self) -> usize {
        self.risks.iter().filter(|r| r.is_open()).count()
    }
}

async fn index(visit: Visit<Partnership>) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, |w, ctx| {
            let risks = store::list(w.conn, w.record.id)?;
            let exposure = exposure(&risks, &store::member_names(w.conn, w.record.id)?);
            let map = HeatMap::new(heat_map(&risks));
            let h = Header::of(w, "risks");
            page(
                IndexPage {
                    h,
                    risks,
                    exposure,
                    map,
                    ctx: ctx.with_nav("partnerships"),
                },
                false,
            )
        })
        .await
}

async fn csv(visit: Visit<Partnership>) -> AppResult<Response> {
    let name = format!("partnership-{}-risks.csv", visit.id);
    let body = Partnership::view(&visit.state.db, visit.user(), visit.id, |w| {
        super::export::to_csv(&store::list(w.conn, w.record.id)?)
    })
    .await?;
    Ok(crate::web::csv::download(&name, body))
}

/// The add/edit form's fields as typed. Shares arrive as `share-<CODE>`.
#[derive(Clone, Debug, Default)]
pub struct RiskForm {
    pub title: String,
    pub description: String,
    pub category: String,
    pub likelihood: String,
    pub impact: String,
    pub owner: String,
    pub mitigation: String,
    pub status: String,
    /// (organisation code, percentage as typed).
    pub shares: Vec<(String, String)>,
}

impl RiskForm {
    pub fn from_pairs(fields: Vec<(String, String)>) -> RiskForm {
        let mut f = RiskForm::default();
        for (key, value) in fields {
            match key.as_str() {
                "title" => f.title = value,
                "description" => f.description = value,
                "category" => f.category = value,
                "likelihood" => f.likelihood = value,
                "impact" => f.impact = value,
                "owner" => f.owner = value,
                "mitigation" => f.mitigation = value,
                "status" => f.status = value,
                _ => {
                    if let Some(code) = key.strip_prefix("share-") {
                        f.shares.push((code.to_string(), value));
                    }
                }
            }
        }
        f
    }

    pub fn from_draft(d: &RiskDraft) -> RiskForm {
        let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
        RiskForm {
            title: d.title.clone(),
            description: d.description.clone(),
            category: d.category.clone(),
            likelihood: number(d.likelihood),
            impact: number(d.impact),
            owner: d.owner.clone(),
            mitigation: d.mitigation.clone(),
            status: d.status.clone(),
            shares: d
                .shares
                .iter()
                .flatten()
                .map(|(code, bp)| (code.clone(), percent(*bp).trim_end_matches('%').to_string()))
                .collect(),
        }
    }

    /// What a person typed for a member's share.
    pub fn share(&self, code: &str) -> String {
        self.shares
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// What could be read, and what could not. A blank share counts as 0%.
    fn to_draft(&self, active: &ActiveMembers) -> (RiskDraft, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut shares = Vec::new();
        for (code, typed) in &self.shares {
            if typed.trim().is_empty() {
                shares.push((code.clone(), 0));
                continue;
            }
            match parse_percent(typed) {
                Ok(bp) => shares.push((code.clone(), bp)),
                Err(msg) => {
                    let name = active
                        .by_code(code)
                        .map_or(code.as_str(), |m| m.name.as_str());
                    errors.push(FieldError::new(
                        &format!("share-{code}"),
                        format!("{name}'s share: {msg}"),
                    ))
                }
            }
        }
        let number = |v: &str| v.trim().parse::<i32>().ok();
        let draft = RiskDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            likelihood: number(&self.likelihood),
            impact: number(&self.impact),
            owner: self.owner.clone(),
            mitigation: self.mitigation.clone(),
            status: self.status.clone(),
            shares: Some(shares),
        };
        (draft, errors)
    }

    /// The risk as typed, checked against the partnership as it is now.
    fn check(
        &self,
        w: &mut Work<'_, Partnership>,
        current: Option<&RiskView>,
    ) -> AppResult<RiskInput> {
        let id = w.record.id;
        let (draft, reading) = self.to_draft(&partnerships::active_members(w.conn, id)?);
        let rules = match store::check(w.conn, id, &draft, current) {
            Ok(input) => Ok(input),
            // A share that cannot be read says so; the sum of the rest would only confuse.
            Err(AppError::Invalid(mut errors)) => {
                if reading.iter().any(|e| e.field.starts_with("share-")) {
                    errors.retain(|e| e.field != "shares");
                }
                Err(errors)
            }
            Err(e) => return Err(e),
        };
        forms::checked(reading, rules, &FIELD_ORDER).map_err(AppError::Invalid)
    }
}

#[derive(Template)]
#[template(path = "partnerships/risks/form.html")]
struct FormPage {
    ctx: PageCtx,
    h: Header,
    errors: FormErrors,
    form: RiskForm,
    /// None when adding.
    risk: Option<RiskView>,
    active: Vec<ActiveMember>,
    /// The shares shown are the members' agreed cost shares.
    prefilled: bool,
}

impl FormPage {
    fn categories(&self) -> Vec<(&'static str, &'static str)> {
        RiskCategory::options()
    }
    fn likelihoods(&self) -> Vec<(String, String)> {
        likelihood_options()
    }
    fn impacts(&self) -> Vec<(String, String)> {
        impact_options()
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        RiskStatus::options()
    }
    /// Active members, after a blank choice so nobody owns a risk by accident.
    fn owners(&self) -> Vec<(String, String)> {
        std::iter::once((String::new(), "Select an organisation".to_string()))
            .chain(
                self.active
                    .iter()
                    // Only the lead records a risk for another organisation.
                    .filter(|m| {
                        self.h.may_change(&m.organisation_id)
                            || self.form.owner.eq_ignore_ascii_case(&m.code)
                    })
                    .map(|m| (m.code.clone(), m.name.clone())),
            )
            .collect()
    }
    fn share_error(&self, code: &str) -> Option<&str> {
        self.errors.get(&format!("share-{code}"))
    }
    fn has_share_errors(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.field == "shares" || e.field.starts_with("share-"))
    }
    fn action(&self) -> String {
        match &self.risk {
            Some(r) => format!("/partnerships/{}/risks/{}/edit", self.h.p.id, r.id),
            None => format!("/partnerships/{}/risks/new", self.h.p.id),
        }
    }
}

/// Draws the add or edit form (`rid` names the risk being changed).
/// `form` is `None` to start from the risk as it is or, when adding, from
/// the members' agreed cost shares.
async fn form_page(
    visit: Visit<Partnership>,
    rid: Option<i64>,
    errors: Vec<FieldError>,
    form: Option<RiskForm>,
) -> AppResult<Response> {
    visit
        .page(Action::EditPartnership, move |w, ctx| {
            let id = w.record.id;
            let active = partnerships::active_members(w.conn, id)?;
            let risk = rid.map(|rid| store::get(w.conn, id, rid)).transpose()?;
            // A risk is changed by its owner's people or the lead; others 403.
            if let Some(r) = &risk {
                owned::allow(w, r.owner_id)?;
            }
            let defaults = store::default_shares(w.conn, id)?;
            let prefilled = form.is_none() && risk.is_none() && defaults.is_some();
            let form = match (form, &risk) {
                (Some(form), _) => form,
                (None, Some(r)) => RiskForm::from_draft(&store::draft_of(r)),
                (None, None) => {
                    let own = w.organisation_id().and_then(|o| active.by_id(o));
                    RiskForm::from_draft(&RiskDraft {
                        owner: own.map(|m| m.code.clone()).unwrap_or_default(),
                        status: RiskStatus::Open.code().into(),
                        shares: defaults,
                        ..Default::default()
                    })
                }
            };
            let invalid = !errors.is_empty();
            let (h, errors, active) = (Header::of(w, "risks"), FormErrors(errors), active.0);
            let ctx = ctx.with_nav("partnerships");
            page(
                FormPage {
                    ctx,
                    h,
                    errors,
                    form,
                    risk,
                    active,
                    prefilled,
                },
                invalid,
            )
        })
        .await
}

async fn new_page(visit: Visit<Partnership>) -> AppResult<Response> {
    form_page(visit, None, vec![], None).await
}

async fn create(
    visit: Visit<Partnership>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = RiskForm::from_pairs(fields);
    let typed = form.clone();
    let id = visit.id;
    let change = move |w: &mut Work<'_, Partnership>| {
        let input = typed.check(w, None)?;
        let risk = store::create(w, &input)?;
        notice::noted(w, risk)
    };
    let to = move |n: Noted<RiskView>| n.to(format!("/partnerships/{id}/risks/{}", n.value.id));
    let again = |visit, errors| form_page(visit, None, errors, Some(form));
    visit
        .submit(Action::EditPartnership, change, to, again)
        .await
}

async fn edit_page(visit: Visit<Partnership>) -> AppResult<Response> {
    let rid = visit.param("rid")?;
    form_page(visit, Some(rid), vec![], None).await
}

async fn edit(
    visit: Visit<Partnership>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (id, rid) = (visit.id, visit.param("rid")?);
    let form = RiskForm::from_pairs(fields);
    let typed = form.clone();
    let change = move |w: &mut Work<'_, Partnership>| {
        let current = store::get(w.conn, id, rid)?;
        let input = typed.check(w, Some(&current))?;
        let risk = store::update(w, &current, &input)?;
        notice::noted(w, risk)
    };
    let to = move |n: Noted<RiskView>| n.to(format!("/partnerships/{id}/risks/{rid}"));
    let again = move |visit, errors| form_page(visit, Some(rid), errors, Some(form));
    visit
        .submit(Action::EditPartnership, change, to, again)
        .await
}

/// The review form's fields as typed.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct ReviewForm {
    pub reviewed_on_day: String,
    pub reviewed_on_month: String,
    pub reviewed_on_year: String,
    pub likelihood: String,
    pub impact: String,
    pub status: String,
    pub note: String,
}

impl ReviewForm {
    fn to_input(&self, today: chrono::NaiveDate) -> Result<ReviewInput, Vec<FieldError>> {
        let mut reading = Vec::new();
        let reviewed_on = forms::keep(
            &mut reading,
            forms::required_date(
                "reviewed_on",
                "Date of the review",
                &self.reviewed_on_day,
                &self.reviewed_on_month,
                &self.reviewed_on_year,
            ),
        );
        let number = |v: &str| v.trim().parse::<i32>().ok();
        let draft = ReviewDraft {
            reviewed_on,
            likelihood: number(&self.likelihood),
            impact: number(&self.impact),
            status: self.status.clone(),
            note: self.note.clone(),
        };
        let order = ["reviewed_on", "likelihood", "impact", "status", "note"];
        forms::checked(reading, ReviewInput::parse(&draft, today), &order)
    }
}

#[derive(Template)]
#[template(path = "partnerships/risks/show.html")]
struct ShowPage {
    ctx: PageCtx,
    h: Header,
    d: RiskDetail,
    errors: FormErrors,
    review: ReviewForm,
}

impl ShowPage {
    fn likelihoods(&self) -> Vec<(String, String)> {
        likelihood_options()
    }
    fn impacts(&self) -> Vec<(String, String)> {
        impact_options()
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        RiskStatus::options()
    }
    /// A share's part of the risk's score (0 once the risk is closed).
    fn contribution(&self, s: &RiskShare) -> String {
        if self.d.risk.is_open() {
            exposure_label(i64::from(self.d.risk.score) * i64::from(s.share_bp))
        } else {
            "0.00".into()
        }
    }
}

async fn render_show(
    visit: Visit<Partnership>,
    errors: Vec<FieldError>,
    review: Option<ReviewForm>,
    done: Done,
) -> AppResult<Response> {
    let rid = visit.param("rid")?;
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            let d = store::detail(w.conn, w.record.id, rid)?;
            let review = review.unwrap_or_else(|| ReviewForm {
                likelihood: d.risk.likelihood.to_string(),
                impact: d.risk.impact.to_string(),
                status: d.risk.status.code().into(),
                ..Default::default()
            });
            let h = Header::of(w, "risks").with_notice(w, done)?;
            let invalid = !errors.is_empty();
            let errors = FormErrors(errors);
            page(
                ShowPage {
                    h,
                    d,
                    errors,
                    review,
                    ctx: ctx.with_nav("partnerships"),
                },
                invalid,
            )
        })
        .await
}

async fn show(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    render_show(visit, vec![], None, done).await
}

async fn add_review(
    visit: Visit<Partnership>,
    Form(form): Form<ReviewForm>,
) -> AppResult<Response> {
    let (id, rid) = (visit.id, visit.param("rid")?);
    let checked = form.to_input(chrono::Utc::now().date_naive());
    let change = move |w: &mut Work<'_, Partnership>| {
        let review = store::review(w, rid, &checked.map_err(AppError::Invalid)?)?;
        notice::noted(w, review)
    };
    let to = move |n: Noted<RiskReview>| n.to(format!("/partnerships/{id}/risks/{rid}"));
    let again = |visit, errors| render_show(visit, errors, Some(form), Done::default());
    visit
        .submit(Action::EditPartnership, change, to, again)
        .await
}
