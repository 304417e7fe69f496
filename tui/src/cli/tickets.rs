//! `portal tickets …`: the Tickets tab as commands. Changes to one ticket
//! are in `ticket_changes.rs`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use portal_proto::pb;

use super::exit::{Done, Failure};
use super::output::{Format, Out};
use super::{Ctx, ticket_changes, work};
use crate::action::{ListId, Reply, TicketCall};
use crate::ui::format;

#[derive(Debug, Subcommand)]
pub enum TicketsCommand {
    /// List tickets, with the Tickets tab's filters.
    #[command(
        after_help = "Examples:\n  portal tickets list --group open --priority 1\n  \
        portal tickets list --all --json | jq -r '.number'"
    )]
    List(ListArgs),
    /// One ticket: its fields, timeline, tasks, attachments and subscribers.
    #[command(after_help = "Example:\n  portal tickets show 1042")]
    Show { number: i64 },
    /// Raise a ticket. Without a description, $EDITOR opens on a terminal
    /// and stdin is read otherwise.
    #[command(after_help = "Example:\n  portal tickets new --type 'Password reset' \
        --title 'Locked out' --field account=uma --description - < details.txt")]
    New(ticket_changes::NewArgs),
    /// The service types a ticket can have, and their fields (* required).
    #[command(after_help = "Example:\n  portal tickets types")]
    Types,
    /// Add a reply (or, for staff, an internal note or a resolution).
    #[command(
        after_help = "Examples:\n  portal tickets reply 1042 -m 'Rebooted, fixed.'\n  \
        git log -1 | portal tickets reply 1042 --internal -F -"
    )]
    Reply(ticket_changes::ReplyArgs),
    /// Move a ticket to another status.
    #[command(
        after_help = "Example:\n  portal tickets status 1042 waiting-on-client -m 'Need the serial number'"
    )]
    Status {
        number: i64,
        #[arg(value_enum)]
        status: StatusArg,
        /// A note with the change (required when rejecting a completion).
        #[arg(short = 'm', long)]
        note: Option<String>,
    },
    /// Attach files (progress on stderr).
    #[command(after_help = "Example:\n  portal tickets attach 1042 screenshot.png log.txt")]
    Attach {
        number: i64,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Save an attachment, by id or file name.
    #[command(after_help = "Examples:\n  portal tickets download 1042 log.txt\n  \
        portal tickets download 1042 17 -o - | less")]
    Download {
        number: i64,
        attachment: String,
        /// Where to save it (`-` for stdout); default: its file name here.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Save a ticket, or its sign-off form, as PDF or plain text, as the
    /// server renders it (a client's copy holds no internal notes).
    #[command(after_help = "Examples:\n  portal tickets export 1042 --pdf\n  \
        portal tickets export 1042 --text -o - | less\n  \
        portal tickets export 1042 --pdf --sign-off -o sign-off.pdf")]
    Export(ticket_changes::ExportArgs),
    /// Subscribe contacts (default: yourself) to a ticket's updates.
    #[command(after_help = "Examples:\n  portal tickets subscribe 1042\n  \
        portal tickets subscribe 1042 17 --remove")]
    Subscribe {
        number: i64,
        /// Contact ids; none means yourself.
        contacts: Vec<i64>,
        /// Unsubscribe them instead.
        #[arg(long)]
        remove: bool,
    },
    /// Assign a ticket to a staff member (id, e-mail or name), or `none`;
    /// with --add or --remove, another assignee besides the primary.
    #[command(
        after_help = "Examples:\n  portal tickets assign 1042 tom@keystone.example\n  \
        portal tickets assign 1042 raj --add\n  portal tickets assign 1042 raj --remove"
    )]
    Assign {
        number: i64,
        staff: String,
        /// Add them as another assignee (the primary stays).
        #[arg(long, conflicts_with = "remove")]
        add: bool,
        /// Remove them from the other assignees.
        #[arg(long)]
        remove: bool,
    },
    /// Approve the estimate awaiting a decision on a ticket (Managers, Admins).
    #[command(after_help = "Example:\n  portal tickets approve 1042 -m 'Go ahead'")]
    Approve(DecideArgs),
    /// Decline the estimate awaiting a decision on a ticket.
    #[command(after_help = "Example:\n  portal tickets decline 1042 -m 'Too expensive'")]
    Decline(DecideArgs),
    /// Sign off a Completed ticket, which closes it.
    #[command(after_help = "Example:\n  portal tickets signoff 1042 --name 'Uma Vasquez-Orr'")]
    Signoff {
        number: i64,
        /// Your first and last name (default: your name on record).
        #[arg(long)]
        name: Option<String>,
        #[arg(short = 'm', long)]
        comment: Option<String>,
    },
    /// Rate a Closed ticket of yours from 1 (poor) to 5 (excellent), once.
    #[command(
        after_help = "Example:\n  portal tickets rate 1042 --score 5 --comment 'Fixed within the hour'"
    )]
    Rate {
        number: i64,
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=5))]
        score: u32,
        #[arg(short = 'm', long)]
        comment: Option<String>,
    },
    /// Staff: the ratings given, newest first, of one company and/or one
    /// technician (the ticket's primary assignee when rated).
    #[command(after_help = "Example:\n  portal tickets ratings --company 3 --csv")]
    Ratings {
        /// A company's id.
        #[arg(long)]
        company: Option<i64>,
        /// A staff member's id.
        #[arg(long)]
        technician: Option<i64>,
    },
    /// Set a ticket's priority: 1 Critical … 5 Planned.
    #[command(after_help = "Example:\n  portal tickets priority 1042 2 -m 'Whole floor affected'")]
    Priority {
        number: i64,
        #[arg(value_parser = clap::value_parser!(i32).range(1..=5))]
        priority: i32,
        #[arg(short = 'm', long)]
        note: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    number: i64,
    /// Which estimate, when the ticket has more than one pending.
    #[arg(long)]
    estimate: Option<i64>,
    #[arg(short = 'm', long)]
    comment: Option<String>,
}

