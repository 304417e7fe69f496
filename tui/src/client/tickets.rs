//! `TicketService`: lists, one ticket and every change to it, attachments,
//! and what the new-ticket form needs.

use std::path::{Path, PathBuf};

use portal_proto::pb::{self, ticket_service_client::TicketServiceClient};
use tokio::io::AsyncWriteExt;
use tokio_stream::{Stream, StreamExt};
use tonic::transport::Channel;

use super::{Client, Res};
use crate::action::{ListId, Reply};
use crate::local_files;
use crate::ui::format;

/// Largest file the client will upload.
const MAX_UPLOAD: u64 = 64 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// What the ticket screens ask of the server.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketCall {
    /// A page of tickets for `list` (the Tickets tab, Home or Triage).
    List {
        list: ListId,
        seq: u64,
        append: bool,
        query: pb::ListTicketsRequest,
    },
    Get {
        number: i64,
    },
    OlderTimeline {
        number: i64,
        cursor: String,
    },
    AddPost {
        number: i64,
        kind: pb::PostKind,
        body: String,
        /// Sent from the chat (docs/TICKETS.md, "Chat").
        chat: bool,
    },
    ChangeStatus {
        number: i64,
        status: pb::TicketStatus,
        note: String,
    },
    SetPriority {
        number: i64,
        priority: i32,
    },
    Assign {
        number: i64,
        staff_id: i64,
    },
    /// Adds or removes another assignee besides the primary.
    OtherAssignee {
        number: i64,
        staff_id: i64,
        add: bool,
    },
    /// The caller's saved Triage views.
    SavedViews,
    SaveView(pb::SavedView),
    DeleteView {
        id: i64,
    },
    AddTask {
        number: i64,
        text: String,
    },
    /// The requester's rating of a closed ticket (1–5, optional comment).
    Rate {
        number: i64,
        score: u32,
        comment: String,
    },
    SetTaskDone {
        number: i64,
        task_id: i64,
        done: bool,
    },
    AddSubscriber {
        number: i64,
        contact_id: i64,
    },
    RemoveSubscriber {
        number: i64,
        contact_id: i64,
    },
    Upload {
        number: i64,
        path: PathBuf,
    },
    Download {
        attachment_id: i64,
        path: PathBuf,
    },
    /// Save and print: the ticket or its sign-off form, rendered by the
    /// server, saved to `path`.
    Export {
        number: i64,
        document: pb::ExportDocument,
        format: pb::ExportFormat,
        path: PathBuf,
    },
    /// What the new-ticket form needs: service types, sites and contacts.
    FormData,
    CreateTicket(pb::CreateTicketRequest),
}

impl Client {
    pub fn tickets(&self) -> TicketServiceClient<Channel> {
        TicketServiceClient::new(self.channel.clone())
    }

