//! `raw-sweep`: random and damaged bytes to every method of every service
//! of a real `portal-server`, found by server reflection (so a new RPC is
//! swept without a change here), over a raw HTTP/2 connection
//! (docs/RELIABILITY.md, "Bad bytes").
//!
//! Each input is one call: a method, a caller (no token, or the token of a
//! client User, a client Admin, a Dispatcher or the provider Admin), a
//! request built from the method's descriptor and usually damaged
//! (`payload`), framed correctly or not (compressed flag without an
//! encoding, a length prefix longer or shorter than the body, no message, a
//! declared length of 4 GiB, a message over the size limit, two messages
//! for one, a reset mid-body), with odd headers now and then (no or a wrong
//! content type, a bad `grpc-timeout`, an unknown path, GET). Now and then a
//! connection gets bytes that are not HTTP/2 at all.
//!
//! It fails (exit 1) on any `INTERNAL` or `UNKNOWN` answer, any "panicked"
//! in the server's log, a server that exits, and any refused call after
//! which the store differs (see `store` for what a refusal may change).
//!
//! ```sh
//! cargo build --workspace --bins
//! target/debug/raw-sweep --seed 7 --inputs 200000
//! ```

mod payload;
mod store;
mod wire;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use clap::Parser;
use portal_e2e::{DEMO_PASSWORD, bin, demo};
use portal_proto::pb;
use prost_reflect::{DescriptorPool, MessageDescriptor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use payload::Damage;
use wire::{Answer, Call, Conn};

#[derive(Parser)]
struct Args {
    /// The seed of every random choice; the same seed sends the same inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Calls to send in all.
    #[arg(long, default_value_t = 20_000)]
    inputs: u64,
    /// The local address the sweep's calls come from (its own sign-ins come
    /// from 127.0.0.1, so the sign-in throttle that the sweep's bad
    /// sign-ins set off does not keep it out).
    #[arg(long, default_value = "127.0.0.2")]
    from: IpAddr,
    /// Print the answers of every method, not only the totals.
    #[arg(long)]
    per_method: bool,
}

/// A method as reflection describes it.
struct Method {
    path: String,
    input: MessageDescriptor,
    client_streaming: bool,
}

/// How the request's body and headers are put on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Framing {
    Proper,
    /// Several DATA frames for one message.
    Split,
    CompressedFlag,
    /// The compressed flag with `grpc-encoding: gzip` and bytes that are not gzip.
    BadGzip,
    BadFlag,
    LengthBeyondBody,
    LengthShort,
    NoMessage,
    DeclaredHuge,
    Oversize,
    TwoMessages,
    ResetMidBody,
    NoContentType,
    JsonContentType,
    BadTimeout,
    UnknownMethod,
    UnknownService,
    Get,
    ForgedToken,
}

impl Framing {
    const ODD: [Framing; 18] = [
        Framing::Split,
        Framing::CompressedFlag,
        Framing::BadGzip,
        Framing::BadFlag,
        Framing::LengthBeyondBody,
        Framing::LengthShort,
        Framing::NoMessage,
        Framing::DeclaredHuge,
        Framing::Oversize,
        Framing::TwoMessages,
        Framing::ResetMidBody,
        Framing::NoContentType,
        Framing::JsonContentType,
        Framing::BadTimeout,
        Framing::UnknownMethod,
        Framing::UnknownService,
        Framing::Get,
        Framing::ForgedToken,
    ];

    fn pick(rng: &mut StdRng) -> Self {
        if rng.gen_bool(0.6) {
            return Framing::Proper;
        }
        let f = Self::ODD[rng.gen_range(0..Self::ODD.len())];
        // A 4 MiB message costs; one in a hundred of those picked.
        if f == Framing::Oversize && rng.gen_range(0..100) != 0 {
            Framing::DeclaredHuge
        } else {
            f
        }
    }
}

/// The callers the sweep signs in as (None: no token).
const ROLES: [Option<&str>; 5] = [
    None,
    Some(demo::CLIENT_USER),
    Some(demo::CLIENT_ADMIN),
    Some(demo::DISPATCHER),
    Some(demo::PROVIDER_ADMIN),
];

