//! Company isolation on tickets: a User, a Manager and an Admin of one
//! company try every ticket and attachment of another company on every
//! ticket call, and get NOT_FOUND exactly as for ids that do not exist.

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code};
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use tokio_stream::StreamExt;
use tonic::Code;

async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<(Session, pb::Identity)> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    let identity = login.identity.unwrap_or_default();
    Ok((
        Session::new(server.channel().await?, &login.token)?,
        identity,
    ))
}

/// Every ticket call on `number` (and `attachment`) must answer NOT_FOUND
/// with the same message as for a ticket that does not exist.
async fn all_not_found(
    s: &Session,
    number: i64,
    attachment: Option<i64>,
    contact: i64,
) -> anyhow::Result<()> {
    let t = s.tickets();
    let mut codes = vec![
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
    codes.push((
        "UploadAttachment",
        t.clone()
            .upload_attachment(tokio_stream::iter(vec![meta, data]))
            .await
            .map(drop),
    ));
    if let Some(attachment_id) = attachment {
        let r = match t
            .clone()
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
        codes.push(("DownloadAttachment", r));
    }
    for (call, result) in codes {
        let status = expect_code(result, Code::NotFound);
        assert_eq!(status.message(), "not found", "{call} on #{number}");
    }
    let listed = t
        .clone()
        .list_tickets(pb::ListTicketsRequest {
            number,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(
        (listed.total, listed.tickets.len()),
        (0, 0),
        "ListTickets #{number}"
    );
    Ok(())
}

#[tokio::test]
async fn another_companys_tickets_and_attachments_are_not_found() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let (_, alice) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let (_, uma) = sign_in(&server, demo::CLIENT_USER).await?;

    // Every Harbor ticket and attachment, as the provider sees them.
    let mut harbor = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = paula
            .tickets()
            .list_tickets(pb::ListTicketsRequest {
                company_id: alice.company_id,
                page: Some(pb::PageRequest {
                    page_size: 200,
                    cursor,
                }),
                ..Default::default()
            })
            .await?
            .into_inner();
        harbor.extend(page.tickets.iter().map(|t| t.number));
        if page.next_cursor.is_empty() {
            break;
        }
        cursor = page.next_cursor;
    }
    assert!(harbor.len() >= 100);
    let mut attachments = Vec::new();
    for &number in &harbor {
        let d = paula
            .tickets()
            .get_ticket(pb::GetTicketRequest { number })
            .await?
            .into_inner();
        attachments.push(d.attachments.first().map(|a| a.id));
    }
    assert!(
        attachments.iter().any(Option::is_some),
        "the demo set has attachments"
    );

    for email in [demo::OTHER_USER, demo::OTHER_MANAGER, demo::OTHER_ADMIN] {
        let (s, _) = sign_in(&server, email).await?;
        for (&number, &attachment) in harbor.iter().zip(&attachments) {
            all_not_found(&s, number, attachment, uma.id).await?;
        }
        // A ticket that does not exist answers the same.
        all_not_found(&s, 9_999_999, Some(9_999_999), uma.id).await?;
        let figures = s
            .reports()
            .ticket_stats(pb::TicketStatsRequest {
                company_id: alice.company_id,
                months: 0,
            })
            .await;
        expect_code(figures, Code::NotFound);
    }
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
