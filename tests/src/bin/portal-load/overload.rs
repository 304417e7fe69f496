//! `portal-load --overload`: the overload curve (docs/RELIABILITY.md,
//! "Overload"). First the sustainable rate is measured: `--concurrency`
//! callers in a closed loop (each sends its next call when the last is
//! answered) for `--step-seconds`; what they are served a second is the
//! rate. Then calls are *offered* open-loop, at each of `--multiples` of
//! that rate in turn, whether or not the server keeps up, as many people
//! would. For each step it prints what was offered and served a second,
//! the calls shed (`RESOURCE_EXHAUSTED` or `UNAVAILABLE`), any other
//! failure, p50/p99 of the calls served, and a probe: one signed-in person
//! on a connection of their own opening a ticket (`GetTicket`) every 50 ms
//! throughout, with its success rate and p99.
//!
//! Any answer other than OK or a shed (`DEADLINE_EXCEEDED` from a call
//! queued past `--deadline-ms`, `INTERNAL`, ...) or any failed probe makes
//! the run exit with status 1.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portal_e2e::Session;
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tonic::{Code, Status};

/// The probe's pause between two opens.
const PROBE_EVERY: Duration = Duration::from_millis(50);

/// One signed-in person of the pool, with what their first list showed.
pub struct Caller {
    pub session: Session,
    pub numbers: Vec<i64>,
    pub words: Vec<String>,
}

/// Signs the pool's people in first (`Caller`s), then this runs.
pub struct Overload {
    pub callers: Vec<Caller>,
    pub probe: Caller,
    pub concurrency: u32,
    pub step: Duration,
    pub multiples: Vec<f64>,
    pub deadline: Duration,
    /// The server's process, for its CPU time.
    pub server_pid: u32,
}

/// What one step saw.
#[derive(Default)]
struct Tally {
    served: Vec<Duration>,
    shed: u64,
    /// Any other answer, by code, with an example message.
    other: BTreeMap<String, (u64, String)>,
}

impl Tally {
    fn record(&mut self, took: Duration, result: Result<(), Status>) {
        match result {
            Ok(()) => self.served.push(took),
            Err(s) if matches!(s.code(), Code::ResourceExhausted | Code::Unavailable) => {
                self.shed += 1;
            }
            Err(s) => {
                let entry = self
                    .other
                    .entry(format!("{:?}", s.code()))
                    .or_insert((0, s.message().to_owned()));
                entry.0 += 1;
            }
        }
    }

    fn others(&self) -> u64 {
        self.other.values().map(|(n, _)| n).sum()
    }
}

/// What one step cost the two processes, and how fast calls went out.
struct Effort {
    /// Calls sent a second: the offered rate unless the generator fell behind.
    sent_per_second: f64,
    /// Share of one CPU each used over the step, %.
    server_cpu: f64,
    generator_cpu: f64,
}

/// The probe's opens during one step.
#[derive(Default)]
struct Probe {
    ok: Vec<Duration>,
    failed: Vec<String>,
}

