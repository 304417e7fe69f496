//! The mixed write load of one cycle, and what the clients were told.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::Context;
use portal_e2e::Session;
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;
use tonic::{Code, Status};

/// A ticket number no store of this harness reaches.
const NO_SUCH_TICKET: i64 = 999_999_999;

/// More than any demo invoice's balance (and the most one payment may be),
/// so the server refuses it inside its write transaction.
const TOO_MUCH_CENTS: i64 = 1_000_000_000;

/// A call that takes longer than this is counted as in flight.
const CALL_LIMIT: Duration = Duration::from_secs(20);

/// Ids the load needs, read once.
#[derive(Clone, Copy)]
pub struct Setup {
    service_type: i64,
    work_type: i64,
    /// The client Admin's open invoice with the largest balance: every
    /// payment is a cent of it, pending until the provider confirms.
    invoice: i64,
}

impl Setup {
    pub async fn read(staff: &Session, payer: &Session) -> anyhow::Result<Self> {
        let invoice = payer
            .billing()
            .list_invoices(pb::ListInvoicesRequest {
                statuses: vec![
                    pb::InvoiceStatus::Unpaid.into(),
                    pb::InvoiceStatus::PartiallyPaid.into(),
                ],
                sort: pb::InvoiceSort::Balance.into(),
                ..Default::default()
            })
            .await?
            .into_inner()
            .invoices
            .first()
            .context("the client Admin has no open invoice")?
            .number;
        let work_type = staff
            .work()
            .list_work_types(pb::ListWorkTypesRequest::default())
            .await?
            .into_inner()
            .work_types
            .first()
            .context("the demo store has no work type")?
            .id;
        Ok(Self {
            service_type: staff.service_type("Other").await?.id,
            work_type,
            invoice,
        })
    }
}

/// A ticket's status as acknowledged, and the one asked for by a call
/// that was in flight at the kill (either may be stored).
#[derive(Debug, Clone, Copy)]
pub struct StatusFacts {
    pub acknowledged: i32,
    pub pending: Option<i32>,
}

/// The writes the server acknowledged and refused, by their markers.
#[derive(Default)]
pub struct Ledger {
    /// Ticket titles.
    pub tickets: HashSet<String>,
    /// Post bodies.
    pub posts: HashSet<String>,
    /// Attachment file names, with the SHA-256 of their bytes.
    pub attachments: HashMap<String, String>,
    /// Time entry notes.
    pub times: HashSet<String>,
    /// Payment references.
    pub payments: HashSet<String>,
    /// Ticket numbers and their status.
    pub statuses: HashMap<i64, StatusFacts>,
    /// Status changes acknowledged.
    pub status_changes: usize,
    /// Markers of writes the server refused: a post body or a payment's
    /// reference.
    pub refused: HashSet<String>,
}

impl Ledger {
    pub fn acknowledged(&self) -> usize {
        self.tickets.len()
            + self.posts.len()
            + self.attachments.len()
            + self.times.len()
            + self.payments.len()
            + self.status_changes
    }

    pub fn absorb(&mut self, other: Self) {
        self.tickets.extend(other.tickets);
        self.posts.extend(other.posts);
        self.attachments.extend(other.attachments);
        self.times.extend(other.times);
        self.payments.extend(other.payments);
        self.statuses.extend(other.statuses);
        self.status_changes += other.status_changes;
        self.refused.extend(other.refused);
    }
}

/// What one cycle's clients saw.
#[derive(Default)]
pub struct Outcome {
    pub ledger: Ledger,
    /// Calls cut off by the kill: their writes may or may not be stored.
    pub in_flight: usize,
    /// Answers that are neither success, the expected refusal, nor a
    /// broken connection.
    pub unexpected: Vec<String>,
}

/// The clients of one cycle, running until the server dies.
pub struct Load {
    workers: Vec<JoinHandle<Worker>>,
}

/// One worker's sessions, on one connection.
pub struct Sessions {
    /// A client User: tickets, posts, uploads.
    pub client: Session,
    /// A Dispatcher: status changes and time.
    pub staff: Session,
    /// The client's Admin: payments.
    pub payer: Session,
}

/// Starts one worker per set of sessions.
pub fn run(cycle: u32, seed: u64, clients: Vec<Sessions>, setup: Setup) -> Load {
    let workers = clients
        .into_iter()
        .enumerate()
        .map(|(id, sessions)| {
            let worker = Worker {
                marker: format!("cl {cycle}-{id}-"),
                client: sessions.client,
                staff: sessions.staff,
                payer: sessions.payer,
                setup,
                rng: StdRng::seed_from_u64(seed ^ (u64::from(cycle) << 32) ^ id as u64),
                tickets: Vec::new(),
                seq: 0,
                seen: Outcome::default(),
            };
            tokio::spawn(worker.work())
        })
        .collect();
    Load { workers }
}

