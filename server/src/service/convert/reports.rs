//! Reports to and from `pb` (docs/REPORTS.md).

use portal_proto::pb;
use tonic::Status;

use super::super::status::invalid;
use crate::domain::reports::{Period, ReportKind, Table, Unit};

pub fn kind_from_pb(kind: i32) -> Result<ReportKind, Status> {
    use pb::ReportKind as K;
    Ok(match K::try_from(kind).unwrap_or(K::Unspecified) {
        K::RequestsByMonth => ReportKind::RequestsByMonth,
        K::ByStatus => ReportKind::ByStatus,
        K::ByPriority => ReportKind::ByPriority,
        K::ByServiceType => ReportKind::ByServiceType,
        K::BySite => ReportKind::BySite,
        K::ByContact => ReportKind::ByContact,
        K::SlaByMonth => ReportKind::SlaByMonth,
        K::SlaByPriority => ReportKind::SlaByPriority,
        K::ResponseTimes => ReportKind::ResponseTimes,
        K::OpenAging => ReportKind::OpenAging,
        K::TimeLogged => ReportKind::TimeLogged,
        K::AgreementHours => ReportKind::AgreementHours,
        K::InvoiceAging => ReportKind::InvoiceAging,
        K::SatisfactionByMonth => ReportKind::SatisfactionByMonth,
        K::SatisfactionByTechnician => ReportKind::SatisfactionByTechnician,
        K::SatisfactionByCompany => ReportKind::SatisfactionByCompany,
        K::Unspecified => return Err(invalid("kind", "name a report")),
    })
}

fn unit(u: Unit) -> pb::ReportUnit {
    match u {
        Unit::Text => pb::ReportUnit::Text,
        Unit::Count => pb::ReportUnit::Count,
        Unit::Minutes => pb::ReportUnit::Minutes,
        Unit::Cents => pb::ReportUnit::Cents,
        Unit::BasisPoints => pb::ReportUnit::BasisPoints,
        Unit::Hundredths => pb::ReportUnit::Hundredths,
    }
}

pub fn report(kind: i32, period: Period, company: Option<i64>, table: Table) -> pb::Report {
    pb::Report {
        kind,
        title: table.title,
        from: period.from.to_string(),
        to: period.to.to_string(),
        company_id: company.unwrap_or_default(),
        columns: table
            .columns
            .into_iter()
            .map(|(name, u)| pb::ReportColumn {
                name,
                unit: unit(u).into(),
            })
            .collect(),
        rows: table
            .rows
            .into_iter()
            .map(|(labels, values)| pb::ReportRow { labels, values })
            .collect(),
    }
}
