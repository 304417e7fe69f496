//! Subscriptions: the list (client Managers and Admins, staff), a provider
//! Admin's create, update and cancel (audited), and a client's change
//! request, which opens a ticket of the service type "Subscription change".

use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Status};

use super::super::authn::caller;
use super::super::convert::{billing as conv, tickets as ticket_conv};
use super::super::events::TicketEvent;
use super::super::input;
use super::super::outcome::Outcome;
use super::{Billing, day, today, validate};
use crate::domain::money::BillingSettings;
use crate::domain::subscriptions::{Change, Subscription, SubscriptionInput, term_label};
use crate::domain::tickets::{DEFAULT_PRIORITY, FieldValue, NewTicket, Ticket};
use crate::domain::{AuditAction, Principal};
use crate::mail::notify;
use crate::policy::{self, Denied};
use crate::store::audit::{self, AuditEvent};
use crate::store::{StoreError, billing_settings, now_ms, subscriptions, tickets};

/// Subscriptions as the wire has them, as of now in the provider's zone.
pub(super) fn to_pb(
    list: Vec<Subscription>,
    s: &BillingSettings,
    now: i64,
) -> Vec<pb::Subscription> {
    let today = today(s, now);
    list.into_iter()
        .map(|sub| conv::subscription(sub, today, s.zone))
        .collect()
}

/// The subscription `id` as `p` may see it; another company's is not found.
fn visible(conn: &Connection, p: &Principal, id: i64) -> Outcome<Subscription> {
    let sub = subscriptions::get(conn, id)?.ok_or(Denied::NotFound)?;
    if policy::subscription_company(p, sub.company_id)? != Some(sub.company_id) {
        return Err(Denied::NotFound.into());
    }
    Ok(sub)
}

/// The ticket a change request opens: what is asked in its title,
/// description and fields.
fn change_ticket(
    sub: &Subscription,
    ask: &validate::ChangeInput,
    requested: i64,
    (who, renews_on): (&str, String),
) -> (String, String, Vec<FieldValue>) {
    let label = ask.change.label();
    let wanted = match ask.change {
        Change::CancelAtRenewal => format!("none from the renewal on {renews_on}"),
        _ => requested.to_string(),
    };
    let title: String = format!("Subscription change: {} — {label}", sub.name)
        .chars()
        .take(200)
        .collect();
    let mut description = format!(
        "{who} asks for a change to a subscription.\n\n\
         Subscription: {} (#{})\n\
         Change asked for: {label}\n\
         Current quantity: {}\n\
         Requested quantity: {wanted}\n\
         Term: {}, renews on {renews_on}",
        sub.name,
        sub.id,
        sub.quantity,
        term_label(sub.term_months),
    );
    if !ask.note.is_empty() {
        description.push_str("\n\nNote:\n");
        description.push_str(&ask.note);
    }
    let field = |key: &str, value: String| FieldValue {
        key: key.into(),
        value,
    };
    let fields = vec![
        field("subscription", format!("{} (#{})", sub.name, sub.id)),
        field("change", label.to_owned()),
        field("current_quantity", sub.quantity.to_string()),
        field("requested_quantity", wanted),
    ];
    (title, description, fields)
}

impl Billing {
    pub(super) async fn subscriptions(
        &self,
        request: &Request<pb::ListSubscriptionsRequest>,
    ) -> Result<pb::ListSubscriptionsResponse, Status> {
        let p = &caller(request)?.principal;
        let asked = input::optional_id("company_id", request.get_ref().company_id)?;
        let company = policy::subscription_company(p, asked.unwrap_or_default())?;
        let include_cancelled = request.get_ref().include_cancelled;
        let now = now_ms();
        self.state
            .read(move |conn| {
                let s = billing_settings::get(conn)?;
                let list = subscriptions::list(conn, company, include_cancelled)?;
                Ok(pb::ListSubscriptionsResponse {
                    subscriptions: to_pb(list, &s, now),
                })
            })
            .await
    }

