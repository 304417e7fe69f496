//! Conversions for people, companies, requests and the audit log.

use portal_proto::pb;
use tonic::Status;

use super::{access_to_pb, opt_timestamp, role_to_pb, timestamp};
use crate::domain::{
    Account, Address, AuditEntry, Company, CompanyPreferences, Contact, ContactDetails,
    Notifications, PendingRequest, Phone, PhoneKind, RequestKind, Site, StaffMember, SubjectKind,
};
use crate::service::status::invalid;

pub fn identity_to_pb(a: &Account) -> pb::Identity {
    pb::Identity {
        staff: a.kind == SubjectKind::Staff,
        id: a.id,
        email: a.email.clone(),
        display_name: a.display_name(),
        access: a.access.map_or(pb::AccessLevel::Unspecified, access_to_pb) as i32,
        role: a.role.map_or(pb::StaffRole::Unspecified, role_to_pb) as i32,
        company_id: a.company_id.unwrap_or_default(),
        company_name: a.company_name.clone(),
        must_change_password: a.must_change(),
        time_zone: a.time_zone.clone(),
        provider_name: a.provider_name.clone(),
    }
}

pub fn address_to_pb(a: &Address) -> pb::Address {
    pb::Address {
        line1: a.line1.clone(),
        line2: a.line2.clone(),
        city: a.city.clone(),
        region: a.region.clone(),
        postal_code: a.postal_code.clone(),
        country: a.country.clone(),
    }
}

pub fn address_from_pb(a: Option<pb::Address>) -> Address {
    let a = a.unwrap_or_default();
    Address {
        line1: a.line1,
        line2: a.line2,
        city: a.city,
        region: a.region,
        postal_code: a.postal_code,
        country: a.country,
    }
}

fn phone_kind_to_pb(k: PhoneKind) -> pb::PhoneKind {
    match k {
        PhoneKind::Direct => pb::PhoneKind::Direct,
        PhoneKind::Home => pb::PhoneKind::Home,
        PhoneKind::Mobile => pb::PhoneKind::Mobile,
        PhoneKind::Pager => pb::PhoneKind::Pager,
        PhoneKind::Fax => pb::PhoneKind::Fax,
        PhoneKind::FaxHome => pb::PhoneKind::FaxHome,
    }
}

fn phone_kind_from_pb(k: pb::PhoneKind) -> Option<PhoneKind> {
    match k {
        pb::PhoneKind::Unspecified => None,
        pb::PhoneKind::Direct => Some(PhoneKind::Direct),
        pb::PhoneKind::Home => Some(PhoneKind::Home),
        pb::PhoneKind::Mobile => Some(PhoneKind::Mobile),
        pb::PhoneKind::Pager => Some(PhoneKind::Pager),
        pb::PhoneKind::Fax => Some(PhoneKind::Fax),
        pb::PhoneKind::FaxHome => Some(PhoneKind::FaxHome),
    }
}

fn notifications_to_pb(n: Notifications) -> pb::NotificationPreferences {
    pb::NotificationPreferences {
        ticket_created: n.ticket_created,
        staff_reply: n.staff_reply,
        status_changed: n.status_changed,
        ticket_completed: n.ticket_completed,
        invoices: n.invoices,
    }
}

pub fn details_to_pb(d: &ContactDetails) -> pb::ContactDetails {
    pb::ContactDetails {
        first_name: d.first_name.clone(),
        last_name: d.last_name.clone(),
        title: d.title.clone(),
        home_email: d.home_email.clone(),
        private_email: d.private_email.clone(),
        phones: d
            .phones
            .iter()
            .map(|p| pb::Phone {
                kind: phone_kind_to_pb(p.kind) as i32,
                number: p.number.clone(),
                extension: p.extension.clone(),
            })
            .collect(),
        use_company_address: d.use_company_address,
        address: Some(address_to_pb(&d.address)),
        notifications: Some(notifications_to_pb(d.notifications)),
    }
}

