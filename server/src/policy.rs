//! Who may do what (docs/ROLES.md, "Who may do what"), in one place.
//! Every handler asks here. Functions take facts (who calls, what the object is) and decide; they
//! never read the store themselves.

use crate::domain::reports::ReportSubject;
use crate::domain::{
    AccessLevel, Principal, StaffRole, Standing, SubjectKind, TicketFacts, TicketScope,
    TicketStatus, client_moves, staff_moves,
};

/// Why a call is refused. An object the caller may not see is `NotFound`,
/// exactly like one that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    NotFound,
    Forbidden(&'static str),
}

pub type Decision = Result<(), Denied>;

mod knowledge;
pub use knowledge::{
    article_scope, set_account_team, view_account_team, view_article, write_articles,
};

fn allow_if(ok: bool, why: &'static str) -> Decision {
    if ok {
        Ok(())
    } else {
        Err(Denied::Forbidden(why))
    }
}

fn is_provider_admin(p: &Principal) -> bool {
    matches!(
        p,
        Principal::Staff {
            role: StaffRole::Admin,
            ..
        }
    )
}

fn is_staff(p: &Principal) -> bool {
    matches!(p, Principal::Staff { .. })
}

/// A contact of `company_id` with at least `level`.
fn company_level(p: &Principal, company_id: i64, level: AccessLevel) -> bool {
    matches!(p, Principal::Contact { company_id: c, access, .. } if *c == company_id && *access >= level)
}

// ---------------------------------------------------------------- tickets

/// `users_see_all`: the caller's company lets Users see all its tickets.
pub fn ticket_scope(p: &Principal, users_see_all: bool) -> TicketScope {
    match *p {
        Principal::Staff { .. } => TicketScope::All,
        Principal::Contact {
            contact_id,
            company_id,
            access,
        } => {
            if access >= AccessLevel::Manager || users_see_all {
                TicketScope::Company {
                    company_id,
                    contact_id,
                }
            } else {
                TicketScope::Own { contact_id }
            }
        }
    }
}

pub fn view_ticket(p: &Principal, t: &TicketFacts) -> Decision {
    let visible = match ticket_scope(p, t.users_see_all) {
        TicketScope::All => true,
        TicketScope::Company {
            company_id,
            contact_id,
        } => t.company_id == company_id || t.contact_id == contact_id || t.caller_subscribed,
        TicketScope::Own { contact_id } => t.contact_id == contact_id || t.caller_subscribed,
    };
    if visible {
        Ok(())
    } else {
        Err(Denied::NotFound)
    }
}

/// Creating a ticket for `company_id` on behalf of `contact_id`.
pub fn create_ticket(p: &Principal, company_id: i64, contact_id: i64) -> Decision {
    match *p {
        Principal::Staff { .. } => Ok(()),
        Principal::Contact {
            contact_id: me,
            company_id: mine,
            access,
        } => {
            if company_id != mine {
                return Err(Denied::NotFound);
            }
            allow_if(
                contact_id == me || access >= AccessLevel::Manager,
                "only Managers and Admins may raise a ticket for another contact",
            )
        }
    }
}

/// Giving a new ticket a priority (rather than the default): staff.
pub fn prioritise_new_ticket(p: &Principal) -> Decision {
    allow_if(is_staff(p), "only staff may set the priority")
}

/// The ticket's requester, or a Manager or Admin of its company.
fn speaks_for_requester(p: &Principal, t: &TicketFacts) -> bool {
    matches!(*p, Principal::Contact { contact_id, .. } if t.contact_id == contact_id)
        || company_level(p, t.company_id, AccessLevel::Manager)
}

/// Discussion and resolution posts and attachments: anyone who can view.
pub fn post(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)
}

pub fn internal_note(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    allow_if(is_staff(p), "only staff may write internal notes")
}

/// Internal notes are shown to staff only.
pub fn sees_internal_notes(p: &Principal) -> bool {
    is_staff(p)
}

/// Whether the caller may change this ticket's status at all: a Technician
/// on its own queue, Dispatchers and provider Admins, the requester, and
/// the company's Managers and Admins. Which moves: `allowed_statuses`.
pub fn change_status(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    let ok = match *p {
        Principal::Staff {
            role: StaffRole::Technician,
            staff_id,
        } => t.assigned_staff_id == Some(staff_id) || t.caller_assigned,
        Principal::Staff { .. } => true,
        Principal::Contact { .. } => speaks_for_requester(p, t),
    };
    allow_if(
        ok,
        "only the requester, the company's Managers and Admins, the assigned Technicians, Dispatchers and provider Admins may change the status",
    )
}

/// The statuses the caller may move this ticket to (empty: none).
pub fn allowed_statuses(p: &Principal, t: &TicketFacts) -> &'static [TicketStatus] {
    if change_status(p, t).is_err() {
        return &[];
    }
    if is_staff(p) {
        staff_moves(t.status)
    } else {
        client_moves(t.status)
    }
}