    pub(super) async fn ticket_call(&self, call: TicketCall) -> Res<Reply> {
        Ok(match call {
            TicketCall::List {
                list,
                seq,
                append,
                query,
            } => Reply::Tickets {
                list,
                seq,
                append,
                page: self
                    .tickets()
                    .list_tickets(self.authed(query))
                    .await?
                    .into_inner(),
            },
            TicketCall::Get { number } => Reply::Ticket(Box::new(
                self.tickets()
                    .get_ticket(self.authed(pb::GetTicketRequest { number }))
                    .await?
                    .into_inner(),
            )),
            TicketCall::OlderTimeline { number, cursor } => {
                self.older_timeline(number, cursor).await?
            }
            TicketCall::AddPost {
                number,
                kind,
                body,
                chat,
            } => self.add_post(number, kind, body, chat).await?,
            TicketCall::ChangeStatus {
                number,
                status,
                note,
            } => Reply::StatusChanged(Box::new(
                self.tickets()
                    .change_status(self.authed(pb::ChangeStatusRequest {
                        number,
                        status: status.into(),
                        note,
                    }))
                    .await?
                    .into_inner(),
            )),
            TicketCall::SetPriority { number, priority } => {
                self.set_priority(number, priority).await?
            }
            TicketCall::Assign { number, staff_id } => self.assign(number, staff_id).await?,
            TicketCall::OtherAssignee {
                number,
                staff_id,
                add,
            } => self.other_assignee(number, staff_id, add).await?,
            TicketCall::SavedViews => Reply::SavedViews(self.saved_views().await?),
            TicketCall::SaveView(view) => self.save_view(view).await?,
            TicketCall::DeleteView { id } => {
                self.tickets()
                    .delete_saved_view(self.authed(pb::DeleteSavedViewRequest { id }))
                    .await?;
                Reply::SavedViews(self.saved_views().await?)
            }
            TicketCall::Rate {
                number,
                score,
                comment,
            } => self.rate(number, score, comment).await?,
            TicketCall::AddTask { number, text } => {
                self.tickets()
                    .add_task(self.authed(pb::AddTaskRequest { number, text }))
                    .await?;
                changed(number, "task added")
            }
            TicketCall::SetTaskDone {
                number,
                task_id,
                done,
            } => self.set_task_done(number, task_id, done).await?,
            TicketCall::AddSubscriber { number, contact_id } => Reply::Subscribers {
                number,
                subscribers: self
                    .tickets()
                    .add_subscriber(self.authed(pb::SubscriberRequest { number, contact_id }))
                    .await?
                    .into_inner()
                    .subscribers,
            },
            TicketCall::RemoveSubscriber { number, contact_id } => {
                self.tickets()
                    .remove_subscriber(self.authed(pb::SubscriberRequest { number, contact_id }))
                    .await?;
                changed(number, "subscriber removed")
            }
            TicketCall::Upload { number, path } => {
                Reply::Uploaded(self.upload(number, &path).await?)
            }
            TicketCall::Download {
                attachment_id,
                path,
            } => {
                let bytes = self.download(attachment_id, &path).await?;
                Reply::Downloaded { path, bytes }
            }
            TicketCall::Export {
                number,
                document,
                format,
                path,
            } => {
                let (_, stream) = self.export(number, document, format).await?;
                let bytes = save_new_file(&path, stream).await?;
                Reply::Downloaded { path, bytes }
            }
            TicketCall::FormData => self.form_data().await?,
            TicketCall::CreateTicket(create) => self.create(create).await?,
        })
    }

    async fn create(&self, create: pb::CreateTicketRequest) -> Res<Reply> {
        let ticket = self.tickets().create_ticket(self.authed(create)).await?;
        Ok(Reply::Created(Box::new(ticket.into_inner())))
    }

    async fn add_post(
        &self,
        number: i64,
        kind: pb::PostKind,
        body: String,
        chat: bool,
    ) -> Res<Reply> {
        self.tickets()
            .add_post(self.authed(pb::AddPostRequest {
                number,
                kind: kind.into(),
                body,
                chat,
            }))
            .await?;
        Ok(Reply::Posted { number })
    }

    /// The requester's rating of a closed ticket (docs/TICKETS.md, "Ratings").
    async fn rate(&self, number: i64, score: u32, comment: String) -> Res<Reply> {
        let request = pb::RateTicketRequest {
            number,
            score,
            comment,
        };
        self.tickets().rate_ticket(self.authed(request)).await?;
        Ok(changed(number, "thank you for rating it"))
    }

    async fn set_task_done(&self, number: i64, task_id: i64, done: bool) -> Res<Reply> {
        self.tickets()
            .set_task_done(self.authed(pb::SetTaskDoneRequest {
                number,
                task_id,
                done,
            }))
            .await?;
        Ok(changed(
            number,
            if done { "task done" } else { "task reopened" },
        ))
    }

    async fn older_timeline(&self, number: i64, cursor: String) -> Res<Reply> {
        let page = self
            .tickets()
            .get_timeline(self.authed(pb::GetTimelineRequest {
                number,
                page: Some(pb::PageRequest {
                    page_size: 50,
                    cursor,
                }),
            }))
            .await?
            .into_inner();
        Ok(Reply::OlderTimeline { number, page })
    }

    async fn set_priority(&self, number: i64, priority: i32) -> Res<Reply> {
        let t = self
            .tickets()
            .set_priority(self.authed(pb::SetPriorityRequest {
                number,
                priority,
                note: String::new(),
            }))
            .await?
            .into_inner();
        Ok(changed(
            number,
            &format!("priority is now {}", format::priority(t.priority)),
        ))
    }

