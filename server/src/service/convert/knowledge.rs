//! The knowledge library and the account team on the wire.

use portal_proto::pb;

use super::{opt_timestamp, timestamp};
use crate::domain::knowledge::{AccountTeam, Article, TeamMember};

/// An article; `with_body` false for lists, which show titles only.
pub fn article(a: Article, with_body: bool) -> pb::Article {
    pb::Article {
        id: a.id,
        title: a.title,
        body: if with_body { a.body } else { String::new() },
        company_id: a.company_id.unwrap_or_default(),
        company_name: a.company_name,
        author_name: a.author_name,
        created_at: Some(timestamp(a.created_at)),
        updated_at: Some(timestamp(a.updated_at)),
        archived: a.archived_at.is_some(),
    }
}

fn member(m: TeamMember) -> pb::TeamMember {
    pb::TeamMember {
        staff_id: m.staff_id,
        name: m.name,
        email: m.email,
    }
}

pub fn account_team(t: AccountTeam) -> pb::AccountTeam {
    pb::AccountTeam {
        company_id: t.company_id,
        company_name: t.company_name,
        account_manager: t.account_manager.map(member),
        technician: t.technician.map(member),
        after_hours_phone: t.after_hours_phone,
        updated_at: opt_timestamp(t.updated_at),
        updated_by: t.updated_by,
    }
}