/// A client rejecting completion (Completed → In Progress) must say why.
pub fn move_needs_note(p: &Principal, from: TicketStatus, to: TicketStatus) -> bool {
    !is_staff(p) && from == TicketStatus::Completed && to == TicketStatus::InProgress
}

pub fn set_priority_or_assign(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    allow_if(
        matches!(
            p,
            Principal::Staff {
                role: StaffRole::Dispatcher | StaffRole::Admin,
                ..
            }
        ),
        "only Dispatchers and provider Admins may change priority or assignment",
    )
}

pub fn manage_tasks(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    allow_if(is_staff(p), "only staff may add or check tasks")
}

/// Subscribers: staff, the requester, and the company's Managers and Admins.
pub fn manage_subscribers(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    let ok = match *p {
        Principal::Staff { .. } => true,
        Principal::Contact { .. } => speaks_for_requester(p, t),
    };
    allow_if(
        ok,
        "only the requester, Managers and Admins may change subscribers",
    )
}

/// Making `standing`'s contact a subscriber: a contact of the ticket's
/// company, or (staff only) a contact related to it. Anyone else is not
/// found, as is a related contact to a client, who cannot see other
/// companies' contacts.
pub fn add_subscriber(p: &Principal, t: &TicketFacts, standing: Standing) -> Decision {
    manage_subscribers(p, t)?;
    match standing {
        Standing::Own => Ok(()),
        Standing::Related if is_staff(p) => Ok(()),
        Standing::Related | Standing::Stranger => Err(Denied::NotFound),
    }
}

/// Removing a subscriber: a contact of the ticket's company, or whoever is
/// subscribed (a related contact, shown on the ticket).
pub fn remove_subscriber(
    p: &Principal,
    t: &TicketFacts,
    standing: Standing,
    subscribed: bool,
) -> Decision {
    manage_subscribers(p, t)?;
    if standing == Standing::Own || subscribed {
        Ok(())
    } else {
        Err(Denied::NotFound)
    }
}

/// Home's ticket statistics cover only tickets the caller may see (`ticket_scope`), so anyone may ask; a contact may name
/// only its own company.
pub fn ticket_stats(p: &Principal, company_id: Option<i64>) -> Decision {
    match (p, company_id) {
        (
            Principal::Contact {
                company_id: mine, ..
            },
            Some(asked),
        ) if asked != *mine => Err(Denied::NotFound),
        _ => Ok(()),
    }
}

/// Reports (`ReportService.GetReport`): client Managers and Admins over
/// their own company, Dispatchers and provider Admins over any or all;
/// staff time for staff only; money (agreements, invoices) for those who
/// see it (`money_scope`), so not for Dispatchers. Answers the company the
/// report covers (None: all).
pub fn report(
    p: &Principal,
    subject: ReportSubject,
    company_id: Option<i64>,
) -> Result<Option<i64>, Denied> {
    match *p {
        Principal::Contact {
            company_id: mine,
            access,
            ..
        } => {
            if company_id.is_some_and(|asked| asked != mine) {
                return Err(Denied::NotFound);
            }
            allow_if(
                access >= AccessLevel::Manager,
                "only Managers and Admins see the company's reports",
            )?;
            allow_if(
                subject != ReportSubject::StaffTime,
                "only staff see the time logged",
            )?;
            allow_if(
                subject != ReportSubject::StaffRatings,
                "only staff see ratings per technician and per company",
            )?;
            Ok(Some(mine))
        }
        Principal::Staff { role, .. } => {
            allow_if(
                role != StaffRole::Technician,
                "only Dispatchers and provider Admins see reports",
            )?;
            if subject == ReportSubject::Money {
                money_scope(p)?;
            }
            Ok(company_id)
        }
    }
}

// ------------------------------------- estimates, sign-off, time (WorkService)

/// Proposing an estimate: staff, on a ticket they can see.
pub fn propose_estimate(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    allow_if(is_staff(p), "only staff may propose an estimate")
}

/// Approving or declining an estimate: the Managers and Admins of the
/// ticket's company.
pub fn decide_estimate(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    allow_if(
        company_level(p, t.company_id, AccessLevel::Manager),
        "only the company's Managers and Admins may approve or decline an estimate",
    )
}

/// The company whose awaiting estimates the caller may list: its own, for
/// a Manager or Admin.
pub fn awaiting_estimates(p: &Principal) -> Result<i64, Denied> {
    match *p {
        Principal::Contact {
            company_id, access, ..
        } if access >= AccessLevel::Manager => Ok(company_id),
        _ => Err(Denied::Forbidden(
            "only a company's Managers and Admins have estimates to decide",
        )),
    }
}

/// Signing off a Completed ticket: the requester, or the company's
/// Managers and Admins.
pub fn sign_off(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    allow_if(
        speaks_for_requester(p, t),
        "only the requester and the company's Managers and Admins may sign off",
    )
}