/// A ticket status as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    New,
    InProgress,
    WaitingOnClient,
    Scheduled,
    Completed,
    Closed,
    Cancelled,
    NoActionRequired,
}

impl StatusArg {
    pub fn pb(self) -> pb::TicketStatus {
        match self {
            StatusArg::New => pb::TicketStatus::New,
            StatusArg::InProgress => pb::TicketStatus::InProgress,
            StatusArg::WaitingOnClient => pb::TicketStatus::WaitingOnClient,
            StatusArg::Scheduled => pb::TicketStatus::Scheduled,
            StatusArg::Completed => pb::TicketStatus::Completed,
            StatusArg::Closed => pb::TicketStatus::Closed,
            StatusArg::Cancelled => pb::TicketStatus::Cancelled,
            StatusArg::NoActionRequired => pb::TicketStatus::NoActionRequired,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupArg {
    All,
    Open,
    Completed,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Number,
    Title,
    Status,
    Priority,
    Contact,
    Updated,
    Created,
    Company,
    ResponseDue,
}

/// The Tickets tab's filters, and how many to list.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // independent switches of one command
pub struct ListArgs {
    /// Full-text search over titles, descriptions and public posts.
    #[arg(short = 'q', long)]
    text: Option<String>,
    #[arg(long, value_enum)]
    group: Option<GroupArg>,
    #[arg(long, value_enum)]
    status: Option<StatusArg>,
    #[arg(long)]
    number: Option<i64>,
    /// Contact id.
    #[arg(long)]
    contact: Option<i64>,
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..=5))]
    priority: Option<i32>,
    /// Service type, by name or id.
    #[arg(long = "type")]
    service_type: Option<String>,
    /// YYYY-MM-DD, inclusive.
    #[arg(long)]
    created_from: Option<String>,
    #[arg(long)]
    created_to: Option<String>,
    #[arg(long)]
    updated_from: Option<String>,
    #[arg(long)]
    updated_to: Option<String>,
    /// Staff: company id.
    #[arg(long)]
    company: Option<i64>,
    /// Staff: assigned staff id.
    #[arg(long)]
    assigned: Option<i64>,
    /// Staff: only tickets nobody is assigned to.
    #[arg(long)]
    unassigned: bool,
    /// Only tickets whose chat waits for staff's answer.
    #[arg(long)]
    chats_waiting: bool,
    /// Staff: my queue, the tickets I am assigned to (primary or other);
    /// open ones by next deadline unless --group or --sort say otherwise.
    #[arg(long, conflicts_with_all = ["assigned", "unassigned"])]
    mine: bool,
    #[arg(long, value_enum)]
    sort: Option<SortArg>,
    /// Reverse the order.
    #[arg(long)]
    desc: bool,
    /// At most this many tickets.
    #[arg(long, default_value_t = 50, conflicts_with = "all")]
    limit: u64,
    /// Every matching ticket, page by page.
    #[arg(long)]
    all: bool,
}