    /// Creates (`id` None) or updates a subscription: provider Admins.
    pub(super) async fn save_subscription<T>(
        &self,
        request: &Request<T>,
        id: Option<Result<i64, Status>>,
        input: Result<SubscriptionInput, Status>,
    ) -> Result<pb::Subscription, Status> {
        let who = caller(request)?.clone();
        policy::manage_money(&who.principal)?;
        let id = id.transpose()?;
        let input = input?;
        let now = now_ms();
        self.state
            .write(move |conn| {
                let s = billing_settings::get(conn)?;
                let (saved, action) = match id {
                    None => (
                        subscriptions::create(conn, &input, now)?,
                        AuditAction::SubscriptionCreated,
                    ),
                    Some(id) => {
                        let old = subscriptions::get(conn, id)?.ok_or(Denied::NotFound)?;
                        let saved =
                            subscriptions::update(conn, &old, &input, (today(&s, now), now))
                                .map_err(|e: StoreError| e.within("subscription"))?;
                        (saved, AuditAction::SubscriptionUpdated)
                    }
                };
                let record = AuditEvent {
                    detail: format!(
                        "{} × {} cents, {}, renews {}{}",
                        saved.quantity,
                        saved.unit_price_cents,
                        term_label(saved.term_months),
                        day(saved.renews_on(today(&s, now))),
                        if saved.billed_by_run {
                            ", billed by the run"
                        } else {
                            ""
                        }
                    ),
                    ..AuditEvent::by(&who, action, &saved.name, Some(saved.company_id))
                };
                audit::record(conn, now, &record)?;
                Ok(to_pb(vec![saved], &s, now).pop().unwrap_or_default())
            })
            .await
    }

    pub(super) async fn cancel(
        &self,
        request: &Request<pb::SubscriptionRef>,
    ) -> Result<pb::Subscription, Status> {
        let who = caller(request)?.clone();
        policy::manage_money(&who.principal)?;
        let id = input::id("id", request.get_ref().id)?;
        let now = now_ms();
        self.state
            .write(move |conn| {
                subscriptions::get(conn, id)?.ok_or(Denied::NotFound)?;
                let saved = subscriptions::cancel(conn, id, &who.email, now)?;
                let record = AuditEvent::by(
                    &who,
                    AuditAction::SubscriptionCancelled,
                    &saved.name,
                    Some(saved.company_id),
                );
                audit::record(conn, now, &record)?;
                let s = billing_settings::get(conn)?;
                Ok(to_pb(vec![saved], &s, now).pop().unwrap_or_default())
            })
            .await
    }

    /// A client Manager's or Admin's change request: a new ticket of the
    /// service type "Subscription change", raised as any ticket is.
    pub(super) async fn request_change(
        &self,
        request: &Request<pb::SubscriptionChangeRequest>,
    ) -> Result<pb::Ticket, Status> {
        let who = caller(request)?.clone();
        let contact_id = policy::request_subscription_change(&who.principal)?;
        let ask = validate::change(request.get_ref())?;
        let now = now_ms();
        let p = who.principal.clone();
        let name = who.name.clone();
        let (ticket, audience) = self
            .state
            .write(move |conn| {
                let sub = visible(conn, &p, ask.subscription_id)?;
                if !sub.active() {
                    return Err(StoreError::FailedPrecondition(
                        "the subscription is cancelled".into(),
                    )
                    .into());
                }
                let requested = validate::requested_quantity(&ask, sub.quantity)?;
                let s = billing_settings::get(conn)?;
                let renews_on = day(sub.renews_on(today(&s, now)));
                let (title, description, fields) =
                    change_ticket(&sub, &ask, requested, (&name, renews_on));
                let new = NewTicket {
                    company_id: sub.company_id,
                    site_id: None,
                    contact_id,
                    service_type_id: subscriptions::change_service_type(conn)?,
                    title,
                    description,
                    fields,
                    priority: DEFAULT_PRIORITY,
                    emergency: false,
                    due_date: None,
                    po_number: ask.po_number.clone(),
                    contact_phone: String::new(),
                    contact_email: String::new(),
                };
                let ticket: Ticket = tickets::create(conn, &new, now)?;
                notify::ticket_created(conn, &ticket, now)?;
                let audience = super::super::tickets::audience(conn, ticket.number, false)?;
                Ok((ticket, audience))
            })
            .await?;
        self.state.events.publish(TicketEvent {
            kind: pb::EventKind::TicketCreated,
            ticket_number: ticket.number,
            at_ms: now,
            actor_name: who.name.clone(),
            summary: format!("New ticket #{}: {}", ticket.number, ticket.title),
            audience,
        });
        Ok(ticket_conv::ticket(ticket))
    }
}