// ------------------------------------------ customer satisfaction (ratings)

/// Rating a ticket (TicketService.RateTicket): its requester only, not a
/// colleague who also sees it and not staff. (Whether it is Closed and not
/// rated yet is the handler's check of the ticket's state.)
pub fn rate_ticket(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    allow_if(
        matches!(*p, Principal::Contact { contact_id, .. } if contact_id == t.contact_id),
        "only the ticket's requester may rate it",
    )
}

/// Listing ratings across tickets (TicketService.ListRatings): staff. A
/// ticket's own rating is shown with the ticket to whoever may see it.
pub fn list_ratings(p: &Principal) -> Decision {
    allow_if(is_staff(p), "only staff see the list of ratings")
}

/// Logging time on a ticket: staff who can see it.
pub fn log_time(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)?;
    allow_if(is_staff(p), "only staff log time")
}

/// Changing or deleting a time entry: the staff member who logged it.
pub fn change_time_entry(p: &Principal, t: &TicketFacts, logged_by: i64) -> Decision {
    log_time(p, t)?;
    allow_if(
        matches!(*p, Principal::Staff { staff_id, .. } if staff_id == logged_by),
        "only the staff member who logged this time may change or delete it",
    )
}

/// Which of a ticket's time a caller sees: staff all of it; a client the
/// billable time, where the provider lets clients see it; None: nothing.
pub fn visible_time(p: &Principal, clients_see_time: bool) -> Option<TimeView> {
    if is_staff(p) {
        Some(TimeView::All)
    } else if clients_see_time {
        Some(TimeView::Billable)
    } else {
        None
    }
}

/// What `visible_time` lets a caller see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeView {
    All,
    /// Billable entries, with their notes only when public.
    Billable,
}

/// Timers, "My time" and the work-type list: staff.
pub fn track_time(p: &Principal) -> Decision {
    allow_if(is_staff(p), "only staff track time")
}

// --------------------------------------------------------------- contacts

/// Seeing a company's contact list and details: Managers and Admins of the
/// company, and staff. (Users see only themselves, through My Account.)
pub fn view_contacts(p: &Principal, company_id: i64) -> Decision {
    match p {
        Principal::Staff { .. } => Ok(()),
        Principal::Contact {
            company_id: mine, ..
        } if *mine != company_id => Err(Denied::NotFound),
        Principal::Contact { .. } => allow_if(
            company_level(p, company_id, AccessLevel::Manager),
            "only Managers and Admins may see the company's contacts",
        ),
    }
}

/// Seeing one contact: oneself, or as `view_contacts`.
pub fn view_contact(p: &Principal, company_id: i64, contact_id: i64) -> Decision {
    if matches!(p, Principal::Contact { contact_id: me, .. } if *me == contact_id) {
        return Ok(());
    }
    match view_contacts(p, company_id) {
        Err(Denied::Forbidden(_)) => Err(Denied::NotFound),
        other => other,
    }
}

/// Editing a contact's details (names, phones, address, notifications).
pub fn edit_contact_details(p: &Principal, company_id: i64) -> Decision {
    view_contacts(p, company_id)?;
    allow_if(
        is_provider_admin(p) || company_level(p, company_id, AccessLevel::Manager),
        "only Managers, Admins and provider Admins may edit contact details",
    )
}

/// Adding users, security levels, password resets, disabling, login e-mail,
/// company preferences: the company's Admins and provider Admins.
pub fn manage_users(p: &Principal, company_id: i64) -> Decision {
    view_contacts(p, company_id)?;
    allow_if(
        is_provider_admin(p) || company_level(p, company_id, AccessLevel::Admin),
        "only Admins may manage users and company preferences",
    )
}

/// Reading a company (name, address, sites): its contacts, and staff.
pub fn view_company(p: &Principal, company_id: i64) -> Decision {
    match p {
        Principal::Staff { .. } => Ok(()),
        Principal::Contact {
            company_id: mine, ..
        } => {
            if *mine == company_id {
                Ok(())
            } else {
                Err(Denied::NotFound)
            }
        }
    }
}

/// Pending password-reset and access requests of a company.
pub fn resolve_requests(p: &Principal, company_id: i64) -> Decision {
    match p {
        Principal::Staff { .. } => Ok(()),
        Principal::Contact { .. } => manage_users(p, company_id),
    }
}

// ------------------------------------------------------------- provider

/// Companies, staff, catalog, SLA, billing runs, the audit log.
pub fn administer_provider(p: &Principal) -> Decision {
    allow_if(is_provider_admin(p), "only provider Admins may do that")
}