pub async fn run(ctx: &Ctx, command: TicketsCommand, out: &mut Out) -> Done {
    match command {
        TicketsCommand::List(args) => list(ctx, &args, out).await,
        TicketsCommand::Show { number } => show(ctx, number, out).await,
        TicketsCommand::Types => types(ctx, out).await,
        TicketsCommand::New(args) => ticket_changes::new(ctx, &args, out).await,
        TicketsCommand::Reply(args) => ticket_changes::reply(ctx, &args, out).await,
        TicketsCommand::Status {
            number,
            status,
            note,
        } => ticket_changes::status(ctx, number, status, note, out).await,
        TicketsCommand::Attach { number, files } => {
            ticket_changes::attach(ctx, number, &files, out).await
        }
        TicketsCommand::Download {
            number,
            attachment,
            output,
        } => ticket_changes::download(ctx, number, &attachment, output, out).await,
        TicketsCommand::Export(args) => ticket_changes::export(ctx, args, out).await,
        TicketsCommand::Subscribe {
            number,
            contacts,
            remove,
        } => ticket_changes::subscribe(ctx, number, contacts, remove, out).await,
        TicketsCommand::Assign {
            number,
            staff,
            add,
            remove,
        } => {
            let how = match (add, remove) {
                (true, _) => ticket_changes::Assignment::AddOther,
                (_, true) => ticket_changes::Assignment::RemoveOther,
                _ => ticket_changes::Assignment::Primary,
            };
            ticket_changes::assign(ctx, number, &staff, how, out).await
        }
        TicketsCommand::Approve(a) => {
            work::decide(ctx, a.number, a.estimate, true, a.comment, out).await
        }
        TicketsCommand::Decline(a) => {
            work::decide(ctx, a.number, a.estimate, false, a.comment, out).await
        }
        TicketsCommand::Signoff {
            number,
            name,
            comment,
        } => work::sign_off(ctx, number, name, comment, out).await,
        TicketsCommand::Priority {
            number,
            priority,
            note,
        } => ticket_changes::priority(ctx, number, priority, note, out).await,
        TicketsCommand::Rate {
            number,
            score,
            comment,
        } => ticket_changes::rate(ctx, number, score, comment, out).await,
        TicketsCommand::Ratings {
            company,
            technician,
        } => ticket_changes::ratings(ctx, company, technician, out).await,
    }
}

/// The catalog's service types (active ones).
pub async fn service_types(ctx: &Ctx) -> Result<Vec<pb::ServiceType>, Failure> {
    Ok(ctx
        .client
        .tickets()
        .list_service_types(ctx.client.authed(pb::ListServiceTypesRequest {
            include_inactive: false,
        }))
        .await?
        .into_inner()
        .service_types)
}

/// The service type named (case aside) or numbered `which`.
pub fn find_type<'a>(
    types: &'a [pb::ServiceType],
    which: &str,
    field: &str,
) -> Result<&'a pb::ServiceType, Failure> {
    let which = which.trim();
    types
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(which) || t.id.to_string() == which)
        .ok_or_else(|| {
            Failure::invalid(
                field,
                format!("no service type {which:?}; `portal tickets types` lists them"),
            )
        })
}