/// The details as sent; only the phone kinds can be wrong here (the rest is
/// checked by `service::input`). Left-out notifications keep the defaults.
pub fn details_from_pb(d: pb::ContactDetails) -> Result<ContactDetails, Status> {
    let phones = d
        .phones
        .iter()
        .map(|p| {
            let kind = phone_kind_from_pb(p.kind())
                .ok_or_else(|| invalid("details.phones", "each phone needs a kind"))?;
            Ok(Phone {
                kind,
                number: p.number.trim().to_owned(),
                extension: p.extension.trim().to_owned(),
            })
        })
        .collect::<Result<Vec<_>, Status>>()?;
    let notifications = d
        .notifications
        .map_or_else(Notifications::default, |n| Notifications {
            ticket_created: n.ticket_created,
            staff_reply: n.staff_reply,
            status_changed: n.status_changed,
            ticket_completed: n.ticket_completed,
            invoices: n.invoices,
        });
    Ok(ContactDetails {
        first_name: d.first_name,
        last_name: d.last_name,
        title: d.title,
        home_email: d.home_email,
        private_email: d.private_email,
        phones,
        use_company_address: d.use_company_address,
        address: address_from_pb(d.address),
        notifications,
    })
}

pub fn contact_to_pb(c: &Contact) -> pb::Contact {
    pb::Contact {
        id: c.id,
        company_id: c.company_id,
        company_name: c.company_name.clone(),
        email: c.email.clone(),
        details: Some(details_to_pb(&c.details)),
        access: access_to_pb(c.access) as i32,
        active: c.active,
        related_company_ids: c.related_company_ids.clone(),
        created_at: Some(timestamp(c.created_at)),
        last_login_at: opt_timestamp(c.last_login_at),
        locked: c.locked,
    }
}

pub fn staff_to_pb(s: &StaffMember) -> pb::StaffMember {
    pb::StaffMember {
        id: s.id,
        first_name: s.first_name.clone(),
        last_name: s.last_name.clone(),
        email: s.email.clone(),
        role: role_to_pb(s.role) as i32,
        active: s.active,
        created_at: Some(timestamp(s.created_at)),
    }
}

pub fn company_to_pb(c: &Company) -> pb::Company {
    pb::Company {
        id: c.id,
        name: c.name.clone(),
        address: Some(address_to_pb(&c.address)),
        sites: c
            .sites
            .iter()
            .map(|s| pb::Site {
                id: s.id,
                name: s.name.clone(),
                address: Some(address_to_pb(&s.address)),
            })
            .collect(),
        payment_terms_days: c.payment_terms_days,
        preferences: Some(preferences_to_pb(&c.preferences)),
        active: c.active,
        created_at: Some(timestamp(c.created_at)),
        phone: c.phone.clone(),
    }
}

fn preferences_to_pb(p: &CompanyPreferences) -> pb::CompanyPreferences {
    pb::CompanyPreferences {
        require_po_number: p.require_po_number,
        users_see_all_tickets: p.users_see_all_tickets,
        default_subscriber_ids: p.default_subscriber_ids.clone(),
    }
}

pub fn preferences_from_pb(p: Option<pb::CompanyPreferences>) -> CompanyPreferences {
    let p = p.unwrap_or_default();
    let mut ids = p.default_subscriber_ids;
    ids.sort_unstable();
    ids.dedup();
    CompanyPreferences {
        require_po_number: p.require_po_number,
        users_see_all_tickets: p.users_see_all_tickets,
        default_subscriber_ids: ids,
    }
}

/// A company as sent for saving (fields checked by `service::input`).
pub fn company_from_pb(c: pb::Company) -> Company {
    Company {
        id: c.id,
        name: c.name.trim().to_owned(),
        phone: c.phone.trim().to_owned(),
        address: address_from_pb(c.address),
        sites: c
            .sites
            .into_iter()
            .map(|s| Site {
                id: s.id,
                name: s.name.trim().to_owned(),
                address: address_from_pb(s.address),
            })
            .collect(),
        payment_terms_days: c.payment_terms_days,
        preferences: preferences_from_pb(c.preferences),
        active: c.active,
        created_at: 0,
    }
}

pub fn request_to_pb(r: &PendingRequest) -> pb::PendingRequest {
    pb::PendingRequest {
        id: r.id,
        kind: match r.kind {
            RequestKind::PasswordReset => pb::PendingRequestKind::PasswordReset,
            RequestKind::Access => pb::PendingRequestKind::Access,
        } as i32,
        company_id: r.company_id,
        company_name: r.company_name.clone(),
        contact_id: r.contact_id,
        contact_name: r.contact_name.clone(),
        email: r.email.clone(),
        message: r.message.clone(),
        created_at: Some(timestamp(r.created_at)),
    }
}

pub fn audit_to_pb(e: &AuditEntry) -> pb::AuditEntry {
    pb::AuditEntry {
        id: e.id,
        at: Some(timestamp(e.at)),
        actor: e.actor.clone(),
        action: e.action.clone(),
        subject: e.subject.clone(),
        company_id: e.company_id.unwrap_or_default(),
        detail: e.detail.clone(),
    }
}
