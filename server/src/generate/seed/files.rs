//! The data files in `data/`, embedded at build time and checked at load.

use std::collections::HashSet;

use anyhow::{Context, anyhow, bail, ensure};
use serde::Deserialize;

use crate::domain::tickets::{FieldDef, FieldKind, ServiceType};

const CATALOG_TOML: &str = include_str!("../../../../data/catalog.toml");
const SLA_TOML: &str = include_str!("../../../../data/sla.toml");
const WORK_TYPES_TOML: &str = include_str!("../../../../data/work_types.toml");

/// The first work types (`data/work_types.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkTypes {
    pub work_types: Vec<String>,
}

impl WorkTypes {
    /// The embedded `data/work_types.toml`: distinct names, each a valid one.
    pub fn embedded() -> anyhow::Result<Self> {
        let file: Self = toml::from_str(WORK_TYPES_TOML).context("data/work_types.toml")?;
        let mut names = HashSet::new();
        for name in &file.work_types {
            crate::domain::input::single_line("work_types", name, 100, true)
                .map_err(|e| anyhow!("data/work_types.toml: {name:?}: {}", e.message))?;
            ensure!(
                names.insert(name.trim().to_lowercase()),
                "data/work_types.toml: {name:?} appears twice"
            );
        }
        Ok(file)
    }
}

/// The service catalog (`data/catalog.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[serde(rename = "service")]
    pub services: Vec<ServiceDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDef {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "field", default)]
    pub fields: Vec<FieldDef>,
}

impl ServiceDef {
    /// The JSON stored in `service_types.fields`.
    pub fn fields_json(&self) -> String {
        serde_json::to_string(&self.fields).unwrap_or_else(|_| "[]".into())
    }
}

impl Catalog {
    /// The embedded `data/catalog.toml`.
    pub fn embedded() -> anyhow::Result<Self> {
        Self::parse(CATALOG_TOML).context("data/catalog.toml")
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let catalog: Self = toml::from_str(text)?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Each entry passes the checks a provider Admin's edit does
    /// (`ServiceType::validate`); the file also needs distinct names, real
    /// choices (two or more) and "Other" last.
    fn validate(&self) -> anyhow::Result<()> {
        ensure!(!self.services.is_empty(), "no [[service]] entries");
        let mut names = HashSet::new();
        for s in &self.services {
            let entry = ServiceType {
                id: 0,
                name: s.name.clone(),
                description: s.description.clone(),
                sort_order: 0,
                active: true,
                fields: s.fields.clone(),
            };
            entry
                .validate()
                .map_err(|e| anyhow!("service {:?}: {}: {}", s.name, e.field, e.message))?;
            let name = s.name.trim();
            ensure!(
                names.insert(name.to_lowercase()),
                "service {name:?} appears twice"
            );
            for f in &s.fields {
                ensure!(
                    f.kind != FieldKind::Choice || f.choices.len() >= 2,
                    "service {name:?}, field {:?}: a choice needs at least two choices",
                    f.key
                );
            }
        }
        if let Some(pos) = self.services.iter().position(|s| s.name == "Other") {
            ensure!(
                pos + 1 == self.services.len(),
                "\"Other\" must be the last service"
            );
        }
        Ok(())
    }
}

/// Provider defaults and SLA targets (`data/sla.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaFile {
    pub provider: ProviderDefaults,
    #[serde(rename = "target")]
    pub targets: Vec<SlaTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDefaults {
    pub time_zone: String,
    pub business_days: Vec<u8>,
    pub business_start: String,
    pub business_end: String,
    pub labour_rate_cents: i64,
    pub payment_terms_days: i64,
    pub currency: String,
    pub auto_close_days: i64,
}

impl ProviderDefaults {
    /// `business_days` as stored: ISO weekday digits, e.g. "12345".
    pub fn business_days_digits(&self) -> String {
        let mut days = self.business_days.clone();
        days.sort_unstable();
        days.iter().map(u8::to_string).collect()
    }

