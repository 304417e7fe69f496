//! Attachment upload (client stream) and download (server stream).

use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Status, Streaming};

use super::{Applied, Tickets, author, validate, visible};
use crate::policy::{self, Denied};
use crate::service::authn::caller;
use crate::service::convert::tickets as conv;
use crate::service::input;
use crate::service::status::{self, invalid};
use crate::store::attachments::{self, Content, NewAttachment};
use crate::store::now_ms;

/// Downloads are sent in chunks of this many bytes.
const CHUNK: usize = 64 * 1024;

/// The next message of an upload. The call as a whole has no deadline (a
/// large file on a slow link takes its time), but each piece must arrive
/// within `idle`.
async fn next_piece(
    stream: &mut Streaming<pb::UploadAttachmentRequest>,
    idle: std::time::Duration,
) -> Result<Option<pb::UploadAttachmentRequest>, Status> {
    tokio::time::timeout(idle, stream.message())
        .await
        .map_err(|_| status::upload_stalled(idle))?
}

impl Tickets {
    /// Takes `meta`, checks the caller may attach to the ticket before
    /// accepting any data, then hashes and counts the data as it arrives,
    /// refusing (and storing nothing) as soon as it passes the limit.
    pub(super) async fn upload(
        &self,
        request: Request<Streaming<pb::UploadAttachmentRequest>>,
    ) -> Result<pb::Attachment, Status> {
        let who = caller(&request)?.clone();
        let mut stream = request.into_inner();
        let idle = self.state.config.request_timeout;
        let first = next_piece(&mut stream, idle)
            .await?
            .ok_or_else(|| invalid("meta", "required"))?;
        let Some(Part::Meta(meta)) = first.part else {
            return Err(invalid("meta", "the first message must carry meta"));
        };
        let number = validate::number(meta.number)?;
        let file_name = validate::file_name(&meta.file_name)?;
        let title = input::text("title", &meta.title, 200, false)?;
        let content_type = validate::content_type(&meta.content_type, &file_name)?;
        let meta = NewAttachment {
            title: if title.is_empty() {
                file_name.clone()
            } else {
                title
            },
            file_name,
            content_type,
        };

        let p = who.principal.clone();
        self.state.read_inline(|conn| {
            let facts = visible(conn, number, &p)?;
            policy::post(&p, &facts)?;
            Ok(())
        })?;

        // The data goes to an unnamed temporary file (gone when dropped, so a
        // refused upload leaves nothing), not to memory: many large uploads
        // at once cost disk, not the server's memory.
        let max = self.state.config.max_upload_bytes;
        let mut spool =
            tokio::fs::File::from_std(tempfile::tempfile().map_err(|e| status::spool_failed(&e))?);
        let mut size = 0u64;
        let mut hasher = Sha256::new();
        while let Some(message) = next_piece(&mut stream, idle).await? {
            match message.part {
                Some(Part::Data(chunk)) => {
                    size += chunk.len() as u64;
                    if size > max {
                        return Err(status::upload_too_large(max));
                    }
                    hasher.update(&chunk);
                    spool
                        .write_all(&chunk)
                        .await
                        .map_err(|e| status::spool_failed(&e))?;
                }
                Some(Part::Meta(_)) => {
                    return Err(invalid("meta", "only the first message carries meta"));
                }
                None => {}
            }
        }
        if size == 0 {
            return Err(invalid("data", "the file is empty"));
        }
        let sha256 = hex::encode(hasher.finalize());
        spool.rewind().await.map_err(|e| status::spool_failed(&e))?;
        let mut spool = spool.into_std().await;

        let now = now_ms();
        let by = author(&who);
        // Checked again: the ticket may have changed during the upload.
        let attachment = self
            .change(&who, number, now, move |conn, p, facts| {
                policy::post(p, facts)?;
                let content = Content {
                    sha256: &sha256,
                    size,
                    data: &mut spool,
                };
                let a = attachments::add(conn, number, &meta, content, &by, now)?;
                let summary = format!("{} attached {} to #{number}", by.name, a.file_name);
                Ok(Applied::changed(a, pb::EventKind::AttachmentAdded, summary))
            })
            .await?;
        Ok(conv::attachment(attachment))
    }

    /// Streams an attachment in 64 KiB chunks, each read on its own from a
    /// reader connection so a slow client never holds one.
    pub(super) fn download(
        &self,
        request: &Request<pb::DownloadAttachmentRequest>,
    ) -> Result<ReceiverStream<Result<pb::DownloadAttachmentResponse, Status>>, Status> {
        let p = caller(request)?.principal.clone();
        let id = input::id("attachment_id", request.get_ref().attachment_id)?;
        let (attachment, blob) = self.state.read_inline(|conn| {
            let (a, blob) = attachments::get(conn, id)?.ok_or(Denied::NotFound)?;
            visible(conn, a.ticket_id, &p)?;
            Ok((a, blob))
        })?;
        let (tx, rx) = mpsc::channel(4);
        let store = self.state.store.clone();
        tokio::spawn(async move {
            let size = usize::try_from(attachment.size).unwrap_or(usize::MAX);
            let mut first = Some(conv::attachment(attachment));
            let mut offset = 0;
            loop {
                let chunk = store
                    .read(move |conn| attachments::read_chunk(conn, blob, offset, CHUNK))
                    .await;
                let data = match chunk {
                    Ok(data) => data,
                    Err(e) => {
                        let _ = tx.send(Err(e.into())).await;
                        return;
                    }
                };
                offset += data.len();
                let done = data.is_empty() || offset >= size;
                let message = pb::DownloadAttachmentResponse {
                    attachment: first.take(),
                    data,
                };
                if tx.send(Ok(message)).await.is_err() || done {
                    return;
                }
            }
        });
        Ok(ReceiverStream::new(rx))
    }
}