/// Whose audit events a caller may read: `Ok(None)` every company's
/// (provider Admins, no company named), `Ok(Some(id))` one company's. A
/// client Admin reads only its own company's; naming another is not found.
pub fn audit_log_scope(p: &Principal, company_id: Option<i64>) -> Result<Option<i64>, Denied> {
    match *p {
        Principal::Staff { .. } => administer_provider(p).map(|()| company_id),
        Principal::Contact {
            company_id: mine,
            access,
            ..
        } => {
            if company_id.is_some_and(|asked| asked != mine) {
                return Err(Denied::NotFound);
            }
            allow_if(
                access == AccessLevel::Admin,
                "only Admins may read the audit log",
            )?;
            Ok(Some(mine))
        }
    }
}

/// Reading the SLA settings (targets, business hours, holidays): any staff.
pub fn view_sla_settings(p: &Principal) -> Decision {
    allow_if(is_staff(p), "only staff may read the SLA settings")
}

/// Saving or printing a ticket or its sign-off form: whoever sees it (the
/// export holds only what its public view shows).
pub fn export_ticket(p: &Principal, t: &TicketFacts) -> Decision {
    view_ticket(p, t)
}

/// Seeing the mail the sender gave up on, and queueing it again.
pub fn manage_outbox(p: &Principal) -> Decision {
    allow_if(
        is_provider_admin(p),
        "only provider Admins may see and retry failed mail",
    )
}

/// Seeing the scheduled backups and when the last good one was taken.
pub fn view_backups(p: &Principal) -> Decision {
    allow_if(
        is_provider_admin(p),
        "only provider Admins may see the backups",
    )
}

/// Listing companies and staff (for pickers and triage): any staff.
pub fn view_provider_directory(p: &Principal) -> Decision {
    allow_if(is_staff(p), "only staff may list companies and staff")
}

// ------------------------------------------------------------ sessions

/// Listing one's own sessions and signing out everywhere: everyone signed
/// in (a session with a temporary password is stopped before this). The
/// caller's own sessions are the only ones it is asked about.
pub fn manage_own_sessions(p: &Principal) -> Decision {
    let _ = p;
    Ok(())
}

/// Ending one sign-in, owned by `owner` (kind and id): only one's own.
/// Anyone else's is not found, exactly like an id that does not exist.
pub fn revoke_session(p: &Principal, owner: (SubjectKind, i64)) -> Decision {
    own(p, owner)
}

/// Anything of one's own (a sign-in, an SSH key): anyone else's is not
/// found, exactly like an id that does not exist.
fn own(p: &Principal, owner: (SubjectKind, i64)) -> Decision {
    if (p.kind(), p.subject_id()) == owner {
        Ok(())
    } else {
        Err(Denied::NotFound)
    }
}

// ------------------------------------------------------------ SSH keys

/// Listing and adding one's own SSH keys (docs/GATEWAY.md): everyone
/// signed in, for themselves only.
pub fn manage_own_ssh_keys(p: &Principal) -> Decision {
    let _ = p;
    Ok(())
}

/// Removing an SSH key owned by `owner`: only one's own.
pub fn remove_ssh_key(p: &Principal, owner: (SubjectKind, i64)) -> Decision {
    own(p, owner)
}

// ------------------------------------------------- the queue (saved views)

/// Whose saved views the caller reads and changes: a staff member's own,
/// and nobody else's (another's view id is *not found*).
pub fn saved_views_owner(p: &Principal) -> Result<i64, Denied> {
    match p {
        Principal::Staff { staff_id, .. } => Ok(*staff_id),
        Principal::Contact { .. } => Err(Denied::Forbidden("only staff have saved views")),
    }
}

// -------------------------------------------- money (BillingService)

/// Whose agreements, invoices and payments the caller sees: `Some(id)` its
/// own company's (a client Manager or Admin), `None` every company's (a
/// provider Admin). Users, Technicians and Dispatchers see none.
pub fn money_scope(p: &Principal) -> Result<Option<i64>, Denied> {
    match *p {
        Principal::Contact {
            company_id, access, ..
        } if access >= AccessLevel::Manager => Ok(Some(company_id)),
        _ if is_provider_admin(p) => Ok(None),
        _ => Err(Denied::Forbidden(
            "only the company's Managers and Admins and provider Admins see invoices, agreements and payments",
        )),
    }
}

/// Seeing (and paying) one of `company_id`'s agreements, invoices or
/// payments; another company's is not found.
pub fn view_money(p: &Principal, company_id: i64) -> Decision {
    match money_scope(p)? {
        Some(mine) if mine != company_id => Err(Denied::NotFound),
        _ => Ok(()),
    }
}

/// The company a money list or summary covers: a client its own (whatever
/// it asked), a provider Admin the one asked (0 = all).
pub fn money_company(p: &Principal, asked: i64) -> Result<Option<i64>, Denied> {
    Ok(money_scope(p)?.or((asked > 0).then_some(asked)))
}