impl Load {
    /// Waits for every worker (they stop at their first broken call).
    pub async fn finish(self) -> anyhow::Result<Outcome> {
        let mut all = Outcome::default();
        for worker in self.workers {
            let mut worker = worker.await?;
            for (number, status) in worker.tickets {
                worker.seen.ledger.statuses.insert(number, status);
            }
            all.ledger.absorb(worker.seen.ledger);
            all.in_flight += worker.seen.in_flight;
            all.unexpected.extend(worker.seen.unexpected);
        }
        Ok(all)
    }
}

struct Worker {
    /// "cl CYCLE-WORKER-": every write's marker starts so.
    marker: String,
    client: Session,
    staff: Session,
    payer: Session,
    setup: Setup,
    rng: StdRng,
    /// The tickets this worker created, and their status.
    tickets: Vec<(i64, StatusFacts)>,
    seq: u32,
    seen: Outcome,
}

/// How a call ended.
enum Answer<T> {
    Done(T),
    /// Refused by the server with this code.
    Refused(Code),
    /// Cut off: the server died under it.
    Cut,
}

/// Runs `call`, telling a refusal from a broken connection.
async fn answer<T>(call: impl Future<Output = Result<tonic::Response<T>, Status>>) -> Answer<T> {
    match tokio::time::timeout(CALL_LIMIT, call).await {
        Ok(Ok(reply)) => Answer::Done(reply.into_inner()),
        Ok(Err(s)) if is_cut(&s) => Answer::Cut,
        Ok(Err(s)) => Answer::Refused(s.code()),
        Err(_) => Answer::Cut,
    }
}

/// A status a dying server's connection ends a call with.
fn is_cut(s: &Status) -> bool {
    matches!(
        s.code(),
        Code::Unavailable | Code::Unknown | Code::Cancelled | Code::DeadlineExceeded
    ) || (s.code() == Code::Internal && s.message().contains("h2"))
}

impl Worker {
    async fn work(mut self) -> Self {
        while self.step().await {}
        self
    }

    /// One write; false once the server is gone or answered unexpectedly.
    async fn step(&mut self) -> bool {
        self.seq += 1;
        let marker = format!("{}{}", self.marker, self.seq);
        let roll = if self.tickets.is_empty() {
            0
        } else {
            self.rng.gen_range(0..100)
        };
        let pick = self.rng.gen_range(0..self.tickets.len().max(1));
        match roll {
            0..25 => self.create(marker).await,
            25..45 => self.post(pick, marker).await,
            45..55 => self.upload(pick, marker).await,
            55..70 => self.change_status(pick).await,
            70..82 => self.log_time(pick, marker).await,
            82..90 => self.pay(marker, 1).await,
            90..94 => self.pay(marker, TOO_MUCH_CENTS).await,
            _ => self.refused(pick, marker).await,
        }
    }

    fn record<T>(&mut self, what: &str, answer: Answer<T>) -> Option<T> {
        match answer {
            Answer::Done(value) => Some(value),
            Answer::Cut => {
                self.seen.in_flight += 1;
                None
            }
            Answer::Refused(code) => {
                self.seen.unexpected.push(format!("{what}: {code:?}"));
                None
            }
        }
    }

    async fn create(&mut self, title: String) -> bool {
        let answer = answer(
            self.client
                .tickets()
                .create_ticket(pb::CreateTicketRequest {
                    title: title.clone(),
                    description: "crash-loop".into(),
                    service_type_id: self.setup.service_type,
                    ..Default::default()
                }),
        )
        .await;
        let Some(ticket) = self.record(&format!("create {title}"), answer) else {
            return false;
        };
        self.seen.ledger.tickets.insert(title);
        self.tickets.push((
            ticket.number,
            StatusFacts {
                acknowledged: ticket.status,
                pending: None,
            },
        ));
        true
    }

    async fn post(&mut self, pick: usize, body: String) -> bool {
        let number = self.tickets[pick].0;
        let answer = answer(self.client.tickets().add_post(pb::AddPostRequest {
            number,
            kind: pb::PostKind::Discussion.into(),
            body: body.clone(),
            chat: false,
        }))
        .await;
        if self.record(&format!("post {body}"), answer).is_none() {
            return false;
        }
        self.seen.ledger.posts.insert(body);
        true
    }