impl Overload {
    /// Runs the calibration and every step, printing the table; `true`
    /// when no call failed but by being shed and every probe was answered.
    pub async fn run(self) -> bool {
        let this = Arc::new(self);
        let sustainable = Arc::clone(&this).calibrate().await;
        println!(
            "portal-load --overload: sustainable rate {sustainable:.0} calls/s \
             ({} callers in a closed loop for {:.0} s)",
            this.concurrency,
            this.step.as_secs_f64()
        );
        println!(
            "| offered/s | sent/s | served/s | shed | other failures | p50 ms (served) | p99 ms (served) | GetTicket probe ok | probe p99 ms | server CPU % | generator CPU % |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        let mut clean = true;
        for multiple in this.multiples.clone() {
            let rate = (sustainable * multiple).max(1.0);
            let (tally, probe, elapsed, effort) = Arc::clone(&this).offer(rate).await;
            let mut served = tally.served.clone();
            served.sort();
            let mut probed = probe.ok.clone();
            probed.sort();
            println!(
                "| {rate:.0} ({multiple}×) | {:.0} | {:.0} | {} | {} | {:.1} | {:.1} | {}/{} | {:.1} | {:.0} | {:.0} |",
                effort.sent_per_second,
                served.len() as f64 / elapsed.as_secs_f64(),
                tally.shed,
                tally.others(),
                super::ms(super::percentile(&served, 50)),
                super::ms(super::percentile(&served, 99)),
                probe.ok.len(),
                probe.ok.len() + probe.failed.len(),
                super::ms(super::percentile(&probed, 99)),
                effort.server_cpu,
                effort.generator_cpu,
            );
            for (code, (count, example)) in &tally.other {
                println!("  failure: {count} × {code}: {example}");
            }
            for failure in probe.failed.iter().take(5) {
                println!("  probe failure: {failure}");
            }
            clean &= tally.others() == 0 && probe.failed.is_empty();
        }
        clean
    }

    /// Calls served a second by `concurrency` callers in a closed loop.
    async fn calibrate(self: Arc<Self>) -> f64 {
        let until = Instant::now() + self.step;
        let started = Instant::now();
        let workers: Vec<_> = (0..u64::from(self.concurrency.max(1)))
            .map(|worker| {
                let this = Arc::clone(&self);
                tokio::spawn(async move {
                    let mut served = 0_u64;
                    let mut seq = worker << 32;
                    while Instant::now() < until {
                        seq += 1;
                        if this.call(seq).await.is_ok() {
                            served += 1;
                        }
                    }
                    served
                })
            })
            .collect();
        let mut served = 0;
        for worker in workers {
            served += worker.await.unwrap_or(0);
        }
        served as f64 / started.elapsed().as_secs_f64()
    }

    /// Offers calls at `rate` a second for one step, with the probe
    /// running alongside; returns what was seen and how long it took, from
    /// the first call to the last answer, and what it cost.
    async fn offer(self: Arc<Self>, rate: f64) -> (Tally, Probe, Duration, Effort) {
        let tally = Arc::new(Mutex::new(Tally::default()));
        let offering = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let probe = tokio::spawn(probe(
            self.probe.session.clone(),
            self.probe.numbers.clone(),
            Arc::clone(&offering),
            self.deadline,
        ));
        let started = Instant::now();
        let cpu_before = (
            super::cpu_seconds(self.server_pid),
            super::cpu_seconds(std::process::id()),
        );
        let total = (rate * self.step.as_secs_f64()).round() as u64;
        let mut calls = Vec::with_capacity(total as usize);
        // When the last call began: later than planned when the generator
        // fell behind the rate it offers.
        let last_began = Arc::new(std::sync::atomic::AtomicU64::new(0));
        for i in 0..total {
            let due = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
            let this = Arc::clone(&self);
            let tally = Arc::clone(&tally);
            let last_began = Arc::clone(&last_began);
            calls.push(tokio::spawn(async move {
                let began = Instant::now();
                last_began.fetch_max(
                    (began - started).as_micros() as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                let result = this.call(i).await;
                if let Ok(mut tally) = tally.lock() {
                    tally.record(began.elapsed(), result);
                }
            }));
        }
        for call in calls {
            let _ = call.await;
        }
        let elapsed = started.elapsed();
        let share = |before: f64, pid: u32| {
            100.0 * (super::cpu_seconds(pid) - before) / elapsed.as_secs_f64()
        };
        let effort = Effort {
            sent_per_second: total as f64
                / Duration::from_micros(last_began.load(std::sync::atomic::Ordering::Relaxed))
                    .as_secs_f64()
                    .max(1e-3),
            server_cpu: share(cpu_before.0, self.server_pid),
            generator_cpu: share(cpu_before.1, std::process::id()),
        };
        offering.store(false, std::sync::atomic::Ordering::Relaxed);
        let probe = probe.await.unwrap_or_default();
        let tally = std::mem::take(&mut *tally.lock().expect("tally"));
        (tally, probe, elapsed, effort)
    }

    /// Call number `seq` of the mix, by one of the pool's people, with the
    /// client's deadline.
    async fn call(&self, seq: u64) -> Result<(), Status> {
        let mut rng = StdRng::seed_from_u64(seq);
        let caller = &self.callers[(seq as usize) % self.callers.len()];
        let number = caller.numbers[rng.gen_range(0..caller.numbers.len())];
        let tickets = caller.session.tickets();
        let deadline = self.deadline;
        match rng.gen_range(0..100) {
            0..35 => tickets
                .clone()
                .list_tickets(with_deadline(
                    deadline,
                    pb::ListTicketsRequest {
                        page: Some(pb::PageRequest {
                            page_size: 50,
                            cursor: String::new(),
                        }),
                        ..Default::default()
                    },
                ))
                .await
                .map(drop),
            35..65 => tickets
                .clone()
                .get_ticket(with_deadline(deadline, pb::GetTicketRequest { number }))
                .await
                .map(drop),
            65..80 => {
                let text = caller.words[rng.gen_range(0..caller.words.len())].clone();
                tickets
                    .clone()
                    .list_tickets(with_deadline(
                        deadline,
                        pb::ListTicketsRequest {
                            text,
                            ..Default::default()
                        },
                    ))
                    .await
                    .map(drop)
            }
            80..95 => tickets
                .clone()
                .add_post(with_deadline(
                    deadline,
                    pb::AddPostRequest {
                        number,
                        kind: pb::PostKind::Discussion.into(),
                        body: format!("overload {seq}: any news?"),
                        chat: false,
                    },
                ))
                .await
                .map(drop),
            _ => {
                let data: Vec<u8> = (0..4096).map(|_| rng.r#gen()).collect();
                let parts = vec![
                    pb::UploadAttachmentRequest {
                        part: Some(Part::Meta(pb::AttachmentMeta {
                            number,
                            title: "screenshot".into(),
                            file_name: format!("overload-{seq}.bin"),
                            content_type: String::new(),
                        })),
                    },
                    pb::UploadAttachmentRequest {
                        part: Some(Part::Data(data)),
                    },
                ];
                let mut request = tonic::Request::new(tokio_stream::iter(parts));
                request.set_timeout(deadline);
                tickets.clone().upload_attachment(request).await.map(drop)
            }
        }
    }
}

fn with_deadline<T>(deadline: Duration, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(deadline);
    request
}

/// Opens a ticket every `PROBE_EVERY` while `offering`, one at a time.
async fn probe(
    session: Session,
    numbers: Vec<i64>,
    offering: Arc<std::sync::atomic::AtomicBool>,
    deadline: Duration,
) -> Probe {
    let mut seen = Probe::default();
    let mut i = 0;
    while offering.load(std::sync::atomic::Ordering::Relaxed) {
        let number = numbers[i % numbers.len()];
        i += 1;
        let mut request = tonic::Request::new(pb::GetTicketRequest { number });
        request.set_timeout(deadline);
        let began = Instant::now();
        match session.tickets().get_ticket(request).await {
            Ok(_) => seen.ok.push(began.elapsed()),
            Err(s) => seen
                .failed
                .push(format!("#{number}: {:?} {}", s.code(), s.message())),
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
    seen
}
