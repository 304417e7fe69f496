//! Company isolation: a User, a Manager and an Admin of each of two
//! companies try every ticket, attachment and contact of the other company
//! on every call that takes one, and get NOT_FOUND exactly as for ids that
//! do not exist; nothing of the other company changes.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

#[path = "isolation/billing.rs"]
mod billing;
#[path = "isolation/knowledge.rs"]
mod knowledge;
#[path = "isolation/queue.rs"]
mod queue;
#[path = "isolation/ratings.rs"]
mod ratings;
#[path = "isolation/related.rs"]
mod related;
#[path = "isolation/ssh_keys.rs"]
mod ssh_keys;
#[path = "isolation/subscriptions.rs"]
mod subscriptions;
#[path = "isolation/work.rs"]
mod work;

use futures::future::try_join_all;
use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code};
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use tokio_stream::StreamExt;
use tonic::{Code, Status};

async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<(Session, pb::Identity)> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    let identity = login.identity.unwrap_or_default();
    Ok((
        Session::new(server.channel().await?, &login.token)?,
        identity,
    ))
}

type Calls = Vec<(&'static str, Result<(), Status>)>;

/// Every ticket call on ticket `number`, subscribing `contact`.
async fn ticket_calls(s: &Session, number: i64, contact: i64) -> Calls {
    let t = s.tickets();
    let mut calls = vec![
        (
            "GetTicket",
            t.clone()
                .get_ticket(pb::GetTicketRequest { number })
                .await
                .map(drop),
        ),
        (
            "GetTimeline",
            t.clone()
                .get_timeline(pb::GetTimelineRequest { number, page: None })
                .await
                .map(drop),
        ),
        (
            "AddPost",
            t.clone()
                .add_post(pb::AddPostRequest {
                    number,
                    kind: 1,
                    body: "hello".into(),
                    chat: false,
                })
                .await
                .map(drop),
        ),
        (
            "ChangeStatus",
            t.clone()
                .change_status(pb::ChangeStatusRequest {
                    number,
                    status: pb::TicketStatus::Cancelled.into(),
                    note: "x".into(),
                })
                .await
                .map(drop),
        ),
        (
            "SetPriority",
            t.clone()
                .set_priority(pb::SetPriorityRequest {
                    number,
                    priority: 1,
                    note: String::new(),
                })
                .await
                .map(drop),
        ),
        (
            "Assign",
            t.clone()
                .assign(pb::AssignRequest {
                    number,
                    staff_id: 1,
                    board: String::new(),
                })
                .await
                .map(drop),
        ),
        (
            "AddAssignee",
            t.clone()
                .add_assignee(pb::AssigneeRequest {
                    number,
                    staff_id: 1,
                })
                .await
                .map(drop),
        ),
        (
            "RemoveAssignee",
            t.clone()
                .remove_assignee(pb::AssigneeRequest {
                    number,
                    staff_id: 1,
                })
                .await
                .map(drop),
        ),
        (
            "AddSubscriber",
            t.clone()
                .add_subscriber(pb::SubscriberRequest {
                    number,
                    contact_id: contact,
                })
                .await
                .map(drop),
        ),
        (
            "RemoveSubscriber",
            t.clone()
                .remove_subscriber(pb::SubscriberRequest {
                    number,
                    contact_id: contact,
                })
                .await
                .map(drop),
        ),
        (
            "AddTask",
            t.clone()
                .add_task(pb::AddTaskRequest {
                    number,
                    text: "x".into(),
                })
                .await
                .map(drop),
        ),
        (
            "SetTaskDone",
            t.clone()
                .set_task_done(pb::SetTaskDoneRequest {
                    number,
                    task_id: 1,
                    done: true,
                })
                .await
                .map(drop),
        ),
        ("ExportTicket", export_call(s, number).await),
    ];
    let meta = pb::UploadAttachmentRequest {
        part: Some(Part::Meta(pb::AttachmentMeta {
            number,
            title: "x".into(),
            file_name: "x.txt".into(),
            content_type: String::new(),
        })),
    };
    let data = pb::UploadAttachmentRequest {
        part: Some(Part::Data(b"secret".to_vec())),
    };
    calls.push((
        "UploadAttachment",
        t.clone()
            .upload_attachment(tokio_stream::iter(vec![meta, data]))
            .await
            .map(drop),
    ));
    calls
}

/// Downloading attachment `attachment_id`, to its first message.
async fn download_call(s: &Session, attachment_id: i64) -> Calls {
    let r = match s
        .tickets()
        .download_attachment(pb::DownloadAttachmentRequest { attachment_id })
        .await
    {
        Ok(stream) => stream
            .into_inner()
            .next()
            .await
            .unwrap_or(Ok(pb::DownloadAttachmentResponse::default()))
            .map(drop),
        Err(e) => Err(e),
    };
    vec![("DownloadAttachment", r)]
}

/// The first piece of ticket `number`'s PDF export.
async fn export_call(s: &Session, number: i64) -> Result<(), Status> {
    let request = pb::ExportTicketRequest {
        number,
        format: pb::ExportFormat::Pdf.into(),
        document: pb::ExportDocument::Ticket.into(),
    };
    match s.tickets().export_ticket(request).await {
        Ok(stream) => stream
            .into_inner()
            .next()
            .await
            .unwrap_or(Ok(pb::ExportTicketResponse::default()))
            .map(drop),
        Err(e) => Err(e),
    }
}

/// Every call that names contact `id`: the account calls, and subscribing
/// it to `own`, a ticket the caller may manage subscribers of.
async fn contact_calls(s: &Session, id: i64, own: i64) -> Calls {
    let (a, t) = (s.accounts(), s.tickets());
    let details = pb::ContactDetails {
        first_name: "X".into(),
        last_name: "Y".into(),
        ..Default::default()
    };
    let subscriber = pb::SubscriberRequest {
        number: own,
        contact_id: id,
    };
    vec![
        (
            "GetUser",
            a.clone()
                .get_user(pb::GetUserRequest { contact_id: id })
                .await
                .map(drop),
        ),
        (
            "UpdateUser",
            a.clone()
                .update_user(pb::UpdateUserRequest {
                    contact_id: id,
                    details: Some(details),
                    email: String::new(),
                })
                .await
                .map(drop),
        ),
        (
            "SetAccessLevel",
            a.clone()
                .set_access_level(pb::SetAccessLevelRequest {
                    contact_id: id,
                    access: pb::AccessLevel::Admin as i32,
                })
                .await
                .map(drop),
        ),
        (
            "SetUserActive",
            a.clone()
                .set_user_active(pb::SetUserActiveRequest {
                    contact_id: id,
                    active: false,
                })
                .await
                .map(drop),
        ),
        (
            "ResetUserPassword",
            a.clone()
                .reset_user_password(pb::ResetUserPasswordRequest { contact_id: id })
                .await
                .map(drop),
        ),
        (
            "SetRelatedCompanies",
            a.clone()
                .set_related_companies(pb::SetRelatedCompaniesRequest {
                    contact_id: id,
                    related_company_ids: Vec::new(),
                })
                .await
                .map(drop),
        ),
        (
            "AddSubscriber",
            t.clone().add_subscriber(subscriber).await.map(drop),
        ),
        (
            "RemoveSubscriber",
            t.clone().remove_subscriber(subscriber).await.map(drop),
        ),
    ]
}

/// Each call must fail NOT_FOUND, with the status a nonexistent id gets.
#[track_caller]
fn same_as_missing(what: &str, calls: Calls, missing: &Calls) {
    assert_eq!(calls.len(), missing.len());
    for ((call, got), (_, want)) in calls.into_iter().zip(missing) {
        let got = expect_code(got, Code::NotFound);
        let want = want.as_ref().err().map(|s| (s.code(), s.message()));
        assert_eq!(
            Some((got.code(), got.message())),
            want,
            "{call} on {what}: not as for a nonexistent id"
        );
    }
}

/// Everything of one company, as the provider Admin sees it.
#[derive(Debug, PartialEq)]
struct Holdings {
    tickets: Vec<pb::TicketDetail>,
    contacts: Vec<pb::Contact>,
}

impl Holdings {
    async fn of(paula: &Session, company_id: i64) -> anyhow::Result<Self> {
        let mut numbers = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = paula
                .tickets()
                .list_tickets(pb::ListTicketsRequest {
                    company_id,
                    sort: pb::TicketSort::Number.into(),
                    page: Some(pb::PageRequest {
                        page_size: 200,
                        cursor,
                    }),
                    ..Default::default()
                })
                .await?
                .into_inner();
            numbers.extend(page.tickets.iter().map(|t| t.number));
            if page.next_cursor.is_empty() {
                break;
            }
            cursor = page.next_cursor;
        }
        let mut tickets = Vec::new();
        for number in numbers {
            tickets.push(
                paula
                    .tickets()
                    .get_ticket(pb::GetTicketRequest { number })
                    .await?
                    .into_inner(),
            );
        }
        let mut contacts = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = paula
                .accounts()
                .list_users(pb::ListUsersRequest {
                    company_id,
                    include_inactive: true,
                    page: Some(pb::PageRequest {
                        page_size: 200,
                        cursor,
                    }),
                    ..Default::default()
                })
                .await?
                .into_inner();
            contacts.extend(page.contacts);
            if page.next_cursor.is_empty() {
                break;
            }
            cursor = page.next_cursor;
        }
        Ok(Self { tickets, contacts })
    }

    fn numbers(&self) -> impl Iterator<Item = i64> + '_ {
        self.tickets
            .iter()
            .filter_map(|d| d.ticket.as_ref().map(|t| t.number))
    }

    fn attachment_ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.tickets
            .iter()
            .flat_map(|d| d.attachments.iter().map(|a| a.id))
    }
}

