//! SSH keys of another company's people: removing one answers NOT_FOUND
//! exactly as for an id that does not exist, registering the same key
//! again does not say whose it is, nobody lists another's keys, and
//! nothing changes.

use portal_e2e::{TestServer, demo, expect_code, require_tool, ssh};
use portal_proto::pb;
use tonic::Code;

use super::sign_in;

#[tokio::test]
#[cfg_attr(
    missing_ssh,
    ignore = "ssh is not installed (under CI=true this test runs and fails)"
)]
async fn another_companys_ssh_keys_are_not_found_nor_listed() -> anyhow::Result<()> {
    require_tool("ssh");
    let server = TestServer::demo().await?;
    let dir = tempfile::tempdir()?;
    let (_, line) = ssh::keygen(dir.path(), "alice")?;
    let (alice, _) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let key = alice
        .auth()
        .add_ssh_key(pb::AddSshKeyRequest {
            public_key: line.clone(),
        })
        .await?
        .into_inner();
    for email in [demo::OTHER_USER, demo::OTHER_MANAGER, demo::OTHER_ADMIN] {
        let (other, _) = sign_in(&server, email).await?;
        let remove = |key_id| pb::RemoveSshKeyRequest { key_id };
        let got = expect_code(
            other.auth().remove_ssh_key(remove(key.id)).await,
            Code::NotFound,
        );
        let absent = expect_code(
            other.auth().remove_ssh_key(remove(999_999_999)).await,
            Code::NotFound,
        );
        assert_eq!(got.message(), absent.message(), "RemoveSshKey as {email}");
        let again = expect_code(
            other
                .auth()
                .add_ssh_key(pb::AddSshKeyRequest {
                    public_key: line.clone(),
                })
                .await,
            Code::AlreadyExists,
        );
        assert!(!again.message().contains("alice"), "{}", again.message());
        let listed = other.auth().list_my_ssh_keys(pb::Empty {}).await?;
        assert!(listed.get_ref().keys.is_empty(), "{email} lists no keys");
    }
    let mine = alice.auth().list_my_ssh_keys(pb::Empty {}).await?;
    assert_eq!(mine.into_inner().keys, [key], "Alice's key is untouched");
    Ok(())
}
