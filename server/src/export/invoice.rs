//! An invoice as a document (docs/MONEY.md "Billing runs and invoices"):
//! who bills whom, each line with its quantity, price and amount, the
//! totals, and the payments recorded. The amounts are the stored ones, so
//! the file always agrees with the store.

use super::document::{Block, Document};
use crate::domain::money::{InvoiceLine, InvoiceRecord, LineKind, Month, hours};
use crate::domain::work::money;

fn field(label: &str, value: impl Into<String>) -> Block {
    Block::Field(label.to_owned(), value.into())
}

fn status(code: i32) -> &'static str {
    match code {
        1 => "Unpaid",
        2 => "Partially paid",
        3 => "Paid",
        4 => "Void",
        _ => "",
    }
}

fn payment_state(code: i32) -> &'static str {
    match code {
        1 => "pending",
        2 => "confirmed",
        3 => "rejected",
        _ => "",
    }
}

/// "Labour: 3:45 h at 150.00/h = 562.50", or "Labour: 2:00 h covered by
/// Block 2026 = 0.00" where prepaid hours paid for it.
fn line_body(l: &InvoiceLine) -> String {
    let (kind, quantity, unit, amount) = (l.kind, l.quantity, l.unit_price_cents, l.amount_cents);
    if let Some(agreement) = l.covered_by() {
        format!(
            "Labour: {} h covered by {agreement} = {}",
            hours(quantity),
            money(amount)
        )
    } else if kind == LineKind::Labour as i32 {
        format!(
            "Labour: {} h at {}/h = {}",
            hours(quantity),
            money(unit),
            money(amount)
        )
    } else {
        let what = match kind {
            1 => "Recurring",
            3 => "Project",
            _ => "Product",
        };
        format!("{what}: {quantity} x {} = {}", money(unit), money(amount))
    }
}

pub fn invoice_document(r: &InvoiceRecord) -> Document {
    let i = &r.invoice;
    let period = Month::parse(&i.period).map_or_else(|| i.period.clone(), Month::label);
    let mut blocks = vec![
        field("Bill to", i.company_name.clone()),
        field("Period", period),
        field("Issued", i.issued_on.clone()),
        field("Due", i.due_on.clone()),
        field("Status", status(i.status)),
    ];
    if !i.void_reason.is_empty() {
        blocks.push(field("Void because", i.void_reason.clone()));
    }
    blocks.push(Block::Heading(format!("Lines ({})", r.lines.len())));
    blocks.extend(r.lines.iter().map(|l| Block::Entry {
        head: l.description.clone(),
        body: line_body(l),
    }));
    blocks.push(Block::Heading(format!("Totals ({})", r.currency)));
    blocks.push(field("Subtotal", money(i.subtotal_cents)));
    if i.tax_cents > 0 || i.tax_rate_basis_points > 0 {
        let rate = i.tax_rate_basis_points;
        blocks.push(field(
            &format!("Tax {}.{:02} %", rate / 100, rate % 100),
            money(i.tax_cents),
        ));
    }
    blocks.push(field("Total", money(i.total_cents)));
    blocks.push(field("Paid", money(i.paid_cents)));
    blocks.push(field("Balance due", money(i.balance_cents)));
    if !r.payments.is_empty() {
        blocks.push(Block::Heading("Payments".into()));
        blocks.extend(r.payments.iter().map(|p| Block::Entry {
            head: format!("{} {}", money(p.amount_cents), payment_state(p.state)),
            body: format!("Reference {}, by {}", p.reference, p.submitted_by),
        }));
    }
    Document {
        title: format!("Invoice {}", i.number),
        subtitle: format!("From {}", r.provider_name),
        blocks,
    }
}