    pub fn start_minute(&self) -> i64 {
        minute_of_day(&self.business_start).unwrap_or(480)
    }

    pub fn end_minute(&self) -> i64 {
        minute_of_day(&self.business_end).unwrap_or(1020)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    pub priority: i64,
    pub name: String,
    pub clock: String,
    pub response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
}

impl SlaFile {
    /// The embedded `data/sla.toml`.
    pub fn embedded() -> anyhow::Result<Self> {
        Self::parse(SLA_TOML).context("data/sla.toml")
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let file: Self = toml::from_str(text)?;
        file.validate()?;
        Ok(file)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let p = &self.provider;
        ensure!(
            p.time_zone.parse::<chrono_tz::Tz>().is_ok(),
            "provider.time_zone: not a known IANA time zone (like \"America/Chicago\" or \"UTC\")"
        );
        ensure!(
            !p.business_days.is_empty() && p.business_days.iter().all(|d| (1..=7).contains(d)),
            "provider.business_days: ISO weekdays 1 (Monday) to 7"
        );
        let distinct: HashSet<_> = p.business_days.iter().collect();
        ensure!(
            distinct.len() == p.business_days.len(),
            "provider.business_days: a day appears twice"
        );
        let (Some(start), Some(end)) = (
            minute_of_day(&p.business_start),
            minute_of_day(&p.business_end),
        ) else {
            bail!("provider.business_start/business_end: times as HH:MM");
        };
        ensure!(
            start < end,
            "provider.business_start: must be before business_end"
        );
        ensure!(
            p.labour_rate_cents >= 0,
            "provider.labour_rate_cents: not negative"
        );
        ensure!(
            p.payment_terms_days >= 0,
            "provider.payment_terms_days: not negative"
        );
        ensure!(
            p.currency.len() == 3 && p.currency.chars().all(|c| c.is_ascii_uppercase()),
            "provider.currency: a three-letter code like \"USD\""
        );
        ensure!(
            p.auto_close_days >= 1,
            "provider.auto_close_days: at least 1"
        );

        let mut seen = [false; 5];
        for t in &self.targets {
            ensure!(
                (1..=5).contains(&t.priority),
                "target.priority: 1 to 5, not {}",
                t.priority
            );
            let slot = &mut seen[(t.priority - 1) as usize];
            ensure!(!*slot, "target.priority {} appears twice", t.priority);
            *slot = true;
            let ctx = format!("target for priority {}", t.priority);
            ensure!(!t.name.trim().is_empty(), "{ctx}: name is empty");
            ensure!(
                matches!(t.clock.as_str(), "24x7" | "business" | "none"),
                "{ctx}: clock must be \"24x7\", \"business\" or \"none\""
            );
            for m in [t.response_minutes, t.resolution_minutes]
                .into_iter()
                .flatten()
            {
                ensure!(m > 0, "{ctx}: minutes must be positive");
                ensure!(t.clock != "none", "{ctx}: minutes need a clock");
            }
        }
        ensure!(
            seen.iter().all(|s| *s),
            "targets: one for each priority 1 to 5"
        );
        Ok(())
    }

    pub fn target(&self, priority: i64) -> Option<&SlaTarget> {
        self.targets.iter().find(|t| t.priority == priority)
    }
}

/// "HH:MM" as minutes after midnight.
fn minute_of_day(s: &str) -> Option<i64> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_parses_and_ends_with_other() {
        let c = Catalog::embedded().unwrap();
        let names: Vec<_> = c.services.iter().map(|s| s.name.as_str()).collect();
        for want in [
            "Password reset",
            "New user setup",
            "Software install",
            "Hardware",
            "Network/Internet",
            "E-mail",
            "Printer",
            "Security concern",
        ] {
            assert!(names.contains(&want), "{want} missing");
        }
        assert_eq!(names.last(), Some(&"Other"));
        let setup = c
            .services
            .iter()
            .find(|s| s.name == "New user setup")
            .unwrap();
        let start = setup.fields.iter().find(|f| f.key == "start_date").unwrap();
        assert_eq!(start.kind, FieldKind::Date);
        assert!(start.required);
        let kinds: HashSet<_> = c
            .services
            .iter()
            .flat_map(|s| s.fields.iter().map(|f| f.kind))
            .collect();
        assert_eq!(kinds.len(), 5, "every field kind is used");
    }

