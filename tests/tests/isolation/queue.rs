//! Saved views are their owner's: another staff member naming one gets
//! NOT_FOUND exactly as for an id that does not exist, never sees it in a
//! list, and it stays.

use portal_e2e::{TestServer, demo, expect_code};
use portal_proto::pb;
use tonic::Code;

use super::sign_in;

#[tokio::test]
async fn another_staff_members_saved_view_is_not_found() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (tom, _) = sign_in(&server, demo::TECHNICIAN).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let toms = tom
        .tickets()
        .save_view(pb::SaveViewRequest {
            view: Some(pb::SavedView {
                name: "Mine".into(),
                mine: true,
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    for id in [toms.id, 9_999_999] {
        let status = expect_code(
            dina.tickets()
                .delete_saved_view(pb::DeleteSavedViewRequest { id })
                .await,
            Code::NotFound,
        );
        assert!(!status.message().contains("Mine"), "{status:?}");
    }
    let list = |s: &portal_e2e::Session| {
        let mut t = s.tickets();
        async move {
            t.list_saved_views(pb::ListSavedViewsRequest {})
                .await
                .map(|r| r.into_inner().views)
        }
    };
    assert!(list(&dina).await?.is_empty());
    assert_eq!(list(&tom).await?, [toms]);
    Ok(())
}