    async fn assign(&self, number: i64, staff_id: i64) -> Res<Reply> {
        let t = self
            .tickets()
            .assign(self.authed(pb::AssignRequest {
                number,
                staff_id,
                board: String::new(),
            }))
            .await?
            .into_inner();
        let who = if t.assigned_staff_name.is_empty() {
            "nobody"
        } else {
            &t.assigned_staff_name
        };
        Ok(changed(number, &format!("assigned to {who}")))
    }

    async fn other_assignee(&self, number: i64, staff_id: i64, add: bool) -> Res<Reply> {
        let req = self.authed(pb::AssigneeRequest { number, staff_id });
        let t = if add {
            self.tickets().add_assignee(req).await?
        } else {
            self.tickets().remove_assignee(req).await?
        }
        .into_inner();
        Ok(changed(
            number,
            &format!("assigned to {}", format::assigned(&t)),
        ))
    }

    async fn save_view(&self, view: pb::SavedView) -> Res<Reply> {
        let saved = self
            .tickets()
            .save_view(self.authed(pb::SaveViewRequest { view: Some(view) }))
            .await?
            .into_inner();
        Ok(Reply::ViewSaved {
            name: saved.name,
            views: self.saved_views().await?,
        })
    }

    async fn saved_views(&self) -> Res<Vec<pb::SavedView>> {
        Ok(self
            .tickets()
            .list_saved_views(self.authed(pb::ListSavedViewsRequest {}))
            .await?
            .into_inner()
            .views)
    }

    async fn form_data(&self) -> Res<Reply> {
        let service_types = self
            .tickets()
            .list_service_types(self.authed(pb::ListServiceTypesRequest {
                include_inactive: false,
            }))
            .await?
            .into_inner()
            .service_types;
        // Staff have no company of their own; users may not list contacts.
        let company = self.my_company().await;
        let contacts = match company {
            Some(_) => self.users(0, String::new()).await.unwrap_or_default(),
            None => Vec::new(),
        };
        let companies = self.companies().await;
        let staff = if companies.is_empty() {
            Vec::new()
        } else {
            self.all_staff().await
        };
        Ok(Reply::FormData {
            service_types,
            company: company.map(Box::new),
            contacts,
            companies,
            staff,
        })
    }

    async fn upload(&self, number: i64, path: &Path) -> Res<pb::Attachment> {
        self.upload_with_progress(number, path, |_, _| {}).await
    }

    /// Uploads the file at `path` to ticket `number`, calling `progress`
    /// with the bytes sent so far and the file's size as chunks go out.
    pub async fn upload_with_progress(
        &self,
        number: i64,
        path: &Path,
        progress: impl Fn(u64, u64) + Send + 'static,
    ) -> Res<pb::Attachment> {
        let bytes = read_upload(path)
            .await
            .map_err(tonic::Status::invalid_argument)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let meta = pb::AttachmentMeta {
            number,
            title: file_name.clone(),
            file_name,
            content_type: String::new(),
        };
        let size = bytes.len() as u64;
        let mut sent = 0u64;
        let mut parts = vec![(
            0,
            pb::UploadAttachmentRequest {
                part: Some(pb::upload_attachment_request::Part::Meta(meta)),
            },
        )];
        parts.extend(bytes.chunks(CHUNK).map(|chunk| {
            sent += chunk.len() as u64;
            (
                sent,
                pb::UploadAttachmentRequest {
                    part: Some(pb::upload_attachment_request::Part::Data(chunk.to_vec())),
                },
            )
        }));
        let stream =
            tokio_stream::StreamExt::map(tokio_stream::iter(parts), move |(sent, part)| {
                progress(sent, size);
                part
            });
        Ok(self
            .tickets()
            .upload_attachment(self.authed(stream))
            .await?
            .into_inner())
    }

