//! Checks of client input shared by the services (text, e-mail addresses,
//! ids; the rules themselves are `domain::input`'s) and of account and
//! company messages. Every error names its field; ticket-only checks are in
//! `tickets/validate.rs`.

use std::collections::HashSet;

use prost_types::Timestamp;
use tonic::Status;

use super::status::invalid;
use crate::domain::input as checks;
use crate::domain::{Address, Company, ContactDetails};

pub const MAX_NAME: usize = 100;
pub const MAX_EMAIL: usize = 254;
const MAX_ADDRESS_LINE: usize = 200;
const MAX_PHONE: usize = 40;
const MAX_EXTENSION: usize = 10;
const MAX_MESSAGE: usize = 1000;
const MAX_PAYMENT_TERMS: u32 = 365;
const MAX_SITES: usize = 200;
const MAX_DEFAULT_SUBSCRIBERS: usize = 100;
const MAX_RELATED_COMPANIES: usize = 50;

/// Trimmed single-line text of at most `max` characters.
pub fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, Status> {
    Ok(checks::single_line(field, value, max, required)?)
}

/// Free text of at most 64 KiB that may hold line breaks and tabs;
/// `required` refuses blank text.
pub fn long_text(field: &str, value: &str, required: bool) -> Result<String, Status> {
    Ok(checks::long_text(field, value, required)?)
}

/// A message to people (an access request): free text of at most
/// `MAX_MESSAGE` characters.
pub fn message(field: &str, value: &str) -> Result<String, Status> {
    Ok(checks::multi_line(
        field,
        value,
        checks::Max::Chars(MAX_MESSAGE),
        false,
    )?)
}

/// A required id.
pub fn id(field: &str, value: i64) -> Result<i64, Status> {
    Ok(checks::id(field, value)?)
}

/// An optional id: 0 means none.
pub fn optional_id(field: &str, value: i64) -> Result<Option<i64>, Status> {
    Ok(checks::optional_id(field, value)?)
}

/// An optional point in time, as stored (UTC milliseconds).
pub fn time(field: &str, t: Option<&Timestamp>) -> Result<Option<i64>, Status> {
    t.map(|t| {
        if !(0..1_000_000_000).contains(&t.nanos) || t.seconds < 0 {
            return Err(invalid(field, "not a valid time"));
        }
        t.seconds
            .checked_mul(1000)
            .map(|s| s + i64::from(t.nanos / 1_000_000))
            .ok_or_else(|| invalid(field, "not a valid time"))
    })
    .transpose()
}

/// An e-mail address (trimmed); `required` false lets it be empty.
pub fn email(field: &str, value: &str, required: bool) -> Result<String, Status> {
    let value = text(field, value, MAX_EMAIL, required)?;
    if !value.is_empty() && !checks::is_email(&value) {
        return Err(invalid(field, "not a valid e-mail address"));
    }
    Ok(value)
}

/// A postal address, each line trimmed; any may be empty. A city, region
/// or country names a place (it has letters); a postal code is letters,
/// digits, spaces and hyphens.
pub fn address(field: &str, a: &Address) -> Result<Address, Status> {
    let line = |name: &str, v: &str| text(&format!("{field}.{name}"), v, MAX_ADDRESS_LINE, false);
    let place = |name: &str, v: &str| {
        let v = line(name, v)?;
        if !v.is_empty() && !v.chars().any(char::is_alphabetic) {
            return Err(invalid(
                &format!("{field}.{name}"),
                "a place's name, in letters",
            ));
        }
        Ok(v)
    };
    let postal_code = line("postal_code", &a.postal_code)?;
    if !postal_code
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(invalid(
            &format!("{field}.postal_code"),
            "only letters, digits, spaces and -",
        ));
    }
    Ok(Address {
        line1: line("line1", &a.line1)?,
        line2: line("line2", &a.line2)?,
        city: place("city", &a.city)?,
        region: place("region", &a.region)?,
        postal_code,
        country: place("country", &a.country)?,
    })
}

