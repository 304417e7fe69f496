//! docs/ROLES.md against the real server, row by row, for every role: the
//! User, Manager and Admin of a client company (Harbor Dental Group) and the
//! provider's Technician, Dispatcher and Admin. Each capability is one
//! helper that makes the call and, when it is allowed, checks that the
//! change can be seen afterwards (and, when refused, that nothing changed);
//! each test walks the roles with the outcome §3 gives them.
//!
//! Company isolation (every object of another company is NOT_FOUND) is in
//! isolation.rs; the account rows' other cells are in accounts.rs.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

#[path = "permissions/billing.rs"]
mod billing;
#[path = "permissions/knowledge.rs"]
mod knowledge;
#[path = "permissions/queue.rs"]
mod queue;
#[path = "permissions/ratings.rs"]
mod ratings;
#[path = "permissions/related.rs"]
mod related;
#[path = "permissions/subscriptions.rs"]
mod subscriptions;
#[path = "permissions/work.rs"]
mod work;

use anyhow::Context as _;
use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo};
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use tokio_stream::StreamExt;
use tonic::{Code, Status};

/// The columns of §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    User,
    Manager,
    Admin,
    Technician,
    Dispatcher,
    ProviderAdmin,
}

const ROLES: [Role; 6] = [
    Role::User,
    Role::Manager,
    Role::Admin,
    Role::Technician,
    Role::Dispatcher,
    Role::ProviderAdmin,
];

impl Role {
    fn email(self) -> &'static str {
        match self {
            Role::User => demo::CLIENT_USER,
            Role::Manager => demo::CLIENT_MANAGER,
            Role::Admin => demo::CLIENT_ADMIN,
            Role::Technician => demo::TECHNICIAN,
            Role::Dispatcher => demo::DISPATCHER,
            Role::ProviderAdmin => demo::PROVIDER_ADMIN,
        }
    }

    fn is_staff(self) -> bool {
        matches!(
            self,
            Role::Technician | Role::Dispatcher | Role::ProviderAdmin
        )
    }
}

/// One cell of the table: allowed, or refused with this code.
type Cell = Result<(), Code>;
const YES: Cell = Ok(());
/// Refused for lack of a right.
const DENIED: Cell = Err(Code::PermissionDenied);
/// Out of sight: answered like an object that does not exist.
const NOT_FOUND: Cell = Err(Code::NotFound);
/// The caller may change the status, but not to that one (§4: the message
/// names the moves it may make).
const ILLEGAL: Cell = Err(Code::FailedPrecondition);

/// What a capability helper saw: the call's own outcome. (The helper's
/// `anyhow` error is for the checks it made around the call.)
type Outcome = Result<(), Status>;

/// Asserts that `role` got what the cell says.
#[track_caller]
fn check(what: &str, role: Role, got: Outcome, want: Cell) {
    let seen = format!("{got:?}");
    assert_eq!(
        got.map_err(|s| s.code()),
        want,
        "{what} as {role:?}: {seen}"
    );
}

/// A signed-in account and who it is.
type Person = (Session, pb::Identity);

async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<Person> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    let identity = login
        .identity
        .ok_or_else(|| anyhow::anyhow!("no identity"))?;
    Ok((
        Session::new(server.channel().await?, &login.token)?,
        identity,
    ))
}

/// A demo server with every role signed in, plus Hal (another User of
/// Harbor, Uma's colleague) and Una (a User of Alder & Finch, another
/// company).
struct World {
    server: TestServer,
    people: Vec<Person>,
    hal: Person,
    una: Person,
    service_type_id: i64,
}

impl World {
    async fn new() -> anyhow::Result<Self> {
        let server = TestServer::demo().await?;
        let mut people = Vec::new();
        for role in ROLES {
            people.push(sign_in(&server, role.email()).await?);
        }
        let hal = sign_in(&server, "hal@harbor.example").await?;
        let una = sign_in(&server, demo::OTHER_USER).await?;
        let service_type_id = people[0].0.service_type("Other").await?.id;
        Ok(Self {
            server,
            people,
            hal,
            una,
            service_type_id,
        })
    }

    fn person(&self, role: Role) -> &Person {
        &self.people[role as usize]
    }

    fn s(&self, role: Role) -> &Session {
        &self.person(role).0
    }

    fn id(&self, role: Role) -> &pb::Identity {
        &self.person(role).1
    }

    fn harbor(&self) -> i64 {
        self.id(Role::User).company_id
    }

    fn alder(&self) -> i64 {
        self.una.1.company_id
    }

    /// An observer that sees everything as it is stored.
    fn dispatcher(&self) -> &Session {
        self.s(Role::Dispatcher)
    }

    fn new_ticket(&self, title: &str) -> pb::CreateTicketRequest {
        pb::CreateTicketRequest {
            title: title.into(),
            description: "Details follow.".into(),
            service_type_id: self.service_type_id,
            // Alder & Finch requires one; Harbor ignores it.
            po_number: "PO-1".into(),
            ..Default::default()
        }
    }

    /// A new ticket for `contact`, raised by the Dispatcher, assigned to
    /// `staff_id` unless 0, and moved to `status` (New, In Progress or
    /// Completed).
    async fn ticket(
        &self,
        contact: &pb::Identity,
        staff_id: i64,
        status: pb::TicketStatus,
    ) -> anyhow::Result<i64> {
        let t = self.dispatcher().tickets();
        let number = t
            .clone()
            .create_ticket(pb::CreateTicketRequest {
                contact_id: contact.id,
                company_id: contact.company_id,
                ..self.new_ticket("Permission check")
            })
            .await?
            .into_inner()
            .number;
        if staff_id != 0 {
            t.clone()
                .assign(pb::AssignRequest {
                    number,
                    staff_id,
                    board: String::new(),
                })
                .await?;
        }
        if status != pb::TicketStatus::New {
            move_to(self.dispatcher(), number, status, "").await?;
        }
        Ok(number)
    }

    /// Switches the company preference "Users see all the company's
    /// tickets" of Harbor, as its Admin, keeping the other preferences.
    async fn users_see_all(&self, on: bool) -> anyhow::Result<()> {
        let a = self.s(Role::Admin).accounts();
        let company = a
            .clone()
            .get_company(pb::GetCompanyRequest::default())
            .await?
            .into_inner();
        let prefs = pb::CompanyPreferences {
            users_see_all_tickets: on,
            ..company.preferences.unwrap_or_default()
        };
        let saved = a
            .clone()
            .update_company_preferences(pb::UpdateCompanyPreferencesRequest {
                company_id: 0,
                preferences: Some(prefs.clone()),
            })
            .await?
            .into_inner();
        assert_eq!(saved.preferences, Some(prefs));
        Ok(())
    }
}