#[derive(Default)]
struct Tally {
    inputs: u64,
    answers: BTreeMap<String, u64>,
}

#[derive(Default)]
struct Report {
    by_method: BTreeMap<String, Tally>,
    by_damage: BTreeMap<String, u64>,
    by_framing: BTreeMap<String, u64>,
    total: Tally,
    garbage_connections: u64,
    /// Times the sweep signed in again after a session of its own ended.
    sign_ins: u64,
    internal: u64,
    unknown: u64,
    store_changed: u64,
    /// Changes seen beside a refused call that were the server's own
    /// housekeeping (`Server::housekeeping`), not the call's.
    housekeeping: u64,
    /// Refused calls checked against a store that had changed.
    store_checks: u64,
    /// Calls refused (each checked: no commit since the last, or a digest).
    refused: u64,
    problems: Vec<String>,
    /// Time spent building calls, waiting for answers, checking the store,
    /// on garbage connections.
    time: [Duration; 4],
}

impl Report {
    fn problem(&mut self, what: String) {
        if self.problems.len() < 20 {
            self.problems.push(what);
        }
    }

    /// Counts one answer, and an `INTERNAL` or `UNKNOWN` one as a problem.
    fn count(&mut self, path: &str, damage: Damage, framing: Framing, answer: &Answer, what: &str) {
        let label = answer.label();
        for tally in [
            self.by_method.entry(path.to_owned()).or_default(),
            &mut self.total,
        ] {
            tally.inputs += 1;
            *tally.answers.entry(label.clone()).or_default() += 1;
        }
        *self.by_damage.entry(format!("{damage:?}")).or_default() += 1;
        *self.by_framing.entry(format!("{framing:?}")).or_default() += 1;
        if let Answer::Status(code, message) = answer
            && (*code == wire::INTERNAL || *code == wire::UNKNOWN)
        {
            if *code == wire::INTERNAL {
                self.internal += 1;
            } else {
                self.unknown += 1;
            }
            self.problem(format!("{what}: {label} {message}"));
        }
    }
}

/// After a call: if anything was committed since the last check, the
/// store's digest; a refused call must have left it as it was (`store`
/// says what a refusal may change). `last` is the `data_version` and
/// digest of the last check.
async fn check_store(
    reader: &store::StoreReader,
    (last, housekeeping): ((&mut i64, &mut store::Digest), (&AtomicU64, &mut u64)),
    report: &mut Report,
    answer: &Answer,
    what: &str,
) -> anyhow::Result<()> {
    // Whatever was written, after a call cut short, has landed.
    if answer.cut_short() {
        settle(reader).await?;
    }
    // Purges logged before this digest is taken are in it: those after
    // are the next check's.
    let purges = housekeeping.0.load(Ordering::Relaxed);
    let refused = !answer.may_have_written();
    if refused {
        report.refused += 1;
    }
    let now = reader.data_version()?;
    if now != *last.0 {
        *last.0 = now;
        let digest = reader.digest()?;
        if refused {
            report.store_checks += 1;
            let tables = store::changed(last.1, &digest);
            if !tables.is_empty() && by_housekeeping(&tables, housekeeping.0, *housekeeping.1).await
            {
                report.housekeeping += 1;
            } else if !tables.is_empty() {
                report.store_changed += 1;
                report.problem(format!(
                    "{what} answered {} but changed {tables:?}",
                    answer.label()
                ));
            }
        }
        *last.1 = digest;
    }
    *housekeeping.1 = purges;
    Ok(())
}

/// A long run says how far it got, so that one stopped early still leaves
/// figures.
fn print_progress(inputs: u64, report: &Report, panics: u64, started: Instant) {
    println!(
        "progress: {inputs} inputs, {} INTERNAL, {} UNKNOWN, {panics} panics, {} refused calls \
         that changed the store, {:.0} s",
        report.internal,
        report.unknown,
        report.store_changed,
        started.elapsed().as_secs_f64()
    );
}