    async fn upload(&mut self, pick: usize, marker: String) -> bool {
        let number = self.tickets[pick].0;
        let file_name = marker.replace(' ', "-") + ".bin";
        let size = self.rng.gen_range(1..=48 * 1024);
        let data: Vec<u8> = (0..size).map(|_| self.rng.r#gen()).collect();
        let sha256 = hex::encode(Sha256::digest(&data));
        let mut parts = vec![pb::UploadAttachmentRequest {
            part: Some(Part::Meta(pb::AttachmentMeta {
                number,
                title: marker,
                file_name: file_name.clone(),
                content_type: String::new(),
            })),
        }];
        parts.extend(data.chunks(16 * 1024).map(|c| pb::UploadAttachmentRequest {
            part: Some(Part::Data(c.to_vec())),
        }));
        let answer = answer(
            self.client
                .tickets()
                .upload_attachment(tokio_stream::iter(parts)),
        )
        .await;
        if self
            .record(&format!("upload {file_name}"), answer)
            .is_none()
        {
            return false;
        }
        self.seen.ledger.attachments.insert(file_name, sha256);
        true
    }

    async fn change_status(&mut self, pick: usize) -> bool {
        let (number, facts) = self.tickets[pick];
        let to = crate::next_status(facts.acknowledged);
        let call = pb::ChangeStatusRequest {
            number,
            status: to,
            note: String::new(),
        };
        match answer(self.staff.tickets().change_status(call)).await {
            Answer::Done(_) => {
                self.tickets[pick].1.acknowledged = to;
                self.seen.ledger.status_changes += 1;
                true
            }
            Answer::Cut => {
                self.tickets[pick].1.pending = Some(to);
                self.seen.in_flight += 1;
                false
            }
            Answer::Refused(code) => {
                let what = format!("status of #{number} to {to}: {code:?}");
                self.seen.unexpected.push(what);
                false
            }
        }
    }

    async fn log_time(&mut self, pick: usize, note: String) -> bool {
        let answer = answer(self.staff.work().log_time(pb::LogTimeRequest {
            number: self.tickets[pick].0,
            time: Some(pb::TimeInput {
                work_type_id: self.setup.work_type,
                minutes: 15,
                billable: true,
                note: note.clone(),
                ..Default::default()
            }),
        }))
        .await;
        if self.record(&format!("time {note}"), answer).is_none() {
            return false;
        }
        self.seen.ledger.times.insert(note);
        true
    }

    /// A payment of `cents` on the setup's invoice, the marker its
    /// reference (and, without spaces, its idempotency key): a cent is
    /// acknowledged, more than the balance refused.
    async fn pay(&mut self, reference: String, cents: i64) -> bool {
        let call = pb::SubmitPaymentRequest {
            invoice_number: self.setup.invoice,
            amount_cents: cents,
            method: pb::PaymentMethod::Check.into(),
            idempotency_key: reference.replace(' ', "-"),
            reference: reference.clone(),
        };
        let answer = answer(self.payer.billing().submit_payment(call)).await;
        match (answer, cents == TOO_MUCH_CENTS) {
            (Answer::Done(_), false) => {
                self.seen.ledger.payments.insert(reference);
                true
            }
            (Answer::Refused(Code::InvalidArgument), true) => {
                self.seen.ledger.refused.insert(reference);
                true
            }
            (Answer::Cut, _) => {
                self.seen.in_flight += 1;
                false
            }
            (Answer::Done(_), true) => {
                self.seen.unexpected.push(format!(
                    "{reference}: a payment above the balance was accepted"
                ));
                false
            }
            (Answer::Refused(code), _) => {
                self.seen
                    .unexpected
                    .push(format!("payment {reference}: {code:?}"));
                false
            }
        }
    }

    /// A write the server must refuse, inside its write transaction: a
    /// client's internal note, or a post to a ticket that does not exist.
    async fn refused(&mut self, pick: usize, body: String) -> bool {
        let (number, kind) = if self.rng.gen_bool(0.5) {
            (self.tickets[pick].0, pb::PostKind::InternalNote)
        } else {
            (NO_SUCH_TICKET, pb::PostKind::Discussion)
        };
        let call = pb::AddPostRequest {
            number,
            kind: kind.into(),
            body: body.clone(),
            chat: false,
        };
        match answer(self.client.tickets().add_post(call)).await {
            Answer::Refused(_) => {
                self.seen.ledger.refused.insert(body);
                true
            }
            Answer::Cut => {
                self.seen.in_flight += 1;
                false
            }
            Answer::Done(_) => {
                self.seen
                    .unexpected
                    .push(format!("{body}: a write that must be refused was accepted"));
                false
            }
        }
    }
}