async fn detail(s: &Session, number: i64) -> Result<pb::TicketDetail, Status> {
    s.tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await
        .map(tonic::Response::into_inner)
}

/// Detail as the observer, which must succeed.
async fn stored(w: &World, number: i64) -> anyhow::Result<pb::TicketDetail> {
    Ok(detail(w.dispatcher(), number).await?)
}

async fn total(s: &Session, req: pb::ListTicketsRequest) -> anyhow::Result<u64> {
    Ok(s.tickets().list_tickets(req).await?.into_inner().total)
}

/// Whether ticket `number` is in the caller's lists.
async fn listed(s: &Session, number: i64) -> anyhow::Result<bool> {
    let n = total(
        s,
        pb::ListTicketsRequest {
            number,
            ..Default::default()
        },
    )
    .await?;
    Ok(n == 1)
}

async fn move_to(
    s: &Session,
    number: i64,
    status: pb::TicketStatus,
    note: &str,
) -> Result<pb::Ticket, Status> {
    s.tickets()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: status.into(),
            note: note.into(),
        })
        .await
        .map(tonic::Response::into_inner)
}

fn label(s: pb::TicketStatus) -> &'static str {
    match s {
        pb::TicketStatus::New => "New",
        pb::TicketStatus::InProgress => "In Progress",
        pb::TicketStatus::WaitingOnClient => "Waiting on Client",
        pb::TicketStatus::Scheduled => "Scheduled",
        pb::TicketStatus::Completed => "Completed",
        pb::TicketStatus::Closed => "Closed",
        pb::TicketStatus::Cancelled => "Cancelled",
        pb::TicketStatus::NoActionRequired => "No Action Required",
        pb::TicketStatus::Unspecified => "",
    }
}

// ------------------------------------------------------------ capabilities

/// Creates a ticket as `role` for `requester` (`None`: the caller itself)
/// naming `company_id` (0: none). Allowed, the ticket is the requester's,
/// of its company, and both the caller and the requester see it.
async fn create(
    w: &World,
    role: Role,
    requester: Option<&Person>,
    company_id: i64,
) -> anyhow::Result<Outcome> {
    let req = pb::CreateTicketRequest {
        contact_id: requester.map_or(0, |p| p.1.id),
        company_id,
        ..w.new_ticket("Raised for the permission table")
    };
    let t = match w.s(role).tickets().create_ticket(req).await {
        Ok(t) => t.into_inner(),
        Err(e) => return Ok(Err(e)),
    };
    let (reader, who) = requester.unwrap_or_else(|| w.person(role));
    assert_eq!(
        (t.contact_id, t.company_id),
        (who.id, who.company_id),
        "#{} as {role:?}",
        t.number
    );
    for s in [w.s(role), reader] {
        assert_eq!(
            detail(s, t.number)
                .await
                .with_context(|| format!("#{} raised as {role:?}, then", t.number))?
                .ticket
                .map(|t| t.number),
            Some(t.number)
        );
        assert!(listed(s, t.number).await?);
    }
    Ok(Ok(()))
}

/// Opens ticket `number`; a ticket is listed exactly when it opens.
async fn view(w: &World, role: Role, number: i64) -> anyhow::Result<Outcome> {
    let s = w.s(role);
    let got = detail(s, number).await;
    assert_eq!(
        listed(s, number).await?,
        got.is_ok(),
        "#{number} as {role:?}: listed exactly when it opens"
    );
    if let Ok(d) = &got {
        assert_eq!(d.ticket.as_ref().map(|t| t.number), Some(number));
    }
    Ok(got.map(drop))
}

/// Adds a post of `kind`. Allowed, the caller and the staff see it, and
/// `reader` (a client who may see the ticket) sees it unless it is an
/// internal note; refused, the timeline is unchanged.
async fn post(
    w: &World,
    role: Role,
    number: i64,
    kind: pb::PostKind,
    reader: &Session,
) -> anyhow::Result<Outcome> {
    let before = stored(w, number).await?.timeline.first().map(|e| e.id);
    let body = format!("{kind:?} by {role:?}");
    let entry = match w
        .s(role)
        .tickets()
        .add_post(pb::AddPostRequest {
            number,
            kind: kind.into(),
            body: body.clone(),
            chat: false,
        })
        .await
    {
        Ok(e) => e.into_inner(),
        Err(e) => {
            let after = stored(w, number).await?.timeline.first().map(|e| e.id);
            assert_eq!(after, before, "a refused post leaves no trace");
            return Ok(Err(e));
        }
    };
    assert_eq!(entry.body, body);
    assert_eq!(entry.author_is_staff, role.is_staff());
    let internal = kind == pb::PostKind::InternalNote;
    let has = |d: &pb::TicketDetail| d.timeline.iter().any(|e| e.id == entry.id);
    let seen = detail(w.s(role), number).await;
    assert!(
        has(&seen.with_context(|| format!("{body} added, then"))?),
        "{body}: the author"
    );
    assert!(has(&stored(w, number).await?), "{body}: staff");
    assert_eq!(
        has(&detail(reader, number)
            .await
            .with_context(|| format!("{body} added, then"))?),
        !internal,
        "{body}: clients see posts, never internal notes"
    );
    Ok(Ok(()))
}

async fn download(s: &Session, attachment_id: i64) -> Result<Vec<u8>, Status> {
    let mut stream = s
        .tickets()
        .download_attachment(pb::DownloadAttachmentRequest { attachment_id })
        .await?
        .into_inner();
    let mut data = Vec::new();
    while let Some(msg) = stream.next().await {
        data.extend(msg?.data);
    }
    Ok(data)
}

/// Uploads an attachment. Allowed, `reader` (a client who may see the
/// ticket) finds it on the ticket and downloads the same bytes; refused,
/// the ticket has no new attachment.
async fn attach(w: &World, role: Role, number: i64, reader: &Session) -> anyhow::Result<Outcome> {
    let before = stored(w, number).await?.attachments.len();
    let data = format!("{role:?} attached this to #{number}").into_bytes();
    let parts = vec![
        pb::UploadAttachmentRequest {
            part: Some(Part::Meta(pb::AttachmentMeta {
                number,
                title: format!("From {role:?}"),
                file_name: "note.txt".into(),
                content_type: String::new(),
            })),
        },
        pb::UploadAttachmentRequest {
            part: Some(Part::Data(data.clone())),
        },
    ];
    let a = match w
        .s(role)
        .tickets()
        .upload_attachment(tokio_stream::iter(parts))
        .await
    {
        Ok(a) => a.into_inner(),
        Err(e) => {
            assert_eq!(stored(w, number).await?.attachments.len(), before);
            return Ok(Err(e));
        }
    };
    assert_eq!(a.ticket_number, number);
    let seen = detail(reader, number)
        .await
        .with_context(|| format!("#{number}: attached as {role:?}, then"))?
        .attachments;
    assert!(seen.iter().any(|x| x.id == a.id));
    assert_eq!(download(reader, a.id).await?, data);
    Ok(Ok(()))
}

