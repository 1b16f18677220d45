//! The agreements behind a partnership (MoUs, contracts, statutory
//! delegations): their vocabulary, how they are shown, what may be given
//! and the rules it is checked against, and when a renewal needs attention.
//! Each rule is worded here and nowhere else.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::text;
use crate::web::forms;

crate::vocab::vocabulary!(
    /// The legal form of an agreement between partners.
    AgreementKind {
        Mou = "mou": "Memorandum of understanding",
        Contract = "contract": "Contract",
        S101 = "s101": "Section 101 delegation (Local Government Act 1972)",
        S113 = "s113": "Section 113 shared staff (Local Government Act 1972)",
        S75 = "s75": "Section 75 pooled budget (NHS Act 2006)",
        Articles = "articles": "Articles of association (company)",
        Other = "other": "Other",
    }
);

crate::vocab::vocabulary!(
    /// Whether an agreement's renewal needs attention.
    Renewal {
        DueSoon = "due_soon": "Renewal due soon",
        Overdue = "overdue": "Renewal overdue",
    }
);

impl Renewal {
    pub fn tag_class(self) -> &'static str {
        match self {
            Renewal::DueSoon => "govuk-tag--yellow",
            Renewal::Overdue => "govuk-tag--red",
        }
    }
}

/// How many days ahead a renewal counts as due soon.
pub const RENEWAL_WARNING_DAYS: u64 = 90;

/// The day renewals are judged on: today in UTC, as the server sees it.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Overdue once the renewal date has passed; due soon from 90 days before it.
pub fn renewal(renewal_due: Option<NaiveDate>, today: NaiveDate) -> Option<Renewal> {
    let due = renewal_due?;
    if due < today {
        Some(Renewal::Overdue)
    } else if due <= today + chrono::Days::new(RENEWAL_WARNING_DAYS) {
        Some(Renewal::DueSoon)
    } else {
        None
    }
}

/// An agreement as pages and the API show it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct AgreementView {
    pub id: i64,
    pub kind: AgreementKind,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub renewal_due: Option<NaiveDate>,
    pub document_url: String,
    /// Set when the renewal is overdue or due within 90 days.
    pub renewal: Option<Renewal>,
    pub updated_at: crate::time::Timestamp,
}

impl AgreementView {
    /// The draft that would leave the agreement as it is; changes start here.
    pub fn draft(&self) -> AgreementDraft {
        AgreementDraft {
            kind: self.kind.code().to_string(),
            title: self.title.clone(),
            signed_on: self.signed_on,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            renewal_due: self.renewal_due,
            document_url: self.document_url.clone(),
        }
    }
}

/// An agreement as the form or the API gives it, before it is checked.
/// Dates are optional: an agreement may be recorded before it is signed.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct AgreementDraft {
    #[schema(value_type = AgreementKind)]
    pub kind: String,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    /// After the start date.
    pub ends_on: Option<NaiveDate>,
    pub renewal_due: Option<NaiveDate>,
    /// A link to the signed document; http or https.
    pub document_url: String,
}

/// An agreement once checked: the only thing the store accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementInput {
    pub kind: AgreementKind,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub renewal_due: Option<NaiveDate>,
    /// Blank, or an http(s) address.
    pub document_url: String,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_URL: usize = 2000;

/// The agreement form's fields in order, for listing errors.
pub const FIELD_ORDER: [&str; 7] = [
    "kind",
    "title",
    "signed_on",
    "starts_on",
    "ends_on",
    "renewal_due",
    "document_url",
];

