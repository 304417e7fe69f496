//! Ratings of another company: rating its ticket, its satisfaction report
//! and its ratings answer NOT_FOUND exactly as for ids that do not exist,
//! and nothing changes.

use portal_e2e::{TestServer, demo, expect_code};
use portal_proto::pb;
use tonic::Code;

use super::sign_in;

#[tokio::test]
async fn another_companys_ticket_cannot_be_rated_nor_its_satisfaction_read() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let number = dina
        .tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Harbor's own".into(),
            description: "x".into(),
            service_type_id: uma.service_type("Other").await?.id,
            contact_id: uma_id.id,
            ..Default::default()
        })
        .await?
        .into_inner()
        .number;
    dina.tickets()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: pb::TicketStatus::Completed.into(),
            note: String::new(),
        })
        .await?;
    uma.work()
        .sign_off(pb::SignOffRequest {
            number,
            full_name: uma_id.display_name.clone(),
            comment: String::new(),
        })
        .await?;
    let rate = |number: i64| pb::RateTicketRequest {
        number,
        score: 1,
        comment: "from elsewhere".into(),
    };
    for email in [demo::OTHER_USER, demo::OTHER_MANAGER, demo::OTHER_ADMIN] {
        let (other, _) = sign_in(&server, email).await?;
        let got = expect_code(
            other.tickets().rate_ticket(rate(number)).await,
            Code::NotFound,
        );
        let absent = expect_code(
            other.tickets().rate_ticket(rate(999_999_999)).await,
            Code::NotFound,
        );
        assert_eq!(got.message(), absent.message(), "RateTicket as {email}");
        if email != demo::OTHER_USER {
            let report = expect_code(
                other
                    .reports()
                    .get_report(pb::ReportRequest {
                        kind: pb::ReportKind::SatisfactionByMonth.into(),
                        company_id: uma_id.company_id,
                        ..Default::default()
                    })
                    .await,
                Code::NotFound,
            );
            assert_eq!(report.message(), "not found", "GetReport as {email}");
        }
        // Contacts list no ratings at all, of any company.
        expect_code(
            other
                .tickets()
                .list_ratings(pb::ListRatingsRequest {
                    company_id: uma_id.company_id,
                    ..Default::default()
                })
                .await,
            Code::PermissionDenied,
        );
    }
    // Staff naming a company or technician that does not exist: not found.
    for req in [
        pb::ListRatingsRequest {
            company_id: 999_999,
            ..Default::default()
        },
        pb::ListRatingsRequest {
            staff_id: 999_999,
            ..Default::default()
        },
    ] {
        expect_code(dina.tickets().list_ratings(req).await, Code::NotFound);
    }
    let detail = uma
        .tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await?
        .into_inner();
    assert_eq!(detail.rating, None, "nothing of Harbor's changed");
    assert!(detail.permissions.unwrap_or_default().can_rate);
    Ok(())
}