/// Moves ticket `number` to `to`. Allowed, everyone sees the new status and
/// a status change at the top of the timeline; refused, the status stays.
async fn set_status(
    w: &World,
    role: Role,
    number: i64,
    to: pb::TicketStatus,
) -> anyhow::Result<Outcome> {
    let before = stored(w, number).await?.ticket.unwrap_or_default();
    match move_to(w.s(role), number, to, "Not fixed yet.").await {
        Ok(t) => assert_eq!(t.status, to as i32),
        Err(e) => {
            let after = stored(w, number).await?.ticket.unwrap_or_default();
            assert_eq!(after.status, before.status, "#{number} as {role:?}");
            return Ok(Err(e));
        }
    }
    for s in [w.s(role), w.dispatcher()] {
        let d = detail(s, number).await?;
        assert_eq!(d.ticket.map(|t| t.status), Some(to as i32));
        let entry = &d.timeline[0];
        assert_eq!(entry.kind, pb::TimelineKind::StatusChange as i32);
        assert_eq!(entry.to_value, label(to));
    }
    Ok(Ok(()))
}

/// Sets priority 2 (tickets start at 3). Allowed, it shows with a priority
/// change on the timeline; refused, the priority stays.
async fn set_priority(w: &World, role: Role, number: i64) -> anyhow::Result<Outcome> {
    let before = stored(w, number).await?.ticket.unwrap_or_default().priority;
    assert_eq!(before, 3);
    let got = w
        .s(role)
        .tickets()
        .set_priority(pb::SetPriorityRequest {
            number,
            priority: 2,
            note: format!("By {role:?}"),
        })
        .await;
    let d = stored(w, number).await?;
    let now = d.ticket.unwrap_or_default().priority;
    if got.is_ok() {
        assert_eq!(now, 2);
        assert_eq!(d.timeline[0].kind, pb::TimelineKind::PriorityChange as i32);
    } else {
        assert_eq!(now, before);
    }
    Ok(got.map(drop))
}

/// Assigns ticket `number` to `staff_id`. Allowed, it shows with an
/// assignment change on the timeline; refused, the assignment stays.
async fn assign(w: &World, role: Role, number: i64, staff_id: i64) -> anyhow::Result<Outcome> {
    let before = stored(w, number)
        .await?
        .ticket
        .unwrap_or_default()
        .assigned_staff_id;
    assert_ne!(before, staff_id);
    let got = w
        .s(role)
        .tickets()
        .assign(pb::AssignRequest {
            number,
            staff_id,
            board: String::new(),
        })
        .await;
    let d = stored(w, number).await?;
    let now = d.ticket.unwrap_or_default().assigned_staff_id;
    if got.is_ok() {
        assert_eq!(now, staff_id);
        assert_eq!(
            d.timeline[0].kind,
            pb::TimelineKind::AssignmentChange as i32
        );
    } else {
        assert_eq!(now, before);
    }
    Ok(got.map(drop))
}

// ------------------------------------------------------------------ tickets

#[tokio::test]
async fn create_ticket_for_own_company_or_as_staff_for_any() -> anyhow::Result<()> {
    let w = World::new().await?;
    let by_company = |company_id| pb::ListTicketsRequest {
        company_id,
        ..Default::default()
    };
    let harbor_before = total(w.dispatcher(), by_company(w.harbor())).await?;
    let alder_before = total(w.dispatcher(), by_company(w.alder())).await?;
    let uma = w.person(Role::User);
    let (mut harbor_new, mut alder_new) = (0, 0);
    for role in ROLES {
        let cases: Vec<(&str, Option<&Person>, i64, Cell)> = if role.is_staff() {
            vec![
                ("for a client's contact", Some(uma), w.harbor(), YES),
                ("for another client's contact", Some(&w.una), w.alder(), YES),
            ]
        } else {
            let colleague = if role == Role::User { DENIED } else { YES };
            vec![
                ("for itself", None, 0, YES),
                ("for a colleague", Some(&w.hal), 0, colleague),
                ("naming another company", None, w.alder(), NOT_FOUND),
                ("for another company's contact", Some(&w.una), 0, NOT_FOUND),
            ]
        };
        for (what, requester, company, cell) in cases {
            check(
                what,
                role,
                create(&w, role, requester, company).await?,
                cell,
            );
            if cell.is_ok() {
                let of = requester.map_or(w.harbor(), |p| p.1.company_id);
                if of == w.harbor() {
                    harbor_new += 1;
                } else {
                    alder_new += 1;
                }
            }
        }
    }
    assert_eq!(alder_new, 3, "one per staff role");
    assert_eq!(
        total(w.dispatcher(), by_company(w.harbor())).await?,
        harbor_before + harbor_new,
        "refused tickets are not stored"
    );
    assert_eq!(
        total(w.dispatcher(), by_company(w.alder())).await?,
        alder_before + alder_new
    );
    Ok(())
}

