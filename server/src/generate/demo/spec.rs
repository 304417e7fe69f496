//! `data/demo.toml`: the hand-written part of the demo data set.

use std::collections::HashSet;

use anyhow::{Context, ensure};
use serde::Deserialize;

const DEMO_TOML: &str = include_str!("../../../../data/demo.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSpec {
    pub provider: Provider,
    pub staff: Vec<Staff>,
    #[serde(rename = "company")]
    pub companies: Vec<Company>,
    pub lines: Lines,
    #[serde(rename = "problem")]
    pub problems: Vec<Problem>,
    #[serde(rename = "article", default)]
    pub articles: Vec<Article>,
    #[serde(rename = "team", default)]
    pub teams: Vec<Team>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub name: String,
    /// `[["MM-DD", "name"]]`, repeated every year.
    pub holidays: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    pub email: String,
    pub first: String,
    pub last: String,
    pub role: String,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Deserialize, serde::Serialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

impl Address {
    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: String,
    pub phone: String,
    pub address: Address,
    #[serde(default)]
    pub require_po: bool,
    #[serde(default)]
    pub users_see_all: bool,
    #[serde(default)]
    pub payment_terms_days: i64,
    /// How many tickets of history to generate.
    pub tickets: usize,
    #[serde(default)]
    pub default_subscribers: Vec<String>,
    #[serde(rename = "site")]
    pub sites: Vec<Site>,
    #[serde(rename = "contact")]
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    pub address: Address,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub email: String,
    pub first: String,
    pub last: String,
    #[serde(default)]
    pub title: String,
    pub access: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// The contact's usual site, by name.
    pub site: Option<String>,
    /// `[[kind, number, extension]]`, kind as in `portal.v1.PhoneKind` without
    /// its prefix, in lower case: direct, home, mobile, pager, fax, `fax_home`.
    #[serde(default)]
    pub phones: Vec<(String, String, String)>,
    #[serde(default)]
    pub home_email: String,
    /// Other companies (by name) the contact is related to.
    #[serde(default)]
    pub related: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lines {
    pub first_response: Vec<String>,
    pub waiting: Vec<String>,
    pub client_reply: Vec<String>,
    pub closing_thanks: Vec<String>,
    pub scheduled: Vec<String>,
    pub cancel: Vec<String>,
    pub no_action: Vec<String>,
    pub internal: Vec<String>,
    /// Comments of good ratings (4 and 5) and of poor ones.
    pub rating_praise: Vec<String>,
    pub rating_critique: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub service: String,
    pub titles: Vec<String>,
    pub description: String,
    pub ask: Option<String>,
    pub answer: Option<String>,
    pub note: Option<String>,
    pub resolution: String,
    #[serde(default)]
    pub tasks: Vec<String>,
    /// The usual priority for this kind of problem.
    pub priority: Option<i64>,
}

/// A knowledge article (docs/KNOWLEDGE.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub title: String,
    /// A staff member's e-mail.
    pub author: String,
    /// Only this company (by name) sees it; none: every client.
    pub company: Option<String>,
    pub days_ago: i64,
    /// Markdown.
    pub body: String,
}

/// A company's account team: staff by e-mail, the after-hours phone.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub company: String,
    pub manager: String,
    pub technician: String,
    pub after_hours: String,
}

fn yes() -> bool {
    true
}

impl DemoSpec {
    pub fn embedded() -> anyhow::Result<Self> {
        let spec: Self = toml::from_str(DEMO_TOML).context("data/demo.toml")?;
        spec.validate().context("data/demo.toml")?;
        Ok(spec)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let mut emails = HashSet::new();
        for s in &self.staff {
            ensure!(
                emails.insert(s.email.to_lowercase()),
                "{} appears twice",
                s.email
            );
            ensure!(
                matches!(s.role.as_str(), "technician" | "dispatcher" | "admin"),
                "{}: unknown role {}",
                s.email,
                s.role
            );
        }
        ensure!(
            self.staff
                .iter()
                .any(|s| s.role == "technician" && s.active),
            "no active technician"
        );
        let names: HashSet<_> = self.companies.iter().map(|c| c.name.as_str()).collect();
        for c in &self.companies {
            ensure!(!c.sites.is_empty(), "{}: no sites", c.name);
            ensure!(
                c.contacts.iter().any(|p| p.active && p.access != "none"),
                "{}: no active contact with portal access",
                c.name
            );
            for p in &c.contacts {
                ensure!(
                    emails.insert(p.email.to_lowercase()),
                    "{} appears twice",
                    p.email
                );
                ensure!(
                    matches!(p.access.as_str(), "none" | "user" | "manager" | "admin"),
                    "{}: unknown access {}",
                    p.email,
                    p.access
                );
                if let Some(site) = &p.site {
                    ensure!(
                        c.sites.iter().any(|s| &s.name == site),
                        "{}: unknown site {site}",
                        p.email
                    );
                }
                for r in &p.related {
                    ensure!(
                        names.contains(r.as_str()),
                        "{}: unknown company {r}",
                        p.email
                    );
                }
                for (kind, _, _) in &p.phones {
                    ensure!(
                        matches!(
                            kind.as_str(),
                            "direct" | "home" | "mobile" | "pager" | "fax" | "fax_home"
                        ),
                        "{}: unknown phone kind {kind}",
                        p.email
                    );
                }
            }
            for s in &c.default_subscribers {
                ensure!(
                    c.contacts.iter().any(|p| &p.email == s),
                    "{}: default subscriber {s} is not a contact",
                    c.name
                );
            }
        }
        for p in &self.problems {
            ensure!(
                !p.titles.is_empty(),
                "a {} problem has no titles",
                p.service
            );
            ensure!(
                p.ask.is_some() == p.answer.is_some(),
                "{:?}: ask and answer go together",
                p.titles[0]
            );
            ensure!(
                p.priority.is_none_or(|n| (1..=5).contains(&n)),
                "{:?}: priority 1 to 5",
                p.titles[0]
            );
        }
        Ok(())
    }
}