/// A phone number: digits with spaces, `+ ( ) - .`; at least one digit.
pub fn phone_number(field: &str, number: &str) -> Result<(), Status> {
    if number.is_empty() {
        return Err(invalid(field, "a phone needs a number"));
    }
    checks::at_most(field, number, checks::Max::Chars(MAX_PHONE))?;
    if !number
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-.".contains(c))
        || !number.chars().any(|c| c.is_ascii_digit())
    {
        return Err(invalid(
            field,
            "a number may hold only digits, spaces and + ( ) - .",
        ));
    }
    Ok(())
}

/// A contact's details, trimmed and checked.
pub fn details(d: &ContactDetails) -> Result<ContactDetails, Status> {
    let mut kinds = HashSet::new();
    for p in &d.phones {
        if !kinds.insert(p.kind) {
            return Err(invalid(
                "details.phones",
                "each kind of phone may be given once",
            ));
        }
        phone_number("details.phones", &p.number)?;
        if p.extension.len() > MAX_EXTENSION || !p.extension.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid(
                "details.phones",
                format!("an extension has at most {MAX_EXTENSION} digits"),
            ));
        }
    }
    Ok(ContactDetails {
        first_name: text("details.first_name", &d.first_name, MAX_NAME, true)?,
        last_name: text("details.last_name", &d.last_name, MAX_NAME, true)?,
        title: text("details.title", &d.title, MAX_NAME, false)?,
        home_email: email("details.home_email", &d.home_email, false)?,
        private_email: email("details.private_email", &d.private_email, false)?,
        phones: d.phones.clone(),
        use_company_address: d.use_company_address,
        address: address("details.address", &d.address)?,
        notifications: d.notifications,
    })
}

/// A company's default subscribers: positive ids, and few enough that
/// looking each one up stays cheap.
pub fn subscriber_ids(field: &str, ids: &[i64]) -> Result<(), Status> {
    if ids.len() > MAX_DEFAULT_SUBSCRIBERS {
        return Err(invalid(
            field,
            format!("at most {MAX_DEFAULT_SUBSCRIBERS} contacts"),
        ));
    }
    for id in ids {
        checks::id(field, *id)?;
    }
    Ok(())
}