#[tokio::test]
async fn view_tickets_own_subscribed_company_or_all() -> anyhow::Result<()> {
    use pb::TicketStatus::New;
    let w = World::new().await?;
    let (uma, hal) = (w.id(Role::User).clone(), w.hal.1.clone());
    let own = w.ticket(&uma, 0, New).await?;
    let colleagues = w.ticket(&hal, 0, New).await?;
    let followed = w.ticket(&hal, 0, New).await?;
    let subscribe = |add: bool| {
        let req = pb::SubscriberRequest {
            number: followed,
            contact_id: uma.id,
        };
        let t = w.s(Role::Manager).tickets();
        async move {
            let mut t = t;
            let subs = if add {
                t.add_subscriber(req).await?
            } else {
                t.remove_subscriber(req).await?
            };
            anyhow::Ok(subs.into_inner().subscribers)
        }
    };
    assert!(
        subscribe(true)
            .await?
            .iter()
            .any(|s| s.contact_id == uma.id)
    );
    let foreign = w.ticket(&w.una.1, 0, New).await?;
    let everything = total(w.dispatcher(), pb::ListTicketsRequest::default()).await?;
    let harbor = total(
        w.dispatcher(),
        pb::ListTicketsRequest {
            company_id: w.harbor(),
            ..Default::default()
        },
    )
    .await?;

    for role in ROLES {
        let (colleague_cell, foreign_cell) = match role {
            Role::User => (NOT_FOUND, NOT_FOUND),
            Role::Manager | Role::Admin => (YES, NOT_FOUND),
            _ => (YES, YES),
        };
        for (what, number, cell) in [
            ("own ticket", own, YES),
            ("a colleague's ticket", colleagues, colleague_cell),
            ("a subscribed colleague's ticket", followed, YES),
            ("another company's ticket", foreign, foreign_cell),
        ] {
            check(what, role, view(&w, role, number).await?, cell);
        }
        let seen = total(w.s(role), pb::ListTicketsRequest::default()).await?;
        match role {
            Role::User => assert!(seen < harbor, "{seen} of {harbor}"),
            Role::Manager | Role::Admin => assert_eq!(seen, harbor, "{role:?}"),
            _ => assert_eq!(seen, everything, "{role:?}"),
        }
    }

    // A User's list holds exactly its own and subscribed tickets.
    let user = w.s(Role::User);
    let mine = user
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            page: Some(pb::PageRequest {
                page_size: 200,
                cursor: String::new(),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(mine.next_cursor.is_empty() && !mine.tickets.is_empty());
    let user_total = mine.total;
    for t in &mine.tickets {
        let follows = detail(user, t.number)
            .await?
            .subscribers
            .iter()
            .any(|s| s.contact_id == uma.id);
        assert!(t.contact_id == uma.id || follows, "#{}", t.number);
    }

    // The company lets Users see all its tickets: Uma sees what a Manager
    // sees, and still nothing of another company.
    w.users_see_all(true).await?;
    check(
        "a colleague's ticket, users_see_all on",
        Role::User,
        view(&w, Role::User, colleagues).await?,
        YES,
    );
    check(
        "another company's ticket, users_see_all on",
        Role::User,
        view(&w, Role::User, foreign).await?,
        NOT_FOUND,
    );
    assert_eq!(
        total(user, pb::ListTicketsRequest::default()).await?,
        harbor
    );

    // Switched off again, the colleague's ticket is gone once more.
    w.users_see_all(false).await?;
    check(
        "a colleague's ticket, users_see_all off",
        Role::User,
        view(&w, Role::User, colleagues).await?,
        NOT_FOUND,
    );
    assert_eq!(
        total(user, pb::ListTicketsRequest::default()).await?,
        user_total
    );
    // Unsubscribed, so is the followed one.
    subscribe(false).await?;
    check(
        "a colleague's ticket no longer subscribed",
        Role::User,
        view(&w, Role::User, followed).await?,
        NOT_FOUND,
    );
    Ok(())
}

#[tokio::test]
async fn posts_attachments_and_internal_notes_by_role() -> anyhow::Result<()> {
    use pb::PostKind::{Discussion, InternalNote, Resolution};
    use pb::TicketStatus::New;
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    let own = w.ticket(&uma, 0, New).await?;
    let followed = w.ticket(&w.hal.1, 0, New).await?;
    w.s(Role::Manager)
        .tickets()
        .add_subscriber(pb::SubscriberRequest {
            number: followed,
            contact_id: uma.id,
        })
        .await?;
    let hidden = w.ticket(&w.hal.1, 0, New).await?;
    let (uma_s, hal_s) = (w.s(Role::User), &w.hal.0);

    for role in ROLES {
        let note = if role.is_staff() { YES } else { DENIED };
        let colleague = if role == Role::User { NOT_FOUND } else { YES };
        for (what, number, kind, reader, cell) in [
            ("discussion post", own, Discussion, uma_s, YES),
            ("resolution post", own, Resolution, uma_s, YES),
            ("internal note", own, InternalNote, uma_s, note),
            (
                "post on a subscribed ticket",
                followed,
                Discussion,
                hal_s,
                YES,
            ),
            (
                "post on a colleague's ticket",
                hidden,
                Discussion,
                hal_s,
                colleague,
            ),
        ] {
            check(
                what,
                role,
                post(&w, role, number, kind, reader).await?,
                cell,
            );
        }
        for (what, number, reader, cell) in [
            ("attachment", own, uma_s, YES),
            ("attachment on a subscribed ticket", followed, hal_s, YES),
            (
                "attachment on a colleague's ticket",
                hidden,
                hal_s,
                colleague,
            ),
        ] {
            check(what, role, attach(&w, role, number, reader).await?, cell);
        }
    }
    Ok(())
}

#[tokio::test]
async fn client_status_changes_on_own_or_company_tickets_never_by_staff() -> anyhow::Result<()> {
    use pb::TicketStatus::{Cancelled, Closed, Completed, InProgress, New, NoActionRequired};
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    let tom = w.id(Role::Technician).id;
    // Each ticket is on the Technician's queue, so its refusal is about the
    // move, not about whose queue it is.
    let moves = [
        ("cancel", New, Cancelled),
        ("no action required", New, NoActionRequired),
        // Signing off is its own call (work.rs); a bare move to Closed is
        // no client's move.
        ("close without signing off", Completed, Closed),
        ("reject completion", Completed, InProgress),
    ];
    for (what, from, to) in moves {
        for role in ROLES {
            // Staff reopening a completed ticket (Completed → In Progress)
            // is a staff move (§4), not a rejection: not a cell of this row.
            if role.is_staff() && to == InProgress {
                continue;
            }
            let own = w.ticket(&uma, tom, from).await?;
            let cell = if role.is_staff() || to == Closed {
                ILLEGAL
            } else {
                YES
            };
            check(
                &format!("{what} on Uma's ticket"),
                role,
                set_status(&w, role, own, to).await?,
                cell,
            );
            if role.is_staff() {
                continue;
            }
            // A colleague's ticket the User sees by subscribing: the company's.
            let theirs = w.ticket(&w.hal.1, tom, from).await?;
            w.s(Role::Manager)
                .tickets()
                .add_subscriber(pb::SubscriberRequest {
                    number: theirs,
                    contact_id: uma.id,
                })
                .await?;
            let cell = match role {
                Role::User => DENIED,
                _ if to == Closed => ILLEGAL,
                _ => YES,
            };
            check(
                &format!("{what} on a colleague's subscribed ticket"),
                role,
                set_status(&w, role, theirs, to).await?,
                cell,
            );
        }
        // Seeing all the company's tickets does not make them the User's own.
        w.users_see_all(true).await?;
        let theirs = w.ticket(&w.hal.1, tom, from).await?;
        check(
            &format!("{what} on a colleague's ticket, users_see_all on"),
            Role::User,
            set_status(&w, Role::User, theirs, to).await?,
            DENIED,
        );
        w.users_see_all(false).await?;
    }
    Ok(())
}

#[tokio::test]
async fn staff_status_priority_and_assignment_by_role() -> anyhow::Result<()> {
    use pb::TicketStatus::{InProgress, New};
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    let tom = w.id(Role::Technician).id;
    // Someone else's queue: another active Technician, or the Dispatcher.
    let staff = w
        .dispatcher()
        .staff()
        .list_staff(pb::ListStaffRequest::default())
        .await?
        .into_inner()
        .staff;
    let someone_else = staff
        .iter()
        .find(|s| s.active && s.id != tom && s.role() == pb::StaffRole::Technician)
        .map_or(w.id(Role::Dispatcher).id, |s| s.id);

    for role in ROLES {
        let (queue, other_queue, prio) = match role {
            Role::Technician => (YES, DENIED, DENIED),
            Role::Dispatcher | Role::ProviderAdmin => (YES, YES, YES),
            // Clients may change the status of their tickets, but only to
            // Cancelled or No Action Required.
            _ => (ILLEGAL, ILLEGAL, DENIED),
        };
        let on_queue = w.ticket(&uma, tom, New).await?;
        check(
            "status on the Technician's queue",
            role,
            set_status(&w, role, on_queue, InProgress).await?,
            queue,
        );
        let elsewhere = w.ticket(&uma, someone_else, New).await?;
        check(
            "status on another's queue",
            role,
            set_status(&w, role, elsewhere, InProgress).await?,
            other_queue,
        );
        let unassigned = w.ticket(&uma, 0, New).await?;
        check(
            "status of an unassigned ticket",
            role,
            set_status(&w, role, unassigned, InProgress).await?,
            other_queue,
        );
        let on_queue = w.ticket(&uma, tom, New).await?;
        check(
            "priority",
            role,
            set_priority(&w, role, on_queue).await?,
            prio,
        );
        let unassigned = w.ticket(&uma, 0, New).await?;
        check(
            "assignment",
            role,
            assign(&w, role, unassigned, tom).await?,
            prio,
        );
        check(
            "reassignment",
            role,
            assign(&w, role, on_queue, someone_else).await?,
            prio,
        );
    }
    Ok(())
}

// ----------------------------------------------------------------- accounts

/// The account rows' calls on Hal (a User of Harbor) or on Harbor itself.
#[derive(Debug, Clone, Copy)]
enum AccountCall {
    ListContacts,
    GetContact,
    EditDetails,
    ChangeLoginEmail,
    SetSecurityLevel,
    Disable,
    ResetPassword,
    CompanyPreferences,
}

async fn hal_as_stored(w: &World) -> anyhow::Result<pb::Contact> {
    Ok(w.dispatcher()
        .accounts()
        .get_user(pb::GetUserRequest {
            contact_id: w.hal.1.id,
        })
        .await?
        .into_inner())
}

async fn harbor_as_stored(w: &World) -> anyhow::Result<pb::Company> {
    Ok(w.dispatcher()
        .accounts()
        .get_company(pb::GetCompanyRequest {
            company_id: w.harbor(),
        })
        .await?
        .into_inner())
}

/// Makes `call` as `role`. Allowed, the change shows as stored and is then
/// undone by the same caller; refused, Hal and Harbor are unchanged.
async fn account_call(w: &World, role: Role, call: AccountCall) -> anyhow::Result<Outcome> {
    let a = w.s(role).accounts();
    let hal = w.hal.1.id;
    let (hal_before, harbor_before) = (hal_as_stored(w).await?, harbor_as_stored(w).await?);
    let got: Outcome = match call {
        AccountCall::ListContacts => a
            .clone()
            .list_users(pb::ListUsersRequest {
                company_id: w.harbor(),
                ..Default::default()
            })
            .await
            .map(|r| assert!(r.into_inner().contacts.iter().any(|c| c.id == hal))),
        AccountCall::GetContact => a
            .clone()
            .get_user(pb::GetUserRequest { contact_id: hal })
            .await
            .map(|r| assert_eq!(r.into_inner(), hal_before)),
        AccountCall::EditDetails | AccountCall::ChangeLoginEmail => {
            let email = match call {
                AccountCall::ChangeLoginEmail => "hal.new@harbor.example",
                _ => "",
            };
            let mut details = hal_before.details.clone().unwrap_or_default();
            details.title = format!("Edited by {role:?}");
            let got = a
                .clone()
                .update_user(pb::UpdateUserRequest {
                    contact_id: hal,
                    details: Some(details.clone()),
                    email: email.into(),
                })
                .await;
            if got.is_ok() {
                let now = hal_as_stored(w).await?;
                assert_eq!(now.details, Some(details));
                if !email.is_empty() {
                    assert_eq!(now.email, email);
                }
                a.clone()
                    .update_user(pb::UpdateUserRequest {
                        contact_id: hal,
                        details: hal_before.details.clone(),
                        email: hal_before.email.clone(),
                    })
                    .await?;
            }
            got.map(drop)
        }
        AccountCall::SetSecurityLevel => {
            let set = |access: pb::AccessLevel| {
                let mut a = a.clone();
                async move {
                    a.set_access_level(pb::SetAccessLevelRequest {
                        contact_id: hal,
                        access: access as i32,
                    })
                    .await
                }
            };
            let got = set(pb::AccessLevel::Manager).await;
            if got.is_ok() {
                assert_eq!(hal_as_stored(w).await?.access(), pb::AccessLevel::Manager);
                set(pb::AccessLevel::User).await?;
            }
            got.map(drop)
        }
        AccountCall::Disable => {
            let set = |active: bool| {
                let mut a = a.clone();
                async move {
                    a.set_user_active(pb::SetUserActiveRequest {
                        contact_id: hal,
                        active,
                    })
                    .await
                }
            };
            let got = set(false).await;
            if got.is_ok() {
                assert!(!hal_as_stored(w).await?.active);
                let login = w.server.login(&hal_before.email, DEMO_PASSWORD).await;
                assert_eq!(login.err().map(|s| s.code()), Some(Code::Unauthenticated));
                set(true).await?;
                w.server.login(&hal_before.email, DEMO_PASSWORD).await?;
            }
            got.map(drop)
        }
        AccountCall::ResetPassword => {
            let got = a
                .clone()
                .reset_user_password(pb::ResetUserPasswordRequest { contact_id: hal })
                .await;
            if let Ok(r) = &got {
                let login = w
                    .server
                    .login(&hal_before.email, &r.get_ref().temporary_password)
                    .await?;
                assert!(login.identity.is_some_and(|i| i.must_change_password));
            }
            got.map(drop)
        }
        AccountCall::CompanyPreferences => {
            let before = harbor_before.preferences.clone().unwrap_or_default();
            let flipped = pb::CompanyPreferences {
                require_po_number: !before.require_po_number,
                ..before.clone()
            };
            let save = |prefs: pb::CompanyPreferences| {
                let mut a = a.clone();
                let company_id = w.harbor();
                async move {
                    a.update_company_preferences(pb::UpdateCompanyPreferencesRequest {
                        company_id,
                        preferences: Some(prefs),
                    })
                    .await
                }
            };
            let got = save(flipped.clone()).await;
            if got.is_ok() {
                assert_eq!(harbor_as_stored(w).await?.preferences, Some(flipped));
                save(before).await?;
            }
            got.map(drop)
        }
    };
    if got.is_err() {
        assert_eq!(hal_as_stored(w).await?, hal_before, "{call:?} as {role:?}");
        assert_eq!(harbor_as_stored(w).await?, harbor_before);
    }
    Ok(got)
}

/// The cells of the contacts row and the users and security-levels row
/// that accounts.rs does not already prove (it covers the rest of each
/// role's column).
#[tokio::test]
async fn account_rows_cells_not_covered_in_accounts_rs() -> anyhow::Result<()> {
    use AccountCall::{
        ChangeLoginEmail, CompanyPreferences, Disable, EditDetails, GetContact, ListContacts,
        ResetPassword, SetSecurityLevel,
    };
    let w = World::new().await?;
    let mut cells = vec![
        // A User sees only itself: Hal is not there.
        (Role::User, Disable, NOT_FOUND),
        (Role::Admin, ListContacts, YES),
        (Role::Admin, GetContact, YES),
    ];
    for role in [Role::Technician, Role::Dispatcher] {
        cells.extend([
            (role, SetSecurityLevel, DENIED),
            (role, Disable, DENIED),
            (role, CompanyPreferences, DENIED),
        ]);
    }
    // The provider Admin: everything, for every company. The password
    // reset comes last: it ends Hal's demo password.
    for call in [
        ListContacts,
        GetContact,
        EditDetails,
        ChangeLoginEmail,
        SetSecurityLevel,
        Disable,
        CompanyPreferences,
        ResetPassword,
    ] {
        cells.push((Role::ProviderAdmin, call, YES));
    }
    for (role, call, cell) in cells {
        check(
            &format!("{call:?}"),
            role,
            account_call(&w, role, call).await?,
            cell,
        );
    }
    Ok(())
}

// ----------------------------------------------------------------- provider

/// The calls of the "catalog, SLA, staff, billing runs" row that exist:
/// the catalog and staff members. (SLA and billing runs have no call yet.)
#[derive(Debug, Clone, Copy)]
enum ProviderCall {
    SaveServiceType,
    CreateStaff,
    UpdateStaff,
}

/// The catalog with retired types, and all staff, as the provider Admin sees them.
async fn provider_as_stored(
    w: &World,
) -> anyhow::Result<(Vec<pb::ServiceType>, Vec<pb::StaffMember>)> {
    let s = w.s(Role::ProviderAdmin);
    let types = s
        .tickets()
        .list_service_types(pb::ListServiceTypesRequest {
            include_inactive: true,
        })
        .await?
        .into_inner()
        .service_types;
    let staff = s
        .staff()
        .list_staff(pb::ListStaffRequest {
            include_inactive: true,
            page: Some(pb::PageRequest {
                page_size: 200,
                cursor: String::new(),
            }),
        })
        .await?
        .into_inner()
        .staff;
    Ok((types, staff))
}

/// Makes `call` as `role`. Allowed, the change shows (and a renamed staff
/// member is named back); refused, the catalog and the staff are unchanged.
async fn provider_call(w: &World, role: Role, call: ProviderCall) -> anyhow::Result<Outcome> {
    let st = w.s(role).staff();
    let before = provider_as_stored(w).await?;
    let got = match call {
        ProviderCall::SaveServiceType => {
            let name = format!("Added by {role:?}");
            let got = st
                .clone()
                .save_service_type(pb::ServiceType {
                    name: name.clone(),
                    description: "A new kind of request".into(),
                    sort_order: 60,
                    active: true,
                    ..Default::default()
                })
                .await;
            if let Ok(saved) = &got {
                let offered = w
                    .s(Role::User)
                    .tickets()
                    .list_service_types(pb::ListServiceTypesRequest::default())
                    .await?
                    .into_inner()
                    .service_types;
                let id = saved.get_ref().id;
                assert!(offered.iter().any(|t| t.id == id && t.name == name));
            }
            got.map(drop)
        }
        ProviderCall::CreateStaff => {
            let email = format!("new.{}@keystone.example", role.email().replace('@', "."));
            let got = st
                .clone()
                .create_staff(pb::CreateStaffRequest {
                    first_name: "New".into(),
                    last_name: "Hire".into(),
                    email: email.clone(),
                    role: pb::StaffRole::Technician as i32,
                })
                .await;
            if let Ok(hired) = &got {
                let (_, staff) = provider_as_stored(w).await?;
                assert!(staff.iter().any(|s| s.email == email && s.active));
                let login = w
                    .server
                    .login(&email, &hired.get_ref().temporary_password)
                    .await?;
                assert!(login.identity.is_some_and(|i| i.staff));
            }
            got.map(drop)
        }
        ProviderCall::UpdateStaff => {
            let tom = before
                .1
                .iter()
                .find(|s| s.id == w.id(Role::Technician).id)
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("no Technician"))?;
            let rename = |last_name: String| {
                let mut st = st.clone();
                let tom = tom.clone();
                async move {
                    st.update_staff(pb::UpdateStaffRequest {
                        staff_id: tom.id,
                        first_name: tom.first_name,
                        last_name,
                        role: tom.role,
                        active: tom.active,
                    })
                    .await
                }
            };
            let renamed = format!("Renamed by {role:?}");
            let got = rename(renamed.clone()).await;
            if got.is_ok() {
                let (_, staff) = provider_as_stored(w).await?;
                assert!(
                    staff
                        .iter()
                        .any(|s| s.id == tom.id && s.last_name == renamed)
                );
                rename(tom.last_name.clone()).await?;
            }
            got.map(drop)
        }
    };
    if got.is_err() {
        assert!(
            provider_as_stored(w).await? == before,
            "{call:?} as {role:?}"
        );
    }
    Ok(got)
}

#[tokio::test]
async fn catalog_and_staff_only_for_the_provider_admin() -> anyhow::Result<()> {
    let w = World::new().await?;
    for role in ROLES {
        let cell = if role == Role::ProviderAdmin {
            YES
        } else {
            DENIED
        };
        for call in [
            ProviderCall::SaveServiceType,
            ProviderCall::CreateStaff,
            ProviderCall::UpdateStaff,
        ] {
            check(
                &format!("{call:?}"),
                role,
                provider_call(&w, role, call).await?,
                cell,
            );
        }
    }
    Ok(())
}

/// The SLA settings: any staff member reads them; only the provider Admin
/// changes them, and a refused change leaves them as they were.
#[tokio::test]
async fn sla_settings_read_by_staff_and_changed_by_the_provider_admin() -> anyhow::Result<()> {
    let w = World::new().await?;
    let stored = || async {
        anyhow::Ok(
            w.s(Role::ProviderAdmin)
                .staff()
                .get_sla_settings(pb::Empty {})
                .await?
                .into_inner(),
        )
    };
    for (i, role) in ROLES.into_iter().enumerate() {
        let (read, change) = match role {
            Role::ProviderAdmin => (YES, YES),
            Role::Technician | Role::Dispatcher => (YES, DENIED),
            _ => (DENIED, DENIED),
        };
        let got = w.s(role).staff().get_sla_settings(pb::Empty {}).await;
        check("GetSlaSettings", role, got.map(drop), read);
        let before = stored().await?;
        let mut wanted = before.clone();
        wanted.at_risk_percent = 10 + i as i32;
        let got = w.s(role).staff().update_sla_settings(wanted.clone()).await;
        check("UpdateSlaSettings", role, got.map(drop), change);
        let after = stored().await?;
        if role == Role::ProviderAdmin {
            assert_eq!(after, wanted);
        } else {
            assert_eq!(after, before, "refused as {role:?}");
        }
    }
    Ok(())
}

/// The first piece of ticket `number`'s export as `role`; allowed, it is
/// a PDF.
async fn export(w: &World, role: Role, number: i64) -> anyhow::Result<Outcome> {
    let request = pb::ExportTicketRequest {
        number,
        format: pb::ExportFormat::Pdf.into(),
        document: pb::ExportDocument::Ticket.into(),
    };
    let got = match w.s(role).tickets().export_ticket(request).await {
        Ok(stream) => stream
            .into_inner()
            .next()
            .await
            .context("the export sent nothing")?,
        Err(e) => Err(e),
    };
    if let Ok(first) = &got {
        assert!(first.data.starts_with(b"%PDF-"), "{role:?}");
        assert_eq!(first.file_name, format!("ticket-{number}.pdf"));
    }
    Ok(got.map(drop))
}

/// Saving and printing a ticket: whoever may see it (docs/ROLES.md).
#[tokio::test]
async fn export_a_ticket_whoever_sees_it() -> anyhow::Result<()> {
    let w = World::new().await?;
    let own = w.ticket(w.id(Role::User), 0, pb::TicketStatus::New).await?;
    let colleagues = w.ticket(&w.hal.1, 0, pb::TicketStatus::New).await?;
    for role in ROLES {
        let colleague_cell = if role == Role::User { NOT_FOUND } else { YES };
        check("export own", role, export(&w, role, own).await?, YES);
        check(
            "export a colleague's",
            role,
            export(&w, role, colleagues).await?,
            colleague_cell,
        );
    }
    Ok(())
}

/// The mail the sender gave up on: only provider Admins list and retry it
/// (docs/ROLES.md). No message has failed here, so the provider Admin's
/// retry of an unknown id is NOT_FOUND, past the policy; the retry itself
/// is in mail.rs.
#[tokio::test]
async fn failed_mail_only_for_the_provider_admin() -> anyhow::Result<()> {
    let w = World::new().await?;
    for role in ROLES {
        let admin = role == Role::ProviderAdmin;
        let st = w.s(role).staff();
        let listed = st
            .clone()
            .list_failed_mail(pb::ListFailedMailRequest::default())
            .await;
        if let Ok(list) = &listed {
            assert!(list.get_ref().messages.is_empty());
        }
        check(
            "ListFailedMail",
            role,
            listed.map(drop),
            if admin { YES } else { DENIED },
        );
        let retried = st.clone().retry_mail(pb::RetryMailRequest { id: 1 }).await;
        check(
            "RetryMail",
            role,
            retried.map(drop),
            if admin { NOT_FOUND } else { DENIED },
        );
    }
    Ok(())
}

/// The scheduled backups' status: the provider Admin only (what it shows
/// is tested in backup.rs).
#[tokio::test]
async fn backup_status_only_for_the_provider_admin() -> anyhow::Result<()> {
    let w = World::new().await?;
    for role in ROLES {
        let got = w.s(role).staff().get_backup_status(pb::Empty {}).await;
        if let Ok(status) = &got {
            assert!(!status.get_ref().scheduled, "no --backup-dir was given");
        }
        check(
            "GetBackupStatus",
            role,
            got.map(drop),
            if role == Role::ProviderAdmin {
                YES
            } else {
                DENIED
            },
        );
    }
    Ok(())
}

/// `kind` over the last twelve months as `s`, of `company_id` (0: all).
async fn report(s: &Session, kind: pb::ReportKind, company_id: i64) -> Result<pb::Report, Status> {
    s.reports()
        .get_report(pb::ReportRequest {
            kind: kind.into(),
            company_id,
            ..Default::default()
        })
        .await
        .map(tonic::Response::into_inner)
}

/// The tickets a by-status report counts.
fn counted(r: &pb::Report) -> i64 {
    r.rows.iter().map(|row| row.values[0]).sum()
}

#[tokio::test]
async fn reports_for_client_managers_and_admins_dispatchers_and_the_provider_admin()
-> anyhow::Result<()> {
    let w = World::new().await?;
    w.ticket(w.id(Role::User), 0, pb::TicketStatus::New).await?;
    w.ticket(&w.una.1, 0, pb::TicketStatus::New).await?;
    let harbor = report(w.dispatcher(), pb::ReportKind::ByStatus, w.harbor()).await?;
    let all = report(w.dispatcher(), pb::ReportKind::ByStatus, 0).await?;
    assert!(counted(&harbor) >= 1 && counted(&all) > counted(&harbor));
    for role in ROLES {
        let (tickets, time) = match role {
            Role::Dispatcher | Role::ProviderAdmin => (YES, YES),
            Role::Manager | Role::Admin => (YES, DENIED),
            Role::User | Role::Technician => (DENIED, DENIED),
        };
        let got = report(w.s(role), pb::ReportKind::ByStatus, 0).await;
        if let Ok(r) = &got {
            // A client's report is its company's, as staff see it filtered.
            let want = if role.is_staff() { &all } else { &harbor };
            assert_eq!(r.rows, want.rows, "by status as {role:?}");
        }
        check("GetReport by status", role, got.map(drop), tickets);
        let got = report(w.s(role), pb::ReportKind::TimeLogged, 0).await;
        check("GetReport time logged", role, got.map(drop), time);
    }
    Ok(())
}

/// The audit log: a client Admin reads its own company's events only, the
/// provider Admin everyone's; the others are refused.
#[tokio::test]
async fn audit_log_for_admins_each_their_own() -> anyhow::Result<()> {
    let w = World::new().await?;
    // An event of Harbor's (its Admin changes a preference) beside the
    // provider's own (sign-ins of staff name no company).
    w.users_see_all(false).await?;
    for role in ROLES {
        let got = w
            .s(role)
            .staff()
            .list_audit_log(pb::ListAuditLogRequest::default())
            .await;
        if let Ok(page) = &got {
            let companies: std::collections::BTreeSet<i64> = page
                .get_ref()
                .entries
                .iter()
                .map(|e| e.company_id)
                .collect();
            assert!(!companies.is_empty(), "{role:?} sees events");
            if role == Role::Admin {
                assert_eq!(companies, [w.harbor()].into(), "only Harbor's");
            } else {
                assert!(companies.len() > 1, "the provider Admin sees all");
            }
        }
        let want = match role {
            Role::Admin | Role::ProviderAdmin => YES,
            _ => DENIED,
        };
        check("ListAuditLog", role, got.map(drop), want);
    }
    // Naming another company is answered as if it did not exist.
    let alder = w
        .s(Role::Admin)
        .staff()
        .list_audit_log(pb::ListAuditLogRequest {
            company_id: w.alder(),
            ..Default::default()
        })
        .await;
    check(
        "ListAuditLog of Alder",
        Role::Admin,
        alder.map(drop),
        NOT_FOUND,
    );
    Ok(())
}

/// One's own sessions (docs/ROLES.md, "Sessions"): every role lists its
/// own, ends one of its own and signs out everywhere else; anyone else's
/// session is not found, whatever the role.
#[tokio::test]
async fn every_role_manages_its_own_sessions_and_nobody_elses() -> anyhow::Result<()> {
    let w = World::new().await?;
    let hal_sign_in = w
        .hal
        .0
        .auth()
        .list_my_sessions(pb::Empty {})
        .await?
        .into_inner()
        .sessions
        .into_iter()
        .find(|s| s.current)
        .context("Hal's own session")?
        .id;
    for role in ROLES {
        let (other, _) = sign_in(&w.server, role.email()).await?;
        let auth = w.s(role).auth();
        let listed = auth.clone().list_my_sessions(pb::Empty {}).await;
        let mine = listed
            .as_ref()
            .map(|l| l.get_ref().sessions.clone())
            .unwrap_or_default();
        check("ListMySessions", role, listed.map(drop), YES);
        assert_eq!(mine.len(), 2, "{role:?}: {mine:?}");
        let second = mine.iter().find(|s| !s.current).context("the other")?.id;
        let revoked = auth
            .clone()
            .revoke_session(pb::RevokeSessionRequest { session_id: second })
            .await;
        check("RevokeSession (own)", role, revoked.map(drop), YES);
        let ended = other.auth().who_am_i(pb::Empty {}).await;
        assert_eq!(
            ended.map(drop).map_err(|s| s.code()),
            Err(Code::Unauthenticated),
            "{role:?}'s revoked session"
        );
        let theirs = auth
            .clone()
            .revoke_session(pb::RevokeSessionRequest {
                session_id: hal_sign_in,
            })
            .await;
        check("RevokeSession (Hal's)", role, theirs.map(drop), NOT_FOUND);
        let everywhere = auth
            .clone()
            .sign_out_everywhere(pb::SignOutEverywhereRequest { keep_current: true })
            .await;
        check("SignOutEverywhere", role, everywhere.map(drop), YES);
        // Still signed in here.
        w.s(role).auth().who_am_i(pb::Empty {}).await?;
    }
    // Hal was never signed out by anyone.
    w.hal.0.auth().who_am_i(pb::Empty {}).await?;
    Ok(())
}

/// One's own SSH keys (docs/GATEWAY.md): every role lists, adds and
/// removes its own; anyone else's key is not found, and a key someone
/// registered cannot be registered again by anyone. Only the gateway's
/// secret signs in by key.
#[tokio::test]
#[cfg_attr(
    missing_ssh,
    ignore = "ssh is not installed (under CI=true this test runs and fails)"
)]
async fn every_role_manages_its_own_ssh_keys_and_nobody_elses() -> anyhow::Result<()> {
    portal_e2e::require_tool("ssh");
    let w = World::new().await?;
    let dir = tempfile::tempdir()?;
    let (_, hal_line) = portal_e2e::ssh::keygen(dir.path(), "hal")?;
    let hal_key = w
        .hal
        .0
        .auth()
        .add_ssh_key(pb::AddSshKeyRequest {
            public_key: hal_line.clone(),
        })
        .await?
        .into_inner();
    for role in ROLES {
        let auth = w.s(role).auth();
        let (_, line) = portal_e2e::ssh::keygen(dir.path(), &format!("{role:?}").to_lowercase())?;
        let added = auth
            .clone()
            .add_ssh_key(pb::AddSshKeyRequest { public_key: line })
            .await;
        let id = added.as_ref().map(|k| k.get_ref().id).unwrap_or_default();
        check("AddSshKey", role, added.map(drop), YES);
        let listed = auth.clone().list_my_ssh_keys(pb::Empty {}).await?;
        let ids: Vec<i64> = listed.get_ref().keys.iter().map(|k| k.id).collect();
        assert_eq!(ids, [id], "{role:?} lists its own key only");
        let again = auth
            .clone()
            .add_ssh_key(pb::AddSshKeyRequest {
                public_key: hal_line.clone(),
            })
            .await;
        check(
            "AddSshKey (Hal's key)",
            role,
            again.map(drop),
            Err(Code::AlreadyExists),
        );
        let theirs = auth
            .clone()
            .remove_ssh_key(pb::RemoveSshKeyRequest { key_id: hal_key.id })
            .await;
        check("RemoveSshKey (Hal's)", role, theirs.map(drop), NOT_FOUND);
        let own = auth
            .clone()
            .remove_ssh_key(pb::RemoveSshKeyRequest { key_id: id })
            .await;
        check("RemoveSshKey (own)", role, own.map(drop), YES);
        let signed_in = auth
            .clone()
            .ssh_key_sign_in(pb::SshKeySignInRequest {
                gateway_secret: "a guess".into(),
                public_key: hal_line.clone(),
                client: String::new(),
            })
            .await;
        check(
            "SshKeySignIn (no gateway)",
            role,
            signed_in.map(drop),
            Err(Code::Unauthenticated),
        );
    }
    // Hal's key is still there.
    let hal_keys = w.hal.0.auth().list_my_ssh_keys(pb::Empty {}).await?;
    assert_eq!(hal_keys.get_ref().keys.len(), 1);
    Ok(())
}