/// A client of one company, with a ticket of its own.
struct Prober {
    email: &'static str,
    session: Session,
    me: pb::Identity,
    own_ticket: i64,
}

impl Prober {
    async fn new(server: &TestServer, email: &'static str) -> anyhow::Result<Self> {
        let (session, me) = sign_in(server, email).await?;
        let service_type_id = session.service_type("Other").await?.id;
        let own_ticket = session
            .tickets()
            .create_ticket(pb::CreateTicketRequest {
                title: "Mine".into(),
                description: "Details follow.".into(),
                service_type_id,
                po_number: "PO-1".into(),
                ..Default::default()
            })
            .await?
            .into_inner()
            .number;
        Ok(Self {
            email,
            session,
            me,
            own_ticket,
        })
    }

    /// Tries everything of `theirs` (company `their_id`).
    async fn probe(&self, theirs: &Holdings, their_id: i64) -> anyhow::Result<()> {
        const MISSING: i64 = 9_999_999;
        let s = &self.session;
        let who = self.email;
        let missing = ticket_calls(s, MISSING, self.me.id).await;
        for number in theirs.numbers() {
            let calls = ticket_calls(s, number, self.me.id).await;
            same_as_missing(&format!("#{number} as {who}"), calls, &missing);
            let listed = s
                .tickets()
                .list_tickets(pb::ListTicketsRequest {
                    number,
                    ..Default::default()
                })
                .await?
                .into_inner();
            assert_eq!(
                (listed.total, listed.tickets.len()),
                (0, 0),
                "ListTickets #{number} as {who}"
            );
        }
        let missing = download_call(s, MISSING).await;
        for id in theirs.attachment_ids() {
            let calls = download_call(s, id).await;
            same_as_missing(&format!("attachment {id} as {who}"), calls, &missing);
        }
        let missing = contact_calls(s, MISSING, self.own_ticket).await;
        for c in &theirs.contacts {
            let calls = contact_calls(s, c.id, self.own_ticket).await;
            same_as_missing(&format!("contact {} as {who}", c.email), calls, &missing);
        }
        // Their company, its contact list and its figures are not there either.
        let a = s.accounts();
        for (call, got) in [
            (
                "GetCompany",
                a.clone()
                    .get_company(pb::GetCompanyRequest {
                        company_id: their_id,
                    })
                    .await
                    .map(drop),
            ),
            (
                "ListUsers",
                a.clone()
                    .list_users(pb::ListUsersRequest {
                        company_id: their_id,
                        ..Default::default()
                    })
                    .await
                    .map(drop),
            ),
            (
                "ListAuditLog",
                s.staff()
                    .list_audit_log(pb::ListAuditLogRequest {
                        company_id: their_id,
                        ..Default::default()
                    })
                    .await
                    .map(drop),
            ),
            (
                "TicketStats",
                s.reports()
                    .ticket_stats(pb::TicketStatsRequest {
                        company_id: their_id,
                        months: 0,
                    })
                    .await
                    .map(drop),
            ),
            (
                "GetReport",
                s.reports()
                    .get_report(pb::ReportRequest {
                        kind: pb::ReportKind::ByStatus.into(),
                        company_id: their_id,
                        ..Default::default()
                    })
                    .await
                    .map(drop),
            ),
        ] {
            let status = expect_code(got, Code::NotFound);
            assert_eq!(status.message(), "not found", "{call} as {who}");
        }
        Ok(())
    }
}