    /// Saves attachment `attachment_id` as a new file at `path`; no
    /// half-written file is left behind.
    async fn download(&self, attachment_id: i64, path: &Path) -> Res<u64> {
        let io =
            |e: std::io::Error| tonic::Status::invalid_argument(format!("{}: {e}", path.display()));
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .await
            .map_err(io)?;
        let copied = self.download_into(attachment_id, &mut file, path).await;
        if copied.is_err() {
            let _ = tokio::fs::remove_file(path).await;
        }
        copied
    }

    /// Writes attachment `attachment_id` to `out` (named `name` in errors)
    /// and returns its size.
    pub async fn download_into(
        &self,
        attachment_id: i64,
        out: &mut (impl tokio::io::AsyncWrite + Unpin),
        name: &Path,
    ) -> Res<u64> {
        let mut stream = self
            .tickets()
            .download_attachment(self.authed(pb::DownloadAttachmentRequest { attachment_id }))
            .await?
            .into_inner();
        let io =
            |e: std::io::Error| tonic::Status::invalid_argument(format!("{}: {e}", name.display()));
        let mut written = 0u64;
        while let Some(part) = stream.message().await? {
            out.write_all(&part.data).await.map_err(io)?;
            written += part.data.len() as u64;
        }
        out.flush().await.map_err(io)?;
        Ok(written)
    }
}

impl Client {
    /// Save and print: the server's rendering of ticket `number`, as the
    /// file name it gives and the document's pieces.
    pub async fn export(
        &self,
        number: i64,
        document: pb::ExportDocument,
        format: pb::ExportFormat,
    ) -> Res<(
        String,
        impl Stream<Item = Result<Vec<u8>, tonic::Status>> + use<>,
    )> {
        let request = pb::ExportTicketRequest {
            number,
            format: format.into(),
            document: document.into(),
        };
        let mut stream = self
            .tickets()
            .export_ticket(self.authed(request))
            .await?
            .into_inner();
        // The first piece names the file.
        let first = stream.message().await?.unwrap_or_default();
        let pieces =
            tokio_stream::once(Ok(first.data)).chain(stream.map(|part| part.map(|p| p.data)));
        Ok((first.file_name, pieces))
    }
}

/// Writes the pieces of `stream` to a new file at `path` (an existing file
/// is never overwritten); returns the bytes written. On any failure no
/// half-written file is left behind.
pub(crate) async fn save_new_file(
    path: &Path,
    stream: impl Stream<Item = Result<Vec<u8>, tonic::Status>>,
) -> Res<u64> {
    local_files::check()?;
    let io =
        |e: std::io::Error| tonic::Status::invalid_argument(format!("{}: {e}", path.display()));
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await
        .map_err(io)?;
    let copied = async {
        let mut stream = std::pin::pin!(stream);
        let mut written = 0u64;
        while let Some(data) = stream.next().await {
            let data = data?;
            file.write_all(&data).await.map_err(io)?;
            written += data.len() as u64;
        }
        file.flush().await.map_err(io)?;
        Ok(written)
    }
    .await;
    if copied.is_err() {
        let _ = tokio::fs::remove_file(path).await;
    }
    copied
}

/// A staff change to ticket `number` went through; `what` says which.
fn changed(number: i64, what: &str) -> Reply {
    Reply::Changed {
        number,
        what: what.to_owned(),
    }
}

/// What is wrong with uploading the file at `path`, checked before anything
/// is sent (the new-ticket form marks it on its field); `None` when it can go.
pub fn upload_problem(path: &Path) -> Option<String> {
    if let Err(refused) = local_files::check() {
        return Some(refused.to_string());
    }
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Some(format!("{}: no such file", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Some(format!("{}: not readable", path.display()))
        }
        Err(e) => Some(format!("{}: {e}", path.display())),
        Ok(meta) if !meta.is_file() => Some(format!("{} is not a file", path.display())),
        Ok(meta) if meta.len() > MAX_UPLOAD => {
            Some(format!("{} is larger than 64 MiB", path.display()))
        }
        Ok(_) => None,
    }
}

async fn read_upload(path: &Path) -> Result<Vec<u8>, String> {
    local_files::check()?;
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if meta.len() > MAX_UPLOAD {
        return Err(format!("{} is larger than 64 MiB", path.display()));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))
}