/// Agreements, subscriptions, billing runs, voiding, deciding payments,
/// the billing settings, e-mailing invoices: provider Admins.
pub fn manage_money(p: &Principal) -> Decision {
    allow_if(
        is_provider_admin(p),
        "only provider Admins manage agreements, subscriptions, billing and payments",
    )
}

/// Whose subscriptions the caller sees: `Some(id)` its own company's (a
/// client Manager or Admin), `None` every company's (staff, who support
/// what the companies run). Client Users see none.
pub fn subscription_scope(p: &Principal) -> Result<Option<i64>, Denied> {
    match *p {
        Principal::Contact {
            company_id, access, ..
        } if access >= AccessLevel::Manager => Ok(Some(company_id)),
        Principal::Staff { .. } => Ok(None),
        Principal::Contact { .. } => Err(Denied::Forbidden(
            "only the company's Managers and Admins and staff see subscriptions",
        )),
    }
}

/// The company a subscription list covers: a client its own (whatever it
/// asked), staff the one asked (0 = all).
pub fn subscription_company(p: &Principal, asked: i64) -> Result<Option<i64>, Denied> {
    Ok(subscription_scope(p)?.or((asked > 0).then_some(asked)))
}

/// Asking for a change to a subscription: the company's Managers and
/// Admins, as the requester of the ticket it opens (answered); staff change
/// subscriptions themselves. Another company's subscription is not found
/// (`subscription_company`).
pub fn request_subscription_change(p: &Principal) -> Result<i64, Denied> {
    subscription_scope(p)?;
    match *p {
        Principal::Contact { contact_id, .. } => Ok(contact_id),
        Principal::Staff { .. } => Err(Denied::Forbidden(
            "staff change subscriptions themselves; clients request changes",
        )),
    }
}

/// Reading the billing settings: staff.
pub fn view_billing_settings(p: &Principal) -> Decision {
    allow_if(is_staff(p), "only staff may read the billing settings")
}

// ------------------------------------------------- accounts and staff rules

/// Listing the contacts of other companies related to a company (to
/// subscribe them to its tickets): staff.
pub fn list_related_contacts(p: &Principal) -> Decision {
    allow_if(is_staff(p), "only staff may list related contacts")
}

/// Relating a contact to other companies: provider Admins.
pub fn set_related_companies(p: &Principal, company_id: i64) -> Decision {
    view_contacts(p, company_id)?;
    allow_if(
        is_provider_admin(p),
        "only provider Admins may relate a contact to other companies",
    )
}

/// Whose contacts a list may show: `Ok(None)` all of the company's,
/// `Ok(Some(id))` only the caller itself (a User).
pub fn contact_list_scope(p: &Principal, company_id: i64) -> Result<Option<i64>, Denied> {
    match *p {
        Principal::Contact {
            contact_id,
            company_id: mine,
            access,
        } if mine == company_id && access < AccessLevel::Manager => Ok(Some(contact_id)),
        _ => view_contacts(p, company_id).map(|()| None),
    }
}

/// Changing a contact's security level: Admins only (a Manager could make
/// itself Admin), and never lowering one's own (a company could lose its
/// last Admin).
pub fn set_access_level(
    p: &Principal,
    company_id: i64,
    contact_id: i64,
    current: AccessLevel,
    new: AccessLevel,
) -> Decision {
    manage_users(p, company_id)?;
    let own = matches!(p, Principal::Contact { contact_id: me, .. } if *me == contact_id);
    allow_if(
        !own || new >= current,
        "you may not lower your own security level; ask another Admin",
    )
}

/// Disabling or enabling a contact: Admins, never their own account.
pub fn set_user_active(p: &Principal, company_id: i64, contact_id: i64) -> Decision {
    manage_users(p, company_id)?;
    let own = matches!(p, Principal::Contact { contact_id: me, .. } if *me == contact_id);
    allow_if(!own, "you may not disable your own account")
}

/// Changing a staff member: provider Admins, who may not demote or
/// deactivate themselves (the provider could lose its last Admin).
pub fn update_staff(p: &Principal, staff_id: i64, role: StaffRole, active: bool) -> Decision {
    administer_provider(p)?;
    let own = matches!(p, Principal::Staff { staff_id: me, .. } if *me == staff_id);
    allow_if(
        !own || (role == StaffRole::Admin && active),
        "you may not demote or deactivate yourself; ask another provider Admin",
    )
}

#[cfg(test)]
mod account_rule_tests {
    use super::*;

    const ADMIN: Principal = Principal::Contact {
        contact_id: 1,
        company_id: 10,
        access: AccessLevel::Admin,
    };
    const MANAGER: Principal = Principal::Contact {
        contact_id: 2,
        company_id: 10,
        access: AccessLevel::Manager,
    };
    const USER: Principal = Principal::Contact {
        contact_id: 3,
        company_id: 10,
        access: AccessLevel::User,
    };
    const PADMIN: Principal = Principal::Staff {
        staff_id: 5,
        role: StaffRole::Admin,
    };
    const TECH: Principal = Principal::Staff {
        staff_id: 6,
        role: StaffRole::Technician,
    };