impl AgreementInput {
    /// Every rule about an agreement, worded once; all problems at once, in
    /// the order of the form.
    pub fn parse(draft: &AgreementDraft) -> Result<AgreementInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = AgreementKind::parse(&draft.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "Select the type of agreement"));
        }
        let title = forms::keep(
            &mut errors,
            text::required_line(
                "title",
                "Title",
                &draft.title,
                MAX_TITLE,
                "Enter the agreement's title",
            ),
        );
        for (field, label, date) in [
            ("signed_on", "Date signed", draft.signed_on),
            ("starts_on", "Start date", draft.starts_on),
            ("ends_on", "End date", draft.ends_on),
            ("renewal_due", "Renewal due date", draft.renewal_due),
        ] {
            forms::keep(&mut errors, forms::plausible_date(field, label, date));
        }
        if let (Some(starts), Some(ends)) = (draft.starts_on, draft.ends_on) {
            if ends <= starts && !errors.iter().any(|e| e.field == "ends_on") {
                errors.push(FieldError::new(
                    "ends_on",
                    "The end date must be after the start date",
                ));
            }
        }
        let document_url = forms::keep(
            &mut errors,
            text::line(
                "document_url",
                "Link to the document",
                &draft.document_url,
                MAX_URL,
            ),
        );
        if let Some(url) = document_url.as_deref() {
            if !url.is_empty() && !valid_url(url) {
                errors.push(FieldError::new(
                    "document_url",
                    "Enter the document link as a web address starting with https:// or http://, like https://council.gov.uk/agreement.pdf",
                ));
            }
        }
        match (kind, title, document_url) {
            (Some(kind), Some(title), Some(document_url)) if errors.is_empty() => {
                Ok(AgreementInput {
                    kind,
                    title,
                    signed_on: draft.signed_on,
                    starts_on: draft.starts_on,
                    ends_on: draft.ends_on,
                    renewal_due: draft.renewal_due,
                    document_url,
                })
            }
            _ => {
                forms::in_field_order(&mut errors, &FIELD_ORDER);
                Err(errors)
            }
        }
    }
}

/// An http(s) address with a host, and nothing a browser would read otherwise.
/// (How long it may be is `text::line`'s rule.)
pub fn valid_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    !host.is_empty()
        && !host.starts_with([':', '.'])
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn renewals_are_flagged_90_days_ahead_and_when_passed() {
        let today = d(2026, 1, 1);
        assert_eq!(renewal(None, today), None);
        assert_eq!(
            renewal(Some(d(2025, 12, 31)), today),
            Some(Renewal::Overdue)
        );
        assert_eq!(
            renewal(Some(today), today),
            Some(Renewal::DueSoon),
            "due today is not yet overdue"
        );
        assert_eq!(
            renewal(Some(d(2026, 4, 1)), today),
            Some(Renewal::DueSoon),
            "exactly 90 days ahead"
        );
        assert_eq!(renewal(Some(d(2026, 4, 2)), today), None, "91 days ahead");
    }

    #[test]
    fn document_links_must_be_web_addresses() {
        for ok in [
            "https://birmingham.gov.uk/mou.pdf",
            "http://example.org",
            "HTTPS://Leeds.gov.uk/a?b=c#d",
        ] {
            assert!(valid_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org/x",
            "https://",
            "https:///path",
            "birmingham.gov.uk/mou.pdf",
            "https://a b.com",
            "https://x.org/\"onmouseover",
            "data:text/html,hi",
        ] {
            assert!(!valid_url(bad), "{bad}");
        }
    }

    fn fields(draft: &AgreementDraft) -> Vec<String> {
        AgreementInput::parse(draft)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn checks_kind_title_dates_and_link() {
        let draft = AgreementDraft {
            kind: "treaty".into(),
            title: " ".into(),
            starts_on: Some(d(2026, 4, 1)),
            ends_on: Some(d(2026, 4, 1)),
            document_url: "www.x.org".into(),
            ..Default::default()
        };
        assert_eq!(fields(&draft), ["kind", "title", "ends_on", "document_url"]);
        let good = AgreementDraft {
            kind: "s101".into(),
            title: "  Delegation of waste functions ".into(),
            document_url: " https://leeds.gov.uk/s101.pdf ".into(),
            ..Default::default()
        };
        let input = AgreementInput::parse(&good).expect("dates are optional");
        assert_eq!(
            (
                input.kind,
                input.title.as_str(),
                input.document_url.as_str()
            ),
            (
                AgreementKind::S101,
                "Delegation of waste functions",
                "https://leeds.gov.uk/s101.pdf"
            )
        );
    }

    #[test]
    fn text_and_dates_follow_the_shared_rules() {
        let draft = AgreementDraft {
            kind: "mou".into(),
            title: "MoU\u{202E}fdp.exe".into(),
            signed_on: Some(d(1025, 3, 14)),
            document_url: format!("https://x.org/{}", "a".repeat(MAX_URL)),
            ..Default::default()
        };
        let errors = AgreementInput::parse(&draft).unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Title must not contain the invisible character U+202E",
                "Date signed must be between 1900 and 2200",
                "Link to the document must be 2000 characters or fewer",
            ]
        );
        let long = AgreementDraft {
            kind: "mou".into(),
            title: "x".repeat(MAX_TITLE + 1),
            ..Default::default()
        };
        assert_eq!(
            AgreementInput::parse(&long).unwrap_err()[0].message,
            "Title must be 200 characters or fewer"
        );
    }
}