#[tokio::test]
async fn everything_of_another_company_is_not_found_both_ways() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let mut harbor = Vec::new();
    for email in [demo::CLIENT_USER, demo::CLIENT_MANAGER, demo::CLIENT_ADMIN] {
        harbor.push(Prober::new(&server, email).await?);
    }
    let mut alder = Vec::new();
    for email in [demo::OTHER_USER, demo::OTHER_MANAGER, demo::OTHER_ADMIN] {
        alder.push(Prober::new(&server, email).await?);
    }
    let (harbor_id, alder_id) = (harbor[0].me.company_id, alder[0].me.company_id);
    let harbor_before = Holdings::of(&paula, harbor_id).await?;
    let alder_before = Holdings::of(&paula, alder_id).await?;
    for holdings in [&harbor_before, &alder_before] {
        assert!(holdings.tickets.len() >= 100);
        assert!(
            holdings.attachment_ids().count() >= 2,
            "the demo set has attachments"
        );
        assert!(holdings.contacts.len() >= 5);
    }

    for (probers, theirs, their_id) in [
        (&alder, &harbor_before, harbor_id),
        (&harbor, &alder_before, alder_id),
    ] {
        try_join_all(probers.iter().map(|p| p.probe(theirs, their_id))).await?;
    }

    // Nothing of either company changed.
    assert!(Holdings::of(&paula, harbor_id).await? == harbor_before);
    assert!(Holdings::of(&paula, alder_id).await? == alder_before);
    Ok(())
}