    #[test]
    fn contact_lists() {
        assert_eq!(contact_list_scope(&USER, 10), Ok(Some(3)));
        assert_eq!(contact_list_scope(&MANAGER, 10), Ok(None));
        assert_eq!(contact_list_scope(&TECH, 10), Ok(None));
        assert_eq!(contact_list_scope(&ADMIN, 11), Err(Denied::NotFound));
        assert_eq!(contact_list_scope(&USER, 11), Err(Denied::NotFound));
    }

    #[test]
    fn access_levels() {
        use AccessLevel::{Admin, Manager, User};
        assert!(set_access_level(&ADMIN, 10, 9, User, Admin).is_ok());
        assert!(set_access_level(&ADMIN, 10, 1, Admin, Admin).is_ok());
        assert!(matches!(
            set_access_level(&ADMIN, 10, 1, Admin, Manager),
            Err(Denied::Forbidden(_))
        ));
        assert!(matches!(
            set_access_level(&MANAGER, 10, 2, Manager, Admin),
            Err(Denied::Forbidden(_))
        ));
        assert_eq!(
            set_access_level(&ADMIN, 11, 9, User, Admin),
            Err(Denied::NotFound)
        );
        assert!(set_access_level(&PADMIN, 11, 9, Admin, User).is_ok());
        assert!(matches!(
            set_access_level(&TECH, 11, 9, Admin, User),
            Err(Denied::Forbidden(_))
        ));
    }