    #[test]
    fn stored_fields_json_has_every_key() {
        let c = Catalog::embedded().unwrap();
        let json: serde_json::Value = serde_json::from_str(&c.services[1].fields_json()).unwrap();
        let first = &json[0];
        for key in ["key", "label", "kind", "required", "choices"] {
            assert!(first.get(key).is_some(), "{key} missing in {first}");
        }
        let kinds: Vec<_> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].clone())
            .collect();
        assert!(kinds.contains(&serde_json::json!("yes_no")));
    }

    #[test]
    fn bad_catalogs_are_refused_with_a_reason() {
        let cases = [
            (
                "[[service]]\nname = \"Other\"\n[[service]]\nname = \"Printer\"\n",
                "last",
            ),
            (
                "[[service]]\nname = \"A\"\n[[service]]\nname = \"a\"\n",
                "twice",
            ),
            (
                "[[service]]\nname = \"A\"\n[[service.field]]\nkey = \"Bad Key\"\nlabel = \"x\"\nkind = \"text\"\n",
                "lower-case letters",
            ),
            (
                "[[service]]\nname = \"A\"\n[[service.field]]\nkey = \"k\"\nlabel = \"x\"\nkind = \"choice\"\nchoices = [\"one\"]\n",
                "at least two",
            ),
            (
                "[[service]]\nname = \"A\"\n[[service.field]]\nkey = \"k\"\nlabel = \"x\"\nkind = \"number\"\n",
                "unknown variant",
            ),
        ];
        for (text, want) in cases {
            let err = format!("{:#}", Catalog::parse(text).unwrap_err());
            assert!(err.contains(want), "{err:?} should mention {want:?}");
        }
    }

    #[test]
    fn embedded_sla_parses_with_the_product_defaults() {
        let s = SlaFile::embedded().unwrap();
        assert_eq!(s.provider.labour_rate_cents, 15000);
        assert_eq!(s.provider.payment_terms_days, 0);
        assert_eq!(s.provider.business_days_digits(), "12345");
        assert_eq!(
            (s.provider.start_minute(), s.provider.end_minute()),
            (480, 1020)
        );
        assert_eq!(s.provider.auto_close_days, 7);
        let p1 = s.target(1).unwrap();
        assert_eq!((p1.clock.as_str(), p1.response_minutes), ("24x7", Some(60)));
        for p in 2..=4 {
            let t = s.target(p).unwrap();
            assert_eq!(
                (t.clock.as_str(), t.response_minutes),
                ("business", Some(60))
            );
        }
        assert_eq!(s.target(5).unwrap().response_minutes, None);
    }

    #[test]
    fn bad_sla_files_are_refused_with_a_reason() {
        let good = SLA_TOML;
        let cases = [
            (good.replace("\"17:00\"", "\"07:00\""), "before"),
            (good.replace("\"08:00\"", "\"8am\""), "HH:MM"),
            (good.replace("priority = 5", "priority = 4"), "twice"),
            (
                good.replace("clock = \"24x7\"", "clock = \"always\""),
                "clock",
            ),
            (good.replace("\"USD\"", "\"dollars\""), "currency"),
            (
                good.replace("\"America/Chicago\"", "\"America/Atlantis\""),
                "time_zone",
            ),
        ];
        for (text, want) in cases {
            let err = format!("{:#}", SlaFile::parse(&text).unwrap_err());
            assert!(err.contains(want), "{err:?} should mention {want:?}");
        }
    }
}