async fn query(ctx: &Ctx, args: &ListArgs) -> Result<pb::ListTicketsRequest, Failure> {
    let service_type_id = match &args.service_type {
        Some(which) => find_type(&service_types(ctx).await?, which, "type")?.id,
        None => 0,
    };
    if args.mine && !ctx.me.staff {
        return Err(Failure::usage("--mine is for staff: clients have no queue"));
    }
    let group = match args.group {
        None if args.mine => pb::StatusGroup::Open,
        None => pb::StatusGroup::Unspecified,
        Some(GroupArg::All) => pb::StatusGroup::All,
        Some(GroupArg::Open) => pb::StatusGroup::Open,
        Some(GroupArg::Completed) => pb::StatusGroup::Completed,
        Some(GroupArg::Closed) => pb::StatusGroup::Closed,
    };
    let sort = match args.sort {
        None if args.mine => pb::TicketSort::NextDue,
        None => pb::TicketSort::Unspecified,
        Some(SortArg::Number) => pb::TicketSort::Number,
        Some(SortArg::Title) => pb::TicketSort::Title,
        Some(SortArg::Status) => pb::TicketSort::Status,
        Some(SortArg::Priority) => pb::TicketSort::Priority,
        Some(SortArg::Contact) => pb::TicketSort::Contact,
        Some(SortArg::Updated) => pb::TicketSort::Updated,
        Some(SortArg::Created) => pb::TicketSort::Created,
        Some(SortArg::Company) => pb::TicketSort::Company,
        Some(SortArg::ResponseDue) => pb::TicketSort::NextDue,
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(pb::ListTicketsRequest {
        text: text(&args.text),
        status_group: group.into(),
        status: args
            .status
            .map_or(pb::TicketStatus::Unspecified, StatusArg::pb)
            .into(),
        number: args.number.unwrap_or_default(),
        contact_id: args.contact.unwrap_or_default(),
        priority: args.priority.unwrap_or_default(),
        service_type_id,
        created_from: text(&args.created_from),
        created_to: text(&args.created_to),
        updated_from: text(&args.updated_from),
        updated_to: text(&args.updated_to),
        company_id: args.company.unwrap_or_default(),
        assigned_staff_id: if args.mine {
            ctx.me.id
        } else {
            args.assigned.unwrap_or_default()
        },
        unassigned: args.unassigned,
        breached: false,
        chat_waiting: args.chats_waiting,
        sort: sort.into(),
        descending: args.desc,
        page: None,
    })
}

/// Largest page the server gives.
const PAGE: u64 = 200;

/// One page of the list from `cursor` on, at most `size` tickets.
async fn page(
    client: crate::client::Client,
    mut query: pb::ListTicketsRequest,
    size: u64,
    cursor: String,
    append: bool,
) -> Result<pb::ListTicketsResponse, Failure> {
    query.page = Some(pb::PageRequest {
        page_size: size as u32,
        cursor,
    });
    let call = TicketCall::List {
        list: ListId::Tickets,
        seq: 0,
        append,
        query,
    };
    match client.request(call.into()).await? {
        Reply::Tickets { page, .. } => Ok(page),
        _ => Err(Failure::other("unexpected answer to listing tickets")),
    }
}

async fn list(ctx: &Ctx, args: &ListArgs, out: &mut Out) -> Done {
    let query = query(ctx, args).await?;
    let limit = if args.all { u64::MAX } else { args.limit };
    let fetch = |listed: u64, cursor: String| {
        let size = PAGE.min(limit - listed);
        tokio::spawn(page(
            ctx.client.clone(),
            query.clone(),
            size,
            cursor,
            listed > 0,
        ))
    };
    let mut rows = Vec::new();
    let mut listed = 0u64;
    let mut next = fetch(0, String::new());
    let total = loop {
        let page = (&mut next)
            .await
            .map_err(|e| Failure::other(format!("listing tickets stopped: {e}")))??;
        listed += page.tickets.len() as u64;
        let more = !page.next_cursor.is_empty() && listed < limit && !page.tickets.is_empty();
        // The next page is on its way while this one is written: keyset
        // pages come one after another, but the server reads the next
        // while the client writes this one.
        if more {
            next = fetch(listed, page.next_cursor);
        }
        for ticket in &page.tickets {
            match out.format {
                Format::Json => out.json(ticket)?,
                Format::Table | Format::Csv => rows.push(row(ctx, out, ticket)),
            }
        }
        // JSON lines go out page by page: `--all` streams.
        if out.format == Format::Json {
            out.flush()?;
        }
        if !more {
            break page.total;
        }
    };
    if out.format != Format::Json {
        out.rows(&header(ctx), &rows)?;
    }
    if listed < total {
        eprintln!("{listed} of {total} tickets shown; --all lists every one");
    }
    Ok(())
}

fn header(ctx: &Ctx) -> Vec<&'static str> {
    let mut header = vec!["number", "status", "priority", "title", "contact"];
    if ctx.me.staff {
        header.extend(["company", "assigned"]);
    }
    header.push("updated");
    header
}

fn row(ctx: &Ctx, out: &Out, t: &pb::Ticket) -> Vec<String> {
    let mut row = vec![
        t.number.to_string(),
        format::status(t.status()).to_owned(),
        format::priority(t.priority).to_owned(),
        t.title.clone(),
        t.contact_name.clone(),
    ];
    if ctx.me.staff {
        row.extend([t.company_name.clone(), format::assigned(t)]);
    }
    row.push(format::time(t.updated_at.as_ref(), out.tz));
    row
}

