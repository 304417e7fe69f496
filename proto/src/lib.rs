//! The `portal.v1` wire contract: generated messages, clients and servers.

#[allow(clippy::all, clippy::pedantic)]
pub mod pb {
    tonic::include_proto!("portal.v1");
}

/// The encoded file descriptor set, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/portal_descriptor.bin"));