/// The companies a contact is related to: at most
/// `MAX_RELATED_COMPANIES` valid ids, each once, in the order given.
pub fn related_company_ids(ids: &[i64]) -> Result<Vec<i64>, Status> {
    const FIELD: &str = "related_company_ids";
    if ids.len() > MAX_RELATED_COMPANIES {
        return Err(invalid(
            FIELD,
            format!("at most {MAX_RELATED_COMPANIES} companies"),
        ));
    }
    let mut seen = HashSet::new();
    let mut unique = Vec::with_capacity(ids.len());
    for &id in ids {
        checks::id(FIELD, id)?;
        if seen.insert(id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

/// A company as sent to `CreateCompany` or `UpdateCompany`.
pub fn company(c: &Company) -> Result<Company, Status> {
    if c.payment_terms_days > MAX_PAYMENT_TERMS {
        return Err(invalid(
            "company.payment_terms_days",
            format!("between 0 and {MAX_PAYMENT_TERMS}"),
        ));
    }
    if c.sites.len() > MAX_SITES {
        return Err(invalid(
            "company.sites",
            format!("at most {MAX_SITES} sites"),
        ));
    }
    let phone = text("company.phone", &c.phone, MAX_PHONE, false)?;
    if !phone.is_empty() {
        phone_number("company.phone", &phone)?;
    }
    let mut names = HashSet::new();
    let sites = c
        .sites
        .iter()
        .map(|s| {
            // 0 is a new site.
            optional_id("company.sites", s.id)?;
            let name = text("company.sites.name", &s.name, MAX_NAME, true)?;
            if !names.insert(name.to_lowercase()) {
                return Err(invalid(
                    "company.sites.name",
                    format!("two sites are named \"{name}\""),
                ));
            }
            Ok(crate::domain::Site {
                id: s.id,
                name,
                address: address("company.sites.address", &s.address)?,
            })
        })
        .collect::<Result<Vec<_>, Status>>()?;
    subscriber_ids(
        "company.preferences.default_subscriber_ids",
        &c.preferences.default_subscriber_ids,
    )?;
    Ok(Company {
        name: text("company.name", &c.name, MAX_NAME, true)?,
        phone,
        address: address("company.address", &c.address)?,
        sites,
        ..c.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Phone, PhoneKind};

    fn message(r: Result<impl std::fmt::Debug, Status>) -> String {
        r.err().map(|s| s.message().to_owned()).unwrap_or_default()
    }

    #[test]
    fn emails() {
        for good in [
            "a@b.example",
            "first.last+tag@sub.example.com",
            "ÄÖ@example.de",
        ] {
            assert!(email("email", good, true).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.example",
            "a@@b.example",
            "a b@c.example",
            "a@-b.example",
            "a..b@c.example",
        ] {
            assert!(email("email", bad, true).is_err(), "{bad}");
        }
        assert!(email("home_email", "", false).is_ok());
        assert_eq!(
            message(email("email", "x", true)),
            "email: not a valid e-mail address"
        );
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            message(email("email", &long, true)),
            "email: at most 254 characters"
        );
    }

    fn with_phones(phones: Vec<Phone>) -> ContactDetails {
        ContactDetails {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            phones,
            ..ContactDetails::default()
        }
    }

    fn phone(kind: PhoneKind, number: &str, extension: &str) -> Phone {
        Phone {
            kind,
            number: number.into(),
            extension: extension.into(),
        }
    }

    #[test]
    fn details_names_phones_and_addresses() {
        assert!(
            details(&with_phones(vec![
                phone(PhoneKind::Direct, "+1 (555) 010-0199", "1234"),
                phone(PhoneKind::Mobile, "555.010.0100", ""),
            ]))
            .is_ok()
        );
        assert_eq!(
            message(details(&with_phones(vec![
                phone(PhoneKind::Direct, "555 0100", ""),
                phone(PhoneKind::Direct, "555 0101", ""),
            ]))),
            "details.phones: each kind of phone may be given once"
        );
        assert!(
            message(details(&with_phones(vec![phone(
                PhoneKind::Fax,
                "call me",
                ""
            )])))
            .starts_with("details.phones:")
        );
        assert!(
            message(details(&with_phones(vec![phone(
                PhoneKind::Fax,
                &"1".repeat(41),
                ""
            )])))
            .contains("at most 40")
        );
        assert!(
            message(details(&with_phones(vec![phone(
                PhoneKind::Fax,
                "555",
                "12345678901"
            )])))
            .contains("extension")
        );
        assert!(
            message(details(&with_phones(vec![phone(
                PhoneKind::Fax,
                "555",
                "12a"
            )])))
            .contains("extension")
        );
        let mut d = with_phones(Vec::new());
        d.first_name = "x".repeat(101);
        assert_eq!(
            message(details(&d)),
            "details.first_name: at most 100 characters"
        );
        d.first_name = "  ".into();
        assert_eq!(message(details(&d)), "details.first_name: required");
        d.first_name = "Ann".into();
        d.address.city = "x".repeat(201);
        assert_eq!(
            message(details(&d)),
            "details.address.city: at most 200 characters"
        );
        d.address.city = "Town".into();
        d.private_email = "nope".into();
        assert_eq!(
            message(details(&d)),
            "details.private_email: not a valid e-mail address"
        );
    }

    #[test]
    fn companies() {
        let mut c = Company {
            id: 0,
            name: " Acme ".into(),
            phone: "555 0100".into(),
            address: Address::default(),
            sites: Vec::new(),
            payment_terms_days: 30,
            preferences: crate::domain::CompanyPreferences::default(),
            active: true,
            created_at: 0,
        };
        assert_eq!(company(&c).map(|c| c.name).ok().as_deref(), Some("Acme"));
        c.payment_terms_days = 366;
        assert!(message(company(&c)).starts_with("company.payment_terms_days:"));
        c.payment_terms_days = 0;
        c.name = String::new();
        assert_eq!(message(company(&c)), "company.name: required");
    }
}
