//! A rendered document (ticket, sign-off form, invoice) sent as a server
//! stream: the first message names the file, each carries the next piece.

use portal_proto::pb;
use tonic::Status;

use crate::export::Format;

/// The file is sent in pieces of this many bytes.
const CHUNK: usize = 64 * 1024;

pub type FileStream =
    tokio_stream::Iter<std::vec::IntoIter<Result<pb::ExportTicketResponse, Status>>>;

/// `bytes` as `file_name`, in pieces; an empty file is one message.
pub fn file_stream(file_name: String, format: Format, bytes: &[u8]) -> FileStream {
    let mut first = Some(pb::ExportTicketResponse {
        file_name,
        content_type: format.content_type().to_owned(),
        size: bytes.len() as u64,
        data: Vec::new(),
    });
    let mut messages: Vec<_> = bytes
        .chunks(CHUNK)
        .map(|data| {
            let mut message = first.take().unwrap_or_default();
            message.data = data.to_vec();
            Ok(message)
        })
        .collect();
    messages.extend(first.map(Ok));
    tokio_stream::iter(messages)
}