    #[test]
    fn disabling_and_staff_changes() {
        assert!(set_user_active(&ADMIN, 10, 9).is_ok());
        assert!(matches!(
            set_user_active(&ADMIN, 10, 1),
            Err(Denied::Forbidden(_))
        ));
        assert!(update_staff(&PADMIN, 6, StaffRole::Dispatcher, false).is_ok());
        assert!(update_staff(&PADMIN, 5, StaffRole::Admin, true).is_ok());
        assert!(update_staff(&PADMIN, 5, StaffRole::Technician, true).is_err());
        assert!(update_staff(&PADMIN, 5, StaffRole::Admin, false).is_err());
        assert!(update_staff(&TECH, 6, StaffRole::Technician, true).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::{Cancelled, Closed, Completed, InProgress, New, NoActionRequired};

    const CO: i64 = 1;
    const OTHER: i64 = 2;

    fn contact(id: i64, access: AccessLevel) -> Principal {
        Principal::Contact {
            contact_id: id,
            company_id: CO,
            access,
        }
    }
    fn staff(id: i64, role: StaffRole) -> Principal {
        Principal::Staff { staff_id: id, role }
    }
    fn ticket(company_id: i64, contact_id: i64, status: TicketStatus) -> TicketFacts {
        TicketFacts {
            company_id,
            contact_id,
            status,
            assigned_staff_id: Some(7),
            caller_subscribed: false,
            caller_assigned: false,
            users_see_all: false,
        }
    }

    #[test]
    fn related_contacts_are_subscribed_by_staff_and_related_by_provider_admins() {
        let t = ticket(CO, 10, New);
        let tech = staff(1, StaffRole::Technician);
        let padmin = staff(2, StaffRole::Admin);
        let admin = contact(13, AccessLevel::Admin);
        assert_eq!(add_subscriber(&tech, &t, Standing::Related), Ok(()));
        assert_eq!(
            add_subscriber(&tech, &t, Standing::Stranger),
            Err(Denied::NotFound)
        );
        assert_eq!(add_subscriber(&admin, &t, Standing::Own), Ok(()));
        assert_eq!(
            add_subscriber(&admin, &t, Standing::Related),
            Err(Denied::NotFound)
        );
        assert_eq!(
            remove_subscriber(&admin, &t, Standing::Related, true),
            Ok(())
        );
        assert_eq!(
            remove_subscriber(&admin, &t, Standing::Related, false),
            Err(Denied::NotFound)
        );
        assert!(list_related_contacts(&tech).is_ok());
        assert!(list_related_contacts(&admin).is_err());
        assert_eq!(set_related_companies(&padmin, OTHER), Ok(()));
        assert!(matches!(
            set_related_companies(&tech, OTHER),
            Err(Denied::Forbidden(_))
        ));
        assert!(matches!(
            set_related_companies(&admin, CO),
            Err(Denied::Forbidden(_))
        ));
        assert_eq!(set_related_companies(&admin, OTHER), Err(Denied::NotFound));
    }

    #[test]
    fn users_see_own_and_subscribed_managers_the_company_nobody_another_company() {
        let user = contact(10, AccessLevel::User);
        let manager = contact(11, AccessLevel::Manager);
        let colleague_ticket = ticket(CO, 12, New);
        assert_eq!(view_ticket(&user, &ticket(CO, 10, New)), Ok(()));
        assert_eq!(view_ticket(&user, &colleague_ticket), Err(Denied::NotFound));
        assert_eq!(
            view_ticket(
                &user,
                &TicketFacts {
                    caller_subscribed: true,
                    ..colleague_ticket
                }
            ),
            Ok(())
        );
        assert_eq!(
            view_ticket(
                &user,
                &TicketFacts {
                    users_see_all: true,
                    ..colleague_ticket
                }
            ),
            Ok(())
        );
        assert_eq!(view_ticket(&manager, &colleague_ticket), Ok(()));
        for p in [user, manager, contact(13, AccessLevel::Admin)] {
            assert_eq!(
                view_ticket(&p, &ticket(OTHER, 99, New)),
                Err(Denied::NotFound)
            );
        }
        assert_eq!(
            view_ticket(&staff(1, StaffRole::Technician), &ticket(OTHER, 99, New)),
            Ok(())
        );
    }

    #[test]
    fn status_moves_follow_the_role() {
        let user = contact(10, AccessLevel::User);
        assert_eq!(
            allowed_statuses(&user, &ticket(CO, 10, InProgress)),
            &[Cancelled, NoActionRequired]
        );
        assert_eq!(
            allowed_statuses(&user, &ticket(CO, 10, Completed)),
            &[InProgress]
        );
        assert!(allowed_statuses(&user, &ticket(CO, 12, InProgress)).is_empty());
        assert!(allowed_statuses(&user, &ticket(CO, 10, Closed)).is_empty());
        let manager = contact(11, AccessLevel::Manager);
        assert_eq!(
            allowed_statuses(&manager, &ticket(CO, 12, New)),
            &[Cancelled, NoActionRequired]
        );

        let own_tech = staff(7, StaffRole::Technician);
        let other_tech = staff(8, StaffRole::Technician);
        assert!(allowed_statuses(&own_tech, &ticket(CO, 10, New)).contains(&InProgress));
        assert!(allowed_statuses(&other_tech, &ticket(CO, 10, New)).is_empty());
        let also_assigned = TicketFacts {
            caller_assigned: true,
            ..ticket(CO, 10, New)
        };
        assert!(allowed_statuses(&other_tech, &also_assigned).contains(&InProgress));
        assert!(
            !allowed_statuses(&staff(2, StaffRole::Dispatcher), &ticket(CO, 10, New))
                .contains(&Cancelled)
        );
        assert!(
            allowed_statuses(&staff(2, StaffRole::Dispatcher), &ticket(CO, 10, Closed)).is_empty()
        );
    }

    #[test]
    fn priority_assignment_and_tasks_are_for_staff() {
        let t = ticket(CO, 10, New);
        for role in [StaffRole::Dispatcher, StaffRole::Admin] {
            assert_eq!(set_priority_or_assign(&staff(1, role), &t), Ok(()));
        }
        assert!(set_priority_or_assign(&staff(1, StaffRole::Technician), &t).is_err());
        assert!(set_priority_or_assign(&contact(11, AccessLevel::Admin), &t).is_err());
        assert_eq!(manage_tasks(&staff(1, StaffRole::Technician), &t), Ok(()));
        assert!(manage_tasks(&contact(10, AccessLevel::User), &t).is_err());
        assert!(internal_note(&contact(11, AccessLevel::Admin), &t).is_err());
    }

    #[test]
    fn contacts_and_users_by_level() {
        let (user, manager, admin) = (
            contact(10, AccessLevel::User),
            contact(11, AccessLevel::Manager),
            contact(12, AccessLevel::Admin),
        );
        assert!(view_contacts(&user, CO).is_err());
        assert_eq!(view_contact(&user, CO, 10), Ok(()));
        assert_eq!(view_contact(&user, CO, 11), Err(Denied::NotFound));
        assert_eq!(view_contacts(&manager, CO), Ok(()));
        assert_eq!(edit_contact_details(&manager, CO), Ok(()));
        assert!(manage_users(&manager, CO).is_err());
        assert_eq!(manage_users(&admin, CO), Ok(()));
        assert_eq!(manage_users(&admin, OTHER), Err(Denied::NotFound));
        assert_eq!(
            view_contacts(&staff(1, StaffRole::Technician), OTHER),
            Ok(())
        );
        assert!(edit_contact_details(&staff(1, StaffRole::Dispatcher), OTHER).is_err());
        assert_eq!(manage_users(&staff(1, StaffRole::Admin), OTHER), Ok(()));
        assert!(administer_provider(&staff(1, StaffRole::Dispatcher)).is_err());
        assert_eq!(administer_provider(&staff(1, StaffRole::Admin)), Ok(()));
    }

    #[test]
    fn money_for_client_managers_admins_and_provider_admins() {
        let padmin = staff(1, StaffRole::Admin);
        assert_eq!(money_scope(&padmin), Ok(None));
        assert_eq!(money_company(&padmin, 7), Ok(Some(7)));
        assert_eq!(money_company(&padmin, 0), Ok(None));
        for level in [AccessLevel::Manager, AccessLevel::Admin] {
            let c = contact(10, level);
            assert_eq!(money_company(&c, OTHER), Ok(Some(CO)));
            assert_eq!(view_money(&c, CO), Ok(()));
            assert_eq!(view_money(&c, OTHER), Err(Denied::NotFound));
            assert!(manage_money(&c).is_err());
        }
        for p in [
            contact(10, AccessLevel::User),
            staff(2, StaffRole::Technician),
            staff(3, StaffRole::Dispatcher),
        ] {
            assert!(matches!(view_money(&p, CO), Err(Denied::Forbidden(_))));
            assert!(manage_money(&p).is_err());
        }
        assert_eq!(manage_money(&padmin), Ok(()));
        assert_eq!(
            view_billing_settings(&staff(2, StaffRole::Technician)),
            Ok(())
        );
        assert!(view_billing_settings(&contact(10, AccessLevel::Admin)).is_err());
    }

    #[test]
    fn subscriptions_for_client_managers_admins_and_staff() {
        for role in [
            StaffRole::Technician,
            StaffRole::Dispatcher,
            StaffRole::Admin,
        ] {
            let p = staff(1, role);
            assert_eq!(subscription_company(&p, 7), Ok(Some(7)));
            assert!(request_subscription_change(&p).is_err());
        }
        for access in [AccessLevel::Manager, AccessLevel::Admin] {
            let c = contact(11, access);
            assert_eq!(subscription_company(&c, OTHER), Ok(Some(CO)));
            assert_eq!(request_subscription_change(&c), Ok(11));
        }
        let user = contact(12, AccessLevel::User);
        assert!(matches!(
            subscription_scope(&user),
            Err(Denied::Forbidden(_))
        ));
        assert!(request_subscription_change(&user).is_err());
    }

    #[test]
    fn money_reports_follow_who_sees_money() {
        let money = ReportSubject::Money;
        assert_eq!(
            report(&staff(1, StaffRole::Admin), money, Some(OTHER)),
            Ok(Some(OTHER))
        );
        assert_eq!(
            report(&contact(11, AccessLevel::Manager), money, None),
            Ok(Some(CO))
        );
        assert_eq!(
            report(&contact(11, AccessLevel::Manager), money, Some(OTHER)),
            Err(Denied::NotFound)
        );
        for p in [
            staff(3, StaffRole::Dispatcher),
            staff(2, StaffRole::Technician),
            contact(10, AccessLevel::User),
        ] {
            assert!(matches!(report(&p, money, None), Err(Denied::Forbidden(_))));
        }
        assert_eq!(
            report(
                &staff(3, StaffRole::Dispatcher),
                ReportSubject::Tickets,
                None
            ),
            Ok(None)
        );
    }

    #[test]
    fn only_the_requester_rates_and_only_staff_list_ratings() {
        let t = ticket(CO, 10, Closed);
        assert_eq!(rate_ticket(&contact(10, AccessLevel::User), &t), Ok(()));
        for p in [
            contact(11, AccessLevel::Admin),
            staff(1, StaffRole::Admin),
            staff(7, StaffRole::Technician),
        ] {
            assert!(matches!(rate_ticket(&p, &t), Err(Denied::Forbidden(_))));
        }
        assert_eq!(
            rate_ticket(&contact(10, AccessLevel::User), &ticket(OTHER, 99, Closed)),
            Err(Denied::NotFound)
        );
        assert_eq!(list_ratings(&staff(7, StaffRole::Technician)), Ok(()));
        assert!(list_ratings(&contact(11, AccessLevel::Admin)).is_err());
        assert!(matches!(
            report(
                &contact(11, AccessLevel::Manager),
                ReportSubject::StaffRatings,
                None
            ),
            Err(Denied::Forbidden(_))
        ));
        assert_eq!(
            report(
                &contact(11, AccessLevel::Manager),
                ReportSubject::Tickets,
                None
            ),
            Ok(Some(CO))
        );
    }

    #[test]
    fn creating_tickets() {
        let user = contact(10, AccessLevel::User);
        assert_eq!(create_ticket(&user, CO, 10), Ok(()));
        assert!(create_ticket(&user, CO, 11).is_err());
        assert_eq!(create_ticket(&user, OTHER, 10), Err(Denied::NotFound));
        assert_eq!(
            create_ticket(&contact(11, AccessLevel::Manager), CO, 10),
            Ok(())
        );
        assert_eq!(
            create_ticket(&staff(1, StaffRole::Technician), OTHER, 99),
            Ok(())
        );
    }
}

#[cfg(test)]
mod move_properties;
