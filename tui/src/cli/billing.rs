//! `portal invoices …` and `portal agreements list`: BillingService
//! (docs/MONEY.md). Amounts print as plain decimals (`1542.56`) so scripts
//! can read them; `--json` gives the messages with integer cents.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use portal_proto::pb::{self, InvoiceStatus};

use super::exit::{Done, Failure};
use super::output::{Format, Out};
use super::{Ctx, may_save_to};
use crate::action::{BillingCall, BillingReply, Reply};
use crate::money::{decimal, parse_money};
use crate::ui::agreements::kind;
use crate::ui::invoices::{idempotency_key, method, payment_state, status};

#[derive(Debug, Subcommand)]
pub enum InvoicesCommand {
    /// Invoices you may see (clients: your company's; staff: all), newest
    /// first.
    #[command(after_help = "Examples:\n  portal invoices list --status unpaid\n  \
        portal invoices list --from 2026-01-01 --sort balance --csv > invoices.csv")]
    List {
        #[arg(long, value_enum, default_value_t = StatusArg::All)]
        status: StatusArg,
        /// Issued on or after this day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Issued on or before this day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// Staff: one company's, by id.
        #[arg(long)]
        company: Option<i64>,
        #[arg(long, value_enum, default_value_t = SortArg::Issued)]
        sort: SortArg,
        /// Oldest or smallest first.
        #[arg(long)]
        asc: bool,
        /// At most this many (every page is fetched up to it).
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// One invoice: its lines, totals, payments and balance.
    #[command(after_help = "Example:\n  portal invoices show 1009")]
    Show { number: i64 },
    /// Save the invoice as PDF (or text) to a new file, or to stdout with -o -.
    #[command(after_help = "Examples:\n  portal invoices pdf 1009\n  \
        portal invoices pdf 1009 --text -o - | less")]
    Pdf {
        number: i64,
        /// Where to save it (never overwritten); `-` is stdout. Default:
        /// invoice-N.pdf (or .txt) here.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Plain text instead of PDF.
        #[arg(long)]
        text: bool,
    },
    /// Pay an invoice (client Managers and Admins: it waits for the
    /// provider's confirmation; provider Admins: a payment received).
    #[command(
        after_help = "Example:\n  portal invoices pay 1009 --amount 1542.56 --method ach --reference 'ACH 88123'"
    )]
    Pay {
        number: i64,
        /// Like 12.34.
        #[arg(long)]
        amount: String,
        #[arg(long, value_enum)]
        method: MethodArg,
        /// Check number, transfer reference…
        #[arg(long, default_value = "")]
        reference: String,
        /// Send the same key again to retry without paying twice (8 to 64
        /// characters; a new one by default).
        #[arg(long)]
        key: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgreementsCommand {
    /// Agreements with hours bought, used and left (ended ones too).
    #[command(after_help = "Example:\n  portal agreements list --csv")]
    List {
        /// Staff: one company's, by id.
        #[arg(long)]
        company: Option<i64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    All,
    /// Unpaid or partly paid.
    Unpaid,
    Paid,
    Void,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Issued,
    Number,
    Due,
    Total,
    Balance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    Check,
    Ach,
    Card,
    Paypal,
    Other,
}

impl MethodArg {
    fn pb(self) -> pb::PaymentMethod {
        match self {
            Self::Check => pb::PaymentMethod::Check,
            Self::Ach => pb::PaymentMethod::Ach,
            Self::Card => pb::PaymentMethod::Card,
            Self::Paypal => pb::PaymentMethod::Paypal,
            Self::Other => pb::PaymentMethod::Other,
        }
    }
}

fn statuses(s: StatusArg) -> Vec<i32> {
    let list: &[InvoiceStatus] = match s {
        StatusArg::All => &[],
        StatusArg::Unpaid => &[InvoiceStatus::Unpaid, InvoiceStatus::PartiallyPaid],
        StatusArg::Paid => &[InvoiceStatus::Paid],
        StatusArg::Void => &[InvoiceStatus::Void],
    };
    list.iter().map(|s| (*s).into()).collect()
}

fn sort(s: SortArg) -> pb::InvoiceSort {
    match s {
        SortArg::Issued => pb::InvoiceSort::Unspecified,
        SortArg::Number => pb::InvoiceSort::Number,
        SortArg::Due => pb::InvoiceSort::Due,
        SortArg::Total => pb::InvoiceSort::Total,
        SortArg::Balance => pb::InvoiceSort::Balance,
    }
}

pub(super) async fn billing(ctx: &Ctx, call: BillingCall) -> Result<BillingReply, Failure> {
    match ctx.client.request(call.into()).await? {
        Reply::Billing(reply) => Ok(*reply),
        _ => Err(Failure::other("unexpected answer from the server")),
    }
}

pub async fn invoices(ctx: &Ctx, command: InvoicesCommand, out: &mut Out) -> Done {
    match command {
        InvoicesCommand::List {
            status,
            from,
            to,
            company,
            sort: by,
            asc,
            limit,
        } => {
            let query = pb::ListInvoicesRequest {
                company_id: company.unwrap_or_default(),
                statuses: statuses(status),
                issued_from: from.unwrap_or_default(),
                issued_to: to.unwrap_or_default(),
                sort: sort(by).into(),
                ascending: asc,
                page: None,
            };
            list(ctx, query, limit, out).await
        }
        InvoicesCommand::Show { number } => {
            let BillingReply::Invoice(detail) =
                billing(ctx, BillingCall::Invoice { number }).await?
            else {
                return Err(Failure::other("unexpected answer from the server"));
            };
            show(&detail, out)
        }
        InvoicesCommand::Pdf {
            number,
            output,
            text,
        } => save(ctx, number, output, text, out).await,
        InvoicesCommand::Pay {
            number,
            amount,
            method: how,
            reference,
            key,
        } => {
            let amount_cents = parse_money(&amount).filter(|c| *c > 0).ok_or_else(|| {
                Failure::invalid("amount", format!("{amount:?} is not an amount like 12.34"))
            })?;
            let request = pb::SubmitPaymentRequest {
                invoice_number: number,
                amount_cents,
                method: how.pb().into(),
                reference,
                idempotency_key: key.unwrap_or_else(idempotency_key),
            };
            let BillingReply::Payment(p) = billing(ctx, BillingCall::Pay(request)).await? else {
                return Err(Failure::other("unexpected answer from the server"));
            };
            if out.format == Format::Json {
                return out.json(&p);
            }
            out.line(&format!(
                "Payment {} of {} on invoice {}: {}",
                p.id,
                decimal(p.amount_cents),
                p.invoice_number,
                payment_state(p.state())
            ))
        }
    }
}

async fn list(ctx: &Ctx, mut query: pb::ListInvoicesRequest, limit: usize, out: &mut Out) -> Done {
    let mut all: Vec<pb::Invoice> = Vec::new();
    let mut cursor = String::new();
    loop {
        let want = limit.saturating_sub(all.len()).min(200) as u32;
        query.page = Some(pb::PageRequest {
            page_size: want,
            cursor,
        });
        let call = BillingCall::Invoices {
            seq: 0,
            append: false,
            query: query.clone(),
        };
        let BillingReply::Invoices { page, .. } = billing(ctx, call).await? else {
            return Err(Failure::other("unexpected answer from the server"));
        };
        all.extend(page.invoices);
        cursor = page.next_cursor;
        if cursor.is_empty() || all.len() >= limit {
            break;
        }
    }
    all.truncate(limit);
    if out.format == Format::Json {
        return all.iter().try_for_each(|i| out.json(i));
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|i| {
            let mut state = status(i.status()).to_lowercase();
            if i.overdue && i.status() != InvoiceStatus::Void {
                state.push_str(" (overdue)");
            }
            vec![
                i.number.to_string(),
                i.company_name.clone(),
                i.issued_on.clone(),
                i.due_on.clone(),
                decimal(i.total_cents),
                decimal(i.balance_cents),
                state,
            ]
        })
        .collect();
    out.rows(
        &[
            "number", "company", "issued", "due", "total", "balance", "status",
        ],
        &rows,
    )
}

fn show(detail: &pb::InvoiceDetail, out: &mut Out) -> Done {
    if out.format == Format::Json {
        return out.json(detail);
    }
    let i = detail.invoice.clone().unwrap_or_default();
    if out.format == Format::Table {
        out.line(&format!(
            "Invoice {} · {} · {}{}",
            i.number,
            i.company_name,
            status(i.status()),
            if i.overdue { " · overdue" } else { "" }
        ))?;
        out.line(&format!(
            "Period {} · issued {} · due {}",
            i.period, i.issued_on, i.due_on
        ))?;
        if !i.void_reason.is_empty() {
            out.line(&format!("Void: {}", i.void_reason))?;
        }
        out.line("")?;
    }
    let rows: Vec<Vec<String>> = detail
        .lines
        .iter()
        .map(|l| {
            vec![
                format!("{:?}", l.kind()).to_lowercase(),
                l.description.clone(),
                l.quantity.to_string(),
                decimal(l.unit_price_cents),
                decimal(l.amount_cents),
                if l.ticket_number > 0 {
                    l.ticket_number.to_string()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    out.rows(
        &[
            "kind",
            "description",
            "quantity",
            "unit",
            "amount",
            "ticket",
        ],
        &rows,
    )?;
    if out.format == Format::Csv {
        return Ok(());
    }
    out.line("")?;
    let mut totals = vec![("Subtotal", i.subtotal_cents)];
    if i.tax_rate_basis_points > 0 {
        totals.push(("Tax", i.tax_cents));
    }
    totals.extend([
        ("Total", i.total_cents),
        ("Paid", i.paid_cents),
        ("Awaiting confirmation", i.pending_cents),
        ("Balance", i.balance_cents),
    ]);
    for (label, cents) in totals {
        out.line(&format!("{label:>22}  {:>12}", decimal(cents)))?;
    }
    for p in &detail.payments {
        out.line(&format!(
            "Payment {}: {} by {} {} · {}",
            p.id,
            decimal(p.amount_cents),
            method(p.method()),
            p.reference,
            payment_state(p.state())
        ))?;
    }
    Ok(())
}

async fn save(ctx: &Ctx, number: i64, output: Option<PathBuf>, text: bool, out: &mut Out) -> Done {
    let (format, extension) = if text {
        (pb::ExportFormat::Text, "txt")
    } else {
        (pb::ExportFormat::Pdf, "pdf")
    };
    may_save_to(output.as_deref())?;
    let path = output.unwrap_or_else(|| PathBuf::from(format!("invoice-{number}.{extension}")));
    if path == Path::new("-") {
        let mut stream = ctx
            .client
            .billing()
            .export_invoice(ctx.client.authed(pb::ExportInvoiceRequest {
                number,
                format: format.into(),
            }))
            .await?
            .into_inner();
        while let Some(part) = stream.message().await? {
            out.bytes(&part.data)?;
        }
        return Ok(());
    }
    let call = BillingCall::Export {
        number,
        format,
        path: path.clone(),
    };
    let Reply::Downloaded { bytes, .. } = ctx.client.request(call.into()).await? else {
        return Err(Failure::other("unexpected answer to a download"));
    };
    eprintln!("Saved {} ({bytes} bytes).", path.display());
    Ok(())
}

pub async fn agreements(ctx: &Ctx, command: AgreementsCommand, out: &mut Out) -> Done {
    let AgreementsCommand::List { company } = command;
    let call = BillingCall::Agreements {
        company_id: company.unwrap_or_default(),
    };
    let BillingReply::Agreements(list) = billing(ctx, call).await? else {
        return Err(Failure::other("unexpected answer from the server"));
    };
    if out.format == Format::Json {
        return list.iter().try_for_each(|a| out.json(a));
    }
    let hours = |m: i64| {
        let sign = if m < 0 { "-" } else { "" };
        let m = m.unsigned_abs();
        format!("{sign}{}:{:02}", m / 60, m % 60)
    };
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.company_name.clone(),
                a.title.clone(),
                kind(a.kind()).to_owned(),
                a.start_date.clone(),
                a.end_date.clone(),
                a.renews_on.clone(),
                hours(a.prepaid_minutes),
                hours(a.used_minutes),
                hours(a.left_minutes),
                if a.low_hours { "yes" } else { "" }.to_owned(),
            ]
        })
        .collect();
    out.rows(
        &[
            "id", "company", "title", "kind", "start", "end", "renews", "bought", "used", "left",
            "low",
        ],
        &rows,
    )
}
