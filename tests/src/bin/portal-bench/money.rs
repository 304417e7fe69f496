//! Money at scale (docs/MONEY.md) over a store made by `portal-server gen`,
//! which leaves its last whole month unbilled: pages of invoices, one
//! invoice and its PDF, then that month's billing run previewed, run and
//! run again (which bills nothing). The run adds invoices to the store; to
//! repeat it, start from a fresh copy.

use std::time::Instant;

use portal_e2e::Session;
use portal_proto::pb;
use portal_server::domain::money::Month;
use tokio_stream::StreamExt;

use super::measure::{Latencies, Summary};
use super::workload::PAGE;

/// Billing runs are slow calls: a few samples of each.
const RUNS: usize = 3;

fn invoices_page(company_id: i64, sort: pb::InvoiceSort) -> pb::ListInvoicesRequest {
    pb::ListInvoicesRequest {
        company_id,
        sort: sort.into(),
        page: Some(pb::PageRequest {
            page_size: PAGE,
            cursor: String::new(),
        }),
        ..Default::default()
    }
}

pub async fn money(
    summary: &mut Summary,
    staff: &Session,
    companies: &[i64],
    samples: usize,
) -> anyhow::Result<()> {
    let newest = staff
        .billing()
        .list_invoices(invoices_page(0, pb::InvoiceSort::Unspecified))
        .await?
        .into_inner();
    let largest = staff
        .billing()
        .list_invoices(invoices_page(0, pb::InvoiceSort::Total))
        .await?
        .into_inner();
    let (Some(last), Some(big)) = (newest.invoices.first(), largest.invoices.first()) else {
        anyhow::bail!("the store has no invoices: make it with `portal-server gen`");
    };
    println!(
        "money: {} invoices; the largest, #{}, {} cents",
        newest.total, big.number, big.total_cents
    );

    for (sort, what) in [
        (pb::InvoiceSort::Unspecified, "newest first"),
        (pb::InvoiceSort::Balance, "by balance"),
    ] {
        let mut pages = Latencies::default();
        for _ in 0..samples {
            pages
                .time(async {
                    staff
                        .billing()
                        .list_invoices(invoices_page(0, sort))
                        .await
                        .map(|r| Some(r.into_inner().invoices.len()))
                })
                .await;
        }
        pages.report(
            summary,
            &format!("invoices: page of 50 of all companies', {what}, with count and balance (gRPC, 1 client)"),
        );
    }
    let mut pages = Latencies::default();
    for i in 0..samples {
        let company = companies[i % companies.len().max(1)];
        pages
            .time(async {
                staff
                    .billing()
                    .list_invoices(invoices_page(company, pb::InvoiceSort::Unspecified))
                    .await
                    .map(|r| Some(r.into_inner().invoices.len()))
            })
            .await;
    }
    pages.report(
        summary,
        "invoices: first page of one large company's, newest first (gRPC, 1 client)",
    );

    let number = big.number;
    let mut one = Latencies::default();
    let mut pdf = Latencies::default();
    let mut size = 0;
    for _ in 0..samples.min(500) {
        one.time(async {
            staff
                .billing()
                .get_invoice(pb::InvoiceRef { number })
                .await
                .map(|r| Some(r.into_inner().lines.len()))
        })
        .await;
        pdf.time(async {
            let mut stream = staff
                .billing()
                .export_invoice(pb::ExportInvoiceRequest {
                    number,
                    format: pb::ExportFormat::Pdf.into(),
                })
                .await?
                .into_inner();
            size = 0;
            while let Some(piece) = stream.next().await {
                size += piece?.data.len();
            }
            Ok::<_, tonic::Status>(None)
        })
        .await;
    }
    one.report(
        summary,
        "one invoice with its lines and payments, the largest (GetInvoice, gRPC, 1 client)",
    );
    pdf.report(
        summary,
        &format!(
            "PDF of the largest invoice, {} KiB (ExportInvoice, gRPC, 1 client)",
            size / 1024
        ),
    );

    let month = Month::parse(&last.period)
        .ok_or_else(|| anyhow::anyhow!("invoice period {:?}", last.period))?
        .next()
        .to_string();
    billing_runs(summary, staff, &month).await;
    Ok(())
}

/// `month`'s run previewed, run, and run again.
async fn billing_runs(summary: &mut Summary, staff: &Session, month: &str) {
    let request = || pb::BillingRunRequest {
        month: month.to_owned(),
        company_id: 0,
    };
    let what =
        |run: &pb::BillingRun| format!("{} invoices, {} lines", run.invoices.len(), run.lines);
    let mut preview = Latencies::default();
    let mut planned = String::new();
    for _ in 0..RUNS {
        preview
            .time(async {
                let run = staff.billing().preview_billing_run(request()).await?;
                planned = what(run.get_ref());
                Ok::<_, tonic::Status>(None)
            })
            .await;
    }
    preview.report(
        summary,
        &format!(
            "billing run for {month} previewed ({planned}), every company (PreviewBillingRun)"
        ),
    );
    let mut first = Latencies::default();
    let mut billed = String::new();
    let start = Instant::now();
    let result = staff.billing().run_billing(request()).await;
    first.record(result.map(|run| {
        billed = what(run.get_ref());
        start.elapsed()
    }));
    first.report(
        summary,
        &format!("billing run for {month} ({billed}), every company (RunBilling)"),
    );
    let mut again = Latencies::default();
    for _ in 0..RUNS {
        again
            .time(async {
                let run = staff.billing().run_billing(request()).await?;
                billed = what(run.get_ref());
                Ok::<_, tonic::Status>(None)
            })
            .await;
    }
    again.report(
        summary,
        &format!("the same run again ({billed}: nothing billed twice) (RunBilling)"),
    );
}