#[tokio::test]
async fn a_related_contact_sees_only_the_other_companys_tickets_it_follows() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let (_, alice) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    // nora@alderfinch.example is related to Harbor and follows some of its tickets.
    let (nora, nora_id) = sign_in(&server, "nora@alderfinch.example").await?;
    let seen = nora
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            company_id: alice.company_id,
            page: Some(pb::PageRequest {
                page_size: 200,
                cursor: String::new(),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    let all_harbor = paula
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            company_id: alice.company_id,
            page: Some(pb::PageRequest {
                page_size: 200,
                cursor: String::new(),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(seen.total < all_harbor.total);
    for t in &all_harbor.tickets {
        let d = paula
            .tickets()
            .get_ticket(pb::GetTicketRequest { number: t.number })
            .await?
            .into_inner();
        let follows =
            d.subscribers.iter().any(|s| s.contact_id == nora_id.id) || t.contact_id == nora_id.id;
        assert_eq!(
            seen.tickets.iter().any(|x| x.number == t.number),
            follows,
            "#{}",
            t.number
        );
        let direct = nora
            .tickets()
            .get_ticket(pb::GetTicketRequest { number: t.number })
            .await;
        if follows {
            let d = direct?.into_inner();
            assert!(
                d.timeline
                    .iter()
                    .all(|e| e.kind != pb::TimelineKind::InternalNote as i32)
            );
            assert!(
                d.permissions
                    .unwrap_or_default()
                    .allowed_statuses
                    .is_empty()
            );
        } else {
            expect_code(direct, Code::NotFound);
        }
    }
    Ok(())
}