/// Tables the server's housekeeping deletes ended rows from.
const HOUSEKEEPING_TABLES: [&str; 3] = ["refresh_tokens", "sessions", "sign_ins"];

/// Whether a change to `tables` was the server's housekeeping: it logged a
/// purge since the last check (waited for a moment, as the line follows
/// the commit), and only its tables changed.
async fn by_housekeeping(tables: &[String], purges: &AtomicU64, seen: u64) -> bool {
    if !tables
        .iter()
        .all(|t| HOUSEKEEPING_TABLES.contains(&t.as_str()))
    {
        return false;
    }
    for _ in 0..20 {
        if purges.load(Ordering::Relaxed) > seen {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

// One loop of the sweep from start to report, read top to bottom.
#[allow(clippy::too_many_lines)]
#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("portal.db");
    let server = Server::start(&db).await?;
    let methods = discover(&server.url).await?;
    let services: std::collections::BTreeSet<_> = methods
        .iter()
        .filter_map(|m| m.path.rsplit_once('/').map(|(s, _)| s.to_owned()))
        .collect();
    println!(
        "raw-sweep: seed {}, {} inputs, {} methods of {} services, from {}",
        args.seed,
        args.inputs,
        methods.len(),
        services.len(),
        args.from
    );
    let mut tokens = Vec::new();
    for role in ROLES {
        tokens.push(match role {
            Some(email) => Some(sign_in(&server.url, email).await?),
            None => None,
        });
    }

    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut conn = Conn::new(server.addr, args.from);
    let reader = store::StoreReader::open(&db)?;
    let mut version = reader.data_version()?;
    let mut baseline = reader.digest()?;
    let mut report = Report::default();
    let mut last_sign_in = [0_u64; ROLES.len()];
    let mut given_up = [false; ROLES.len()];
    let mut purges_seen = 0;
    let mut alive = true;
    for i in 0..args.inputs {
        if i % 97 == 96 {
            let t = Instant::now();
            wire::garbage_connection(server.addr, args.from, &mut rng).await;
            report.garbage_connections += 1;
            report.time[3] += t.elapsed();
        }
        let method = &methods[i as usize % methods.len()];
        let role = rng.gen_range(0..ROLES.len());
        let damage = Damage::pick(&mut rng);
        let framing = Framing::pick(&mut rng);
        let t0 = Instant::now();
        let call = build(method, tokens[role].as_deref(), damage, framing, &mut rng);
        let t1 = Instant::now();
        let answer = conn.call(&call).await;
        let t2 = Instant::now();
        report.time[0] += t1 - t0;
        report.time[1] += t2 - t1;

        let what = format!("{} ({damage:?}, {framing:?})", method.path);
        report.count(&method.path, damage, framing, &answer, &what);
        check_store(
            &reader,
            (
                (&mut version, &mut baseline),
                (&server.housekeeping, &mut purges_seen),
            ),
            &mut report,
            &answer,
            &what,
        )
        .await?;

        // A session that ended (signed out, or its person changed by another
        // call of the sweep) is signed in again, at most every 200 inputs.
        // A caller whose sign-in fails (another call of the sweep changed
        // its password or disabled it) is given up: the calls meant for it
        // go on with its dead token, and the sweep's own address makes no
        // more failed sign-ins (it would be throttled like any other).
        if let (Answer::Status(16, message), Some(email)) = (&answer, ROLES[role])
            && message.contains("session has ended")
            && i - last_sign_in[role] > 200
            && !given_up[role]
        {
            last_sign_in[role] = i;
            match sign_in(&server.url, email).await {
                Ok(token) => tokens[role] = Some(token),
                Err(e) => {
                    given_up[role] = true;
                    println!("note: after {i} inputs {email} could not sign in again: {e:#}");
                }
            }
            // The sweep's own sign-in wrote (a session, the audit log): the
            // store as it is now is what the next call is checked against.
            version = reader.data_version()?;
            baseline = reader.digest()?;
            report.sign_ins += 1;
        }
        report.time[2] += t2.elapsed();
        if i % 256 == 255 && !server.running()? {
            alive = false;
            report.problem(format!("the server exited after {} inputs", i + 1));
            break;
        }
        // A long run says how far it got, so that one stopped early still
        // leaves figures.
        if (i + 1) % 50_000 == 0 {
            print_progress(
                i + 1,
                &report,
                server.panics.load(Ordering::Relaxed),
                started,
            );
        }
    }
    alive &= server.running()?;
    let panics = server.panics.load(Ordering::Relaxed);
    print_report(&args, &report, started);
    let failed = report.internal + report.unknown + report.store_changed + panics > 0 || !alive;
    println!(
        "raw-sweep: {} inputs to {} methods; {} INTERNAL, {} UNKNOWN, {panics} panics, {} \
         refused calls that changed the store ({} refused calls checked, {} of them after a \
         commit by digest), server {}; {:.1} s",
        report.total.inputs,
        report.by_method.len(),
        report.internal,
        report.unknown,
        report.store_changed,
        report.refused,
        report.store_checks,
        if alive { "up" } else { "DOWN" },
        started.elapsed().as_secs_f64()
    );
    for p in &report.problems {
        println!("PROBLEM: {p}");
    }
    if failed {
        println!("raw-sweep: FAILED");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(args: &Args, report: &Report, started: Instant) {
    let line = |t: &Tally| {
        t.answers
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if args.per_method {
        for (path, tally) in &report.by_method {
            println!("  {path}: {} inputs: {}", tally.inputs, line(tally));
        }
    }
    let fewest = report
        .by_method
        .values()
        .map(|t| t.inputs)
        .min()
        .unwrap_or(0);
    println!(
        "answers: {}; fewest inputs to one method: {fewest}; {} garbage connections; \
         signed in again {} times; {} changes beside a refused call were the server's \
         housekeeping",
        line(&report.total),
        report.garbage_connections,
        report.sign_ins,
        report.housekeeping
    );
    let join = |m: &BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("payloads: {}", join(&report.by_damage));
    println!("framing: {}", join(&report.by_framing));
    println!(
        "time: {:.1} s building calls, {:.1} s waiting for answers, {:.1} s checking the store, \
         {:.1} s on garbage connections",
        report.time[0].as_secs_f64(),
        report.time[1].as_secs_f64(),
        report.time[2].as_secs_f64(),
        report.time[3].as_secs_f64()
    );
    let secs = started.elapsed().as_secs_f64();
    println!(
        "rate: {:.0} inputs/s",
        report.total.inputs as f64 / secs.max(0.001)
    );
}

/// Builds one call.
fn build(
    method: &Method,
    token: Option<&str>,
    damage: Damage,
    framing: Framing,
    rng: &mut StdRng,
) -> Call {
    let messages = if method.client_streaming {
        rng.gen_range(1..4)
    } else {
        1
    };
    let mut bodies: Vec<Vec<u8>> = (0..messages)
        .map(|_| payload::bytes(&method.input, damage, rng))
        .collect();
    let mut path = method.path.clone();
    let mut headers = vec![
        ("content-type", "application/grpc".to_owned()),
        ("te", "trailers".to_owned()),
    ];
    if let Some(token) = token {
        headers.push(("authorization", format!("Bearer {token}")));
    }
    let mut http_method = http::Method::POST;
    let mut reset = false;
    let frame = |b: &[u8]| wire::frame(0, b.len() as u32, b);
    let mut body: Vec<Bytes> = bodies.iter().map(|b| frame(b)).collect();
    match framing {
        Framing::Proper => {}
        Framing::Split => {
            body = body
                .iter()
                .flat_map(|f| {
                    f.chunks(rng.gen_range(1..8))
                        .map(Bytes::copy_from_slice)
                        .collect::<Vec<_>>()
                })
                .collect();
        }
        Framing::CompressedFlag => body = vec![wire::frame(1, bodies[0].len() as u32, &bodies[0])],
        Framing::BadGzip => {
            headers.push(("grpc-encoding", "gzip".into()));
            body = vec![wire::frame(1, bodies[0].len() as u32, &bodies[0])];
        }
        Framing::BadFlag => {
            let flag = rng.gen_range(2..=255);
            body = vec![wire::frame(flag, bodies[0].len() as u32, &bodies[0])];
        }
        Framing::LengthBeyondBody => {
            let declared = bodies[0].len() as u32 + rng.gen_range(1..1000);
            body = vec![wire::frame(0, declared, &bodies[0])];
        }
        Framing::LengthShort => {
            if !bodies[0].is_empty() {
                let declared = rng.gen_range(0..bodies[0].len()) as u32;
                body = vec![wire::frame(0, declared, &bodies[0])];
            }
        }
        Framing::NoMessage => {
            body.clear();
            if rng.gen_bool(0.5) {
                // Half a prefix.
                body.push(Bytes::from_static(&[0, 0]));
            }
        }
        Framing::DeclaredHuge => body = vec![wire::frame(0, u32::MAX, &bodies[0])],
        Framing::Oversize => {
            bodies[0] = vec![0x0a; (4 << 20) + 16];
            body = vec![frame(&bodies[0])];
        }
        Framing::TwoMessages => body.push(frame(&bodies[0])),
        Framing::ResetMidBody => {
            if let Some(first) = body.first_mut() {
                let cut = rng.gen_range(0..first.len());
                *first = first.slice(..cut);
            }
            reset = true;
        }
        Framing::NoContentType => headers.retain(|(k, _)| *k != "content-type"),
        Framing::JsonContentType => headers[0].1 = "application/json".into(),
        Framing::BadTimeout => headers.push((
            "grpc-timeout",
            ["xyz", "99999999999H", "0n", "-1S", "1"][rng.gen_range(0..5)].into(),
        )),
        Framing::UnknownMethod => path = format!("{}Nope", method.path),
        Framing::UnknownService => {
            path = [
                "/portal.v1.NoSuchService/Get",
                "/",
                "/x",
                "/portal.v1.TicketService/",
            ][rng.gen_range(0..4)]
            .into();
        }
        Framing::Get => http_method = http::Method::GET,
        Framing::ForgedToken => {
            headers.retain(|(k, _)| *k != "authorization");
            let forged = ["Bearer ", "Bearer x", "Basic abc", "Bearer \u{7f}"][rng.gen_range(0..4)];
            let forged = if rng.gen_bool(0.2) {
                format!("Bearer {}", "a".repeat(8_000))
            } else {
                forged.to_owned()
            };
            if http::HeaderValue::from_str(&forged).is_ok() {
                headers.push(("authorization", forged));
            }
        }
    }
    Call {
        method: http_method,
        path,
        headers,
        body,
        reset,
    }
}

/// Waits until no commit has come for 15 ms (at most 2 s).
async fn settle(reader: &store::StoreReader) -> anyhow::Result<()> {
    let mut last = reader.data_version()?;
    let mut quiet = 0;
    for _ in 0..400 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let now = reader.data_version()?;
        if now == last {
            quiet += 1;
            if quiet >= 3 {
                break;
            }
        } else {
            last = now;
            quiet = 0;
        }
    }
    Ok(())
}

/// Signs in from 127.0.0.1 through the ordinary client; the token.
async fn sign_in(url: &str, email: &str) -> anyhow::Result<String> {
    let channel = tonic::transport::Channel::from_shared(url.to_owned())?
        .connect()
        .await?;
    let login = pb::auth_service_client::AuthServiceClient::new(channel)
        .login(pb::LoginRequest {
            email: email.into(),
            password: DEMO_PASSWORD.into(),
            remember_me: false,
            ..Default::default()
        })
        .await
        .with_context(|| format!("signing in as {email}"))?
        .into_inner();
    Ok(login.token)
}

/// Every method of every service the server lists, by v1 reflection.
async fn discover(url: &str) -> anyhow::Result<Vec<Method>> {
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::{ServerReflectionRequest, ServerReflectionResponse};

    let channel = tonic::transport::Channel::from_shared(url.to_owned())?
        .connect()
        .await?;
    let mut client = ServerReflectionClient::new(channel);
    let mut ask = async |request: MessageRequest| -> anyhow::Result<ServerReflectionResponse> {
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(request),
        };
        let mut replies = client
            .server_reflection_info(tokio_stream::once(request))
            .await?
            .into_inner();
        replies.message().await?.context("no reflection reply")
    };
    let Some(MessageResponse::ListServicesResponse(list)) =
        ask(MessageRequest::ListServices(String::new()))
            .await?
            .message_response
    else {
        bail!("unexpected reply to ListServices");
    };
    let services: Vec<String> = list.service.into_iter().map(|s| s.name).collect();

    // The files defining them, and the files those import.
    let mut files: BTreeMap<String, prost_types::FileDescriptorProto> = BTreeMap::new();
    let mut wanted: Vec<MessageRequest> = services
        .iter()
        .map(|s| MessageRequest::FileContainingSymbol(s.clone()))
        .collect();
    while let Some(request) = wanted.pop() {
        let reply = ask(request).await?;
        let Some(MessageResponse::FileDescriptorResponse(found)) = reply.message_response else {
            bail!("unexpected reflection reply: {reply:?}");
        };
        for raw in found.file_descriptor_proto {
            let file: prost_types::FileDescriptorProto = prost::Message::decode(raw.as_slice())?;
            for dependency in &file.dependency {
                if !files.contains_key(dependency) {
                    wanted.push(MessageRequest::FileByFilename(dependency.clone()));
                }
            }
            files.insert(file.name().to_owned(), file);
        }
    }
    let mut pool = DescriptorPool::new();
    pool.add_file_descriptor_protos(files.into_values())?;

    let mut methods = Vec::new();
    for name in &services {
        let service = pool
            .get_service_by_name(name)
            .with_context(|| format!("reflection lists {name} but does not describe it"))?;
        for m in service.methods() {
            methods.push(Method {
                path: format!("/{}/{}", service.full_name(), m.name()),
                input: m.input(),
                client_streaming: m.is_client_streaming(),
            });
        }
    }
    anyhow::ensure!(!methods.is_empty(), "reflection found no methods");
    Ok(methods)
}

/// `portal-server serve` over a fresh demo store, its log watched for panics
/// and for the housekeeping's purges of ended sessions (every 10 minutes).
struct Server {
    child: std::sync::Mutex<Child>,
    addr: SocketAddr,
    url: String,
    panics: Arc<AtomicU64>,
    housekeeping: Arc<AtomicU64>,
}

impl Server {
    async fn start(db: &std::path::Path) -> anyhow::Result<Self> {
        let out = Command::new(bin("portal-server"))
            .args(["demo", "--db"])
            .arg(db)
            .output()
            .await?;
        anyhow::ensure!(
            out.status.success(),
            "portal-server demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut child = Command::new(bin("portal-server"))
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .env("RUST_LOG", "warn,portal_server::service::sweep=info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let mut lines = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .context("the server did not start in 30 s")??
            .context("the server exited before listening")?;
        let url = line
            .strip_prefix("listening on ")
            .with_context(|| format!("unexpected first line: {line}"))?
            .to_owned();
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let panics = Arc::new(AtomicU64::new(0));
        let mut log = BufReader::new(child.stderr.take().context("no stderr")?).lines();
        let housekeeping = Arc::new(AtomicU64::new(0));
        let (counted, purged) = (panics.clone(), housekeeping.clone());
        tokio::spawn(async move {
            while let Ok(Some(line)) = log.next_line().await {
                if line.contains("panicked") {
                    counted.fetch_add(1, Ordering::Relaxed);
                    eprintln!("server: {line}");
                } else if line.contains("deleted ended sessions and refresh tokens") {
                    purged.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let addr = url.trim_start_matches("http://").parse()?;
        Ok(Self {
            child: std::sync::Mutex::new(child),
            addr,
            url,
            panics,
            housekeeping,
        })
    }

    fn running(&self) -> anyhow::Result<bool> {
        let mut child = self.child.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        Ok(child.try_wait()?.is_none())
    }
}