async fn show(ctx: &Ctx, number: i64, out: &mut Out) -> Done {
    let Reply::Ticket(detail) = ctx
        .client
        .request(TicketCall::Get { number }.into())
        .await?
    else {
        return Err(Failure::other("unexpected answer to getting a ticket"));
    };
    if out.format == Format::Json {
        return out.json(detail.as_ref());
    }
    let t = detail.ticket.clone().unwrap_or_default();
    let time = |ts: &Option<prost_types::Timestamp>| format::time(ts.as_ref(), out.tz);
    let mut lines = vec![
        format!("#{}  {}", t.number, t.title),
        format!(
            "Status: {}   Priority: {}   Type: {}",
            format::status(t.status()),
            format::priority(t.priority),
            t.service_type_name
        ),
        format!(
            "Company: {}   Site: {}   Contact: {}   Assigned: {}",
            t.company_name,
            dash(&t.site_name),
            t.contact_name,
            format::assigned(&t)
        ),
        format!(
            "Created: {}   Updated: {}   Due: {}   PO: {}",
            time(&t.created_at),
            time(&t.updated_at),
            dash(&t.due_date),
            dash(&t.po_number)
        ),
    ];
    lines.extend(t.fields.iter().map(|f| format!("{}: {}", f.key, f.value)));
    if let Some(r) = &detail.rating {
        let comment = if r.comment.is_empty() {
            String::new()
        } else {
            format!(": {}", r.comment)
        };
        lines.push(format!(
            "Rated {}/5 by {} on {}{comment}",
            r.score,
            r.contact_name,
            time(&r.rated_at)
        ));
    } else if detail.permissions.as_ref().is_some_and(|p| p.can_rate) {
        lines.push(format!(
            "Closed: how did we do? `portal tickets rate {} --score 1..5`",
            t.number
        ));
    }
    lines.extend([String::new(), t.description.clone(), String::new()]);
    lines.push("Timeline (newest first):".into());
    for e in &detail.timeline {
        let what = match e.kind() {
            pb::TimelineKind::Discussion | pb::TimelineKind::Unspecified => String::new(),
            pb::TimelineKind::Resolution => " [resolution]".into(),
            pb::TimelineKind::InternalNote => " [internal note]".into(),
            pb::TimelineKind::Rating => format!(" [rated {}]", e.to_value),
            _ => format!(" [{} → {}]", e.from_value, e.to_value),
        };
        lines.push(format!("  {}  {}{what}", time(&e.at), e.author_name));
        lines.extend(e.body.lines().map(|l| format!("    {l}")));
    }
    if !detail.attachments.is_empty() {
        lines.push("Attachments:".into());
        lines.extend(detail.attachments.iter().map(|a| {
            format!(
                "  {}  {}  {} bytes  {}",
                a.id, a.file_name, a.size, a.uploaded_by
            )
        }));
    }
    if !detail.tasks.is_empty() {
        lines.push("Tasks:".into());
        lines.extend(
            detail
                .tasks
                .iter()
                .map(|task| format!("  [{}] {}", if task.done { "x" } else { " " }, task.text)),
        );
    }
    if !detail.subscribers.is_empty() {
        lines.push("Subscribers:".into());
        lines.extend(
            detail
                .subscribers
                .iter()
                .map(|s| format!("  {}  {} <{}>", s.contact_id, s.name, s.email)),
        );
    }
    for line in lines {
        out.line(&line)?;
    }
    Ok(())
}

fn dash(text: &str) -> &str {
    if text.is_empty() { "—" } else { text }
}

async fn types(ctx: &Ctx, out: &mut Out) -> Done {
    let types = service_types(ctx).await?;
    if out.format == Format::Json {
        for t in &types {
            out.json(t)?;
        }
        return Ok(());
    }
    let rows: Vec<Vec<String>> = types
        .iter()
        .map(|t| {
            let fields: Vec<String> = t
                .fields
                .iter()
                .map(|f| {
                    let star = if f.required { "*" } else { "" };
                    if f.choices.is_empty() {
                        format!("{}{star}", f.key)
                    } else {
                        format!("{}{star} ({})", f.key, f.choices.join("|"))
                    }
                })
                .collect();
            vec![t.id.to_string(), t.name.clone(), fields.join(", ")]
        })
        .collect();
    out.rows(&["id", "name", "fields"], &rows)
}
